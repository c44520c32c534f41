//! The interpreter runtime behind `wfc run`: executes plans against records
//! in a deterministic simulation with a virtual clock.
//!
//! - [`model`]: the records, events and state files;
//! - [`program`]: plans validated and resolved for execution;
//! - [`store`]: the narrow interfaces (clock, store, effects, history) and
//!   their in-memory implementations;
//! - [`engine`]: the run semantics of docs/runtime.md;
//! - [`values`], [`time`]: conditions and time-zone arithmetic.

pub mod engine;
pub mod model;
pub mod program;
pub mod store;
pub mod time;
pub mod values;

pub use engine::{Engine, RunError};
pub use model::{parse_events, parse_records, write_state, InputError, InputEvent, Record};
pub use program::{load, PlanError, Program};
pub use store::{Collect, Count, HistorySink, JsonLines, MemStore, Simulated, VirtualClock};

use chrono::{DateTime, TimeZone, Utc};

use crate::schema::Environment;

/// The default start of a run without `--start` or events.
pub fn default_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// What a run needs besides the plans.
pub struct RunInput {
    pub records: Vec<Record>,
    pub events: Vec<InputEvent>,
    /// Default: the earliest event, else 2026-01-01T00:00:00Z.
    pub start: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Run validated plans in memory; history goes to `history`. Returns the
/// final records (in store order: input order, then created ones).
pub fn run(
    programs: &[Program],
    env: &Environment,
    input: RunInput,
    history: &mut dyn HistorySink,
) -> Result<Vec<Record>, RunError> {
    let start = input
        .start
        .or_else(|| input.events.iter().map(|e| e.at).min())
        .unwrap_or_else(default_start);
    if let Some(until) = input.until {
        if until < start {
            return Err(RunError::Usage(format!(
                "--until ({}) is before the start ({})",
                model::format_time(until),
                model::format_time(start)
            )));
        }
    }
    let store = MemStore::new(input.records);
    let mut engine = Engine::new(
        programs,
        env,
        store,
        Box::new(VirtualClock::new(start)),
        Box::new(Simulated::default()),
        history,
    );
    engine.run(input.events, input.until)?;
    Ok(engine.store.into_records())
}
