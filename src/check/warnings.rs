//! Warnings (WF901–WF903): things that check but probably do not do what
//! the author wants.

use super::{Checker, Wf};
use crate::diagnostics::{Code, Diagnostic, Label};
use crate::syntax::ast;

/// WF901: `send email` from a non-contact workflow reaches at most 100
/// associated contacts.
pub(super) fn send_email_reach(cx: &mut Checker, wf: &Wf, step: &ast::Step) {
    if let Some(o) = wf.object {
        if o != "contact" {
            cx.push(wf901_send_email_reach(step, o));
        }
    }
}

/// WF902: a webhook over plain `http`.
pub(super) fn plain_http(cx: &mut Checker, url: &ast::StrLit) {
    cx.push(wf902_plain_http(url));
}

/// WF903: a delay until an event without `max` that more steps follow
/// (`followed`: in its block, or after the branches enclosing it).
pub(super) fn wait_forever(cx: &mut Checker, step: &ast::Step, followed: bool) {
    if followed {
        cx.push(wf903_wait_forever(step));
    }
}

fn wf901_send_email_reach(step: &ast::Step, object: &str) -> Diagnostic {
    Diagnostic::new(
        Code::WF901,
        format!("`send email` from a {object} workflow reaches at most 100 associated contacts"),
        Label::new(step.keyword, "sent to associated contacts"),
    )
    .with_help("to reach every contact, send the email from a contact workflow")
}

fn wf902_plain_http(url: &ast::StrLit) -> Diagnostic {
    Diagnostic::new(
        Code::WF902,
        "webhook over plain `http`: the record is sent unencrypted",
        Label::new(url.span, "plain http"),
    )
    .with_help("use an `https://` URL")
}

fn wf903_wait_forever(step: &ast::Step) -> Diagnostic {
    Diagnostic::new(
        Code::WF903,
        "records may wait here forever: the delay until an event has no `max`",
        Label::new(step.keyword, "no maximum wait"),
    )
    .with_help("add `max <duration>`, e.g. `max 7d`, so records go on without the event")
}
