//! Arbitrary text → the parser. It must return (a file and diagnostics),
//! never panic or overflow the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wfc::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let id = sources.add("fuzz.wf", text);
    let (_file, diags) = wfc::syntax::parse(&sources, id);
    for d in &diags {
        // Every span must lie inside the file, on character boundaries.
        let span = d.primary.span;
        assert!(span.start <= span.end && span.end as usize <= text.len());
        assert!(text.is_char_boundary(span.start as usize));
        assert!(text.is_char_boundary(span.end as usize));
    }
});
