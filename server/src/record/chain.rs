//! Checking a stored chain event by event, as `baraza verify` does.

use super::commitment::{self, TextOpening};
use super::{GENESIS, Hash, Head, chain_hash};
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::ids::{Seq, StatementId};
use std::collections::BTreeSet;

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
    /// The texts stored beside it (at most the one its commitment names matters).
    pub openings: Vec<TextOpening>,
    /// Its hash before `baraza migrate` sealed it again (the mapping old → new), if it was.
    pub old_hash: Option<Vec<u8>>,
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
    /// The stored text of a statement does not open the event's commitment: it was changed.
    #[error("the stored text of statement {statement} does not match its commitment")]
    TextMismatch {
        /// The statement.
        statement: StatementId,
    },
    /// A committed text is not stored, and the record never redacted its statement.
    #[error("the text of statement {statement} is missing, and it was never redacted")]
    TextMissing {
        /// The statement.
        statement: StatementId,
    },
    /// A `record_migrated` event does not name the old record this one was carried over from.
    #[error("the migrated record does not end at the old head it names: {0}")]
    MigrationMismatch(String),
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

/// Checks one room's events in order; stops being useful at the first break. Call
/// [`ChainVerifier::finish`] after the last event.
#[derive(Debug)]
pub struct ChainVerifier {
    room: String,
    head: Head,
    /// Texts not stored: (seq of the event, statement).
    missing: Vec<(Seq, StatementId)>,
    redacted: BTreeSet<StatementId>,
    /// The last old hash (before a migration) seen, and whether every link to it was rebuilt.
    old: Hash,
    old_recomputed: bool,
    migration: Option<Migration>,
}

/// What a `record_migrated` event said and whether the old chain was rebuilt to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// Seq of the `record_migrated` event.
    pub at: Seq,
    /// The old head hash it names (hex).
    pub old_head_hash: String,
    /// Whether every old hash was recomputed from the event in its old form (false when a
    /// redaction withdrew a text an old link needs; that link's stored old hash is taken).
    pub recomputed: bool,
}

impl ChainVerifier {
    /// Starts checking `room` from its first event.
    pub fn new(room: impl Into<String>) -> ChainVerifier {
        ChainVerifier {
            room: room.into(),
            head: Head::EMPTY,
            missing: Vec::new(),
            redacted: BTreeSet::new(),
            old: GENESIS,
            old_recomputed: true,
            migration: None,
        }
    }

    /// How many committed texts were withdrawn by a redaction (after [`ChainVerifier::finish`]).
    pub fn withdrawn(&self) -> usize {
        self.missing.len()
    }

    /// The migration the record went through, if any.
    pub fn migration(&self) -> Option<&Migration> {
        self.migration.as_ref()
    }

    /// Ends the check: every committed text not stored must belong to a redacted statement.
    pub fn finish(&self) -> Result<(), ChainBreak> {
        match self
            .missing
            .iter()
            .find(|(_, statement)| !self.redacted.contains(statement))
        {
            Some(&(seq, statement)) => Err(ChainBreak {
                room: self.room.clone(),
                seq,
                problem: ChainProblem::TextMissing { statement },
            }),
            None => Ok(()),
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
        let mut open = envelope.clone();
        if let Some((statement, _, Some(committed))) = commitment::committed_text(&envelope) {
            match row.openings.iter().find(|o| &o.commitment == committed) {
                Some(opening) if opening.opens() => {
                    commitment::open_event(&mut open, std::slice::from_ref(opening));
                }
                Some(_) => return Err(fail(ChainProblem::TextMismatch { statement })),
                None => self.missing.push((row.seq, statement)),
            }
        }
        if let Some(stored_old) = &row.old_hash {
            if self.migration.is_some() {
                return Err(fail(ChainProblem::MigrationMismatch(
                    "an event after the migration has an old hash".into(),
                )));
            }
            let old: Hash = stored_old.as_slice().try_into().map_err(|_| {
                fail(ChainProblem::MigrationMismatch(
                    "old hash is not 32 bytes".into(),
                ))
            })?;
            let as_stored = chain_hash(&self.old, row.canonical.as_bytes());
            let as_v1 = commitment::v1_form(&open).map(|v1| {
                let text = serde_json::to_string(&v1).expect("events always serialize");
                chain_hash(&self.old, text.as_bytes())
            });
            if old != as_stored && Some(old) != as_v1 {
                if as_v1.is_some() {
                    return Err(fail(ChainProblem::MigrationMismatch(format!(
                        "the old hash of seq {} is not the hash of the event in its old form",
                        row.seq
                    ))));
                }
                // The text the old form held was withdrawn: this link cannot be rebuilt.
                self.old_recomputed = false;
            }
            self.old = old;
        }
        match &envelope.body {
            EventBody::StatementRedacted { statement, .. } => {
                self.redacted.insert(*statement);
            }
            EventBody::RecordMigrated {
                old_head_seq,
                old_head_hash,
                ..
            } if self.migration.is_none() => {
                if *old_head_seq != self.head.seq {
                    return Err(fail(ChainProblem::MigrationMismatch(format!(
                        "it names seq {old_head_seq}, the events before it end at {}",
                        self.head.seq
                    ))));
                }
                if hex::encode(self.old) != *old_head_hash {
                    return Err(fail(ChainProblem::MigrationMismatch(format!(
                        "the old hashes end at {}, not {old_head_hash}",
                        hex::encode(self.old)
                    ))));
                }
                self.migration = Some(Migration {
                    at: row.seq,
                    old_head_hash: old_head_hash.clone(),
                    recomputed: self.old_recomputed,
                });
            }
            _ => {}
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
    /// Committed texts withdrawn by a redaction (not a break).
    pub withdrawn: usize,
    /// The carry-over from the v1 form the record went through, if any.
    pub migration: Option<Migration>,
}

impl RoomAudit {
    /// The audit of a room once `verifier` has seen its last event (or its first break).
    pub fn of(verifier: &ChainVerifier, broken: Option<ChainBreak>) -> RoomAudit {
        let broken = broken.or_else(|| verifier.finish().err());
        RoomAudit {
            room: verifier.room.clone(),
            intact: verifier.head().seq,
            broken,
            withdrawn: verifier.withdrawn(),
            migration: verifier.migration().cloned(),
        }
    }
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
                    openings: event.openings,
                    old_hash: None,
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
