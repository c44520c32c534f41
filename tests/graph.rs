//! `wfc graph` over every example: mermaid and dot snapshots, SVG that
//! parses as XML, and the command line.

use std::path::{Path, PathBuf};

use wfc::driver::{compile, SourceInput};
use wfc::graph::{render, Format};
use wfc::plan::Plan;

mod common;
use common::wf_files;

/// Every example: a single `.wf` file directly in examples/, or a folder
/// of them (with its `wf.toml`).
fn examples() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    // project folders (a wf.toml); examples/tests/ holds only the tests of
    // the standalone examples
    out.retain(|p| p.join("wf.toml").is_file() || p.extension().is_some_and(|e| e == "wf"));
    out.sort();
    common::assert_min_cases("examples", &out, 12);
    out
}

/// The plans of one example (which must check cleanly).
fn plans(example: &Path) -> Vec<Plan> {
    let (files, manifest_dir) = if example.is_dir() {
        let mut f = Vec::new();
        wf_files(example, &mut f);
        (f, example.to_path_buf())
    } else {
        (
            vec![example.to_path_buf()],
            example.parent().map(Path::to_path_buf).unwrap_or_default(),
        )
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let inputs = files
        .iter()
        .map(|f| {
            let name = f.strip_prefix(root).unwrap_or(f).display().to_string();
            SourceInput::new(name, std::fs::read(f).expect("readable example"))
        })
        .collect();
    let manifest = std::fs::read(manifest_dir.join("wf.toml"))
        .ok()
        .map(|b| SourceInput::new("wf.toml", b));
    let c = compile(inputs, manifest);
    assert!(
        !c.has_errors(),
        "{} has errors: {:#?}",
        example.display(),
        c.diagnostics
    );
    c.plans
}

fn name_of(example: &Path) -> String {
    example
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn assert_xml(svg: &str, what: &str) {
    let mut r = quick_xml::Reader::from_str(svg);
    let mut depth = 0i32;
    let mut elements = 0;
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e)) => {
                if depth == 0 {
                    assert_eq!(e.name().as_ref(), b"svg", "{what}: root is not <svg>");
                }
                depth += 1;
                elements += 1;
            }
            Ok(quick_xml::events::Event::Empty(_)) => elements += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(_) => {}
            Err(e) => panic!("{what}: invalid XML at {}: {e}", r.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "{what}: unbalanced elements");
    assert!(elements > 3, "{what}: empty drawing");
}

#[test]
fn every_example_has_mermaid_and_dot_snapshots() {
    let examples = examples();
    assert!(!examples.is_empty(), "no examples found");
    for ex in examples {
        let plans = plans(&ex);
        let name = name_of(&ex);
        common::snapshots_in("graph/snapshots", false).bind(|| {
            insta::assert_snapshot!(format!("{name}.mermaid"), render(&plans, Format::Mermaid));
            insta::assert_snapshot!(format!("{name}.dot"), render(&plans, Format::Dot));
        });
    }
}

#[test]
fn every_example_svg_is_xml() {
    for ex in examples() {
        let plans = plans(&ex);
        let all = render(&plans, Format::Svg);
        assert_xml(&all, &ex.display().to_string());
        for p in &plans {
            let one = render(std::slice::from_ref(p), Format::Svg);
            assert_xml(&one, &format!("{} / {}", ex.display(), p.name));
            // every step appears as a node
            assert!(one.matches("<g class=\"node ").count() >= p.nodes.len() + 2);
            // compiled workflows are nests of blocks: drawn with the
            // structured layout, no two boxes overlapping
            let d = wfc::graph::Diagram::from_plan(p);
            let l = wfc::graph::svg::layout(&d);
            assert!(l.structured, "{}: fell back to the layered layout", p.name);
            if let Err(e) = wfc::graph::svg::check_layout(&d, &l) {
                panic!("{} / {}: {e}", ex.display(), p.name);
            }
        }
    }
}

#[test]
fn the_committed_example_diagram_is_current() {
    // docs/graph-example.svg is produced by scripts/render-graph.sh from
    // examples; it must match what `wfc graph` draws today.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Ok(committed) = std::fs::read_to_string(root.join("docs/graph-example.svg")) else {
        panic!("docs/graph-example.svg is missing");
    };
    assert_xml(&committed, "docs/graph-example.svg");
    let source = std::fs::read_to_string(root.join("docs/graph-example.source"))
        .expect("docs/graph-example.source names the example and workflow");
    let mut lines = source.lines();
    let (Some(path), Some(workflow)) = (lines.next(), lines.next()) else {
        panic!("docs/graph-example.source: expected two lines (path, workflow)");
    };
    let ex = root.join(path.trim());
    let chosen: Vec<Plan> = plans(&ex)
        .into_iter()
        .filter(|p| p.name == workflow.trim())
        .collect();
    assert_eq!(chosen.len(), 1, "workflow {workflow} not found in {path}");
    assert_eq!(render(&chosen, Format::Svg), committed);

    // The large example's diagram, linked from the README.
    let large = std::fs::read_to_string(root.join("docs/graph-large.svg"))
        .expect("docs/graph-large.svg (scripts/render-graph.sh writes it)");
    let all = plans(&root.join("examples/contact_lifecycle_journey.wf"));
    assert_eq!(render(&all, Format::Svg), large);
}

#[test]
fn cli_writes_svg_and_rejects_unknown_workflow() {
    let Some(ex) = examples().into_iter().next() else {
        panic!("no examples found");
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("g.svg");
    let code = wfc::cli::graph::run(wfc::cli::graph::Args {
        path: ex.clone(),
        workflow: None,
        format: None,
        output: Some(out.clone()),
    });
    assert_eq!(code, 0);
    let svg = std::fs::read_to_string(&out).expect("svg written");
    assert_xml(&svg, "cli output");

    let code = wfc::cli::graph::run(wfc::cli::graph::Args {
        path: ex,
        workflow: Some("no such workflow, surely".into()),
        format: Some(wfc::cli::graph::GraphFormat::Dot),
        output: Some(dir.path().join("x.dot")),
    });
    assert_eq!(code, 2);
    assert!(!dir.path().join("x.dot").exists());
}

/// Every example's SVG layout keeps its invariants, and in particular no
/// go-to edge runs through a node's box (they go around, in lanes).
#[test]
fn every_example_layout_routes_go_tos_around_nodes() {
    for ex in examples() {
        for p in plans(&ex) {
            let d = wfc::graph::Diagram::from_plan(&p);
            let l = wfc::graph::svg::layout(&d);
            if let Err(e) = wfc::graph::svg::check_layout(&d, &l) {
                panic!("{} ({}): {e}", ex.display(), p.name);
            }
        }
    }
}

/// Edge labels are wrapped, never cut: the whole condition is there.
#[test]
fn edge_labels_are_wrapped_not_cut() {
    for ex in examples() {
        let plans = plans(&ex);
        let mermaid = render(&plans, Format::Mermaid);
        assert!(!mermaid.contains("…\"|"), "{}", ex.display());
        let dot = render(&plans, Format::Dot);
        for line in dot.lines().filter(|l| l.contains(" -> ")) {
            assert!(!line.contains('…'), "{}: {line}", ex.display());
        }
        let svg = render(&plans, Format::Svg);
        assert!(!svg.contains("…</tspan>"), "{}", ex.display());
    }
}
