//! The PostgreSQL store: one database shared by any number of `wfc serve`
//! processes. Beside what the SQLite store does, it
//!
//! - claims work with **leases**: a process takes inputs and due timers by
//!   writing its name and a lease end on them (claims are serialised by an
//!   advisory lock, so two processes never take the same item), runs them,
//!   and deletes each item in the unit's own transaction only while its
//!   lease is still its own — a unit whose lease was taken over rolls back;
//! - locks every record a unit loads (`SELECT … FOR UPDATE`), so two units
//!   that touch one record run one after the other; a deadlock between
//!   them aborts one transaction, which is run again;
//! - numbers history **after commit**: a unit writes its events with its
//!   transaction number and their position, and a short numbering step
//!   (serialised by an advisory lock, run after every commit) gives the
//!   committed, unnumbered events the next `seq` values in order. A reader
//!   paging with `after=` never skips an event committed late; feeds show
//!   numbered events only. Outbox items get their public id the same way.
//!
//! The driver is the synchronous `postgres` crate: the engine's core runs
//! on one worker thread per process, which owns one connection.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::{Client, NoTls, Statement, Transaction};
use serde_json::Value;

use super::store::{
    from_micros, json_text as text, json_value as json, micros, record_out, Backend, Counts,
    HistoryRow, InputRow, OutboxRow, Remembered, StoreError, Txn, WorkItem, WorkflowRow,
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
CREATE TABLE deployments (number BIGINT PRIMARY KEY, environment TEXT NOT NULL);
CREATE TABLE workflows (
    name TEXT NOT NULL, version BIGINT NOT NULL, deployment BIGINT NOT NULL,
    plan TEXT NOT NULL, content TEXT NOT NULL, position BIGINT NOT NULL, state TEXT NOT NULL,
    PRIMARY KEY (name, version));
CREATE TABLE records (id TEXT PRIMARY KEY, object TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX records_object ON records (object, id);
CREATE TABLE slots (
    record TEXT NOT NULL, workflow TEXT NOT NULL, count BIGINT NOT NULL,
    triggers BIGINT NOT NULL, active TEXT, PRIMARY KEY (record, workflow));
CREATE INDEX slots_active ON slots (workflow) WHERE active IS NOT NULL;
CREATE TABLE counters (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE inputs (
    id BIGSERIAL PRIMARY KEY, due BIGINT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL,
    body TEXT NOT NULL, owner TEXT, lease_until TIMESTAMPTZ);
CREATE INDEX inputs_order ON inputs (due, id);
CREATE TABLE timers (
    id BIGSERIAL PRIMARY KEY, due BIGINT NOT NULL, record TEXT NOT NULL, workflow TEXT NOT NULL,
    generation BIGINT NOT NULL, owner TEXT, lease_until TIMESTAMPTZ);
CREATE INDEX timers_order ON timers (due, id);
CREATE SEQUENCE unit_txns;
CREATE TABLE history (
    txn BIGINT NOT NULL, pos BIGINT NOT NULL, seq BIGINT UNIQUE, record TEXT NOT NULL,
    workflow TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (txn, pos));
CREATE INDEX history_unnumbered ON history (txn, pos) WHERE seq IS NULL;
CREATE INDEX history_record ON history (record, seq);
CREATE INDEX history_workflow ON history (workflow, seq);
CREATE TABLE outbox (
    txn BIGINT NOT NULL, pos BIGINT NOT NULL, id BIGINT UNIQUE, seq BIGINT,
    workflow TEXT NOT NULL, record TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL,
    status TEXT NOT NULL, code BIGINT, reason TEXT, attempts BIGINT NOT NULL,
    first_attempt BIGINT, next_attempt BIGINT, owner TEXT, lease_until TIMESTAMPTZ,
    PRIMARY KEY (txn, pos));
CREATE INDEX outbox_unnumbered ON outbox (txn, pos) WHERE id IS NULL;
CREATE INDEX outbox_webhooks ON outbox (next_attempt) WHERE status = 'pending' AND kind = 'webhook';
CREATE TABLE idempotency (
    scope TEXT NOT NULL, key TEXT NOT NULL, hash BYTEA NOT NULL, status BIGINT NOT NULL,
    body TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (scope, key));
"#,
    // 2: the wait a delivery report ends (internal SMS with `--sms-delivery wait`).
    r#"
ALTER TABLE outbox ADD COLUMN wait TEXT;
"#,
];

/// How many items a claim looks at, and takes at most.
const CLAIM_SCAN: i64 = 1024;

/// Where a `postgres://` URL points, split from wfc's own `schema=` option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The URL the driver is given.
    pub url: String,
    /// The schema wfc keeps its tables in (created when missing).
    pub schema: Option<String>,
}

/// Split `schema=NAME` off a connection URL's query.
pub fn target(url: &str) -> Result<Target, String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut schema = None;
    let mut rest = Vec::new();
    for part in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        match part.split_once('=') {
            Some(("schema", name)) => {
                let ok = name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                    && name.len() <= 63
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if !ok {
                    return Err(format!(
                        "--db: `schema={name}`: a schema name is lower-case letters, digits and `_` (at most 63), starting with a letter or `_`"
                    ));
                }
                schema = Some(name.to_string());
            }
            _ => rest.push(part),
        }
    }
    let url = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok(Target { url, schema })
}

/// A connection URL without its password, for messages.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{name}:***@{host}")
        }
        _ => url.to_string(),
    }
}

/// The PostgreSQL store of one process.
pub struct Postgres {
    target: Target,
    client: Client,
    statements: HashMap<&'static str, Statement>,
    /// This process's name in leases.
    owner: String,
    lease: StdDuration,
    /// Whether the last failed transaction may succeed when run again.
    last_retryable: bool,
    /// The advisory lock keys of this schema: numbering, claiming.
    locks: (i64, i64),
}

fn lock_keys(schema: &str) -> (i64, i64) {
    // Stable across processes and builds: FNV-1a of the schema name.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in schema.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let base = (h >> 2) as i64;
    (base, base ^ 1)
}

fn err(e: postgres::Error) -> StoreError {
    StoreError(format!("database error: {}", describe(&e)))
}

/// The server's message when there is one (the driver's own text is terse).
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

fn is_retryable(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED
            || *c == SqlState::T_R_SERIALIZATION_FAILURE
            || *c == SqlState::UNIQUE_VIOLATION
    )
}

impl Postgres {
    /// Connect, create the schema when missing, bring it up to date.
    pub fn open(url: &str, owner: String, lease: StdDuration) -> Result<Postgres, StoreError> {
        let target = target(url).map_err(StoreError)?;
        let client = Self::connect(&target)?;
        let schema = target.schema.clone().unwrap_or_else(|| "public".into());
        let mut db = Postgres {
            target,
            client,
            statements: HashMap::new(),
            owner,
            lease,
            last_retryable: false,
            locks: lock_keys(&schema),
        };
        db.migrate()?;
        Ok(db)
    }

    fn connect(target: &Target) -> Result<Client, StoreError> {
        let mut client = Client::connect(&target.url, NoTls).map_err(|e| {
            StoreError(format!(
                "cannot connect to the database `{}`: {}",
                redact(&target.url),
                describe(&e)
            ))
        })?;
        if let Some(schema) = &target.schema {
            // Several processes may start at once: create the schema under
            // a lock (CREATE SCHEMA IF NOT EXISTS alone can still collide).
            let mut tx = client.transaction().map_err(err)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock_keys(schema).0])
                .map_err(err)?;
            tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .map_err(err)?;
            tx.commit().map_err(err)?;
            client
                .batch_execute(&format!("SET search_path TO {schema}"))
                .map_err(err)?;
        }
        Ok(client)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let locks = self.locks;
        let mut tx = self.client.transaction().map_err(err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&locks.0])
            .map_err(err)?;
        let has_meta: bool = tx
            .query_one(
                "SELECT count(*) > 0 FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_name = 'meta'",
                &[],
            )
            .map_err(err)?
            .get(0);
        let version: i64 = if has_meta {
            tx.query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[])
                .map_err(err)?
                .and_then(|r| r.get::<_, String>(0).parse().ok())
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
            tx.batch_execute(m).map_err(err)?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&(i + 1).to_string()],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    /// Give committed, unnumbered history events the next `seq` values (in
    /// transaction, then position order), and their outbox items their
    /// public ids. Serialised across processes by an advisory lock.
    fn number(&mut self) -> Result<(), StoreError> {
        let lock = self.locks.0;
        let mut tx = self.client.transaction().map_err(err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock])
            .map_err(err)?;
        tx.execute(
            "WITH base AS (SELECT coalesce(max(seq), 0) AS b FROM history),
                  todo AS (SELECT txn, pos, row_number() OVER (ORDER BY txn, pos) AS n
                           FROM history WHERE seq IS NULL)
             UPDATE history h SET seq = base.b + todo.n FROM todo, base
             WHERE h.txn = todo.txn AND h.pos = todo.pos",
            &[],
        )
        .map_err(err)?;
        tx.execute(
            "WITH base AS (SELECT coalesce(max(id), 0) AS b FROM outbox),
                  todo AS (SELECT o.txn, o.pos, h.seq,
                                  row_number() OVER (ORDER BY o.txn, o.pos) AS n
                           FROM outbox o LEFT JOIN history h ON h.txn = o.txn AND h.pos = o.pos
                           WHERE o.id IS NULL AND (h.seq IS NOT NULL OR o.pos < 0))
             UPDATE outbox o SET id = base.b + todo.n, seq = todo.seq FROM todo, base
             WHERE o.txn = todo.txn AND o.pos = todo.pos",
            &[],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    fn reconnect_if_closed(&mut self) -> Result<(), StoreError> {
        if self.client.is_closed() {
            tracing::warn!("the database connection was lost; reconnecting");
            self.client = Self::connect(&self.target)?;
            self.statements.clear();
        }
        Ok(())
    }
}

impl Backend for Postgres {
    fn shared(&self) -> bool {
        true
    }

    fn retryable(&self, _e: &StoreError) -> bool {
        self.last_retryable
    }

    fn tidy(&mut self) -> Result<(), StoreError> {
        self.reconnect_if_closed()?;
        self.number()
    }

    fn transaction<T>(
        &mut self,
        f: &mut dyn FnMut(&mut dyn Txn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.reconnect_if_closed()?;
        self.last_retryable = false;
        let tx = match self.client.transaction() {
            Ok(tx) => tx,
            Err(e) => return Err(err(e)),
        };
        let (out, wrote_history) = {
            let mut t = PgTxn {
                tx,
                statements: &mut self.statements,
                owner: &self.owner,
                lease: self.lease,
                claim_lock: self.locks.1,
                txn: None,
                waiting: 0,
                retryable: false,
            };
            let out = match f(&mut t) {
                Ok(v) => v,
                Err(e) => {
                    self.last_retryable = t.retryable;
                    return Err(e);
                }
            };
            let PgTxn { tx, txn, .. } = t;
            if let Err(e) = tx.commit() {
                self.last_retryable = is_retryable(&e);
                return Err(err(e));
            }
            (out, txn.is_some())
        };
        if wrote_history {
            self.number()?;
        }
        Ok(out)
    }
}

struct PgTxn<'c> {
    tx: Transaction<'c>,
    statements: &'c mut HashMap<&'static str, Statement>,
    owner: &'c str,
    lease: StdDuration,
    claim_lock: i64,
    /// This transaction's number in history rows, once it wrote one.
    txn: Option<i64>,
    /// Outbox items without a history event written so far (their
    /// negative positions).
    waiting: i64,
    retryable: bool,
}

type Params<'a> = &'a [&'a (dyn postgres::types::ToSql + Sync)];

impl PgTxn<'_> {
    fn fail(&mut self, e: postgres::Error) -> StoreError {
        if is_retryable(&e) {
            self.retryable = true;
        }
        err(e)
    }

    fn statement(&mut self, sql: &'static str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = match self.tx.prepare(sql) {
            Ok(s) => s,
            Err(e) => return Err(self.fail(e)),
        };
        self.statements.insert(sql, s.clone());
        Ok(s)
    }

    fn query(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Vec<postgres::Row>, StoreError> {
        let s = self.statement(sql)?;
        self.tx.query(&s, params).map_err(|e| self.fail(e))
    }

    fn query_opt(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Option<postgres::Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    fn execute(&mut self, sql: &'static str, params: Params<'_>) -> Result<u64, StoreError> {
        let s = self.statement(sql)?;
        self.tx.execute(&s, params).map_err(|e| self.fail(e))
    }

    /// This transaction's number for its history rows.
    fn txn_number(&mut self) -> Result<i64, StoreError> {
        if let Some(n) = self.txn {
            return Ok(n);
        }
        let n: i64 = self
            .query("SELECT nextval('unit_txns')", &[])?
            .first()
            .map(|r| r.get(0))
            .ok_or_else(|| StoreError("database error: no transaction number".into()))?;
        self.txn = Some(n);
        Ok(n)
    }

    fn outbox_rows(&mut self, rows: Vec<postgres::Row>) -> Result<Vec<OutboxRow>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(OutboxRow {
                id: r.get::<_, Option<i64>>(0).unwrap_or(0),
                seq: r.get::<_, Option<i64>>(1).unwrap_or(0) as u64,
                workflow: r.get(2),
                record: r.get(3),
                kind: r.get(4),
                detail: json(r.get(5))?,
                status: r.get(6),
                code: r.get::<_, Option<i64>>(7).map(|c| c as u16),
                reason: r.get(8),
                attempts: r.get::<_, i64>(9) as u32,
                first_attempt: r.get::<_, Option<i64>>(10).map(from_micros),
                next_attempt: r.get::<_, Option<i64>>(11).map(from_micros),
                wait: r.get::<_, Option<String>>(12).map(json).transpose()?,
            });
        }
        Ok(out)
    }

    /// Delete a finished item, only while this process holds its lease.
    fn delete_leased(&mut self, sql: &'static str, what: &str, id: i64) -> Result<(), StoreError> {
        let owner = self.owner.to_string();
        if self.execute(sql, &[&id, &owner])? == 0 {
            return Err(StoreError(format!(
                "{what} {id}: this process's lease was taken over; the unit is rolled back"
            )));
        }
        Ok(())
    }

    fn lease_secs(&self) -> f64 {
        self.lease.as_secs_f64()
    }
}

/// The records an input is about, one per line (its `key` column): an
/// input waits while another process holds earlier work of any of them.
/// An input about every record (turning a workflow off, enrolling the
/// records already there) is `*`: it waits for all earlier work, and all
/// later work waits for it.
fn input_keys(kind: &str, body: &Value) -> String {
    let mut keys: Vec<&str> = Vec::new();
    match kind {
        "records" => {
            let items = match body {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for r in items {
                keys.extend(r["id"].as_str());
                if let Some(assoc) = r["associations"].as_object() {
                    for ids in assoc.values() {
                        match ids {
                            Value::Array(a) => keys.extend(a.iter().filter_map(Value::as_str)),
                            other => keys.extend(other.as_str()),
                        }
                    }
                }
            }
        }
        "event" | "report" => keys.extend(body["record"].as_str()),
        _ => keys.push(BARRIER),
    }
    keys.sort_unstable();
    keys.dedup();
    keys.join("\n")
}

const BARRIER: &str = "*";

impl Loader for PgTxn<'_> {
    fn load(&mut self, id: &str) -> Result<Option<Loaded>, String> {
        // The lock makes a second unit that needs this record wait for
        // this one's commit, then read what it wrote.
        let row = self
            .query_opt("SELECT body FROM records WHERE id = $1 FOR UPDATE", &[&id])
            .map_err(|e| e.0)?;
        let Some(row) = row else { return Ok(None) };
        let body: String = row.get(0);
        let row: RecordRow =
            serde_json::from_str(&body).map_err(|e| format!("corrupt record `{id}`: {e}"))?;
        let mut slots = Vec::new();
        let rows = self
            .query(
                "SELECT workflow, count, triggers, active FROM slots WHERE record = $1",
                &[&id],
            )
            .map_err(|e| e.0)?;
        for r in rows {
            let active: Option<String> = r.get(3);
            let active: Option<EnrollmentRow> = match active {
                None => None,
                Some(a) => Some(
                    serde_json::from_str(&a)
                        .map_err(|e| format!("corrupt enrollment of `{id}`: {e}"))?,
                ),
            };
            slots.push(SlotRow {
                workflow: r.get(0),
                count: r.get::<_, i64>(1) as u32,
                triggers: r.get::<_, i64>(2) as u64,
                active,
            });
        }
        Ok(Some(Loaded {
            record: row.into_record(id.to_string()),
            slots,
        }))
    }

    fn counter(&mut self, key: &str) -> Result<u64, String> {
        // Make the row exist, then lock it: two units never both read the
        // same rotation position or monthly count.
        self.execute(
            "INSERT INTO counters (key, value) VALUES ($1, 0) ON CONFLICT (key) DO NOTHING",
            &[&key],
        )
        .map_err(|e| e.0)?;
        let row = self
            .query_opt(
                "SELECT value FROM counters WHERE key = $1 FOR UPDATE",
                &[&key],
            )
            .map_err(|e| e.0)?;
        Ok(row.map_or(0, |r| r.get::<_, i64>(0) as u64))
    }
}

impl Txn for PgTxn<'_> {
    fn meta(&mut self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?
            .map(|r| r.get(0)))
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )
        .map(|_| ())
    }

    fn set_virtual_now(&mut self, t: DateTime<Utc>) -> Result<(), StoreError> {
        // Shared by every process: it only moves forward.
        let m = micros(t).to_string();
        self.execute(
            "INSERT INTO meta (key, value) VALUES ('virtual_now', $1)
             ON CONFLICT (key) DO UPDATE SET value =
               greatest(meta.value::bigint, excluded.value::bigint)::text",
            &[&m],
        )
        .map(|_| ())
    }

    fn workflows(&mut self) -> Result<Vec<WorkflowRow>, StoreError> {
        let rows = self.query(
            "SELECT name, version, deployment, plan, content, position, state FROM workflows
             ORDER BY deployment, position, name, version",
            &[],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(WorkflowRow {
                name: r.get(0),
                version: r.get::<_, i64>(1) as u64,
                deployment: r.get::<_, i64>(2) as u64,
                plan: json(r.get(3))?,
                content: r.get(4),
                position: r.get(5),
                state: r.get(6),
            });
        }
        Ok(out)
    }

    fn put_workflow(&mut self, w: &WorkflowRow) -> Result<(), StoreError> {
        let plan = text(&w.plan)?;
        self.execute(
            "INSERT INTO workflows (name, version, deployment, plan, content, position, state)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (name, version) DO UPDATE SET deployment = excluded.deployment,
               position = excluded.position, state = excluded.state",
            &[
                &w.name,
                &(w.version as i64),
                &(w.deployment as i64),
                &plan,
                &w.content,
                &w.position,
                &w.state,
            ],
        )
        .map(|_| ())
    }

    fn set_workflow_state(
        &mut self,
        name: &str,
        version: u64,
        state: &str,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE workflows SET state = $3 WHERE name = $1 AND version = $2",
            &[&name, &(version as i64), &state],
        )
        .map(|_| ())
    }

    fn last_deployment(&mut self) -> Result<Option<(u64, Value)>, StoreError> {
        let row = self.query_opt(
            "SELECT number, environment FROM deployments ORDER BY number DESC LIMIT 1",
            &[],
        )?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((r.get::<_, i64>(0) as u64, json(r.get(1))?))),
        }
    }

    fn deployment_number(&mut self) -> Result<u64, StoreError> {
        let row = self.query_opt("SELECT coalesce(max(number), 0) FROM deployments", &[])?;
        Ok(row.map_or(0, |r| r.get::<_, i64>(0) as u64))
    }

    fn add_deployment(&mut self, number: u64, environment: &Value) -> Result<(), StoreError> {
        let env = text(environment)?;
        self.execute(
            "INSERT INTO deployments (number, environment) VALUES ($1, $2)",
            &[&(number as i64), &env],
        )
        .map(|_| ())
    }

    fn enrolled_in(&mut self, workflow: &str) -> Result<Vec<String>, StoreError> {
        Ok(self
            .query(
                "SELECT record FROM slots WHERE workflow = $1 AND active IS NOT NULL ORDER BY record",
                &[&workflow],
            )?
            .into_iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn records_of(&mut self, object: &str) -> Result<Vec<String>, StoreError> {
        Ok(self
            .query(
                "SELECT id FROM records WHERE object = $1 ORDER BY id",
                &[&object],
            )?
            .into_iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn add_input(
        &mut self,
        due: DateTime<Utc>,
        kind: &str,
        body: &Value,
    ) -> Result<i64, StoreError> {
        let key = input_keys(kind, body);
        let body = text(body)?;
        let row = self.query(
            "INSERT INTO inputs (due, key, kind, body) VALUES ($1, $2, $3, $4) RETURNING id",
            &[&micros(due), &key, &kind, &body],
        )?;
        Ok(row.first().map_or(0, |r| r.get(0)))
    }

    fn next_input(&mut self) -> Result<Option<InputRow>, StoreError> {
        let row = self.query_opt(
            "SELECT id, due, kind, body FROM inputs ORDER BY due, id LIMIT 1",
            &[],
        )?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some(InputRow {
                id: r.get(0),
                due: from_micros(r.get(1)),
                kind: r.get(2),
                body: json(r.get(3))?,
            })),
        }
    }

    fn done_input(&mut self, id: i64) -> Result<(), StoreError> {
        self.delete_leased(
            "DELETE FROM inputs WHERE id = $1 AND owner = $2",
            "input",
            id,
        )
    }

    fn next_timer(&mut self) -> Result<Option<(i64, TimerRow)>, StoreError> {
        let row = self.query_opt(
            "SELECT id, due, record, workflow, generation FROM timers ORDER BY due, id LIMIT 1",
            &[],
        )?;
        Ok(row.map(|r| {
            (
                r.get(0),
                TimerRow {
                    due: from_micros(r.get(1)),
                    record: r.get(2),
                    workflow: r.get(3),
                    generation: r.get::<_, i64>(4) as u32,
                },
            )
        }))
    }

    fn done_timer(&mut self, id: i64) -> Result<(), StoreError> {
        self.delete_leased(
            "DELETE FROM timers WHERE id = $1 AND owner = $2",
            "timer",
            id,
        )
    }

    fn claim(&mut self, now: DateTime<Utc>, limit: usize) -> Result<Vec<WorkItem>, StoreError> {
        // One claimer at a time (per schema): a claim is two short reads
        // and an update, and two processes never lease the same item.
        let lock = self.claim_lock;
        self.execute("SELECT pg_advisory_xact_lock($1)", &[&lock])?;
        let owner = self.owner.to_string();
        let inputs = self.query(
            "SELECT id, due, key, kind, body,
                    owner IS NOT NULL AND owner <> $3 AND lease_until > clock_timestamp()
             FROM inputs WHERE due <= $1 ORDER BY due, id LIMIT $2",
            &[&micros(now), &CLAIM_SCAN, &owner],
        )?;
        let timers = self.query(
            "SELECT id, due, record, workflow, generation,
                    owner IS NOT NULL AND owner <> $3 AND lease_until > clock_timestamp()
             FROM timers WHERE due <= $1 ORDER BY due, id LIMIT $2",
            &[&micros(now), &CLAIM_SCAN, &owner],
        )?;
        // Items beyond a full page may sort before the other list's tail:
        // look only up to where both lists are complete.
        let horizon = |rows: &[postgres::Row]| -> Option<i64> {
            (rows.len() as i64 == CLAIM_SCAN).then(|| rows.last().map(|r| r.get::<_, i64>(1)))?
        };
        let limit_due = [horizon(&inputs), horizon(&timers)]
            .into_iter()
            .flatten()
            .min();
        // Merge in engine order: by due time, inputs before timers.
        let mut all: Vec<(i64, u8, i64, String, bool, WorkItem)> = Vec::new();
        for r in inputs {
            let due: i64 = r.get(1);
            let item = WorkItem::Input(InputRow {
                id: r.get(0),
                due: from_micros(due),
                kind: r.get(3),
                body: json(r.get(4))?,
            });
            all.push((due, 0, r.get(0), r.get(2), r.get(5), item));
        }
        for r in timers {
            let due: i64 = r.get(1);
            let record: String = r.get(2);
            let item = WorkItem::Timer(
                r.get(0),
                TimerRow {
                    due: from_micros(due),
                    record: record.clone(),
                    workflow: r.get(3),
                    generation: r.get::<_, i64>(4) as u32,
                },
            );
            all.push((due, 1, r.get(0), record, r.get(5), item));
        }
        all.sort_by_key(|(due, rank, id, ..)| (*due, *rank, *id));
        let mut blocked: BTreeSet<String> = BTreeSet::new();
        let mut taken: Vec<WorkItem> = Vec::new();
        let mut instant = None;
        for (due, _, _, key, held, item) in all {
            if limit_due.is_some_and(|l| due > l) || taken.len() >= limit {
                break;
            }
            if instant.is_some_and(|i| i != due) {
                break;
            }
            let keys: Vec<&str> = key.split('\n').collect();
            let barrier = keys.contains(&BARRIER);
            if blocked.contains(BARRIER) {
                break;
            }
            // Another process runs earlier work of one of these records:
            // this item, and later ones of the same records, wait (a
            // record's inputs run in acceptance order).
            let waits = held
                || keys.iter().any(|k| blocked.contains(*k))
                || (barrier && !blocked.is_empty());
            if waits {
                blocked.extend(keys.iter().map(|k| k.to_string()));
                continue;
            }
            instant = Some(due);
            taken.push(item);
        }
        let (mut input_ids, mut timer_ids) = (Vec::new(), Vec::new());
        for w in &taken {
            match w {
                WorkItem::Input(i) => input_ids.push(i.id),
                WorkItem::Timer(id, _) => timer_ids.push(*id),
            }
        }
        let secs = self.lease_secs();
        if !input_ids.is_empty() {
            self.execute(
                "UPDATE inputs SET owner = $1, lease_until = clock_timestamp() + make_interval(secs => $2)
                 WHERE id = ANY($3)",
                &[&owner, &secs, &input_ids],
            )?;
        }
        if !timer_ids.is_empty() {
            self.execute(
                "UPDATE timers SET owner = $1, lease_until = clock_timestamp() + make_interval(secs => $2)
                 WHERE id = ANY($3)",
                &[&owner, &secs, &timer_ids],
            )?;
        }
        Ok(taken)
    }

    fn release(&mut self, items: &[WorkItem]) -> Result<(), StoreError> {
        let owner = self.owner.to_string();
        for w in items {
            match w {
                WorkItem::Input(i) => self.execute(
                    "UPDATE inputs SET owner = NULL, lease_until = NULL WHERE id = $1 AND owner = $2",
                    &[&i.id, &owner],
                )?,
                WorkItem::Timer(id, _) => self.execute(
                    "UPDATE timers SET owner = NULL, lease_until = NULL WHERE id = $1 AND owner = $2",
                    &[id, &owner],
                )?,
            };
        }
        Ok(())
    }

    fn write(&mut self, c: &ChangeSet) -> Result<(), StoreError> {
        let created: BTreeSet<&str> = c.created.iter().map(String::as_str).collect();
        for (id, row) in &c.records {
            let body = text(row)?;
            if created.contains(id.as_str()) {
                // A plain insert: two units creating one id conflict, and
                // the second runs again and finds the record.
                self.execute(
                    "INSERT INTO records (id, object, body) VALUES ($1, $2, $3)",
                    &[id, &row.object, &body],
                )?;
            } else {
                self.execute("UPDATE records SET body = $2 WHERE id = $1", &[id, &body])?;
            }
        }
        for (record, s) in &c.slots {
            let active = match &s.active {
                None => None,
                Some(a) => Some(text(a)?),
            };
            self.execute(
                "INSERT INTO slots (record, workflow, count, triggers, active) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (record, workflow) DO UPDATE SET count = excluded.count,
                   triggers = excluded.triggers, active = excluded.active",
                &[
                    record,
                    &s.workflow,
                    &(s.count as i64),
                    &(s.triggers as i64),
                    &active,
                ],
            )?;
        }
        for t in &c.timers {
            self.execute(
                "INSERT INTO timers (due, record, workflow, generation) VALUES ($1, $2, $3, $4)",
                &[
                    &micros(t.due),
                    &t.record,
                    &t.workflow,
                    &(t.generation as i64),
                ],
            )?;
        }
        for (k, v) in &c.counters {
            self.execute(
                "INSERT INTO counters (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[k, &(*v as i64)],
            )?;
        }
        Ok(())
    }

    fn last_seq(&mut self) -> Result<u64, StoreError> {
        // History is numbered after commit: a unit numbers its events by
        // position within its transaction.
        Ok(0)
    }

    fn append_history(&mut self, rows: &[HistoryRow]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let txn = self.txn_number()?;
        for r in rows {
            self.execute(
                "INSERT INTO history (txn, pos, record, workflow, body) VALUES ($1, $2, $3, $4, $5)",
                &[&txn, &(r.seq as i64), &r.record, &r.workflow, &r.body],
            )?;
        }
        Ok(())
    }

    fn add_outbox(&mut self, o: &OutboxRow) -> Result<i64, StoreError> {
        let txn = self.txn_number()?;
        let detail = text(&o.detail)?;
        // An item with a history event sits at that event's position; one
        // a record waits on has none yet: negative positions, numbered
        // with the rest (`number`).
        let pos = match o.wait {
            Some(_) => {
                self.waiting += 1;
                -self.waiting
            }
            None => o.seq as i64,
        };
        let wait = o.wait.as_ref().map(|w| w.to_string());
        self.execute(
            "INSERT INTO outbox (txn, pos, workflow, record, kind, detail, status, code, reason,
               attempts, first_attempt, next_attempt, wait)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            &[
                &txn,
                &pos,
                &o.workflow,
                &o.record,
                &o.kind,
                &detail,
                &o.status,
                &o.code.map(i64::from),
                &o.reason,
                &(o.attempts as i64),
                &o.first_attempt.map(micros),
                &o.next_attempt.map(micros),
                &wait,
            ],
        )?;
        // The public id is given when the item is numbered.
        Ok(0)
    }

    fn update_outbox(&mut self, o: &OutboxRow) -> Result<(), StoreError> {
        self.execute(
            "UPDATE outbox SET status = $2, code = $3, reason = $4, attempts = $5,
               first_attempt = $6, next_attempt = $7, owner = NULL, lease_until = NULL
             WHERE id = $1",
            &[
                &o.id,
                &o.status,
                &o.code.map(i64::from),
                &o.reason,
                &(o.attempts as i64),
                &o.first_attempt.map(micros),
                &o.next_attempt.map(micros),
            ],
        )
        .map(|_| ())
    }

    fn outbox_item(&mut self, id: i64) -> Result<Option<OutboxRow>, StoreError> {
        let rows = self.query(
            "SELECT id, seq, workflow, record, kind, detail, status, code, reason, attempts,
                    first_attempt, next_attempt, wait FROM outbox WHERE id = $1",
            &[&id],
        )?;
        Ok(self.outbox_rows(rows)?.into_iter().next())
    }

    fn due_webhooks(
        &mut self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        // Claimed like work: one process sends an item at a time; a
        // process that dies leaves its lease to expire, and another sends
        // the item again with the same Idempotency-Key.
        let owner = self.owner.to_string();
        let secs = self.lease_secs();
        let rows = self.query(
            "UPDATE outbox SET owner = $3, lease_until = clock_timestamp() + make_interval(secs => $4)
             WHERE (txn, pos) IN (
               SELECT txn, pos FROM outbox
               WHERE status = 'pending' AND kind = 'webhook' AND id IS NOT NULL
                 AND next_attempt <= $1
                 AND (owner IS NULL OR owner = $3 OR lease_until < clock_timestamp())
               ORDER BY next_attempt, id LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING id, seq, workflow, record, kind, detail, status, code, reason, attempts,
                    first_attempt, next_attempt, wait",
            &[&micros(now), &(limit as i64), &owner, &secs],
        )?;
        let mut out = self.outbox_rows(rows)?;
        out.sort_by_key(|o| (o.next_attempt, o.id));
        Ok(out)
    }

    fn next_webhook_at(&mut self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = self.query_opt(
            "SELECT min(next_attempt) FROM outbox
             WHERE status = 'pending' AND kind = 'webhook' AND id IS NOT NULL",
            &[],
        )?;
        Ok(row
            .and_then(|r| r.get::<_, Option<i64>>(0))
            .map(from_micros))
    }

    fn remembered(&mut self, scope: &str, key: &str) -> Result<Option<Remembered>, StoreError> {
        let row = self.query_opt(
            "SELECT hash, status, body FROM idempotency WHERE scope = $1 AND key = $2",
            &[&scope, &key],
        )?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some(Remembered {
                body_hash: r.get(0),
                status: r.get::<_, i64>(1) as u16,
                body: json(r.get(2))?,
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
        let body = text(&a.body)?;
        self.execute(
            "INSERT INTO idempotency (scope, key, hash, status, body, at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&scope, &key, &a.body_hash, &(a.status as i64), &body, &micros(at)],
        )
        .map(|_| ())
    }

    fn forget_before(&mut self, before: DateTime<Utc>) -> Result<(), StoreError> {
        self.execute("DELETE FROM idempotency WHERE at < $1", &[&micros(before)])
            .map(|_| ())
    }

    fn record_json(&mut self, id: &str) -> Result<Option<Value>, StoreError> {
        let row = self.query_opt("SELECT body FROM records WHERE id = $1", &[&id])?;
        row.map(|r| record_out(id, r.get(0))).transpose()
    }

    fn records_page(
        &mut self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Value>, StoreError> {
        let rows = match after {
            None => self.query(
                "SELECT id, body FROM records ORDER BY object, id LIMIT $1",
                &[&(limit as i64)],
            )?,
            Some(after) => self.query(
                "SELECT id, body FROM records WHERE (object, id) >
                   (SELECT object, id FROM records WHERE id = $1)
                 ORDER BY object, id LIMIT $2",
                &[&after, &(limit as i64)],
            )?,
        };
        rows.into_iter()
            .map(|r| record_out(&r.get::<_, String>(0), r.get(1)))
            .collect()
    }

    fn history_page(
        &mut self,
        after: u64,
        limit: usize,
        record: Option<&str>,
        workflow: Option<&str>,
    ) -> Result<Vec<Value>, StoreError> {
        let rows = self.query(
            "SELECT seq, body FROM history WHERE seq > $1
               AND ($2::text IS NULL OR record = $2) AND ($3::text IS NULL OR workflow = $3)
             ORDER BY seq LIMIT $4",
            &[&(after as i64), &record, &workflow, &(limit as i64)],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut v = json(r.get(1))?;
            // The text was written with the event's position in its unit;
            // its number is the one given after commit.
            if let Some(o) = v.as_object_mut() {
                o.insert("seq".into(), Value::from(r.get::<_, i64>(0)));
            }
            out.push(v);
        }
        Ok(out)
    }

    fn outbox_page(&mut self, after: i64, limit: usize) -> Result<Vec<OutboxRow>, StoreError> {
        let rows = self.query(
            "SELECT id, seq, workflow, record, kind, detail, status, code, reason, attempts,
                    first_attempt, next_attempt, wait FROM outbox WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after, &(limit as i64)],
        )?;
        self.outbox_rows(rows)
    }

    fn counts(&mut self, _now: DateTime<Utc>) -> Result<Counts, StoreError> {
        let row = self.query(
            "SELECT (SELECT count(*) FROM slots WHERE active IS NOT NULL),
                    (SELECT count(*) FROM timers),
                    (SELECT min(due) FROM timers),
                    (SELECT count(*) FROM outbox WHERE status = 'pending'),
                    (SELECT count(*) FROM outbox WHERE status = 'failed')",
            &[],
        )?;
        let Some(r) = row.first() else {
            return Ok(Counts::default());
        };
        Ok(Counts {
            active_enrollments: r.get::<_, i64>(0) as u64,
            timers_pending: r.get::<_, i64>(1) as u64,
            oldest_due_timer: r.get::<_, Option<i64>>(2).map(from_micros),
            outbox_pending: r.get::<_, i64>(3) as u64,
            outbox_failed: r.get::<_, i64>(4) as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_option_is_split_off_the_url() {
        let t = target("postgres://u@h:5432/test?schema=t_1&sslmode=disable").unwrap();
        assert_eq!(t.url, "postgres://u@h:5432/test?sslmode=disable");
        assert_eq!(t.schema.as_deref(), Some("t_1"));
        let t = target("postgres://u@h/test").unwrap();
        assert_eq!(t.url, "postgres://u@h/test");
        assert_eq!(t.schema, None);
        assert!(target("postgres://u@h/test?schema=Robert';DROP").is_err());
        assert!(target("postgres://u@h/test?schema=1abc").is_err());
    }

    #[test]
    fn passwords_are_not_repeated_in_messages() {
        assert_eq!(
            redact("postgres://me:secret@db:5432/x"),
            "postgres://me:***@db:5432/x"
        );
        assert_eq!(redact("postgres://me@db/x"), "postgres://me@db/x");
    }

    #[test]
    fn an_input_is_keyed_by_its_records() {
        let records = serde_json::json!([
            {"id": "c2", "associations": {"company": ["co1"]}},
            {"id": "c1", "associations": {"company": ["co1"], "deal": ["d1"]}}
        ]);
        assert_eq!(input_keys("records", &records), "c1\nc2\nco1\nd1");
        let event = serde_json::json!({"record": "c9", "set": {}});
        assert_eq!(input_keys("event", &event), "c9");
        assert_eq!(input_keys("turn_off", &serde_json::json!({})), "*");
    }
}
