//! Arbitrary bytes → the full pipeline (`wfc::compile`: UTF-8 check, parse,
//! check, codegen when error-free). It must never panic; every diagnostic
//! span must lie inside its file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wfc::SourceInput;

fuzz_target!(|data: &[u8]| {
    let c = wfc::compile(vec![SourceInput::new("fuzz.wf", data)], None);
    for d in &c.diagnostics {
        let span = d.primary.span;
        let text = c.sources.text(span.file);
        assert!(span.start <= span.end && span.end as usize <= text.len());
        // Rendering looks the position up: it must not panic either.
        let _ = c.sources.line_col(span.file, span.start as usize);
        let _ = c.sources.line_col(span.file, span.end as usize);
    }
    if !c.has_errors() {
        for plan in &c.plans {
            let _ = serde_json::to_string(plan);
        }
    }
});
