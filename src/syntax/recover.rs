//! Recovery inside a workflow (docs/language.md, "Syntax errors").
//!
//! After a syntax error the pest path blanks out the broken step — from the
//! start of its line (or the `{`/`}` before it on the same line) to the next
//! line end at the same depth — and parses the chunk again, so every other
//! step is still built and checked. A broken block header (`if x {`,
//! `} els {`) takes its block along, to the matching `}`, and a dangling
//! `else` chain after it. Blanking writes ASCII spaces over the region and
//! keeps its line breaks: every offset and line number stays the same.
//!
//! When no region can be blanked safely (the error is in a workflow header,
//! a string runs away, a `{` is missing), [`header`] reads what it can of
//! `workflow "<name>" for <object>` so that the workflow still exists for
//! every cross-reference.

use super::ast::{Block, Ident, StrLit, Workflow};
use super::parser::Builder;
use crate::source::FileId;

/// Per byte: the bracket depth before it (`None` inside a string or a
/// comment) and whether a step may start there (a line start, or right after
/// a block's `{` or `}`); and the brackets open at one offset, innermost
/// last, each with whether it opens a block (not a record).
struct Layout {
    depth: Vec<Option<u32>>,
    boundary: Vec<bool>,
    open_at: Vec<(u8, bool)>,
}

fn is_idc(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn layout(src: &str, at: usize) -> Layout {
    let b = src.as_bytes();
    let n = b.len();
    let mut depth = vec![None; n + 1];
    let mut boundary = vec![false; n + 1];
    let mut open_at = Vec::new();
    let mut stack: Vec<(u8, bool)> = Vec::new();
    // the first word of the statement being read (`create`, `if`, ...)
    let mut head: Option<&[u8]> = None;
    let mut after_block_brace = true;
    let mut line_start = true;
    let mut i = 0;
    while i < n {
        if i == at {
            open_at.clone_from(&stack);
        }
        let d = u32::try_from(stack.len()).unwrap_or(u32::MAX);
        depth[i] = Some(d);
        boundary[i] = line_start || after_block_brace;
        let c = b[i];
        if !matches!(c, b' ' | b'\t' | b'\r') {
            line_start = false;
            after_block_brace = false;
        }
        match c {
            b'\n' => {
                line_start = true;
                head = None;
                i += 1;
            }
            b'#' => {
                i += 1;
                while i < n && b[i] != b'\n' {
                    if i == at {
                        open_at.clone_from(&stack);
                    }
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < n && b[i] != b'"' {
                    if i == at {
                        open_at.clone_from(&stack);
                    }
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                if i == at {
                    open_at.clone_from(&stack);
                }
                i = (i + 1).min(n);
                if head.is_none() {
                    head = Some(b"\"");
                }
            }
            b'{' => {
                let record = matches!(head, Some(b"create" | b"app"));
                stack.push((c, !record));
                after_block_brace = !record;
                head = None;
                i += 1;
            }
            b'(' | b'[' => {
                stack.push((c, false));
                i += 1;
            }
            b'}' | b')' | b']' => {
                let popped = stack.pop();
                after_block_brace = matches!(popped, Some((b'{', true)));
                if after_block_brace {
                    head = None;
                }
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let s = i;
                while i < n && is_idc(b[i]) {
                    i += 1;
                }
                if head.is_none() {
                    // a label (`name:`) does not start the statement
                    let mut j = i;
                    while j < n && matches!(b[j], b' ' | b'\t') {
                        j += 1;
                    }
                    if b.get(j) != Some(&b':') {
                        head = b.get(s..i);
                    }
                }
            }
            _ => i += 1,
        }
    }
    if at >= n {
        open_at.clone_from(&stack);
    }
    if i == n {
        depth[n] = Some(u32::try_from(stack.len()).unwrap_or(u32::MAX));
        boundary[n] = true;
    }
    Layout {
        depth,
        boundary,
        open_at,
    }
}

/// The region of `src` to blank after a syntax error at `pos`: the broken
/// step, directly inside its innermost block, with the block it opens and a
/// dangling `else` chain. `None` when no such region exists or blanking it
/// would change the brackets or strings around it.
pub(crate) fn region(src: &str, pos: usize) -> Option<(usize, usize)> {
    let b = src.as_bytes();
    let n = b.len();
    let pos = pos.min(n);
    let l = layout(src, pos);
    let k = l
        .open_at
        .iter()
        .rposition(|&(c, block)| c == b'{' && block)?;
    let target = Some(u32::try_from(k + 1).ok()?);
    // the depth at `pos` must be known (not inside a string or comment)
    l.depth.get(pos).copied().flatten()?;
    let mut start = pos;
    while !(l.depth[start] == target && l.boundary[start]) {
        start = start.checked_sub(1)?;
    }
    let mut from = pos;
    let end = loop {
        let e = step_end(b, &l, from, target)?;
        // a dangling `else` would only echo the error
        let mut j = e;
        while j < n && matches!(b[j], b' ' | b'\t' | b'\r' | b'\n') {
            j += 1;
            if b.get(j) == Some(&b'#') {
                while j < n && b[j] != b'\n' {
                    j += 1;
                }
            }
        }
        let is_else = b.get(j..j + 4) == Some(b"else") && !b.get(j + 4).is_some_and(|&c| is_idc(c));
        if is_else && l.depth[j] == target {
            from = j;
        } else {
            break e;
        }
    };
    let text = src.get(start..end)?;
    if text.trim().is_empty() || l.depth[end] != target || !balanced(text) {
        return None;
    }
    Some((start, end))
}

/// Every bracket of `text` is closed by its own kind, inside `text`, and
/// every string ends there: blanking it leaves the rest as it was.
fn balanced(text: &str) -> bool {
    let b = text.as_bytes();
    let mut stack = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'#' => {
                while b.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                loop {
                    match b.get(i) {
                        None => return false,
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
            }
            b'{' => stack.push(b'}'),
            b'(' => stack.push(b')'),
            b'[' => stack.push(b']'),
            b'}' | b')' | b']' if stack.pop() != Some(c) => return false,
            _ => {}
        }
        i += 1;
    }
    stack.is_empty()
}

/// The first line end (or block end) at or after `from` at depth `target`.
fn step_end(b: &[u8], l: &Layout, from: usize, target: Option<u32>) -> Option<usize> {
    let mut e = from;
    loop {
        if e >= b.len() {
            return (l.depth[b.len()] == target).then_some(b.len());
        }
        if l.depth[e] == target && matches!(b[e], b'\n' | b'}' | b')' | b']') {
            return Some(e);
        }
        e += 1;
    }
}

/// Blank `start..end` of `src` with spaces, keeping line breaks.
pub(crate) fn blank(src: &mut String, start: usize, end: usize) {
    let replaced: String = src
        .get(start..end)
        .unwrap_or("")
        .bytes()
        .map(|c| if c == b'\n' { '\n' } else { ' ' })
        .collect();
    if src.is_char_boundary(start) && src.is_char_boundary(end) {
        src.replace_range(start..end, &replaced);
    }
}

/// What can be read of a broken workflow's header: `workflow "<name>"`,
/// then `for <object>` when it is there. `None` when not even the name can
/// be read. The workflow has no settings and no steps.
pub(crate) fn header(file: FileId, offset: usize, src: &str) -> Option<Workflow> {
    let b = src.as_bytes();
    let n = b.len();
    let skip = |mut i: usize| {
        while i < n && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n' | b'#') {
            if b[i] == b'#' {
                while i < n && b[i] != b'\n' {
                    i += 1;
                }
            } else {
                i += 1;
            }
        }
        i
    };
    let word = |i: usize| {
        let mut j = i;
        while j < n && is_idc(b[j]) {
            j += 1;
        }
        j
    };
    let mut builder = Builder::new(file, offset);
    let kw = skip(if src.starts_with('\u{FEFF}') { 3 } else { 0 });
    let kw_end = word(kw);
    if b.get(kw..kw_end) != Some(b"workflow") {
        return None;
    }
    let q = skip(kw_end);
    if b.get(q) != Some(&b'"') {
        return None;
    }
    let mut j = q + 1;
    while j < n && b[j] != b'"' && b[j] != b'\n' {
        j += if b[j] == b'\\' { 2 } else { 1 };
    }
    if b.get(j) != Some(&b'"') {
        return None;
    }
    let name: StrLit = builder.string_at(src.get(q..=j)?, q);
    let mut end = j + 1;
    let f = skip(end);
    let mut object = Ident {
        name: "".into(),
        span: builder.at(end, end),
    };
    if b.get(f..word(f)) == Some(b"for") {
        let o = skip(word(f));
        let oe = word(o);
        if oe > o && !b[o].is_ascii_digit() {
            object = Ident {
                name: src.get(o..oe)?.into(),
                span: builder.at(o, oe),
            };
            end = oe;
        }
    }
    let keyword = builder.at(kw, kw_end);
    let last = src.trim_end().len().max(end);
    Some(Workflow {
        name,
        object,
        centered: None,
        settings: Vec::new(),
        body: Block {
            steps: Vec::new(),
            span: builder.at(end, end),
        },
        span: keyword.to(builder.at(last, last)),
        keyword,
        has_syntax_error: true,
    })
}
