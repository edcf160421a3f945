//! Admission of TCP connections: a cap on open connections in total and per source address,
//! and a small reserve beyond the cap that answers health checks (and refuses everything else
//! with `503`) so that a node at its limit can still say so.
//!
//! Every admitted connection holds a [`Permit`] for as long as its socket is open (also after a
//! WebSocket upgrade); dropping the permit gives the place back.

use ipnet::IpNet;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

/// Connections a single source address may hold in the reserve at once.
pub const RESERVE_PER_SOURCE: usize = 2;

/// The limits a node admits connections under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmissionLimits {
    /// Open connections served normally, in total.
    pub max_connections: usize,
    /// Open connections served normally from one source (an IPv4 address or an IPv6 /64).
    pub max_per_source: usize,
    /// Connections beyond the limits that are still accepted to answer `/healthz` and
    /// `/metrics` (everything else gets `503`). Sources outside `exempt` share at most half of
    /// it, so that a flood from many addresses cannot lock out the monitoring of a trusted
    /// network.
    pub health_reserve: usize,
    /// Trusted sources: the per-source limit does not apply to them (a local TLS proxy carries
    /// many people) and half of the health reserve is kept for them.
    pub exempt: Vec<IpNet>,
}

/// A source of connections: an IPv4 address, or the /64 prefix of an IPv6 address (one host
/// usually holds a whole /64). IPv4-mapped IPv6 addresses count as their IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Source(IpAddr);

impl Source {
    /// The source an address belongs to.
    pub fn of(ip: IpAddr) -> Source {
        match ip {
            IpAddr::V4(v4) => Source(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Source(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    Source(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
        }
    }
}

/// How a connection was admitted.
#[derive(Debug)]
pub enum Admitted {
    /// Within the limits: served normally.
    Serve(Permit),
    /// Beyond a limit but within the reserve: served `/healthz` and `/metrics` only.
    Reserve(Permit, OverLimit),
    /// Beyond a limit and the reserve is full (for this source): closed at once.
    Refused(OverLimit),
}

/// Which limit a connection was over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverLimit {
    /// `max_connections`.
    Total,
    /// `max_per_source`.
    PerSource,
}

impl OverLimit {
    /// A label for logs and messages.
    pub fn describe(self) -> &'static str {
        match self {
            OverLimit::Total => "the node's connection limit",
            OverLimit::PerSource => "the connection limit per address",
        }
    }
}

/// The connection counts of a node. Cheap to share.
#[derive(Debug)]
pub struct Admission {
    limits: AdmissionLimits,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    served: usize,
    reserve: usize,
    /// Of `reserve`: held by sources outside `exempt`.
    reserve_untrusted: usize,
    served_by: HashMap<Source, usize>,
    reserve_by: HashMap<Source, usize>,
}

impl Admission {
    /// Counts starting at zero under `limits`.
    pub fn new(limits: AdmissionLimits) -> Arc<Admission> {
        Arc::new(Admission {
            limits,
            counts: Mutex::new(Counts::default()),
        })
    }

    /// The limits.
    pub fn limits(&self) -> &AdmissionLimits {
        &self.limits
    }

    /// Connections served normally right now.
    pub fn served(&self) -> usize {
        self.counts.lock().expect("admission lock").served
    }

    /// Decides about a new connection from `ip`.
    ///
    /// Guarantees: at most `max_connections` permits of kind `Serve` exist at once, at most
    /// `max_per_source` of them for one non-exempt source, at most `health_reserve` of kind
    /// `Reserve`, at most half of those for non-exempt sources together, and at most
    /// [`RESERVE_PER_SOURCE`] of those for one source (exempt or not).
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Admitted {
        let source = Source::of(ip);
        let exempt = self.limits.exempt.iter().any(|net| net.contains(&ip));
        let mut counts = self.counts.lock().expect("admission lock");
        let from_source = counts.served_by.get(&source).copied().unwrap_or(0);
        let over = if counts.served >= self.limits.max_connections {
            Some(OverLimit::Total)
        } else if !exempt && from_source >= self.limits.max_per_source {
            Some(OverLimit::PerSource)
        } else {
            None
        };
        let Some(over) = over else {
            counts.served += 1;
            *counts.served_by.entry(source).or_default() += 1;
            return Admitted::Serve(Permit {
                admission: self.clone(),
                source,
                reserve: None,
            });
        };
        let in_reserve = counts.reserve_by.get(&source).copied().unwrap_or(0);
        let untrusted_full = !exempt && counts.reserve_untrusted >= self.limits.health_reserve / 2;
        if counts.reserve >= self.limits.health_reserve
            || in_reserve >= RESERVE_PER_SOURCE
            || untrusted_full
        {
            return Admitted::Refused(over);
        }
        counts.reserve += 1;
        counts.reserve_untrusted += usize::from(!exempt);
        *counts.reserve_by.entry(source).or_default() += 1;
        Admitted::Reserve(
            Permit {
                admission: self.clone(),
                source,
                reserve: Some(Trust::of(exempt)),
            },
            over,
        )
    }

    fn release(&self, source: Source, reserve: Option<Trust>) {
        let mut counts = self.counts.lock().expect("admission lock");
        let counts = &mut *counts;
        if reserve == Some(Trust::Untrusted) {
            counts.reserve_untrusted = counts.reserve_untrusted.saturating_sub(1);
        }
        let (total, by) = if reserve.is_some() {
            (&mut counts.reserve, &mut counts.reserve_by)
        } else {
            (&mut counts.served, &mut counts.served_by)
        };
        *total = total.saturating_sub(1);
        if let Some(n) = by.get_mut(&source) {
            *n -= 1;
            if *n == 0 {
                by.remove(&source);
            }
        }
    }
}

/// Whether a source is in the exempt (trusted) networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    Trusted,
    Untrusted,
}

impl Trust {
    fn of(exempt: bool) -> Trust {
        if exempt {
            Trust::Trusted
        } else {
            Trust::Untrusted
        }
    }
}

/// A place taken by an open connection; dropping it gives the place back.
#[derive(Debug)]
pub struct Permit {
    admission: Arc<Admission>,
    source: Source,
    /// `None` when served normally; in the reserve, whether the source is trusted.
    reserve: Option<Trust>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.admission.release(self.source, self.reserve);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(total: usize, per_source: usize, reserve: usize) -> AdmissionLimits {
        AdmissionLimits {
            max_connections: total,
            max_per_source: per_source,
            health_reserve: reserve,
            exempt: vec!["127.0.0.0/8".parse().unwrap()],
        }
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_source_over_its_share_goes_to_the_reserve_then_is_refused() {
        let admission = Admission::new(limits(10, 2, 4));
        let a: Vec<_> = (0..2).map(|_| admission.admit(ip("10.0.0.1"))).collect();
        assert!(a.iter().all(|x| matches!(x, Admitted::Serve(_))));
        let r1 = admission.admit(ip("10.0.0.1"));
        let r2 = admission.admit(ip("10.0.0.1"));
        let r3 = admission.admit(ip("10.0.0.1"));
        assert!(matches!(r1, Admitted::Reserve(_, OverLimit::PerSource)));
        assert!(matches!(r2, Admitted::Reserve(_, OverLimit::PerSource)));
        assert!(matches!(r3, Admitted::Refused(OverLimit::PerSource)));
        assert!(matches!(
            admission.admit(ip("10.0.0.2")),
            Admitted::Serve(_)
        ));
        drop(a);
        assert!(matches!(
            admission.admit(ip("10.0.0.1")),
            Admitted::Serve(_)
        ));
    }

    #[test]
    fn the_total_cap_holds_and_exempt_sources_skip_only_the_per_source_cap() {
        let admission = Admission::new(limits(3, 1, 2));
        let held: Vec<_> = (0..3).map(|_| admission.admit(ip("127.0.0.1"))).collect();
        assert!(held.iter().all(|x| matches!(x, Admitted::Serve(_))));
        assert_eq!(admission.served(), 3);
        let reserve = admission.admit(ip("10.0.0.9"));
        assert!(matches!(reserve, Admitted::Reserve(_, OverLimit::Total)));
        assert!(matches!(
            admission.admit(ip("10.0.0.8")),
            Admitted::Refused(OverLimit::Total)
        ));
        drop(held);
        drop(reserve);
        assert_eq!(admission.served(), 0);
        let counts = admission.counts.lock().unwrap();
        assert!(counts.served_by.is_empty() && counts.reserve_by.is_empty());
    }

    #[test]
    fn sources_outside_the_exempt_networks_fill_at_most_half_of_the_reserve() {
        let admission = Admission::new(limits(1, 1, 4));
        let _served = admission.admit(ip("10.0.0.1"));
        let flood: Vec<_> = (2..6)
            .map(|host| admission.admit(ip(&format!("10.0.0.{host}"))))
            .collect();
        let kinds: Vec<_> = flood
            .iter()
            .map(|a| matches!(a, Admitted::Reserve(..)))
            .collect();
        assert_eq!(kinds, [true, true, false, false]);
        assert!(matches!(
            admission.admit(ip("127.0.0.1")),
            Admitted::Reserve(_, OverLimit::Total)
        ));
        drop(flood);
        assert!(matches!(
            admission.admit(ip("10.0.0.7")),
            Admitted::Reserve(_, OverLimit::Total)
        ));
    }

    #[test]
    fn ipv6_hosts_count_by_their_64_prefix_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            Source::of(ip("2001:db8:1:2:aaaa::1")),
            Source::of(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            Source::of(ip("2001:db8:1:2::1")),
            Source::of(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            Source::of(ip("::ffff:10.1.2.3")),
            Source::of(ip("10.1.2.3"))
        );
    }
}
