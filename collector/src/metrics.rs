//! Counters and a latency histogram, rendered in the Prometheus text format at `/metrics`.
//! Labels are routes (the matched pattern, never the raw path) and status codes only: nothing
//! about who asked.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 13] =
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; LATENCY_BUCKETS.len()],
    sum_seconds: f64,
    count: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    pub records_accepted: AtomicU64,
    pub records_duplicate: AtomicU64,
    pub records_rejected: AtomicU64,
}

impl Metrics {
    pub(crate) fn observe_request(&self, route: &str, status: u16, elapsed: Duration) {
        *self
            .requests
            .lock()
            .expect("no panics under lock")
            .entry((route.to_owned(), status))
            .or_default() += 1;
        let seconds = elapsed.as_secs_f64();
        let mut latency = self.latency.lock().expect("no panics under lock");
        let histogram = latency.entry(route.to_owned()).or_default();
        for (count, bound) in histogram.counts.iter_mut().zip(LATENCY_BUCKETS) {
            *count += u64::from(seconds <= bound);
        }
        histogram.sum_seconds += seconds;
        histogram.count += 1;
    }

    pub(crate) fn count_records(&self, accepted: u64, duplicate: u64, rejected: u64) {
        self.records_accepted.fetch_add(accepted, Ordering::Relaxed);
        self.records_duplicate.fetch_add(duplicate, Ordering::Relaxed);
        self.records_rejected.fetch_add(rejected, Ordering::Relaxed);
    }

    /// The Prometheus text exposition format, version 0.0.4.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP piecerate_http_requests_total HTTP requests answered, by route and status.\n");
        out.push_str("# TYPE piecerate_http_requests_total counter\n");
        for ((route, status), count) in self.requests.lock().expect("no panics under lock").iter() {
            let _ = writeln!(
                out,
                "piecerate_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str("# HELP piecerate_records_total Uploaded records, by what became of them.\n");
        out.push_str("# TYPE piecerate_records_total counter\n");
        for (outcome, counter) in [
            ("accepted", &self.records_accepted),
            ("duplicate", &self.records_duplicate),
            ("rejected", &self.records_rejected),
        ] {
            let _ = writeln!(
                out,
                "piecerate_records_total{{outcome=\"{outcome}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        out.push_str(
            "# HELP piecerate_http_request_duration_seconds Time from request to response, by route.\n",
        );
        out.push_str("# TYPE piecerate_http_request_duration_seconds histogram\n");
        for (route, histogram) in self.latency.lock().expect("no panics under lock").iter() {
            for (count, bound) in histogram.counts.iter().zip(LATENCY_BUCKETS) {
                let _ = writeln!(
                    out,
                    "piecerate_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let name = "piecerate_http_request_duration_seconds";
            let _ = writeln!(out, "{name}_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", histogram.count);
            let _ = writeln!(out, "{name}_sum{{route=\"{route}\"}} {}", histogram.sum_seconds);
            let _ = writeln!(out, "{name}_count{{route=\"{route}\"}} {}", histogram.count);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.observe_request("/v1/records", 200, Duration::from_millis(3));
        metrics.observe_request("/v1/records", 422, Duration::from_millis(30));
        metrics.count_records(5, 2, 1);
        let text = metrics.render();
        assert!(text.contains("piecerate_http_requests_total{route=\"/v1/records\",status=\"422\"} 1"));
        assert!(text.contains("piecerate_records_total{outcome=\"duplicate\"} 2"));
        assert!(text.contains("_bucket{route=\"/v1/records\",le=\"0.005\"} 1\n"));
        assert!(text.contains("_bucket{route=\"/v1/records\",le=\"0.05\"} 2\n"));
        assert!(text.contains("_count{route=\"/v1/records\"} 2\n"));
    }
}
