//! `/metrics` in the Prometheus text format (version 0.0.4): the engine's
//! counters and gauges, and the request-latency histogram the HTTP layer
//! keeps per route.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::serve::api::EngineMetrics;

/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Clone, Debug, Default)]
struct Histogram {
    /// Per bucket, the observations at most its bound (not cumulative).
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// Request latencies per route template, and answers per route and status.
#[derive(Debug, Default)]
pub struct Latency {
    routes: BTreeMap<&'static str, Histogram>,
    answers: BTreeMap<(&'static str, u16), u64>,
}

impl Latency {
    pub fn observe(&mut self, route: &'static str, status: u16, seconds: f64) {
        let h = self.routes.entry(route).or_default();
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            h.counts[i] += 1;
        }
        h.sum += seconds;
        h.count += 1;
        *self.answers.entry((route, status)).or_default() += 1;
    }
}

/// The text of `/metrics`.
pub fn render(engine: &EngineMetrics, latency: &Latency) -> String {
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: String| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        let _ = writeln!(out, "{name} {value}");
    };
    metric(
        "wfc_inputs_accepted_total",
        "counter",
        "Inputs (records, events) durably accepted.",
        engine.inputs_accepted.to_string(),
    );
    metric(
        "wfc_steps_executed_total",
        "counter",
        "Workflow steps executed.",
        engine.steps_executed.to_string(),
    );
    metric(
        "wfc_inputs_skipped_total",
        "counter",
        "Events dropped when processed: unknown record, or enroll in a workflow not deployed (logged).",
        engine.inputs_skipped.to_string(),
    );
    metric(
        "wfc_active_enrollments",
        "gauge",
        "Records currently enrolled in a workflow.",
        engine.active_enrollments.to_string(),
    );
    metric(
        "wfc_timers_pending",
        "gauge",
        "Timers not yet run.",
        engine.timers_pending.to_string(),
    );
    metric(
        "wfc_oldest_due_timer_lag_seconds",
        "gauge",
        "Seconds since the oldest due, not yet run timer fell due (0: none).",
        float(engine.oldest_due_timer_lag_seconds),
    );
    metric(
        "wfc_outbox_pending",
        "gauge",
        "Outbox items waiting for delivery.",
        engine.outbox_pending.to_string(),
    );
    metric(
        "wfc_outbox_failed",
        "gauge",
        "Outbox items whose delivery failed for good.",
        engine.outbox_failed.to_string(),
    );

    let name = "wfc_http_request_duration_seconds";
    let _ = writeln!(out, "# HELP {name} Time to answer a request, per route.");
    let _ = writeln!(out, "# TYPE {name} histogram");
    for (route, h) in &latency.routes {
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(h.counts) {
            cumulative += n;
            let _ = writeln!(
                out,
                "{name}_bucket{{route=\"{route}\",le=\"{}\"}} {cumulative}",
                float(*bound)
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {}", float(h.sum));
        let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {}", h.count);
    }
    let name = "wfc_http_requests_total";
    let _ = writeln!(
        out,
        "# HELP {name} Requests answered, per route and status."
    );
    let _ = writeln!(out, "# TYPE {name} counter");
    for ((route, status), n) in &latency.answers {
        let _ = writeln!(out, "{name}{{route=\"{route}\",status=\"{status}\"}} {n}");
    }
    out
}

/// A float as Prometheus reads it (`NaN`, `+Inf` spelled its way).
fn float(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let mut l = Latency::default();
        l.observe("/v1/events", 202, 0.0004);
        l.observe("/v1/events", 202, 0.02);
        l.observe("/v1/events", 400, 30.0);
        let text = render(&EngineMetrics::default(), &l);
        let line = |prefix: &str| {
            text.lines()
                .find(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("{prefix} in\n{text}"))
                .to_string()
        };
        let b = "wfc_http_request_duration_seconds_bucket{route=\"/v1/events\",";
        assert_eq!(
            line(&format!("{b}le=\"0.001\"}}")),
            format!("{b}le=\"0.001\"}} 1")
        );
        assert_eq!(
            line(&format!("{b}le=\"0.025\"}}")),
            format!("{b}le=\"0.025\"}} 2")
        );
        assert_eq!(
            line(&format!("{b}le=\"10\"}}")),
            format!("{b}le=\"10\"}} 2")
        );
        assert_eq!(
            line(&format!("{b}le=\"+Inf\"}}")),
            format!("{b}le=\"+Inf\"}} 3")
        );
        assert!(text.contains("wfc_http_requests_total{route=\"/v1/events\",status=\"400\"} 1"));
        assert!(text.contains("\nwfc_oldest_due_timer_lag_seconds 0\n"));
    }
}
