//! The built-in standard schema of `shared/domain.md`.

use super::Schema;

/// The built-in standard schema. (To be completed by the checker work.)
pub fn schema() -> Schema {
    Schema::default()
}
