//! End-to-end tests of `wfc lsp`: spawn the binary and speak JSON-RPC over
//! its stdin/stdout, as an editor does. Every read has a timeout, so a hung
//! server fails the test instead of hanging CI.
//!
//! One test binary: this file holds the client (`Server`) and helpers, the
//! modules the tests by feature.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod actions;
mod completion;
mod diagnostics;
mod edits;
mod hover;
mod lifecycle;
mod navigation;
mod projects;

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

/// `target.wf` of [`onboarding_project`].
const ONBOARDING: &str = "workflow \"Onboarding\" for contact {\n  delay 1d\n}\n";
/// `caller.wf` of [`onboarding_project`]: it enrolls in "Onboarding".
const CALLER: &str = "workflow \"Caller\" for contact {\n  enroll in \"Onboarding\"\n}\n";

/// A `wf.toml` project on disk of two files, `target.wf` ([`ONBOARDING`])
/// and `caller.wf` ([`CALLER`]): the folder (kept alive by the caller) and
/// the URIs of both files.
fn onboarding_project() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("wf.toml"),
        "[account]\nmarketing = \"enterprise\"\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("target.wf"), ONBOARDING).expect("write");
    std::fs::write(dir.path().join("caller.wf"), CALLER).expect("write");
    let t = file_uri(&dir.path().join("target.wf"));
    let c = file_uri(&dir.path().join("caller.wf"));
    (dir, t, c)
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

/// A JSON diagnostic's 1-based character column → 0-based UTF-16 column.
fn utf16_col(text: &str, line: u64, column: u64) -> u64 {
    let line_text = text.lines().nth(line as usize - 1).unwrap_or("");
    line_text
        .chars()
        .take(column as usize - 1)
        .map(|c| c.len_utf16() as u64)
        .sum()
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
