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
mod recover;
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
/// A workflow with a syntax error is kept without its broken steps and
/// marked [`ast::Workflow::has_syntax_error`]; one whose name could not even
/// be read sets [`ast::SourceFile::unnamed_broken_workflow`].
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

/// `n` bytes in MiB with one decimal (`33.0 MiB`).
fn mebibytes(n: u64) -> String {
    let tenths = n.saturating_mul(10) / (1024 * 1024);
    format!("{}.{} MiB", tenths / 10, tenths % 10)
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
        unnamed_broken_workflow: false,
        tests: Vec::new(),
    };
    let mut diags = Vec::new();

    if text.len() > MAX_SOURCE_BYTES {
        // The file was read only up to a little over the limit: its size on
        // disk comes with it when known (not for stdin).
        let size = match sources.get(file).and_then(|f| f.size) {
            Some(n) => format!("{} ({n} bytes)", mebibytes(n)),
            None => "more than 16 MiB".to_string(),
        };
        diags.push(
            Diagnostic::new(
                Code::WF002,
                format!(
                    "file is too large: {size}, the limit is 16 MiB ({MAX_SOURCE_BYTES} bytes)"
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
            let src = text.get(chunk.start..chunk.end).unwrap_or("");
            if is_test_chunk(src) {
                continue;
            }
            match recover::header(file, chunk.start, src) {
                Some(w) => out.workflows.push(w),
                None => out.unnamed_broken_workflow = true,
            }
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
        parse_chunk(file, src, chunk, next, &line_of, &mut out, &mut diags);
    }

    if out.workflows.is_empty() && out.tests.is_empty() && diags.is_empty() {
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

/// Parse one chunk. On a syntax error, report it, blank out the broken
/// step ([`recover::region`]) and parse again, so that the other steps are
/// still built and every other error is found; the workflow is kept and
/// marked `has_syntax_error`. When no step can be blanked safely, the
/// workflow is kept with what its header says ([`recover::header`]) and no
/// steps.
///
/// WF001: the syntax errors of one chunk, with recovery.
fn parse_chunk(
    file: FileId,
    text: &str,
    chunk: &scan::Chunk,
    next: Option<usize>,
    line_of: &dyn Fn(usize) -> u32,
    out: &mut ast::SourceFile,
    diags: &mut Vec<Diagnostic>,
) {
    let mut src: Cow<'_, str> = Cow::Borrowed(text);
    let mut errors = 0usize;
    // end of the last blanked region: a later error must come after it
    let mut resume_at = 0usize;
    loop {
        match WfParser::parse(Rule::chunk, &src) {
            Ok(mut pairs) => {
                let mut b = parser::Builder::new(file, chunk.start);
                if let Some(p) = pairs.next() {
                    let mut wfs = b.chunk(p);
                    if errors > 0 {
                        for w in &mut wfs {
                            w.has_syntax_error = true;
                        }
                    }
                    out.workflows.extend(wfs);
                }
                for mut t in b.tests.drain(..) {
                    t.has_syntax_error |= errors > 0;
                    out.tests.push(t);
                }
                diags.append(&mut b.diags);
                return;
            }
            Err(e) => {
                let rel = match e.location {
                    pest::error::InputLocation::Pos(p) => p,
                    pest::error::InputLocation::Span((s, _)) => s,
                };
                if errors > 0 && rel < resume_at {
                    break;
                }
                diags.push(errors::convert(&e, file, &src, chunk, next, line_of));
                errors += 1;
                // a runaway string swallows the rest of the chunk
                if chunk
                    .unterminated_string
                    .is_some_and(|q| chunk.start + rel >= q)
                {
                    break;
                }
                if errors >= MAX_ERRORS_PER_CHUNK || src.len() > MAX_RECOVERY_BYTES {
                    break;
                }
                // A missing block `{`: the lines below belong to the block
                // that was meant, so parsing on would only report echoes.
                if let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant {
                    if positives.contains(&Rule::lbrace) && !record_line(&src, rel) {
                        break;
                    }
                }
                let Some((s, e)) = recover::region(&src, rel) else {
                    break;
                };
                let mut owned = src.into_owned();
                recover::blank(&mut owned, s, e);
                src = Cow::Owned(owned);
                resume_at = e;
            }
        }
    }
    if is_test_chunk(text) {
        // A test that does not parse is reported and not run; it declares
        // nothing another item could refer to.
        return;
    }
    match recover::header(file, chunk.start, text) {
        Some(w) => out.workflows.push(w),
        None => out.unnamed_broken_workflow = true,
    }
}

/// The chunk is a `test "..."` item (the scan cuts at those lines).
fn is_test_chunk(text: &str) -> bool {
    let mut rest = text.trim_start_matches('\u{FEFF}');
    loop {
        rest = rest.trim_start();
        match rest.strip_prefix('#') {
            Some(r) => rest = r.split_once('\n').map_or("", |(_, after)| after),
            None => break,
        }
    }
    rest.strip_prefix("test")
        .is_some_and(|r| r.trim_start_matches([' ', '\t']).starts_with('"'))
}

/// The statement on the line holding `pos` starts with `create` or `app`
/// (after an optional label): a `{` missing there opens a record, not a
/// block, so the lines below are steps of their own.
fn record_line(src: &str, pos: usize) -> bool {
    let pos = pos.min(src.len());
    let ls = src
        .get(..pos)
        .and_then(|h| h.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = src.get(ls..pos).unwrap_or("").trim_start();
    let line = match line.split_once(':') {
        Some((label, rest))
            if !label.is_empty()
                && label
                    .trim_end()
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_') =>
        {
            rest.trim_start()
        }
        _ => line,
    };
    ["create", "app"].iter().any(|k| {
        line.strip_prefix(k)
            .is_some_and(|r| r.starts_with([' ', '\t']))
    })
}
