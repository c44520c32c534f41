//! The syntax-error corpus: one small `.wf` file per kind of mistake in
//! `tests/syntax_errors/`, each with a snapshot of its diagnostics as
//! `CODE line:col message / help` (secondary labels indented below).

use std::path::Path;

use wfc::source::SourceMap;
use wfc::syntax;

mod common;

fn render(name: &str, text: &str) -> String {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let (_, diags) = syntax::parse(&sources, id);
    let mut out = String::new();
    for d in &diags {
        let lc = sources.line_col(id, d.primary.span.start as usize);
        out.push_str(&format!(
            "{} {}:{} {}",
            d.code.as_str(),
            lc.line,
            lc.column,
            d.message
        ));
        if let Some(h) = &d.help {
            out.push_str(&format!(" / {h}"));
        }
        out.push('\n');
        out.push_str(&format!(
            "    at `{}`: {}\n",
            sources.snippet(d.primary.span).escape_debug(),
            d.primary.message
        ));
        for s in &d.secondary {
            let lc = sources.line_col(id, s.span.start as usize);
            out.push_str(&format!(
                "    {}:{} `{}`: {}\n",
                lc.line,
                lc.column,
                sources.snippet(s.span).escape_debug(),
                s.message
            ));
        }
    }
    out
}

#[test]
fn syntax_error_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/syntax_errors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wf"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "corpus too small: {}", files.len());
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        if !text.trim().is_empty() {
            assert!(
                text.starts_with("# "),
                "{name}: line 1 must be a comment saying what is wrong"
            );
        }
        let rendered = render(&format!("{name}.wf"), &text);
        assert!(
            !rendered.is_empty(),
            "{name}: a corpus file must give at least one diagnostic"
        );
        common::snapshots_in("syntax_errors/snapshots", true)
            .bind(|| insta::assert_snapshot!(name.clone(), rendered));
    }
}
