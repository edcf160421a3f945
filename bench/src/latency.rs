//! Latency histograms shared by thousands of receiving tasks (sharded to avoid contention),
//! and the clock the speaker stamps statements with.

use hdrhistogram::Histogram;
use serde_json::{Value, json};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

const SHARDS: usize = 16;

/// Nanoseconds since the first call in this process: the speaker writes it into a statement
/// and a receiver in the same process subtracts it from its own reading.
pub fn now_ns() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// Milliseconds since the Unix epoch (to compare with an event's `ts`).
pub fn wall_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A histogram of microseconds that many tasks record into.
pub struct Recorder {
    shards: Vec<Mutex<Histogram<u64>>>,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::new()
    }
}

impl Recorder {
    /// An empty recorder for values from 1 µs to 10 minutes, 3 significant digits.
    pub fn new() -> Recorder {
        let shards = (0..SHARDS)
            .map(|_| {
                Mutex::new(Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid bounds"))
            })
            .collect();
        Recorder { shards }
    }

    /// Records `micros` (clamped into range) on behalf of receiver `who`.
    pub fn record(&self, who: usize, micros: u64) {
        let mut shard = self.shards[who % SHARDS].lock().expect("histogram lock");
        shard.saturating_record(micros.max(1));
    }

    /// All shards merged.
    pub fn merged(&self) -> Histogram<u64> {
        let mut all = Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid bounds");
        for shard in &self.shards {
            all.add(&*shard.lock().expect("histogram lock"))
                .expect("same bounds");
        }
        all
    }
}

/// Count and percentiles of a histogram of microseconds, in milliseconds.
pub fn summary(histogram: &Histogram<u64>) -> Value {
    let ms = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
    json!({
        "count": histogram.len(),
        "p50_ms": ms(0.5),
        "p99_ms": ms(0.99),
        "p999_ms": ms(0.999),
        "max_ms": histogram.max() as f64 / 1000.0,
    })
}
