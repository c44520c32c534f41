//! Scenario tests of `wfc run`'s semantics (shared/runtime.md): each runs a
//! small plan against records and events and snapshots the history and the
//! final state. Snapshots live in tests/runtime/snapshots.

#[path = "runtime/harness.rs"]
mod harness;

use harness::{chain, filter, is, plan, prop, trace, Scenario};
use serde_json::json;

macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "runtime/snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

const LEAD: &str = r#"{"id":"c1","object":"contact","properties":{"lifecyclestage":"lead","firstname":"Ana"}}
{"id":"c2","object":"contact","properties":{"lifecyclestage":"customer"}}
"#;

#[test]
fn filter_trigger_at_start_then_steps_and_delay() {
    let p = plan(json!({
        "name": "Nurture", "object": "contact",
        "triggers": [filter(is("lifecyclestage", json!("lead")))],
        "nodes": chain(vec![
            json!({"kind": "set_property", "target": prop("hs_lead_status"), "value": "OPEN"}),
            json!({"kind": "delay", "minutes": 1440}),
            json!({"kind": "add_to_list", "list": "Hot leads"}),
        ]),
    }));
    let out = Scenario::new(vec![p], LEAD)
        .start("2026-03-02T08:00:00Z")
        .render();
    snap!("filter_trigger_at_start", out);
}

#[test]
fn start_order_is_records_then_workflows_and_each_runs_to_its_wait() {
    let a = plan(json!({
        "name": "A", "object": "contact",
        "triggers": [filter(json!({"op": "known", "property": prop("firstname"), "known": true}))],
        "nodes": chain(vec![json!({"kind": "set_property", "target": prop("city"), "value": "Gent"}), json!({"kind": "delay", "minutes": 60})]),
    }));
    let b = plan(json!({
        "name": "B", "object": "contact",
        "triggers": [filter(is("city", json!("Gent")))],
        "nodes": chain(vec![json!({"kind": "increase_property", "target": prop("hubspotscore"), "by": 5})]),
    }));
    let records = r#"{"id":"c2","object":"contact","properties":{"firstname":"Bo"}}
{"id":"c1","object":"contact","properties":{"firstname":"Ana","city":"Gent"}}
"#;
    let out = Scenario::new(vec![a, b], records).render();
    snap!("start_order", out);
}

#[test]
fn set_event_enrolls_on_transition_and_default_start_is_first_event() {
    let p = plan(json!({
        "name": "Lead", "object": "contact",
        "triggers": [filter(is("lifecyclestage", json!("lead")))],
        "nodes": chain(vec![json!({"kind": "set_property", "target": prop("hs_lead_status"), "value": "NEW"})]),
    }));
    let records = r#"{"id":"c1","object":"contact","properties":{"lifecyclestage":"subscriber"}}"#;
    let events = r#"{"at":"2026-02-01T10:00:00Z","record":"c1","type":"set","properties":{"lifecyclestage":"lead"}}
{"at":"2026-01-15T09:00:00Z","record":"c1","type":"set","properties":{"city":"Paris"}}
{"at":"2026-02-02T10:00:00Z","record":"c1","type":"set","properties":{"city":"Lyon"}}
"#;
    let out = Scenario::new(vec![p], records).events(events).render();
    snap!("set_event_transition", out);
}

fn reenroll_plan(reenroll: bool) -> wfc::plan::Plan {
    plan(json!({
        "name": "Re", "object": "contact", "reenroll": reenroll,
        "triggers": [filter(is("lifecyclestage", json!("lead")))],
        "nodes": chain(vec![json!({"kind": "delay", "minutes": 60})]),
    }))
}

const FLIP: &str = r#"{"at":"2026-01-01T00:30:00Z","record":"c1","type":"set","properties":{"lifecyclestage":"customer"}}
{"at":"2026-01-01T00:40:00Z","record":"c1","type":"set","properties":{"lifecyclestage":"lead"}}
{"at":"2026-01-01T05:00:00Z","record":"c1","type":"set","properties":{"firstname":"Still a lead"}}
{"at":"2026-01-02T00:00:00Z","record":"c1","type":"set","properties":{"lifecyclestage":"customer"}}
{"at":"2026-01-02T00:10:00Z","record":"c1","type":"set","properties":{"lifecyclestage":"lead"}}
"#;

#[test]
fn reenroll_only_on_not_meeting_to_meeting_transitions() {
    let records = r#"{"id":"c1","object":"contact","properties":{"lifecyclestage":"lead"}}"#;
    let out = Scenario::new(vec![reenroll_plan(true)], records)
        .start("2026-01-01T00:00:00Z")
        .events(FLIP)
        .render();
    snap!("reenroll_transitions", out);
}

#[test]
fn without_reenroll_a_new_transition_is_skipped() {
    let records = r#"{"id":"c1","object":"contact","properties":{"lifecyclestage":"lead"}}"#;
    let out = Scenario::new(vec![reenroll_plan(false)], records)
        .start("2026-01-01T00:00:00Z")
        .events(FLIP)
        .render();
    snap!("no_reenroll_skipped", out);
}

#[test]
fn manual_enrollment_and_never_twice_at_once() {
    let p = plan(json!({
        "name": "Manual", "object": "contact",
        "nodes": chain(vec![json!({"kind": "delay", "minutes": 120}), json!({"kind": "add_to_list", "list": "L"})]),
    }));
    let records = r#"{"id":"c1","object":"contact","properties":{}}"#;
    let events = r#"{"at":"2026-01-05T10:00:00Z","record":"c1","type":"enroll","workflow":"Manual"}
{"at":"2026-01-05T11:00:00Z","record":"c1","type":"enroll","workflow":"Manual"}
{"at":"2026-01-05T13:00:00Z","record":"c1","type":"enroll","workflow":"Manual"}
"#;
    let out = Scenario::new(vec![p], records).events(events).render();
    snap!("manual_enroll", out);
}

#[test]
fn event_trigger_enrolls_on_matching_activity_only() {
    let p = plan(json!({
        "name": "Demo", "object": "contact", "reenroll": true,
        "triggers": [{"kind": "event", "event": {"type": "form_submitted", "name": "Demo request"}}],
        "nodes": chain(vec![json!({"kind": "send_email", "email": "Thanks"})]),
    }));
    let records = r#"{"id":"c1","object":"contact","properties":{}}"#;
    let events = r#"{"at":"2026-01-05T10:00:00Z","record":"c1","type":"form_submitted","name":"Other"}
{"at":"2026-01-05T11:00:00Z","record":"c1","type":"form_submitted","name":"Demo request"}
{"at":"2026-01-06T11:00:00Z","record":"c1","type":"form_submitted","name":"Demo request"}
"#;
    let out = Scenario::new(vec![p], records).events(events).render();
    snap!("event_trigger", out);
}

#[test]
fn goal_and_unenroll_at_enrollment_on_change_and_before_each_step() {
    let p = plan(json!({
        "name": "G", "object": "contact",
        "triggers": [filter(json!({"op": "known", "property": prop("email"), "known": true}))],
        "goals": [is("lifecyclestage", json!("customer"))],
        "unenroll": [is("hs_email_optout", json!(true))],
        "nodes": chain(vec![
            json!({"kind": "delay", "minutes": 60}),
            json!({"kind": "set_property", "target": prop("lifecyclestage"), "value": {"template": [{"text": "cust"}, {"token": {"object": "contact", "property": "suffix"}}]}}),
            json!({"kind": "add_to_list", "list": "never reached when the goal is met"}),
        ]),
    }));
    let records = r#"{"id":"already","object":"contact","properties":{"email":"a@x.io","lifecyclestage":"customer"}}
{"id":"optout","object":"contact","properties":{"email":"o@x.io","hs_email_optout":true}}
{"id":"changes","object":"contact","properties":{"email":"c@x.io"}}
{"id":"leaves","object":"contact","properties":{"email":"l@x.io"}}
{"id":"self","object":"contact","properties":{"email":"s@x.io","suffix":"omer"}}
"#;
    let events = r#"{"at":"2026-01-01T00:10:00Z","record":"changes","type":"set","properties":{"lifecyclestage":"customer"}}
{"at":"2026-01-01T00:20:00Z","record":"leaves","type":"set","properties":{"hs_email_optout":true}}
"#;
    let out = Scenario::new(vec![p], records)
        .events(events)
        .start("2026-01-01T00:00:00Z")
        .render();
    snap!("goal_unenroll", out);
}

fn env_in(zone: chrono_tz::Tz) -> wfc::schema::Environment {
    let mut env = wfc::schema::Environment::standard();
    env.account.timezone = zone;
    env
}

fn manual(name: &str, steps: Vec<serde_json::Value>) -> wfc::plan::Plan {
    plan(json!({"name": name, "object": "contact", "nodes": chain(steps)}))
}

fn enroll_at(at: &str, record: &str, workflow: &str) -> String {
    format!("{{\"at\":\"{at}\",\"record\":\"{record}\",\"type\":\"enroll\",\"workflow\":\"{workflow}\"}}\n")
}

#[test]
fn delay_until_weekday_and_time_in_the_account_zone() {
    // 2026-03-04 is a Wednesday; Amsterdam is UTC+1 in winter.
    let p = manual(
        "Days",
        vec![
            json!({"kind": "delay_until_time", "days": ["tuesday", "thursday"], "time": "11:00"}),
            json!({"kind": "delay_until_time", "days": [], "time": "9:00"}),
            json!({"kind": "delay_until_time", "days": ["friday"], "time": null}),
            json!({"kind": "delay_until_time", "days": ["monday"], "time": null}),
            json!({"kind": "delay_until_time", "days": ["monday"], "time": "00:00"}),
        ],
    );
    let records = r#"{"id":"c1","object":"contact","properties":{}}"#;
    let events = enroll_at("2026-03-04T12:30:00Z", "c1", "Days");
    let out = Scenario::new(vec![p], records)
        .events(&events)
        .env(env_in(chrono_tz::Europe::Amsterdam))
        .render();
    snap!("delay_until_time", out);
}

#[test]
fn delay_until_time_across_daylight_saving_gap_and_overlap() {
    // Europe/Amsterdam: 2026-03-29 02:00→03:00 (gap), 2026-10-25 03:00→02:00 (overlap).
    let p = manual(
        "Dst",
        vec![json!({"kind": "delay_until_time", "days": ["sunday"], "time": "02:30"})],
    );
    let records = r#"{"id":"spring","object":"contact","properties":{}}
{"id":"autumn","object":"contact","properties":{}}
"#;
    let events = enroll_at("2026-03-27T12:00:00Z", "spring", "Dst")
        + &enroll_at("2026-10-23T12:00:00Z", "autumn", "Dst");
    let (history, _) = Scenario::new(vec![p], records)
        .events(&events)
        .env(env_in(chrono_tz::Europe::Amsterdam))
        .run();
    let delayed: Vec<_> = history
        .iter()
        .filter(|h| h["event"] == "delayed")
        .map(|h| format!("{} {}", h["record"], h["detail"]["until"]))
        .collect();
    // Gap: 02:30 does not exist; the first instant after it is 03:00 CEST = 01:00Z.
    // Overlap: 02:30 happens twice; the earlier is 02:30 CEST = 00:30Z.
    assert_eq!(
        delayed,
        vec![
            "\"spring\" \"2026-03-29T01:00:00Z\"".to_string(),
            "\"autumn\" \"2026-10-25T00:30:00Z\"".to_string()
        ]
    );
    let finished: Vec<_> = history
        .iter()
        .filter(|h| h["event"] == "finished")
        .map(|h| h["at"].clone())
        .collect();
    assert_eq!(
        finished,
        vec![json!("2026-03-29T01:00:00Z"), json!("2026-10-25T00:30:00Z")]
    );
}

#[test]
fn delay_until_event_counts_only_later_events_and_times_out() {
    let p = plan(json!({
        "name": "Wait", "object": "contact",
        "nodes": [
            {"id": "n1", "kind": "delay_until_event", "event": {"type": "page_viewed", "url": "/pricing"}, "max_minutes": 1440, "timeout_next": "n3", "next": "n2"},
            {"id": "n2", "kind": "add_to_list", "list": "Viewed pricing", "next": null},
            {"id": "n3", "kind": "add_to_list", "list": "Timed out", "next": null},
        ],
    }));
    let records = r#"{"id":"seen","object":"contact","properties":{}}
{"id":"early","object":"contact","properties":{}}
{"id":"never","object":"contact","properties":{}}
"#;
    let events = String::new()
        + r#"{"at":"2026-01-01T09:00:00Z","record":"early","type":"page_viewed","url":"/pricing"}"#
        + "\n"
        + &enroll_at("2026-01-01T10:00:00Z", "seen", "Wait")
        + &enroll_at("2026-01-01T10:00:00Z", "early", "Wait")
        + &enroll_at("2026-01-01T10:00:00Z", "never", "Wait")
        + r#"{"at":"2026-01-01T10:00:00Z","record":"seen","type":"page_viewed","url":"/pricing"}"#
        + "\n"
        + r#"{"at":"2026-01-01T12:00:00Z","record":"seen","type":"page_viewed","url":"/pricing/"}"#
        + "\n"
        + r#"{"at":"2026-01-01T13:00:00Z","record":"seen","type":"page_viewed","url":"/pricing"}"#
        + "\n";
    let out = Scenario::new(vec![p], records).events(&events).render();
    snap!("delay_until_event", out);
}

#[test]
fn delay_until_event_without_max_waits_until_the_run_ends() {
    let p = plan(json!({
        "name": "Forever", "object": "contact",
        "nodes": [
            {"id": "n1", "kind": "delay_until_event", "event": {"type": "custom", "name": "paid"}, "max_minutes": null, "timeout_next": null, "next": "n2"},
            {"id": "n2", "kind": "add_to_list", "list": "Paid"},
        ],
    }));
    let records = r#"{"id":"c1","object":"contact","properties":{}}"#;
    let (history, state) = Scenario::new(vec![p], records)
        .events(&enroll_at("2026-01-01T00:00:00Z", "c1", "Forever"))
        .run();
    assert_eq!(
        trace(&history, "c1"),
        vec![
            "2026-01-01T00:00:00Z Forever enrolled -",
            "2026-01-01T00:00:00Z Forever delayed delay_until_event"
        ]
    );
    assert_eq!(history[1]["detail"]["until"], json!(null));
    assert!(!state.contains("Paid"));
}

fn centred(centre: serde_json::Value, steps: Vec<serde_json::Value>) -> wfc::plan::Plan {
    plan(
        json!({"name": "Renewal", "object": "contact", "centered_on": centre, "nodes": chain(steps)}),
    )
}

#[test]
fn date_centred_delays_fixed_date_and_property_and_missing_date() {
    let steps = vec![
        json!({"kind": "delay_until_date", "offset_minutes": -10080, "time": "09:00"}),
        json!({"kind": "send_email", "email": "One week to go"}),
        json!({"kind": "delay_until_date", "offset_minutes": 1560, "time": null}),
        json!({"kind": "send_email", "email": "A day and two hours after"}),
    ];
    let prop_plan = centred(json!({"property": "renewal_date"}), steps.clone());
    let records = r#"{"id":"dated","object":"contact","properties":{"renewal_date":"2026-06-15"}}
{"id":"datetime","object":"contact","properties":{"renewal_date":"2026-06-14T23:30:00Z"}}
{"id":"past","object":"contact","properties":{"renewal_date":"2026-01-03"}}
{"id":"missing","object":"contact","properties":{}}
"#;
    let events = ["dated", "datetime", "past", "missing"]
        .iter()
        .map(|r| enroll_at("2026-01-01T00:00:00Z", r, "Renewal"))
        .collect::<String>();
    let out = Scenario::new(vec![prop_plan], records)
        .events(&events)
        .env(env_in(chrono_tz::Europe::Amsterdam))
        .render();
    snap!("date_centred_property", out);

    let fixed = centred(json!({"date": "2026-02-10"}), steps);
    let out = Scenario::new(
        vec![fixed],
        r#"{"id":"c1","object":"contact","properties":{}}"#,
    )
    .events(&enroll_at("2026-01-01T00:00:00Z", "c1", "Renewal"))
    .render();
    snap!("date_centred_fixed", out);
}

fn cond_known(object: Option<&str>, p: &str, known: bool) -> serde_json::Value {
    json!({"op": "known", "property": {"object": object, "property": p}, "known": known})
}

#[test]
fn branches_first_match_else_join_and_goto() {
    // n1 if score >= 50 → n2 (list Hot) then n3 goto → n5; else if city known → n4; else → join n5
    let p = plan(json!({
        "name": "Route", "object": "contact",
        "nodes": [
            {"id": "n1", "kind": "branch_if", "cases": [
                {"path": "if", "condition": {"op": "compare", "property": prop("hubspotscore"), "cmp": "ge", "value": 50}, "next": "n2"},
                {"path": "else if 1", "condition": cond_known(None, "city", true), "next": "n4"}
            ], "else_next": "n6", "next": null},
            {"id": "n2", "kind": "add_to_list", "list": "Hot", "next": "n3"},
            {"id": "n3", "kind": "goto", "target": "n4", "target_label": "tag", "next": null},
            {"id": "n4", "label": "tag", "kind": "add_to_list", "list": "Tagged", "next": "n6"},
            {"id": "n5", "kind": "add_to_list", "list": "unreachable", "next": "n6"},
            {"id": "n6", "kind": "branch_value", "property": prop("country"), "cases": [
                {"values": ["Netherlands", "Belgium"], "next": "n7"},
                {"values": ["France"], "next": null}
            ], "else_next": "n8", "next": null},
            {"id": "n7", "kind": "set_property", "target": prop("hs_lead_status"), "value": "OPEN", "next": "n8"},
            {"id": "n8", "kind": "add_to_list", "list": "Joined", "next": null},
        ],
    }));
    let records = r#"{"id":"hot","object":"contact","properties":{"hubspotscore":70,"country":"Belgium"}}
{"id":"city","object":"contact","properties":{"hubspotscore":10,"city":"Gent","country":"France"}}
{"id":"none","object":"contact","properties":{}}
"#;
    let events = ["hot", "city", "none"]
        .iter()
        .map(|r| enroll_at("2026-01-01T00:00:00Z", r, "Route"))
        .collect::<String>();
    let out = Scenario::new(vec![p], records).events(&events).render();
    snap!("branches_goto", out);
}

#[test]
fn enroll_in_enrolls_at_once_runs_after_the_caller_waits_and_errors_when_enrolled() {
    let caller = manual(
        "Caller",
        vec![
            json!({"kind": "enroll_in_workflow", "workflow": "Target"}),
            json!({"kind": "add_to_list", "list": "caller step 2"}),
            json!({"kind": "enroll_in_workflow", "workflow": "Target"}),
            json!({"kind": "add_to_list", "list": "caller continues"}),
            json!({"kind": "delay", "minutes": 10}),
        ],
    );
    let target = manual(
        "Target",
        vec![
            json!({"kind": "add_to_list", "list": "target step 1"}),
            json!({"kind": "delay", "minutes": 30}),
        ],
    );
    let out = Scenario::new(
        vec![caller, target],
        r#"{"id":"c1","object":"contact","properties":{}}"#,
    )
    .events(&enroll_at("2026-01-01T00:00:00Z", "c1", "Caller"))
    .render();
    snap!("enroll_in", out);
}
