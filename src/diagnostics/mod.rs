//! The one diagnostic model used by every stage, the catalog of codes, and
//! the renderers (human, json, github, sarif).
//!
//! Every code of docs/rules.md is a variant of [`Code`]; its long
//! explanation for `wfc explain` lives in `docs/codes/<CODE>.md`.

mod codes;
pub mod links;
pub mod render;
pub mod text;
pub use codes::Code;
pub use text::{
    distance_within, escape_invisible, needs_escape, shorten, suggest, MAX_QUOTED_CHARS,
};

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    /// Short text shown at the span (may be empty).
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// One problem found in the sources. Message style (rustc's): one sentence,
/// lower case, no trailing period; `help` says what to type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub note: Option<String>,
    /// Machine-applicable changes that resolve the problem (often empty).
    pub fixes: Vec<Fix>,
}

/// Whether a fix may be applied without review (docs/cli.md, `--fix`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// The meaning the author intended is kept: `wfc check --fix` applies it.
    Safe,
    /// Likely right but it may change behaviour: only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the text at `span` (empty: insert) with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// One way to resolve a diagnostic: a title and the text edits, all in
/// the diagnostic's file, not overlapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, lower case (`replace `x` with `y``).
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix of a single edit.
    pub fn replace(
        title: impl Into<String>,
        applicability: Applicability,
        span: Span,
        replacement: impl Into<String>,
    ) -> Fix {
        Fix {
            title: title.into(),
            applicability,
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
        }
    }

    pub fn is_safe(&self) -> bool {
        self.applicability == Applicability::Safe
    }
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>, primary: Label) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
            note: None,
            fixes: Vec::new(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.note = Some(note.into());
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fixes.push(fix);
        self
    }

    pub fn with_secondary(mut self, label: Label) -> Diagnostic {
        self.secondary.push(label);
        self
    }

    /// The message followed by `help: ...` and `note: ...` lines, for
    /// outputs with a single text field (GitHub annotations, SARIF, LSP).
    pub fn message_with_help(&self) -> String {
        let mut text = self.message.clone();
        if let Some(help) = &self.help {
            text.push_str("\nhelp: ");
            text.push_str(help);
        }
        if let Some(note) = &self.note {
            text.push_str("\nnote: ");
            text.push_str(note);
        }
        text
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sort diagnostics by file, then position, then code (stable, deterministic).
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (
            a.primary.span.file,
            a.primary.span.start,
            a.code,
            a.primary.span.end,
        )
            .cmp(&(
                b.primary.span.file,
                b.primary.span.start,
                b.code,
                b.primary.span.end,
            ))
    });
}
