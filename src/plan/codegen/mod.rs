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

mod action;

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

        let (action, node_next) = self.action(step, id, next);
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
mod tests;
