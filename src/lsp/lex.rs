//! A forgiving tokenizer for `.wf` text, used only for editor context
//! (what the cursor is on, what was typed before it). It never fails: any
//! byte sequence becomes tokens, so half-typed text still gives context.
//! The language's rules live in the parser and checker, not here.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `[A-Za-z_][A-Za-z0-9_]*`
    Ident,
    /// A string literal; `closed` is false when it runs to the end of its line
    /// without a closing quote.
    Str { closed: bool },
    /// A number, duration, time or date (`42`, `2d`, `9:00`, `2026-05-01`).
    Number,
    /// One punctuation character (`{`, `}`, `.`, `,`, `:`, `=`, `[`, ...), or
    /// `+=`, `>=`, `<=`.
    Punct,
    /// A line break (steps end at the end of their line).
    Newline,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub range: Range<usize>,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.range.clone()).unwrap_or("")
    }

    pub fn is(&self, src: &str, word: &str) -> bool {
        self.text(src) == word
    }
}

/// Tokenize the whole text. Comments are dropped. A string that has no
/// closing quote before the end of its line ends at that line (so a
/// half-typed string does not swallow the rest of the file).
pub fn tokenize(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                out.push(Token {
                    kind: Kind::Newline,
                    range: i..i + 1,
                });
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                let mut closed = false;
                let mut j = i;
                while j < bytes.len() {
                    match bytes[j] {
                        b'\\' => j += 2,
                        b'"' => {
                            closed = true;
                            j += 1;
                            break;
                        }
                        _ => j += 1,
                    }
                }
                let j = j.min(bytes.len());
                // A string may span lines, but one that only "closes" on a
                // later line at the opening quote of the next string is a
                // half-typed one: cut it at its first line.
                if closed && src[start..j].contains('\n') && !ends_item(&bytes[j..]) {
                    closed = false;
                }
                let end = if closed {
                    j
                } else {
                    // Unterminated: stop at the end of the line.
                    src[start..]
                        .find('\n')
                        .map(|n| start + n)
                        .unwrap_or(bytes.len())
                };
                out.push(Token {
                    kind: Kind::Str { closed },
                    range: start..end,
                });
                i = end;
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push(Token {
                    kind: Kind::Ident,
                    range: start..i,
                });
            }
            b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'.'
                        || bytes[i] == b'-'
                        || (bytes[i] == b':'
                            && bytes.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
                {
                    i += 1;
                }
                out.push(Token {
                    kind: Kind::Number,
                    range: start..i,
                });
            }
            b'-' if bytes.get(i + 1).is_some_and(|c| c.is_ascii_digit()) => {
                let start = i;
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                out.push(Token {
                    kind: Kind::Number,
                    range: start..i,
                });
            }
            b'+' | b'>' | b'<' if bytes.get(i + 1) == Some(&b'=') => {
                out.push(Token {
                    kind: Kind::Punct,
                    range: i..i + 2,
                });
                i += 2;
            }
            _ => {
                // One character (which may be several bytes).
                let len = src[i..].chars().next().map(char::len_utf8).unwrap_or(1);
                out.push(Token {
                    kind: Kind::Punct,
                    range: i..i + len,
                });
                i += len;
            }
        }
    }
    out
}

/// Whether what follows a closing quote can end an item (end of line,
/// comment, closing bracket, separator).
fn ends_item(rest: &[u8]) -> bool {
    let mut k = 0;
    while k < rest.len() && (rest[k] == b' ' || rest[k] == b'\t') {
        k += 1;
    }
    matches!(
        rest.get(k),
        None | Some(b'\n' | b'\r' | b'#' | b'}' | b']' | b',' | b')' | b'{')
    )
}

/// The contents of a string token without quotes, with the escapes
/// `\" \\ \n \t \u{XXXX}` resolved (others are kept as written).
pub fn unquote(raw: &str) -> String {
    let inner = raw.strip_prefix('"').unwrap_or(raw);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('u') if chars.peek() == Some(&'{') => {
                chars.next();
                let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => out.push('\u{FFFD}'),
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Write `s` as a `.wf` string literal (with quotes).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Index of the token whose range contains `offset` (a cursor right after an
/// identifier or string counts as on it).
pub fn token_at(tokens: &[Token], offset: usize) -> Option<usize> {
    let i = tokens.partition_point(|t| t.range.end < offset);
    let t = tokens.get(i)?;
    if t.range.start <= offset && offset <= t.range.end && t.kind != Kind::Newline {
        Some(i)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        tokenize(src)
            .into_iter()
            .map(|t| (t.kind, &src[t.range]))
            .collect()
    }

    #[test]
    fn tokens_of_a_step() {
        let src = "notify: send email \"Welcome #1\" # hi\nset a += 4h30m\n";
        let k = kinds(src);
        assert_eq!(k[0], (Kind::Ident, "notify"));
        assert_eq!(k[1], (Kind::Punct, ":"));
        assert_eq!(k[4], (Kind::Str { closed: true }, "\"Welcome #1\""));
        assert_eq!(k[5], (Kind::Newline, "\n"));
        assert_eq!(k[8], (Kind::Punct, "+="));
        assert_eq!(k[9], (Kind::Number, "4h30m"));
    }

    #[test]
    fn unterminated_string_stops_at_line_end() {
        let src = "enroll in \"Onb\n  delay 1d\n";
        let k = kinds(src);
        assert_eq!(k[2], (Kind::Str { closed: false }, "\"Onb"));
        assert_eq!(k[3].0, Kind::Newline);
        assert_eq!(k[4], (Kind::Ident, "delay"));
        let src = "enroll in \"Onb\n  send email \"X\"\n";
        let k = kinds(src);
        assert_eq!(k[2], (Kind::Str { closed: false }, "\"Onb"));
        let src = "body \"two\nlines\"\n";
        assert_eq!(
            kinds(src)[1],
            (Kind::Str { closed: true }, "\"two\nlines\"")
        );
    }

    #[test]
    fn non_ascii_is_never_split() {
        let src = "é😀 \"a😀\" x";
        let k = kinds(src);
        assert_eq!(k[0], (Kind::Punct, "é"));
        assert_eq!(k[1], (Kind::Punct, "😀"));
        assert_eq!(k[2], (Kind::Str { closed: true }, "\"a😀\""));
    }

    #[test]
    fn quote_round_trips() {
        for s in ["plain", "with \"quotes\"", "back\\slash", "é😀\n\t"] {
            assert_eq!(unquote(&quote(s)), s);
        }
        assert_eq!(unquote("\"\\u{e9}\""), "é");
    }

    #[test]
    fn token_at_finds_the_token_under_the_cursor() {
        let src = "goto notify\n";
        let t = tokenize(src);
        assert_eq!(token_at(&t, 6), Some(1));
        assert_eq!(token_at(&t, 11), Some(1));
        assert_eq!(token_at(&t, 4), Some(0));
    }
}
