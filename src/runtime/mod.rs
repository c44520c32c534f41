//! (runtime: to be written)
