//! `wfc fmt`: the one canonical style of `.wf` files (see `docs/style.md`).
//!
//! The printer walks the AST in source order and keeps a cursor into the
//! file's comment list: every comment is emitted exactly once, at the first
//! place the printer passes its position (leading comments above the step or
//! setting they precede, a comment on the same line after a step as its
//! trailing comment, the rest at the end of the enclosing block). Settings
//! are printed before the steps of their workflow, each keeping its comments.
//!
//! Layout decisions that depend on the original text (blank lines, whether a
//! list was written over several lines) read the source text through the
//! spans; for an AST without meaningful spans (e.g. a generated one) pass an
//! empty text and the defaults apply.

mod expr;
mod steps;
mod testitems;
mod text;

pub use text::{date_text, duration_text, inline_value, quote, quote_lit, time_text};

use crate::diagnostics::{Code, Diagnostic};
use crate::source::SourceMap;
use crate::syntax::ast::*;

/// Indentation of one nesting level.
pub const INDENT: &str = "  ";
/// A list longer than this (counted from the start of its line) is written
/// one item a line.
pub const MAX_WIDTH: usize = 100;

/// Format a parsed file. `source` is the text the AST was parsed from (its
/// spans and comments point into it).
pub fn format_file(file: &SourceFile, source: &str) -> String {
    let mut p = Printer {
        src: source,
        comments: &file.comments,
        next: 0,
        out: String::new(),
        indent: 0,
        last_end: 0,
    };
    p.file(file);
    p.out
}

/// Parse `text` and format it. Returns the syntax diagnostics (WF001, WF002)
/// instead when the text does not parse cleanly: such a file is left alone.
pub fn format_source(name: &str, text: &str) -> Result<String, Vec<Diagnostic>> {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let (file, diags) = crate::syntax::parse(&sources, id);
    let syntax: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| matches!(d.code, Code::WF001 | Code::WF002))
        .collect();
    if !syntax.is_empty() {
        return Err(syntax);
    }
    Ok(format_file(&file, text))
}

/// A printed top-level item of a block, with its leading comments.
struct Chunk {
    blank_before: bool,
    text: String,
}

struct Printer<'a> {
    src: &'a str,
    comments: &'a [Comment],
    /// Index of the first comment not printed yet.
    next: usize,
    out: String,
    indent: usize,
    /// Source offset of the end of the last thing printed.
    last_end: usize,
}

fn start_of(step: &Step) -> usize {
    step.label
        .as_ref()
        .map(|l| l.span.start.min(step.span.start))
        .unwrap_or(step.span.start) as usize
}

impl<'a> Printer<'a> {
    // ------------------------------------------------------------ comments

    /// Whether the source has an empty line between `a` and `b` (a line
    /// holding only blanks, wholly inside the range).
    fn blank_between(&self, a: usize, b: usize) -> bool {
        let a = self.tight(a);
        self.src.get(a.min(b)..b).is_some_and(|s| {
            let lines: Vec<&str> = s.split('\n').collect();
            lines.len() > 2
                && lines[1..lines.len() - 1]
                    .iter()
                    .any(|l| l.trim().is_empty())
        })
    }

    /// `end` moved back over blanks and line breaks (a span may include
    /// the line break that ends it).
    fn tight(&self, end: usize) -> usize {
        let Some(s) = self.src.get(..end.min(self.src.len())) else {
            return end;
        };
        s.trim_end_matches([' ', '\t', '\r', '\n']).len()
    }

    fn has_newline(&self, a: usize, b: usize) -> bool {
        self.src.get(a.min(b)..b).is_some_and(|s| s.contains('\n'))
    }

    fn peek_comment(&self) -> Option<&'a Comment> {
        self.comments.get(self.next)
    }

    /// The next comment if it starts before `pos`.
    fn take_before(&mut self, pos: usize) -> Option<&'a Comment> {
        let c = self.peek_comment()?;
        if (c.span.start as usize) < pos {
            self.next += 1;
            Some(c)
        } else {
            None
        }
    }

    /// The next comment if it stands on the same source line after `end`
    /// (and before `limit`).
    fn take_trailing(&mut self, end: usize, limit: usize) -> Option<&'a Comment> {
        let end = self.tight(end);
        let c = self.peek_comment()?;
        let start = c.span.start as usize;
        // A span may already include its trailing comment (then the comment
        // is the last thing in it).
        let inside_at_end = start < end && (c.span.end as usize) >= end;
        if inside_at_end || (start >= end && start < limit && !self.has_newline(end, start)) {
            self.next += 1;
            self.last_end = self.last_end.max(c.span.end as usize);
            Some(c)
        } else {
            None
        }
    }

    fn push_comment(&mut self, c: &Comment) {
        self.out.push('#');
        // `#comment` and `# comment` are both kept as written, minus
        // trailing blanks.
        self.out.push_str(c.text.trim_end());
    }

    fn push_trailing(&mut self, c: Option<&Comment>) {
        if let Some(c) = c {
            self.out.push(' ');
            self.push_comment(c);
        }
    }

    fn push_indent(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str(INDENT);
        }
    }

    /// Print (on their own lines, at the current indentation) every comment
    /// before `pos`, keeping one blank line where the source had some.
    /// `blank_ok`: whether a blank line may precede the first one. Returns
    /// whether a blank line should precede what follows.
    fn leading_comments(&mut self, pos: usize, mut blank_ok: bool) -> bool {
        while let Some(c) = self.take_before(pos) {
            if blank_ok && self.blank_between(self.last_end, c.span.start as usize) {
                self.out.push('\n');
            }
            self.push_indent();
            self.push_comment(c);
            self.out.push('\n');
            self.last_end = self.last_end.max(c.span.end as usize);
            blank_ok = true;
        }
        blank_ok && self.blank_between(self.last_end, pos)
    }

    fn current_column(&self) -> usize {
        let line = self.out.rsplit('\n').next().unwrap_or("");
        line.chars().count()
    }

    // ------------------------------------------------------------ file

    fn file(&mut self, file: &SourceFile) {
        let mut first = true;
        // Workflows and tests in source order.
        enum Top<'b> {
            Workflow(&'b Workflow),
            Test(&'b TestItem),
        }
        let mut items: Vec<(usize, Top)> = file
            .workflows
            .iter()
            .map(|w| (w.span.start as usize, Top::Workflow(w)))
            .chain(
                file.tests
                    .iter()
                    .map(|t| (t.span.start as usize, Top::Test(t))),
            )
            .collect();
        items.sort_by_key(|(pos, _)| *pos);
        for (wf_start, item) in &items {
            let wf_start = *wf_start;
            let (header_end, span_end) = match item {
                Top::Workflow(wf) => (wf.body.span.start as usize, wf.span.end as usize),
                Top::Test(t) => (t.workflow.span.end as usize, t.span.end as usize),
            };
            // Comments before the workflow (and any inside its header line).
            let mut chunk = std::mem::take(&mut self.out);
            if !first {
                chunk.push('\n');
            }
            self.out = String::new();
            let mut blank_ok = !first;
            let mut printed_any = false;
            while let Some(c) = self.take_before(wf_start.max(header_end)) {
                if printed_any
                    && blank_ok
                    && self.blank_between(self.last_end, c.span.start as usize)
                {
                    self.out.push('\n');
                }
                self.push_comment(c);
                self.out.push('\n');
                self.last_end = self.last_end.max(c.span.end as usize);
                printed_any = true;
                blank_ok = true;
            }
            if printed_any && self.blank_between(self.last_end, wf_start) {
                self.out.push('\n');
            }
            let comments = std::mem::take(&mut self.out);
            self.out = chunk;
            self.out.push_str(&comments);
            match item {
                Top::Workflow(wf) => self.workflow(wf),
                Top::Test(t) => self.test_item(t),
            }
            let trailing = self.take_trailing(span_end, usize::MAX);
            self.push_trailing(trailing);
            self.out.push('\n');
            self.last_end = self.last_end.max(span_end);
            first = false;
        }
        // Comments at the end of the file.
        let mut blank_ok = !first;
        while let Some(c) = self.take_before(usize::MAX) {
            if blank_ok && self.blank_between(self.last_end, c.span.start as usize) {
                self.out.push('\n');
            }
            self.push_comment(c);
            self.out.push('\n');
            self.last_end = self.last_end.max(c.span.end as usize);
            blank_ok = true;
        }
    }

    fn workflow(&mut self, wf: &Workflow) {
        self.out.push_str("workflow ");
        self.str_lit(&wf.name);
        self.out.push_str(" for ");
        self.out.push_str(&wf.object.name);
        if let Some(c) = &wf.centered {
            self.out.push_str(" centered on ");
            match &c.kind {
                CenteringKind::Date(d) => self.date(d),
                CenteringKind::Property(p) => {
                    self.out.push_str("property ");
                    self.out.push_str(&p.name);
                }
            }
        }
        self.out.push(' ');

        // Items in source order, printed one by one; then settings first.
        enum Item<'b> {
            Setting(&'b Setting),
            Step(&'b Step),
        }
        let mut items: Vec<(usize, Item)> = wf
            .settings
            .iter()
            .map(|s| (s.span.start as usize, Item::Setting(s)))
            .chain(wf.body.steps.iter().map(|s| (start_of(s), Item::Step(s))))
            .collect();
        items.sort_by_key(|(pos, _)| *pos);

        let body = &wf.body;
        self.open_block(body);
        let mut settings = Vec::new();
        let mut steps = Vec::new();
        self.indent += 1;
        for (pos, item) in &items {
            let (chunk, is_setting) = match item {
                Item::Setting(s) => (self.chunk(*pos, |p| p.setting(s)), true),
                Item::Step(s) => (self.chunk(*pos, |p| p.step(s)), false),
            };
            if is_setting {
                settings.push(chunk);
            } else {
                steps.push(chunk);
            }
        }
        let has_settings = !settings.is_empty();
        let mut chunks: Vec<Chunk> = settings;
        for (i, mut c) in steps.into_iter().enumerate() {
            if i == 0 && has_settings {
                c.blank_before = true;
            }
            chunks.push(c);
        }
        let end_limit = (body.span.end as usize).saturating_sub(1);
        self.close_block(chunks, end_limit);
    }

    /// Print `{` and a comment on its line, if any.
    fn open_block(&mut self, b: &Block) {
        self.out.push('{');
        let after = b.span.start as usize + 1;
        self.last_end = self.last_end.max(after);
        let limit = b
            .steps
            .first()
            .map(start_of)
            .unwrap_or((b.span.end as usize).saturating_sub(1));
        let t = self.take_trailing(after, limit.max(after));
        self.push_trailing(t);
    }

    /// Print one item (a setting, a step, a case) with its leading comments
    /// and its trailing comment into a chunk of whole lines.
    fn chunk(&mut self, pos: usize, print: impl FnOnce(&mut Self)) -> Chunk {
        let saved = std::mem::take(&mut self.out);
        let blank_first = self
            .peek_comment()
            .filter(|c| (c.span.start as usize) < pos)
            .map(|c| self.blank_between(self.last_end, c.span.start as usize))
            .unwrap_or_else(|| self.blank_between(self.last_end, pos));
        let blank_inner = self.leading_comments(pos, false);
        let mut text = std::mem::take(&mut self.out);
        if blank_inner {
            text.push('\n');
        }
        self.out = text;
        self.push_indent();
        self.last_end = self.last_end.max(pos);
        print(self);
        self.out.push('\n');
        let text = std::mem::replace(&mut self.out, saved);
        Chunk {
            blank_before: blank_first,
            text,
        }
    }

    /// Print the chunks of a block, the comments before `limit` as the end
    /// of the block, and `}`. The indentation is one level in on entry and
    /// back out on exit.
    fn close_block(&mut self, mut chunks: Vec<Chunk>, limit: usize) {
        // End-of-block comments.
        if self
            .peek_comment()
            .is_some_and(|c| (c.span.start as usize) < limit)
        {
            let saved = std::mem::take(&mut self.out);
            let blank = self.blank_between(
                self.last_end,
                self.peek_comment().map_or(0, |c| c.span.start as usize),
            );
            self.leading_comments(limit, false);
            let text = std::mem::replace(&mut self.out, saved);
            chunks.push(Chunk {
                blank_before: blank,
                text,
            });
        }
        self.indent -= 1;
        if chunks.is_empty() {
            // `{ }` stays on one line, unless a comment follows the `{`:
            // then `}` must go on a line of its own or the comment eats it.
            if !self.out.ends_with('{') {
                self.out.push('\n');
                self.push_indent();
            }
            self.out.push('}');
            return;
        }
        self.out.push('\n');
        for (i, c) in chunks.iter().enumerate() {
            if i > 0 && c.blank_before {
                self.out.push('\n');
            }
            self.out.push_str(&c.text);
        }
        self.push_indent();
        self.out.push('}');
    }

    /// `{ steps }`; comments before `limit` that follow the last step go to
    /// the end of the block.
    fn block(&mut self, b: &Block, limit: usize) {
        self.open_block(b);
        self.indent += 1;
        let mut chunks = Vec::new();
        for s in &b.steps {
            chunks.push(self.chunk(start_of(s), |p| p.step(s)));
        }
        self.close_block(chunks, limit);
        self.last_end = self.last_end.max(b.span.end as usize);
    }

    // ------------------------------------------------------------ settings

    fn setting(&mut self, s: &Setting) {
        match &s.kind {
            SettingKind::EnrollWhen(c) => {
                self.out.push_str("enroll when ");
                self.condition(c);
            }
            SettingKind::EnrollOn(e) => {
                self.out.push_str("enroll on ");
                self.event(e);
            }
            SettingKind::Reenroll => self.out.push_str("reenroll"),
            SettingKind::Goal(c) => {
                self.out.push_str("goal ");
                self.condition(c);
            }
            SettingKind::UnenrollWhen(c) => {
                self.out.push_str("unenroll when ");
                self.condition(c);
            }
        }
        self.finish_line(s.span.end as usize);
    }

    /// After the last token of an item: its trailing comment.
    fn finish_line(&mut self, end: usize) {
        let end = self.tight(end);
        self.last_end = self.last_end.max(end);
        let t = self.take_trailing(end, usize::MAX);
        self.push_trailing(t);
    }
}
