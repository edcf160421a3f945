//! The open-file limit (`RLIMIT_NOFILE`) and the connection caps derived from it.
//!
//! Every connection is a file descriptor; so are the record's files, Redis connections and the
//! listener. A node that accepts until `accept` fails with "Too many open files" can no longer
//! answer anyone, health checks included. So the node raises its soft limit to the hard limit
//! at start and, unless told otherwise, caps connections well below it.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Descriptors kept free for everything that is not a client connection: standard streams, the
/// listener, the runtime's epoll and event descriptors, the record's files, Redis connections,
/// the signing key read at start, and sockets being refused.
pub const FIXED_HEADROOM: u64 = 64;

/// Default cap on connections however high the limit is: memory, not descriptors, is then the
/// constraint.
pub const MAX_DEFAULT_CONNECTIONS: u64 = 100_000;

/// Default size of the health-check reserve beyond the cap.
pub const DEFAULT_HEALTH_RESERVE: usize = 16;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (never lowers it) and returns the soft
/// limit now in force. A limit the kernel reports as infinite counts as
/// [`MAX_DEFAULT_CONNECTIONS`] × 2.
pub fn raise_nofile_limit() -> u64 {
    let limit = getrlimit(Resource::Nofile);
    let infinite = MAX_DEFAULT_CONNECTIONS * 2;
    let soft = limit.current.unwrap_or(infinite);
    let hard = limit.maximum.unwrap_or(infinite);
    if hard > soft {
        let raised = Rlimit {
            current: Some(hard),
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => return hard,
            Err(error) => tracing::debug!(%error, "cannot raise RLIMIT_NOFILE to {hard}"),
        }
    }
    soft
}

/// The default cap on connections served normally for a soft limit of `nofile` descriptors:
/// the limit less [`FIXED_HEADROOM`] and the health reserve, at most
/// [`MAX_DEFAULT_CONNECTIONS`], at least 8.
pub fn default_max_connections(nofile: u64, health_reserve: usize) -> usize {
    let usable = nofile.saturating_sub(FIXED_HEADROOM + health_reserve as u64);
    usable.clamp(8, MAX_DEFAULT_CONNECTIONS) as usize
}

/// The default cap per source address: a quarter of the total (people behind one NAT share an
/// address), at least 8.
pub fn default_max_per_source(max_connections: usize) -> usize {
    (max_connections / 4).max(8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_stay_below_the_descriptor_limit() {
        assert_eq!(default_max_connections(1024, 16), 944);
        assert_eq!(default_max_connections(256, 16), 176);
        assert_eq!(default_max_connections(10_000_000, 16), 100_000);
        assert_eq!(default_max_connections(50, 16), 8);
        assert_eq!(default_max_per_source(944), 236);
        assert_eq!(default_max_per_source(8), 8);
    }

    #[test]
    fn raising_never_lowers_the_limit() {
        let before = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
        let now = raise_nofile_limit();
        assert!(now >= before.min(MAX_DEFAULT_CONNECTIONS * 2));
    }
}
