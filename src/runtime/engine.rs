//! The interpreter: enrollment, flow, delays and actions over a [`Store`].
//! Every rule here is documented in docs/runtime.md (the run semantics) and
//! docs/rules.md (what each action does), with every choice made there.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Datelike, Duration, Utc};
use serde_json::{json, Map, Value as Json};

use super::model::{format_time, EventKind, InputEvent, Record};
use super::program::{Centre, Program};
use super::store::Effects;
use super::store::{
    Clock, Counter, Detail, EnrId, Enrollment, HistoryEvent, HistorySink, RecId, Store, Timer, Wait,
};
use super::time;
use super::values::{associated, is_empty, to_text, Eval};
use crate::plan::{
    Action, Event, MarketingRecipient, PropertyRef, Recipient, SlackTarget, SmsRecipient,
    SubscriptionStatus,
};
use crate::schema::{Environment, PropType};

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
enum How {
    Filter,
    Event,
    Manual,
    Workflow,
}

/// What changed on a record, to know which workflows' criteria to check
/// again.
#[derive(Clone, Copy, Debug)]
enum Change<'a> {
    /// Anything (a `set` event may change many properties).
    Any,
    /// One property.
    Property(&'a str),
    /// A new association (a record was created for it).
    Associations,
}

/// The outcome of one action.
enum Done<'p> {
    /// Executed: the `action` detail and the records whose state changed.
    Ok(Detail<'p>, Vec<RecId>),
    Err(String),
}

/// One run of the interpreter.
pub struct Engine<'p, S: Store> {
    programs: &'p [Program],
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

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Run from the clock's time to `until` (default: when no work is left,
    /// at most [`MAX_RUN_DAYS`] later). `events` may be in any order.
    pub fn run(
        &mut self,
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
        let initial = self.store.record_count();
        for rec in 0..initial {
            for wf in 0..self.programs.len() {
                if self.programs[wf].plan.object == self.store.record(rec).object {
                    self.check_filters(wf, rec, None);
                    self.drain();
                }
            }
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
                self.input(&e)?;
                self.drain();
            }
            while let Some(timer) = self.store.pop_due(t) {
                self.wake(timer);
                self.drain();
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

    fn emit(
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

    fn input(&mut self, e: &InputEvent) -> Result<(), RunError> {
        let rec = self.store.find(&e.record).ok_or_else(|| {
            RunError::Usage(format!(
                "event at {} names unknown record `{}`",
                format_time(e.at),
                e.record
            ))
        })?;
        match &e.kind {
            EventKind::Set(props) => {
                for (k, v) in props {
                    let v = if v.is_null() { None } else { Some(v.clone()) };
                    self.write(rec, k, v);
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

    fn wake(&mut self, timer: Timer) {
        let e = self.store.enrollment(timer.enrollment);
        if !e.active || e.generation != timer.generation {
            return;
        }
        let e = self.store.enrollment_mut(timer.enrollment);
        match e.wait.clone() {
            Wait::Timer { .. } => {}
            Wait::Event { timeout, .. } => e.node = timeout,
            Wait::None => return,
        }
        e.wait = Wait::None;
        e.generation = e.generation.wrapping_add(1);
        self.queue.push_back(timer.enrollment);
    }

    fn drain(&mut self) {
        while let Some(e) = self.queue.pop_front() {
            self.advance(e);
        }
    }

    // ------------------------------------------------------------ enrollment

    fn eval(&self) -> Eval<'_, S> {
        Eval {
            store: &self.store,
            tz: self.env.account.timezone,
        }
    }

    fn meets_goal(&self, wf: usize, rec: RecId) -> bool {
        let ev = self.eval();
        self.programs[wf]
            .plan
            .goals
            .iter()
            .any(|c| ev.condition(rec, c))
    }

    fn meets_unenroll(&self, wf: usize, rec: RecId) -> bool {
        let ev = self.eval();
        self.programs[wf]
            .plan
            .unenroll
            .iter()
            .any(|c| ev.condition(rec, c))
    }

    /// Goal / unenrollment check of an active enrollment; true when it left.
    fn check_exit_of(&mut self, eid: EnrId) -> bool {
        let (wf, rec) = {
            let e = self.store.enrollment(eid);
            (e.workflow, e.record)
        };
        let plan = &self.programs[wf].plan;
        if !plan.goals.is_empty() && self.meets_goal(wf, rec) {
            self.emit(wf, rec, "goal_met", None, Detail::Empty);
            self.store.end(eid);
            return true;
        }
        if !plan.unenroll.is_empty() && self.meets_unenroll(wf, rec) {
            self.emit(
                wf,
                rec,
                "unenrolled",
                None,
                Detail::Reason("meets the unenrollment criteria".into()),
            );
            self.store.end(eid);
            return true;
        }
        false
    }

    fn check_exit(&mut self, wf: usize, rec: RecId) {
        if let Some(eid) = self.store.active(wf, rec) {
            self.check_exit_of(eid);
        }
    }

    /// Evaluate the workflow's triggers for the record: filter triggers fire
    /// on a transition from not met to met; event triggers on `activity`.
    fn check_filters(&mut self, wf: usize, rec: RecId, activity: Option<&Event>) {
        use crate::plan::Trigger;
        let triggers = &self.programs[wf].plan.triggers;
        if triggers.is_empty() {
            return;
        }
        let mut transition = false;
        let mut event_hit = false;
        let old = self.store.trigger_memory(wf, rec);
        let mut now_met = 0u64;
        {
            let ev = self.eval();
            for (i, t) in triggers.iter().enumerate().take(64) {
                match t {
                    Trigger::Filter { condition } => {
                        if ev.condition(rec, condition) {
                            now_met |= 1 << i;
                        }
                    }
                    Trigger::Event { event } => {
                        if activity.is_some_and(|a| super::values::event_matches(event, a)) {
                            event_hit = true;
                        }
                    }
                }
            }
        }
        transition |= now_met & !old != 0;
        if now_met != old {
            self.store.set_trigger_memory(wf, rec, now_met);
        }
        if transition {
            self.try_enroll(wf, rec, How::Filter);
        } else if event_hit {
            self.try_enroll(wf, rec, How::Event);
        }
    }

    fn skip(&mut self, wf: usize, rec: RecId, reason: &str) {
        self.emit(
            wf,
            rec,
            "enrollment_skipped",
            None,
            Detail::Reason(reason.into()),
        );
    }

    fn try_enroll(&mut self, wf: usize, rec: RecId, how: How) {
        if self.store.active(wf, rec).is_some() {
            return self.skip(wf, rec, "already enrolled");
        }
        let times = self.store.times_enrolled(wf, rec);
        let plan = &self.programs[wf].plan;
        if times > 0 && matches!(how, How::Filter | How::Event) && !plan.reenroll {
            return self.skip(wf, rec, "already enrolled before and re-enrollment is off");
        }
        if times >= MAX_ENROLLMENTS_PER_RECORD {
            return self.skip(
                wf,
                rec,
                "enrollment limit reached (1,000 per record and workflow)",
            );
        }
        if self.meets_goal(wf, rec) {
            return self.skip(wf, rec, "already meets the goal");
        }
        if self.meets_unenroll(wf, rec) {
            return self.skip(wf, rec, "already meets the unenrollment criteria");
        }
        let trigger = match how {
            How::Filter | How::Event if times > 0 => "reenroll",
            How::Filter => "filter",
            How::Event => "event",
            How::Manual => "manual",
            How::Workflow => "workflow",
        };
        let eid = self.store.begin(Enrollment {
            workflow: wf,
            record: rec,
            node: self.programs[wf].start,
            wait: Wait::None,
            generation: 0,
            events: 0,
            active: true,
        });
        self.emit(wf, rec, "enrolled", None, Detail::Trigger(trigger));
        self.queue.push_back(eid);
    }

    /// After a record's properties or associations changed: for it, then for
    /// each associated record (by type, then id), every workflow of its type
    /// in source order: goal/unenrollment of an active enrollment, then the
    /// filter triggers.
    fn on_change(&mut self, rec: RecId, change: Change<'_>) {
        self.recheck(rec, change);
        let r = self.store.record(rec);
        if r.associations.is_empty() {
            return;
        }
        let mut list = Vec::new();
        for object in r.associations.keys() {
            list.extend(associated(&self.store, r, object));
        }
        for r in list {
            self.recheck(r, change);
        }
    }

    /// Goal / unenrollment, then filter triggers, of every workflow of the
    /// record's type, in source order. Workflows whose criteria cannot be
    /// affected by the change are skipped: their results cannot have changed.
    fn recheck(&mut self, r: RecId, change: Change<'_>) {
        for wf in 0..self.programs.len() {
            let program = &self.programs[wf];
            let affected = match change {
                Change::Any => true,
                Change::Property(p) => program.reads(p),
                Change::Associations => program.reads_associated,
            };
            if affected && program.plan.object == self.store.record(r).object {
                self.check_exit(wf, r);
                self.check_filters(wf, r, None);
            }
        }
    }

    fn on_activity(&mut self, rec: RecId, ev: &Event) {
        let at = self.now();
        for wf in 0..self.programs.len() {
            if self.programs[wf].plan.object != self.store.record(rec).object {
                continue;
            }
            self.check_exit(wf, rec);
            self.check_filters(wf, rec, Some(ev));
            let Some(eid) = self.store.active(wf, rec) else {
                continue;
            };
            let e = self.store.enrollment(eid);
            if let Wait::Event {
                node,
                since,
                resume,
                ..
            } = &e.wait
            {
                let waited = match &self.programs[wf].plan.nodes.get(*node).map(|n| &n.action) {
                    Some(Action::DelayUntilEvent { event, .. }) => event,
                    _ => continue,
                };
                if super::values::event_matches(waited, ev) && at > *since {
                    let resume = *resume;
                    let e = self.store.enrollment_mut(eid);
                    e.node = resume;
                    e.wait = Wait::None;
                    e.generation = e.generation.wrapping_add(1);
                    self.queue.push_back(eid);
                }
            }
        }
    }

    // ------------------------------------------------------------ steps

    fn leave(&mut self, eid: EnrId, event: &'static str, reason: &str) {
        let (wf, rec) = {
            let e = self.store.enrollment(eid);
            (e.workflow, e.record)
        };
        self.emit(wf, rec, event, None, Detail::Reason(reason.into()));
        self.store.end(eid);
    }

    /// Run an enrollment until it waits, finishes or leaves.
    fn advance(&mut self, eid: EnrId) {
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
    fn delay_to(
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

    fn set_node(&mut self, eid: EnrId, node: Option<usize>) {
        self.store.enrollment_mut(eid).node = node;
    }

    fn step(&mut self, eid: EnrId, wf: usize, rec: RecId, node: usize) {
        let programs = self.programs;
        let program = &programs[wf];
        let Some(n) = program.plan.nodes.get(node) else {
            return self.leave(eid, "unenrolled", "invalid node");
        };
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
            } => {
                let until = max_minutes.map(|m| minutes_after(now, m));
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
            Action::DelayUntilDate { offset_minutes, .. } => {
                let centre = match &program.centre {
                    Some(Centre::Date(d)) => Ok(*d),
                    Some(Centre::Property(p)) => {
                        let v = self.store.record(rec).properties.get(p);
                        match v.and_then(|v| v.as_str()) {
                            Some(s) if s.len() == 10 => {
                                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                                    format!("centre date property `{p}` holds `{s}`, not a date")
                                })
                            }
                            Some(s) => super::model::parse_time(s)
                                .map(|t| time::local_date(tz, t))
                                .ok_or_else(|| {
                                    format!("centre date property `{p}` holds `{s}`, not a date")
                                }),
                            None if is_empty(v) => {
                                Err(format!("centre date property `{p}` is empty"))
                            }
                            None => Err(format!("centre date property `{p}` does not hold a date")),
                        }
                    }
                    None => Err("workflow is not date-centred".to_string()),
                };
                let until = centre.and_then(|c| {
                    time::centred_instant(tz, c, *offset_minutes, edges.time)
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
            } => {
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
                            let cond_hit = values.iter().any(|v| value_is(v, &lit, tz));
                            if cond_hit {
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
            Action::Goto { label, .. } => {
                self.emit(wf, rec, "goto", Some(node), Detail::Named("target", label));
                self.set_node(eid, edges.jump);
            }
            Action::EnrollInWorkflow { workflow } => {
                self.set_node(eid, edges.next);
                let target = self.by_name.get(workflow.as_str()).copied();
                let reason = match target {
                    None => Some(format!("workflow `{workflow}` is not part of this run")),
                    Some(t) if programs[t].plan.object != self.store.record(rec).object => {
                        Some(format!(
                            "workflow `{workflow}` enrolls {} records",
                            programs[t].plan.object
                        ))
                    }
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
            action => {
                let outcome = self.act(wf, rec, node, action);
                self.set_node(eid, edges.next);
                let outcome = match outcome {
                    Done::Ok(detail, changed) => {
                        if is_external(action) {
                            match self.effects.deliver(action.kind(), &detail) {
                                Ok(()) => Done::Ok(detail, changed),
                                Err(reason) => Done::Err(reason),
                            }
                        } else {
                            Done::Ok(detail, changed)
                        }
                    }
                    err => err,
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
                            let change =
                                changed_property(action).map_or(Change::Any, Change::Property);
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
    }

    // ------------------------------------------------------------ actions

    fn owner_of(&self, rec: RecId) -> Option<String> {
        let v = self.store.record(rec).properties.get(OWNER);
        if is_empty(v) {
            None
        } else {
            v.map(to_text)
        }
    }

    fn prop_type(&self, object: &str, prop: &str) -> Option<&'p PropType> {
        self.env.schema.property(object, prop)
    }

    /// Write a property (`None` clears it), shaping multiple-checkbox values
    /// as arrays.
    fn write(&mut self, rec: RecId, prop: &str, value: Option<Json>) {
        let env = self.env;
        let ty = env.schema.property(&self.store.record(rec).object, prop);
        let value = match (value, ty) {
            (Some(v), Some(PropType::Multi(_))) => Some(Json::Array(multi_items(&v))),
            (v, _) => v,
        };
        let props = &mut self.store.record_mut(rec).properties;
        match value {
            Some(v) if !v.is_null() => match props.get_mut(prop) {
                Some(slot) => *slot = v,
                None => {
                    props.insert(prop.to_string(), v);
                }
            },
            _ => {
                props.shift_remove(prop);
            }
        }
    }

    fn path_text(p: &PropertyRef) -> Cow<'_, str> {
        match &p.object {
            Some(o) => Cow::Owned(format!("{o}.{}", p.property)),
            None => Cow::Borrowed(&p.property),
        }
    }

    fn ids(&self, recs: &[RecId]) -> Vec<String> {
        recs.iter()
            .map(|&r| self.store.record(r).id.clone())
            .collect()
    }

    fn record_ids(&self, recs: &[RecId]) -> Json {
        Json::Array(self.ids(recs).into_iter().map(Json::String).collect())
    }

    fn recipients(&self, rec: RecId, to: &[Recipient]) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        let mut missing_owner = false;
        for r in to {
            match r {
                Recipient::Owner => match self.owner_of(rec) {
                    Some(o) => out.push(o),
                    None => missing_owner = true,
                },
                Recipient::User(u) => out.push(u.clone()),
                Recipient::Team(t) => {
                    match self.env.resources.teams.as_ref().and_then(|m| m.get(t)) {
                        Some(members) if !members.is_empty() => out.extend(members.iter().cloned()),
                        _ => out.push(format!("team:{t}")),
                    }
                }
            }
        }
        if out.is_empty() && missing_owner {
            return Err("record has no owner".to_string());
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|r| seen.insert(r.clone()));
        Ok(out)
    }

    /// Create a record associated (both ways) with `rec`; its id is
    /// `<object>-<n>`, n counting from 1 per type, skipping ids in use.
    fn create(&mut self, rec: RecId, object: &str, properties: Map<String, Json>) -> RecId {
        let counter = self.store.counter(Counter::Created(object.to_string()));
        let mut n = *counter;
        let id = loop {
            n += 1;
            let id = format!("{object}-{n}");
            if self.store.find(&id).is_none() {
                break id;
            }
        };
        *self.store.counter(Counter::Created(object.to_string())) = n;
        let (owner_id, owner_obj) = {
            let r = self.store.record(rec);
            (r.id.clone(), r.object.clone())
        };
        let mut new = Record::new(id.clone(), object);
        new.associations
            .entry(owner_obj)
            .or_default()
            .insert(owner_id);
        let new_id = self.store.insert_record(new);
        for (k, v) in properties {
            self.write(new_id, &k, Some(v));
        }
        self.store
            .record_mut(rec)
            .associations
            .entry(object.to_string())
            .or_default()
            .insert(id);
        new_id
    }

    fn act(&mut self, wf: usize, rec: RecId, node: usize, action: &'p Action) -> Done<'p> {
        let now = self.now();
        let tz = self.env.account.timezone;
        let programs = self.programs;
        let workflow_object = programs[wf].plan.object.as_str();
        match action {
            Action::Webhook { method, url } => {
                let r = self.store.record(rec);
                let body = json!({
                    "id": r.id,
                    "object": r.object,
                    "properties": r.properties,
                    "associations": r.associations,
                });
                Done::Ok(
                    Detail::Json(json!({ "method": method, "url": url, "body": body })),
                    vec![],
                )
            }
            Action::SendInternalEmail { to, subject, body }
            | Action::SendNotification { to, subject, body } => match self.recipients(rec, to) {
                Err(reason) => Done::Err(reason),
                Ok(to) => {
                    let ev = self.eval();
                    Done::Ok(
                        Detail::Json(
                            json!({ "to": to, "subject": ev.render(rec, subject), "body": ev.render(rec, body) }),
                        ),
                        vec![],
                    )
                }
            },
            Action::SendInternalSms { to, text } => {
                let month = now.year() * 12 + now.month0() as i32;
                let sent = self.store.counter(Counter::Sms(month));
                if *sent >= SMS_MONTHLY_LIMIT {
                    return Done::Err(
                        "SMS monthly limit reached (1,000 texts per calendar month)".to_string(),
                    );
                }
                *sent += 1;
                let to: Vec<String> = to
                    .iter()
                    .map(|r| match r {
                        SmsRecipient::User(u) => u.clone(),
                        SmsRecipient::Number(n) => n.clone(),
                    })
                    .collect();
                let text = self.eval().render(rec, text);
                Done::Ok(
                    Detail::Json(json!({ "to": to, "text": text, "status": "sent" })),
                    vec![],
                )
            }
            Action::SendEmail { email } => {
                let recipients: Vec<RecId> = if workflow_object == "contact" {
                    vec![rec]
                } else {
                    let r = self.store.record(rec);
                    let mut all = associated(&self.store, r, "contact");
                    all.truncate(EMAIL_RECIPIENT_LIMIT);
                    all
                };
                Done::Ok(
                    Detail::Email {
                        email,
                        recipients: self.ids(&recipients),
                    },
                    vec![],
                )
            }
            Action::SendInternalMarketingEmail { email, to } => {
                let props = &self.store.record(rec).properties;
                let to: Vec<String> = to
                    .iter()
                    .filter_map(|t| match t {
                        MarketingRecipient::Address(a) => Some(a.clone()),
                        MarketingRecipient::Property(p) => {
                            props.get(p).filter(|v| !is_empty(Some(v))).map(to_text)
                        }
                    })
                    .collect();
                Done::Ok(Detail::Json(json!({ "email": email, "to": to })), vec![])
            }
            Action::SendSlack { to, text } => {
                let ev = self.eval();
                let text = ev.render(rec, text);
                let detail = match to {
                    SlackTarget::Channel(c) => {
                        json!({ "channel": ev.render(rec, c), "text": text })
                    }
                    SlackTarget::User(u) => json!({ "user": u, "text": text }),
                };
                Done::Ok(Detail::Json(detail), vec![])
            }
            Action::CreateSlackChannel { name, private } => {
                let Some(owner) = self.owner_of(rec) else {
                    return Done::Err("record has no owner".to_string());
                };
                let name = self.eval().render(rec, name);
                if let Err(why) = check_channel_name(&name) {
                    return Done::Err(format!("invalid Slack channel name `{name}`: {why}"));
                }
                Done::Ok(
                    Detail::Json(json!({ "name": name, "private": private, "owner": owner })),
                    vec![],
                )
            }
            Action::CreateAsanaTask { title, project } => {
                let title = self.eval().render(rec, title);
                Done::Ok(
                    Detail::Json(json!({ "title": title, "project": project })),
                    vec![],
                )
            }
            Action::AppAction {
                app,
                action,
                fields,
            } => {
                let ev = self.eval();
                let mut f = Map::new();
                for field in fields {
                    f.insert(field.property.clone(), ev.literal(rec, &field.value));
                }
                Done::Ok(
                    Detail::Json(json!({ "app": app, "action": action, "fields": f })),
                    vec![],
                )
            }
            Action::RotateOwner {
                team,
                users,
                overwrite,
            } => {
                let members: Vec<String> = match team {
                    Some(t) => match self.env.resources.teams.as_ref().and_then(|m| m.get(t)) {
                        Some(m) if !m.is_empty() => m.clone(),
                        _ => return Done::Err(format!("team `{t}` has no declared members")),
                    },
                    None => users.clone(),
                };
                if members.is_empty() {
                    return Done::Err("no users to rotate among".to_string());
                }
                if let Some(current) = self.owner_of(rec) {
                    if !overwrite {
                        return Done::Ok(
                            Detail::Json(json!({ "skipped": true, "owner": current })),
                            vec![],
                        );
                    }
                }
                let pos = self.store.counter(Counter::Rotation(wf, node));
                let owner = members[(*pos as usize) % members.len()].clone();
                *pos += 1;
                self.write(rec, OWNER, Some(Json::String(owner.clone())));
                Done::Ok(Detail::Json(json!({ "owner": owner })), vec![rec])
            }
            Action::CreateRecord { object, properties } => {
                let mut props = Map::new();
                {
                    let ev = self.eval();
                    for f in properties {
                        props.insert(f.property.clone(), ev.literal(rec, &f.value));
                    }
                }
                let new = self.create(rec, object, props);
                let r = self.store.record(new);
                Done::Ok(
                    Detail::Json(
                        json!({ "object": object, "id": r.id, "properties": r.properties }),
                    ),
                    vec![new],
                )
            }
            Action::CreateTask {
                title,
                due_minutes,
                for_owner,
            } => {
                let mut props = Map::new();
                props.insert("title".into(), Json::String(self.eval().render(rec, title)));
                if let Some(due) = due_minutes
                    .and_then(|m| i64::try_from(m).ok())
                    .and_then(Duration::try_minutes)
                    .and_then(|d| now.checked_add_signed(d))
                {
                    props.insert("due".into(), Json::String(format_time(due)));
                }
                if *for_owner {
                    if let Some(o) = self.owner_of(rec) {
                        props.insert(OWNER.into(), Json::String(o));
                    }
                }
                let new = self.create(rec, "task", props);
                let r = self.store.record(new);
                Done::Ok(
                    Detail::Json(json!({ "id": r.id, "properties": r.properties })),
                    vec![new],
                )
            }
            Action::SetProperty { target, value } | Action::AppendProperty { target, value } => {
                let append = matches!(action, Action::AppendProperty { .. });
                let (targets, lit) = {
                    let ev = self.eval();
                    (
                        ev.targets(rec, target.object.as_deref()),
                        ev.literal(rec, value),
                    )
                };
                for &t in &targets {
                    let v = if append {
                        let mut items = self
                            .store
                            .record(t)
                            .properties
                            .get(&target.property)
                            .map(multi_items)
                            .unwrap_or_default();
                        for i in multi_items(&lit) {
                            if !items.contains(&i) {
                                items.push(i);
                            }
                        }
                        Json::Array(items)
                    } else {
                        lit.clone()
                    };
                    self.write(t, &target.property, Some(v));
                }
                let records = target.object.as_ref().map(|_| self.ids(&targets));
                Done::Ok(
                    Detail::Property {
                        property: Self::path_text(target),
                        value: lit,
                        records,
                    },
                    targets,
                )
            }
            Action::CopyProperty {
                source,
                target,
                append,
            } => self.copy(rec, source, target, *append, tz),
            Action::ClearProperty { target } => {
                let targets = self.eval().targets(rec, target.object.as_deref());
                for &t in &targets {
                    self.write(t, &target.property, None);
                }
                let mut detail = json!({ "property": Self::path_text(target) });
                if target.object.is_some() {
                    detail["records"] = self.record_ids(&targets);
                }
                Done::Ok(Detail::Json(detail), targets)
            }
            Action::IncreaseProperty { target, by } | Action::DecreaseProperty { target, by } => {
                let sign = if matches!(action, Action::IncreaseProperty { .. }) {
                    1
                } else {
                    -1
                };
                let targets = self.eval().targets(rec, target.object.as_deref());
                let mut values = Vec::new();
                for &t in &targets {
                    let cur = self
                        .store
                        .record(t)
                        .properties
                        .get(&target.property)
                        .cloned();
                    let Some(new) = add_number(cur.as_ref(), by, sign) else {
                        let text = cur.as_ref().map(to_text).unwrap_or_default();
                        let numeric = matches!(cur, Some(Json::Number(_)))
                            || serde_json::from_str::<serde_json::Number>(text.trim()).is_ok();
                        // A plan file may hold any `by`: `1e308 + 1e308` is
                        // not a JSON number either, but the value was one.
                        return Done::Err(if numeric {
                            format!(
                                "property `{}` would go out of range: `{}` {} {by}",
                                target.property,
                                crate::diagnostics::shorten(&text),
                                if sign < 0 { "-" } else { "+" }
                            )
                        } else {
                            format!(
                                "property `{}` holds `{}`, not a number",
                                target.property,
                                crate::diagnostics::shorten(&text)
                            )
                        });
                    };
                    values.push((t, new));
                }
                let shown = values.first().map(|(_, v)| v.clone()).unwrap_or(Json::Null);
                for (t, v) in values {
                    self.write(t, &target.property, Some(v));
                }
                Done::Ok(
                    Detail::Number {
                        property: Self::path_text(target),
                        by,
                        value: shown,
                    },
                    targets,
                )
            }
            Action::AddToList { list } => self.set_member(rec, LISTS, list, true, "list"),
            Action::RemoveFromList { list } => self.set_member(rec, LISTS, list, false, "list"),
            Action::AddToAudience { audience } => {
                self.set_member(rec, AUDIENCES, audience, true, "audience")
            }
            Action::RemoveFromAudience { audience } => {
                self.set_member(rec, AUDIENCES, audience, false, "audience")
            }
            Action::SetSubscription {
                subscription,
                status,
                basis,
                explanation,
            } => {
                let status = match status {
                    SubscriptionStatus::OptedIn => "opted_in",
                    SubscriptionStatus::OptedOut => "opted_out",
                };
                let explanation = explanation.as_ref().map(|t| self.eval().render(rec, t));
                let props = &mut self.store.record_mut(rec).properties;
                let subs = props
                    .entry(SUBSCRIPTIONS.to_string())
                    .or_insert_with(|| Json::Object(Map::new()));
                if !subs.is_object() {
                    *subs = Json::Object(Map::new());
                }
                if let Some(map) = subs.as_object_mut() {
                    map.insert(subscription.clone(), Json::String(status.to_string()));
                }
                Done::Ok(
                    Detail::Json(
                        json!({ "subscription": subscription, "status": status, "basis": basis, "explanation": explanation }),
                    ),
                    vec![rec],
                )
            }
            Action::SalesforceTask { subject, assignee } => {
                let subject = self.eval().render(rec, subject);
                Done::Ok(
                    Detail::Json(json!({ "subject": subject, "assignee": assignee })),
                    vec![],
                )
            }
            Action::SalesforceCampaign { campaign } => {
                Done::Ok(Detail::Json(json!({ "campaign": campaign })), vec![])
            }
            // Delays and flow are handled by `step`.
            _ => Done::Ok(Detail::Json(json!({})), vec![]),
        }
    }

    fn set_member(
        &mut self,
        rec: RecId,
        prop: &str,
        name: &'p str,
        add: bool,
        what: &'static str,
    ) -> Done<'p> {
        let props = &mut self.store.record_mut(rec).properties;
        let is_name = |i: &Json| i.as_str() == Some(name);
        match props.get_mut(prop) {
            Some(Json::Array(items)) => {
                if !add {
                    items.retain(|i| !is_name(i));
                } else if !items.iter().any(is_name) {
                    items.push(Json::String(name.to_string()));
                }
            }
            Some(other) => {
                let mut items = multi_items(other);
                items.retain(|i| !is_name(i));
                if add {
                    items.push(Json::String(name.to_string()));
                }
                *other = Json::Array(items);
            }
            None if add => {
                props.insert(
                    prop.to_string(),
                    Json::Array(vec![Json::String(name.to_string())]),
                );
            }
            None => {}
        }
        Done::Ok(Detail::Named(what, name), vec![rec])
    }

    fn copy(
        &mut self,
        rec: RecId,
        source: &PropertyRef,
        target: &PropertyRef,
        append: bool,
        tz: chrono_tz::Tz,
    ) -> Done<'p> {
        let (value, targets, target_object) = {
            let ev = self.eval();
            let sources = ev.targets(rec, source.object.as_deref());
            let Some(&from) = sources.first() else {
                return Done::Err(format!(
                    "no associated {} record to copy `{}` from",
                    source.object.as_deref().unwrap_or("?"),
                    source.property
                ));
            };
            let value = self
                .store
                .record(from)
                .properties
                .get(&source.property)
                .cloned();
            let targets = ev.targets(rec, target.object.as_deref());
            let object = target
                .object
                .clone()
                .unwrap_or_else(|| self.store.record(rec).object.clone());
            (value, targets, object)
        };
        let converted = match value.filter(|v| !is_empty(Some(v))) {
            None => None,
            Some(v) => match convert(&v, self.prop_type(&target_object, &target.property), tz) {
                Ok(v) => Some(v),
                Err(reason) => {
                    return Done::Err(format!("cannot copy into `{}`: {reason}", target.property))
                }
            },
        };
        for &t in &targets {
            let v = match (&converted, append) {
                (Some(v), true) => {
                    let mut items = self
                        .store
                        .record(t)
                        .properties
                        .get(&target.property)
                        .map(multi_items)
                        .unwrap_or_default();
                    for i in multi_items(v) {
                        if !items.contains(&i) {
                            items.push(i);
                        }
                    }
                    Some(Json::Array(items))
                }
                (None, true) => continue,
                (v, false) => v.clone(),
            };
            self.write(t, &target.property, v);
        }
        let mut detail = json!({
            "source": Self::path_text(source),
            "target": Self::path_text(target),
            "value": converted,
        });
        if target.object.is_some() {
            detail["records"] = self.record_ids(&targets);
        }
        Done::Ok(Detail::Json(detail), targets)
    }
}

/// The one property an action changes on the records it reports as
/// changed; `None` when it may change more (created records, associations).
fn changed_property(a: &Action) -> Option<&str> {
    match a {
        Action::SetProperty { target, .. }
        | Action::AppendProperty { target, .. }
        | Action::CopyProperty { target, .. }
        | Action::ClearProperty { target }
        | Action::IncreaseProperty { target, .. }
        | Action::DecreaseProperty { target, .. } => Some(&target.property),
        Action::RotateOwner { .. } => Some(OWNER),
        Action::AddToList { .. } | Action::RemoveFromList { .. } => Some(LISTS),
        Action::AddToAudience { .. } | Action::RemoveFromAudience { .. } => Some(AUDIENCES),
        Action::SetSubscription { .. } => Some(SUBSCRIPTIONS),
        _ => None,
    }
}

fn is_external(a: &Action) -> bool {
    matches!(
        a,
        Action::Webhook { .. }
            | Action::SendInternalEmail { .. }
            | Action::SendInternalSms { .. }
            | Action::SendNotification { .. }
            | Action::SendEmail { .. }
            | Action::SendInternalMarketingEmail { .. }
            | Action::SendSlack { .. }
            | Action::CreateSlackChannel { .. }
            | Action::CreateAsanaTask { .. }
            | Action::AppAction { .. }
            | Action::SalesforceTask { .. }
            | Action::SalesforceCampaign { .. }
    )
}

/// A `branch on` case value matches a (non-empty) property value.
fn value_is(v: &Json, lit: &Json, tz: chrono_tz::Tz) -> bool {
    super::values::equals(v, lit, tz)
}

/// The items of a multiple-checkbox value (an array, or `;`-separated text).
fn multi_items(v: &Json) -> Vec<Json> {
    match v {
        Json::Array(a) => a.iter().filter(|i| !is_empty(Some(i))).cloned().collect(),
        Json::String(s) if s.is_empty() => Vec::new(),
        Json::String(s) => s.split(';').map(|p| Json::String(p.to_string())).collect(),
        Json::Null => Vec::new(),
        other => vec![Json::String(to_text(other))],
    }
}

/// The last instant an RFC 3339 time can name (a four-digit year).
fn end_of_time() -> DateTime<Utc> {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map_or(DateTime::<Utc>::MAX_UTC, |t| t.and_utc())
}

/// `now` plus `minutes`, at most [`end_of_time`]. A hand-written plan may ask
/// for more minutes than time has (`u64::MAX`): the record then waits for
/// ever; the delay used to overflow into no wait at all.
fn minutes_after(now: DateTime<Utc>, minutes: u64) -> DateTime<Utc> {
    let end = end_of_time().max(now);
    i64::try_from(minutes)
        .ok()
        .and_then(Duration::try_minutes)
        .and_then(|d| now.checked_add_signed(d))
        .map_or(end, |t| t.min(end))
}

/// `cur + sign * by` (empty counts as 0); integers stay integers.
fn add_number(cur: Option<&Json>, by: &serde_json::Number, sign: i64) -> Option<Json> {
    let cur = match cur {
        None => Json::from(0),
        Some(v) if is_empty(Some(v)) => Json::from(0),
        Some(Json::String(s)) => serde_json::from_str::<serde_json::Number>(s.trim())
            .ok()
            .map(Json::Number)?,
        Some(v @ Json::Number(_)) => v.clone(),
        Some(_) => return None,
    };
    let Json::Number(cur) = cur else { return None };
    if let (Some(a), Some(b)) = (cur.as_i64(), by.as_i64()) {
        if let Some(r) = b.checked_mul(sign).and_then(|b| a.checked_add(b)) {
            return Some(Json::from(r));
        }
    }
    let r = cur.as_f64()? + by.as_f64()? * sign as f64;
    serde_json::Number::from_f64(r).map(Json::Number)
}

/// Convert a copied value to the target property's type.
fn convert(v: &Json, ty: Option<&PropType>, tz: chrono_tz::Tz) -> Result<Json, String> {
    let text = to_text(v);
    match ty {
        None | Some(PropType::Owner) => Ok(v.clone()),
        Some(PropType::String) => Ok(Json::String(text)),
        Some(PropType::Number) => match v {
            Json::Number(_) => Ok(v.clone()),
            _ => serde_json::from_str::<serde_json::Number>(text.trim())
                .map(Json::Number)
                .map_err(|_| format!("`{text}` is not a number")),
        },
        Some(PropType::Bool) => match v {
            Json::Bool(_) => Ok(v.clone()),
            _ if text == "true" || text == "false" => Ok(Json::Bool(text == "true")),
            _ => Err(format!("`{text}` is not a boolean")),
        },
        Some(PropType::Date) => {
            if chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_ok() {
                Ok(Json::String(text))
            } else if let Some(t) = super::model::parse_time(&text) {
                Ok(Json::String(
                    time::local_date(tz, t).format("%Y-%m-%d").to_string(),
                ))
            } else {
                Err(format!("`{text}` is not a date"))
            }
        }
        Some(PropType::Datetime) => {
            if let Ok(d) = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                Ok(Json::String(format_time(time::resolve_local(
                    tz,
                    d.and_time(chrono::NaiveTime::MIN),
                ))))
            } else if let Some(t) = super::model::parse_time(&text) {
                Ok(Json::String(format_time(t)))
            } else {
                Err(format!("`{text}` is not a date or time"))
            }
        }
        Some(PropType::Enum(options)) => {
            if options.contains(&text) {
                Ok(Json::String(text))
            } else {
                Err(format!("`{text}` is not an option of the target property"))
            }
        }
        Some(PropType::Multi(options)) => {
            let items = multi_items(v);
            for i in &items {
                let t = to_text(i);
                if !options.contains(&t) {
                    return Err(format!("`{t}` is not an option of the target property"));
                }
            }
            Ok(Json::Array(items))
        }
    }
}

/// The catalog's Slack channel rule, as a run reports it.
fn check_channel_name(name: &str) -> Result<(), String> {
    use crate::catalog::{slack_channel_problem, ChannelProblem, MAX_SLACK_CHANNEL};
    match slack_channel_problem(name) {
        None => Ok(()),
        Some(ChannelProblem::Empty) => Err("it is empty".into()),
        Some(ChannelProblem::TooLong(n)) => Err(format!(
            "{n} characters, at most {MAX_SLACK_CHANNEL} allowed"
        )),
        Some(ChannelProblem::BadChar(c)) => Err(format!(
            "`{c}` is not allowed (only lowercase letters, digits, `-` and `_`)"
        )),
    }
}
