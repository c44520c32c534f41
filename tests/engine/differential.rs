//! The differential guarantee: every `wfc run` scenario that exits 0,
//! replayed through `wfc serve --clock virtual` over HTTP (bundle from
//! `wfc build --bundle`, the run's start, records as one array, events as
//! one array, the clock advanced to the run's end), gives the same history
//! (every field but `seq`) and the same records.

use std::path::Path;

use serde_json::{json, Value};

use super::server::{copy_dir, jsonl, start, wfc, Store, POSTGRES_VAR};

const DEFAULT_START: &str = "2026-01-01T00:00:00Z";

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn time(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339")
        .with_timezone(&chrono::Utc)
}

fn without_seq(mut events: Vec<Value>) -> Vec<Value> {
    for e in &mut events {
        if let Some(o) = e.as_object_mut() {
            o.remove("seq");
        }
    }
    events
}

/// Replay one scenario; `Ok(false)` when `wfc run` does not exit 0 on it.
fn replay(name: &str, postgres: bool) -> Result<bool, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/runtime/scenarios")
        .join(name);
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = tmp.path().join(name);
    copy_dir(&src, &dir);
    let args: Vec<String> = match std::fs::read_to_string(dir.join("args")) {
        Ok(t) => t.split_whitespace().map(str::to_string).collect(),
        Err(_) => {
            let mut a: Vec<String> = vec![".".into(), "--records".into(), "records.jsonl".into()];
            if dir.join("events.jsonl").exists() {
                a.extend(["--events".into(), "events.jsonl".into()]);
            }
            a
        }
    };
    let mut run_args: Vec<&str> = vec!["run"];
    run_args.extend(args.iter().map(String::as_str));
    run_args.extend(["--history", "../history.jsonl", "--state", "../state.jsonl"]);
    let (code, _, _) = wfc(&dir, &run_args);
    if code != 0 {
        return Ok(false);
    }
    let paths: Vec<&str> = args
        .iter()
        .take_while(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    let mut build = vec!["build", "--bundle"];
    build.extend(&paths);
    let (code, bundle, err) = wfc(&dir, &build);
    if code != 0 {
        return Err(format!("wfc build --bundle: exit {code}: {err}"));
    }
    std::fs::write(tmp.path().join("bundle.json"), &bundle).map_err(|e| e.to_string())?;

    let records =
        jsonl(&dir.join(flag(&args, "--records").unwrap_or_else(|| "records.jsonl".into())));
    let events = flag(&args, "--events")
        .map(|e| jsonl(&dir.join(e)))
        .unwrap_or_default();
    let start_at = flag(&args, "--start")
        .map(|s| time(&s))
        .or_else(|| {
            events
                .iter()
                .filter_map(|e| e["at"].as_str())
                .map(time)
                .min()
        })
        .unwrap_or_else(|| time(DEFAULT_START));
    let end = flag(&args, "--until")
        .map(|s| time(&s))
        .unwrap_or(start_at + chrono::Duration::days(400));
    let start_text = start_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    let store = if postgres {
        Store::postgres(name).ok_or("PostgreSQL is not configured")?
    } else {
        Store::Sqlite
    };
    let db = match &store {
        Store::Sqlite => format!("sqlite:{}", tmp.path().join("engine.db").display()),
        pg => pg.db(),
    };
    let server = start(
        tmp.path(),
        &[
            "bundle.json",
            "--db",
            &db,
            "--clock",
            "virtual",
            "--start",
            &start_text,
        ],
        &[],
    )?;
    server.try_post("/v1/records", &Value::Array(records))?;
    if !events.is_empty() {
        server.try_post("/v1/events", &Value::Array(events))?;
    }
    let end_text = end.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    let now = server.try_post("/v1/clock", &json!({ "advance_to": end_text }))?;
    if now["now"] != json!(end_text) {
        return Err(format!("clock answer {now}"));
    }
    let got = server.history("");
    let want = jsonl(&tmp.path().join("history.jsonl"));
    // seq is gap-free from 1 in the engine's feed.
    for (i, e) in got.iter().enumerate() {
        if e["seq"] != json!(i + 1) {
            return Err(format!("seq {} at position {i}", e["seq"]));
        }
    }
    let (got, want) = (without_seq(got), without_seq(want));
    if got != want {
        let show = |v: &[Value]| {
            v.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        };
        return Err(format!(
            "history differs\n--- engine\n{}\n--- wfc run\n{}",
            show(&got),
            show(&want)
        ));
    }
    let got = server.records();
    let want = jsonl(&tmp.path().join("state.jsonl"));
    if got != want {
        return Err(format!(
            "records differ\n--- engine\n{got:#?}\n--- wfc run\n{want:#?}"
        ));
    }
    if server.stop() != Some(0) {
        return Err("wfc serve did not exit 0 on SIGTERM".into());
    }
    Ok(true)
}

fn replay_all(postgres: bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runtime/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("scenarios")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    let mut replayed = 0;
    let mut failures = Vec::new();
    for name in &names {
        match replay(name, postgres) {
            Ok(true) => replayed += 1,
            Ok(false) => {}
            Err(e) => failures.push(format!("== {name}\n{e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n\n")
    );
    // Most scenarios run: a harness that skips everything must fail.
    assert!(replayed >= 25, "only {replayed} scenarios replayed");
}

#[test]
fn every_scenario_that_runs_gives_the_same_history_and_records_on_sqlite() {
    replay_all(false);
}

#[test]
fn every_scenario_that_runs_gives_the_same_history_and_records_on_postgres() {
    if std::env::var(POSTGRES_VAR).is_err() {
        eprintln!("skipped: {POSTGRES_VAR} is not set (see README)");
        return;
    }
    replay_all(true);
}
