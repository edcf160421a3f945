//! One node's command connection to Redis, shared by the record and the presence registry:
//! every call is bounded by [`RESPONSE_TIMEOUT`], and while Redis is known to be unreachable
//! calls fail at once instead of each waiting out the timeout.
//!
//! Why: a room actor handles its mailbox one message at a time. When every call waited the
//! full timeout, each command queued behind another waited for all the timeouts ahead of it
//! (answers took 5–6 s during an outage). Now the first call that finds Redis unreachable
//! marks the link down; until a call succeeds again, one call at a time goes through as a
//! probe and every other call fails immediately with an I/O error, so answers stay within
//! about one timeout.

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, Pipeline, RedisError, RedisFuture, RedisResult, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long one Redis call may take before it counts as failed.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

/// A clonable connection to Redis (all clones share one connection and one health state).
#[derive(Clone)]
pub struct RedisLink {
    connection: ConnectionManager,
    health: Arc<Health>,
}

#[derive(Default)]
struct Health {
    /// The last call failed for want of Redis.
    down: AtomicBool,
    /// A call is under way that will tell whether Redis is back.
    probing: AtomicBool,
}

/// Whether a call may go to Redis.
enum Admission {
    Normal,
    Probe,
    Refused,
}

impl Health {
    fn admit(&self) -> Admission {
        if !self.down.load(Ordering::Acquire) {
            return Admission::Normal;
        }
        match self
            .probing
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => Admission::Probe,
            Err(_) => Admission::Refused,
        }
    }

    fn settle<T>(&self, admission: &Admission, result: &RedisResult<T>) {
        let unreachable = result.as_ref().err().is_some_and(means_unreachable);
        self.down.store(unreachable, Ordering::Release);
        if matches!(admission, Admission::Probe) {
            self.probing.store(false, Ordering::Release);
        }
    }
}

/// Errors that say Redis could not be reached (as opposed to an answer from Redis).
fn means_unreachable(error: &RedisError) -> bool {
    error.is_io_error()
        || error.is_timeout()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
}

fn refused() -> RedisError {
    RedisError::from(std::io::Error::new(
        std::io::ErrorKind::NotConnected,
        "redis is unreachable (a probe is under way)",
    ))
}

fn timed_out() -> RedisError {
    RedisError::from(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "redis did not answer in time",
    ))
}

impl RedisLink {
    /// Connects to `url` (`redis://host:port/db`). Fails if Redis cannot be reached now; once
    /// connected, the connection is re-established by itself after Redis comes back.
    pub async fn connect(url: &str) -> RedisResult<RedisLink> {
        let client = redis::Client::open(url)?;
        let connection = ConnectionManager::new_with_config(client, manager_config()).await?;
        Ok(RedisLink {
            connection,
            health: Arc::new(Health::default()),
        })
    }

    /// Whether the last call reached Redis.
    pub fn is_up(&self) -> bool {
        !self.health.down.load(Ordering::Acquire)
    }

    async fn guarded<T>(&mut self, call: impl Future<Output = RedisResult<T>>) -> RedisResult<T> {
        let admission = self.health.admit();
        if matches!(admission, Admission::Refused) {
            return Err(refused());
        }
        let result = match tokio::time::timeout(RESPONSE_TIMEOUT, call).await {
            Ok(result) => result,
            Err(_) => Err(timed_out()),
        };
        self.health.settle(&admission, &result);
        result
    }
}

/// Reconnects quickly and gives up on a call after [`RESPONSE_TIMEOUT`].
fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(RESPONSE_TIMEOUT))
        .set_number_of_retries(2)
        .set_min_delay(Duration::from_millis(50))
        .set_max_delay(Duration::from_secs(1))
}

impl ConnectionLike for RedisLink {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            self.guarded(async move { connection.req_packed_command(cmd).await })
                .await
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            self.guarded(async move {
                connection
                    .req_packed_commands(pipeline, offset, count)
                    .await
            })
            .await
        })
    }

    fn get_db(&self) -> i64 {
        self.connection.get_db()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn while_down_one_probe_goes_through_and_the_rest_fail_at_once() {
        let health = Health::default();
        assert!(matches!(health.admit(), Admission::Normal));
        health.settle::<()>(&Admission::Normal, &Err(timed_out()));
        let probe = health.admit();
        assert!(matches!(probe, Admission::Probe));
        assert!(matches!(health.admit(), Admission::Refused));
        health.settle(&probe, &Ok(()));
        assert!(matches!(health.admit(), Admission::Normal));
    }

    #[test]
    fn an_answer_from_redis_is_not_an_outage() {
        let health = Health::default();
        let answered: RedisResult<()> = Err(RedisError::from((
            redis::ErrorKind::UnexpectedReturnType,
            "not an integer",
        )));
        health.settle(&Admission::Normal, &answered);
        assert!(matches!(health.admit(), Admission::Normal));
    }
}
