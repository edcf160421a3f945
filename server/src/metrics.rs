//! The node's metrics, rendered on `GET /metrics` in the OpenMetrics text format by the
//! `prometheus-client` crate: counters and gauges of what the node does, and histograms of how
//! long its record writes and rooms take and how far behind deliveries run.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use std::time::Duration;

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The node's metrics. Cheap to update from any task (relaxed atomics inside); each field is
/// a handle, so a clone of it updates the same metric.
#[derive(Debug)]
pub struct Metrics {
    /// Open WebSocket connections.
    pub connections: Gauge,
    /// Rooms loaded on this node.
    pub rooms: Gauge,
    /// Events this node appended to the record.
    pub events_appended: Counter,
    /// Appends this node made to the record: one write each, however many events (fewer than
    /// the commands when rooms append waiting commands together).
    pub appends: Counter,
    /// Frames written to WebSocket clients.
    pub frames_sent: Counter,
    /// Connections closed because their send queue was full (slow consumers).
    pub send_queue_drops: Counter,
    /// Commands refused by the domain core.
    pub commands_rejected: Counter,
    /// Tokens refused.
    pub auth_failures: Counter,
    /// Appends that lost a race and were decided again.
    pub append_conflicts: Counter,
    /// Room actors started (a room loaded from its record, or being created). Rooms that do
    /// not exist are never loaded, so looking them up does not count here.
    pub room_loads: Counter,
    /// Open TCP connections admitted, within the limits or in the health reserve (HTTP and WebSocket).
    pub http_connections: Gauge,
    /// Connections over a connection limit answered from the health reserve.
    pub connections_limited: Counter,
    /// Connections over a connection limit closed at accept (the reserve was full).
    pub connections_refused: Counter,
    /// HTTP connections closed by the header-read or the idle timeout.
    pub connection_timeouts: Counter,
    /// Failed `accept` calls (e.g. out of file descriptors).
    pub accept_errors: Counter,
    /// REST requests refused with `429`.
    pub api_rate_limited: Counter,
    /// WebSocket upgrades refused for their `Origin`.
    pub origins_refused: Counter,
    /// 1 while `/healthz` reports `degraded`, else 0.
    pub health_degraded: Gauge,
    /// Free bytes for the embedded record's data directory (-1 when not measured).
    pub data_free_bytes: Gauge,
    /// Seconds a room waits for one append to the record (queueing, the write, the commit).
    pub append_seconds: Histogram,
    /// Seconds the embedded engine takes to commit one batch of appends (its fsync included).
    pub commit_seconds: Histogram,
    /// Seconds a room core takes for one input: deciding, folding and encoding what it sends.
    pub room_input_seconds: Histogram,
    /// Seconds from an event's `ts` (when it was decided) to its frames being queued for this
    /// node's connections, for events this node appended.
    pub delivery_lag_seconds: Histogram,
    /// Messages waiting in a room's mailbox when it takes the next one.
    pub mailbox_depth: Histogram,
}

/// Buckets of durations: 50 µs to about 26 s, doubling. A histogram locks on each observation:
/// observe per room input, append or event, never per connection or frame (the fan-out path).
fn seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 20))
}

/// Buckets of queue depths: 1 to 4,096, doubling.
fn depth() -> Histogram {
    Histogram::new(exponential_buckets(1.0, 2.0, 13))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            connections: Gauge::default(),
            rooms: Gauge::default(),
            events_appended: Counter::default(),
            appends: Counter::default(),
            frames_sent: Counter::default(),
            send_queue_drops: Counter::default(),
            commands_rejected: Counter::default(),
            auth_failures: Counter::default(),
            append_conflicts: Counter::default(),
            room_loads: Counter::default(),
            http_connections: Gauge::default(),
            connections_limited: Counter::default(),
            connections_refused: Counter::default(),
            connection_timeouts: Counter::default(),
            accept_errors: Counter::default(),
            api_rate_limited: Counter::default(),
            origins_refused: Counter::default(),
            health_degraded: Gauge::default(),
            data_free_bytes: Gauge::default(),
            append_seconds: seconds(),
            commit_seconds: seconds(),
            room_input_seconds: seconds(),
            delivery_lag_seconds: seconds(),
            mailbox_depth: depth(),
        }
    }
}

impl Metrics {
    /// Adds `n` to a counter.
    pub fn add(counter: &Counter, n: u64) {
        counter.inc_by(n);
    }

    /// Records a duration in a histogram of seconds.
    pub fn observe(histogram: &Histogram, took: Duration) {
        histogram.observe(took.as_secs_f64());
    }

    /// Every metric in the OpenMetrics text format ([`CONTENT_TYPE`]); counters are named
    /// with the `_total` suffix, histograms in seconds with `_seconds`.
    pub fn render(&self) -> String {
        let mut registry = Registry::default();
        let gauges = [
            (
                "baraza_connections",
                "Open WebSocket connections.",
                &self.connections,
            ),
            ("baraza_rooms", "Rooms loaded on this node.", &self.rooms),
            (
                "baraza_http_connections",
                "Open TCP connections admitted, within the limits or in the health reserve (HTTP and WebSocket).",
                &self.http_connections,
            ),
            (
                "baraza_health_degraded",
                "1 while /healthz reports degraded, else 0.",
                &self.health_degraded,
            ),
            (
                "baraza_data_free_bytes",
                "Free bytes for the embedded record's data directory (-1: not measured).",
                &self.data_free_bytes,
            ),
        ];
        for (name, help, gauge) in gauges {
            registry.register(name, help, gauge.clone());
        }
        let counters = [
            (
                "baraza_room_loads",
                "Room actors started (rooms loaded from the record or being created).",
                &self.room_loads,
            ),
            (
                "baraza_events_appended",
                "Events appended to the record by this node.",
                &self.events_appended,
            ),
            (
                "baraza_appends",
                "Appends to the record by this node (one write each, however many events).",
                &self.appends,
            ),
            (
                "baraza_frames_sent",
                "Frames written to WebSocket clients.",
                &self.frames_sent,
            ),
            (
                "baraza_send_queue_drops",
                "Connections closed because their send queue was full.",
                &self.send_queue_drops,
            ),
            (
                "baraza_commands_rejected",
                "Commands refused by the domain core.",
                &self.commands_rejected,
            ),
            (
                "baraza_auth_failures",
                "Tokens refused.",
                &self.auth_failures,
            ),
            (
                "baraza_append_conflicts",
                "Appends that lost a race and were decided again.",
                &self.append_conflicts,
            ),
            (
                "baraza_connections_limited",
                "Connections over a connection limit answered from the health reserve.",
                &self.connections_limited,
            ),
            (
                "baraza_connections_refused",
                "Connections over a connection limit closed at accept.",
                &self.connections_refused,
            ),
            (
                "baraza_connection_timeouts",
                "HTTP connections closed by the header-read or idle timeout.",
                &self.connection_timeouts,
            ),
            (
                "baraza_accept_errors",
                "Failed accept calls (e.g. out of file descriptors).",
                &self.accept_errors,
            ),
            (
                "baraza_api_rate_limited",
                "REST requests refused with 429.",
                &self.api_rate_limited,
            ),
            (
                "baraza_origins_refused",
                "WebSocket upgrades refused for their Origin.",
                &self.origins_refused,
            ),
        ];
        for (name, help, counter) in counters {
            registry.register(name, help, counter.clone());
        }
        let timings = [
            (
                "baraza_append",
                "Time a room waits for one append to the record (queueing, write, commit).",
                &self.append_seconds,
            ),
            (
                "baraza_commit",
                "Time the embedded engine takes to commit one batch of appends, fsync included.",
                &self.commit_seconds,
            ),
            (
                "baraza_room_input",
                "Time a room core takes for one input (decide, fold, encode).",
                &self.room_input_seconds,
            ),
            (
                "baraza_delivery_lag",
                "Time from an event's ts to its frames being queued for this node's connections.",
                &self.delivery_lag_seconds,
            ),
        ];
        for (name, help, histogram) in timings {
            registry.register_with_unit(name, help, Unit::Seconds, histogram.clone());
        }
        registry.register(
            "baraza_mailbox_depth",
            "Messages waiting in a room's mailbox when it takes the next one.",
            self.mailbox_depth.clone(),
        );
        let mut text = String::new();
        encode(&mut text, &registry).expect("writing to a String cannot fail");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let metrics = Metrics::default();
        Metrics::add(&metrics.events_appended, 3);
        metrics.connections.inc_by(2);
        Metrics::observe(&metrics.append_seconds, Duration::from_micros(700));
        metrics.mailbox_depth.observe(3.0);
        let text = metrics.render();
        assert!(
            text.contains(
                "# TYPE baraza_events_appended counter\nbaraza_events_appended_total 3\n"
            ),
            "{text}"
        );
        assert!(text.contains("baraza_connections 2\n"), "{text}");
        assert!(text.contains("baraza_send_queue_drops_total 0\n"), "{text}");
        // 700 µs falls in the bucket up to 800 µs and every larger one, not the one up to 400 µs.
        assert!(
            text.contains("# TYPE baraza_append_seconds histogram\n"),
            "{text}"
        );
        assert!(text.contains("baraza_append_seconds_count 1\n"), "{text}");
        assert!(
            text.contains("baraza_append_seconds_bucket{le=\"0.0008\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("baraza_append_seconds_bucket{le=\"0.0004\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("baraza_mailbox_depth_bucket{le=\"4.0\"} 1\n"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
