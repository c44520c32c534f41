//! `wfc serve`, the durable engine, through the real binary over HTTP, on a
//! real SQLite file and (with `WFC_TEST_POSTGRES`) a real PostgreSQL
//! database: the same tests on both stores.

#[path = "engine/server.rs"]
mod server;

#[path = "engine/api.rs"]
mod api;
#[path = "engine/crash.rs"]
mod crash;
#[path = "engine/differential.rs"]
mod differential;
#[path = "engine/scale.rs"]
mod scale;
#[path = "engine/sms.rs"]
mod sms;
