use super::github::{escape_data, escape_property};
use super::sarif::uri_of;
use super::*;
use crate::diagnostics::{Code, Label};
use crate::source::Span;

fn sample() -> (SourceMap, Vec<Diagnostic>) {
    let mut sm = SourceMap::new();
    let a = sm.add(
        "a.wf",
        "workflow \"Ré\" for contact {\n  set firstnme = \"x\"\n}\n",
    );
    let b = sm.add("dir/b c.wf", "workflow \"Ré\" for deal {\n}");
    let at = |f, needle: &str| {
        let s = sm.text(f).find(needle).unwrap();
        Span::new(f, s, s + needle.len())
    };
    let d1 = Diagnostic::new(
        Code::WF101,
        "unknown property `firstnme` on contact",
        Label::new(at(a, "firstnme"), "not a contact property"),
    )
    .with_help("did you mean `firstname`?");
    let d2 = Diagnostic::new(
        Code::WF106,
        "duplicate workflow name `Ré`",
        Label::new(at(b, "\"Ré\""), "second workflow with this name"),
    )
    .with_secondary(Label::new(at(a, "\"Ré\""), "first defined here"))
    .with_note("workflow names are unique across everything checked together");
    let d3 = Diagnostic::new(
        Code::WF901,
        "end of file",
        Label::new(Span::new(b, 10_000, 10_001), "here"),
    );
    (sm, vec![d1, d2, d3])
}

#[test]
fn summary_counts() {
    let (_, d) = sample();
    assert_eq!(summary(&d).as_deref(), Some("error: 2 errors, 1 warning"));
    assert_eq!(summary(&d[..1]).as_deref(), Some("error: 1 error"));
    assert_eq!(summary(&d[2..]).as_deref(), Some("warning: 1 warning"));
    assert_eq!(summary(&[]), None);
}

#[test]
fn json_positions_are_one_based_chars() {
    let (sm, d) = sample();
    let v: Vec<JsonDiagnostic> = serde_json::from_str(&json(&sm, &d)).unwrap();
    assert_eq!(v.len(), 3);
    assert_eq!((v[0].line, v[0].column), (2, 7));
    assert_eq!((v[0].end_line, v[0].end_column), (2, 15));
    assert_eq!(v[0].help.as_deref(), Some("did you mean `firstname`?"));
    // "Ré" counts as 2 characters + quotes, starting at column 10
    assert_eq!((v[1].column, v[1].end_column), (10, 14));
    assert_eq!(v[1].file, "dir/b c.wf");
    assert_eq!(v[1].help, None);
    // past the end: clamped to the end of the file
    assert_eq!((v[2].line, v[2].column), (2, 2));
}

#[test]
fn github_escapes() {
    assert_eq!(escape_data("a%b\nc\r"), "a%25b%0Ac%0D");
    assert_eq!(escape_property("C:\\x,y.wf"), "C%3A\\x%2Cy.wf");
    let (sm, d) = sample();
    let out = github(&sm, &d);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "::error file=a.wf,line=2,col=7,endLine=2,endColumn=15,title=WF101::unknown property `firstnme` on contact%0Ahelp: did you mean `firstname`?"
    );
    assert!(lines[2].starts_with("::warning file=dir/b c.wf,"));
}

#[test]
fn uri_encoding() {
    assert_eq!(uri_of("dir\\b c.wf"), "dir/b%20c.wf");
    assert_eq!(uri_of("é.wf"), "%C3%A9.wf");
}

#[test]
fn sarif_rules_and_results() {
    let (sm, d) = sample();
    let v: serde_json::Value = serde_json::from_str(&sarif(&sm, &d)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["WF101", "WF106", "WF901"]);
    let r1 = &run["results"][1];
    assert_eq!(r1["ruleId"], "WF106");
    assert_eq!(r1["ruleIndex"], 1);
    assert_eq!(
        r1["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "dir/b%20c.wf"
    );
    assert_eq!(
        r1["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "a.wf"
    );
    assert_eq!(run["results"][2]["level"], "warning");
}

#[test]
fn human_never_panics_at_or_past_eof_and_shows_everything() {
    let (sm, d) = sample();
    let out = human(&sm, &d, HumanOptions::plain());
    assert!(out.contains("WF101"), "{out}");
    assert!(out.contains("[a.wf:2:7]"), "{out}");
    assert!(out.contains("did you mean `firstname`?"), "{out}");
    assert!(out.contains("first defined here"), "{out}");
    assert!(out.contains("note: workflow names are unique"), "{out}");
    assert!(out.contains("here"), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour escapes: {out:?}");
    assert!(out.ends_with("error: 2 errors, 1 warning\n"), "{out}");

    // empty file, zero-length label at 0 and at the end
    let mut sm = SourceMap::new();
    let e = sm.add("empty.wf", "");
    let f = sm.add("f.wf", "workflow");
    for span in [
        Span::new(e, 0, 0),
        Span::new(e, 3, 9),
        Span::new(f, 8, 8),
        Span::new(f, 8, 20),
        Span::new(f, 100, 100),
        Span::new(7, 0, 1),
    ] {
        let d = Diagnostic::new(Code::WF001, "expected `{`", Label::new(span, "here"));
        let out = human(&sm, &[d], HumanOptions::plain());
        assert!(out.contains("expected `{`"), "{out}");
    }
    let d = Diagnostic::new(
        Code::WF001,
        "expected `{`",
        Label::new(Span::new(f, 8, 8), "expected `{` here"),
    );
    let out = human(&sm, &[d], HumanOptions::plain());
    assert!(
        out.contains("expected `{` here") && out.contains("[f.wf:1:9]"),
        "a label at EOF is kept, just after the last character: {out}"
    );
    let d = Diagnostic::new(
        Code::WF001,
        "expected a workflow",
        Label::new(Span::new(e, 0, 0), "empty"),
    );
    let out = human(&sm, &[d], HumanOptions::plain());
    assert!(out.contains("[empty.wf:1:1]"), "{out}");
}

#[test]
fn human_header_counts_characters_like_json() {
    let mut sm = SourceMap::new();
    let f = sm.add("a.wf", "workflow \"Ré\" for contact {\n}\n");
    let at = sm.text(f).find("for").unwrap();
    let d = Diagnostic::new(
        Code::WF001,
        "expected `for`",
        Label::new(Span::new(f, at, at + 3), "here"),
    );
    let j: Vec<JsonDiagnostic> =
        serde_json::from_str(&json(&sm, std::slice::from_ref(&d))).unwrap();
    assert_eq!(j[0].column, 15);
    let out = human(&sm, &[d], HumanOptions::plain());
    assert!(out.contains("[a.wf:1:15]"), "{out}");
}

#[test]
fn colour_only_when_asked() {
    let (sm, d) = sample();
    let out = human(
        &sm,
        &d,
        HumanOptions {
            color: true,
            width: 80,
        },
    );
    assert!(out.contains('\u{1b}'));
}
