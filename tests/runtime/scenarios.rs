//! Scenarios run through the real `wfc` binary, the way a user of the
//! contract writes them: `.wf` sources (and an optional `wf.toml`), a records
//! file and an events file in tests/runtime/scenarios/<name>/. Each snapshot
//! holds the exit code (when not 0, with stderr and what was written anyway),
//! the history and the `--state` file.
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
        // What a refused or stopped run left behind: the history written so
        // far (a valid prefix), never a state file.
        for (what, path) in [("history", &history), ("state", &state)] {
            match std::fs::read(path) {
                Ok(bytes) => {
                    text.push_str(&format!("--- {what}\n"));
                    text.push_str(&String::from_utf8_lossy(&bytes));
                }
                Err(_) => text.push_str(&format!("--- {what}: not written\n")),
            }
        }
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
    copy_converts,
    create_records,
    created_association_enrolls,
    date_centred,
    delay_1d_across_dst,
    delay_until_dst_new_york,
    delay_until_event,
    enroll_in,
    enroll_in_reenroll,
    enrollment_remembered,
    enrollment_skipped,
    event_trigger,
    events_before_start,
    events_created_later,
    events_created_records,
    events_enroll_created_other_type,
    events_enroll_other_type,
    events_not_created_form,
    events_unknown_record,
    goal_unenroll,
    lists_subscriptions,
    manual_reenroll,
    one_activity_several_workflows,
    one_change_several_workflows,
    one_project_two_folders,
    project_dst_teams,
    property_edits,
    records_from_state,
    records_unknown_custom_object,
    records_unknown_object,
    records_unknown_properties,
    reenroll,
    rotate_owner,
    same_instant_order,
    set_null_clears,
    several_projects,
    several_projects_loose_file,
    slack_channel_runtime,
    sms_per_recipient,
    start_order,
    start_order_other_changes,
    token_criteria,
    until_cutoff,
    until_inclusive,
);

/// The SMS limit through the real binary: 1,002 contacts text in January
/// (the last two are over the monthly limit); on 1 February (UTC) the count
/// starts again, so one of them texts successfully. Too long for a
/// snapshot, so asserted here.
#[test]
fn sms_monthly_limit_through_the_binary() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    std::fs::write(
        d.join("sms.wf"),
        "workflow \"Text\" for contact {\n  enroll when lifecyclestage is \"lead\"\n  send internal sms to number \"+31 6 1234 5678\" text \"Call {{ contact.firstname }}\"\n  delay until 1:00\n  if firstname is \"N1001\" {\n    send internal sms to number \"+31 6 1234 5678\" text \"Again\"\n  }\n}\n",
    )
    .expect("write workflow");
    let mut records = String::new();
    for i in 1..=1002 {
        records.push_str(&format!(
            "{{\"id\":\"c{i:04}\",\"object\":\"contact\",\"properties\":{{\"lifecyclestage\":\"lead\",\"firstname\":\"N{i}\"}}}}\n"
        ));
    }
    std::fs::write(d.join("records.jsonl"), records).expect("write records");
    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args([
            "run",
            "sms.wf",
            "--records",
            "records.jsonl",
            "--start",
            "2026-01-31T12:00:00Z",
        ])
        .current_dir(d)
        .output()
        .expect("wfc runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let history: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("history line is JSON"))
        .collect();
    let sms = |at_prefix: &str, event: &str| {
        history
            .iter()
            .filter(|h| {
                h["kind"] == "send_internal_sms"
                    && h["event"] == event
                    && h["at"].as_str().is_some_and(|a| a.starts_with(at_prefix))
            })
            .count()
    };
    assert_eq!(sms("2026-01-31", "action"), 1000);
    assert_eq!(sms("2026-01-31", "error"), 2);
    // After midnight UTC: a new month, the count starts again.
    assert_eq!(sms("2026-02-01", "action"), 1);
    assert_eq!(sms("2026-02-01", "error"), 0);
    let errors: Vec<(&str, &str)> = history
        .iter()
        .filter(|h| h["event"] == "error")
        .map(|h| {
            (
                h["record"].as_str().unwrap_or(""),
                h["detail"]["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (
                "c1001",
                "SMS monthly limit reached (1,000 texts per calendar month)"
            ),
            (
                "c1002",
                "SMS monthly limit reached (1,000 texts per calendar month)"
            ),
        ]
    );
    // A failed text is no `action`, and the record goes on with its next step.
    let c1001: Vec<&str> = history
        .iter()
        .filter(|h| h["record"] == "c1001")
        .map(|h| h["event"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        c1001,
        ["enrolled", "error", "delayed", "branch", "action", "finished"]
    );
    let sms_detail = history
        .iter()
        .find(|h| h["record"] == "c0001" && h["kind"] == "send_internal_sms")
        .map(|h| h["detail"].clone());
    assert_eq!(
        sms_detail,
        Some(serde_json::json!({"to": ["+31 6 1234 5678"], "text": "Call N1", "status": "sent"}))
    );
}
