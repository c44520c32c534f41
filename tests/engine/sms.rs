//! `--sms-delivery wait`: a record waits at an internal SMS step until the
//! integration reports the text delivered or failed (`POST
//! /v1/outbox/{id}`), or 72 hours pass; the step's history event is written
//! then. Through the real binary, on both stores.

use std::path::Path;

use serde_json::{json, Value};

use super::server::{start, wfc, Server, Store};

const TEXTS: &str = r#"workflow "Texts" for contact {
  enroll when hubspotscore >= 10
  send internal sms to number "+1 555 0100" text "Hot lead {{ firstname }}"
  set lifecyclestage = "lead"
}
"#;

fn engine(store: &Store, dir: &Path, extra: &[&str]) -> Server {
    let db = store.db();
    let mut args = vec!["--db", &db, "--clock", "virtual", "--sms-delivery", "wait"];
    args.extend(extra);
    start(dir, &args, &[]).expect("wfc serve starts")
}

fn project(dir: &Path) {
    std::fs::write(dir.join("w.wf"), TEXTS).expect("write workflow");
}

fn advance(server: &Server, to: &str) {
    server.post("/v1/clock", &json!({ "advance_to": to }));
}

/// The history of `c1` as (event, kind, at, detail or reason).
fn steps(server: &Server) -> Vec<(String, String, String, Value)> {
    server
        .history("&record=c1")
        .into_iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            let detail = if e["event"] == "error" {
                e["detail"]["reason"].clone()
            } else {
                e["detail"].clone()
            };
            (text("event"), text("kind"), text("at"), detail)
        })
        .collect()
}

/// The one outbox item, which the record waits on.
fn the_item(server: &Server) -> Value {
    let items = server.get("/v1/outbox?after=0")["items"].clone();
    let items = items.as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{items:?}");
    items[0].clone()
}

fn start_waiting(server: &Server) -> Value {
    server.post(
        "/v1/records",
        &json!([{"id": "c1", "object": "contact",
                 "properties": {"hubspotscore": 50, "firstname": "Ana"}}]),
    );
    advance(server, "2026-01-01T01:00:00Z");
    let item = the_item(server);
    assert_eq!(item["kind"], "send_internal_sms", "{item}");
    assert_eq!(item["status"], "pending", "{item}");
    assert_eq!(item["seq"], Value::Null, "no history event yet: {item}");
    assert_eq!(
        item["detail"],
        json!({"to": ["+1 555 0100"], "text": "Hot lead Ana"}),
        "{item}"
    );
    // The record waits at the step: only its enrollment is in the history,
    // and the step after the text has not run.
    let events: Vec<String> = steps(server).into_iter().map(|s| s.0).collect();
    assert_eq!(events, ["enrolled"]);
    assert_eq!(
        server.get("/v1/records/c1")["properties"]["lifecyclestage"],
        Value::Null
    );
    item
}

fn report(server: &Server, item: &Value, body: Value) -> (u16, Value) {
    server.request(
        "POST",
        &format!("/v1/outbox/{}", item["id"]),
        Some(&body),
        &[],
    )
}

crate::on_both_stores! {
    fn a_delivered_report_writes_the_step_and_the_record_goes_on(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path());
        let server = engine(&store, tmp.path(), &["w.wf"]);
        let item = start_waiting(&server);
        advance(&server, "2026-01-01T02:00:00Z");
        let (s, v) = report(&server, &item, json!({"status": "delivered"}));
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["status"], "delivered");
        advance(&server, "2026-01-01T03:00:00Z");
        let sent = json!({"to": ["+1 555 0100"], "text": "Hot lead Ana", "status": "sent"});
        assert_eq!(
            steps(&server),
            [
                ("enrolled".into(), String::new(), "2026-01-01T00:00:00Z".into(), json!({"trigger": "filter"})),
                ("action".into(), "send_internal_sms".into(), "2026-01-01T02:00:00Z".into(), sent),
                (
                    "action".into(),
                    "set_property".into(),
                    "2026-01-01T02:00:00Z".into(),
                    json!({"property": "lifecyclestage", "value": "lead"})
                ),
                ("finished".into(), String::new(), "2026-01-01T02:00:00Z".into(), json!({})),
            ]
        );
        assert_eq!(
            server.get("/v1/records/c1")["properties"]["lifecyclestage"],
            "lead"
        );
        // A report is final once.
        let (s, v) = report(&server, &item, json!({"status": "failed"}));
        assert_eq!(s, 409, "{v}");
    }
}

crate::on_both_stores! {
    fn a_failed_report_is_an_error_with_its_reason(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path());
        let server = engine(&store, tmp.path(), &["w.wf"]);
        let item = start_waiting(&server);
        let (s, v) = report(
            &server,
            &item,
            json!({"status": "failed", "reason": "carrier rejected the number"}),
        );
        assert_eq!(s, 200, "{v}");
        advance(&server, "2026-01-01T02:00:00Z");
        let got: Vec<(String, String, Value)> = steps(&server)
            .into_iter()
            .map(|(e, k, at, d)| (e, k, json!([at, d])))
            .collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(
            got[1],
            (
                "error".into(),
                "send_internal_sms".into(),
                json!(["2026-01-01T01:00:00Z", "carrier rejected the number"])
            ),
            "the report ran at the clock's time when it was made"
        );
        assert_eq!(got[2].1, "set_property", "the record goes on: {got:?}");
        assert_eq!(got[3].0, "finished");
    }
}

crate::on_both_stores! {
    fn without_a_report_the_record_goes_on_after_72_hours_even_across_a_restart(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path());
        let server = engine(&store, tmp.path(), &["w.wf"]);
        let item = start_waiting(&server);
        // The wait is durable: a restarted engine still waits.
        assert_eq!(server.stop(), Some(0));
        let server = engine(&store, tmp.path(), &[]);
        advance(&server, "2026-01-03T23:59:59Z");
        assert_eq!(steps(&server).len(), 1, "still waiting just before 72 hours");
        advance(&server, "2026-01-05T00:00:00Z");
        let got = steps(&server);
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(
            (got[1].0.as_str(), got[1].2.as_str(), &got[1].3),
            (
                "error",
                "2026-01-04T00:00:00Z",
                &json!("no delivery report after 72h")
            )
        );
        assert_eq!(got[2].1, "set_property");
        // A report after the wait ended is recorded on the item and
        // changes nothing else.
        let (s, v) = report(&server, &item, json!({"status": "delivered"}));
        assert_eq!(s, 200, "{v}");
        advance(&server, "2026-01-06T00:00:00Z");
        assert_eq!(steps(&server), got);
        assert_eq!(the_item(&server)["status"], "delivered");
    }
}

crate::on_both_stores! {
    fn instant_delivery_is_the_default_on_a_virtual_clock(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path());
        let db = store.db();
        let server = start(tmp.path(), &["w.wf", "--db", &db, "--clock", "virtual"], &[])
            .expect("wfc serve starts");
        server.post(
            "/v1/records",
            &json!([{"id": "c1", "object": "contact", "properties": {"hubspotscore": 50}}]),
        );
        advance(&server, "2026-01-01T01:00:00Z");
        let got = steps(&server);
        let kinds: Vec<&str> = got.iter().map(|s| s.1.as_str()).collect();
        assert_eq!(kinds, ["", "send_internal_sms", "set_property", ""], "{got:?}");
        assert_eq!(got[1].2, "2026-01-01T00:00:00Z", "sent at once");
        let item = the_item(&server);
        assert_eq!(item["status"], "pending", "an integration still delivers it");
        assert_eq!(item["seq"], server.history("&record=c1")[1]["seq"], "{item}");
    }
}

/// A wall-clock engine waits for reports unless told otherwise.
#[test]
fn a_wall_clock_engine_waits_for_the_report_by_default() {
    let tmp = tempfile::tempdir().expect("tempdir");
    project(tmp.path());
    let (code, _, err) = wfc(tmp.path(), &["check", "w.wf"]);
    assert_eq!(code, 0, "{err}");
    let server =
        start(tmp.path(), &["w.wf", "--db", "sqlite:engine.db"], &[]).expect("wfc serve starts");
    server.post(
        "/v1/records",
        &json!([{"id": "c1", "object": "contact", "properties": {"hubspotscore": 50}}]),
    );
    let item = eventually(&server, |s| {
        let items = s.get("/v1/outbox?after=0")["items"].clone();
        items.as_array().and_then(|a| a.first().cloned())
    });
    assert_eq!(item["status"], "pending");
    assert_eq!(item["seq"], Value::Null);
    let events: Vec<String> = steps(&server).into_iter().map(|s| s.0).collect();
    assert_eq!(events, ["enrolled"], "waiting for the report");
    let (s, v) = report(&server, &item, json!({"status": "delivered"}));
    assert_eq!(s, 200, "{v}");
    let done = eventually(&server, |s| {
        let events: Vec<String> = steps(s).into_iter().map(|e| e.0).collect();
        (events.len() == 4).then_some(events)
    });
    assert_eq!(done, ["enrolled", "action", "action", "finished"]);
}

/// Poll until `f` gives a value (the engine works asynchronously); a
/// generous bound only so that a broken engine fails instead of hanging.
fn eventually<T>(server: &Server, f: impl Fn(&Server) -> Option<T>) -> T {
    for _ in 0..600 {
        if let Some(v) = f(server) {
            return v;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the engine did not get there in 30 s");
}
