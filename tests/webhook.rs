//! Webhook delivery against a real local HTTP receiver: signatures,
//! idempotency keys, retries, final statuses, timeouts, redirects, the
//! proxy settings ignored, and the SSRF guard (refused targets are never
//! connected to).
//!
//! Every target here is on the loopback interface. The private and
//! link-local addresses of the SSRF tests (10.1.2.3, 169.254.169.254) are
//! first checked to be refused before sending, so a broken guard fails the
//! test instead of sending traffic there.

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use wfc::serve::webhook::{preflight, signature, Delivery, Outcome, Sender, SIGNATURE_HEADER};

const SECRET: &[u8] = b"s3cret-for-tests";

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the receiver answers, in order; 200 once the script is used up.
#[derive(Debug, Clone)]
enum Reply {
    Status(u16),
    Slow(Duration, u16),
    Redirect(String),
}

struct Receiver {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Receiver {
    async fn start(script: Vec<Reply>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let seen2 = Arc::clone(&seen);
        tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    return;
                };
                let seen = Arc::clone(&seen2);
                let script = Arc::clone(&script);
                tokio::spawn(async move {
                    let Some(req) = read_request(&mut conn).await else {
                        return;
                    };
                    seen.lock().unwrap().push(req);
                    let reply = script
                        .lock()
                        .unwrap()
                        .pop_front()
                        .unwrap_or(Reply::Status(200));
                    let (code, extra) = match reply {
                        Reply::Status(c) => (c, String::new()),
                        Reply::Slow(d, c) => {
                            tokio::time::sleep(d).await;
                            (c, String::new())
                        }
                        Reply::Redirect(to) => (302, format!("Location: {to}\r\n")),
                    };
                    let head = format!(
                        "HTTP/1.1 {code} Whatever\r\nContent-Length: 2\r\nConnection: close\r\n{extra}\r\nok"
                    );
                    let _ = conn.write_all(head.as_bytes()).await;
                    let _ = conn.shutdown().await;
                });
            }
        });
        Receiver { addr, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn read_request(conn: &mut tokio::net::TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        method,
        path,
        headers,
        body,
    })
}

/// A listener that only records whether anything connected to it.
struct Trap {
    listener: StdListener,
}

impl Trap {
    fn bind(addr: &str) -> Option<Trap> {
        let listener = StdListener::bind(addr).ok()?;
        listener.set_nonblocking(true).unwrap();
        Some(Trap { listener })
    }

    fn port(&self) -> u16 {
        self.listener.local_addr().unwrap().port()
    }

    /// Whether a connection was made (accepted by the kernel) since binding.
    fn was_connected(&self) -> bool {
        match self.listener.accept() {
            Ok(_) => true,
            Err(e) if e.kind() == ErrorKind::WouldBlock => false,
            Err(e) => panic!("trap accept: {e}"),
        }
    }
}

/// Every sender of this file is built with the proxy variables pointing at
/// a trap: a client that honoured them would connect there.
fn proxy_trap() -> &'static Trap {
    static TRAP: OnceLock<Trap> = OnceLock::new();
    TRAP.get_or_init(|| {
        let trap = Trap::bind("127.0.0.1:0").unwrap();
        let proxy = format!("http://127.0.0.1:{}", trap.port());
        for var in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            std::env::set_var(var, &proxy);
        }
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
        trap
    })
}

fn sender(allow_private: bool, secret: Option<&[u8]>, timeout: Duration) -> Sender {
    proxy_trap();
    Sender::new(allow_private, secret.map(<[u8]>::to_vec), timeout).unwrap()
}

fn delivery(method: &str, url: &str) -> Delivery {
    Delivery {
        id: "outbox-42".into(),
        method: method.into(),
        url: url.into(),
        body: json!({"id": "c1", "object": "contact", "properties": {"email": "ana@example.com", "score": 7, "name": "Ana Müller"}}),
    }
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[tokio::test]
async fn retry_then_delivered_with_signature_and_idempotency_key() {
    let rx = Receiver::start(vec![Reply::Status(500), Reply::Status(200)]).await;
    let s = sender(true, Some(SECRET), Duration::from_secs(10));
    let d = delivery("POST", &rx.url("/hooks/in?x=1"));

    assert_eq!(
        s.send(&d).await,
        Outcome::Retry {
            reason: "HTTP 500 Internal Server Error".into()
        }
    );
    assert_eq!(s.send(&d).await, Outcome::Delivered { status: 200 });

    let seen = rx.seen();
    assert_eq!(seen.len(), 2);
    let expected_body = serde_json::to_vec(&d.body).unwrap();
    for req in &seen {
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, "/hooks/in?x=1");
        assert_eq!(req.header("idempotency-key"), Some("outbox-42"));
        assert_eq!(req.header("content-type"), Some("application/json"));
        assert_eq!(req.body, expected_body);
        assert!(req.header("user-agent").unwrap().starts_with("wfc/"));

        // The receiver's check, written as a receiver would write it.
        let header = req.header(SIGNATURE_HEADER).unwrap();
        let hex = header.strip_prefix("sha256=").unwrap();
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET).unwrap();
        mac.update(&req.body);
        mac.verify_slice(&hex_decode(hex))
            .expect("signature verifies");
        assert_eq!(header, signature(SECRET, &req.body));

        // A different secret does not verify.
        let mut wrong = <Hmac<Sha256> as KeyInit>::new_from_slice(b"other").unwrap();
        wrong.update(&req.body);
        assert!(wrong.verify_slice(&hex_decode(hex)).is_err());
    }
}

#[tokio::test]
async fn no_secret_no_signature_and_get_sends_the_body_too() {
    let rx = Receiver::start(vec![Reply::Status(204)]).await;
    let s = sender(true, None, Duration::from_secs(10));
    let d = delivery("get", &rx.url("/"));
    assert_eq!(s.send(&d).await, Outcome::Delivered { status: 204 });
    let seen = rx.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].header(SIGNATURE_HEADER), None);
    assert_eq!(seen[0].body, serde_json::to_vec(&d.body).unwrap());
}

#[tokio::test]
async fn not_found_is_final() {
    let rx = Receiver::start(vec![Reply::Status(404)]).await;
    let s = sender(true, Some(SECRET), Duration::from_secs(10));
    assert_eq!(
        s.send(&delivery("POST", &rx.url("/missing"))).await,
        Outcome::Final {
            status: Some(404),
            reason: "HTTP 404 Not Found".into()
        }
    );
    assert_eq!(rx.seen().len(), 1);
}

#[tokio::test]
async fn too_many_requests_is_retried() {
    let rx = Receiver::start(vec![Reply::Status(429), Reply::Status(503)]).await;
    let s = sender(true, None, Duration::from_secs(10));
    let d = delivery("POST", &rx.url("/"));
    assert_eq!(
        s.send(&d).await,
        Outcome::Retry {
            reason: "HTTP 429 Too Many Requests".into()
        }
    );
    assert_eq!(
        s.send(&d).await,
        Outcome::Retry {
            reason: "HTTP 503 Service Unavailable".into()
        }
    );
}

#[tokio::test]
async fn a_slow_receiver_times_out_and_is_retried() {
    let rx = Receiver::start(vec![Reply::Slow(Duration::from_secs(3), 200)]).await;
    let s = sender(true, None, Duration::from_millis(300));
    let started = std::time::Instant::now();
    let out = s.send(&delivery("POST", &rx.url("/slow"))).await;
    assert_eq!(
        out,
        Outcome::Retry {
            reason: "timed out after 300 ms".into()
        }
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "gave up in time"
    );
    assert_eq!(rx.seen().len(), 1, "the request was sent before the wait");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let rx = Receiver::start(vec![Reply::Redirect("/elsewhere".into())]).await;
    let s = sender(true, None, Duration::from_secs(10));
    assert_eq!(
        s.send(&delivery("POST", &rx.url("/moved"))).await,
        Outcome::Final {
            status: Some(302),
            reason: "HTTP 302 Found (redirects are not followed)".into()
        }
    );
    let seen = rx.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/moved");
}

#[tokio::test]
async fn connection_refused_is_retried() {
    // A port that was free a moment ago: nothing listens there.
    let port = {
        let l = StdListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let s = sender(true, None, Duration::from_secs(10));
    match s
        .send(&delivery("POST", &format!("http://127.0.0.1:{port}/")))
        .await
    {
        Outcome::Retry { reason } => assert!(reason.starts_with("cannot connect"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn unusable_urls_and_methods_are_final() {
    let s = sender(false, None, Duration::from_secs(10));
    for (method, url, reason) in [
        (
            "POST",
            "not a url",
            "invalid URL: relative URL without a base",
        ),
        ("POST", "http://", "invalid URL: empty host"),
        (
            "POST",
            "ftp://example.com/x",
            "unsupported URL scheme \"ftp\": only http and https are sent",
        ),
        (
            "POST",
            "file:///etc/passwd",
            "unsupported URL scheme \"file\": only http and https are sent",
        ),
        (
            "PO ST",
            "http://example.com/",
            "invalid HTTP method \"PO ST\"",
        ),
    ] {
        assert_eq!(
            s.send(&delivery(method, url)).await,
            Outcome::Final {
                status: None,
                reason: reason.into()
            },
            "{url}"
        );
    }
}

#[tokio::test]
async fn the_guard_refuses_loopback_targets_without_connecting() {
    let trap4 = Trap::bind("127.0.0.1:0").unwrap();
    let port = trap4.port();
    // The same port on ::1 when the machine has IPv6 loopback.
    let trap6 = Trap::bind(&format!("[::1]:{port}"));
    let s = sender(false, Some(SECRET), Duration::from_secs(10));
    for (url, reason) in [
        (
            format!("http://127.0.0.1:{port}/"),
            "127.0.0.1 is a loopback address".to_string(),
        ),
        (
            format!("http://[::1]:{port}/"),
            "::1 is a loopback address".to_string(),
        ),
        (
            format!("http://[::ffff:127.0.0.1]:{port}/"),
            "::ffff:127.0.0.1 is a loopback address".to_string(),
        ),
        (
            format!("http://2130706433:{port}/"),
            "127.0.0.1 is a loopback address".to_string(),
        ),
    ] {
        assert_eq!(
            s.send(&delivery("POST", &url)).await,
            Outcome::Refused { reason },
            "{url}"
        );
    }
    // A host name resolving to loopback: refused by the resolver.
    match s
        .send(&delivery("POST", &format!("http://localhost:{port}/")))
        .await
    {
        Outcome::Refused { reason } => assert!(
            reason.starts_with("localhost resolves to ")
                && reason.ends_with(", a loopback address"),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(!trap4.was_connected(), "127.0.0.1 was connected to");
    if let Some(t) = trap6 {
        assert!(!t.was_connected(), "::1 was connected to");
    }

    // The same targets with the guard off reach the trap: the test above
    // would have seen a connection.
    let open = sender(true, None, Duration::from_millis(300));
    let _ = open
        .send(&delivery("POST", &format!("http://localhost:{port}/")))
        .await;
    let _ = open
        .send(&delivery("POST", &format!("http://127.0.0.1:{port}/")))
        .await;
    assert!(trap4.was_connected());
}

#[tokio::test]
async fn the_guard_refuses_private_and_metadata_addresses() {
    let s = sender(false, None, Duration::from_secs(10));
    for (url, reason) in [
        ("http://10.1.2.3/hook", "10.1.2.3 is a private address"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local address",
        ),
        ("https://192.168.0.10/", "192.168.0.10 is a private address"),
        ("http://[fd12::1]/", "fd12::1 is a unique-local address"),
        ("http://0.0.0.0:80/", "0.0.0.0 is an unspecified address"),
    ] {
        // Checked before sending: a broken guard stops here, without
        // sending anything to that address.
        let parsed = reqwest::Url::parse(url).unwrap();
        assert!(preflight(&parsed).is_some(), "{url} must be refused");
        assert_eq!(
            s.send(&delivery("POST", url)).await,
            Outcome::Refused {
                reason: reason.into()
            },
            "{url}"
        );
    }
}

#[tokio::test]
async fn a_host_name_is_delivered_when_private_targets_are_allowed() {
    let rx = Receiver::start(vec![]).await;
    let s = sender(true, Some(SECRET), Duration::from_secs(10));
    let url = format!("http://localhost:{}/named", rx.addr.port());
    // localhost may resolve to ::1 first, where nothing listens: the client
    // then tries 127.0.0.1.
    assert_eq!(
        s.send(&delivery("POST", &url)).await,
        Outcome::Delivered { status: 200 }
    );
    assert_eq!(rx.seen().len(), 1);
}

#[tokio::test]
async fn proxy_variables_are_ignored() {
    let rx = Receiver::start(vec![]).await;
    let s = sender(true, None, Duration::from_secs(10));
    assert_eq!(
        std::env::var("HTTP_PROXY").unwrap(),
        format!("http://127.0.0.1:{}", proxy_trap().port())
    );
    assert_eq!(
        s.send(&delivery("POST", &rx.url("/direct"))).await,
        Outcome::Delivered { status: 200 }
    );
    assert_eq!(rx.seen().len(), 1);
    assert!(!proxy_trap().was_connected());
}
