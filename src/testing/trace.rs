//! What a run did, read from its history: event fields, the report lines
//! of a history slice, and the plan nodes the events show as run.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::Value as Json;

use crate::plan::{Action, Plan};
use crate::runtime;

/// At most this many history lines are shown under a failure.
pub(crate) const SLICE: usize = 12;

pub(crate) fn at_of(ev: &Json) -> Option<DateTime<Utc>> {
    ev.get("at")
        .and_then(Json::as_str)
        .and_then(runtime::model::parse_time)
}

pub(crate) fn field<'a>(ev: &'a Json, key: &str) -> &'a str {
    ev.get(key).and_then(Json::as_str).unwrap_or("")
}

/// One history event as a line of a report.
pub(crate) fn history_line(ev: &Json) -> String {
    let mut s = format!(
        "{}  {}  {}",
        field(ev, "at"),
        field(ev, "workflow"),
        field(ev, "event")
    );
    let kind = field(ev, "kind");
    if !kind.is_empty() {
        s.push(' ');
        s.push_str(kind);
    }
    if let Some(d) = ev
        .get("detail")
        .filter(|d| d.as_object().is_some_and(|o| !o.is_empty()))
    {
        s.push(' ');
        let text = d.to_string();
        if text.chars().count() > 120 {
            s.extend(text.chars().take(117));
            s.push_str("...");
        } else {
            s.push_str(&text);
        }
    }
    s
}

/// The last [`SLICE`] events of `evs` as report lines.
pub(crate) fn slice(evs: &[&Json]) -> Vec<String> {
    let skip = evs.len().saturating_sub(SLICE);
    let mut out = Vec::new();
    if skip > 0 {
        out.push(format!("... {skip} earlier event(s)"));
    }
    out.extend(evs.iter().skip(skip).map(|e| history_line(e)));
    out
}

/// Every edge of a plan node: the nodes that may run right after it.
pub(crate) fn successors(action: &Action, next: &Option<String>) -> Vec<String> {
    let mut out: Vec<String> = next.iter().cloned().collect();
    match action {
        Action::BranchIf { cases, else_next } => {
            out.extend(cases.iter().filter_map(|c| c.next.clone()));
            out.extend(else_next.iter().cloned());
        }
        Action::BranchValue {
            cases, else_next, ..
        } => {
            out.extend(cases.iter().filter_map(|c| c.next.clone()));
            out.extend(else_next.iter().cloned());
        }
        Action::Goto { target, .. } => out.push(target.clone()),
        Action::DelayUntilEvent { timeout_next, .. } => out.extend(timeout_next.iter().cloned()),
        _ => {}
    }
    out
}

fn is_delay(a: &Action) -> bool {
    matches!(
        a,
        Action::Delay { .. }
            | Action::DelayUntilTime { .. }
            | Action::DelayUntilEvent { .. }
            | Action::DelayUntilDate { .. }
    )
}

/// The nodes of `plan` that the events (of one workflow) show as run. A
/// delay that did not need to wait writes no event: it counts as run when
/// the node after it ran and it is that node's only way in.
pub(crate) fn executed_nodes<'e>(
    plan: &Plan,
    events: impl Iterator<Item = &'e Json>,
) -> BTreeSet<String> {
    let mut done: BTreeSet<String> = events
        .filter_map(|e| e.get("node").and_then(Json::as_str))
        .map(str::to_string)
        .collect();
    let mut preds: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for n in &plan.nodes {
        for s in successors(&n.action, &n.next) {
            if let Some(target) = plan.nodes.iter().find(|m| m.id == s) {
                preds
                    .entry(target.id.as_str())
                    .or_default()
                    .push(n.id.as_str());
            }
        }
    }
    loop {
        let mut added = false;
        for n in &plan.nodes {
            if !done.contains(&n.id) {
                continue;
            }
            if let Some([only]) = preds.get(n.id.as_str()).map(Vec::as_slice) {
                let is_start = plan.start.as_deref() == Some(n.id.as_str());
                let silent_delay = plan
                    .nodes
                    .iter()
                    .find(|m| m.id == *only)
                    .is_some_and(|m| is_delay(&m.action));
                if !is_start && silent_delay && !done.contains(*only) {
                    done.insert((*only).to_string());
                    added = true;
                }
            }
        }
        if !added {
            break;
        }
    }
    done
}
