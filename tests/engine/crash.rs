//! Crash safety: `kill -9` at random points while a client posts a stream of
//! inputs (each with an Idempotency-Key, retried until acknowledged, as a
//! client would), restart on the same SQLite file, and at the end the
//! history and records equal an uninterrupted run: nothing lost, nothing
//! duplicated, `seq` gap-free.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::server::{start, Server, Store, POSTGRES_VAR};

pub const WORKFLOW: &str = r#"workflow "Crash" for contact {
  enroll when hubspotscore >= 10
  set lifecyclestage = "lead"
  delay 1d
  if hubspotscore >= 50 {
    set hs_lead_status = "OPEN"
  } else {
    increase hubspotscore by 5
  }
}
"#;

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

fn serve(dir: &Path, first: bool, db: &str) -> Server {
    // A restarted process is a new worker: the work the killed one had
    // claimed (PostgreSQL) is taken over when its lease expires.
    let mut args = vec!["--db", db, "--clock", "virtual", "--lease", "1"];
    if first {
        args.insert(0, "crash.wf");
    }
    start(dir, &args, &[]).expect("wfc serve starts")
}

/// Post every input (retrying through restarts), killing the server at
/// random moments when `kills` is set; returns how many kills happened.
fn drive(dir: &Path, seed: Option<u64>, db: &str) -> (Server, usize) {
    let mut server = serve(dir, true, db);
    let mut rng = Rng(seed.unwrap_or(1) | 1);
    let mut kills = 0;
    let mut i = 0;
    while i < INPUTS {
        // Arm a killer that fires after a random short delay.
        let armed = seed.is_some() && rng.next().is_multiple_of(4);
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
        let (path, body) = input(i);
        let key = format!("input-{i}");
        let first = server.try_request("POST", path, Some(&body), &[("Idempotency-Key", &key)]);
        if let Some(k) = killer {
            let _ = k.join();
        }
        if fired.load(Ordering::SeqCst) {
            kills += 1;
            server.kill();
            server = serve(dir, false, db);
            // Acknowledged or not, the same key is posted again: an applied
            // input answers as before and is not applied twice.
            let (status, answer) =
                server.request("POST", path, Some(&body), &[("Idempotency-Key", &key)]);
            assert_eq!(status, 202, "retry of input {i}: {answer}");
        } else {
            let (status, answer) = first.expect("no kill, so the request went through");
            assert_eq!(status, 202, "input {i}: {answer}");
        }
        i += 1;
    }
    (server, kills)
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
    let calm = tempfile::tempdir().expect("tempdir");
    std::fs::write(calm.path().join("crash.wf"), WORKFLOW).expect("write");
    let calm_store = store(postgres, "crashcalm");
    let (server, _) = drive(calm.path(), None, &calm_store.db());
    let (want_history, want_records) = outcome(&server);
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
    let mut round = 0;
    while total_kills < 20 {
        round += 1;
        let round_seed = seed.wrapping_add(round);
        println!("crash round {round}: WFC_CRASH_SEED={round_seed}");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("crash.wf"), WORKFLOW).expect("write");
        let db = store(postgres, "crash");
        let (server, kills) = drive(dir.path(), Some(round_seed), &db.db());
        total_kills += kills;
        println!("round {round}: {kills} kills");
        let (history, records) = outcome(&server);
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
