//! Crash safety: `kill -9` at random points while a client posts a stream of
//! inputs (each with an Idempotency-Key, retried until acknowledged, as a
//! client would) and moves the clock (timers fire, webhooks go out to a real
//! local receiver), restart on the same store, and at the end the history
//! and records equal an uninterrupted run: nothing lost, nothing duplicated,
//! `seq` gap-free; the receiver saw every webhook at least once, each with
//! its item's Idempotency-Key.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::server::{header, receiver, start, Seen, Server, Store, POSTGRES_VAR};

/// The crash workload's workflow; with `hook`, the hot branch also sends a
/// webhook to that address (a receiver of the test's).
pub fn workflow(hook: Option<&str>) -> String {
    let hook = hook
        .map(|addr| format!("    webhook post \"http://{addr}/hook\"\n"))
        .unwrap_or_default();
    format!(
        r#"workflow "Crash" for contact {{
  enroll when hubspotscore >= 10
  set lifecyclestage = "lead"
  delay 1d
  if hubspotscore >= 50 {{
    set hs_lead_status = "OPEN"
{hook}  }} else {{
    increase hubspotscore by 5
  }}
}}
"#
    )
}

const INPUTS: usize = 120;

/// A small deterministic generator (xorshift), seeded per run.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Input i: a new contact, or a score change of an earlier one.
pub fn input(i: usize) -> (&'static str, Value) {
    if i % 3 == 2 {
        (
            "/v1/events",
            json!({"record": format!("c{}", i - 2), "type": "set", "properties": {"hubspotscore": (i * 7) % 100}}),
        )
    } else {
        (
            "/v1/records",
            json!({"id": format!("c{i}"), "object": "contact", "properties": {"hubspotscore": (i * 13) % 100}}),
        )
    }
}

/// Every this many inputs the client moves the clock on by eight hours.
const ADVANCE_EVERY: usize = 20;

/// The clock after the `k`th move.
fn moved(k: usize) -> String {
    let t = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("time")
        + chrono::Duration::hours(8 * k as i64);
    t.with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn serve(dir: &Path, first: bool, db: &str) -> Server {
    // A restarted process is a new worker: the work the killed one had
    // claimed (PostgreSQL) is taken over when its lease expires.
    let mut args = vec![
        "--db",
        db,
        "--clock",
        "virtual",
        "--lease",
        "1",
        "--allow-private-webhooks",
    ];
    if first {
        args.insert(0, "crash.wf");
    }
    start(dir, &args, &[]).expect("wfc serve starts")
}

/// Post every input and move the clock (retrying through restarts),
/// killing the server at random moments when `seed` is set; returns how
/// many kills happened, and how many of them during a move of the clock.
fn drive(dir: &Path, seed: Option<u64>, db: &str) -> (Server, usize, usize) {
    let mut server = serve(dir, true, db);
    let mut rng = Rng(seed.unwrap_or(1) | 1);
    let mut kills = 0;
    let mut in_moves = 0;
    let mut i = 0;
    // Inputs 0..INPUTS, and after every ADVANCE_EVERY of them a move of
    // the clock (units of work and webhook deliveries): a step is one or
    // the other, and a kill may land in either.
    let mut advances = 0;
    while i < INPUTS {
        let advance = i > 0 && i % ADVANCE_EVERY == 0 && advances < i / ADVANCE_EVERY;
        // Arm a killer that fires after a random short delay.
        // Every move of the clock is a candidate (it runs timers and sends
        // webhooks), one input in four.
        let armed = seed.is_some() && (rng.next().is_multiple_of(4) || advance);
        let fired = Arc::new(AtomicBool::new(false));
        let killer = armed.then(|| {
            let pid = server.child.id();
            let wait = Duration::from_micros(rng.next() % 4_000);
            let fired = fired.clone();
            std::thread::spawn(move || {
                std::thread::sleep(wait);
                let _ = std::process::Command::new("kill")
                    .args(["-9", &pid.to_string()])
                    .status();
                fired.store(true, Ordering::SeqCst);
            })
        });
        let (path, body, key) = if advance {
            let to = moved(i / ADVANCE_EVERY);
            ("/v1/clock", json!({ "advance_to": to }), String::new())
        } else {
            let (path, body) = input(i);
            (path, body, format!("input-{i}"))
        };
        let headers: Vec<(&str, &str)> = if advance {
            vec![]
        } else {
            vec![("Idempotency-Key", &key)]
        };
        let first = server.try_request("POST", path, Some(&body), &headers);
        if let Some(k) = killer {
            let _ = k.join();
        }
        if fired.load(Ordering::SeqCst) {
            kills += 1;
            if advance {
                in_moves += 1;
                println!("  kill {kills} landed in a move of the clock (step {i})");
            }
            server.kill();
            server = serve(dir, false, db);
            // Acknowledged or not, the same key is posted again: an applied
            // input answers as before and is not applied twice. A move of
            // the clock is simply asked for again: the restarted engine
            // resumes at the instant it had reached.
            let (status, answer) = server.request("POST", path, Some(&body), &headers);
            let want = if advance { 200 } else { 202 };
            assert_eq!(status, want, "retry of step {i} ({path}): {answer}");
        } else {
            let (status, answer) = first.expect("no kill, so the request went through");
            let want = if advance { 200 } else { 202 };
            assert_eq!(status, want, "step {i} ({path}): {answer}");
        }
        if advance {
            advances += 1;
        } else {
            i += 1;
        }
    }
    (server, kills, in_moves)
}

/// Every webhook of the history was delivered, and the receiver saw each
/// item at least once under its Idempotency-Key (a receiver dedupes by it).
fn webhooks_delivered(server: &Server, history: &[Value], seen: &Seen, what: &str) {
    let hooks_in_history = history.iter().filter(|e| e["kind"] == "webhook").count();
    assert!(hooks_in_history > 0, "the workload sends webhooks");
    // A killed process may hold an item's lease (PostgreSQL) until it
    // expires: move the clock on again until every item is final.
    let mut items = Vec::new();
    for _ in 0..40 {
        items = server
            .outbox()
            .into_iter()
            .filter(|o| o["kind"] == "webhook")
            .collect();
        if items.iter().all(|o| o["status"] == "delivered") {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
        server.post("/v1/clock", &json!({"advance_to": "2026-03-01T00:00:00Z"}));
    }
    assert_eq!(
        items.len(),
        hooks_in_history,
        "one item per webhook ({what})"
    );
    let keys: std::collections::BTreeSet<String> = seen
        .lock()
        .expect("log")
        .iter()
        .filter_map(|(head, _)| header(head, "idempotency-key").map(str::to_string))
        .collect();
    for item in &items {
        assert_eq!(item["status"], "delivered", "{item} ({what})");
        let id = item["id"].to_string();
        assert!(
            keys.contains(&id),
            "the receiver never saw item {id} ({what})"
        );
    }
    assert_eq!(
        keys.len(),
        items.len(),
        "every key the receiver saw is an item's ({what})"
    );
}

fn outcome(server: &Server) -> (Vec<Value>, Vec<Value>) {
    server.post("/v1/clock", &json!({"advance_to": "2026-03-01T00:00:00Z"}));
    let history = server.history("");
    for (n, e) in history.iter().enumerate() {
        assert_eq!(e["seq"], json!(n + 1), "seq is gap-free");
    }
    let without_seq = history
        .into_iter()
        .map(|mut e| {
            e.as_object_mut().map(|o| o.remove("seq"));
            e
        })
        .collect();
    (without_seq, server.records())
}

/// A fresh store for one run.
fn store(postgres: bool, name: &str) -> Store {
    if postgres {
        Store::postgres(name).expect("PostgreSQL is configured")
    } else {
        Store::Sqlite
    }
}

fn kill_9_at_random_points(postgres: bool) {
    // One receiver for every run (the URL is part of the history); its log
    // is cleared before each run. The first answers are 500s: retried.
    let (addr, seen) = receiver(vec![500, 500, 500]);
    let source = workflow(Some(&addr));
    let calm = tempfile::tempdir().expect("tempdir");
    std::fs::write(calm.path().join("crash.wf"), &source).expect("write");
    let calm_store = store(postgres, "crashcalm");
    let (server, _, _) = drive(calm.path(), None, &calm_store.db());
    let (want_history, want_records) = outcome(&server);
    webhooks_delivered(&server, &want_history, &seen, "uninterrupted run");
    drop(server);
    assert!(
        want_history.len() > INPUTS,
        "the workload does work: {}",
        want_history.len()
    );

    let seed = std::env::var("WFC_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
        });
    let mut total_kills = 0;
    let mut kills_in_moves = 0;
    let mut round = 0;
    while total_kills < 20 || kills_in_moves < 3 {
        round += 1;
        let round_seed = seed.wrapping_add(round);
        println!("crash round {round}: WFC_CRASH_SEED={round_seed}");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("crash.wf"), &source).expect("write");
        let db = store(postgres, "crash");
        seen.lock().expect("log").clear();
        let (server, kills, in_moves) = drive(dir.path(), Some(round_seed), &db.db());
        total_kills += kills;
        kills_in_moves += in_moves;
        println!("round {round}: {kills} kills");
        let (history, records) = outcome(&server);
        webhooks_delivered(
            &server,
            &history,
            &seen,
            &format!("{kills} kills, seed {round_seed}"),
        );
        if postgres {
            // A restarted process waits for the killed one's leases to
            // expire and meanwhile runs other records' work: the global
            // order follows commit order, each record's own history is the
            // same.
            assert_eq!(
                super::scale::per_record(&history),
                super::scale::per_record(&want_history),
                "per-record history after {kills} kills (seed {round_seed})"
            );
            assert_eq!(
                history.len(),
                want_history.len(),
                "no event lost or doubled"
            );
        } else {
            assert_eq!(
                history, want_history,
                "history after {kills} kills (seed {round_seed})"
            );
        }
        assert_eq!(
            records, want_records,
            "records after {kills} kills (seed {round_seed})"
        );
        if postgres {
            // No lease is left behind, and every event has its number.
            let left = db.query(
                "SELECT (SELECT count(*) FROM inputs), (SELECT count(*) FROM history WHERE seq IS NULL),
                        (SELECT count(*) FROM timers WHERE owner IS NOT NULL AND due <= (SELECT value::bigint FROM meta WHERE key = 'virtual_now'))",
            );
            let counts: Vec<i64> = (0..3).map(|i| left[0].get::<_, i64>(i)).collect();
            assert_eq!(
                counts,
                vec![0, 0, 0],
                "inputs, unnumbered events, held due timers left behind"
            );
        }
        drop(server);
        assert!(round < 20, "too few kills landed");
    }
}

#[test]
fn kill_9_at_random_points_loses_and_duplicates_nothing_on_sqlite() {
    kill_9_at_random_points(false);
}

#[test]
fn kill_9_at_random_points_loses_and_duplicates_nothing_on_postgres() {
    if std::env::var(POSTGRES_VAR).is_err() {
        eprintln!("skipped: {POSTGRES_VAR} is not set (see README)");
        return;
    }
    kill_9_at_random_points(true);
}
