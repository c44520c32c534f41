//! Pairs → AST: the step kinds whose pairs need more than one line to read.
//! [`Builder::step`](super::Builder) dispatches here on the step's rule.

use pest::iterators::Pair;

use super::{Bug, Builder, Kids, R};
use crate::source::Span;
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;

impl Builder {
    // ---- delays

    pub(super) fn st_delay_until_date(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        k.skip_keywords();
        let offset = match k.eat(Rule::date_offset) {
            Some(o) => Some(self.date_offset(o)?),
            None => None,
        };
        k.skip_keywords();
        let time = match k.eat(Rule::time) {
            Some(t) => Some(self.time(&t)?),
            None => None,
        };
        Ok(StepKind::DelayUntilDate { offset, time })
    }

    pub(super) fn st_delay_until_time(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        k.skip_keywords();
        let mut days = Vec::new();
        if let Some(w) = k.eat(Rule::weekdays) {
            for d in self.kids(&w).rest() {
                days.push(self.weekday(&d)?);
            }
        }
        k.skip_keywords();
        let time = match k.eat(Rule::time) {
            Some(t) => Some(self.time(&t)?),
            None => None,
        };
        Ok(StepKind::DelayUntilTime { days, time })
    }

    pub(super) fn st_delay_until_event(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        let event = self.event(k.find(Rule::event)?)?;
        k.skip_keywords();
        let max = match k.eat(Rule::duration) {
            Some(d) => Some(self.duration(&d)?),
            None => None,
        };
        Ok(StepKind::DelayUntilEvent { event, max })
    }

    // ---- flow

    pub(super) fn st_if(&mut self, mut k: Kids<'_>, keyword: Span) -> R<StepKind> {
        let mut arms = Vec::new();
        let condition = self.condition(k.find(Rule::condition)?)?;
        let block = self.block(k.expect(Rule::block)?, None)?;
        arms.push(IfArm {
            condition,
            span: keyword.to(block.span),
            block,
        });
        let mut else_block = None;
        for e in k.rest() {
            match e.as_rule() {
                Rule::else_if => {
                    let espan = self.span(&e);
                    let mut ek = self.kids(&e);
                    let condition = self.condition(ek.find(Rule::condition)?)?;
                    let block = self.block(ek.expect(Rule::block)?, None)?;
                    arms.push(IfArm {
                        condition,
                        block,
                        span: espan,
                    });
                }
                Rule::else_block => {
                    else_block = Some(self.else_block(e)?);
                }
                _ => return Err(self.bug(&e)),
            }
        }
        Ok(StepKind::If { arms, else_block })
    }

    pub(super) fn st_branch(&mut self, mut k: Kids<'_>) -> R<StepKind> {
        let path = self.path(&k.find(Rule::path)?)?;
        let mut cases = Vec::new();
        let mut else_block = None;
        for c in k.rest() {
            match c.as_rule() {
                Rule::case => cases.push(self.case(c)?),
                Rule::else_block => else_block = Some(self.else_block(c)?),
                _ => return Err(self.bug(&c)),
            }
        }
        Ok(StepKind::Branch {
            path,
            cases,
            else_block,
        })
    }

    fn case(&mut self, c: Pair<'_, Rule>) -> R<BranchCase> {
        let cspan = self.span(&c);
        let mut values = Vec::new();
        let mut block = None;
        for x in self.kids(&c).rest() {
            match x.as_rule() {
                Rule::scalar => values.push(self.value(x)?),
                Rule::block => block = Some(self.block(x, None)?),
                _ => return Err(self.bug(&x)),
            }
        }
        let block = block.ok_or(Bug {
            span: cspan,
            what: "a branch case without a block",
        })?;
        Ok(BranchCase {
            values,
            block,
            span: cspan,
        })
    }

    pub(super) fn st_webhook(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        let m = k.find(Rule::http_method)?;
        let method = if m.as_str() == "get" {
            HttpMethod::Get
        } else {
            HttpMethod::Post
        };
        Ok(StepKind::Webhook {
            method,
            url: self.string(k.find(Rule::string)?),
        })
    }

    // ---- communication

    /// `send internal email` and `send notification` (same shape).
    pub(super) fn st_send_to_users(&mut self, k: &mut Kids<'_>, rule: Rule) -> R<StepKind> {
        let to = self.recipients(k.find(Rule::recipients)?)?;
        let subject = self.string(k.find(Rule::string)?);
        let body = self.string(k.find(Rule::string)?);
        Ok(if rule == Rule::st_send_internal_email {
            StepKind::SendInternalEmail { to, subject, body }
        } else {
            StepKind::SendNotification { to, subject, body }
        })
    }

    pub(super) fn st_send_internal_sms(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        let rs = k.find(Rule::sms_recipients)?;
        let mut to = Vec::new();
        for r in self.kids(&rs).rest() {
            let rspan = self.span(&r);
            let mut rk = self.kids(&r);
            let first = rk.next()?;
            let s = self.string(rk.find(Rule::string)?);
            let kind = match first.as_rule() {
                Rule::k_user => SmsRecipientKind::User(s),
                Rule::k_number => SmsRecipientKind::Number(s),
                _ => return Err(self.bug(&first)),
            };
            to.push(SmsRecipient { kind, span: rspan });
        }
        let text = self.string(k.find(Rule::string)?);
        Ok(StepKind::SendInternalSms { to, text })
    }

    pub(super) fn st_send_internal_marketing_email(&mut self, mut k: Kids<'_>) -> R<StepKind> {
        let email = self.string(k.find(Rule::string)?);
        k.skip_keywords();
        let mut to = Vec::new();
        for r in k.rest() {
            let mut rk = self.kids(&r);
            rk.skip_keywords();
            let x = rk.next()?;
            to.push(match x.as_rule() {
                Rule::string => MarketingRecipient::Address(self.string(x)),
                Rule::prop_name => MarketingRecipient::Property(self.ident(&x)),
                _ => return Err(self.bug(&x)),
            });
        }
        Ok(StepKind::SendInternalMarketingEmail { email, to })
    }

    pub(super) fn st_send_slack(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        let t = k.find(Rule::slack_target)?;
        let mut tk = self.kids(&t);
        let first = tk.next()?;
        let s = self.string(tk.find(Rule::string)?);
        let target = match first.as_rule() {
            Rule::k_channel => SlackTarget::Channel(s),
            Rule::k_user => SlackTarget::User(s),
            _ => return Err(self.bug(&first)),
        };
        Ok(StepKind::SendSlack {
            target,
            text: self.string(k.find(Rule::string)?),
        })
    }

    // ---- integrations, assignment, create

    pub(super) fn st_create_slack_channel(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        let name = self.string(k.find(Rule::string)?);
        let visibility = k.eat(Rule::visibility).map(|v| VisibilityLit {
            value: if v.as_str() == "private" {
                Visibility::Private
            } else {
                Visibility::Public
            },
            span: self.span(&v),
        });
        Ok(StepKind::CreateSlackChannel { name, visibility })
    }

    pub(super) fn st_create_task(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        let title = self.string(k.find(Rule::string)?);
        k.skip_keywords();
        let due = match k.eat(Rule::duration) {
            Some(d) => Some(self.duration(&d)?),
            None => None,
        };
        let for_owner = k.eat(Rule::for_owner).map(|f| self.span(&f));
        Ok(StepKind::CreateTask {
            title,
            due,
            for_owner,
        })
    }

    pub(super) fn st_app_action(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        let app = self.string(k.find(Rule::string)?);
        let action = self.string(k.find(Rule::string)?);
        let fields = self.record(k.expect(Rule::record)?)?;
        Ok(StepKind::AppAction {
            app,
            action,
            fields,
        })
    }

    pub(super) fn st_rotate_owner(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        k.skip_keywords();
        let a = k.next()?;
        let mut ak = self.kids(&a);
        let among = match a.as_rule() {
            Rule::rotate_team => RotateAmong::Team(self.string(ak.find(Rule::string)?)),
            Rule::rotate_users => {
                ak.skip_keywords();
                let mut users = Vec::new();
                for s in ak.rest() {
                    users.push(self.string(s));
                }
                RotateAmong::Users(users)
            }
            _ => return Err(self.bug(&a)),
        };
        let overwrite = k.eat(Rule::k_overwrite).map(|o| self.span(&o));
        Ok(StepKind::RotateOwner { among, overwrite })
    }

    // ---- properties

    pub(super) fn st_set(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        let path = self.path(&k.find(Rule::path)?)?;
        let op = k.expect(Rule::assign_op)?;
        let value = self.value(k.expect(Rule::value)?)?;
        Ok(if op.as_str() == "+=" {
            StepKind::Append { path, value }
        } else {
            StepKind::Set { path, value }
        })
    }

    pub(super) fn st_copy(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        let from = self.path(&k.find(Rule::path)?)?;
        let to = self.path(&k.find(Rule::path)?)?;
        let append = k.eat(Rule::k_append).map(|a| self.span(&a));
        Ok(StepKind::Copy { from, to, append })
    }

    /// `increase` and `decrease` (same shape).
    pub(super) fn st_change_by(&mut self, k: &mut Kids<'_>, rule: Rule) -> R<StepKind> {
        let path = self.path(&k.find(Rule::path)?)?;
        let by = self.number(&k.find(Rule::number)?);
        Ok(if rule == Rule::st_increase {
            StepKind::Increase { path, by }
        } else {
            StepKind::Decrease { path, by }
        })
    }

    // ---- contact only

    pub(super) fn st_opt(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        let dir = k.find(Rule::opt_dir)?;
        let status = if dir.as_str() == "out" {
            SubscriptionStatus::OptOut
        } else {
            SubscriptionStatus::OptIn
        };
        let subscription = self.string(k.expect(Rule::string)?);
        k.skip_keywords();
        let basis = match k.eat(Rule::basis) {
            Some(b) => self.basis(&b),
            None => None,
        };
        k.skip_keywords();
        let explanation = k.eat(Rule::string).map(|s| self.string(s));
        Ok(StepKind::Subscription {
            status,
            subscription,
            basis,
            explanation,
        })
    }

    pub(super) fn st_salesforce_task(&mut self, k: &mut Kids<'_>) -> R<StepKind> {
        let subject = self.string(k.find(Rule::string)?);
        let assignee = match k.eat(Rule::sf_assignee) {
            Some(a) => {
                let mut ak = self.kids(&a);
                ak.expect(Rule::k_for)?;
                let who = ak.next()?;
                let value = match who.as_rule() {
                    Rule::k_owner => SalesforceAssignee::Owner,
                    Rule::k_integration_user => SalesforceAssignee::IntegrationUser,
                    _ => return Err(self.bug(&who)),
                };
                Some(SalesforceAssigneeLit {
                    value,
                    span: self.span(&a),
                })
            }
            None => None,
        };
        Ok(StepKind::SalesforceTask { subject, assignee })
    }
}
