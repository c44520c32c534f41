//! The HTTP front of `wfc serve` (axum on tokio): routing, bearer-token
//! auth, bounded bodies, JSON syntax, query strings, `Idempotency-Key`
//! scoping and in-flight tracking, `/metrics`, request logs, and a panic
//! in a request turned into a 500 instead of a dead service.
//!
//! Everything with meaning is the engine's ([`Api`]): this layer decodes
//! nothing beyond JSON syntax and hands each request to [`Api::post`] or
//! [`Api::get`] on tokio's blocking pool.
//!
//! Errors are `{"error": {"code": "...", "message": "..."}}`:
//! `unauthorized` (401), `not_found` (404), `method_not_allowed` (405),
//! `bad_request` (400), `payload_too_large` (413), `idempotency_in_flight`
//! (409), `internal` (500), and whatever the engine answers.

pub mod decode;
pub mod metrics;

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use self::decode::{PostTo, Route, Target};
use self::metrics::Latency;
use crate::serve::api::{Api, ApiError, Idempotency, Reply};

/// The default bound on a request body: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How the HTTP layer is set up.
#[derive(Clone)]
pub struct HttpConfig {
    /// `WFC_TOKEN`: when set, every request but `GET /healthz` needs
    /// `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Larger bodies are refused with 413.
    pub max_body_bytes: usize,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl std::fmt::Debug for HttpConfig {
    /// Never prints the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// Shared by every request.
struct Shared {
    api: Arc<dyn Api>,
    /// SHA-256 of the token: compared in constant time against the SHA-256
    /// of what a request presents (so lengths leak nothing either).
    token_hash: Option<[u8; 32]>,
    /// Short fingerprint of the token that scopes idempotency keys.
    token_fingerprint: Option<String>,
    max_body_bytes: usize,
    /// (scope, key) of the requests with an `Idempotency-Key` in progress.
    in_flight: Mutex<HashSet<(String, String)>>,
    latency: Mutex<Latency>,
}

/// A lock that survives a panic of another holder: the data under these
/// locks (a set of keys, counters) is valid after any partial update.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The router of every endpoint, with a panic in a request answered 500.
/// `serve` runs it; tests drive it in-process.
pub fn router(api: Arc<dyn Api>, config: HttpConfig) -> Router {
    let token_hash = config.token.as_ref().map(|t| sha256(t.as_bytes()));
    let token_fingerprint = config.token.as_ref().map(|t| {
        let mut h = Sha256::new();
        h.update(b"wfc idempotency scope\0");
        h.update(t.as_bytes());
        hex(&h.finalize()[..8])
    });
    let shared = Arc::new(Shared {
        api,
        token_hash,
        token_fingerprint,
        max_body_bytes: config.max_body_bytes,
        in_flight: Mutex::new(HashSet::new()),
        latency: Mutex::new(Latency::default()),
    });
    Router::new()
        .fallback(handle)
        .with_state(shared)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(on_panic))
}

/// Serve `api` on `listener` until `shutdown` completes: then stop
/// accepting, let the requests in progress finish, and call
/// [`Api::shutdown`] (once, also when serving failed).
pub async fn serve(
    api: Arc<dyn Api>,
    listener: tokio::net::TcpListener,
    config: HttpConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(api.clone(), config);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    tracing::info!("listener stopped; shutting the engine down");
    if tokio::task::spawn_blocking(move || api.shutdown())
        .await
        .is_err()
    {
        tracing::error!("the engine panicked while shutting down");
    }
    served
}

fn on_panic(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!("a request panicked; answered 500");
    error_response(&ApiError::new(
        500,
        "internal",
        "the request failed inside the service (see its log)",
    ))
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = decode::route(request.uri().path());
    let label = route.as_ref().map_or("unmatched", Route::template);
    let response = match answer(&shared, route, request).await {
        Ok(r) => r,
        Err(e) => error_response(&e),
    };
    let status = response.status().as_u16();
    let elapsed = started.elapsed().as_secs_f64();
    lock(&shared.latency).observe(label, status, elapsed);
    if status >= 500 {
        tracing::warn!(%method, route = label, status, seconds = elapsed, "request failed");
    } else {
        tracing::info!(%method, route = label, status, seconds = elapsed, "request");
    }
    response
}

async fn answer(
    shared: &Arc<Shared>,
    route: Option<Route>,
    request: Request,
) -> Result<Response, ApiError> {
    let healthz = route == Some(Route::Healthz) && request.method() == Method::GET;
    if !healthz {
        authorize(shared, request.headers())?;
    }
    let Some(route) = route else {
        return Err(ApiError::new(
            404,
            "not_found",
            format!(
                "no endpoint at {}",
                crate::diagnostics::shorten(request.uri().path())
            ),
        ));
    };
    let allowed = route.methods().join(", ");
    let target = match decode::target(request.method().as_str(), route, request.uri().query()) {
        Ok(t) => t,
        Err(e) if e.status == 405 => {
            let mut response = error_response(&e);
            if let Ok(v) = HeaderValue::from_str(&allowed) {
                response.headers_mut().insert(header::ALLOW, v);
            }
            return Ok(response);
        }
        Err(e) => return Err(e),
    };
    match target {
        Target::Healthz => Ok(json_response(200, &json!({"status": "ok"}))),
        Target::Metrics => {
            let api = shared.api.clone();
            let engine = blocking(move || api.metrics()).await?;
            let text = metrics::render(&engine, &lock(&shared.latency));
            Ok((
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
                )],
                text,
            )
                .into_response())
        }
        Target::Get(query) => {
            let api = shared.api.clone();
            reply(blocking(move || api.get(query)).await?)
        }
        Target::Post(to) => post(shared, to, request).await,
    }
}

async fn post(shared: &Arc<Shared>, to: PostTo, request: Request) -> Result<Response, ApiError> {
    let key = match request.headers().get("idempotency-key") {
        None => None,
        Some(v) => Some(decode::idempotency_key(v.as_bytes())?),
    };
    let bytes = read_body(request.into_body(), shared.max_body_bytes).await?;
    let body = decode::json_body(&bytes)?;
    let post = to.with_body(body);
    let idempotency = key.map(|key| Idempotency {
        scope: match &shared.token_fingerprint {
            Some(f) => format!("{} token:{f}", post.endpoint()),
            None => post.endpoint(),
        },
        key,
        body_hash: sha256(&bytes),
    });
    // One request per key at a time: a second one while the first is in
    // progress would race it to the engine. The claim lives as long as the
    // engine call, even when the client goes away before the answer.
    let claim = match &idempotency {
        Some(i) => Some(InFlight::claim(shared, &i.scope, &i.key)?),
        None => None,
    };
    let api = shared.api.clone();
    reply(
        blocking(move || {
            let _claim = claim;
            api.post(post, idempotency)
        })
        .await?,
    )
}

/// The claim on an idempotency key, released when dropped (also when the
/// request panics or its client goes away).
struct InFlight {
    shared: Arc<Shared>,
    entry: (String, String),
}

impl InFlight {
    fn claim(shared: &Arc<Shared>, scope: &str, key: &str) -> Result<InFlight, ApiError> {
        let entry = (scope.to_string(), key.to_string());
        if !lock(&shared.in_flight).insert(entry.clone()) {
            return Err(ApiError::new(
                409,
                "idempotency_in_flight",
                "a request with this Idempotency-Key is still in progress: retry when it has finished",
            ));
        }
        Ok(InFlight {
            shared: shared.clone(),
            entry,
        })
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        lock(&self.shared.in_flight).remove(&self.entry);
    }
}

/// Run an engine call on the blocking pool; a panic in it is a 500.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(panicked = e.is_panic(), "an engine call failed");
            Err(ApiError::new(
                500,
                "internal",
                "the request failed inside the engine (see the service's log)",
            ))
        }
    }
}

/// The body, at most `limit` bytes (413 beyond).
async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            413,
            "payload_too_large",
            format!("the request body is larger than {limit} bytes"),
        )
    };
    let hint = axum::body::HttpBody::size_hint(&body);
    if hint.lower() > limit as u64 {
        return Err(too_large());
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => Err(ApiError::bad_request("the request body could not be read")),
    }
}

/// Check the bearer token (when one is configured).
fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = &shared.token_hash else {
        return Ok(());
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let Some(token) = presented else {
        return Err(ApiError::new(
            401,
            "unauthorized",
            "this service needs an `Authorization: Bearer <token>` header",
        ));
    };
    if bool::from(sha256(token.as_bytes()).ct_eq(expected)) {
        Ok(())
    } else {
        Err(ApiError::new(
            401,
            "unauthorized",
            "the bearer token is not valid",
        ))
    }
}

fn reply(r: Reply) -> Result<Response, ApiError> {
    Ok(json_response(r.status, &r.body))
}

fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut text = serde_json::to_vec(body).unwrap_or_else(|_| b"null".to_vec());
    text.push(b'\n');
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        text,
    )
        .into_response()
}

/// `{"error": {"code", "message"}}` with its status, and the headers the
/// status calls for (`WWW-Authenticate` on 401).
pub fn error_response(e: &ApiError) -> Response {
    let mut response = json_response(
        e.status,
        &json!({"error": {"code": e.code, "message": e.message}}),
    );
    if !(400..=599).contains(&e.status) {
        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    }
    if e.status == 401 {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"wfc\""),
        );
    }
    response
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
