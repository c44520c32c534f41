//! Plan edges for the tricky shapes, from source text: nested branches with
//! steps after both, empty paths, goto, event waits with and without `max`,
//! and the value encodings (durations, conditions, templates, numbers, dates).

use serde_json::json;
use wfc::plan::{Action, Plan};
use wfc::{compile, SourceInput};

fn plans(src: &str) -> Vec<Plan> {
    let c = compile(vec![SourceInput::new("t.wf", src)], None);
    assert!(!c.has_errors(), "unexpected errors: {:#?}", c.diagnostics);
    c.plans
}

fn plan(src: &str) -> Plan {
    let mut p = plans(src);
    assert_eq!(p.len(), 1);
    p.remove(0)
}

/// The node as JSON, without its source location.
fn node(p: &Plan, id: &str) -> serde_json::Value {
    let n = p
        .nodes
        .iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("no node {id}"));
    let mut v = serde_json::to_value(n).expect("json");
    v.as_object_mut().expect("object").remove("source");
    v
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn nested_if_inside_branch_with_steps_after_both() {
    let p = plan(
        r#"workflow "W" for contact {
  branch on lifecyclestage {
    "lead" {
      if hubspotscore > 10 {
        add to list "A"
      } else {
        add to list "B"
      }
      add to list "C"
    }
    "customer" {}
  }
  add to list "D"
}"#,
    );
    assert_eq!(p.start, s("n1"));
    assert_eq!(
        node(&p, "n1"),
        json!({
            "id": "n1", "label": null, "kind": "branch_value",
            "property": {"object": null, "property": "lifecyclestage"},
            "cases": [
                {"values": ["lead"], "next": "n2"},
                {"values": ["customer"], "next": "n6"}
            ],
            "else_next": "n6",
            "next": null
        })
    );
    assert_eq!(
        node(&p, "n2"),
        json!({
            "id": "n2", "label": null, "kind": "branch_if",
            "cases": [{
                "path": "if",
                "condition": {"op": "compare", "property": {"object": null, "property": "hubspotscore"}, "cmp": "gt", "value": 10},
                "next": "n3"
            }],
            "else_next": "n4",
            "next": null
        })
    );
    // both inner paths join at the step after the inner if ...
    assert_eq!(p.nodes[2].next, s("n5"));
    assert_eq!(p.nodes[3].next, s("n5"));
    // ... which joins the outer branch's join node, the last step
    assert_eq!(p.nodes[4].next, s("n6"));
    assert_eq!(p.nodes[5].next, None);
    assert_eq!(p.nodes.len(), 6);
}

#[test]
fn empty_paths_and_missing_else_go_to_the_join_node_or_finish() {
    let p = plan(
        r#"workflow "W" for contact {
  if hubspotscore > 10 {} else if hubspotscore > 5 {
    add to list "A"
  }
  if email is known {
    add to list "B"
  }
}"#,
    );
    match &p.nodes[0].action {
        Action::BranchIf { cases, else_next } => {
            assert_eq!(cases[0].path, "if");
            assert_eq!(cases[0].next, s("n3"), "empty path → join node");
            assert_eq!(cases[1].path, "else if 1");
            assert_eq!(cases[1].next, s("n2"));
            assert_eq!(*else_next, s("n3"), "missing else → join node");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(p.nodes[1].next, s("n3"));
    match &p.nodes[2].action {
        Action::BranchIf { cases, else_next } => {
            assert_eq!(cases[0].next, s("n4"));
            assert_eq!(*else_next, None, "nothing after the last branch");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(p.nodes[3].next, None);
}

#[test]
fn goto_names_the_target_node_and_has_no_next() {
    let p = plan(
        r#"workflow "W" for contact {
  if hubspotscore >= 50 {
    set hs_lead_status = "OPEN"
    notify: send internal email to owner subject "Hot" body "{{ firstname }} is hot"
  } else if hubspotscore >= 20 {
    add to list "Warm"
    goto notify
  }
  delay 1d
}"#,
    );
    assert_eq!(
        node(&p, "n5"),
        json!({
            "id": "n5", "label": null, "kind": "goto",
            "target": "n3", "target_label": "notify", "next": null
        })
    );
    assert_eq!(p.nodes[2].label.as_deref(), Some("notify"));
    assert_eq!(p.nodes[2].next, s("n6"));
    assert_eq!(p.nodes[3].next, s("n5"));
    assert_eq!(
        node(&p, "n6"),
        json!({"id": "n6", "label": null, "kind": "delay", "minutes": 1440, "next": null})
    );
}

/// A label in a later path counts the nodes of the paths before it: here
/// the first path is one node (`n2`), so the label is `n3`.
#[test]
fn goto_into_a_later_path_names_its_node() {
    let p = plan(
        r#"workflow "W" for contact {
  if hubspotscore >= 50 {
    goto warm
  } else if hubspotscore >= 20 {
    warm: add to list "Warm"
    set hs_lead_status = "OPEN"
  }
  delay 1d
}"#,
    );
    assert_eq!(
        node(&p, "n2"),
        json!({
            "id": "n2", "label": null, "kind": "goto",
            "target": "n3", "target_label": "warm", "next": null
        })
    );
    assert_eq!(p.nodes[2].label.as_deref(), Some("warm"));
    assert_eq!(p.nodes[2].id, "n3");
}

#[test]
fn event_wait_with_max_has_a_timeout_edge_to_the_next_step() {
    let p = plan(
        r#"workflow "W" for contact {
  delay until form "Demo request" submitted max 2d 4h 30m
  add to list "A"
  delay until email "Welcome" clicked
}"#,
    );
    assert_eq!(
        node(&p, "n1"),
        json!({
            "id": "n1", "label": null, "kind": "delay_until_event",
            "event": {"type": "form_submitted", "name": "Demo request"},
            "max_minutes": 3150, "timeout_next": "n2", "next": "n2"
        })
    );
    assert_eq!(
        node(&p, "n3"),
        json!({
            "id": "n3", "label": null, "kind": "delay_until_event",
            "event": {"type": "email_clicked", "name": "Welcome"},
            "max_minutes": null, "timeout_next": null, "next": null
        })
    );
}

#[test]
fn event_wait_with_max_as_last_step_of_a_path_times_out_to_the_join() {
    let p = plan(
        r#"workflow "W" for contact {
  if hubspotscore > 1 {
    delay until page "/pricing" viewed max 7d
  }
  add to list "A"
}"#,
    );
    assert_eq!(p.nodes[1].next, s("n3"));
    match &p.nodes[1].action {
        Action::DelayUntilEvent { timeout_next, .. } => assert_eq!(*timeout_next, s("n3")),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn settings_conditions_templates_and_values() {
    let p = plan(
        r#"workflow "W" for contact {
  enroll when (lifecyclestage is "lead" and (hubspotscore >= 12.5 and contact.country in ["NL"])) or not company.name is known
  enroll on page "/pricing" viewed
  reenroll
  goal email "Welcome" replied
  unenroll when jobtitle contains "Student"
  set company.city = "Hi {{ firstname }} from {{ company.name }}"
  set hubspotscore = 42
  create deal {
    dealname = "Deal"
    pipeline = "default"
    dealstage = "closedwon"
    closedate = 2026-03-01
  }
}"#,
    );
    let v = serde_json::to_value(&p).expect("json");
    assert_eq!(v["format"], "wfplan/1");
    assert_eq!(v["reenroll"], true);
    assert_eq!(
        v["triggers"],
        json!([
            {"kind": "filter", "condition": {"op": "or", "any": [
                {"op": "and", "all": [
                    {"op": "compare", "property": {"object": null, "property": "lifecyclestage"}, "cmp": "is", "value": "lead"},
                    {"op": "compare", "property": {"object": null, "property": "hubspotscore"}, "cmp": "ge", "value": 12.5},
                    {"op": "in", "property": {"object": null, "property": "country"}, "negated": false, "values": ["NL"]}
                ]},
                {"op": "not", "condition": {"op": "known", "property": {"object": "company", "property": "name"}, "known": true}}
            ]}},
            {"kind": "event", "event": {"type": "page_viewed", "url": "/pricing"}}
        ])
    );
    assert_eq!(
        v["goals"],
        json!([{"op": "event", "event": {"type": "email_replied", "name": "Welcome"}}])
    );
    assert_eq!(
        v["unenroll"],
        json!([{"op": "contains", "property": {"object": null, "property": "jobtitle"}, "text": "Student"}])
    );
    assert_eq!(
        node(&p, "n1")["value"],
        json!({"template": [
            {"text": "Hi "},
            {"token": {"object": "contact", "property": "firstname"}},
            {"text": " from "},
            {"token": {"object": "company", "property": "name"}}
        ]})
    );
    assert_eq!(
        node(&p, "n1")["target"],
        json!({"object": "company", "property": "city"})
    );
    assert_eq!(
        serde_json::to_string(&node(&p, "n2")["value"]).ok(),
        s("42")
    );
    assert_eq!(
        node(&p, "n3")["properties"],
        json!([
            {"property": "dealname", "value": "Deal"},
            {"property": "pipeline", "value": "default"},
            {"property": "dealstage", "value": "closedwon"},
            {"property": "closedate", "value": "2026-03-01"}
        ])
    );
}

#[test]
fn date_centred_delays_are_signed_minute_offsets() {
    let p = plan(
        r#"workflow "W" for contact centered on 2026-11-27 {
  delay until 7d before date at 9:00
  delay until date at 8:05
  delay until 1d 2h after date
}"#,
    );
    let v = serde_json::to_value(&p).expect("json");
    assert_eq!(v["centered_on"], json!({"date": "2026-11-27"}));
    assert_eq!(node(&p, "n1")["offset_minutes"], -10080);
    assert_eq!(node(&p, "n1")["time"], "09:00");
    assert_eq!(node(&p, "n2")["offset_minutes"], 0);
    assert_eq!(node(&p, "n2")["time"], "08:05");
    assert_eq!(node(&p, "n3")["offset_minutes"], 1560);
    assert_eq!(node(&p, "n3")["time"], json!(null));
}

#[test]
fn node_locations_point_at_the_step_keyword_not_the_label() {
    let p = plan(
        "workflow \"W\" for contact {\n  if email is known {\n    hot: add to list \"A\"\n  }\n}\n",
    );
    let loc = &p.nodes[1].source;
    assert_eq!((loc.file.as_str(), loc.line, loc.column), ("t.wf", 3, 10));
    assert_eq!((p.source.line, p.source.column), (1, 1));
    assert_eq!((p.nodes[0].source.line, p.nodes[0].source.column), (2, 3));
}

#[test]
fn several_workflows_give_plans_in_source_order() {
    let ps = plans(
        r#"workflow "B" for deal {
  set amount = 1
}
workflow "A" for contact {}"#,
    );
    let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["B", "A"]);
    assert_eq!(ps[1].start, None);
    assert!(ps[1].nodes.is_empty());
}
