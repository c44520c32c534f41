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

    // ------------------------------------------------------------ lexical

    fn digits_at(&self, i: usize) -> usize {
        self.b
            .get(i..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    }

    fn idc_at(&self, i: usize) -> bool {
        self.b.get(i).is_some_and(|&c| is_idc(c))
    }

    /// `string`: the whole literal, quotes included.
    fn string(&mut self) -> Option<StrLit> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.pos;
        let mut i = start + 1;
        loop {
            match self.b.get(i)? {
                b'"' => break,
                // `"\\" ~ ANY`: the next character, whatever it is (its
                // UTF-8 continuation bytes are never `"` or `\`).
                b'\\' => {
                    self.b.get(i + 1)?;
                    i += 2;
                }
                _ => i += 1,
            }
        }
        let end = i + 1;
        let whole = self.text.get(start..end)?;
        let s = self.builder.string_at(whole, start);
        self.take(end);
        Some(s)
    }

    /// `number = @{ "-"? ~ ASCII_DIGIT+ ~ ("." ~ ASCII_DIGIT+)? ~ !idc }`
    fn number(&mut self) -> Option<NumberLit> {
        let start = self.pos;
        let mut i = start;
        if self.b.get(i) == Some(&b'-') {
            i += 1;
        }
        let d = self.digits_at(i);
        if d == 0 {
            return None;
        }
        i += d;
        if self.b.get(i) == Some(&b'.') {
            let f = self.digits_at(i + 1);
            if f > 0 {
                i += 1 + f;
            }
        }
        if self.idc_at(i) {
            return None;
        }
        let raw = self.text.get(start..i)?;
        let n = NumberLit {
            value: raw.parse::<f64>().unwrap_or(f64::NAN),
            raw: Name::from(raw),
            span: self.span(start, i),
        };
        self.take(i);
        Some(n)
    }

    /// `date = @{ ASCII_DIGIT{4} ~ "-" ~ ASCII_DIGIT{2} ~ "-" ~ ASCII_DIGIT{2} ~ !idc }`
    fn date(&mut self) -> Option<DateLit> {
        let s = self.pos;
        let b = self.b;
        let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        let num = |from: usize, to: usize| -> Option<u32> {
            let mut v = 0u32;
            for i in from..to {
                let c = *b.get(i)?;
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + u32::from(c - b'0');
            }
            Some(v)
        };
        if !(digit(s)
            && digit(s + 1)
            && digit(s + 2)
            && digit(s + 3)
            && b.get(s + 4) == Some(&b'-')
            && b.get(s + 7) == Some(&b'-')
            && !self.idc_at(s + 10))
        {
            return None;
        }
        let year = num(s, s + 4)?;
        let month = num(s + 5, s + 7)?;
        let day = num(s + 8, s + 10)?;
        let d = DateLit {
            year: year as i32,
            month,
            day,
            span: self.span(s, s + 10),
        };
        self.take(s + 10);
        Some(d)
    }

    /// `time = @{ ASCII_DIGIT{1, 2} ~ ":" ~ ASCII_DIGIT{2} ~ !idc }`
    fn time(&mut self) -> Option<TimeLit> {
        let s = self.pos;
        let h = self.digits_at(s).min(2);
        if h == 0 || self.b.get(s + h) != Some(&b':') {
            return None;
        }
        let m0 = s + h + 1;
        if self.digits_at(m0) < 2 || self.idc_at(m0 + 2) {
            return None;
        }
        let hour = self.text.get(s..s + h)?.parse::<u32>().ok()?;
        let minute = self.text.get(m0..m0 + 2)?.parse::<u32>().ok()?;
        let t = TimeLit {
            hour,
            minute,
            span: self.span(s, m0 + 2),
        };
        self.take(m0 + 2);
        Some(t)
    }

    /// `dur_part = @{ ASCII_DIGIT+ ~ ("d" | "h" | "m") ~ !(ASCII_ALPHA | "_") }`
    /// at byte `i` (no skipping): the part and its end.
    fn dur_part_at(&self, i: usize) -> Option<(DurationPart, usize)> {
        let d = self.digits_at(i);
        if d == 0 {
            return None;
        }
        let unit = match self.b.get(i + d)? {
            b'd' => DurationUnit::Days,
            b'h' => DurationUnit::Hours,
            b'm' => DurationUnit::Minutes,
            _ => return None,
        };
        let end = i + d + 1;
        if self
            .b
            .get(end)
            .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
        {
            return None;
        }
        let amount = self.b.get(i..i + d)?.iter().fold(0u64, |acc, c| {
            acc.saturating_mul(10).saturating_add(u64::from(c - b'0'))
        });
        Some((
            DurationPart {
                amount,
                unit,
                span: self.span(i, end),
            },
            end,
        ))
    }

    /// `duration = ${ dur_part ~ ((" " | "\t")* ~ dur_part)* }`
    fn duration(&mut self) -> Option<Duration> {
        let start = self.pos;
        let (first, mut end) = self.dur_part_at(start)?;
        let mut parts = vec![first];
        loop {
            let mut i = end;
            while matches!(self.b.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            match self.dur_part_at(i) {
                Some((p, e)) => {
                    parts.push(p);
                    end = e;
                }
                None => break,
            }
        }
        self.take(end);
        Some(Duration {
            parts: exact(parts),
            span: self.span(start, end),
        })
    }

    /// `path = ${ ident ~ ("." ~ ident)? }`
    fn path(&mut self) -> Option<Path> {
        let first = self.word()?;
        let start = self.pos;
        let mut end = start + first.len();
        let mut second = None;
        if self.b.get(end) == Some(&b'.') {
            let b = self.b;
            if b.get(end + 1)
                .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
            {
                let len = b
                    .get(end + 1..)?
                    .iter()
                    .position(|&c| !is_idc(c))
                    .unwrap_or(b.len() - end - 1);
                second = Some((end + 1, end + 1 + len));
            }
        }
        let a = Ident {
            name: Name::from(self.text.get(start..end)?),
            span: self.span(start, end),
        };
        let (object, property) = match second {
            Some((s, e)) => {
                end = e;
                let p = Ident {
                    name: Name::from(self.text.get(s..e)?),
                    span: self.span(s, e),
                };
                (Some(Box::new(a)), p)
            }
            None => (None, a),
        };
        self.take(end);
        Some(Path {
            object,
            property,
            span: self.span(start, end),
        })
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

    // ---- delays

    fn st_delay(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("delay")?;
        Some((StepKind::Delay(self.duration()?), k, self.end))
    }

    /// `k_delay ~ k_until ~ date_offset? ~ k_date ~ (k_at ~ time)?`
    fn st_delay_until_date(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["delay", "until"])?;
        let s = self.save();
        let offset = match self.date_offset() {
            Some(o) => Some(o),
            None => {
                self.restore(s);
                None
            }
        };
        self.kw("date")?;
        let time = self.at_time();
        let end = self.opt_end(time.is_some());
        Some((StepKind::DelayUntilDate { offset, time }, k, end))
    }

    /// `(k_at ~ time)?`
    fn at_time(&mut self) -> Option<TimeLit> {
        let s = self.save();
        let t = self.kw("at").and_then(|_| self.time());
        if t.is_none() {
            self.restore(s);
        }
        t
    }

    /// `date_offset = { duration ~ offset_dir }`
    fn date_offset(&mut self) -> Option<DateOffset> {
        let amount = self.duration()?;
        let (i, direction_span) = self.one_of(&["before", "after"])?;
        Some(DateOffset {
            amount,
            direction: if i == 0 {
                OffsetDirection::Before
            } else {
                OffsetDirection::After
            },
            direction_span,
        })
    }

    /// `k_delay ~ k_until ~ (weekdays ~ (k_at ~ time)? | time)`
    fn st_delay_until_time(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["delay", "until"])?;
        let mut days = Vec::new();
        if let Some(d) = self.weekday() {
            days.push(d);
            self.comma_more(&mut days, Self::weekday);
            let time = self.at_time();
            let end = self.opt_end(time.is_some());
            return Some((
                StepKind::DelayUntilTime {
                    days: exact(days),
                    time,
                },
                k,
                end,
            ));
        }
        let time = Some(self.time()?);
        Some((StepKind::DelayUntilTime { days, time }, k, self.end))
    }

    fn weekday(&mut self) -> Option<WeekdayLit> {
        const DAYS: [(&str, Weekday); 7] = [
            ("monday", Weekday::Monday),
            ("tuesday", Weekday::Tuesday),
            ("wednesday", Weekday::Wednesday),
            ("thursday", Weekday::Thursday),
            ("friday", Weekday::Friday),
            ("saturday", Weekday::Saturday),
            ("sunday", Weekday::Sunday),
        ];
        let names = DAYS.map(|(n, _)| n);
        let (i, span) = self.one_of(&names)?;
        Some(WeekdayLit {
            day: DAYS.get(i)?.1,
            span,
        })
    }

    /// `k_delay ~ k_until ~ event ~ (k_max ~ duration)?`
    fn st_delay_until_event(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["delay", "until"])?;
        let event = self.event()?;
        let s = self.save();
        let max = self.kw("max").and_then(|_| self.duration());
        if max.is_none() {
            self.restore(s);
        }
        let end = self.opt_end(max.is_some());
        Some((StepKind::DelayUntilEvent { event, max }, k, end))
    }

    // ---- flow

    /// `k_if ~ condition ~ block ~ (nl* ~ else_if)* ~ (nl* ~ else_block)?`
    fn st_if(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("if")?;
        let condition = self.condition()?;
        let block = self.block(None)?;
        let mut arms = vec![IfArm {
            condition,
            span: k.to(block.span),
            block,
        }];
        loop {
            let s = self.save();
            self.nls();
            let start = self.pos;
            let arm = (|| {
                self.kw("else")?;
                self.kw("if")?;
                let condition = self.condition()?;
                let block = self.block(None)?;
                Some(IfArm {
                    condition,
                    span: self.span(start, self.end),
                    block,
                })
            })();
            match arm {
                Some(a) => arms.push(a),
                None => {
                    self.restore(s);
                    break;
                }
            }
        }
        let else_block = self.else_block();
        let end = self.opt_end(else_block.is_some());
        let arms = exact(arms);
        Some((StepKind::If { arms, else_block }, k, end))
    }

    /// `(nl* ~ else_block)?` with `else_block = { k_else ~ block }`
    fn else_block(&mut self) -> Option<Block> {
        let s = self.save();
        self.nls();
        let b = self.kw("else").and_then(|_| self.block(None));
        if b.is_none() {
            self.restore(s);
        }
        b
    }

    /// `k_branch ~ k_on ~ path ~ lbrace ~ nl* ~ (case ~ (nl* ~ case)*)? ~ (nl* ~ else_block)? ~ nl* ~ rbrace`
    fn st_branch(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["branch", "on"])?;
        let path = self.path()?;
        self.punct(b'{')?;
        self.nls();
        let mut cases = Vec::new();
        let s = self.save();
        match self.case() {
            Some(c) => {
                cases.push(c);
                loop {
                    let s = self.save();
                    self.nls();
                    match self.case() {
                        Some(c) => cases.push(c),
                        None => {
                            self.restore(s);
                            break;
                        }
                    }
                }
            }
            None => self.restore(s),
        }
        let else_block = self.else_block();
        self.nls();
        self.punct(b'}')?;
        Some((
            StepKind::Branch {
                path,
                cases: exact(cases),
                else_block,
            },
            k,
            self.end,
        ))
    }

    /// `case = { scalar ~ (comma ~ nl* ~ scalar)* ~ block }`
    fn case(&mut self) -> Option<BranchCase> {
        let start = self.pos;
        let mut values = vec![self.scalar()?];
        loop {
            let s = self.save();
            let v = self.punct(b',').and_then(|_| {
                self.nls();
                self.scalar()
            });
            match v {
                Some(v) => values.push(v),
                None => {
                    self.restore(s);
                    break;
                }
            }
        }
        let block = self.block(None)?;
        Some(BranchCase {
            values: exact(values),
            span: self.span(start, self.end),
            block,
        })
    }

    fn st_goto(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("goto")?;
        Some((StepKind::Goto(self.ident()?), k, self.end))
    }

    fn st_enroll_in(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["enroll", "in"])?;
        Some((StepKind::EnrollIn(self.string()?), k, self.end))
    }

    fn st_webhook(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("webhook")?;
        let (i, _) = self.one_of(&["post", "get"])?;
        let method = if i == 1 {
            HttpMethod::Get
        } else {
            HttpMethod::Post
        };
        Some((
            StepKind::Webhook {
                method,
                url: self.string()?,
            },
            k,
            self.end,
        ))
    }

    // ---- communication

    fn st_send_email(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["send", "email"])?;
        Some((StepKind::SendEmail(self.string()?), k, self.end))
    }

    fn st_send_internal_email(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["send", "internal", "email"])?;
        self.kw("to")?;
        let to = self.recipients()?;
        self.kw("subject")?;
        let subject = self.string()?;
        self.kw("body")?;
        let body = self.string()?;
        Some((
            StepKind::SendInternalEmail { to, subject, body },
            k,
            self.end,
        ))
    }

    fn st_send_notification(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["send", "notification"])?;
        self.kw("to")?;
        let to = self.recipients()?;
        self.kw("subject")?;
        let subject = self.string()?;
        self.kw("body")?;
        let body = self.string()?;
        Some((
            StepKind::SendNotification { to, subject, body },
            k,
            self.end,
        ))
    }

    /// `recipients = { recipient ~ (comma ~ recipient)* }`
    fn recipients(&mut self) -> Option<Vec<Recipient>> {
        let mut out = vec![self.recipient()?];
        self.comma_more(&mut out, Self::recipient);
        Some(exact(out))
    }

    /// `recipient = { k_owner | k_user ~ string | k_team ~ string }`
    fn recipient(&mut self) -> Option<Recipient> {
        let start = self.pos;
        let kind = if self.kw("owner").is_some() {
            RecipientKind::Owner
        } else if self.kw("user").is_some() {
            RecipientKind::User(self.string()?)
        } else {
            self.kw("team")?;
            RecipientKind::Team(self.string()?)
        };
        Some(Recipient {
            kind,
            span: self.span(start, self.end),
        })
    }

    fn st_send_internal_sms(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["send", "internal", "sms"])?;
        self.kw("to")?;
        let mut to = vec![self.sms_recipient()?];
        self.comma_more(&mut to, Self::sms_recipient);
        self.kw("text")?;
        let text = self.string()?;
        let to = exact(to);
        Some((StepKind::SendInternalSms { to, text }, k, self.end))
    }

    /// `sms_recipient = { k_user ~ string | k_number ~ string }`
    fn sms_recipient(&mut self) -> Option<SmsRecipient> {
        let start = self.pos;
        let kind = if self.kw("user").is_some() {
            SmsRecipientKind::User(self.string()?)
        } else {
            self.kw("number")?;
            SmsRecipientKind::Number(self.string()?)
        };
        Some(SmsRecipient {
            kind,
            span: self.span(start, self.end),
        })
    }

    fn st_send_internal_marketing_email(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["send", "internal", "marketing", "email"])?;
        let email = self.string()?;
        self.kw("to")?;
        let mut to = vec![self.marketing_recipient()?];
        self.comma_more(&mut to, Self::marketing_recipient);
        let end = self.opt_end(to.len() > 1);
        let to = exact(to);
        Some((StepKind::SendInternalMarketingEmail { email, to }, k, end))
    }

    /// `marketing_recipient = { string | k_property ~ prop_name }`
    fn marketing_recipient(&mut self) -> Option<MarketingRecipient> {
        if self.peek() == Some(b'"') {
            return Some(MarketingRecipient::Address(self.string()?));
        }
        self.kw("property")?;
        Some(MarketingRecipient::Property(self.ident()?))
    }

    fn st_send_slack(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["send", "slack"])?;
        self.kw("to")?;
        let target = if self.kw("channel").is_some() {
            SlackTarget::Channel(self.string()?)
        } else {
            self.kw("user")?;
            SlackTarget::User(self.string()?)
        };
        self.kw("text")?;
        let text = self.string()?;
        Some((StepKind::SendSlack { target, text }, k, self.end))
    }

    // ---- integrations, assignment, create

    fn st_create_slack_channel(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["create", "slack", "channel"])?;
        let name = self.string()?;
        let visibility = self
            .one_of(&["public", "private"])
            .map(|(i, span)| VisibilityLit {
                value: if i == 1 {
                    Visibility::Private
                } else {
                    Visibility::Public
                },
                span,
            });
        let end = self.opt_end(visibility.is_some());
        Some((StepKind::CreateSlackChannel { name, visibility }, k, end))
    }

    fn st_create_asana_task(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["create", "asana", "task"])?;
        let title = self.string()?;
        self.kws(&["in", "project"])?;
        let project = self.string()?;
        Some((StepKind::CreateAsanaTask { title, project }, k, self.end))
    }

    /// `k_create ~ k_task ~ string ~ (k_due ~ duration)? ~ for_owner?`
    fn st_create_task(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["create", "task"])?;
        let title = self.string()?;
        let s = self.save();
        let due = self.kw("due").and_then(|_| self.duration());
        if due.is_none() {
            self.restore(s);
        }
        let s = self.save();
        let for_owner = self.kws(&["for", "owner"]);
        if for_owner.is_none() {
            self.restore(s);
        }
        let end = self.opt_end(for_owner.is_some());
        Some((
            StepKind::CreateTask {
                title,
                due,
                for_owner,
            },
            k,
            end,
        ))
    }

    fn st_create_record(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("create")?;
        let object = self.ident()?;
        let fields = self.record()?;
        Some((StepKind::CreateRecord { object, fields }, k, self.end))
    }

    fn st_app_action(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("app")?;
        let app = self.string()?;
        self.kw("action")?;
        let action = self.string()?;
        let s = self.save();
        let (fields, matched) = match self.record() {
            Some(f) => (f, true),
            None => {
                self.restore(s);
                (Vec::new(), false)
            }
        };
        let end = self.opt_end(matched);
        Some((
            StepKind::AppAction {
                app,
                action,
                fields,
            },
            k,
            end,
        ))
    }

    /// `k_rotate ~ k_owner ~ k_among ~ (rotate_team | rotate_users) ~ k_overwrite?`
    fn st_rotate_owner(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["rotate", "owner"])?;
        self.kw("among")?;
        let among = if self.kw("team").is_some() {
            RotateAmong::Team(self.string()?)
        } else {
            self.kw("users")?;
            let mut users = vec![self.string()?];
            self.comma_more(&mut users, Self::string);
            RotateAmong::Users(exact(users))
        };
        let overwrite = self.kw("overwrite");
        let end = self.opt_end(overwrite.is_some());
        Some((StepKind::RotateOwner { among, overwrite }, k, end))
    }

    // ---- properties

    /// `k_set ~ path ~ assign_op ~ value`
    fn st_set(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("set")?;
        let path = self.path()?;
        let append = match self.peek()? {
            b'+' if self.b.get(self.pos + 1) == Some(&b'=') => {
                let e = self.pos + 2;
                self.take(e);
                true
            }
            b'=' => {
                let e = self.pos + 1;
                self.take(e);
                false
            }
            _ => return None,
        };
        let value = self.value()?;
        Some((
            if append {
                StepKind::Append { path, value }
            } else {
                StepKind::Set { path, value }
            },
            k,
            self.end,
        ))
    }

    fn st_copy(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("copy")?;
        let from = self.path()?;
        self.kw("to")?;
        let to = self.path()?;
        let append = self.kw("append");
        let end = self.opt_end(append.is_some());
        Some((StepKind::Copy { from, to, append }, k, end))
    }

    fn st_clear(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("clear")?;
        Some((StepKind::Clear(self.path()?), k, self.end))
    }

    fn st_increase(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("increase")?;
        let path = self.path()?;
        self.kw("by")?;
        let by = self.number()?;
        Some((StepKind::Increase { path, by }, k, self.end))
    }

    fn st_decrease(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("decrease")?;
        let path = self.path()?;
        self.kw("by")?;
        let by = self.number()?;
        Some((StepKind::Decrease { path, by }, k, self.end))
    }

    // ---- contact only

    fn st_add_to_list(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["add", "to", "list"])?;
        Some((StepKind::AddToList(self.string()?), k, self.end))
    }

    fn st_add_to_audience(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["add", "to", "audience"])?;
        Some((StepKind::AddToAudience(self.string()?), k, self.end))
    }

    fn st_remove_from_list(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["remove", "from", "list"])?;
        Some((StepKind::RemoveFromList(self.string()?), k, self.end))
    }

    fn st_remove_from_audience(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["remove", "from", "audience"])?;
        Some((StepKind::RemoveFromAudience(self.string()?), k, self.end))
    }

    /// `k_opt ~ opt_dir ~ string ~ (k_basis ~ basis)? ~ (k_explanation ~ string)?`
    fn st_opt(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("opt")?;
        let (i, _) = self.one_of(&["in", "out"])?;
        let status = if i == 1 {
            SubscriptionStatus::OptOut
        } else {
            SubscriptionStatus::OptIn
        };
        let subscription = self.string()?;
        let mut basis = None;
        let s = self.save();
        if self.kw("basis").is_some() && self.word().is_some() {
            let start = self.pos;
            let name = self.word()?;
            let end = start + name.len();
            let name = self.text.get(start..end)?;
            // an unknown name is reported (and gives up)
            basis = self.builder.basis_at(name, start, end);
            self.take(end);
        } else {
            self.restore(s);
        }
        let s = self.save();
        let explanation = self.kw("explanation").and_then(|_| self.string());
        if explanation.is_none() {
            self.restore(s);
        }
        let end = self.opt_end(explanation.is_some());
        Some((
            StepKind::Subscription {
                status,
                subscription,
                basis,
                explanation,
            },
            k,
            end,
        ))
    }

    fn st_salesforce_task(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["salesforce", "task"])?;
        let subject = self.string()?;
        let s = self.save();
        let assignee = (|| {
            let f = self.kw("for")?;
            let (i, w) = self.one_of(&["owner", "integration_user"])?;
            Some(SalesforceAssigneeLit {
                value: if i == 0 {
                    SalesforceAssignee::Owner
                } else {
                    SalesforceAssignee::IntegrationUser
                },
                span: f.to(w),
            })
        })();
        if assignee.is_none() {
            self.restore(s);
        }
        let end = self.opt_end(assignee.is_some());
        Some((StepKind::SalesforceTask { subject, assignee }, k, end))
    }

    fn st_salesforce_campaign(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["salesforce", "campaign"])?;
        Some((StepKind::SalesforceCampaign(self.string()?), k, self.end))
    }

    // ------------------------------------------------------------ conditions

    /// `condition = { cond_and ~ (k_or ~ cond_and)* }` (one operand: itself)
    fn condition(&mut self) -> Option<Condition> {
        self.condition_pair().map(|(c, _)| c)
    }

    /// The condition and the end of its `condition` pair: the end of its
    /// last `cond_and` pair when `or` matched, else after the whitespace
    /// that follows (see [`Fast::cond_and`]).
    fn condition_pair(&mut self) -> Option<(Condition, usize)> {
        let start = self.pos;
        let (first, mut pair_end) = self.cond_and()?;
        let base = self.conds.len();
        self.conds.push(first);
        loop {
            let s = self.save();
            match self.kw("or").and_then(|_| self.cond_and()) {
                Some((c, e)) => {
                    self.conds.push(c);
                    pair_end = e;
                }
                None => {
                    self.restore(s);
                    break;
                }
            }
        }
        if self.conds.len() == base + 1 {
            // The `or` repetition matched nothing: like `cond_and` with one
            // operand, the pair ends after the whitespace that follows.
            let first = self.conds.pop()?;
            return Some((first, self.pos));
        }
        Some((
            Condition {
                kind: ConditionKind::Or(self.conds.drain(base..).collect()),
                span: self.span(start, pair_end),
            },
            pair_end,
        ))
    }

    /// `cond_and = { cond_unary ~ (k_and ~ cond_unary)* }`, and the end of
    /// its pair: with one operand the repetition matched nothing, so the
    /// pair ends after the whitespace that follows the operand.
    fn cond_and(&mut self) -> Option<(Condition, usize)> {
        let start = self.pos;
        let first = self.cond_unary()?;
        let base = self.conds.len();
        self.conds.push(first);
        loop {
            let s = self.save();
            match self.kw("and").and_then(|_| self.cond_unary()) {
                Some(c) => self.conds.push(c),
                None => {
                    self.restore(s);
                    break;
                }
            }
        }
        if self.conds.len() == base + 1 {
            let first = self.conds.pop()?;
            return Some((first, self.pos));
        }
        Some((
            Condition {
                kind: ConditionKind::And(self.conds.drain(base..).collect()),
                span: self.span(start, self.end),
            },
            self.end,
        ))
    }

    /// `cond_unary = _{ cond_not | cond_group | &event_start ~ event | predicate }`
    fn cond_unary(&mut self) -> Option<Condition> {
        if !self.enter() {
            return None;
        }
        let r = self.cond_unary_inner();
        self.leave();
        r
    }

    fn cond_unary_inner(&mut self) -> Option<Condition> {
        let start = self.pos;
        let s = self.save();
        // cond_not = { k_not ~ cond_unary }
        if self.kw("not").is_some() {
            if let Some(c) = self.cond_unary() {
                return Some(Condition {
                    kind: ConditionKind::Not(Box::new(c)),
                    span: self.span(start, self.end),
                });
            }
            self.restore(s);
        }
        // cond_group = { lparen ~ condition ~ rparen }
        if self.punct(b'(').is_some() {
            if let Some(c) = self.condition() {
                if self.punct(b')').is_some() {
                    return Some(Condition {
                        kind: ConditionKind::Group(Box::new(c)),
                        span: self.span(start, self.end),
                    });
                }
            }
            self.restore(s);
        }
        let rest = self.b.get(self.pos..).unwrap_or_default();
        if [&b"form"[..], b"page", b"email", b"event"]
            .iter()
            .any(|k| rest.starts_with(k))
        {
            if let Some(e) = self.event() {
                return Some(Condition {
                    span: e.span,
                    kind: ConditionKind::Event(e),
                });
            }
            self.restore(s);
        }
        self.predicate()
    }

    /// `predicate = { path ~ comparison }`
    fn predicate(&mut self) -> Option<Condition> {
        let start = self.pos;
        let path = self.path()?;
        let op_start = self.pos;
        let s = self.save();
        // op_known | op_unknown | op_is_not ~ value | op_is ~ value
        if let Some(is) = self.kw("is") {
            let s_is = self.save();
            if let Some((i, w)) = self.one_of(&["known", "unknown"]) {
                return Some(Condition {
                    kind: ConditionKind::Known {
                        path,
                        known: i == 0,
                        op_span: is.to(w),
                    },
                    span: self.span(start, self.end),
                });
            }
            if let Some(not) = self.kw("not") {
                if let Some(value) = self.value() {
                    return Some(Condition {
                        kind: ConditionKind::Compare {
                            path,
                            op: CompareOp::IsNot,
                            op_span: is.to(not),
                            value,
                        },
                        span: self.span(start, self.end),
                    });
                }
                self.restore(s_is);
            }
            if let Some(value) = self.value() {
                return Some(Condition {
                    kind: ConditionKind::Compare {
                        path,
                        op: CompareOp::Is,
                        op_span: is,
                        value,
                    },
                    span: self.span(start, self.end),
                });
            }
            self.restore(s);
        }
        // op_cmp ~ value
        let b0 = self.peek();
        let b1 = self.b.get(self.pos + 1).copied();
        let cmp = match (b0, b1) {
            (Some(b'>'), Some(b'=')) => Some((CompareOp::Ge, 2)),
            (Some(b'<'), Some(b'=')) => Some((CompareOp::Le, 2)),
            (Some(b'>'), _) => Some((CompareOp::Gt, 1)),
            (Some(b'<'), _) => Some((CompareOp::Lt, 1)),
            _ => None,
        };
        if let Some((op, len)) = cmp {
            self.take(op_start + len);
            let op_span = self.span(op_start, op_start + len);
            if let Some(value) = self.value() {
                return Some(Condition {
                    kind: ConditionKind::Compare {
                        path,
                        op,
                        op_span,
                        value,
                    },
                    span: self.span(start, self.end),
                });
            }
            self.restore(s);
        }
        // op_not_in ~ list | op_in ~ list
        let op = match self.kw("not").and_then(|n| Some(n.to(self.kw("in")?))) {
            Some(op) => Some((true, op)),
            None => {
                self.restore(s);
                self.kw("in").map(|op| (false, op))
            }
        };
        if let Some((negated, op_span)) = op {
            if let Some(values) = self.list() {
                return Some(Condition {
                    kind: ConditionKind::In {
                        path,
                        negated,
                        op_span,
                        values,
                    },
                    span: self.span(start, self.end),
                });
            }
            self.restore(s);
            // `not in` failed on its list: `in` cannot match at `not`
        }
        // op_contains ~ string
        let op_span = self.kw("contains")?;
        let text = self.string()?;
        Some(Condition {
            kind: ConditionKind::Contains {
                path,
                op_span,
                text,
            },
            span: self.span(start, self.end),
        })
    }

    /// `event = { ev_form | ev_page | ev_email | ev_custom }`
    fn event(&mut self) -> Option<Event> {
        let start = self.pos;
        let w = self.word()?;
        let kind = match w {
            b"form" => {
                self.kw("form")?;
                let name = self.string()?;
                self.kw("submitted")?;
                EventKind::FormSubmitted(name)
            }
            b"page" => {
                self.kw("page")?;
                let name = self.string()?;
                self.kw("viewed")?;
                EventKind::PageViewed(name)
            }
            b"email" => {
                self.kw("email")?;
                let name = self.string()?;
                let (i, _) = self.one_of(&["opened", "clicked", "replied"])?;
                let action = match i {
                    0 => EmailAction::Opened,
                    1 => EmailAction::Clicked,
                    _ => EmailAction::Replied,
                };
                EventKind::Email { name, action }
            }
            b"event" => {
                self.kw("event")?;
                EventKind::Custom(self.string()?)
            }
            _ => return None,
        };
        Some(Event {
            kind,
            span: self.span(start, self.end),
        })
    }

    // ------------------------------------------------------------ values

    /// `value = { string | date | number | boolean | list }`
    fn value(&mut self) -> Option<Value> {
        if self.peek() == Some(b'[') {
            return self.list();
        }
        self.scalar()
    }

    /// `scalar = { string | date | number | boolean }`
    fn scalar(&mut self) -> Option<Value> {
        let start = self.pos;
        let kind = match self.peek()? {
            b'"' => ValueKind::String(self.string()?),
            b'0'..=b'9' | b'-' => match self.date() {
                Some(d) => ValueKind::Date(d),
                None => ValueKind::Number(self.number()?),
            },
            _ => {
                let (i, _) = self.one_of(&["true", "false"])?;
                ValueKind::Bool(i == 0)
            }
        };
        Some(Value {
            kind,
            span: self.span(start, self.end),
        })
    }

    /// `item_sep = _{ nl* ~ comma ~ nl* | nl+ }`
    fn item_sep(&mut self) -> bool {
        let s = self.save();
        self.nls();
        if self.punct(b',').is_some() {
            self.nls();
            return true;
        }
        self.restore(s);
        self.nls1()
    }

    /// `(nl* ~ comma)?` then `nl*` and the closing bracket.
    fn close_seq(&mut self, close: u8) -> Option<usize> {
        let s = self.save();
        self.nls();
        if self.punct(b',').is_none() {
            self.restore(s);
        }
        self.nls();
        self.punct(close)
    }

    /// `list = { lbracket ~ nl* ~ (scalar ~ (item_sep ~ scalar)* ~ (nl* ~ comma)?)? ~ nl* ~ rbracket }`
    fn list(&mut self) -> Option<Value> {
        let start = self.punct(b'[')?;
        let items = self.items(b']', Self::scalar)?;
        Some(Value {
            kind: ValueKind::List(exact(items)),
            span: self.span(start, self.end),
        })
    }

    /// `record = { lbrace ~ nl* ~ (field ~ (item_sep ~ field)* ~ (nl* ~ comma)?)? ~ nl* ~ rbrace }`
    fn record(&mut self) -> Option<Vec<Field>> {
        self.punct(b'{')?;
        let fields = self.items(b'}', Self::field)?;
        Some(exact(fields))
    }

    /// `(comma ~ item)*`: append items while a comma and an item follow;
    /// a comma without an item is left unconsumed.
    fn comma_more<T>(&mut self, out: &mut Vec<T>, item: fn(&mut Self) -> Option<T>) {
        loop {
            let s = self.save();
            match self.punct(b',').and_then(|_| item(self)) {
                Some(v) => out.push(v),
                None => {
                    self.restore(s);
                    return;
                }
            }
        }
    }

    /// The inside of a list or record after its opening bracket, up to and
    /// including `close`: `nl* ~ (item ~ (item_sep ~ item)* ~ (nl* ~ comma)?)? ~ nl* ~ close`.
    fn items<T>(&mut self, close: u8, item: fn(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.nls();
        let mut items = Vec::new();
        let s = self.save();
        match item(self) {
            Some(v) => {
                items.push(v);
                loop {
                    let s = self.save();
                    match self.item_sep().then(|| item(self)).flatten() {
                        Some(v) => items.push(v),
                        None => {
                            self.restore(s);
                            break;
                        }
                    }
                }
                self.close_seq(close)?;
            }
            None => {
                self.restore(s);
                self.nls();
                self.punct(close)?;
            }
        }
        Some(items)
    }

    /// `field = { field_key ~ eq ~ value }`
    fn field(&mut self) -> Option<Field> {
        let start = self.pos;
        let key = self.ident()?;
        self.punct(b'=')?;
        let value = self.value()?;
        Some(Field {
            key,
            value,
            span: self.span(start, self.end),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path takes every chunk of valid programs (falling back to
    /// pest is correct but slow, so it must stay the exception).
    #[test]
    fn accepts_every_chunk_of_valid_programs() {
        let mut texts = vec![wfc_dev::corpus::generate(11, 300_000)];
        // the regression cases of tests/parse_differential.rs (so that
        // comparing them there compares the fast path, not pest with itself)
        for t in [
            "workflow \"\" for contact {}\n\nworkflow \"\" for contact centered on 1000-01-01 {}\n",
            "workflow \"W\" for contact {\n  if a is \"\" or b is \"\" {}\n  goal a is 1 or b is 2   # c\n}\n",
            "workflow \"W\" for contact {\n  enroll when a is 1 \t\n  if (a is 1 or b is 2 ) { }\n}\n",
            "workflow \"W\" for contact {\n  copy a to b  # c\n  create task \"t\" due 2d  \n  if a is 1 { } \n}\n",
        ] {
            texts.push(t.to_string());
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        for e in std::fs::read_dir(root).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "wf") {
                texts.push(std::fs::read_to_string(e.path()).unwrap());
            }
        }
        for text in &texts {
            let scanned = super::super::scan::scan(text);
            assert!(!scanned.chunks.is_empty());
            for c in &scanned.chunks {
                let src = &text[c.start..c.end];
                assert!(
                    parse_chunk(0, c.start, src).is_some(),
                    "fast path refused:\n{src}"
                );
            }
        }
    }

    #[test]
    fn gives_up_on_what_pest_reports() {
        let refused = [
            "workflow \"A\" for contact {\n  set x = \"a\\q\"\n}\n",
            "workflow \"A\" for contact {\n  set x = \"{{ a b }}\"\n}\n",
            "workflow \"A\" for contact {\n  l: if x is 1 { }\n}\n",
            "workflow \"A\" for contact {\n  if x is 1 {\n    reenroll\n  }\n}\n",
            "workflow \"A\" for contact {\n  opt in \"N\" basis nope\n}\n",
            "workflow \"A\" for contact {\n  set x = \n}\n",
            "workflow \"A\" for contact {\n",
        ];
        for text in refused {
            assert!(parse_chunk(0, 0, text).is_none(), "{text}");
        }
        let deep = format!(
            "workflow \"A\" for contact {{\n  goal {}x is 1{}\n}}\n",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(parse_chunk(0, 0, &deep).is_none());
        let ok = format!(
            "workflow \"A\" for contact {{\n  goal {}x is 1{}\n}}\n",
            "(".repeat(50),
            ")".repeat(50)
        );
        assert!(parse_chunk(0, 0, &ok).is_some());
    }
}
