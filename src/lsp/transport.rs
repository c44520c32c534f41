//! JSON-RPC over stdio with `Content-Length` framing.
//!
//! `lsp_server::Connection::stdio()` ends its reader thread on the first
//! malformed message, which would take the server down; this reader answers
//! a malformed message with a JSON-RPC error and reads on.

use std::io::{self, BufRead, Read, Write};
use std::thread;

use lsp_server::{Connection, Message};
use serde_json::{json, Value};

/// Bodies larger than this are skipped (answered with an error), never
/// buffered.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

pub struct IoThreads {
    writer: thread::JoinHandle<()>,
}

impl IoThreads {
    /// Wait until every message sent before the connection was dropped has
    /// been written. (The reader is not joined: it may be blocked on stdin.)
    pub fn join_writer(self) {
        let _ = self.writer.join();
    }
}

/// A connection over this process's stdin/stdout.
pub fn stdio() -> (Connection, IoThreads) {
    let (server, client) = Connection::memory();
    let Connection { sender, receiver } = client;
    let writer = thread::spawn(move || {
        for msg in receiver {
            let out = io::stdout();
            let mut out = out.lock();
            if msg.write(&mut out).is_err() || out.flush().is_err() {
                break;
            }
        }
    });
    thread::spawn(move || {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        loop {
            match read_message(&mut input) {
                Ok(Some(Frame::Message(msg))) => {
                    let is_exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                    if sender.send(msg).is_err() || is_exit {
                        break;
                    }
                }
                Ok(Some(Frame::Bad { id, code, message })) => {
                    eprintln!("wfc lsp: {message}");
                    write_raw_error(id, code, &message);
                }
                Ok(None) | Err(_) => break,
            }
        }
    });
    (server, IoThreads { writer })
}

pub enum Frame {
    Message(Message),
    /// A frame that is not a JSON-RPC message: answer with this error.
    Bad {
        id: Value,
        code: i32,
        message: String,
    },
}

const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;

/// Read one frame. `Ok(None)` at end of input.
pub fn read_message(r: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue; // stray blank lines between frames
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
    }
    let Some(length) = length else {
        return Ok(Some(Frame::Bad {
            id: Value::Null,
            code: PARSE_ERROR,
            message: "message without a valid Content-Length header".into(),
        }));
    };
    if length > MAX_BODY {
        io::copy(&mut r.take(length as u64), &mut io::sink())?;
        return Ok(Some(Frame::Bad {
            id: Value::Null,
            code: INVALID_REQUEST,
            message: format!("message of {length} bytes is over the {MAX_BODY}-byte limit"),
        }));
    }
    let mut body = vec![0u8; length];
    r.read_exact(&mut body)?;
    Ok(Some(parse_body(&body)))
}

fn parse_body(body: &[u8]) -> Frame {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Frame::Bad {
                id: Value::Null,
                code: PARSE_ERROR,
                message: format!("malformed JSON: {e}"),
            }
        }
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    match serde_json::from_value::<Message>(value) {
        Ok(msg) => Frame::Message(msg),
        Err(e) => Frame::Bad {
            id: if id.is_number() || id.is_string() {
                id
            } else {
                Value::Null
            },
            code: INVALID_REQUEST,
            message: format!("not a JSON-RPC message: {e}"),
        },
    }
}

fn write_raw_error(id: Value, code: i32, message: &str) {
    let body = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    })
    .to_string();
    let out = io::stdout();
    let mut out = out.lock();
    let _ = write!(out, "Content-Length: {}\r\n\r\n{}", body.len(), body);
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Frame> {
        let mut r = io::BufReader::new(input.as_bytes());
        let mut out = Vec::new();
        while let Ok(Some(f)) = read_message(&mut r) {
            out.push(f);
        }
        out
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{}", body.len(), body)
    }

    #[test]
    fn malformed_frames_do_not_stop_reading() {
        let input = [
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7,"method":5}"#),
            "X-Nonsense: 1\r\n\r\n".to_string(),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
        ]
        .concat();
        let f = frames(&input);
        assert_eq!(f.len(), 4);
        assert!(matches!(
            &f[0],
            Frame::Bad {
                code: PARSE_ERROR,
                id: Value::Null,
                ..
            }
        ));
        assert!(matches!(&f[1], Frame::Bad { code: INVALID_REQUEST, id, .. } if id == &json!(7)));
        assert!(matches!(
            &f[2],
            Frame::Bad {
                code: PARSE_ERROR,
                ..
            }
        ));
        assert!(matches!(&f[3], Frame::Message(Message::Notification(n)) if n.method == "exit"));
    }

    #[test]
    fn non_ascii_body_is_counted_in_bytes() {
        let body = r#"{"jsonrpc":"2.0","method":"x","params":{"t":"é😀"}}"#;
        let f = frames(&frame(body));
        assert!(
            matches!(&f[0], Frame::Message(Message::Notification(n)) if n.params["t"] == "é😀")
        );
    }
}
