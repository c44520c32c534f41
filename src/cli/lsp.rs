//! `wfc lsp`: command-line front end (owned by the lsp work; wired into
//! `cli::main` by the CLI work).

/// Arguments of `wfc lsp` (to be filled in).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {}

/// Run `wfc lsp`; returns the process exit code.
pub fn run(args: Args) -> i32 {
    let _ = args;
    2
}
