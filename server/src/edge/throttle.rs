//! Keeping a flood from becoming a flood of log lines: a warning about refused connections
//! is written at most once per period, with how many were left unlogged since.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Lets one log line through per `period`.
#[derive(Debug)]
pub struct Throttle {
    period: Duration,
    last: Mutex<Option<Instant>>,
    suppressed: AtomicU64,
}

impl Throttle {
    /// A throttle that lets the first line through at once.
    pub fn every(period: Duration) -> Throttle {
        Throttle {
            period,
            last: Mutex::new(None),
            suppressed: AtomicU64::new(0),
        }
    }

    /// `Some(n)` when a line may be written now (`n` lines were suppressed since the last),
    /// `None` when this one is to be suppressed.
    pub fn ready(&self) -> Option<u64> {
        self.ready_at(Instant::now())
    }

    fn ready_at(&self, now: Instant) -> Option<u64> {
        let mut last = self.last.lock().expect("throttle lock");
        if last.is_some_and(|at| now.saturating_duration_since(at) < self.period) {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        *last = Some(now);
        Some(self.suppressed.swap(0, Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_period_with_the_count_of_the_rest() {
        let throttle = Throttle::every(Duration::from_secs(10));
        let start = Instant::now();
        assert_eq!(throttle.ready_at(start), Some(0));
        for _ in 0..5 {
            assert_eq!(throttle.ready_at(start + Duration::from_secs(1)), None);
        }
        assert_eq!(throttle.ready_at(start + Duration::from_secs(10)), Some(5));
        assert_eq!(throttle.ready_at(start + Duration::from_secs(11)), None);
    }
}
