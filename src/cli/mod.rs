//! The `wfc` command line: a thin shell over the library.

/// Run the CLI; returns the process exit code.
pub fn main() -> i32 {
    0
}
