//! wfc: a compiler and toolchain for `.wf` CRM workflow files.
//!
//! Data flows one way:
//!
//! ```text
//! syntax (pest → AST with spans) → check (resolve, types, tiers, flow)
//!   → plan (serde types + codegen) → runtime (interpreter)
//! ```
//!
//! plus [`schema`] (object model, built-in schema, `wf.toml`),
//! [`diagnostics`] (every code in one place), [`testing`] (`wfc test`: the
//! `test` items run in the runtime) and thin front ends
//! ([`cli`], [`lsp`]) that only call [`driver::compile`].

// Library code never unwraps: bad input must become a diagnostic or an
// error value, not a panic (tests may unwrap).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

// The pest parser is built without `std` (no per-call stack probing; the
// parser bounds nesting itself): its generated code names `::alloc`.
extern crate alloc;

pub mod bundle;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod driver;
pub mod fmt;
pub mod graph;
pub mod lsp;
pub mod plan;
pub mod project;
pub mod runtime;
pub mod schema;
pub mod serve;
pub mod source;
pub mod syntax;
pub mod testing;

pub use driver::{compile, Compilation, SourceInput};
