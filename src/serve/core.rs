//! The engine's core: one worker thread that owns the store, accepts
//! inputs (group-committed), runs units of work through the runtime's
//! interpreter over a [`WorkingSet`], and delivers webhooks from the outbox.
//!
//! Every rule of the run semantics stays in `runtime`; this file only
//! decides *which* unit runs next and commits what it changed.

use std::collections::BTreeSet;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::api::{Api, ApiError, EngineMetrics, Get, Idempotency, Post, Reply};
use super::engine::{ClockMode, EngineOptions, SmsDelivery};
use super::store::{
    Backend, HistoryRow, OutboxRow, Remembered, Settings, StoreError, Txn, WorkflowRow,
};
use super::webhook::{self, Delivery, Outcome};
use crate::plan::Plan;
use crate::runtime::model::{format_time, parse_events, parse_records_in, parse_time, EventKind};
use crate::runtime::program::Program;
// `Handed`: what became of an effect the interpreter handed over (the
// webhook sender has its own `Delivery`).
use crate::runtime::store::{
    Delivery as Handed, Effect, Effects, HistoryEvent, HistorySink, JsonLines, Store, VirtualClock,
};
use crate::runtime::working::{ChangeSet, Loader, Versions, WorkingSet};
use crate::runtime::Engine;
use crate::schema::Environment;

/// At most this many units of work share one transaction (group commit).
const UNITS_PER_COMMIT: usize = 256;
/// How long idempotency keys are remembered (wall-clock time).
const IDEMPOTENCY_TTL_HOURS: i64 = 24;
/// How many items a process claims at once on a shared store.
const CLAIM_BATCH: usize = 64;
/// How often an idle process on a shared store looks for work.
const SHARED_POLL: StdDuration = StdDuration::from_millis(25);
/// How many times a unit is run again after a deadlock or a
/// serialization failure with another process.
const RETRIES: usize = 8;
/// Page size limits of the feeds.
const MAX_PAGE: usize = 10_000;

/// A deployment as the bundle decoder gives it.
pub use super::deploy::Deployment;

type Answer = SyncSender<Result<Reply, ApiError>>;

enum Cmd {
    Post(
        Post,
        Option<Idempotency>,
        SyncSender<Result<Reply, ApiError>>,
    ),
    Get(Get, SyncSender<Result<Reply, ApiError>>),
    Metrics(SyncSender<Result<EngineMetrics, ApiError>>),
    Delivered(i64, Outcome, DateTime<Utc>),
    Shutdown(SyncSender<()>),
}

/// The engine as the HTTP layer sees it: a handle on the worker thread,
/// and the store's reader for the feeds when it has one.
pub struct Core {
    tx: Mutex<Sender<Cmd>>,
    worker: Mutex<Option<std::thread::JoinHandle<()>>>,
    reads: Option<Mutex<Box<dyn Reads>>>,
}

/// Answers the `GET`s that only read the store.
trait Reads: Send {
    fn read(&mut self, q: Get) -> Result<Reply, ApiError>;
}

impl<B: Backend> Reads for B {
    fn read(&mut self, q: Get) -> Result<Reply, ApiError> {
        store_get(self, q)
    }
}

impl Core {
    fn ask<T>(&self, make: impl FnOnce(SyncSender<T>) -> Cmd) -> Option<T> {
        let (reply, rx) = mpsc::sync_channel(1);
        let sent = self.tx.lock().ok()?.send(make(reply));
        sent.ok()?;
        rx.recv().ok()
    }
}

fn gone() -> ApiError {
    ApiError::new(503, "unavailable", "the engine is stopping")
}

impl Api for Core {
    fn post(&self, request: Post, idempotency: Option<Idempotency>) -> Result<Reply, ApiError> {
        self.ask(|r| Cmd::Post(request, idempotency, r))
            .unwrap_or_else(|| Err(gone()))
    }
    fn get(&self, query: Get) -> Result<Reply, ApiError> {
        // The workflow list is the worker's (in memory); the feeds and
        // records are read beside its work when the store has a reader.
        if let (Some(reads), false) = (&self.reads, matches!(query, Get::Workflows)) {
            let mut reads = reads
                .lock()
                .map_err(|_| ApiError::new(500, "internal", "the reader failed"))?;
            return reads.read(query);
        }
        self.ask(|r| Cmd::Get(query, r))
            .unwrap_or_else(|| Err(gone()))
    }
    fn metrics(&self) -> Result<EngineMetrics, ApiError> {
        self.ask(Cmd::Metrics).unwrap_or_else(|| Err(gone()))
    }
    fn shutdown(&self) {
        let _ = self.ask(Cmd::Shutdown);
        if let Some(h) = self.worker.lock().ok().and_then(|mut w| w.take()) {
            let _ = h.join();
        }
    }
}

/// Start the engine over a backend: check the clock settings, deploy
/// `initial`, start the worker.
pub fn start<B: Backend + 'static>(
    mut db: B,
    options: EngineOptions,
    initial: Option<Value>,
    runtime: tokio::runtime::Handle,
) -> Result<Arc<Core>, String> {
    let mode = match options.clock {
        ClockMode::Wall => "wall",
        ClockMode::Virtual => "virtual",
    };
    let start = match options.clock {
        ClockMode::Wall => String::new(),
        ClockMode::Virtual => {
            format_time(options.start.unwrap_or_else(crate::runtime::default_start))
        }
    };
    let wanted = Settings {
        clock: mode.to_string(),
        start: start.clone(),
    };
    let reader = db.reader().map_err(|e| e.to_string())?;
    let (settings, vnow, workflows, deployment) = db
        .transaction(&mut |t| {
            let s = match t.settings()? {
                Some(s) => s,
                None => {
                    t.set_settings(&wanted)?;
                    wanted.clone()
                }
            };
            Ok((s, t.virtual_now()?, t.workflows()?, t.last_deployment()?))
        })
        .map_err(|e| e.0)?;
    if settings.clock != wanted.clock {
        return Err(format!(
            "the database was created with a {} clock; it cannot be opened with --clock {mode}",
            settings.clock
        ));
    }
    if settings.clock == "virtual" && options.start.is_some() && settings.start != wanted.start {
        return Err(format!(
            "the database's virtual clock started at {}; --start {} differs",
            settings.start, wanted.start
        ));
    }
    let virtual_start = parse_time(&settings.start).unwrap_or_else(crate::runtime::default_start);
    let sms = options.sms_delivery.unwrap_or(match options.clock {
        ClockMode::Wall => SmsDelivery::Wait,
        ClockMode::Virtual => SmsDelivery::Instant,
    });
    let environment = match &deployment {
        Some((_, env)) => super::deploy::environment(env)?,
        None => Environment::standard(),
    };
    let sender = webhook::Sender::new(
        options.allow_private_webhooks,
        options.webhook_secret.clone(),
        StdDuration::from_secs(10),
    )?;
    let (tx, rx) = mpsc::channel();
    let mut worker = Worker {
        db,
        virtual_clock: options.clock == ClockMode::Virtual,
        virtual_now: vnow.unwrap_or(virtual_start),
        env: environment,
        env_json: deployment
            .as_ref()
            .map(|d| d.1.clone())
            .unwrap_or(json!({})),
        deployment: deployment.map_or(0, |d| d.0),
        versions: versions_of(&workflows)?,
        workflows,
        sms_wait: sms == SmsDelivery::Wait,
        sender: Arc::new(sender),
        runtime,
        rx,
        me: tx.clone(),
        in_flight: BTreeSet::new(),
        stats: Stats::default(),
        stopping: None,
        shared: false,
        tidied: std::time::Instant::now(),
    };
    worker.shared = worker.db.shared();
    if let Some(bundle) = initial {
        let prune = options.prune;
        let d =
            super::deploy::decode(&bundle).map_err(|e| format!("cannot deploy: {}", e.message))?;
        worker
            .deploy(d, prune, None)
            .map_err(|e| format!("cannot deploy: {}", e.message))?;
    }
    let handle = std::thread::Builder::new()
        .name("wfc-engine".into())
        .spawn(move || worker.run())
        .map_err(|e| format!("cannot start the engine thread: {e}"))?;
    Ok(Arc::new(Core {
        tx: Mutex::new(tx),
        worker: Mutex::new(Some(handle)),
        reads: reader.map(|r| Mutex::new(Box::new(r) as Box<dyn Reads>)),
    }))
}

/// The programs of the stored workflows: live ones in source order, then
/// the earlier versions and turned-off ones.
fn versions_of(rows: &[WorkflowRow]) -> Result<Versions, String> {
    let mut live: Vec<&WorkflowRow> = rows.iter().filter(|w| w.state == "live").collect();
    live.sort_by_key(|w| w.position);
    let rest = rows.iter().filter(|w| w.state != "live");
    let n = live.len();
    let mut programs = Vec::with_capacity(rows.len());
    for w in live.into_iter().chain(rest) {
        let plan: Plan = serde_json::from_value(w.plan.clone())
            .map_err(|e| format!("corrupt workflow `{}` in the database: {e}", w.name))?;
        let p = Program::new(plan).map_err(|e| format!("workflow `{}`: {}", e.plan, e.message))?;
        programs.push((p, w.version));
    }
    Ok(Versions::new(programs, n))
}

/// The plan without its source locations: what a new version is judged by.
fn content_of(plan: &Value) -> String {
    let mut p = plan.clone();
    if let Some(o) = p.as_object_mut() {
        o.remove("source");
        if let Some(Value::Array(nodes)) = o.get_mut("nodes") {
            for n in nodes {
                if let Some(n) = n.as_object_mut() {
                    n.remove("source");
                }
            }
        }
    }
    p.to_string()
}

#[derive(Default)]
struct Stats {
    inputs_accepted: u64,
    steps_executed: u64,
    inputs_skipped: u64,
}

/// What units of work did: steps run, and events skipped (they named a
/// record the store does not have, or `enroll` in an unknown workflow).
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    steps: u64,
    skipped: u64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.steps += other.steps;
        self.skipped += other.skipped;
    }
}

// One piece of work, in engine order.
use super::store::WorkItem as Work;

struct Worker<B: Backend> {
    db: B,
    virtual_clock: bool,
    virtual_now: DateTime<Utc>,
    env: Environment,
    env_json: Value,
    deployment: u64,
    workflows: Vec<WorkflowRow>,
    versions: Versions,
    /// Internal SMS waits for delivery reports (`--sms-delivery wait`).
    sms_wait: bool,
    sender: Arc<webhook::Sender>,
    runtime: tokio::runtime::Handle,
    rx: Receiver<Cmd>,
    me: Sender<Cmd>,
    /// Outbox items being delivered right now.
    in_flight: BTreeSet<i64>,
    stats: Stats,
    stopping: Option<SyncSender<()>>,
    /// Several processes share the store: work is claimed with leases.
    shared: bool,
    /// When the shared store's housekeeping last ran.
    tidied: std::time::Instant,
}

fn store_err(e: StoreError) -> ApiError {
    ApiError::new(500, "store_error", e.0)
}

impl<B: Backend> Worker<B> {
    fn now(&self) -> DateTime<Utc> {
        if self.virtual_clock {
            self.virtual_now
        } else {
            wall_now()
        }
    }

    fn run(mut self) {
        loop {
            // Work first, then wait for a command until the next due item.
            let busy = match self.work_due() {
                Ok(n) => n > 0,
                Err(e) => {
                    tracing::error!("unit of work failed: {e}");
                    false
                }
            };
            if !self.virtual_clock {
                self.send_webhooks();
            }
            let wait = if busy {
                StdDuration::ZERO
            } else {
                self.idle_wait()
            };
            let first = match self.rx.recv_timeout(wait) {
                Ok(c) => c,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let mut batch = vec![first];
            while batch.len() < 1024 {
                match self.rx.try_recv() {
                    Ok(c) => batch.push(c),
                    Err(_) => break,
                }
            }
            self.handle(batch);
            if let Some(done) = self.stopping.take() {
                let _ = done.send(());
                return;
            }
        }
    }

    /// How long to sleep when nothing is due (wall clock only moves by itself).
    fn idle_wait(&mut self) -> StdDuration {
        if self.shared {
            // Other processes accept inputs too: look for work often, and
            // number history a stopped process left unnumbered.
            if self.tidied.elapsed() >= StdDuration::from_secs(1) {
                self.tidied = std::time::Instant::now();
                if let Err(e) = self.db.tidy() {
                    tracing::error!("store housekeeping failed: {e}");
                }
            }
            return SHARED_POLL;
        }
        if self.virtual_clock {
            return StdDuration::from_secs(3600);
        }
        let now = Utc::now();
        let next = self
            .db
            .transaction(&mut |t| {
                let a = t.next_input()?.map(|i| i.due);
                let b = t.next_timer()?.map(|(_, t)| t.due);
                let c = t.next_webhook_at()?;
                Ok([a, b, c].into_iter().flatten().min())
            })
            .ok()
            .flatten();
        match next {
            Some(t) if t <= now => StdDuration::from_millis(1),
            Some(t) => (t - now)
                .to_std()
                .unwrap_or(StdDuration::from_millis(1))
                .min(StdDuration::from_secs(1)),
            None => StdDuration::from_secs(1),
        }
    }

    fn handle(&mut self, batch: Vec<Cmd>) {
        // Accepting posts share one transaction: nothing is acknowledged
        // before its commit.
        let mut accepts = Vec::new();
        let mut rest = Vec::new();
        for c in batch {
            match c {
                Cmd::Post(p @ (Post::Records(_) | Post::Events(_)), idem, reply) => {
                    accepts.push((p, idem, reply))
                }
                other => rest.push(other),
            }
        }
        if !accepts.is_empty() {
            self.accept_all(accepts);
        }
        for c in rest {
            match c {
                Cmd::Post(p, idem, reply) => {
                    let r = self.post_one(p, idem);
                    let _ = reply.send(r);
                }
                Cmd::Get(q, reply) => {
                    let _ = reply.send(self.get(q));
                }
                Cmd::Metrics(reply) => {
                    let _ = reply.send(self.metrics());
                }
                Cmd::Delivered(id, outcome, at) => {
                    self.in_flight.remove(&id);
                    if let Err(e) = self.record_delivery(id, outcome, at) {
                        tracing::error!("cannot record a webhook delivery: {e}");
                    }
                }
                Cmd::Shutdown(done) => self.stopping = Some(done),
            }
        }
    }

    // ------------------------------------------------------------ posts

    fn accept_all(&mut self, posts: Vec<(Post, Option<Idempotency>, Answer)>) {
        let now = self.now();
        let wall = Utc::now();
        let env = &self.env;
        let mut answers: Vec<Result<Reply, ApiError>> = Vec::new();
        let result = self.db.transaction(&mut |t| {
            answers.clear();
            let mut accepted = 0;
            for (p, idem, _) in &posts {
                let answer = idempotent(t, idem.as_ref(), wall, &mut |t| {
                    let id = match p {
                        Post::Records(v) => accept_records(t, env, v, now)?,
                        Post::Events(v) => accept_events(t, v, now)?,
                        _ => return Err(ApiError::new(500, "internal", "not an input")),
                    };
                    Ok(Reply {
                        status: 202,
                        body: json!({ "input": id }),
                    })
                })?;
                if answer.as_ref().is_ok_and(|r| r.status == 202) {
                    accepted += 1;
                }
                answers.push(answer);
            }
            Ok(accepted)
        });
        match result {
            Ok(n) => {
                self.stats.inputs_accepted += n;
                for ((_, _, reply), a) in posts.into_iter().zip(answers.drain(..)) {
                    let _ = reply.send(a);
                }
            }
            Err(e) => {
                for (_, _, reply) in posts {
                    let _ = reply.send(Err(store_err(StoreError(e.0.clone()))));
                }
            }
        }
    }

    fn post_one(&mut self, p: Post, idem: Option<Idempotency>) -> Result<Reply, ApiError> {
        match p {
            Post::Deployments(body) => {
                let d = super::deploy::decode(&body)?;
                if let Some(i) = &idem {
                    let seen = self
                        .db
                        .transaction(&mut |t| t.remembered(&i.scope, &i.key))
                        .map_err(store_err)?;
                    if let Some(r) = seen {
                        return replay(&r, i);
                    }
                }
                self.deploy(d, false, idem.as_ref())
            }
            Post::OutboxReport { id, body } => self.report(&id, &body, idem),
            Post::Clock(body) => self.advance(&body),
            Post::Records(_) | Post::Events(_) => {
                Err(ApiError::new(500, "internal", "misrouted input"))
            }
        }
    }

    /// Store a deployment: new versions for changed workflows, new
    /// workflows, turned-off ones with `prune`.
    /// Deploy; with an idempotency key, its answer is remembered in the
    /// same transaction as the deployment (a crash cannot leave one
    /// without the other).
    fn deploy(
        &mut self,
        d: Deployment,
        force_prune: bool,
        idem: Option<&Idempotency>,
    ) -> Result<Reply, ApiError> {
        let wall = Utc::now();
        let remember = |t: &mut dyn Txn, reply: &Reply| -> Result<(), StoreError> {
            match idem {
                Some(i) => remember_reply(t, i, reply, wall),
                None => Ok(()),
            }
        };
        if self.shared {
            // Another process may have deployed since.
            self.refresh().map_err(store_err)?;
        }
        let prune = d.prune || force_prune;
        let number = self.deployment + 1;
        let mut changed = false;
        let mut rows = self.workflows.clone();
        let mut inputs: Vec<(&'static str, Value)> = Vec::new();
        for (pos, plan) in d.plans.iter().enumerate() {
            let plan_json = serde_json::to_value(plan)
                .map_err(|e| ApiError::new(422, "invalid_plan", e.to_string()))?;
            let content = content_of(&plan_json);
            let same = rows
                .iter()
                .any(|w| w.name == plan.name && w.state == "live" && w.content == content);
            if same {
                for w in rows
                    .iter_mut()
                    .filter(|w| w.name == plan.name && w.state == "live")
                {
                    if w.position != pos as i64 {
                        w.position = pos as i64;
                        changed = true;
                    }
                }
                continue;
            }
            changed = true;
            let last = rows
                .iter()
                .filter(|w| w.name == plan.name)
                .map(|w| w.version)
                .max();
            for w in rows.iter_mut().filter(|w| w.name == plan.name) {
                w.state = "old".into();
            }
            if last.is_none() {
                // A new workflow enrolls the existing records, or remembers
                // which filter triggers they already meet (only a later
                // transition enrolls them; without filter triggers there is
                // nothing to remember).
                let filters = plan
                    .triggers
                    .iter()
                    .any(|t| matches!(t, crate::plan::Trigger::Filter { .. }));
                if d.enroll_existing {
                    inputs.push(("enroll_existing", json!({ "workflow": plan.name })));
                } else if filters {
                    inputs.push(("remember_existing", json!({ "workflow": plan.name })));
                }
            }
            rows.push(WorkflowRow {
                name: plan.name.clone(),
                version: last.map_or(1, |v| v + 1),
                deployment: number,
                plan: plan_json,
                content,
                position: pos as i64,
                state: "live".into(),
            });
        }
        if prune {
            let keep: BTreeSet<&str> = d.plans.iter().map(|p| p.name.as_str()).collect();
            for w in rows.iter_mut() {
                if w.state == "live" && !keep.contains(w.name.as_str()) {
                    w.state = "off".into();
                    changed = true;
                    inputs.push(("turn_off", json!({ "workflow": w.name })));
                }
            }
        }
        let env_json = super::deploy::environment_json(&d.environment);
        if env_json != self.env_json {
            changed = true;
        }
        if !changed {
            let reply = Reply {
                status: 200,
                body: json!({ "deployment": self.deployment, "workflows": self.live_names() }),
            };
            if idem.is_some() {
                self.db
                    .transaction(&mut |t| remember(t, &reply))
                    .map_err(store_err)?;
            }
            return Ok(reply);
        }
        let versions = versions_of(&rows).map_err(|m| ApiError::new(422, "invalid_plan", m))?;
        let names: Vec<String> = versions.programs[..versions.live]
            .iter()
            .map(|p| p.plan.name.clone())
            .collect();
        let reply = Reply {
            status: 201,
            body: json!({ "deployment": number, "workflows": names }),
        };
        let now = self.now();
        self.db
            .transaction(&mut |t| {
                remember(t, &reply)?;
                t.add_deployment(number, &env_json)?;
                for w in &rows {
                    t.put_workflow(w)?;
                }
                for (kind, body) in &inputs {
                    t.add_input(now, kind, body)?;
                }
                Ok(())
            })
            .map_err(store_err)?;
        self.deployment = number;
        self.workflows = rows;
        self.versions = versions;
        self.env = d.environment;
        self.env_json = env_json;
        Ok(reply)
    }

    fn live_names(&self) -> Vec<String> {
        self.versions.programs[..self.versions.live]
            .iter()
            .map(|p| p.plan.name.clone())
            .collect()
    }

    fn report(
        &mut self,
        id: &str,
        body: &Value,
        idem: Option<Idempotency>,
    ) -> Result<Reply, ApiError> {
        let Ok(n) = id.parse::<i64>() else {
            return Err(ApiError::new(
                404,
                "not_found",
                format!("no outbox item `{id}`"),
            ));
        };
        let status = match body.get("status").and_then(Value::as_str) {
            Some(s @ ("delivered" | "failed")) => s.to_string(),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "`status` must be \"delivered\" or \"failed\", not {other:?}"
                )))
            }
            None => {
                return Err(ApiError::bad_request(
                    "the body needs `status`: \"delivered\" or \"failed\"",
                ))
            }
        };
        let reason = match body.get("reason") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(ApiError::bad_request("`reason` must be a string")),
        };
        let wall = Utc::now();
        let now = self.now();
        self.db
            .transaction(&mut |t| {
                idempotent(t, idem.as_ref(), wall, &mut |t| {
                    let Some(mut item) = t.outbox_item(n)? else {
                        return Err(ApiError::new(
                            404,
                            "not_found",
                            format!("no outbox item `{id}`"),
                        ));
                    };
                    if item.status != "pending" {
                        return Err(ApiError::new(
                            409,
                            "already_final",
                            format!("outbox item {n} is already {}", item.status),
                        ));
                    }
                    item.status = status.clone();
                    item.reason = reason.clone();
                    t.update_outbox(&item)?;
                    // A record waits on this item: the report is an input
                    // that ends the wait, in acceptance order with the
                    // record's other inputs.
                    if let Some(wait) = &item.wait {
                        let body = json!({
                            "item": item.id,
                            "record": item.record,
                            "workflow": item.workflow,
                            "node": wait["node"],
                            "since": wait["since"],
                            "status": status,
                            "reason": reason,
                        });
                        t.add_input(now, "report", &body)?;
                    }
                    Ok(Reply {
                        status: 200,
                        body: outbox_json(&item),
                    })
                })
            })
            .map_err(store_err)?
    }

    fn advance(&mut self, body: &Value) -> Result<Reply, ApiError> {
        if !self.virtual_clock {
            return Err(ApiError::new(
                409,
                "wall_clock",
                "the clock only moves by itself on a wall-clock engine",
            ));
        }
        let to = body
            .get("advance_to")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ApiError::bad_request("the body needs `advance_to`: an RFC 3339 time")
            })?;
        let to = parse_time(to).ok_or_else(|| {
            ApiError::bad_request(format!(
                "`advance_to`: invalid time `{to}` (expected RFC 3339)"
            ))
        })?;
        if to < self.virtual_now {
            return Err(ApiError::new(
                409,
                "clock_backwards",
                format!(
                    "the clock is at {}; it never moves back",
                    format_time(self.virtual_now)
                ),
            ));
        }
        loop {
            let next = self.next_work().map_err(store_err)?;
            let due_work = next.as_ref().map(Work::due).filter(|d| *d <= to);
            let due_hook = self
                .db
                .transaction(&mut |t| t.next_webhook_at())
                .map_err(store_err)?
                .filter(|d| *d <= to);
            let t = match (due_work, due_hook) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => break,
            };
            if t > self.virtual_now {
                self.virtual_now = t;
                if self.shared {
                    // Other processes work at this instant too.
                    self.db
                        .transaction(&mut |tx| tx.set_virtual_now(t))
                        .map_err(store_err)?;
                }
            }
            if due_work.is_some_and(|w| w <= t) {
                let ran = self.work_due().map_err(store_err)?;
                if ran == 0 && self.shared {
                    // Another process holds the work due now: wait for it
                    // (or for its lease to expire) before time moves on.
                    std::thread::sleep(SHARED_POLL);
                }
            }
            if due_hook.is_some_and(|h| h <= self.virtual_now) {
                self.send_webhooks_now();
            }
        }
        if self.shared {
            // Every unit due by now is committed; number what another
            // process committed but has not numbered yet, so the feeds
            // read after this answer show all of it.
            self.db.tidy().map_err(store_err)?;
        }
        self.virtual_now = to;
        let now = self.virtual_now;
        self.db
            .transaction(&mut |t| t.set_virtual_now(now))
            .map_err(store_err)?;
        Ok(Reply {
            status: 200,
            body: json!({ "now": format_time(now) }),
        })
    }

    // ------------------------------------------------------------ reads

    fn get(&mut self, q: Get) -> Result<Reply, ApiError> {
        match q {
            Get::Workflows => {
                let list: Vec<Value> = self
                    .workflows
                    .iter()
                    .filter(|w| w.state == "live")
                    .map(|w| json!({ "name": w.name, "version": w.version, "deployment": w.deployment }))
                    .collect();
                Ok(Reply {
                    status: 200,
                    body: json!({ "workflows": list, "deployment": self.deployment }),
                })
            }
            q => store_get(&mut self.db, q),
        }
    }

    fn metrics(&mut self) -> Result<EngineMetrics, ApiError> {
        let now = self.now();
        let c = self
            .db
            .transaction(&mut |t| t.counts(now))
            .map_err(store_err)?;
        Ok(EngineMetrics {
            inputs_accepted: self.stats.inputs_accepted,
            steps_executed: self.stats.steps_executed,
            inputs_skipped: self.stats.inputs_skipped,
            active_enrollments: c.active_enrollments,
            timers_pending: c.timers_pending,
            oldest_due_timer_lag_seconds: c
                .oldest_due_timer
                .filter(|t| *t <= now)
                .map_or(0.0, |t| (now - t).num_milliseconds() as f64 / 1000.0),
            outbox_pending: c.outbox_pending,
            outbox_failed: c.outbox_failed,
        })
    }

    // ------------------------------------------------------------ work

    /// The next input or timer (inputs first at one instant).
    fn next_work(&mut self) -> Result<Option<Work>, StoreError> {
        self.db.transaction(&mut |t| t.next_work())
    }

    /// Run every unit due now, [`UNITS_PER_COMMIT`] per transaction, checking
    /// for commands between transactions. Returns how many ran.
    fn work_due(&mut self) -> Result<usize, StoreError> {
        if self.shared {
            return self.work_claimed();
        }
        let mut total = 0;
        loop {
            let now = self.now();
            let virtual_clock = self.virtual_clock;
            let sms_wait = self.sms_wait;
            let versions = &self.versions;
            let env = &self.env;
            let mut tally = Tally::default();
            let mut vnow = self.virtual_now;
            let ran = self.db.transaction(&mut |t| {
                tally = Tally::default();
                let mut ran = 0;
                let mut seq = t.last_seq()?;
                let mut page = std::collections::VecDeque::new();
                let mut done: Vec<Work> = Vec::new();
                while ran < UNITS_PER_COMMIT {
                    if page.is_empty() {
                        // The page's items leave the store together.
                        t.done_all(&done)?;
                        done.clear();
                        page.extend(t.due_page(now, UNITS_PER_COMMIT - ran)?);
                    }
                    let Some(work) = page.pop_front() else { break };
                    let due = work.due();
                    // A virtual clock moves to the unit's instant; a wall
                    // clock runs it now (late work runs when it can).
                    let at = if virtual_clock {
                        due.max(vnow)
                    } else {
                        wall_now()
                    };
                    let (unit, last) = run_unit(t, versions, env, &work, at, seq, sms_wait)?;
                    tally += unit;
                    seq = last;
                    done.push(work);
                    if virtual_clock {
                        vnow = at;
                    }
                    ran += 1;
                }
                t.done_all(&done)?;
                // The virtual clock reached the last unit's instant, with
                // the units (once per transaction).
                if virtual_clock && ran > 0 {
                    t.set_virtual_now(vnow)?;
                }
                Ok(ran)
            })?;
            if virtual_clock {
                self.virtual_now = vnow;
            }
            self.stats.steps_executed += tally.steps;
            self.stats.inputs_skipped += tally.skipped;
            total += ran;
            if ran < UNITS_PER_COMMIT {
                return Ok(total);
            }
            // Let waiting requests in between big batches.
            if let Ok(c) = self.rx.try_recv() {
                self.handle(vec![c]);
            }
        }
    }

    /// Catch up with the shared store: another process's deployment, the
    /// virtual clock another process moved.
    fn refresh(&mut self) -> Result<(), StoreError> {
        let (number, vnow) = self
            .db
            .transaction(&mut |t| Ok((t.deployment_number()?, t.virtual_now()?)))?;
        if let Some(v) = vnow.filter(|_| self.virtual_clock) {
            self.virtual_now = self.virtual_now.max(v);
        }
        self.follow(number)
    }

    /// Load deployment `number` when it is not the one this process runs.
    fn follow(&mut self, number: u64) -> Result<(), StoreError> {
        if number == self.deployment {
            return Ok(());
        }
        let (workflows, deployment) = self
            .db
            .transaction(&mut |t| Ok((t.workflows()?, t.last_deployment()?)))?;
        let Some((number, env_json)) = deployment else {
            return Ok(());
        };
        self.versions = versions_of(&workflows).map_err(StoreError)?;
        self.env = super::deploy::environment(&env_json).map_err(StoreError)?;
        self.env_json = env_json;
        self.workflows = workflows;
        self.deployment = number;
        Ok(())
    }

    /// [`Worker::work_due`] on a shared store: claim a batch of due items
    /// (leased to this process), run them in one transaction, repeat.
    fn work_claimed(&mut self) -> Result<usize, StoreError> {
        let mut total = 0;
        loop {
            // One transaction reads what other processes changed (the
            // deployment, the virtual clock) and claims at that time.
            let (virtual_clock, known) = (self.virtual_clock, self.virtual_now);
            let (claimed, number, vnow) = self.db.transaction(&mut |t| {
                let number = t.deployment_number()?;
                let vnow = t.virtual_now()?.map_or(known, |v| v.max(known));
                let now = if virtual_clock { vnow } else { wall_now() };
                Ok((t.claim(now, CLAIM_BATCH)?, number, vnow))
            })?;
            if virtual_clock {
                self.virtual_now = vnow;
            }
            self.follow(number)?;
            if claimed.is_empty() {
                return Ok(total);
            }
            if let Err(e) = self.run_claimed(&claimed) {
                if !self.db.retryable(&e) {
                    self.give_back(&claimed);
                    return Err(e);
                }
                // A deadlock or conflict with another process: run the
                // units one by one, each again until it commits.
                for (n, item) in claimed.iter().enumerate() {
                    let mut attempt = 0;
                    loop {
                        match self.run_claimed(std::slice::from_ref(item)) {
                            Ok(()) => break,
                            Err(e) if self.db.retryable(&e) && attempt < RETRIES => {
                                attempt += 1;
                                std::thread::sleep(StdDuration::from_millis(2 << attempt));
                            }
                            Err(e) => {
                                self.give_back(&claimed[n..]);
                                return Err(e);
                            }
                        }
                    }
                }
            }
            total += claimed.len();
            if let Ok(c) = self.rx.try_recv() {
                self.handle(vec![c]);
            }
        }
    }

    /// Run claimed items in engine order in one transaction; each item is
    /// removed only while this process still holds its lease.
    fn run_claimed(&mut self, items: &[Work]) -> Result<(), StoreError> {
        let virtual_clock = self.virtual_clock;
        let sms_wait = self.sms_wait;
        let vnow = self.virtual_now;
        let versions = &self.versions;
        let env = &self.env;
        let mut tally = Tally::default();
        self.db.transaction(&mut |t| {
            tally = Tally::default();
            let mut seq = 0;
            for work in items {
                let at = if virtual_clock {
                    work.due().max(vnow)
                } else {
                    wall_now()
                };
                let (unit, last) = run_unit(t, versions, env, work, at, seq, sms_wait)?;
                tally += unit;
                seq = last;
                match work {
                    Work::Input(i) => t.done_input(i.id)?,
                    Work::Timer(id, _) => t.done_timer(*id)?,
                }
            }
            Ok(())
        })?;
        self.stats.steps_executed += tally.steps;
        self.stats.inputs_skipped += tally.skipped;
        Ok(())
    }

    /// Release the leases of items this process will not run now.
    fn give_back(&mut self, items: &[Work]) {
        if let Err(e) = self.db.transaction(&mut |t| t.release(items)) {
            tracing::error!("cannot release work leases (they expire by themselves): {e}");
        }
    }

    // ------------------------------------------------------------ webhooks

    /// Start the deliveries that are due (wall clock: in the background).
    fn send_webhooks(&mut self) {
        let now = self.now();
        let due = match self.db.transaction(&mut |t| t.due_webhooks(now, 64)) {
            Ok(d) => d,
            Err(e) => {
                tracing::error!("cannot read the outbox: {e}");
                return;
            }
        };
        for item in due {
            if !self.in_flight.insert(item.id) {
                continue;
            }
            let d = delivery(&item);
            let sender = self.sender.clone();
            let me = self.me.clone();
            self.runtime.spawn(async move {
                let outcome = sender.send(&d).await;
                let _ = me.send(Cmd::Delivered(item.id, outcome, Utc::now()));
            });
        }
    }

    /// Deliver every webhook due at the virtual clock's time, waiting for
    /// each (a virtual clock runs deliveries as part of advancing).
    fn send_webhooks_now(&mut self) {
        let now = self.now();
        let due = match self.db.transaction(&mut |t| t.due_webhooks(now, 1000)) {
            Ok(d) => d,
            Err(e) => {
                tracing::error!("cannot read the outbox: {e}");
                return;
            }
        };
        for item in due {
            let d = delivery(&item);
            let outcome = self.runtime.block_on(self.sender.send(&d));
            if let Err(e) = self.record_delivery(item.id, outcome, now) {
                tracing::error!("cannot record a webhook delivery: {e}");
            }
        }
    }

    fn record_delivery(
        &mut self,
        id: i64,
        outcome: Outcome,
        wall_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = if self.virtual_clock {
            self.virtual_now
        } else {
            wall_at
        };
        self.db.transaction(&mut |t| {
            let Some(mut item) = t.outbox_item(id)? else {
                return Ok(());
            };
            if item.status != "pending" {
                return Ok(());
            }
            item.attempts += 1;
            let first = *item.first_attempt.get_or_insert(at);
            match &outcome {
                Outcome::Delivered { status } => {
                    item.status = "delivered".into();
                    item.code = Some(*status);
                    item.next_attempt = None;
                }
                Outcome::Final { status, reason } => {
                    item.status = "failed".into();
                    item.code = *status;
                    item.reason = Some(reason.clone());
                    item.next_attempt = None;
                }
                Outcome::Refused { reason } => {
                    item.status = "refused".into();
                    item.reason = Some(reason.clone());
                    item.next_attempt = None;
                }
                Outcome::Retry { reason } => {
                    item.reason = Some(reason.clone());
                    match webhook::next_attempt(first, item.attempts, at) {
                        Some(next) => item.next_attempt = Some(next),
                        None => {
                            item.status = "failed".into();
                            item.reason = Some(format!("{reason} (gave up after 3 days)"));
                            item.next_attempt = None;
                        }
                    }
                }
            }
            t.update_outbox(&item)
        })
    }
}

/// The wall clock to the millisecond (history times stay readable).
/// The `GET`s answered from the store alone (records and the feeds).
fn store_get<B: Backend>(db: &mut B, q: Get) -> Result<Reply, ApiError> {
    let ok = |body| Ok(Reply { status: 200, body });
    match q {
        Get::Record(id) => match db
            .transaction(&mut |t| t.record_json(&id))
            .map_err(store_err)?
        {
            Some(r) => ok(r),
            None => Err(ApiError::new(404, "not_found", format!("no record `{id}`"))),
        },
        Get::Records { after, limit } => {
            let limit = limit.clamp(1, MAX_PAGE);
            let page = db
                .transaction(&mut |t| t.records_page(after.as_deref(), limit))
                .map_err(store_err)?;
            let next = page
                .last()
                .and_then(|r| r["id"].as_str())
                .map(str::to_string);
            ok(json!({ "records": page, "next": next }))
        }
        Get::History {
            after,
            limit,
            record,
            workflow,
        } => {
            let limit = limit.clamp(1, MAX_PAGE);
            let page = db
                .transaction(&mut |t| {
                    t.history_page(after, limit, record.as_deref(), workflow.as_deref())
                })
                .map_err(store_err)?;
            let next = page.last().and_then(|e| e["seq"].as_u64()).unwrap_or(after);
            ok(json!({ "events": page, "next": next }))
        }
        Get::Outbox { after, limit } => {
            let limit = limit.clamp(1, MAX_PAGE);
            let page = db
                .transaction(&mut |t| t.outbox_page(after as i64, limit))
                .map_err(store_err)?;
            let next = page.last().map_or(after, |o| o.id as u64);
            let items: Vec<Value> = page.iter().map(outbox_json).collect();
            ok(json!({ "items": items, "next": next }))
        }
        Get::Workflows => Err(ApiError::new(500, "internal", "misrouted read")),
    }
}

fn wall_now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

fn delivery(item: &OutboxRow) -> Delivery {
    Delivery {
        id: item.id.to_string(),
        method: item.detail["method"].as_str().unwrap_or("POST").to_string(),
        url: item.detail["url"].as_str().unwrap_or_default().to_string(),
        body: item.detail.get("body").cloned().unwrap_or(Value::Null),
    }
}

fn outbox_json(o: &OutboxRow) -> Value {
    json!({
        "id": o.id,
        // An item a record waits on has no history event yet.
        "seq": (o.seq > 0).then_some(o.seq),
        "workflow": o.workflow,
        "record": o.record,
        "kind": o.kind,
        "detail": o.detail,
        "status": o.status,
        "code": o.code,
        "reason": o.reason,
        "attempts": o.attempts,
        "next_attempt": o.next_attempt.map(format_time),
    })
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        store_err(e)
    }
}

fn replay(r: &Remembered, i: &Idempotency) -> Result<Reply, ApiError> {
    if r.body_hash != i.body_hash {
        return Err(ApiError::new(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different body",
        ));
    }
    Ok(Reply {
        status: r.status,
        body: r.body.clone(),
    })
}

/// Apply `f` once per idempotency key, remembering its answer in the same
/// transaction.
/// Remember a request's answer under its idempotency key.
fn remember_reply(
    t: &mut dyn Txn,
    i: &Idempotency,
    reply: &Reply,
    wall: DateTime<Utc>,
) -> Result<(), StoreError> {
    let remembered = Remembered {
        body_hash: i.body_hash.to_vec(),
        status: reply.status,
        body: reply.body.clone(),
    };
    t.remember(&i.scope, &i.key, &remembered, wall)
}

fn idempotent(
    t: &mut dyn Txn,
    idem: Option<&Idempotency>,
    wall: DateTime<Utc>,
    f: &mut dyn FnMut(&mut dyn Txn) -> Result<Reply, ApiError>,
) -> Result<Result<Reply, ApiError>, StoreError> {
    let Some(i) = idem else {
        return Ok(f(t));
    };
    t.forget_before(wall - Duration::hours(IDEMPOTENCY_TTL_HOURS))?;
    if let Some(r) = t.remembered(&i.scope, &i.key)? {
        return Ok(replay(&r, i));
    }
    let answer = f(t);
    if let Ok(reply) = &answer {
        remember_reply(t, i, reply, wall)?;
    }
    Ok(answer)
}

/// One element or an array, as a list.
fn elements(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

fn as_lines(items: &[&Value]) -> String {
    items
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Validate posted records and store them as one input.
fn accept_records(
    t: &mut dyn Txn,
    env: &Environment,
    body: &Value,
    now: DateTime<Utc>,
) -> Result<i64, ApiError> {
    let items = elements(body);
    if items.is_empty() {
        return Err(ApiError::bad_request("no records in the body"));
    }
    parse_records_in(&as_lines(&items), Some(&env.schema))
        .map_err(|e| ApiError::bad_request(format!("record {}: {}", e.line, e.message)))?;
    Ok(t.add_input(
        now,
        "records",
        &Value::Array(items.into_iter().cloned().collect()),
    )?)
}

/// Validate posted events and store each as an input due at its `at`.
fn accept_events(t: &mut dyn Txn, body: &Value, now: DateTime<Utc>) -> Result<i64, ApiError> {
    let items = elements(body);
    if items.is_empty() {
        return Err(ApiError::bad_request("no events in the body"));
    }
    let mut lines = Vec::with_capacity(items.len());
    for (n, item) in items.iter().enumerate() {
        let mut item = (*item).clone();
        let Some(o) = item.as_object_mut() else {
            return Err(ApiError::bad_request(format!(
                "event {}: expected a JSON object",
                n + 1
            )));
        };
        if !o.contains_key("at") {
            o.insert("at".into(), Value::String(format_time(now)));
        }
        lines.push(item);
    }
    let refs: Vec<&Value> = lines.iter().collect();
    let events = parse_events(&as_lines(&refs))
        .map_err(|e| ApiError::bad_request(format!("event {}: {}", e.line, e.message)))?;
    let mut first = 0;
    for (e, line) in events.iter().zip(&lines) {
        let id = t.add_input(e.at, "event", line)?;
        if first == 0 {
            first = id;
        }
    }
    Ok(first)
}

/// Run one unit of work to completion over a working set, retrying with
/// more records loaded until it saw every record it asked for, then write
/// what it changed, its history and its outbox items. Returns the steps run.
fn run_unit(
    t: &mut dyn Txn,
    versions: &Versions,
    env: &Environment,
    work: &Work,
    at: DateTime<Utc>,
    seq: u64,
    sms_wait: bool,
) -> Result<(Tally, u64), StoreError> {
    let mut preload: BTreeSet<String> = BTreeSet::new();
    match work {
        Work::Timer(_, tm) => {
            preload.insert(tm.record.clone());
        }
        Work::Input(i) => match i.kind.as_str() {
            "records" => {
                for r in elements(&i.body) {
                    if let Some(id) = r["id"].as_str() {
                        preload.insert(id.to_string());
                    }
                }
            }
            "event" | "report" => {
                if let Some(id) = i.body["record"].as_str() {
                    preload.insert(id.to_string());
                }
            }
            "turn_off" => {
                let name = i.body["workflow"].as_str().unwrap_or_default();
                preload.extend(t.enrolled_in(name)?);
            }
            "enroll_existing" | "remember_existing" => {
                let name = i.body["workflow"].as_str().unwrap_or_default();
                if let Some(p) = versions.programs[..versions.live]
                    .iter()
                    .find(|p| p.plan.name == name)
                {
                    preload.extend(t.records_of(&p.plan.object)?);
                }
            }
            _ => {}
        },
    }
    for _attempt in 0..10_000 {
        let mut sink = UnitSink::new();
        let mut effects = UnitEffects {
            sms_wait,
            waiting: Vec::new(),
        };
        let (changes, tally, misses) = {
            let loader: &mut dyn Loader = t;
            let mut ws = WorkingSet::new(versions, loader);
            for id in &preload {
                ws.load_with_neighbours(id);
            }
            let mut engine = Engine::new(
                &versions.programs,
                env,
                ws,
                Box::new(VirtualClock::new(at)),
                Box::new(&mut effects),
                &mut sink,
            );
            engine.set_live(versions.live);
            engine.set_seq(seq);
            let skipped = perform(&mut engine, versions, work);
            let steps = engine.steps;
            let ws = engine.store;
            if let Some(e) = ws.error() {
                return Err(StoreError(e.to_string()));
            }
            let misses = ws.misses();
            (ws.changes(), Tally { steps, skipped }, misses)
        };
        if !misses.is_empty() {
            let before = preload.len();
            preload.extend(misses);
            if preload.len() > before {
                continue;
            }
        }
        let last = sink.rows.last().map_or(seq, |r| r.seq);
        commit_unit(t, changes, sink, effects.waiting)?;
        return Ok((tally, last));
    }
    Err(StoreError(
        "a unit of work kept asking for more records".into(),
    ))
}

/// What a unit does, by kind. Returns how many events it skipped.
fn perform(engine: &mut Engine<'_, WorkingSet<'_>>, versions: &Versions, work: &Work) -> u64 {
    let mut skipped = 0;
    match work {
        Work::Timer(_, tm) => {
            if let Some(timer) = engine.store.timer(tm) {
                engine.fire(timer);
            }
        }
        Work::Input(i) => match i.kind.as_str() {
            "records" => apply_records(engine, &i.body),
            "event" => {
                let Ok(events) = parse_events(&i.body.to_string()) else {
                    return 0;
                };
                for mut e in events {
                    // An event runs at the unit's time (its `at` in the
                    // history is when it ran).
                    e.at = engine_now(engine);
                    if engine.store.load(&e.record).is_none() {
                        tracing::warn!("event for unknown record `{}` skipped", e.record);
                        skipped += 1;
                        continue;
                    }
                    if let EventKind::Enroll(name) = &e.kind {
                        if !versions.programs[..versions.live]
                            .iter()
                            .any(|p| p.plan.name == *name)
                        {
                            tracing::warn!("`enroll` in unknown workflow `{name}` skipped");
                            skipped += 1;
                            continue;
                        }
                    }
                    if let Err(err) = engine.apply(&e) {
                        tracing::warn!("event skipped: {err}");
                        skipped += 1;
                    }
                }
            }
            "report" => report(engine, versions, &i.body),
            "turn_off" => {
                let name = i.body["workflow"].as_str().unwrap_or_default();
                let Some(family) = versions.names.iter().position(|n| n == name) else {
                    return 0;
                };
                let ids: Vec<String> = i_records(engine);
                for id in ids {
                    let Some(rec) = engine.store.load(&id) else {
                        continue;
                    };
                    if let Some(eid) = engine.store.active_in(family, rec) {
                        engine.unenroll(eid, "workflow turned off");
                    }
                }
            }
            kind @ ("enroll_existing" | "remember_existing") => {
                let name = i.body["workflow"].as_str().unwrap_or_default();
                let Some(wf) = versions.programs[..versions.live]
                    .iter()
                    .position(|p| p.plan.name == name)
                else {
                    return 0;
                };
                for id in i_records(engine) {
                    let Some(rec) = engine.store.load(&id) else {
                        continue;
                    };
                    if kind == "enroll_existing" {
                        engine.start_in(wf, rec);
                    } else {
                        engine.remember_in(wf, rec);
                    }
                }
            }
            _ => {}
        },
    }
    skipped
}

/// A delivery report for an item a record waits on: the record's step
/// ends (`action` when delivered, else `error` with the report's reason)
/// and it goes on. A report for a wait that already ended (after 72 hours,
/// or the record left the workflow) changes nothing.
fn report(engine: &mut Engine<'_, WorkingSet<'_>>, versions: &Versions, body: &Value) {
    let (Some(record), Some(workflow), Some(node)) = (
        body["record"].as_str(),
        body["workflow"].as_str(),
        body["node"].as_str(),
    ) else {
        return;
    };
    let Some(since) = body["since"].as_str().and_then(parse_time) else {
        return;
    };
    let Some(rec) = engine.store.load(record) else {
        return;
    };
    let Some(family) = versions.names.iter().position(|n| n == workflow) else {
        return;
    };
    let Some(eid) = engine.store.active_in(family, rec) else {
        return;
    };
    let outcome = match body["status"].as_str() {
        Some("delivered") => Ok(()),
        _ => Err(body["reason"]
            .as_str()
            .filter(|r| !r.trim().is_empty())
            .unwrap_or("SMS delivery failed")
            .to_string()),
    };
    if !engine.report(eid, node, since, outcome) {
        tracing::debug!("delivery report for `{record}` in `{workflow}`: the wait had ended");
    }
}

fn engine_now(engine: &Engine<'_, WorkingSet<'_>>) -> DateTime<Utc> {
    engine.clock_now()
}

/// The records loaded for the unit, in id order.
fn i_records(engine: &Engine<'_, WorkingSet<'_>>) -> Vec<String> {
    engine.store.loaded_ids()
}

/// `POST /v1/records`: new records start like `wfc run`'s records (each
/// (record, workflow) pair runs until it waits or finishes); a known id
/// takes the given properties like a `set` event and adds the associations.
fn apply_records(engine: &mut Engine<'_, WorkingSet<'_>>, body: &Value) {
    let items = elements(body);
    let Ok(records) = parse_records_in(&as_lines(&items), None) else {
        return;
    };
    let mut plan: Vec<(usize, bool)> = Vec::new();
    let mut new_ids = Vec::new();
    for r in &records {
        match engine.store.load(&r.id) {
            Some(rec) => plan.push((rec, false)),
            None => {
                let rec = engine.store.insert_record(crate::runtime::Record {
                    properties: r.properties.clone(),
                    associations: Default::default(),
                    ..r.clone()
                });
                new_ids.push(rec);
                plan.push((rec, true));
            }
        }
    }
    // Associations, both ways, to records that exist.
    for (r, (rec, _)) in records.iter().zip(&plan) {
        for ids in r.associations.values() {
            for other in ids {
                let Some(o) = engine.store.load(other) else {
                    let object = r
                        .associations
                        .iter()
                        .find(|(_, s)| s.contains(other))
                        .map(|(k, _)| k.clone())
                        .unwrap_or_default();
                    engine
                        .store
                        .record_mut(*rec)
                        .associations
                        .entry(object)
                        .or_default()
                        .insert(other.clone());
                    continue;
                };
                let (this_id, this_obj) = {
                    let x = engine.store.record(*rec);
                    (x.id.clone(), x.object.clone())
                };
                let other_obj = engine.store.record(o).object.clone();
                engine
                    .store
                    .record_mut(*rec)
                    .associations
                    .entry(other_obj)
                    .or_default()
                    .insert(other.clone());
                engine
                    .store
                    .record_mut(o)
                    .associations
                    .entry(this_obj)
                    .or_default()
                    .insert(this_id);
            }
        }
    }
    let now = engine_now(engine);
    for (r, (rec, new)) in records.iter().zip(plan) {
        if new {
            engine.start_record(rec);
        } else {
            let e = crate::runtime::InputEvent {
                at: now,
                record: r.id.clone(),
                kind: EventKind::Set(r.properties.clone()),
            };
            let _ = engine.apply(&e);
        }
    }
}

/// The effects of one unit. Effects that leave the CRM become outbox
/// items from their history events ([`UnitSink`]); with `--sms-delivery
/// wait`, an internal SMS is instead an item the record waits on: it has no
/// history event until its delivery report comes (`POST /v1/outbox/{id}`)
/// or the wait ends.
struct UnitEffects {
    sms_wait: bool,
    waiting: Vec<OutboxRow>,
}

impl Effects for UnitEffects {
    fn deliver(&mut self, effect: &Effect<'_>) -> Handed {
        if !(self.sms_wait && effect.kind == "send_internal_sms") {
            return Handed::Done;
        }
        let mut detail = effect.detail.to_value();
        if let Some(o) = detail.as_object_mut() {
            // Its status is the item's, not yet the history's `sent`.
            o.remove("status");
        }
        self.waiting.push(OutboxRow {
            id: 0,
            seq: 0,
            workflow: effect.workflow.to_string(),
            record: effect.record.to_string(),
            kind: effect.kind.to_string(),
            detail,
            status: "pending".into(),
            code: None,
            reason: None,
            attempts: 0,
            first_attempt: None,
            next_attempt: None,
            wait: Some(json!({ "node": effect.node, "since": format_time(effect.at) })),
        });
        Handed::Pending
    }
}

/// The history of one unit as it is written: each event's text (numbered
/// already, exactly as `wfc run` writes it) and the outside effects the
/// outbox needs.
struct UnitSink {
    lines: JsonLines<Vec<u8>>,
    rows: Vec<HistoryRow>,
    outbox: Vec<OutboxRow>,
}

impl UnitSink {
    fn new() -> UnitSink {
        UnitSink {
            lines: JsonLines::new(Vec::new()),
            rows: Vec::new(),
            outbox: Vec::new(),
        }
    }
}

impl HistorySink for UnitSink {
    fn emit(&mut self, e: HistoryEvent<'_>) -> std::io::Result<()> {
        let (seq, record, workflow) = (e.seq, e.record.to_string(), e.workflow.to_string());
        let external = (e.event == "action")
            .then_some(e.kind)
            .flatten()
            .filter(|k| crate::runtime::is_external_kind(k));
        if let Some(kind) = external {
            let webhook = kind == "webhook";
            self.outbox.push(OutboxRow {
                id: 0,
                seq,
                workflow: workflow.clone(),
                record: record.clone(),
                kind: kind.to_string(),
                detail: e.detail.to_value(),
                status: "pending".into(),
                code: None,
                reason: None,
                attempts: 0,
                first_attempt: None,
                next_attempt: webhook.then_some(e.at),
                wait: None,
            });
        }
        self.lines.0.clear();
        self.lines.emit(e)?;
        let text = String::from_utf8_lossy(&self.lines.0);
        self.rows.push(HistoryRow {
            seq,
            record,
            workflow,
            body: text.trim_end().to_string(),
        });
        Ok(())
    }
}

/// Write a unit's changes, its history and its outbox items, all in the
/// current transaction.
fn commit_unit(
    t: &mut dyn Txn,
    changes: ChangeSet,
    sink: UnitSink,
    waiting: Vec<OutboxRow>,
) -> Result<(), StoreError> {
    t.write(&changes)?;
    t.append_history(&sink.rows)?;
    for item in sink.outbox.iter().chain(&waiting) {
        t.add_outbox(item)?;
    }
    Ok(())
}
