//! `wfc run` as a command: files in and out, exit codes, determinism.
//! (A module of tests/runtime.rs.)

use std::path::Path;

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: wfc::cli::run::Args,
}

fn run(args: &[&str]) -> i32 {
    let mut argv = vec!["wfc-run"];
    argv.extend_from_slice(args);
    match Cli::try_parse_from(argv) {
        Ok(cli) => wfc::cli::run::run(cli.args),
        Err(e) => e.exit_code(),
    }
}

const PLAN: &str = r#"{
  "format": "wfplan/1", "name": "Nurture", "object": "contact",
  "triggers": [{"kind": "filter", "condition": {"op": "compare", "property": {"object": null, "property": "lifecyclestage"}, "cmp": "is", "value": "lead"}}],
  "reenroll": false, "goals": [], "unenroll": [], "start": "n1",
  "nodes": [
    {"id": "n1", "kind": "delay", "minutes": 60, "next": "n2", "source": {"file": "x.wf", "line": 2, "column": 3}},
    {"id": "n2", "kind": "set_property", "target": {"object": null, "property": "hs_lead_status"}, "value": "OPEN", "next": null, "source": {"file": "x.wf", "line": 3, "column": 3}}
  ],
  "source": {"file": "x.wf", "line": 1, "column": 1}
}"#;

const RECORDS: &str = r#"{"id":"c1","object":"contact","properties":{"lifecyclestage":"lead"}}
{"id":"c2","object":"contact","properties":{"lifecyclestage":"subscriber"}}
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p.display().to_string()
}

#[test]
fn run_writes_history_and_state_files_and_is_byte_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let plan = write(d, "plan.json", PLAN);
    let records = write(d, "records.jsonl", RECORDS);
    let events = write(
        d,
        "events.jsonl",
        r#"{"at":"2026-01-01T00:30:00Z","record":"c2","type":"set","properties":{"lifecyclestage":"lead"}}"#,
    );
    let mut outputs = Vec::new();
    for i in 0..2 {
        let history = d.join(format!("h{i}.jsonl")).display().to_string();
        let state = d.join(format!("s{i}.jsonl")).display().to_string();
        let code = run(&[
            &plan,
            "--records",
            &records,
            "--events",
            &events,
            "--start",
            "2026-01-01T00:00:00Z",
            "--history",
            &history,
            "--state",
            &state,
        ]);
        assert_eq!(code, 0);
        outputs.push((
            std::fs::read(&history).expect("history"),
            std::fs::read(&state).expect("state"),
        ));
    }
    assert_eq!(outputs[0], outputs[1]);
    let history = String::from_utf8(outputs[0].0.clone()).expect("utf-8");
    let state = String::from_utf8(outputs[0].1.clone()).expect("utf-8");
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("cli_files", format!("{history}--- state\n{state}"));
    });
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let plan = write(d, "plan.json", PLAN);
    let records = write(d, "records.jsonl", RECORDS);
    let history = d.join("h.jsonl").display().to_string();

    // Invalid plans: exit 1.
    let bad_edge = write(
        d,
        "bad_edge.json",
        &PLAN.replace(r#""next": "n2""#, r#""next": "n9""#),
    );
    assert_eq!(
        run(&[&bad_edge, "--records", &records, "--history", &history]),
        1
    );
    let dup = write(
        d,
        "dup.json",
        &PLAN.replace(r#""id": "n2""#, r#""id": "n1""#),
    );
    assert_eq!(
        run(&[&dup, "--records", &records, "--history", &history]),
        1
    );
    let bad_kind = write(
        d,
        "bad_kind.json",
        &PLAN.replace(r#""kind": "delay""#, r#""kind": "teleport""#),
    );
    assert_eq!(
        run(&[&bad_kind, "--records", &records, "--history", &history]),
        1
    );
    // A hand-written plan that loops (n2 back to n1): the compiler never
    // emits one, the loader refuses it.
    let cyclic = write(
        d,
        "cyclic.json",
        &PLAN.replace(
            r#""next": null, "source": {"file": "x.wf", "line": 3"#,
            r#""next": "n1", "source": {"file": "x.wf", "line": 3"#,
        ),
    );
    assert_ne!(
        std::fs::read_to_string(&cyclic).ok(),
        Some(PLAN.to_string())
    );
    assert_eq!(
        run(&[&cyclic, "--records", &records, "--history", &history]),
        1
    );
    let not_json = write(d, "not.json", "{");
    assert_eq!(
        run(&[&not_json, "--records", &records, "--history", &history]),
        1
    );

    // Usage and I/O: exit 2.
    let early = write(
        d,
        "early.jsonl",
        r#"{"at":"2025-12-31T23:00:00Z","record":"c1","type":"custom","name":"x"}"#,
    );
    assert_eq!(
        run(&[
            &plan,
            "--records",
            &records,
            "--events",
            &early,
            "--start",
            "2026-01-01T00:00:00Z",
            "--history",
            &history
        ]),
        2
    );
    let bad_records = write(d, "bad.jsonl", "{\"id\":\"c1\"}\n");
    assert_eq!(
        run(&[&plan, "--records", &bad_records, "--history", &history]),
        2
    );
    let dup_records = write(
        d,
        "dup.jsonl",
        "{\"id\":\"c1\",\"object\":\"contact\"}\n{\"id\":\"c1\",\"object\":\"contact\"}\n",
    );
    assert_eq!(
        run(&[&plan, "--records", &dup_records, "--history", &history]),
        2
    );
    let unknown_wf = write(
        d,
        "wf.jsonl",
        r#"{"at":"2026-01-01T00:00:00Z","record":"c1","type":"enroll","workflow":"Nope"}"#,
    );
    assert_eq!(
        run(&[
            &plan,
            "--records",
            &records,
            "--events",
            &unknown_wf,
            "--history",
            &history
        ]),
        2
    );
    let unknown_rec = write(
        d,
        "rec.jsonl",
        r#"{"at":"2026-01-01T00:00:00Z","record":"zz","type":"custom","name":"x"}"#,
    );
    assert_eq!(
        run(&[
            &plan,
            "--records",
            &records,
            "--events",
            &unknown_rec,
            "--history",
            &history
        ]),
        2
    );
    let missing = d.join("missing.jsonl").display().to_string();
    assert_eq!(
        run(&[&plan, "--records", &missing, "--history", &history]),
        2
    );
    assert_eq!(
        run(&[
            &plan,
            "--records",
            &records,
            "--start",
            "yesterday",
            "--history",
            &history
        ]),
        2
    );
    assert_eq!(run(&[&plan, "--history", &history]), 2);
    assert_eq!(
        run(&[
            &plan,
            "--records",
            &records,
            "--start",
            "2026-02-01T00:00:00Z",
            "--until",
            "2026-01-01T00:00:00Z",
            "--history",
            &history
        ]),
        2
    );

    // None of the refused runs above created the history file.
    assert!(
        !Path::new(&history).exists(),
        "a refused run must write nothing"
    );

    // A complete run with in-run errors is still 0.
    assert_eq!(
        run(&[&plan, "--records", &records, "--history", &history]),
        0
    );
}

/// A run refused before it starts leaves existing `--history` and `--state`
/// files as they were; a run stopped by a created id that does not exist
/// yet keeps the history so far and does not touch `--state`.
#[test]
fn refused_and_stopped_runs_leave_the_output_files_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let plan = write(d, "plan.json", PLAN);
    let records = write(d, "records.jsonl", RECORDS);
    let history = write(d, "h.jsonl", "old history\n");
    let state = write(d, "s.jsonl", "old state\n");
    let wrong_type = write(
        d,
        "wrong.jsonl",
        r#"{"at":"2026-01-01T00:00:00Z","record":"deal-1","type":"enroll","workflow":"Nurture"}"#,
    );
    let args = |events: &str| -> i32 {
        run(&[
            &plan,
            "--records",
            &records,
            "--events",
            events,
            "--history",
            &history,
            "--state",
            &state,
        ])
    };
    assert_eq!(args(&wrong_type), 2);
    assert_eq!(
        std::fs::read_to_string(&history).ok().as_deref(),
        Some("old history\n")
    );
    assert_eq!(
        std::fs::read_to_string(&state).ok().as_deref(),
        Some("old state\n")
    );

    let not_yet = write(
        d,
        "later.jsonl",
        r#"{"at":"2026-01-01T02:00:00Z","record":"contact-1","type":"custom","name":"x"}"#,
    );
    assert_eq!(args(&not_yet), 2);
    let written = std::fs::read_to_string(&history).unwrap_or_default();
    // The run starts at the event's time: c1 enrolls and starts its delay,
    // then the event naming `contact-1` (never created) stops the run.
    assert_eq!(written.lines().count(), 2, "{written}");
    assert!(written.contains(r#""event":"delayed""#));
    assert!(written.lines().all(|l| l.contains(r#""record":"c1""#)));
    assert_eq!(
        std::fs::read_to_string(&state).ok().as_deref(),
        Some("old state\n")
    );
}
