//! Pairs → AST: conditions and events.

use pest::iterators::Pair;

use super::{Builder, R};
use crate::syntax::ast::*;
use crate::syntax::grammar::{is_keyword, Rule};

impl Builder {
    // ------------------------------------------------------------ conditions

    pub(super) fn condition(&mut self, p: Pair<'_, Rule>) -> R<Condition> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::condition | Rule::cond_and => {
                let is_or = p.as_rule() == Rule::condition;
                let mut ops = Vec::new();
                for c in self.kids(&p).rest() {
                    if !is_keyword(c.as_rule()) {
                        ops.push(self.condition(c)?);
                    }
                }
                if ops.len() == 1 {
                    if let Some(one) = ops.pop() {
                        return Ok(one);
                    }
                }
                if ops.is_empty() {
                    return Err(self.bug(&p));
                }
                let kind = if is_or {
                    ConditionKind::Or(ops)
                } else {
                    ConditionKind::And(ops)
                };
                Ok(Condition { kind, span })
            }
            Rule::cond_not => {
                let mut k = self.kids(&p);
                k.skip_keywords();
                let inner = self.condition(k.next()?)?;
                Ok(Condition {
                    kind: ConditionKind::Not(Box::new(inner)),
                    span,
                })
            }
            Rule::cond_group => {
                let mut k = self.kids(&p);
                let inner = self.condition(k.expect(Rule::condition)?)?;
                Ok(Condition {
                    kind: ConditionKind::Group(Box::new(inner)),
                    span,
                })
            }
            Rule::event => Ok(Condition {
                kind: ConditionKind::Event(self.event(p)?),
                span,
            }),
            Rule::predicate => {
                let mut k = self.kids(&p);
                let path = self.path(&k.expect(Rule::path)?)?;
                let cmp = k.expect(Rule::comparison)?;
                let mut ck = self.kids(&cmp);
                let op = ck.next()?;
                let op_span = self.span(&op);
                let kind = match op.as_rule() {
                    Rule::op_known | Rule::op_unknown => ConditionKind::Known {
                        path,
                        known: op.as_rule() == Rule::op_known,
                        op_span,
                    },
                    Rule::op_is | Rule::op_is_not | Rule::op_cmp => {
                        let op_kind = match op.as_rule() {
                            Rule::op_is => CompareOp::Is,
                            Rule::op_is_not => CompareOp::IsNot,
                            _ => match op.as_str() {
                                ">=" => CompareOp::Ge,
                                "<=" => CompareOp::Le,
                                ">" => CompareOp::Gt,
                                _ => CompareOp::Lt,
                            },
                        };
                        ConditionKind::Compare {
                            path,
                            op: op_kind,
                            op_span,
                            value: self.value(ck.expect(Rule::value)?)?,
                        }
                    }
                    Rule::op_in | Rule::op_not_in => ConditionKind::In {
                        path,
                        negated: op.as_rule() == Rule::op_not_in,
                        op_span,
                        values: self.list(ck.expect(Rule::list)?)?,
                    },
                    Rule::op_contains => ConditionKind::Contains {
                        path,
                        op_span,
                        text: self.string(ck.expect(Rule::string)?),
                    },
                    _ => return Err(self.bug(&op)),
                };
                Ok(Condition { kind, span })
            }
            _ => Err(self.bug(&p)),
        }
    }

    pub(super) fn event(&mut self, p: Pair<'_, Rule>) -> R<Event> {
        let span = self.span(&p);
        let mut k = self.kids(&p);
        let inner = k.next()?;
        let mut ik = self.kids(&inner);
        let name = self.string(ik.find(Rule::string)?);
        let kind = match inner.as_rule() {
            Rule::ev_form => EventKind::FormSubmitted(name),
            Rule::ev_page => EventKind::PageViewed(name),
            Rule::ev_custom => EventKind::Custom(name),
            Rule::ev_email => {
                let a = ik.expect(Rule::email_action)?;
                let action = match a.as_str() {
                    "opened" => EmailAction::Opened,
                    "clicked" => EmailAction::Clicked,
                    _ => EmailAction::Replied,
                };
                EventKind::Email { name, action }
            }
            _ => return Err(self.bug(&inner)),
        };
        Ok(Event { kind, span })
    }
}
