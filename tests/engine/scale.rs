//! Scale-out: several `wfc serve` processes on one PostgreSQL database
//! (a schema of the test's own). Skipped, with one printed line, when
//! `WFC_TEST_POSTGRES` is not set; `.ci/run` sets it and fails when the
//! server cannot be reached.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::server::{start, Server, Store, POSTGRES_VAR};

const START: &str = "2026-01-01T00:00:00Z";
const END: &str = "2026-03-01T00:00:00Z";

use super::crash::{input, workflow};

fn postgres(name: &str) -> Option<Store> {
    if std::env::var(POSTGRES_VAR).is_err() {
        eprintln!("skipped: {POSTGRES_VAR} is not set (see README)");
        return None;
    }
    Store::postgres(name)
}

/// One `wfc serve` on `db`; the first deploys the project, the others run
/// what is deployed.
fn serve(dir: &Path, db: &str, deploy: bool, name: &str) -> Server {
    let mut args = vec![
        "--db",
        db,
        "--clock",
        "virtual",
        "--start",
        START,
        "--lease",
        "1",
        "--worker-id",
        name,
    ];
    if deploy {
        args.insert(0, "w.wf");
    }
    start(dir, &args, &[]).expect("wfc serve starts")
}

/// Post input `i` until it is acknowledged (a killed process's request is
/// posted again, with the same key, to the next process).
fn post(servers: &[Option<Server>], i: usize) {
    let (path, body) = input(i);
    let key = format!("input-{i}");
    for turn in 0..servers.len() * 3 {
        let Some(s) = &servers[(i + turn) % servers.len()] else {
            continue;
        };
        if let Ok((202, _)) = s.try_request("POST", path, Some(&body), &[("Idempotency-Key", &key)])
        {
            return;
        }
    }
    panic!("input {i} was never acknowledged");
}

/// Every record's own history, without `seq`.
pub fn per_record(history: &[Value]) -> std::collections::BTreeMap<String, Vec<Value>> {
    let mut out: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for e in history {
        let mut e = e.clone();
        if let Some(o) = e.as_object_mut() {
            o.remove("seq");
        }
        let id = e["record"].as_str().unwrap_or_default().to_string();
        out.entry(id).or_default().push(e);
    }
    out
}

fn assert_numbered(history: &[Value]) {
    for (n, e) in history.iter().enumerate() {
        assert_eq!(e["seq"], json!(n + 1), "seq is global and gap-free");
    }
}

const INPUTS: usize = 150;

#[test]
fn three_processes_one_killed_process_every_input_exactly_once() {
    let Some(store) = postgres("threeprocs") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("w.wf"), workflow(None)).expect("write");
    let db = store.db();

    // The reference: one process, the same inputs.
    let single_store = Store::postgres("oneproc").expect("PostgreSQL");
    let single = serve(tmp.path(), &single_store.db(), true, "single");
    let one = [Some(single)];
    for i in 0..INPUTS {
        post(&one, i);
    }
    let [Some(single)] = one else { unreachable!() };
    single.post("/v1/clock", &json!({ "advance_to": END }));
    let want_history = single.history("");
    let want_records = single.records();
    drop(single);
    assert!(want_history.len() > INPUTS, "the workload does work");

    let mut servers: Vec<Option<Server>> = vec![
        Some(serve(tmp.path(), &db, true, "p1")),
        Some(serve(tmp.path(), &db, false, "p2")),
        Some(serve(tmp.path(), &db, false, "p3")),
    ];
    for i in 0..INPUTS {
        if i == INPUTS / 3 {
            // kill -9 in the middle of the load: its claimed work is
            // taken over when the lease (1 s) expires.
            if let Some(s) = servers[1].take() {
                s.kill();
            }
        }
        if i == 2 * INPUTS / 3 {
            servers[1] = Some(serve(tmp.path(), &db, false, "p2-restarted"));
        }
        post(&servers, i);
    }
    let first = servers[0].as_ref().expect("p1 runs");
    first.post("/v1/clock", &json!({ "advance_to": END }));
    // Every process sees the same feed.
    let history = first.history("");
    for s in servers.iter().flatten() {
        assert_eq!(s.history(""), history, "one feed for all processes");
    }
    assert_numbered(&history);
    assert_eq!(history.len(), want_history.len(), "nothing lost or doubled");
    assert_eq!(
        per_record(&history),
        per_record(&want_history),
        "each record's history equals a single-process run"
    );
    assert_eq!(first.records(), want_records);
    let left = store.query(
        "SELECT (SELECT count(*) FROM inputs),
                (SELECT count(*) FROM timers WHERE owner IS NOT NULL),
                (SELECT count(*) FROM history WHERE seq IS NULL),
                (SELECT count(*) FROM outbox WHERE owner IS NOT NULL)",
    );
    let counts: Vec<i64> = (0..4).map(|i| left[0].get::<_, i64>(i)).collect();
    assert_eq!(
        counts,
        vec![0, 0, 0, 0],
        "no input, lease or unnumbered event left"
    );
}

#[test]
fn an_expired_lease_is_taken_over() {
    let Some(store) = postgres("lease") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("w.wf"), workflow(None)).expect("write");
    let server = serve(tmp.path(), &store.db(), true, "alive");
    let (s, _) = server.request(
        "POST",
        "/v1/records",
        Some(&json!([{"id": "c1", "object": "contact", "properties": {"hubspotscore": 5}}])),
        &[],
    );
    assert_eq!(s, 202);
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.records().is_empty() {
        assert!(Instant::now() < deadline, "the record was never stored");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A process that died while holding an input: its lease runs 2 s more.
    store.query(&format!(
        "INSERT INTO inputs (due, key, kind, body, owner, lease_until)
         VALUES ({}, 'c1', 'event', '{}', 'ghost', clock_timestamp() + interval '2 seconds')",
        chrono::DateTime::parse_from_rfc3339(START)
            .expect("time")
            .timestamp_micros(),
        json!({"record": "c1", "type": "set", "at": START, "properties": {"hubspotscore": 60}})
    ));
    std::thread::sleep(Duration::from_millis(300));
    let score = |s: &Server| s.get("/v1/records/c1")["properties"]["hubspotscore"].clone();
    assert_eq!(
        score(&server),
        json!(5),
        "held work is not run by another process"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while score(&server) != json!(60) {
        assert!(
            Instant::now() < deadline,
            "the expired lease was never taken over"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let history = server.history("&record=c1");
    assert!(
        history.iter().any(|e| e["event"] == "enrolled"),
        "the taken-over input ran: {history:?}"
    );
}

const COPY: &str = r#"workflow "Copy down" for company {
  enroll when numberofemployees > 1000
  reenroll
  copy city to contact.city
}
"#;

#[test]
fn units_contending_for_the_same_records_commit_whole() {
    let Some(store) = postgres("contend") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("w.wf"), COPY).expect("write");
    let db = store.db();
    let a = serve(tmp.path(), &db, true, "a");
    let b = serve(tmp.path(), &db, false, "b");
    // Two companies share ten contacts: each enrollment of either one
    // writes all ten in one unit.
    let contacts: Vec<String> = (0..10).map(|i| format!("k{i}")).collect();
    let mut records: Vec<Value> = contacts
        .iter()
        .map(|id| json!({"id": id, "object": "contact", "properties": {}}))
        .collect();
    for co in ["A", "B"] {
        records.push(
            json!({"id": co, "object": "company", "properties": {"numberofemployees": 10},
            "associations": {"contact": contacts}}),
        );
    }
    a.post("/v1/records", &Value::Array(records));
    let rounds = 30;
    let mut threads = Vec::new();
    for (server, co) in [(a, "A"), (b, "B")] {
        threads.push(std::thread::spawn(move || {
            for r in 0..rounds {
                for n in [2000, 10] {
                    let body = json!({"record": co, "type": "set",
                        "properties": {"numberofemployees": n, "city": format!("{co}-{r}")}});
                    let (s, v) = server.request("POST", "/v1/events", Some(&body), &[]);
                    assert_eq!(s, 202, "{v}");
                }
            }
            server
        }));
    }
    let servers: Vec<Server> = threads
        .into_iter()
        .map(|t| t.join().expect("poster"))
        .collect();
    servers[0].post("/v1/clock", &json!({ "advance_to": END }));
    let history = servers[0].history("");
    assert_numbered(&history);
    for co in ["A", "B"] {
        let enrolled = history
            .iter()
            .filter(|e| e["record"] == co && e["event"] == "enrolled")
            .count();
        assert_eq!(enrolled, rounds, "company {co}: every enrollment ran once");
    }
    // Each unit wrote all ten contacts or none: they all hold one value.
    let cities: std::collections::BTreeSet<String> = contacts
        .iter()
        .map(|id| {
            servers[0].get(&format!("/v1/records/{id}"))["properties"]["city"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(cities.len(), 1, "contacts disagree: {cities:?}");
    let city = cities.into_iter().next().unwrap_or_default();
    assert!(city.ends_with(&format!("-{}", rounds - 1)), "{city}");
}
