//! The commands README.md shows work as pasted, and print what it says.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("read README.md")
}

/// Run `wfc` in `dir` with `args`: (exit code, stdout, stderr).
fn wfc(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run wfc");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}

#[test]
fn the_tour_commands_print_what_the_readme_shows() {
    let readme = readme();
    let (code, _, stderr) = wfc(&root(), &["check", "examples/"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        readme.contains("$ wfc check examples/ ") && readme.contains(stderr.trim_end()),
        "README.md should show `{}` after `wfc check examples/`",
        stderr.trim_end()
    );
    let (code, _, stderr) = wfc(&root().join("examples/project"), &["check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(readme.contains(stderr.trim_end()), "{stderr}");
}

#[test]
fn the_run_example_works_as_pasted() {
    let readme = readme();
    let command =
        "wfc run --records records.jsonl --events events.jsonl --start 2026-03-02T08:00:00Z";
    assert!(
        readme.contains("cd examples/lead-nurture\n") && readme.contains(command),
        "README.md no longer shows the run of examples/lead-nurture"
    );
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();
    let (code, stdout, stderr) = wfc(&root().join("examples/lead-nurture"), &args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
    // Every history line the README quotes is in the real output.
    let quoted: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("{\"seq\":") && l.contains("Benelux lead nurture"))
        .collect();
    assert!(quoted.len() >= 3, "the README quotes history lines");
    for line in quoted {
        assert!(
            stdout.lines().any(|l| l == line),
            "README.md quotes a history line the run does not print:\n{line}"
        );
    }
    // The run reaches every path of the example: the team rotation, the
    // hot-lead goto, the pricing wait, the event trigger and the goal.
    for needle in [
        "\"kind\":\"rotate_owner\",\"detail\":{\"owner\":\"ana@example.com\"}",
        "\"event\":\"goto\"",
        "\"kind\":\"increase_property\"",
        "\"trigger\":\"event\"",
        "\"event\":\"goal_met\"",
    ] {
        assert!(stdout.contains(needle), "no {needle} in\n{stdout}");
    }
    assert!(!stdout.contains("\"event\":\"error\""), "{stdout}");
}
