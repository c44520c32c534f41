//! Runtime benchmarks.
//!
//! - `runtime/100k_contacts_10_step_plan`: 100,000 contacts through a 10-step
//!   plan with a branch and delays; steps per second (criterion's element
//!   throughput). The history is counted, not serialised (the engine's cost).
//! - `runtime/100k_contacts_10_step_plan_jsonl`: the same, with the history
//!   serialised as JSON Lines into `io::sink()` (what `wfc run` pays).
//! - `plan_loader/*`: parse + validate plan JSON (`serde_json` into
//!   `Vec<Plan>`, then `runtime::load`) for the plans of the generated ~1 MB
//!   `.wf` corpus; bytes of plan JSON per second.
//!
//! `cargo bench --bench runtime -- --warm-up-time 1 --measurement-time 5`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use serde_json::json;
use wfc::runtime::store::HistoryEvent;
use wfc::runtime::{self, HistorySink, JsonLines, RunInput};
use wfc::schema::Environment;

const CONTACTS: usize = 100_000;

/// A history sink that only counts events: the engine's own cost, with no
/// serialisation.
#[derive(Default)]
struct Count(u64);

impl HistorySink for Count {
    fn emit(&mut self, _event: HistoryEvent<'_>) -> std::io::Result<()> {
        self.0 += 1;
        Ok(())
    }
}
/// Every contact walks 8 of the 10 nodes (one side of the branch).
const STEPS_PER_CONTACT: u64 = 8;

fn plan() -> wfc::plan::Plan {
    let src = json!({"file": "bench.wf", "line": 1, "column": 1});
    let p = |property: &str| json!({"object": null, "property": property});
    let nodes = json!([
        {"id": "n1", "kind": "set_property", "target": p("hs_lead_status"), "value": "NEW", "next": "n2", "source": src},
        {"id": "n2", "kind": "delay", "minutes": 1440, "next": "n3", "source": src},
        {"id": "n3", "kind": "branch_if", "cases": [
            {"path": "if", "condition": {"op": "compare", "property": p("hubspotscore"), "cmp": "ge", "value": 50}, "next": "n4"}
        ], "else_next": "n6", "next": null, "source": src},
        {"id": "n4", "kind": "add_to_list", "list": "Hot", "next": "n5", "source": src},
        {"id": "n5", "kind": "increase_property", "target": p("hubspotscore"), "by": 10, "next": "n8", "source": src},
        {"id": "n6", "kind": "delay_until_time", "days": ["tuesday", "thursday"], "time": "11:00", "next": "n7", "source": src},
        {"id": "n7", "kind": "increase_property", "target": p("hubspotscore"), "by": 5, "next": "n8", "source": src},
        {"id": "n8", "kind": "send_email", "email": "Welcome", "next": "n9", "source": src},
        {"id": "n9", "kind": "delay", "minutes": 60, "next": "n10", "source": src},
        {"id": "n10", "kind": "set_property", "target": p("lifecyclestage"), "value": "marketingqualifiedlead", "next": null, "source": src}
    ]);
    serde_json::from_value(json!({
        "format": "wfplan/1", "name": "Bench", "object": "contact", "centered_on": null,
        "triggers": [{"kind": "filter", "condition": {"op": "compare", "property": p("lifecyclestage"), "cmp": "is", "value": "lead"}}],
        "reenroll": false, "goals": [], "unenroll": [], "start": "n1", "nodes": nodes, "source": src
    }))
    .expect("bench plan")
}

fn records() -> String {
    let mut out = String::with_capacity(CONTACTS * 100);
    for i in 0..CONTACTS {
        out.push_str(&format!(
            "{{\"id\":\"c{i}\",\"object\":\"contact\",\"properties\":{{\"lifecyclestage\":\"lead\",\"hubspotscore\":{}}}}}\n",
            i % 100
        ));
    }
    out
}

fn bench(c: &mut Criterion) {
    let programs = runtime::load(vec![plan()]).expect("valid plan");
    let env = Environment::standard();
    let parsed = runtime::parse_records(&records()).expect("records");
    let mut g = c.benchmark_group("runtime");
    g.sample_size(10);
    g.throughput(Throughput::Elements(CONTACTS as u64 * STEPS_PER_CONTACT));
    g.bench_function("100k_contacts_10_step_plan", |b| {
        b.iter_batched(
            || parsed.clone(),
            |records| {
                let mut sink = Count::default();
                let input = RunInput {
                    records,
                    events: vec![],
                    start: None,
                    until: None,
                };
                let state = runtime::run(&programs, &env, input, &mut sink).expect("run");
                // enrolled + 8 steps + finished per contact
                assert_eq!(sink.0, CONTACTS as u64 * (STEPS_PER_CONTACT + 2));
                // returned: criterion drops the final state outside the timing
                state
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("100k_contacts_10_step_plan_jsonl", |b| {
        b.iter_batched(
            || parsed.clone(),
            |records| {
                let mut sink = JsonLines::new(std::io::BufWriter::new(std::io::sink()));
                let input = RunInput {
                    records,
                    events: vec![],
                    start: None,
                    until: None,
                };
                runtime::run(&programs, &env, input, &mut sink).expect("run")
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

/// The plans of the generated ~1 MB corpus, as one JSON array.
fn corpus_plans_json() -> Vec<u8> {
    let text = wfc_dev::corpus::generate(2026, 1_000_000);
    let c = wfc::compile(vec![wfc::SourceInput::new("corpus.wf", text)], None);
    assert!(!c.has_errors(), "the corpus compiles");
    serde_json::to_vec(&c.plans).expect("plans serialise")
}

fn bench_loader(c: &mut Criterion) {
    let json = corpus_plans_json();
    let plans: Vec<wfc::plan::Plan> = serde_json::from_slice(&json).expect("plans parse");
    let nodes: usize = plans.iter().map(|p| p.nodes.len()).sum();
    eprintln!(
        "plan_loader: {} plans, {nodes} nodes, {} bytes of plan JSON",
        plans.len(),
        json.len()
    );
    let mut g = c.benchmark_group("plan_loader");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("parse_and_validate_1mb_corpus_plans", |b| {
        b.iter(|| {
            let plans: Vec<wfc::plan::Plan> =
                serde_json::from_slice(std::hint::black_box(&json)).expect("plans parse");
            runtime::load(plans).expect("plans validate").len()
        })
    });
    g.bench_function("validate_only_1mb_corpus_plans", |b| {
        b.iter_batched(
            || plans.clone(),
            |plans| runtime::load(plans).expect("plans validate").len(),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench, bench_loader);
criterion_main!(benches);
