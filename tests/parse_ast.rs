//! Data-driven parse tests: every `tests/parse_ast/*.wf` file is parsed and
//! its AST (and syntax diagnostics, if any) is compared with the snapshot
//! `tests/parse_ast/snapshots/parse_ast__<file>.snap`.
//!
//! The AST is shown as its `Debug` form with every span written as
//! `start..end "source text"`, so a snapshot shows what each node covers,
//! and every node that fits in 100 columns on one line.
//! To add a case, add a `.wf` file, run the test, read the new `.snap.new`
//! and rename it to `.snap` when it is right.

use std::path::Path;

use wfc::source::SourceMap;
use wfc::syntax::parse;

const DIR: &str = "tests/parse_ast";

/// The cases present today; the folder may only grow.
const MIN_CASES: usize = 108;

/// `Span { file: 0, start: 12, end: 20 }` (pretty-printed) → `12..20 "text"`.
fn spans_as_text(debug: &str, text: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find("Span {") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(close) = after.find('}') else {
            break;
        };
        let body = &after["Span {".len()..close];
        let num = |key: &str| -> usize {
            body.split(',')
                .find_map(|kv| kv.trim().strip_prefix(key))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0)
        };
        let (s, e) = (num("start:"), num("end:"));
        let snippet = text.get(s..e).unwrap_or("");
        let snippet = if snippet.chars().count() > 60 {
            let head: String = snippet.chars().take(57).collect();
            format!("{head}...")
        } else {
            snippet.to_string()
        };
        out.push_str(&format!("{s}..{e} {snippet:?}"));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Fold every `{ ... }`, `( ... )` or `[ ... ]` of a pretty `Debug` text
/// that fits on one line (innermost first), and indent by two spaces.
fn fold(debug: &str) -> String {
    const WIDTH: usize = 100;
    let mut lines: Vec<String> = debug.lines().map(str::to_string).collect();
    loop {
        let mut changed = false;
        let mut out: Vec<String> = Vec::with_capacity(lines.len());
        let mut i = 0;
        while i < lines.len() {
            let line = &lines[i];
            let indent = line.len() - line.trim_start().len();
            let opens = line.ends_with('{') || line.ends_with('(') || line.ends_with('[');
            if opens {
                // the closing line at the same indentation, with only leaves between
                let mut j = i + 1;
                let mut leaves = true;
                while j < lines.len() {
                    let l = &lines[j];
                    let ind = l.len() - l.trim_start().len();
                    if ind == indent {
                        break;
                    }
                    let t = l.trim_end_matches(',');
                    if t.ends_with('{') || t.ends_with('(') || t.ends_with('[') {
                        leaves = false;
                    }
                    j += 1;
                }
                if leaves && j < lines.len() {
                    let inner: Vec<&str> = lines[i + 1..j].iter().map(|l| l.trim()).collect();
                    let mut body = inner.join(" ");
                    if body.ends_with(',') {
                        body.pop();
                    }
                    let close = lines[j].trim();
                    let joined = if body.is_empty() {
                        format!("{line}{close}")
                    } else {
                        format!("{line} {body} {close}")
                    };
                    if joined.trim_start().len() + indent / 2 <= WIDTH {
                        out.push(joined);
                        i = j + 1;
                        changed = true;
                        continue;
                    }
                }
            }
            out.push(line.clone());
            i += 1;
        }
        lines = out;
        if !changed {
            break;
        }
    }
    lines
        .iter()
        .map(|l| {
            let t = l.trim_start();
            format!("{}{t}", " ".repeat((l.len() - t.len()) / 2))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn render(name: &str, text: &str) -> String {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let (file, diags) = parse(&sources, id);
    let mut out = String::new();
    for d in &diags {
        let lc = sources.line_col(id, d.primary.span.start as usize);
        out.push_str(&format!(
            "{} {}:{} {}\n",
            d.code.as_str(),
            lc.line,
            lc.column,
            d.message
        ));
    }
    out.push_str(&fold(&spans_as_text(&format!("{file:#?}"), text)));
    out.push('\n');
    out
}

#[test]
fn every_case_matches_its_ast_snapshot() {
    let dir = Path::new(DIR);
    assert!(dir.is_dir(), "{DIR} is missing");
    let mut cases: Vec<_> = std::fs::read_dir(dir)
        .expect("read tests/parse_ast")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "wf"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= MIN_CASES,
        "{DIR} holds {} cases, expected at least {MIN_CASES}",
        cases.len()
    );
    for path in cases {
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("name");
        let text = std::fs::read_to_string(&path).expect("read case");
        insta::with_settings!({
            snapshot_path => "parse_ast/snapshots",
            input_file => &path,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(stem.to_string(), render(stem, &text));
        });
    }
}
