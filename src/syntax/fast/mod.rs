//! The fast path: a hand-written recursive-descent parser that builds the
//! same [`ast`](super::ast) as the pest grammar plus the builder, for every
//! chunk that parses without a diagnostic.
//!
//! `grammar/wf.pest` stays the specification. This module mirrors it rule by
//! rule with the same PEG semantics (ordered choice that commits to the first
//! alternative that matches, greedy repetition, implicit whitespace and
//! comments between the tokens of non-atomic rules, none inside lexical
//! items), so a chunk that succeeds here succeeds there with the same tree.
//! Whenever anything would produce a diagnostic — a syntax error, a bad
//! escape, a malformed `{{ token }}`, an unknown basis, a label on `if`, a
//! setting inside a block — or nesting goes past [`MAX_DEPTH`], [`parse_chunk`]
//! returns `None` and the caller runs the pest path, which reports it.
//! Giving up is always safe; accepting differently is a bug, which the
//! differential tests (`tests/parse_differential.rs`) and the
//! `parse_differential` fuzz target look for.
//!
//! Every function takes the cursor at a token (whitespace already skipped)
//! and, on success, leaves it at the next token; on failure the caller
//! restores the cursor ([`Fast::save`] / [`Fast::restore`]).

use super::ast::*;
use super::parser::Builder;
use crate::source::{FileId, Span};

/// Recursion bound of the fast parser (blocks and conditions). The pre-scan
/// already rejects nesting deeper than [`super::MAX_NESTING`]; this bound
/// keeps the fast path safe on its own.
const MAX_DEPTH: usize = 256;

/// Parse one chunk (`text` starts at byte `offset` of its file). `None`:
/// not accepted here, use the pest path.
pub(crate) fn parse_chunk(file: FileId, offset: usize, text: &str) -> Option<Vec<Workflow>> {
    let mut p = Fast {
        b: text.as_bytes(),
        text,
        pos: 0,
        end: 0,
        builder: Builder::new(file, offset),
        give_up: false,
        depth: 0,
        steps: Vec::new(),
        conds: Vec::new(),
    };
    let out = p.chunk();
    if p.give_up || !p.builder.diags.is_empty() {
        return None;
    }
    out
}

struct Fast<'a> {
    b: &'a [u8],
    text: &'a str,
    /// Cursor: the next token (whitespace and comments skipped).
    pos: usize,
    /// End of the last token consumed (spans end here).
    end: usize,
    /// Builds string literals and basis names exactly like the pest path
    /// (and collects their diagnostics: any one means giving up).
    builder: Builder,
    /// Something the pest path would report was met.
    give_up: bool,
    depth: usize,
    /// Scratch stacks: the steps of the blocks being parsed (innermost on
    /// top) and the operands of the `and`/`or` chains being parsed. A block
    /// or chain moves its own top into a vector of exactly the right size
    /// when it ends, so the AST is allocated once, without the garbage of
    /// growing vectors (a big file holds hundreds of thousands of them).
    steps: Vec<Step>,
    conds: Vec<Condition>,
}

fn is_idc(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

type Save = (usize, usize);

/// A vector without spare capacity: the AST of a big file is mostly small
/// vectors, and amortised growth would leave up to half of them empty.
fn exact<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

impl<'a> Fast<'a> {
    // ------------------------------------------------------------ cursor

    fn save(&self) -> Save {
        (self.pos, self.end)
    }

    fn restore(&mut self, s: Save) {
        self.pos = s.0;
        self.end = s.1;
    }

    fn span(&self, start: usize, end: usize) -> Span {
        self.builder.at(start, end)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Implicit whitespace: spaces, tabs, `\r` and `#` comments (not `\n`).
    fn skip(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'#' => {
                    let rest = self.b.get(self.pos..).unwrap_or_default();
                    self.pos += rest.iter().position(|&x| x == b'\n').unwrap_or(rest.len());
                }
                _ => break,
            }
        }
    }

    /// Consume the token `start..end` (the cursor is at `start`).
    fn take(&mut self, end: usize) {
        self.end = end;
        self.pos = end;
        self.skip();
    }

    /// The identifier-shaped word at the cursor: `[A-Za-z_][A-Za-z0-9_]*`.
    fn word(&self) -> Option<&'a [u8]> {
        let b = self.b;
        let first = *b.get(self.pos)?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        let len = b
            .get(self.pos..)?
            .iter()
            .position(|&c| !is_idc(c))
            .unwrap_or(b.len() - self.pos);
        b.get(self.pos..self.pos + len)
    }

    /// A keyword rule (`"kw" ~ !idc`): the word at the cursor is exactly `kw`.
    fn kw(&mut self, kw: &str) -> Option<Span> {
        let w = self.word()?;
        if w != kw.as_bytes() {
            return None;
        }
        let start = self.pos;
        self.take(start + w.len());
        Some(self.span(start, start + w.len()))
    }

    fn is_kw(&self, kw: &str) -> bool {
        self.word() == Some(kw.as_bytes())
    }

    /// A one-byte punctuation rule.
    fn punct(&mut self, c: u8) -> Option<usize> {
        if self.peek() != Some(c) {
            return None;
        }
        let start = self.pos;
        self.take(start + 1);
        Some(start)
    }

    /// `nl*`
    fn nls(&mut self) {
        while self.punct(b'\n').is_some() {}
    }

    /// `nl+`
    fn nls1(&mut self) -> bool {
        if self.punct(b'\n').is_none() {
            return false;
        }
        self.nls();
        true
    }

    /// An identifier rule (`ident`, `prop_name`, `object_type`, `label`, ...).
    fn ident(&mut self) -> Option<Ident> {
        let w = self.word()?;
        let start = self.pos;
        let name = Name::from(self.text.get(start..start + w.len())?);
        self.take(start + w.len());
        Some(Ident {
            name,
            span: self.span(start, start + w.len()),
        })
    }

    /// The word at the cursor when it is one of `words` (a `@{ ("a" | "b") ~ !idc }` rule).
    fn one_of(&mut self, words: &[&str]) -> Option<(usize, Span)> {
        let w = self.word()?;
        let i = words.iter().position(|k| k.as_bytes() == w)?;
        let start = self.pos;
        self.take(start + w.len());
        Some((i, self.span(start, start + w.len())))
    }

    /// End of a rule whose last element is an optional or a repetition:
    /// pest skips whitespace and comments before trying it, and when it
    /// matches nothing the rule ends after that whitespace (the cursor);
    /// otherwise at the last token.
    fn opt_end(&self, matched: bool) -> usize {
        if matched {
            self.end
        } else {
            self.pos
        }
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.give_up = true;
            return false;
        }
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ------------------------------------------------------------ file

    /// `chunk = { SOI ~ nl* ~ (workflow ~ nl*)* ~ EOI }`
    fn chunk(&mut self) -> Option<Vec<Workflow>> {
        self.skip();
        self.nls();
        let mut out = Vec::new();
        loop {
            let s = self.save();
            match self.workflow() {
                Some(w) => {
                    out.push(w);
                    self.nls();
                }
                None => {
                    self.restore(s);
                    break;
                }
            }
        }
        (self.pos == self.b.len()).then_some(out)
    }

    /// `workflow = { k_workflow ~ string ~ k_for ~ object_type ~ centering? ~ block }`
    fn workflow(&mut self) -> Option<Workflow> {
        let keyword = self.kw("workflow")?;
        let name = self.string()?;
        self.kw("for")?;
        let object = self.ident()?;
        let s = self.save();
        let centered = self.centering();
        if centered.is_none() {
            self.restore(s);
        }
        let mut settings = Vec::new();
        let body = self.block(Some(&mut settings))?;
        Some(Workflow {
            name,
            object,
            centered,
            settings: exact(settings),
            span: keyword.to(body.span),
            body,
            keyword,
            has_syntax_error: false,
        })
    }

    /// `centering = { k_centered ~ k_on ~ (k_property ~ prop_name | date) }`
    fn centering(&mut self) -> Option<Centering> {
        let k = self.kw("centered")?;
        self.kw("on")?;
        let s = self.save();
        let kind = match self.kw("property").and_then(|_| self.ident()) {
            Some(i) => CenteringKind::Property(i),
            None => {
                self.restore(s);
                CenteringKind::Date(self.date()?)
            }
        };
        Some(Centering {
            kind,
            span: k.to(self.span(self.end, self.end)),
        })
    }

    // ------------------------------------------------------------ blocks

    /// `block = { lbrace ~ nl* ~ (item ~ (nl+ ~ item)*)? ~ nl* ~ rbrace }`
    fn block(&mut self, mut settings: Option<&mut Vec<Setting>>) -> Option<Block> {
        if !self.enter() {
            return None;
        }
        let r = self.block_inner(&mut settings);
        self.leave();
        r
    }

    fn block_inner(&mut self, settings: &mut Option<&mut Vec<Setting>>) -> Option<Block> {
        let base = self.steps.len();
        match self.block_items(settings) {
            Some(span) => Some(Block {
                steps: self.steps.drain(base..).collect(),
                span,
            }),
            None => {
                self.steps.truncate(base);
                None
            }
        }
    }

    /// The braces and items of a block; the items are pushed on `self.steps`.
    fn block_items(&mut self, settings: &mut Option<&mut Vec<Setting>>) -> Option<Span> {
        let open = self.punct(b'{')?;
        self.nls();
        let s = self.save();
        if self.item(settings) {
            loop {
                let s = self.save();
                if !(self.nls1() && self.item(settings)) {
                    self.restore(s);
                    break;
                }
            }
        } else {
            self.restore(s);
        }
        self.nls();
        let close = self.punct(b'}')?;
        Some(self.span(open, close + 1))
    }

    /// `item = _{ &setting_start ~ setting | stmt }`; pushes what it parsed.
    fn item(&mut self, settings: &mut Option<&mut Vec<Setting>>) -> bool {
        let rest = self.b.get(self.pos..).unwrap_or_default();
        let setting_start = [&b"enroll"[..], b"reenroll", b"goal", b"unenroll"]
            .iter()
            .any(|k| rest.starts_with(k));
        if setting_start {
            let s = self.save();
            if let Some(set) = self.setting() {
                match settings.as_deref_mut() {
                    Some(v) => v.push(set),
                    // reported by the pest path ("cannot stand inside a block")
                    None => self.give_up = true,
                }
                return true;
            }
            self.restore(s);
        }
        match self.stmt() {
            Some(step) => {
                self.steps.push(step);
                true
            }
            None => false,
        }
    }

    fn setting(&mut self) -> Option<Setting> {
        let start = self.pos;
        // a setting ending in a condition ends where the `condition` pair does
        let (kind, keyword, end) = if self.is_kw("enroll") {
            let k = self.kw("enroll")?;
            let s = self.save();
            match self.kw("when") {
                Some(w) => {
                    let (c, end) = self.condition_pair()?;
                    (SettingKind::EnrollWhen(c), k.to(w), end)
                }
                None => {
                    self.restore(s);
                    let o = self.kw("on")?;
                    (SettingKind::EnrollOn(self.event()?), k.to(o), self.end)
                }
            }
        } else if let Some(k) = self.kw("reenroll") {
            if self.peek() == Some(b':') {
                // `reenroll: ...` is a label
                return None;
            }
            (SettingKind::Reenroll, k, self.end)
        } else if let Some(k) = self.kw("goal") {
            let (c, end) = self.condition_pair()?;
            (SettingKind::Goal(c), k, end)
        } else {
            let k = self.kw("unenroll")?;
            let w = self.kw("when")?;
            let (c, end) = self.condition_pair()?;
            (SettingKind::UnenrollWhen(c), k.to(w), end)
        };
        Some(Setting {
            kind,
            span: self.span(start, end),
            keyword,
        })
    }

    /// `stmt = { (label ~ ":")? ~ step }`
    fn stmt(&mut self) -> Option<Step> {
        let mut label = None;
        if let Some(w) = self.word() {
            // `label ~ ":"` without building the label unless it is one
            let mut i = self.pos + w.len();
            while matches!(self.b.get(i), Some(b' ' | b'\t' | b'\r' | b'#')) {
                if self.b.get(i) == Some(&b'#') {
                    while self.b.get(i).is_some_and(|&c| c != b'\n') {
                        i += 1;
                    }
                } else {
                    i += 1;
                }
            }
            if self.b.get(i) == Some(&b':') {
                label = self.ident().map(Box::new);
                self.punct(b':')?;
            }
        }
        let step = self.step()?;
        if label.is_some()
            && matches!(
                step.kind,
                StepKind::If { .. } | StepKind::Branch { .. } | StepKind::Goto(_)
            )
        {
            // "a label cannot stand on ..." (pest path)
            self.give_up = true;
        }
        Some(Step { label, ..step })
    }

    /// `step`: an ordered choice; every alternative starts with its own
    /// keyword, so trying only those that start with the word at the cursor
    /// (in grammar order) is the same choice.
    fn step(&mut self) -> Option<Step> {
        let start = self.pos;
        let w = self.word()?;
        type Alt<'a> = fn(&mut Fast<'a>) -> Option<(StepKind, Span, usize)>;
        let alts: &[Alt<'a>] = match w {
            b"set" => &[Fast::st_set],
            b"send" => &[
                Fast::st_send_email,
                Fast::st_send_internal_email,
                Fast::st_send_internal_sms,
                Fast::st_send_internal_marketing_email,
                Fast::st_send_notification,
                Fast::st_send_slack,
            ],
            b"salesforce" => &[Fast::st_salesforce_task, Fast::st_salesforce_campaign],
            b"delay" => &[
                Fast::st_delay,
                Fast::st_delay_until_date,
                Fast::st_delay_until_time,
                Fast::st_delay_until_event,
            ],
            b"decrease" => &[Fast::st_decrease],
            b"if" => &[Fast::st_if],
            b"increase" => &[Fast::st_increase],
            b"copy" => &[Fast::st_copy],
            b"clear" => &[Fast::st_clear],
            b"create" => &[
                Fast::st_create_slack_channel,
                Fast::st_create_asana_task,
                Fast::st_create_task,
                Fast::st_create_record,
            ],
            b"add" => &[Fast::st_add_to_list, Fast::st_add_to_audience],
            b"app" => &[Fast::st_app_action],
            b"remove" => &[Fast::st_remove_from_list, Fast::st_remove_from_audience],
            b"rotate" => &[Fast::st_rotate_owner],
            b"branch" => &[Fast::st_branch],
            b"goto" => &[Fast::st_goto],
            b"enroll" => &[Fast::st_enroll_in],
            b"webhook" => &[Fast::st_webhook],
            b"opt" => &[Fast::st_opt],
            _ => return None,
        };
        let s = self.save();
        for alt in alts {
            if let Some((kind, keyword, end)) = alt(self) {
                return Some(Step {
                    label: None,
                    kind,
                    span: self.span(start, end),
                    keyword,
                });
            }
            self.restore(s);
        }
        None
    }

    /// Several keywords in a row; the span from the first to the last.
    fn kws(&mut self, words: &[&str]) -> Option<Span> {
        let mut span: Option<Span> = None;
        for w in words {
            let k = self.kw(w)?;
            span = Some(span.map_or(k, |s| s.to(k)));
        }
        span
    }
}

mod conditions;
mod literals;
mod steps;
#[cfg(test)]
mod tests;
