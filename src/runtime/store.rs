//! The engine's narrow interfaces — [`Clock`], [`Store`], [`Effects`] and
//! [`HistorySink`] — and their in-memory implementations.
//!
//! The semantics live in the engine only; a durable store (SQLite,
//! Postgres) or real delivery of effects implements these traits.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::model::Record;

/// Index of a record in the store.
pub type RecId = usize;
/// Index of an enrollment in the store.
pub type EnrId = usize;

/// The time source. The simulation's clock only moves when the engine moves it.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
    fn advance_to(&mut self, t: DateTime<Utc>);
}

/// A clock that only moves when told to (never reads the wall clock).
#[derive(Clone, Debug)]
pub struct VirtualClock(DateTime<Utc>);

impl VirtualClock {
    pub fn new(start: DateTime<Utc>) -> VirtualClock {
        VirtualClock(start)
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
    fn advance_to(&mut self, t: DateTime<Utc>) {
        if t > self.0 {
            self.0 = t;
        }
    }
}

/// Where a waiting enrollment resumes.
#[derive(Clone, Debug, PartialEq)]
pub enum Wait {
    /// Running or queued to run.
    None,
    /// Waiting for a timer; resumes at `resume`.
    Timer { resume: Option<usize> },
    /// Waiting for an event that happens strictly after `since`.
    Event {
        node: usize,
        since: DateTime<Utc>,
        resume: Option<usize>,
        timeout: Option<usize>,
    },
    /// Waiting at an action step, started at `since`, for the delivery
    /// report of its effect (internal SMS with delivery reports); `detail`
    /// is the step's `action` detail, written when the report says
    /// delivered. Resumes at `resume` either way.
    Report {
        node: usize,
        since: DateTime<Utc>,
        resume: Option<usize>,
        detail: Value,
    },
}

/// One record's walk through one workflow.
#[derive(Clone, Debug)]
pub struct Enrollment {
    pub workflow: usize,
    pub record: RecId,
    /// The next node to run (`None`: finished after the current wait).
    pub node: Option<usize>,
    pub wait: Wait,
    /// Bumped on every wait and on leaving, so stale timers are ignored.
    pub generation: u32,
    /// History events written for this enrollment (bounded).
    pub events: u32,
    pub active: bool,
}

/// A scheduled wake-up of an enrollment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timer {
    pub enrollment: EnrId,
    pub generation: u32,
}

/// Persistent counters the semantics need.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Counter {
    /// Rotate-owner position of one action node (workflow, node).
    Rotation(usize, usize),
    /// Texts sent in one calendar month (UTC), `year * 12 + month0`.
    Sms(i32),
    /// Last `<object>-<n>` number used for created records of a type.
    Created(String),
}

/// Records, enrollments, timers and the run's persistent counters.
pub trait Store {
    fn record(&self, id: RecId) -> &Record;
    fn record_mut(&mut self, id: RecId) -> &mut Record;
    fn find(&self, id: &str) -> Option<RecId>;
    fn insert_record(&mut self, record: Record) -> RecId;

    fn active(&self, workflow: usize, record: RecId) -> Option<EnrId>;
    fn enrollment(&self, id: EnrId) -> &Enrollment;
    fn enrollment_mut(&mut self, id: EnrId) -> &mut Enrollment;
    /// Store a new active enrollment (and count it as one enrollment of the
    /// record in the workflow).
    fn begin(&mut self, enrollment: Enrollment) -> EnrId;
    /// Mark an enrollment as left.
    fn end(&mut self, id: EnrId);
    /// How many times the record has been enrolled in the workflow.
    fn times_enrolled(&self, workflow: usize, record: RecId) -> u32;

    /// Which filter triggers of the workflow the record met when last
    /// evaluated (bit i: trigger i; plans have at most 64 triggers).
    fn trigger_memory(&self, workflow: usize, record: RecId) -> u64;
    fn set_trigger_memory(&mut self, workflow: usize, record: RecId, met: u64);

    fn schedule(&mut self, at: DateTime<Utc>, timer: Timer);
    fn next_timer_at(&self) -> Option<DateTime<Utc>>;
    /// The earliest timer due at or before `now` (ties: scheduling order).
    fn pop_due(&mut self, now: DateTime<Utc>) -> Option<Timer>;

    fn counter(&mut self, key: Counter) -> &mut u64;
}

/// Per record and workflow: the active enrollment, how many times the record
/// was enrolled, and which filter triggers it met when last evaluated.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// `EnrId + 1`; 0: none.
    active: usize,
    count: u32,
    triggers: u64,
}

/// Everything in memory. Per-record state is indexed by record (no hashing
/// on the hot path); timers are bucketed by instant (a simulation wakes many
/// records at the same instants), each bucket in scheduling order.
#[derive(Debug, Default)]
pub struct MemStore {
    records: Vec<Record>,
    by_id: HashMap<String, RecId>,
    enrollments: Vec<Enrollment>,
    /// `slots[record][workflow]`, grown on first use.
    slots: Vec<Vec<Slot>>,
    timers: BTreeMap<DateTime<Utc>, VecDeque<Timer>>,
    counters: HashMap<Counter, u64>,
    /// Program index → the slot it shares with the other versions of its
    /// workflow (empty: every program is its own workflow).
    family: Vec<usize>,
}

impl MemStore {
    fn fam(&self, workflow: usize) -> usize {
        self.family.get(workflow).copied().unwrap_or(workflow)
    }

    fn slot(&self, workflow: usize, record: RecId) -> Slot {
        let workflow = self.fam(workflow);
        self.slots
            .get(record)
            .and_then(|s| s.get(workflow))
            .copied()
            .unwrap_or_default()
    }

    fn slot_mut(&mut self, workflow: usize, record: RecId) -> &mut Slot {
        let workflow = self.fam(workflow);
        if self.slots.len() <= record {
            self.slots.resize_with(record + 1, Vec::new);
        }
        let row = &mut self.slots[record];
        if row.len() <= workflow {
            row.resize(workflow + 1, Slot::default());
        }
        &mut row[workflow]
    }

    pub fn new(records: Vec<Record>) -> MemStore {
        let mut store = MemStore {
            records: Vec::with_capacity(records.len()),
            by_id: HashMap::with_capacity(records.len()),
            slots: Vec::with_capacity(records.len()),
            ..MemStore::default()
        };
        for r in records {
            store.insert_record(r);
        }
        store
    }

    pub fn into_records(self) -> Vec<Record> {
        self.records
    }

    /// Programs that share their enrollments: `family[program]` is the slot
    /// index of its workflow (versions of one workflow share one).
    pub fn set_families(&mut self, family: Vec<usize>) {
        self.family = family;
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The enrollment count and trigger memory of a record in a workflow.
    pub fn slot_state(&self, workflow: usize, record: RecId) -> (u32, u64) {
        let s = self.slot(workflow, record);
        (s.count, s.triggers)
    }

    /// Put back a slot read from a durable store: its count, trigger memory
    /// and active enrollment (stored as is, not counted again).
    pub fn restore_slot(
        &mut self,
        workflow: usize,
        record: RecId,
        count: u32,
        triggers: u64,
        active: Option<Enrollment>,
    ) -> Option<EnrId> {
        let eid = active.map(|e| {
            self.enrollments.push(e);
            self.enrollments.len() - 1
        });
        let slot = self.slot_mut(workflow, record);
        slot.count = count;
        slot.triggers = triggers;
        slot.active = eid.map_or(0, |e| e + 1);
        eid
    }

    /// The timers scheduled so far, in due order (ties: scheduling order),
    /// taken out of the store.
    pub fn take_timers(&mut self) -> Vec<(DateTime<Utc>, Timer)> {
        std::mem::take(&mut self.timers)
            .into_iter()
            .flat_map(|(at, q)| q.into_iter().map(move |t| (at, t)))
            .collect()
    }

    /// A counter's value, if it was touched.
    pub fn counter_value(&self, key: &Counter) -> Option<u64> {
        self.counters.get(key).copied()
    }

    /// Set a counter (restored from a durable store).
    pub fn set_counter(&mut self, key: Counter, value: u64) {
        self.counters.insert(key, value);
    }

    pub fn counters(&self) -> impl Iterator<Item = (&Counter, &u64)> {
        self.counters.iter()
    }
}

impl Store for MemStore {
    fn record(&self, id: RecId) -> &Record {
        &self.records[id]
    }
    fn record_mut(&mut self, id: RecId) -> &mut Record {
        &mut self.records[id]
    }
    fn find(&self, id: &str) -> Option<RecId> {
        self.by_id.get(id).copied()
    }
    fn insert_record(&mut self, record: Record) -> RecId {
        let id = self.records.len();
        self.by_id.insert(record.id.clone(), id);
        self.records.push(record);
        id
    }

    fn active(&self, workflow: usize, record: RecId) -> Option<EnrId> {
        self.slot(workflow, record).active.checked_sub(1)
    }
    fn enrollment(&self, id: EnrId) -> &Enrollment {
        &self.enrollments[id]
    }
    fn enrollment_mut(&mut self, id: EnrId) -> &mut Enrollment {
        &mut self.enrollments[id]
    }
    fn begin(&mut self, enrollment: Enrollment) -> EnrId {
        let id = self.enrollments.len();
        let slot = self.slot_mut(enrollment.workflow, enrollment.record);
        slot.active = id + 1;
        slot.count += 1;
        self.enrollments.push(enrollment);
        id
    }
    fn end(&mut self, id: EnrId) {
        let e = &mut self.enrollments[id];
        e.active = false;
        e.generation = e.generation.wrapping_add(1);
        e.wait = Wait::None;
        let (workflow, record) = (e.workflow, e.record);
        let slot = self.slot_mut(workflow, record);
        if slot.active == id + 1 {
            slot.active = 0;
        }
    }
    fn times_enrolled(&self, workflow: usize, record: RecId) -> u32 {
        self.slot(workflow, record).count
    }

    fn trigger_memory(&self, workflow: usize, record: RecId) -> u64 {
        self.slot(workflow, record).triggers
    }
    fn set_trigger_memory(&mut self, workflow: usize, record: RecId, met: u64) {
        self.slot_mut(workflow, record).triggers = met;
    }

    fn schedule(&mut self, at: DateTime<Utc>, timer: Timer) {
        self.timers.entry(at).or_default().push_back(timer);
    }
    fn next_timer_at(&self) -> Option<DateTime<Utc>> {
        self.timers.keys().next().copied()
    }
    fn pop_due(&mut self, now: DateTime<Utc>) -> Option<Timer> {
        let mut first = self.timers.first_entry()?;
        if *first.key() > now {
            return None;
        }
        let timer = first.get_mut().pop_front();
        if first.get().is_empty() {
            first.remove();
        }
        timer
    }

    fn counter(&mut self, key: Counter) -> &mut u64 {
        self.counters.entry(key).or_insert(0)
    }
}

/// Delivery of effects that leave the CRM (emails, texts, Slack, webhooks,
/// app and Salesforce actions). The history records every effect either way.
pub trait Effects {
    /// Deliver one effect: done at once, failed (the action is an `error`),
    /// or started with its outcome reported later (the record waits at the
    /// step; see [`Wait::Report`]).
    fn deliver(&mut self, effect: &Effect<'_>) -> Delivery;
}

impl<T: Effects + ?Sized> Effects for &mut T {
    fn deliver(&mut self, effect: &Effect<'_>) -> Delivery {
        (**self).deliver(effect)
    }
}

/// One effect that leaves the CRM, as the engine hands it over.
#[derive(Debug)]
pub struct Effect<'a> {
    /// The action kind (`send_internal_sms`, `webhook`, ...).
    pub kind: &'a str,
    pub workflow: &'a str,
    pub record: &'a str,
    /// The step's node id.
    pub node: &'a str,
    /// When the step runs.
    pub at: DateTime<Utc>,
    /// The `detail` its `action` event has (or will have).
    pub detail: &'a Detail<'a>,
}

/// What became of an effect handed to [`Effects::deliver`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Delivered (or handed over for good): the step's `action` event now.
    Done,
    /// Refused: the step is an `error` with this reason.
    Failed(String),
    /// Started; a delivery report comes later. The record waits at the
    /// step (at most [`REPORT_WAIT_HOURS`]) and its history event is
    /// written when the report comes or the wait ends.
    Pending,
}

/// How long a record waits at a step for a delivery report (internal SMS).
pub const REPORT_WAIT_HOURS: i64 = 72;

/// The simulation: nothing goes over the network; every delivery succeeds.
#[derive(Debug, Default)]
pub struct Simulated;

impl Effects for Simulated {
    fn deliver(&mut self, _effect: &Effect<'_>) -> Delivery {
        Delivery::Done
    }
}

/// The `detail` object of a history event. The shapes written on every
/// step are typed and borrow from the plan, so nothing is built until a
/// sink serialises the event (a sink that only counts pays nothing); every
/// other shape is a JSON value. Serialises to exactly the JSON object the
/// history shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Detail<'a> {
    /// `{}`
    Empty,
    /// `{"trigger": ...}` (enrolled)
    Trigger(&'static str),
    /// `{"until": "<RFC 3339>"}` (delayed)
    Until(DateTime<Utc>),
    /// `{"reason": ...}` (error, unenrolled, enrollment_skipped)
    Reason(Cow<'a, str>),
    /// `{"path": ...}` (branch)
    Path(Cow<'a, str>),
    /// `{"<key>": <name>}`: lists, audiences, campaigns, workflows, goto targets
    Named(&'static str, &'a str),
    /// `{"property", "value"}` plus `"records"` for an associated path
    /// (set / append)
    Property {
        property: Cow<'a, str>,
        value: Value,
        records: Option<Vec<String>>,
    },
    /// `{"property", "by", "value"}` (increase / decrease)
    Number {
        property: Cow<'a, str>,
        by: &'a serde_json::Number,
        value: Value,
    },
    /// `{"email", "recipients"}` (send email)
    Email {
        email: &'a str,
        recipients: Vec<String>,
    },
    /// Any other shape.
    Json(Value),
}

impl Detail<'_> {
    /// The detail as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Serialize for Detail<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Detail::Json(v) => v.serialize(s),
            Detail::Empty => s.serialize_map(Some(0))?.end(),
            Detail::Trigger(t) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("trigger", t)?;
                m.end()
            }
            Detail::Until(t) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("until", &super::model::format_time(*t))?;
                m.end()
            }
            Detail::Reason(r) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("reason", r)?;
                m.end()
            }
            Detail::Path(p) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("path", p)?;
                m.end()
            }
            Detail::Named(key, name) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry(key, name)?;
                m.end()
            }
            Detail::Property {
                property,
                value,
                records,
            } => {
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("property", property)?;
                m.serialize_entry("value", value)?;
                if let Some(r) = records {
                    m.serialize_entry("records", r)?;
                }
                m.end()
            }
            Detail::Number {
                property,
                by,
                value,
            } => {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("property", property)?;
                m.serialize_entry("by", by)?;
                m.serialize_entry("value", value)?;
                m.end()
            }
            Detail::Email { email, recipients } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("email", email)?;
                m.serialize_entry("recipients", recipients)?;
                m.end()
            }
        }
    }
}

/// One history event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryEvent<'a> {
    pub seq: u64,
    #[serde(serialize_with = "ser_time")]
    pub at: DateTime<Utc>,
    pub workflow: &'a str,
    pub record: &'a str,
    pub event: &'static str,
    pub node: Option<&'a str>,
    pub kind: Option<&'static str>,
    pub detail: Detail<'a>,
}

fn ser_time<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&super::model::format_time(*t))
}

/// Where history events go.
pub trait HistorySink {
    fn emit(&mut self, event: HistoryEvent<'_>) -> std::io::Result<()>;
}

/// Writes JSON Lines (the same bytes as serialising [`HistoryEvent`]; the
/// formatted time is reused while the clock stands still, which it does
/// for most events).
pub struct JsonLines<W: std::io::Write>(pub W, TimeText);

/// The last time formatted, and its text.
#[derive(Debug, Default)]
pub struct TimeText(Option<(DateTime<Utc>, String)>);

impl<W: std::io::Write> JsonLines<W> {
    pub fn new(out: W) -> JsonLines<W> {
        JsonLines(out, TimeText::default())
    }
}

impl<W: std::io::Write> HistorySink for JsonLines<W> {
    fn emit(&mut self, e: HistoryEvent<'_>) -> std::io::Result<()> {
        let at = match &self.1 .0 {
            Some((t, text)) if *t == e.at => text,
            _ => {
                let text = super::model::format_time(e.at);
                &self.1 .0.insert((e.at, text)).1
            }
        };
        let w = &mut self.0;
        write!(w, "{{\"seq\":{},\"at\":\"{at}\",\"workflow\":", e.seq)?;
        serde_json::to_writer(&mut *w, e.workflow)?;
        w.write_all(b",\"record\":")?;
        serde_json::to_writer(&mut *w, e.record)?;
        write!(w, ",\"event\":\"{}\",\"node\":", e.event)?;
        serde_json::to_writer(&mut *w, &e.node)?;
        w.write_all(b",\"kind\":")?;
        serde_json::to_writer(&mut *w, &e.kind)?;
        w.write_all(b",\"detail\":")?;
        serde_json::to_writer(&mut *w, &e.detail)?;
        w.write_all(b"}\n")
    }
}

/// Keeps every event as a JSON value (tests).
#[derive(Debug, Default)]
pub struct Collect(pub Vec<Value>);

impl HistorySink for Collect {
    fn emit(&mut self, event: HistoryEvent<'_>) -> std::io::Result<()> {
        self.0.push(serde_json::to_value(&event)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The hand-written JSON Lines writer prints exactly what serialising
    /// the event prints, including escapes and nulls.
    #[test]
    fn json_lines_match_the_serialised_event() {
        let t = Utc
            .with_ymd_and_hms(2026, 3, 2, 8, 0, 0)
            .single()
            .unwrap_or_default();
        let number = serde_json::Number::from(5);
        let events = vec![
            HistoryEvent {
                seq: 1,
                at: t,
                workflow: "W \"quoted\" \\ é",
                record: "c\n1",
                event: "enrolled",
                node: None,
                kind: None,
                detail: Detail::Trigger("filter"),
            },
            HistoryEvent {
                seq: 2,
                at: t,
                workflow: "W",
                record: "c1",
                event: "action",
                node: Some("n1"),
                kind: Some("increase_property"),
                detail: Detail::Number {
                    property: "hubspotscore".into(),
                    by: &number,
                    value: serde_json::json!(5),
                },
            },
            HistoryEvent {
                seq: 3,
                at: t + chrono::Duration::milliseconds(1500),
                workflow: "W",
                record: "c1",
                event: "delayed",
                node: Some("n2"),
                kind: Some("delay"),
                detail: Detail::Until(t),
            },
        ];
        let mut sink = JsonLines::new(Vec::new());
        let mut expected = String::new();
        for e in events {
            expected.push_str(&serde_json::to_string(&e).unwrap_or_default());
            expected.push('\n');
            sink.emit(e).unwrap_or_default();
        }
        assert_eq!(String::from_utf8_lossy(&sink.0), expected);
    }
}
