//! `wfc test`: every expectation kind passing and failing (the report of
//! each failure snapshotted in `tests/testing/snapshots/`), coverage numbers
//! on a known program, the JUnit output against the JUnit schema's rules,
//! determinism, the shipped examples at 100% coverage, and mutations of an
//! example that its suite must catch.

use std::path::PathBuf;
use std::process::Command;

use wfc::testing::{self, report, Suite};
use wfc::{compile, Compilation, SourceInput};

mod common;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn compile_texts(files: &[(&str, String)]) -> Compilation {
    let inputs = files
        .iter()
        .map(|(name, text)| SourceInput::new(*name, text.clone()))
        .collect();
    let c = compile(inputs, None);
    assert!(!c.has_errors(), "{:#?}", c.diagnostics);
    c
}

fn run(c: &Compilation, filter: Option<&str>) -> Suite {
    testing::run(
        c,
        &testing::Options {
            filter: filter.map(str::to_string),
            threads: 1,
            context: Vec::new(),
        },
    )
    .expect("tests run")
}

fn human(c: &Compilation, suite: &Suite, coverage: bool) -> String {
    report::human(
        &[(&c.sources, suite)],
        report::HumanOptions {
            color: false,
            width: 80,
            coverage,
        },
    )
}

fn wfc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .expect("run wfc");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}

// ------------------------------------------------------------ kinds

#[test]
fn every_expectation_kind_passes_and_fails_with_a_report() {
    let c = compile_texts(&[("kinds.wf", read("tests/testing/kinds.wf"))]);
    let suite = run(&c, None);
    common::assert_min_cases("tests of kinds.wf", &suite.results, 20);
    let mut failing = 0;
    for r in &suite.results {
        if r.name.starts_with("pass ") {
            assert!(
                r.passed(),
                "{} should pass:\n{}",
                r.name,
                human(&c, &run(&c, Some(&r.name)), false)
            );
        } else {
            assert!(r.name.starts_with("fail "), "{}", r.name);
            assert!(!r.passed(), "{} should fail", r.name);
            failing += 1;
            let one = run(&c, Some(&r.name));
            let text = human(&c, &one, false);
            let snap = r.name.replace(' ', "_");
            common::snapshots_in("testing/snapshots", false)
                .bind(|| insta::assert_snapshot!(snap, text));
        }
    }
    assert!(failing >= 15, "only {failing} failing cases");
}

// ------------------------------------------------------------ coverage

#[test]
fn coverage_counts_steps_and_paths_and_lists_the_rest() {
    let c = compile_texts(&[("coverage.wf", read("tests/testing/coverage.wf"))]);
    let suite = run(&c, None);
    assert_eq!(suite.failed(), 0, "{}", human(&c, &suite, false));
    let cov = &suite.coverage;
    assert_eq!((cov.steps_covered, cov.steps_total), (4, 6));
    assert_eq!((cov.paths_covered, cov.paths_total), (2, 5));
    assert_eq!(cov.percent, 54.5);
    let w = &cov.workflows[0];
    let missed: Vec<(u32, &str, &str)> = w
        .uncovered
        .iter()
        .map(|u| (u.line, u.what, u.description.as_str()))
        .collect();
    assert_eq!(
        missed,
        vec![
            (9, "path", "\"if\" of branch_if"),
            (10, "step", "add_to_list `hot`"),
            (12, "path", "\"Belgium\" of branch_value"),
            (12, "path", "\"Netherlands\" of branch_value"),
            (14, "step", "send_email"),
        ]
    );
    common::snapshots_in("testing/snapshots", false)
        .bind(|| insta::assert_snapshot!("coverage_report", report::coverage_text(cov)));
}

#[test]
fn min_coverage_fails_the_run_below_the_threshold() {
    let (code, _, stderr) = wfc(&["test", "tests/testing/coverage.wf", "--min-coverage", "60"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("coverage 54.5% is below the minimum of 60%"),
        "{stderr}"
    );
    let (code, out, stderr) = wfc(&["test", "tests/testing/coverage.wf", "--min-coverage", "50"]);
    assert_eq!(code, 0, "{out}{stderr}");
    let (code, _, _) = wfc(&["test", "tests/testing/coverage.wf", "--min-coverage", "101"]);
    assert_eq!(code, 2);
}

// ------------------------------------------------------------ examples

#[test]
fn the_examples_pass_with_full_coverage() {
    let (code, out, stderr) = wfc(&["test", "examples/", "--min-coverage", "100"]);
    assert_eq!(code, 0, "{out}\n{stderr}");
    assert!(
        out.contains("coverage:") && out.contains("(100.0%)"),
        "{out}"
    );
    common::assert_min_cases(
        "example tests",
        &out.lines()
            .filter(|l| l.ends_with("... ok"))
            .collect::<Vec<_>>(),
        40,
    );
}

#[test]
fn output_is_the_same_twice() {
    for format in ["human", "json", "junit"] {
        let args = ["test", "examples/", "--coverage", "--format", format];
        let first = wfc(&args);
        let second = wfc(&args);
        assert_eq!(first, second, "{format}");
    }
    // and with a failure (history slices, miette reports)
    let args = ["test", "tests/testing/kinds.wf", "--format", "human"];
    let first = wfc(&args);
    assert_eq!(first.0, 1);
    assert_eq!(first, wfc(&args));
}

#[test]
fn json_output_has_tests_summary_and_coverage() {
    let (code, out, _) = wfc(&[
        "test",
        "tests/testing/kinds.wf",
        "--format",
        "json",
        "--coverage",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let tests = v["tests"].as_array().expect("tests");
    let failed = tests.iter().filter(|t| t["status"] == "failed").count();
    assert_eq!(v["summary"]["failed"], failed);
    assert_eq!(v["summary"]["total"], tests.len());
    let f = tests
        .iter()
        .find(|t| t["name"] == "fail ran at")
        .expect("fail ran at");
    assert_eq!(f["failures"][0]["line"], 113);
    assert!(f["failures"][0]["history"]
        .as_array()
        .is_some_and(|h| !h.is_empty()));
    assert!(v["coverage"]["workflows"]
        .as_array()
        .is_some_and(|w| w.len() == 2));
}

// ------------------------------------------------------------ junit

/// The rules of the JUnit XML schema CI systems read (Jenkins' junit-4
/// XSD, which GitHub and GitLab reporters accept): the elements, their
/// order, and the attributes each must or may carry.
fn check_junit(xml: &str) -> Result<usize, String> {
    use quick_xml::events::Event;
    use quick_xml::Reader;

    // element → (required attributes, optional attributes, allowed children in order)
    fn rules(
        name: &str,
    ) -> Option<(
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    )> {
        Some(match name {
            "testsuites" => (
                &[],
                &["name", "time", "tests", "failures", "disabled", "errors"],
                &["testsuite"],
            ),
            "testsuite" => (
                &["name", "tests"],
                &[
                    "failures",
                    "errors",
                    "time",
                    "disabled",
                    "skipped",
                    "timestamp",
                    "hostname",
                    "id",
                    "package",
                ],
                &["properties", "testcase", "system-out", "system-err"],
            ),
            "testcase" => (
                &["name"],
                &["assertions", "time", "classname", "status"],
                &["skipped", "error", "failure", "system-out", "system-err"],
            ),
            "failure" | "error" => (&[], &["type", "message"], &[]),
            "system-out" | "system-err" | "skipped" => (&[], &[], &[]),
            _ => return None,
        })
    }
    let mut reader = Reader::from_str(xml);
    // (element, index of the last child kind seen in its allowed order)
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut cases = 0;
    let mut root_seen = false;
    loop {
        let ev = reader.read_event().map_err(|e| e.to_string())?;
        let (start, empty) = match &ev {
            Event::Start(s) => (Some(s.clone()), false),
            Event::Empty(s) => (Some(s.clone()), true),
            _ => (None, false),
        };
        if let Some(s) = start {
            let name = String::from_utf8(s.name().as_ref().to_vec()).map_err(|e| e.to_string())?;
            let (required, optional, _) =
                rules(&name).ok_or(format!("unknown element <{name}>"))?;
            match stack.last_mut() {
                None => {
                    if root_seen || name != "testsuites" {
                        return Err(format!("root must be one <testsuites>, found <{name}>"));
                    }
                    root_seen = true;
                }
                Some((parent, last)) => {
                    let (_, _, children) = rules(parent).ok_or("parent")?;
                    let pos = children
                        .iter()
                        .position(|c| *c == name)
                        .ok_or(format!("<{name}> may not stand in <{parent}>"))?;
                    if pos < *last {
                        return Err(format!("<{name}> out of order in <{parent}>"));
                    }
                    *last = pos;
                }
            }
            let mut seen = Vec::new();
            for a in s.attributes() {
                let a = a.map_err(|e| e.to_string())?;
                let key = String::from_utf8(a.key.as_ref().to_vec()).map_err(|e| e.to_string())?;
                if !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
                    return Err(format!("<{name}> may not have `{key}`"));
                }
                if ["tests", "failures", "errors", "skipped"].contains(&key.as_str()) {
                    let v = String::from_utf8(a.value.to_vec()).map_err(|e| e.to_string())?;
                    v.parse::<u64>()
                        .map_err(|_| format!("{key}=\"{v}\" is not a count"))?;
                }
                seen.push(key);
            }
            for r in required {
                if !seen.iter().any(|k| k == r) {
                    return Err(format!("<{name}> lacks `{r}`"));
                }
            }
            if name == "testcase" {
                cases += 1;
            }
            if !empty {
                stack.push((name, 0));
            }
        } else {
            match ev {
                Event::End(_) => {
                    stack.pop();
                }
                Event::Text(t) => {
                    let in_text = stack.last().is_some_and(|(n, _)| {
                        matches!(
                            n.as_str(),
                            "failure" | "error" | "system-out" | "system-err" | "skipped"
                        )
                    });
                    if !in_text && !t.iter().all(u8::is_ascii_whitespace) {
                        return Err("text outside a text element".to_string());
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    if !root_seen || !stack.is_empty() {
        return Err("unbalanced document".to_string());
    }
    Ok(cases)
}

#[test]
fn junit_output_follows_the_junit_schema() {
    let (code, xml, _) = wfc(&["test", "tests/testing/kinds.wf", "--format", "junit"]);
    assert_eq!(code, 1);
    let cases = check_junit(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let c = compile_texts(&[("kinds.wf", read("tests/testing/kinds.wf"))]);
    assert_eq!(cases, run(&c, None).results.len());
    assert!(
        xml.contains("<failure message=\"expect c4 enrolled"),
        "{xml}"
    );
    let (code, xml, _) = wfc(&["test", "examples/", "--format", "junit"]);
    assert_eq!(code, 0);
    check_junit(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    // the checker itself rejects what the schema rejects
    assert!(check_junit("<testsuites><testcase name=\"x\"/></testsuites>").is_err());
    assert!(check_junit("<testsuites><testsuite name=\"a\"/></testsuites>").is_err());
    assert!(check_junit(
        "<testsuites><testsuite name=\"a\" tests=\"1\"><system-out/><testcase name=\"x\"/></testsuite></testsuites>"
    )
    .is_err());
}

// ------------------------------------------------------------ mutations

/// The suite of examples/contact_lead_nurture.wf against a mutated copy of
/// the workflow: it must fail, and say which expectation broke.
fn mutant(from: &str, to: &str) -> (usize, String) {
    let wf = read("examples/contact_lead_nurture.wf");
    assert!(wf.contains(from), "mutation target `{from}` is gone");
    let c = compile_texts(&[
        ("examples/contact_lead_nurture.wf", wf.replacen(from, to, 1)),
        (
            "examples/tests/contact_lead_nurture.wf",
            read("examples/tests/contact_lead_nurture.wf"),
        ),
    ]);
    let suite = run(&c, None);
    (suite.failed(), human(&c, &suite, false))
}

#[test]
fn the_examples_suite_is_unmutated_green() {
    let (failed, text) = mutant("delay 1d", "delay 1d");
    assert_eq!(failed, 0, "{text}");
}

#[test]
fn mutation_flipped_condition_is_caught() {
    let (failed, text) = mutant("hubspotscore >= 50", "hubspotscore < 50");
    assert!(failed > 0, "{text}");
    common::snapshots_in("testing/snapshots", false)
        .bind(|| insta::assert_snapshot!("mutation_flipped_condition", text));
}

#[test]
fn mutation_changed_delay_is_caught() {
    let (failed, text) = mutant("delay 1d", "delay 2d");
    assert!(failed > 0, "{text}");
    common::snapshots_in("testing/snapshots", false)
        .bind(|| insta::assert_snapshot!("mutation_changed_delay", text));
}

#[test]
fn mutation_removed_action_is_caught() {
    let (failed, text) = mutant("    add to list \"Hot leads\"\n", "");
    assert!(failed > 0, "{text}");
    common::snapshots_in("testing/snapshots", false)
        .bind(|| insta::assert_snapshot!("mutation_removed_action", text));
}

#[test]
fn a_tests_only_file_builds_nothing() {
    // `wfc build` ignores tests: the plans of a file and of the same file
    // with tests appended are equal (apart from nothing).
    let wf = read("examples/contact_lead_nurture.wf");
    let tests = read("examples/tests/contact_lead_nurture.wf");
    let alone = compile_texts(&[("a.wf", wf.clone())]);
    let with = compile_texts(&[("a.wf", wf), ("t.wf", tests)]);
    assert_eq!(alone.plans, with.plans);
}
