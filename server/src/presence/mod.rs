//! Which node holds which member of a room, so that presence stays right across nodes.
//!
//! A person is present in a room while some node holds one of their connections there. With one
//! node that is the room actor's own count ([`LocalPresence`] has nothing to add). With several
//! ([`RedisPresence`]), each node registers the members it holds and keeps a heartbeat key
//! alive; when a node stops heartbeating, exactly one other node claims it and the rooms record
//! its members as gone (`node_lost`) unless they came back through another node.

pub mod redis;

use async_trait::async_trait;
use baraza_proto::ids::{RoomId, UserId};

pub use self::redis::RedisPresence;

/// Why a presence operation failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("presence registry unavailable: {0}")]
pub struct PresenceError(pub String);

/// The cross-node presence registry.
///
/// Guarantees: `claim_dead_nodes` hands each dead node to exactly one caller across all nodes
/// (for a while), so its clean-up happens once; everything else is idempotent.
#[async_trait]
pub trait Presence: Send + Sync + 'static {
    /// Records that this node holds `user` in `room`.
    async fn attach(&self, room: &RoomId, user: &UserId) -> Result<(), PresenceError>;

    /// Records that this node no longer holds `user` in `room`.
    async fn detach(&self, room: &RoomId, user: &UserId) -> Result<(), PresenceError>;

    /// Whether a live node other than this one holds `user` in `room`.
    async fn held_elsewhere(&self, room: &RoomId, user: &UserId) -> Result<bool, PresenceError>;

    /// Removes and returns the members `node` held in `room`.
    async fn take_members_of(
        &self,
        room: &RoomId,
        node: &str,
    ) -> Result<Vec<UserId>, PresenceError>;

    /// Refreshes this node's heartbeat, then claims nodes whose heartbeat expired: each with
    /// the rooms in which it held members.
    async fn heartbeat_and_claim_dead(&self) -> Result<Vec<(String, Vec<RoomId>)>, PresenceError>;

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

    async fn heartbeat_and_claim_dead(&self) -> Result<Vec<(String, Vec<RoomId>)>, PresenceError> {
        Ok(Vec::new())
    }

    async fn forget_node(&self, _node: &str) -> Result<(), PresenceError> {
        Ok(())
    }

    fn is_shared(&self) -> bool {
        false
    }
}
