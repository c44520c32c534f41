//! `--format sarif`: a SARIF 2.1.0 log.

use super::Region;
use crate::diagnostics::{links, Code, Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// The web addresses a SARIF log points at; each is omitted when `None`.
#[derive(Clone, Debug, Default)]
pub struct SarifLinks {
    /// Base URL of the per-code pages: a rule's `helpUri` is
    /// `<base>/<CODE>.md`.
    pub docs_base: Option<String>,
    /// The driver's `informationUri`.
    pub tool: Option<String>,
}

impl SarifLinks {
    /// The addresses set at build time (`crate::diagnostics::links`).
    pub fn from_build() -> Self {
        SarifLinks {
            docs_base: links::docs_base(),
            tool: links::tool_url(),
        }
    }
}

/// A SARIF 2.1.0 log with one run of the `wfc` tool: a rule for each code
/// used, a result for each diagnostic. Columns are Unicode code points
/// (`columnKind: unicodeCodePoints`).
pub fn sarif(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    sarif_with(sources, diags, &SarifLinks::from_build())
}

/// [`sarif`] with the given web addresses (tests pin them).
pub fn sarif_with(sources: &SourceMap, diags: &[Diagnostic], urls: &SarifLinks) -> String {
    use serde_json::{json, Value};

    let mut codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|c| {
            let mut rule = json!({
                "id": c.as_str(),
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": full_description(*c) },
                "help": { "text": format!("run `wfc explain {}` for the long explanation", c.as_str()) },
                "defaultConfiguration": { "level": sarif_level(c.severity()) },
            });
            if let (Some(base), Some(obj)) = (&urls.docs_base, rule.as_object_mut()) {
                obj.insert("helpUri".into(), json!(links::code_url_in(base, *c)));
            }
            rule
        })
        .collect();

    let location = |span: Span, message: Option<&str>| -> Value {
        let r = Region::of(sources, span);
        let mut loc = json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri_of(sources.name(span.file)) },
                "region": {
                    "startLine": r.line,
                    "startColumn": r.column,
                    "endLine": r.end_line,
                    "endColumn": r.end_column,
                }
            }
        });
        if let (Some(m), Some(obj)) = (message, loc.as_object_mut()) {
            obj.insert("message".into(), json!({ "text": m }));
        }
        loc
    };

    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let text = d.message_with_help();
            let rule_index = codes.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": rule_index,
                "level": sarif_level(d.severity),
                "message": { "text": text },
                "locations": [location(d.primary.span, None)],
            });
            if !d.secondary.is_empty() {
                let related: Vec<Value> = d
                    .secondary
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let mut v = location(
                            l.span,
                            Some(if l.message.is_empty() {
                                "related location"
                            } else {
                                &l.message
                            }),
                        );
                        if let Some(obj) = v.as_object_mut() {
                            obj.insert("id".into(), json!(i));
                        }
                        v
                    })
                    .collect();
                if let Some(obj) = result.as_object_mut() {
                    obj.insert("relatedLocations".into(), Value::Array(related));
                }
            }
            add_fixes(sources, d, &mut result);
            result
        })
        .collect();

    let mut driver = json!({
        "name": "wfc",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if let (Some(tool), Some(obj)) = (&urls.tool, driver.as_object_mut()) {
        obj.insert("informationUri".into(), json!(tool));
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

/// A rule's `fullDescription`: the first paragraph of the code's long
/// explanation (docs/codes/WFnnn.md) after its title and severity line,
/// as one line of plain text; the summary when there is none.
fn full_description(code: Code) -> String {
    let paragraph: Vec<&str> = code
        .explanation()
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty() || l.starts_with('#') || l.starts_with("Severity:"))
        .take_while(|l| !l.is_empty())
        .collect();
    if paragraph.is_empty() || paragraph[0].starts_with("```") {
        code.summary().to_string()
    } else {
        paragraph.join(" ")
    }
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A relative URI reference for a file name: `/` separators, and every byte
/// outside RFC 3986's unreserved set (and `/`) percent-encoded.
pub(super) fn uri_of(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A result's `fixes`: one per fix of the diagnostic, each edit a
/// replacement of a region of its file. GitHub rejects an empty or null
/// `fixes`, `artifactChanges` or `replacements`: none is emitted then.
fn add_fixes(sources: &SourceMap, d: &Diagnostic, result: &mut serde_json::Value) {
    use serde_json::{json, Value};
    let fixes: Vec<Value> = d
        .fixes
        .iter()
        .filter(|f| !f.edits.is_empty())
        .map(|f| {
            // One artifactChange per file, in the order the files appear.
            let mut changes: Vec<(crate::source::FileId, Vec<Value>)> = Vec::new();
            for e in &f.edits {
                let r = Region::of(sources, e.span);
                let replacement = json!({
                    "deletedRegion": {
                        "startLine": r.line,
                        "startColumn": r.column,
                        "endLine": r.end_line,
                        "endColumn": r.end_column,
                    },
                    "insertedContent": { "text": e.replacement },
                });
                match changes.iter_mut().find(|(file, _)| *file == e.span.file) {
                    Some((_, list)) => list.push(replacement),
                    None => changes.push((e.span.file, vec![replacement])),
                }
            }
            let changes: Vec<Value> = changes
                .into_iter()
                .map(|(file, replacements)| {
                    json!({
                        "artifactLocation": { "uri": uri_of(sources.name(file)) },
                        "replacements": replacements,
                    })
                })
                .collect();
            json!({
                "description": { "text": f.title },
                "artifactChanges": changes,
            })
        })
        .collect();
    if let (false, Some(obj)) = (fixes.is_empty(), result.as_object_mut()) {
        obj.insert("fixes".into(), Value::Array(fixes));
    }
}
