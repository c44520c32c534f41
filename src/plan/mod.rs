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
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Plan);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
