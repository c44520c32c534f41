//! Arbitrary bytes → the runtime's plan loader, the way `wfc run` reads a
//! plan file: JSON (one plan or an array), then `wfc::runtime::load`, which
//! validates node references and values. Must return Ok or Err, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wfc::plan::Plan;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let items = match value {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    let mut plans = Vec::new();
    for v in items {
        match serde_json::from_value::<Plan>(v) {
            Ok(p) => plans.push(p),
            Err(_) => return,
        }
    }
    let _ = wfc::runtime::load(plans);
});
