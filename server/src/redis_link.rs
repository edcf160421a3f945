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
//!
//! On a Redis Cluster (see [`crate::redis_target`]) the link routes each command to the
//! master owning its key's slot and follows the slot map when it changes (failover, restart).
//! There, "down" is judged per hash slot: a failed master makes only the rooms whose slots it
//! owns fail fast, while rooms on the other masters carry on.

use crate::redis_target::RedisTarget;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::Slot;
use redis::{Arg, Cmd, Pipeline, RedisError, RedisFuture, RedisResult, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long one Redis call may take before it counts as failed.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

/// A clonable connection to Redis (all clones share one connection and one health state).
#[derive(Clone)]
pub struct RedisLink {
    connection: Connection,
    health: Arc<Healths>,
}

/// The connection underneath: one server, or every master of a cluster.
#[derive(Clone)]
enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

/// The health states of a link: one for a single server; on a cluster one per hash slot
/// (and `whole` for calls without a key).
#[derive(Default)]
struct Healths {
    whole: Arc<Health>,
    slots: Option<Mutex<HashMap<Slot, Arc<Health>>>>,
}

impl Healths {
    fn per_slot() -> Healths {
        Healths {
            whole: Arc::default(),
            slots: Some(Mutex::new(HashMap::new())),
        }
    }

    /// The health state that `cmd` is judged by.
    fn of(&self, cmd: Option<&Cmd>) -> Arc<Health> {
        match (&self.slots, cmd.and_then(first_key)) {
            (Some(slots), Some(key)) => slots
                .lock()
                .expect("slot health lock")
                .entry(Slot::for_key(key))
                .or_default()
                .clone(),
            _ => self.whole.clone(),
        }
    }

    fn any_down(&self) -> bool {
        self.whole.down.load(Ordering::Acquire)
            || self.slots.as_ref().is_some_and(|slots| {
                slots
                    .lock()
                    .expect("slot health lock")
                    .values()
                    .any(|health| health.down.load(Ordering::Acquire))
            })
    }
}

/// The key a cluster routes `cmd` by: the first key of a script call, else the first
/// argument after the command name (every keyed command Baraza sends has its key there).
fn first_key(cmd: &Cmd) -> Option<&[u8]> {
    let args: Vec<&[u8]> = cmd
        .args_iter()
        .filter_map(|arg| match arg {
            Arg::Simple(bytes) => Some(bytes),
            _ => None,
        })
        .collect();
    let name = args.first()?.to_ascii_uppercase();
    match name.as_slice() {
        b"EVAL" | b"EVALSHA" | b"EVAL_RO" | b"EVALSHA_RO" | b"FCALL" => {
            let keys: usize = std::str::from_utf8(args.get(2)?).ok()?.parse().ok()?;
            (keys > 0).then(|| args.get(3).copied()).flatten()
        }
        b"PING" | b"SCRIPT" | b"INFO" | b"CLUSTER" => None,
        _ => args.get(1).copied(),
    }
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
    /// Connects to `url`: `redis://host:port/db` for one server, `redis+cluster://h:p,h:p`
    /// for a cluster (see [`RedisTarget`]). Fails if Redis cannot be reached now; once
    /// connected, connections are re-established by themselves after Redis comes back.
    pub async fn connect(url: &str) -> RedisResult<RedisLink> {
        let target = RedisTarget::parse(url).map_err(|e| {
            RedisError::from((
                redis::ErrorKind::InvalidClientConfig,
                "bad redis url",
                e.to_string(),
            ))
        })?;
        match target {
            RedisTarget::Single(url) => {
                let client = redis::Client::open(url)?;
                let connection =
                    ConnectionManager::new_with_config(client, manager_config()).await?;
                Ok(RedisLink {
                    connection: Connection::Single(connection),
                    health: Arc::new(Healths::default()),
                })
            }
            RedisTarget::Cluster(nodes) => {
                let client = cluster_client(nodes).build()?;
                let connection = client.get_async_connection().await?;
                Ok(RedisLink {
                    connection: Connection::Cluster(connection),
                    health: Arc::new(Healths::per_slot()),
                })
            }
        }
    }

    /// Whether the last call reached Redis (on a cluster: the last call to every slot).
    pub fn is_up(&self) -> bool {
        !self.health.any_down()
    }

    /// Whether this link is to a Redis Cluster (whose pub/sub is sharded: see the broker).
    pub fn is_cluster(&self) -> bool {
        matches!(self.connection, Connection::Cluster(_))
    }

    async fn guarded<T>(
        &mut self,
        cmd: Option<&Cmd>,
        call: impl Future<Output = RedisResult<T>>,
    ) -> RedisResult<T> {
        let health = self.health.of(cmd);
        let admission = health.admit();
        if matches!(admission, Admission::Refused) {
            return Err(refused());
        }
        let result = match tokio::time::timeout(RESPONSE_TIMEOUT, call).await {
            Ok(result) => result,
            Err(_) => Err(timed_out()),
        };
        health.settle(&admission, &result);
        result
    }
}

/// A cluster client that connects, answers and gives up like [`manager_config`]: the caller's
/// [`RESPONSE_TIMEOUT`] bounds each call including the client's own retries.
pub(crate) fn cluster_client(nodes: Vec<String>) -> ClusterClientBuilder {
    ClusterClientBuilder::new(nodes)
        .connection_timeout(Duration::from_secs(1))
        .response_timeout(RESPONSE_TIMEOUT)
        .retries(3)
        .min_retry_wait(50)
        .max_retry_wait(500)
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
            let connection = self.connection.clone();
            self.guarded(Some(cmd), async move {
                match connection {
                    Connection::Single(mut c) => c.req_packed_command(cmd).await,
                    Connection::Cluster(mut c) => c.req_packed_command(cmd).await,
                }
            })
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
            let connection = self.connection.clone();
            self.guarded(None, async move {
                match connection {
                    Connection::Single(mut c) => {
                        c.req_packed_commands(pipeline, offset, count).await
                    }
                    Connection::Cluster(mut c) => {
                        c.req_packed_commands(pipeline, offset, count).await
                    }
                }
            })
            .await
        })
    }

    fn get_db(&self) -> i64 {
        match &self.connection {
            Connection::Single(c) => c.get_db(),
            Connection::Cluster(c) => c.get_db(),
        }
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
    fn on_a_cluster_one_slot_down_leaves_the_others_up() {
        let healths = Healths::per_slot();
        let append = |room: &str| {
            let mut cmd = redis::cmd("EVALSHA");
            cmd.arg("0123")
                .arg(2)
                .arg(format!("baraza:{{room:{room}}}:log"))
                .arg("x");
            cmd
        };
        let read = redis::cmd("XRANGE").arg("baraza:{room:a}:log").clone();
        let down = healths.of(Some(&append("a")));
        down.settle::<()>(&Admission::Normal, &Err(timed_out()));
        assert!(
            matches!(healths.of(Some(&read)).admit(), Admission::Probe),
            "same slot"
        );
        assert!(matches!(
            healths.of(Some(&read)).admit(),
            Admission::Refused
        ));
        for room in ["b", "c", "hlpf-2026"] {
            assert!(
                matches!(healths.of(Some(&append(room))).admit(), Admission::Normal),
                "room {room} has its own slot"
            );
        }
        assert!(healths.any_down());
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
