//! Renderers: the same diagnostics as a human report (miette's graphical
//! handler), a JSON array, GitHub workflow commands, or a SARIF 2.1.0 log,
//! one module per format.
//!
//! Every renderer takes the [`SourceMap`] of the compilation and a slice of
//! [`Diagnostic`]s and returns the whole output as a `String`; the caller
//! decides where it goes. Line and column lookups go through the source map,
//! whose line-start table is built once per file.
//!
//! Positions in the machine formats are 1-based; columns count Unicode
//! characters. `end_line`/`end_column` point just *after* the last character
//! of the span (an empty span has end = start), as in SARIF.

mod github;
mod human;
mod json;
mod sarif;
#[cfg(test)]
mod tests;

pub use github::github;
pub use human::{human, summary};
pub use json::{json, JsonDiagnostic};
pub use sarif::{sarif, sarif_with, SarifLinks};

use super::Diagnostic;
use crate::source::{SourceMap, Span};

/// The output formats of `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// miette's graphical report, for people.
    #[default]
    Human,
    /// One JSON array of [`JsonDiagnostic`].
    Json,
    /// GitHub Actions workflow commands (`::error file=...::message`).
    Github,
    /// A SARIF 2.1.0 log.
    Sarif,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Human, Format::Json, Format::Github, Format::Sarif];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Github => "github",
            Format::Sarif => "sarif",
        }
    }
}

/// Options of the human renderer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HumanOptions {
    /// ANSI colours (only for a terminal, and never with `NO_COLOR` set).
    pub color: bool,
    /// Width the report wraps at.
    pub width: usize,
}

impl HumanOptions {
    /// The deterministic form used for snapshots and pipes: no colour, 80 columns.
    pub fn plain() -> HumanOptions {
        HumanOptions {
            color: false,
            width: 80,
        }
    }
}

/// Render in `format`. `human` carries the options of the human renderer.
pub fn render(
    format: Format,
    sources: &SourceMap,
    diags: &[Diagnostic],
    human: HumanOptions,
) -> String {
    match format {
        Format::Human => self::human(sources, diags, human),
        Format::Json => json(sources, diags),
        Format::Github => github(sources, diags),
        Format::Sarif => sarif(sources, diags),
    }
}

/// Start and end of a span, 1-based, columns in Unicode characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Region {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

impl Region {
    fn of(sources: &SourceMap, span: Span) -> Region {
        let start = sources.line_col(span.file, span.start as usize);
        let end = sources.line_col(span.file, (span.end.max(span.start)) as usize);
        Region {
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}
