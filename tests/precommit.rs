//! The hook definitions in `.pre-commit-hooks.yaml`, run the way pre-commit
//! runs them: `entry args... file1 file2`, from the repository's root, with
//! only the changed files named (docs/ci.md). A named file inside a project
//! is checked in its project, so a workflow defined in a sibling file
//! resolves.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One hook of `.pre-commit-hooks.yaml`: the keys this test needs.
#[derive(Debug, Default)]
struct Hook {
    id: String,
    entry: String,
    args: Vec<String>,
    files: String,
}

/// Reads the small YAML subset the file uses: a list of mappings with plain
/// scalar values and an optional flow list for `args`.
fn hooks() -> Vec<Hook> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let text = fs::read_to_string(&path).expect("read .pre-commit-hooks.yaml");
    let mut hooks: Vec<Hook> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        let item = trimmed.strip_prefix("- ");
        if item.is_some() {
            hooks.push(Hook::default());
        }
        let (key, value) = item
            .unwrap_or(trimmed)
            .split_once(':')
            .expect("a `key: value` line");
        let value = value.trim().to_string();
        let hook = hooks.last_mut().expect("a key before the first hook");
        match key {
            "id" => hook.id = value,
            "entry" => hook.entry = value,
            "files" => hook.files = value,
            "args" => {
                let inner = value
                    .strip_prefix('[')
                    .and_then(|v| v.strip_suffix(']'))
                    .expect("args as a flow list");
                hook.args = inner
                    .split(',')
                    .map(|a| a.trim().trim_matches('"').to_string())
                    .filter(|a| !a.is_empty())
                    .collect();
            }
            _ => {}
        }
    }
    hooks
}

fn hook(id: &str) -> Hook {
    hooks()
        .into_iter()
        .find(|h| h.id == id)
        .unwrap_or_else(|| panic!("no hook `{id}` in .pre-commit-hooks.yaml"))
}

/// Runs `entry args... files...` in `dir`, the `wfc` of the entry being the
/// binary under test.
fn run(hook: &Hook, dir: &Path, files: &[&str]) -> Output {
    let mut words = hook.entry.split_whitespace();
    assert_eq!(words.next(), Some("wfc"), "the entry runs wfc");
    Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(words)
        .args(&hook.args)
        .args(files)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("spawn wfc")
}

/// A repository holding a copy of examples/project under `crm/`.
fn repo_with_project() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let project = tmp.path().join("crm");
    fs::create_dir_all(&project).expect("mkdir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/project");
    for entry in fs::read_dir(&src).expect("read examples/project") {
        let entry = entry.expect("entry");
        if entry.path().is_file() {
            fs::copy(entry.path(), project.join(entry.file_name())).expect("copy");
        }
    }
    (tmp, project)
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn every_hook_runs_wfc_on_wf_files_only() {
    let all = hooks();
    let ids: Vec<&str> = all.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["wfc-check", "wfc-fmt", "wfc-fmt-check"]);
    for h in &all {
        assert!(h.entry.starts_with("wfc "), "{h:?}");
        assert_eq!(h.files, r"\.wf$", "{h:?}");
    }
}

#[test]
fn check_hook_passes_on_a_changed_file_whose_workflows_enroll_in_a_sibling() {
    let (tmp, _project) = repo_with_project();
    // onboarding.wf enrolls in a workflow of success.wf: only the changed
    // file is named, as pre-commit does.
    let out = run(&hook("wfc-check"), tmp.path(), &["crm/onboarding.wf"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(
        &hook("wfc-check"),
        tmp.path(),
        &["crm/onboarding.wf", "crm/renewals.wf"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn check_hook_fails_on_a_changed_file_with_an_error_and_names_it() {
    let (tmp, project) = repo_with_project();
    let path = project.join("renewals.wf");
    let source = fs::read_to_string(&path).expect("read");
    fs::write(&path, source.replacen("workflow ", "workflw ", 1)).expect("write");
    let out = run(&hook("wfc-check"), tmp.path(), &["crm/renewals.wf"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("renewals.wf"), "{}", text(&out));
}

#[test]
fn fmt_hooks_check_then_format_the_changed_files() {
    let (tmp, project) = repo_with_project();
    let out = run(&hook("wfc-fmt-check"), tmp.path(), &["crm/success.wf"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let path = project.join("success.wf");
    let formatted = fs::read_to_string(&path).expect("read");
    fs::write(&path, formatted.replace("\n  ", "\n      ")).expect("write");
    let out = run(&hook("wfc-fmt-check"), tmp.path(), &["crm/success.wf"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    let out = run(&hook("wfc-fmt"), tmp.path(), &["crm/success.wf"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(fs::read_to_string(&path).expect("read"), formatted);
}
