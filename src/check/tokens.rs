//! Personalisation tokens (WF208): every `{{ object.prop }}` / `{{ prop }}`
//! in a string names an object type the workflow can reach and one of its
//! properties (docs/rules.md, WF208).

use super::{Checker, Wf};
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::schema::Schema;
use crate::syntax::ast;

/// WF208 for every token of a string.
pub(super) fn string(cx: &mut Checker, wf: &Wf, s: &ast::StrLit) {
    for t in s.tokens.iter() {
        token(cx, wf, t);
    }
}

/// A personalisation token `{{ object.prop }}` / `{{ prop }}` (WF208).
fn token(cx: &mut Checker, wf: &Wf, t: &ast::TokenRef) {
    let Some(wf_object) = wf.object else {
        return;
    };
    let schema = &cx.env.schema;
    let object = match &t.object {
        None => wf_object,
        Some(o) => match schema.objects.get_key_value(o.name.as_str()) {
            None => {
                let help = cx.did_you_mean(&o.name, token_objects(schema, wf_object));
                cx.push(wf208_token_unknown_object(o, help));
                return;
            }
            Some((name, _)) => {
                if name != wf_object && !schema.associated(wf_object, name) {
                    cx.push(wf208_token_not_associated(o, wf_object, schema));
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
        let help = cx.did_you_mean(&t.property.name, def.properties.keys().map(String::as_str));
        cx.push(wf208_token_unknown_property(&t.property, object, help));
    }
}

/// Object types a token may name in a workflow of `object`.
fn token_objects<'s>(schema: &'s Schema, object: &'s str) -> Vec<&'s str> {
    let mut v = schema.associations_of(object);
    v.push(object);
    v
}

// ------------------------------------------------------------ diagnostics

fn wf208_token_unknown_object(object: &ast::Ident, help: Option<String>) -> Diagnostic {
    let d = Diagnostic::new(
        Code::WF208,
        format!(
            "unknown object type `{}` in personalisation token",
            crate::diagnostics::shorten(&object.name)
        ),
        Label::new(object.span, "unknown object type"),
    );
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

fn wf208_token_not_associated(object: &ast::Ident, wf_object: &str, schema: &Schema) -> Diagnostic {
    let mut ok = schema.associations_of(wf_object);
    ok.insert(0, wf_object);
    Diagnostic::new(
        Code::WF208,
        format!(
            "token of `{}`, which is not associated with {wf_object}",
            crate::diagnostics::shorten(&object.name)
        ),
        Label::new(object.span, "not associated"),
    )
    .with_help(format!(
        "tokens here may use {}",
        ok.iter()
            .map(|o| format!("`{o}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn wf208_token_unknown_property(
    prop: &ast::Ident,
    object: &str,
    help: Option<String>,
) -> Diagnostic {
    let d = Diagnostic::new(
        Code::WF208,
        format!(
            "unknown property `{}` of {object} in personalisation token",
            crate::diagnostics::shorten(&prop.name)
        ),
        Label::new(prop.span, format!("not a property of {object}")),
    );
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}
