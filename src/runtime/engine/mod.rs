//! The interpreter: enrollment, flow, delays and actions over a [`Store`].
//! Every rule here is documented in docs/runtime.md (the run semantics) and
//! docs/rules.md (what each action does), with every choice made there.

mod actions;
mod convert;
mod enrollment;
mod flow;

pub(crate) use actions::is_external_kind;

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};

use super::program::Program;
use super::store::{
    Clock, Detail, Effects, EnrId, HistoryEvent, HistorySink, RecId, Store, Timer, Wait,
    REPORT_WAIT_HOURS,
};
use crate::runtime::model::{format_time, EventKind, InputEvent};
use crate::schema::Environment;

/// At most this many step events (action, delay, branch, goto, error) per
/// enrollment; the next step is an `error` and the record is unenrolled.
pub const MAX_STEPS_PER_ENROLLMENT: u32 = 10_000;
/// At most this many enrollments of one record in one workflow per run;
/// further attempts are `enrollment_skipped`.
pub const MAX_ENROLLMENTS_PER_RECORD: u32 = 1_000;
/// Texts the account may send per calendar month (UTC).
pub const SMS_MONTHLY_LIMIT: u64 = 1_000;
/// `send email` from a non-contact workflow reaches at most this many contacts.
pub const EMAIL_RECIPIENT_LIMIT: usize = 100;
/// Without `--until`, the run stops this many days after the start.
pub const MAX_RUN_DAYS: i64 = 400;
/// Reserved properties for lists, audiences and subscriptions.
pub const LISTS: &str = "wf_lists";
pub const AUDIENCES: &str = "wf_audiences";
pub const SUBSCRIPTIONS: &str = "wf_subscriptions";
const OWNER: &str = "hubspot_owner_id";

/// A problem with the run's inputs found while running (exit code 2).
#[derive(Debug)]
pub enum RunError {
    Usage(String),
    Io(std::io::Error),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Usage(m) => f.write_str(m),
            RunError::Io(e) => write!(f, "cannot write the history: {e}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum How {
    Filter,
    Event,
    Manual,
    Workflow,
}

/// What changed on a record, to know which workflows' criteria to check
/// again.
#[derive(Clone, Copy, Debug)]
pub(super) enum Change<'a> {
    /// Anything (a `set` event may change many properties).
    Any,
    /// One property.
    Property(&'a str),
    /// A new association (a record was created for it).
    Associations,
}

/// The outcome of one action.
pub(super) enum Done<'p> {
    /// Executed: the `action` detail and the records whose state changed.
    Ok(Detail<'p>, Vec<RecId>),
    Err(String),
}

/// One run of the interpreter.
pub struct Engine<'p, S: Store> {
    programs: &'p [Program],
    /// Programs `0..live` enroll records; the ones after them are earlier
    /// versions that only finish the enrollments they hold (a durable
    /// engine's older deployments).
    live: usize,
    by_name: HashMap<&'p str, usize>,
    env: &'p Environment,
    pub store: S,
    clock: Box<dyn Clock + 'p>,
    effects: Box<dyn Effects + 'p>,
    history: &'p mut dyn HistorySink,
    queue: VecDeque<EnrId>,
    seq: u64,
    io_error: Option<std::io::Error>,
    /// Steps executed (benchmarks report steps per second).
    pub steps: u64,
}

impl<'p, S: Store> Engine<'p, S> {
    pub fn new(
        programs: &'p [Program],
        env: &'p Environment,
        store: S,
        clock: Box<dyn Clock + 'p>,
        effects: Box<dyn Effects + 'p>,
        history: &'p mut dyn HistorySink,
    ) -> Engine<'p, S> {
        let by_name = programs
            .iter()
            .enumerate()
            .map(|(i, p)| (p.plan.name.as_str(), i))
            .collect();
        Engine {
            programs,
            live: programs.len(),
            by_name,
            env,
            store,
            clock,
            effects,
            history,
            queue: VecDeque::new(),
            seq: 0,
            io_error: None,
            steps: 0,
        }
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Only the first `live` programs enroll records (and are found by
    /// name); the rest only run the enrollments they already hold.
    pub fn set_live(&mut self, live: usize) {
        self.live = live.min(self.programs.len());
        self.by_name = self.programs[..self.live]
            .iter()
            .enumerate()
            .map(|(i, p)| (p.plan.name.as_str(), i))
            .collect();
    }

    /// The clock's time.
    pub fn clock_now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// One live workflow's triggers for one record (a workflow deployed
    /// with its existing records enrolled), run until it waits or finishes;
    /// nothing for a record of another type.
    pub fn start_in(&mut self, wf: usize, rec: RecId) {
        if self.programs[wf].plan.object == self.store.record(rec).object {
            self.check_filters(wf, rec, None);
            self.drain();
        }
    }

    /// A live workflow deployed without enrolling its existing records:
    /// remember which of its filter triggers the record already meets, so
    /// that it enrolls only when a trigger becomes met later; nothing for a
    /// record of another type.
    pub fn remember_in(&mut self, wf: usize, rec: RecId) {
        if self.programs[wf].plan.object == self.store.record(rec).object {
            self.remember_triggers(wf, rec);
        }
    }

    /// Number the next history event `seq + 1` (a durable store continues
    /// its history).
    pub fn set_seq(&mut self, seq: u64) {
        self.seq = seq;
    }

    /// The start of a run for one record: every live workflow of its type, in
    /// source order, each run until it waits or finishes before the next.
    pub fn start_record(&mut self, rec: RecId) {
        for wf in 0..self.live {
            if self.programs[wf].plan.object == self.store.record(rec).object {
                self.check_filters(wf, rec, None);
                self.drain();
            }
        }
    }

    /// One input, with everything it causes, at the clock's time.
    pub fn apply(&mut self, e: &InputEvent) -> Result<(), RunError> {
        self.input(e)?;
        self.drain();
        Ok(())
    }

    /// A delivery report for the effect an enrollment waits on (see
    /// [`Wait::Report`]): `Ok` writes the step's `action` event, `Err` an
    /// `error` with the reason; then the record goes on, with everything
    /// that causes. `false` (nothing done) when the enrollment does not
    /// wait for a report at the node with that id, started at `since` (the
    /// wait ended before, or this is another wait).
    pub fn report(
        &mut self,
        eid: EnrId,
        node: &str,
        since: DateTime<Utc>,
        outcome: Result<(), String>,
    ) -> bool {
        let e = self.store.enrollment(eid);
        let waits_here = match &e.wait {
            Wait::Report {
                node: n, since: s, ..
            } => {
                *s == since
                    && self.programs[e.workflow]
                        .plan
                        .nodes
                        .get(*n)
                        .is_some_and(|x| x.id == node)
            }
            _ => false,
        };
        if !e.active || !waits_here {
            return false;
        }
        self.end_report_wait(eid, outcome);
        self.drain();
        true
    }

    /// One due timer, with everything it causes.
    pub fn fire(&mut self, timer: Timer) {
        self.wake(timer);
        self.drain();
    }

    /// Unenroll an active enrollment (its workflow was turned off, say):
    /// an `unenrolled` event with the reason.
    pub fn unenroll(&mut self, eid: EnrId, reason: &str) {
        let (wf, rec, active) = {
            let e = self.store.enrollment(eid);
            (e.workflow, e.record, e.active)
        };
        if active {
            self.emit(
                wf,
                rec,
                "unenrolled",
                None,
                Detail::Reason(reason.to_string().into()),
            );
            self.store.end(eid);
        }
    }

    /// Move the clock (never backwards).
    pub fn set_now(&mut self, t: DateTime<Utc>) {
        self.clock.advance_to(t);
    }

    /// Run from the clock's time to `until` (default: when no work is left,
    /// at most [`MAX_RUN_DAYS`] later), starting with the store's first
    /// `initial` records. `events` may be in any order.
    pub fn run(
        &mut self,
        initial: usize,
        mut events: Vec<InputEvent>,
        until: Option<DateTime<Utc>>,
    ) -> Result<(), RunError> {
        let start = self.now();
        for e in &events {
            if e.at < start {
                return Err(RunError::Usage(format!(
                    "event for record `{}` at {} is before the start of the run ({})",
                    e.record,
                    format_time(e.at),
                    format_time(start)
                )));
            }
            if let EventKind::Enroll(name) = &e.kind {
                if !self.by_name.contains_key(name.as_str()) {
                    return Err(RunError::Usage(format!(
                        "`enroll` event for record `{}` names unknown workflow `{name}`",
                        e.record
                    )));
                }
            }
        }
        events.sort_by_key(|e| e.at); // stable: file order within an instant
        let end = match until {
            Some(u) => u,
            None => start + Duration::days(MAX_RUN_DAYS),
        };

        // At the start: records in file order, workflows in source order.
        for rec in 0..initial {
            self.start_record(rec);
        }

        let mut next = 0;
        loop {
            let ev_at = events.get(next).map(|e| e.at);
            let t = match (ev_at, self.store.next_timer_at()) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => break,
            };
            if t > end {
                break;
            }
            self.clock.advance_to(t);
            while let Some(e) = events.get(next).filter(|e| e.at == t) {
                let e = e.clone();
                next += 1;
                self.apply(&e)?;
            }
            while let Some(timer) = self.store.pop_due(t) {
                self.fire(timer);
            }
            if let Some(e) = self.io_error.take() {
                return Err(RunError::Io(e));
            }
        }
        match self.io_error.take() {
            Some(e) => Err(RunError::Io(e)),
            None => Ok(()),
        }
    }

    // ------------------------------------------------------------ history

    pub(super) fn emit(
        &mut self,
        wf: usize,
        rec: RecId,
        event: &'static str,
        node: Option<usize>,
        detail: Detail<'_>,
    ) {
        if self.io_error.is_some() {
            return;
        }
        self.seq += 1;
        let program = &self.programs[wf];
        let node_ref = node.and_then(|n| program.plan.nodes.get(n));
        let ev = HistoryEvent {
            seq: self.seq,
            at: self.clock.now(),
            workflow: &program.plan.name,
            record: &self.store.record(rec).id,
            event,
            node: node_ref.map(|n| n.id.as_str()),
            kind: node_ref.map(|n| n.action.kind()),
            detail,
        };
        if let Err(e) = self.history.emit(ev) {
            self.io_error = Some(e);
        }
    }

    // ------------------------------------------------------------ inputs

    pub(super) fn input(&mut self, e: &InputEvent) -> Result<(), RunError> {
        let rec = self.store.find(&e.record).ok_or_else(|| {
            RunError::Usage(format!(
                "event at {} names record `{}`, which does not exist at that time",
                format_time(e.at),
                e.record
            ))
        })?;
        match &e.kind {
            EventKind::Set(props) => {
                for (k, v) in props {
                    self.write(rec, k, Some(v.clone()));
                }
                self.on_change(rec, Change::Any);
            }
            EventKind::Activity(ev) => {
                self.store.record_mut(rec).activity.push((e.at, ev.clone()));
                self.on_activity(rec, ev);
            }
            EventKind::Enroll(name) => {
                let wf = self.by_name.get(name.as_str()).copied().unwrap_or(0);
                let object = &self.store.record(rec).object;
                if *object != self.programs[wf].plan.object {
                    return Err(RunError::Usage(format!(
                        "`enroll` event: record `{}` is a {object}, workflow `{name}` enrolls {} records",
                        e.record, self.programs[wf].plan.object
                    )));
                }
                self.try_enroll(wf, rec, How::Manual);
            }
        }
        Ok(())
    }

    pub(super) fn wake(&mut self, timer: Timer) {
        let e = self.store.enrollment(timer.enrollment);
        if !e.active || e.generation != timer.generation {
            return;
        }
        let e = self.store.enrollment_mut(timer.enrollment);
        match e.wait.clone() {
            Wait::Timer { .. } => {}
            Wait::Event { timeout, .. } => e.node = timeout,
            Wait::Report { .. } => {
                let reason = format!("no delivery report after {REPORT_WAIT_HOURS}h");
                return self.end_report_wait(timer.enrollment, Err(reason));
            }
            Wait::None => return,
        }
        e.wait = Wait::None;
        e.generation = e.generation.wrapping_add(1);
        self.queue.push_back(timer.enrollment);
    }

    pub(super) fn drain(&mut self) {
        while let Some(e) = self.queue.pop_front() {
            self.advance(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;
    use crate::runtime::model::Record;
    use crate::runtime::store::{Collect, Delivery, Effect, MemStore, VirtualClock};
    use serde_json::json;

    /// Every text is started and reported later. The plans here have no
    /// other step that leaves the CRM, and only such steps reach the
    /// effects: any other kind fails its step, and the tests see it.
    struct Reports;

    impl Effects for Reports {
        fn deliver(&mut self, effect: &Effect<'_>) -> Delivery {
            match effect.kind {
                "send_internal_sms" => Delivery::Pending,
                other => Delivery::Failed(format!("`{other}` was handed to the effects")),
            }
        }
    }

    fn texts() -> Vec<Program> {
        let src = json!({"file": "t.wf", "line": 1, "column": 1});
        let plan: Plan = serde_json::from_value(json!({
            "format": "wfplan/1", "name": "Texts", "object": "contact",
            "source": src, "reenroll": false, "triggers": [], "goals": [], "unenroll": [],
            "start": "n1",
            "nodes": [
                {"id": "n1", "source": src, "next": "n2", "kind": "send_internal_sms",
                 "to": [{"number": "+1 555 0100"}], "text": [{"text": "hi"}]},
                {"id": "n2", "source": src, "next": null, "kind": "set_property",
                 "target": {"object": null, "property": "lifecyclestage"}, "value": "lead"},
            ],
        }))
        .expect("a plan");
        crate::runtime::load(vec![plan]).expect("the plan loads")
    }

    /// An engine over record `c1` whose texts wait for reports, and the
    /// event that enrolls `c1` in `Texts` at the start.
    fn texting<'p>(
        programs: &'p [Program],
        env: &'p Environment,
        history: &'p mut Collect,
    ) -> (Engine<'p, MemStore>, InputEvent) {
        let start = crate::runtime::default_start();
        let store = MemStore::new(vec![Record::new("c1", "contact")]);
        let engine = Engine::new(
            programs,
            env,
            store,
            Box::new(VirtualClock::new(start)),
            Box::new(Reports),
            history,
        );
        let enroll = InputEvent {
            at: start,
            record: "c1".into(),
            kind: EventKind::Enroll("Texts".into()),
        };
        (engine, enroll)
    }

    fn events(history: &Collect) -> Vec<(String, String)> {
        history
            .0
            .iter()
            .map(|e| {
                let kind = e["kind"].as_str().unwrap_or_default();
                (
                    e["event"].as_str().unwrap_or_default().to_string(),
                    kind.to_string(),
                )
            })
            .collect()
    }

    /// A pending effect holds the record at its step with no history event;
    /// the report writes the step's event and the record goes on; a report
    /// for another wait does nothing.
    #[test]
    fn a_pending_effect_waits_for_its_report() {
        let programs = texts();
        let env = Environment::standard();
        let start = crate::runtime::default_start();
        let mut history = Collect::default();
        let (mut engine, enroll) = texting(&programs, &env, &mut history);
        engine.apply(&enroll).expect("enrolls");
        let eid = engine.store.active(0, 0).expect("enrolled");
        assert!(matches!(
            engine.store.enrollment(eid).wait,
            Wait::Report { node: 0, .. }
        ));
        assert!(!engine.report(eid, "n2", start, Ok(())), "another node");
        let later = start + Duration::minutes(1);
        assert!(!engine.report(eid, "n1", later, Ok(())), "another wait");
        engine.set_now(later);
        assert!(engine.report(eid, "n1", start, Ok(())));
        assert!(!engine.report(eid, "n1", start, Ok(())), "the wait is over");
        let props = &engine.store.record(0).properties;
        assert_eq!(props.get("lifecyclestage"), Some(&json!("lead")));
        assert_eq!(engine.steps, 2, "the text and the property, once each");
        drop(engine);
        assert_eq!(
            events(&history),
            [
                ("enrolled".into(), String::new()),
                ("action".into(), "send_internal_sms".into()),
                ("action".into(), "set_property".into()),
                ("finished".into(), String::new()),
            ]
        );
        assert_eq!(history.0[1]["detail"]["status"], "sent");
        assert_eq!(history.0[1]["at"], "2026-01-01T00:01:00Z");
    }

    /// Without a report the wait ends after 72 hours with an `error`.
    #[test]
    fn a_pending_effect_without_a_report_ends_after_72_hours() {
        let programs = texts();
        let env = Environment::standard();
        let mut history = Collect::default();
        let (mut engine, enroll) = texting(&programs, &env, &mut history);
        engine.run(1, vec![enroll], None).expect("runs");
        drop(engine);
        assert_eq!(history.0.len(), 4);
        assert_eq!(history.0[1]["event"], "error");
        assert_eq!(history.0[1]["at"], "2026-01-04T00:00:00Z");
        assert_eq!(
            history.0[1]["detail"]["reason"],
            "no delivery report after 72h"
        );
        assert_eq!(history.0[2]["kind"], "set_property");
    }
}
