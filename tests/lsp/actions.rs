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

/// `text` with LSP `edits` applied as a client applies them: positions are
/// UTF-16 code units; a position inside a surrogate pair or past the end
/// of its line fails the test.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().expect("line") as usize;
        let col = p["character"].as_u64().expect("character") as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let this = text[start..].split('\n').next().unwrap_or("");
        let mut units = 0;
        for (i, c) in this.char_indices() {
            if units == col {
                return start + i;
            }
            units += c.len_utf16();
            assert!(units <= col, "{p} splits a character");
        }
        assert_eq!(units, col, "{p} is past the end of its line");
        start + this.len()
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().expect("newText"),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn quick_fix_after_non_bmp_characters_on_its_line() {
    let mut s = Server::start();
    let uri = "file:///tmp/wfc-lsp-test-actions/utf16.wf";
    // Before `open` on its line: `é` (2 bytes, 1 UTF-16 unit) and `😀`
    // (4 bytes, 2 units, 1 char): a column counted in bytes or in chars
    // lands elsewhere. The second fix follows a `😀` on its line too.
    let text = "workflow \"A\" for contact {\n  if firstname is \"é😀\" and hs_lead_status is \"open\" {\n    set lastname = \"😀\"\n  }\n  set lastnam = \"😀😀\" # 😀\n}\n";
    s.initialize();
    s.open(uri, text);
    let diags = s.diagnostics(uri);
    assert_eq!(diags.len(), 2, "{diags:?}");
    let (line, col) = find(text, "open\"", 0);
    assert_eq!(diags[0]["range"]["start"], pos(line, col - 1));

    // Asked at the cursor, inside `open` (a client sends the cursor's
    // position as an empty range).
    let at = pos(line, col + 2);
    let fixes = s.result(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": at, "end": at},
            "context": {"diagnostics": [], "only": ["quickfix"]},
        }),
    );
    let fixes = fixes.as_array().cloned().unwrap_or_default();
    assert_eq!(fixes.len(), 1, "{fixes:?}");
    assert_eq!(fixes[0]["isPreferred"], true);
    let edits = fixes[0]["edit"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(edits[0]["range"]["start"], pos(line, col));
    assert_eq!(edits[0]["range"]["end"], pos(line, col + 4));
    let fixed = apply_edits(text, &edits);
    assert_eq!(fixed, text.replace("\"open\"", "\"OPEN\""));

    // Every safe fix at once, applied the same way; the result is clean.
    let all = actions(&mut s, uri, 0, Some(&["source.fixAll"]));
    assert_eq!(all.len(), 1, "{all:?}");
    let edits = all[0]["edit"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let fixed = apply_edits(text, &edits);
    assert_eq!(
        fixed,
        text.replace("\"open\"", "\"OPEN\"")
            .replace("set lastnam =", "set lastname =")
    );
    s.change(uri, 2, &fixed);
    assert_eq!(s.diagnostics(uri), Vec::<Value>::new());
}
