//! Subscription tiers and integrations (WF301–WF304), from the catalog.
//!
//! WF304 (no hub at professional or above) is reported once, on the
//! `[account]` table of `wf.toml`; then WF301–WF303 are not reported at all.

use super::Checker;
use crate::catalog::{self, Integration, StepInfo, TierNeed};
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::schema::{Account, Hub, Tier};
use crate::source::Span;
use crate::syntax::ast::{self, StepKind};

const HUBS: [Hub; 3] = [Hub::Marketing, Hub::Sales, Hub::Service];

/// WF304 when the manifest's account has no hub at professional or above.
/// Returns whether WF301–WF303 apply.
pub(super) fn account(cx: &mut Checker) -> bool {
    let Some(span) = cx.env.account_span else {
        return true;
    };
    let acc = &cx.env.account;
    if HUBS.iter().any(|h| acc.tier(*h) >= Tier::Professional) {
        return true;
    }
    let d = wf304_cannot_run_workflows(span, acc);
    cx.push(d);
    false
}

fn met(acc: &Account, need: TierNeed) -> bool {
    match need {
        TierNeed::Hub(h, t) => acc.tier(h) >= t,
        TierNeed::AnyHub(t) => HUBS.iter().any(|h| acc.tier(*h) >= t),
        TierNeed::None | TierNeed::ByCreatedObject | TierNeed::ByEditedObject => true,
    }
}

/// A workflow on a custom object needs any hub at enterprise (WF301, on the
/// object type after `for`).
pub(super) fn workflow_object(cx: &mut Checker, object: &str, ident: &ast::Ident) {
    let builtin = cx.env.schema.object(object).is_some_and(|o| o.builtin);
    if builtin || !cx.tiers_apply {
        return;
    }
    let need = catalog::CUSTOM_OBJECT_WORKFLOW;
    if !met(&cx.env.account, need) {
        let what = format!("a workflow on the custom object `{object}`");
        let d = wf301_tier_missing(ident.span, &what, need, &cx.env.account);
        cx.push(d);
    }
}

/// The step's own tier (WF301) and integration (WF303) from the catalog.
pub(super) fn step(cx: &mut Checker, step: &ast::Step, info: &StepInfo) {
    if !cx.tiers_apply {
        return;
    }
    if !met(&cx.env.account, info.tier) {
        let what = format!("`{}`", info.keyword);
        let d = wf301_tier_missing(step.keyword, &what, info.tier, &cx.env.account);
        cx.push(d);
    }
    let (name, span) = match (info.integration, &step.kind) {
        (Integration::None, _) => return,
        (Integration::Named(n), _) => (n.to_string(), step.keyword),
        (Integration::App, StepKind::AppAction { app, .. }) => {
            (app.value.trim().to_lowercase(), app.span)
        }
        (Integration::App, _) => return,
    };
    if !cx.env.account.is_connected(&name) {
        // `app "zoon"` when `zoom` is connected: a did-you-mean.
        let help = match (info.integration, &cx.env.account.integrations) {
            (Integration::App, Some(connected)) => {
                cx.did_you_mean(&name, connected.iter().map(String::as_str))
            }
            _ => None,
        };
        cx.push(wf303_not_connected(span, info.keyword, &name, help));
    }
}

/// `create <object>`: by the created type (WF301, on the object type).
pub(super) fn create(cx: &mut Checker, _step: &ast::Step, object: &ast::Ident, builtin: bool) {
    if !cx.tiers_apply {
        return;
    }
    let need = catalog::create_tier(&object.name, builtin);
    if !met(&cx.env.account, need) {
        let what = format!("creating {} records", object.name);
        let d = wf301_tier_missing(object.span, &what, need, &cx.env.account);
        cx.push(d);
    }
}

/// Editing a property of `object` (set, append, copy target, clear,
/// increase, decrease): WF302 on the path.
pub(super) fn edit(cx: &mut Checker, object: &str, path: &ast::Path) {
    if !cx.tiers_apply {
        return;
    }
    let need = catalog::edit_tier(object);
    if !met(&cx.env.account, need) {
        let d = wf302_edit_tier_missing(path.span, object, need, &cx.env.account);
        cx.push(d);
    }
}

// ------------------------------------------------------------ diagnostics

fn has(acc: &Account) -> String {
    HUBS.iter()
        .map(|h| format!("{} {}", h.as_str(), acc.tier(*h).as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "needs the sales hub at professional, but the account has sales starter"
fn need_text(need: TierNeed, acc: &Account) -> (String, String) {
    match need {
        TierNeed::Hub(h, t) => (
            format!(
                "needs the {} hub at {}, but the account has {} {}",
                h.as_str(),
                t.as_str(),
                h.as_str(),
                acc.tier(h).as_str()
            ),
            format!(
                "set `{} = \"{}\"` under `[account]` in wf.toml if the account has it",
                h.as_str(),
                t.as_str()
            ),
        ),
        TierNeed::AnyHub(t) => (
            format!(
                "needs a hub at {}, but the account has {}",
                t.as_str(),
                has(acc)
            ),
            format!("upgrade any hub to {}", t.as_str()),
        ),
        TierNeed::None | TierNeed::ByCreatedObject | TierNeed::ByEditedObject => {
            (String::from("needs a higher tier"), String::new())
        }
    }
}

fn wf301_tier_missing(span: Span, what: &str, need: TierNeed, acc: &Account) -> Diagnostic {
    let (text, help) = need_text(need, acc);
    Diagnostic::new(
        Code::WF301,
        format!("{what} {text}"),
        Label::new(span, "needs a higher tier"),
    )
    .with_help(help)
}

fn wf302_edit_tier_missing(span: Span, object: &str, need: TierNeed, acc: &Account) -> Diagnostic {
    let (text, help) = need_text(need, acc);
    Diagnostic::new(
        Code::WF302,
        format!("editing {object} properties {text}"),
        Label::new(span, format!("edits a {object} property")),
    )
    .with_help(help)
}

fn wf303_not_connected(
    span: Span,
    action: &str,
    integration: &str,
    did_you_mean: Option<String>,
) -> Diagnostic {
    let integration = crate::diagnostics::shorten(integration);
    Diagnostic::new(
        Code::WF303,
        format!("`{action}` needs the {integration} integration, which is not connected"),
        Label::new(span, format!("{integration} is not connected")),
    )
    .with_help(did_you_mean.unwrap_or_else(|| {
        format!(
            "connect it and add \"{integration}\" to `integrations` under `[account]` in wf.toml"
        )
    }))
}

fn wf304_cannot_run_workflows(span: Span, acc: &Account) -> Diagnostic {
    Diagnostic::new(
        Code::WF304,
        format!(
            "the account cannot run workflows: it has {}, and workflows need a hub at professional or above",
            has(acc)
        ),
        Label::new(span, "no hub at professional or above"),
    )
    .with_help("set at least one of `marketing`, `sales`, `service` to \"professional\" or \"enterprise\"")
}
