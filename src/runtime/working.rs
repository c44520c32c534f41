//! A unit of work's view of a durable store: the [`WorkingSet`].
//!
//! A durable engine runs each unit of work (one input or one due timer, with
//! everything it causes) through the same [`Engine`](super::Engine) as
//! `wfc run`, over a working set that holds only the records the unit
//! touches. Records are loaded by id through a [`Loader`]; a record the
//! engine asks for that was not loaded yet is noted as a *miss* (the store's
//! read methods cannot fail or block), and the unit is run again from the
//! start with it loaded. The core is deterministic, so the run that sees no
//! miss is the run that would have happened with everything in memory.
//! When it succeeds, [`WorkingSet::changes`] gives what it changed as one
//! [`ChangeSet`], which the store commits atomically.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::model::Record;
use super::program::Program;
use super::store::{Counter, EnrId, Enrollment, MemStore, RecId, Store, Timer, Wait};
use crate::plan::Event;

/// The workflows a durable engine knows: every version it still runs.
/// Programs `0..live` are the current versions, in source order (they
/// enroll records); the ones after them are earlier versions (or turned-off
/// workflows) that only finish the enrollments they hold.
#[derive(Debug)]
pub struct Versions {
    pub programs: Vec<Program>,
    pub live: usize,
    /// Per program: its version number.
    pub version: Vec<u64>,
    /// Per program: the index of its workflow in `names` (versions of one
    /// workflow share their enrollment slot).
    pub family: Vec<usize>,
    /// Workflow names, one per family.
    pub names: Vec<String>,
}

impl Versions {
    /// `programs` with their version numbers; the first `live` are current.
    pub fn new(programs: Vec<(Program, u64)>, live: usize) -> Versions {
        let mut names: Vec<String> = Vec::new();
        let mut family = Vec::with_capacity(programs.len());
        let mut version = Vec::with_capacity(programs.len());
        let mut list = Vec::with_capacity(programs.len());
        for (p, v) in programs {
            let f = match names.iter().position(|n| *n == p.plan.name) {
                Some(f) => f,
                None => {
                    names.push(p.plan.name.clone());
                    names.len() - 1
                }
            };
            family.push(f);
            version.push(v);
            list.push(p);
        }
        let live = live.min(list.len());
        Versions {
            programs: list,
            live,
            version,
            family,
            names,
        }
    }

    /// The program of a workflow name and version.
    pub fn program(&self, name: &str, version: u64) -> Option<usize> {
        (0..self.programs.len())
            .find(|&i| self.version[i] == version && self.programs[i].plan.name == name)
    }

    fn node_id(&self, wf: usize, node: usize) -> Option<String> {
        self.programs[wf].plan.nodes.get(node).map(|n| n.id.clone())
    }

    fn node_index(&self, wf: usize, id: &str) -> Option<usize> {
        self.programs[wf].plan.nodes.iter().position(|n| n.id == id)
    }

    /// The durable name of a counter.
    pub fn counter_key(&self, c: &Counter) -> String {
        match c {
            Counter::Rotation(wf, node) => format!(
                "rotation:{}:{}",
                self.programs[*wf].plan.name,
                self.node_id(*wf, *node).unwrap_or_default()
            ),
            Counter::Sms(month) => format!("sms:{month}"),
            Counter::Created(object) => format!("created:{object}"),
        }
    }
}

/// A record as stored: everything but its id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordRow {
    pub object: String,
    #[serde(default)]
    pub properties: Map<String, Value>,
    #[serde(default)]
    pub associations: BTreeMap<String, BTreeSet<String>>,
    #[serde(default)]
    pub activity: Vec<(DateTime<Utc>, Event)>,
}

impl RecordRow {
    pub fn of(r: &Record) -> RecordRow {
        RecordRow {
            object: r.object.clone(),
            properties: r.properties.clone(),
            associations: r.associations.clone(),
            activity: r.activity.clone(),
        }
    }

    pub fn into_record(self, id: String) -> Record {
        Record {
            id,
            object: self.object,
            properties: self.properties,
            associations: self.associations,
            activity: self.activity,
        }
    }
}

/// Where an enrollment waits, by node id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "wait", rename_all = "snake_case")]
pub enum WaitRow {
    None,
    Timer {
        resume: Option<String>,
    },
    Event {
        node: String,
        since: DateTime<Utc>,
        resume: Option<String>,
        timeout: Option<String>,
    },
    Report {
        node: String,
        since: DateTime<Utc>,
        resume: Option<String>,
        detail: Value,
    },
}

/// An active enrollment as stored: its workflow version and node ids,
/// never positions in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRow {
    pub version: u64,
    pub node: Option<String>,
    pub wait: WaitRow,
    pub generation: u32,
    pub events: u32,
}

/// One record's state in one workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotRow {
    pub workflow: String,
    pub count: u32,
    pub triggers: u64,
    pub active: Option<EnrollmentRow>,
}

/// A record and its workflow slots, as a store reads them.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub record: Record,
    pub slots: Vec<SlotRow>,
}

/// Reads of a durable store, for one unit of work.
pub trait Loader {
    fn load(&mut self, id: &str) -> Result<Option<Loaded>, String>;
    fn counter(&mut self, key: &str) -> Result<u64, String>;
}

/// A scheduled timer as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerRow {
    pub due: DateTime<Utc>,
    pub record: String,
    pub workflow: String,
    pub generation: u32,
}

/// What one unit of work changed, committed atomically by the store.
#[derive(Clone, Debug, Default)]
pub struct ChangeSet {
    /// Records written (created or changed), with their row.
    pub records: Vec<(String, RecordRow)>,
    /// Ids of the records created by the unit (also in `records`).
    pub created: Vec<String>,
    /// Slots written, by record id.
    pub slots: Vec<(String, SlotRow)>,
    pub timers: Vec<TimerRow>,
    pub counters: Vec<(String, u64)>,
    /// Ids of the records the unit read (its read set).
    pub read: Vec<String>,
}

/// The records, slots and counters of one unit of work.
pub struct WorkingSet<'v> {
    versions: &'v Versions,
    mem: MemStore,
    /// Per loaded record: its row and slots as loaded (`None`: created).
    base: Vec<Option<(RecordRow, Vec<SlotRow>)>>,
    /// Ids the store does not have.
    absent: HashSet<String>,
    misses: RefCell<BTreeSet<String>>,
    counters: HashMap<Counter, u64>,
    loader: &'v mut dyn Loader,
    error: Option<String>,
}

impl<'v> WorkingSet<'v> {
    pub fn new(versions: &'v Versions, loader: &'v mut dyn Loader) -> WorkingSet<'v> {
        let mut mem = MemStore::default();
        mem.set_families(versions.family.clone());
        WorkingSet {
            versions,
            mem,
            base: Vec::new(),
            absent: HashSet::new(),
            misses: RefCell::new(BTreeSet::new()),
            counters: HashMap::new(),
            loader,
            error: None,
        }
    }

    /// Load a record (and its slots) if the store has it.
    pub fn load(&mut self, id: &str) -> Option<RecId> {
        if let Some(r) = self.mem.find(id) {
            return Some(r);
        }
        if self.absent.contains(id) {
            return None;
        }
        match self.loader.load(id) {
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
            Ok(None) => {
                self.absent.insert(id.to_string());
                None
            }
            Ok(Some(loaded)) => Some(self.put(loaded)),
        }
    }

    /// Load a record and the records associated with it (one hop).
    pub fn load_with_neighbours(&mut self, id: &str) -> Option<RecId> {
        let rec = self.load(id)?;
        let ids: Vec<String> = self
            .mem
            .record(rec)
            .associations
            .values()
            .flatten()
            .cloned()
            .collect();
        for other in ids {
            self.load(&other);
        }
        Some(rec)
    }

    fn put(&mut self, loaded: Loaded) -> RecId {
        let row = RecordRow::of(&loaded.record);
        let rec = self.mem.insert_record(loaded.record);
        for slot in &loaded.slots {
            let Some(family) = self.versions.names.iter().position(|n| *n == slot.workflow) else {
                continue; // a workflow this engine no longer knows
            };
            let active = slot
                .active
                .as_ref()
                .and_then(|a| self.enrollment(family, rec, a));
            let wf = self
                .versions
                .family
                .iter()
                .position(|&f| f == family)
                .unwrap_or(0);
            self.mem
                .restore_slot(wf, rec, slot.count, slot.triggers, active);
        }
        if self.base.len() <= rec {
            self.base.resize_with(rec + 1, || None);
        }
        self.base[rec] = Some((row, loaded.slots));
        rec
    }

    fn enrollment(&self, family: usize, rec: RecId, row: &EnrollmentRow) -> Option<Enrollment> {
        let v = self.versions;
        let wf = (0..v.programs.len())
            .find(|&i| v.family[i] == family && v.version[i] == row.version)?;
        let node = |id: &Option<String>| id.as_deref().and_then(|id| v.node_index(wf, id));
        let wait = match &row.wait {
            WaitRow::None => Wait::None,
            WaitRow::Timer { resume } => Wait::Timer {
                resume: node(resume),
            },
            WaitRow::Event {
                node: n,
                since,
                resume,
                timeout,
            } => Wait::Event {
                node: v.node_index(wf, n)?,
                since: *since,
                resume: node(resume),
                timeout: node(timeout),
            },
            WaitRow::Report {
                node: n,
                since,
                resume,
                detail,
            } => Wait::Report {
                node: v.node_index(wf, n)?,
                since: *since,
                resume: node(resume),
                detail: detail.clone(),
            },
        };
        Some(Enrollment {
            workflow: wf,
            record: rec,
            node: node(&row.node),
            wait,
            generation: row.generation,
            events: row.events,
            active: true,
        })
    }

    fn enrollment_row(&self, e: &Enrollment) -> EnrollmentRow {
        let v = self.versions;
        let wf = e.workflow;
        let id = |n: Option<usize>| n.and_then(|n| v.node_id(wf, n));
        let wait = match &e.wait {
            Wait::None => WaitRow::None,
            Wait::Timer { resume } => WaitRow::Timer {
                resume: id(*resume),
            },
            Wait::Event {
                node,
                since,
                resume,
                timeout,
            } => WaitRow::Event {
                node: v.node_id(wf, *node).unwrap_or_default(),
                since: *since,
                resume: id(*resume),
                timeout: id(*timeout),
            },
            Wait::Report {
                node,
                since,
                resume,
                detail,
            } => WaitRow::Report {
                node: v.node_id(wf, *node).unwrap_or_default(),
                since: *since,
                resume: id(*resume),
                detail: detail.clone(),
            },
        };
        EnrollmentRow {
            version: v.version[wf],
            node: id(e.node),
            wait,
            generation: e.generation,
            events: e.events,
        }
    }

    /// Ids the engine asked for that were not loaded: the unit must run
    /// again with them loaded.
    pub fn misses(&self) -> Vec<String> {
        self.misses.borrow().iter().cloned().collect()
    }

    /// A store read that failed (the unit must not commit).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The active enrollment of a record in a workflow (any version).
    pub fn active_in(&self, family: usize, rec: RecId) -> Option<EnrId> {
        let wf = self.versions.family.iter().position(|&f| f == family)?;
        self.mem.active(wf, rec)
    }

    /// Map a stored timer to the engine's, if its enrollment is loaded.
    pub fn timer(&mut self, row: &TimerRow) -> Option<Timer> {
        let rec = self.load(&row.record)?;
        let family = self
            .versions
            .names
            .iter()
            .position(|n| *n == row.workflow)?;
        let enrollment = self.active_in(family, rec)?;
        Some(Timer {
            enrollment,
            generation: row.generation,
        })
    }

    /// Everything the unit changed.
    pub fn changes(mut self) -> ChangeSet {
        let mut out = ChangeSet::default();
        let timers = self.mem.take_timers();
        for (due, t) in timers {
            let e = self.mem.enrollment(t.enrollment);
            out.timers.push(TimerRow {
                due,
                record: self.mem.record(e.record).id.clone(),
                workflow: self.versions.programs[e.workflow].plan.name.clone(),
                generation: t.generation,
            });
        }
        for (rec, record) in self.mem.records().iter().enumerate() {
            out.read.push(record.id.clone());
            let row = RecordRow::of(record);
            let base = self.base.get(rec).and_then(|b| b.as_ref());
            match base {
                None => {
                    out.created.push(record.id.clone());
                    out.records.push((record.id.clone(), row));
                }
                Some((old, _)) if *old != row => out.records.push((record.id.clone(), row)),
                Some(_) => {}
            }
            for (family, name) in self.versions.names.iter().enumerate() {
                let Some(wf) = self.versions.family.iter().position(|&f| f == family) else {
                    continue;
                };
                let (count, triggers) = self.mem.slot_state(wf, rec);
                let active = self
                    .mem
                    .active(wf, rec)
                    .map(|eid| self.enrollment_row(self.mem.enrollment(eid)));
                let slot = SlotRow {
                    workflow: name.clone(),
                    count,
                    triggers,
                    active,
                };
                let old = base.and_then(|(_, slots)| slots.iter().find(|s| s.workflow == *name));
                let empty = slot.count == 0 && slot.triggers == 0 && slot.active.is_none();
                let changed = match old {
                    Some(old) => *old != slot,
                    None => !empty,
                };
                if changed {
                    out.slots.push((record.id.clone(), slot));
                }
            }
        }
        for (key, value) in self.mem.counters() {
            if self.counters.get(key) != Some(value) {
                out.counters.push((self.versions.counter_key(key), *value));
            }
        }
        out
    }

    /// Ids of the records loaded or created so far, sorted.
    pub fn loaded_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.mem.records().iter().map(|r| r.id.clone()).collect();
        ids.sort();
        ids
    }
}

impl Store for WorkingSet<'_> {
    fn record(&self, id: RecId) -> &Record {
        self.mem.record(id)
    }
    fn record_mut(&mut self, id: RecId) -> &mut Record {
        self.mem.record_mut(id)
    }
    fn find(&self, id: &str) -> Option<RecId> {
        let found = self.mem.find(id);
        if found.is_none() && !self.absent.contains(id) {
            self.misses.borrow_mut().insert(id.to_string());
        }
        found
    }
    fn insert_record(&mut self, record: Record) -> RecId {
        self.absent.remove(&record.id);
        self.mem.insert_record(record)
    }
    fn active(&self, workflow: usize, record: RecId) -> Option<EnrId> {
        self.mem.active(workflow, record)
    }
    fn enrollment(&self, id: EnrId) -> &Enrollment {
        self.mem.enrollment(id)
    }
    fn enrollment_mut(&mut self, id: EnrId) -> &mut Enrollment {
        self.mem.enrollment_mut(id)
    }
    fn begin(&mut self, enrollment: Enrollment) -> EnrId {
        self.mem.begin(enrollment)
    }
    fn end(&mut self, id: EnrId) {
        self.mem.end(id)
    }
    fn times_enrolled(&self, workflow: usize, record: RecId) -> u32 {
        self.mem.times_enrolled(workflow, record)
    }
    fn trigger_memory(&self, workflow: usize, record: RecId) -> u64 {
        self.mem.trigger_memory(workflow, record)
    }
    fn set_trigger_memory(&mut self, workflow: usize, record: RecId, met: u64) {
        self.mem.set_trigger_memory(workflow, record, met)
    }
    fn schedule(&mut self, at: DateTime<Utc>, timer: Timer) {
        self.mem.schedule(at, timer)
    }
    fn next_timer_at(&self) -> Option<DateTime<Utc>> {
        None // timers of a durable store are its run loop's business
    }
    fn pop_due(&mut self, _now: DateTime<Utc>) -> Option<Timer> {
        None
    }
    fn counter(&mut self, key: Counter) -> &mut u64 {
        if self.mem.counter_value(&key).is_none() {
            let value = match self.loader.counter(&self.versions.counter_key(&key)) {
                Ok(v) => v,
                Err(e) => {
                    self.error.get_or_insert(e);
                    0
                }
            };
            self.counters.insert(key.clone(), value);
            self.mem.set_counter(key.clone(), value);
        }
        self.mem.counter(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;
    use serde_json::json;

    fn program(name: &str) -> Program {
        let plan: Plan = serde_json::from_value(json!({
            "format": "wfplan/1",
            "name": name,
            "object": "contact",
            "source": {"file": "test.json", "line": 1, "column": 1},
            "reenroll": false,
            "triggers": [],
            "goals": [],
            "unenroll": [],
            "start": null,
            "nodes": [],
        }))
        .expect("a plan");
        let mut loaded = super::super::load(vec![plan]).expect("the plan loads");
        loaded.remove(0)
    }

    /// A store whose reads of `broken-*` ids and of counters fail.
    struct Flaky;

    impl Loader for Flaky {
        fn load(&mut self, id: &str) -> Result<Option<Loaded>, String> {
            match id {
                "contact-1" => Ok(Some(Loaded {
                    record: Record::new("contact-1", "contact"),
                    slots: vec![SlotRow {
                        workflow: "A".into(),
                        count: 1,
                        triggers: 0,
                        active: None,
                    }],
                })),
                _ if id.starts_with("broken") => Err(format!("cannot read {id}")),
                _ => Ok(None),
            }
        }
        fn counter(&mut self, key: &str) -> Result<u64, String> {
            Err(format!("cannot read counter {key}"))
        }
    }

    /// A read that fails leaves its error on the working set (the unit
    /// must not commit): the first one, whatever fails after it. Records
    /// that exist or that the store does not have are no error.
    #[test]
    fn a_failed_read_is_kept_for_the_unit() {
        let versions = Versions::new(vec![(program("A"), 1)], 1);
        let mut loader = Flaky;
        let mut ws = WorkingSet::new(&versions, &mut loader);
        assert!(ws.load("contact-1").is_some());
        assert_eq!(ws.load("contact-9"), None);
        assert_eq!(ws.error(), None);
        assert_eq!(ws.load("broken-1"), None);
        assert_eq!(ws.error(), Some("cannot read broken-1"));
        assert_eq!(ws.load("broken-2"), None);
        assert_eq!(ws.error(), Some("cannot read broken-1"));

        let mut loader = Flaky;
        let mut ws = WorkingSet::new(&versions, &mut loader);
        assert_eq!(*ws.counter(Counter::Sms(24_300)), 0);
        assert!(ws
            .error()
            .is_some_and(|e| e.starts_with("cannot read counter")));
    }

    /// The engine's `find` reports a miss (the unit must run again with the
    /// record loaded) only for an id neither loaded nor known to be absent.
    #[test]
    fn find_misses_only_ids_neither_loaded_nor_known_absent() {
        let versions = Versions::new(vec![(program("A"), 1)], 1);
        let mut loader = Flaky;
        let mut ws = WorkingSet::new(&versions, &mut loader);
        let rec = ws.load("contact-1").expect("contact-1 loads");
        assert_eq!(ws.load("contact-9"), None);
        assert_eq!(Store::find(&ws, "contact-1"), Some(rec));
        assert_eq!(Store::find(&ws, "contact-9"), None);
        assert!(ws.misses().is_empty(), "{:?}", ws.misses());
        assert_eq!(Store::find(&ws, "contact-2"), None);
        assert_eq!(ws.misses(), ["contact-2"]);
    }

    /// A unit writes back only what it changed: a record read and left
    /// alone, with its slot, is in the read set and nowhere else; a changed
    /// property writes the record, not its unchanged slot.
    #[test]
    fn a_unit_writes_only_what_it_changed() {
        let versions = Versions::new(vec![(program("B"), 1), (program("A"), 1)], 2);
        let mut loader = Flaky;
        let mut ws = WorkingSet::new(&versions, &mut loader);
        assert!(ws.load("contact-1").is_some());
        let cs = ws.changes();
        assert_eq!(cs.read, ["contact-1"]);
        assert!(cs.records.is_empty(), "{:?}", cs.records);
        assert!(cs.created.is_empty());
        assert!(cs.slots.is_empty(), "{:?}", cs.slots);

        let mut loader = Flaky;
        let mut ws = WorkingSet::new(&versions, &mut loader);
        let rec = ws.load("contact-1").expect("contact-1 loads");
        ws.record_mut(rec)
            .properties
            .insert("city".into(), json!("Gent"));
        let cs = ws.changes();
        assert_eq!(cs.records.len(), 1);
        assert_eq!(cs.records[0].0, "contact-1");
        assert_eq!(cs.records[0].1.properties.get("city"), Some(&json!("Gent")));
        assert!(cs.created.is_empty());
        assert!(cs.slots.is_empty(), "{:?}", cs.slots);
    }

    /// A workflow's versions share its family; `program` finds one version
    /// of one workflow by name.
    #[test]
    fn versions_find_a_program_by_name_and_version() {
        let v = Versions::new(
            vec![(program("A"), 2), (program("B"), 1), (program("A"), 1)],
            2,
        );
        assert_eq!(v.live, 2);
        assert_eq!(v.names, ["A", "B"]);
        assert_eq!(v.family, [0, 1, 0]);
        assert_eq!(v.program("A", 2), Some(0));
        assert_eq!(v.program("B", 1), Some(1));
        assert_eq!(v.program("A", 1), Some(2));
        assert_eq!(v.program("B", 2), None);
        assert_eq!(v.program("C", 1), None);
    }
}
