//! Requests as the HTTP layer reads them: which endpoint a method and path
//! name, the query parameters of the feeds, and the JSON syntax of a body.
//! Pure functions over bytes, so that they can be tested (and fuzzed)
//! without a server: none of them panics, whatever it is given.

use serde_json::Value;

use crate::serve::api::{ApiError, Get, Post};

/// The default `limit` of a paged feed.
pub const DEFAULT_PAGE: usize = 1000;
/// The largest `limit` a feed accepts.
pub const MAX_PAGE: usize = 10_000;
/// The longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The endpoints, by path (the method is checked separately, for 405).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Healthz,
    Metrics,
    Deployments,
    Workflows,
    Records,
    Record(String),
    Events,
    History,
    Outbox,
    OutboxItem(String),
    Clock,
}

impl Route {
    /// The path template, for metrics and logs (never the ids themselves).
    pub fn template(&self) -> &'static str {
        match self {
            Route::Healthz => "/healthz",
            Route::Metrics => "/metrics",
            Route::Deployments => "/v1/deployments",
            Route::Workflows => "/v1/workflows",
            Route::Records => "/v1/records",
            Route::Record(_) => "/v1/records/{id}",
            Route::Events => "/v1/events",
            Route::History => "/v1/history",
            Route::Outbox => "/v1/outbox",
            Route::OutboxItem(_) => "/v1/outbox/{id}",
            Route::Clock => "/v1/clock",
        }
    }

    /// The methods the path answers to.
    pub fn methods(&self) -> &'static [&'static str] {
        match self {
            Route::Healthz
            | Route::Metrics
            | Route::Workflows
            | Route::Record(_)
            | Route::History
            | Route::Outbox => &["GET"],
            Route::Records => &["GET", "POST"],
            Route::Deployments | Route::Events | Route::OutboxItem(_) | Route::Clock => &["POST"],
        }
    }
}

/// What a request asks, once its method, path and query are read.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Healthz,
    Metrics,
    Get(Get),
    /// A POST; its body is read next.
    Post(PostTo),
}

/// The endpoint of a POST, waiting for its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostTo {
    Deployments,
    Records,
    Events,
    OutboxReport(String),
    Clock,
}

impl PostTo {
    pub fn with_body(self, body: Value) -> Post {
        match self {
            PostTo::Deployments => Post::Deployments(body),
            PostTo::Records => Post::Records(body),
            PostTo::Events => Post::Events(body),
            PostTo::OutboxReport(id) => Post::OutboxReport { id, body },
            PostTo::Clock => Post::Clock(body),
        }
    }
}

/// The route of a path, `None` when no endpoint has it (404).
pub fn route(path: &str) -> Option<Route> {
    let rest = match path {
        "/healthz" => return Some(Route::Healthz),
        "/metrics" => return Some(Route::Metrics),
        _ => path.strip_prefix("/v1/")?,
    };
    let (head, id) = match rest.split_once('/') {
        Some((head, id)) => (head, Some(id)),
        None => (rest, None),
    };
    let id = match id {
        None => None,
        Some(raw) => {
            if raw.is_empty() || raw.contains('/') {
                return None;
            }
            Some(percent_decode(raw)?)
        }
    };
    Some(match (head, id) {
        ("deployments", None) => Route::Deployments,
        ("workflows", None) => Route::Workflows,
        ("records", None) => Route::Records,
        ("records", Some(id)) => Route::Record(id),
        ("events", None) => Route::Events,
        ("history", None) => Route::History,
        ("outbox", None) => Route::Outbox,
        ("outbox", Some(id)) => Route::OutboxItem(id),
        ("clock", None) => Route::Clock,
        _ => return None,
    })
}

/// Method, route and query → what the request asks. 405 for a method the
/// route does not answer to, 400 naming the query parameter at fault.
pub fn target(method: &str, route: Route, query: Option<&str>) -> Result<Target, ApiError> {
    if !route.methods().contains(&method) {
        return Err(ApiError::new(
            405,
            "method_not_allowed",
            format!(
                "{} takes {}, not {}",
                route.template(),
                route.methods().join(" or "),
                crate::diagnostics::shorten(method)
            ),
        ));
    }
    let q = Query::parse(query.unwrap_or(""))?;
    Ok(match (method, route) {
        (_, Route::Healthz) => Target::Healthz,
        (_, Route::Metrics) => Target::Metrics,
        ("GET", Route::Workflows) => {
            q.only(&[])?;
            Target::Get(Get::Workflows)
        }
        ("GET", Route::Record(id)) => {
            q.only(&[])?;
            Target::Get(Get::Record(id))
        }
        ("GET", Route::Records) => {
            q.only(&["after", "limit"])?;
            Target::Get(Get::Records {
                after: q.get("after").map(str::to_string),
                limit: q.limit()?,
            })
        }
        ("GET", Route::History) => {
            q.only(&["after", "limit", "record", "workflow"])?;
            Target::Get(Get::History {
                after: q.seq("after")?,
                limit: q.limit()?,
                record: q.get("record").map(str::to_string),
                workflow: q.get("workflow").map(str::to_string),
            })
        }
        ("GET", Route::Outbox) => {
            q.only(&["after", "limit"])?;
            Target::Get(Get::Outbox {
                after: q.seq("after")?,
                limit: q.limit()?,
            })
        }
        (_, route) => {
            q.only(&[])?;
            Target::Post(match route {
                Route::Deployments => PostTo::Deployments,
                Route::Records => PostTo::Records,
                Route::Events => PostTo::Events,
                Route::OutboxItem(id) => PostTo::OutboxReport(id),
                _ => PostTo::Clock,
            })
        }
    })
}

/// A body's JSON: 400 naming the line and column of a syntax error.
pub fn json_body(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "the request has no body: expected a JSON document",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let mut what = e.to_string();
        if let Some(i) = what.rfind(" at line ") {
            what.truncate(i);
        }
        ApiError::bad_request(format!(
            "malformed JSON at line {}, column {}: {what}",
            e.line(),
            e.column()
        ))
    })
}

/// An `Idempotency-Key` header value: 1 to 255 visible ASCII characters.
pub fn idempotency_key(raw: &[u8]) -> Result<String, ApiError> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_IDEMPOTENCY_KEY
        && raw.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    match std::str::from_utf8(raw) {
        Ok(s) if ok && !s.trim().is_empty() => Ok(s.to_string()),
        _ => Err(ApiError::bad_request(format!(
            "the Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"
        ))),
    }
}

/// Decoded `name=value` pairs of a query string.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: &str) -> Result<Query, ApiError> {
        let mut out: Vec<(String, String)> = Vec::new();
        for pair in raw.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = percent_decode(name).ok_or_else(|| {
                ApiError::bad_request("a query parameter name is not valid percent-encoded UTF-8")
            })?;
            let value = percent_decode(value).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "query parameter `{}`: the value is not valid percent-encoded UTF-8",
                    crate::diagnostics::shorten(&name)
                ))
            })?;
            if out.iter().any(|(n, _)| *n == name) {
                return Err(ApiError::bad_request(format!(
                    "query parameter `{}` is given twice",
                    crate::diagnostics::shorten(&name)
                )));
            }
            out.push((name, value));
        }
        Ok(Query(out))
    }

    /// 400 for a parameter not in `allowed`.
    fn only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        match self.0.iter().find(|(n, _)| !allowed.contains(&n.as_str())) {
            None => Ok(()),
            Some((n, _)) => Err(ApiError::bad_request(if allowed.is_empty() {
                format!(
                    "unknown query parameter `{}` (this endpoint takes none)",
                    crate::diagnostics::shorten(n)
                )
            } else {
                format!(
                    "unknown query parameter `{}` (expected {})",
                    crate::diagnostics::shorten(n),
                    allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })),
        }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A sequence number cursor (default 0).
    fn seq(&self, name: &str) -> Result<u64, ApiError> {
        match self.get(name) {
            None => Ok(0),
            Some(v) => v.parse::<u64>().map_err(|_| {
                ApiError::bad_request(format!(
                    "query parameter `{name}` must be a sequence number (0 or more), not `{}`",
                    crate::diagnostics::shorten(v)
                ))
            }),
        }
    }

    fn limit(&self) -> Result<usize, ApiError> {
        match self.get("limit") {
            None => Ok(DEFAULT_PAGE),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
                _ => Err(ApiError::bad_request(format!(
                    "query parameter `limit` must be a number from 1 to {MAX_PAGE}, not `{}`",
                    crate::diagnostics::shorten(v)
                ))),
            },
        }
    }
}

/// `%XX` escapes and `+` (a space) decoded; `None` for a broken escape or
/// text that is not UTF-8.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str, query: &str) -> Result<Target, ApiError> {
        let route = route(path).ok_or_else(|| ApiError::new(404, "not_found", path))?;
        target("GET", route, Some(query))
    }

    #[test]
    fn routes_and_ids() {
        assert_eq!(
            route("/v1/records/a%20b"),
            Some(Route::Record("a b".into()))
        );
        assert_eq!(
            route("/v1/outbox/o-1"),
            Some(Route::OutboxItem("o-1".into()))
        );
        for missing in [
            "/",
            "/v1",
            "/v1/",
            "/v1/records/",
            "/v1/records/a/b",
            "/v2/records",
            "/v1/clock/x",
            "/healthz/",
        ] {
            assert_eq!(route(missing), None, "{missing}");
        }
        assert_eq!(route("/v1/records/%zz"), None);
    }

    #[test]
    fn feeds_read_their_cursors() {
        assert_eq!(
            get("/v1/history", "after=5&limit=2&record=c%2B1&workflow=A+B").unwrap(),
            Target::Get(Get::History {
                after: 5,
                limit: 2,
                record: Some("c+1".into()),
                workflow: Some("A B".into())
            })
        );
        assert_eq!(
            get("/v1/records", "").unwrap(),
            Target::Get(Get::Records {
                after: None,
                limit: DEFAULT_PAGE
            })
        );
        let msg = |q: &str| get("/v1/history", q).unwrap_err().message;
        assert!(msg("after=-1").contains("`after`"));
        assert!(msg("limit=0").contains("`limit`"));
        assert!(msg("limit=99999").contains("`limit`"));
        assert!(msg("befor=1").starts_with("unknown query parameter `befor`"));
        assert!(msg("after=1&after=2").contains("twice"));
        assert!(msg("record=%ff").contains("`record`"));
        assert_eq!(get("/v1/workflows", "x=1").unwrap_err().status, 400);
    }

    #[test]
    fn methods_are_checked() {
        let e = target("DELETE", Route::Records, None).unwrap_err();
        assert_eq!((e.status, e.code), (405, "method_not_allowed"));
        assert_eq!(
            target("POST", Route::OutboxItem("x".into()), None).unwrap(),
            Target::Post(PostTo::OutboxReport("x".into()))
        );
    }

    #[test]
    fn json_errors_name_line_and_column() {
        let e = json_body(b"{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert_eq!(e.status, 400);
        assert_eq!(
            e.message,
            "malformed JSON at line 3, column 7: expected `:`"
        );
        assert!(json_body(b"  ").unwrap_err().message.contains("no body"));
        assert!(json_body(b"[1, 2]").is_ok());
    }

    #[test]
    fn idempotency_keys_are_visible_ascii() {
        assert_eq!(idempotency_key(b"order-17").unwrap(), "order-17");
        assert!(idempotency_key(b"").is_err());
        assert!(idempotency_key(b"   ").is_err());
        assert!(idempotency_key(b"a\nb").is_err());
        assert!(idempotency_key(&[b'k'; 256]).is_err());
        assert!(idempotency_key("clé".as_bytes()).is_err());
    }
}
