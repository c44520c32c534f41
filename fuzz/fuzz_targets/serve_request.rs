//! Arbitrary bytes → the request decoders of `wfc serve` and the bundle
//! decoder behind `POST /v1/deployments`: the first line is `METHOD PATH?QUERY`,
//! the rest the body. Must return Ok or Err, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wfc::serve::http::decode;

fuzz_target!(|data: &[u8]| {
    let (head, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let (method, target) = head.split_once(' ').unwrap_or(("GET", &head));
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    if let Some(route) = decode::route(path) {
        let _ = decode::target(method, route, query);
    }
    let _ = decode::idempotency_key(body);
    if let Ok(value) = decode::json_body(body) {
        let _ = wfc::bundle::decode_deployment(&value);
    }
});
