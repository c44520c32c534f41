//! A real `wfc serve` process for the engine tests, and a small HTTP/1.1
//! client (one request per connection) to talk to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

pub struct Server {
    pub child: Child,
    pub addr: String,
    pub token: Option<String>,
}

/// Start `wfc serve` with these arguments (plus `--listen 127.0.0.1:0`),
/// wait for its `listening on` line.
pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<Server, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wfc"));
    cmd.arg("serve")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .current_dir(dir)
        .env_remove("WFC_TOKEN")
        .env_remove("WFC_WEBHOOK_SECRET")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut token = None;
    for (k, v) in env {
        cmd.env(k, v);
        if *k == "WFC_TOKEN" {
            token = Some(v.to_string());
        }
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start wfc serve: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("reading stdout: {e}"))?;
    let Some(addr) = line.trim().strip_prefix("listening on http://") else {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let _ = child.wait();
        return Err(format!("first stdout line {line:?}; stderr: {err}"));
    };
    Ok(Server {
        addr: addr.to_string(),
        child,
        token,
    })
}

impl Server {
    /// [`Server::request`], with a failed connection as an error (the
    /// server may have been killed).
    /// One request; a failed connection is an error (the server may have
    /// been killed). The token, when the server has one, is sent unless the
    /// caller gives its own `Authorization`.
    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> std::io::Result<(u16, Value)> {
        let mut all: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if let Some(t) = &self.token {
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            {
                all.push(("Authorization".into(), format!("Bearer {t}")));
            }
        }
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let (status, text) = raw(&self.addr, method, path, body.as_bytes(), &all)?;
        let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok((status, v))
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        self.try_request(method, path, body, headers)
            .expect("HTTP request")
    }

    pub fn get(&self, path: &str) -> Value {
        let (s, v) = self.request("GET", path, None, &[]);
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }

    pub fn try_post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let (s, v) = self.request("POST", path, Some(body), &[]);
        if (200..300).contains(&s) {
            Ok(v)
        } else {
            Err(format!("POST {path}: {s} {v}"))
        }
    }

    pub fn post(&self, path: &str, body: &Value) -> Value {
        let (s, v) = self.request("POST", path, Some(body), &[]);
        assert!((200..300).contains(&s), "POST {path}: {s} {v}");
        v
    }

    /// Every history event, paging with `after`.
    pub fn history(&self, query: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page = self.get(&format!("/v1/history?after={after}&limit=500{query}"));
            let events = page["events"].as_array().cloned().unwrap_or_default();
            if events.is_empty() {
                return out;
            }
            after = page["next"].as_u64().expect("next");
            out.extend(events);
        }
    }

    /// Every outbox item, paging by id.
    pub fn outbox(&self) -> Vec<Value> {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let page = self.get(&format!("/v1/outbox?after={after}&limit=500"));
            let items = page["items"].as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                return out;
            }
            after = page["next"].as_u64().expect("next");
            out.extend(items);
        }
    }

    /// Every record, in `--state` order.
    pub fn records(&self) -> Vec<Value> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let q = match &after {
                Some(a) => format!("/v1/records?limit=500&after={a}"),
                None => "/v1/records?limit=500".to_string(),
            };
            let page = self.get(&q);
            let recs = page["records"].as_array().cloned().unwrap_or_default();
            if recs.is_empty() {
                return out;
            }
            after = page["next"].as_str().map(str::to_string);
            out.extend(recs);
            if after.is_none() {
                return out;
            }
        }
    }

    /// SIGTERM, then wait; the exit code.
    pub fn stop(mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        self.child.wait().ok().and_then(|s| s.code())
    }

    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request; the status and the body (chunked bodies decoded).
pub fn raw(
    addr: &str,
    method: &str,
    path: &str,
    body: &[u8],
    headers: &[(String, String)],
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        req.push_str("Content-Type: application/json\r\n");
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    s.write_all(body)?;
    let mut resp = Vec::new();
    s.read_to_end(&mut resp)?;
    let text = String::from_utf8_lossy(&resp).to_string();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Ok((status, body))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].strip_prefix("\r\n").unwrap_or(&rest[n..]);
    }
    out
}

/// `wfc` run as a command in `dir`; (exit code, stdout, stderr).
pub fn wfc(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wfc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run wfc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

pub fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The store an engine test runs against: a SQLite file in the test's
/// folder, or a schema of its own in the PostgreSQL database named by
/// `WFC_TEST_POSTGRES` (dropped when the test ends).
pub enum Store {
    Sqlite,
    Postgres { url: String, schema: String },
}

/// The variable that names the PostgreSQL test database.
pub const POSTGRES_VAR: &str = "WFC_TEST_POSTGRES";

impl Store {
    /// A fresh PostgreSQL schema, or `None` (with one printed line) when
    /// `WFC_TEST_POSTGRES` is not set. Set but unreachable: the test fails.
    pub fn postgres(test: &str) -> Option<Store> {
        let Ok(base) = std::env::var(POSTGRES_VAR) else {
            eprintln!(
                "skipped on PostgreSQL: {POSTGRES_VAR} is not set (e.g. {POSTGRES_VAR}=postgres://postgres@127.0.0.1:5432/test; see README)"
            );
            return None;
        };
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros())
            .unwrap_or(0);
        let short: String = test
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(20)
            .collect::<String>()
            .to_ascii_lowercase();
        let schema = format!(
            "t_{short}_{}_{}_{:x}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst),
            stamp & 0xffff_ffff
        );
        let mut client = postgres::Client::connect(&base, postgres::NoTls)
            .unwrap_or_else(|e| panic!("{POSTGRES_VAR}={base}: cannot connect to PostgreSQL: {e}"));
        client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .expect("drop an old test schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(Store::Postgres {
            url: format!("{base}{sep}schema={schema}"),
            schema,
        })
    }

    /// The `--db` argument (the same for every process of one test).
    pub fn db(&self) -> String {
        match self {
            Store::Sqlite => "sqlite:engine.db".to_string(),
            Store::Postgres { url, .. } => url.clone(),
        }
    }

    /// One query's rows on the test's schema (PostgreSQL only).
    pub fn query(&self, sql: &str) -> Vec<postgres::Row> {
        let Store::Postgres { url, schema } = self else {
            panic!("not a PostgreSQL store")
        };
        let mut c = postgres::Client::connect(base_url(url), postgres::NoTls).expect("connect");
        c.batch_execute(&format!("SET search_path TO {schema}"))
            .expect("search_path");
        c.query(sql, &[]).expect("query")
    }
}

impl Store {
    /// Run SQL on the test's store while no engine has it open: the SQLite
    /// file `engine.db` in `dir` (where [`Store::db`] points a server
    /// started in `dir`), or the test's PostgreSQL schema.
    pub fn exec(&self, dir: &Path, sql: &str) {
        match self {
            Store::Sqlite => {
                let c = rusqlite::Connection::open(dir.join("engine.db")).expect("open engine.db");
                c.execute_batch(sql).expect("SQL on engine.db");
            }
            Store::Postgres { url, schema } => {
                let mut c =
                    postgres::Client::connect(base_url(url), postgres::NoTls).expect("connect");
                c.batch_execute(&format!("SET search_path TO {schema}; {sql}"))
                    .expect("SQL on the test schema");
            }
        }
    }
}

/// The test database's URL without wfc's `schema=` option.
fn base_url(url: &str) -> &str {
    let base = url.split("?schema=").next().unwrap_or(url);
    base.split("&schema=").next().unwrap_or(base)
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Store::Postgres { url, schema } = self {
            if let Ok(mut c) = postgres::Client::connect(base_url(url), postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// Engine tests that run on both stores: each `fn name(store: Store)`
/// becomes a module `name` with the tests `sqlite` and `postgres`.
#[macro_export]
macro_rules! on_both_stores {
    ($($(#[$meta:meta])* fn $name:ident($store:ident : Store) $body:block)*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                fn run($store: $crate::server::Store) $body
                #[test]
                fn sqlite() {
                    run($crate::server::Store::Sqlite)
                }
                #[test]
                fn postgres() {
                    if let Some(s) = $crate::server::Store::postgres(stringify!($name)) {
                        run(s)
                    }
                }
            }
        )*
    };
}

/// Requests a receiver saw: (head, body).
pub type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A real local HTTP receiver (webhook tests): answers each request with
/// the next of `statuses` (then 200) and logs it.
pub fn receiver(statuses: Vec<u16>) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let mut statuses = statuses.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut head = String::new();
            let mut len = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; len];
            let _ = reader.read_exact(&mut body);
            log.lock()
                .expect("log")
                .push((head, String::from_utf8_lossy(&body).to_string()));
            let status = statuses.next().unwrap_or(200);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (addr, seen)
}

pub fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}
