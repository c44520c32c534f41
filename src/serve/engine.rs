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
        return Err(
            "--db postgres://: PostgreSQL is not supported by this build yet; use --db sqlite:PATH"
                .into(),
        );
    }
    Err(format!(
        "--db `{db}`: expected sqlite:PATH or postgres://user@host/db"
    ))
}
