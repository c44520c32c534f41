//! `wfc serve`, the durable engine, through the real binary over HTTP and a
//! real SQLite file.

#[path = "engine/server.rs"]
mod server;

#[path = "engine/api.rs"]
mod api;
#[path = "engine/crash.rs"]
mod crash;
#[path = "engine/differential.rs"]
mod differential;
