//! The checker corpus: `tests/check/<CODE>/{fail_*,pass_*}` — single `.wf`
//! files, or project folders holding `.wf` files and optionally a `wf.toml`.
//!
//! Every case is compiled with `wfc::compile`, and
//! - its diagnostics (code, severity, file:line:col, message, help) are
//!   snapshotted with insta, next to the case in
//!   `tests/check/<CODE>/snapshots/check__<case>.snap`;
//! - the (code, file, line) of every diagnostic must equal the `# expect:
//!   CODE[, CODE]` annotations written at the end of lines in its files
//!   (exactly: nothing missing, nothing extra);
//! - a `fail_` case reports its folder's code, a `pass_` case does not, and
//!   a `pass_` case reports no error at all.
//!
//! `tests/check/projects/` holds realistic projects; their annotations are
//! checked the same way.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use wfc::diagnostics::{Code, Severity};
use wfc::{compile, Compilation, SourceInput};

mod common;
mod gen;
use common::wf_files;

const ROOT: &str = "tests/check";

struct Case {
    /// e.g. `WF101/fail_unknown_property.wf`
    name: String,
    compilation: Compilation,
    /// (code, file name, line) from `# expect:` annotations.
    expected: BTreeSet<(String, String, u32)>,
}

fn rel(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

fn annotations(name: &str, bytes: &[u8], out: &mut BTreeSet<(String, String, u32)>) {
    let text = String::from_utf8_lossy(bytes);
    for (i, line) in text.lines().enumerate() {
        if let Some(at) = line.find("# expect:") {
            for code in line[at + "# expect:".len()..].split(',') {
                let code = code.trim();
                assert!(
                    code.parse::<Code>().is_ok(),
                    "{name}:{}: bad annotation `{code}`",
                    i + 1
                );
                out.insert((code.to_string(), name.to_string(), i as u32 + 1));
            }
        }
    }
}

fn load_case(path: &Path) -> Case {
    let mut expected = BTreeSet::new();
    let mut inputs = Vec::new();
    let mut manifest = None;
    if path.is_dir() {
        let mut files = Vec::new();
        wf_files(path, &mut files);
        for f in files {
            let bytes = fs::read(&f).expect("read .wf");
            annotations(&rel(&f), &bytes, &mut expected);
            inputs.push(SourceInput::new(rel(&f), bytes));
        }
        let toml = path.join("wf.toml");
        if toml.is_file() {
            let bytes = fs::read(&toml).expect("read wf.toml");
            annotations(&rel(&toml), &bytes, &mut expected);
            manifest = Some(SourceInput::new(rel(&toml), bytes));
        }
    } else {
        let bytes = fs::read(path).expect("read .wf");
        annotations(&rel(path), &bytes, &mut expected);
        inputs.push(SourceInput::new(rel(path), bytes));
    }
    let name = rel(path.strip_prefix(ROOT).expect("under root"));
    Case {
        name,
        compilation: compile(inputs, manifest),
        expected,
    }
}

fn render(c: &Compilation) -> String {
    let mut out = String::new();
    for d in &c.diagnostics {
        let lc = c
            .sources
            .line_col(d.primary.span.file, d.primary.span.start as usize);
        out.push_str(&format!(
            "{}[{}] {}:{}:{}: {}\n",
            d.severity.as_str(),
            d.code.as_str(),
            c.sources.name(d.primary.span.file),
            lc.line,
            lc.column,
            d.message
        ));
        if !d.primary.message.is_empty() {
            out.push_str(&format!(
                "  label: {} `{}`\n",
                d.primary.message,
                c.sources.snippet(d.primary.span)
            ));
        }
        if let Some(h) = &d.help {
            out.push_str(&format!("  help: {h}\n"));
        }
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

fn actual(c: &Compilation) -> BTreeSet<(String, String, u32)> {
    c.diagnostics
        .iter()
        .map(|d| {
            let lc = c
                .sources
                .line_col(d.primary.span.file, d.primary.span.start as usize);
            (
                d.code.as_str().to_string(),
                c.sources.name(d.primary.span.file).to_string(),
                lc.line,
            )
        })
        .collect()
}

fn case_paths(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            let n = p
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            (n.starts_with("fail_") || n.starts_with("pass_")) && (p.is_dir() || n.ends_with(".wf"))
        })
        .collect();
    v.sort();
    v
}

fn check_case(case: &Case, code: Option<&str>, failures: &mut Vec<String>) {
    let got = actual(&case.compilation);
    let rendered = render(&case.compilation);
    // `WF101/fail_x.wf` → `tests/check/WF101/snapshots/check__fail_x__wf.snap`
    let (group, rest) = case
        .name
        .split_once('/')
        .unwrap_or(("", case.name.as_str()));
    let snap = rest.replace(['/', '.'], "__");
    common::snapshots_in(format!("check/{group}/snapshots"), true)
        .bind(|| insta::assert_snapshot!(snap, rendered));

    let missing: Vec<_> = case.expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&case.expected).collect();
    if !missing.is_empty() || !extra.is_empty() {
        failures.push(format!(
            "{}: missing {missing:?}, extra {extra:?}\n{rendered}",
            case.name
        ));
    }
    let file_name = case.name.rsplit('/').next().unwrap_or("");
    let codes: BTreeSet<&str> = case
        .compilation
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    if let Some(code) = code {
        if file_name.starts_with("fail_") && !codes.contains(code) {
            failures.push(format!("{}: a fail case must report {code}", case.name));
        }
        if file_name.starts_with("pass_") && codes.contains(code) {
            failures.push(format!("{}: a pass case must not report {code}", case.name));
        }
    }
    if file_name.starts_with("pass_")
        && case
            .compilation
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    {
        failures.push(format!(
            "{}: a pass case must report no error\n{rendered}",
            case.name
        ));
    }
}

#[test]
fn corpus() {
    let mut failures = Vec::new();
    let mut cases = 0;
    for code in Code::ALL {
        let dir = Path::new(ROOT).join(code.as_str());
        if !dir.is_dir() {
            continue;
        }
        for p in case_paths(&dir) {
            let case = load_case(&p);
            check_case(&case, Some(code.as_str()), &mut failures);
            cases += 1;
        }
    }
    // every_code_has_a_failing_and_a_passing_case names the missing ones.
    assert!(
        cases >= 2 * Code::ALL.len(),
        "{ROOT}: {cases} cases, expected at least two per code"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn realistic_projects() {
    let mut failures = Vec::new();
    let dir = Path::new(ROOT).join("projects");
    let paths = case_paths(&dir);
    common::assert_min_cases("tests/check/projects", &paths, 4);
    for p in paths {
        let case = load_case(&p);
        check_case(&case, None, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_code_has_a_failing_and_a_passing_case() {
    let mut missing = Vec::new();
    for code in Code::ALL {
        let dir = Path::new(ROOT).join(code.as_str());
        let names: Vec<String> = if dir.is_dir() {
            case_paths(&dir)
                .iter()
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
                .collect()
        } else {
            Vec::new()
        };
        if !names.iter().any(|n| n.starts_with("fail_")) {
            missing.push(format!("{}: no fail_ case", code.as_str()));
        }
        if !names.iter().any(|n| n.starts_with("pass_")) {
            missing.push(format!("{}: no pass_ case", code.as_str()));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_code_is_in_docs_rules() {
    let rules = fs::read_to_string("docs/rules.md").expect("docs/rules.md");
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !rules.contains(&format!("### {c}")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/rules.md has no section for {missing:?}"
    );
}

/// Invariant: every program that checks clean compiles to plans the
/// runtime loads. Run over generated programs full of go-tos (sideways,
/// backwards, nested, in loops): a go-to loop the checker misses makes a
/// plan the runtime refuses ("the steps loop back").
#[test]
fn clean_programs_build_plans_the_runtime_loads() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    let strategy = gen::goto_source_file();
    let mut runner = TestRunner::deterministic();
    let (mut clean, mut with_goto, mut loops) = (0, 0, 0);
    for _ in 0..2000 {
        let file = strategy
            .new_tree(&mut runner)
            .expect("a generated program")
            .current();
        let text = wfc::fmt::format_file(&file, "");
        let c = compile(vec![SourceInput::new("gen.wf", text.as_str())], None);
        if c.diagnostics.iter().any(|d| d.code == Code::WF402) {
            let text_has_loop = c
                .diagnostics
                .iter()
                .any(|d| d.code == Code::WF402 && d.message.contains("closes a loop"));
            loops += usize::from(text_has_loop);
        }
        if c.diagnostics.iter().any(|d| d.severity == Severity::Error) {
            continue;
        }
        clean += 1;
        with_goto += usize::from(text.contains("goto "));
        assert_eq!(c.plans.len(), file.workflows.len(), "{text}");
        if let Err(e) = wfc::runtime::load(c.plans.clone()) {
            panic!("checks clean but the runtime refuses its plans: {e:?}\n{text}");
        }
    }
    // The generator must keep exercising the rule.
    let counts = format!("{clean} clean, {with_goto} clean with a goto, {loops} with a loop");
    eprintln!("{counts}");
    assert!(clean >= 300, "{counts}");
    assert!(with_goto >= 40, "{counts}");
    assert!(loops >= 100, "{counts}");
}

/// The rule-family files of `src/check/` import each other one way only
/// (`typing` → `resolve`, ...): no import loop between sibling files.
#[test]
fn check_family_files_have_no_import_loop() {
    let dir = Path::new("src/check");
    let mut files: Vec<(String, String)> = fs::read_dir(dir)
        .expect("src/check")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter_map(|p| {
            let stem = p.file_stem()?.to_string_lossy().to_string();
            (stem != "mod" && stem != "tests")
                .then(|| (stem, fs::read_to_string(&p).expect("read")))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 6, "the family files moved: {files:?}");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    // uses[i]: the siblings file i refers to (`resolve::x`, `use super::{resolve}`).
    let uses: Vec<Vec<usize>> = files
        .iter()
        .map(|(me, text)| {
            let mut referenced = Vec::new();
            for (j, other) in names.iter().enumerate() {
                if other == me {
                    continue;
                }
                let path = format!("{other}::");
                let by_path = text
                    .match_indices(&path)
                    .any(|(at, _)| !text[..at].ends_with(ident) || text[..at].ends_with("super::"));
                let by_use = text.split("use super::").skip(1).any(|rest| {
                    let stmt = rest.split(';').next().unwrap_or("");
                    stmt.split(|c: char| !ident(c)).any(|w| w == *other)
                });
                if by_path || by_use {
                    referenced.push(j);
                }
            }
            referenced
        })
        .collect();
    // Depth-first search for a cycle.
    fn visit(i: usize, uses: &[Vec<usize>], state: &mut [u8], path: &mut Vec<usize>) -> bool {
        state[i] = 1;
        path.push(i);
        for &j in &uses[i] {
            if state[j] == 1 {
                path.push(j);
                return true;
            }
            if state[j] == 0 && visit(j, uses, state, path) {
                return true;
            }
        }
        path.pop();
        state[i] = 2;
        false
    }
    let mut state = vec![0u8; files.len()];
    for i in 0..files.len() {
        let mut path = Vec::new();
        if state[i] == 0 && visit(i, &uses, &mut state, &mut path) {
            let cycle: Vec<&str> = path.iter().map(|&k| names[k]).collect();
            panic!("import loop between check/ files: {}", cycle.join(" -> "));
        }
    }
}

/// A ring of `n` branches, each going to the next one's label.
fn ring(n: usize) -> String {
    let mut text = String::from("workflow \"Ring\" for contact {\n");
    for i in 0..n {
        let kw = if i == 0 { "  if" } else { "  } else if" };
        text.push_str(&format!(
            "{kw} hubspotscore > {i} {{\n    l{i}: delay 1d\n    goto l{}\n",
            (i + 1) % n
        ));
    }
    text.push_str("  }\n}\n");
    text
}

/// A go-to loop through thousands of paths is one WF402 with a few
/// secondary labels and a note counting the rest (not a megabyte report).
#[test]
fn a_loop_through_thousands_of_paths_is_one_bounded_wf402() {
    let n = 3000;
    let text = ring(n);
    let c = compile(vec![SourceInput::new("ring.wf", text.as_str())], None);
    let loops: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::WF402)
        .collect();
    assert_eq!(loops.len(), 1, "{:?}", c.diagnostics);
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    assert_eq!(loops[0].secondary.len(), 8);
    assert_eq!(
        loops[0].note.as_deref(),
        Some("2991 more `goto`s are part of this loop")
    );
    // Reported on the last go-to of the loop in source order.
    let lc = c.sources.line_col(
        loops[0].primary.span.file,
        loops[0].primary.span.start as usize,
    );
    assert_eq!(lc.line, 1 + 3 * n as u32);
}

/// Up to eight other `goto`s are all labelled and need no note; a ninth
/// is counted in the note.
#[test]
fn a_loop_labels_eight_other_gotos_before_it_counts_them() {
    for (n, note) in [
        (9, None),
        (10, Some("1 more `goto`s are part of this loop")),
    ] {
        let text = ring(n);
        let c = compile(vec![SourceInput::new("ring.wf", text.as_str())], None);
        assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
        assert_eq!(c.diagnostics[0].secondary.len(), 8, "{n}");
        assert_eq!(c.diagnostics[0].note.as_deref(), note, "{n}");
    }
}
