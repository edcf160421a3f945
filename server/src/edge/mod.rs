//! The network edge of a node: what happens to a TCP connection before the HTTP router sees a
//! request, so that nobody can exhaust the node without a token.
//!
//! - [`admission`]: caps on open connections, in total and per source address, and the small
//!   reserve beyond them that still answers health checks.
//! - [`fd_limit`]: the open-file limit and the default caps derived from it.
//! - [`serve`]: the accept loop: HTTP/1.1 with header-read and idle timeouts, WebSocket
//!   upgrades, graceful shutdown.
//! - [`throttle`]: at most one warning per period about refused connections.
//!
//! What the router adds on top (security headers, allowed origins for WebSocket upgrades, the
//! REST rate limit, health) lives in [`crate::http`].

pub mod admission;
pub mod fd_limit;
pub mod serve;
pub mod throttle;

pub use admission::{Admission, AdmissionLimits};
pub use serve::{Routers, Timeouts, serve};

/// Everything the edge is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeConfig {
    /// Connection caps.
    pub limits: AdmissionLimits,
    /// HTTP timeouts.
    pub timeouts: Timeouts,
}

impl EdgeConfig {
    /// Caps derived from the process's open-file limit (raised to its hard limit first), the
    /// loopback range exempt from the per-source cap, 10 s for headers and 60 s idle.
    pub fn from_nofile_limit() -> EdgeConfig {
        let nofile = fd_limit::raise_nofile_limit();
        let health_reserve = fd_limit::DEFAULT_HEALTH_RESERVE;
        let max_connections = fd_limit::default_max_connections(nofile, health_reserve);
        EdgeConfig {
            limits: AdmissionLimits {
                max_connections,
                max_per_source: fd_limit::default_max_per_source(max_connections),
                health_reserve,
                exempt: loopback(),
            },
            timeouts: Timeouts {
                header: std::time::Duration::from_secs(10),
                idle: std::time::Duration::from_secs(60),
            },
        }
    }
}

/// `127.0.0.0/8` and `::1`: where a TLS proxy on the same machine connects from.
pub fn loopback() -> Vec<ipnet::IpNet> {
    vec![
        "127.0.0.0/8".parse().expect("a network"),
        "::1/128".parse().expect("a network"),
    ]
}
