//! Webhook delivery: one HTTP attempt per call, its [`Outcome`], and when
//! to try again ([`next_attempt`]). The engine's outbox worker owns the
//! loop; this module owns the network.
//!
//! Every attempt:
//! - sends the JSON body serialised once, with `Content-Type:
//!   application/json`, exactly the bytes that are signed;
//! - carries `Idempotency-Key: <outbox item id>` (the same on every retry)
//!   and, with a secret, `X-Wfc-Signature-256: sha256=<hex HMAC-SHA256 of
//!   the body>`;
//! - times out after the sender's timeout (10 s in production), follows no
//!   redirect and uses no proxy (`HTTP_PROXY` and friends are ignored);
//! - goes through the SSRF guard ([`super::ssrf`]) unless private targets
//!   are allowed.

use std::error::Error as _;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use reqwest::header::{HeaderValue, CONTENT_TYPE, USER_AGENT};
use reqwest::{Method, Url};
use sha2::Sha256;

use super::ssrf::{refusal_in, GuardedResolver, Refusal};

pub use super::ssrf::forbidden;

/// The header that carries the body's signature.
pub const SIGNATURE_HEADER: &str = "X-Wfc-Signature-256";
/// The header that carries the outbox item id.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// The first wait after a failed attempt.
pub const FIRST_WAIT: chrono::TimeDelta = chrono::TimeDelta::minutes(1);
/// No wait between two attempts is longer.
pub const MAX_WAIT: chrono::TimeDelta = chrono::TimeDelta::hours(6);
/// No attempt is made later than this after the first one.
pub const GIVE_UP_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(3);

/// One webhook to send: an outbox item.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The outbox item id, sent as the `Idempotency-Key`.
    pub id: String,
    /// `GET` or `POST` (any HTTP method token is accepted).
    pub method: String,
    pub url: String,
    /// Sent as JSON whatever the method.
    pub body: serde_json::Value,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A 2xx answer.
    Delivered { status: u16 },
    /// Worth another try: a network error, a timeout, 429 or 5xx.
    Retry { reason: String },
    /// Never worth another try: any other status (3xx included, since
    /// redirects are not followed), an unparseable URL, a scheme other
    /// than http/https, an invalid method.
    Final { status: Option<u16>, reason: String },
    /// The SSRF guard refused the target; nothing was sent (unless the
    /// refusal came from the connected peer's address, the last check).
    Refused { reason: String },
}

/// Sends webhooks. One per engine: it holds the connection pool. Its
/// `Debug` form never shows the secret.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
    secret: Option<Arc<[u8]>>,
    timeout: Duration,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("allow_private", &self.allow_private)
            .field("signed", &self.secret.is_some())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Sender {
    /// `secret`: `WFC_WEBHOOK_SECRET` (signs bodies when set). `timeout`:
    /// 10 s in production; tests may shorten it. `allow_private`
    /// (`--allow-private-webhooks`) turns the SSRF guard off.
    pub fn new(
        allow_private: bool,
        secret: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Sender, String> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .http1_only()
            .referer(false);
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(GuardedResolver));
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot set up the webhook client: {}", chain(&e)))?;
        Ok(Sender {
            client,
            allow_private,
            secret: secret.map(Arc::from),
            timeout,
        })
    }

    /// One attempt at `d`. Never panics; every failure is an [`Outcome`].
    pub async fn send(&self, d: &Delivery) -> Outcome {
        let outcome = self.attempt(d).await;
        tracing::debug!(id = %d.id, method = %d.method, url = %d.url, ?outcome, "webhook attempt");
        outcome
    }

    async fn attempt(&self, d: &Delivery) -> Outcome {
        let url = match Url::parse(&d.url) {
            Ok(u) => u,
            Err(e) => return final_(None, format!("invalid URL: {e}")),
        };
        if let Err(o) = self.check_url(&url) {
            return o;
        }
        let method = match Method::from_bytes(d.method.to_ascii_uppercase().as_bytes()) {
            Ok(m) => m,
            Err(_) => return final_(None, format!("invalid HTTP method {:?}", d.method)),
        };
        let key = match HeaderValue::from_str(&d.id) {
            Ok(k) => k,
            Err(_) => {
                return final_(
                    None,
                    "the outbox item id cannot be sent as an Idempotency-Key header".to_string(),
                )
            }
        };
        // Serialised once: these exact bytes are signed and sent.
        let body = match serde_json::to_vec(&d.body) {
            Ok(b) => b,
            Err(e) => return final_(None, format!("cannot serialise the body: {e}")),
        };
        let mut req = self
            .client
            .request(method, url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, concat!("wfc/", env!("CARGO_PKG_VERSION")))
            .header(IDEMPOTENCY_HEADER, key);
        if let Some(secret) = &self.secret {
            req = req.header(SIGNATURE_HEADER, signature(secret, &body));
        }
        match req.body(body).send().await {
            Ok(resp) => {
                if !self.allow_private {
                    if let Some(o) = peer_refusal(resp.remote_addr().map(|a| a.ip())) {
                        return o;
                    }
                }
                classify_status(resp.status())
            }
            Err(e) => self.classify_error(&e),
        }
    }

    /// The checks made before anything is resolved or sent: the scheme,
    /// and the SSRF guard on an IP literal host.
    fn check_url(&self, url: &Url) -> Result<(), Outcome> {
        match url.scheme() {
            "http" | "https" => {}
            other => {
                return Err(final_(
                    None,
                    format!("unsupported URL scheme {other:?}: only http and https are sent"),
                ))
            }
        }
        if self.allow_private {
            return Ok(());
        }
        match preflight(url) {
            Some(r) => Err(Outcome::Refused {
                reason: r.to_string(),
            }),
            None => Ok(()),
        }
    }

    fn classify_error(&self, e: &reqwest::Error) -> Outcome {
        if let Some(r) = refusal_in(e) {
            return Outcome::Refused {
                reason: r.to_string(),
            };
        }
        if e.is_timeout() {
            return Outcome::Retry {
                reason: format!("timed out after {}", human(self.timeout)),
            };
        }
        if e.is_builder() {
            return final_(None, format!("cannot build the request: {}", chain(e)));
        }
        let what = if e.is_connect() {
            "cannot connect"
        } else {
            "network error"
        };
        Outcome::Retry {
            reason: format!("{what}: {}", chain(e)),
        }
    }
}

/// The SSRF guard's verdict on a URL whose host is an IP literal (host
/// names are judged by the resolver, when they are resolved). `None` when
/// the URL has no host or a host name, or an allowed address.
pub fn preflight(url: &Url) -> Option<Refusal> {
    // The URL parser has already normalised IPv4 spellings (`2130706433`,
    // `0x7f.1`) to dotted quads and put IPv6 literals in brackets.
    let host = url.host_str()?;
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: IpAddr = bare.parse().ok()?;
    forbidden(ip).map(|why| Refusal {
        host: ip.to_string(),
        ip,
        why,
    })
}

/// The last check: the address the response actually came from.
fn peer_refusal(peer: Option<IpAddr>) -> Option<Outcome> {
    let ip = peer?;
    forbidden(ip).map(|why| Outcome::Refused {
        reason: format!("connected to {ip}, {why}"),
    })
}

/// 2xx delivered; 429 and 5xx retried; anything else final.
pub fn classify_status(status: reqwest::StatusCode) -> Outcome {
    let code = status.as_u16();
    let text = match status.canonical_reason() {
        Some(r) => format!("HTTP {code} {r}"),
        None => format!("HTTP {code}"),
    };
    if status.is_success() {
        Outcome::Delivered { status: code }
    } else if code == 429 || status.is_server_error() {
        Outcome::Retry { reason: text }
    } else if status.is_redirection() {
        final_(Some(code), format!("{text} (redirects are not followed)"))
    } else {
        final_(Some(code), text)
    }
}

fn final_(status: Option<u16>, reason: String) -> Outcome {
    Outcome::Final { status, reason }
}

/// An error and its causes, `a: b: c`, without repeats and without the URL
/// (the outbox item has it).
fn chain(e: &reqwest::Error) -> String {
    let top = e.to_string();
    let mut parts: Vec<String> = vec![match top.find(" for url (") {
        Some(i) => top[..i].to_string(),
        None => top,
    }];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p == &t) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}

fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// The signature header value: `sha256=<hex HMAC-SHA256 of body>`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable_hmac(),
    };
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for b in digest.iter() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cold]
fn unreachable_hmac() -> ! {
    // `Hmac::new_from_slice` fails only for fixed-key-size MACs.
    unreachable!("HMAC-SHA256 takes keys of any length")
}

/// When to try again after `attempts` failed attempts (1 = the first
/// failed), the first made at `first`: waits of 1 min, doubling, each
/// capped at 6 h, counted from `now`; `None` when that would be more than
/// 3 days after `first` (the item is then `failed`). `attempts = 0` (none
/// failed yet) is `now`.
pub fn next_attempt(
    first: DateTime<Utc>,
    attempts: u32,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let wait = wait_after(attempts);
    let next = now.checked_add_signed(wait)?;
    let deadline = first.checked_add_signed(GIVE_UP_AFTER)?;
    (next <= deadline).then_some(next)
}

/// The wait after `attempts` failed attempts: 0, then 1 min, 2, 4, …, 6 h.
pub fn wait_after(attempts: u32) -> chrono::TimeDelta {
    if attempts == 0 {
        return chrono::TimeDelta::zero();
    }
    // 2^9 min > 6 h: past that the cap holds, and the shift cannot overflow.
    let doublings = (attempts - 1).min(9);
    let wait = FIRST_WAIT * (1i32 << doublings);
    wait.min(MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn signature_matches_rfc_4231_test_case_2() {
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Keys longer than the block size are hashed first (test case 6).
        assert_eq!(
            signature(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        assert_eq!(
            signature(b"", b""),
            "sha256=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
        );
    }

    #[test]
    fn waits_double_from_one_minute_up_to_six_hours() {
        let minutes: Vec<i64> = (0..13).map(|a| wait_after(a).num_minutes()).collect();
        assert_eq!(
            minutes,
            [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360]
        );
        assert_eq!(wait_after(u32::MAX), MAX_WAIT);
    }

    #[test]
    fn the_schedule_of_a_webhook_that_always_fails() {
        // Attempts made exactly when due: 20 in all, the last 68 h 31 min
        // after the first, then failed.
        let first = t0();
        let mut now = first;
        let mut times = vec![now];
        let mut attempts = 0;
        loop {
            attempts += 1;
            match next_attempt(first, attempts, now) {
                Some(next) => {
                    assert!(next > now);
                    now = next;
                    times.push(now);
                }
                None => break,
            }
        }
        assert_eq!(times.len(), 20);
        assert_eq!(attempts, 20);
        let offsets: Vec<i64> = times.iter().map(|t| (*t - first).num_minutes()).collect();
        assert_eq!(&offsets[..10], &[0, 1, 3, 7, 15, 31, 63, 127, 255, 511]);
        assert_eq!(offsets[10], 511 + 360);
        assert_eq!(*offsets.last().unwrap(), 68 * 60 + 31);
    }

    #[test]
    fn exactly_three_days_is_still_allowed() {
        let first = t0();
        let now = first + GIVE_UP_AFTER - MAX_WAIT;
        assert_eq!(next_attempt(first, 12, now), Some(first + GIVE_UP_AFTER));
        let later = now + chrono::TimeDelta::seconds(1);
        assert_eq!(next_attempt(first, 12, later), None);
        assert_eq!(next_attempt(first, 0, first), Some(first));
    }

    #[test]
    fn statuses() {
        let s = |c: u16| classify_status(reqwest::StatusCode::from_u16(c).unwrap());
        assert_eq!(s(200), Outcome::Delivered { status: 200 });
        assert_eq!(s(204), Outcome::Delivered { status: 204 });
        assert_eq!(
            s(500),
            Outcome::Retry {
                reason: "HTTP 500 Internal Server Error".into()
            }
        );
        assert!(matches!(s(503), Outcome::Retry { .. }));
        assert!(matches!(s(429), Outcome::Retry { .. }));
        assert_eq!(
            s(404),
            Outcome::Final {
                status: Some(404),
                reason: "HTTP 404 Not Found".into()
            }
        );
        assert_eq!(
            s(302),
            Outcome::Final {
                status: Some(302),
                reason: "HTTP 302 Found (redirects are not followed)".into()
            }
        );
        assert!(matches!(s(400), Outcome::Final { .. }));
        assert!(matches!(s(408), Outcome::Final { .. }));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Sender::new(false, Some(b"hunter2".to_vec()), Duration::from_secs(10)).unwrap();
        let shown = format!("{s:?}");
        assert!(shown.contains("signed: true"), "{shown}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("104, 117"),
            "{shown}"
        );
    }

    #[test]
    fn peer_check() {
        assert!(matches!(
            peer_refusal(Some("127.0.0.1".parse().unwrap())),
            Some(Outcome::Refused { reason }) if reason == "connected to 127.0.0.1, a loopback address"
        ));
        assert_eq!(peer_refusal(Some("93.184.216.34".parse().unwrap())), None);
        assert_eq!(peer_refusal(None), None);
    }

    #[test]
    fn preflight_sees_every_spelling_of_an_ip_literal() {
        for url in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://[::1]:8080/x",
            "http://[::ffff:127.0.0.1]/",
            "https://10.1.2.3/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00::1]/",
        ] {
            let u = Url::parse(url).unwrap();
            assert!(preflight(&u).is_some(), "{url}");
        }
        for url in [
            "http://93.184.216.34/",
            "http://example.com/",
            "http://[2606:4700::1111]/",
        ] {
            assert_eq!(preflight(&Url::parse(url).unwrap()), None, "{url}");
        }
    }

    proptest! {
        #[test]
        fn next_attempt_is_bounded(attempts in 1u32..200, elapsed_min in 0i64..(4 * 24 * 60)) {
            let first = t0();
            let now = first + chrono::TimeDelta::minutes(elapsed_min);
            match next_attempt(first, attempts, now) {
                Some(next) => {
                    prop_assert!(next > now);
                    prop_assert!(next - now <= MAX_WAIT);
                    prop_assert!(next - now >= FIRST_WAIT);
                    prop_assert!(next <= first + GIVE_UP_AFTER);
                    prop_assert_eq!(next - now, wait_after(attempts));
                }
                None => prop_assert!(now + wait_after(attempts) > first + GIVE_UP_AFTER),
            }
        }

        #[test]
        fn waits_never_shrink(attempts in 1u32..1000) {
            prop_assert!(wait_after(attempts + 1) >= wait_after(attempts));
            prop_assert!(wait_after(attempts + 1) <= wait_after(attempts) * 2);
        }
    }
}
