//! Start, shutdown, exit and malformed input.

use serde_json::{json, Value};

use super::*;

#[test]
fn lifecycle_errors_and_clean_exit() {
    let mut s = Server::start();
    let early = s.request("textDocument/hover", doc_pos("file:///x.wf", 0, 0));
    assert_eq!(early["error"]["code"], -32002, "{early}");

    let init = s.initialize();
    let caps = &init["capabilities"];
    assert_eq!(caps["textDocumentSync"]["change"], 1, "{caps}");
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["definitionProvider"], true);
    assert_eq!(caps["referencesProvider"], true);
    assert_eq!(caps["documentSymbolProvider"], true);
    assert!(caps["completionProvider"].is_object());
    assert_eq!(init["serverInfo"]["name"], "wfc");

    let unknown = s.request("textDocument/frobnicate", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    s.notify("$/unknownNotification", json!({"x": 1}));
    let again = s.request("initialize", json!({"capabilities": {}}));
    assert_eq!(again["error"]["code"], -32600, "{again}");

    let status = s.shutdown_and_exit();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn malformed_messages_do_not_bring_the_server_down() {
    let mut s = Server::start();
    s.initialize();
    // Not JSON at all.
    s.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let e = s.wait_for(|v| v.get("error").is_some() && v["id"].is_null());
    assert_eq!(e["error"]["code"], -32700, "{e}");
    // JSON, but not a JSON-RPC message: answered with its id.
    s.send(&json!({"jsonrpc": "2.0", "id": 99, "method": 5}));
    let e = s.wait_for(|v| v["id"] == 99);
    assert_eq!(e["error"]["code"], -32600, "{e}");
    // A frame without Content-Length.
    s.send_raw(b"Content-Type: nonsense\r\n\r\n");
    let e = s.wait_for(|v| v.get("error").is_some() && v["id"].is_null());
    assert_eq!(e["error"]["code"], -32700, "{e}");
    // A request whose params do not fit.
    let e = s.request("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(e["error"]["code"], -32602, "{e}");
    // Notifications with bad params and for unknown documents are ignored.
    s.notify("textDocument/didOpen", json!({"textDocument": {"uri": 12}}));
    s.change("file:///never/opened.wf", 2, "x");
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": "file:///never/opened.wf"}}),
    );
    // Requests on unknown documents answer null.
    let r = s.result(
        "textDocument/hover",
        doc_pos("file:///never/opened.wf", 0, 0),
    );
    assert!(r.is_null());
    // Still alive and working.
    let uri = "file:///tmp/wfc-lsp-test-alive/a.wf";
    s.open(uri, NURTURE);
    assert!(s.diagnostics(uri).is_empty());
    let (l, c) = find(NURTURE, "goto notify", 6);
    let r = s.result("textDocument/definition", doc_pos(uri, l, c));
    assert_eq!(r.as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let mut s = Server::start();
    s.initialize();
    s.notify("exit", Value::Null);
    assert_eq!(s.wait_exit().code(), Some(1));
}

#[test]
fn closing_stdin_ends_the_server() {
    let mut s = Server::start();
    s.initialize();
    s.stdin = None; // EOF
    assert_eq!(s.wait_exit().code(), Some(1));
}
