//! Fast path: one function per step kind (`st_*` rules of the grammar).

use super::{exact, Fast};
use crate::source::Span;
use crate::syntax::ast::*;

impl<'a> Fast<'a> {
    // ---- delays

    pub(super) fn st_delay(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("delay")?;
        Some((StepKind::Delay(self.duration()?), k, self.end))
    }

    /// `k_delay ~ k_until ~ date_offset? ~ k_date ~ (k_at ~ time)?`
    pub(super) fn st_delay_until_date(&mut self) -> Option<(StepKind, Span, usize)> {
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
    pub(super) fn at_time(&mut self) -> Option<TimeLit> {
        let s = self.save();
        let t = self.kw("at").and_then(|_| self.time());
        if t.is_none() {
            self.restore(s);
        }
        t
    }

    /// `date_offset = { duration ~ offset_dir }`
    pub(super) fn date_offset(&mut self) -> Option<DateOffset> {
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
    pub(super) fn st_delay_until_time(&mut self) -> Option<(StepKind, Span, usize)> {
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

    pub(super) fn weekday(&mut self) -> Option<WeekdayLit> {
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
    pub(super) fn st_delay_until_event(&mut self) -> Option<(StepKind, Span, usize)> {
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
    pub(super) fn st_if(&mut self) -> Option<(StepKind, Span, usize)> {
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
    pub(super) fn else_block(&mut self) -> Option<Block> {
        let s = self.save();
        self.nls();
        let b = self.kw("else").and_then(|_| self.block(None));
        if b.is_none() {
            self.restore(s);
        }
        b
    }

    /// `k_branch ~ k_on ~ path ~ lbrace ~ nl* ~ (case ~ (nl* ~ case)*)? ~ (nl* ~ else_block)? ~ nl* ~ rbrace`
    pub(super) fn st_branch(&mut self) -> Option<(StepKind, Span, usize)> {
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
    pub(super) fn case(&mut self) -> Option<BranchCase> {
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

    pub(super) fn st_goto(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("goto")?;
        Some((StepKind::Goto(self.ident()?), k, self.end))
    }

    pub(super) fn st_enroll_in(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["enroll", "in"])?;
        Some((StepKind::EnrollIn(self.string()?), k, self.end))
    }

    pub(super) fn st_webhook(&mut self) -> Option<(StepKind, Span, usize)> {
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

    pub(super) fn st_send_email(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["send", "email"])?;
        Some((StepKind::SendEmail(self.string()?), k, self.end))
    }

    pub(super) fn st_send_internal_email(&mut self) -> Option<(StepKind, Span, usize)> {
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

    pub(super) fn st_send_notification(&mut self) -> Option<(StepKind, Span, usize)> {
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
    pub(super) fn recipients(&mut self) -> Option<Vec<Recipient>> {
        let mut out = vec![self.recipient()?];
        self.comma_more(&mut out, Self::recipient);
        Some(exact(out))
    }

    /// `recipient = { k_owner | k_user ~ string | k_team ~ string }`
    pub(super) fn recipient(&mut self) -> Option<Recipient> {
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

    pub(super) fn st_send_internal_sms(&mut self) -> Option<(StepKind, Span, usize)> {
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
    pub(super) fn sms_recipient(&mut self) -> Option<SmsRecipient> {
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

    pub(super) fn st_send_internal_marketing_email(&mut self) -> Option<(StepKind, Span, usize)> {
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
    pub(super) fn marketing_recipient(&mut self) -> Option<MarketingRecipient> {
        if self.peek() == Some(b'"') {
            return Some(MarketingRecipient::Address(self.string()?));
        }
        self.kw("property")?;
        Some(MarketingRecipient::Property(self.ident()?))
    }

    pub(super) fn st_send_slack(&mut self) -> Option<(StepKind, Span, usize)> {
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

    pub(super) fn st_create_slack_channel(&mut self) -> Option<(StepKind, Span, usize)> {
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

    pub(super) fn st_create_asana_task(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["create", "asana", "task"])?;
        let title = self.string()?;
        self.kws(&["in", "project"])?;
        let project = self.string()?;
        Some((StepKind::CreateAsanaTask { title, project }, k, self.end))
    }

    /// `k_create ~ k_task ~ string ~ (k_due ~ duration)? ~ for_owner?`
    pub(super) fn st_create_task(&mut self) -> Option<(StepKind, Span, usize)> {
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

    pub(super) fn st_create_record(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("create")?;
        let object = self.ident()?;
        let fields = self.record()?;
        Some((StepKind::CreateRecord { object, fields }, k, self.end))
    }

    pub(super) fn st_app_action(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("app")?;
        let app = self.string()?;
        self.kw("action")?;
        let action = self.string()?;
        let fields = self.record()?;
        let end = self.end;
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
    pub(super) fn st_rotate_owner(&mut self) -> Option<(StepKind, Span, usize)> {
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
    pub(super) fn st_set(&mut self) -> Option<(StepKind, Span, usize)> {
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

    pub(super) fn st_copy(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("copy")?;
        let from = self.path()?;
        self.kw("to")?;
        let to = self.path()?;
        let append = self.kw("append");
        let end = self.opt_end(append.is_some());
        Some((StepKind::Copy { from, to, append }, k, end))
    }

    pub(super) fn st_clear(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("clear")?;
        Some((StepKind::Clear(self.path()?), k, self.end))
    }

    pub(super) fn st_increase(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("increase")?;
        let path = self.path()?;
        self.kw("by")?;
        let by = self.number()?;
        Some((StepKind::Increase { path, by }, k, self.end))
    }

    pub(super) fn st_decrease(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("decrease")?;
        let path = self.path()?;
        self.kw("by")?;
        let by = self.number()?;
        Some((StepKind::Decrease { path, by }, k, self.end))
    }

    // ---- contact only

    pub(super) fn st_add_to_list(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["add", "to", "list"])?;
        Some((StepKind::AddToList(self.string()?), k, self.end))
    }

    pub(super) fn st_add_to_audience(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["add", "to", "audience"])?;
        Some((StepKind::AddToAudience(self.string()?), k, self.end))
    }

    pub(super) fn st_remove_from_list(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["remove", "from", "list"])?;
        Some((StepKind::RemoveFromList(self.string()?), k, self.end))
    }

    pub(super) fn st_remove_from_audience(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["remove", "from", "audience"])?;
        Some((StepKind::RemoveFromAudience(self.string()?), k, self.end))
    }

    /// `k_opt ~ opt_dir ~ string ~ (k_basis ~ basis)? ~ (k_explanation ~ string)?`
    pub(super) fn st_opt(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kw("opt")?;
        let (i, dir) = self.one_of(&["in", "out"])?;
        let k = k.to(dir);
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

    pub(super) fn st_salesforce_task(&mut self) -> Option<(StepKind, Span, usize)> {
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

    pub(super) fn st_salesforce_campaign(&mut self) -> Option<(StepKind, Span, usize)> {
        let k = self.kws(&["salesforce", "campaign"])?;
        Some((StepKind::SalesforceCampaign(self.string()?), k, self.end))
    }
}
