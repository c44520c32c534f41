//! The HTTP API of a running engine: auth, bad bodies, idempotency,
//! deployments with versions and `prune`, restarts, and webhooks sent from
//! the outbox to a real local receiver.

use std::path::Path;

use serde_json::{json, Value};

use super::server::{header, receiver, start, wfc, Server, Store};

const NURTURE_V1: &str = r#"workflow "Nurture" for contact {
  enroll when hubspotscore >= 10
  delay 1d
  set lifecyclestage = "lead"
}
"#;

const NURTURE_V2: &str = r#"workflow "Nurture" for contact {
  enroll when hubspotscore >= 10
  delay 2d
  set lifecyclestage = "subscriber"
}
"#;

/// A project without Nurture (a deal workflow).
const OTHER: &str =
    "workflow \"Other\" for deal {\n  enroll when amount > 10\n  set dealname = \"big\"\n}\n";

/// A contact workflow deployed after its records (`city` is "Gent").
const GENT: &str =
    "workflow \"Gent\" for contact {\n  enroll when city is \"Gent\"\n  set jobtitle = \"local\"\n}\n";

fn project(dir: &Path, source: &str) {
    std::fs::write(dir.join("w.wf"), source).expect("write workflow");
}

fn bundle(dir: &Path) -> Value {
    let (code, out, err) = wfc(dir, &["build", "--bundle", "w.wf"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("bundle JSON")
}

fn virtual_engine(store: &Store, dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
    let db = store.db();
    let mut args = vec!["w.wf", "--db", &db, "--clock", "virtual"];
    args.extend(extra);
    start(dir, &args, env).expect("wfc serve starts")
}

fn contact(id: &str, score: u32) -> Value {
    json!({"id": id, "object": "contact", "properties": {"hubspotscore": score}})
}

crate::on_both_stores! {
    fn a_token_guards_everything_but_healthz(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path(), NURTURE_V1);
        let server = virtual_engine(&store, tmp.path(), &[], &[("WFC_TOKEN", "s3cret-token")]);
        let (s, v) = server.request("GET", "/healthz", None, &[("Authorization", "none")]);
        assert_eq!((s, v), (200, json!({"status": "ok"})));
        let (s, v) = server.request(
            "GET",
            "/v1/workflows",
            None,
            &[("Authorization", "Bearer wrong")],
        );
        assert_eq!(s, 401, "{v}");
        assert_eq!(v["error"]["code"], "unauthorized");
        let (s, _) = server.request("GET", "/v1/workflows", None, &[("Authorization", "")]);
        assert_eq!(s, 401);
        let v = server.get("/v1/workflows");
        assert_eq!(v["workflows"][0]["name"], "Nurture");
        assert_eq!(v["workflows"][0]["version"], 1);
    }
}

crate::on_both_stores! {
    fn bad_bodies_are_refused_and_apply_nothing(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path(), NURTURE_V1);
        let server = virtual_engine(&store, tmp.path(), &["--max-body-bytes", "2000"], &[]);
        let (raw, _) = crate::server::raw(&server.addr, "POST", "/v1/records", b"{\"id\": ", &[])
            .expect("request");
        assert_eq!(raw, 400);
        // The second record is of an unknown type: the whole array is refused.
        let (s, v) = server.request(
            "POST",
            "/v1/records",
            Some(&json!([contact("c1", 50), {"id": "x1", "object": "spaceship"}])),
            &[],
        );
        assert_eq!(s, 400, "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("record 2"),
            "{v}"
        );
        let (s, v) = server.request(
            "POST",
            "/v1/events",
            Some(&json!([{"record": "c1", "type": "teleport"}])),
            &[],
        );
        assert_eq!(s, 400, "{v}");
        let (s, v) = server.request(
            "POST",
            "/v1/deployments",
            Some(&json!({"format": "wfbundle/1", "environment": {}, "plans": [{"name": "broken"}]})),
            &[],
        );
        assert_eq!(s, 422, "{v}");
        let big = json!([{"id": "c9", "object": "contact", "properties": {"note": "x".repeat(5000)}}]);
        let (s, v) = server.request("POST", "/v1/records", Some(&big), &[]);
        assert_eq!(s, 413, "{v}");
        server.post("/v1/clock", &json!({"advance_to": "2026-01-05T00:00:00Z"}));
        assert_eq!(server.records(), Vec::<Value>::new(), "nothing was applied");
        assert_eq!(server.history(""), Vec::<Value>::new());
        assert_eq!(
            server.get("/v1/workflows")["workflows"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
    }
}

crate::on_both_stores! {
    fn an_idempotency_key_applies_once(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path(), NURTURE_V1);
        let server = virtual_engine(&store, tmp.path(), &[], &[]);
        let body = json!([contact("c1", 50)]);
        let key = [("Idempotency-Key", "k-1")];
        let (s1, a1) = server.request("POST", "/v1/records", Some(&body), &key);
        let (s2, a2) = server.request("POST", "/v1/records", Some(&body), &key);
        assert_eq!((s1, s2), (202, 202));
        assert_eq!(a1, a2, "a replay gets the first answer");
        let (s3, a3) = server.request(
            "POST",
            "/v1/records",
            Some(&json!([contact("c2", 50)])),
            &key,
        );
        assert_eq!(s3, 422, "{a3}");
        assert_eq!(a3["error"]["code"], "idempotency_key_reused");
        server.post("/v1/clock", &json!({"advance_to": "2026-01-03T00:00:00Z"}));
        let enrolled: Vec<Value> = server
            .history("")
            .into_iter()
            .filter(|e| e["event"] == "enrolled")
            .collect();
        assert_eq!(enrolled.len(), 1, "{enrolled:?}");
        assert_eq!(server.records().len(), 1);
    }
}

crate::on_both_stores! {
    fn a_new_version_applies_to_new_enrollments_and_prune_turns_workflows_off(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path(), NURTURE_V1);
        let server = virtual_engine(&store, tmp.path(), &[], &[]);
        server.post("/v1/records", &json!([contact("c1", 50)]));
        server.post("/v1/clock", &json!({"advance_to": "2026-01-01T12:00:00Z"}));
        // The same content again (a comment changed) is no new version.
        project(tmp.path(), &format!("# edited\n{NURTURE_V1}"));
        let (s, v) = server.request("POST", "/v1/deployments", Some(&bundle(tmp.path())), &[]);
        assert_eq!(s, 200, "{v}");
        project(tmp.path(), NURTURE_V2);
        let (s, v) = server.request("POST", "/v1/deployments", Some(&bundle(tmp.path())), &[]);
        assert_eq!(s, 201, "{v}");
        assert_eq!(server.get("/v1/workflows")["workflows"][0]["version"], 2);
        server.post(
            "/v1/records",
            &json!([contact("c2", 50), contact("c3", 50)]),
        );
        server.post("/v1/clock", &json!({"advance_to": "2026-01-02T12:00:00Z"}));
        // c1 finished on version 1; c2 and c3 wait on version 2's 2-day delay.
        let c1 = server.get("/v1/records/c1");
        assert_eq!(c1["properties"]["lifecyclestage"], "lead");
        assert_eq!(
            server.get("/v1/records/c2")["properties"].get("lifecyclestage"),
            None
        );
        // A deployment without Nurture, with prune: its enrollments end.
        project(tmp.path(), OTHER);
        let mut b = bundle(tmp.path());
        b["prune"] = json!(true);
        let (s, v) = server.request("POST", "/v1/deployments", Some(&b), &[]);
        assert_eq!(s, 201, "{v}");
        server.post("/v1/clock", &json!({"advance_to": "2026-01-05T00:00:00Z"}));
        let off: Vec<Value> = server
            .history("&workflow=Nurture")
            .into_iter()
            .filter(|e| e["event"] == "unenrolled")
            .collect();
        assert_eq!(off.len(), 2, "{off:?}");
        assert_eq!(off[0]["detail"]["reason"], "workflow turned off");
        assert_eq!(
            server.get("/v1/records/c2")["properties"].get("lifecyclestage"),
            None
        );
        let (s, _) = server.request("GET", "/v1/records/nobody", None, &[]);
        assert_eq!(s, 404);
    }
}

crate::on_both_stores! {
    fn a_restarted_engine_resumes_its_clock_and_refuses_another_mode(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path(), NURTURE_V1);
        let server = virtual_engine(&store, tmp.path(), &[], &[]);
        server.post("/v1/records", &json!([contact("c1", 50)]));
        server.post("/v1/clock", &json!({"advance_to": "2026-01-01T12:00:00Z"}));
        assert_eq!(server.stop(), Some(0));
        let wall = start(
            tmp.path(),
            &["--db", &store.db(), "--clock", "wall"],
            &[],
        );
        let err = wall
            .err()
            .expect("a wall clock on a virtual database is refused");
        assert!(err.contains("virtual clock"), "{err}");
        let server = start(
            tmp.path(),
            &["--db", &store.db(), "--clock", "virtual"],
            &[],
        )
        .expect("restart");
        let (s, v) = server.request(
            "POST",
            "/v1/clock",
            Some(&json!({"advance_to": "2026-01-01T06:00:00Z"})),
            &[],
        );
        assert_eq!(s, 409, "the clock resumed at noon: {v}");
        server.post("/v1/clock", &json!({"advance_to": "2026-01-03T00:00:00Z"}));
        assert_eq!(
            server.get("/v1/records/c1")["properties"]["lifecyclestage"],
            "lead"
        );
    }
}

crate::on_both_stores! {
    fn webhooks_are_signed_retried_on_500_and_delivered(store: Store) {
        let (addr, seen) = receiver(vec![500]);
        let tmp = tempfile::tempdir().expect("tempdir");
        project(
            tmp.path(),
            &format!("workflow \"Hook\" for contact {{\n  enroll when hubspotscore >= 10\n  webhook post \"http://{addr}/hook\"\n}}\n"),
        );
        let server = virtual_engine(
            &store,
            tmp.path(),
            &["--allow-private-webhooks"],
            &[("WFC_WEBHOOK_SECRET", "hook-secret")],
        );
        server.post("/v1/records", &json!([contact("c1", 50)]));
        server.post("/v1/clock", &json!({"advance_to": "2026-01-01T00:00:30Z"}));
        let items = server.get("/v1/outbox?after=0");
        let item = &items["items"][0];
        assert_eq!(item["status"], "pending", "{items}");
        assert_eq!(item["attempts"], 1);
        assert_eq!(
            item["next_attempt"], "2026-01-01T00:01:00Z",
            "first retry one minute later"
        );
        server.post("/v1/clock", &json!({"advance_to": "2026-01-01T00:02:00Z"}));
        let item = &server.get("/v1/outbox?after=0")["items"][0];
        assert_eq!(item["status"], "delivered", "{item}");
        assert_eq!(item["code"], 200);
        let seen = seen.lock().expect("log").clone();
        assert_eq!(seen.len(), 2);
        let id = item["id"].to_string();
        for (head, body) in &seen {
            assert_eq!(header(head, "idempotency-key"), Some(id.as_str()));
            let expected = wfc::serve::webhook::signature(b"hook-secret", body.as_bytes());
            assert_eq!(header(head, "x-wfc-signature-256"), Some(expected.as_str()));
            let sent: Value = serde_json::from_str(body).expect("JSON body");
            assert_eq!(sent["id"], "c1");
        }
    }
}

crate::on_both_stores! {
    fn a_webhook_to_a_private_address_is_refused_without_the_flag(store: Store) {
        let (addr, seen) = receiver(vec![]);
        let tmp = tempfile::tempdir().expect("tempdir");
        project(
            tmp.path(),
            &format!("workflow \"Hook\" for contact {{\n  enroll when hubspotscore >= 10\n  webhook post \"http://{addr}/hook\"\n}}\n"),
        );
        let server = virtual_engine(&store, tmp.path(), &[], &[]);
        server.post("/v1/records", &json!([contact("c1", 50)]));
        server.post("/v1/clock", &json!({"advance_to": "2026-01-01T01:00:00Z"}));
        let item = &server.get("/v1/outbox?after=0")["items"][0];
        assert_eq!(item["status"], "refused", "{item}");
        assert!(seen.lock().expect("log").is_empty(), "never connected");
        // Other outside effects wait for an integration's report.
        let (s, v) = server.request(
            "POST",
            &format!("/v1/outbox/{}", item["id"]),
            Some(&json!({"status": "delivered"})),
            &[],
        );
        assert_eq!(s, 409, "{v}");
    }
}

crate::on_both_stores! {
    fn enroll_existing_enrolls_the_records_already_there(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path(), OTHER);
        let server = virtual_engine(&store, tmp.path(), &[], &[]);
        server.post("/v1/records", &json!([contact("c1", 50), contact("c2", 5)]));
        server.post("/v1/clock", &json!({"advance_to": "2026-01-01T01:00:00Z"}));
        project(tmp.path(), NURTURE_V1);
        let mut b = bundle(tmp.path());
        b["enroll_existing"] = json!(true);
        let (s, v) = server.request("POST", "/v1/deployments", Some(&b), &[]);
        assert_eq!(s, 201, "{v}");
        server.post("/v1/clock", &json!({"advance_to": "2026-01-03T00:00:00Z"}));
        let enrolled: Vec<Value> = server
            .history("&workflow=Nurture")
            .into_iter()
            .filter(|e| e["event"] == "enrolled")
            .collect();
        assert_eq!(enrolled.len(), 1, "only c1 meets the trigger: {enrolled:?}");
        assert_eq!(enrolled[0]["record"], "c1");
        assert_eq!(
            server.get("/v1/records/c1")["properties"]["lifecyclestage"],
            "lead"
        );
    }
}

crate::on_both_stores! {
    /// An earlier version only finishes the enrollments it holds: a record
    /// that meets version 1's trigger but not version 2's enrolls in
    /// neither, while a record enrolled on version 1 finishes on it.
    fn an_earlier_version_enrolls_no_new_record(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path(), NURTURE_V1);
        let server = virtual_engine(&store, tmp.path(), &[], &[]);
        server.post("/v1/records", &json!([contact("c1", 15)]));
        project(tmp.path(), &NURTURE_V2.replace(">= 10", ">= 20"));
        let (s, v) = server.request("POST", "/v1/deployments", Some(&bundle(tmp.path())), &[]);
        assert_eq!(s, 201, "{v}");
        server.post("/v1/records", &json!([contact("c2", 15), contact("c3", 25)]));
        server.post("/v1/clock", &json!({"advance_to": "2026-01-04T00:00:00Z"}));
        let enrolled: Vec<String> = server
            .history("&workflow=Nurture")
            .into_iter()
            .filter(|e| e["event"] == "enrolled")
            .map(|e| e["record"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(enrolled, ["c1", "c3"]);
        let stage = |id: &str| server.get(&format!("/v1/records/{id}"))["properties"]["lifecyclestage"].clone();
        assert_eq!(stage("c1"), "lead");
        assert_eq!(stage("c2"), Value::Null);
        assert_eq!(stage("c3"), "subscriber");
    }
}

crate::on_both_stores! {
    /// `enroll_existing` enrolls records of the workflow's type only, not
    /// the associated records of another type loaded with them (a company
    /// with the same `city` as its contact).
    fn enroll_existing_leaves_associated_records_of_another_type_alone(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path(), OTHER);
        let server = virtual_engine(&store, tmp.path(), &[], &[]);
        server.post(
            "/v1/records",
            &json!([
                {"id": "co1", "object": "company", "properties": {"city": "Gent"}},
                {"id": "c1", "object": "contact", "properties": {"city": "Gent"}, "associations": {"company": ["co1"]}},
            ]),
        );
        project(tmp.path(), GENT);
        let mut b = bundle(tmp.path());
        b["enroll_existing"] = json!(true);
        let (s, v) = server.request("POST", "/v1/deployments", Some(&b), &[]);
        assert_eq!(s, 201, "{v}");
        server.post("/v1/clock", &json!({"advance_to": "2026-01-02T00:00:00Z"}));
        let events: Vec<String> = server
            .history("&workflow=Gent")
            .into_iter()
            .map(|e| format!("{} {}", e["record"].as_str().unwrap_or_default(), e["event"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(events, ["c1 enrolled", "c1 action", "c1 finished"]);
    }
}

crate::on_both_stores! {
    /// A new workflow deployed without `enroll_existing` enrolls a record
    /// only when its trigger becomes true after the deployment: c1 already
    /// met it, so a later change of another property does not enroll it,
    /// but leaving and meeting it again does; c2 met it only later.
    fn a_new_workflow_enrolls_records_whose_trigger_becomes_true_after_it(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path(), OTHER);
        let server = virtual_engine(&store, tmp.path(), &[], &[]);
        server.post(
            "/v1/records",
            &json!([
                {"id": "c1", "object": "contact", "properties": {"city": "Gent"}},
                {"id": "c2", "object": "contact", "properties": {"city": "Paris"}},
            ]),
        );
        project(tmp.path(), GENT);
        let (s, v) = server.request("POST", "/v1/deployments", Some(&bundle(tmp.path())), &[]);
        assert_eq!(s, 201, "{v}");
        let set = |at: &str, id: &str, props: Value| {
            server.post(
                "/v1/events",
                &json!([{"at": at, "record": id, "type": "set", "properties": props}]),
            );
        };
        set("2026-01-02T00:00:00Z", "c1", json!({"firstname": "Ana"}));
        set("2026-01-02T00:00:00Z", "c2", json!({"city": "Gent"}));
        set("2026-01-03T00:00:00Z", "c1", json!({"city": "Paris"}));
        set("2026-01-04T00:00:00Z", "c1", json!({"city": "Gent"}));
        server.post("/v1/clock", &json!({"advance_to": "2026-01-05T00:00:00Z"}));
        let enrolled: Vec<String> = server
            .history("&workflow=Gent")
            .into_iter()
            .filter(|e| e["event"] == "enrolled")
            .map(|e| format!("{} {}", e["at"].as_str().unwrap_or_default(), e["record"].as_str().unwrap_or_default()))
            .collect();
        assert_eq!(enrolled, ["2026-01-02T00:00:00Z c2", "2026-01-04T00:00:00Z c1"]);
    }
}

crate::on_both_stores! {
    fn events_for_unknown_records_are_counted_as_skipped(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path(), NURTURE_V1);
        let server = virtual_engine(&store, tmp.path(), &[], &[]);
        server.post("/v1/records", &json!([contact("c1", 5)]));
        server.post(
            "/v1/events",
            &json!([
                {"record": "nobody", "type": "set", "properties": {"hubspotscore": 50}},
                {"record": "c1", "type": "set", "properties": {"hubspotscore": 50}},
                {"record": "c1", "type": "enroll", "workflow": "Missing"},
            ]),
        );
        server.post("/v1/clock", &json!({"advance_to": "2026-01-01T01:00:00Z"}));
        // The event for a known record ran; the other two were dropped,
        // and the metrics say so.
        assert_eq!(server.history("&record=c1")[0]["event"], "enrolled");
        let (status, text) = server.request("GET", "/metrics", None, &[]);
        assert_eq!(status, 200);
        let text = text.as_str().expect("Prometheus text").to_string();
        assert!(
            text.lines().any(|l| l == "wfc_inputs_skipped_total 2"),
            "{text}"
        );
    }
}

crate::on_both_stores! {
    fn a_database_of_the_previous_schema_is_migrated_and_a_newer_one_refused(store: Store) {
        let tmp = tempfile::tempdir().expect("tempdir");
        project(tmp.path(), NURTURE_V1);
        let server = virtual_engine(&store, tmp.path(), &[], &[]);
        server.post("/v1/records", &json!([contact("c1", 50)]));
        server.post("/v1/clock", &json!({"advance_to": "2026-01-01T01:00:00Z"}));
        assert_eq!(server.stop(), Some(0));

        // Back to schema version 1 (before `outbox.wait`): migrated at start.
        store.exec(
            tmp.path(),
            "ALTER TABLE outbox DROP COLUMN wait;
             UPDATE meta SET value = '1' WHERE key = 'schema_version';",
        );
        let db = store.db();
        let server = start(tmp.path(), &["--db", &db, "--clock", "virtual"], &[])
            .expect("a version-1 database is migrated");
        server.post("/v1/clock", &json!({"advance_to": "2026-01-03T00:00:00Z"}));
        assert_eq!(
            server.get("/v1/records/c1")["properties"]["lifecyclestage"],
            "lead",
            "the record enrolled before the upgrade finished after it"
        );
        assert_eq!(server.get("/v1/outbox?after=0")["items"], json!([]));
        assert_eq!(server.stop(), Some(0));

        // A database a newer wfc wrote is refused, and left as it is.
        store.exec(tmp.path(), "UPDATE meta SET value = '99' WHERE key = 'schema_version';");
        let err = start(tmp.path(), &["--db", &db, "--clock", "virtual"], &[])
            .err()
            .expect("a newer database is refused");
        assert!(err.contains("newer wfc (schema version 99"), "{err}");
    }
}
