//! What surrounds the cursor: the tokens of the current text, the step it is
//! in, the enclosing brace, and the property a path names. Shared by hover
//! and completion; works on half-typed text.

use super::index::{FileIndex, WorkflowSym};
use super::keywords;
use super::lex::{self, Kind, Token};
use super::workspace::Project;
use crate::schema::{Environment, PropType};
use crate::source::{FileId, SourceText};

pub struct Cursor<'a> {
    pub project: &'a Project,
    pub file: FileId,
    pub src: &'a SourceText,
    pub text: &'a str,
    pub tokens: Vec<Token>,
    pub offset: usize,
    pub index: &'a FileIndex,
}

impl<'a> Cursor<'a> {
    pub fn new(project: &'a Project, file: FileId, offset: usize) -> Option<Cursor<'a>> {
        let src = project.source(file)?;
        let index = project.indexes().get(file as usize)?;
        let offset = src.clamp(offset);
        Some(Cursor {
            project,
            file,
            src,
            text: &src.text,
            tokens: lex::tokenize(&src.text),
            offset,
            index,
        })
    }

    pub fn env(&self) -> &'a Environment {
        &self.project.env
    }

    pub fn workflow(&self) -> Option<&'a WorkflowSym> {
        self.index.workflow_at(self.offset)
    }

    /// The object type of the workflow around the cursor.
    pub fn object(&self) -> Option<&'a str> {
        self.workflow()
            .and_then(|w| w.object.as_ref())
            .map(|o| o.name.as_str())
    }

    pub fn word(&self, i: usize) -> &str {
        self.tokens.get(i).map(|t| t.text(self.text)).unwrap_or("")
    }

    pub fn is(&self, i: usize, w: &str) -> bool {
        self.word(i) == w
    }

    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.tokens.get(i).map(|t| t.kind)
    }

    /// Index of the first token at or after the cursor.
    pub fn first_at_or_after(&self) -> usize {
        self.tokens.partition_point(|t| t.range.start < self.offset)
    }

    /// Index of the first token of the step holding token `i` (after its
    /// label): tokens after a line break or brace.
    pub fn step_start(&self, i: usize) -> usize {
        let mut j = i.min(self.tokens.len());
        while j > 0 {
            let prev = &self.tokens[j - 1];
            if prev.kind == Kind::Newline || prev.is(self.text, "{") || prev.is(self.text, "}") {
                break;
            }
            j -= 1;
        }
        // Skip `label:`.
        if self.kind(j) == Some(Kind::Ident) && self.is(j + 1, ":") && j + 1 < i {
            j += 2;
        }
        j
    }

    /// The keyword phrase of the step starting at token `start`, and the
    /// number of tokens it spans.
    pub fn step_keyword(&self, start: usize) -> Option<(&'static keywords::Keyword, usize)> {
        let words: Vec<&str> = self.tokens[start.min(self.tokens.len())..]
            .iter()
            .take_while(|t| t.kind == Kind::Ident)
            .take(4)
            .map(|t| t.text(self.text))
            .collect();
        keywords::match_keyword(&words)
    }

    /// Index of the `{` that encloses token position `i` (unbalanced text:
    /// the nearest unmatched one).
    pub fn enclosing_brace(&self, i: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut j = i.min(self.tokens.len());
        while j > 0 {
            j -= 1;
            let t = &self.tokens[j];
            if t.kind != Kind::Punct {
                continue;
            }
            match t.text(self.text) {
                "}" => depth += 1,
                "{" if depth == 0 => return Some(j),
                "{" => depth -= 1,
                _ => {}
            }
        }
        None
    }

    /// Brace depth at token position `i` counted from the enclosing
    /// workflow's start (1 = the workflow's top level).
    pub fn depth_in_workflow(&self, i: usize) -> usize {
        let start = self.workflow().map(|w| w.span.start).unwrap_or(0);
        let mut depth = 0usize;
        for t in &self.tokens[..i.min(self.tokens.len())] {
            if t.range.start < start || t.kind != Kind::Punct {
                continue;
            }
            match t.text(self.text) {
                "{" => depth += 1,
                "}" => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        depth
    }

    /// The object a path or record key at token `i` refers to, and the
    /// property name: `obj.prop` (cursor on `prop`), a key of
    /// `create <obj> { key = ... }`, or a property of the workflow's object.
    pub fn path_at(&self, i: usize) -> Option<(String, String)> {
        if self.kind(i) != Some(Kind::Ident) {
            return None;
        }
        let name = self.word(i).to_string();
        if i >= 2 && self.is(i - 1, ".") && self.kind(i - 2) == Some(Kind::Ident) {
            return Some((self.word(i - 2).to_string(), name));
        }
        if let Some(obj) = self.record_object(i) {
            return Some((obj, name));
        }
        Some((self.object()?.to_string(), name))
    }

    /// When token `i` is a key of `create <obj> { ... }`: that object.
    pub fn record_object(&self, i: usize) -> Option<String> {
        let brace = self.enclosing_brace(i)?;
        if brace >= 2 && self.is(brace - 2, "create") && self.kind(brace - 1) == Some(Kind::Ident) {
            // Keys only: the token before `i` opens the item.
            let before = self.word(i.saturating_sub(1));
            if i == brace + 1 || before == "," || self.kind(i - 1) == Some(Kind::Newline) {
                return Some(self.word(brace - 1).to_string());
            }
        }
        None
    }

    /// The property that a value at token position `i` is compared with or
    /// assigned to: `<path> is|is not|=|+=|in [ ... <here>`, or a case of
    /// `branch on <path> { <here> }`. Returns (object, property, operator).
    pub fn value_target(&self, i: usize) -> Option<(String, String, String)> {
        let mut j = i;
        // Skip the values already written in a list.
        while j > 0 {
            let t = &self.tokens[j - 1];
            let w = t.text(self.text);
            if matches!(t.kind, Kind::Str { .. } | Kind::Number) || w == "," || w == "[" {
                j -= 1;
            } else {
                break;
            }
        }
        if j == 0 {
            return None;
        }
        let op_i = j - 1;
        let op = self.word(op_i).to_string();
        let path_end = match op.as_str() {
            "is" | "=" | "+=" | "in" => op_i,
            "not" if op_i > 0 && self.is(op_i - 1, "is") => op_i - 1,
            "{" | "," => {
                // A case of `branch on <path> {`.
                let brace = if op == "{" {
                    op_i
                } else {
                    self.enclosing_brace(op_i)?
                };
                return self.branch_target(brace);
            }
            _ if self.kind(op_i) == Some(Kind::Newline) => {
                let brace = self.enclosing_brace(op_i)?;
                return self.branch_target(brace);
            }
            _ => return None,
        };
        let path_end = if op == "in" && path_end > 0 && self.is(path_end - 1, "not") {
            path_end - 1
        } else {
            path_end
        };
        if path_end == 0 {
            return None;
        }
        let (obj, prop) = self.path_at(path_end - 1)?;
        Some((obj, prop, op))
    }

    /// `branch on <path> {` ending at `brace`.
    fn branch_target(&self, brace: usize) -> Option<(String, String, String)> {
        if brace < 3 {
            return None;
        }
        let p = brace - 1;
        let path_start = if p >= 2 && self.is(p - 1, ".") {
            p - 2
        } else {
            p
        };
        if path_start >= 2 && self.is(path_start - 2, "branch") && self.is(path_start - 1, "on") {
            let (o, n) = self.path_at(p)?;
            return Some((o, n, "branch".into()));
        }
        None
    }
}

/// A one-line description of a property type.
pub fn describe_type(t: &PropType) -> String {
    match t {
        PropType::Enum(o) => format!("enum (one of {})", list(o)),
        PropType::Multi(o) => format!("multiple checkbox (any of {})", list(o)),
        PropType::Owner => "owner (a user id)".into(),
        other => other.name().to_string(),
    }
}

fn list(options: &[String]) -> String {
    if options.is_empty() {
        return "no options".into();
    }
    options
        .iter()
        .map(|o| format!("`{o}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
