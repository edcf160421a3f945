//! Counters and gauges of one node, rendered as Prometheus text on `GET /metrics`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// The node's metrics. Cheap to update from any task (relaxed atomics).
#[derive(Debug, Default)]
pub struct Metrics {
    /// Open WebSocket connections.
    pub connections: AtomicI64,
    /// Rooms loaded on this node.
    pub rooms: AtomicI64,
    /// Events this node appended to the record.
    pub events_appended: AtomicU64,
    /// Appends this node made to the record: one write each, however many events (fewer than
    /// the commands when rooms append waiting commands together).
    pub appends: AtomicU64,
    /// Frames written to WebSocket clients.
    pub frames_sent: AtomicU64,
    /// Connections closed because their send queue was full (slow consumers).
    pub send_queue_drops: AtomicU64,
    /// Commands refused by the domain core.
    pub commands_rejected: AtomicU64,
    /// Tokens refused.
    pub auth_failures: AtomicU64,
    /// Appends that lost a race and were decided again.
    pub append_conflicts: AtomicU64,
    /// Room actors started (a room loaded from its record, or being created). Rooms that do
    /// not exist are never loaded, so looking them up does not count here.
    pub room_loads: AtomicU64,
    /// Open TCP connections admitted, within the limits or in the health reserve (HTTP and WebSocket).
    pub http_connections: AtomicI64,
    /// Connections over a connection limit answered from the health reserve.
    pub connections_limited: AtomicU64,
    /// Connections over a connection limit closed at accept (the reserve was full).
    pub connections_refused: AtomicU64,
    /// HTTP connections closed by the header-read or the idle timeout.
    pub connection_timeouts: AtomicU64,
    /// Failed `accept` calls (e.g. out of file descriptors).
    pub accept_errors: AtomicU64,
    /// REST requests refused with `429`.
    pub api_rate_limited: AtomicU64,
    /// WebSocket upgrades refused for their `Origin`.
    pub origins_refused: AtomicU64,
    /// 1 while `/healthz` reports `degraded`, else 0.
    pub health_degraded: AtomicI64,
    /// Free bytes for the embedded record's data directory (-1 when not measured).
    pub data_free_bytes: AtomicI64,
}

impl Metrics {
    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Renders every metric in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let gauges = [
            (
                "baraza_connections",
                "Open WebSocket connections.",
                self.connections.load(Ordering::Relaxed),
            ),
            (
                "baraza_rooms",
                "Rooms loaded on this node.",
                self.rooms.load(Ordering::Relaxed),
            ),
            (
                "baraza_http_connections",
                "Open TCP connections admitted, within the limits or in the health reserve (HTTP and WebSocket).",
                self.http_connections.load(Ordering::Relaxed),
            ),
            (
                "baraza_health_degraded",
                "1 while /healthz reports degraded, else 0.",
                self.health_degraded.load(Ordering::Relaxed),
            ),
            (
                "baraza_data_free_bytes",
                "Free bytes for the embedded record's data directory (-1: not measured).",
                self.data_free_bytes.load(Ordering::Relaxed),
            ),
        ];
        let counters = [
            (
                "baraza_room_loads_total",
                "Room actors started (rooms loaded from the record or being created).",
                &self.room_loads,
            ),
            (
                "baraza_events_appended_total",
                "Events appended to the record by this node.",
                &self.events_appended,
            ),
            (
                "baraza_appends_total",
                "Appends to the record by this node (one write each, however many events).",
                &self.appends,
            ),
            (
                "baraza_frames_sent_total",
                "Frames written to WebSocket clients.",
                &self.frames_sent,
            ),
            (
                "baraza_send_queue_drops_total",
                "Connections closed because their send queue was full.",
                &self.send_queue_drops,
            ),
            (
                "baraza_commands_rejected_total",
                "Commands refused by the domain core.",
                &self.commands_rejected,
            ),
            (
                "baraza_auth_failures_total",
                "Tokens refused.",
                &self.auth_failures,
            ),
            (
                "baraza_append_conflicts_total",
                "Appends that lost a race and were decided again.",
                &self.append_conflicts,
            ),
            (
                "baraza_connections_limited_total",
                "Connections over a connection limit answered from the health reserve.",
                &self.connections_limited,
            ),
            (
                "baraza_connections_refused_total",
                "Connections over a connection limit closed at accept.",
                &self.connections_refused,
            ),
            (
                "baraza_connection_timeouts_total",
                "HTTP connections closed by the header-read or idle timeout.",
                &self.connection_timeouts,
            ),
            (
                "baraza_accept_errors_total",
                "Failed accept calls (e.g. out of file descriptors).",
                &self.accept_errors,
            ),
            (
                "baraza_api_rate_limited_total",
                "REST requests refused with 429.",
                &self.api_rate_limited,
            ),
            (
                "baraza_origins_refused_total",
                "WebSocket upgrades refused for their Origin.",
                &self.origins_refused,
            ),
        ];
        let mut text = String::new();
        for (name, help, value) in gauges {
            let _ = writeln!(
                text,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        for (name, help, value) in counters {
            let value = value.load(Ordering::Relaxed);
            let _ = writeln!(
                text,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        }
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
        metrics.connections.fetch_add(2, Ordering::Relaxed);
        let text = metrics.render();
        assert!(text.contains(
            "# TYPE baraza_events_appended_total counter\nbaraza_events_appended_total 3\n"
        ));
        assert!(text.contains("baraza_connections 2\n"));
        assert!(text.contains("baraza_send_queue_drops_total 0\n"));
    }
}
