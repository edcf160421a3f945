//! Checking a stored chain event by event, as `baraza verify` does.

use super::{Head, chain_hash};
use baraza_proto::event::EventEnvelope;
use baraza_proto::ids::Seq;

/// One event as a store keeps it, before anything is trusted.
#[derive(Debug, Clone)]
pub struct StoredRow {
    /// The position the store filed it under.
    pub seq: Seq,
    /// The canonical JSON text.
    pub canonical: String,
    /// The stored previous hash (any length; 32 bytes when intact).
    pub prev_hash: Vec<u8>,
    /// The stored hash (any length; 32 bytes when intact).
    pub hash: Vec<u8>,
}

/// What is wrong with an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainProblem {
    /// An event is missing before this one.
    #[error("expected seq {expected}, found seq {found}")]
    Gap {
        /// What should have come next.
        expected: Seq,
        /// What came.
        found: Seq,
    },
    /// The stored text is not an event.
    #[error("the stored event does not decode: {0}")]
    Undecodable(String),
    /// The event says it belongs elsewhere than where it is filed.
    #[error("the event names room {room} seq {seq}, not where it is filed")]
    Misfiled {
        /// Room named inside the event.
        room: String,
        /// Seq named inside the event.
        seq: Seq,
    },
    /// The stored previous hash is not the hash of the event before.
    #[error("prev_hash does not match the previous event's hash")]
    PrevHashMismatch,
    /// The stored hash is not the hash of this event's content.
    #[error("hash does not match the event's content (stored {stored}, computed {computed})")]
    HashMismatch {
        /// Hex of what the store holds.
        stored: String,
        /// Hex of what the content hashes to.
        computed: String,
    },
}

/// The first broken event of a room.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("room {room}: event seq {seq} is broken: {problem}")]
pub struct ChainBreak {
    /// The room.
    pub room: String,
    /// The seq the broken event is filed under.
    pub seq: Seq,
    /// What is wrong.
    pub problem: ChainProblem,
}

/// Checks one room's events in order; stops being useful at the first break.
#[derive(Debug)]
pub struct ChainVerifier {
    room: String,
    head: Head,
}

impl ChainVerifier {
    /// Starts checking `room` from its first event.
    pub fn new(room: impl Into<String>) -> ChainVerifier {
        ChainVerifier {
            room: room.into(),
            head: Head::EMPTY,
        }
    }

    /// The last event checked and found intact.
    pub fn head(&self) -> Head {
        self.head
    }

    /// Checks the next stored event.
    pub fn check(&mut self, row: &StoredRow) -> Result<(), ChainBreak> {
        let fail = |problem| ChainBreak {
            room: self.room.clone(),
            seq: row.seq,
            problem,
        };
        let expected = self.head.seq + 1;
        if row.seq != expected {
            return Err(fail(ChainProblem::Gap {
                expected,
                found: row.seq,
            }));
        }
        let envelope: EventEnvelope = serde_json::from_str(&row.canonical)
            .map_err(|e| fail(ChainProblem::Undecodable(e.to_string())))?;
        if envelope.seq != row.seq || envelope.room.as_str() != self.room {
            return Err(fail(ChainProblem::Misfiled {
                room: envelope.room.to_string(),
                seq: envelope.seq,
            }));
        }
        if row.prev_hash.as_slice() != self.head.hash.as_slice() {
            return Err(fail(ChainProblem::PrevHashMismatch));
        }
        let computed = chain_hash(&self.head.hash, row.canonical.as_bytes());
        if row.hash.as_slice() != computed.as_slice() {
            return Err(fail(ChainProblem::HashMismatch {
                stored: hex::encode(&row.hash),
                computed: hex::encode(computed),
            }));
        }
        self.head = Head {
            seq: row.seq,
            hash: computed,
        };
        Ok(())
    }
}

/// What the audit found in one room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomAudit {
    /// The room.
    pub room: String,
    /// Events checked and found intact.
    pub intact: Seq,
    /// The first broken event, if any.
    pub broken: Option<ChainBreak>,
}

/// What the audit found in every room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// One entry per room, ordered by room id.
    pub rooms: Vec<RoomAudit>,
}

impl AuditReport {
    /// Whether every room's chain is intact.
    pub fn is_intact(&self) -> bool {
        self.rooms.iter().all(|r| r.broken.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{GENESIS, RecordedEvent};
    use baraza_proto::event::{EventBody, EventEnvelope, LeaveReason};
    use baraza_proto::ids::{RoomId, UserId};

    fn rows(n: u64) -> Vec<StoredRow> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let event = RecordedEvent::seal(
                    EventEnvelope {
                        room: RoomId::new("r").unwrap(),
                        seq,
                        ts: seq as i64,
                        actor: None,
                        key: None,
                        body: EventBody::MemberLeft {
                            user: UserId::new("u").unwrap(),
                            reason: LeaveReason::Left,
                        },
                    },
                    prev,
                );
                prev = event.hash;
                StoredRow {
                    seq,
                    canonical: event.canonical.to_string(),
                    prev_hash: event.prev_hash.to_vec(),
                    hash: event.hash.to_vec(),
                }
            })
            .collect()
    }

    fn first_break(rows: &[StoredRow]) -> Option<ChainBreak> {
        let mut verifier = ChainVerifier::new("r");
        rows.iter().find_map(|row| verifier.check(row).err())
    }

    #[test]
    fn an_intact_chain_passes() {
        assert_eq!(first_break(&rows(5)), None);
    }

    #[test]
    fn edited_content_is_named_by_seq() {
        let mut rows = rows(5);
        rows[2].canonical = rows[2].canonical.replace("\"ts\":3", "\"ts\":4");
        let broken = first_break(&rows).unwrap();
        assert_eq!(broken.seq, 3);
        assert!(matches!(broken.problem, ChainProblem::HashMismatch { .. }));
    }

    #[test]
    fn a_removed_event_is_a_gap() {
        let mut rows = rows(5);
        rows.remove(1);
        let broken = first_break(&rows).unwrap();
        assert_eq!(
            broken.problem,
            ChainProblem::Gap {
                expected: 2,
                found: 3
            }
        );
    }

    #[test]
    fn a_rehashed_forgery_breaks_the_next_link() {
        let mut rows = rows(4);
        rows[1].canonical = rows[1].canonical.replace("\"ts\":2", "\"ts\":9");
        rows[1].hash = chain_hash(
            &rows[0].hash.clone().try_into().unwrap(),
            rows[1].canonical.as_bytes(),
        )
        .to_vec();
        let broken = first_break(&rows).unwrap();
        assert_eq!(
            (broken.seq, broken.problem),
            (3, ChainProblem::PrevHashMismatch)
        );
    }
}
