//! Printing `test` items: one line per record, input and expectation, with
//! the same comment rules as workflow bodies. A record literal of a test
//! line stays on one line (`contact c1 { a = 1, b = 2 }`) unless it holds a
//! comment or would pass [`MAX_WIDTH`]; then it is one field a line.

use super::{inline_value, Chunk, Printer, MAX_WIDTH};
use crate::syntax::ast::*;

impl Printer<'_> {
    pub(super) fn test_item(&mut self, t: &TestItem) {
        self.out.push_str("test ");
        self.str_lit(&t.name);
        self.out.push_str(" for ");
        self.str_lit(&t.workflow);
        self.out.push_str(" {");
        let first = t.lines.first().map(|l| l.span.start as usize);
        let end = t.span.end as usize;
        let after = self.out_pos_after_brace(t);
        self.last_end = self.last_end.max(after);
        let limit = first.unwrap_or(end.saturating_sub(1));
        let tc = self.take_trailing(after, limit.max(after));
        self.push_trailing(tc);
        self.indent += 1;
        let mut chunks: Vec<Chunk> = Vec::new();
        for line in &t.lines {
            chunks.push(self.chunk(line.span.start as usize, |p| p.test_line(line)));
        }
        self.close_block(chunks, end.saturating_sub(1));
    }

    /// The source offset just after the `{` of a test (the first `{` after
    /// the workflow name).
    fn out_pos_after_brace(&self, t: &TestItem) -> usize {
        let from = t.workflow.span.end as usize;
        self.src
            .get(from..)
            .and_then(|s| s.find('{'))
            .map_or(from, |i| from + i + 1)
    }

    fn test_line(&mut self, line: &TestLine) {
        match &line.when {
            Some(When::After(d)) => {
                self.out.push_str("at ");
                self.duration(d);
                self.out.push_str(": ");
            }
            Some(When::On { date, time, .. }) => {
                self.out.push_str("on ");
                self.date(date);
                if let Some(t) = time {
                    self.out.push_str(" at ");
                    self.time(t);
                }
                self.out.push_str(": ");
            }
            None => {}
        }
        let end = line.span.end as usize;
        match &line.kind {
            TestLineKind::Start { date, time } => {
                self.out.push_str("start ");
                self.date(date);
                if let Some(t) = time {
                    self.out.push_str(" at ");
                    self.time(t);
                }
            }
            TestLineKind::Record {
                object,
                id,
                fields,
                with,
            } => {
                self.out.push_str(&object.name);
                self.out.push(' ');
                self.out.push_str(&id.name);
                if !fields.is_empty() {
                    self.out.push(' ');
                    let rec_end = with.first().map_or(end, |w| w.span.start as usize);
                    self.test_record(fields, rec_end);
                }
                if !with.is_empty() {
                    self.out.push_str(" with ");
                    let ids: Vec<&str> = with.iter().map(|w| w.name.as_str()).collect();
                    self.out.push_str(&ids.join(", "));
                }
            }
            TestLineKind::Set { record, fields } => {
                self.out.push_str("set ");
                self.out.push_str(&record.name);
                self.out.push(' ');
                self.test_record(fields, end);
            }
            TestLineKind::Event { event, record } => {
                self.event(event);
                self.out.push_str(" by ");
                self.out.push_str(&record.name);
            }
            TestLineKind::Enroll { record, workflow } => {
                self.out.push_str("enroll ");
                self.out.push_str(&record.name);
                self.out.push_str(" in ");
                self.str_lit(workflow);
            }
            TestLineKind::Expect(x) => self.expectation(x),
        }
        self.finish_line(end);
    }

    /// `{ a = 1, b = 2 }` on one line when it fits and holds no comment.
    fn test_record(&mut self, fields: &[Field], end: usize) {
        let start = fields.first().map_or(end, |f| f.span.start as usize);
        let has_comment = self
            .peek_comment()
            .is_some_and(|c| (c.span.start as usize) >= start && (c.span.start as usize) < end);
        let inner: Vec<String> = fields
            .iter()
            .map(|f| format!("{} = {}", f.key.name, inline_value(&f.value)))
            .collect();
        let inline = if inner.is_empty() {
            "{}".to_string()
        } else {
            format!("{{ {} }}", inner.join(", "))
        };
        if !has_comment && self.current_column() + inline.chars().count() <= MAX_WIDTH {
            self.out.push_str(&inline);
            let last = fields.last().map_or(start, |f| f.span.end as usize);
            self.last_end = self.last_end.max(last);
        } else {
            let close = self
                .src
                .get(..end.min(self.src.len()))
                .and_then(|s| s.rfind('}'))
                .map_or(end, |i| i + 1);
            self.record(fields, close);
        }
    }

    fn expectation(&mut self, x: &Expectation) {
        self.out.push_str("expect ");
        if let Some(r) = &x.record {
            self.out.push_str(&r.name);
        }
        let in_wf = |p: &mut Self, w: &Option<StrLit>| {
            if let Some(w) = w {
                p.out.push_str(" in ");
                p.str_lit(w);
            }
        };
        let within = |p: &mut Self, d: &Option<Duration>| {
            if let Some(d) = d {
                p.out.push_str(" within ");
                p.duration(d);
            }
        };
        let not = |p: &mut Self, negated: bool| {
            if negated {
                p.out.push_str(" not");
            }
        };
        match &x.kind {
            ExpectKind::Condition(c) => {
                self.out.push_str(": ");
                self.condition(c);
            }
            ExpectKind::Enrollment {
                negated,
                fact,
                workflow,
                within: w,
                ..
            } => {
                not(self, *negated);
                self.out.push(' ');
                self.out.push_str(fact.as_str());
                in_wf(self, workflow);
                within(self, w);
            }
            ExpectKind::Reached {
                negated,
                label,
                workflow,
                within: w,
            } => {
                not(self, *negated);
                self.out.push_str(" reached ");
                self.out.push_str(&label.name);
                in_wf(self, workflow);
                within(self, w);
            }
            ExpectKind::Took {
                path,
                branch,
                workflow,
            } => {
                self.out.push_str(" took ");
                self.str_lit(path);
                if let Some(n) = branch {
                    self.out.push_str(" of branch ");
                    self.out.push_str(&n.raw);
                }
                in_wf(self, workflow);
            }
            ExpectKind::Ran {
                negated,
                step,
                times,
                at,
                within: w,
                workflow,
            } => {
                not(self, *negated);
                self.out.push_str(" ran ");
                // The step's own trailing-comment lookup must not take the
                // comment after the rest of the line.
                let comments = std::mem::take(&mut self.comments);
                let next = std::mem::take(&mut self.next);
                self.step(step);
                self.comments = comments;
                self.next = next;
                if let Some(t) = times {
                    self.out.push(' ');
                    self.out.push_str(&t.text);
                }
                if let Some(d) = at {
                    self.out.push_str(" at ");
                    self.duration(d);
                }
                within(self, w);
                in_wf(self, workflow);
            }
            ExpectKind::Error { reason } => {
                if x.record.is_some() {
                    self.out.push(' ');
                }
                self.out.push_str("error");
                if let Some(r) = reason {
                    self.out.push(' ');
                    self.str_lit(r);
                }
            }
        }
    }
}
