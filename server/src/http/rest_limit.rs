//! The REST rate limit: one token bucket ([`RateLimiter`]) per caller, answering `429
//! rate_limited` with `Retry-After` when it is empty.
//!
//! Public forms (an organisation's application, which sends mail to the address it names) sit
//! behind a second, much slower limit of their own ([`FormRate`], [`limit_form`]), counted per
//! source address whatever token the request carries, so that the form cannot be used to flood
//! the secretariat's queue or third parties' mailboxes.
//!
//! A request with a valid bearer token is counted against the person it speaks for (so people
//! behind one proxy or NAT do not share a budget); any other request against its source address
//! (an IPv4 address or an IPv6 /64), so forged tokens cannot be tried at full speed. The token is
//! verified once here and the outcome handed to the [`Caller`](super::caller::Caller) extractor.
//!
//! Memory stays bounded: a bucket that has refilled is the same as no bucket and is forgotten
//! when the table grows; past [`MAX_BUCKETS`] callers that have spent tokens, newcomers share
//! one bucket until some refill.

use super::caller::{Authenticated, authenticate};
use super::error::HttpError;
use crate::edge::admission::Source;
use crate::hub::Hub;
use crate::hub::ratelimit::RateLimiter;
use crate::metrics::Metrics;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use baraza_proto::error::ErrorCode;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Most buckets kept at once.
pub const MAX_BUCKETS: usize = 100_000;

/// Requests per second and burst of the REST rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestRate {
    /// Requests per second on average.
    pub per_second: u32,
    /// Requests at once.
    pub burst: u32,
}

impl Default for RestRate {
    fn default() -> Self {
        RestRate {
            per_second: 50,
            burst: 200,
        }
    }
}

/// Submissions per hour and burst of the public forms' rate limit, per source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormRate {
    /// Submissions per hour on average.
    pub per_hour: u32,
    /// Submissions at once.
    pub burst: u32,
}

impl Default for FormRate {
    /// 20 an hour with a burst of 10: enough for a network's office to register its members
    /// from one address in an afternoon, far too few to flood anyone.
    fn default() -> Self {
        FormRate {
            per_hour: 20,
            burst: 10,
        }
    }
}

/// Whom a request is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallerKey {
    /// The person of a valid token.
    User(String),
    /// The source address of a request without a valid token.
    Source(Source),
    /// Everyone new while the table is full.
    Overflow,
}

/// Token buckets by caller. Cheap to share.
#[derive(Debug)]
pub struct RestLimiter {
    refill_per_second: f64,
    burst: u32,
    buckets: Mutex<Buckets>,
}

#[derive(Debug)]
struct Buckets {
    by_caller: HashMap<CallerKey, RateLimiter>,
    sweep_at: usize,
}

impl RestLimiter {
    /// Empty, with `rate` for every caller.
    pub fn new(rate: RestRate) -> RestLimiter {
        RestLimiter::with_refill(f64::from(rate.per_second.max(1)), rate.burst)
    }

    /// Empty, with the public forms' `rate` for every address.
    pub fn for_forms(rate: FormRate) -> RestLimiter {
        RestLimiter::with_refill(f64::from(rate.per_hour.max(1)) / 3_600.0, rate.burst)
    }

    fn with_refill(refill_per_second: f64, burst: u32) -> RestLimiter {
        RestLimiter {
            refill_per_second,
            burst,
            buckets: Mutex::new(Buckets {
                by_caller: HashMap::new(),
                sweep_at: 1_024,
            }),
        }
    }

    /// Takes one request's token for `key` at `now`, or says how long until one is available.
    ///
    /// Guarantees: over any window of `t` seconds a caller gets at most
    /// `burst + per_second * t` requests through.
    pub fn take(&self, key: CallerKey, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().expect("rest limiter lock");
        let buckets = &mut *buckets;
        let key = if buckets.by_caller.contains_key(&key) {
            key
        } else {
            if buckets.by_caller.len() >= buckets.sweep_at {
                buckets.by_caller.retain(|_, bucket| !bucket.is_full(now));
                buckets.sweep_at = (buckets.by_caller.len() * 2).clamp(1_024, MAX_BUCKETS);
            }
            if buckets.by_caller.len() >= MAX_BUCKETS {
                CallerKey::Overflow
            } else {
                key
            }
        };
        let (refill, burst) = (self.refill_per_second, self.burst);
        buckets
            .by_caller
            .entry(key)
            .or_insert_with(|| RateLimiter::with_refill(refill, burst, now))
            .take(now)
    }

    /// Buckets held (for tests of the bound).
    pub fn len(&self) -> usize {
        self.buckets
            .lock()
            .expect("rest limiter lock")
            .by_caller
            .len()
    }

    /// Whether no bucket is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Middleware of `/api/*`: authenticates the request once, counts it against its caller and
/// answers `429` with `Retry-After` (whole seconds, at least 1) when the caller is over the rate.
pub async fn limit_api(
    State((hub, limiter)): State<(Hub, Arc<RestLimiter>)>,
    mut request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let authenticated = authenticate(&parts, &hub);
    let key = match &authenticated {
        Ok(profile) => CallerKey::User(profile.user.to_string()),
        Err(_) => source_of(&parts),
    };
    if let Err(wait) = limiter.take(key, Instant::now()) {
        Metrics::add(&hub.metrics().api_rate_limited, 1);
        return too_many_requests(wait);
    }
    parts.extensions.insert(Authenticated(authenticated));
    request = Request::from_parts(parts, body);
    next.run(request).await
}

/// Middleware of the public forms, inside [`limit_api`]: counts each submission against its
/// source address at the [`FormRate`] and answers `429` with `Retry-After` when it is over.
pub async fn limit_form(
    State((hub, limiter)): State<(Hub, Arc<RestLimiter>)>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    if let Err(wait) = limiter.take(source_of(&parts), Instant::now()) {
        Metrics::add(&hub.metrics().api_rate_limited, 1);
        return too_many_requests(wait);
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The address a request came from, as a rate-limit key.
fn source_of(parts: &axum::http::request::Parts) -> CallerKey {
    let ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED.into());
    CallerKey::Source(Source::of(ip))
}

fn too_many_requests(wait: Duration) -> Response {
    let millis = wait.as_millis().max(1);
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = HttpError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        format!("too many requests; retry in {millis} ms (Retry-After)"),
    )
    .into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_caller_has_its_own_bucket() {
        let limiter = RestLimiter::new(RestRate {
            per_second: 1,
            burst: 2,
        });
        let now = Instant::now();
        let amina = || CallerKey::User("amina".into());
        assert!(limiter.take(amina(), now).is_ok());
        assert!(limiter.take(amina(), now).is_ok());
        let wait = limiter.take(amina(), now).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert!(limiter.take(CallerKey::User("chen".into()), now).is_ok());
        assert!(limiter.take(amina(), now + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn refilled_buckets_are_forgotten_so_the_table_stays_bounded() {
        let limiter = RestLimiter::new(RestRate {
            per_second: 100,
            burst: 1,
        });
        let start = Instant::now();
        for i in 0..5_000u32 {
            let at = start + Duration::from_millis(u64::from(i));
            limiter
                .take(CallerKey::User(format!("u{i}")), at)
                .expect("a fresh caller passes");
        }
        assert!(limiter.len() <= 2_048, "{} buckets", limiter.len());
    }

    #[test]
    fn the_form_rate_is_per_hour() {
        let limiter = RestLimiter::for_forms(FormRate {
            per_hour: 6,
            burst: 2,
        });
        let now = Instant::now();
        let office = || CallerKey::Source(Source::of([192, 0, 2, 7].into()));
        assert!(limiter.take(office(), now).is_ok());
        assert!(limiter.take(office(), now).is_ok());
        // Six an hour: the next one comes ten minutes later, not a second later.
        let wait = limiter.take(office(), now).unwrap_err();
        assert!(
            wait > Duration::from_secs(590) && wait <= Duration::from_secs(600),
            "{wait:?}"
        );
        assert!(
            limiter
                .take(office(), now + Duration::from_secs(1))
                .is_err()
        );
        assert!(
            limiter
                .take(office(), now + Duration::from_secs(600))
                .is_ok()
        );
    }

    #[test]
    fn retry_after_is_whole_seconds_and_never_zero() {
        let response = too_many_requests(Duration::from_millis(20));
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[RETRY_AFTER], "1");
        let response = too_many_requests(Duration::from_millis(2_500));
        assert_eq!(response.headers()[RETRY_AFTER], "3");
    }
}
