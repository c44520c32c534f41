//! A cheap, non-recursive pre-scan of a `.wf` file, run before pest.
//!
//! One linear pass over the bytes (aware of strings and comments) that
//! - collects every `#` comment (for the formatter),
//! - cuts the file into chunks at lines that start with `workflow "` or
//!   `test "`, so a syntax error in one item does not hide errors in the others,
//! - measures nesting depth (blocks, parentheses, brackets and runs of
//!   `not`) so that input nested deeper than [`MAX_NESTING`] is rejected
//!   before pest (or any recursive code) sees it,
//! - finds unterminated strings and the brackets still open at the end of
//!   each chunk (for "expected `}` to close the block opened at ...").
//!
//! Only ASCII bytes are significant, so scanning bytes of UTF-8 text is safe.

use super::MAX_NESTING;

/// One top-level piece of a file: `text[start..end]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Chunk {
    pub start: usize,
    pub end: usize,
    /// The first token nested deeper than [`MAX_NESTING`]: (start, end).
    pub too_deep: Option<(usize, usize)>,
    /// Start of a string that is never closed.
    pub unterminated_string: Option<usize>,
    /// Brackets still open at the end of the chunk, outermost first: (byte, offset).
    pub unclosed: Vec<(u8, usize)>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Scan {
    /// `#` comments: byte range from `#` to the end of the line (without the
    /// line break and a trailing `\r`).
    pub comments: Vec<(usize, usize)>,
    pub chunks: Vec<Chunk>,
}

struct Open {
    byte: u8,
    at: usize,
    /// Nesting level outside this bracket.
    level: usize,
}

pub(crate) fn scan(text: &str) -> Scan {
    let b = text.as_bytes();
    let len = b.len();
    let mut out = Scan::default();

    let mut chunk = Chunk {
        start: 0,
        end: len,
        too_deep: None,
        unterminated_string: None,
        unclosed: Vec::new(),
    };
    let mut chunk_has_tokens = false;
    let mut stack: Vec<Open> = Vec::new();
    let mut level = 0usize;
    let mut not_run = 0usize;
    let mut line_start = true;

    // A byte-order mark is not part of the program.
    let mut i = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    chunk.start = i;
    while let Some(&c) = b.get(i) {
        match c {
            b'\n' => {
                line_start = true;
                not_run = 0;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' => {
                let mut j = i;
                while b.get(j).is_some_and(|&x| x != b'\n') {
                    j += 1;
                }
                let mut e = j;
                if e > i + 1 && b.get(e - 1) == Some(&b'\r') {
                    e -= 1;
                }
                out.comments.push((i, e));
                i = j;
            }
            b'"' => {
                chunk_has_tokens = true;
                line_start = false;
                not_run = 0;
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        None => {
                            chunk.unterminated_string.get_or_insert(i);
                            break;
                        }
                        Some(b'\\') => j += 2,
                        Some(b'"') => {
                            j += 1;
                            break;
                        }
                        Some(_) => j += 1,
                    }
                }
                i = j.min(len);
            }
            b'{' | b'(' | b'[' => {
                chunk_has_tokens = true;
                line_start = false;
                let inner = level + not_run + 1;
                stack.push(Open {
                    byte: c,
                    at: i,
                    level,
                });
                level = inner;
                not_run = 0;
                if level > MAX_NESTING && chunk.too_deep.is_none() {
                    chunk.too_deep = Some((i, i + 1));
                }
                i += 1;
            }
            b'}' | b')' | b']' => {
                chunk_has_tokens = true;
                line_start = false;
                not_run = 0;
                if let Some(open) = stack.pop() {
                    level = open.level;
                }
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut j = i + 1;
                while b
                    .get(j)
                    .is_some_and(|&x| x.is_ascii_alphanumeric() || x == b'_')
                {
                    j += 1;
                }
                let word = b.get(i..j).unwrap_or_default();
                if line_start && (word == b"workflow" || word == b"test") && next_is_quote(b, j) {
                    if chunk_has_tokens {
                        chunk.end = i;
                        chunk.unclosed = stack.iter().map(|o| (o.byte, o.at)).collect();
                        out.chunks.push(chunk);
                        chunk = Chunk {
                            start: i,
                            end: len,
                            too_deep: None,
                            unterminated_string: None,
                            unclosed: Vec::new(),
                        };
                    }
                    stack.clear();
                    level = 0;
                }
                chunk_has_tokens = true;
                line_start = false;
                if word == b"not" {
                    not_run += 1;
                    if level + not_run > MAX_NESTING && chunk.too_deep.is_none() {
                        chunk.too_deep = Some((i, j));
                    }
                } else {
                    not_run = 0;
                }
                i = j;
            }
            _ => {
                chunk_has_tokens = true;
                line_start = false;
                not_run = 0;
                i += 1;
            }
        }
    }
    chunk.end = len;
    chunk.unclosed = stack.iter().map(|o| (o.byte, o.at)).collect();
    out.chunks.push(chunk);
    out
}

fn next_is_quote(b: &[u8], mut j: usize) -> bool {
    while b.get(j).is_some_and(|&x| x == b' ' || x == b'\t') {
        j += 1;
    }
    b.get(j) == Some(&b'"')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_workflow_lines_and_collects_comments() {
        let text = "# head\nworkflow \"A\" for contact {\n  set x = \"workflow \\\"B\\\"\" # c\n}\nworkflow \"B\" for deal {\n}\n";
        let s = scan(text);
        assert_eq!(s.chunks.len(), 2);
        assert_eq!(s.chunks[0].start, 0);
        let b = text.find("workflow \"B\" for deal").unwrap();
        assert_eq!(s.chunks[0].end, b);
        assert_eq!(s.chunks[1].start, b);
        assert_eq!(s.chunks[1].end, text.len());
        let comments: Vec<&str> = s.comments.iter().map(|&(a, e)| &text[a..e]).collect();
        assert_eq!(comments, vec!["# head", "# c"]);
    }

    #[test]
    fn workflow_inside_string_or_as_field_is_not_a_cut() {
        let text = "workflow \"A\" for contact {\n  create pets {\n workflow = 1\n }\n  send email \"x\nworkflow \"\n}\n";
        assert_eq!(scan(text).chunks.len(), 1);
    }

    #[test]
    fn depth_counts_brackets_and_nots() {
        let deep = format!(
            "workflow \"A\" for contact {{ {} }}",
            "(".repeat(MAX_NESTING)
        );
        let s = scan(&deep);
        assert!(s.chunks[0].too_deep.is_some());
        let ok = format!(
            "workflow \"A\" for contact {{ {} }}",
            "(".repeat(MAX_NESTING - 1)
        );
        assert!(scan(&ok).chunks[0].too_deep.is_none());
        let nots = format!("{}x", "not ".repeat(MAX_NESTING + 5));
        assert_eq!(
            scan(&nots).chunks[0].too_deep,
            Some((MAX_NESTING * 4, MAX_NESTING * 4 + 3))
        );
    }

    #[test]
    fn unterminated_string_and_unclosed_brackets() {
        let s = scan("workflow \"A\" for contact {\n  if x is 1 {\n");
        assert_eq!(s.chunks[0].unclosed, vec![(b'{', 25), (b'{', 39)]);
        let s = scan("workflow \"A\" for contact {\n send email \"abc\n");
        assert_eq!(s.chunks[0].unterminated_string, Some(39));
    }
}
