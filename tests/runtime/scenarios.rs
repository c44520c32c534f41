//! Scenarios run through the real `wfc` binary, the way a user of the
//! contract writes them: `.wf` sources (and an optional `wf.toml`), a records
//! file and an events file in tests/runtime/scenarios/<name>/. Each snapshot
//! holds the exit code (when not 0), the history and the `--state` file.
//! (A module of tests/runtime.rs.)
//!
//! A scenario folder holds:
//! - one or more `.wf` files, optionally `wf.toml`;
//! - `records.jsonl`, optionally `events.jsonl`;
//! - optionally `args`: the arguments after `wfc run` (whitespace-separated,
//!   `--history`/`--state` are added). Default: `. --records records.jsonl`
//!   plus `--events events.jsonl` when that file exists.
//!
//! The folder is copied to a temporary folder first, so that no `wf.toml`
//! of an enclosing folder is picked up and nothing is written to the tree.

use std::path::{Path, PathBuf};
use std::process::Command;

fn scenario_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runtime/scenarios")
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read scenario folder") {
        let entry = entry.expect("scenario entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy scenario file");
        }
    }
}

/// Run one scenario; returns the text that is snapshotted.
pub fn run_scenario(name: &str) -> String {
    let src = scenario_root().join(name);
    assert!(src.is_dir(), "no scenario folder {}", src.display());
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    copy_dir(&src, &dir);

    let mut args: Vec<String> = match std::fs::read_to_string(dir.join("args")) {
        Ok(text) => text.split_whitespace().map(str::to_string).collect(),
        Err(_) => {
            let mut a = vec![".".into(), "--records".into(), "records.jsonl".into()];
            if dir.join("events.jsonl").exists() {
                a.extend(["--events".into(), "events.jsonl".into()]);
            }
            a
        }
    };
    let history = tmp.path().join("history.jsonl");
    let state = tmp.path().join("state.jsonl");
    args.extend([
        "--history".into(),
        history.display().to_string(),
        "--state".into(),
        state.display().to_string(),
    ]);
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_wfc"))
            .arg("run")
            .args(&args)
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .output()
            .expect("wfc runs")
    };
    let out = run();
    let code = out.status.code().unwrap_or(-1);
    let mut text = String::new();
    if code != 0 {
        text.push_str(&format!("exit {code}\n"));
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        return text;
    }
    let first = (
        std::fs::read(&history).expect("history written"),
        std::fs::read(&state).expect("state written"),
    );
    // Same inputs, byte-identical outputs.
    let again = run();
    assert_eq!(again.status.code(), Some(0));
    let second = (
        std::fs::read(&history).expect("history written"),
        std::fs::read(&state).expect("state written"),
    );
    assert!(first == second, "scenario {name}: a second run differs");
    assert!(
        out.stderr.is_empty(),
        "scenario {name}: stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.push_str(&String::from_utf8_lossy(&first.0));
    text.push_str("--- state\n");
    text.push_str(&String::from_utf8_lossy(&first.1));
    text
}

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        /// Every scenario folder has a test below (and every test a folder).
        #[test]
        fn every_scenario_folder_is_listed() {
            let mut listed = vec![$(stringify!($name)),*];
            listed.sort();
            let mut found: Vec<String> = std::fs::read_dir(scenario_root())
                .expect("scenario root")
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            found.sort();
            assert_eq!(found, listed);
        }
        $(
            #[test]
            fn $name() {
                let out = run_scenario(stringify!($name));
                insta::with_settings!({
                    snapshot_path => "snapshots/scenarios",
                    prepend_module_to_snapshot => false,
                    omit_expression => true,
                }, {
                    insta::assert_snapshot!(stringify!($name), out);
                });
            }
        )*
    };
}

scenarios!(
    action_errors,
    associated_trigger,
    branches_goto,
    communication,
    compile_error,
    create_records,
    date_centred,
    delay_until_event,
    enroll_in,
    enrollment_skipped,
    events_before_start,
    goal_unenroll,
    lists_subscriptions,
    project_dst_teams,
    property_edits,
    reenroll,
    same_instant_order,
    start_order,
    until_cutoff,
);
