//! Shared by the integration tests that include it with `mod common;`.

/// Every node kind of `shared/runtime.md`, in its order.
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
