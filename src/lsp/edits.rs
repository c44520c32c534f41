//! Edits the server computes: whole-document formatting and renaming of
//! labels and workflow names (docs/editors.md).

use std::collections::HashMap;
use std::ops::Range;

use lsp_types::{PrepareRenameResponse, TextEdit, Uri, WorkspaceEdit};

use super::convert;
use super::lex;
use super::navigation::{target_and_span_at, Target};
use super::workspace::Project;
use crate::source::FileId;

/// Formatting edits for one file: one edit replacing the whole text with
/// `wfc fmt`'s output, or none when the text is already formatted, is the
/// manifest, or has syntax errors (`wfc fmt` leaves such a file alone too).
pub fn formatting(project: &Project, file: FileId) -> Vec<TextEdit> {
    let Some(src) = project.source(file) else {
        return Vec::new();
    };
    if project.is_manifest(file) {
        return Vec::new();
    }
    match crate::fmt::format_source(&src.name, &src.text) {
        Ok(out) if out != src.text => vec![TextEdit {
            range: convert::range(src, 0..src.text.len()),
            new_text: out,
        }],
        _ => Vec::new(),
    }
}

/// Range formatting: `wfc fmt`'s output compared with the text line by
/// line, and only the changed runs of lines that touch `range` (a bare
/// cursor: the run it is in) replaced. Runs elsewhere are left alone; the
/// same cases as [`formatting`] get no edits.
pub fn range_formatting(project: &Project, file: FileId, range: lsp_types::Range) -> Vec<TextEdit> {
    let Some(src) = project.source(file) else {
        return Vec::new();
    };
    if project.is_manifest(file) {
        return Vec::new();
    }
    let Ok(out) = crate::fmt::format_source(&src.name, &src.text) else {
        return Vec::new();
    };
    let (start, end) = (
        convert::offset(src, range.start),
        convert::offset(src, range.end),
    );
    let (start, end) = (start.min(end), start.max(end));
    changed_runs(&src.text, &out)
        .into_iter()
        .filter(|(old, _)| {
            if old.is_empty() {
                start <= old.start && old.start <= end
            } else {
                old.start < end.max(start + 1) && start < old.end
            }
        })
        .map(|(old, new)| TextEdit {
            range: convert::range(src, old),
            new_text: out[new].to_string(),
        })
        .collect()
}

/// The runs of whole lines that differ between `old` and `new`: their byte
/// ranges in each, in order, never overlapping.
fn changed_runs(old: &str, new: &str) -> Vec<(Range<usize>, Range<usize>)> {
    let diff = similar::TextDiff::from_lines(old, new);
    let offsets = |slices: &[&str]| {
        let mut at = vec![0];
        for s in slices {
            at.push(at[at.len() - 1] + s.len());
        }
        at
    };
    let (o, n) = (offsets(diff.old_slices()), offsets(diff.new_slices()));
    let mut runs: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for op in diff.ops() {
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        let (a, b) = (op.old_range(), op.new_range());
        let (old, new) = (o[a.start]..o[a.end], n[b.start]..n[b.end]);
        // A deletion next to an insertion is one change: kept whole.
        match runs.last_mut() {
            Some(last) if last.0.end == old.start && last.1.end == new.start => {
                last.0.end = old.end;
                last.1.end = new.end;
            }
            _ => runs.push((old, new)),
        }
    }
    runs
}

/// What `prepareRename` answers: the range of the name under the cursor
/// (inside the quotes for a workflow name) and the name itself, or an error
/// message when nothing renamable is there.
pub fn prepare_rename(
    project: &Project,
    file: FileId,
    offset: usize,
) -> Result<PrepareRenameResponse, String> {
    let src = project.source(file).ok_or_else(not_renamable)?;
    let (target, span) = target_and_span_at(project, file, offset).ok_or_else(not_renamable)?;
    let (span, placeholder) = match target {
        Target::Label { name, .. } => (span, name),
        Target::Workflow(name) => (inside_quotes(&src.text, span), name),
    };
    Ok(PrepareRenameResponse::RangeWithPlaceholder {
        range: convert::range(src, span),
        placeholder,
    })
}

fn not_renamable() -> String {
    "only a label or a workflow name can be renamed".to_string()
}

/// The span without its quotes when it is a quoted string.
fn inside_quotes(text: &str, span: Range<usize>) -> Range<usize> {
    match text.get(span.clone()) {
        Some(s) if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') => {
            span.start + 1..span.end - 1
        }
        _ => span,
    }
}

/// Rename the label or workflow under the cursor to `new_name`: a label in
/// its workflow (its definition and every `goto` naming it), a workflow
/// across the project (its `workflow "<name>"` and every `enroll in` naming
/// it, in open buffers and files on disk). An invalid or taken name is an
/// error message.
// `WorkspaceEdit::changes` is a map keyed by `Uri`, whose lazily parsed
// parts clippy counts as mutable; the keys are never changed once inserted.
#[allow(clippy::mutable_key_type)]
pub fn rename(
    project: &Project,
    file: FileId,
    offset: usize,
    new_name: &str,
) -> Result<WorkspaceEdit, String> {
    let (target, _) = target_and_span_at(project, file, offset).ok_or_else(not_renamable)?;
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let mut edit = |f: FileId, span: Range<usize>, new_text: String| {
        if let (Some(uri), Some(src)) = (project.uri(f), project.source(f)) {
            changes.entry(uri.clone()).or_default().push(TextEdit {
                range: convert::range(src, span),
                new_text,
            });
        }
    };
    match target {
        Target::Label { wf, name } => {
            if !is_identifier(new_name) {
                return Err(format!(
                    "`{new_name}` is not a valid label: use letters, digits and `_`, not starting with a digit"
                ));
            }
            let w = project
                .indexes()
                .get(file as usize)
                .and_then(|i| i.workflows.get(wf))
                .ok_or_else(not_renamable)?;
            if new_name != name && w.labels.iter().any(|l| l.name == new_name) {
                return Err(format!(
                    "a label named `{new_name}` already exists in this workflow"
                ));
            }
            let spans = w
                .labels
                .iter()
                .filter(|l| l.name == name)
                .map(|l| l.span.clone())
                .chain(
                    w.gotos
                        .iter()
                        .filter(|g| g.name == name)
                        .map(|g| g.span.clone()),
                );
            for span in spans {
                edit(file, span, new_name.to_string());
            }
        }
        Target::Workflow(name) => {
            if new_name.trim().is_empty() || new_name.chars().any(char::is_control) {
                return Err(
                    "a workflow name must not be empty or hold line breaks or tabs".to_string(),
                );
            }
            if new_name != name && !project.workflows_named(new_name).is_empty() {
                return Err(format!(
                    "a workflow named {} already exists in this project",
                    lex::quote(new_name)
                ));
            }
            for (f, idx) in project.indexes().iter().enumerate() {
                let f = f as FileId;
                let Some(src) = project.source(f) else {
                    continue;
                };
                for w in &idx.workflows {
                    let names = std::iter::once(&w.name).chain(w.enrolls.iter());
                    for n in names.filter(|n| n.name == name) {
                        let quoted = src
                            .text
                            .get(n.span.clone())
                            .is_some_and(|s| s.starts_with('"'));
                        let text = if quoted {
                            lex::quote(new_name)
                        } else {
                            new_name.to_string()
                        };
                        edit(f, n.span.clone(), text);
                    }
                }
                // tests name the workflow too (always quoted)
                for n in idx.test_refs.iter().filter(|n| n.name == name) {
                    edit(f, n.span.clone(), lex::quote(new_name));
                }
            }
        }
    }
    Ok(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}

/// `[A-Za-z_][A-Za-z0-9_]*`
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_quotes() {
        assert!(is_identifier("notify"));
        assert!(is_identifier("_a1"));
        assert!(!is_identifier("1a"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("a-b"));
        assert_eq!(inside_quotes("x \"ab\"", 2..6), 3..5);
        assert_eq!(inside_quotes("x ab", 2..4), 2..4);
    }
}
