//! `wfc fmt`: command-line front end (owned by the fmt work; wired into
//! `cli::main` by the CLI work).

/// Arguments of `wfc fmt` (to be filled in).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {}

/// Run `wfc fmt`; returns the process exit code.
pub fn run(args: Args) -> i32 {
    let _ = args;
    2
}
