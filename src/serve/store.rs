//! The engine's durable store, as a trait: SQLite today (`sqlite`), a
//! shared PostgreSQL database next. Everything the engine keeps is read and
//! written inside one [`Txn`]; a unit of work's reads go through the
//! runtime's [`Loader`] and its writes are one [`ChangeSet`].

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::runtime::working::{ChangeSet, Loader, RecordRow, TimerRow};

/// A store failure: the unit of work is not committed.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for StoreError {
    fn from(s: String) -> StoreError {
        StoreError(s)
    }
}

/// How the engine's clock was set up when the database was created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `wall` or `virtual`.
    pub clock: String,
    /// The virtual clock's start (RFC 3339), empty on a wall clock.
    pub start: String,
}

/// A pending input, as accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct InputRow {
    pub id: i64,
    /// When it may run (an event dated in the future waits until then).
    pub due: DateTime<Utc>,
    /// `records`, `event`, `report` (a delivery report that ends a
    /// record's wait), `turn_off`, `enroll_existing`, `remember_existing`
    /// (a new workflow's triggers evaluated for the existing records).
    pub kind: String,
    pub body: Value,
}

/// A piece of work a process took: an input or a due timer, with the
/// id its store knows it by.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkItem {
    Input(InputRow),
    Timer(i64, TimerRow),
}

impl WorkItem {
    pub fn due(&self) -> DateTime<Utc> {
        match self {
            WorkItem::Input(i) => i.due,
            WorkItem::Timer(_, t) => t.due,
        }
    }
}

/// One workflow version as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkflowRow {
    pub name: String,
    pub version: u64,
    pub deployment: u64,
    pub plan: Value,
    /// The plan without its source locations, for change detection.
    pub content: String,
    /// Source order in its deployment.
    pub position: i64,
    /// `live` (current), `old` (an earlier version), `off` (turned off).
    pub state: String,
}

/// An outbox item as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub seq: u64,
    pub workflow: String,
    pub record: String,
    pub kind: String,
    pub detail: Value,
    /// `pending`, `delivered`, `failed`, `refused`.
    pub status: String,
    pub code: Option<u16>,
    pub reason: Option<String>,
    pub attempts: u32,
    pub first_attempt: Option<DateTime<Utc>>,
    pub next_attempt: Option<DateTime<Utc>>,
    /// For an effect a record waits on (an internal SMS with delivery
    /// reports): `{"node": ID, "since": TIME}`, the wait a report ends.
    /// Such an item has no history event yet (`seq` 0).
    pub wait: Option<Value>,
}

/// One history event as stored: its JSON text as `wfc run` writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryRow {
    pub seq: u64,
    pub record: String,
    pub workflow: String,
    pub body: String,
}

/// A remembered idempotent answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Remembered {
    pub body_hash: Vec<u8>,
    pub status: u16,
    pub body: Value,
}

/// Reads and writes of one transaction.
pub trait Txn: Loader {
    // ---- settings and clock (kept as `meta` key/value rows)
    fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError>;
    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError>;
    fn settings(&mut self) -> Result<Option<Settings>, StoreError> {
        let Some(clock) = self.meta("clock")? else {
            return Ok(None);
        };
        Ok(Some(Settings {
            clock,
            start: self.meta("start")?.unwrap_or_default(),
        }))
    }
    fn set_settings(&mut self, s: &Settings) -> Result<(), StoreError> {
        self.set_meta("clock", &s.clock)?;
        self.set_meta("start", &s.start)
    }
    /// The virtual clock's instant, once it moved.
    fn virtual_now(&mut self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self
            .meta("virtual_now")?
            .and_then(|v| v.parse::<i64>().ok())
            .map(from_micros))
    }
    fn set_virtual_now(&mut self, t: DateTime<Utc>) -> Result<(), StoreError>;

    // ---- deployments
    fn workflows(&mut self) -> Result<Vec<WorkflowRow>, StoreError>;
    fn put_workflow(&mut self, w: &WorkflowRow) -> Result<(), StoreError>;
    fn set_workflow_state(
        &mut self,
        name: &str,
        version: u64,
        state: &str,
    ) -> Result<(), StoreError>;
    /// The last deployment: its number and environment (as in a bundle).
    fn last_deployment(&mut self) -> Result<Option<(u64, Value)>, StoreError>;
    fn add_deployment(&mut self, number: u64, environment: &Value) -> Result<(), StoreError>;
    /// Ids of records with an active enrollment in a workflow.
    fn enrolled_in(&mut self, workflow: &str) -> Result<Vec<String>, StoreError>;
    /// Ids of every record of an object type, in id order.
    fn records_of(&mut self, object: &str) -> Result<Vec<String>, StoreError>;

    // ---- inputs and timers
    fn add_input(
        &mut self,
        due: DateTime<Utc>,
        kind: &str,
        body: &Value,
    ) -> Result<i64, StoreError>;
    /// The first pending input (by due time, then acceptance).
    fn next_input(&mut self) -> Result<Option<InputRow>, StoreError>;
    /// Remove a finished input. On a shared store, only while this
    /// process still holds its lease: `Err` otherwise (the unit rolls back).
    fn done_input(&mut self, id: i64) -> Result<(), StoreError>;
    fn next_timer(&mut self) -> Result<Option<(i64, TimerRow)>, StoreError>;
    fn done_timer(&mut self, id: i64) -> Result<(), StoreError>;
    /// The next input or timer in engine order: by due time, inputs
    /// before timers at one instant.
    fn next_work(&mut self) -> Result<Option<WorkItem>, StoreError> {
        Ok(match (self.next_input()?, self.next_timer()?) {
            (Some(i), Some((_, tm))) if i.due <= tm.due => Some(WorkItem::Input(i)),
            (_, Some((id, tm))) => Some(WorkItem::Timer(id, tm)),
            (Some(i), None) => Some(WorkItem::Input(i)),
            (None, None) => None,
        })
    }
    /// Remove finished items (as `done_input` and `done_timer` do). A
    /// store may remove a page from [`Txn::due_page`] in fewer statements.
    fn done_all(&mut self, items: &[WorkItem]) -> Result<(), StoreError> {
        done_each(self, items)
    }
    /// Up to `limit` items of the first instant that has work, if it is not
    /// after `now`, in engine order: that instant's inputs by acceptance,
    /// then its timers by scheduling. Units run from the page may schedule
    /// timers at the same instant (a zero timeout): those have later ids and
    /// come after the page, so the caller fetches the next page only when
    /// this one is done. The default is a page of one.
    fn due_page(&mut self, now: DateTime<Utc>, limit: usize) -> Result<Vec<WorkItem>, StoreError> {
        let _ = limit;
        Ok(self
            .next_work()?
            .filter(|w| w.due() <= now)
            .into_iter()
            .collect())
    }

    // ---- shared stores (several processes): claiming work with leases
    /// Take up to `limit` items due at `now` that no other process holds,
    /// in engine order, all of one instant, never one whose record has an
    /// earlier item another process holds; lease them to this process.
    /// A single-process store has nothing to claim: it runs `next_input`
    /// and `next_timer` inside its unit transactions instead.
    fn claim(&mut self, _now: DateTime<Utc>, _limit: usize) -> Result<Vec<WorkItem>, StoreError> {
        Ok(Vec::new())
    }
    /// Give back the leases of items this process could not finish.
    fn release(&mut self, _items: &[WorkItem]) -> Result<(), StoreError> {
        Ok(())
    }
    /// The number of the last deployment (another process may deploy).
    fn deployment_number(&mut self) -> Result<u64, StoreError> {
        Ok(self.last_deployment()?.map_or(0, |d| d.0))
    }

    // ---- a unit's results
    fn write(&mut self, changes: &ChangeSet) -> Result<(), StoreError>;
    /// The `seq` of the last history event committed (0: none).
    fn last_seq(&mut self) -> Result<u64, StoreError>;
    /// Append history events, numbered from `last_seq() + 1` without a gap.
    fn append_history(&mut self, rows: &[HistoryRow]) -> Result<(), StoreError>;
    fn add_outbox(&mut self, item: &OutboxRow) -> Result<i64, StoreError>;
    fn update_outbox(&mut self, item: &OutboxRow) -> Result<(), StoreError>;
    fn outbox_item(&mut self, id: i64) -> Result<Option<OutboxRow>, StoreError>;
    /// Webhook items due for an attempt at `now`.
    fn due_webhooks(
        &mut self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxRow>, StoreError>;
    /// The earliest next attempt of a pending webhook.
    fn next_webhook_at(&mut self) -> Result<Option<DateTime<Utc>>, StoreError>;

    // ---- idempotency
    fn remembered(&mut self, scope: &str, key: &str) -> Result<Option<Remembered>, StoreError>;
    fn remember(
        &mut self,
        scope: &str,
        key: &str,
        answer: &Remembered,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Forget keys remembered before `before`.
    fn forget_before(&mut self, before: DateTime<Utc>) -> Result<(), StoreError>;

    // ---- feeds
    fn record_json(&mut self, id: &str) -> Result<Option<Value>, StoreError>;
    fn records_page(&mut self, after: Option<&str>, limit: usize)
        -> Result<Vec<Value>, StoreError>;
    fn history_page(
        &mut self,
        after: u64,
        limit: usize,
        record: Option<&str>,
        workflow: Option<&str>,
    ) -> Result<Vec<Value>, StoreError>;
    fn outbox_page(&mut self, after: i64, limit: usize) -> Result<Vec<OutboxRow>, StoreError>;

    // ---- metrics
    fn counts(&mut self, now: DateTime<Utc>) -> Result<Counts, StoreError>;
}

/// Gauges read from the store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    pub active_enrollments: u64,
    pub timers_pending: u64,
    pub oldest_due_timer: Option<DateTime<Utc>>,
    pub outbox_pending: u64,
    pub outbox_failed: u64,
}

/// A durable store: opens transactions.
pub trait Backend: Send {
    /// A second connection for the feeds and record reads (`GET`s), so
    /// that they are answered beside the engine's work instead of between
    /// its transactions; `None` when the store has no such thing.
    fn reader(&self) -> Result<Option<Self>, StoreError>
    where
        Self: Sized,
    {
        Ok(None)
    }
    /// Whether several processes share this store (work is then claimed
    /// with leases, and history is numbered after commit).
    fn shared(&self) -> bool {
        false
    }
    /// Whether a failed transaction is worth running again (a deadlock or
    /// a serialization failure between processes).
    fn retryable(&self, _e: &StoreError) -> bool {
        false
    }
    /// Housekeeping between units on a shared store: number committed
    /// history left unnumbered by a process that stopped.
    fn tidy(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Run `f` in one transaction: committed when it returns `Ok`, rolled
    /// back otherwise.
    fn transaction<T>(
        &mut self,
        f: &mut dyn FnMut(&mut dyn Txn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError>;
}

/// Microseconds since the epoch: the stores' time column (sorts as time).
pub fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn from_micros(m: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(m).unwrap_or_default()
}

/// A JSON column's value.
pub fn json_value(text: String) -> Result<Value, StoreError> {
    serde_json::from_str(&text).map_err(|e| StoreError(format!("corrupt row in the database: {e}")))
}

/// A value as a JSON column's text.
pub fn json_text(v: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError(format!("database error: {e}")))
}

/// A stored record in the `--state` line format.
pub fn record_out(id: &str, body: String) -> Result<Value, StoreError> {
    let row: RecordRow = serde_json::from_str(&body)
        .map_err(|e| StoreError(format!("corrupt record `{id}`: {e}")))?;
    Ok(serde_json::json!({
        "id": id,
        "object": row.object,
        "properties": row.properties,
        "associations": row.associations,
    }))
}

/// Remove finished items one by one (`done_input`, `done_timer`).
pub fn done_each<T: Txn + ?Sized>(t: &mut T, items: &[WorkItem]) -> Result<(), StoreError> {
    for item in items {
        match item {
            WorkItem::Input(i) => t.done_input(i.id)?,
            WorkItem::Timer(id, _) => t.done_timer(*id)?,
        }
    }
    Ok(())
}
