//! Front-end benchmarks: parse, check and build of generated `.wf` corpora
//! (~1 MB and ~10 MB, `wfc_dev::corpus`), side by side with the JSON baseline:
//! the *same* workflows as emitted plans, parsed with serde_json and
//! validated against `schemas/plan.schema.json` with the `jsonschema` crate
//! (validator compiled once), the way JSON-based workflow engines check
//! their input.
//!
//! Every throughput is in bytes of `.wf` source (criterion
//! `Throughput::Bytes`), so "check" and "baseline" compare directly. The
//! reference figure (serde_json parsing JSON into a `Value`, in MB/s of
//! JSON) is printed first so results compare across machines.
//!
//! ```text
//! cargo bench --bench frontend                 # everything (about 2 minutes)
//! cargo bench --bench frontend -- 1mb          # only the 1 MB corpus
//! WFC_BENCH_QUICK=1 cargo bench --bench frontend   # shorter runs
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::Value;
use wfc::plan::Plan;
use wfc::schema::Environment;
use wfc::source::SourceMap;
use wfc::SourceInput;

const SEED: u64 = 2026;

struct Corpus {
    label: &'static str,
    text: String,
    /// The emitted plans, one compact JSON document per workflow.
    plans_json: Vec<Vec<u8>>,
}

impl Corpus {
    fn new(label: &'static str, bytes: usize) -> Corpus {
        let text = wfc_dev::corpus::generate(SEED, bytes);
        let c = wfc::compile(vec![SourceInput::new("corpus.wf", text.clone())], None);
        let errors: Vec<String> = c
            .diagnostics
            .iter()
            .take(5)
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        if !errors.is_empty() {
            eprintln!(
                "warning: the {label} corpus has {} diagnostics (first: {errors:?}); figures are not meaningful",
                c.diagnostics.len()
            );
        }
        let plans_json = c
            .plans
            .iter()
            .map(|p| serde_json::to_vec(p).unwrap_or_default())
            .collect();
        Corpus {
            label,
            text,
            plans_json,
        }
    }

    fn json_bytes(&self) -> usize {
        self.plans_json.iter().map(Vec::len).sum()
    }
}

/// The plan schema as committed; generated from the types when the file is
/// missing (so the benchmark runs before codegen has landed).
fn plan_schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/plan.schema.json");
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).expect("schemas/plan.schema.json is JSON"),
        Err(_) => {
            eprintln!("note: {path} not found; using the schema generated from wfc::plan::Plan");
            serde_json::to_value(schemars::schema_for!(Plan)).expect("schema serialises")
        }
    }
}

/// The JSON baseline: parse each plan and validate it against the schema.
fn baseline(plans: &[Vec<u8>], validator: &jsonschema::Validator) -> usize {
    let mut valid = 0;
    for json in plans {
        let value: Value = match serde_json::from_slice(json) {
            Ok(v) => v,
            Err(_) => continue,
        };
        if validator.is_valid(&value) {
            valid += 1;
        }
    }
    valid
}

/// Parse-and-check as `wfc check` does it, without generating plans.
fn check(text: &str) -> usize {
    let c = wfc::driver::check(vec![SourceInput::new("corpus.wf", text)], None);
    c.diagnostics.len()
}

/// Compile and serialise every plan, as `wfc build -o DIR` does (minus the
/// file writes).
fn build(text: &str) -> usize {
    let c = wfc::compile(vec![SourceInput::new("corpus.wf", text)], None);
    c.plans
        .iter()
        .map(|p| serde_json::to_vec_pretty(p).map_or(0, |v| v.len()))
        .sum()
}

fn mb_per_s(bytes: usize, elapsed: Duration) -> f64 {
    bytes as f64 / 1e6 / elapsed.as_secs_f64()
}

/// Median of a few timed runs (for the printed summary; criterion's own
/// figures are the ones to quote).
fn quick_time(mut f: impl FnMut(), runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn print_reference(corpus: &Corpus, validator: &jsonschema::Validator) {
    let json = corpus.json_bytes();
    let wf = corpus.text.len();
    let reference = quick_time(
        || {
            for doc in &corpus.plans_json {
                black_box(serde_json::from_slice::<Value>(doc).ok());
            }
        },
        5,
    );
    let base = quick_time(
        || {
            black_box(baseline(&corpus.plans_json, validator));
        },
        3,
    );
    let chk = quick_time(
        || {
            black_box(check(&corpus.text));
        },
        3,
    );
    println!(
        "reference ({}): serde_json -> Value parses {:.0} MB/s of JSON on this machine \
         (the issue's machine: about 200 MB/s)",
        corpus.label,
        mb_per_s(json, reference)
    );
    println!(
        "summary ({}): {} workflows, {:.2} MB of .wf, {:.2} MB of plan JSON; \
         check {:.1} MB/s, JSON baseline {:.1} MB/s (of .wf), check/baseline speed ratio {:.2}",
        corpus.label,
        corpus.plans_json.len(),
        wf as f64 / 1e6,
        json as f64 / 1e6,
        mb_per_s(wf, chk),
        mb_per_s(wf, base),
        base.as_secs_f64() / chk.as_secs_f64()
    );
}

fn frontend(c: &mut Criterion) {
    let quick = std::env::var_os("WFC_BENCH_QUICK").is_some();
    let schema = plan_schema();
    let validator = jsonschema::validator_for(&schema).expect("the plan schema compiles");
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |label: &str| {
        filter.is_empty()
            || filter
                .iter()
                .any(|f| label.contains(f.as_str()) || f.contains(label))
    };

    for (label, bytes) in [("1mb", 1_000_000), ("10mb", 10_000_000)] {
        let corpus = Corpus::new(label, bytes);
        if wanted(label) || filter.iter().any(|f| f.contains("reference")) {
            print_reference(&corpus, &validator);
        }
        let source_bytes = corpus.text.len() as u64;
        let mut group = c.benchmark_group(format!("frontend_{label}"));
        group
            .throughput(Throughput::Bytes(source_bytes))
            .sample_size(10)
            .warm_up_time(Duration::from_millis(if quick { 300 } else { 1000 }))
            .measurement_time(Duration::from_secs(match (quick, label) {
                (true, _) => 2,
                (false, "1mb") => 3,
                _ => 8,
            }));

        let mut sources = SourceMap::new();
        let id = sources.add("corpus.wf", corpus.text.clone());
        group.bench_function(BenchmarkId::new("parse", label), |b| {
            b.iter(|| black_box(wfc::syntax::parse(&sources, id)))
        });

        let (file, _) = wfc::syntax::parse(&sources, id);
        let files = vec![file];
        let env = Environment::standard();
        group.bench_function(BenchmarkId::new("check_only", label), |b| {
            b.iter(|| black_box(wfc::check::check(&files, &env, &sources)))
        });
        group.bench_function(BenchmarkId::new("check", label), |b| {
            b.iter(|| black_box(check(&corpus.text)))
        });
        group.bench_function(BenchmarkId::new("build", label), |b| {
            b.iter(|| black_box(build(&corpus.text)))
        });
        group.bench_function(BenchmarkId::new("json_baseline", label), |b| {
            b.iter(|| black_box(baseline(&corpus.plans_json, &validator)))
        });
        group.finish();

        // The reference figure as a criterion benchmark too, in JSON bytes.
        let mut reference = c.benchmark_group(format!("reference_{label}"));
        reference
            .throughput(Throughput::Bytes(corpus.json_bytes() as u64))
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2));
        reference.bench_function(BenchmarkId::new("serde_json_value", label), |b| {
            b.iter(|| {
                for doc in &corpus.plans_json {
                    black_box(serde_json::from_slice::<Value>(doc).ok());
                }
            })
        });
        reference.finish();
    }

    // Re-checking one 5,000-line file (an editor keystroke): target < 20 ms.
    let mut target = 150_000;
    let mut text = wfc_dev::corpus::generate(SEED, target);
    while text.lines().count() < 5_000 {
        // Whole workflows until the file reaches 5,000 lines.
        target += 20_000;
        text = wfc_dev::corpus::generate(SEED, target);
    }
    let lines = text.lines().count();
    let mut group = c.benchmark_group("recheck");
    group
        .throughput(Throughput::Bytes(text.len() as u64))
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    group.bench_function(BenchmarkId::new("check_5000_lines", lines), |b| {
        b.iter(|| black_box(check(&text)))
    });
    group.finish();
}

criterion_group!(benches, frontend);
criterion_main!(benches);
