//! Definition, references and document symbols, across files.

use serde_json::json;

use super::*;

/// Renaming a workflow in one open file changes what `enroll in` in another
/// file of the project resolves to (navigation across files).
#[test]
fn workflows_resolve_across_project_files() {
    let mut s = Server::start();
    let (_dir, t, c) = onboarding_project();
    let (target, caller) = (ONBOARDING, CALLER);
    s.initialize();
    s.open(&c, caller);
    let (l, ch) = find(caller, "Onboarding", 2);
    let r = s.result("textDocument/definition", doc_pos(&c, l, ch));
    assert_eq!(r[0]["uri"], t.as_str(), "{r}");
    assert_eq!(r[0]["range"]["start"], pos(0, 9));
    // Hover names the object type and the file.
    let h = s.result("textDocument/hover", doc_pos(&c, l, ch));
    let text = h["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.contains("for `contact`") && text.contains("target.wf"),
        "{text}"
    );
    // References from the definition find the caller on disk.
    s.open(&t, target);
    let r = s.result(
        "textDocument/references",
        json!({"textDocument": {"uri": t}, "position": pos(0, 12), "context": {"includeDeclaration": false}}),
    );
    assert_eq!(r.as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(r[0]["uri"], c.as_str());
    // Rename it in the open buffer: the caller's target is gone.
    s.change(&t, 2, &target.replace("Onboarding", "Welcome"));
    let r = s.result("textDocument/definition", doc_pos(&c, l, ch));
    assert!(r.is_null(), "{r}");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

#[test]
fn hover_completion_definition_references_symbols() {
    let mut s = Server::start();
    let uri = "file:///tmp/wfc-lsp-test-features/nurture.wf";
    s.initialize();
    s.open(uri, NURTURE);

    // Hover on an action keyword.
    let (l, c) = find(NURTURE, "send internal email", 6);
    let h = s.result("textDocument/hover", doc_pos(uri, l, c));
    let text = h["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.contains("send internal email") && text.contains("object types: all"),
        "{text}"
    );
    assert_eq!(
        h["range"]["start"],
        pos(l, find(NURTURE, "send internal email", 0).1)
    );
    // Hover on a label in `goto`: the labelled step.
    let (l, c) = find(NURTURE, "goto notify", 7);
    let h = s.result("textDocument/hover", doc_pos(uri, l, c));
    let text = h["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.contains("notify: send internal email to owner"),
        "{text}"
    );
    assert!(text.contains("line 4"), "{text}");
    // Hover on a workflow name in `enroll in` (non-ASCII name).
    let (l, c) = find(NURTURE, "\"Onboarding 😀\"\n}", 12);
    let h = s.result("textDocument/hover", doc_pos(uri, l, c));
    let text = h["contents"]["value"].as_str().unwrap_or("");
    assert!(
        text.contains("for `contact`") && text.contains("`nurture.wf` line 11"),
        "{text}"
    );

    // Definition of the label from `goto`.
    let (l, c) = find(NURTURE, "goto notify", 6);
    let r = s.result("textDocument/definition", doc_pos(uri, l, c));
    let (dl, dc) = find(NURTURE, "notify:", 0);
    assert_eq!(r[0]["range"]["start"], pos(dl, dc), "{r}");
    assert_eq!(r[0]["range"]["end"], pos(dl, dc + 6), "{r}");
    // Definition of a workflow with an emoji in its name: UTF-16 range.
    let (l, c) = find(NURTURE, "\"Onboarding 😀\"\n}", 13);
    let r = s.result("textDocument/definition", doc_pos(uri, l, c));
    let (wl, _) = find(NURTURE, "workflow \"Onboarding", 0);
    // `workflow ` is 9 units; `"Onboarding 😀"` is 1 + 11 + 2 + 1 = 15.
    assert_eq!(
        r[0]["range"],
        json!({"start": pos(wl, 9), "end": pos(wl, 24)}),
        "{r}"
    );
    // References of the label, with and without the declaration.
    let refs = |s: &mut Server, decl: bool| {
        s.result(
            "textDocument/references",
            json!({"textDocument": {"uri": uri}, "position": pos(dl, dc + 2), "context": {"includeDeclaration": decl}}),
        )
    };
    assert_eq!(refs(&mut s, true).as_array().map(Vec::len), Some(2));
    let r = refs(&mut s, false);
    assert_eq!(r.as_array().map(Vec::len), Some(1));
    assert_eq!(
        r[0]["range"]["start"],
        pos(find(NURTURE, "goto notify", 5).0, 9)
    );

    // Document symbols: workflows with their labels.
    let sy = s.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(sy.as_array().map(Vec::len), Some(2), "{sy}");
    assert_eq!(sy[0]["name"], "Lead nurture");
    assert_eq!(sy[0]["detail"], "for contact");
    assert_eq!(sy[0]["children"][0]["name"], "notify");
    assert_eq!(sy[1]["name"], "Onboarding 😀");

    // Completion: step keywords at the start of a new step.
    let edited = NURTURE.replace("  delay 1d\n", "  delay 1d\n  se\n");
    s.change(uri, 2, &edited);
    let (l, c) = find(&edited, "  se\n", 4);
    let items = labels(&s.result("textDocument/completion", doc_pos(uri, l, c)));
    for want in ["send email", "send internal email", "set", "delay", "goto"] {
        assert!(items.iter().any(|i| i == want), "{want} not in {items:?}");
    }
    // Settings only at a workflow's top level.
    assert!(items.iter().any(|i| i == "enroll when"), "{items:?}");
    // Labels after `goto`.
    let edited = NURTURE.replace("goto notify", "goto ");
    s.change(uri, 3, &edited);
    let (l, c) = find(&edited, "goto ", 5);
    let items = labels(&s.result("textDocument/completion", doc_pos(uri, l, c)));
    assert_eq!(items, vec!["notify".to_string()]);
    // Workflow names after `enroll in` (half-typed string).
    let edited = NURTURE.replace("enroll in \"Onboarding 😀\"", "enroll in \"Onb");
    s.change(uri, 4, &edited);
    let (l, c) = find(&edited, "\"Onb", 4);
    let r = s.result("textDocument/completion", doc_pos(uri, l, c));
    assert!(labels(&r).contains(&"Onboarding 😀".to_string()), "{r}");
    let item = r
        .as_array()
        .and_then(|a| a.iter().find(|i| i["label"] == "Onboarding 😀"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(item["textEdit"]["newText"], "Onboarding 😀\"", "{item}");
    assert_eq!(item["textEdit"]["range"]["start"], pos(l, c - 3));
    assert_eq!(item["detail"], "workflow for contact");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// A `test` item: its diagnostics come from the checker, and the workflow
/// it names (`for "..."`, `in "..."`) is a reference like `enroll in`.
#[test]
fn tests_name_their_workflow_for_navigation_and_diagnostics() {
    const TEXT: &str = "workflow \"Lead intake\" for contact {\n  enroll when lifecyclestage is \"lead\"\n}\n\ntest \"a lead\" for \"Lead intake\" {\n  contact c1 { lifecyclestge = \"lead\" }\n  expect c1 enrolled in \"Lead intake\"\n}\n";
    let mut s = Server::start();
    let uri = "file:///tmp/wfc-lsp-test-tests/intake.wf";
    s.initialize();
    s.open(uri, TEXT);
    // WF101 with a did-you-mean, on the test record's property
    let d = s.diagnostics(uri);
    assert_eq!(codes(&d), vec!["WF101"], "{d:?}");
    assert_eq!(d[0]["range"]["start"], pos(5, 15));
    // definition of the workflow under test
    let (l, c) = find(TEXT, "\"Lead intake\" {", 3);
    assert_eq!(l, 4);
    let r = s.result("textDocument/definition", doc_pos(uri, l, c));
    assert_eq!(r[0]["range"]["start"], pos(0, 9), "{r}");
    // references from the workflow's name: both names in the test
    let r = s.result(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": pos(0, 12), "context": {"includeDeclaration": false}}),
    );
    assert_eq!(r.as_array().map(Vec::len), Some(2), "{r}");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

#[test]
fn hover_on_the_workflow_a_test_names() {
    const TEXT: &str = "workflow \"Lead intake\" for contact {\n  enroll when lifecyclestage is \"lead\"\n}\n\ntest \"a lead\" for \"Lead intake\" {\n  contact c1 { lifecyclestage = \"lead\" }\n  expect c1 enrolled\n}\n";
    let mut s = Server::start();
    let uri = "file:///tmp/wfc-lsp-test-tests-hover/intake.wf";
    s.initialize();
    s.open(uri, TEXT);
    let (l, c) = find(TEXT, "\"Lead intake\" {", 3);
    let h = s.result("textDocument/hover", doc_pos(uri, l, c));
    let text = h["contents"]["value"].as_str().unwrap_or("");
    assert!(text.contains("for `contact`"), "{text}");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

#[test]
fn completes_the_workflow_a_test_is_for() {
    const TEXT: &str = "workflow \"Lead intake\" for contact {\n  enroll when lifecyclestage is \"lead\"\n}\n\ntest \"a lead\" for \n";
    let mut s = Server::start();
    let uri = "file:///tmp/wfc-lsp-test-tests-complete/intake.wf";
    s.initialize();
    s.open(uri, TEXT);
    let items = completion_labels(&mut s, uri, TEXT, "for \n", 4);
    has_all(&items, &["Lead intake"]);
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}
