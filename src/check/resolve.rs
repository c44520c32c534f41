//! Name resolution (WF101–WF107): properties, object types, workflows,
//! labels and account resources. Every unknown name gets a "did you mean"
//! help when a known name is within edit distance 2.

use super::{has_tokens, Ancestry, Checker, LabelInfo, Resolved, Wf, WorkflowInfo};
use crate::diagnostics::{Code, Diagnostic, Label};
use std::borrow::Cow;
use std::collections::HashSet;

use crate::schema::{Environment, Resources, Schema};
use crate::source::Span;
use crate::syntax::ast::{self, StepKind};

/// The workflow's object type, or WF102 (then `None`: rules that need the
/// object type are skipped for this workflow).
pub(super) fn workflow_object<'a>(cx: &mut Checker<'a>, w: &ast::Workflow) -> Option<&'a str> {
    match cx.env.schema.objects.get_key_value(w.object.name.as_str()) {
        Some((name, _)) => Some(name.as_str()),
        None => {
            let d = wf102_unknown_object(cx, &w.object);
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
                let d = wf102_unknown_object(cx, o);
                cx.push_name(d);
                return None;
            }
            Some((name, _)) if name == wf_object => (name.as_str(), false),
            Some((name, _)) => {
                if !schema.associated(wf_object, name) {
                    let d = wf101_not_associated(schema, wf_object, o);
                    cx.push_name(d);
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
            let d = wf101_unknown_property(cx, object, &path.property);
            cx.push_name(d);
            None
        }
    }
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

/// The label a `goto` names, or WF104 (not in a workflow with a syntax
/// error, whose broken steps may hold the label).
pub(super) fn label<'w>(cx: &mut Checker, wf: &'w Wf, label: &ast::Ident) -> Option<&'w LabelInfo> {
    match wf.labels.get(label.name.as_str()) {
        Some(l) => Some(l),
        None if wf.has_syntax_error => None,
        None => {
            let help = cx.did_you_mean(&label.name, wf.labels.keys().map(String::as_str));
            cx.push(wf104_unknown_label(label, help));
            None
        }
    }
}

/// WF103: the workflow `enroll in` names. Not reported when some
/// workflow's name could not be read for a syntax error (it may be that
/// one). A "did you mean" never names the calling workflow `caller` itself,
/// and an empty name gets none.
pub(super) fn enroll_target(
    cx: &mut Checker,
    caller: &str,
    name: &ast::StrLit,
) -> Option<(String, bool)> {
    if let Some(w) = cx.workflows.get(name.value.as_str()) {
        return Some((w.object.clone(), w.known_object));
    }
    if cx.unnamed_broken_workflow {
        return None;
    }
    let help = if name.value.trim().is_empty() {
        None
    } else {
        cx.did_you_mean(
            &name.value,
            cx.workflows
                .keys()
                .map(String::as_str)
                .filter(|w| *w != caller),
        )
    };
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
    const ALL: [Resource; 7] = [
        Resource::Email,
        Resource::List,
        Resource::Team,
        Resource::User,
        Resource::Form,
        Resource::Audience,
        Resource::Subscription,
    ];
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
    let found = match kind {
        // also the audiences some `add to audience` creates
        Resource::Audience => cx
            .resources
            .contains(kind, &name.value)
            .map(|f| f || cx.audiences_created.contains(name.value.as_str())),
        _ => cx.resources.contains(kind, &name.value),
    };
    // None: the manifest does not declare this kind of resource
    if found != Some(false) {
        return;
    }
    let r = &cx.env.resources;
    let declared: Vec<&str> = match kind {
        Resource::Team => r
            .teams
            .iter()
            .flat_map(|t| t.keys())
            .map(String::as_str)
            .collect(),
        Resource::Audience => ResourceIndex::list(r, kind)
            .iter()
            .map(String::as_str)
            .chain(cx.audiences_created.iter().map(String::as_str))
            .collect(),
        _ => ResourceIndex::list(r, kind)
            .iter()
            .map(String::as_str)
            .collect(),
    };
    let help = cx.did_you_mean(&name.value, declared);
    cx.push(wf107_unknown_resource(kind, name, help));
}

/// The names of the declared resources, one set per kind (users lower
/// case: they are e-mail addresses, compared without regard to ASCII case),
/// built once per check: a file may reference thousands of them.
#[derive(Default)]
pub(crate) struct ResourceIndex<'a> {
    sets: [Option<HashSet<Cow<'a, str>>>; 7],
}

impl<'a> ResourceIndex<'a> {
    pub(super) fn new(env: &'a Environment) -> ResourceIndex<'a> {
        let r = &env.resources;
        let mut sets: [Option<HashSet<Cow<'a, str>>>; 7] = Default::default();
        for (i, kind) in Resource::ALL.into_iter().enumerate() {
            let names: Option<Vec<&'a str>> = match kind {
                Resource::Team => r
                    .teams
                    .as_ref()
                    .map(|t| t.keys().map(String::as_str).collect()),
                _ => Self::declared(r, kind).map(|v| v.iter().map(String::as_str).collect()),
            };
            if let (Some(names), Some(slot)) = (names, sets.get_mut(i)) {
                *slot = Some(
                    names
                        .into_iter()
                        .map(|n| match kind {
                            Resource::User => Cow::Owned(n.to_ascii_lowercase()),
                            _ => Cow::Borrowed(n),
                        })
                        .collect(),
                );
            }
        }
        ResourceIndex { sets }
    }

    /// Whether `name` is declared; `None` when the kind is not declared at
    /// all (no `[resources]` entry: anything goes).
    fn contains(&self, kind: Resource, name: &str) -> Option<bool> {
        let set = self.sets.get(kind as usize)?.as_ref()?;
        Some(match kind {
            Resource::User => set.contains(name.to_ascii_lowercase().as_str()),
            _ => set.contains(name),
        })
    }

    /// The declared list of a kind held as a list (every kind but teams).
    fn declared(r: &Resources, kind: Resource) -> Option<&Vec<String>> {
        match kind {
            Resource::Email => r.emails.as_ref(),
            Resource::List => r.lists.as_ref(),
            Resource::User => r.users.as_ref(),
            Resource::Form => r.forms.as_ref(),
            Resource::Audience => r.audiences.as_ref(),
            Resource::Subscription => r.subscriptions.as_ref(),
            Resource::Team => None,
        }
    }

    fn list(r: &Resources, kind: Resource) -> &[String] {
        Self::declared(r, kind).map_or(&[], Vec::as_slice)
    }
}

// ------------------------------------------------------------ diagnostics

pub(super) fn wf101_unknown_property(cx: &Checker, object: &str, prop: &ast::Ident) -> Diagnostic {
    let help = cx
        .env
        .schema
        .object(object)
        .and_then(|o| cx.did_you_mean(&prop.name, o.properties.keys().map(String::as_str)));
    let d = Diagnostic::new(
        Code::WF101,
        format!(
            "unknown property `{}` on {object}",
            crate::diagnostics::shorten(&prop.name)
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
            crate::diagnostics::shorten(&object.name)
        ),
        Label::new(object.span, "not an associated object type"),
    )
    .with_help(help)
}

pub(super) fn wf102_unknown_object(cx: &Checker, object: &ast::Ident) -> Diagnostic {
    let schema = &cx.env.schema;
    let help = cx
        .did_you_mean(&object.name, schema.objects.keys().map(String::as_str))
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
            crate::diagnostics::shorten(&object.name)
        ),
        Label::new(object.span, "unknown object type"),
    )
    .with_help(help)
}

fn wf103_unknown_workflow(name: &ast::StrLit, help: Option<String>) -> Diagnostic {
    let d = Diagnostic::new(
        Code::WF103,
        format!(
            "unknown workflow \"{}\"",
            crate::diagnostics::shorten(&name.value)
        ),
        Label::new(name.span, "no workflow has this name"),
    );
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

pub(super) fn wf104_unknown_label(label: &ast::Ident, help: Option<String>) -> Diagnostic {
    let d = Diagnostic::new(
        Code::WF104,
        format!(
            "unknown label `{}`",
            crate::diagnostics::shorten(&label.name)
        ),
        Label::new(label.span, "no step has this label"),
    );
    d.with_help(help.unwrap_or_else(|| format!("label the target step: `{}: <step>`", label.name)))
}

fn wf105_duplicate_label(label: &ast::Ident, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WF105,
        format!(
            "label `{}` is used twice in this workflow",
            crate::diagnostics::shorten(&label.name)
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
