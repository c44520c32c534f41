//! Completion in each context, and on half-typed text.

use serde_json::json;

use super::*;

/// Half-typed edits keep every feature answering.
#[test]
fn half_typed_text_is_served() {
    let mut s = Server::start();
    let uri = "file:///tmp/wfc-lsp-test-half/h.wf";
    s.initialize();
    s.open(uri, "");
    let _ = s.diagnostics(uri);
    let mut text = String::new();
    for (n, ch) in "workflow \"A é\" for contact {\n  if x { goto \n"
        .chars()
        .enumerate()
    {
        text.push(ch);
        s.change(uri, n as i64 + 2, &text);
    }
    let last = text.lines().count() as u32 - 1;
    for method in [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/definition",
    ] {
        for c in [0, 3, 100] {
            let r = s.request(method, doc_pos(uri, last, c));
            assert!(r.get("error").is_none(), "{method}: {r}");
        }
    }
    let sy = s.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(sy[0]["name"], "A é", "{sy}");
    // Diagnostics are published for the last version of the burst.
    let last_version = text.chars().count() as i64 + 1;
    s.wait_for(|v| {
        v["method"] == "textDocument/publishDiagnostics" && v["params"]["version"] == last_version
    });
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// Completion in each context: paths (properties and `object.` prefixes),
/// `{{ }}` tokens, enumeration options after `is`/`=`/`in`, resources from
/// `wf.toml` (lists, emails, teams).
#[test]
fn completion_in_each_context() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("wf.toml"),
        "[account]\nmarketing = \"enterprise\"\n\n[resources]\nlists = [\"Hot leads\", \"Cold leads\"]\nemails = [\"Welcome #1\"]\nteams = [\"Sales NL\"]\n",
    )
    .expect("write");
    let uri = write(dir.path(), "c.wf", "");
    let mut s = Server::start();
    s.initialize();
    let mut version = 1;
    let mut at = |s: &mut Server, text: &str, needle: &str, shift: usize| {
        version += 1;
        s.change(&uri, version, text);
        completion_labels(s, &uri, text, needle, shift)
    };
    s.open(&uri, "");
    let wf = |body: &str| format!("workflow \"C 😀\" for contact {{\n{body}\n}}\n");

    // Properties and associated object prefixes after `set`.
    let t = wf("  set ");
    let items = at(&mut s, &t, "set ", 4);
    has_all(&items, &["firstname", "lifecyclestage", "company."]);
    // An associated type's properties after `company.`.
    let t = wf("  set company.");
    let items = at(&mut s, &t, "company.", 8);
    has_all(&items, &["industry", "city"]);
    assert!(!items.iter().any(|i| i == "firstname"), "{items:?}");
    // In a condition.
    let t = wf("  if hub {\n    delay 1d\n  }");
    let items = at(&mut s, &t, "hub", 3);
    has_all(&items, &["hubspotscore"]);
    // `{{ }}` tokens in strings.
    let t = wf("  send internal email to owner subject \"Hi 😀 {{ \" body \"x\"");
    let items = at(&mut s, &t, "{{ ", 3);
    has_all(&items, &["firstname", "company."]);
    let t = wf("  send internal email to owner subject \"Hi {{ company.\" body \"x\"");
    let items = at(&mut s, &t, "{{ company.", 11);
    has_all(&items, &["industry"]);
    // Enumeration options after `is`, `=` and `in [`.
    let t = wf("  enroll when lifecyclestage is ");
    let items = at(&mut s, &t, "is ", 3);
    has_all(&items, &["lead", "customer"]);
    let t = wf("  set lifecyclestage = ");
    let items = at(&mut s, &t, "= ", 2);
    has_all(&items, &["lead", "customer"]);
    let t = wf("  if hs_lead_status in [");
    let items = at(&mut s, &t, "in [", 4);
    has_all(&items, &["OPEN", "IN_PROGRESS"]);
    // Resources from wf.toml.
    let t = wf("  add to list \"");
    let items = at(&mut s, &t, "list \"", 6);
    assert_eq!(items, ["Hot leads", "Cold leads"]);
    let t = wf("  send email ");
    let items = at(&mut s, &t, "email ", 6);
    assert_eq!(items, ["Welcome #1"]);
    let t = wf("  send internal email to team ");
    let items = at(&mut s, &t, "team ", 5);
    assert_eq!(items, ["Sales NL"]);
    // Step keywords, part-way through a multi-word one.
    let t = wf("  add to l");
    let items = at(&mut s, &t, "to l", 4);
    assert_eq!(items, ["add to list"]);
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}
