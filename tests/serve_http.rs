//! The HTTP layer of `wfc serve`, driven in-process through its router with
//! a small recording `Api`: auth, limits, JSON and query errors, routing
//! errors, idempotency keys, metrics, and panics.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use wfc::serve::api::{Api, ApiError, EngineMetrics, Get, Idempotency, Post, Reply};
use wfc::serve::http::{router, HttpConfig};

/// What the test engine was asked, and how it behaves.
#[derive(Default)]
struct Recorder {
    posts: Mutex<Vec<(Post, Option<Idempotency>)>>,
    gets: Mutex<Vec<Get>>,
    /// A POST to /v1/clock waits for a message here (to hold a key in flight).
    gate: Mutex<Option<mpsc::Receiver<()>>>,
    entered: Mutex<Option<mpsc::Sender<()>>>,
    shutdowns: AtomicUsize,
}

impl Api for Recorder {
    fn post(&self, request: Post, idempotency: Option<Idempotency>) -> Result<Reply, ApiError> {
        if let Post::Records(Value::String(s)) = &request {
            if s == "panic" {
                panic!("the test engine panics on request");
            }
        }
        let gated = matches!(request, Post::Clock(_));
        self.posts.lock().unwrap().push((request, idempotency));
        if gated {
            if let Some(tx) = self.entered.lock().unwrap().take() {
                tx.send(()).unwrap();
            }
            let rx = self.gate.lock().unwrap().take();
            if let Some(rx) = rx {
                rx.recv_timeout(Duration::from_secs(20)).unwrap();
            }
        }
        Ok(Reply {
            status: 202,
            body: json!({"input": 1}),
        })
    }

    fn get(&self, query: Get) -> Result<Reply, ApiError> {
        if let Get::Record(id) = &query {
            if id == "panic" {
                panic!("the test engine panics on get");
            }
            if id == "missing" {
                return Err(ApiError::new(404, "not_found", "no record `missing`"));
            }
        }
        self.gets.lock().unwrap().push(query);
        Ok(Reply {
            status: 200,
            body: json!({"ok": true}),
        })
    }

    fn metrics(&self) -> Result<EngineMetrics, ApiError> {
        Ok(EngineMetrics {
            inputs_accepted: 7,
            steps_executed: 42,
            inputs_skipped: 4,
            active_enrollments: 3,
            timers_pending: 2,
            oldest_due_timer_lag_seconds: 1.5,
            outbox_pending: 1,
            outbox_failed: 0,
        })
    }

    fn shutdown(&self) {
        self.shutdowns.fetch_add(1, Ordering::SeqCst);
    }
}

fn app(token: Option<&str>, limit: usize) -> (axum::Router, Arc<Recorder>) {
    let api = Arc::new(Recorder::default());
    let config = HttpConfig {
        token: token.map(str::to_string),
        max_body_bytes: limit,
    };
    (router(api.clone(), config), api)
}

fn request(method: &str, uri: &str, headers: &[(&str, &str)], body: &[u8]) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.to_vec())).unwrap()
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, Response<()>, Vec<u8>) {
    let response = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (parts.status, Response::from_parts(parts, ()), bytes)
}

/// The `{"error": {...}}` of an answer: (code, message).
fn error_of(body: &[u8]) -> (String, String) {
    let v: Value = serde_json::from_slice(body).expect("a JSON error body");
    (
        v["error"]["code"].as_str().expect("code").to_string(),
        v["error"]["message"].as_str().expect("message").to_string(),
    )
}

#[tokio::test]
async fn auth_needs_the_right_bearer_token_except_for_healthz() {
    let (app, api) = app(Some("s3cret"), 1024);
    let (status, _, body) = send(&app, request("GET", "/healthz", &[], b"")).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap(),
        json!({"status": "ok"})
    );

    for headers in [
        vec![],
        vec![("authorization", "Bearer wrong")],
        vec![("authorization", "Bearer s3cret-and-more")],
        vec![("authorization", "Basic s3cret")],
        vec![("authorization", "s3cret")],
    ] {
        let (status, response, body) =
            send(&app, request("GET", "/v1/workflows", &headers, b"")).await;
        assert_eq!(status, 401, "{headers:?}");
        assert_eq!(error_of(&body).0, "unauthorized");
        let challenge = response.headers().get("www-authenticate").unwrap();
        assert!(challenge.to_str().unwrap().starts_with("Bearer"));
    }
    // Unknown routes and metrics are behind auth too.
    let (status, _, _) = send(&app, request("GET", "/nowhere", &[], b"")).await;
    assert_eq!(status, 401);
    let (status, _, _) = send(&app, request("GET", "/metrics", &[], b"")).await;
    assert_eq!(status, 401);
    assert!(
        api.gets.lock().unwrap().is_empty(),
        "nothing reached the engine"
    );

    let auth = [("authorization", "bearer s3cret")];
    let (status, _, _) = send(&app, request("GET", "/v1/workflows", &auth, b"")).await;
    assert_eq!(status, 200);
    assert_eq!(*api.gets.lock().unwrap(), vec![Get::Workflows]);
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let (app, api) = app(None, 64);
    let big = format!("[{}]", "1,".repeat(40) + "1");
    let (status, _, body) = send(&app, request("POST", "/v1/events", &[], big.as_bytes())).await;
    assert_eq!(status, 413);
    assert_eq!(error_of(&body).0, "payload_too_large");
    assert!(api.posts.lock().unwrap().is_empty());
    let (status, _, _) = send(&app, request("POST", "/v1/events", &[], b"[1]")).await;
    assert_eq!(status, 202);
}

#[tokio::test]
async fn malformed_json_is_400_with_line_and_column() {
    let (app, api) = app(None, 1024);
    let (status, _, body) = send(
        &app,
        request("POST", "/v1/records", &[], b"[\n  {\"id\": \"c1\",}\n]"),
    )
    .await;
    assert_eq!(status, 400);
    let (code, message) = error_of(&body);
    assert_eq!(code, "bad_request");
    assert!(message.contains("line 2, column"), "{message}");
    assert!(api.posts.lock().unwrap().is_empty(), "nothing applied");
}

#[tokio::test]
async fn bad_queries_are_400_naming_the_parameter() {
    let (app, api) = app(None, 1024);
    for (uri, name) in [
        ("/v1/history?after=x", "`after`"),
        ("/v1/history?limit=0", "`limit`"),
        ("/v1/outbox?after=1&colour=red", "`colour`"),
        ("/v1/records?limit=%FF", "`limit`"),
    ] {
        let (status, _, body) = send(&app, request("GET", uri, &[], b"")).await;
        assert_eq!(status, 400, "{uri}");
        assert!(error_of(&body).1.contains(name), "{uri}");
    }
    let (status, _, _) = send(
        &app,
        request(
            "GET",
            "/v1/history?after=3&limit=10&workflow=Welcome%20flow",
            &[],
            b"",
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        *api.gets.lock().unwrap(),
        vec![Get::History {
            after: 3,
            limit: 10,
            record: None,
            workflow: Some("Welcome flow".into())
        }]
    );
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405() {
    let (app, _) = app(None, 1024);
    let (status, _, body) = send(&app, request("GET", "/v1/nothing", &[], b"")).await;
    assert_eq!(status, 404);
    assert_eq!(error_of(&body).0, "not_found");
    let (status, response, body) = send(&app, request("DELETE", "/v1/records", &[], b"")).await;
    assert_eq!(status, 405);
    assert_eq!(error_of(&body).0, "method_not_allowed");
    assert_eq!(response.headers().get("allow").unwrap(), "GET, POST");
    // Engine errors pass through with their status and code.
    let (status, _, body) = send(&app, request("GET", "/v1/records/missing", &[], b"")).await;
    assert_eq!(status, 404);
    assert_eq!(
        error_of(&body),
        ("not_found".into(), "no record `missing`".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_in_flight_is_409_and_keys_are_scoped() {
    let (app, api) = app(Some("tok"), 1024);
    let (gate_tx, gate_rx) = mpsc::channel();
    let (entered_tx, entered_rx) = mpsc::channel();
    *api.gate.lock().unwrap() = Some(gate_rx);
    *api.entered.lock().unwrap() = Some(entered_tx);
    let headers = [("authorization", "Bearer tok"), ("idempotency-key", "k1")];
    let body = br#"{"advance_to": "2026-01-02T00:00:00Z"}"#;

    let first = {
        let app = app.clone();
        let req = request("POST", "/v1/clock", &headers, body);
        tokio::spawn(async move { send(&app, req).await.0 })
    };
    tokio::task::spawn_blocking(move || entered_rx.recv_timeout(Duration::from_secs(20)))
        .await
        .unwrap()
        .unwrap();
    // The same key on the same endpoint while the first is in progress.
    let (status, _, answer) = send(&app, request("POST", "/v1/clock", &headers, body)).await;
    assert_eq!(status, 409);
    assert_eq!(error_of(&answer).0, "idempotency_in_flight");
    // The same key on another endpoint is another key.
    let (status, _, _) = send(&app, request("POST", "/v1/events", &headers, b"[]")).await;
    assert_eq!(status, 202);

    gate_tx.send(()).unwrap();
    assert_eq!(first.await.unwrap(), 202);
    // Released: the key can be used again (the engine decides about replays).
    let (status, _, _) = send(&app, request("POST", "/v1/clock", &headers, body)).await;
    assert_eq!(status, 202);

    let posts = api.posts.lock().unwrap();
    assert_eq!(posts.len(), 3);
    let idem = posts[0].1.clone().unwrap();
    assert_eq!(idem.key, "k1");
    assert!(idem.scope.starts_with("/v1/clock token:"), "{}", idem.scope);
    assert!(!idem.scope.contains("tok "), "never the token itself");
    let expected: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(body).into();
    assert_eq!(idem.body_hash, expected);
    let other = posts[1].1.clone().unwrap();
    assert!(other.scope.starts_with("/v1/events token:"));
    assert_eq!(
        idem.scope.strip_prefix("/v1/clock"),
        other.scope.strip_prefix("/v1/events"),
        "one token, one fingerprint"
    );
}

#[tokio::test]
async fn keys_are_scoped_by_token_fingerprint_or_endpoint_alone() {
    let (app, api) = app(None, 1024);
    let headers = [("idempotency-key", "abc")];
    send(&app, request("POST", "/v1/outbox/o%2F1", &headers, b"{}")).await;
    let (status, _, body) = send(
        &app,
        request("POST", "/v1/events", &[("idempotency-key", "")], b"[]"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(error_of(&body).1.contains("Idempotency-Key"));
    {
        let posts = api.posts.lock().unwrap();
        assert_eq!(posts.len(), 1);
        let (post, idem) = &posts[0];
        assert!(matches!(post, Post::OutboxReport { id, .. } if id == "o/1"));
        assert_eq!(idem.as_ref().unwrap().scope, "/v1/outbox/o/1");
    }

    // Two tokens, two scopes for one key; neither shows its token.
    let mut scopes = Vec::new();
    for token in ["first-token", "second-token"] {
        let (app, api) = self::app(Some(token), 1024);
        let bearer = format!("Bearer {token}");
        let headers = [
            ("authorization", bearer.as_str()),
            ("idempotency-key", "abc"),
        ];
        let (status, _, _) = send(&app, request("POST", "/v1/events", &headers, b"[]")).await;
        assert_eq!(status, 202);
        let scope = api.posts.lock().unwrap()[0].1.clone().unwrap().scope;
        assert!(!scope.contains(token), "{scope}");
        scopes.push(scope);
    }
    assert_ne!(scopes[0], scopes[1]);
}

#[tokio::test]
async fn metrics_are_prometheus_text() {
    let (app, _) = app(None, 1024);
    send(&app, request("GET", "/v1/workflows", &[], b"")).await;
    send(&app, request("POST", "/v1/events", &[], b"{")).await;
    let (status, response, body) = send(&app, request("GET", "/metrics", &[], b"")).await;
    assert_eq!(status, 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = String::from_utf8(body).unwrap();
    let samples = parse_prometheus(&text);
    let value = |name: &str| {
        samples
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("{name} in\n{text}"))
    };
    assert_eq!(value("wfc_inputs_accepted_total"), 7.0);
    assert_eq!(value("wfc_steps_executed_total"), 42.0);
    assert_eq!(value("wfc_inputs_skipped_total"), 4.0);
    assert_eq!(value("wfc_active_enrollments"), 3.0);
    assert_eq!(value("wfc_timers_pending"), 2.0);
    assert_eq!(value("wfc_oldest_due_timer_lag_seconds"), 1.5);
    assert_eq!(value("wfc_outbox_pending"), 1.0);
    assert_eq!(value("wfc_outbox_failed"), 0.0);
    assert_eq!(
        value("wfc_http_request_duration_seconds_count{route=\"/v1/workflows\"}"),
        1.0
    );
    assert_eq!(
        value("wfc_http_request_duration_seconds_bucket{route=\"/v1/events\",le=\"+Inf\"}"),
        1.0
    );
    assert_eq!(
        value("wfc_http_requests_total{route=\"/v1/events\",status=\"400\"}"),
        1.0
    );
}

/// Every sample line of a Prometheus text exposition as (name{labels},
/// value); panics on a line that is not a comment or a sample, and on a
/// sample of a metric without a `# TYPE`.
fn parse_prometheus(text: &str) -> Vec<(String, f64)> {
    let mut typed = Vec::new();
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut words = rest.split(' ');
            let name = words.next().unwrap().to_string();
            let kind = words.next().unwrap();
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            typed.push(name);
            continue;
        }
        if line.starts_with("# HELP ") || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        let name = series.split('{').next().unwrap();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line}"
        );
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|b| typed.iter().any(|t| t == b))
            .unwrap_or(name);
        assert!(typed.iter().any(|t| t == base), "untyped sample: {line}");
        let value = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse::<f64>().unwrap_or_else(|_| panic!("{line}")),
        };
        out.push((series.to_string(), value));
    }
    out
}

#[tokio::test]
async fn a_panic_in_the_engine_is_500_and_the_service_goes_on() {
    let (app, api) = app(None, 1024);
    let (status, _, body) = send(&app, request("POST", "/v1/records", &[], b"\"panic\"")).await;
    assert_eq!(status, 500);
    assert_eq!(error_of(&body).0, "internal");
    let (status, _, body) = send(&app, request("GET", "/v1/records/panic", &[], b"")).await;
    assert_eq!(status, 500);
    assert_eq!(error_of(&body).0, "internal");
    // The key of a request that panicked is released.
    let headers = [("idempotency-key", "p")];
    let (status, _, _) = send(&app, request("POST", "/v1/records", &headers, b"\"panic\"")).await;
    assert_eq!(status, 500);
    let (status, _, _) = send(&app, request("POST", "/v1/records", &headers, b"[]")).await;
    assert_eq!(status, 202);
    let (status, _, _) = send(&app, request("GET", "/v1/records/c1", &[], b"")).await;
    assert_eq!(status, 200);
    assert_eq!(*api.gets.lock().unwrap(), vec![Get::Record("c1".into())]);
}

#[tokio::test]
async fn serve_answers_on_a_real_socket_and_shuts_the_engine_down() {
    let api = Arc::new(Recorder::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let config = HttpConfig {
        token: None,
        max_body_bytes: 100,
    };
    let server = tokio::spawn(wfc::serve::http::serve(
        api.clone(),
        listener,
        config,
        async {
            let _ = stop_rx.await;
        },
    ));
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        text
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("{\"status\":\"ok\"}\n"), "{answer}");
    // A chunked body (no Content-Length) over the limit is 413 too.
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        let mut req = b"POST /v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..10 {
            req.extend_from_slice(b"13\r\n[1,2,3,4,5,6,7,8,9]\r\n");
        }
        req.extend_from_slice(b"0\r\n\r\n");
        s.write_all(&req).unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        text
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
    assert!(api.posts.lock().unwrap().is_empty());
    stop_tx.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert_eq!(api.shutdowns.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_stays_claimed_while_the_engine_works_after_the_client_left() {
    let (app, api) = app(None, 1024);
    let (gate_tx, gate_rx) = mpsc::channel();
    let (entered_tx, entered_rx) = mpsc::channel();
    *api.gate.lock().unwrap() = Some(gate_rx);
    *api.entered.lock().unwrap() = Some(entered_tx);
    let headers = [("idempotency-key", "k2")];
    let body = br#"{"advance_to": "2026-01-02T00:00:00Z"}"#;
    let first = {
        let app = app.clone();
        let req = request("POST", "/v1/clock", &headers, body);
        tokio::spawn(async move { send(&app, req).await.0 })
    };
    tokio::task::spawn_blocking(move || entered_rx.recv_timeout(Duration::from_secs(20)))
        .await
        .unwrap()
        .unwrap();
    // The client gives up; the engine is still applying the request.
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());
    let (status, _, _) = send(&app, request("POST", "/v1/clock", &headers, body)).await;
    assert_eq!(status, 409);
    gate_tx.send(()).unwrap();
    // Once the engine is done, the key is free (polling: the release runs
    // on the blocking pool).
    let mut status = StatusCode::CONFLICT;
    for _ in 0..200 {
        status = send(&app, request("POST", "/v1/clock", &headers, body))
            .await
            .0;
        if status != StatusCode::CONFLICT {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status, 202);
}
