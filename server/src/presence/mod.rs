//! Which node holds which member of a room, so that presence stays right across nodes.
//!
//! A person is present in a room while some node holds one of their connections there. With one
//! node that is the room actor's own count ([`LocalPresence`] has nothing to add). With several
//! ([`RedisPresence`]), each node registers the members it holds and keeps a heartbeat key
//! alive; when a node stops heartbeating, exactly one other node claims it and the rooms record
//! its members as gone (`node_lost`) unless they came back through another node.
//!
//! A node only judges another dead on evidence gathered while it could see Redis itself: it
//! must have been connected without a break for a whole TTL, during which the other's
//! heartbeat never showed. An outage of Redis is no evidence against anyone. Each node
//! incarnation has a fencing epoch; claiming a node supersedes its epoch, so a node that was
//! taken for dead (wrongly, or after a partition) finds out at its next heartbeat and
//! re-establishes its members ([`Heartbeat::reestablish`]).

pub mod redis;

use async_trait::async_trait;
use baraza_proto::ids::{RoomId, UserId};
use std::time::Duration;

pub use self::redis::RedisPresence;

/// Why a presence operation failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("presence registry unavailable: {0}")]
pub struct PresenceError(pub String);

/// What one heartbeat found.
#[derive(Debug, Default)]
pub struct Heartbeat {
    /// This node must register its members again and make the record show them present: it
    /// was claimed as dead by another node (its epoch was superseded), or its view of Redis
    /// was broken (Redis may have lost or removed its entries meanwhile).
    pub reestablish: bool,
    /// Nodes this node claimed as dead, each with the rooms in which it held members.
    pub dead: Vec<(String, Vec<RoomId>)>,
}

/// How often a node beats and when another counts as silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Liveness {
    /// How often a node refreshes its heartbeat.
    pub beat_every: Duration,
    /// A node whose heartbeat was not seen for this long (by a node continuously connected to
    /// Redis all that time) is dead.
    pub ttl: Duration,
}

impl Default for Liveness {
    fn default() -> Self {
        Liveness {
            beat_every: Duration::from_secs(1),
            ttl: Duration::from_secs(3),
        }
    }
}

/// The cross-node presence registry.
///
/// Guarantees: `heartbeat_and_claim_dead` claims a node only after this node has seen Redis
/// (on a cluster: its own keys and the other node's keys) without a break for a whole TTL and
/// the other's heartbeat stayed missing; each epoch of a
/// node is claimed by exactly one caller across all nodes, so its clean-up happens once;
/// everything else is idempotent.
#[async_trait]
pub trait Presence: Send + Sync + 'static {
    /// Records that this node holds `user` in `room`.
    async fn attach(&self, room: &RoomId, user: &UserId) -> Result<(), PresenceError>;

    /// Records that this node no longer holds `user` in `room`.
    async fn detach(&self, room: &RoomId, user: &UserId) -> Result<(), PresenceError>;

    /// Whether a node other than this one holds `user` in `room` and is not known to be dead.
    /// While this node cannot judge (it has not seen Redis continuously for a TTL), every
    /// registered holder counts as alive.
    async fn held_elsewhere(&self, room: &RoomId, user: &UserId) -> Result<bool, PresenceError>;

    /// Removes and returns the members `node` held in `room`.
    async fn take_members_of(
        &self,
        room: &RoomId,
        node: &str,
    ) -> Result<Vec<UserId>, PresenceError>;

    /// Refreshes this node's heartbeat, then, if this node can judge, claims nodes whose
    /// heartbeat it has not seen for a TTL.
    async fn heartbeat_and_claim_dead(&self) -> Result<Heartbeat, PresenceError>;

    /// How often [`Presence::heartbeat_and_claim_dead`] should run.
    fn beat_every(&self) -> Duration;

    /// Forgets a dead node once its rooms are cleaned up.
    async fn forget_node(&self, node: &str) -> Result<(), PresenceError>;

    /// Whether this registry spans several nodes (and so needs the heartbeat task).
    fn is_shared(&self) -> bool;
}

/// Presence of a single node: the room actors' own counts are the whole truth.
#[derive(Debug, Default)]
pub struct LocalPresence;

#[async_trait]
impl Presence for LocalPresence {
    async fn attach(&self, _room: &RoomId, _user: &UserId) -> Result<(), PresenceError> {
        Ok(())
    }

    async fn detach(&self, _room: &RoomId, _user: &UserId) -> Result<(), PresenceError> {
        Ok(())
    }

    async fn held_elsewhere(&self, _room: &RoomId, _user: &UserId) -> Result<bool, PresenceError> {
        Ok(false)
    }

    async fn take_members_of(
        &self,
        _room: &RoomId,
        _node: &str,
    ) -> Result<Vec<UserId>, PresenceError> {
        Ok(Vec::new())
    }

    async fn heartbeat_and_claim_dead(&self) -> Result<Heartbeat, PresenceError> {
        Ok(Heartbeat::default())
    }

    fn beat_every(&self) -> Duration {
        Liveness::default().beat_every
    }

    async fn forget_node(&self, _node: &str) -> Result<(), PresenceError> {
        Ok(())
    }

    fn is_shared(&self) -> bool {
        false
    }
}
