//! `wfc lsp`: a language server over stdio.
//!
//! A thin shell over [`crate::driver::check_cached`] (the same rules as
//! `wfc check`, which calls [`crate::driver::check`]): diagnostics are exactly
//! what `wfc check` reports on the same text. Built on `lsp-server` +
//! `lsp-types`: synchronous, one thread, every message handled in order (an
//! edit is always applied before the request that follows it).
//!
//! - [`workspace`]: open documents, projects (`wf.toml` + every `.wf` below
//!   it), re-checking, what to publish.
//! - [`hover`], [`completion`], [`navigation`] (definition, references,
//!   symbols), [`edits`] (formatting, rename), [`semantic`] (semantic
//!   tokens): the features.
//! - [`index`], [`context`], [`lex`]: symbols and cursor context that work
//!   on half-typed text.
//! - [`convert`]: byte offsets ⇄ UTF-16 positions, diagnostics.
//! - [`transport`], [`server`]: JSON-RPC framing and the main loop.

pub mod actions;
pub mod completion;
pub mod context;
pub mod convert;
pub mod edits;
pub mod hover;
pub mod index;
pub mod keywords;
pub mod lex;
pub mod navigation;
pub mod semantic;
pub mod server;
pub mod transport;
pub mod uri;
pub mod workspace;

#[cfg(test)]
mod tests;

pub use server::{capabilities, serve, Ended};
pub use workspace::{Project, Workspace};

/// Run the server on stdin/stdout until the client says `exit`. Returns the
/// process exit code: 0 after `shutdown` + `exit`, 1 otherwise.
pub fn run_stdio() -> i32 {
    let (conn, io) = transport::stdio();
    let ended = serve(&conn);
    // Drop the connection first so the writer thread sees the end of its
    // channel, writes what is queued and stops; joining before dropping hangs.
    drop(conn);
    io.join_writer();
    match ended {
        Ended::Clean => 0,
        Ended::Abrupt => 1,
    }
}
