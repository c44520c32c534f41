//! Starting the engine behind `wfc serve`: the options of the command line
//! and the store `--db` names.
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Whether time moves by itself or only when told (`POST /v1/clock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMode {
    Wall,
    Virtual,
}
/// How internal SMS are confirmed: wait for the integration's report, or
/// count them as sent at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsDelivery {
    Wait,
    Instant,
}
/// What `wfc serve`'s flags say about the engine.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    pub db: String,
    pub clock: ClockMode,
    pub start: Option<DateTime<Utc>>,
    pub sms_delivery: Option<SmsDelivery>,
    pub allow_private_webhooks: bool,
    pub prune: bool,
    pub worker_id: Option<String>,
    pub webhook_secret: Option<Vec<u8>>,
    /// How long a claimed piece of work stays this process's (shared
    /// stores): after that another process may take it over.
    pub lease: std::time::Duration,
}

/// This process's name in leases: `--worker-id`, else host, process id and
/// start time (a restarted process is a new worker).
pub fn worker_name(given: Option<&str>) -> String {
    if let Some(g) = given {
        return g.to_string();
    }
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "wfc".into());
    let started = Utc::now().timestamp_micros();
    format!("{host}-{}-{started:x}", std::process::id())
}
/// Open the database, deploy `initial` (a bundle as JSON) when given, start the workers.
/// `Err`: a message for exit 2 (cannot open the database, clock mode mismatch, ...).
pub fn start(
    options: EngineOptions,
    initial: Option<serde_json::Value>,
    runtime: tokio::runtime::Handle,
) -> Result<Arc<dyn super::api::Api>, String> {
    let db = options.db.clone();
    if let Some(path) = db.strip_prefix("sqlite:") {
        if path.is_empty() {
            return Err("--db sqlite: needs a file name (e.g. sqlite:wfc-engine.db)".into());
        }
        let store = super::sqlite::Sqlite::open(path).map_err(|e| e.0)?;
        let core = super::core::start(store, options, initial, runtime)?;
        return Ok(core);
    }
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        let owner = worker_name(options.worker_id.as_deref());
        let store = super::postgres::Postgres::open(&db, owner, options.lease).map_err(|e| e.0)?;
        let core = super::core::start(store, options, initial, runtime)?;
        return Ok(core);
    }
    Err(format!(
        "--db `{db}`: expected sqlite:PATH or postgres://user@host/db"
    ))
}
