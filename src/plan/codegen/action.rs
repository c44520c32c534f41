//! The action of one step: [`Gen::action`] dispatches on the kind of step
//! to one small function per form.

use super::super::types::*;
use super::{block_size, event, number, recipient, time_of_day, Gen};
use crate::syntax::ast;

impl Gen<'_> {
    /// The action of `step` (node `id`, followed by `next`), and the node's
    /// own `next`: none for a branch or a `goto`, whose edges are in the
    /// action.
    pub(super) fn action(
        &mut self,
        step: &ast::Step,
        id: usize,
        next: Option<String>,
    ) -> (Action, Option<String>) {
        use ast::StepKind as K;
        let action = match &step.kind {
            K::If { arms, else_block } => {
                let a = self.if_action(arms, else_block.as_ref(), id, next.as_deref());
                return (a, None);
            }
            K::Branch {
                path,
                cases,
                else_block,
            } => {
                let a = self.branch_action(path, cases, else_block.as_ref(), id, next.as_deref());
                return (a, None);
            }
            K::Goto(label) => return (self.goto_action(label), None),
            K::Delay(d) => Action::Delay {
                minutes: d.total_minutes(),
            },
            K::DelayUntilTime { days, time } => delay_until_time(days, time.as_ref()),
            K::DelayUntilEvent { event, max } => delay_until_event(event, max.as_ref(), &next),
            K::DelayUntilDate { offset, time } => delay_until_date(offset.as_ref(), time.as_ref()),
            K::EnrollIn(name) => Action::EnrollInWorkflow {
                workflow: name.value.to_string(),
            },
            K::Webhook { method, url } => webhook(*method, url),
            K::SendInternalEmail { to, subject, body } => Action::SendInternalEmail {
                to: to.iter().map(recipient).collect(),
                subject: self.template(subject),
                body: self.template(body),
            },
            K::SendInternalSms { to, text } => self.send_internal_sms(to, text),
            K::SendNotification { to, subject, body } => Action::SendNotification {
                to: to.iter().map(recipient).collect(),
                subject: self.template(subject),
                body: self.template(body),
            },
            K::SendEmail(name) => Action::SendEmail {
                email: name.value.to_string(),
            },
            K::SendInternalMarketingEmail { email, to } => send_internal_marketing_email(email, to),
            K::SendSlack { target, text } => self.send_slack(target, text),
            K::CreateSlackChannel { name, visibility } => {
                self.create_slack_channel(name, visibility.as_ref())
            }
            K::CreateAsanaTask { title, project } => Action::CreateAsanaTask {
                title: self.template(title),
                project: project.value.to_string(),
            },
            K::AppAction {
                app,
                action,
                fields,
            } => Action::AppAction {
                app: app.value.to_string(),
                action: action.value.to_string(),
                fields: fields.iter().map(|f| self.field(f)).collect(),
            },
            K::RotateOwner { among, overwrite } => rotate_owner(among, overwrite.is_some()),
            K::CreateRecord { object, fields } => Action::CreateRecord {
                object: object.name.to_string(),
                properties: fields.iter().map(|f| self.field(f)).collect(),
            },
            K::CreateTask {
                title,
                due,
                for_owner,
            } => Action::CreateTask {
                title: self.template(title),
                due_minutes: due.as_ref().map(ast::Duration::total_minutes),
                for_owner: for_owner.is_some(),
            },
            K::Set { path, value } => Action::SetProperty {
                target: self.path(path),
                value: self.value(value),
            },
            K::Append { path, value } => Action::AppendProperty {
                target: self.path(path),
                value: self.value(value),
            },
            K::Copy { from, to, append } => Action::CopyProperty {
                source: self.path(from),
                target: self.path(to),
                append: append.is_some(),
            },
            K::Clear(path) => Action::ClearProperty {
                target: self.path(path),
            },
            K::Increase { path, by } => Action::IncreaseProperty {
                target: self.path(path),
                by: number(by),
            },
            K::Decrease { path, by } => Action::DecreaseProperty {
                target: self.path(path),
                by: number(by),
            },
            K::AddToList(l) => Action::AddToList {
                list: l.value.to_string(),
            },
            K::RemoveFromList(l) => Action::RemoveFromList {
                list: l.value.to_string(),
            },
            K::AddToAudience(a) => Action::AddToAudience {
                audience: a.value.to_string(),
            },
            K::RemoveFromAudience(a) => Action::RemoveFromAudience {
                audience: a.value.to_string(),
            },
            K::Subscription {
                status,
                subscription,
                basis,
                explanation,
            } => self.subscription(*status, subscription, basis.as_ref(), explanation.as_ref()),
            K::SalesforceTask { subject, assignee } => {
                self.salesforce_task(subject, assignee.as_ref())
            }
            K::SalesforceCampaign(c) => Action::SalesforceCampaign {
                campaign: c.value.to_string(),
            },
        };
        (action, next)
    }

    /// `if` / `else if` / `else`: each arm's block is generated after the
    /// node; a missing `else` continues at `next`.
    fn if_action(
        &mut self,
        arms: &[ast::IfArm],
        else_block: Option<&ast::Block>,
        id: usize,
        next: Option<&str>,
    ) -> Action {
        let mut child = id + 1;
        let mut cases = Vec::with_capacity(arms.len());
        for (i, arm) in arms.iter().enumerate() {
            let entry = self.block(&arm.block, child, next);
            child += block_size(&arm.block);
            cases.push(IfCase {
                path: if i == 0 {
                    "if".to_string()
                } else {
                    format!("else if {i}")
                },
                condition: self.condition(&arm.condition),
                next: entry,
            });
        }
        let else_next = match else_block {
            Some(b) => self.block(b, child, next),
            None => next.map(str::to_string),
        };
        Action::BranchIf { cases, else_next }
    }

    fn branch_action(
        &mut self,
        path: &ast::Path,
        cases: &[ast::BranchCase],
        else_block: Option<&ast::Block>,
        id: usize,
        next: Option<&str>,
    ) -> Action {
        let mut child = id + 1;
        let mut out = Vec::with_capacity(cases.len());
        for case in cases {
            let entry = self.block(&case.block, child, next);
            child += block_size(&case.block);
            out.push(ValueCase {
                values: case.values.iter().map(|v| self.value(v)).collect(),
                next: entry,
            });
        }
        let else_next = match else_block {
            Some(b) => self.block(b, child, next),
            None => next.map(str::to_string),
        };
        Action::BranchValue {
            property: self.path(path),
            cases: out,
            else_next,
        }
    }

    fn goto_action(&self, label: &ast::Ident) -> Action {
        Action::Goto {
            target: self
                .labels
                .get(label.name.as_str())
                .cloned()
                .unwrap_or_default(),
            label: label.name.to_string(),
        }
    }

    fn send_internal_sms(&self, to: &[ast::SmsRecipient], text: &ast::StrLit) -> Action {
        Action::SendInternalSms {
            to: to
                .iter()
                .map(|r| match &r.kind {
                    ast::SmsRecipientKind::User(s) => SmsRecipient::User(s.value.to_string()),
                    ast::SmsRecipientKind::Number(s) => SmsRecipient::Number(s.value.to_string()),
                })
                .collect(),
            text: self.template(text),
        }
    }

    fn send_slack(&self, target: &ast::SlackTarget, text: &ast::StrLit) -> Action {
        Action::SendSlack {
            to: match target {
                ast::SlackTarget::Channel(c) => SlackTarget::Channel(self.template(c)),
                ast::SlackTarget::User(u) => SlackTarget::User(u.value.to_string()),
            },
            text: self.template(text),
        }
    }

    fn create_slack_channel(
        &self,
        name: &ast::StrLit,
        visibility: Option<&ast::VisibilityLit>,
    ) -> Action {
        Action::CreateSlackChannel {
            name: self.template(name),
            private: visibility.is_some_and(|v| v.value == ast::Visibility::Private),
        }
    }

    fn subscription(
        &self,
        status: ast::SubscriptionStatus,
        subscription: &ast::StrLit,
        basis: Option<&ast::BasisLit>,
        explanation: Option<&ast::StrLit>,
    ) -> Action {
        Action::SetSubscription {
            subscription: subscription.value.to_string(),
            status: match status {
                ast::SubscriptionStatus::OptIn => SubscriptionStatus::OptedIn,
                ast::SubscriptionStatus::OptOut => SubscriptionStatus::OptedOut,
            },
            basis: basis.map(|b| b.value.as_str().to_string()),
            explanation: explanation.map(|e| self.template(e)),
        }
    }

    fn salesforce_task(
        &self,
        subject: &ast::StrLit,
        assignee: Option<&ast::SalesforceAssigneeLit>,
    ) -> Action {
        Action::SalesforceTask {
            subject: self.template(subject),
            assignee: assignee.map(|a| {
                match a.value {
                    ast::SalesforceAssignee::Owner => "owner",
                    ast::SalesforceAssignee::IntegrationUser => "integration_user",
                }
                .to_string()
            }),
        }
    }
}

fn delay_until_time(days: &[ast::WeekdayLit], time: Option<&ast::TimeLit>) -> Action {
    Action::DelayUntilTime {
        days: days.iter().map(|d| d.day.as_str().to_string()).collect(),
        time: time.map(time_of_day),
    }
}

/// A wait for an event; with `max`, it times out to the next step.
fn delay_until_event(e: &ast::Event, max: Option<&ast::Duration>, next: &Option<String>) -> Action {
    Action::DelayUntilEvent {
        event: event(e),
        max_minutes: max.map(ast::Duration::total_minutes),
        timeout_next: if max.is_some() { next.clone() } else { None },
    }
}

fn delay_until_date(offset: Option<&ast::DateOffset>, time: Option<&ast::TimeLit>) -> Action {
    Action::DelayUntilDate {
        offset_minutes: offset.map_or(0, |o| {
            let m = i64::try_from(o.amount.total_minutes()).unwrap_or(i64::MAX);
            match o.direction {
                ast::OffsetDirection::Before => -m,
                ast::OffsetDirection::After => m,
            }
        }),
        time: time.map(time_of_day),
    }
}

fn webhook(method: ast::HttpMethod, url: &ast::StrLit) -> Action {
    Action::Webhook {
        method: match method {
            ast::HttpMethod::Get => HttpMethod::Get,
            ast::HttpMethod::Post => HttpMethod::Post,
        },
        url: url.value.to_string(),
    }
}

fn send_internal_marketing_email(email: &ast::StrLit, to: &[ast::MarketingRecipient]) -> Action {
    Action::SendInternalMarketingEmail {
        email: email.value.to_string(),
        to: to
            .iter()
            .map(|r| match r {
                ast::MarketingRecipient::Address(s) => {
                    MarketingRecipient::Address(s.value.to_string())
                }
                ast::MarketingRecipient::Property(p) => {
                    MarketingRecipient::Property(p.name.to_string())
                }
            })
            .collect(),
    }
}

fn rotate_owner(among: &ast::RotateAmong, overwrite: bool) -> Action {
    let (team, users) = match among {
        ast::RotateAmong::Team(t) => (Some(t.value.to_string()), Vec::new()),
        ast::RotateAmong::Users(us) => (None, us.iter().map(|u| u.value.to_string()).collect()),
    };
    Action::RotateOwner {
        team,
        users,
        overwrite,
    }
}
