//! Fast path: conditions (`or`, `and`, `not`, groups, predicates) and events.

use super::Fast;
use crate::syntax::ast::*;

impl<'a> Fast<'a> {
    // ------------------------------------------------------------ conditions

    /// `condition = { cond_and ~ (k_or ~ cond_and)* }` (one operand: itself)
    pub(super) fn condition(&mut self) -> Option<Condition> {
        self.condition_pair().map(|(c, _)| c)
    }

    /// The condition and the end of its `condition` pair: the end of its
    /// last `cond_and` pair when `or` matched, else after the whitespace
    /// that follows (see [`Fast::cond_and`]).
    pub(super) fn condition_pair(&mut self) -> Option<(Condition, usize)> {
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
    pub(super) fn cond_and(&mut self) -> Option<(Condition, usize)> {
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
    pub(super) fn cond_unary(&mut self) -> Option<Condition> {
        if !self.enter() {
            return None;
        }
        let r = self.cond_unary_inner();
        self.leave();
        r
    }

    pub(super) fn cond_unary_inner(&mut self) -> Option<Condition> {
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
    pub(super) fn predicate(&mut self) -> Option<Condition> {
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
    pub(super) fn event(&mut self) -> Option<Event> {
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
}
