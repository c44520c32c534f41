//! Printing the parts of steps: recipients, records, conditions, events,
//! property paths, values and literals.

use super::text::{date_text, duration_text, inline_value, quote_lit, time_text};
use super::{Printer, MAX_WIDTH};
use crate::syntax::ast::*;

impl Printer<'_> {
    pub(super) fn recipients(&mut self, to: &[Recipient]) {
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
    pub(super) fn record(&mut self, fields: &[Field], end: usize) {
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

    pub(super) fn condition(&mut self, c: &Condition) {
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

    pub(super) fn event(&mut self, e: &Event) {
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

    pub(super) fn path(&mut self, p: &Path) {
        if let Some(o) = &p.object {
            self.out.push_str(&o.name);
            self.out.push('.');
        }
        self.out.push_str(&p.property.name);
    }

    // ------------------------------------------------------------ values

    pub(super) fn value(&mut self, v: &Value) {
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
    pub(super) fn list(&mut self, v: &Value, items: &[Value]) {
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

    pub(super) fn str_lit(&mut self, s: &StrLit) {
        self.out.push_str(&quote_lit(s));
    }

    pub(super) fn duration(&mut self, d: &Duration) {
        self.out.push_str(&duration_text(d));
    }

    pub(super) fn time(&mut self, t: &TimeLit) {
        self.out.push_str(&time_text(t));
    }

    pub(super) fn date(&mut self, d: &DateLit) {
        self.out.push_str(&date_text(d));
    }
}
