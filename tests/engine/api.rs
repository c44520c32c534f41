//! The HTTP API of a running engine.
