//! `wfc check --fix / --unsafe-fixes / --diff` through the binary, and the
//! `fixes` of `--format json` (docs/cli.md).

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn wfc(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run wfc");
    Out {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Two safe did-you-means (one edit away, the only close name) and one
/// unsafe (a label with two close candidates).
const BROKEN: &str = r#"workflow "Fix me" for contact {
  enroll when lifecyclestage is "lead"
  set firstnam = "x"
  set hs_lead_status = "open"
  if hubspotscore >= 50 {
    goto stepp
  }
  step1: delay 1d
  step2: delay 2d
}
"#;

const SAFE_FIXED: &str = r#"workflow "Fix me" for contact {
  enroll when lifecyclestage is "lead"
  set firstname = "x"
  set hs_lead_status = "OPEN"
  if hubspotscore >= 50 {
    goto stepp
  }
  step1: delay 1d
  step2: delay 2d
}
"#;

fn dir_with(text: &str) -> tempfile::TempDir {
    let t = tempfile::tempdir().expect("tempdir");
    std::fs::write(t.path().join("a.wf"), text).expect("write");
    t
}

fn read(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("a.wf")).expect("read")
}

#[test]
fn json_lists_fixes_with_ranges_and_applicability() {
    let t = dir_with(BROKEN);
    let out = wfc(t.path(), &["check", "--format", "json", "a.wf"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let diags: Value = serde_json::from_str(&out.stdout).expect("json");
    let diags = diags.as_array().expect("array");
    let wf101 = diags.iter().find(|d| d["code"] == "WF101").expect("WF101");
    let fix = &wf101["fixes"][0];
    assert_eq!(fix["title"], "replace `firstnam` with `firstname`");
    assert_eq!(fix["applicability"], "safe");
    let edit = &fix["edits"][0];
    assert_eq!(
        (
            &edit["file"],
            &edit["line"],
            &edit["column"],
            &edit["end_column"]
        ),
        (
            &Value::from("a.wf"),
            &Value::from(3),
            &Value::from(7),
            &Value::from(15)
        )
    );
    assert_eq!(edit["replacement"], "firstname");
    // Inside the quotes of a string: the quotes stay.
    let wf203 = diags.iter().find(|d| d["code"] == "WF203").expect("WF203");
    assert_eq!(wf203["fixes"][0]["edits"][0]["column"], 25);
    assert_eq!(wf203["fixes"][0]["edits"][0]["end_column"], 29);
    // Two labels are one edit away from `stepp`: unsafe.
    let wf104 = diags.iter().find(|d| d["code"] == "WF104").expect("WF104");
    assert_eq!(wf104["fixes"][0]["applicability"], "unsafe");
    // No fix, no key.
    let wf_clean = dir_with(
        "workflow \"A\" for contact {\n  set firstname = \"x\"\n  set nosuchthing = 1\n}\n",
    );
    let out = wfc(wf_clean.path(), &["check", "--format", "json", "a.wf"]);
    let diags: Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(diags[0].get("fixes").is_none(), "{}", out.stdout);
}

#[test]
fn diff_shows_the_safe_fixes_and_writes_nothing() {
    let t = dir_with(BROKEN);
    let out = wfc(t.path(), &["check", "--diff", "a.wf"]);
    assert_eq!(out.code, 1, "changes would be made: {}", out.stderr);
    assert!(
        out.stdout.starts_with("--- a/a.wf\n+++ b/a.wf\n@@"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\n-  set firstnam = \"x\"\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\n+  set firstname = \"x\"\n"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("goto step1"),
        "unsafe fixes need --unsafe-fixes"
    );
    assert!(
        out.stderr.contains("would fix 2 problems in 1 file"),
        "{}",
        out.stderr
    );
    assert_eq!(read(t.path()), BROKEN, "--diff never writes");
}

#[test]
fn fix_applies_safe_fixes_reports_the_rest_and_is_idempotent() {
    let t = dir_with(BROKEN);
    let out = wfc(t.path(), &["check", "--fix", "--color", "never", "a.wf"]);
    assert_eq!(out.code, 1, "WF104 is left: {}", out.stderr);
    assert!(
        out.stderr.contains("fixed 2 problems in 1 file"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("WF104"), "{}", out.stderr);
    assert!(!out.stderr.contains("WF101"), "{}", out.stderr);
    assert_eq!(read(t.path()), SAFE_FIXED);

    let again = wfc(t.path(), &["check", "--fix", "a.wf"]);
    assert!(!again.stderr.contains("fixed"), "{}", again.stderr);
    assert_eq!(read(t.path()), SAFE_FIXED, "a second run changes nothing");
    let diff = wfc(t.path(), &["check", "--diff", "a.wf"]);
    assert_eq!((diff.code, diff.stdout.as_str()), (0, ""));
    let leftovers: Vec<_> = std::fs::read_dir(t.path()).expect("dir").collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn unsafe_fixes_apply_the_others_too() {
    let t = dir_with(BROKEN);
    let out = wfc(t.path(), &["check", "--fix", "--unsafe-fixes", "a.wf"]);
    assert!(
        out.stderr.contains("fixed 3 problems in 1 file"),
        "{}",
        out.stderr
    );
    let text = read(t.path());
    assert!(
        text.contains("goto step1\n") || text.contains("goto step2\n"),
        "{text}"
    );
}

#[test]
fn fix_refuses_standard_input() {
    let t = dir_with(BROKEN);
    let out = wfc(t.path(), &["check", "--fix", "-"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot read standard input"),
        "{}",
        out.stderr
    );
}

#[test]
fn sarif_results_carry_fixes_and_never_an_empty_list() {
    let t = dir_with(BROKEN);
    let out = wfc(t.path(), &["check", "--format", "sarif", "a.wf"]);
    let log: Value = serde_json::from_str(&out.stdout).expect("sarif");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let wf101 = results
        .iter()
        .find(|r| r["ruleId"] == "WF101")
        .expect("WF101");
    let fix = &wf101["fixes"][0];
    assert_eq!(
        fix["description"]["text"],
        "replace `firstnam` with `firstname`"
    );
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "a.wf");
    let r = &change["replacements"][0];
    assert_eq!(r["deletedRegion"]["startLine"], 3);
    assert_eq!(r["deletedRegion"]["startColumn"], 7);
    assert_eq!(r["deletedRegion"]["endColumn"], 15);
    assert_eq!(r["insertedContent"]["text"], "firstname");
    for r in results {
        if let Some(f) = r.get("fixes") {
            assert!(!f.as_array().expect("array").is_empty(), "{r}");
        }
    }
    let clean = dir_with("workflow \"A\" for contact {\n  set nosuchthing = 1\n}\n");
    let out = wfc(clean.path(), &["check", "--format", "sarif", "a.wf"]);
    let log: Value = serde_json::from_str(&out.stdout).expect("sarif");
    assert!(
        log["runs"][0]["results"][0].get("fixes").is_none(),
        "{}",
        out.stdout
    );
}

#[test]
fn syntax_fixes_insert_a_missing_equals_sign_and_comma() {
    let t = dir_with(
        "workflow \"C\" for contact {\n  set firstname \"x\"\n  create company { name = \"a\" domain = \"b\" }\n}\n",
    );
    let out = wfc(t.path(), &["check", "--fix", "a.wf"]);
    assert!(
        out.stderr.contains("fixed 2 problems in 1 file"),
        "{}",
        out.stderr
    );
    assert_eq!(
        read(t.path()),
        "workflow \"C\" for contact {\n  set firstname = \"x\"\n  create company { name = \"a\", domain = \"b\" }\n}\n"
    );
}

/// WF303 on `app "<name>"`: a misspelt connected app, however it is
/// capitalised or padded (the name is compared trimmed and lower-cased),
/// is replaced by the connected app's name; an app with no close connected
/// one has no fix (connecting it is up to the account, not the file).
#[test]
fn app_typo_fix_ignores_case_and_padding() {
    let t = dir_with(
        "workflow \"Meetings\" for contact {\n  app \"Zoon\" action \"Create meeting\" {}\n  app \" docusing \" action \"Send envelope\" {}\n  app \"calendly\" action \"Book\" {}\n}\n",
    );
    std::fs::write(
        t.path().join("wf.toml"),
        "[account]\nmarketing = \"enterprise\"\nintegrations = [\"zoom\", \"docusign\"]\n",
    )
    .expect("write");
    let out = wfc(t.path(), &["check", "--format", "json", "a.wf"]);
    let diags: Value = serde_json::from_str(&out.stdout).expect("json");
    let fixes: Vec<(&str, &str)> = diags
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            let f = &d["fixes"][0];
            (
                f["title"].as_str().unwrap_or("none"),
                f["applicability"].as_str().unwrap_or("none"),
            )
        })
        .collect();
    assert_eq!(
        fixes,
        [
            ("replace `Zoon` with `zoom`", "safe"),
            // Two letters swapped: two edits away, so unsafe.
            ("replace ` docusing ` with `docusign`", "unsafe"),
            ("none", "none")
        ]
    );
    let out = wfc(t.path(), &["check", "--fix", "--color", "never", "a.wf"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("fixed 1 problem in 1 file"),
        "{}",
        out.stderr
    );
    let zoom = "workflow \"Meetings\" for contact {\n  app \"zoom\" action \"Create meeting\" {}\n  app \" docusing \" action \"Send envelope\" {}\n  app \"calendly\" action \"Book\" {}\n}\n";
    assert_eq!(read(t.path()), zoom);
    let out = wfc(
        t.path(),
        &[
            "check",
            "--fix",
            "--unsafe-fixes",
            "--color",
            "never",
            "a.wf",
        ],
    );
    assert_eq!(out.code, 1, "calendly is left: {}", out.stderr);
    assert!(
        out.stderr.contains("fixed 1 problem in 1 file"),
        "{}",
        out.stderr
    );
    assert_eq!(
        read(t.path()),
        zoom.replace("\" docusing \"", "\"docusign\"")
    );
}

/// A fix replaces only what is known to be the name: a candidate that
/// would need escaping inside quotes (`{`, `}`, `"`, `\`) is offered in the
/// help but never written by `--fix`, while a plain one is.
#[test]
fn a_candidate_that_needs_escaping_is_help_only() {
    let t = dir_with(
        "workflow \"Nurture {a}\" for contact {\n  delay 1d\n}\nworkflow \"Nurture\" for contact {\n  delay 1d\n}\nworkflow \"A\" for contact {\n  enroll in \"Nurture {b}\"\n  enroll in \"Nurtur\"\n}\n",
    );
    let out = wfc(t.path(), &["check", "--format", "json", "a.wf"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let diags: Value = serde_json::from_str(&out.stdout).expect("json");
    let seen: Vec<(u64, &str, &str)> = diags
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["help"].as_str().unwrap_or("none"),
                d["fixes"][0]["title"].as_str().unwrap_or("none"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (8, "did you mean `Nurture {a}`?", "none"),
            (
                9,
                "did you mean `Nurture`?",
                "replace `Nurtur` with `Nurture`"
            ),
        ]
    );
}
