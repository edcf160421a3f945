//! Whether the node can do its job, as `/healthz` and `/metrics` tell it: `ok`, or `degraded`
//! with the reasons.
//!
//! Two checks:
//! - **Disk space** (embedded engine): free space for the data directory below the minimum
//!   (`--min-free-disk`). A full disk makes every append fail; this warns before it does.
//! - **Appends** (any engine): the last append to the record failed for a reason of the store
//!   (disk full, I/O error, Redis unreachable …) and none has succeeded since. A lost race
//!   (`Conflict`) is not a failure. [`ObservedStore`] reports every append's outcome.
//!
//! Each change of state is logged once (a warning naming the problem when it appears, an info
//! line when the node is healthy again) and sets the `baraza_health_degraded` gauge.

mod observed;

pub use observed::ObservedStore;

use crate::metrics::Metrics;
use crate::store::StoreError;
use baraza_proto::api::{HealthCheck, HealthProblem};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Default minimum of free bytes for the data directory: 256 MiB.
pub const DEFAULT_MIN_FREE_BYTES: u64 = 256 * 1024 * 1024;

/// What the health checks look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthConfig {
    /// The data directory whose free space is checked (`None`: no disk check, as on Redis).
    pub data_dir: Option<PathBuf>,
    /// Below this many free bytes the node is `degraded`.
    pub min_free_bytes: u64,
}

/// The node's health. Cheap to share.
#[derive(Debug)]
pub struct HealthMonitor {
    config: HealthConfig,
    metrics: Arc<Metrics>,
    append_failing: AtomicBool,
    append_error: Mutex<Option<String>>,
    reported: Mutex<Vec<HealthProblem>>,
}

impl HealthMonitor {
    /// A monitor that has seen no append yet.
    pub fn new(config: HealthConfig, metrics: Arc<Metrics>) -> Arc<HealthMonitor> {
        metrics.data_free_bytes.set(-1);
        Arc::new(HealthMonitor {
            config,
            metrics,
            append_failing: AtomicBool::new(false),
            append_error: Mutex::new(None),
            reported: Mutex::new(Vec::new()),
        })
    }

    /// Runs the checks now: the problems found (none means `ok`). Logs and sets the gauges when
    /// the outcome differs from the previous check's.
    pub fn check(&self) -> Vec<HealthProblem> {
        let mut problems = Vec::new();
        if let Some(dir) = &self.config.data_dir {
            match free_bytes(dir) {
                Ok(free) => {
                    let gauge = i64::try_from(free).unwrap_or(i64::MAX);
                    self.metrics.data_free_bytes.set(gauge);
                    if free < self.config.min_free_bytes {
                        problems.push(HealthProblem {
                            check: HealthCheck::DiskSpace,
                            message: format!(
                                "{free} bytes free for {}, below the minimum of {} \
                                 (--min-free-disk)",
                                dir.display(),
                                self.config.min_free_bytes
                            ),
                        });
                    }
                }
                Err(error) => problems.push(HealthProblem {
                    check: HealthCheck::DiskSpace,
                    message: format!("cannot measure free space for {}: {error}", dir.display()),
                }),
            }
        }
        if let Some(error) = self.append_error.lock().expect("health lock").clone() {
            problems.push(HealthProblem {
                check: HealthCheck::RecordAppend,
                message: format!("the last append to the record failed: {error}"),
            });
        }
        self.report(&problems);
        problems
    }

    /// Notes the outcome of an append. Cheap when nothing changes.
    pub fn observe_append(&self, outcome: &Result<(), StoreError>) {
        match outcome {
            Ok(()) => {
                if self.append_failing.swap(false, Ordering::Relaxed) {
                    *self.append_error.lock().expect("health lock") = None;
                    self.check();
                }
            }
            Err(StoreError::Conflict { .. }) => {}
            Err(error) => {
                *self.append_error.lock().expect("health lock") = Some(error.to_string());
                if !self.append_failing.swap(true, Ordering::Relaxed) {
                    self.check();
                }
            }
        }
    }

    fn report(&self, problems: &[HealthProblem]) {
        let mut reported = self.reported.lock().expect("health lock");
        let checks = |list: &[HealthProblem]| list.iter().map(|p| p.check).collect::<Vec<_>>();
        if checks(&reported) == checks(problems) {
            *reported = problems.to_vec();
            return;
        }
        for problem in problems {
            if !reported.iter().any(|p| p.check == problem.check) {
                tracing::warn!(check = ?problem.check, "health degraded: {}", problem.message);
            }
        }
        if problems.is_empty() {
            tracing::info!("health ok again");
        }
        self.metrics
            .health_degraded
            .set(i64::from(!problems.is_empty()));
        *reported = problems.to_vec();
    }
}

/// Bytes available to this (unprivileged) process on the file system holding `dir`.
fn free_bytes(dir: &std::path::Path) -> std::io::Result<u64> {
    let stat = rustix::fs::statvfs(dir)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitor(min_free_bytes: u64) -> (tempfile::TempDir, Arc<HealthMonitor>, Arc<Metrics>) {
        let dir = tempfile::tempdir().unwrap();
        let metrics = Arc::new(Metrics::default());
        let config = HealthConfig {
            data_dir: Some(dir.path().to_owned()),
            min_free_bytes,
        };
        (dir, HealthMonitor::new(config, metrics.clone()), metrics)
    }

    #[test]
    fn free_space_below_the_minimum_is_degraded_and_measured() {
        let (_dir, health, metrics) = monitor(u64::MAX);
        let problems = health.check();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].check, HealthCheck::DiskSpace);
        assert_eq!(metrics.health_degraded.get(), 1);
        assert!(metrics.data_free_bytes.get() > 0);
        let (_dir, health, metrics) = monitor(0);
        assert!(health.check().is_empty());
        assert_eq!(metrics.health_degraded.get(), 0);
    }

    #[test]
    fn a_failed_append_degrades_until_one_succeeds_and_lost_races_do_not() {
        let (_dir, health, metrics) = monitor(0);
        let room: baraza_proto::ids::RoomId = "rt".parse().unwrap();
        health.observe_append(&Err(StoreError::Conflict {
            room,
            expected: 1,
            actual: 2,
        }));
        assert!(health.check().is_empty());
        health.observe_append(&Err(StoreError::Unavailable(
            "database or disk is full".into(),
        )));
        assert_eq!(metrics.health_degraded.get(), 1);
        let problems = health.check();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].check, HealthCheck::RecordAppend);
        assert!(problems[0].message.contains("disk is full"), "{problems:?}");
        health.observe_append(&Ok(()));
        assert_eq!(metrics.health_degraded.get(), 0);
        assert!(health.check().is_empty());
    }
}
