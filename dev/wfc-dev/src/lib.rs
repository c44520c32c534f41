//! Developer tools of the wfc repository, kept out of the `wfc` library:
//! [`corpus`], the generator of valid `.wf` source for benchmarks, fuzz
//! seeds and "everything checks clean" tests (`wfc-corpus` writes it to
//! files).

pub mod corpus;
