//! The interpreter runtime behind `wfc run`: executes plans against records
//! in a deterministic simulation with a virtual clock.
//!
//! - [`model`]: the records, events and state files;
//! - [`program`]: plans validated and resolved for execution;
//! - [`store`]: the narrow interfaces (clock, store, effects, history) and
//!   their in-memory implementations;
//! - [`engine`]: the run semantics of docs/runtime.md;
//! - [`values`], [`time`]: conditions and time-zone arithmetic.

pub mod engine;
pub mod model;
pub mod program;
pub mod store;
pub mod time;
pub mod values;
pub mod working;

pub use engine::{Engine, RunError};
pub use model::{
    parse_events, parse_records, parse_records_in, write_state, InputError, InputEvent, Record,
};
pub use program::{load, PlanError, Program};
pub use store::{
    Collect, Delivery, Effect, Effects, HistorySink, JsonLines, MemStore, Simulated, VirtualClock,
};

use chrono::{DateTime, TimeZone, Utc};

use crate::diagnostics;
use crate::schema::Environment;

/// Whether an action kind is an effect that leaves the CRM (emails, texts,
/// Slack, webhooks, app and Salesforce actions): a durable engine hands it
/// to an integration (its outbox).
pub fn is_external_kind(kind: &str) -> bool {
    engine::is_external_kind(kind)
}

/// The default start of a run without `--start` or events.
pub fn default_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// What a run needs besides the plans.
pub struct RunInput {
    pub records: Vec<Record>,
    pub events: Vec<InputEvent>,
    /// Default: the earliest event, else 2026-01-01T00:00:00Z.
    pub start: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The start of the run: `--start`, else the earliest event, else
/// [`default_start`].
pub fn start_of(input: &RunInput) -> DateTime<Utc> {
    input
        .start
        .or_else(|| input.events.iter().map(|e| e.at).min())
        .unwrap_or_else(default_start)
}

/// Whether `id` has the form of a created record's id, `<object>-<n>` (n
/// from 1, no leading zero) for an object type of the schema or `task`;
/// its type.
fn created_form<'a>(env: &Environment, id: &'a str) -> Option<&'a str> {
    let (object, n) = id.rsplit_once('-')?;
    let digits_ok = !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit());
    // `create task` makes `task-<n>` records whether or not the schema lists
    // tasks.
    let creatable = object == "task" || env.schema.object(object).is_some();
    (digits_ok && creatable).then_some(object)
}

/// Everything about the inputs that can be known before the run, checked
/// before anything is written (docs/runtime.md, "Validating the inputs"):
/// `--until` not before the start, no event before the start, every event
/// naming a record of `--records` or an id of the created-record form, and
/// every `enroll` event naming a workflow of the run for a record of its
/// object type.
pub fn validate(programs: &[Program], env: &Environment, input: &RunInput) -> Result<(), RunError> {
    let start = start_of(input);
    if let Some(until) = input.until {
        if until < start {
            return Err(RunError::Usage(format!(
                "--until ({}) is before the start ({})",
                model::format_time(until),
                model::format_time(start)
            )));
        }
    }
    let known: std::collections::HashMap<&str, &str> = input
        .records
        .iter()
        .map(|r| (r.id.as_str(), r.object.as_str()))
        .collect();
    for e in &input.events {
        let at = model::format_time(e.at);
        if e.at < start {
            return Err(RunError::Usage(format!(
                "event for record `{}` at {at} is before the start of the run ({})",
                e.record,
                model::format_time(start)
            )));
        }
        let object = match known.get(e.record.as_str()) {
            Some(o) => *o,
            None => created_form(env, &e.record).ok_or_else(|| {
                RunError::Usage(format!(
                    "event at {at} names record `{}`, which is neither in --records nor the id of a created record (`<object>-<n>`)",
                    diagnostics::shorten(&e.record)
                ))
            })?,
        };
        if let model::EventKind::Enroll(name) = &e.kind {
            let Some(p) = programs.iter().find(|p| p.plan.name == *name) else {
                return Err(RunError::Usage(format!(
                    "`enroll` event for record `{}` names unknown workflow `{name}`",
                    e.record
                )));
            };
            if p.plan.object != object {
                return Err(RunError::Usage(format!(
                    "`enroll` event at {at}: record `{}` is a {object}, workflow `{name}` enrolls {} records",
                    e.record, p.plan.object
                )));
            }
        }
    }
    Ok(())
}

/// Run validated plans in memory; history goes to `history`. Returns the
/// final records (in store order: input order, then created ones).
pub fn run(
    programs: &[Program],
    env: &Environment,
    input: RunInput,
    history: &mut dyn HistorySink,
) -> Result<Vec<Record>, RunError> {
    validate(programs, env, &input)?;
    let start = start_of(&input);
    let initial = input.records.len();
    let store = MemStore::new(input.records);
    let mut engine = Engine::new(
        programs,
        env,
        store,
        Box::new(VirtualClock::new(start)),
        Box::new(Simulated),
        history,
    );
    engine.run(initial, input.events, input.until)?;
    Ok(engine.store.into_records())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_form_is_object_dash_number_from_one() {
        let env = Environment::standard();
        let form = |id: &'static str| created_form(&env, id);
        assert_eq!(form("contact-1"), Some("contact"));
        assert_eq!(form("deal-120"), Some("deal"));
        // Tasks are created whether or not the schema lists them.
        assert_eq!(form("task-7"), Some("task"));
        for bad in [
            "contact-0",
            "contact-01",
            "contact-",
            "contact",
            "-1",
            "contact-1a",
            "contact-+1",
            "lead-1",
            "Contact-1",
            "contact-1-",
        ] {
            assert_eq!(form(bad), None, "{bad}");
        }
    }

    /// docs/engine.md, "Outside effects": emails, texts, Slack, Asana, app
    /// and Salesforce actions and webhooks leave the CRM (a durable engine
    /// puts them in its outbox); edits, lists, subscriptions, created
    /// records and flow steps do not.
    #[test]
    fn external_kinds_are_the_outside_effects() {
        for kind in [
            "webhook",
            "send_internal_email",
            "send_internal_sms",
            "send_notification",
            "send_email",
            "send_internal_marketing_email",
            "send_slack",
            "create_slack_channel",
            "create_asana_task",
            "app_action",
            "salesforce_task",
            "salesforce_campaign",
        ] {
            assert!(is_external_kind(kind), "{kind} leaves the CRM");
        }
        for kind in [
            "set_property",
            "append_property",
            "clear_property",
            "copy_property",
            "increase_property",
            "decrease_property",
            "enroll_in_workflow",
            "rotate_owner",
            "create_record",
            "create_task",
            "add_to_list",
            "remove_from_list",
            "add_to_audience",
            "remove_from_audience",
            "set_subscription",
            "delay",
            "branch_if",
            "goto",
            "",
        ] {
            assert!(!is_external_kind(kind), "{kind} stays in the CRM");
        }
    }
}
