//! Text commitments: how a statement's text enters the chain without being part of it.
//!
//! Canonical form v2: a `statement_posted` or `statement_edited` event is hashed with its text
//! replaced by `text_commitment`, the SHA-256 (hex) of [`DOMAIN`] ‖ a 16-byte random salt ‖ the
//! text's UTF-8. The salt and the text (a [`TextOpening`]) are stored beside the event, keyed by
//! the commitment; withdrawing them (a redaction) changes no hash. The salt keeps a short
//! withdrawn text from being guessed back from its commitment. Records written before (v1)
//! carry the text inside the hashed form and no commitment; `baraza migrate` carries them over.

use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::ids::StatementId;
use sha2::{Digest, Sha256};

/// Prefix of every committed text, so a commitment cannot be mistaken for another hash.
pub const DOMAIN: &[u8] = b"baraza-text/1\0";

/// A stored text with what opens its commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOpening {
    /// The statement the text belongs to (as posted, or edited).
    pub statement: StatementId,
    /// The commitment (hex) it opens.
    pub commitment: String,
    /// The salt, hex (32 digits).
    pub salt: String,
    /// The text.
    pub text: String,
}

impl TextOpening {
    /// Commits to `text` under a fresh random salt.
    pub fn new(statement: StatementId, text: String) -> TextOpening {
        let salt: [u8; 16] = rand::random();
        let salt = hex::encode(salt);
        TextOpening {
            statement,
            commitment: commit(&salt, &text),
            salt,
            text,
        }
    }

    /// Whether the salt and text open the commitment (a changed text does not).
    pub fn opens(&self) -> bool {
        commit(&self.salt, &self.text) == self.commitment
    }
}

/// The commitment (hex) of `text` under `salt_hex` (the salt's bytes are hashed; a salt that
/// is not hex is hashed as its characters, and so never opens a commitment made by Baraza).
pub fn commit(salt_hex: &str, text: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    match hex::decode(salt_hex) {
        Ok(bytes) => hasher.update(bytes),
        Err(_) => hasher.update(salt_hex.as_bytes()),
    }
    hasher.update(text.as_bytes());
    hex::encode(hasher.finalize())
}

/// The redactable text of an event: the statement it belongs to, its text and its commitment.
pub fn committed_text(event: &EventEnvelope) -> Option<(StatementId, &String, &Option<String>)> {
    match &event.body {
        EventBody::StatementPosted {
            text,
            text_commitment,
            ..
        } => Some((event.seq, text, text_commitment)),
        EventBody::StatementEdited {
            statement,
            text,
            text_commitment,
        } => Some((*statement, text, text_commitment)),
        _ => None,
    }
}

fn text_fields(event: &mut EventEnvelope) -> Option<(&mut String, &mut Option<String>)> {
    match &mut event.body {
        EventBody::StatementPosted {
            text,
            text_commitment,
            ..
        }
        | EventBody::StatementEdited {
            text,
            text_commitment,
            ..
        } => Some((text, text_commitment)),
        _ => None,
    }
}

/// Commits the text of a new event (if it has one and no commitment yet): sets its
/// `text_commitment` and returns the opening to store.
pub fn commit_event(event: &mut EventEnvelope) -> Option<TextOpening> {
    let statement = committed_text(event)?.0;
    let (text, commitment) = text_fields(event)?;
    if commitment.is_some() || text.is_empty() {
        return None;
    }
    let opening = TextOpening::new(statement, text.clone());
    *commitment = Some(opening.commitment.clone());
    Some(opening)
}

/// The event as it is hashed: a committed text left out (v2); a v1 event unchanged.
pub fn sealed_form(event: &EventEnvelope) -> EventEnvelope {
    let mut sealed = event.clone();
    if let Some((text, Some(_))) = text_fields(&mut sealed) {
        text.clear();
    }
    sealed
}

/// Puts a stored text back into an event read from the record (its commitment must match the
/// opening's; otherwise the event is left without text).
pub fn open_event(event: &mut EventEnvelope, openings: &[TextOpening]) {
    if let Some((text, Some(commitment))) = text_fields(event)
        && let Some(opening) = openings.iter().find(|o| &o.commitment == commitment)
    {
        *text = opening.text.clone();
    }
}

/// The event as the v1 form hashed it: the text inside, no commitment. `None` when a committed
/// text is not at hand (withdrawn).
pub fn v1_form(event: &EventEnvelope) -> Option<EventEnvelope> {
    let mut old = event.clone();
    if let Some((text, commitment)) = text_fields(&mut old)
        && commitment.is_some()
    {
        if text.is_empty() {
            return None;
        }
        *commitment = None;
    }
    Some(old)
}

/// A statement by `u` in room `r`, in English, with its text inline (not yet committed): the
/// fixture of the record's tests.
#[cfg(test)]
pub(crate) fn statement_for_tests(seq: u64, ts: i64, text: &str) -> EventEnvelope {
    use baraza_proto::ids::{LanguageTag, RoomId, UserId};
    EventEnvelope {
        room: RoomId::new("r").unwrap(),
        seq,
        ts,
        actor: Some(UserId::new("u").unwrap()),
        key: None,
        body: EventBody::StatementPosted {
            text: text.into(),
            text_commitment: None,
            lang: LanguageTag::new("en").unwrap(),
            parent: None,
            agenda_item: None,
            question: None,
            alignment: None,
            held: false,
            attachments: Vec::new(),
            by_mail: None,
            joint: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(text: &str) -> EventEnvelope {
        statement_for_tests(4, 1, text)
    }

    #[test]
    fn the_sealed_form_holds_the_commitment_not_the_text() {
        let mut event = posted("Land reform now");
        let opening = commit_event(&mut event).unwrap();
        assert_eq!(opening.statement, 4);
        assert!(opening.opens());
        let sealed = serde_json::to_string(&sealed_form(&event)).unwrap();
        assert!(!sealed.contains("Land reform"), "{sealed}");
        assert!(sealed.contains(&opening.commitment));
        let mut back: EventEnvelope = serde_json::from_str(&sealed).unwrap();
        open_event(&mut back, std::slice::from_ref(&opening));
        assert_eq!(back, event);
    }

    #[test]
    fn the_same_text_commits_differently_each_time() {
        let a = TextOpening::new(1, "yes".into());
        let b = TextOpening::new(1, "yes".into());
        assert_ne!(a.commitment, b.commitment);
    }

    #[test]
    fn a_changed_text_or_salt_does_not_open() {
        let mut opening = TextOpening::new(1, "yes".into());
        opening.text = "no".into();
        assert!(!opening.opens());
        let mut opening = TextOpening::new(1, "yes".into());
        opening.salt = "00".repeat(16);
        assert!(!opening.opens());
    }

    #[test]
    fn the_v1_form_is_the_event_before_commitments() {
        let v1 = posted("Land reform now");
        let mut v2 = v1.clone();
        commit_event(&mut v2).unwrap();
        assert_eq!(v1_form(&v2), Some(v1.clone()));
        assert_eq!(v1_form(&v1), Some(v1));
        let mut withdrawn = sealed_form(&v2);
        open_event(&mut withdrawn, &[]);
        assert_eq!(v1_form(&withdrawn), None);
    }
}
