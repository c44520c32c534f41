//! Syntax: `.wf` text → [`ast::SourceFile`] with spans, and WF001/WF002.
//!
//! [`parse`] runs in three steps:
//! 1. a linear pre-scan ([`scan`]) collects comments, enforces
//!    [`MAX_SOURCE_BYTES`] and [`MAX_NESTING`] (WF002) before anything
//!    recursive runs, and cuts the file into chunks at `workflow "` lines;
//! 2. the fast path ([`fast`]), a hand-written recursive-descent parser
//!    that mirrors the grammar, builds each chunk's AST directly; it gives
//!    up on a chunk at anything that would yield a diagnostic;
//! 3. only then pest parses that chunk on its own (`grammar/wf.pest`, the
//!    specification and the error reporter), so a syntax error in one
//!    workflow does not hide the others, and the builder ([`parser`]) turns
//!    pairs into the AST, checking escapes, `{{ tokens }}` and a few rules
//!    the grammar leaves open. Both paths give the same AST for every input
//!    (`tests/parse_differential.rs`, fuzz target `parse_differential`).

pub mod ast;
mod errors;
mod fast;
pub mod grammar;
mod parser;
mod scan;

use pest::Parser as _;

use crate::diagnostics::{Code, Diagnostic, Label};
use std::borrow::Cow;

use crate::source::{FileId, SourceMap, Span};
use grammar::{Rule, WfParser};

/// Largest source file accepted (WF002 beyond).
pub const MAX_SOURCE_BYTES: usize = 16 * 1024 * 1024;
/// Deepest nesting of blocks, parentheses, brackets and `not`s accepted
/// (WF002 beyond), enforced before any recursive parsing.
pub const MAX_NESTING: usize = 64;

/// Parse one file. Always returns a file (holding every workflow that could
/// be parsed) and the syntax diagnostics (WF001, WF002). Never panics.
///
/// A workflow with a grammar error is left out of the file; one with only
/// lexical errors the builder reports (a bad escape, a malformed token, a
/// label on `if`, ...) is kept, so later stages still check it.
pub fn parse(sources: &SourceMap, file: FileId) -> (ast::SourceFile, Vec<Diagnostic>) {
    parse_impl(sources, file, true)
}

/// [`parse`] without the fast path: every chunk goes through pest and the
/// pair builder. The fast path must give the same result for every input;
/// this is the reference the differential tests and fuzz target compare it
/// with. Not for other uses.
#[doc(hidden)]
pub fn parse_with_pest(sources: &SourceMap, file: FileId) -> (ast::SourceFile, Vec<Diagnostic>) {
    parse_impl(sources, file, false)
}

/// WF002: a file over [`MAX_SOURCE_BYTES`] or nested deeper than [`MAX_NESTING`]; WF001: no workflow in the file.
fn parse_impl(
    sources: &SourceMap,
    file: FileId,
    fast_path: bool,
) -> (ast::SourceFile, Vec<Diagnostic>) {
    let text = sources.text(file);
    let mut out = ast::SourceFile {
        file,
        workflows: Vec::new(),
        comments: Vec::new(),
    };
    let mut diags = Vec::new();

    if text.len() > MAX_SOURCE_BYTES {
        diags.push(
            Diagnostic::new(
                Code::WF002,
                format!(
                    "file is too large: {} bytes, the limit is {} bytes",
                    text.len(),
                    MAX_SOURCE_BYTES
                ),
                Label::new(Span::new(file, 0, 0), "file starts here"),
            )
            .with_help("split the workflows over several files"),
        );
        return (out, diags);
    }

    let scanned = scan::scan(text);
    out.comments = scanned
        .comments
        .iter()
        .map(|&(s, e)| ast::Comment {
            text: text.get(s + 1..e).unwrap_or("").to_string(),
            span: Span::new(file, s, e),
        })
        .collect();

    let line_of = |offset: usize| sources.line_col(file, offset).line;
    for (i, chunk) in scanned.chunks.iter().enumerate() {
        if let Some((s, e)) = chunk.too_deep {
            diags.push(
                Diagnostic::new(
                    Code::WF002,
                    format!("nesting is deeper than the limit of {MAX_NESTING} levels"),
                    Label::new(Span::new(file, s, e), "too deeply nested"),
                )
                .with_help("split deeply nested blocks or conditions into simpler steps"),
            );
            continue;
        }
        let Some(src) = text.get(chunk.start..chunk.end) else {
            continue;
        };
        if fast_path {
            if let Some(wfs) = fast::parse_chunk(file, chunk.start, src) {
                out.workflows.extend(wfs);
                continue;
            }
        }
        let next = scanned.chunks.get(i + 1).map(|c| c.start);
        parse_chunk(
            file,
            src,
            chunk,
            next,
            &line_of,
            &mut out.workflows,
            &mut diags,
        );
    }

    if out.workflows.is_empty() && diags.is_empty() {
        let primary = errors::last_visible(file, text, 0, text.len());
        diags.push(
            Diagnostic::new(
                Code::WF001,
                "expected a workflow, found end of file",
                Label::new(primary, "no workflow in this file"),
            )
            .with_help(
                "a `.wf` file holds one or more workflows: `workflow \"Name\" for contact { ... }`",
            ),
        );
    }
    (out, diags)
}

/// Syntax errors reported per workflow at most (recovery stops after).
const MAX_ERRORS_PER_CHUNK: usize = 10;
/// Recovery re-parses a workflow after each error; above this size one
/// error per workflow is reported, so hostile input cannot multiply the work.
const MAX_RECOVERY_BYTES: usize = 256 * 1024;

/// Parse one chunk; on a syntax error, report it and, when the offending
/// line can be blanked out without changing the brackets and strings around
/// it, blank it and parse again to find the next error. A chunk with errors
/// contributes no workflow (so later stages see no half-parsed workflow).
///
/// WF001: the syntax errors of one chunk, with recovery.
fn parse_chunk(
    file: FileId,
    text: &str,
    chunk: &scan::Chunk,
    next: Option<usize>,
    line_of: &dyn Fn(usize) -> u32,
    workflows: &mut Vec<ast::Workflow>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut src: Cow<'_, str> = Cow::Borrowed(text);
    let mut errors = 0usize;
    // end of the last blanked line: a later error must come after it
    let mut resume_at = 0usize;
    loop {
        match WfParser::parse(Rule::chunk, &src) {
            Ok(mut pairs) => {
                if errors == 0 {
                    let mut b = parser::Builder::new(file, chunk.start);
                    if let Some(p) = pairs.next() {
                        workflows.extend(b.chunk(p));
                    }
                    diags.append(&mut b.diags);
                }
                return;
            }
            Err(e) => {
                let rel = match e.location {
                    pest::error::InputLocation::Pos(p) => p,
                    pest::error::InputLocation::Span((s, _)) => s,
                };
                if errors > 0 && rel < resume_at {
                    return;
                }
                diags.push(errors::convert(&e, file, &src, chunk, next, line_of));
                errors += 1;
                if errors >= MAX_ERRORS_PER_CHUNK || src.len() > MAX_RECOVERY_BYTES {
                    return;
                }
                // A missing `{`: the lines below belong to the block that
                // was meant, so parsing on would only report echoes.
                if let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant {
                    if positives.contains(&Rule::lbrace) {
                        return;
                    }
                }
                let Some((ls, le)) = blankable_line(&src, rel) else {
                    return;
                };
                let mut owned = src.into_owned();
                // ASCII spaces over the whole line keep the text valid UTF-8
                // and every offset unchanged.
                let blank = " ".repeat(le - ls);
                owned.replace_range(ls..le, &blank);
                src = Cow::Owned(owned);
                resume_at = le;
            }
        }
    }
}

/// The line holding `pos`, when blanking it leaves the brackets and strings
/// of the rest of the chunk as they are, and it stands directly in a block
/// (not inside an open list or parenthesis, whose error would only echo).
fn blankable_line(src: &str, pos: usize) -> Option<(usize, usize)> {
    let pos = pos.min(src.len());
    let ls = src.get(..pos)?.rfind('\n').map_or(0, |i| i + 1);
    let le = src.get(pos..)?.find('\n').map_or(src.len(), |i| pos + i);
    let line = src.get(ls..le)?;
    if line.trim().is_empty() {
        return None;
    }
    let before = scan::scan(src.get(..ls)?);
    let after = scan::scan(src.get(..le)?);
    let (b, a) = (before.chunks.last()?, after.chunks.last()?);
    let same = before.chunks.len() == 1
        && after.chunks.len() == 1
        && b.unterminated_string.is_none()
        && a.unterminated_string.is_none()
        && b.unclosed.last().is_some_and(|&(byte, _)| byte == b'{')
        && b.unclosed == a.unclosed;
    same.then_some((ls, le))
}
