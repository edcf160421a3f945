//! Rate limits: a token bucket, with time passed in. Used per WebSocket connection (by the
//! session) and per REST caller (by `http::rest_limit`).

use std::time::{Duration, Instant};

/// A token bucket: `burst` messages at once, refilled at `per_second`.
///
/// Guarantees: over any window of `t` seconds at most `burst + per_second * t` messages pass.
/// A client that keeps sending while refused accumulates strikes; `is_abusive` tells when it
/// has been refused more than `burst * 4` times in a row, the point at which the connection
/// is closed rather than answered.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    tokens: f64,
    updated: Instant,
    strikes: u32,
}

impl RateLimiter {
    /// A full bucket at `now`.
    pub fn new(per_second: u32, burst: u32, now: Instant) -> RateLimiter {
        RateLimiter::with_refill(f64::from(per_second.max(1)), burst, now)
    }

    /// A full bucket at `now` that refills at `per_second` tokens a second, which may be a
    /// fraction (a limit per hour); a rate below one token an hour is raised to that.
    pub fn with_refill(per_second: f64, burst: u32, now: Instant) -> RateLimiter {
        let burst = f64::from(burst.max(1));
        RateLimiter {
            per_second: per_second.max(1.0 / 3_600.0),
            burst,
            tokens: burst,
            updated: now,
            strikes: 0,
        }
    }

    /// Takes one message's token at `now`, or says how long until one is available.
    pub fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.strikes = 0;
            Ok(())
        } else {
            self.strikes += 1;
            Err(Duration::from_secs_f64(
                (1.0 - self.tokens) / self.per_second,
            ))
        }
    }

    /// Whether the bucket would be full at `now`: forgetting it then changes nothing, since a new
    /// bucket starts full.
    pub fn is_full(&self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens + elapsed * self.per_second >= self.burst
    }

    /// Whether the client has ignored refusals long enough to be disconnected.
    pub fn is_abusive(&self) -> bool {
        f64::from(self.strikes) > self.burst * 4.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_rate_holds() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10, 5, start);
        for _ in 0..5 {
            assert!(limiter.take(start).is_ok());
        }
        let wait = limiter.take(start).unwrap_err();
        assert!(wait <= Duration::from_millis(100) && wait > Duration::ZERO);
        assert!(limiter.take(start + Duration::from_millis(100)).is_ok());
        assert!(limiter.take(start + Duration::from_millis(100)).is_err());
    }

    #[test]
    fn a_bucket_is_full_again_once_refilled() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10, 5, start);
        assert!(limiter.is_full(start));
        limiter.take(start).unwrap();
        assert!(!limiter.is_full(start));
        assert!(!limiter.is_full(start + Duration::from_millis(50)));
        assert!(limiter.is_full(start + Duration::from_millis(100)));
    }

    #[test]
    fn ignoring_refusals_becomes_abuse() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(1, 2, start);
        limiter.take(start).unwrap();
        limiter.take(start).unwrap();
        for _ in 0..8 {
            assert!(limiter.take(start).is_err());
            assert!(!limiter.is_abusive());
        }
        assert!(limiter.take(start).is_err());
        assert!(limiter.is_abusive());
        assert!(limiter.take(start + Duration::from_secs(2)).is_ok());
        assert!(
            !limiter.is_abusive(),
            "a message that passes clears the strikes"
        );
    }
}
