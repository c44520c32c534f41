//! `wfc lsp`: command-line front end (owned by the lsp work; wired into
//! `cli::main` by the CLI work).

/// Arguments of `wfc lsp`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Talk over stdin/stdout (the default and only transport; accepted
    /// because many editor clients pass it).
    #[arg(long)]
    pub stdio: bool,
}

/// Run `wfc lsp`; returns the process exit code (0 after a clean
/// `shutdown` + `exit`).
pub fn run(args: Args) -> i32 {
    let _ = args.stdio;
    crate::lsp::run_stdio()
}
