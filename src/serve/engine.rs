//! The engine behind `wfc serve` (written by the lead).
use chrono::{DateTime, Utc};
use std::sync::Arc;
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMode {
    Wall,
    Virtual,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsDelivery {
    Wait,
    Instant,
}
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
    let _ = (options, initial, runtime);
    Err("the engine is not available in this build yet".to_string())
}
