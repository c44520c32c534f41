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
        for wf in &file.workflows {
            let wf_start = wf.span.start as usize;
            // Comments before the workflow (and any inside its header line).
            let mut chunk = std::mem::take(&mut self.out);
            if !first {
                chunk.push('\n');
            }
            self.out = String::new();
            let mut blank_ok = !first;
            let mut printed_any = false;
            while let Some(c) = self.take_before(wf_start.max(wf.body.span.start as usize)) {
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
            self.workflow(wf);
            let trailing = self.take_trailing(wf.span.end as usize, usize::MAX);
            self.push_trailing(trailing);
            self.out.push('\n');
            self.last_end = self.last_end.max(wf.span.end as usize);
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

    // ------------------------------------------------------------ steps

    fn step(&mut self, s: &Step) {
        if let Some(l) = &s.label {
            self.out.push_str(&l.name);
            self.out.push_str(": ");
        }
        let o = |p: &mut Self, t: &str| p.out.push_str(t);
        match &s.kind {
            StepKind::Delay(d) => {
                o(self, "delay ");
                self.duration(d);
            }
            StepKind::DelayUntilTime { days, time } => {
                o(self, "delay until");
                for (i, d) in days.iter().enumerate() {
                    o(self, if i == 0 { " " } else { ", " });
                    o(self, d.day.as_str());
                }
                if let Some(t) = time {
                    o(self, if days.is_empty() { " " } else { " at " });
                    self.time(t);
                }
            }
            StepKind::DelayUntilEvent { event, max } => {
                o(self, "delay until ");
                self.event(event);
                if let Some(m) = max {
                    o(self, " max ");
                    self.duration(m);
                }
            }
            StepKind::DelayUntilDate { offset, time } => {
                o(self, "delay until ");
                if let Some(off) = offset {
                    self.duration(&off.amount);
                    o(
                        self,
                        match off.direction {
                            OffsetDirection::Before => " before ",
                            OffsetDirection::After => " after ",
                        },
                    );
                }
                o(self, "date");
                if let Some(t) = time {
                    o(self, " at ");
                    self.time(t);
                }
            }
            StepKind::If { arms, else_block } => {
                for (i, arm) in arms.iter().enumerate() {
                    o(self, if i == 0 { "if " } else { " else if " });
                    self.condition(&arm.condition);
                    o(self, " ");
                    let limit = arms
                        .get(i + 1)
                        .map(|a| a.span.start as usize)
                        .or_else(|| else_block.as_ref().map(|b| b.span.start as usize))
                        .unwrap_or((arm.block.span.end as usize).saturating_sub(1));
                    let limit = limit.max((arm.block.span.end as usize).saturating_sub(1));
                    self.block(&arm.block, limit);
                }
                if let Some(b) = else_block {
                    o(self, " else ");
                    self.block(b, (b.span.end as usize).saturating_sub(1));
                }
            }
            StepKind::Branch {
                path,
                cases,
                else_block,
            } => {
                o(self, "branch on ");
                self.path(path);
                o(self, " {");
                // The branch's own `{`: from the path to the first case.
                let after = path.span.end as usize;
                self.last_end = self.last_end.max(after);
                let first = cases
                    .first()
                    .map(|c| c.span.start as usize)
                    .or_else(|| else_block.as_ref().map(|b| b.span.start as usize))
                    .unwrap_or((s.span.end as usize).saturating_sub(1));
                let t = self.take_trailing(after, first.max(after));
                self.push_trailing(t);
                self.indent += 1;
                let mut chunks = Vec::new();
                for case in cases {
                    chunks.push(self.chunk(case.span.start as usize, |p| {
                        for (i, v) in case.values.iter().enumerate() {
                            if i > 0 {
                                p.out.push_str(", ");
                            }
                            p.value(v);
                        }
                        p.out.push(' ');
                        p.block(
                            &case.block,
                            (case.block.span.end as usize).saturating_sub(1),
                        );
                        p.finish_line(case.span.end as usize);
                    }));
                }
                if let Some(b) = else_block {
                    chunks.push(self.chunk(b.span.start as usize, |p| {
                        p.out.push_str("else ");
                        p.block(b, (b.span.end as usize).saturating_sub(1));
                        p.finish_line(b.span.end as usize);
                    }));
                }
                self.close_block(chunks, (s.span.end as usize).saturating_sub(1));
            }
            StepKind::Goto(l) => {
                o(self, "goto ");
                o(self, &l.name);
            }
            StepKind::EnrollIn(w) => {
                o(self, "enroll in ");
                self.str_lit(w);
            }
            StepKind::Webhook { method, url } => {
                o(
                    self,
                    match method {
                        HttpMethod::Get => "webhook get ",
                        HttpMethod::Post => "webhook post ",
                    },
                );
                self.str_lit(url);
            }
            StepKind::SendInternalEmail { to, subject, body } => {
                o(self, "send internal email to ");
                self.recipients(to);
                o(self, " subject ");
                self.str_lit(subject);
                o(self, " body ");
                self.str_lit(body);
            }
            StepKind::SendInternalSms { to, text } => {
                o(self, "send internal sms to ");
                for (i, r) in to.iter().enumerate() {
                    if i > 0 {
                        o(self, ", ");
                    }
                    match &r.kind {
                        SmsRecipientKind::User(u) => {
                            o(self, "user ");
                            self.str_lit(u);
                        }
                        SmsRecipientKind::Number(n) => {
                            o(self, "number ");
                            self.str_lit(n);
                        }
                    }
                }
                o(self, " text ");
                self.str_lit(text);
            }
            StepKind::SendNotification { to, subject, body } => {
                o(self, "send notification to ");
                self.recipients(to);
                o(self, " subject ");
                self.str_lit(subject);
                o(self, " body ");
                self.str_lit(body);
            }
            StepKind::SendEmail(e) => {
                o(self, "send email ");
                self.str_lit(e);
            }
            StepKind::SendInternalMarketingEmail { email, to } => {
                o(self, "send internal marketing email ");
                self.str_lit(email);
                o(self, " to ");
                for (i, r) in to.iter().enumerate() {
                    if i > 0 {
                        o(self, ", ");
                    }
                    match r {
                        MarketingRecipient::Address(a) => self.str_lit(a),
                        MarketingRecipient::Property(p) => {
                            o(self, "property ");
                            o(self, &p.name);
                        }
                    }
                }
            }
            StepKind::SendSlack { target, text } => {
                o(self, "send slack to ");
                match target {
                    SlackTarget::Channel(c) => {
                        o(self, "channel ");
                        self.str_lit(c);
                    }
                    SlackTarget::User(u) => {
                        o(self, "user ");
                        self.str_lit(u);
                    }
                }
                o(self, " text ");
                self.str_lit(text);
            }
            StepKind::CreateSlackChannel { name, visibility } => {
                o(self, "create slack channel ");
                self.str_lit(name);
                if let Some(v) = visibility {
                    o(
                        self,
                        match v.value {
                            Visibility::Public => " public",
                            Visibility::Private => " private",
                        },
                    );
                }
            }
            StepKind::CreateAsanaTask { title, project } => {
                o(self, "create asana task ");
                self.str_lit(title);
                o(self, " in project ");
                self.str_lit(project);
            }
            StepKind::AppAction {
                app,
                action,
                fields,
            } => {
                o(self, "app ");
                self.str_lit(app);
                o(self, " action ");
                self.str_lit(action);
                o(self, " ");
                self.record(fields, s.span.end as usize);
            }
            StepKind::RotateOwner { among, overwrite } => {
                o(self, "rotate owner among ");
                match among {
                    RotateAmong::Team(t) => {
                        o(self, "team ");
                        self.str_lit(t);
                    }
                    RotateAmong::Users(us) => {
                        o(self, "users ");
                        for (i, u) in us.iter().enumerate() {
                            if i > 0 {
                                o(self, ", ");
                            }
                            self.str_lit(u);
                        }
                    }
                }
                if overwrite.is_some() {
                    o(self, " overwrite");
                }
            }
            StepKind::CreateRecord { object, fields } => {
                o(self, "create ");
                o(self, &object.name);
                o(self, " ");
                self.record(fields, s.span.end as usize);
            }
            StepKind::CreateTask {
                title,
                due,
                for_owner,
            } => {
                o(self, "create task ");
                self.str_lit(title);
                if let Some(d) = due {
                    o(self, " due ");
                    self.duration(d);
                }
                if for_owner.is_some() {
                    o(self, " for owner");
                }
            }
            StepKind::Set { path, value } => {
                o(self, "set ");
                self.path(path);
                o(self, " = ");
                self.value(value);
            }
            StepKind::Append { path, value } => {
                o(self, "set ");
                self.path(path);
                o(self, " += ");
                self.value(value);
            }
            StepKind::Copy { from, to, append } => {
                o(self, "copy ");
                self.path(from);
                o(self, " to ");
                self.path(to);
                if append.is_some() {
                    o(self, " append");
                }
            }
            StepKind::Clear(p) => {
                o(self, "clear ");
                self.path(p);
            }
            StepKind::Increase { path, by } => {
                o(self, "increase ");
                self.path(path);
                o(self, " by ");
                o(self, &by.raw);
            }
            StepKind::Decrease { path, by } => {
                o(self, "decrease ");
                self.path(path);
                o(self, " by ");
                o(self, &by.raw);
            }
            StepKind::AddToList(l) => {
                o(self, "add to list ");
                self.str_lit(l);
            }
            StepKind::RemoveFromList(l) => {
                o(self, "remove from list ");
                self.str_lit(l);
            }
            StepKind::AddToAudience(a) => {
                o(self, "add to audience ");
                self.str_lit(a);
            }
            StepKind::RemoveFromAudience(a) => {
                o(self, "remove from audience ");
                self.str_lit(a);
            }
            StepKind::Subscription {
                status,
                subscription,
                basis,
                explanation,
            } => {
                o(
                    self,
                    match status {
                        SubscriptionStatus::OptIn => "opt in ",
                        SubscriptionStatus::OptOut => "opt out ",
                    },
                );
                self.str_lit(subscription);
                if let Some(b) = basis {
                    o(self, " basis ");
                    o(self, b.value.as_str());
                }
                if let Some(e) = explanation {
                    o(self, " explanation ");
                    self.str_lit(e);
                }
            }
            StepKind::SalesforceTask { subject, assignee } => {
                o(self, "salesforce task ");
                self.str_lit(subject);
                if let Some(a) = assignee {
                    o(
                        self,
                        match a.value {
                            SalesforceAssignee::Owner => " for owner",
                            SalesforceAssignee::IntegrationUser => " for integration_user",
                        },
                    );
                }
            }
            StepKind::SalesforceCampaign(c) => {
                o(self, "salesforce campaign ");
                self.str_lit(c);
            }
        }
        self.finish_line(s.span.end as usize);
    }

    fn recipients(&mut self, to: &[Recipient]) {
        for (i, r) in to.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            match &r.kind {
                RecipientKind::Owner => self.out.push_str("owner"),
                RecipientKind::User(u) => {
                    self.out.push_str("user ");
                    self.str_lit(u);
                }
                RecipientKind::Team(t) => {
                    self.out.push_str("team ");
                    self.str_lit(t);
                }
            }
        }
    }

    /// A record literal: always one field a line (`{}` when empty).
    fn record(&mut self, fields: &[Field], end: usize) {
        self.out.push('{');
        let after = fields
            .first()
            .map(|f| (f.span.start as usize).saturating_sub(1))
            .unwrap_or(end.saturating_sub(1));
        let t = self.take_trailing(self.last_end, after.max(self.last_end));
        self.push_trailing(t);
        self.indent += 1;
        let mut chunks = Vec::new();
        for f in fields {
            chunks.push(
                self.chunk(f.key.span.start.min(f.span.start) as usize, |p| {
                    p.out.push_str(&f.key.name);
                    p.out.push_str(" = ");
                    p.value(&f.value);
                    p.finish_line(f.span.end as usize);
                }),
            );
        }
        self.close_block(chunks, end.saturating_sub(1));
        self.last_end = self.last_end.max(end);
    }

    // ------------------------------------------------------------ conditions

    fn condition(&mut self, c: &Condition) {
        match &c.kind {
            ConditionKind::Or(cs) | ConditionKind::And(cs) => {
                let sep = if matches!(c.kind, ConditionKind::Or(_)) {
                    " or "
                } else {
                    " and "
                };
                for (i, x) in cs.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(sep);
                    }
                    self.condition(x);
                }
            }
            ConditionKind::Not(x) => {
                self.out.push_str("not ");
                self.condition(x);
            }
            ConditionKind::Group(x) => {
                self.out.push('(');
                self.condition(x);
                self.out.push(')');
            }
            ConditionKind::Compare {
                path, op, value, ..
            } => {
                self.path(path);
                self.out.push(' ');
                self.out.push_str(op.as_str());
                self.out.push(' ');
                self.value(value);
            }
            ConditionKind::In {
                path,
                negated,
                values,
                ..
            } => {
                self.path(path);
                self.out
                    .push_str(if *negated { " not in " } else { " in " });
                self.value(values);
            }
            ConditionKind::Contains { path, text, .. } => {
                self.path(path);
                self.out.push_str(" contains ");
                self.str_lit(text);
            }
            ConditionKind::Known { path, known, .. } => {
                self.path(path);
                self.out
                    .push_str(if *known { " is known" } else { " is unknown" });
            }
            ConditionKind::Event(e) => self.event(e),
        }
    }

    fn event(&mut self, e: &Event) {
        match &e.kind {
            EventKind::FormSubmitted(n) => {
                self.out.push_str("form ");
                self.str_lit(n);
                self.out.push_str(" submitted");
            }
            EventKind::PageViewed(u) => {
                self.out.push_str("page ");
                self.str_lit(u);
                self.out.push_str(" viewed");
            }
            EventKind::Email { name, action } => {
                self.out.push_str("email ");
                self.str_lit(name);
                self.out.push_str(match action {
                    EmailAction::Opened => " opened",
                    EmailAction::Clicked => " clicked",
                    EmailAction::Replied => " replied",
                });
            }
            EventKind::Custom(n) => {
                self.out.push_str("event ");
                self.str_lit(n);
            }
        }
    }

    fn path(&mut self, p: &Path) {
        if let Some(o) = &p.object {
            self.out.push_str(&o.name);
            self.out.push('.');
        }
        self.out.push_str(&p.property.name);
    }

    // ------------------------------------------------------------ values

    fn value(&mut self, v: &Value) {
        match &v.kind {
            ValueKind::List(items) => self.list(v, items),
            _ => {
                let s = inline_value(v);
                self.out.push_str(&s);
            }
        }
    }

    /// `[a, b]` on one line, or one item a line when the source had it over
    /// several lines, it holds comments, or it is too long.
    fn list(&mut self, v: &Value, items: &[Value]) {
        let start = v.span.start as usize;
        let end = v.span.end as usize;
        let has_comment = self
            .peek_comment()
            .is_some_and(|c| (c.span.start as usize) < end && (c.span.start as usize) >= start);
        let inline = inline_value(v);
        let multi = !items.is_empty()
            && (self.has_newline(start, end)
                || has_comment
                || self.current_column() + inline.chars().count() > MAX_WIDTH);
        if !multi {
            self.out.push_str(&inline);
            self.last_end = self.last_end.max(end);
            return;
        }
        self.out.push('[');
        let first = items.first().map_or(end, |i| i.span.start as usize);
        self.last_end = self.last_end.max(start + 1);
        let t = self.take_trailing(start + 1, first.max(start + 1));
        self.push_trailing(t);
        self.indent += 1;
        let mut chunks = Vec::new();
        for item in items {
            chunks.push(self.chunk(item.span.start as usize, |p| {
                p.value(item);
                p.out.push(',');
                p.finish_line(item.span.end as usize);
            }));
        }
        // close like a block, but with `]`
        self.close_block(chunks, end.saturating_sub(1));
        self.out.pop();
        self.out.push(']');
        self.last_end = self.last_end.max(end);
    }

    fn str_lit(&mut self, s: &StrLit) {
        self.out.push_str(&quote_lit(s));
    }

    fn duration(&mut self, d: &Duration) {
        self.out.push_str(&duration_text(d));
    }

    fn time(&mut self, t: &TimeLit) {
        self.out.push_str(&time_text(t));
    }

    fn date(&mut self, d: &DateLit) {
        self.out.push_str(&date_text(d));
    }
}

/// A value on one line.
pub fn inline_value(v: &Value) -> String {
    match &v.kind {
        ValueKind::String(s) => quote_lit(s),
        ValueKind::Number(n) => n.raw.to_string(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Date(d) => date_text(d),
        ValueKind::List(items) => {
            let inner: Vec<String> = items.iter().map(inline_value).collect();
            format!("[{}]", inner.join(", "))
        }
    }
}

/// A string literal in canonical form: `"`, `\` and control characters
/// escaped (`\n`, `\t`, `\u{X}`), everything else as is.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        push_escaped(&mut out, ch);
    }
    out.push('"');
    out
}

/// A parsed literal in canonical form: its text as [`quote`] writes it,
/// its `{{ }}` tokens exactly as written (a tab inside a token is part of
/// the token: `\t` there would make it malformed), and a `{` of the text
/// that would open a token where there was none (`\u{7B}{{x}}` holds the
/// text `{` before a token) written as `\u{7B}`.
pub fn quote_lit(s: &StrLit) -> String {
    let mut out = String::with_capacity(s.value.len() + 2);
    out.push('"');
    let mut parts = s.parts().peekable();
    while let Some(part) = parts.next() {
        match part {
            StrPart::Token(t) => {
                let r = t.value_range.start as usize..t.value_range.end as usize;
                out.push_str(s.value.get(r).unwrap_or_default());
            }
            StrPart::Text(text) => {
                let token_next = matches!(parts.peek(), Some(StrPart::Token(_)));
                let mut chars = text.chars().peekable();
                while let Some(ch) = chars.next() {
                    let brace_next = match chars.peek() {
                        Some(&c) => c == '{',
                        None => token_next,
                    };
                    if ch == '{' && brace_next {
                        out.push_str("\\u{7B}");
                    } else {
                        push_escaped(&mut out, ch);
                    }
                }
            }
        }
    }
    out.push('"');
    out
}

fn push_escaped(out: &mut String, ch: char) {
    match ch {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c if c.is_control() => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
        c => out.push(c),
    }
}

/// `4h 30m`: the parts as written, separated by one space.
pub fn duration_text(d: &Duration) -> String {
    let parts: Vec<String> = d
        .parts
        .iter()
        .map(|p| {
            let unit = match p.unit {
                DurationUnit::Days => 'd',
                DurationUnit::Hours => 'h',
                DurationUnit::Minutes => 'm',
            };
            format!("{}{}", p.amount, unit)
        })
        .collect();
    parts.join(" ")
}

/// `9:00`, `11:30`: hours without a leading zero, minutes with two digits.
pub fn time_text(t: &TimeLit) -> String {
    format!("{}:{:02}", t.hour, t.minute)
}

/// `YYYY-MM-DD`.
pub fn date_text(d: &DateLit) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}
