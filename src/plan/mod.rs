//! Plans: the JSON types (`wfplan/1`) and the codegen from a checked AST.

mod codegen;
pub mod types;
pub use codegen::workflow_plan;
pub use types::*;

use crate::source::SourceMap;
use crate::syntax::ast;

/// Generate one plan per workflow, in order (files as given, workflows in
/// source order). Call only on an AST that checked without errors (it never
/// panics on any AST, but the plan of an erroneous one is meaningless).
pub fn generate(files: &[ast::SourceFile], sources: &SourceMap) -> Vec<Plan> {
    codegen::generate(files, sources)
}

/// The JSON Schema of a plan, generated from the Rust types, as committed in
/// `schemas/plan.schema.json` (pretty JSON with a trailing newline).
///
/// Standard keywords only: schemars' integer formats (`int64`, `uint32`,
/// ...) are not JSON Schema formats and ajv's strict mode refuses them, so
/// they are dropped (`minimum: 0` already says unsigned); the plan's
/// `format` is the constant `wfplan/1`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Plan);
    let mut value = serde_json::to_value(&schema).unwrap_or_default();
    drop_integer_formats(&mut value);
    if let Some(format) = value
        .pointer_mut("/properties/format")
        .and_then(|v| v.as_object_mut())
    {
        format.remove("type");
        format.insert("const".into(), serde_json::json!("wfplan/1"));
    }
    close_objects(&mut value);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Unknown keys are not part of a versioned contract: the objects schemars
/// leaves open are closed. A node's action fields come from its `oneOf`
/// (flattened), so the node says `unevaluatedProperties: false` (which sees
/// them) rather than `additionalProperties: false` (which would not).
fn close_objects(v: &mut serde_json::Value) {
    let closed = serde_json::Value::Bool(false);
    if let Some(node) = v.pointer_mut("/$defs/Node").and_then(|n| n.as_object_mut()) {
        node.insert("unevaluatedProperties".into(), closed.clone());
    }
    for open in [
        "/$defs/Value/anyOf/3",
        "/$defs/TemplatePart/oneOf/1/properties/token",
    ] {
        if let Some(obj) = v.pointer_mut(open).and_then(|n| n.as_object_mut()) {
            if obj.contains_key("properties") {
                obj.insert("additionalProperties".into(), closed.clone());
            }
        }
    }
}

/// Remove every `format` keyword naming an integer or float width
/// (schemars' own formats, unknown to JSON Schema).
fn drop_integer_formats(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            let non_standard = map.get("format").and_then(|f| f.as_str()).is_some_and(|f| {
                matches!(
                    f,
                    "int8"
                        | "int16"
                        | "int32"
                        | "int64"
                        | "uint"
                        | "uint8"
                        | "uint16"
                        | "uint32"
                        | "uint64"
                        | "float"
                        | "double"
                )
            });
            if non_standard {
                map.remove("format");
            }
            map.values_mut().for_each(drop_integer_formats);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_integer_formats),
        _ => {}
    }
}
