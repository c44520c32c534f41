//! The request decoders of `wfc serve` never panic, whatever bytes arrive:
//! paths, query strings, Idempotency-Key values and bodies, alone and
//! through the whole router.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use proptest::prelude::*;
use serde_json::json;
use tower::ServiceExt;

use wfc::serve::api::{Api, ApiError, EngineMetrics, Get, Idempotency, Post, Reply};
use wfc::serve::http::decode;
use wfc::serve::http::{router, HttpConfig};

struct Echo;

impl Api for Echo {
    fn post(&self, _: Post, _: Option<Idempotency>) -> Result<Reply, ApiError> {
        Ok(Reply {
            status: 202,
            body: json!({"input": 1}),
        })
    }
    fn get(&self, _: Get) -> Result<Reply, ApiError> {
        Ok(Reply {
            status: 200,
            body: json!([]),
        })
    }
    fn metrics(&self) -> Result<EngineMetrics, ApiError> {
        Ok(EngineMetrics::default())
    }
    fn shutdown(&self) {}
}

/// Text made mostly of the characters that matter to the decoders.
fn texty() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just('/'),
            Just('%'),
            Just('&'),
            Just('='),
            Just('+'),
            Just('?'),
            Just('a'),
            Just('F'),
            Just('0'),
            Just('9'),
            Just('é'),
            any::<char>(),
        ],
        0..40,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        texty(),
        (
            prop::sample::select(vec![
                "/v1/records",
                "/v1/records/",
                "/v1/history",
                "/v1/outbox/",
                "/v1/events",
                "/v1/clock",
                "/healthz",
                "/metrics",
                "/v1/deployments",
                "/v1/workflows",
            ]),
            texty()
        )
            .prop_map(|(a, b)| format!("{a}{b}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn decoders_never_panic(
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]),
        path in path(),
        query in texty(),
        body in prop::collection::vec(any::<u8>(), 0..200),
        key in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        if let Some(route) = decode::route(&path) {
            let _ = decode::target(method, route, Some(&query));
        }
        let _ = decode::json_body(&body);
        let _ = decode::idempotency_key(&key);
    }

    #[test]
    fn json_bodies_decode_or_name_a_position(body in prop::collection::vec(any::<u8>(), 1..100)) {
        match decode::json_body(&body) {
            Ok(_) => prop_assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok()),
            Err(e) => {
                prop_assert_eq!(e.status, 400);
                prop_assert!(e.message.contains("line") || e.message.contains("no body"), "{}", e.message);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    /// Whole requests through the router: always an answer, never a 500
    /// (the test engine itself never fails).
    #[test]
    fn the_router_answers_anything_without_failing(
        method in prop::sample::select(vec!["GET", "POST", "PUT", "OPTIONS"]),
        path in path(),
        query in texty(),
        body in prop::collection::vec(any::<u8>(), 0..200),
        key in prop::option::of(prop::collection::vec(any::<u8>(), 0..40)),
        token in prop::option::of(prop::collection::vec(any::<u8>(), 0..20)),
    ) {
        let uri = format!("{path}?{query}");
        let mut builder = Request::builder().method(method).uri(uri.as_str());
        if let Some(k) = &key {
            builder = builder.header("idempotency-key", axum::http::HeaderValue::from_bytes(k).unwrap_or(axum::http::HeaderValue::from_static("x")));
        }
        if let Some(t) = &token {
            let mut v = b"Bearer ".to_vec();
            v.extend_from_slice(t);
            if let Ok(h) = axum::http::HeaderValue::from_bytes(&v) {
                builder = builder.header("authorization", h);
            }
        }
        // A URI the http crate refuses never reaches the server.
        let Ok(request) = builder.body(Body::from(body)) else { return Ok(()) };
        let app = router(Arc::new(Echo), HttpConfig { token: Some("t".into()), max_body_bytes: 100 });
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let response = rt.block_on(app.oneshot(request)).unwrap();
        prop_assert!(response.status().as_u16() < 500, "{}", response.status());
    }
}
