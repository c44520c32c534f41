//! `wfc graph`: command-line front end (owned by the graph work; wired into
//! `cli::main` by the CLI work).

/// Arguments of `wfc graph` (to be filled in).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {}

/// Run `wfc graph`; returns the process exit code.
pub fn run(args: Args) -> i32 {
    let _ = args;
    2
}
