//! Codegen: a checked AST → one [`Plan`] per workflow.
//!
//! Node ids number the steps in pre-order (`n1`, `n2`, ...: a branch node,
//! then each of its paths in source order, then the step after the branch).
//! Ids depend only on the shape of the workflow, never on source positions.
//!
//! Edges are computed from the block structure: the step after a step is its
//! `next`; the last step of a block continues at the block's continuation
//! (the step after the enclosing `if`/`branch`, i.e. the join node, or
//! `null` when the workflow finishes). An empty path of a branch names the
//! join node directly.
//!
//! The codegen is meant to run on an AST that checked without errors, but it
//! never panics on any AST: an unknown `goto` label targets an empty id, and
//! out-of-range numbers saturate. Recursion follows the nesting of blocks and
//! conditions, which the parser bounds (see [`crate::syntax::MAX_NESTING`]).

use std::collections::BTreeMap;

use super::types::*;
use crate::source::{SourceMap, Span};
use crate::syntax::ast;

/// Generate one plan per workflow, files in the order given, workflows in
/// source order.
pub fn generate(files: &[ast::SourceFile], sources: &SourceMap) -> Vec<Plan> {
    files
        .iter()
        .flat_map(|file| file.workflows.iter())
        .map(|wf| workflow_plan(wf, sources))
        .collect()
}

/// The plan of one workflow.
pub fn workflow_plan(wf: &ast::Workflow, sources: &SourceMap) -> Plan {
    let object = wf.object.name.clone();
    let mut gen = Gen {
        sources,
        object: &object,
        labels: BTreeMap::new(),
        nodes: Vec::new(),
    };
    gen.collect_labels(&wf.body, 1);

    let mut triggers = Vec::new();
    let mut reenroll = false;
    let mut goals = Vec::new();
    let mut unenroll = Vec::new();
    for setting in &wf.settings {
        match &setting.kind {
            ast::SettingKind::EnrollWhen(c) => triggers.push(Trigger::Filter {
                condition: gen.condition(c),
            }),
            ast::SettingKind::EnrollOn(e) => triggers.push(Trigger::Event { event: event(e) }),
            ast::SettingKind::Reenroll => reenroll = true,
            ast::SettingKind::Goal(c) => goals.push(gen.condition(c)),
            ast::SettingKind::UnenrollWhen(c) => unenroll.push(gen.condition(c)),
        }
    }

    gen.block(&wf.body, 1, None);
    let start = if wf.body.steps.is_empty() {
        None
    } else {
        Some(node_id(1))
    };

    Plan {
        format: PLAN_FORMAT.to_string(),
        name: wf.name.value.to_string(),
        object: object.to_string(),
        centered_on: wf.centered.as_ref().map(|c| match &c.kind {
            ast::CenteringKind::Date(d) => Centering::Date(date(d)),
            ast::CenteringKind::Property(p) => Centering::Property(p.name.to_string()),
        }),
        triggers,
        reenroll,
        goals,
        unenroll,
        start,
        nodes: gen.nodes,
        source: location(sources, wf.keyword),
    }
}

fn node_id(n: usize) -> String {
    format!("n{n}")
}

/// Number of nodes a step contributes (itself plus every step of its paths).
fn step_size(step: &ast::Step) -> usize {
    1 + child_blocks(step).map(block_size).sum::<usize>()
}

fn block_size(block: &ast::Block) -> usize {
    block.steps.iter().map(step_size).sum()
}

/// The paths of an `if` / `branch` in source order (none for other steps).
fn child_blocks(step: &ast::Step) -> impl Iterator<Item = &ast::Block> {
    let (first, rest): (Vec<&ast::Block>, Option<&ast::Block>) = match &step.kind {
        ast::StepKind::If { arms, else_block } => {
            (arms.iter().map(|a| &a.block).collect(), else_block.as_ref())
        }
        ast::StepKind::Branch {
            cases, else_block, ..
        } => (
            cases.iter().map(|c| &c.block).collect(),
            else_block.as_ref(),
        ),
        _ => (Vec::new(), None),
    };
    first.into_iter().chain(rest)
}

fn location(sources: &SourceMap, span: Span) -> SourceLocation {
    let lc = sources.line_col(span.file, span.start as usize);
    SourceLocation {
        file: sources.name(span.file).to_string(),
        line: lc.line,
        column: lc.column,
    }
}

struct Gen<'a> {
    sources: &'a SourceMap,
    /// The workflow's object type.
    object: &'a str,
    /// Label → node id (the first definition wins; duplicates are WF105).
    labels: BTreeMap<String, String>,
    nodes: Vec<Node>,
}

impl Gen<'_> {
    /// Record the node id of every labelled step; `first` is the id of the
    /// block's first step.
    fn collect_labels(&mut self, block: &ast::Block, first: usize) {
        let mut id = first;
        for step in &block.steps {
            if let Some(label) = &step.label {
                self.labels
                    .entry(label.name.to_string())
                    .or_insert_with(|| node_id(id));
            }
            let mut child = id + 1;
            for b in child_blocks(step) {
                self.collect_labels(b, child);
                child += block_size(b);
            }
            id += step_size(step);
        }
    }

    /// Emit the nodes of `block`, whose first step is node `first`, and whose
    /// last step continues at `cont`. Returns the block's entry: its first
    /// node, or `cont` for an empty block.
    fn block(&mut self, block: &ast::Block, first: usize, cont: Option<&str>) -> Option<String> {
        let mut id = first;
        let mut iter = block.steps.iter().peekable();
        while let Some(step) = iter.next() {
            let size = step_size(step);
            let next = if iter.peek().is_some() {
                Some(node_id(id + size))
            } else {
                cont.map(str::to_string)
            };
            self.step(step, id, next);
            id += size;
        }
        if block.steps.is_empty() {
            cont.map(str::to_string)
        } else {
            Some(node_id(first))
        }
    }

    fn step(&mut self, step: &ast::Step, id: usize, next: Option<String>) {
        // Push the node first (pre-order), fill in a branch's edges after its
        // paths are generated.
        let index = self.nodes.len();
        self.nodes.push(Node {
            id: node_id(id),
            label: step.label.as_ref().map(|l| l.name.to_string()),
            action: Action::Goto {
                target: String::new(),
                label: String::new(),
            },
            next: next.clone(),
            source: location(self.sources, step.keyword),
        });

        let mut node_next = next.clone();
        let action = match &step.kind {
            ast::StepKind::Delay(d) => Action::Delay {
                minutes: d.total_minutes(),
            },
            ast::StepKind::DelayUntilTime { days, time } => Action::DelayUntilTime {
                days: days.iter().map(|d| d.day.as_str().to_string()).collect(),
                time: time.as_ref().map(time_of_day),
            },
            ast::StepKind::DelayUntilEvent { event: e, max } => Action::DelayUntilEvent {
                event: event(e),
                max_minutes: max.as_ref().map(ast::Duration::total_minutes),
                timeout_next: if max.is_some() { next.clone() } else { None },
            },
            ast::StepKind::DelayUntilDate { offset, time } => Action::DelayUntilDate {
                offset_minutes: offset.as_ref().map_or(0, |o| {
                    let m = i64::try_from(o.amount.total_minutes()).unwrap_or(i64::MAX);
                    match o.direction {
                        ast::OffsetDirection::Before => -m,
                        ast::OffsetDirection::After => m,
                    }
                }),
                time: time.as_ref().map(time_of_day),
            },
            ast::StepKind::If { arms, else_block } => {
                node_next = None;
                let mut child = id + 1;
                let mut cases = Vec::with_capacity(arms.len());
                for (i, arm) in arms.iter().enumerate() {
                    let entry = self.block(&arm.block, child, next.as_deref());
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
                    Some(b) => self.block(b, child, next.as_deref()),
                    None => next.clone(),
                };
                Action::BranchIf { cases, else_next }
            }
            ast::StepKind::Branch {
                path,
                cases,
                else_block,
            } => {
                node_next = None;
                let mut child = id + 1;
                let mut out = Vec::with_capacity(cases.len());
                for case in cases {
                    let entry = self.block(&case.block, child, next.as_deref());
                    child += block_size(&case.block);
                    out.push(ValueCase {
                        values: case.values.iter().map(|v| self.value(v)).collect(),
                        next: entry,
                    });
                }
                let else_next = match else_block {
                    Some(b) => self.block(b, child, next.as_deref()),
                    None => next.clone(),
                };
                Action::BranchValue {
                    property: self.path(path),
                    cases: out,
                    else_next,
                }
            }
            ast::StepKind::Goto(label) => {
                node_next = None;
                Action::Goto {
                    target: self
                        .labels
                        .get(label.name.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    label: label.name.to_string(),
                }
            }
            ast::StepKind::EnrollIn(name) => Action::EnrollInWorkflow {
                workflow: name.value.to_string(),
            },
            ast::StepKind::Webhook { method, url } => Action::Webhook {
                method: match method {
                    ast::HttpMethod::Get => HttpMethod::Get,
                    ast::HttpMethod::Post => HttpMethod::Post,
                },
                url: url.value.to_string(),
            },
            ast::StepKind::SendInternalEmail { to, subject, body } => Action::SendInternalEmail {
                to: to.iter().map(recipient).collect(),
                subject: self.template(subject),
                body: self.template(body),
            },
            ast::StepKind::SendInternalSms { to, text } => Action::SendInternalSms {
                to: to
                    .iter()
                    .map(|r| match &r.kind {
                        ast::SmsRecipientKind::User(s) => SmsRecipient::User(s.value.to_string()),
                        ast::SmsRecipientKind::Number(s) => {
                            SmsRecipient::Number(s.value.to_string())
                        }
                    })
                    .collect(),
                text: self.template(text),
            },
            ast::StepKind::SendNotification { to, subject, body } => Action::SendNotification {
                to: to.iter().map(recipient).collect(),
                subject: self.template(subject),
                body: self.template(body),
            },
            ast::StepKind::SendEmail(name) => Action::SendEmail {
                email: name.value.to_string(),
            },
            ast::StepKind::SendInternalMarketingEmail { email, to } => {
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
            ast::StepKind::SendSlack { target, text } => Action::SendSlack {
                to: match target {
                    ast::SlackTarget::Channel(c) => SlackTarget::Channel(self.template(c)),
                    ast::SlackTarget::User(u) => SlackTarget::User(u.value.to_string()),
                },
                text: self.template(text),
            },
            ast::StepKind::CreateSlackChannel { name, visibility } => Action::CreateSlackChannel {
                name: self.template(name),
                private: matches!(
                    visibility,
                    Some(ast::VisibilityLit {
                        value: ast::Visibility::Private,
                        ..
                    })
                ),
            },
            ast::StepKind::CreateAsanaTask { title, project } => Action::CreateAsanaTask {
                title: self.template(title),
                project: project.value.to_string(),
            },
            ast::StepKind::AppAction {
                app,
                action,
                fields,
            } => Action::AppAction {
                app: app.value.to_string(),
                action: action.value.to_string(),
                fields: fields.iter().map(|f| self.field(f)).collect(),
            },
            ast::StepKind::RotateOwner { among, overwrite } => {
                let (team, users) = match among {
                    ast::RotateAmong::Team(t) => (Some(t.value.to_string()), Vec::new()),
                    ast::RotateAmong::Users(us) => {
                        (None, us.iter().map(|u| u.value.to_string()).collect())
                    }
                };
                Action::RotateOwner {
                    team,
                    users,
                    overwrite: overwrite.is_some(),
                }
            }
            ast::StepKind::CreateRecord { object, fields } => Action::CreateRecord {
                object: object.name.to_string(),
                properties: fields.iter().map(|f| self.field(f)).collect(),
            },
            ast::StepKind::CreateTask {
                title,
                due,
                for_owner,
            } => Action::CreateTask {
                title: self.template(title),
                due_minutes: due.as_ref().map(ast::Duration::total_minutes),
                for_owner: for_owner.is_some(),
            },
            ast::StepKind::Set { path, value } => Action::SetProperty {
                target: self.path(path),
                value: self.value(value),
            },
            ast::StepKind::Append { path, value } => Action::AppendProperty {
                target: self.path(path),
                value: self.value(value),
            },
            ast::StepKind::Copy { from, to, append } => Action::CopyProperty {
                source: self.path(from),
                target: self.path(to),
                append: append.is_some(),
            },
            ast::StepKind::Clear(path) => Action::ClearProperty {
                target: self.path(path),
            },
            ast::StepKind::Increase { path, by } => Action::IncreaseProperty {
                target: self.path(path),
                by: number(by),
            },
            ast::StepKind::Decrease { path, by } => Action::DecreaseProperty {
                target: self.path(path),
                by: number(by),
            },
            ast::StepKind::AddToList(l) => Action::AddToList {
                list: l.value.to_string(),
            },
            ast::StepKind::RemoveFromList(l) => Action::RemoveFromList {
                list: l.value.to_string(),
            },
            ast::StepKind::AddToAudience(a) => Action::AddToAudience {
                audience: a.value.to_string(),
            },
            ast::StepKind::RemoveFromAudience(a) => Action::RemoveFromAudience {
                audience: a.value.to_string(),
            },
            ast::StepKind::Subscription {
                status,
                subscription,
                basis,
                explanation,
            } => Action::SetSubscription {
                subscription: subscription.value.to_string(),
                status: match status {
                    ast::SubscriptionStatus::OptIn => SubscriptionStatus::OptedIn,
                    ast::SubscriptionStatus::OptOut => SubscriptionStatus::OptedOut,
                },
                basis: basis.as_ref().map(|b| b.value.as_str().to_string()),
                explanation: explanation.as_ref().map(|e| self.template(e)),
            },
            ast::StepKind::SalesforceTask { subject, assignee } => Action::SalesforceTask {
                subject: self.template(subject),
                assignee: assignee.as_ref().map(|a| {
                    match a.value {
                        ast::SalesforceAssignee::Owner => "owner",
                        ast::SalesforceAssignee::IntegrationUser => "integration_user",
                    }
                    .to_string()
                }),
            },
            ast::StepKind::SalesforceCampaign(c) => Action::SalesforceCampaign {
                campaign: c.value.to_string(),
            },
        };

        if let Some(node) = self.nodes.get_mut(index) {
            node.action = action;
            node.next = node_next;
        }
    }

    /// A path: `object: null` for the enrolled record (a bare property, or one
    /// qualified with the workflow's own object type).
    fn path(&self, path: &ast::Path) -> PropertyRef {
        PropertyRef {
            object: path
                .object
                .as_ref()
                .filter(|o| o.name != self.object)
                .map(|o| o.name.to_string()),
            property: path.property.name.to_string(),
        }
    }

    fn template(&self, s: &ast::StrLit) -> Template {
        Template(
            s.parts()
                .map(|p| match p {
                    ast::StrPart::Text(t) => TemplatePart::Text(t.to_string()),
                    ast::StrPart::Token(t) => TemplatePart::Token {
                        object: t
                            .object
                            .as_ref()
                            .map_or_else(|| self.object.to_string(), |o| o.name.to_string()),
                        property: t.property.name.to_string(),
                    },
                })
                .collect(),
        )
    }

    fn field(&self, f: &ast::Field) -> Field {
        Field {
            property: f.key.name.to_string(),
            value: self.value(&f.value),
        }
    }

    fn value(&self, v: &ast::Value) -> Value {
        match &v.kind {
            ast::ValueKind::String(s) => {
                if s.has_tokens() {
                    Value::Template {
                        template: self.template(s),
                    }
                } else {
                    Value::String(s.value.to_string())
                }
            }
            ast::ValueKind::Number(n) => Value::Number(number(n)),
            ast::ValueKind::Bool(b) => Value::Bool(*b),
            ast::ValueKind::Date(d) => Value::String(date(d)),
            ast::ValueKind::List(items) => {
                Value::List(items.iter().map(|i| self.value(i)).collect())
            }
        }
    }

    /// A list value as its items (a lone value as a one-item list).
    fn values(&self, v: &ast::Value) -> Vec<Value> {
        match &v.kind {
            ast::ValueKind::List(items) => items.iter().map(|i| self.value(i)).collect(),
            _ => vec![self.value(v)],
        }
    }

    /// A condition tree: groups disappear, and an `and` (`or`) directly
    /// inside an `and` (`or`) — which only a group can produce — is merged
    /// into its parent.
    fn condition(&self, c: &ast::Condition) -> Condition {
        match &c.kind {
            ast::ConditionKind::Group(inner) => self.condition(inner),
            ast::ConditionKind::And(items) => {
                let mut all = Vec::with_capacity(items.len());
                for item in items {
                    match self.condition(item) {
                        Condition::And { all: inner } => all.extend(inner),
                        other => all.push(other),
                    }
                }
                Condition::And { all }
            }
            ast::ConditionKind::Or(items) => {
                let mut any = Vec::with_capacity(items.len());
                for item in items {
                    match self.condition(item) {
                        Condition::Or { any: inner } => any.extend(inner),
                        other => any.push(other),
                    }
                }
                Condition::Or { any }
            }
            ast::ConditionKind::Not(inner) => Condition::Not {
                condition: Box::new(self.condition(inner)),
            },
            ast::ConditionKind::Compare {
                path, op, value, ..
            } => Condition::Compare {
                property: self.path(path),
                cmp: match op {
                    ast::CompareOp::Is => CompareOp::Is,
                    ast::CompareOp::IsNot => CompareOp::IsNot,
                    ast::CompareOp::Gt => CompareOp::Gt,
                    ast::CompareOp::Ge => CompareOp::Ge,
                    ast::CompareOp::Lt => CompareOp::Lt,
                    ast::CompareOp::Le => CompareOp::Le,
                },
                value: self.value(value),
            },
            ast::ConditionKind::In {
                path,
                negated,
                values,
                ..
            } => Condition::In {
                property: self.path(path),
                negated: *negated,
                values: self.values(values),
            },
            ast::ConditionKind::Contains { path, text, .. } => Condition::Contains {
                property: self.path(path),
                text: text.value.to_string(),
            },
            ast::ConditionKind::Known { path, known, .. } => Condition::Known {
                property: self.path(path),
                known: *known,
            },
            ast::ConditionKind::Event(e) => Condition::Event { event: event(e) },
        }
    }
}

fn recipient(r: &ast::Recipient) -> Recipient {
    match &r.kind {
        ast::RecipientKind::Owner => Recipient::Owner,
        ast::RecipientKind::User(u) => Recipient::User(u.value.to_string()),
        ast::RecipientKind::Team(t) => Recipient::Team(t.value.to_string()),
    }
}

fn event(e: &ast::Event) -> Event {
    match &e.kind {
        ast::EventKind::FormSubmitted(n) => Event::FormSubmitted {
            name: n.value.to_string(),
        },
        ast::EventKind::PageViewed(u) => Event::PageViewed {
            url: u.value.to_string(),
        },
        ast::EventKind::Email { name, action } => {
            let name = name.value.to_string();
            match action {
                ast::EmailAction::Opened => Event::EmailOpened { name },
                ast::EmailAction::Clicked => Event::EmailClicked { name },
                ast::EmailAction::Replied => Event::EmailReplied { name },
            }
        }
        ast::EventKind::Custom(n) => Event::Custom {
            name: n.value.to_string(),
        },
    }
}

/// `YYYY-MM-DD`.
fn date(d: &ast::DateLit) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// `HH:MM`.
fn time_of_day(t: &ast::TimeLit) -> String {
    format!("{:02}:{:02}", t.hour, t.minute)
}

/// A number literal as JSON: an integer when written as one (`42`, `-3`),
/// else a float (`12.5`). Floats out of range saturate.
fn number(n: &ast::NumberLit) -> serde_json::Number {
    if let Ok(i) = n.raw.parse::<i64>() {
        return i.into();
    }
    if let Ok(u) = n.raw.parse::<u64>() {
        return u.into();
    }
    let v = if n.value.is_finite() {
        n.value
    } else if n.value.is_sign_negative() {
        f64::MIN
    } else {
        f64::MAX
    };
    serde_json::Number::from_f64(v).unwrap_or_else(|| 0.into())
}

#[cfg(test)]
mod tests {
    //! Edges on hand-built ASTs (the text-level tests are in `tests/plan_edges.rs`).
    use super::{number, workflow_plan};
    use crate::plan::types::{Action, Node, Plan};
    use crate::source::{SourceMap, Span};
    use crate::syntax::ast::*;

    fn sp() -> Span {
        Span::default()
    }
    fn ident(s: &str) -> Ident {
        Ident {
            name: s.into(),
            span: sp(),
        }
    }
    fn lit(s: &str) -> StrLit {
        StrLit {
            value: s.into(),
            tokens: Box::default(),
            span: sp(),
        }
    }
    fn step(kind: StepKind) -> Step {
        Step {
            label: None,
            kind,
            span: sp(),
            keyword: sp(),
        }
    }
    fn labelled(label: &str, kind: StepKind) -> Step {
        Step {
            label: Some(Box::new(ident(label))),
            ..step(kind)
        }
    }
    fn block(steps: Vec<Step>) -> Block {
        Block { steps, span: sp() }
    }
    fn list(name: &str) -> Step {
        step(StepKind::AddToList(lit(name)))
    }
    fn cond(prop: &str) -> Condition {
        Condition {
            kind: ConditionKind::Known {
                path: Path {
                    object: None,
                    property: ident(prop),
                    span: sp(),
                },
                known: true,
                op_span: sp(),
            },
            span: sp(),
        }
    }
    fn if_(arms: Vec<Block>, else_block: Option<Block>) -> Step {
        step(StepKind::If {
            arms: arms
                .into_iter()
                .map(|b| IfArm {
                    condition: cond("email"),
                    block: b,
                    span: sp(),
                })
                .collect(),
            else_block,
        })
    }
    fn plan(steps: Vec<Step>) -> Plan {
        let mut sources = SourceMap::new();
        let file = sources.add("t.wf", "");
        let wf = Workflow {
            name: lit("T"),
            object: ident("contact"),
            centered: None,
            settings: Vec::new(),
            body: block(steps),
            span: Span::new(file, 0, 0),
            keyword: Span::new(file, 0, 0),
            has_syntax_error: false,
        };
        workflow_plan(&wf, &sources)
    }
    fn node<'p>(p: &'p Plan, id: &str) -> &'p Node {
        p.nodes.iter().find(|n| n.id == id).expect("node exists")
    }
    fn next(p: &Plan, id: &str) -> Option<String> {
        node(p, id).next.clone()
    }
    fn s(id: &str) -> Option<String> {
        Some(id.to_string())
    }

    #[test]
    fn empty_workflow_has_no_start() {
        let p = plan(Vec::new());
        assert_eq!(p.start, None);
        assert!(p.nodes.is_empty());
    }

    #[test]
    fn nested_if_in_branch_joins_at_each_level() {
        // n1 branch { "A" { n2 if { n3 } else { n4 }  n5 }  else { } }  n6
        let inner = if_(vec![block(vec![list("a")])], Some(block(vec![list("b")])));
        let branch = step(StepKind::Branch {
            path: Path {
                object: None,
                property: ident("lifecyclestage"),
                span: sp(),
            },
            cases: vec![BranchCase {
                values: vec![Value {
                    kind: ValueKind::String(lit("lead")),
                    span: sp(),
                }],
                block: block(vec![inner, list("c")]),
                span: sp(),
            }],
            else_block: Some(block(Vec::new())),
        });
        let p = plan(vec![branch, list("d")]);
        let ids: Vec<&str> = p.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["n1", "n2", "n3", "n4", "n5", "n6"]);
        assert_eq!(p.start, s("n1"));
        match &node(&p, "n1").action {
            Action::BranchValue {
                cases, else_next, ..
            } => {
                assert_eq!(cases[0].next, s("n2"));
                // empty else path: straight to the join node
                assert_eq!(*else_next, s("n6"));
            }
            other => panic!("unexpected {other:?}"),
        }
        match &node(&p, "n2").action {
            Action::BranchIf { cases, else_next } => {
                assert_eq!(cases[0].next, s("n3"));
                assert_eq!(*else_next, s("n4"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(next(&p, "n1"), None);
        assert_eq!(next(&p, "n2"), None);
        assert_eq!(next(&p, "n3"), s("n5"));
        assert_eq!(next(&p, "n4"), s("n5"));
        assert_eq!(next(&p, "n5"), s("n6"));
        assert_eq!(next(&p, "n6"), None);
    }

    #[test]
    fn last_branch_without_else_joins_to_the_end() {
        let p = plan(vec![if_(vec![block(vec![list("a")])], None)]);
        match &node(&p, "n1").action {
            Action::BranchIf { cases, else_next } => {
                assert_eq!(cases[0].next, s("n2"));
                assert_eq!(*else_next, None);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(next(&p, "n2"), None);
    }

    #[test]
    fn goto_targets_the_labelled_node_in_another_path() {
        // n1 if { n2 notify: list } else if { n3 goto notify } ; n4
        let p = plan(vec![
            if_(
                vec![
                    block(vec![labelled("notify", StepKind::AddToList(lit("x")))]),
                    block(vec![step(StepKind::Goto(ident("notify")))]),
                ],
                None,
            ),
            list("after"),
        ]);
        let goto = node(&p, "n3");
        assert_eq!(
            goto.action,
            Action::Goto {
                target: "n2".into(),
                label: "notify".into()
            }
        );
        assert_eq!(goto.next, None);
        assert_eq!(node(&p, "n2").label.as_deref(), Some("notify"));
        assert_eq!(next(&p, "n2"), s("n4"));
        match &node(&p, "n1").action {
            Action::BranchIf { cases, else_next } => {
                assert_eq!(cases[1].path, "else if 1");
                assert_eq!(cases[1].next, s("n3"));
                assert_eq!(*else_next, s("n4"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn event_wait_with_max_times_out_to_the_next_step() {
        let dur = |m| Duration {
            parts: vec![DurationPart {
                amount: m,
                unit: DurationUnit::Days,
                span: sp(),
            }],
            span: sp(),
        };
        let ev = || Event {
            kind: EventKind::PageViewed(lit("/pricing")),
            span: sp(),
        };
        let p = plan(vec![
            step(StepKind::DelayUntilEvent {
                event: ev(),
                max: Some(dur(7)),
            }),
            step(StepKind::DelayUntilEvent {
                event: ev(),
                max: None,
            }),
            list("x"),
        ]);
        assert_eq!(
            node(&p, "n1").action,
            Action::DelayUntilEvent {
                event: crate::plan::types::Event::PageViewed {
                    url: "/pricing".into()
                },
                max_minutes: Some(7 * 24 * 60),
                timeout_next: s("n2"),
            }
        );
        assert_eq!(next(&p, "n1"), s("n2"));
        match &node(&p, "n2").action {
            Action::DelayUntilEvent {
                max_minutes,
                timeout_next,
                ..
            } => {
                assert_eq!(*max_minutes, None);
                assert_eq!(*timeout_next, None);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn numbers_keep_integers_integral() {
        let n = |raw: &str, value: f64| NumberLit {
            value,
            raw: raw.into(),
            span: sp(),
        };
        assert_eq!(serde_json::to_string(&number(&n("42", 42.0))).ok(), s("42"));
        assert_eq!(serde_json::to_string(&number(&n("-3", -3.0))).ok(), s("-3"));
        assert_eq!(
            serde_json::to_string(&number(&n("12.5", 12.5))).ok(),
            s("12.5")
        );
        // absurd literals saturate instead of failing
        let huge = number(&n(&"9".repeat(400), f64::INFINITY));
        assert_eq!(huge.as_f64(), Some(f64::MAX));
    }
}
