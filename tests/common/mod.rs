//! Shared by the integration tests that include it with `mod common;`.

/// Every node kind a plan can hold, in the order of docs/runtime.md.
#[allow(dead_code)]
pub const ALL_KINDS: [&str; 34] = [
    "delay",
    "delay_until_time",
    "delay_until_event",
    "delay_until_date",
    "branch_if",
    "branch_value",
    "goto",
    "enroll_in_workflow",
    "webhook",
    "send_internal_email",
    "send_internal_sms",
    "send_notification",
    "send_email",
    "send_internal_marketing_email",
    "send_slack",
    "create_slack_channel",
    "create_asana_task",
    "app_action",
    "rotate_owner",
    "create_record",
    "create_task",
    "set_property",
    "append_property",
    "copy_property",
    "clear_property",
    "increase_property",
    "decrease_property",
    "add_to_list",
    "remove_from_list",
    "add_to_audience",
    "remove_from_audience",
    "set_subscription",
    "salesforce_task",
    "salesforce_campaign",
];

/// Every `.wf` file below `dir` (recursively), in path order, appended to
/// `out`. A folder that cannot be read fails the test.
#[allow(dead_code)]
pub fn wf_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            wf_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "wf") {
            out.push(p);
        }
    }
}

/// Insta settings that keep snapshots in `dir`, a folder relative to
/// `tests/` — next to the corpus case or in the suite's own
/// `tests/<suite>/snapshots/`, never in one flat folder. With
/// `suite_prefix`, files are named `<suite>__<name>.snap` (for a folder
/// several suites share, e.g. `tests/check/WF101/snapshots/`), otherwise
/// `<name>.snap`. Use as
/// `snapshots_in("graph/snapshots", false).bind(|| insta::assert_snapshot!(name, text))`.
#[allow(dead_code)]
pub fn snapshots_in(dir: impl AsRef<std::path::Path>, suite_prefix: bool) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir.as_ref());
    settings.set_prepend_module_to_snapshot(suite_prefix);
    settings
}

/// Fails unless `found` holds at least `min` cases of `what`: a folder walk
/// that finds nothing (folder moved, filter broken) must not pass silently.
#[allow(dead_code)]
#[track_caller]
pub fn assert_min_cases<T>(what: &str, found: &[T], min: usize) {
    assert!(
        found.len() >= min,
        "{what}: found {} cases, expected at least {min} (folder missing or moved?)",
        found.len()
    );
}
