//! Arbitrary text → the fast parser and the reference pest path
//! (`wfc::syntax::parse_with_pest`). They must agree exactly: same AST,
//! spans included, and same diagnostics. The fast parser gives up on
//! anything it does not accept, so every divergence is a bug in it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wfc::source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::new();
    let id = sources.add("fuzz.wf", text);
    let fast = wfc::syntax::parse(&sources, id);
    let pest = wfc::syntax::parse_with_pest(&sources, id);
    assert_eq!(fast.0, pest.0, "ASTs differ on {text:?}");
    assert_eq!(fast.1, pest.1, "diagnostics differ on {text:?}");
});
