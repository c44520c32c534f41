//! Every shipped example compiles clean, and its plans are snapshotted,
//! validated against `schemas/plan.schema.json`, deterministic, and
//! well-formed (every edge names an existing node). Together the examples use
//! every node kind of docs/runtime.md.
//!
//! Snapshots live in `tests/examples/snapshots/`; after an intended change,
//! re-run with `INSTA_UPDATE=always` and read every changed `.snap` file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use wfc::plan::{Action, Plan};
use wfc::{compile, Compilation, SourceInput};

mod common;
use common::ALL_KINDS;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `.wf` files directly in `dir`, sorted.
fn wf_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("examples folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wf"))
        .collect();
    out.sort();
    out
}

/// The name a file gets in diagnostics and plans: relative to the crate root,
/// with `/`, so snapshots do not depend on where the repository lives.
fn input(path: &Path) -> SourceInput {
    let rel = path.strip_prefix(root()).expect("under the crate root");
    let name = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    SourceInput::new(name, std::fs::read(path).expect("read example"))
}

/// One compilation unit: a lone example file, or the project folder.
struct Example {
    /// Snapshot prefix: the file stem, or `project`.
    name: String,
    inputs: Vec<SourceInput>,
    manifest: Option<SourceInput>,
}

impl Example {
    fn compile(&self) -> Compilation {
        compile(self.inputs.clone(), self.manifest.clone())
    }
}

fn examples() -> Vec<Example> {
    let dir = root().join("examples");
    let mut out: Vec<Example> = wf_files(&dir)
        .into_iter()
        .map(|p| Example {
            name: p
                .file_stem()
                .expect("file name")
                .to_string_lossy()
                .into_owned(),
            inputs: vec![input(&p)],
            manifest: None,
        })
        .collect();
    let project = dir.join("project");
    out.push(Example {
        name: "project".to_string(),
        inputs: wf_files(&project).iter().map(|p| input(p)).collect(),
        manifest: Some(input(&project.join("wf.toml"))),
    });
    common::assert_min_cases("examples", &out, 12);
    out
}

/// Compile cleanly (no diagnostic at all, not even a warning) or fail with
/// the diagnostics.
fn compile_clean(example: &Example) -> Vec<Plan> {
    let c = example.compile();
    assert!(
        c.diagnostics.is_empty(),
        "example `{}` has diagnostics:\n{:#?}",
        example.name,
        c.diagnostics
    );
    assert!(
        !c.plans.is_empty(),
        "example `{}` has no plans",
        example.name
    );
    c.plans
}

fn pretty(plan: &Plan) -> String {
    serde_json::to_string_pretty(plan).expect("plan serialises")
}

/// `Trial onboarding` → `trial_onboarding`.
fn slug(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    s.trim_matches('_').to_string()
}

#[test]
fn examples_cover_the_object_types_and_a_centred_workflow() {
    let examples = examples();
    let files = examples.iter().filter(|e| e.manifest.is_none()).count();
    assert!(files >= 10, "only {files} example files");
    let plans: Vec<Plan> = examples.iter().flat_map(compile_clean).collect();
    let objects: BTreeSet<&str> = plans.iter().map(|p| p.object.as_str()).collect();
    for object in ["contact", "company", "deal", "ticket"] {
        assert!(objects.contains(object), "no {object} example");
    }
    assert!(
        plans
            .iter()
            .any(|p| p.object == "contact" && p.centered_on.is_some()),
        "no date-centred contact example"
    );
    let project = examples
        .iter()
        .find(|e| e.name == "project")
        .expect("project example");
    assert!((2..=3).contains(&project.inputs.len()));
}

#[test]
fn examples_together_use_every_node_kind() {
    let mut used = BTreeSet::new();
    for example in examples() {
        for plan in compile_clean(&example) {
            let json: Json = serde_json::to_value(&plan).expect("plan serialises");
            for node in json["nodes"].as_array().expect("nodes") {
                used.insert(node["kind"].as_str().expect("kind").to_string());
            }
        }
    }
    let all: BTreeSet<String> = ALL_KINDS.iter().map(|k| k.to_string()).collect();
    let missing: Vec<&String> = all.difference(&used).collect();
    let unknown: Vec<&String> = used.difference(&all).collect();
    assert!(missing.is_empty(), "no example uses {missing:?}");
    assert!(unknown.is_empty(), "kinds outside runtime.md: {unknown:?}");
}

#[test]
fn example_plans_match_snapshots() {
    for example in examples() {
        for plan in compile_clean(&example) {
            let name = format!("{}__{}", example.name, slug(&plan.name));
            common::snapshots_in("examples/snapshots", false)
                .bind(|| insta::assert_snapshot!(name, pretty(&plan)));
        }
    }
}

#[test]
fn example_plans_validate_against_the_committed_schema() {
    let text = std::fs::read_to_string(root().join("schemas/plan.schema.json"))
        .expect("schemas/plan.schema.json");
    let schema: Json = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for example in examples() {
        for plan in compile_clean(&example) {
            let json = serde_json::to_value(&plan).expect("plan serialises");
            let errors: Vec<String> = validator
                .iter_errors(&json)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "plan `{}` does not validate:\n{}",
                plan.name,
                errors.join("\n")
            );
            // and it reads back into the same plan
            let back: Plan = serde_json::from_value(json).expect("plan deserialises");
            assert_eq!(back, plan);
        }
    }
}

#[test]
fn example_builds_are_byte_identical() {
    for example in examples() {
        let a: Vec<String> = compile_clean(&example).iter().map(pretty).collect();
        let b: Vec<String> = compile_clean(&example).iter().map(pretty).collect();
        assert_eq!(a, b, "example `{}` is not deterministic", example.name);
    }
}

/// Every edge names a node of the plan; ids are `n1..nN` in order; branch
/// and goto nodes have no `next`; goto targets carry the label they name.
#[test]
fn example_plans_are_well_formed_graphs() {
    for example in examples() {
        for plan in compile_clean(&example) {
            let ids: Vec<&str> = plan.nodes.iter().map(|n| n.id.as_str()).collect();
            let expected: Vec<String> = (1..=ids.len()).map(|i| format!("n{i}")).collect();
            assert_eq!(ids, expected, "plan `{}` ids", plan.name);
            let known = |id: &Option<String>| id.as_deref().is_none_or(|i| ids.contains(&i));
            assert_eq!(plan.start.as_deref(), ids.first().copied());
            for node in &plan.nodes {
                let ctx = format!("plan `{}` node {}", plan.name, node.id);
                assert!(known(&node.next), "{ctx}: next");
                match &node.action {
                    Action::BranchIf { cases, else_next } => {
                        assert!(node.next.is_none(), "{ctx}");
                        assert!(cases.iter().all(|c| known(&c.next)), "{ctx}");
                        assert!(known(else_next), "{ctx}");
                    }
                    Action::BranchValue {
                        cases, else_next, ..
                    } => {
                        assert!(node.next.is_none(), "{ctx}");
                        assert!(cases.iter().all(|c| known(&c.next)), "{ctx}");
                        assert!(known(else_next), "{ctx}");
                    }
                    Action::Goto { target, label } => {
                        assert!(node.next.is_none(), "{ctx}");
                        let t = plan
                            .nodes
                            .iter()
                            .find(|n| &n.id == target)
                            .unwrap_or_else(|| panic!("{ctx}: goto target {target}"));
                        assert_eq!(t.label.as_ref(), Some(label), "{ctx}");
                    }
                    Action::DelayUntilEvent {
                        max_minutes,
                        timeout_next,
                        ..
                    } => {
                        assert!(known(timeout_next), "{ctx}");
                        if max_minutes.is_some() {
                            assert_eq!(timeout_next, &node.next, "{ctx}");
                        } else {
                            assert!(timeout_next.is_none(), "{ctx}");
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Drop every `source` location, leaving what reformatting must not change.
fn without_sources(mut v: Json) -> Json {
    fn strip(v: &mut Json) {
        match v {
            Json::Object(m) => {
                m.remove("source");
                m.values_mut().for_each(strip);
            }
            Json::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

#[test]
fn reformatting_an_example_keeps_its_plans_apart_from_locations() {
    for example in examples() {
        let original: Vec<Json> = compile_clean(&example)
            .iter()
            .map(|p| without_sources(serde_json::to_value(p).expect("json")))
            .collect();
        // Re-indent every line and put a comment on top: every position moves.
        let reformatted = Example {
            name: example.name.clone(),
            inputs: example
                .inputs
                .iter()
                .map(|i| {
                    let text = String::from_utf8(i.bytes.clone()).expect("utf-8");
                    let moved: String = text.lines().map(|l| format!("    {l}\n")).collect();
                    SourceInput::new(i.name.clone(), format!("# reformatted\n\n{moved}"))
                })
                .collect(),
            manifest: example.manifest.clone(),
        };
        let plans = compile_clean(&reformatted);
        let again: Vec<Json> = plans
            .iter()
            .map(|p| without_sources(serde_json::to_value(p).expect("json")))
            .collect();
        assert_eq!(original, again, "example `{}`", example.name);
        // the locations themselves did move
        assert!(plans.iter().all(|p| p.source.line > 2));
    }
}
