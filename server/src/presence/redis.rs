//! Presence across nodes in Redis.
//!
//! - `baraza:{room:ID}:presence`: set of `node<TAB>user` entries.
//! - `baraza:{node:N}:alive`: the node's heartbeat, expiring after [`HEARTBEAT_TTL`].
//! - `baraza:{node:N}:rooms`: rooms where the node registered members.
//! - `baraza:nodes`: every node that ever registered.
//! - `baraza:{node:N}:reaper`: set with NX by the one node that cleans up after N.

use super::{Presence, PresenceError};
use crate::redis_keys;
use crate::store::redis::manager_config;
use async_trait::async_trait;
use baraza_proto::ids::{RoomId, UserId};
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use std::time::Duration;

/// A node whose heartbeat is older than this is dead.
pub const HEARTBEAT_TTL: Duration = Duration::from_secs(3);
/// How long a claim on a dead node's clean-up lasts.
const REAPER_CLAIM: Duration = Duration::from_secs(30);

/// Presence of one node in a shared Redis.
pub struct RedisPresence {
    node: String,
    connection: ConnectionManager,
}

impl RedisPresence {
    /// Connects and registers `node` (which must be unique among running nodes).
    pub async fn connect(url: &str, node: &str) -> Result<RedisPresence, PresenceError> {
        let client = redis::Client::open(url).map_err(fail)?;
        let connection = ConnectionManager::new_with_config(client, manager_config())
            .await
            .map_err(fail)?;
        let presence = RedisPresence {
            node: node.to_owned(),
            connection,
        };
        let mut connection = presence.connection.clone();
        let _: i64 = connection
            .sadd(redis_keys::NODES, node)
            .await
            .map_err(fail)?;
        presence.beat().await?;
        Ok(presence)
    }

    fn entry(node: &str, user: &UserId) -> String {
        format!("{node}\t{user}")
    }

    async fn beat(&self) -> Result<(), PresenceError> {
        let mut connection = self.connection.clone();
        let _: () = connection
            .pset_ex(
                redis_keys::node_alive(&self.node),
                "1",
                HEARTBEAT_TTL.as_millis() as u64,
            )
            .await
            .map_err(fail)?;
        Ok(())
    }
}

#[async_trait]
impl Presence for RedisPresence {
    async fn attach(&self, room: &RoomId, user: &UserId) -> Result<(), PresenceError> {
        let mut connection = self.connection.clone();
        let _: () = redis::pipe()
            .sadd(redis_keys::presence(room), Self::entry(&self.node, user))
            .ignore()
            .sadd(redis_keys::node_rooms(&self.node), room.as_str())
            .ignore()
            .query_async(&mut connection)
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

    async fn heartbeat_and_claim_dead(&self) -> Result<Vec<(String, Vec<RoomId>)>, PresenceError> {
        self.beat().await?;
        let mut connection = self.connection.clone();
        let nodes: Vec<String> = connection.smembers(redis_keys::NODES).await.map_err(fail)?;
        let mut claimed = Vec::new();
        for node in nodes.into_iter().filter(|n| *n != self.node) {
            let alive: bool = connection
                .exists(redis_keys::node_alive(&node))
                .await
                .map_err(fail)?;
            if alive {
                continue;
            }
            let won: Option<String> = redis::cmd("SET")
                .arg(redis_keys::node_reaper(&node))
                .arg(&self.node)
                .arg("NX")
                .arg("PX")
                .arg(REAPER_CLAIM.as_millis() as u64)
                .query_async(&mut connection)
                .await
                .map_err(fail)?;
            if won.is_none() {
                continue;
            }
            let rooms: Vec<String> = connection
                .smembers(redis_keys::node_rooms(&node))
                .await
                .map_err(fail)?;
            claimed.push((
                node,
                rooms
                    .into_iter()
                    .filter_map(|r| RoomId::new(r).ok())
                    .collect(),
            ));
        }
        Ok(claimed)
    }

    async fn forget_node(&self, node: &str) -> Result<(), PresenceError> {
        let mut connection = self.connection.clone();
        let _: () = redis::pipe()
            .srem(redis_keys::NODES, node)
            .ignore()
            .del(redis_keys::node_rooms(node))
            .ignore()
            .query_async(&mut connection)
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
