pub mod ssrf;
pub mod webhook;
