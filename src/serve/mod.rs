//! `wfc serve`: the durable workflow engine as a service.
//!
//! - [`api`]: the contract between the HTTP layer and the engine;
//! - [`http`]: the HTTP layer (axum): routing, auth, limits, idempotency keys, metrics;
//! - [`engine`]: starting the engine behind [`api::Api`].

pub mod api;
pub mod engine;
pub mod http;
