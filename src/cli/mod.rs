//! The `wfc` command line: a thin shell over the library.
//!
//! `check`, `build` and `explain` live here; each other front end has its own
//! file (`run.rs`, `fmt.rs`, `graph.rs`, `lsp.rs`) exposing `Args` and `run`.

pub mod fmt;
pub mod graph;
pub mod lsp;
pub mod run;

/// Run the CLI; returns the process exit code.
pub fn main() -> i32 {
    0
}
