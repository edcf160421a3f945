//! Carrying a room's record over from canonical form v1 (a statement's text inside the hashed
//! form) to v2 (the text committed to, stored beside the event; see [`super::commitment`]).
//!
//! Every event is sealed again in order, so every hash from the first v1 text on changes. The
//! trace: each event keeps its old hash beside the new one (the mapping old → new), and a last
//! event `record_migrated` names the old head (seq and hash), so a document that quoted the old
//! head can still be matched to this record; `baraza verify` rebuilds each old hash from the
//! event in its old form where the text is still stored.

use super::commitment;
use super::{Hash, RecordedEvent, chain_hash};
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::ids::Millis;

/// A room's record carried over.
#[derive(Debug, Clone)]
pub struct Migrated {
    /// Every event sealed again, then the `record_migrated` event.
    pub events: Vec<RecordedEvent>,
    /// The old hash of each event but the last, in order.
    pub old_hashes: Vec<Hash>,
}

/// Why a room was not carried over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrateError {
    /// Its chain is broken as it stands: carrying it over would hide that.
    #[error("the record is broken at seq {0}; run `baraza verify` and repair it first")]
    Broken(u64),
    /// The room is archived: its record ends with `room_archived` and its bundle is sealed.
    #[error("the room is archived; its sealed record stays in the v1 form")]
    Archived,
}

/// Whether any event of `events` holds a text in the v1 form.
pub fn needs_migration(events: &[RecordedEvent]) -> bool {
    events.iter().any(|e| {
        matches!(commitment::committed_text(&e.envelope), Some((_, text, None)) if !text.is_empty())
    })
}

/// Carries `events` (a room's whole record, read back with its stored texts) over to v2 at
/// time `now`. `Ok(None)` when nothing is in the v1 form.
pub fn migrate_room(
    events: &[RecordedEvent],
    now: Millis,
) -> Result<Option<Migrated>, MigrateError> {
    if !needs_migration(events) {
        return Ok(None);
    }
    let mut prev = super::GENESIS;
    for event in events {
        if event.prev_hash != prev || chain_hash(&prev, event.canonical.as_bytes()) != event.hash {
            return Err(MigrateError::Broken(event.seq()));
        }
        prev = event.hash;
    }
    let last = events
        .last()
        .expect("a record needing migration has events");
    if matches!(last.envelope.body, EventBody::RoomArchived) {
        return Err(MigrateError::Archived);
    }
    let mut new_prev = super::GENESIS;
    let mut sealed = Vec::with_capacity(events.len() + 1);
    for event in events {
        let mut again = RecordedEvent::seal(event.envelope.clone(), new_prev);
        if again.openings.is_empty() {
            again.openings = event.openings.clone();
        }
        new_prev = again.hash;
        sealed.push(again);
    }
    let marker = EventEnvelope {
        room: last.envelope.room.clone(),
        seq: last.seq() + 1,
        ts: now,
        actor: None,
        key: None,
        body: EventBody::RecordMigrated {
            from_version: 1,
            old_head_seq: last.seq(),
            old_head_hash: hex::encode(last.hash),
        },
    };
    sealed.push(RecordedEvent::seal(marker, new_prev));
    Ok(Some(Migrated {
        events: sealed,
        old_hashes: events.iter().map(|e| e.hash).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{ChainProblem, ChainVerifier, GENESIS, StoredRow};
    use baraza_proto::ids::{RoomId, UserId};

    /// An event sealed the v1 way: the text inside the hashed form.
    fn v1(seq: u64, prev: Hash, text: &str) -> RecordedEvent {
        let envelope = crate::record::commitment::statement_for_tests(seq, seq as i64, text);
        let canonical = serde_json::to_string(&envelope).unwrap();
        let hash = chain_hash(&prev, canonical.as_bytes());
        RecordedEvent::from_stored(canonical, prev, hash).unwrap()
    }

    fn old_record() -> Vec<RecordedEvent> {
        let first = v1(1, GENESIS, "first words");
        let second = v1(2, first.hash, "second words");
        // Written after the upgrade, before the migration: already v2.
        let third = RecordedEvent::seal(v1(3, GENESIS, "third words").envelope, second.hash);
        vec![first, second, third]
    }

    fn rows(migrated: &Migrated) -> Vec<StoredRow> {
        migrated
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| StoredRow {
                seq: e.seq(),
                canonical: e.canonical.to_string(),
                prev_hash: e.prev_hash.to_vec(),
                hash: e.hash.to_vec(),
                openings: e.openings.clone(),
                old_hash: migrated.old_hashes.get(i).map(|h| h.to_vec()),
            })
            .collect()
    }

    fn check(rows: &[StoredRow]) -> Result<ChainVerifier, crate::record::ChainBreak> {
        let mut verifier = ChainVerifier::new("r");
        for row in rows {
            verifier.check(row)?;
        }
        verifier.finish()?;
        Ok(verifier)
    }

    #[test]
    fn texts_leave_the_hashed_form_and_the_old_head_is_kept() {
        let old = old_record();
        let migrated = migrate_room(&old, 99).unwrap().unwrap();
        assert_eq!(migrated.events.len(), 4);
        for event in &migrated.events[..3] {
            assert!(!event.canonical.contains("words"), "{}", event.canonical);
            assert_eq!(event.openings.len(), 1);
        }
        assert_ne!(migrated.events[2].hash, old[2].hash);
        let EventBody::RecordMigrated {
            old_head_seq,
            old_head_hash,
            ..
        } = &migrated.events[3].envelope.body
        else {
            panic!("no record_migrated");
        };
        assert_eq!(
            (*old_head_seq, old_head_hash.clone()),
            (3, hex::encode(old[2].hash))
        );
        let verifier = check(&rows(&migrated)).unwrap();
        assert!(verifier.migration().unwrap().recomputed);
        assert_eq!(
            migrate_room(&migrated.events, 100).unwrap().map(|_| ()),
            None
        );
    }

    #[test]
    fn a_forged_old_hash_is_found() {
        let migrated = migrate_room(&old_record(), 99).unwrap().unwrap();
        let mut rows = rows(&migrated);
        rows[1].old_hash = Some(vec![7; 32]);
        let broken = check(&rows).unwrap_err();
        assert_eq!(broken.seq, 2);
        assert!(matches!(broken.problem, ChainProblem::MigrationMismatch(_)));
    }

    #[test]
    fn a_withdrawn_text_is_not_a_break_only_when_redacted() {
        let migrated = migrate_room(&old_record(), 99).unwrap().unwrap();
        let mut rows = rows(&migrated);
        rows[0].openings.clear();
        let broken = check(&rows).unwrap_err();
        assert_eq!(broken.problem, ChainProblem::TextMissing { statement: 1 });
        let redaction = RecordedEvent::seal(
            EventEnvelope {
                room: RoomId::new("r").unwrap(),
                seq: 5,
                ts: 5,
                actor: Some(UserId::new("s").unwrap()),
                key: None,
                body: EventBody::StatementRedacted {
                    statement: 1,
                    reason: "lawful request".into(),
                },
            },
            migrated.events[3].hash,
        );
        rows.push(StoredRow {
            seq: 5,
            canonical: redaction.canonical.to_string(),
            prev_hash: redaction.prev_hash.to_vec(),
            hash: redaction.hash.to_vec(),
            openings: Vec::new(),
            old_hash: None,
        });
        let verifier = check(&rows).unwrap();
        assert_eq!(verifier.withdrawn(), 1);
        assert!(!verifier.migration().unwrap().recomputed);
    }

    #[test]
    fn a_changed_text_is_tampering() {
        let migrated = migrate_room(&old_record(), 99).unwrap().unwrap();
        let mut rows = rows(&migrated);
        rows[1].openings[0].text = "other words".into();
        let broken = check(&rows).unwrap_err();
        assert_eq!(broken.problem, ChainProblem::TextMismatch { statement: 2 });
    }

    #[test]
    fn an_archived_room_is_not_carried_over() {
        let mut old = old_record();
        let last = old.last().unwrap().clone();
        let archived = EventEnvelope {
            room: last.envelope.room.clone(),
            seq: 4,
            ts: 4,
            actor: None,
            key: None,
            body: EventBody::RoomArchived,
        };
        let canonical = serde_json::to_string(&archived).unwrap();
        let hash = chain_hash(&last.hash, canonical.as_bytes());
        old.push(RecordedEvent::from_stored(canonical, last.hash, hash).unwrap());
        assert_eq!(migrate_room(&old, 9).unwrap_err(), MigrateError::Archived);
    }
}
