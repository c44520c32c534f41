//! `schemas/plan.schema.json` is generated from the plan types
//! (`wfc::plan::json_schema`). This test fails when the committed file is
//! stale. To regenerate it after changing `src/plan/types.rs`, run:
//!
//! ```text
//! WFC_UPDATE_SCHEMA=1 cargo test --test plan_schema
//! ```

use std::path::Path;

mod common;
use common::ALL_KINDS;

#[test]
fn committed_plan_schema_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/plan.schema.json");
    let generated = wfc::plan::json_schema();
    if std::env::var_os("WFC_UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write schemas/plan.schema.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schemas/plan.schema.json is stale (it differs from the schema generated from \
         src/plan/types.rs); regenerate it with \
         `WFC_UPDATE_SCHEMA=1 cargo test --test plan_schema` and commit the result"
    );
}

#[test]
fn plan_schema_is_a_valid_json_schema_and_names_every_node_kind() {
    let schema: serde_json::Value =
        serde_json::from_str(&wfc::plan::json_schema()).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles");
    let text = schema.to_string();
    for kind in ALL_KINDS {
        assert!(
            text.contains(&format!("\"const\":\"{kind}\"")),
            "node kind `{kind}` missing from the plan schema"
        );
    }
}

/// The action is flattened into the node: a field of an action named like a
/// field of the node would be written twice (invalid JSON object, and one of
/// the two values lost on reading).
#[test]
fn no_action_field_collides_with_a_node_field() {
    let schema: serde_json::Value =
        serde_json::from_str(&wfc::plan::json_schema()).expect("schema is JSON");
    let node = &schema["$defs"]["Node"];
    let node_fields: Vec<&String> = node["properties"]
        .as_object()
        .expect("node properties")
        .keys()
        .collect();
    assert!(node_fields.len() >= 4, "{node_fields:?}");
    let variants = node["oneOf"].as_array().expect("one schema per action");
    assert_eq!(variants.len(), 34);
    for variant in variants {
        let fields = variant["properties"].as_object().expect("action fields");
        for f in &node_fields {
            assert!(
                !fields.contains_key(f.as_str()),
                "action {} has a field `{f}` that collides with the node's",
                variant["properties"]["kind"]["const"]
            );
        }
    }
}

/// ajv's strict mode refuses unknown formats: only standard keywords, and
/// the plan's `format` is the constant `wfplan/1`.
#[test]
fn plan_schema_has_no_non_standard_formats_and_a_constant_format() {
    let schema: serde_json::Value =
        serde_json::from_str(&wfc::plan::json_schema()).expect("schema is JSON");
    fn formats(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(f) = m.get("format").and_then(|f| f.as_str()) {
                    out.push(f.to_string());
                }
                m.values().for_each(|v| formats(v, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| formats(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    formats(&schema, &mut found);
    assert!(found.is_empty(), "non-standard formats: {found:?}");
    assert_eq!(schema["properties"]["format"]["const"], "wfplan/1");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let wrong = serde_json::json!({"format": "wfplan/2"});
    assert!(validator
        .iter_errors(&wrong)
        .any(|e| e.instance_path().to_string() == "/format"));
}

/// Every object of the schema is closed: `additionalProperties: false`, or
/// for a node (whose action fields come from its `oneOf`)
/// `unevaluatedProperties: false`.
#[test]
fn plan_schema_allows_no_unknown_keys() {
    let schema: serde_json::Value =
        serde_json::from_str(&wfc::plan::json_schema()).expect("schema is JSON");
    fn open(v: &serde_json::Value, path: &str, in_node_variant: bool, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if m.get("properties").is_some_and(|p| p.is_object())
                    && !in_node_variant
                    && m.get("additionalProperties") != Some(&serde_json::json!(false))
                    && m.get("unevaluatedProperties") != Some(&serde_json::json!(false))
                {
                    out.push(path.to_string());
                }
                for (k, x) in m {
                    let p = format!("{path}/{k}");
                    // a node's action variants are closed by the node; a
                    // `properties` map's keys are names, not schemas
                    let variant = path.ends_with("/$defs/Node") && k == "oneOf";
                    if k == "properties" {
                        if let Some(props) = x.as_object() {
                            for (name, s) in props {
                                open(s, &format!("{p}/{name}"), false, out);
                            }
                        }
                    } else if variant {
                        for (i, s) in x.as_array().into_iter().flatten().enumerate() {
                            let vp = format!("{p}/{i}");
                            if let Some(props) = s["properties"].as_object() {
                                for (name, s) in props {
                                    open(s, &format!("{vp}/properties/{name}"), false, out);
                                }
                            }
                        }
                    } else {
                        open(x, &p, false, out);
                    }
                }
            }
            serde_json::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    open(x, &format!("{path}/{i}"), in_node_variant, out);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    open(&schema, "", false, &mut found);
    assert!(found.is_empty(), "open objects: {found:?}");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    // a real plan (an example's snapshot) validates; an unknown key in a
    // node, in an action, or at the top level does not
    let snap =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "tests/examples/snapshots/company_enterprise_setup__enterprise_account_setup.snap",
        ))
        .expect("read an example plan");
    let body = snap.splitn(3, "---\n").nth(2).expect("snapshot body");
    let plan: serde_json::Value = serde_json::from_str(body).expect("plan is JSON");
    assert!(validator.is_valid(&plan));
    for pointer in ["", "/nodes/0"] {
        let mut bad = plan.clone();
        bad.pointer_mut(pointer)
            .and_then(|v| v.as_object_mut())
            .expect("an object")
            .insert("unknown_key".into(), serde_json::json!(1));
        assert!(
            !validator.is_valid(&bad),
            "unknown key accepted at `{pointer}`"
        );
    }
}
