//! (graph: to be written)
