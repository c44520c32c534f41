//! `wfc serve`: the durable workflow engine as a service.
//!
//! - [`api`]: the contract between the HTTP layer and the engine;
//! - [`http`]: the HTTP layer (axum): routing, auth, limits, idempotency keys, metrics;
//! - [`engine`]: starting the engine behind [`api::Api`] over the store `--db` names;
//! - [`core`]: the worker that accepts inputs, runs units of work through the
//!   runtime's interpreter and delivers the outbox;
//! - [`store`]: the durable store as a trait; [`sqlite`]: its SQLite implementation;
//! - [`webhook`], [`ssrf`]: webhook delivery and its guard.

pub mod api;
pub mod core;
pub mod deploy;
pub mod engine;
pub mod http;
pub mod postgres;
pub mod sqlite;
pub mod ssrf;
pub mod store;
pub mod webhook;
