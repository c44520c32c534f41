//! (fmt: to be written)
