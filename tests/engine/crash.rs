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

use super::server::{start, Server};

const WORKFLOW: &str = r#"workflow "Crash" for contact {
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
fn input(i: usize) -> (&'static str, Value) {
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

fn serve(dir: &Path, first: bool) -> Server {
    let mut args = vec!["--db", "sqlite:engine.db", "--clock", "virtual"];
    if first {
        args.insert(0, "crash.wf");
    }
    start(dir, &args, &[]).expect("wfc serve starts")
}

/// Post every input (retrying through restarts), killing the server at
/// random moments when `kills` is set; returns how many kills happened.
fn drive(dir: &Path, seed: Option<u64>) -> (Server, usize) {
    let mut server = serve(dir, true);
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
            server = serve(dir, false);
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

#[test]
fn kill_9_at_random_points_loses_and_duplicates_nothing() {
    let calm = tempfile::tempdir().expect("tempdir");
    std::fs::write(calm.path().join("crash.wf"), WORKFLOW).expect("write");
    let (server, _) = drive(calm.path(), None);
    let (want_history, want_records) = outcome(&server);
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
        let (server, kills) = drive(dir.path(), Some(round_seed));
        total_kills += kills;
        println!("round {round}: {kills} kills");
        let (history, records) = outcome(&server);
        assert_eq!(
            history, want_history,
            "history after {kills} kills (seed {round_seed})"
        );
        assert_eq!(
            records, want_records,
            "records after {kills} kills (seed {round_seed})"
        );
        assert!(round < 20, "too few kills landed");
    }
}
