//! End-to-end tests of `wfc lsp`: spawn the binary and speak JSON-RPC over
//! its stdin/stdout, as an editor does. Every read has a timeout, so a hung
//! server fails the test instead of hanging CI.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(20);

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Messages received while waiting for something else.
    backlog: Vec<Value>,
    next_id: i64,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wfc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn wfc lsp");
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let Some(len) = len else { return };
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("server sent invalid JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            stdin,
            rx,
            backlog: Vec::new(),
            next_id: 1,
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, v: &Value) {
        let body = v.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{}", body.len(), body).as_bytes());
    }

    fn recv(&mut self) -> Value {
        match self.rx.recv_timeout(TIMEOUT) {
            Ok(v) => v,
            Err(RecvTimeoutError::Timeout) => {
                panic!("no message from the server within {TIMEOUT:?}")
            }
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// The next message satisfying `pred` (others are kept in the backlog).
    fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            assert!(Instant::now() < deadline, "timed out waiting for a message");
            let v = self.recv();
            if pred(&v) {
                return v;
            }
            self.backlog.push(v);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|v| v["id"] == json!(id) && v.get("method").is_none())
    }

    fn result(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn initialize(&mut self) -> Value {
        let r = self.result(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        r
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let v = self.wait_for(|v| {
            v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri
        });
        v["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "wf", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn shutdown_and_exit(mut self) -> ExitStatus {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null);
        assert!(r.get("error").is_none());
        self.notify("exit", Value::Null);
        self.wait_exit()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn file_uri(path: &Path) -> String {
    // Temporary folders are ASCII; keep it simple.
    format!("file://{}", path.display())
}

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn doc_pos(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": pos(line, character)})
}

/// (line, UTF-16 column) of the first occurrence of `needle` plus `shift` chars.
fn find(text: &str, needle: &str, shift: usize) -> (u32, u32) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in text"));
    let line_start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = text[..at].matches('\n').count() as u32;
    let col: usize = text[line_start..at].encode_utf16().count();
    let extra: usize = text[at..].chars().take(shift).map(char::len_utf16).sum();
    (line, (col + extra) as u32)
}

const NURTURE: &str = r#"workflow "Lead nurture" for contact {
  enroll when lifecyclestage is "lead"
  if hubspotscore >= 50 {
    notify: send internal email to owner subject "Hot lead" body "Call them"
  } else {
    goto notify
  }
  enroll in "Onboarding 😀"
}

workflow "Onboarding 😀" for contact {
  delay 1d
}
"#;

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

/// A wf.toml project: a file on disk that is not UTF-8 gives WF002 (at the
/// bad byte, after non-ASCII text); the open buffer overrides the disk; a
/// file that vanishes gets an empty list.
#[test]
fn project_diagnostics_follow_buffers_and_disk() {
    let mut s = Server::start();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("wf.toml"),
        "[account]\nmarketing = \"enterprise\"\nsales = \"enterprise\"\nservice = \"enterprise\"\n",
    )
    .expect("write");
    let good = "workflow \"Welcome\" for contact {\n  delay 1d\n}\n";
    std::fs::write(dir.path().join("a.wf"), good).expect("write");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    let bad_path = dir.path().join("sub").join("bad.wf");
    let mut bad = "# é😀 ".as_bytes().to_vec();
    bad.push(0xff);
    bad.extend_from_slice(b"\n");
    std::fs::write(&bad_path, &bad).expect("write");

    let a = file_uri(&dir.path().join("a.wf"));
    let b = file_uri(&bad_path);
    s.initialize();
    s.open(&a, good);
    assert!(s.diagnostics(&a).is_empty());
    let d = s.diagnostics(&b);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "WF002");
    assert_eq!(d[0]["severity"], 1);
    assert_eq!(d[0]["source"], "wfc");
    // `# é😀 ` is 6 UTF-16 units (é: 1, 😀: 2) but 9 bytes.
    assert_eq!(d[0]["range"]["start"], pos(0, 6), "{}", d[0]);
    assert!(d[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("help: save the file as UTF-8"));
    assert!(d[0]["codeDescription"]["href"]
        .as_str()
        .unwrap_or("")
        .ends_with("docs/codes/WF002.md"));

    // The buffer wins over the disk.
    s.open(
        &b,
        "# é😀 fixed\nworkflow \"Fixed\" for contact {\n  delay 1d\n}\n",
    );
    assert!(s.diagnostics(&b).is_empty());
    // Closed: the disk's text again.
    s.notify("textDocument/didClose", json!({"textDocument": {"uri": b}}));
    assert_eq!(s.diagnostics(&b).len(), 1);
    // Deleted from disk: cleared.
    std::fs::remove_file(&bad_path).expect("rm");
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": b, "type": 3}]}),
    );
    assert!(s.diagnostics(&b).is_empty());
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// Renaming a workflow in one open file changes what `enroll in` in another
/// file of the project resolves to (navigation across files).
#[test]
fn workflows_resolve_across_project_files() {
    let mut s = Server::start();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("wf.toml"),
        "[account]\nmarketing = \"enterprise\"\n",
    )
    .expect("write");
    let target = "workflow \"Onboarding\" for contact {\n  delay 1d\n}\n";
    let caller = "workflow \"Caller\" for contact {\n  enroll in \"Onboarding\"\n}\n";
    std::fs::write(dir.path().join("target.wf"), target).expect("write");
    std::fs::write(dir.path().join("caller.wf"), caller).expect("write");
    let t = file_uri(&dir.path().join("target.wf"));
    let c = file_uri(&dir.path().join("caller.wf"));
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

fn labels(r: &Value) -> Vec<String> {
    let items = r
        .as_array()
        .cloned()
        .or_else(|| r["items"].as_array().cloned())
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|i| i["label"].as_str().map(str::to_string))
        .collect()
}

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

impl Server {
    /// Answer a request (so every pending edit is checked and published),
    /// then the latest diagnostics published per URI since the last call.
    fn published(&mut self, any_uri: &str) -> std::collections::BTreeMap<String, Vec<Value>> {
        self.result(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": any_uri}}),
        );
        let mut out = std::collections::BTreeMap::new();
        let mut rest = Vec::new();
        for v in std::mem::take(&mut self.backlog) {
            if v["method"] == "textDocument/publishDiagnostics" {
                let uri = v["params"]["uri"].as_str().unwrap_or("").to_string();
                let diags = v["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                out.insert(uri, diags);
            } else {
                rest.push(v);
            }
        }
        self.backlog = rest;
        out
    }
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    file_uri(&p)
}

/// A checker error (WF101, after non-ASCII text on its line) is published
/// with its UTF-16 range and help, then cleared by the fix.
#[test]
fn checker_error_is_published_then_cleared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "workflow \"Wel😀come\" for contact {\n  if firstname is \"é😀\" and lastnme is known {\n    delay 1d\n  }\n}\n";
    let uri = write(dir.path(), "w.wf", text);
    let mut s = Server::start();
    s.initialize();
    s.open(&uri, text);
    let d = s.diagnostics(&uri);
    assert_eq!(codes(&d), ["WF101"], "{d:?}");
    let (l, c) = find(text, "lastnme", 0);
    // `  if firstname is "é😀" and ` is 27 chars but 28 UTF-16 units.
    assert_eq!(c, 28);
    assert_eq!(
        d[0]["range"],
        json!({"start": pos(l, c), "end": pos(l, c + 7)})
    );
    let msg = d[0]["message"].as_str().unwrap_or("");
    assert!(msg.contains("did you mean `lastname`?"), "{msg}");

    s.change(&uri, 2, &text.replace("lastnme", "lastname"));
    let v = s.wait_for(|v| {
        v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri.as_str()
    });
    assert_eq!(v["params"]["diagnostics"], json!([]), "{v}");
    assert_eq!(v["params"]["version"], 2);
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// Renaming a workflow in file A flags the `enroll in` of file B, whether B
/// is only on disk or open; renaming it back clears B.
#[test]
fn renaming_a_workflow_flags_enroll_in_in_another_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("wf.toml"),
        "[account]\nmarketing = \"enterprise\"\n",
    )
    .expect("write");
    let target = "workflow \"Onboarding\" for contact {\n  delay 1d\n}\n";
    let caller = "workflow \"Caller 😀\" for contact {\n  enroll in \"Onboarding\"\n}\n";
    let a = write(dir.path(), "a.wf", target);
    let b = write(dir.path(), "b.wf", caller);
    let mut s = Server::start();
    s.initialize();
    s.open(&a, target);
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "{p:?}");
    assert!(
        !p.contains_key(&b),
        "a clean closed file is not published: {p:?}"
    );

    // B on disk only.
    let renamed = target.replace("Onboarding", "Welcome");
    s.change(&a, 2, &renamed);
    let p = s.published(&a);
    let d = p.get(&b).cloned().unwrap_or_default();
    assert_eq!(codes(&d), ["WF103"], "{p:?}");
    let (l, c) = find(caller, "\"Onboarding\"", 0);
    assert_eq!(d[0]["range"]["start"], pos(l, c));
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Onboarding"),
        "{}",
        d[0]
    );
    s.change(&a, 3, target);
    let p = s.published(&a);
    assert_eq!(p.get(&b), Some(&vec![]), "cleared: {p:?}");

    // B open.
    s.open(&b, caller);
    s.change(&a, 4, &renamed);
    let p = s.published(&a);
    assert_eq!(codes(&p[&b]), ["WF103"], "{p:?}");
    s.change(&a, 5, target);
    let p = s.published(&a);
    assert_eq!(p.get(&b), Some(&vec![]), "{p:?}");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// Editing `wf.toml` (open buffer, then on disk) re-checks every file of
/// the project; a broken manifest gives WF010 on the manifest.
#[test]
fn editing_wf_toml_rechecks_the_project() {
    let dir = tempfile::tempdir().expect("tempdir");
    let toml = "[account]\nmarketing = \"enterprise\"\nsales = \"professional\"\n\n[resources]\nemails = [\"Welcome #1\"]\n";
    let m = write(dir.path(), "wf.toml", toml);
    let text = "workflow \"W\" for contact {\n  send email \"Welcome #1\"\n}\n";
    let a = write(dir.path(), "a.wf", text);
    let mut s = Server::start();
    s.initialize();
    s.open(&a, text);
    assert!(s.diagnostics(&a).is_empty());

    // Open the manifest and lower the tier: `send email` needs marketing professional.
    s.open(&m, toml);
    s.change(&m, 2, &toml.replace("enterprise", "starter"));
    let p = s.published(&a);
    assert_eq!(codes(&p[&a]), ["WF301"], "{p:?}");
    // Another email list: WF107 instead.
    s.change(&m, 3, &toml.replace("Welcome #1", "Welcome #2"));
    let p = s.published(&a);
    assert_eq!(codes(&p[&a]), ["WF107"], "{p:?}");
    // A half-typed manifest: WF010 on it, no cascade in the `.wf` file.
    s.change(&m, 4, "[account\n");
    let p = s.published(&a);
    assert_eq!(codes(&p[&m]), ["WF010"], "{p:?}");
    assert!(p.get(&a).is_none_or(Vec::is_empty), "{p:?}");
    s.change(&m, 5, toml);
    let p = s.published(&a);
    assert_eq!(p.get(&m), Some(&vec![]), "{p:?}");
    assert!(p.get(&a).is_none_or(Vec::is_empty), "{p:?}");
    s.notify("textDocument/didClose", json!({"textDocument": {"uri": m}}));

    // On disk, announced by a watched-files notification.
    std::fs::write(
        dir.path().join("wf.toml"),
        toml.replace("enterprise", "starter"),
    )
    .expect("write");
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": m, "type": 2}]}),
    );
    let p = s.published(&a);
    assert_eq!(codes(&p[&a]), ["WF301"], "{p:?}");
    // The manifest vanishes: the file is checked on its own (unrestricted).
    std::fs::remove_file(dir.path().join("wf.toml")).expect("rm");
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": m, "type": 3}]}),
    );
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "{p:?}");
    // And the open file vanishes too: still served.
    std::fs::remove_file(dir.path().join("a.wf")).expect("rm");
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": a, "type": 3}]}),
    );
    let (l, c) = find(text, "send email", 2);
    let h = s.result("textDocument/hover", doc_pos(&a, l, c));
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .contains("marketing professional"));
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// A JSON diagnostic's 1-based character column → 0-based UTF-16 column.
fn utf16_col(text: &str, line: u64, column: u64) -> u64 {
    let line_text = text.lines().nth(line as usize - 1).unwrap_or("");
    line_text
        .chars()
        .take(column as usize - 1)
        .map(|c| c.len_utf16() as u64)
        .sum()
}

/// What the server publishes for a project equals what `wfc check --format
/// json` reports on the same files: codes, severities, messages and help,
/// and positions (JSON: 1-based lines and Unicode-character columns; LSP:
/// 0-based lines and UTF-16 columns; non-ASCII text before the errors).
#[test]
fn published_diagnostics_equal_wfc_check_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        (
            "wf.toml",
            "[account]\nmarketing = \"starter\"\nsales = \"enterprise\"\n\n[resources]\nlists = [\"Hot leads\"]\n",
        ),
        (
            "a.wf",
            "workflow \"Ünïcode 😀\" for contact {\n  set firstname = \"😀😀\"\n  set jobtitel = \"é\"\n  add to list \"Cold 🧊 leads\"\n  send email \"Welcome\"\n  webhook post \"http://example.com/😀\"\n}\n",
        ),
        (
            "b.wf",
            "# 😀 comment\nworkflow \"Broken\" for contact {\n  set firstname = \"😀\" \"x\"\n}\nworkflow \"Deal 😀\" for deal {\n  if amount > 10 and dealstage is \"nope 😀\" {\n    delay 1d\n  } else {\n    goto nowhere\n  }\n}\n",
        ),
        (
            "c.wf",
            "workflow \"Caller\" for contact {\n  enroll in \"Ünïcode 😁\"\n  enroll in \"Deal 😀\"\n  delay until form \"Demo\" submitted\n  delay 1d\n}\n",
        ),
    ];
    let mut uris = std::collections::BTreeMap::new();
    for (name, text) in files {
        uris.insert(write(dir.path(), name, text), (name, text));
    }
    let text_of = |name: &str| {
        files
            .iter()
            .find(|f| f.0 == name)
            .map(|f| f.1)
            .unwrap_or("")
    };

    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(["check", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .expect("run wfc check");
    assert_eq!(out.status.code(), Some(1));
    let json: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json array");
    // (file, code, severity, start, end, message, help)
    type Row = (
        String,
        String,
        u64,
        (u64, u64),
        (u64, u64),
        String,
        Option<String>,
    );
    let mut want: Vec<Row> = json
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or("").to_string();
            let text = text_of(&file);
            let n = |k: &str| d[k].as_u64().unwrap_or(0);
            (
                file,
                d["code"].as_str().unwrap_or("").to_string(),
                if d["severity"] == "error" { 1 } else { 2 },
                (n("line") - 1, utf16_col(text, n("line"), n("column"))),
                (
                    n("end_line") - 1,
                    utf16_col(text, n("end_line"), n("end_column")),
                ),
                d["message"].as_str().unwrap_or("").to_string(),
                d["help"].as_str().map(str::to_string),
            )
        })
        .collect();
    want.sort();
    let got_codes: std::collections::BTreeSet<&str> = want.iter().map(|r| r.1.as_str()).collect();
    // The files exercise syntax, name, type, tier, resource and warning rules.
    for code in [
        "WF001", "WF101", "WF103", "WF104", "WF107", "WF301", "WF902", "WF903",
    ] {
        assert!(got_codes.contains(code), "{code} missing from {want:?}");
    }

    let mut s = Server::start();
    s.initialize();
    // Two files open (a.wf with its disk text), the rest only on disk.
    let a = file_uri(&dir.path().join("a.wf"));
    let b = file_uri(&dir.path().join("b.wf"));
    s.open(&a, text_of("a.wf"));
    s.open(&b, text_of("b.wf"));
    let published = s.published(&a);
    let mut got: Vec<Row> = Vec::new();
    for (uri, diags) in &published {
        let Some((name, _)) = uris.get(uri) else {
            panic!("published for an unknown file: {uri}");
        };
        for d in diags {
            let p = |k: &str| {
                (
                    d["range"][k]["line"].as_u64().unwrap_or(99),
                    d["range"][k]["character"].as_u64().unwrap_or(99),
                )
            };
            let full = d["message"].as_str().unwrap_or("");
            let message = full.split('\n').next().unwrap_or("").to_string();
            let help = full
                .lines()
                .find_map(|l| l.strip_prefix("help: "))
                .map(str::to_string);
            got.push((
                name.to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["severity"].as_u64().unwrap_or(0),
                p("start"),
                p("end"),
                message,
                help,
            ));
        }
    }
    got.sort();
    assert_eq!(got, want);
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

fn completion_labels(s: &mut Server, uri: &str, text: &str, at: &str, shift: usize) -> Vec<String> {
    let (l, c) = find(text, at, shift);
    labels(&s.result("textDocument/completion", doc_pos(uri, l, c)))
}

fn has_all(items: &[String], want: &[&str]) {
    for w in want {
        assert!(items.iter().any(|i| i == w), "{w} not in {items:?}");
    }
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

/// Hover on each kind: action keywords (facts from the checker's catalog),
/// properties, workflow names in `enroll in`, labels in `goto`.
#[test]
fn hover_on_each_kind() {
    let text = r#"workflow "Deals 😀" for deal {
  create slack channel "deals"
  set dealstage = "closedwon"
  if amount > 100 {
    big: delay until closedate
  } else {
    goto big
  }
}
workflow "Contacts" for contact {
  add to list "Hot"
  send email "Welcome"
  set company.industry = "ACCOUNTING"
  delay until form "Demo" submitted max 2d
  enroll in "Deals 😀"
}
"#;
    let mut s = Server::start();
    let uri = "file:///tmp/wfc-lsp-test-hover/h.wf";
    s.initialize();
    s.open(uri, text);
    let mut hover = |needle: &str, shift: usize| {
        let (l, c) = find(text, needle, shift);
        let h = s.result("textDocument/hover", doc_pos(uri, l, c));
        h["contents"]["value"].as_str().unwrap_or("").to_string()
    };
    let h = hover("create slack channel", 8);
    assert!(h.contains("object types: company, deal"), "{h}");
    assert!(h.contains("slack integration"), "{h}");
    let h = hover("add to list", 0);
    assert!(h.contains("object types: contact"), "{h}");
    assert!(h.contains("needs: marketing professional"), "{h}");
    let h = hover("set dealstage", 1);
    assert!(h.contains("deal: sales professional"), "{h}");
    // The parsed step picks the `delay until` form.
    let h = hover("delay until form", 1);
    assert!(h.contains("until the record has the event"), "{h}");
    // A property: its object, type and options.
    let h = hover("dealstage", 3);
    assert!(
        h.contains("property of `deal`") && h.contains("closedwon"),
        "{h}"
    );
    let h = hover("company.industry", 10);
    assert!(
        h.contains("property of `company`") && h.contains("ACCOUNTING"),
        "{h}"
    );
    // A workflow name in `enroll in`: object type and file.
    let h = hover("enroll in \"Deals", 12);
    assert!(
        h.contains("for `deal`") && h.contains("`h.wf` line 1"),
        "{h}"
    );
    // A label in `goto`: the labelled step.
    let h = hover("goto big", 6);
    assert!(
        h.contains("big: delay until closedate") && h.contains("line 5"),
        "{h}"
    );
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// A folder with its own `wf.toml` inside a project is a project of its
/// own, as for `wfc check`: the same workflow name in both is no WF106, and
/// each file is checked against its nearest manifest.
#[test]
fn a_nested_wf_toml_is_a_project_of_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "wf.toml",
        "[account]\nmarketing = \"enterprise\"\n",
    );
    let text = "workflow \"Same\" for contact {\n  send email \"Welcome\"\n}\n";
    let a = write(dir.path(), "a.wf", text);
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    let sub = dir.path().join("sub");
    write(
        &sub,
        "wf.toml",
        "[account]\nmarketing = \"starter\"\nsales = \"professional\"\n",
    );
    let b = write(&sub, "b.wf", text);

    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(["check", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .expect("run wfc check");
    let json: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json array");
    let cli: Vec<(String, String)> = json
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(cli, [("sub/b.wf".to_string(), "WF301".to_string())]);

    let mut s = Server::start();
    s.initialize();
    s.open(&a, text);
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "{p:?}");
    assert!(!p.contains_key(&b), "{p:?}");
    s.open(&b, text);
    let p = s.published(&b);
    assert_eq!(codes(&p[&b]), ["WF301"], "{p:?}");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}

/// A workspace folder with no `wf.toml`: its `.wf` files form one project,
/// as for `wfc check` run there with no path (`enroll in` resolves across
/// them; a nested folder with its own `wf.toml` is a project of its own; a
/// file outside the folder is checked alone). What is published equals
/// `wfc check --format json`; removing the folder (workspace folder change)
/// leaves its files on their own.
#[test]
fn a_workspace_folder_without_wf_toml_is_one_project() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("ws");
    let sub = root.join("sub");
    let out = tmp.path().join("out");
    for d in [&root, &sub, &out] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let a_text = "workflow \"A\" for contact {\n  delay 1d\n  enroll in \"B\"\n}\n";
    let b_text = "workflow \"B\" for contact {\n  delay 1d\n}\n";
    let a = write(&root, "a.wf", a_text);
    let b = write(&root, "b.wf", b_text);
    write(&sub, "wf.toml", "[account]\nmarketing = \"professional\"\n");
    // Same name as a.wf (no WF106: another project), B not there (WF103).
    let s_uri = write(&sub, "s.wf", a_text);
    // Outside the workspace folder: alone, B unknown.
    let x = write(&out, "x.wf", a_text);
    let root_uri = file_uri(&root);

    let mut s = Server::start();
    s.result(
        "initialize",
        json!({"processId": null, "rootUri": root_uri, "capabilities": {}}),
    );
    s.notify("initialized", json!({}));
    s.open(&a, a_text);
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "B is found in b.wf: {p:?}");
    assert!(!p.contains_key(&b), "a clean closed file: {p:?}");

    // Rename B in the open b.wf: a.wf (open) gets WF103, without an edit of its own.
    s.open(&b, b_text);
    let renamed = b_text.replace("\"B\"", "\"C\"");
    s.change(&b, 2, &renamed);
    let p = s.published(&b);
    assert_eq!(codes(&p[&a]), ["WF103"], "{p:?}");
    assert_eq!(p.get(&b), Some(&vec![]), "{p:?}");
    let (l, c) = find(a_text, "\"B\"", 0);
    assert_eq!(p[&a][0]["range"]["start"], pos(l, c));

    // The nested project and the outside file.
    s.open(&s_uri, a_text);
    s.open(&x, a_text);
    let p2 = s.published(&x);
    assert_eq!(codes(&p2[&s_uri]), ["WF103"], "{p2:?}");
    assert_eq!(codes(&p2[&x]), ["WF103"], "{p2:?}");

    // Parity with `wfc check --format json` in the folder (b.wf saved).
    std::fs::write(root.join("b.wf"), &renamed).expect("write");
    s.notify("textDocument/didSave", json!({"textDocument": {"uri": b}}));
    let mut state = p;
    state.extend(p2);
    state.extend(s.published(&a));
    let run = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(["check", "--format", "json"])
        .current_dir(&root)
        .output()
        .expect("run wfc check");
    assert_eq!(run.status.code(), Some(1));
    let json: Vec<Value> = serde_json::from_slice(&run.stdout).expect("json array");
    // (file, code, line, column, message); the texts are ASCII.
    let mut want: Vec<(String, String, u64, u64, String)> = json
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0).saturating_sub(1),
                d["column"].as_u64().unwrap_or(0).saturating_sub(1),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    want.sort();
    assert_eq!(
        want.iter().map(|w| w.0.as_str()).collect::<Vec<_>>(),
        ["a.wf", "sub/s.wf"],
        "{want:?}"
    );
    let names = [(&a, "a.wf"), (&b, "b.wf"), (&s_uri, "sub/s.wf")];
    let mut got: Vec<(String, String, u64, u64, String)> = Vec::new();
    for (uri, name) in names {
        for d in state.get(uri.as_str()).into_iter().flatten() {
            let full = d["message"].as_str().unwrap_or("");
            got.push((
                name.to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["range"]["start"]["line"].as_u64().unwrap_or(99),
                d["range"]["start"]["character"].as_u64().unwrap_or(99),
                full.split('\n').next().unwrap_or("").to_string(),
            ));
        }
    }
    got.sort();
    assert_eq!(got, want);

    // Undo the rename, then take the folder out of the workspace: a.wf is
    // then checked alone, where B is unknown; put it back: found again.
    s.change(&b, 3, b_text);
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "{p:?}");
    let folder = json!([{"uri": root_uri, "name": "ws"}]);
    s.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": folder}}),
    );
    let p = s.published(&a);
    assert_eq!(codes(&p[&a]), ["WF103"], "{p:?}");
    s.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": folder, "removed": []}}),
    );
    let p = s.published(&a);
    assert_eq!(p.get(&a), Some(&vec![]), "{p:?}");
    assert_eq!(s.shutdown_and_exit().code(), Some(0));
}
