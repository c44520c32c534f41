//! `test "<name>" for "<workflow>" { ... }` items: pairs → [`TestItem`].

use pest::iterators::Pair;

use super::{Builder, R};
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;

impl Builder {
    pub(super) fn test_item(&mut self, p: Pair<'_, Rule>) -> R<TestItem> {
        let span = self.span(&p);
        let mut k = self.kids(&p);
        let kw = k.expect(Rule::k_test)?;
        let keyword = self.span(&kw);
        let name = self.string(k.find(Rule::string)?);
        let workflow = self.string(k.find(Rule::string)?);
        let block = k.find(Rule::test_block)?;
        let mut lines = Vec::new();
        for line in self.kids(&block).rest() {
            lines.push(self.test_line(line)?);
        }
        Ok(TestItem {
            name,
            workflow,
            lines,
            span,
            keyword,
            has_syntax_error: false,
        })
    }

    fn test_line(&mut self, p: Pair<'_, Rule>) -> R<TestLine> {
        let span = self.span(&p);
        let mut k = self.kids(&p);
        let when = match k.eat(Rule::test_when) {
            Some(w) => Some(self.test_when(w)?),
            None => None,
        };
        let stmt = k.next()?;
        let kind = self.test_stmt(stmt)?;
        Ok(TestLine { when, kind, span })
    }

    fn test_when(&mut self, p: Pair<'_, Rule>) -> R<When> {
        let span = self.span(&p);
        let mut k = self.kids(&p);
        k.skip_keywords();
        let first = k.next()?;
        match first.as_rule() {
            Rule::duration => Ok(When::After(self.duration(&first)?)),
            Rule::date => {
                let date = self.date(&first)?;
                let time = match k.find(Rule::time) {
                    Ok(t) => Some(self.time(&t)?),
                    Err(_) => None,
                };
                Ok(When::On { date, time, span })
            }
            _ => Err(self.bug(&first)),
        }
    }

    fn test_stmt(&mut self, p: Pair<'_, Rule>) -> R<TestLineKind> {
        let mut k = self.kids(&p);
        match p.as_rule() {
            Rule::t_start => {
                let date = self.date(&k.find(Rule::date)?)?;
                let time = match k.find(Rule::time) {
                    Ok(t) => Some(self.time(&t)?),
                    Err(_) => None,
                };
                Ok(TestLineKind::Start { date, time })
            }
            Rule::t_set => {
                let record = self.ident(&k.find(Rule::record_id)?);
                let fields = self.record(k.expect(Rule::record)?)?;
                Ok(TestLineKind::Set { record, fields })
            }
            Rule::t_enroll => {
                let record = self.ident(&k.find(Rule::record_id)?);
                let workflow = self.string(k.find(Rule::string)?);
                Ok(TestLineKind::Enroll { record, workflow })
            }
            Rule::t_event => {
                let event = self.event(k.expect(Rule::event)?)?;
                let record = self.ident(&k.find(Rule::record_id)?);
                Ok(TestLineKind::Event { event, record })
            }
            Rule::t_record => {
                let object = self.ident(&k.expect(Rule::object_type)?);
                let id = self.ident(&k.expect(Rule::record_id)?);
                let fields = match k.eat(Rule::record) {
                    Some(r) => self.record(r)?,
                    None => Vec::new(),
                };
                let mut with = Vec::new();
                for x in k.rest() {
                    if x.as_rule() == Rule::record_id {
                        with.push(self.ident(&x));
                    }
                }
                Ok(TestLineKind::Record {
                    object,
                    id,
                    fields,
                    with,
                })
            }
            Rule::t_expect => Ok(TestLineKind::Expect(self.expectation(p)?)),
            _ => Err(self.bug(&p)),
        }
    }

    fn expectation(&mut self, p: Pair<'_, Rule>) -> R<Expectation> {
        let mut k = self.kids(&p);
        let kw = k.expect(Rule::k_expect)?;
        let keyword = self.span(&kw);
        let whole = self.span(&p);
        let first = k.next()?;
        let span = Span::new(
            whole.file,
            self.span(&first).start as usize,
            whole.end as usize,
        );
        let (record, body) = match first.as_rule() {
            Rule::x_any_error => (None, first),
            Rule::x_condition => {
                let mut ck = self.kids(&first);
                let record = self.ident(&ck.expect(Rule::record_id)?);
                let c = self.condition(ck.expect(Rule::condition)?)?;
                return Ok(Expectation {
                    record: Some(record),
                    kind: ExpectKind::Condition(c),
                    span,
                    keyword,
                });
            }
            Rule::record_id => (Some(self.ident(&first)), k.next()?),
            _ => return Err(self.bug(&first)),
        };
        let kind = self.fact(body)?;
        Ok(Expectation {
            record,
            kind,
            span,
            keyword,
        })
    }

    fn fact(&mut self, p: Pair<'_, Rule>) -> R<ExpectKind> {
        let rule = p.as_rule();
        let mut negated = false;
        let mut workflow = None;
        let mut within = None;
        let mut at = None;
        let mut times = None;
        let mut reason = None;
        let mut fact = None;
        let mut label = None;
        let mut step = None;
        let mut path = None;
        let mut branch = None;
        for x in self.kids(&p).rest() {
            match x.as_rule() {
                Rule::k_not => negated = true,
                Rule::string => {
                    let s = self.string(x);
                    if rule == Rule::x_took {
                        path = Some(s);
                    } else {
                        reason = Some(s);
                    }
                }
                Rule::number => branch = Some(self.number(&x)),
                Rule::fact => {
                    let s = self.span(&x);
                    let f = match x.as_str().split_whitespace().next().unwrap_or("") {
                        "enrolled" => Fact::Enrolled,
                        "finished" => Fact::Finished,
                        "left" => Fact::LeftByGoal,
                        _ => Fact::Unenrolled,
                    };
                    fact = Some((f, s));
                }
                Rule::label_ref => label = Some(self.ident(&x)),
                Rule::step => {
                    let inner = self.kids(&x).next()?;
                    step = Some(Box::new(self.step(inner)?));
                }
                Rule::times => {
                    let s = self.span(&x);
                    let text = x.as_str().split_whitespace().collect::<Vec<_>>().join(" ");
                    let count = match x.as_str().split_whitespace().next().unwrap_or("") {
                        "once" => 1,
                        "twice" => 2,
                        n => n.parse::<u64>().unwrap_or(u64::MAX),
                    };
                    times = Some(Times {
                        count,
                        text: text.into(),
                        span: s,
                    });
                }
                Rule::ran_at => {
                    let mut rk = self.kids(&x);
                    at = Some(self.duration(&rk.find(Rule::duration)?)?);
                }
                Rule::within => {
                    let mut wk = self.kids(&x);
                    within = Some(self.duration(&wk.find(Rule::duration)?)?);
                }
                Rule::in_workflow => {
                    let mut wk = self.kids(&x);
                    workflow = Some(self.string(wk.find(Rule::string)?));
                }
                _ => {}
            }
        }
        let bug = || self.bug(&p);
        Ok(match rule {
            Rule::x_any_error | Rule::x_error => ExpectKind::Error { reason },
            Rule::x_enrollment => {
                let (fact, fact_span) = fact.ok_or_else(bug)?;
                ExpectKind::Enrollment {
                    negated,
                    fact,
                    fact_span,
                    workflow,
                    within,
                }
            }
            Rule::x_reached => ExpectKind::Reached {
                negated,
                label: label.ok_or_else(bug)?,
                workflow,
                within,
            },
            Rule::x_took => ExpectKind::Took {
                path: path.ok_or_else(bug)?,
                branch,
                workflow,
            },
            Rule::x_ran => ExpectKind::Ran {
                negated,
                step: step.ok_or_else(bug)?,
                times,
                at,
                within,
                workflow,
            },
            _ => return Err(self.bug(&p)),
        })
    }
}
