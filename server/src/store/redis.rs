//! The Redis engine of the record: one Redis Stream per room, appended by one atomic script.
//!
//! - `baraza:{room:ID}:log`: the stream; entry id `<seq>-0`, fields `e` (canonical JSON), `p`
//!   (previous hash, hex), `h` (hash, hex).
//! - `baraza:{room:ID}:head`: a hash with the room's last `seq` and `hash`.
//! - `baraza:{room:ID}:texts`: a hash of the committed texts (field: commitment), written by the
//!   append script with their events and removed by `redis_withdraw.lua` after a redaction.
//! - `redis_append.lua` checks the head, adds the entries, moves the head and publishes every
//!   event on the room's channel, atomically: the order of publishes is the order of the record.
//!   On a Redis Cluster it publishes with `SPUBLISH` (sharded pub/sub): the channel shares the
//!   room's hash tag, so the event goes out from the very master that holds the record.
//! - `baraza:rooms`: the set of room ids (added before a room's first append, so a room with a
//!   record is always listed).
//!
//! Durability is Redis's: with `appendonly yes` and `appendfsync always` an append is on disk
//! before Redis answers it, so before Baraza acknowledges it (see docs/deploy.md). Calls go
//! through a [`RedisLink`]: an unreachable Redis fails fast with `Unavailable` instead of
//! hanging.

use super::{RecordStore, StoreError, check_append};
use crate::record::{Hash, Head, RecordedEvent, TextOpening, commitment};
use crate::redis_keys;
use crate::redis_link::RedisLink;
use async_trait::async_trait;
use baraza_proto::ids::{RoomId, Seq};
use redis::AsyncCommands;
use redis::streams::StreamRangeReply;

const APPEND_SCRIPT: &str = include_str!("redis_append.lua");
const WITHDRAW_SCRIPT: &str = include_str!("redis_withdraw.lua");

/// Every room's record in Redis.
pub struct RedisStore {
    connection: RedisLink,
    append: redis::Script,
    withdraw: redis::Script,
}

/// A committed text as the texts hash and the channel carry it.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredText {
    commitment: String,
    statement: u64,
    salt: String,
    text: String,
}

/// The JSON array of an event's texts ('' when none), as the append script takes it.
pub(crate) fn texts_json(openings: &[TextOpening]) -> String {
    if openings.is_empty() {
        return String::new();
    }
    let texts: Vec<StoredText> = openings
        .iter()
        .map(|o| StoredText {
            commitment: o.commitment.clone(),
            statement: o.statement,
            salt: o.salt.clone(),
            text: o.text.clone(),
        })
        .collect();
    serde_json::to_string(&texts).expect("texts always serialize")
}

/// Decodes what [`texts_json`] made.
pub(crate) fn parse_texts(json: &str) -> Option<Vec<TextOpening>> {
    let texts: Vec<StoredText> = serde_json::from_str(json).ok()?;
    Some(texts.into_iter().map(opening).collect())
}

fn opening(t: StoredText) -> TextOpening {
    TextOpening {
        statement: t.statement,
        commitment: t.commitment,
        salt: t.salt,
        text: t.text,
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`). Fails if Redis cannot be reached now; once
    /// connected, the connection is re-established by itself after Redis comes back.
    pub async fn connect(url: &str) -> Result<RedisStore, StoreError> {
        let link = RedisLink::connect(url).await.map_err(unavailable)?;
        Ok(RedisStore::on(link))
    }

    /// The record over an existing link (shared with the presence registry).
    pub fn on(connection: RedisLink) -> RedisStore {
        RedisStore {
            connection,
            append: redis::Script::new(APPEND_SCRIPT),
            withdraw: redis::Script::new(WITHDRAW_SCRIPT),
        }
    }
}

#[async_trait]
impl RecordStore for RedisStore {
    async fn append(
        &self,
        room: &RoomId,
        expected_seq: Seq,
        events: &[RecordedEvent],
    ) -> Result<(), StoreError> {
        check_append(room, expected_seq, events)?;
        let mut connection = self.connection.clone();
        if expected_seq == 0 {
            let _: i64 = connection
                .sadd(redis_keys::ROOMS, room.as_str())
                .await
                .map_err(unavailable)?;
        }
        let mut invocation = self.append.key(redis_keys::stream(room));
        invocation
            .key(redis_keys::head(room))
            .key(redis_keys::texts(room))
            .arg(expected_seq)
            .arg(redis_keys::channel(room))
            .arg(if self.connection.is_cluster() {
                "SPUBLISH"
            } else {
                "PUBLISH"
            });
        for event in events {
            invocation
                .arg(event.seq())
                .arg(hex::encode(event.prev_hash))
                .arg(hex::encode(event.hash))
                .arg(&*event.canonical)
                .arg(texts_json(&event.openings));
        }
        let (applied, actual): (i64, i64) = invocation
            .invoke_async(&mut connection)
            .await
            .map_err(unavailable)?;
        if applied == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict {
                room: room.clone(),
                expected: expected_seq,
                actual: actual as Seq,
            })
        }
    }

    async fn read_after(
        &self,
        room: &RoomId,
        after: Seq,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut connection = self.connection.clone();
        let reply: StreamRangeReply = connection
            .xrange_count(
                redis_keys::stream(room),
                format!("{}-0", after + 1),
                "+",
                limit,
            )
            .await
            .map_err(unavailable)?;
        let events: Vec<RecordedEvent> = reply
            .ids
            .iter()
            .map(|entry| {
                let field = |name: &str| {
                    entry.get::<String>(name).ok_or_else(|| {
                        StoreError::Corrupt(format!(
                            "{room} entry {} has no field {name}",
                            entry.id
                        ))
                    })
                };
                let canonical = field("e")?;
                let prev_hash = parse_hash(&field("p")?)?;
                let hash = parse_hash(&field("h")?)?;
                RecordedEvent::from_stored(canonical, prev_hash, hash)
                    .map_err(|e| StoreError::Corrupt(format!("{room}: {e}")))
            })
            .collect::<Result<_, _>>()?;
        let commitments: Vec<String> = events
            .iter()
            .filter_map(|e| match commitment::committed_text(&e.envelope) {
                Some((_, _, Some(c))) => Some(c.clone()),
                _ => None,
            })
            .collect();
        if commitments.is_empty() {
            return Ok(events);
        }
        let stored: Vec<Option<String>> = redis::cmd("HMGET")
            .arg(redis_keys::texts(room))
            .arg(&commitments)
            .query_async(&mut connection)
            .await
            .map_err(unavailable)?;
        let openings: Vec<TextOpening> = stored
            .into_iter()
            .flatten()
            .filter_map(|json| serde_json::from_str::<StoredText>(&json).ok().map(opening))
            .collect();
        Ok(events
            .into_iter()
            .map(|e| e.with_openings(openings.clone()))
            .collect())
    }

    async fn withdraw_texts(&self, room: &RoomId, statement: Seq) -> Result<usize, StoreError> {
        let mut connection = self.connection.clone();
        let removed: i64 = self
            .withdraw
            .key(redis_keys::texts(room))
            .arg(statement)
            .invoke_async(&mut connection)
            .await
            .map_err(unavailable)?;
        Ok(removed as usize)
    }

    async fn head(&self, room: &RoomId) -> Result<Head, StoreError> {
        let mut connection = self.connection.clone();
        let (seq, hash): (Option<u64>, Option<String>) = redis::cmd("HMGET")
            .arg(redis_keys::head(room))
            .arg("seq")
            .arg("hash")
            .query_async(&mut connection)
            .await
            .map_err(unavailable)?;
        match (seq, hash) {
            (Some(seq), Some(hash)) => Ok(Head {
                seq,
                hash: parse_hash(&hash)?,
            }),
            _ => Ok(Head::EMPTY),
        }
    }

    async fn rooms(&self) -> Result<Vec<RoomId>, StoreError> {
        let mut connection = self.connection.clone();
        let ids: Vec<String> = connection
            .smembers(redis_keys::ROOMS)
            .await
            .map_err(unavailable)?;
        let mut rooms: Vec<RoomId> = ids
            .into_iter()
            .filter_map(|id| RoomId::new(id).ok())
            .collect();
        rooms.sort();
        Ok(rooms)
    }

    async fn close(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn engine(&self) -> &'static str {
        "redis"
    }

    /// Never: every node sharing the Redis appends to the same rooms.
    fn sole_writer(&self) -> bool {
        false
    }
}

/// Decodes a hex hash as stored in the stream and the head.
pub(crate) fn parse_hash(text: &str) -> Result<Hash, StoreError> {
    let bytes =
        hex::decode(text).map_err(|e| StoreError::Corrupt(format!("hash {text:?}: {e}")))?;
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("hash {text:?} is not 32 bytes")))
}

fn unavailable(error: redis::RedisError) -> StoreError {
    StoreError::Unavailable(format!("redis: {error}"))
}
