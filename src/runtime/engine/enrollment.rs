//! Enrollment: triggers, goals, unenrollment criteria and re-checks after a change.

use super::MAX_ENROLLMENTS_PER_RECORD;
use super::{Change, Engine, How};
use crate::plan::{Action, Event};
use crate::runtime::store::{Detail, EnrId, Enrollment, RecId, Store, Wait};
use crate::runtime::values::{associated, Eval};

impl<'p, S: Store> Engine<'p, S> {
    pub(super) fn eval(&self) -> Eval<'_, S> {
        Eval {
            store: &self.store,
            tz: self.env.account.timezone,
        }
    }

    pub(super) fn meets_goal(&self, wf: usize, rec: RecId) -> bool {
        let ev = self.eval();
        self.programs[wf]
            .plan
            .goals
            .iter()
            .any(|c| ev.condition(rec, c))
    }

    pub(super) fn meets_unenroll(&self, wf: usize, rec: RecId) -> bool {
        let ev = self.eval();
        self.programs[wf]
            .plan
            .unenroll
            .iter()
            .any(|c| ev.condition(rec, c))
    }

    /// Goal / unenrollment check of an active enrollment; true when it left.
    pub(super) fn check_exit_of(&mut self, eid: EnrId) -> bool {
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

    pub(super) fn check_exit(&mut self, wf: usize, rec: RecId) {
        if let Some(eid) = self.store.active(wf, rec) {
            self.check_exit_of(eid);
        }
    }

    /// Which of the workflow's filter triggers the record meets now (bit `i`
    /// for trigger `i`, the first 64), and whether an event trigger matches
    /// `activity`.
    fn triggers_met(&self, wf: usize, rec: RecId, activity: Option<&Event>) -> (u64, bool) {
        use crate::plan::Trigger;
        let mut met = 0u64;
        let mut event_hit = false;
        let ev = self.eval();
        for (i, t) in self.programs[wf].plan.triggers.iter().enumerate().take(64) {
            match t {
                Trigger::Filter { condition } => {
                    if ev.condition(rec, condition) {
                        met |= 1 << i;
                    }
                }
                Trigger::Event { event } => {
                    if activity.is_some_and(|a| crate::runtime::values::event_matches(event, a)) {
                        event_hit = true;
                    }
                }
            }
        }
        (met, event_hit)
    }

    /// Evaluate the workflow's triggers for the record: filter triggers fire
    /// on a transition from not met to met; event triggers on `activity`.
    pub(super) fn check_filters(&mut self, wf: usize, rec: RecId, activity: Option<&Event>) {
        if self.programs[wf].plan.triggers.is_empty() {
            return;
        }
        let old = self.store.trigger_memory(wf, rec);
        let (now_met, event_hit) = self.triggers_met(wf, rec, activity);
        if now_met != old {
            self.store.set_trigger_memory(wf, rec, now_met);
        }
        if now_met & !old != 0 {
            self.try_enroll(wf, rec, How::Filter);
        } else if event_hit {
            self.try_enroll(wf, rec, How::Event);
        }
    }

    /// Remember the filter triggers the record meets now without enrolling
    /// it, so that only a later transition from not met to met enrolls it.
    pub(super) fn remember_triggers(&mut self, wf: usize, rec: RecId) {
        let (now_met, _) = self.triggers_met(wf, rec, None);
        if now_met != self.store.trigger_memory(wf, rec) {
            self.store.set_trigger_memory(wf, rec, now_met);
        }
    }

    pub(super) fn skip(&mut self, wf: usize, rec: RecId, reason: &str) {
        self.emit(
            wf,
            rec,
            "enrollment_skipped",
            None,
            Detail::Reason(reason.into()),
        );
    }

    pub(super) fn try_enroll(&mut self, wf: usize, rec: RecId, how: How) {
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
    pub(super) fn on_change(&mut self, rec: RecId, change: Change<'_>) {
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
    pub(super) fn recheck(&mut self, r: RecId, change: Change<'_>) {
        for wf in 0..self.live {
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

    pub(super) fn on_activity(&mut self, rec: RecId, ev: &Event) {
        let at = self.now();
        for wf in 0..self.live {
            if self.programs[wf].plan.object != self.store.record(rec).object {
                continue;
            }
            self.check_exit(wf, rec);
            self.check_filters(wf, rec, Some(ev));
            let Some(eid) = self.store.active(wf, rec) else {
                continue;
            };
            let e = self.store.enrollment(eid);
            // The enrollment may hold an earlier version of the workflow.
            let version = e.workflow;
            if let Wait::Event {
                node,
                since,
                resume,
                ..
            } = &e.wait
            {
                let waited = match &self.programs[version]
                    .plan
                    .nodes
                    .get(*node)
                    .map(|n| &n.action)
                {
                    Some(Action::DelayUntilEvent { event, .. }) => event,
                    _ => continue,
                };
                if crate::runtime::values::event_matches(waited, ev) && at > *since {
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
}
