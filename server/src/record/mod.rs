//! The hash-chained record of a room: sealing new events into the chain and checking a chain.
//!
//! Each event's `hash` is SHA-256 over the previous event's 32-byte hash followed by the event's
//! canonical JSON (the serde encoding of [`EventEnvelope`], whose field order is fixed). The first
//! event's previous hash is 32 zero bytes. Stores keep the canonical text as it was hashed, so
//! the chain can be checked without trusting any re-encoding.
//!
//! A statement's text is not in the canonical JSON but committed to (see [`commitment`]): the
//! text and its salt are stored beside the event and can be withdrawn (redacted) without
//! changing any hash.

mod chain;
pub mod commitment;
pub mod migrate;

pub use chain::{
    AuditReport, ChainBreak, ChainProblem, ChainVerifier, Migration, RoomAudit, StoredRow,
};
pub use commitment::TextOpening;

use baraza_proto::api::RecordEntry;
use baraza_proto::event::EventEnvelope;
use baraza_proto::ids::Seq;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The previous hash of a room's first event.
pub const GENESIS: Hash = [0; 32];

/// Where a room's record ends: its last `seq` (0 when empty) and that event's hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Last seq, 0 for an empty record.
    pub seq: Seq,
    /// Hash of the last event, [`GENESIS`] for an empty record.
    pub hash: Hash,
}

impl Head {
    /// The head of a room with no events.
    pub const EMPTY: Head = Head {
        seq: 0,
        hash: GENESIS,
    };
}

/// Computes an event's chain hash.
pub fn chain_hash(prev_hash: &Hash, canonical: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash);
    hasher.update(canonical);
    hasher.finalize().into()
}

/// An event sealed into its room's chain.
///
/// Guarantees: `canonical` is exactly the text that was hashed, `envelope` is what it decodes
/// to with the stored texts of `openings` put back, and `hash == chain_hash(prev_hash,
/// canonical)` for events built by [`RecordedEvent::seal`]. Events read back from a store are
/// trusted to match; `baraza verify` checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    /// The event.
    pub envelope: EventEnvelope,
    /// Its canonical JSON, shared rather than copied.
    pub canonical: Arc<str>,
    /// Hash of the event before it.
    pub prev_hash: Hash,
    /// This event's hash.
    pub hash: Hash,
    /// The committed texts stored beside it (none once withdrawn, none for v1 events).
    pub openings: Vec<TextOpening>,
}

/// The canonical text read back from a store did not decode.
#[derive(Debug, thiserror::Error)]
#[error("stored event is not valid: {0}")]
pub struct UndecodableEvent(#[from] serde_json::Error);

impl RecordedEvent {
    /// Seals `envelope` after an event whose hash is `prev_hash`.
    /// A statement's text is committed to under a fresh salt (canonical form v2).
    pub fn seal(mut envelope: EventEnvelope, prev_hash: Hash) -> RecordedEvent {
        let openings: Vec<TextOpening> = commitment::commit_event(&mut envelope)
            .into_iter()
            .collect();
        let canonical: Arc<str> = serde_json::to_string(&commitment::sealed_form(&envelope))
            .expect("event envelopes always serialize")
            .into();
        let hash = chain_hash(&prev_hash, canonical.as_bytes());
        RecordedEvent {
            envelope,
            canonical,
            prev_hash,
            hash,
            openings,
        }
    }

    /// Puts the texts a store keeps beside the event back into it (those whose commitment the
    /// event carries; others are ignored).
    pub fn with_openings(mut self, openings: Vec<TextOpening>) -> RecordedEvent {
        let mine: Vec<TextOpening> = match commitment::committed_text(&self.envelope) {
            Some((_, _, Some(commitment))) => openings
                .into_iter()
                .filter(|o| &o.commitment == commitment)
                .collect(),
            _ => Vec::new(),
        };
        commitment::open_event(&mut self.envelope, &mine);
        self.openings = mine;
        self
    }

    /// The event with its stored texts withdrawn (as the store keeps it after a redaction).
    pub fn withdrawn(&self) -> RecordedEvent {
        RecordedEvent {
            envelope: commitment::sealed_form(&self.envelope),
            canonical: self.canonical.clone(),
            prev_hash: self.prev_hash,
            hash: self.hash,
            openings: Vec::new(),
        }
    }

    /// Rebuilds an event from what a store kept.
    pub fn from_stored(
        canonical: String,
        prev_hash: Hash,
        hash: Hash,
    ) -> Result<RecordedEvent, UndecodableEvent> {
        let envelope = serde_json::from_str(&canonical)?;
        Ok(RecordedEvent {
            envelope,
            canonical: canonical.into(),
            prev_hash,
            hash,
            openings: Vec::new(),
        })
    }

    /// The event's seq.
    pub fn seq(&self) -> Seq {
        self.envelope.seq
    }

    /// The head of the record once this event is its last.
    pub fn head(&self) -> Head {
        Head {
            seq: self.envelope.seq,
            hash: self.hash,
        }
    }

    /// The `event` message subscribers receive: `{"type":"event",` followed by the canonical
    /// JSON without its opening brace. Byte-for-byte what serde makes of
    /// `ServerMessage::Event(envelope)`, without encoding the event again (an event with a
    /// stored text is encoded with it).
    pub fn wire_frame(&self) -> String {
        if !self.openings.is_empty() {
            return serde_json::to_string(&baraza_proto::message::ServerMessage::Event(Box::new(
                self.envelope.clone(),
            )))
            .expect("server messages always serialize");
        }
        let body = self
            .canonical
            .strip_prefix('{')
            .expect("canonical JSON is an object");
        let mut frame = String::with_capacity(self.canonical.len() + 16);
        frame.push_str("{\"type\":\"event\",");
        frame.push_str(body);
        frame
    }

    /// The event as `GET /api/rooms/{id}/events` shows it.
    pub fn entry(&self) -> RecordEntry {
        RecordEntry {
            event: self.envelope.clone(),
            canonical: self.canonical.to_string(),
            text_salt: self.openings.first().map(|o| o.salt.clone()),
            prev_hash: hex::encode(self.prev_hash),
            hash: hex::encode(self.hash),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baraza_proto::event::{EventBody, LeaveReason};
    use baraza_proto::ids::{RoomId, UserId};
    use baraza_proto::message::ServerMessage;

    fn left(seq: Seq) -> EventEnvelope {
        EventEnvelope {
            room: RoomId::new("r1").unwrap(),
            seq,
            ts: 1_700_000_000_000,
            actor: Some(UserId::new("u1").unwrap()),
            key: None,
            body: EventBody::MemberLeft {
                user: UserId::new("u1").unwrap(),
                reason: LeaveReason::Left,
            },
        }
    }

    #[test]
    fn wire_frame_is_what_serde_makes_of_an_event_message() {
        let event = RecordedEvent::seal(left(1), GENESIS);
        let serde_frame =
            serde_json::to_string(&ServerMessage::Event(Box::new(event.envelope.clone()))).unwrap();
        assert_eq!(event.wire_frame(), serde_frame);
    }

    #[test]
    fn each_hash_covers_the_previous_one() {
        let first = RecordedEvent::seal(left(1), GENESIS);
        let second = RecordedEvent::seal(left(2), first.hash);
        let forged_first = RecordedEvent::seal(left(1), [1; 32]);
        let second_after_forgery = RecordedEvent::seal(left(2), forged_first.hash);
        assert_ne!(second.hash, second_after_forgery.hash);
        assert_eq!(
            second.hash,
            chain_hash(&first.hash, second.canonical.as_bytes())
        );
    }

    #[test]
    fn stored_events_decode_back_to_the_same_event() {
        let sealed = RecordedEvent::seal(left(3), [7; 32]);
        let back =
            RecordedEvent::from_stored(sealed.canonical.to_string(), sealed.prev_hash, sealed.hash)
                .unwrap();
        assert_eq!(back, sealed);
    }
}
