//! Printing one step: [`Printer::step`] dispatches on the kind of step to a
//! small function per form of the language.

use super::Printer;
use crate::syntax::ast::*;

impl Printer<'_> {
    pub(super) fn step(&mut self, s: &Step) {
        if let Some(l) = &s.label {
            self.out.push_str(&l.name);
            self.out.push_str(": ");
        }
        let end = s.span.end as usize;
        match &s.kind {
            StepKind::Delay(d) => {
                self.word("delay ");
                self.duration(d);
            }
            StepKind::DelayUntilTime { days, time } => self.delay_until_time(days, time.as_ref()),
            StepKind::DelayUntilEvent { event, max } => self.delay_until_event(event, max.as_ref()),
            StepKind::DelayUntilDate { offset, time } => {
                self.delay_until_date(offset.as_ref(), time.as_ref())
            }
            StepKind::If { arms, else_block } => self.if_step(arms, else_block.as_ref()),
            StepKind::Branch {
                path,
                cases,
                else_block,
            } => self.branch(s, path, cases, else_block.as_ref()),
            StepKind::Goto(l) => {
                self.word("goto ");
                self.word(&l.name);
            }
            StepKind::EnrollIn(w) => self.word_str("enroll in ", w),
            StepKind::Webhook { method, url } => self.word_str(
                match method {
                    HttpMethod::Get => "webhook get ",
                    HttpMethod::Post => "webhook post ",
                },
                url,
            ),
            StepKind::SendInternalEmail { to, subject, body } => {
                self.message("send internal email to ", to, subject, body)
            }
            StepKind::SendInternalSms { to, text } => self.send_internal_sms(to, text),
            StepKind::SendNotification { to, subject, body } => {
                self.message("send notification to ", to, subject, body)
            }
            StepKind::SendEmail(e) => self.word_str("send email ", e),
            StepKind::SendInternalMarketingEmail { email, to } => {
                self.send_internal_marketing_email(email, to)
            }
            StepKind::SendSlack { target, text } => self.send_slack(target, text),
            StepKind::CreateSlackChannel { name, visibility } => {
                self.create_slack_channel(name, visibility.as_ref())
            }
            StepKind::CreateAsanaTask { title, project } => {
                self.word_str("create asana task ", title);
                self.word_str(" in project ", project);
            }
            StepKind::AppAction {
                app,
                action,
                fields,
            } => {
                self.word_str("app ", app);
                self.word_str(" action ", action);
                self.word(" ");
                self.record(fields, end);
            }
            StepKind::RotateOwner { among, overwrite } => {
                self.rotate_owner(among, overwrite.is_some())
            }
            StepKind::CreateRecord { object, fields } => {
                self.word("create ");
                self.word(&object.name);
                self.word(" ");
                self.record(fields, end);
            }
            StepKind::CreateTask {
                title,
                due,
                for_owner,
            } => self.create_task(title, due.as_ref(), for_owner.is_some()),
            StepKind::Set { path, value } => self.assign(path, " = ", value),
            StepKind::Append { path, value } => self.assign(path, " += ", value),
            StepKind::Copy { from, to, append } => self.copy(from, to, append.is_some()),
            StepKind::Clear(p) => {
                self.word("clear ");
                self.path(p);
            }
            StepKind::Increase { path, by } => self.change_by("increase ", path, &by.raw),
            StepKind::Decrease { path, by } => self.change_by("decrease ", path, &by.raw),
            StepKind::AddToList(l) => self.word_str("add to list ", l),
            StepKind::RemoveFromList(l) => self.word_str("remove from list ", l),
            StepKind::AddToAudience(a) => self.word_str("add to audience ", a),
            StepKind::RemoveFromAudience(a) => self.word_str("remove from audience ", a),
            StepKind::Subscription {
                status,
                subscription,
                basis,
                explanation,
            } => self.subscription(*status, subscription, basis.as_ref(), explanation.as_ref()),
            StepKind::SalesforceTask { subject, assignee } => {
                self.salesforce_task(subject, assignee.as_ref())
            }
            StepKind::SalesforceCampaign(c) => self.word_str("salesforce campaign ", c),
        }
        self.finish_line(end);
    }

    fn word(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// Fixed words, then a string literal.
    fn word_str(&mut self, text: &str, lit: &StrLit) {
        self.out.push_str(text);
        self.str_lit(lit);
    }

    /// Items separated by `, `.
    fn comma_list<T>(&mut self, items: &[T], mut item: impl FnMut(&mut Self, &T)) {
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.word(", ");
            }
            item(self, x);
        }
    }

    fn delay_until_time(&mut self, days: &[WeekdayLit], time: Option<&TimeLit>) {
        self.word("delay until");
        for (i, d) in days.iter().enumerate() {
            self.word(if i == 0 { " " } else { ", " });
            self.word(d.day.as_str());
        }
        if let Some(t) = time {
            self.word(if days.is_empty() { " " } else { " at " });
            self.time(t);
        }
    }

    fn delay_until_event(&mut self, event: &Event, max: Option<&Duration>) {
        self.word("delay until ");
        self.event(event);
        if let Some(m) = max {
            self.word(" max ");
            self.duration(m);
        }
    }

    fn delay_until_date(&mut self, offset: Option<&DateOffset>, time: Option<&TimeLit>) {
        self.word("delay until ");
        if let Some(off) = offset {
            self.duration(&off.amount);
            self.word(match off.direction {
                OffsetDirection::Before => " before ",
                OffsetDirection::After => " after ",
            });
        }
        self.word("date");
        if let Some(t) = time {
            self.word(" at ");
            self.time(t);
        }
    }

    fn if_step(&mut self, arms: &[IfArm], else_block: Option<&Block>) {
        for (i, arm) in arms.iter().enumerate() {
            self.word(if i == 0 { "if " } else { " else if " });
            self.condition(&arm.condition);
            self.word(" ");
            let limit = arms
                .get(i + 1)
                .map(|a| a.span.start as usize)
                .or_else(|| else_block.map(|b| b.span.start as usize))
                .unwrap_or((arm.block.span.end as usize).saturating_sub(1));
            let limit = limit.max((arm.block.span.end as usize).saturating_sub(1));
            self.block(&arm.block, limit);
        }
        if let Some(b) = else_block {
            self.word(" else ");
            self.block(b, (b.span.end as usize).saturating_sub(1));
        }
    }

    fn branch(&mut self, s: &Step, path: &Path, cases: &[BranchCase], else_block: Option<&Block>) {
        self.word("branch on ");
        self.path(path);
        self.word(" {");
        // The branch's own `{`: from the path to the first case.
        let after = path.span.end as usize;
        self.last_end = self.last_end.max(after);
        let first = cases
            .first()
            .map(|c| c.span.start as usize)
            .or_else(|| else_block.map(|b| b.span.start as usize))
            .unwrap_or((s.span.end as usize).saturating_sub(1));
        let t = self.take_trailing(after, first.max(after));
        self.push_trailing(t);
        self.indent += 1;
        let mut chunks = Vec::new();
        for case in cases {
            chunks.push(self.chunk(case.span.start as usize, |p| {
                p.comma_list(&case.values, |p, v| p.value(v));
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

    /// `send internal email` and `send notification`: recipients, subject,
    /// body.
    fn message(&mut self, head: &str, to: &[Recipient], subject: &StrLit, body: &StrLit) {
        self.word(head);
        self.recipients(to);
        self.word_str(" subject ", subject);
        self.word_str(" body ", body);
    }

    fn send_internal_sms(&mut self, to: &[SmsRecipient], text: &StrLit) {
        self.word("send internal sms to ");
        self.comma_list(to, |p, r| match &r.kind {
            SmsRecipientKind::User(u) => p.word_str("user ", u),
            SmsRecipientKind::Number(n) => p.word_str("number ", n),
        });
        self.word_str(" text ", text);
    }

    fn send_internal_marketing_email(&mut self, email: &StrLit, to: &[MarketingRecipient]) {
        self.word_str("send internal marketing email ", email);
        self.word(" to ");
        self.comma_list(to, |p, r| match r {
            MarketingRecipient::Address(a) => p.str_lit(a),
            MarketingRecipient::Property(prop) => {
                p.word("property ");
                p.word(&prop.name);
            }
        });
    }

    fn send_slack(&mut self, target: &SlackTarget, text: &StrLit) {
        self.word("send slack to ");
        match target {
            SlackTarget::Channel(c) => self.word_str("channel ", c),
            SlackTarget::User(u) => self.word_str("user ", u),
        }
        self.word_str(" text ", text);
    }

    fn create_slack_channel(&mut self, name: &StrLit, visibility: Option<&VisibilityLit>) {
        self.word_str("create slack channel ", name);
        if let Some(v) = visibility {
            self.word(match v.value {
                Visibility::Public => " public",
                Visibility::Private => " private",
            });
        }
    }

    fn rotate_owner(&mut self, among: &RotateAmong, overwrite: bool) {
        self.word("rotate owner among ");
        match among {
            RotateAmong::Team(t) => self.word_str("team ", t),
            RotateAmong::Users(us) => {
                self.word("users ");
                self.comma_list(us, |p, u| p.str_lit(u));
            }
        }
        if overwrite {
            self.word(" overwrite");
        }
    }

    fn create_task(&mut self, title: &StrLit, due: Option<&Duration>, for_owner: bool) {
        self.word_str("create task ", title);
        if let Some(d) = due {
            self.word(" due ");
            self.duration(d);
        }
        if for_owner {
            self.word(" for owner");
        }
    }

    /// `set <path> = <value>` and `set <path> += <value>`.
    fn assign(&mut self, path: &Path, op: &str, value: &Value) {
        self.word("set ");
        self.path(path);
        self.word(op);
        self.value(value);
    }

    fn copy(&mut self, from: &Path, to: &Path, append: bool) {
        self.word("copy ");
        self.path(from);
        self.word(" to ");
        self.path(to);
        if append {
            self.word(" append");
        }
    }

    /// `increase <path> by <n>` and `decrease <path> by <n>`.
    fn change_by(&mut self, head: &str, path: &Path, by: &str) {
        self.word(head);
        self.path(path);
        self.word(" by ");
        self.word(by);
    }

    fn subscription(
        &mut self,
        status: SubscriptionStatus,
        subscription: &StrLit,
        basis: Option<&BasisLit>,
        explanation: Option<&StrLit>,
    ) {
        let head = match status {
            SubscriptionStatus::OptIn => "opt in ",
            SubscriptionStatus::OptOut => "opt out ",
        };
        self.word_str(head, subscription);
        if let Some(b) = basis {
            self.word(" basis ");
            self.word(b.value.as_str());
        }
        if let Some(e) = explanation {
            self.word_str(" explanation ", e);
        }
    }

    fn salesforce_task(&mut self, subject: &StrLit, assignee: Option<&SalesforceAssigneeLit>) {
        self.word_str("salesforce task ", subject);
        if let Some(a) = assignee {
            self.word(match a.value {
                SalesforceAssignee::Owner => " for owner",
                SalesforceAssignee::IntegrationUser => " for integration_user",
            });
        }
    }
}
