//! Syntax: `.wf` text → [`ast::SourceFile`] with spans, and WF001/WF002.
//!
//! [`parse`] runs in three steps:
//! 1. a linear pre-scan ([`scan`]) collects comments, enforces
//!    [`MAX_SOURCE_BYTES`] and [`MAX_NESTING`] (WF002) before anything
//!    recursive runs, and cuts the file into chunks at `workflow "` lines;
//! 2. pest parses each chunk on its own (`grammar/wf.pest`), so a syntax
//!    error in one workflow does not hide the others;
//! 3. the builder ([`parser`]) turns pairs into the AST, checking escapes,
//!    `{{ tokens }}` and a few rules the grammar leaves open.

pub mod ast;
mod errors;
pub mod grammar;
mod parser;
mod scan;

use pest::Parser as _;

use crate::diagnostics::{Code, Diagnostic, Label};
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
        let next = scanned.chunks.get(i + 1).map(|c| c.start);
        match WfParser::parse(Rule::chunk, src) {
            Ok(mut pairs) => {
                let mut b = parser::Builder::new(file, chunk.start);
                if let Some(p) = pairs.next() {
                    out.workflows.extend(b.chunk(p));
                }
                diags.append(&mut b.diags);
            }
            Err(e) => diags.push(errors::convert(&e, file, text, chunk, next)),
        }
    }

    if out.workflows.is_empty() && diags.is_empty() {
        let primary = errors::last_visible(file, text, text.len());
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
