//! `textDocument/codeAction`: quick fixes from the diagnostics' fixes and
//! `source.fixAll.wfc`, with UTF-16 positions.

use serde_json::{json, Value};

use super::*;

fn actions(s: &mut Server, uri: &str, line: u32, only: Option<&[&str]>) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let r = s.result(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": pos(line, 0), "end": pos(line, 40)},
            "context": context,
        }),
    );
    r.as_array().cloned().unwrap_or_default()
}

#[test]
fn quick_fixes_and_fix_all() {
    let mut s = Server::start();
    let uri = "file:///tmp/wfc-lsp-test-actions/a.wf";
    // Positions are UTF-16 (convert.rs); the text before each fix is ASCII.
    let text = "workflow \"A\" for contact {\n  set firstname = \"é😀\"\n  set lastname = \"x\"\n  set firstnam = \"y\"\n  set hs_lead_status = \"open\"\n}\n";
    s.initialize();
    s.open(uri, text);
    let _ = s.diagnostics(uri);

    let fixes = actions(&mut s, uri, 3, Some(&["quickfix"]));
    assert_eq!(fixes.len(), 1, "{fixes:?}");
    let a = &fixes[0];
    assert_eq!(a["kind"], "quickfix");
    assert_eq!(a["title"], "replace `firstnam` with `firstname`");
    assert_eq!(a["isPreferred"], true);
    let edit = &a["edit"]["changes"][uri][0];
    assert_eq!(edit["newText"], "firstname");
    assert_eq!(edit["range"]["start"], pos(3, 6));
    assert_eq!(edit["range"]["end"], pos(3, 14));

    let all = actions(&mut s, uri, 0, Some(&["source.fixAll"]));
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["kind"], "source.fixAll.wfc");
    let edits = all[0]["edit"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let texts: Vec<&str> = edits.iter().filter_map(|e| e["newText"].as_str()).collect();
    assert_eq!(texts, ["firstname", "OPEN"]);
    // Inside the quotes: the quotes stay.
    assert_eq!(edits[1]["range"]["start"], pos(4, 24));

    // A line without a problem: no quick fix.
    assert!(actions(&mut s, uri, 1, Some(&["quickfix"])).is_empty());
}
