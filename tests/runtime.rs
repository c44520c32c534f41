//! Scenario tests of `wfc run`'s semantics (docs/runtime.md): each runs a
//! small plan against records and events and snapshots the history and the
//! final state. Snapshots live in tests/runtime/snapshots.

#[path = "runtime/cli.rs"]
mod cli;
#[path = "runtime/harness.rs"]
mod harness;
#[path = "runtime/scenarios.rs"]
mod scenarios;

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

/// Each filter trigger is remembered on its own: the second one's
/// transition enrolls, and a later transition of the first re-enrolls while
/// the second is still met.
#[test]
fn each_filter_trigger_fires_on_its_own_transition() {
    let p = plan(json!({
        "name": "Two", "object": "contact", "reenroll": true,
        "triggers": [filter(is("lifecyclestage", json!("lead"))), filter(is("city", json!("Gent")))],
        "nodes": chain(vec![json!({"kind": "increase_property", "target": prop("hubspotscore"), "by": 1})]),
    }));
    let records = r#"{"id":"c1","object":"contact","properties":{"lifecyclestage":"customer","city":"Paris"}}"#;
    let events = r#"{"at":"2026-01-01T01:00:00Z","record":"c1","type":"set","properties":{"city":"Gent"}}
{"at":"2026-01-01T02:00:00Z","record":"c1","type":"set","properties":{"firstname":"Ana"}}
{"at":"2026-01-01T03:00:00Z","record":"c1","type":"set","properties":{"lifecyclestage":"lead"}}
"#;
    let (history, state) = Scenario::new(vec![p], records)
        .start("2026-01-01T00:00:00Z")
        .events(events)
        .run();
    assert_eq!(
        trace(&history, "c1"),
        vec![
            "2026-01-01T01:00:00Z Two enrolled -",
            "2026-01-01T01:00:00Z Two action increase_property",
            "2026-01-01T01:00:00Z Two finished -",
            "2026-01-01T03:00:00Z Two enrolled -",
            "2026-01-01T03:00:00Z Two action increase_property",
            "2026-01-01T03:00:00Z Two finished -",
        ]
    );
    assert!(state.contains("\"hubspotscore\":2"), "{state}");
}

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

/// A plan built by hand (not by the checker) can name a workflow that is
/// not in the run, or one for another object type: each is an `error` on
/// the step, and the caller goes on.
#[test]
fn enroll_in_a_missing_workflow_or_one_of_another_object_type_is_an_error() {
    let caller = manual(
        "Caller",
        vec![
            json!({"kind": "enroll_in_workflow", "workflow": "Deals"}),
            json!({"kind": "enroll_in_workflow", "workflow": "Missing"}),
            json!({"kind": "add_to_list", "list": "caller continues"}),
        ],
    );
    let deals = plan(json!({
        "name": "Deals", "object": "deal",
        "nodes": chain(vec![json!({"kind": "add_to_list", "list": "deal step"})]),
    }));
    let (history, _) = Scenario::new(
        vec![caller, deals],
        r#"{"id":"c1","object":"contact","properties":{}}"#,
    )
    .events(&enroll_at("2026-01-01T00:00:00Z", "c1", "Caller"))
    .run();
    let steps: Vec<String> = history
        .iter()
        .filter(|h| h["node"].is_string())
        .map(|h| format!("{} {} {}", h["workflow"], h["event"], h["detail"]))
        .collect();
    assert_eq!(
        steps,
        vec![
            r#""Caller" "error" {"reason":"workflow `Deals` enrolls deal records"}"#,
            r#""Caller" "error" {"reason":"workflow `Missing` is not part of this run"}"#,
            r#""Caller" "action" {"list":"caller continues"}"#,
        ]
    );
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

/// A small schema (multi, enum, number, date properties) and an account
/// with a team that has members and one that has none.
fn crm_env() -> wfc::schema::Environment {
    use std::collections::BTreeMap;
    use wfc::schema::{ObjectDef, PropType};
    let mut env = wfc::schema::Environment::standard();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut contact = BTreeMap::new();
    contact.insert(
        "hs_buying_role".to_string(),
        PropType::Multi(s(&["BUDGET_HOLDER", "CHAMPION", "END_USER"])),
    );
    contact.insert(
        "lifecyclestage".to_string(),
        PropType::Enum(s(&["lead", "customer"])),
    );
    contact.insert("hubspotscore".to_string(), PropType::Number);
    contact.insert("jobtitle".to_string(), PropType::String);
    contact.insert("renewal".to_string(), PropType::Date);
    contact.insert("hubspot_owner_id".to_string(), PropType::Owner);
    let mut company = BTreeMap::new();
    company.insert(
        "industry".to_string(),
        PropType::Enum(s(&["BANKING", "RETAIL"])),
    );
    company.insert("name".to_string(), PropType::String);
    company.insert("founded".to_string(), PropType::Datetime);
    for (name, props) in [
        ("contact", contact),
        ("company", company),
        ("deal", BTreeMap::new()),
    ] {
        env.schema.objects.insert(
            name.to_string(),
            ObjectDef {
                name: name.to_string(),
                builtin: true,
                properties: props,
                required: vec![],
            },
        );
    }
    env.schema.associate("contact", "company");
    env.schema.associate("contact", "deal");
    env.schema.associate("company", "deal");
    let mut teams = BTreeMap::new();
    teams.insert(
        "Sales NL".to_string(),
        s(&["ana@example.com", "bo@example.com"]),
    );
    teams.insert("Empty".to_string(), vec![]);
    env.resources.teams = Some(teams);
    env
}

fn pref(object: &str, p: &str) -> serde_json::Value {
    json!({"object": object, "property": p})
}

#[test]
fn property_actions_on_record_and_every_associated_record() {
    let p = manual(
        "Props",
        vec![
            json!({"kind": "set_property", "target": pref("company", "industry"), "value": "BANKING"}),
            json!({"kind": "set_property", "target": prop("hs_buying_role"), "value": "CHAMPION"}),
            json!({"kind": "append_property", "target": prop("hs_buying_role"), "value": ["END_USER", "CHAMPION"]}),
            json!({"kind": "increase_property", "target": prop("hubspotscore"), "by": 10}),
            json!({"kind": "decrease_property", "target": prop("hubspotscore"), "by": 2.5}),
            json!({"kind": "copy_property", "from": pref("company", "name"), "target": prop("jobtitle"), "append": false}),
            json!({"kind": "copy_property", "from": pref("company", "founded"), "target": prop("renewal"), "append": false}),
            json!({"kind": "copy_property", "from": prop("jobtitle"), "target": prop("lifecyclestage"), "append": false}),
            json!({"kind": "clear_property", "target": pref("company", "name")}),
            json!({"kind": "set_property", "target": pref("deal", "dealname"), "value": {"template": [{"text": "Deal for "}, {"token": {"object": "contact", "property": "firstname"}}]}}),
        ],
    );
    let records = r#"{"id":"c1","object":"contact","properties":{"firstname":"Ana","hubspotscore":""},"associations":{"company":["co2","co1"]}}
{"id":"co1","object":"company","properties":{"name":"Acme","founded":"2026-03-01T23:30:00Z"}}
{"id":"co2","object":"company","properties":{"name":"Zeta"}}
{"id":"co3","object":"company","properties":{"name":"Not associated"}}
"#;
    let out = Scenario::new(vec![p], records)
        .env(crm_env())
        .events(&enroll_at("2026-01-01T00:00:00Z", "c1", "Props"))
        .render();
    snap!("property_actions", out);
}

#[test]
fn copy_without_associated_record_and_non_number_increase_are_errors() {
    let p = manual(
        "Errors",
        vec![
            json!({"kind": "copy_property", "from": pref("company", "name"), "target": prop("jobtitle"), "append": false}),
            json!({"kind": "increase_property", "target": prop("jobtitle"), "by": 1}),
            json!({"kind": "add_to_list", "list": "continued"}),
        ],
    );
    let records = r#"{"id":"c1","object":"contact","properties":{"jobtitle":"CEO"}}"#;
    let out = Scenario::new(vec![p], records)
        .env(crm_env())
        .events(&enroll_at("2026-01-01T00:00:00Z", "c1", "Errors"))
        .render();
    snap!("action_errors", out);
}

#[test]
fn created_records_get_ids_associations_and_enroll_in_their_workflows() {
    let creator = manual(
        "Creator",
        vec![
            json!({"kind": "create_record", "object": "deal", "properties": [
                {"property": "dealname", "value": {"template": [{"token": {"object": "contact", "property": "firstname"}}, {"text": "'s deal"}]}},
                {"property": "amount", "value": 100}
            ]}),
            json!({"kind": "create_record", "object": "deal", "properties": [{"property": "dealname", "value": "second"}]}),
            json!({"kind": "create_task", "title": [{"text": "Call "}, {"token": {"object": "contact", "property": "firstname"}}], "due_minutes": 2880, "for_owner": true}),
        ],
    );
    let deals = plan(json!({
        "name": "Big deals", "object": "deal",
        "triggers": [filter(json!({"op": "compare", "property": prop("amount"), "cmp": "ge", "value": 50}))],
        "nodes": chain(vec![json!({"kind": "set_property", "target": prop("dealstage"), "value": "qualifiedtobuy"})]),
    }));
    let records = r#"{"id":"c1","object":"contact","properties":{"firstname":"Ana","hubspot_owner_id":"ana@example.com"}}
{"id":"deal-1","object":"deal","properties":{"dealname":"existing"}}
"#;
    let out = Scenario::new(vec![creator, deals], records)
        .events(&enroll_at("2026-01-01T00:00:00Z", "c1", "Creator"))
        .render();
    snap!("create_records", out);
}

#[test]
fn rotate_owner_round_robin_per_action_skip_overwrite_and_team_errors() {
    let rotate = manual(
        "Rotate",
        vec![
            json!({"kind": "rotate_owner", "team": null, "users": ["a@x.io", "b@x.io", "c@x.io"], "overwrite": false}),
        ],
    );
    let team = manual(
        "Team",
        vec![
            json!({"kind": "rotate_owner", "team": "Sales NL", "users": [], "overwrite": true}),
            json!({"kind": "rotate_owner", "team": "Empty", "users": [], "overwrite": true}),
            json!({"kind": "rotate_owner", "team": "Undeclared", "users": [], "overwrite": true}),
        ],
    );
    let records = (1..=5)
        .map(|i| {
            let owner = if i == 3 {
                r#","hubspot_owner_id":"kept@x.io""#
            } else {
                ""
            };
            format!(
                "{{\"id\":\"c{i}\",\"object\":\"contact\",\"properties\":{{\"n\":{i}{owner}}}}}\n"
            )
        })
        .collect::<String>();
    let mut events = String::new();
    for i in 1..=5 {
        events += &enroll_at(
            &format!("2026-01-01T0{i}:00:00Z"),
            &format!("c{i}"),
            "Rotate",
        );
    }
    for i in 1..=3 {
        events += &enroll_at(&format!("2026-01-02T0{i}:00:00Z"), &format!("c{i}"), "Team");
    }
    let (history, state) = Scenario::new(vec![rotate, team], &records)
        .env(crm_env())
        .events(&events)
        .run();
    let rows: Vec<String> = history
        .iter()
        .filter(|h| h["node"] != json!(null))
        .map(|h| {
            format!(
                "{} {} {} {} {}",
                h["workflow"], h["record"], h["node"], h["event"], h["detail"]
            )
        })
        .collect();
    snap!(
        "rotate_owner",
        format!("{}\n--- state\n{state}", rows.join("\n"))
    );
}

#[test]
fn slack_channel_needs_owner_and_a_valid_substituted_name() {
    let p = plan(json!({
        "name": "Slack", "object": "company",
        "nodes": chain(vec![
            json!({"kind": "create_slack_channel", "name": [{"text": "acct-"}, {"token": {"object": "company", "property": "name"}}], "private": true}),
            json!({"kind": "send_slack", "to": {"channel": [{"text": "#sales"}]}, "text": [{"text": "New: "}, {"token": {"object": "company", "property": "name"}}]}),
        ]),
    }));
    let long = "x".repeat(80);
    let records = format!(
        r#"{{"id":"ok","object":"company","properties":{{"name":"acme_2","hubspot_owner_id":"ana@example.com"}}}}
{{"id":"noowner","object":"company","properties":{{"name":"acme"}}}}
{{"id":"badname","object":"company","properties":{{"name":"Acme Corp","hubspot_owner_id":"ana@example.com"}}}}
{{"id":"toolong","object":"company","properties":{{"name":"{long}","hubspot_owner_id":"ana@example.com"}}}}
"#
    );
    let events = ["ok", "noowner", "badname", "toolong"]
        .iter()
        .map(|r| enroll_at("2026-01-01T00:00:00Z", r, "Slack"))
        .collect::<String>();
    let out = Scenario::new(vec![p], &records).events(&events).render();
    snap!("slack_channel", out);
}

#[test]
fn sms_limit_is_1000_per_calendar_month_utc() {
    let p = plan(json!({
        "name": "Texts", "object": "contact",
        "triggers": [filter(json!({"op": "known", "property": prop("phone"), "known": true}))],
        "nodes": chain(vec![
            json!({"kind": "send_internal_sms", "to": [{"number": "+31 6 1234 5678"}], "text": [{"text": "Call "}, {"token": {"object": "contact", "property": "phone"}}]}),
            json!({"kind": "add_to_list", "list": "after sms"}),
        ]),
    }));
    let mut records = String::new();
    for i in 1..=1002 {
        records += &format!("{{\"id\":\"c{i:04}\",\"object\":\"contact\",\"properties\":{{\"phone\":\"+3160000{i:04}\"}}}}\n");
    }
    records += r#"{"id":"late","object":"contact","properties":{}}"#;
    records += "\n";
    // 2026-01-31T23:59:59Z is still January; 2026-02-01T00:00:00Z starts a new month.
    let events = r#"{"at":"2026-01-31T23:59:59Z","record":"late","type":"set","properties":{"phone":"+31600009999"}}
{"at":"2026-02-01T00:00:00Z","record":"late","type":"set","properties":{"phone":""}}
{"at":"2026-02-01T00:00:01Z","record":"late","type":"enroll","workflow":"Texts"}
"#;
    let (history, state) = Scenario::new(vec![p], &records)
        .start("2026-01-31T12:00:00Z")
        .events(events)
        .run();
    let sms: Vec<&serde_json::Value> = history
        .iter()
        .filter(|h| h["kind"] == "send_internal_sms")
        .collect();
    assert_eq!(sms.len(), 1004);
    let sent = sms.iter().filter(|h| h["event"] == "action").count();
    let errors: Vec<String> = sms
        .iter()
        .filter(|h| h["event"] == "error")
        .map(|h| format!("{} {} {}", h["at"], h["record"], h["detail"]["reason"]))
        .collect();
    assert_eq!(sent, 1001);
    assert_eq!(
        errors,
        vec![
            "\"2026-01-31T12:00:00Z\" \"c1001\" \"SMS monthly limit reached (1,000 texts per calendar month)\"",
            "\"2026-01-31T12:00:00Z\" \"c1002\" \"SMS monthly limit reached (1,000 texts per calendar month)\"",
            "\"2026-01-31T23:59:59Z\" \"late\" \"SMS monthly limit reached (1,000 texts per calendar month)\"",
        ]
    );
    // The record continues after the error, and February's first text is sent.
    assert_eq!(
        trace(&history, "late"),
        vec![
            "2026-01-31T23:59:59Z Texts enrolled -",
            "2026-01-31T23:59:59Z Texts error send_internal_sms",
            "2026-01-31T23:59:59Z Texts action add_to_list",
            "2026-01-31T23:59:59Z Texts finished -",
            "2026-02-01T00:00:01Z Texts enrolled -",
            "2026-02-01T00:00:01Z Texts action send_internal_sms",
            "2026-02-01T00:00:01Z Texts action add_to_list",
            "2026-02-01T00:00:01Z Texts finished -",
        ]
    );
    let first = sms
        .first()
        .map(|h| h["detail"].to_string())
        .unwrap_or_default();
    assert_eq!(
        first,
        r#"{"to":["+31 6 1234 5678"],"text":"Call +31600000001","status":"sent"}"#
    );
    assert!(state.contains(r#""id":"c1001","object":"contact","properties":{"phone":"+31600001001","wf_lists":["after sms"]}"#));
}

/// docs/runtime.md, "Bounds": at most 10,000 step events per enrollment,
/// then an `error` and `unenrolled`. Plans are acyclic, so only a plan of
/// more than 10,000 steps reaches it.
#[test]
fn step_limit_ends_an_enrollment_after_10000_steps() {
    let steps: Vec<serde_json::Value> = (0..10_001)
        .map(|i| json!({"kind": "add_to_list", "list": format!("l{}", i % 2)}))
        .collect();
    let p = plan(json!({"name": "Long", "object": "contact", "nodes": chain(steps)}));
    let records = r#"{"id":"c1","object":"contact","properties":{}}
"#;
    let events = r#"{"at":"2026-01-15T09:00:00Z","record":"c1","type":"enroll","workflow":"Long"}
"#;
    let (history, _) = Scenario::new(vec![p], records).events(events).run();
    let actions = history.iter().filter(|h| h["event"] == "action").count();
    assert_eq!(actions, 10_000);
    let last: Vec<String> = trace(&history, "c1").into_iter().rev().take(2).collect();
    assert_eq!(
        last,
        vec![
            "2026-01-15T09:00:00Z Long unenrolled -",
            "2026-01-15T09:00:00Z Long error add_to_list",
        ]
    );
}

/// The SMS limit is per calendar month: a month that is full does not
/// limit the same month of the next year (1,000 texts to 1,000 numbers in
/// January 2026, the same step again in January 2027).
#[test]
fn sms_limit_is_per_month_of_each_year() {
    let to: Vec<serde_json::Value> = (0..1000)
        .map(|i| json!({"number": format!("+31 6 1000 {i:04}")}))
        .collect();
    let p = plan(json!({
        "name": "Texts", "object": "contact",
        "nodes": chain(vec![json!({"kind": "send_internal_sms", "to": to, "text": [{"text": "Hi"}]})]),
    }));
    let records = r#"{"id":"c1","object":"contact","properties":{}}
"#;
    let events = r#"{"at":"2026-01-15T09:00:00Z","record":"c1","type":"enroll","workflow":"Texts"}
{"at":"2027-01-15T09:00:00Z","record":"c1","type":"enroll","workflow":"Texts"}
"#;
    let (history, _) = Scenario::new(vec![p], records).events(events).run();
    assert_eq!(
        trace(&history, "c1"),
        vec![
            "2026-01-15T09:00:00Z Texts enrolled -",
            "2026-01-15T09:00:00Z Texts action send_internal_sms",
            "2026-01-15T09:00:00Z Texts finished -",
            "2027-01-15T09:00:00Z Texts enrolled -",
            "2027-01-15T09:00:00Z Texts action send_internal_sms",
            "2027-01-15T09:00:00Z Texts finished -",
        ]
    );
}

/// Each calendar month has a count of its own, also two months of
/// different years: February 2026 full, January 2027 sends. A step of two
/// texts in a full month gets the short message (the month is full, no
/// count to name).
#[test]
fn sms_months_of_different_years_count_apart_and_a_full_month_refuses_two_texts() {
    let to: Vec<serde_json::Value> = (0..1000)
        .map(|i| json!({"number": format!("+31 6 1000 {i:04}")}))
        .collect();
    let p = plan(json!({
        "name": "Texts", "object": "contact",
        "nodes": chain(vec![json!({"kind": "send_internal_sms", "to": to, "text": [{"text": "Hi"}]})]),
    }));
    let two = json!([{"number": "+31 6 1"}, {"number": "+31 6 2"}]);
    let q = plan(json!({
        "name": "Two", "object": "contact",
        "nodes": chain(vec![json!({"kind": "send_internal_sms", "to": two, "text": [{"text": "Hi"}]})]),
    }));
    let records = r#"{"id":"c1","object":"contact","properties":{}}
"#;
    let events = r#"{"at":"2026-02-10T09:00:00Z","record":"c1","type":"enroll","workflow":"Texts"}
{"at":"2026-02-11T09:00:00Z","record":"c1","type":"enroll","workflow":"Two"}
{"at":"2027-01-15T09:00:00Z","record":"c1","type":"enroll","workflow":"Two"}
"#;
    let (history, _) = Scenario::new(vec![p, q], records).events(events).run();
    let sms: Vec<String> = history
        .iter()
        .filter(|h| h["kind"] == "send_internal_sms")
        .map(|h| {
            let detail = match h["event"].as_str() {
                Some("action") => h["detail"]["to"].as_array().map_or(0, Vec::len).to_string(),
                _ => h["detail"]["reason"].to_string(),
            };
            format!("{} {} {} {detail}", h["at"], h["workflow"], h["event"])
        })
        .collect();
    assert_eq!(
        sms,
        vec![
            r#""2026-02-10T09:00:00Z" "Texts" "action" 1000"#,
            r#""2026-02-11T09:00:00Z" "Two" "error" "SMS monthly limit reached (1,000 texts per calendar month)""#,
            r#""2027-01-15T09:00:00Z" "Two" "action" 2"#,
        ]
    );
}

/// The SMS limit counts texts per recipient: 333 contacts texted at three
/// numbers are 999 texts; the next three-number step would take the count
/// past 1,000 and sends none of them (an `error` naming the monthly limit);
/// a one-number step still sends the 1,000th text, and the one after it is
/// refused.
#[test]
fn sms_limit_counts_one_text_per_recipient_and_a_step_sends_all_or_none() {
    let three = json!([{"number": "+31 6 1"}, {"number": "+31 6 2"}, {"user": "ana@example.com"}]);
    let p = plan(json!({
        "name": "Texts", "object": "contact",
        "triggers": [filter(json!({"op": "known", "property": prop("phone"), "known": true}))],
        "nodes": chain(vec![
            json!({"kind": "send_internal_sms", "to": three, "text": [{"text": "Hi"}]}),
        ]),
    }));
    let q = plan(json!({
        "name": "One text", "object": "contact",
        "triggers": [filter(json!({"op": "known", "property": prop("city"), "known": true}))],
        "nodes": chain(vec![
            json!({"kind": "send_internal_sms", "to": [{"number": "+31 6 9"}], "text": [{"text": "Hi"}]}),
        ]),
    }));
    let mut records = String::new();
    for i in 1..=334 {
        records += &format!(
            "{{\"id\":\"c{i:03}\",\"object\":\"contact\",\"properties\":{{\"phone\":\"+316{i:03}\"}}}}\n"
        );
    }
    records += "{\"id\":\"d1\",\"object\":\"contact\",\"properties\":{\"city\":\"Delft\"}}\n";
    records += "{\"id\":\"d2\",\"object\":\"contact\",\"properties\":{\"city\":\"Delft\"}}\n";
    let (history, _) = Scenario::new(vec![p, q], &records)
        .start("2026-05-10T00:00:00Z")
        .run();
    let outcome = |record: &str| -> Vec<String> {
        history
            .iter()
            .filter(|h| h["record"] == record && h["kind"] == "send_internal_sms")
            .map(|h| format!("{} {}", h["event"], h["detail"]))
            .collect()
    };
    let sent = history
        .iter()
        .filter(|h| h["kind"] == "send_internal_sms" && h["event"] == "action")
        .count();
    assert_eq!(sent, 334);
    assert_eq!(
        outcome("c333"),
        vec![
            r#""action" {"to":["+31 6 1","+31 6 2","ana@example.com"],"text":"Hi","status":"sent"}"#
        ]
    );
    assert_eq!(
        outcome("c334"),
        vec![
            r#""error" {"reason":"SMS monthly limit reached: 3 texts would pass 1,000 texts this calendar month (999 sent)"}"#
        ]
    );
    assert_eq!(
        outcome("d1"),
        vec![r#""action" {"to":["+31 6 9"],"text":"Hi","status":"sent"}"#]
    );
    assert_eq!(
        outcome("d2"),
        vec![r#""error" {"reason":"SMS monthly limit reached (1,000 texts per calendar month)"}"#]
    );
}

#[test]
fn send_email_from_a_deal_reaches_the_first_100_associated_contacts_by_id() {
    let p = plan(json!({
        "name": "Deal mail", "object": "deal",
        "nodes": chain(vec![json!({"kind": "send_email", "email": "Kickoff"})]),
    }));
    let mut records = String::from(r#"{"id":"d1","object":"deal","properties":{}}"#);
    records.push('\n');
    for i in (1..=120).rev() {
        records += &format!("{{\"id\":\"c{i:03}\",\"object\":\"contact\",\"properties\":{{}},\"associations\":{{\"deal\":[\"d1\"]}}}}\n");
    }
    let (history, _) = Scenario::new(vec![p], &records)
        .events(&enroll_at("2026-01-01T00:00:00Z", "d1", "Deal mail"))
        .run();
    let action = history
        .iter()
        .find(|h| h["event"] == "action")
        .expect("email sent");
    let recipients = action["detail"]["recipients"]
        .as_array()
        .expect("recipients");
    assert_eq!(recipients.len(), 100);
    assert_eq!(recipients[0], "c001");
    assert_eq!(recipients[99], "c100");
}

#[test]
fn lists_audiences_subscriptions_and_recorded_effects() {
    let p = manual(
        "Effects",
        vec![
            json!({"kind": "add_to_list", "list": "A"}),
            json!({"kind": "add_to_list", "list": "B"}),
            json!({"kind": "remove_from_list", "list": "A"}),
            json!({"kind": "add_to_audience", "audience": "Retargeting"}),
            json!({"kind": "remove_from_audience", "audience": "Other"}),
            json!({"kind": "set_subscription", "subscription": "Newsletter", "status": "opted_in", "basis": "consent", "explanation": [{"text": "form"}]}),
            json!({"kind": "set_subscription", "subscription": "Offers", "status": "opted_out", "basis": null, "explanation": null}),
            json!({"kind": "webhook", "method": "POST", "url": "https://hooks.example.com/x"}),
            json!({"kind": "send_internal_email", "to": ["owner", {"user": "bo@example.com"}, {"team": "Sales NL"}], "subject": [{"text": "Lead "}, {"token": {"object": "contact", "property": "firstname"}}], "body": [{"text": "Hi"}]}),
            json!({"kind": "send_notification", "to": ["owner"], "subject": [{"text": "s"}], "body": [{"text": "b"}]}),
            json!({"kind": "send_internal_marketing_email", "email": "Internal", "to": [{"address": "ops@example.com"}, {"property": "email"}, {"property": "missing"}]}),
            json!({"kind": "create_asana_task", "title": [{"text": "Follow up"}], "project": "CRM"}),
            json!({"kind": "app_action", "app": "Zapier", "action": "Run", "fields": [{"property": "who", "value": {"template": [{"token": {"object": "contact", "property": "email"}}]}}]}),
            json!({"kind": "salesforce_task", "subject": [{"text": "Call"}], "assignee": "owner"}),
            json!({"kind": "salesforce_campaign", "campaign": "Spring"}),
        ],
    );
    let records = r#"{"id":"c1","object":"contact","properties":{"firstname":"Ana","email":"ana@x.io"},"associations":{"company":["co1"]}}
{"id":"co1","object":"company","properties":{}}
"#;
    let out = Scenario::new(vec![p], records)
        .env(crm_env())
        .events(&enroll_at("2026-01-01T00:00:00Z", "c1", "Effects"))
        .render();
    snap!("effects_lists_subscriptions", out);
}

#[test]
fn condition_semantics_empty_values_any_associated_and_events() {
    let c = |cond: serde_json::Value, path: &str| json!({"path": path, "condition": cond});
    let cases = [
        c(
            json!({"op": "compare", "property": prop("city"), "cmp": "is_not", "value": "Gent"}),
            "is not (empty: true)",
        ),
        c(
            json!({"op": "in", "property": prop("city"), "negated": true, "values": ["Gent"]}),
            "not in (empty: true)",
        ),
        c(
            json!({"op": "compare", "property": prop("city"), "cmp": "is", "value": "Gent"}),
            "is (empty: false)",
        ),
        c(
            json!({"op": "compare", "property": prop("hubspotscore"), "cmp": "lt", "value": 5}),
            "lt (empty: false)",
        ),
        c(cond_known(None, "city", false), "is unknown"),
        c(
            json!({"op": "compare", "property": pref("company", "industry"), "cmp": "is", "value": "RETAIL"}),
            "any company RETAIL",
        ),
        c(
            json!({"op": "event", "event": {"type": "email_opened", "name": "Welcome"}}),
            "opened Welcome",
        ),
    ];
    // One branch per case so each record's path shows which held.
    let mut steps = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let mut case = case.clone();
        case["path"] = json!("if");
        steps.push(json!({"id": format!("b{i}"), "kind": "branch_if", "cases": [case], "else_next": format!("b{}", i + 1), "next": null}));
    }
    for (i, s) in steps.iter_mut().enumerate() {
        s["cases"][0]["next"] = json!(format!("b{}", i + 1));
    }
    if let Some(s) = steps.last_mut() {
        s["cases"][0]["next"] = json!(null);
        s["else_next"] = json!(null);
    }
    let p = plan(json!({"name": "Conds", "object": "contact", "nodes": steps}));
    let records = r#"{"id":"empty","object":"contact","properties":{"city":""}}
{"id":"full","object":"contact","properties":{"city":"Gent","hubspotscore":"3"},"associations":{"company":["co1","co2"]}}
{"id":"co1","object":"company","properties":{"industry":"BANKING"}}
{"id":"co2","object":"company","properties":{"industry":"RETAIL"}}
"#;
    let events = r#"{"at":"2026-01-01T00:00:00Z","record":"full","type":"email_opened","name":"Welcome"}
{"at":"2026-01-01T00:00:00Z","record":"empty","type":"enroll","workflow":"Conds"}
{"at":"2026-01-01T00:00:00Z","record":"full","type":"enroll","workflow":"Conds"}
"#;
    let (history, _) = Scenario::new(vec![p], records).events(events).run();
    let paths: Vec<String> = history
        .iter()
        .filter(|h| h["event"] == "branch")
        .map(|h| format!("{} {} {}", h["record"], h["node"], h["detail"]["path"]))
        .collect();
    snap!("conditions", paths.join("\n"));
}

#[test]
fn a_hand_written_plan_with_a_cycle_is_refused_on_load() {
    let p = plan(json!({
        "name": "Loop", "object": "contact",
        "nodes": [
            {"id": "n1", "kind": "set_property", "target": prop("x"), "value": 1, "next": "n2"},
            {"id": "n2", "kind": "goto", "target": "n1", "target_label": "top", "next": null},
        ],
    }));
    let err = wfc::runtime::load(vec![p]).expect_err("a cyclic plan is invalid");
    assert_eq!(err.plan, "Loop");
    assert!(
        err.message.contains("loop back to node `n1`"),
        "{}",
        err.message
    );

    // The same shape without the back edge is fine.
    let ok = plan(json!({
        "name": "Line", "object": "contact",
        "nodes": [
            {"id": "n1", "kind": "set_property", "target": prop("x"), "value": 1, "next": "n2"},
            {"id": "n2", "kind": "set_property", "target": prop("y"), "value": 2, "next": null},
        ],
    }));
    assert!(wfc::runtime::load(vec![ok]).is_ok());
}

#[test]
fn until_stops_the_run_and_waiting_records_get_no_more_events() {
    let p = manual(
        "Slow",
        vec![
            json!({"kind": "delay", "minutes": 600}),
            json!({"kind": "add_to_list", "list": "late"}),
        ],
    );
    let (history, state) =
        Scenario::new(vec![p], r#"{"id":"c1","object":"contact","properties":{}}"#)
            .events(&enroll_at("2026-01-01T00:00:00Z", "c1", "Slow"))
            .until("2026-01-01T09:59:59Z")
            .run();
    assert_eq!(
        trace(&history, "c1"),
        vec![
            "2026-01-01T00:00:00Z Slow enrolled -",
            "2026-01-01T00:00:00Z Slow delayed delay"
        ]
    );
    assert!(!state.contains("late"));
}

/// `--until` is "not before the start": equal to it is a run of that one
/// instant (inclusive), not a usage error.
#[test]
fn until_equal_to_the_start_runs_that_instant() {
    let p = manual(
        "Now",
        vec![
            json!({"kind": "add_to_list", "list": "now"}),
            json!({"kind": "delay", "minutes": 1}),
            json!({"kind": "add_to_list", "list": "later"}),
        ],
    );
    let (history, state) =
        Scenario::new(vec![p], r#"{"id":"c1","object":"contact","properties":{}}"#)
            .events(&enroll_at("2026-01-01T00:00:00Z", "c1", "Now"))
            .until("2026-01-01T00:00:00Z")
            .run();
    assert_eq!(
        trace(&history, "c1"),
        vec![
            "2026-01-01T00:00:00Z Now enrolled -",
            "2026-01-01T00:00:00Z Now action add_to_list",
            "2026-01-01T00:00:00Z Now delayed delay"
        ]
    );
    assert!(state.contains("now") && !state.contains("later"));
}

#[test]
fn a_filter_on_an_associated_record_is_re_evaluated_when_that_record_changes() {
    let p = plan(json!({
        "name": "Banking contacts", "object": "contact",
        "triggers": [filter(json!({"op": "compare", "property": pref("company", "industry"), "cmp": "is", "value": "BANKING"}))],
        "nodes": chain(vec![json!({"kind": "add_to_list", "list": "Banking"})]),
    }));
    let records = r#"{"id":"c1","object":"contact","properties":{},"associations":{"company":["co1"]}}
{"id":"co1","object":"company","properties":{"industry":"RETAIL"}}
"#;
    let events = r#"{"at":"2026-01-03T00:00:00Z","record":"co1","type":"set","properties":{"industry":"BANKING"}}"#;
    let (history, _) = Scenario::new(vec![p], records).events(events).run();
    assert_eq!(
        trace(&history, "c1"),
        vec![
            "2026-01-03T00:00:00Z Banking contacts enrolled -",
            "2026-01-03T00:00:00Z Banking contacts action add_to_list",
            "2026-01-03T00:00:00Z Banking contacts finished -",
        ]
    );
}

/// Associations are made symmetric; a record naming itself is ignored, and
/// an id not in the file is kept as written.
#[test]
fn associations_are_symmetric_and_a_record_is_not_its_own_neighbour() {
    let records = wfc::runtime::parse_records(
        r#"{"id":"c1","object":"contact","associations":{"contact":["c1"],"company":["co1","co9"]}}
{"id":"co1","object":"company"}
"#,
    )
    .expect("records parse");
    let assoc = |i: usize| {
        records[i]
            .associations
            .iter()
            .map(|(object, ids)| format!("{object}: {ids:?}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(assoc(0), [r#"company: {"co1", "co9"}"#]);
    assert_eq!(assoc(1), [r#"contact: {"c1"}"#]);
}

/// An error in an events file names its 1-based line (blank lines count).
#[test]
fn an_event_error_names_its_line() {
    let err = wfc::runtime::parse_events(
        "\n{\"at\":\"2026-01-01T00:00:00Z\",\"record\":\"c1\",\"type\":\"custom\"}\n",
    )
    .expect_err("a custom event needs a name");
    assert_eq!(
        err.to_string(),
        "line 2: event of type `custom` needs `name`"
    );
}
