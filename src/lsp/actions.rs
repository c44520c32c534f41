//! `textDocument/codeAction`: the fixes the diagnostics carry, as
//! `quickfix` actions (`isPreferred` only for a diagnostic's single safe
//! fix), plus `source.fixAll.wfc`: every safe fix of the document
//! (docs/editors.md).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};

use super::convert;
use super::workspace::Project;
use crate::diagnostics::Fix;
use crate::source::{FileId, SourceText};

/// The kind of the fix-all action.
pub const FIX_ALL: &str = "source.fixAll.wfc";

/// The actions for `range` of `file`; `only` as the client sent it.
pub fn code_actions(
    project: &Project,
    file: FileId,
    uri: &Uri,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    let Some(src) = project.source(file) else {
        return Vec::new();
    };
    let wants = |kind: &str| {
        only.is_none_or(|kinds| {
            kinds.iter().any(|k| {
                let k = k.as_str();
                kind == k || kind.starts_with(&format!("{k}."))
            })
        })
    };
    let (start, end) = (
        convert::offset(src, range.start),
        convert::offset(src, range.end),
    );
    let diags = project
        .comp
        .diagnostics
        .iter()
        .filter(|d| d.primary.span.file == file);
    let mut out = Vec::new();
    if wants(CodeActionKind::QUICKFIX.as_str()) {
        for d in diags.clone() {
            let span = d.primary.span.range();
            if span.start > end || start > span.end {
                continue;
            }
            let single_safe = d.fixes.len() == 1 && d.fixes[0].is_safe();
            for fix in &d.fixes {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    edit: Some(workspace_edit(uri, edits(src, file, [fix]))),
                    is_preferred: single_safe.then_some(true),
                    ..CodeAction::default()
                }));
            }
        }
    }
    if wants(FIX_ALL) {
        let safe: Vec<&Fix> = diags
            .flat_map(|d| d.fixes.iter())
            .filter(|f| f.is_safe())
            .collect();
        let edits = edits(src, file, safe);
        if !edits.is_empty() {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "fix every safe problem".to_string(),
                kind: Some(CodeActionKind::new(FIX_ALL)),
                edit: Some(workspace_edit(uri, edits)),
                ..CodeAction::default()
            }));
        }
    }
    out
}

/// The text edits of `fixes` in `file`, in UTF-16 positions; a fix that
/// overlaps one taken before it is left out whole.
fn edits<'f>(
    src: &SourceText,
    file: FileId,
    fixes: impl IntoIterator<Item = &'f Fix>,
) -> Vec<TextEdit> {
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    let mut out = Vec::new();
    for fix in fixes {
        let ranges: Vec<_> = fix.edits.iter().map(|e| e.span.range()).collect();
        let clash = fix.edits.iter().any(|e| e.span.file != file)
            || ranges.iter().enumerate().any(|(i, r)| {
                taken
                    .iter()
                    .chain(&ranges[..i])
                    .any(|t| (r.start < t.end && t.start < r.end) || r.start == t.start)
            });
        if clash {
            continue;
        }
        taken.extend(ranges);
        out.extend(fix.edits.iter().map(|e| TextEdit {
            range: convert::range(src, e.span.range()),
            new_text: e.replacement.clone(),
        }));
    }
    out
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}
