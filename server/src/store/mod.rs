//! Where room records live: the [`RecordStore`] trait and its engines.
//!
//! - [`embedded`]: a SQLite file in WAL mode (the default, one node).
//! - [`redis`]: a Redis Stream per room, for several nodes sharing one Redis.
//!
//! Stores are deliberately simple: events arrive already sealed into the hash chain (see
//! [`crate::record`]); a store checks the expected position, writes atomically and reads back.

pub mod embedded;
pub mod redis;

use crate::record::{AuditReport, ChainVerifier, Head, RecordedEvent, RoomAudit, StoredRow};
use async_trait::async_trait;
use baraza_proto::ids::{RoomId, Seq};

pub use self::redis::RedisStore;
pub use embedded::EmbeddedStore;

/// Why a store operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The room's record does not end where the caller expected: someone else appended first.
    /// Nothing was written; catch up and decide again.
    #[error("the record of {room} ends at seq {actual}, not {expected}")]
    Conflict {
        /// The room.
        room: RoomId,
        /// Where the caller expected the record to end.
        expected: Seq,
        /// Where it ends.
        actual: Seq,
    },
    /// The store cannot be reached or written right now; retrying later may succeed.
    #[error("the record is unavailable: {0}")]
    Unavailable(String),
    /// Stored data does not decode.
    #[error("the record is corrupt: {0}")]
    Corrupt(String),
    /// The caller broke the contract (events not consecutive, wrong room …).
    #[error("invalid append: {0}")]
    InvalidAppend(String),
    /// The store was closed.
    #[error("the record store is closed")]
    Closed,
}

/// The durable, ordered, append-only record of every room.
///
/// Guarantees every engine gives:
/// - **Atomic, ordered append**: `append` writes all of `events` or none, and only if the room's
///   record ends at `expected_seq`; otherwise it fails with [`StoreError::Conflict`] and writes
///   nothing. Two appends racing on one room never both succeed.
/// - **Durability**: when `append` returns `Ok`, the events survive a crash of this process
///   (the embedded engine fsyncs; see each engine for its settings).
/// - **Reads**: `read_after` returns events in seq order without gaps.
#[async_trait]
pub trait RecordStore: Send + Sync + 'static {
    /// Appends `events`, which must be consecutive from `expected_seq + 1` and belong to `room`.
    async fn append(
        &self,
        room: &RoomId,
        expected_seq: Seq,
        events: &[RecordedEvent],
    ) -> Result<(), StoreError>;

    /// Up to `limit` events with `seq > after`, in order.
    async fn read_after(
        &self,
        room: &RoomId,
        after: Seq,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Removes every stored text of `statement` (as posted and edited) after its redaction was
    /// recorded; no event changes. Idempotent: answers how many texts were removed (0 when
    /// none was left). Reads that follow no longer return them.
    async fn withdraw_texts(&self, room: &RoomId, statement: Seq) -> Result<usize, StoreError>;

    /// Where the room's record ends ([`Head::EMPTY`] for a room without events).
    async fn head(&self, room: &RoomId) -> Result<Head, StoreError>;

    /// Every room that has a record, ordered by id.
    async fn rooms(&self) -> Result<Vec<RoomId>, StoreError>;

    /// Finishes pending writes and releases the store; later calls fail with `Closed`.
    async fn close(&self) -> Result<(), StoreError>;

    /// The engine's name (`embedded`, `redis`).
    fn engine(&self) -> &'static str;

    /// Whether this node is the only writer of its rooms' records, so an append from a room's
    /// actor can fail only for reasons of the store itself, never with
    /// [`StoreError::Conflict`] because another node appended first. Room actors append several
    /// commands at once only then (they decide each against the state the earlier ones left).
    fn sole_writer(&self) -> bool;
}

/// Reads every room of `store` in order and checks each chain, as `baraza verify` does for
/// engines other than the embedded one (whose audit reads the raw rows instead).
pub async fn audit_store(store: &dyn RecordStore) -> Result<AuditReport, StoreError> {
    const PAGE: usize = 1_000;
    let mut report = AuditReport { rooms: Vec::new() };
    for room in store.rooms().await? {
        let mut verifier = ChainVerifier::new(room.as_str());
        let mut broken = None;
        'pages: loop {
            let events = store.read_after(&room, verifier.head().seq, PAGE).await?;
            for event in &events {
                let row = StoredRow {
                    seq: event.seq(),
                    canonical: event.canonical.to_string(),
                    prev_hash: event.prev_hash.to_vec(),
                    hash: event.hash.to_vec(),
                    openings: event.openings.clone(),
                    old_hash: None,
                };
                if let Err(found) = verifier.check(&row) {
                    broken = Some(found);
                    break 'pages;
                }
            }
            if events.len() < PAGE {
                break;
            }
        }
        report.rooms.push(RoomAudit::of(&verifier, broken));
    }
    Ok(report)
}

/// Checks the shape of an append before any engine writes it.
pub(crate) fn check_append(
    room: &RoomId,
    expected_seq: Seq,
    events: &[RecordedEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Err(StoreError::InvalidAppend("no events".into()));
    }
    for (offset, event) in events.iter().enumerate() {
        if &event.envelope.room != room || event.envelope.seq != expected_seq + 1 + offset as Seq {
            return Err(StoreError::InvalidAppend(format!(
                "event {offset} is room {} seq {}, expected room {room} seq {}",
                event.envelope.room,
                event.envelope.seq,
                expected_seq + 1 + offset as Seq
            )));
        }
    }
    Ok(())
}
