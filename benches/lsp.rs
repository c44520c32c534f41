//! Re-checking a 5,000-line workspace after a one-character edit: the time
//! from `didChange` to the diagnostics being ready to publish
//! (`Workspace::change` + `Workspace::flush`: check with the parse cache, so
//! only the edited file is parsed; convert; diff). For comparison, the same
//! workspace checked from scratch (`driver::check`, every file parsed).

use std::hint::black_box;
use std::str::FromStr;

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use wfc::driver::{check, SourceInput};
use wfc::lsp::Workspace;

/// One workflow of 25 lines (realistic steps, a branch, a label, a goto).
fn workflow(n: usize) -> String {
    format!(
        r#"workflow "Nurture {n}" for contact {{
  enroll when lifecyclestage is "lead" and hubspotscore >= {n}
  reenroll
  goal lifecyclestage is "customer"
  delay 1d
  send internal email to owner subject "New lead {{{{ contact.firstname }}}}" body "Score {{{{ contact.hubspotscore }}}}"
  if company.industry is "ACCOUNTING" {{
    set hs_lead_status = "OPEN"
    notify{n}: send internal email to owner subject "Accountant" body "{{{{ contact.email }}}}"
    delay 2h
  }} else if hubspotscore >= 50 {{
    increase hubspotscore by 10
    goto notify{n}
  }} else {{
    delay until tuesday, thursday at 11:00
    set hs_lead_status = "IN_PROGRESS"
  }}
  branch on lifecyclestage {{
    "lead" {{ create task "Call {{{{ contact.firstname }}}}" due 2d }}
    "customer" {{ clear hs_lead_status }}
    else {{ delay 1h }}
  }}
  create task "Follow up" due 3d
  enroll in "Nurture {next}"
}}
"#,
        next = (n + 1) % 200,
    )
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("wf.toml"),
        "[account]\nmarketing = \"enterprise\"\nsales = \"enterprise\"\nservice = \"enterprise\"\n",
    )
    .expect("write");
    // 10 files × 20 workflows × 25 lines = 5,000 lines.
    let mut first = String::new();
    for f in 0..10 {
        let text: String = (0..20).map(|w| workflow(f * 20 + w)).collect();
        std::fs::write(dir.path().join(format!("f{f}.wf")), &text).expect("write");
        if f == 0 {
            first = text;
        }
    }
    let lines: usize = (0..10)
        .map(|f| {
            std::fs::read_to_string(dir.path().join(format!("f{f}.wf")))
                .map(|t| t.lines().count())
                .unwrap_or(0)
        })
        .sum();
    assert!(lines >= 5_000, "{lines} lines");

    let uri = Uri::from_str(&format!("file://{}/f0.wf", dir.path().display())).expect("uri");
    let mut ws = Workspace::new();
    ws.open(uri.clone(), 1, first.clone());
    let published = ws.flush();
    let errors: usize = published.iter().map(|p| p.diagnostics.len()).sum();
    eprintln!("workspace: {lines} lines, {errors} diagnostics at start");

    // Alternate between two texts that differ by one character.
    let edited = first.replacen("delay 1d", "delay 2d", 1);
    let mut version = 1;
    c.bench_function(
        "lsp: re-check 5,000-line workspace after a 1-char edit",
        |b| {
            b.iter(|| {
                version += 1;
                let text = if version % 2 == 0 { &edited } else { &first };
                ws.change(
                    &uri,
                    version,
                    vec![TextDocumentContentChangeEvent {
                        range: None,
                        range_length: None,
                        text: text.clone(),
                    }],
                );
                black_box(ws.flush())
            })
        },
    );

    let inputs: Vec<SourceInput> = (0..10)
        .map(|f| {
            let name = format!("f{f}.wf");
            let bytes = std::fs::read(dir.path().join(&name)).unwrap_or_default();
            SourceInput::new(name, bytes)
        })
        .collect();
    let manifest = SourceInput::new(
        "wf.toml",
        std::fs::read(dir.path().join("wf.toml")).unwrap_or_default(),
    );
    c.bench_function("lsp: the same workspace checked from scratch", |b| {
        b.iter(|| black_box(check(inputs.clone(), Some(manifest.clone()))))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
