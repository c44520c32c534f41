//! Short human labels for nodes and edges.

use super::Shape;
use crate::plan::{
    Action, CompareOp, Condition, Event, MarketingRecipient, Node, PropertyRef, Recipient,
    SlackTarget, SmsRecipient, SubscriptionStatus, Template, TemplatePart, Value,
};

/// Longest line of a node label, in characters.
pub const LINE_CHARS: usize = 36;

/// `2d 4h 30m` (`0m` for zero).
pub fn minutes_text(m: u64) -> String {
    let (d, h, mm) = (m / 1440, (m % 1440) / 60, m % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d}d"));
    }
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if mm > 0 || parts.is_empty() {
        parts.push(format!("{mm}m"));
    }
    parts.join(" ")
}

/// Cut to `max` characters, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Break an edge label into lines of at most `width` characters at spaces,
/// keeping every word: a condition must never be shown cut short (a word
/// longer than `width` stays whole on its own line).
pub fn wrap_all(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        let len = cur.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Width at which edge labels are wrapped, in characters.
pub const EDGE_LABEL_CHARS: usize = 28;

/// Break a text into lines of at most [`LINE_CHARS`] at spaces, at most
/// `max_lines` lines (the last one truncated).
pub fn wrap(s: &str, max_lines: usize) -> Vec<String> {
    let mut lines = wrap_all(s, LINE_CHARS);
    if lines.len() > max_lines {
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(truncate(&rest, LINE_CHARS));
    }
    lines
        .into_iter()
        .map(|l| truncate(&l, LINE_CHARS))
        .collect()
}

pub fn template_text(t: &Template) -> String {
    t.0.iter()
        .map(|p| match p {
            TemplatePart::Text(s) => s.clone(),
            TemplatePart::Token { object, property } => format!("{{{{ {object}.{property} }}}}"),
        })
        .collect()
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

pub fn value_text(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted(s),
        Value::Template { template } => quoted(&template_text(template)),
        Value::List(items) => {
            let inner: Vec<String> = items.iter().map(value_text).collect();
            format!("[{}]", inner.join(", "))
        }
    }
}

pub fn path_text(p: &PropertyRef) -> String {
    match &p.object {
        Some(o) => format!("{o}.{}", p.property),
        None => p.property.clone(),
    }
}

pub fn event_text(e: &Event) -> String {
    match e {
        Event::FormSubmitted { name } => format!("form {} submitted", quoted(name)),
        Event::PageViewed { url } => format!("page {} viewed", quoted(url)),
        Event::EmailOpened { name } => format!("email {} opened", quoted(name)),
        Event::EmailClicked { name } => format!("email {} clicked", quoted(name)),
        Event::EmailReplied { name } => format!("email {} replied", quoted(name)),
        Event::Custom { name } => format!("event {}", quoted(name)),
    }
}

/// A condition in `.wf` syntax (parenthesised where needed).
pub fn condition_text(c: &Condition) -> String {
    fn go(c: &Condition, parent_and: bool) -> String {
        match c {
            Condition::And { all } => {
                let parts: Vec<String> = all.iter().map(|x| go(x, true)).collect();
                parts.join(" and ")
            }
            Condition::Or { any } => {
                let parts: Vec<String> = any.iter().map(|x| go(x, false)).collect();
                let s = parts.join(" or ");
                if parent_and {
                    format!("({s})")
                } else {
                    s
                }
            }
            Condition::Not { condition } => match condition.as_ref() {
                Condition::And { .. } | Condition::Or { .. } => {
                    format!("not ({})", go(condition, false))
                }
                other => format!("not {}", go(other, false)),
            },
            Condition::Compare {
                property,
                cmp,
                value,
            } => {
                let op = match cmp {
                    CompareOp::Is => "is",
                    CompareOp::IsNot => "is not",
                    CompareOp::Gt => ">",
                    CompareOp::Ge => ">=",
                    CompareOp::Lt => "<",
                    CompareOp::Le => "<=",
                };
                format!("{} {op} {}", path_text(property), value_text(value))
            }
            Condition::In {
                property,
                negated,
                values,
            } => {
                let inner: Vec<String> = values.iter().map(value_text).collect();
                format!(
                    "{} {}in [{}]",
                    path_text(property),
                    if *negated { "not " } else { "" },
                    inner.join(", ")
                )
            }
            Condition::Contains { property, text } => {
                format!("{} contains {}", path_text(property), quoted(text))
            }
            Condition::Known { property, known } => format!(
                "{} is {}",
                path_text(property),
                if *known { "known" } else { "unknown" }
            ),
            Condition::Event { event } => event_text(event),
        }
    }
    go(c, false)
}

fn recipients_text(to: &[Recipient]) -> String {
    let parts: Vec<String> = to
        .iter()
        .map(|r| match r {
            Recipient::Owner => "owner".to_string(),
            Recipient::User(u) => u.clone(),
            Recipient::Team(t) => format!("team {t}"),
        })
        .collect();
    parts.join(", ")
}

/// The shape and label lines of a step.
pub fn node_lines(n: &Node) -> (Shape, Vec<String>, Vec<String>) {
    let t = template_text;
    let (shape, kind, detail): (Shape, &str, String) = match &n.action {
        Action::Delay { minutes } => (Shape::Delay, "delay", minutes_text(*minutes)),
        Action::DelayUntilTime { days, time } => {
            let mut s = days.join(", ");
            if let Some(tm) = time {
                if !s.is_empty() {
                    s.push_str(" at ");
                }
                s.push_str(tm);
            }
            (Shape::Delay, "delay until", s)
        }
        Action::DelayUntilEvent { event, .. } => (Shape::Delay, "wait for", event_text(event)),
        Action::DelayUntilDate {
            offset_minutes,
            time,
        } => {
            let off = offset_minutes.unsigned_abs();
            let mut s = if *offset_minutes == 0 {
                "date".to_string()
            } else if *offset_minutes < 0 {
                format!("{} before date", minutes_text(off))
            } else {
                format!("{} after date", minutes_text(off))
            };
            if let Some(tm) = time {
                s.push_str(" at ");
                s.push_str(tm);
            }
            (Shape::Delay, "delay until", s)
        }
        Action::BranchIf { .. } => (Shape::Branch, "if/then", String::new()),
        Action::BranchValue { property, .. } => (Shape::Branch, "branch on", path_text(property)),
        Action::Goto { label, .. } => (Shape::Goto, "go to", label.clone()),
        Action::EnrollInWorkflow { workflow } => (Shape::Action, "enroll in", quoted(workflow)),
        Action::Webhook { method, url } => (
            Shape::Action,
            "webhook",
            format!(
                "{} {url}",
                match method {
                    crate::plan::HttpMethod::Get => "GET",
                    crate::plan::HttpMethod::Post => "POST",
                }
            ),
        ),
        Action::SendInternalEmail { to, subject, .. } => (
            Shape::Action,
            "internal email",
            format!("to {}: {}", recipients_text(to), quoted(&t(subject))),
        ),
        Action::SendInternalSms { to, .. } => {
            let parts: Vec<String> = to
                .iter()
                .map(|r| match r {
                    SmsRecipient::User(u) => u.clone(),
                    SmsRecipient::Number(n) => n.clone(),
                })
                .collect();
            (
                Shape::Action,
                "internal sms",
                format!("to {}", parts.join(", ")),
            )
        }
        Action::SendNotification { to, subject, .. } => (
            Shape::Action,
            "notification",
            format!("to {}: {}", recipients_text(to), quoted(&t(subject))),
        ),
        Action::SendEmail { email } => (Shape::Action, "send email", quoted(email)),
        Action::SendInternalMarketingEmail { email, to } => {
            let parts: Vec<String> = to
                .iter()
                .map(|r| match r {
                    MarketingRecipient::Address(a) => a.clone(),
                    MarketingRecipient::Property(p) => p.clone(),
                })
                .collect();
            (
                Shape::Action,
                "marketing email",
                format!("{} to {}", quoted(email), parts.join(", ")),
            )
        }
        Action::SendSlack { to, .. } => (
            Shape::Action,
            "slack message",
            match to {
                SlackTarget::Channel(c) => format!("#{}", t(c)),
                SlackTarget::User(u) => u.clone(),
            },
        ),
        Action::CreateSlackChannel { name, private } => (
            Shape::Action,
            if *private {
                "create private slack channel"
            } else {
                "create slack channel"
            },
            quoted(&t(name)),
        ),
        Action::CreateAsanaTask { title, project } => (
            Shape::Action,
            "asana task",
            format!("{} in {}", quoted(&t(title)), quoted(project)),
        ),
        Action::AppAction { app, action, .. } => {
            (Shape::Action, "app action", format!("{app}: {action}"))
        }
        Action::RotateOwner { team, users, .. } => (
            Shape::Action,
            "rotate owner",
            match team {
                Some(team) => format!("among team {}", quoted(team)),
                None => format!("among {} users", users.len()),
            },
        ),
        Action::CreateRecord { object, .. } => (Shape::Action, "create record", object.clone()),
        Action::CreateTask { title, .. } => (Shape::Action, "create task", quoted(&t(title))),
        Action::SetProperty { target, value } => (
            Shape::Action,
            "set property",
            format!("{} = {}", path_text(target), value_text(value)),
        ),
        Action::AppendProperty { target, value } => (
            Shape::Action,
            "append to property",
            format!("{} += {}", path_text(target), value_text(value)),
        ),
        Action::CopyProperty {
            source,
            target,
            append,
        } => (
            Shape::Action,
            if *append {
                "copy (append)"
            } else {
                "copy property"
            },
            format!("{} → {}", path_text(source), path_text(target)),
        ),
        Action::ClearProperty { target } => (Shape::Action, "clear property", path_text(target)),
        Action::IncreaseProperty { target, by } => (
            Shape::Action,
            "increase",
            format!("{} by {by}", path_text(target)),
        ),
        Action::DecreaseProperty { target, by } => (
            Shape::Action,
            "decrease",
            format!("{} by {by}", path_text(target)),
        ),
        Action::AddToList { list } => (Shape::Action, "add to list", quoted(list)),
        Action::RemoveFromList { list } => (Shape::Action, "remove from list", quoted(list)),
        Action::AddToAudience { audience } => (Shape::Action, "add to audience", quoted(audience)),
        Action::RemoveFromAudience { audience } => {
            (Shape::Action, "remove from audience", quoted(audience))
        }
        Action::SetSubscription {
            subscription,
            status,
            ..
        } => (
            Shape::Action,
            match status {
                SubscriptionStatus::OptedIn => "opt in",
                SubscriptionStatus::OptedOut => "opt out",
            },
            quoted(subscription),
        ),
        Action::SalesforceTask { subject, .. } => {
            (Shape::Action, "salesforce task", quoted(&t(subject)))
        }
        Action::SalesforceCampaign { campaign } => {
            (Shape::Action, "salesforce campaign", quoted(campaign))
        }
    };
    let mut first = match &n.label {
        Some(l) => format!("{l}: {kind}"),
        None => kind.to_string(),
    };
    let mut full = vec![first.clone()];
    first = truncate(&first, LINE_CHARS);
    let mut lines = vec![first];
    if !detail.is_empty() {
        lines.extend(wrap(&detail, 2));
        full.push(detail);
    }
    (shape, lines, full)
}

/// A node's full text as display lines: each logical line wrapped at
/// [`LINE_CHARS`], every word kept (for renderers that size boxes to
/// their text: mermaid, Graphviz).
pub fn full_lines(full: &[String]) -> Vec<String> {
    full.iter().flat_map(|l| wrap_all(l, LINE_CHARS)).collect()
}
