//! The SQLite store: one file, WAL, `synchronous=FULL`; the schema is a
//! list of migrations applied at start-up and numbered in `meta`.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::store::{
    done_each, from_micros, json_text as text, json_value as json, micros, record_out, Backend,
    Counts, HistoryRow, InputRow, OutboxRow, Remembered, StoreError, Txn, WorkItem, WorkflowRow,
};
use crate::runtime::working::{
    ChangeSet, EnrollmentRow, Loaded, Loader, RecordRow, SlotRow, TimerRow,
};

/// The schema version this build writes (one per migration); a database
/// with a higher one is refused.
const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE deployments (number INTEGER PRIMARY KEY, environment TEXT NOT NULL);
CREATE TABLE workflows (
    name TEXT NOT NULL, version INTEGER NOT NULL, deployment INTEGER NOT NULL,
    plan TEXT NOT NULL, content TEXT NOT NULL, position INTEGER NOT NULL, state TEXT NOT NULL,
    PRIMARY KEY (name, version));
CREATE TABLE records (id TEXT PRIMARY KEY, object TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX records_state_order ON records (object, id);
CREATE TABLE slots (
    record TEXT NOT NULL, workflow TEXT NOT NULL, count INTEGER NOT NULL,
    triggers INTEGER NOT NULL, active TEXT, PRIMARY KEY (record, workflow));
CREATE INDEX slots_active ON slots (workflow) WHERE active IS NOT NULL;
CREATE TABLE counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE inputs (id INTEGER PRIMARY KEY AUTOINCREMENT, due INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX inputs_order ON inputs (due, id);
CREATE TABLE timers (id INTEGER PRIMARY KEY AUTOINCREMENT, due INTEGER NOT NULL, record TEXT NOT NULL, workflow TEXT NOT NULL, generation INTEGER NOT NULL);
CREATE INDEX timers_order ON timers (due, id);
CREATE TABLE history (seq INTEGER PRIMARY KEY, record TEXT NOT NULL, workflow TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX history_record ON history (record, seq);
CREATE INDEX history_workflow ON history (workflow, seq);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL, workflow TEXT NOT NULL, record TEXT NOT NULL,
    kind TEXT NOT NULL, detail TEXT NOT NULL, status TEXT NOT NULL, code INTEGER, reason TEXT,
    attempts INTEGER NOT NULL, first_attempt INTEGER, next_attempt INTEGER);
CREATE INDEX outbox_webhooks ON outbox (next_attempt) WHERE status = 'pending' AND kind = 'webhook';
CREATE TABLE idempotency (scope TEXT NOT NULL, key TEXT NOT NULL, hash BLOB NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (scope, key));
"#,
    // 2: the wait a delivery report ends (internal SMS with `--sms-delivery wait`).
    r#"
ALTER TABLE outbox ADD COLUMN wait TEXT;
"#,
    // 3: records and slots clustered by their keys (WITHOUT ROWID): a unit
    // reads and writes them by key, one B-tree each instead of a table and
    // its key index.
    r#"
CREATE TABLE records_by_id (id TEXT PRIMARY KEY, object TEXT NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO records_by_id (id, object, body) SELECT id, object, body FROM records;
DROP TABLE records;
ALTER TABLE records_by_id RENAME TO records;
CREATE INDEX records_state_order ON records (object, id);
CREATE TABLE slots_by_key (
    record TEXT NOT NULL, workflow TEXT NOT NULL, count INTEGER NOT NULL,
    triggers INTEGER NOT NULL, active TEXT, PRIMARY KEY (record, workflow)) WITHOUT ROWID;
INSERT INTO slots_by_key (record, workflow, count, triggers, active)
    SELECT record, workflow, count, triggers, active FROM slots;
DROP TABLE slots;
ALTER TABLE slots_by_key RENAME TO slots;
CREATE INDEX slots_active ON slots (workflow) WHERE active IS NOT NULL;
"#,
];

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("database error: {e}"))
}

/// The SQLite store.
pub struct Sqlite {
    conn: Connection,
    path: String,
    /// A read-only connection ([`Backend::reader`]): its transactions
    /// only read, beside the writer's (WAL).
    read_only: bool,
}

impl Sqlite {
    /// Open (creating) the database file and bring its schema up to date.
    pub fn open(path: &str) -> Result<Sqlite, StoreError> {
        let conn = Connection::open(path)
            .map_err(|e| StoreError(format!("cannot open the database `{path}`: {e}")))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        let mut db = Sqlite {
            conn,
            path: path.to_string(),
            read_only: false,
        };
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(err)?;
        let has_meta: bool = tx
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(err)?
            > 0;
        let version: i64 = if has_meta {
            tx.query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(err)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
        } else {
            0
        };
        if version > SCHEMA_VERSION {
            return Err(StoreError(format!(
                "the database was written by a newer wfc (schema version {version}, this wfc knows up to {SCHEMA_VERSION}); upgrade wfc"
            )));
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(m).map_err(err)?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![(i + 1).to_string()],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }
}

impl Backend for Sqlite {
    fn reader(&self) -> Result<Option<Sqlite>, StoreError> {
        use rusqlite::OpenFlags;
        if self.path == ":memory:" || self.path.is_empty() {
            return Ok(None);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(|e| {
            StoreError(format!(
                "cannot open the database `{}` to read: {e}",
                self.path
            ))
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        Ok(Some(Sqlite {
            conn,
            path: self.path.clone(),
            read_only: true,
        }))
    }

    fn transaction<T>(
        &mut self,
        f: &mut dyn FnMut(&mut dyn Txn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // The writer takes the write lock at once (one writer, no upgrade
        // deadlocks); the reader's transactions never write.
        let behavior = if self.read_only {
            rusqlite::TransactionBehavior::Deferred
        } else {
            rusqlite::TransactionBehavior::Immediate
        };
        let tx = self.conn.transaction_with_behavior(behavior).map_err(err)?;
        let mut t = SqliteTxn { tx };
        let out = f(&mut t)?;
        t.tx.commit().map_err(err)?;
        Ok(out)
    }
}

struct SqliteTxn<'c> {
    tx: rusqlite::Transaction<'c>,
}

impl SqliteTxn<'_> {
    fn outbox_rows(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let mut stmt = self.tx.prepare_cached(sql).map_err(err)?;
        let rows = stmt
            .query_map(p, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, Option<i64>>(10)?,
                    r.get::<_, Option<i64>>(11)?,
                    r.get::<_, Option<String>>(12)?,
                ))
            })
            .map_err(err)?;
        let mut out = Vec::new();
        for row in rows {
            let (
                id,
                seq,
                workflow,
                record,
                kind,
                detail,
                status,
                code,
                reason,
                attempts,
                first,
                next,
                wait,
            ) = row.map_err(err)?;
            out.push(OutboxRow {
                id,
                seq: seq as u64,
                workflow,
                record,
                kind,
                detail: json(detail)?,
                status,
                code: code.map(|c| c as u16),
                reason,
                attempts: attempts as u32,
                first_attempt: first.map(from_micros),
                next_attempt: next.map(from_micros),
                wait: wait.map(json).transpose()?,
            });
        }
        Ok(out)
    }
}

const OUTBOX_COLUMNS: &str = "id, seq, workflow, record, kind, detail, status, code, reason, attempts, first_attempt, next_attempt, wait";

impl Loader for SqliteTxn<'_> {
    fn load(&mut self, id: &str) -> Result<Option<Loaded>, String> {
        // The record and its workflow slots in one statement.
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT r.body, s.workflow, s.count, s.triggers, s.active
                 FROM records r LEFT JOIN slots s ON s.record = r.id WHERE r.id = ?1",
            )
            .map_err(|e| err(e).0)?;
        let rows = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .map_err(|e| err(e).0)?;
        let mut body = None;
        let mut slots = Vec::new();
        for r in rows {
            let (text, workflow, count, triggers, active) = r.map_err(|e| err(e).0)?;
            if body.is_none() {
                body = Some(text);
            }
            let Some(workflow) = workflow else { continue };
            let active: Option<EnrollmentRow> = match active {
                None => None,
                Some(a) => Some(
                    serde_json::from_str(&a)
                        .map_err(|e| format!("corrupt enrollment of `{id}`: {e}"))?,
                ),
            };
            slots.push(SlotRow {
                workflow,
                count: count.unwrap_or(0) as u32,
                triggers: triggers.unwrap_or(0) as u64,
                active,
            });
        }
        let Some(body) = body else { return Ok(None) };
        let row: RecordRow =
            serde_json::from_str(&body).map_err(|e| format!("corrupt record `{id}`: {e}"))?;
        Ok(Some(Loaded {
            record: row.into_record(id.to_string()),
            slots,
        }))
    }

    fn counter(&mut self, key: &str) -> Result<u64, String> {
        self.tx
            .prepare_cached("SELECT value FROM counters WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get::<_, i64>(0)).optional())
            .map(|v| v.unwrap_or(0) as u64)
            .map_err(|e| err(e).0)
    }
}

impl Txn for SqliteTxn<'_> {
    fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        self.tx
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(err)
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.tx
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(err)
    }

    fn set_virtual_now(&mut self, t: DateTime<Utc>) -> Result<(), StoreError> {
        self.set_meta("virtual_now", &micros(t).to_string())
    }

    fn workflows(&mut self) -> Result<Vec<WorkflowRow>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT name, version, deployment, plan, content, position, state FROM workflows
                 ORDER BY deployment, position, name, version",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .map_err(err)?;
        let mut out = Vec::new();
        for r in rows {
            let (name, version, deployment, plan, content, position, state) = r.map_err(err)?;
            out.push(WorkflowRow {
                name,
                version: version as u64,
                deployment: deployment as u64,
                plan: json(plan)?,
                content,
                position,
                state,
            });
        }
        Ok(out)
    }

    fn put_workflow(&mut self, w: &WorkflowRow) -> Result<(), StoreError> {
        self.tx
            .execute(
                "INSERT INTO workflows (name, version, deployment, plan, content, position, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (name, version) DO UPDATE SET deployment = excluded.deployment,
                   position = excluded.position, state = excluded.state",
                params![
                    w.name,
                    w.version as i64,
                    w.deployment as i64,
                    text(&w.plan)?,
                    w.content,
                    w.position,
                    w.state
                ],
            )
            .map(|_| ())
            .map_err(err)
    }

    fn set_workflow_state(
        &mut self,
        name: &str,
        version: u64,
        state: &str,
    ) -> Result<(), StoreError> {
        self.tx
            .execute(
                "UPDATE workflows SET state = ?3 WHERE name = ?1 AND version = ?2",
                params![name, version as i64, state],
            )
            .map(|_| ())
            .map_err(err)
    }

    fn last_deployment(&mut self) -> Result<Option<(u64, Value)>, StoreError> {
        let row: Option<(i64, String)> = self
            .tx
            .query_row(
                "SELECT number, environment FROM deployments ORDER BY number DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(err)?;
        match row {
            None => Ok(None),
            Some((n, env)) => Ok(Some((n as u64, json(env)?))),
        }
    }

    fn add_deployment(&mut self, number: u64, environment: &Value) -> Result<(), StoreError> {
        self.tx
            .execute(
                "INSERT INTO deployments (number, environment) VALUES (?1, ?2)",
                params![number as i64, text(environment)?],
            )
            .map(|_| ())
            .map_err(err)
    }

    fn enrolled_in(&mut self, workflow: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT record FROM slots WHERE workflow = ?1 AND active IS NOT NULL ORDER BY record",
            )
            .map_err(err)?;
        let rows = stmt.query_map([workflow], |r| r.get(0)).map_err(err)?;
        rows.collect::<Result<Vec<String>, _>>().map_err(err)
    }

    fn records_of(&mut self, object: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id FROM records WHERE object = ?1 ORDER BY id")
            .map_err(err)?;
        let rows = stmt.query_map([object], |r| r.get(0)).map_err(err)?;
        rows.collect::<Result<Vec<String>, _>>().map_err(err)
    }

    fn add_input(
        &mut self,
        due: DateTime<Utc>,
        kind: &str,
        body: &Value,
    ) -> Result<i64, StoreError> {
        let body = text(body)?;
        self.tx
            .prepare_cached("INSERT INTO inputs (due, kind, body) VALUES (?1, ?2, ?3)")
            .and_then(|mut s| s.execute(params![micros(due), kind, body]))
            .map_err(err)?;
        Ok(self.tx.last_insert_rowid())
    }

    fn next_input(&mut self) -> Result<Option<InputRow>, StoreError> {
        let row: Option<(i64, i64, String, String)> = self
            .tx
            .prepare_cached("SELECT id, due, kind, body FROM inputs ORDER BY due, id LIMIT 1")
            .and_then(|mut s| {
                s.query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .optional()
            })
            .map_err(err)?;
        match row {
            None => Ok(None),
            Some((id, due, kind, body)) => Ok(Some(InputRow {
                id,
                due: from_micros(due),
                kind,
                body: json(body)?,
            })),
        }
    }

    fn done_input(&mut self, id: i64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("DELETE FROM inputs WHERE id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map(|_| ())
            .map_err(err)
    }

    fn next_timer(&mut self) -> Result<Option<(i64, TimerRow)>, StoreError> {
        let row: Option<(i64, i64, String, String, i64)> = self
            .tx
            .prepare_cached(
                "SELECT id, due, record, workflow, generation FROM timers ORDER BY due, id LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()
            })
            .map_err(err)?;
        Ok(row.map(|(id, due, record, workflow, generation)| {
            (
                id,
                TimerRow {
                    due: from_micros(due),
                    record,
                    workflow,
                    generation: generation as u32,
                },
            )
        }))
    }

    /// A page of one instant holds consecutive ids of that instant (inputs,
    /// then timers, each by id): one range delete for each kind.
    fn done_all(&mut self, items: &[WorkItem]) -> Result<(), StoreError> {
        let Some(first) = items.first() else {
            return Ok(());
        };
        let at = first.due();
        if items.iter().any(|w| w.due() != at) {
            return done_each(self, items);
        }
        let span = |ids: &mut dyn Iterator<Item = i64>| {
            ids.fold(None, |acc: Option<(i64, i64)>, id| match acc {
                None => Some((id, id)),
                Some((lo, hi)) => Some((lo.min(id), hi.max(id))),
            })
        };
        let inputs = span(&mut items.iter().filter_map(|w| match w {
            WorkItem::Input(i) => Some(i.id),
            WorkItem::Timer(..) => None,
        }));
        let timers = span(&mut items.iter().filter_map(|w| match w {
            WorkItem::Timer(id, _) => Some(*id),
            WorkItem::Input(_) => None,
        }));
        for (sql, range) in [
            (
                "DELETE FROM inputs WHERE due = ?1 AND id BETWEEN ?2 AND ?3",
                inputs,
            ),
            (
                "DELETE FROM timers WHERE due = ?1 AND id BETWEEN ?2 AND ?3",
                timers,
            ),
        ] {
            if let Some((lo, hi)) = range {
                self.tx
                    .prepare_cached(sql)
                    .and_then(|mut s| s.execute(params![micros(at), lo, hi]))
                    .map_err(err)?;
            }
        }
        Ok(())
    }

    fn due_page(&mut self, now: DateTime<Utc>, limit: usize) -> Result<Vec<WorkItem>, StoreError> {
        let first = |sql: &str| -> Result<Option<i64>, StoreError> {
            self.tx
                .prepare_cached(sql)
                .and_then(|mut s| s.query_row([], |r| r.get::<_, Option<i64>>(0)))
                .map_err(err)
        };
        let at = match (
            first("SELECT min(due) FROM inputs")?,
            first("SELECT min(due) FROM timers")?,
        ) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => return Ok(Vec::new()),
        };
        if from_micros(at) > now {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id, kind, body FROM inputs WHERE due = ?1 ORDER BY id LIMIT ?2")
            .map_err(err)?;
        let rows = stmt
            .query_map(params![at, limit as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(err)?;
        for r in rows {
            let (id, kind, body) = r.map_err(err)?;
            out.push(WorkItem::Input(InputRow {
                id,
                due: from_micros(at),
                kind,
                body: json(body)?,
            }));
        }
        let room = limit.saturating_sub(out.len());
        if room > 0 {
            let mut stmt = self
                .tx
                .prepare_cached(
                    "SELECT id, record, workflow, generation FROM timers WHERE due = ?1 ORDER BY id LIMIT ?2",
                )
                .map_err(err)?;
            let rows = stmt
                .query_map(params![at, room as i64], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                })
                .map_err(err)?;
            for r in rows {
                let (id, record, workflow, generation) = r.map_err(err)?;
                out.push(WorkItem::Timer(
                    id,
                    TimerRow {
                        due: from_micros(at),
                        record,
                        workflow,
                        generation: generation as u32,
                    },
                ));
            }
        }
        Ok(out)
    }

    fn done_timer(&mut self, id: i64) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("DELETE FROM timers WHERE id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map(|_| ())
            .map_err(err)
    }

    fn write(&mut self, c: &ChangeSet) -> Result<(), StoreError> {
        {
            let mut stmt = self
                .tx
                .prepare_cached(
                    "INSERT INTO records (id, object, body) VALUES (?1, ?2, ?3)
                     ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                )
                .map_err(err)?;
            for (id, row) in &c.records {
                stmt.execute(params![id, row.object, text(row)?])
                    .map_err(err)?;
            }
        }
        {
            let mut stmt = self
                .tx
                .prepare_cached(
                    "INSERT INTO slots (record, workflow, count, triggers, active) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (record, workflow) DO UPDATE SET count = excluded.count,
                       triggers = excluded.triggers, active = excluded.active",
                )
                .map_err(err)?;
            for (record, s) in &c.slots {
                let active = match &s.active {
                    None => None,
                    Some(a) => Some(text(a)?),
                };
                stmt.execute(params![
                    record,
                    s.workflow,
                    s.count as i64,
                    s.triggers as i64,
                    active
                ])
                .map_err(err)?;
            }
        }
        {
            let mut stmt = self
                .tx
                .prepare_cached(
                    "INSERT INTO timers (due, record, workflow, generation) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(err)?;
            for t in &c.timers {
                stmt.execute(params![
                    micros(t.due),
                    t.record,
                    t.workflow,
                    t.generation as i64
                ])
                .map_err(err)?;
            }
        }
        {
            let mut stmt = self
                .tx
                .prepare_cached(
                    "INSERT INTO counters (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .map_err(err)?;
            for (k, v) in &c.counters {
                stmt.execute(params![k, *v as i64]).map_err(err)?;
            }
        }
        Ok(())
    }

    fn last_seq(&mut self) -> Result<u64, StoreError> {
        self.tx
            .query_row("SELECT coalesce(max(seq), 0) FROM history", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|v| v as u64)
            .map_err(err)
    }

    fn append_history(&mut self, rows: &[HistoryRow]) -> Result<(), StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO history (seq, record, workflow, body) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(err)?;
        for r in rows {
            stmt.execute(params![r.seq as i64, r.record, r.workflow, r.body])
                .map_err(err)?;
        }
        Ok(())
    }

    fn add_outbox(&mut self, o: &OutboxRow) -> Result<i64, StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO outbox (seq, workflow, record, kind, detail, status, code, reason, attempts, first_attempt, next_attempt, wait)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    o.seq as i64,
                    o.workflow,
                    o.record,
                    o.kind,
                    serde_json::to_string(&o.detail).unwrap_or_default(),
                    o.status,
                    o.code.map(i64::from),
                    o.reason,
                    o.attempts as i64,
                    o.first_attempt.map(micros),
                    o.next_attempt.map(micros),
                    o.wait.as_ref().map(|w| w.to_string())
                ])
            })
            .map_err(err)?;
        Ok(self.tx.last_insert_rowid())
    }

    fn update_outbox(&mut self, o: &OutboxRow) -> Result<(), StoreError> {
        self.tx
            .execute(
                "UPDATE outbox SET status = ?2, code = ?3, reason = ?4, attempts = ?5, first_attempt = ?6, next_attempt = ?7 WHERE id = ?1",
                params![
                    o.id,
                    o.status,
                    o.code.map(i64::from),
                    o.reason,
                    o.attempts as i64,
                    o.first_attempt.map(micros),
                    o.next_attempt.map(micros)
                ],
            )
            .map(|_| ())
            .map_err(err)
    }

    fn outbox_item(&mut self, id: i64) -> Result<Option<OutboxRow>, StoreError> {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?1");
        Ok(self.outbox_rows(&sql, [id])?.into_iter().next())
    }

    fn due_webhooks(
        &mut self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE status = 'pending' AND kind = 'webhook'
             AND next_attempt <= ?1 ORDER BY next_attempt, id LIMIT ?2"
        );
        self.outbox_rows(&sql, params![micros(now), limit as i64])
    }

    fn next_webhook_at(&mut self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.tx
            .query_row(
                "SELECT min(next_attempt) FROM outbox WHERE status = 'pending' AND kind = 'webhook'",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )
            .map(|v| v.map(from_micros))
            .map_err(err)
    }

    fn remembered(&mut self, scope: &str, key: &str) -> Result<Option<Remembered>, StoreError> {
        let row: Option<(Vec<u8>, i64, String)> = self
            .tx
            .query_row(
                "SELECT hash, status, body FROM idempotency WHERE scope = ?1 AND key = ?2",
                params![scope, key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(err)?;
        match row {
            None => Ok(None),
            Some((hash, status, body)) => Ok(Some(Remembered {
                body_hash: hash,
                status: status as u16,
                body: json(body)?,
            })),
        }
    }

    fn remember(
        &mut self,
        scope: &str,
        key: &str,
        a: &Remembered,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.tx
            .execute(
                "INSERT INTO idempotency (scope, key, hash, status, body, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![scope, key, a.body_hash, a.status as i64, text(&a.body)?, micros(at)],
            )
            .map(|_| ())
            .map_err(err)
    }

    fn forget_before(&mut self, before: DateTime<Utc>) -> Result<(), StoreError> {
        self.tx
            .execute("DELETE FROM idempotency WHERE at < ?1", [micros(before)])
            .map(|_| ())
            .map_err(err)
    }

    fn record_json(&mut self, id: &str) -> Result<Option<Value>, StoreError> {
        let row: Option<String> = self
            .tx
            .query_row("SELECT body FROM records WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(err)?;
        row.map(|b| record_out(id, b)).transpose()
    }

    fn records_page(
        &mut self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Value>, StoreError> {
        let rows: Vec<(String, String)> = match after {
            None => {
                let mut stmt = self
                    .tx
                    .prepare_cached("SELECT id, body FROM records ORDER BY object, id LIMIT ?1")
                    .map_err(err)?;
                let rows = stmt
                    .query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(err)?;
                rows.collect::<Result<_, _>>().map_err(err)?
            }
            Some(after) => {
                let mut stmt = self
                    .tx
                    .prepare_cached(
                        "SELECT id, body FROM records WHERE (object, id) >
                           (SELECT object, id FROM records WHERE id = ?1)
                         ORDER BY object, id LIMIT ?2",
                    )
                    .map_err(err)?;
                let rows = stmt
                    .query_map(params![after, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(err)?;
                rows.collect::<Result<_, _>>().map_err(err)?
            }
        };
        rows.into_iter().map(|(id, b)| record_out(&id, b)).collect()
    }

    fn history_page(
        &mut self,
        after: u64,
        limit: usize,
        record: Option<&str>,
        workflow: Option<&str>,
    ) -> Result<Vec<Value>, StoreError> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT body FROM history WHERE seq > ?1 AND (?2 IS NULL OR record = ?2)
                 AND (?3 IS NULL OR workflow = ?3) ORDER BY seq LIMIT ?4",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map(params![after as i64, record, workflow, limit as i64], |r| {
                r.get::<_, String>(0)
            })
            .map_err(err)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(json(r.map_err(err)?)?);
        }
        Ok(out)
    }

    fn outbox_page(&mut self, after: i64, limit: usize) -> Result<Vec<OutboxRow>, StoreError> {
        let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id > ?1 ORDER BY id LIMIT ?2");
        self.outbox_rows(&sql, params![after, limit as i64])
    }

    fn counts(&mut self, _now: DateTime<Utc>) -> Result<Counts, StoreError> {
        let one = |sql: &str| -> Result<i64, StoreError> {
            self.tx.query_row(sql, [], |r| r.get(0)).map_err(err)
        };
        Ok(Counts {
            active_enrollments: one("SELECT count(*) FROM slots WHERE active IS NOT NULL")? as u64,
            timers_pending: one("SELECT count(*) FROM timers")? as u64,
            oldest_due_timer: self
                .tx
                .query_row("SELECT min(due) FROM timers", [], |r| {
                    r.get::<_, Option<i64>>(0)
                })
                .map_err(err)?
                .map(from_micros),
            outbox_pending: one("SELECT count(*) FROM outbox WHERE status = 'pending'")? as u64,
            outbox_failed: one("SELECT count(*) FROM outbox WHERE status = 'failed'")? as u64,
        })
    }
}
