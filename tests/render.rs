//! Rendered diagnostics, snapshotted: every file of the syntax-error corpus
//! (`tests/syntax_errors/*.wf`) and of the checker corpus
//! (`tests/check/**/*.wf`) as no-colour fixed-width human output and as JSON,
//! plus a hand-made set that exercises every renderer.
//!
//! The corpora are globbed, so a new corpus file gets snapshots without
//! touching this harness. A case folder of `tests/check/<group>/` is one
//! project: its files are checked together, as `wfc check <folder>` does.

use std::path::{Path, PathBuf};

use wfc::diagnostics::render::{self, HumanOptions};
use wfc::diagnostics::{Code, Diagnostic, Label};
use wfc::project::{self, Request};
use wfc::source::{SourceMap, Span};

mod common;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compile `paths` (relative to the crate root) the way the CLI does.
fn compile(paths: &[PathBuf]) -> wfc::Compilation {
    let request = Request {
        paths: paths.to_vec(),
        stdin_filename: None,
    };
    let project = project::load(&request, &root(), &mut std::io::empty())
        .unwrap_or_else(|e| panic!("cannot load {paths:?}: {e}"));
    wfc::compile(project.inputs, project.manifest)
}

/// Where the snapshots of a corpus case live and their name: next to the
/// case, e.g. `tests/check/WF101/fail_x.wf` →
/// (`check/WF101/snapshots`, `fail_x`), giving
/// `tests/check/WF101/snapshots/render__fail_x__{human,json}.snap`.
fn snapshot_place(rel: &Path) -> (String, String) {
    let parts: Vec<String> = rel
        .with_extension("")
        .components()
        .skip(1) // "tests"
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let (name, dir) = parts.split_last().expect("a corpus case below tests/");
    (format!("{}/snapshots", dir.join("/")), name.clone())
}

fn snapshot_both(rel: &Path, c: &wfc::Compilation) {
    let (dir, name) = snapshot_place(rel);
    let human = render::human(&c.sources, &c.diagnostics, HumanOptions::plain());
    let json = render::json(&c.sources, &c.diagnostics);
    common::snapshots_in(dir, true).bind(|| {
        insta::assert_snapshot!(format!("{name}__human"), human);
        insta::assert_snapshot!(format!("{name}__json"), json);
    });
}

/// Every `.wf` file below `dir`, sorted, relative to the crate root. A
/// missing folder fails the test.
fn corpus(dir: &str) -> Vec<PathBuf> {
    let abs = root().join(dir);
    assert!(abs.is_dir(), "{dir}: corpus folder missing");
    project::collect_dir(&abs)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|p| p.strip_prefix(root()).map(Path::to_path_buf).unwrap_or(p))
        .collect()
}

#[test]
fn syntax_error_corpus() {
    let files = corpus("tests/syntax_errors");
    common::assert_min_cases("tests/syntax_errors", &files, 40);
    for file in &files {
        let c = compile(std::slice::from_ref(file));
        assert!(
            c.diagnostics
                .iter()
                .any(|d| d.code == Code::WF001 || d.code == Code::WF002),
            "{}: a syntax-error corpus file gives WF001/WF002",
            file.display()
        );
        snapshot_both(file, &c);
    }
}

#[test]
fn check_corpus() {
    // Cases are the entries of `tests/check/<group>/`: a `.wf` file is
    // checked alone; a folder is a project (its `.wf` files together, with
    // its `wf.toml` if it has one), as `wfc check <folder>` does.
    // A group's `snapshots/` folder is not a case.
    let base = root().join("tests/check");
    let mut groups: Vec<PathBuf> = std::fs::read_dir(&base)
        .unwrap_or_else(|e| panic!("{}: {e}", base.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    groups.sort();
    let mut all = Vec::new();
    for group in groups.iter().filter(|g| g.is_dir()) {
        let mut cases: Vec<PathBuf> = std::fs::read_dir(group)
            .unwrap_or_else(|e| panic!("{}: {e}", group.display()))
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                (p.is_dir() && !p.ends_with("snapshots"))
                    || p.extension().is_some_and(|x| x == "wf")
            })
            .collect();
        cases.sort();
        all.extend(cases);
    }
    // At least a failing and a passing case per code.
    common::assert_min_cases("tests/check", &all, 2 * Code::ALL.len());
    for case in all {
        let rel = case
            .strip_prefix(root())
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| case.clone());
        let c = compile(std::slice::from_ref(&rel));
        snapshot_both(&rel, &c);
    }
}

/// Hand-made diagnostics over hand-made sources: every renderer, labels in
/// two files, help and note, non-ASCII text, a label at end of file.
fn hand_made() -> (SourceMap, Vec<Diagnostic>) {
    let mut sm = SourceMap::new();
    let a = sm.add(
        "flows/a.wf",
        "workflow \"Café leads\" for contact {\n  set firstnme = \"Zoë\"\n  goto notify\n}\n",
    );
    let b = sm.add(
        "flows/b,c.wf",
        "workflow \"Café leads\" for contact {\n  delay 0d\n  webhook post \"http://x.example/hook\"\n",
    );
    let find = |f, needle: &str| {
        let s = sm.text(f).find(needle).expect("needle");
        Span::new(f, s, s + needle.len())
    };
    let end_b = sm.text(b).len();
    let diags = vec![
        Diagnostic::new(
            Code::WF101,
            "unknown property `firstnme` on contact",
            Label::new(find(a, "firstnme"), "not a property of contact"),
        )
        .with_help("did you mean `firstname`?"),
        Diagnostic::new(
            Code::WF401,
            "`goto` outside an if/then or value branch",
            Label::new(find(a, "goto notify"), "not inside a branch"),
        )
        .with_note("a `goto` must be the last step of a branch path"),
        Diagnostic::new(
            Code::WF106,
            "duplicate workflow name `Café leads`",
            Label::new(find(b, "\"Café leads\""), "defined again here"),
        )
        .with_secondary(Label::new(find(a, "\"Café leads\""), "first defined here"))
        .with_help("rename one of the workflows"),
        Diagnostic::new(
            Code::WF405,
            "a delay must be longer than zero",
            Label::new(find(b, "0d"), "zero"),
        )
        .with_secondary(Label::new(find(b, "delay"), "in this delay")),
        Diagnostic::new(
            Code::WF902,
            "webhook over plain `http`: the record is sent unencrypted",
            Label::new(find(b, "\"http://x.example/hook\""), "plain http"),
        )
        .with_help("use `https://x.example/hook`"),
        Diagnostic::new(
            Code::WF001,
            "expected `}` to close the workflow",
            Label::new(Span::new(b, end_b, end_b), "file ends here"),
        ),
    ];
    (sm, diags)
}

#[test]
fn hand_made_every_format() {
    let (sm, diags) = hand_made();
    common::snapshots_in("render/snapshots", false).bind(|| {
        insta::assert_snapshot!(
            "hand_made__human",
            render::human(&sm, &diags, HumanOptions::plain())
        );
        insta::assert_snapshot!("hand_made__json", render::json(&sm, &diags));
        insta::assert_snapshot!("hand_made__github", render::github(&sm, &diags));
        insta::assert_snapshot!("hand_made__sarif", render::sarif(&sm, &diags));
    });
}

/// The official SARIF 2.1.0 schema (a pinned copy: tests/render/README.md).
/// Its `run.language` pattern has a stray `]`, a literal in ECMAScript but
/// an error for Rust's regex engines: it is escaped here, in memory only.
fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/render/sarif-2.1.0-rtm.5.json"))
        .expect("read the SARIF schema");
    let stray = r#"-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(stray), "the pinned schema changed");
    let text = text.replace(stray, r#"-[a-zA-Z]{2}\\]?$""#);
    let schema: serde_json::Value = serde_json::from_str(&text).expect("SARIF schema is JSON");
    jsonschema::validator_for(&schema).expect("SARIF schema compiles")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, log: &str) {
    let v: serde_json::Value = serde_json::from_str(log).expect("SARIF log is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "invalid SARIF:\n{}\n{log}",
        errors.join("\n")
    );
}

/// Every rule has what GitHub code scanning requires (`fullDescription`,
/// Multitool GH2012); with web addresses configured, `helpUri` and the
/// driver's `informationUri` appear; with none, they are left out (never a
/// path on the build machine). Both logs follow the official schema.
#[test]
fn sarif_follows_the_official_schema_with_and_without_links() {
    let (sm, diags) = hand_made();
    let validator = sarif_validator();

    let plain = render::sarif_with(&sm, &diags, &render::SarifLinks::default());
    assert_valid_sarif(&validator, &plain);
    let v: serde_json::Value = serde_json::from_str(&plain).expect("JSON");
    let driver = &v["runs"][0]["tool"]["driver"];
    assert!(driver.get("informationUri").is_none());
    for rule in driver["rules"].as_array().expect("rules") {
        let full = rule["fullDescription"]["text"]
            .as_str()
            .expect("fullDescription");
        assert!(!full.is_empty() && !full.contains('\n'), "{rule}");
        assert!(rule.get("helpUri").is_none(), "{rule}");
    }
    let rule = |v: &serde_json::Value, id: &str| -> serde_json::Value {
        v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .and_then(|rules| rules.iter().find(|r| r["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("no rule {id}"))
    };
    let wf101 = rule(&v, "WF101");
    assert!(wf101["fullDescription"]["text"]
        .as_str()
        .is_some_and(|t| t.starts_with("A property path names a property that does not exist")));

    let links = render::SarifLinks {
        docs_base: Some("https://example.org/wfc/docs/codes/".into()),
        tool: Some("https://example.org/wfc".into()),
    };
    let linked = render::sarif_with(&sm, &diags, &links);
    assert_valid_sarif(&validator, &linked);
    let v: serde_json::Value = serde_json::from_str(&linked).expect("JSON");
    let driver = &v["runs"][0]["tool"]["driver"];
    assert_eq!(driver["informationUri"], "https://example.org/wfc");
    assert_eq!(
        rule(&v, "WF101")["helpUri"],
        "https://example.org/wfc/docs/codes/WF101.md"
    );
    // the build-time default is valid too
    assert_valid_sarif(&validator, &render::sarif(&sm, &diags));
}

/// The schema check is real: a log without a rule id's required parts fails.
#[test]
fn sarif_schema_rejects_a_broken_log() {
    let validator = sarif_validator();
    let broken = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{}},"results":[]}]}"#;
    let v: serde_json::Value = serde_json::from_str(broken).expect("JSON");
    assert!(!validator.is_valid(&v), "a driver without a name must fail");
}

/// `@actions/core` drops `col`/`endColumn` when `line` ≠ `endLine`; we leave
/// them out ourselves. Property values escape `%`, CR, LF, `:` and `,`.
#[test]
fn github_multi_line_spans_have_no_columns_and_properties_are_escaped() {
    let mut sm = SourceMap::new();
    let f = sm.add(
        "a:b,c%d\r\ne.wf",
        "workflow \"x\" for contact {\n  delay 1d\n}\n",
    );
    let text = sm.text(f).to_string();
    let start = text.find("workflow").expect("workflow");
    let end = text.find("delay").expect("delay") + "delay".len();
    let diags = vec![
        Diagnostic::new(
            Code::WF001,
            "spans two lines",
            Label::new(Span::new(f, start, end), "here"),
        ),
        Diagnostic::new(
            Code::WF001,
            "one line",
            Label::new(Span::new(f, end - 5, end), "here"),
        ),
    ];
    let out = render::github(&sm, &diags);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=a%3Ab%2Cc%25d%0D%0Ae.wf,line=1,endLine=2,title=WF001::spans two lines",
            "::error file=a%3Ab%2Cc%25d%0D%0Ae.wf,line=2,col=3,endLine=2,endColumn=8,title=WF001::one line",
        ]
    );
}
