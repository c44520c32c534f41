//! Flow: advancing an enrollment step by step, delays, branches and go-tos.

use std::borrow::Cow;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value as Json};

use super::actions::{changed_property, is_external};
use super::MAX_STEPS_PER_ENROLLMENT;
use super::{Change, Done, Engine, How};
use crate::plan::{Action, Event, PropertyRef, ValueCase};
use crate::runtime::model::format_time;
use crate::runtime::program::Centre;
use crate::runtime::program::Edges;
use crate::runtime::store::{
    Delivery, Detail, Effect, EnrId, RecId, Store, Timer, Wait, REPORT_WAIT_HOURS,
};
use crate::runtime::time;
use crate::runtime::values::{is_empty, to_text};

/// Where a step runs: the enrollment, its workflow and record, the node.
#[derive(Clone, Copy)]
struct At {
    eid: EnrId,
    wf: usize,
    rec: RecId,
    node: usize,
}

impl<'p, S: Store> Engine<'p, S> {
    pub(super) fn leave(&mut self, eid: EnrId, event: &'static str, reason: &str) {
        let (wf, rec) = {
            let e = self.store.enrollment(eid);
            (e.workflow, e.record)
        };
        self.emit(wf, rec, event, None, Detail::Reason(reason.into()));
        self.store.end(eid);
    }

    /// Run an enrollment until it waits, finishes or leaves.
    pub(super) fn advance(&mut self, eid: EnrId) {
        loop {
            let e = self.store.enrollment(eid);
            if !e.active || e.wait != Wait::None {
                return;
            }
            if self.check_exit_of(eid) {
                return;
            }
            let e = self.store.enrollment(eid);
            let (wf, rec) = (e.workflow, e.record);
            let Some(node) = e.node else {
                self.emit(wf, rec, "finished", None, Detail::Empty);
                self.store.end(eid);
                return;
            };
            if e.events >= MAX_STEPS_PER_ENROLLMENT {
                self.emit(
                    wf,
                    rec,
                    "error",
                    Some(node),
                    Detail::Reason("step limit reached (10,000 steps per enrollment)".into()),
                );
                self.leave(eid, "unenrolled", "step limit reached");
                return;
            }
            self.store.enrollment_mut(eid).events += 1;
            self.steps += 1;
            self.step(eid, wf, rec, node);
        }
    }

    /// Wait until `until`. An instant that is not in the future means no
    /// wait at all: no `delayed` event, no timer; the record goes on with the
    /// next step at once (language reference: "not at all if today is one of
    /// them", "an instant already past means no wait").
    pub(super) fn delay_to(
        &mut self,
        eid: EnrId,
        wf: usize,
        rec: RecId,
        node: usize,
        until: DateTime<Utc>,
        next: Option<usize>,
    ) {
        let now = self.now();
        if until <= now {
            self.set_node(eid, next);
            return;
        }
        self.emit(wf, rec, "delayed", Some(node), Detail::Until(until));
        let e = self.store.enrollment_mut(eid);
        e.node = next;
        e.wait = Wait::Timer { resume: next };
        e.generation = e.generation.wrapping_add(1);
        let generation = e.generation;
        self.store.schedule(
            until,
            Timer {
                enrollment: eid,
                generation,
            },
        );
    }

    pub(super) fn set_node(&mut self, eid: EnrId, node: Option<usize>) {
        self.store.enrollment_mut(eid).node = node;
    }

    /// Execute one step: one kind of node, one small function.
    pub(super) fn step(&mut self, eid: EnrId, wf: usize, rec: RecId, node: usize) {
        let programs = self.programs;
        let program = &programs[wf];
        let Some(n) = program.plan.nodes.get(node) else {
            return self.leave(eid, "unenrolled", "invalid node");
        };
        let at = At { eid, wf, rec, node };
        let edges = &program.edges[node];
        let now = self.now();
        let tz = self.env.account.timezone;
        match &n.action {
            Action::Delay { minutes } => {
                let until = minutes_after(now, *minutes);
                self.delay_to(eid, wf, rec, node, until, edges.next);
            }
            Action::DelayUntilTime { .. } => {
                let until = time::next_matching(tz, now, &edges.days, edges.time);
                self.delay_to(eid, wf, rec, node, until, edges.next);
            }
            Action::DelayUntilEvent {
                event, max_minutes, ..
            } => self.wait_for_event(at, edges, event, *max_minutes),
            Action::DelayUntilDate { offset_minutes, .. } => {
                self.delay_centred(at, edges, *offset_minutes)
            }
            Action::BranchIf { cases, .. } => {
                let ev = self.eval();
                let hit = cases.iter().position(|c| ev.condition(rec, &c.condition));
                let (path, next) = match hit {
                    Some(i) => (
                        Cow::Borrowed(cases.get(i).map(|c| c.path.as_str()).unwrap_or_default()),
                        edges.cases.get(i).copied().flatten(),
                    ),
                    None => (Cow::Borrowed("else"), edges.else_next),
                };
                self.emit(wf, rec, "branch", Some(node), Detail::Path(path));
                self.set_node(eid, next);
            }
            Action::BranchValue {
                property, cases, ..
            } => self.branch_value(at, edges, property, cases),
            Action::Goto { label, .. } => {
                self.emit(wf, rec, "goto", Some(node), Detail::Named("target", label));
                self.set_node(eid, edges.jump);
            }
            Action::EnrollInWorkflow { workflow } => self.enroll_in(at, edges, workflow),
            action => self.run_action(at, edges, action),
        }
    }

    /// `delay until <event>`: wait for a later matching activity, or until
    /// the timeout if any.
    fn wait_for_event(&mut self, at: At, edges: &Edges, event: &'p Event, max: Option<u64>) {
        let At { eid, wf, rec, node } = at;
        let now = self.now();
        let until = max.map(|m| minutes_after(now, m));
        let detail = json!({
            "until": until.map(format_time),
            "event": event,
        });
        self.emit(wf, rec, "delayed", Some(node), Detail::Json(detail));
        let e = self.store.enrollment_mut(eid);
        e.wait = Wait::Event {
            node,
            since: now,
            resume: edges.next,
            timeout: edges.jump,
        };
        e.generation = e.generation.wrapping_add(1);
        let generation = e.generation;
        if let Some(until) = until {
            self.store.schedule(
                until,
                Timer {
                    enrollment: eid,
                    generation,
                },
            );
        }
    }

    /// A date-centred delay; a missing or unreadable centre date is an
    /// `error` and the record is unenrolled.
    fn delay_centred(&mut self, at: At, edges: &Edges, offset_minutes: i64) {
        let At { eid, wf, rec, node } = at;
        let tz = self.env.account.timezone;
        let centre = match &self.programs[wf].centre {
            Some(Centre::Date(d)) => Ok(*d),
            Some(Centre::Property(p)) => {
                let v = self.store.record(rec).properties.get(p);
                match v.and_then(|v| v.as_str()) {
                    Some(s) if s.len() == 10 => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                        .map_err(|_| format!("centre date property `{p}` holds `{s}`, not a date")),
                    Some(s) => crate::runtime::model::parse_time(s)
                        .map(|t| time::local_date(tz, t))
                        .ok_or_else(|| {
                            format!("centre date property `{p}` holds `{s}`, not a date")
                        }),
                    None if is_empty(v) => Err(format!("centre date property `{p}` is empty")),
                    None => Err(format!("centre date property `{p}` does not hold a date")),
                }
            }
            None => Err("workflow is not date-centred".to_string()),
        };
        let until = centre.and_then(|c| {
            time::centred_instant(tz, c, offset_minutes, edges.time)
                .ok_or_else(|| "centred delay is out of range".to_string())
        });
        match until {
            Ok(until) => self.delay_to(eid, wf, rec, node, until, edges.next),
            Err(reason) => {
                self.emit(wf, rec, "error", Some(node), Detail::Reason(reason.into()));
                self.leave(eid, "unenrolled", "centre date is missing");
            }
        }
    }

    /// `branch on <property>`: the first case with a value the record (or
    /// any associated record) holds, else `else`.
    fn branch_value(
        &mut self,
        at: At,
        edges: &Edges,
        property: &PropertyRef,
        cases: &'p [ValueCase],
    ) {
        let At { eid, wf, rec, node } = at;
        let tz = self.env.account.timezone;
        let (path, next) = {
            let ev = self.eval();
            let values: Vec<Json> = ev
                .targets(rec, property.object.as_deref())
                .into_iter()
                .filter_map(|t| {
                    self.store
                        .record(t)
                        .properties
                        .get(&property.property)
                        .cloned()
                })
                .filter(|v| !is_empty(Some(v)))
                .collect();
            let mut found = None;
            'cases: for (i, c) in cases.iter().enumerate() {
                for lit in &c.values {
                    let lit = ev.literal(rec, lit);
                    if values.iter().any(|v| value_is(v, &lit, tz)) {
                        found = Some((
                            Cow::Owned(to_text(&lit)),
                            edges.cases.get(i).copied().flatten(),
                        ));
                        break 'cases;
                    }
                }
            }
            found.unwrap_or((Cow::Borrowed("else"), edges.else_next))
        };
        self.emit(wf, rec, "branch", Some(node), Detail::Path(path));
        self.set_node(eid, next);
    }

    /// `enroll in <workflow>`: the target's `enrolled` comes at once, its
    /// steps after the caller waits or finishes.
    fn enroll_in(&mut self, at: At, edges: &Edges, workflow: &'p str) {
        let At { eid, wf, rec, node } = at;
        let programs = self.programs;
        self.set_node(eid, edges.next);
        let target = self.by_name.get(workflow).copied();
        let reason = match target {
            None => Some(format!("workflow `{workflow}` is not part of this run")),
            Some(t) if programs[t].plan.object != self.store.record(rec).object => Some(format!(
                "workflow `{workflow}` enrolls {} records",
                programs[t].plan.object
            )),
            Some(t) if self.store.active(t, rec).is_some() => {
                Some("already enrolled in target workflow".to_string())
            }
            Some(_) => None,
        };
        match (reason, target) {
            (None, Some(t)) => {
                self.emit(
                    wf,
                    rec,
                    "action",
                    Some(node),
                    Detail::Named("workflow", workflow),
                );
                self.try_enroll(t, rec, How::Workflow);
            }
            (reason, _) => {
                let reason = reason.unwrap_or_default();
                self.emit(wf, rec, "error", Some(node), Detail::Reason(reason.into()));
            }
        }
    }

    /// Any other action: execute it, deliver external effects, record the
    /// outcome and re-check the records it changed.
    fn run_action(&mut self, at: At, edges: &Edges, action: &'p Action) {
        let At { eid, wf, rec, node } = at;
        let outcome = self.act(wf, rec, node, action);
        self.set_node(eid, edges.next);
        let outcome = match outcome {
            Done::Ok(detail, changed) if is_external(action) => {
                let program = &self.programs[wf];
                let effect = Effect {
                    kind: action.kind(),
                    workflow: &program.plan.name,
                    record: &self.store.record(rec).id,
                    node: program.plan.nodes.get(node).map_or("", |n| n.id.as_str()),
                    at: self.clock.now(),
                    detail: &detail,
                };
                match self.effects.deliver(&effect) {
                    Delivery::Done => Done::Ok(detail, changed),
                    Delivery::Failed(reason) => Done::Err(reason),
                    Delivery::Pending => {
                        let detail = detail.to_value();
                        return self.await_report(at, edges.next, detail);
                    }
                }
            }
            other => other,
        };
        match outcome {
            Done::Ok(detail, changed) => {
                self.emit(wf, rec, "action", Some(node), detail);
                if matches!(
                    action,
                    Action::CreateRecord { .. } | Action::CreateTask { .. }
                ) {
                    // A new record (evaluated in full) and a new
                    // association of the enrolled record.
                    for r in changed {
                        self.recheck(r, Change::Any);
                    }
                    self.recheck(rec, Change::Associations);
                } else {
                    let change = changed_property(action).map_or(Change::Any, Change::Property);
                    for r in changed {
                        self.on_change(r, change);
                    }
                }
            }
            Done::Err(reason) => {
                self.emit(wf, rec, "error", Some(node), Detail::Reason(reason.into()));
            }
        }
    }
}

impl<'p, S: Store> Engine<'p, S> {
    /// The step's effect was started and its delivery report comes later:
    /// the record waits at the step, with no history event yet, for at
    /// most [`REPORT_WAIT_HOURS`] (a timer ends the wait).
    fn await_report(&mut self, at: At, resume: Option<usize>, detail: Json) {
        let At { eid, node, .. } = at;
        let now = self.now();
        let e = self.store.enrollment_mut(eid);
        e.node = resume;
        e.wait = Wait::Report {
            node,
            since: now,
            resume,
            detail,
        };
        e.generation = e.generation.wrapping_add(1);
        let generation = e.generation;
        let until = minutes_after(now, REPORT_WAIT_HOURS.unsigned_abs() * 60);
        self.store.schedule(
            until,
            Timer {
                enrollment: eid,
                generation,
            },
        );
    }

    /// End a wait for a delivery report: the step's `action` event (`Ok`)
    /// or an `error` with the reason; then the record goes on.
    pub(super) fn end_report_wait(&mut self, eid: EnrId, outcome: Result<(), String>) {
        let e = self.store.enrollment(eid);
        let Wait::Report {
            node,
            resume,
            detail,
            ..
        } = e.wait.clone()
        else {
            return;
        };
        let (wf, rec) = (e.workflow, e.record);
        match outcome {
            Ok(()) => self.emit(wf, rec, "action", Some(node), Detail::Json(detail)),
            Err(reason) => self.emit(wf, rec, "error", Some(node), Detail::Reason(reason.into())),
        }
        let e = self.store.enrollment_mut(eid);
        e.node = resume;
        e.wait = Wait::None;
        e.generation = e.generation.wrapping_add(1);
        self.queue.push_back(eid);
    }
}

/// A `branch on` case value matches a (non-empty) property value.
pub(super) fn value_is(v: &Json, lit: &Json, tz: chrono_tz::Tz) -> bool {
    crate::runtime::values::equals(v, lit, tz)
}

/// The last instant an RFC 3339 time can name (a four-digit year).
pub(super) fn end_of_time() -> DateTime<Utc> {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map_or(DateTime::<Utc>::MAX_UTC, |t| t.and_utc())
}

/// `now` plus `minutes`, at most [`end_of_time`]. A hand-written plan may ask
/// for more minutes than time has (`u64::MAX`): the record then waits for
/// ever; the delay used to overflow into no wait at all.
pub(super) fn minutes_after(now: DateTime<Utc>, minutes: u64) -> DateTime<Utc> {
    let end = end_of_time().max(now);
    i64::try_from(minutes)
        .ok()
        .and_then(Duration::try_minutes)
        .and_then(|d| now.checked_add_signed(d))
        .map_or(end, |t| t.min(end))
}
