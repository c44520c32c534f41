//! `wfc fmt`: the canonical style, idempotence and meaning preservation —
//! on hand-written cases, on generated programs (proptest), and on every
//! example and test-corpus file of the repository.

mod gen;

use std::path::Path;

use proptest::prelude::*;
use wfc::driver::{compile, SourceInput};
use wfc::fmt::{format_file, format_source};
use wfc::plan::{Plan, SourceLocation};
use wfc::source::SourceMap;

mod common;
use common::wf_files;

fn fmt(text: &str) -> String {
    match format_source("t.wf", text) {
        Ok(s) => s,
        Err(d) => panic!("syntax errors in\n{text}\n{d:#?}"),
    }
}

/// Formatting `input` gives `expected`, and formatting that changes nothing.
#[track_caller]
fn check(input: &str, expected: &str) {
    let out = fmt(input);
    assert_eq!(
        out, expected,
        "\n--- got:\n{out}\n--- expected:\n{expected}"
    );
    assert_eq!(fmt(&out), out, "not idempotent");
}

// ------------------------------------------------------------ style rules

#[test]
fn indentation_spacing_and_settings_first() {
    check(
        r#"workflow   "W"  for contact{
send email    "Welcome"
      enroll when lifecyclestage is "lead"   and hubspotscore>=50
  delay 4h30m
    reenroll
goal lifecyclestage is "customer"
}
"#,
        r#"workflow "W" for contact {
  enroll when lifecyclestage is "lead" and hubspotscore >= 50
  reenroll
  goal lifecyclestage is "customer"

  send email "Welcome"
  delay 4h 30m
}
"#,
    );
}

#[test]
fn blocks_one_step_a_line_and_else_on_the_closing_line() {
    check(
        r#"workflow "W" for contact {
  if country is "NL" { add to list "Dutch" }
  else if country in ["BE","LU"] {
    add to list "Belgian"
  }
  else { }
  branch on industry { "A", "B" { enroll in "Onboarding" } "C" {} else { clear industry } }
}
"#,
        r#"workflow "W" for contact {
  if country is "NL" {
    add to list "Dutch"
  } else if country in ["BE", "LU"] {
    add to list "Belgian"
  } else {}
  branch on industry {
    "A", "B" {
      enroll in "Onboarding"
    }
    "C" {}
    else {
      clear industry
    }
  }
}
"#,
    );
}

#[test]
fn blank_lines_collapse_and_vanish_at_block_edges() {
    check(
        "workflow \"W\" for contact {\n\n\n  delay 1d\n\n\n\n  delay 2d\n  delay 3d\n\n}\n\n\n\nworkflow \"V\" for deal {\n  delay 1d\n}\n\n\n",
        "workflow \"W\" for contact {\n  delay 1d\n\n  delay 2d\n  delay 3d\n}\n\nworkflow \"V\" for deal {\n  delay 1d\n}\n",
    );
}

#[test]
fn strings_are_requoted_canonically() {
    check(
        "workflow \"Say \\\"hi\\\"\" for contact {\n  send email \"a\\\\b\\u{e9}\\t\"\n}\n",
        "workflow \"Say \\\"hi\\\"\" for contact {\n  send email \"a\\\\bé\\t\"\n}\n",
    );
}

#[test]
fn records_and_long_lists_go_one_item_a_line() {
    check(
        r#"workflow "W" for contact {
  create deal { dealname = "X", amount = 100 }
  app "Zapier" action "Run" {}
  set tags = ["alpha", "beta"]
  enroll when country in ["Netherlands", "Belgium", "Luxembourg", "Germany", "France", "Denmark", "Sweden"]
  set tags += [
    "a", "b"]
}
"#,
        r#"workflow "W" for contact {
  enroll when country in [
    "Netherlands",
    "Belgium",
    "Luxembourg",
    "Germany",
    "France",
    "Denmark",
    "Sweden",
  ]

  create deal {
    dealname = "X"
    amount = 100
  }
  app "Zapier" action "Run" {}
  set tags = ["alpha", "beta"]
  set tags += [
    "a",
    "b",
  ]
}
"#,
    );
}

#[test]
fn labels_times_and_every_delay_form() {
    check(
        r#"workflow "W" for contact centered on property closedate {
  wait:   delay until 7d before date at 09:05
  delay until date at 8:00
}
workflow "V" for contact {
  delay until tuesday,thursday at 11:00
  delay until 9:00
  delay until page "/pricing" viewed max 7d2h
}
"#,
        r#"workflow "W" for contact centered on property closedate {
  wait: delay until 7d before date at 9:05
  delay until date at 8:00
}

workflow "V" for contact {
  delay until tuesday, thursday at 11:00
  delay until 9:00
  delay until page "/pricing" viewed max 7d 2h
}
"#,
    );
}

// ------------------------------------------------------------ comments

#[test]
fn comments_stay_with_their_steps_and_settings() {
    check(
        r#"# File header.

# About W.
workflow "W" for contact { # on the header
  # before the delay
  delay 1d   # trailing on delay
  # before the goal (moves with it)
  goal lifecyclestage is "customer" # trailing on goal

  if country is "NL" { # on the if line
    # inside, first
    add to list "Dutch"
    # end of the if block
  }
  # between } and else
  else {
    # only a comment
  } # after the if
  # end of the workflow
} # after the workflow
# between workflows
workflow "V" for deal {
}
# end of file
"#,
        r#"# File header.

# About W.
workflow "W" for contact { # on the header
  # before the goal (moves with it)
  goal lifecyclestage is "customer" # trailing on goal

  # before the delay
  delay 1d # trailing on delay

  if country is "NL" { # on the if line
    # inside, first
    add to list "Dutch"
    # end of the if block
    # between } and else
  } else {
    # only a comment
  } # after the if
  # end of the workflow
} # after the workflow

# between workflows
workflow "V" for deal {}
# end of file
"#,
    );
}

#[test]
fn comments_inside_lists_and_records_force_one_item_a_line() {
    check(
        r#"workflow "W" for contact {
  enroll when country in ["NL", # Dutch
    "BE"]
  create deal { dealname = "X" # the name
    amount = 1
    # no more fields
  }
}
"#,
        r#"workflow "W" for contact {
  enroll when country in [
    "NL", # Dutch
    "BE",
  ]

  create deal {
    dealname = "X" # the name
    amount = 1
    # no more fields
  }
}
"#,
    );
}

#[test]
fn a_file_without_workflows_is_left_alone() {
    // The grammar wants at least one workflow: such a file is a syntax
    // error, so the formatter must not touch it.
    assert!(format_source("c.wf", "# just a note\n\n\n# another\n").is_err());
}

#[test]
fn syntax_errors_leave_the_file_alone() {
    let err = format_source("bad.wf", "workflow \"W\" for contact {\n  delay\n")
        .expect_err("a syntax error");
    assert!(err.iter().all(
        |d| d.code == wfc::diagnostics::Code::WF001 || d.code == wfc::diagnostics::Code::WF002
    ));
    assert!(!err.is_empty());
}

// ------------------------------------------------------------ meaning

/// A plan with every source location blanked out.
fn without_locations(mut p: Plan) -> Plan {
    let blank = || SourceLocation {
        file: String::new(),
        line: 0,
        column: 0,
    };
    p.source = blank();
    for n in &mut p.nodes {
        n.source = blank();
    }
    p
}

/// Compile `text` (with `manifest`) and return the plans without locations
/// and the diagnostic codes.
fn meaning(text: &str, manifest: Option<&str>) -> (Vec<Plan>, Vec<String>) {
    let c = compile(
        vec![SourceInput::new("f.wf", text.as_bytes().to_vec())],
        manifest.map(|m| SourceInput::new("wf.toml", m.as_bytes().to_vec())),
    );
    let codes = c
        .diagnostics
        .iter()
        .map(|d| d.code.as_str().to_string())
        .collect();
    (c.plans.into_iter().map(without_locations).collect(), codes)
}

/// Format `text`; check idempotence, plan equality and that no comment is
/// lost. `Ok(false)` for a file that does not parse (left alone); `Err`
/// says what went wrong.
fn check_file(name: &str, text: &str, manifest: Option<&str>) -> Result<bool, String> {
    let Ok(once) = format_source(name, text) else {
        return Ok(false);
    };
    let twice = format_source(name, &once)
        .map_err(|d| format!("{name}: formatted output does not parse: {d:#?}\n{once}"))?;
    if twice != once {
        return Err(format!("{name}: not idempotent\n{once}\n---\n{twice}"));
    }
    if meaning(text, manifest) != meaning(&once, manifest) {
        return Err(format!("{name}: meaning changed\n{once}"));
    }
    let comments = |t: &str| {
        let mut sources = SourceMap::new();
        let id = sources.add("x.wf", t);
        let (f, _) = wfc::syntax::parse(&sources, id);
        let mut c: Vec<String> = f
            .comments
            .iter()
            .map(|c| c.text.trim_end().to_string())
            .collect();
        c.sort();
        c
    };
    if comments(text) != comments(&once) {
        return Err(format!("{name}: comments changed\n{once}"));
    }
    Ok(true)
}

/// Whether the compiler reports a syntax error (WF001/WF002) for `bytes`:
/// the only files the formatter may refuse.
fn is_syntax_error(bytes: &[u8]) -> bool {
    compile(vec![SourceInput::new("f.wf", bytes.to_vec())], None)
        .diagnostics
        .iter()
        .any(|d| matches!(d.code.as_str(), "WF001" | "WF002"))
}

fn manifest_for(file: &Path, root: &Path) -> Option<String> {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if let Ok(m) = std::fs::read_to_string(d.join("wf.toml")) {
            return Some(m);
        }
        if d == root {
            break;
        }
        dir = d.parent();
    }
    None
}

/// Every example and every `.wf` under tests/: each file that parses
/// formats idempotently with the same plans, diagnostics and comments; a
/// file the formatter refuses must be one the compiler reports a syntax
/// error for. Every failure is listed, and too few formatted files fail.
#[test]
fn every_example_and_corpus_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    wf_files(&root.join("examples"), &mut files);
    wf_files(&root.join("tests"), &mut files);
    common::assert_min_cases("examples/ and tests/", &files, 150);
    let mut formatted = 0;
    let mut failures = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Ok(text) = std::str::from_utf8(&bytes) else {
            if !is_syntax_error(&bytes) {
                failures.push(format!("{name}: not UTF-8 but no WF002"));
            }
            continue;
        };
        let manifest = manifest_for(f, root);
        match check_file(&name, text, manifest.as_deref()) {
            Ok(true) => formatted += 1,
            Ok(false) if is_syntax_error(&bytes) => {}
            Ok(false) => failures.push(format!(
                "{name}: the formatter refuses a file without a syntax error"
            )),
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    // Most of the corpus parses; only tests/syntax_errors and the WF001/WF002
    // cases may not.
    assert!(
        formatted >= files.len() / 2,
        "only {formatted} of {} files formatted",
        files.len()
    );
}

// ------------------------------------------------------------ generated

/// Cases per property: 200 in CI; set `WFC_PROPTEST_CASES` for a long run
/// (e.g. 50000 while changing the printer or the parser).
fn cases() -> u32 {
    std::env::var("WFC_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    })]

    /// parse(format(ast)) == ast (modulo spans), and formatting the result
    /// again changes nothing.
    #[test]
    fn generated_programs_round_trip(file in gen::source_file()) {
        let text = format_file(&file, "");
        let mut sources = SourceMap::new();
        let id = sources.add("g.wf", text.clone());
        let (parsed, diags) = wfc::syntax::parse(&sources, id);
        prop_assert!(diags.is_empty(), "{text}\n{diags:#?}");
        prop_assert_eq!(gen::erase_spans(&parsed.workflows), gen::erase_spans(&file.workflows), "{}", text);
        prop_assert_eq!(format_file(&parsed, &text), text.clone());
        // meaning: same plans (when the program checks) and same codes
        let (plans, codes) = meaning(&text, None);
        let again = format_file(&parsed, &text);
        prop_assert_eq!((plans, codes), meaning(&again, None));
    }

    /// Comments added on any line (own line or trailing) are all kept, the
    /// program is unchanged and the result is stable.
    #[test]
    fn generated_programs_keep_comments(
        file in gen::source_file(),
        marks in proptest::collection::vec(0u8..4, 0..200),
    ) {
        let text = format_file(&file, "");
        let mut with = String::new();
        let mut n = 0;
        for (i, line) in text.lines().enumerate() {
            let m = marks.get(i).copied().unwrap_or(0);
            if m == 1 || m == 3 {
                n += 1;
                with.push_str(&format!("# own {n}\n"));
            }
            with.push_str(line);
            if m >= 2 {
                n += 1;
                with.push_str(&format!(" # trailing {n}"));
            }
            with.push('\n');
        }
        let once = match format_source("c.wf", &with) {
            Ok(s) => s,
            Err(d) => return Err(TestCaseError::fail(format!("{with}\n{d:#?}"))),
        };
        for k in 1..=n {
            let own = format!("# own {k}\n");
            let tr = format!("# trailing {k}\n");
            prop_assert!(
                once.matches(&own).count() + once.matches(&tr).count() == 1,
                "comment {} lost or doubled\n{}\n---\n{}", k, with, once
            );
        }
        prop_assert_eq!(format_source("c.wf", &once).ok(), Some(once.clone()));
        let mut sources = SourceMap::new();
        let id = sources.add("c.wf", once.clone());
        let (parsed, _) = wfc::syntax::parse(&sources, id);
        prop_assert_eq!(gen::erase_spans(&parsed.workflows), gen::erase_spans(&file.workflows));
    }
}
