//! Parse throughput: every example workflow, repeated to about 2 MB, parsed
//! into the AST (pre-scan, pest, AST builder). `cargo bench --bench parse`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wfc::source::SourceMap;

fn corpus() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wf"))
        .collect();
    files.sort();
    let one: String = files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("example"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 2_000_000 {
        // distinct names, as a real project would have
        text.push_str(&one.replace("workflow \"", &format!("workflow \"{i} ")));
        text.push('\n');
        i += 1;
    }
    text
}

fn parse(c: &mut Criterion) {
    let text = corpus();
    let mut sources = SourceMap::new();
    let id = sources.add("bench.wf", text.clone());
    let (file, diags) = wfc::syntax::parse(&sources, id);
    assert!(diags.is_empty(), "the corpus must parse cleanly: {diags:?}");
    assert!(!file.workflows.is_empty());

    let mut g = c.benchmark_group("syntax");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);
    g.bench_function("parse", |b| b.iter(|| wfc::syntax::parse(&sources, id)));
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
