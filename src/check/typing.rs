//! Type rules (WF201–WF210): actions vs the workflow's object type, `enroll
//! in` across object types, values and comparisons vs property types,
//! append, copy compatibility, create, branch values. Tokens (WF208) are
//! in `tokens`.

use super::{has_tokens, resolve, tiers, Checker, Resolved, Wf};
use crate::catalog::{StepInfo, CREATABLE_BUILTINS};
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::schema::{PropType, Schema};
use std::collections::HashSet;

use crate::source::Span;
use crate::syntax::ast::{self, CompareOp, ValueKind};

// ------------------------------------------------------------ rules

/// WF201: whether the step is available for the workflow's object type
/// (the catalog's types); when it is not, WF201 is reported.
pub(super) fn available(cx: &mut Checker, step: &ast::Step, info: &StepInfo, object: &str) -> bool {
    if info.types.allows(object) {
        return true;
    }
    action_type(cx, step, info, object);
    false
}

fn action_type(cx: &mut Checker, step: &ast::Step, info: &StepInfo, object: &str) {
    let allowed = match info.types {
        crate::catalog::Types::All => String::new(),
        crate::catalog::Types::Only(list) => list.join(" and "),
    };
    let action = match &step.kind {
        ast::StepKind::Subscription { status, .. } => match status {
            ast::SubscriptionStatus::OptIn => "opt in",
            ast::SubscriptionStatus::OptOut => "opt out",
        },
        _ => info.keyword,
    };
    cx.push(wf201_action_not_available(
        step.keyword,
        action,
        object,
        &allowed,
    ));
}

/// `enroll in`: the target exists (WF103) and has the same object type (WF202).
pub(super) fn enroll_in(cx: &mut Checker, wf: &Wf, name: &ast::StrLit) {
    let Some((target_object, known)) = resolve::enroll_target(cx, wf.name, name) else {
        return;
    };
    if let Some(o) = wf.object {
        if known && target_object != o {
            cx.push(wf202_enroll_other_type(name, &target_object, o));
        }
    }
}

/// `centered on property p`: p must be a date or datetime (WF203).
pub(super) fn centring_property(cx: &mut Checker, p: &ast::Ident, ty: &PropType) {
    if !matches!(ty, PropType::Date | PropType::Datetime) {
        cx.push(wf203_centring_not_date(p, ty));
    }
}

/// WF203: `send internal marketing email ... to property p`: p holds an
/// address.
pub(super) fn address_property(cx: &mut Checker, p: &ast::Ident, ty: &PropType) {
    if *ty != PropType::String {
        cx.push(wf203_address_property(p, ty));
    }
}

/// A value assigned to or compared with a property of type `ty` (WF203).
/// `list_ok`: a list is accepted for a multiple-checkbox property (set,
/// append).
pub(super) fn value(cx: &mut Checker, prop: &str, ty: &PropType, v: &ast::Value, list_ok: bool) {
    match &v.kind {
        ValueKind::List(items) => {
            if list_ok && matches!(ty, PropType::Multi(_)) {
                for i in items {
                    value(cx, prop, ty, i, false);
                }
            } else {
                cx.push(wf203_wrong_value(prop, ty, v, list_ok));
            }
        }
        ValueKind::String(s) => match ty {
            PropType::String | PropType::Owner => {}
            PropType::Enum(opts) | PropType::Multi(opts) => {
                if !has_tokens(s) && !opts.iter().any(|o| o.as_str() == s.value.as_str()) {
                    cx.push(wf203_unknown_option(cx, prop, opts, &s.value, v.span));
                }
            }
            _ => cx.push(wf203_wrong_value(prop, ty, v, list_ok)),
        },
        ValueKind::Number(n) => match ty {
            PropType::Number | PropType::Owner => {}
            // `hs_pipeline_stage is 2`: numeric options may be written as numbers.
            PropType::Enum(opts) | PropType::Multi(opts)
                if opts.iter().any(|o| o.as_str() == n.raw.as_str()) => {}
            PropType::Enum(opts) | PropType::Multi(opts)
                if opts.iter().all(|o| o.parse::<f64>().is_ok()) =>
            {
                cx.push(wf203_unknown_option(cx, prop, opts, &n.raw, v.span));
            }
            _ => cx.push(wf203_wrong_value(prop, ty, v, list_ok)),
        },
        ValueKind::Bool(_) => {
            if *ty != PropType::Bool {
                cx.push(wf203_wrong_value(prop, ty, v, list_ok));
            }
        }
        ValueKind::Date(_) => {
            if !matches!(ty, PropType::Date | PropType::Datetime) {
                cx.push(wf203_wrong_value(prop, ty, v, list_ok));
            }
        }
    }
}

/// WF203: `<path> is|is not|>|>=|<|<= <value>`.
pub(super) fn compare(
    cx: &mut Checker,
    path: &ast::Path,
    ty: &PropType,
    op: CompareOp,
    op_span: Span,
    v: &ast::Value,
) {
    let ordered = matches!(
        op,
        CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
    );
    if ordered && !matches!(ty, PropType::Number | PropType::Date | PropType::Datetime) {
        cx.push(wf203_ordering_not_allowed(
            &path.property.name,
            ty,
            op,
            op_span,
        ));
        return;
    }
    value(cx, &path.property.name, ty, v, false);
}

/// WF203: `<path> in [...]`: every item is a value of the property.
pub(super) fn value_in(cx: &mut Checker, path: &ast::Path, ty: &PropType, values: &ast::Value) {
    match &values.kind {
        ValueKind::List(items) => {
            for i in items {
                value(cx, &path.property.name, ty, i, false);
            }
        }
        _ => value(cx, &path.property.name, ty, values, false),
    }
}

/// WF203: `<path> contains "<text>"`: text properties and enumerations; on a
/// multiple-checkbox property the text is one of its options.
pub(super) fn contains(
    cx: &mut Checker,
    path: &ast::Path,
    ty: &PropType,
    op_span: Span,
    text: &ast::StrLit,
) {
    match ty {
        PropType::String | PropType::Enum(_) => {}
        PropType::Multi(opts) => {
            if !has_tokens(text) && !opts.iter().any(|o| o.as_str() == text.value.as_str()) {
                cx.push(wf203_unknown_option(
                    cx,
                    &path.property.name,
                    opts,
                    &text.value,
                    text.span,
                ));
            }
        }
        _ => cx.push(wf203_contains_not_allowed(&path.property.name, ty, op_span)),
    }
}

/// `set p += v` / `copy ... append`: the target is multiple-checkbox (WF205).
/// Returns whether it is.
pub(super) fn append_target(
    cx: &mut Checker,
    prop: &ast::Ident,
    ty: &PropType,
    append: Option<Span>,
) -> bool {
    if matches!(ty, PropType::Multi(_)) {
        return true;
    }
    cx.push(wf205_append_not_multi(prop, ty, append));
    false
}

/// WF206: copy compatibility (target ← sources), docs/rules.md:
/// string ← every type · number ← number · bool ← bool · date ← date,
/// datetime · datetime ← date, datetime · enum ← enum, string ·
/// multi ← multi, enum · owner ← owner.
pub fn copy_compatible(target: &PropType, source: &PropType) -> bool {
    use PropType as P;
    match target {
        P::String => true,
        P::Number => matches!(source, P::Number),
        P::Bool => matches!(source, P::Bool),
        P::Date | P::Datetime => matches!(source, P::Date | P::Datetime),
        P::Enum(_) => matches!(source, P::Enum(_) | P::String),
        P::Multi(_) => matches!(source, P::Multi(_) | P::Enum(_)),
        P::Owner => matches!(source, P::Owner),
    }
}

/// `copy <from> to <to>` (WF206).
pub(super) fn copy(
    cx: &mut Checker,
    from: &ast::Path,
    source: &PropType,
    to: &ast::Path,
    target: &PropType,
) {
    if !copy_compatible(target, source) {
        cx.push(wf206_copy_incompatible(from, source, to, target));
    }
}

/// `increase` / `decrease`: a number property of the enrolled record (WF204).
pub(super) fn number_only(cx: &mut Checker, step: &ast::Step, path: &ast::Path, r: &Resolved) {
    let verb = if matches!(step.kind, ast::StepKind::Increase { .. }) {
        "increase"
    } else {
        "decrease"
    };
    if r.associated {
        cx.push(wf204_associated(verb, path));
    } else if *r.ty != PropType::Number {
        cx.push(wf204_not_number(verb, &path.property, r.ty));
    }
}

/// `create <object> { ... }`: the type exists (WF102) and can be created
/// (WF201), a custom object is associated with the workflow's type (WF207),
/// fields are properties of it (WF101) with values of the right type
/// (WF203), and every required property is set (WF209). The tier (WF301)
/// is checked here too when the step is available.
pub(super) fn create(
    cx: &mut Checker,
    wf: &Wf,
    step: &ast::Step,
    object: &ast::Ident,
    fields: &[ast::Field],
) {
    let schema = &cx.env.schema;
    let Some(def) = schema.object(&object.name) else {
        cx.push_name(resolve::wf102_unknown_object(cx, object));
        return;
    };
    if def.builtin && !CREATABLE_BUILTINS.contains(&object.name.as_str()) {
        cx.push(wf201_not_creatable(object, schema));
        return;
    }
    // WF207: a custom object is created associated with the enrolled
    // record, so its type must be associated with the workflow's, its own
    // type included (a `pets` workflow creating `pets` needs "pets" in the
    // associations of `[objects.pets]`). Standard objects: from anywhere.
    if let Some(o) = wf.object {
        if !def.builtin && !schema.associated(o, &def.name) {
            cx.push(wf207_custom_not_associated(object, o));
        }
    }
    for f in fields {
        match def.properties.get(f.key.name.as_str()) {
            Some(ty) => value(cx, &f.key.name, ty, &f.value, true),
            None => cx.push_name(resolve::wf101_unknown_property(cx, &def.name, &f.key)),
        }
    }
    let missing: Vec<&str> = def
        .required
        .iter()
        .filter(|r| !fields.iter().any(|f| f.key.name == **r))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        cx.push(wf209_missing_required(object, &missing));
    }
    tiers::create(cx, step, object, def.builtin);
}

fn creatable(schema: &Schema) -> Vec<&str> {
    schema
        .objects
        .values()
        .filter(|o| !o.builtin || CREATABLE_BUILTINS.contains(&o.name.as_str()))
        .map(|o| o.name.as_str())
        .collect()
}

/// WF210: the values of one `branch on` seen so far. Two values are the
/// same when they are equal strings, equal numbers (`2` and `2.0`), equal
/// booleans or equal dates, or a string and a number written alike (`"2"`
/// and `2` on a numeric-option enumeration). Sets, not pairwise comparison:
/// a branch may list tens of thousands of values.
#[derive(Default)]
pub(super) struct SeenValues<'v> {
    strings: HashSet<&'v str>,
    /// Numbers by value (`-0` as `0`).
    numbers: HashSet<u64>,
    /// Numbers as written, which a string may equal.
    raws: HashSet<&'v str>,
    bools: HashSet<bool>,
    dates: HashSet<(i32, u32, u32)>,
}

impl<'v> SeenValues<'v> {
    /// Record `v`; false when it is the same as a value recorded before
    /// (then it is not recorded).
    pub(super) fn insert(&mut self, v: &'v ast::Value) -> bool {
        match &v.kind {
            ValueKind::String(s) => {
                let s = s.value.as_str();
                if self.raws.contains(s) {
                    return false;
                }
                self.strings.insert(s)
            }
            ValueKind::Number(n) => {
                let key = if n.value == 0.0 { 0 } else { n.value.to_bits() };
                if self.strings.contains(n.raw.as_str()) || !self.numbers.insert(key) {
                    return false;
                }
                self.raws.insert(n.raw.as_str());
                true
            }
            ValueKind::Bool(b) => self.bools.insert(*b),
            ValueKind::Date(d) => self.dates.insert((d.year, d.month, d.day)),
            ValueKind::List(_) => true,
        }
    }
}

/// WF210: a value listed twice in one `branch on` (reported on the later
/// one); `seen` holds the values listed before it.
pub(super) fn duplicate_branch_value<'v>(
    cx: &mut Checker,
    seen: &mut SeenValues<'v>,
    v: &'v ast::Value,
) {
    if !seen.insert(v) {
        cx.push(wf210_duplicate_branch_value(v));
    }
}

// ------------------------------------------------------------ diagnostics

fn describe(ty: &PropType) -> String {
    match ty {
        PropType::String => "a string".into(),
        PropType::Number => "a number".into(),
        PropType::Bool => "a boolean".into(),
        PropType::Date => "a date".into(),
        PropType::Datetime => "a datetime".into(),
        PropType::Enum(_) => "an enumeration".into(),
        PropType::Multi(_) => "a multiple-checkbox".into(),
        PropType::Owner => "an owner".into(),
    }
}

fn value_kind(v: &ast::Value) -> &'static str {
    match v.kind {
        ValueKind::String(_) => "a string",
        ValueKind::Number(_) => "a number",
        ValueKind::Bool(_) => "a boolean",
        ValueKind::Date(_) => "a date",
        ValueKind::List(_) => "a list",
    }
}

/// The help of WF203: what to write for a `ty` property (`list_ok`: where
/// a multiple-checkbox property takes a list, as in `set`).
fn expected_value(ty: &PropType, list_ok: bool) -> String {
    match ty {
        PropType::String => "write a string such as `\"text\"`".into(),
        PropType::Number => "write a number such as `10`".into(),
        PropType::Bool => "write `true` or `false`".into(),
        PropType::Date | PropType::Datetime => "write a date such as `2026-05-01`".into(),
        PropType::Enum(o) => format!("write one of its options: {}", options_list(o)),
        PropType::Multi(o) if list_ok => format!(
            "write one of its options or a list of them: {}",
            options_list(o)
        ),
        PropType::Multi(o) => format!("write one of its options: {}", options_list(o)),
        PropType::Owner => "write a user's email address".into(),
    }
}

fn options_list(opts: &[String]) -> String {
    let shown: Vec<String> = opts.iter().take(8).map(|o| format!("\"{o}\"")).collect();
    if opts.len() > 8 {
        format!("{}, ...", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn wf201_action_not_available(
    keyword: Span,
    action: &str,
    object: &str,
    allowed: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::WF201,
        format!("`{action}` is not available in {object} workflows"),
        Label::new(keyword, format!("not available for {object}")),
    )
    .with_help(format!(
        "`{action}` is available only in {allowed} workflows"
    ))
}

fn wf201_not_creatable(object: &ast::Ident, schema: &Schema) -> Diagnostic {
    Diagnostic::new(
        Code::WF201,
        format!("workflows cannot create {} records", object.name),
        Label::new(object.span, "cannot be created"),
    )
    .with_help(format!(
        "`create` makes {}",
        creatable(schema)
            .iter()
            .map(|o| format!("`{o}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn wf202_enroll_other_type(name: &ast::StrLit, target: &str, object: &str) -> Diagnostic {
    Diagnostic::new(
        Code::WF202,
        format!(
            "cannot enroll a {object} in \"{}\", a {target} workflow",
            name.value
        ),
        Label::new(name.span, format!("a {target} workflow")),
    )
    .with_help(format!("`enroll in` needs a workflow `for {object}`"))
}

fn wf203_wrong_value(prop: &str, ty: &PropType, v: &ast::Value, list_ok: bool) -> Diagnostic {
    let message = match (&v.kind, ty) {
        // A list where one value is expected: say so, and the help says
        // what one value looks like (never "or a list of them").
        (ValueKind::List(_), PropType::Multi(_)) => {
            format!("`{prop}` is compared with one option at a time here, not a list")
        }
        (ValueKind::List(_), _) => format!(
            "`{prop}` is {} property and takes one value, not a list",
            describe(ty)
        ),
        _ => format!(
            "`{prop}` is {} property, but this value is {}",
            describe(ty),
            value_kind(v)
        ),
    };
    let help = match &v.kind {
        ValueKind::List(_) if !list_ok => format!(
            "{}; to test several values, write `{prop} in [...]`",
            expected_value(ty, false)
        ),
        _ => expected_value(ty, list_ok),
    };
    Diagnostic::new(
        Code::WF203,
        message,
        Label::new(
            v.span,
            match v.kind {
                ValueKind::List(_) => "one value expected".to_string(),
                _ => format!(
                    "expected {}",
                    describe(ty)
                        .trim_start_matches("a ")
                        .trim_start_matches("an ")
                ),
            },
        ),
    )
    .with_help(help)
}

fn wf203_unknown_option(
    cx: &Checker,
    prop: &str,
    opts: &[String],
    value: &str,
    span: Span,
) -> Diagnostic {
    let help = cx
        .did_you_mean(value, opts.iter().map(String::as_str))
        .unwrap_or_else(|| format!("options of `{prop}`: {}", options_list(opts)));
    Diagnostic::new(
        Code::WF203,
        format!(
            "\"{}\" is not an option of `{prop}`",
            crate::diagnostics::shorten(value)
        ),
        Label::new(span, "unknown option"),
    )
    .with_help(help)
}

fn wf203_ordering_not_allowed(
    prop: &str,
    ty: &PropType,
    op: CompareOp,
    op_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::WF203,
        format!(
            "`{}` cannot compare `{prop}`, {} property",
            op.as_str(),
            describe(ty)
        ),
        Label::new(op_span, "only for numbers and dates"),
    )
    .with_help("use `is`, `is not`, `in` or `contains`")
}

fn wf203_contains_not_allowed(prop: &str, ty: &PropType, op_span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::WF203,
        format!("`contains` cannot test `{prop}`, {} property", describe(ty)),
        Label::new(op_span, "only for text and enumerations"),
    )
    .with_help("use `is`, `is not` or a comparison")
}

fn wf203_centring_not_date(p: &ast::Ident, ty: &PropType) -> Diagnostic {
    Diagnostic::new(
        Code::WF203,
        format!("cannot centre on `{}`, {} property", p.name, describe(ty)),
        Label::new(p.span, "not a date"),
    )
    .with_help("centre on a `date` or `datetime` property")
}

fn wf203_address_property(p: &ast::Ident, ty: &PropType) -> Diagnostic {
    Diagnostic::new(
        Code::WF203,
        format!(
            "`{}` is {} property and cannot hold an email address",
            p.name,
            describe(ty)
        ),
        Label::new(p.span, "not a text property"),
    )
    .with_help("name a string property holding an address, such as `email`")
}

fn wf204_associated(verb: &str, path: &ast::Path) -> Diagnostic {
    Diagnostic::new(
        Code::WF204,
        format!(
            "`{verb}` works only on the enrolled record, not on associated {} records",
            path.object.as_ref().map(|o| o.name.as_str()).unwrap_or("")
        ),
        Label::new(path.span, "associated property"),
    )
    .with_help(format!(
        "{verb} a number property of the enrolled record, e.g. `{verb} {} by 1`",
        path.property.name
    ))
}

fn wf204_not_number(verb: &str, prop: &ast::Ident, ty: &PropType) -> Diagnostic {
    Diagnostic::new(
        Code::WF204,
        format!(
            "`{verb}` needs a number property, but `{}` is {}",
            prop.name,
            describe(ty)
        ),
        Label::new(prop.span, "not a number"),
    )
    .with_help("use `set` for other property types")
}

fn wf205_append_not_multi(prop: &ast::Ident, ty: &PropType, append: Option<Span>) -> Diagnostic {
    let (span, help) = match append {
        Some(a) => (a, "remove `append` to replace the value"),
        None => (prop.span, "use `=` to replace the value"),
    };
    Diagnostic::new(
        Code::WF205,
        format!(
            "cannot append to `{}`, {} property",
            prop.name,
            describe(ty)
        ),
        Label::new(span, "append needs a multiple-checkbox property"),
    )
    .with_help(help)
}

fn wf206_copy_incompatible(
    from: &ast::Path,
    source: &PropType,
    to: &ast::Path,
    target: &PropType,
) -> Diagnostic {
    Diagnostic::new(
        Code::WF206,
        format!(
            "cannot copy `{}` ({}) to `{}` ({})",
            from.property.name,
            source.name(),
            to.property.name,
            target.name()
        ),
        Label::new(to.span, format!("{} property", target.name())),
    )
    .with_help(format!(
        "{} {} property accepts {}",
        if matches!(target, PropType::Enum(_) | PropType::Owner) {
            "an"
        } else {
            "a"
        },
        target.name(),
        accepted_sources(target)
    ))
}

fn accepted_sources(target: &PropType) -> &'static str {
    match target {
        PropType::String => "every type",
        PropType::Number => "number",
        PropType::Bool => "bool",
        PropType::Date | PropType::Datetime => "date and datetime",
        PropType::Enum(_) => "enum and string",
        PropType::Multi(_) => "multi and enum",
        PropType::Owner => "owner",
    }
}

fn wf207_custom_not_associated(object: &ast::Ident, wf_object: &str) -> Diagnostic {
    let message = if object.name == wf_object {
        format!(
            "cannot create `{}` from a {wf_object} workflow: `{wf_object}` is not associated with itself",
            object.name
        )
    } else {
        format!(
            "cannot create `{}` from a {wf_object} workflow: the types are not associated",
            object.name
        )
    };
    Diagnostic::new(
        Code::WF207,
        message,
        Label::new(object.span, format!("not associated with {wf_object}")),
    )
    .with_help(format!(
        "add \"{wf_object}\" to `associations` under `[objects.{}]` in wf.toml",
        object.name
    ))
}

fn wf209_missing_required(object: &ast::Ident, missing: &[&str]) -> Diagnostic {
    let list = missing
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let example = missing
        .iter()
        .map(|m| format!("{m} = ..."))
        .collect::<Vec<_>>()
        .join(", ");
    Diagnostic::new(
        Code::WF209,
        format!(
            "creating a `{}` record needs {} {list}",
            object.name,
            if missing.len() == 1 {
                "property"
            } else {
                "properties"
            }
        ),
        Label::new(object.span, "required properties missing"),
    )
    .with_help(format!("add {example}"))
}

fn wf210_duplicate_branch_value(v: &ast::Value) -> Diagnostic {
    Diagnostic::new(
        Code::WF210,
        "this value is already listed in this `branch on`",
        Label::new(v.span, "listed twice"),
    )
    .with_help("remove it: records with this value take the first path listing it")
}
