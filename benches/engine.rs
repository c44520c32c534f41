//! `wfc serve` benchmarks, through the real binary over HTTP and a real
//! SQLite file (`synchronous=FULL`), reported in docs/benchmarks.md:
//!
//! 1. durable throughput: history events committed per second while a
//!    virtual-clock engine runs N contacts through a 10-step workflow
//!    (delays, a branch, property edits, a list, an email); and, in the same
//!    run, SQLite inserting the same history rows into the same table in
//!    the same number of transactions (the store's physical limit);
//! 2. ingest: single `POST /v1/events` latency (p50/p99) at low load, and
//!    events per second with 1,000 events per request, counted when
//!    processed (their units committed), load generator included;
//! 3. memory: the server's RSS after each batch of the batched run;
//! 4. PostgreSQL scale-out (when `WFC_TEST_POSTGRES` is set): the durable
//!    run with 1, 2 and 4 processes on one database, and raw inserts of the
//!    same rows into PostgreSQL.
//!
//! `cargo bench --bench engine` (N: `WFC_BENCH_CONTACTS`, default 10,000).

#[allow(dead_code)]
#[path = "../tests/engine/server.rs"]
mod server;

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use serde_json::{json, Value};

const WORKFLOW: &str = r#"workflow "Bench" for contact {
  enroll when lifecyclestage is "lead"
  set hs_lead_status = "NEW"
  delay 1d
  if hubspotscore >= 50 {
    add to list "Hot"
    increase hubspotscore by 10
  } else {
    delay until tuesday, thursday at 11:00
    increase hubspotscore by 5
  }
  send email "Welcome"
  delay 1h
  set lifecyclestage = "marketingqualifiedlead"
}
"#;

/// Units of work per engine transaction (the engine's group commit).
const UNITS_PER_COMMIT: u64 = 256;

fn contacts(n: usize, lead: bool) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut p = json!({"hubspotscore": i % 100});
            if lead {
                p["lifecyclestage"] = json!("lead");
            }
            json!({"id": format!("c{i}"), "object": "contact", "properties": p})
        })
        .collect()
}

fn leads(from: usize, n: usize) -> Vec<Value> {
    (from..from + n)
        .map(|i| json!({"record": format!("c{i}"), "type": "set", "properties": {"lifecyclestage": "lead"}}))
        .collect()
}

fn scalar(db: &Path, sql: &str) -> i64 {
    let c = Connection::open(db).expect("open engine db");
    c.busy_timeout(Duration::from_secs(10))
        .expect("busy timeout");
    c.query_row(sql, [], |r| r.get(0)).expect("query")
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn durable(dir: &Path, n: usize) {
    let db = dir.join("durable.db");
    let url = format!("sqlite:{}", db.display());
    let s =
        server::start(dir, &["bench.wf", "--db", &url, "--clock", "virtual"], &[]).expect("serve");
    for chunk in contacts(n, false).chunks(1000) {
        s.post("/v1/records", &Value::Array(chunk.to_vec()));
    }
    for from in (0..n).step_by(1000) {
        s.post("/v1/events", &Value::Array(leads(from, 1000.min(n - from))));
    }
    s.post("/v1/clock", &json!({"advance_to": "2026-01-01T00:00:00Z"}));
    let before = scalar(&db, "SELECT coalesce(max(seq), 0) FROM history");
    let t = Instant::now();
    s.post("/v1/clock", &json!({"advance_to": "2026-02-01T00:00:00Z"}));
    let took = t.elapsed();
    let events = scalar(&db, "SELECT max(seq) FROM history") - before;
    // Units: the lead inputs plus one per delay that waited (its timer).
    let timers = scalar(
        &db,
        "SELECT count(*) FROM history WHERE json_extract(body, '$.event') = 'delayed'",
    );
    let units = n as u64 + timers as u64;
    let transactions = units.div_ceil(UNITS_PER_COMMIT);
    let engine_rate = events as f64 / took.as_secs_f64();
    println!(
        "durable: {n} contacts, {events} history events, {units} units in ~{transactions} transactions: {:.2} s, {engine_rate:.0} events/s",
        took.as_secs_f64()
    );
    drop(s);

    // The same rows, inserted raw, in as many transactions.
    let rows: Vec<(i64, String, String, String)> = {
        let c = Connection::open(&db).expect("open");
        let mut st = c
            .prepare("SELECT seq, record, workflow, body FROM history WHERE seq > ?1 ORDER BY seq")
            .expect("prepare");
        let it = st
            .query_map([before], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .expect("rows");
        it.map(|r| r.expect("row")).collect()
    };
    let raw = dir.join("raw.db");
    let mut c = Connection::open(&raw).expect("open raw");
    c.pragma_update(None, "journal_mode", "WAL").expect("wal");
    c.pragma_update(None, "synchronous", "FULL").expect("full");
    c.execute_batch(
        "CREATE TABLE history (seq INTEGER PRIMARY KEY, record TEXT NOT NULL, workflow TEXT NOT NULL, body TEXT NOT NULL);
         CREATE INDEX history_record ON history (record, seq);
         CREATE INDEX history_workflow ON history (workflow, seq);",
    )
    .expect("schema");
    let per = rows.len().div_ceil(transactions.max(1) as usize).max(1);
    let t = Instant::now();
    for chunk in rows.chunks(per) {
        let tx = c.transaction().expect("tx");
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO history (seq, record, workflow, body) VALUES (?1, ?2, ?3, ?4)",
                )
                .expect("prepare");
            for (seq, rec, wf, body) in chunk {
                st.execute(rusqlite::params![seq, rec, wf, body])
                    .expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    let raw_rate = rows.len() as f64 / t.elapsed().as_secs_f64();
    println!(
        "raw sqlite: {} rows in {} transactions: {:.2} s, {raw_rate:.0} rows/s; engine/raw = {:.2}",
        rows.len(),
        rows.len().div_ceil(per),
        t.elapsed().as_secs_f64(),
        engine_rate / raw_rate
    );
}

fn ingest(dir: &Path, n: usize) {
    let db = dir.join("ingest.db");
    let url = format!("sqlite:{}", db.display());
    let s = server::start(dir, &["bench.wf", "--db", &url], &[]).expect("serve");
    for chunk in contacts(n, false).chunks(1000) {
        s.post("/v1/records", &Value::Array(chunk.to_vec()));
    }
    // Single events, one at a time (low load): latency until 202.
    let mut lat = Vec::new();
    for i in 0..300 {
        let e = json!({"record": format!("c{i}"), "type": "set", "properties": {"firstname": "x"}});
        let t = Instant::now();
        s.post("/v1/events", &e);
        lat.push(t.elapsed());
    }
    lat.sort();
    let p =
        |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "single POST /v1/events: p50 {:.2} ms, p99 {:.2} ms",
        p(0.50),
        p(0.99)
    );
    let wait_drained = || {
        while scalar(&db, "SELECT count(*) FROM inputs") > 0 {
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    wait_drained();
    // Batches of 1,000: counted when processed.
    let pid = s.child.id();
    let t = Instant::now();
    let mut rss = Vec::new();
    for from in (0..n).step_by(1000) {
        s.post("/v1/events", &Value::Array(leads(from, 1000.min(n - from))));
        if from % 5000 == 0 {
            rss.push(rss_kib(pid));
        }
    }
    wait_drained();
    let took = t.elapsed();
    rss.push(rss_kib(pid));
    println!(
        "batched POST /v1/events (1,000 per request): {n} events processed in {:.2} s: {:.0} events/s end to end",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );
    println!("server RSS (KiB) during the batched run: {rss:?}");
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for the list; nothing to list
    }
    let n: usize = std::env::var("WFC_BENCH_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("bench.wf"), WORKFLOW).expect("write workflow");
    durable(tmp.path(), n);
    ingest(tmp.path(), n);
    postgres_scale(tmp.path(), n);
}

/// PostgreSQL scale-out (`WFC_TEST_POSTGRES`): the durable run of
/// [`durable`] with 1, 2 and 4 `wfc serve` processes on one database, and
/// the raw insert rate of the same history rows into PostgreSQL in as many
/// transactions.
fn postgres_scale(dir: &Path, n: usize) {
    let Ok(base) = std::env::var(server::POSTGRES_VAR) else {
        println!("postgres: skipped ({} is not set)", server::POSTGRES_VAR);
        return;
    };
    let mut last = None;
    for procs in [1usize, 2, 4] {
        let store = server::Store::postgres(&format!("bench{procs}")).expect("PostgreSQL");
        let db = store.db();
        let first = server::start(dir, &["bench.wf", "--db", &db, "--clock", "virtual"], &[])
            .expect("serve");
        let others: Vec<server::Server> = (1..procs)
            .map(|i| {
                let id = format!("w{i}");
                server::start(
                    dir,
                    &["--db", &db, "--clock", "virtual", "--worker-id", &id],
                    &[],
                )
                .expect("serve")
            })
            .collect();
        for chunk in contacts(n, false).chunks(1000) {
            first.post("/v1/records", &Value::Array(chunk.to_vec()));
        }
        for from in (0..n).step_by(1000) {
            first.post("/v1/events", &Value::Array(leads(from, 1000.min(n - from))));
        }
        first.post("/v1/clock", &json!({"advance_to": "2026-01-01T00:00:00Z"}));
        // (POST /v1/clock answers after every unit due is committed and
        // numbered, whichever process ran it.)
        let max_seq = |s: &server::Store| -> i64 {
            s.query("SELECT coalesce(max(seq), 0) FROM history")[0].get(0)
        };
        let before = max_seq(&store);
        let t = Instant::now();
        first.post("/v1/clock", &json!({"advance_to": "2026-02-01T00:00:00Z"}));
        let took = t.elapsed();
        let events = max_seq(&store) - before;
        let timers: i64 = store
            .query("SELECT count(*) FROM history WHERE body::json->>'event' = 'delayed'")[0]
            .get(0);
        println!(
            "postgres, {procs} process(es): {n} contacts, {events} history events: {:.2} s, {:.0} events/s",
            took.as_secs_f64(),
            events as f64 / took.as_secs_f64()
        );
        drop(others);
        drop(first);
        last = Some((
            store,
            before,
            n as u64 + timers as u64,
            events as f64 / took.as_secs_f64(),
        ));
    }
    let Some((store, before, units, rate_last)) = last else {
        return;
    };
    // The same rows, inserted raw into a table of the same shape, in as many
    // transactions as the engine's claimed batches (64 units each).
    let rows = store.query(&format!(
        "SELECT txn, pos, seq, record, workflow, body FROM history WHERE seq > {before} ORDER BY seq"
    ));
    let mut c = postgres::Client::connect(&base, postgres::NoTls).expect("connect");
    c.batch_execute(
        "DROP TABLE IF EXISTS wfc_bench_raw;
         CREATE TABLE wfc_bench_raw (txn BIGINT NOT NULL, pos BIGINT NOT NULL, seq BIGINT UNIQUE,
           record TEXT NOT NULL, workflow TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (txn, pos));
         CREATE INDEX wfc_bench_raw_record ON wfc_bench_raw (record, seq);
         CREATE INDEX wfc_bench_raw_workflow ON wfc_bench_raw (workflow, seq);",
    )
    .expect("raw table");
    let transactions = units.div_ceil(64).max(1) as usize;
    let per = rows.len().div_ceil(transactions).max(1);
    let t = Instant::now();
    for chunk in rows.chunks(per) {
        let mut tx = c.transaction().expect("tx");
        let st = tx
            .prepare("INSERT INTO wfc_bench_raw (txn, pos, seq, record, workflow, body) VALUES ($1, $2, $3, $4, $5, $6)")
            .expect("prepare");
        for r in chunk {
            let (a, b, s): (i64, i64, Option<i64>) = (r.get(0), r.get(1), r.get(2));
            let (rec, wf, body): (String, String, String) = (r.get(3), r.get(4), r.get(5));
            tx.execute(&st, &[&a, &b, &s, &rec, &wf, &body])
                .expect("insert");
        }
        tx.commit().expect("commit");
    }
    let raw_rate = rows.len() as f64 / t.elapsed().as_secs_f64();
    let _ = c.batch_execute("DROP TABLE wfc_bench_raw");
    println!(
        "raw postgres: {} rows in {} transactions: {raw_rate:.0} rows/s; engine (4 processes)/raw = {:.2}",
        rows.len(),
        rows.len().div_ceil(per),
        rate_last / raw_rate
    );
}
