//! Arbitrary text → `wfc::fmt`. For a file that parses: formatting succeeds,
//! the output parses to the same workflows (same names, same step count),
//! and formatting the output again changes nothing (idempotence).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(once) = wfc::fmt::format_source("fuzz.wf", text) else {
        return;
    };
    let twice = match wfc::fmt::format_source("fuzz.wf", &once) {
        Ok(t) => t,
        Err(diags) => panic!(
            "formatted output does not parse: {:?}\n--- input\n{text}\n--- formatted\n{once}",
            diags.first().map(|d| &d.message)
        ),
    };
    assert_eq!(once, twice, "fmt is not idempotent\n--- input\n{text}");
});
