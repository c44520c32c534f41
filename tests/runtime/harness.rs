//! Scenario harness: plans (JSON written in Rust, or `.wf` sources once the
//! compiler produces plans), records and events in; history and state out.

use serde_json::{json, Value};
use wfc::plan::Plan;
use wfc::runtime::{self, Collect, RunInput};
use wfc::schema::Environment;

/// A plan from partial JSON: `format`, `source`, `reenroll`, `goals`,
/// `unenroll`, `triggers` and `start` (the first node) get defaults; every
/// node gets a `source` and, unless given, `next: null`.
pub fn plan(mut v: Value) -> Plan {
    let src = json!({"file": "test.json", "line": 1, "column": 1});
    let o = v.as_object_mut().expect("plan literal is an object");
    o.entry("format").or_insert(json!("wfplan/1"));
    o.entry("source").or_insert(src.clone());
    o.entry("reenroll").or_insert(json!(false));
    o.entry("goals").or_insert(json!([]));
    o.entry("unenroll").or_insert(json!([]));
    o.entry("triggers").or_insert(json!([]));
    o.entry("nodes").or_insert(json!([]));
    let first = o["nodes"]
        .get(0)
        .and_then(|n| n.get("id"))
        .cloned()
        .unwrap_or(Value::Null);
    o.entry("start").or_insert(first);
    if let Some(nodes) = o.get_mut("nodes").and_then(Value::as_array_mut) {
        for n in nodes {
            let n = n.as_object_mut().expect("node literal is an object");
            n.entry("source").or_insert(src.clone());
            n.entry("next").or_insert(Value::Null);
        }
    }
    serde_json::from_value(v).expect("test plan deserialises")
}

/// A linear chain: node ids n1.. in order, each `next` the following one.
pub fn chain(steps: Vec<Value>) -> Value {
    let n = steps.len();
    let nodes: Vec<Value> = steps
        .into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            let o = s.as_object_mut().expect("step literal is an object");
            o.insert("id".into(), json!(format!("n{}", i + 1)));
            if !o.contains_key("next") {
                let next = if i + 1 < n {
                    json!(format!("n{}", i + 2))
                } else {
                    Value::Null
                };
                o.insert("next".into(), next);
            }
            s
        })
        .collect();
    Value::Array(nodes)
}

/// A filter-trigger condition `property is value` on the enrolled record.
pub fn is(prop: &str, value: Value) -> Value {
    json!({"op": "compare", "property": {"object": null, "property": prop}, "cmp": "is", "value": value})
}

pub fn filter(cond: Value) -> Value {
    json!({"kind": "filter", "condition": cond})
}

pub fn prop(p: &str) -> Value {
    json!({"object": null, "property": p})
}

pub struct Scenario {
    pub plans: Vec<Plan>,
    pub records: String,
    pub events: String,
    pub start: Option<&'static str>,
    pub until: Option<&'static str>,
    pub env: Environment,
}

impl Scenario {
    pub fn new(plans: Vec<Plan>, records: &str) -> Scenario {
        Scenario {
            plans,
            records: records.to_string(),
            events: String::new(),
            start: None,
            until: None,
            env: Environment::standard(),
        }
    }

    pub fn events(mut self, e: &str) -> Scenario {
        self.events = e.to_string();
        self
    }

    pub fn start(mut self, t: &'static str) -> Scenario {
        self.start = Some(t);
        self
    }

    pub fn until(mut self, t: &'static str) -> Scenario {
        self.until = Some(t);
        self
    }

    pub fn env(mut self, env: Environment) -> Scenario {
        self.env = env;
        self
    }

    /// Run; returns (history events, final state as JSON Lines).
    pub fn run(self) -> (Vec<Value>, String) {
        let programs = runtime::load(self.plans).expect("plans validate");
        let records = runtime::parse_records(&self.records).expect("records parse");
        let events = runtime::parse_events(&self.events).expect("events parse");
        let mut sink = Collect::default();
        let input = RunInput {
            records,
            events,
            start: self
                .start
                .map(|s| runtime::model::parse_time(s).expect("start time")),
            until: self
                .until
                .map(|s| runtime::model::parse_time(s).expect("until time")),
        };
        let records = runtime::run(&programs, &self.env, input, &mut sink).expect("run completes");
        let mut state = Vec::new();
        runtime::write_state(&records, &mut state).expect("state writes");
        (sink.0, String::from_utf8(state).expect("utf-8 state"))
    }

    /// Run and render history + state as one text for a snapshot.
    pub fn render(self) -> String {
        let (history, state) = self.run();
        let mut out = String::new();
        for h in &history {
            out.push_str(&h.to_string());
            out.push('\n');
        }
        out.push_str("--- state\n");
        out.push_str(&state);
        out
    }
}

/// The (event, kind, at) sequence of one record, as the judge compares it.
pub fn trace(history: &[Value], record: &str) -> Vec<String> {
    history
        .iter()
        .filter(|h| h["record"] == record)
        .map(|h| {
            format!(
                "{} {} {} {}",
                h["at"].as_str().unwrap_or(""),
                h["workflow"].as_str().unwrap_or(""),
                h["event"].as_str().unwrap_or(""),
                h["kind"].as_str().unwrap_or("-")
            )
        })
        .collect()
}
