//! Fast-path tests: it accepts valid programs and gives up where pest reports.

use super::*;

/// The fast path takes every chunk of valid programs (falling back to
/// pest is correct but slow, so it must stay the exception).
#[test]
fn accepts_every_chunk_of_valid_programs() {
    let mut texts = vec![wfc_dev::corpus::generate(11, 300_000)];
    // the regression cases of tests/parse_differential.rs (so that
    // comparing them there compares the fast path, not pest with itself)
    for t in [
        "workflow \"\" for contact {}\n\nworkflow \"\" for contact centered on 1000-01-01 {}\n",
        "workflow \"W\" for contact {\n  if a is \"\" or b is \"\" {}\n  goal a is 1 or b is 2   # c\n}\n",
        "workflow \"W\" for contact {\n  enroll when a is 1 \t\n  if (a is 1 or b is 2 ) { }\n}\n",
        "workflow \"W\" for contact {\n  copy a to b  # c\n  create task \"t\" due 2d  \n  if a is 1 { } \n}\n",
    ] {
        texts.push(t.to_string());
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for e in std::fs::read_dir(root).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "wf") {
            texts.push(std::fs::read_to_string(e.path()).unwrap());
        }
    }
    for text in &texts {
        let scanned = super::super::scan::scan(text);
        assert!(!scanned.chunks.is_empty());
        for c in &scanned.chunks {
            let src = &text[c.start..c.end];
            assert!(
                parse_chunk(0, c.start, src).is_some(),
                "fast path refused:\n{src}"
            );
        }
    }
}

#[test]
fn gives_up_on_what_pest_reports() {
    let refused = [
        "workflow \"A\" for contact {\n  set x = \"a\\q\"\n}\n",
        "workflow \"A\" for contact {\n  set x = \"{{ a b }}\"\n}\n",
        "workflow \"A\" for contact {\n  l: if x is 1 { }\n}\n",
        "workflow \"A\" for contact {\n  if x is 1 {\n    reenroll\n  }\n}\n",
        "workflow \"A\" for contact {\n  opt in \"N\" basis nope\n}\n",
        "workflow \"A\" for contact {\n  set x = \n}\n",
        "workflow \"A\" for contact {\n",
    ];
    for text in refused {
        assert!(parse_chunk(0, 0, text).is_none(), "{text}");
    }
    let deep = format!(
        "workflow \"A\" for contact {{\n  goal {}x is 1{}\n}}\n",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert!(parse_chunk(0, 0, &deep).is_none());
    let ok = format!(
        "workflow \"A\" for contact {{\n  goal {}x is 1{}\n}}\n",
        "(".repeat(50),
        ")".repeat(50)
    );
    assert!(parse_chunk(0, 0, &ok).is_some());
}
