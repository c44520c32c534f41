//! Name resolution (WF101–WF107): properties, object types, workflows,
//! labels and account resources. Every unknown name gets a "did you mean"
//! help when a known name is within edit distance 2.

use super::{did_you_mean, has_tokens, Ancestry, Checker, LabelInfo, Resolved, Wf, WorkflowInfo};
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::schema::Schema;
use crate::source::Span;
use crate::syntax::ast::{self, StepKind};

/// The workflow's object type, or WF102 (then `None`: rules that need the
/// object type are skipped for this workflow).
pub(super) fn workflow_object<'a>(cx: &mut Checker<'a>, w: &ast::Workflow) -> Option<&'a str> {
    match cx.env.schema.objects.get_key_value(w.object.name.as_str()) {
        Some((name, _)) => Some(name.as_str()),
        None => {
            let d = wf102_unknown_object(&cx.env.schema, &w.object);
            cx.push_name(d);
            None
        }
    }
}

/// Record a workflow's name; a second workflow with the same name is WF106.
pub(super) fn workflow_name(cx: &mut Checker, w: &ast::Workflow) {
    if let Some(first) = cx.workflows.get(w.name.value.as_str()) {
        let first = first.name_span;
        cx.push(wf106_duplicate_workflow(&w.name, first));
        return;
    }
    let known_object = cx.env.schema.object(&w.object.name).is_some();
    cx.workflows.insert(
        w.name.value.to_string(),
        WorkflowInfo {
            object: w.object.name.to_string(),
            known_object,
            name_span: w.name.span,
        },
    );
}

/// Resolve `prop` or `object.prop` in a workflow. Reports WF102 (unknown
/// object type) or WF101 (unknown property, or a type not associated with
/// the workflow's object) and returns `None` then. `object.prop` naming the
/// workflow's own type is the enrolled record itself.
pub(super) fn path<'a>(
    cx: &mut Checker<'a>,
    wf: &Wf<'a>,
    path: &ast::Path,
) -> Option<Resolved<'a>> {
    let wf_object = wf.object?;
    let schema = &cx.env.schema;
    let (object, associated) = match &path.object {
        None => (wf_object, false),
        Some(o) => match schema.objects.get_key_value(o.name.as_str()) {
            None => {
                let d = wf102_unknown_object(schema, o);
                cx.push_name(d);
                return None;
            }
            Some((name, _)) if name == wf_object => (name.as_str(), false),
            Some((name, _)) => {
                if !schema.associated(wf_object, name) {
                    let d = wf101_not_associated(schema, wf_object, o);
                    cx.push(d);
                    return None;
                }
                (name.as_str(), true)
            }
        },
    };
    match schema
        .objects
        .get(object)
        .and_then(|def| def.properties.get(path.property.name.as_str()))
    {
        Some(ty) => Some(Resolved {
            object,
            ty,
            associated,
        }),
        None => {
            let d = wf101_unknown_property(schema, object, &path.property);
            cx.push_name(d);
            None
        }
    }
}

/// A personalisation token `{{ object.prop }}` / `{{ prop }}` (WF208).
pub(super) fn token(cx: &mut Checker, wf: &Wf, t: &ast::TokenRef) {
    let Some(wf_object) = wf.object else {
        return;
    };
    let schema = &cx.env.schema;
    let object = match &t.object {
        None => wf_object,
        Some(o) => match schema.objects.get_key_value(o.name.as_str()) {
            None => {
                let help = did_you_mean(&o.name, token_objects(schema, wf_object));
                cx.push_name(super::types::wf208_token_unknown_object(o, help));
                return;
            }
            Some((name, _)) => {
                if name != wf_object && !schema.associated(wf_object, name) {
                    cx.push(super::types::wf208_token_not_associated(
                        o, wf_object, schema,
                    ));
                    return;
                }
                name.as_str()
            }
        },
    };
    let Some(def) = schema.object(object) else {
        return;
    };
    if !def.properties.contains_key(t.property.name.as_str()) {
        let help = did_you_mean(&t.property.name, def.properties.keys().map(String::as_str));
        cx.push_name(super::types::wf208_token_unknown_property(
            &t.property,
            object,
            help,
        ));
    }
}

/// Object types a token may name in a workflow of `object`.
fn token_objects<'s>(schema: &'s Schema, object: &'s str) -> Vec<&'s str> {
    let mut v = schema.associations_of(object);
    v.push(object);
    v
}

/// Collect the labels of a workflow with their place among branch paths;
/// a label used twice is WF105 (on the later one).
pub(super) fn collect_labels(
    cx: &mut Checker,
    wf: &mut Wf,
    block: &ast::Block,
    ancestry: &mut Ancestry,
) {
    for step in &block.steps {
        if let Some(l) = &step.label {
            if let Some(first) = wf.labels.get(l.name.as_str()) {
                let first = first.span;
                cx.push(wf105_duplicate_label(l, first));
            } else {
                wf.labels.insert(
                    l.name.to_string(),
                    LabelInfo {
                        ancestry: ancestry.clone(),
                        span: l.span,
                    },
                );
            }
        }
        let id = step.span.start;
        match &step.kind {
            StepKind::If { arms, else_block } => {
                for (i, arm) in arms.iter().enumerate() {
                    ancestry.push((id, i));
                    collect_labels(cx, wf, &arm.block, ancestry);
                    ancestry.pop();
                }
                if let Some(b) = else_block {
                    ancestry.push((id, arms.len()));
                    collect_labels(cx, wf, b, ancestry);
                    ancestry.pop();
                }
            }
            StepKind::Branch {
                cases, else_block, ..
            } => {
                for (i, case) in cases.iter().enumerate() {
                    ancestry.push((id, i));
                    collect_labels(cx, wf, &case.block, ancestry);
                    ancestry.pop();
                }
                if let Some(b) = else_block {
                    ancestry.push((id, cases.len()));
                    collect_labels(cx, wf, b, ancestry);
                    ancestry.pop();
                }
            }
            _ => {}
        }
    }
}

/// The label a `goto` names, or WF104.
pub(super) fn label<'w>(cx: &mut Checker, wf: &'w Wf, label: &ast::Ident) -> Option<&'w LabelInfo> {
    match wf.labels.get(label.name.as_str()) {
        Some(l) => Some(l),
        None => {
            let help = did_you_mean(&label.name, wf.labels.keys().map(String::as_str));
            cx.push(wf104_unknown_label(label, help));
            None
        }
    }
}

/// The workflow `enroll in` names, or WF103.
pub(super) fn enroll_target(cx: &mut Checker, name: &ast::StrLit) -> Option<(String, bool)> {
    if let Some(w) = cx.workflows.get(name.value.as_str()) {
        return Some((w.object.clone(), w.known_object));
    }
    let help = did_you_mean(&name.value, cx.workflows.keys().map(String::as_str));
    cx.push(wf103_unknown_workflow(name, help));
    None
}

/// Kinds of account resources declared in `[resources]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Resource {
    Email,
    List,
    Team,
    User,
    Form,
    Audience,
    Subscription,
}

impl Resource {
    fn noun(self) -> &'static str {
        match self {
            Resource::Email => "email",
            Resource::List => "list",
            Resource::Team => "team",
            Resource::User => "user",
            Resource::Form => "form",
            Resource::Audience => "audience",
            Resource::Subscription => "subscription",
        }
    }
    fn key(self) -> &'static str {
        match self {
            Resource::Email => "emails",
            Resource::List => "lists",
            Resource::Team => "teams",
            Resource::User => "users",
            Resource::Form => "forms",
            Resource::Audience => "audiences",
            Resource::Subscription => "subscriptions",
        }
    }
}

/// WF107 when the manifest declares this kind of resource and the name is
/// not among them. Names holding tokens are filled in at run time and not
/// checked. An audience also exists when some `add to audience` creates it.
pub(super) fn resource(cx: &mut Checker, kind: Resource, name: &ast::StrLit) {
    if has_tokens(name) {
        return;
    }
    let r = &cx.env.resources;
    let known: Option<Vec<&str>> = match kind {
        Resource::Email => r
            .emails
            .as_ref()
            .map(|v| v.iter().map(String::as_str).collect()),
        Resource::List => r
            .lists
            .as_ref()
            .map(|v| v.iter().map(String::as_str).collect()),
        Resource::Team => r
            .teams
            .as_ref()
            .map(|t| t.keys().map(String::as_str).collect()),
        Resource::User => r
            .users
            .as_ref()
            .map(|v| v.iter().map(String::as_str).collect()),
        Resource::Form => r
            .forms
            .as_ref()
            .map(|v| v.iter().map(String::as_str).collect()),
        Resource::Audience => r.audiences.as_ref().map(|v| {
            v.iter()
                .map(String::as_str)
                .chain(cx.audiences_created.iter().map(String::as_str))
                .collect()
        }),
        Resource::Subscription => r
            .subscriptions
            .as_ref()
            .map(|v| v.iter().map(String::as_str).collect()),
    };
    let Some(known) = known else {
        return;
    };
    let found = if kind == Resource::User {
        known.iter().any(|k| k.eq_ignore_ascii_case(&name.value))
    } else {
        known.contains(&name.value.as_str())
    };
    if !found {
        let help = did_you_mean(&name.value, known.iter().copied());
        cx.push(wf107_unknown_resource(kind, name, help));
    }
}

// ------------------------------------------------------------ diagnostics

pub(super) fn wf101_unknown_property(
    schema: &Schema,
    object: &str,
    prop: &ast::Ident,
) -> Diagnostic {
    let help = schema
        .object(object)
        .and_then(|o| did_you_mean(&prop.name, o.properties.keys().map(String::as_str)));
    let d = Diagnostic::new(
        Code::WF101,
        format!(
            "unknown property `{}` on {object}",
            crate::syntax::shorten(&prop.name)
        ),
        Label::new(prop.span, format!("not a property of {object}")),
    );
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

fn wf101_not_associated(schema: &Schema, wf_object: &str, object: &ast::Ident) -> Diagnostic {
    let assoc = schema.associations_of(wf_object);
    let help = if assoc.is_empty() {
        format!("{wf_object} records have no associated object types")
    } else {
        format!(
            "{wf_object} records are associated with {}",
            assoc
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Diagnostic::new(
        Code::WF101,
        format!(
            "`{}` is not associated with {wf_object}",
            crate::syntax::shorten(&object.name)
        ),
        Label::new(object.span, "not an associated object type"),
    )
    .with_help(help)
}

pub(super) fn wf102_unknown_object(schema: &Schema, object: &ast::Ident) -> Diagnostic {
    let help = did_you_mean(&object.name, schema.objects.keys().map(String::as_str))
        .unwrap_or_else(|| {
            format!(
                "object types are {}",
                schema
                    .objects
                    .keys()
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
    Diagnostic::new(
        Code::WF102,
        format!(
            "unknown object type `{}`",
            crate::syntax::shorten(&object.name)
        ),
        Label::new(object.span, "unknown object type"),
    )
    .with_help(help)
}

fn wf103_unknown_workflow(name: &ast::StrLit, help: Option<String>) -> Diagnostic {
    let d = Diagnostic::new(
        Code::WF103,
        format!("unknown workflow \"{}\"", name.value),
        Label::new(name.span, "no workflow has this name"),
    );
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

fn wf104_unknown_label(label: &ast::Ident, help: Option<String>) -> Diagnostic {
    let d = Diagnostic::new(
        Code::WF104,
        format!("unknown label `{}`", crate::syntax::shorten(&label.name)),
        Label::new(label.span, "no step has this label"),
    );
    d.with_help(help.unwrap_or_else(|| format!("label the target step: `{}: <step>`", label.name)))
}

fn wf105_duplicate_label(label: &ast::Ident, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WF105,
        format!(
            "label `{}` is used twice in this workflow",
            crate::syntax::shorten(&label.name)
        ),
        Label::new(label.span, "label already used"),
    )
    .with_secondary(Label::new(first, "first used here"))
    .with_help("give this step another label")
}

fn wf106_duplicate_workflow(name: &ast::StrLit, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WF106,
        format!("a workflow named \"{}\" already exists", name.value),
        Label::new(name.span, "duplicate workflow name"),
    )
    .with_secondary(Label::new(first, "first declared here"))
    .with_help("workflow names are unique across all files checked together: rename one")
}

fn wf107_unknown_resource(kind: Resource, name: &ast::StrLit, help: Option<String>) -> Diagnostic {
    let d = Diagnostic::new(
        Code::WF107,
        format!("unknown {} \"{}\"", kind.noun(), name.value),
        Label::new(name.span, format!("not in `{}` of wf.toml", kind.key())),
    );
    d.with_help(
        help.unwrap_or_else(|| {
            format!("add it to `{}` under `[resources]` in wf.toml", kind.key())
        }),
    )
}
