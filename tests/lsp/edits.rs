//! Formatting, rename and semantic tokens through the real binary.

use serde_json::{json, Value};

use super::*;

/// Apply LSP text edits (whole-text replacement ranges, UTF-16 columns) to `text`.
fn apply(text: &str, edits: &Value) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap_or(0) as usize;
        let ch = p["character"].as_u64().unwrap_or(0) as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let rest = &text[start..];
        let mut units = 0;
        for (i, c) in rest.char_indices() {
            if units >= ch || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut list: Vec<&Value> = edits
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    list.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_string();
    for e in list {
        let (a, b) = (offset(&e["range"]["start"]), offset(&e["range"]["end"]));
        out.replace_range(a..b, e["newText"].as_str().unwrap_or(""));
    }
    out
}

#[test]
fn formatting_gives_wfc_fmt_output_and_nothing_on_syntax_errors() {
    let mut s = Server::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "workflow \"A\"   for contact {\n      delay   1d\n\n\n  set lifecyclestage = \"lead\" # why\n}\n";
    let path = dir.path().join("a.wf");
    std::fs::write(&path, text).expect("write");
    let fmt = std::process::Command::new(env!("CARGO_BIN_EXE_wfc"))
        .arg("fmt")
        .arg(&path)
        .output()
        .expect("wfc fmt");
    assert!(fmt.status.success(), "{fmt:?}");
    let expected = std::fs::read_to_string(&path).expect("read");
    assert_ne!(expected, text, "the sample must need formatting");
    let uri = "untitled:fmt.wf";
    s.initialize();
    s.open(uri, text);
    let edits = s.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(apply(text, &edits), expected, "{edits}");
    // Already formatted: no edits.
    s.change(uri, 2, &expected);
    let edits = s.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]));
    // A syntax error: no edits (the text is left alone, as `wfc fmt` does).
    s.change(uri, 3, "workflow \"A\" for contact {\n  delay\n");
    let edits = s.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]));
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

#[test]
fn range_formatting_changes_only_the_lines_it_touches() {
    let mut s = Server::start();
    let uri = "untitled:range.wf";
    // Two places need formatting: line 1 and line 6.
    let text = "workflow \"A\" for contact {\n      delay   1d\n  delay 2d\n}\n\nworkflow \"B\" for contact {\n      delay 3d\n}\n";
    let caps = s.initialize();
    assert_eq!(
        caps["capabilities"]["documentRangeFormattingProvider"], true,
        "{caps}"
    );
    s.open(uri, text);
    let options = json!({"tabSize": 2, "insertSpaces": true});
    let full = s.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": options}),
    );
    let formatted = apply(text, &full);
    let a_fixed = text.replace("      delay   1d", "  delay 1d");
    let b_fixed = text.replace("      delay 3d", "  delay 3d");
    assert_eq!(
        formatted,
        a_fixed.replace("      delay 3d", "  delay 3d"),
        "the sample needs exactly these two changes"
    );
    let range = |s: &mut Server, start: Value, end: Value| {
        s.result(
            "textDocument/rangeFormatting",
            json!({"textDocument": {"uri": uri}, "range": {"start": start, "end": end}, "options": options}),
        )
    };
    // A selection of line 6 only.
    let edits = range(&mut s, pos(6, 0), pos(7, 0));
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{edits}");
    assert_eq!(apply(text, &edits), b_fixed);
    // A bare cursor inside line 1.
    let edits = range(&mut s, pos(1, 3), pos(1, 3));
    assert_eq!(apply(text, &edits), a_fixed);
    // Line 2 is formatted already and touches no changed line.
    assert_eq!(range(&mut s, pos(2, 0), pos(2, 10)), json!([]));
    // The whole text: the same result as formatting the document.
    assert_eq!(apply(text, &range(&mut s, pos(0, 0), pos(8, 0))), formatted);
    // A syntax error: no edits, as for whole-document formatting.
    s.change(uri, 2, "workflow \"A\" for contact {\n      delay\n");
    assert_eq!(range(&mut s, pos(0, 0), pos(2, 0)), json!([]));
}

#[test]
fn rename_workflow_across_an_open_file_and_one_on_disk() {
    let mut s = Server::start();
    let (_dir, t, c) = onboarding_project();
    let (target, caller) = (ONBOARDING, CALLER);
    s.initialize();
    s.open(&t, target);
    // prepareRename: the name inside the quotes.
    let r = s.result("textDocument/prepareRename", doc_pos(&t, 0, 12));
    assert_eq!(r["placeholder"], "Onboarding", "{r}");
    assert_eq!(r["range"]["start"], pos(0, 10));
    assert_eq!(r["range"]["end"], pos(0, 20));
    let r = s.result(
        "textDocument/rename",
        json!({"textDocument": {"uri": t}, "position": pos(0, 12), "newName": "Welcome \"new\""}),
    );
    let changes = &r["changes"];
    assert_eq!(
        apply(target, &changes[t.as_str()]),
        target.replace("\"Onboarding\"", "\"Welcome \\\"new\\\"\""),
        "{r}"
    );
    assert_eq!(
        apply(caller, &changes[c.as_str()]),
        caller.replace("\"Onboarding\"", "\"Welcome \\\"new\\\"\""),
        "{r}"
    );
    // A name another workflow has: an error response.
    let r = s.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": t}, "position": pos(0, 12), "newName": "Caller"}),
    );
    let msg = r["error"]["message"].as_str().unwrap_or("");
    assert!(msg.contains("already exists"), "{r}");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

#[test]
fn rename_label_and_reject_bad_names() {
    let mut s = Server::start();
    let uri = "untitled:labels.wf";
    let text =
        "workflow \"A\" for contact {\n  start: delay 1d\n  other: delay 2d\n  goto start\n}\n";
    s.initialize();
    s.open(uri, text);
    let (l, c) = find(text, "goto start", 6);
    let r = s.result(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": pos(l, c), "newName": "begin"}),
    );
    assert_eq!(
        apply(text, &r["changes"][uri]),
        text.replace("start", "begin"),
        "{r}"
    );
    for bad in ["other", "1x", "a b"] {
        let r = s.request(
            "textDocument/rename",
            json!({"textDocument": {"uri": uri}, "position": pos(l, c), "newName": bad}),
        );
        assert!(r["error"]["message"].is_string(), "{bad}: {r}");
    }
    // prepareRename on a keyword: an error response.
    let r = s.request("textDocument/prepareRename", doc_pos(uri, 1, 10));
    assert!(
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("only a label or a workflow name")),
        "{r}"
    );
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

#[test]
fn semantic_tokens_and_server_info() {
    let mut s = Server::start();
    let init = s.initialize();
    assert_eq!(init["serverInfo"]["name"], "wfc");
    assert_eq!(init["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    let legend: Vec<String> = init["capabilities"]["semanticTokensProvider"]["legend"]
        ["tokenTypes"]
        .as_array()
        .expect("legend")
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let uri = "untitled:tokens.wf";
    let text = "# note\nworkflow \"A\" for contact {\n  hi: delay 2d\n  goto hi\n}\n";
    s.open(uri, text);
    let r = s.result(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    let data: Vec<u64> = r["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    assert_eq!(data.len() % 5, 0);
    let (mut line, mut col) = (0, 0);
    let mut decoded = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            col = 0;
        }
        line += t[0];
        col += t[1];
        decoded.push((line, col, t[2], legend[t[3] as usize].clone()));
    }
    for want in [
        (0, 0, 6, "comment"),
        (1, 0, 8, "keyword"),
        (1, 9, 3, "function"),
        (1, 17, 7, "type"),
        (2, 2, 2, "variable"),
        (2, 6, 5, "keyword"),
        (2, 12, 2, "number"),
        (3, 2, 4, "keyword"),
        (3, 7, 2, "variable"),
    ] {
        let want = (want.0, want.1, want.2, want.3.to_string());
        assert!(decoded.contains(&want), "{want:?} not in {decoded:?}");
    }
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}
