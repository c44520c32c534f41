//! `--format json`: one array of [`JsonDiagnostic`].

use serde::{Deserialize, Serialize};

use super::Region;
use crate::diagnostics::Diagnostic;
use crate::source::SourceMap;

/// ever added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonDiagnostic {
    pub code: String,
    /// `"error"` or `"warning"`.
    pub severity: String,
    pub message: String,
    /// The file name as given to wfc (or `<stdin>` / `--stdin-filename`).
    pub file: String,
    /// 1-based.
    pub line: u32,
    /// 1-based, in Unicode characters.
    pub column: u32,
    pub end_line: u32,
    /// Just after the last character of the span (1-based, Unicode characters).
    pub end_column: u32,
    pub help: Option<String>,
    /// Machine-applicable fixes; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<JsonFix>,
}

/// One fix of a [`JsonDiagnostic`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonFix {
    pub title: String,
    /// `"safe"` (`wfc check --fix` applies it) or `"unsafe"`.
    pub applicability: String,
    pub edits: Vec<JsonEdit>,
}

/// Replace the range (1-based lines, 1-based Unicode-character columns,
/// end just after the last character) with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonEdit {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub replacement: String,
}

fn json_fixes(sources: &SourceMap, d: &Diagnostic) -> Vec<JsonFix> {
    d.fixes
        .iter()
        .map(|f| JsonFix {
            title: f.title.clone(),
            applicability: f.applicability.as_str().to_string(),
            edits: f
                .edits
                .iter()
                .map(|e| {
                    let r = Region::of(sources, e.span);
                    JsonEdit {
                        file: sources.name(e.span.file).to_string(),
                        line: r.line,
                        column: r.column,
                        end_line: r.end_line,
                        end_column: r.end_column,
                        replacement: e.replacement.clone(),
                    }
                })
                .collect(),
        })
        .collect()
}

impl JsonDiagnostic {
    pub fn new(sources: &SourceMap, d: &Diagnostic) -> JsonDiagnostic {
        let r = Region::of(sources, d.primary.span);
        JsonDiagnostic {
            code: d.code.as_str().to_string(),
            severity: d.severity.as_str().to_string(),
            message: d.message.clone(),
            file: sources.name(d.primary.span.file).to_string(),
            line: r.line,
            column: r.column,
            end_line: r.end_line,
            end_column: r.end_column,
            help: d.help.clone(),
            fixes: json_fixes(sources, d),
        }
    }
}

/// One pretty-printed JSON array (`[]` when empty), ending in a newline.
pub fn json(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let items: Vec<JsonDiagnostic> = diags
        .iter()
        .map(|d| JsonDiagnostic::new(sources, d))
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
