//! The engine as the HTTP layer sees it: requests in, answers out.
//!
//! `serve::http` (axum) decodes nothing but JSON syntax, auth and limits;
//! everything with meaning (bundles, records, events, cursors) is decided
//! by the implementation of [`Api`] (`serve::core`), so the HTTP layer stays
//! thin. Every method is synchronous and may block (call it from
//! `tokio::task::spawn_blocking`).

use chrono::{DateTime, Utc};
use serde_json::Value;

/// An error answer: `{"error": {"code": code, "message": message}}` with `status`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "bad_request", message)
    }
}

/// A successful answer: status and JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// The answer of `POST /v1/clock`: `200 {"now": RFC 3339}`, the time
    /// written as the history writes it.
    pub fn clock(now: DateTime<Utc>) -> Reply {
        Reply {
            status: 200,
            body: serde_json::json!({"now": crate::runtime::model::format_time(now)}),
        }
    }
}

/// A `POST` whose body was valid JSON.
#[derive(Clone, Debug)]
pub enum Post {
    /// `POST /v1/deployments`: a bundle, a plan or an array of plans, with
    /// optional `prune` / `enroll_existing` (body fields).
    Deployments(Value),
    /// `POST /v1/records`: one record or an array.
    Records(Value),
    /// `POST /v1/events`: one event or an array.
    Events(Value),
    /// `POST /v1/outbox/{id}`: an integration's delivery report.
    OutboxReport { id: String, body: Value },
    /// `POST /v1/clock`: `{"advance_to": ...}`.
    Clock(Value),
}

impl Post {
    /// The endpoint, for scoping idempotency keys.
    pub fn endpoint(&self) -> String {
        match self {
            Post::Deployments(_) => "/v1/deployments".into(),
            Post::Records(_) => "/v1/records".into(),
            Post::Events(_) => "/v1/events".into(),
            Post::OutboxReport { id, .. } => format!("/v1/outbox/{id}"),
            Post::Clock(_) => "/v1/clock".into(),
        }
    }
}

/// An `Idempotency-Key` of one request: the key is remembered durably with
/// the first answer, in the same transaction as what the request applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Idempotency {
    /// Endpoint plus a fingerprint of the token (when auth is on); never the token itself.
    pub scope: String,
    pub key: String,
    /// SHA-256 of the request body bytes.
    pub body_hash: [u8; 32],
}

/// A `GET` with its query already parsed (bad query strings are 400 in the HTTP layer).
#[derive(Clone, Debug, PartialEq)]
pub enum Get {
    Workflows,
    Record(String),
    Records {
        after: Option<String>,
        limit: usize,
    },
    History {
        after: u64,
        limit: usize,
        record: Option<String>,
        workflow: Option<String>,
    },
    Outbox {
        after: u64,
        limit: usize,
    },
}

/// The engine's gauges and counters for `/metrics` (the HTTP layer adds its
/// own request-latency histogram).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EngineMetrics {
    pub inputs_accepted: u64,
    pub steps_executed: u64,
    /// Events dropped when processed: their record did not exist, or an
    /// `enroll` named a workflow that is not deployed.
    pub inputs_skipped: u64,
    pub active_enrollments: u64,
    pub timers_pending: u64,
    /// Seconds between now and the oldest due, not yet run timer (0: none).
    pub oldest_due_timer_lag_seconds: f64,
    pub outbox_pending: u64,
    pub outbox_failed: u64,
}

/// What `wfc serve`'s HTTP layer asks of the engine.
pub trait Api: Send + Sync + 'static {
    /// Apply a POST (once per idempotency key: a replay with the same body
    /// gets the first answer; a different body is 422 `idempotency_key_reused`).
    fn post(&self, request: Post, idempotency: Option<Idempotency>) -> Result<Reply, ApiError>;
    fn get(&self, query: Get) -> Result<Reply, ApiError>;
    fn metrics(&self) -> Result<EngineMetrics, ApiError>;
    /// Graceful stop (SIGTERM / Ctrl-C): finish and commit the unit of work
    /// in progress, then return. Called once, after the listener stopped.
    fn shutdown(&self);
}
