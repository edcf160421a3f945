//! Presence across nodes in Redis.
//!
//! - `baraza:{room:ID}:presence`: set of `node<TAB>user` entries.
//! - `baraza:{node:N}:epoch`: node N's fencing epoch. Each incarnation takes a new one
//!   (`INCR`); a node claiming N as dead increments it, superseding N's.
//! - `baraza:{node:N}:alive`: N's heartbeat (its epoch), expiring after the TTL. It is only
//!   refreshed while N's epoch is current.
//! - `baraza:{node:N}:claimed`: the epoch under which N was last claimed (one claim per epoch).
//! - `baraza:{node:N}:rooms`: rooms where the node registered members.
//! - `baraza:nodes`: every node that registered and was not cleaned up.
//!
//! Judging: a node claims another only after it has itself beaten without a break for a whole
//! TTL (so the other had a whole TTL, with Redis reachable, to beat) and still finds its
//! heartbeat missing. A Redis outage breaks every node's run of beats, so it never makes one
//! node take another for dead. Every script touches the keys of one node only, and every other
//! command one key, so this also runs on Redis Cluster.
//!
//! On a cluster, Redis can be partly down: the master holding node N's keys fails while this
//! node's own keys (on another master) keep beating. So a node also tracks, per other node,
//! since when it has reached that node's keys without a break, and judges N only after a whole
//! TTL of that too: when N's master comes back, N has a whole TTL to beat again before anyone
//! may take its missing heartbeat as evidence.
//!
//! Forgetting a claimed node is fenced by the epoch it was claimed under: if the node came
//! back meanwhile (and so took a new epoch and registered its rooms again), its rooms list is
//! left alone.

use super::{Heartbeat, Liveness, Presence, PresenceError};
use crate::redis_keys;
use crate::redis_link::RedisLink;
use async_trait::async_trait;
use baraza_proto::ids::{RoomId, UserId};
use redis::AsyncCommands;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Refreshes the heartbeat if the epoch is still ours; otherwise answers the current epoch.
/// KEYS: epoch, alive. ARGV: our epoch, TTL in ms. Returns 0 (beaten) or the current epoch.
const BEAT_SCRIPT: &str = r"
local current = redis.call('GET', KEYS[1])
if current == false then
  redis.call('SET', KEYS[1], ARGV[1])
  current = ARGV[1]
end
if tonumber(current) ~= tonumber(ARGV[1]) then
  return tonumber(current)
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 0
";

/// Claims a node whose heartbeat is missing, once per epoch, superseding its epoch.
/// KEYS: epoch, alive, claimed. Returns the new epoch if this call claimed it, else 0.
const CLAIM_SCRIPT: &str = r"
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
local current = redis.call('GET', KEYS[1]) or '0'
if redis.call('GET', KEYS[3]) == current then
  return 0
end
local next = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[3], tostring(next))
return next
";

/// Deletes a claimed node's rooms list unless the node took a new epoch since the claim.
/// KEYS: epoch, rooms. ARGV: the epoch the node was claimed under. Returns 1 if deleted.
const FORGET_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[2])
return 1
";

/// Presence of one node in a shared Redis.
pub struct RedisPresence {
    node: String,
    connection: RedisLink,
    liveness: Liveness,
    beat: redis::Script,
    claim: redis::Script,
    forget: redis::Script,
    state: Mutex<BeatState>,
    /// Per other node: how long its keys have been reachable without a break.
    reach: Mutex<HashMap<String, Run>>,
    /// Per claimed node: the epoch it was claimed under (fences [`Presence::forget_node`]).
    claimed: Mutex<HashMap<String, u64>>,
}

/// An unbroken run of successful calls.
#[derive(Debug, Clone, Copy)]
struct Run {
    since: Instant,
    last: Instant,
}

/// This node's run of successful heartbeats.
#[derive(Debug, Default)]
struct BeatState {
    /// This incarnation's epoch.
    epoch: u64,
    /// Since when this node has beaten without a break (`None` after a failure).
    connected_since: Option<Instant>,
    /// The last successful beat.
    last_ok: Option<Instant>,
    /// A beat has succeeded before (so a new run means a break, not the start).
    ever_connected: bool,
}

impl RedisPresence {
    /// Registers `node` (which must be unique among running nodes) over `connection`, taking a
    /// new epoch.
    pub async fn connect(
        connection: RedisLink,
        node: &str,
        liveness: Liveness,
    ) -> Result<RedisPresence, PresenceError> {
        let presence = RedisPresence {
            node: node.to_owned(),
            connection,
            liveness,
            beat: redis::Script::new(BEAT_SCRIPT),
            claim: redis::Script::new(CLAIM_SCRIPT),
            forget: redis::Script::new(FORGET_SCRIPT),
            state: Mutex::new(BeatState::default()),
            reach: Mutex::new(HashMap::new()),
            claimed: Mutex::new(HashMap::new()),
        };
        let epoch = presence.new_epoch().await?;
        presence.state().epoch = epoch;
        presence.register().await?;
        presence.heartbeat_and_claim_dead().await?;
        Ok(presence)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, BeatState> {
        self.state.lock().expect("presence state lock")
    }

    fn entry(node: &str, user: &UserId) -> String {
        format!("{node}\t{user}")
    }

    async fn new_epoch(&self) -> Result<u64, PresenceError> {
        let mut connection = self.connection.clone();
        connection
            .incr(redis_keys::node_epoch(&self.node), 1u64)
            .await
            .map_err(fail)
    }

    async fn register(&self) -> Result<(), PresenceError> {
        let mut connection = self.connection.clone();
        let _: i64 = connection
            .sadd(redis_keys::NODES, &self.node)
            .await
            .map_err(fail)?;
        Ok(())
    }

    /// Refreshes the heartbeat. Returns whether the node must re-establish its members.
    async fn beat(&self) -> Result<bool, PresenceError> {
        let mut connection = self.connection.clone();
        let epoch = self.state().epoch;
        let ttl = self.liveness.ttl.as_millis() as u64;
        let beaten: u64 = self
            .beat
            .key(redis_keys::node_epoch(&self.node))
            .key(redis_keys::node_alive(&self.node))
            .arg(epoch)
            .arg(ttl)
            .invoke_async(&mut connection)
            .await
            .map_err(fail)?;
        let superseded = beaten != 0;
        if superseded {
            // Another node took this one for dead: start a new epoch and beat under it.
            let epoch = self.new_epoch().await?;
            tracing::warn!(node = %self.node, epoch, "this node was declared dead by another; re-establishing its members");
            self.state().epoch = epoch;
            let _: u64 = self
                .beat
                .key(redis_keys::node_epoch(&self.node))
                .key(redis_keys::node_alive(&self.node))
                .arg(epoch)
                .arg(ttl)
                .invoke_async(&mut connection)
                .await
                .map_err(fail)?;
        }
        let now = Instant::now();
        let mut state = self.state();
        let unbroken = state.last_ok.is_some_and(|last| {
            now - last <= self.liveness.ttl.saturating_sub(self.liveness.beat_every)
        });
        let broke = !unbroken || state.connected_since.is_none();
        if broke {
            state.connected_since = Some(now);
        }
        let reconnected = broke && state.ever_connected;
        state.ever_connected = true;
        state.last_ok = Some(now);
        Ok(superseded || reconnected)
    }

    fn beat_failed(&self) {
        self.state().connected_since = None;
    }

    /// Whether this node has seen Redis without a break for a whole TTL, so a heartbeat
    /// missing now was missing while Redis was reachable.
    fn can_judge(&self) -> bool {
        let state = self.state();
        let now = Instant::now();
        state
            .connected_since
            .is_some_and(|since| now - since >= self.liveness.ttl)
            && state
                .last_ok
                .is_some_and(|last| now - last <= self.liveness.ttl)
    }

    /// Notes whether `node`'s keys were reached just now.
    fn reached(&self, node: &str, ok: bool) {
        let mut reach = self.reach.lock().expect("presence reach lock");
        if !ok {
            reach.remove(node);
            return;
        }
        let now = Instant::now();
        let gap = self.liveness.ttl.saturating_sub(self.liveness.beat_every);
        match reach.get_mut(node) {
            Some(run) if now - run.last <= gap => run.last = now,
            _ => {
                reach.insert(
                    node.to_owned(),
                    Run {
                        since: now,
                        last: now,
                    },
                );
            }
        }
    }

    /// Whether `node`'s keys have been reachable without a break for a whole TTL (so that a
    /// heartbeat missing now was missing while `node` could have written it).
    fn reached_for_a_ttl(&self, node: &str) -> bool {
        let reach = self.reach.lock().expect("presence reach lock");
        let now = Instant::now();
        reach
            .get(node)
            .is_some_and(|run| now - run.since >= self.liveness.ttl)
    }

    /// Looks at every other node's heartbeat (tracking whether its keys are reachable) and,
    /// if this node may judge, claims those that have been missing long enough.
    async fn observe_and_claim(
        &self,
        judge: bool,
    ) -> Result<Vec<(String, Vec<RoomId>)>, PresenceError> {
        let mut connection = self.connection.clone();
        let nodes: Vec<String> = connection.smembers(redis_keys::NODES).await.map_err(fail)?;
        let mut claimed = Vec::new();
        for node in nodes.into_iter().filter(|n| *n != self.node) {
            let alive: Result<bool, _> = connection.exists(redis_keys::node_alive(&node)).await;
            self.reached(&node, alive.is_ok());
            let missing = matches!(alive, Ok(false));
            if !judge || !missing || !self.reached_for_a_ttl(&node) {
                continue;
            }
            match self.claim(&node).await {
                Ok(Some(rooms)) => claimed.push((node, rooms)),
                Ok(None) => {}
                Err(error) => {
                    // That node's keys are out of reach: judge it another time.
                    self.reached(&node, false);
                    tracing::debug!(%node, %error, "cannot claim a silent node now");
                }
            }
        }
        Ok(claimed)
    }

    /// Claims `node` (once per epoch); its rooms if this call claimed it.
    async fn claim(&self, node: &str) -> Result<Option<Vec<RoomId>>, PresenceError> {
        let mut connection = self.connection.clone();
        let epoch: u64 = self
            .claim
            .key(redis_keys::node_epoch(node))
            .key(redis_keys::node_alive(node))
            .key(redis_keys::node_claimed(node))
            .invoke_async(&mut connection)
            .await
            .map_err(fail)?;
        if epoch == 0 {
            return Ok(None);
        }
        let rooms: Vec<String> = connection
            .smembers(redis_keys::node_rooms(node))
            .await
            .map_err(fail)?;
        self.claimed
            .lock()
            .expect("presence claimed lock")
            .insert(node.to_owned(), epoch);
        Ok(Some(
            rooms
                .into_iter()
                .filter_map(|r| RoomId::new(r).ok())
                .collect(),
        ))
    }
}

#[async_trait]
impl Presence for RedisPresence {
    async fn attach(&self, room: &RoomId, user: &UserId) -> Result<(), PresenceError> {
        let mut connection = self.connection.clone();
        // Two keys of different tags: two commands (a cluster refuses cross-slot pipelines).
        let _: i64 = connection
            .sadd(redis_keys::presence(room), Self::entry(&self.node, user))
            .await
            .map_err(fail)?;
        let _: i64 = connection
            .sadd(redis_keys::node_rooms(&self.node), room.as_str())
            .await
            .map_err(fail)?;
        Ok(())
    }

    async fn detach(&self, room: &RoomId, user: &UserId) -> Result<(), PresenceError> {
        let mut connection = self.connection.clone();
        let _: i64 = connection
            .srem(redis_keys::presence(room), Self::entry(&self.node, user))
            .await
            .map_err(fail)?;
        Ok(())
    }

    async fn held_elsewhere(&self, room: &RoomId, user: &UserId) -> Result<bool, PresenceError> {
        let mut connection = self.connection.clone();
        let entries: Vec<String> = connection
            .smembers(redis_keys::presence(room))
            .await
            .map_err(fail)?;
        for entry in entries {
            let Some((node, holder)) = entry.split_once('\t') else {
                continue;
            };
            if holder != user.as_str() || node == self.node {
                continue;
            }
            if !self.can_judge() || !self.reached_for_a_ttl(node) {
                return Ok(true);
            }
            let alive: bool = connection
                .exists(redis_keys::node_alive(node))
                .await
                .map_err(fail)?;
            if alive {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn take_members_of(
        &self,
        room: &RoomId,
        node: &str,
    ) -> Result<Vec<UserId>, PresenceError> {
        let mut connection = self.connection.clone();
        let entries: Vec<String> = connection
            .smembers(redis_keys::presence(room))
            .await
            .map_err(fail)?;
        let mut members = Vec::new();
        for entry in entries {
            if let Some((holder_node, user)) = entry.split_once('\t')
                && holder_node == node
            {
                let removed: i64 = connection
                    .srem(redis_keys::presence(room), &entry)
                    .await
                    .map_err(fail)?;
                if let (1, Ok(user)) = (removed, UserId::new(user)) {
                    members.push(user);
                }
            }
        }
        Ok(members)
    }

    async fn heartbeat_and_claim_dead(&self) -> Result<Heartbeat, PresenceError> {
        let reestablish = match self.beat().await {
            Ok(reestablish) => reestablish,
            Err(error) => {
                self.beat_failed();
                return Err(error);
            }
        };
        // Every beat: a claim by another node removes this one from the set, perhaps after
        // this node already came back.
        self.register().await?;
        let dead = self.observe_and_claim(self.can_judge()).await?;
        Ok(Heartbeat { reestablish, dead })
    }

    fn beat_every(&self) -> Duration {
        self.liveness.beat_every
    }

    /// Forgets `node` unless it came back since it was claimed: its rooms list is deleted
    /// only under the epoch of the claim, so a node that returned keeps its rooms registered.
    async fn forget_node(&self, node: &str) -> Result<(), PresenceError> {
        let mut connection = self.connection.clone();
        let epoch = self
            .claimed
            .lock()
            .expect("presence claimed lock")
            .remove(node);
        let Some(epoch) = epoch else {
            return Ok(()); // Not claimed by this node: not ours to forget.
        };
        let forgotten: i64 = self
            .forget
            .key(redis_keys::node_epoch(node))
            .key(redis_keys::node_rooms(node))
            .arg(epoch)
            .invoke_async(&mut connection)
            .await
            .map_err(fail)?;
        if forgotten == 0 {
            tracing::info!(%node, "a claimed node came back before it was forgotten; its rooms stay registered");
            return Ok(());
        }
        // Two keys of different tags: a second command (a node that returns right now
        // registers again on its next beat).
        let _: i64 = connection
            .srem(redis_keys::NODES, node)
            .await
            .map_err(fail)?;
        Ok(())
    }

    fn is_shared(&self) -> bool {
        true
    }
}

fn fail(error: redis::RedisError) -> PresenceError {
    PresenceError(format!("redis: {error}"))
}
