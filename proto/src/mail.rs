//! Taking part by e-mail: the attachments a mailed statement carries, each person's e-mail
//! settings, and what the secretariat sees of mail in and out (`/api/mail/*`, see
//! docs/email.md).

use crate::ids::{LanguageTag, Millis, QuestionId, RoomId, Seq};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A file that came with a statement by e-mail. The file itself is kept by the node under its
/// hash (`<data>/attachments/<sha256>`); the record holds this description.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Attachment {
    /// The file name the sender gave (cleaned), e.g. `position-paper.pdf`.
    pub name: String,
    /// Its media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

/// How often a person receives a digest of what is new.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DigestFrequency {
    /// Once a day.
    #[default]
    Daily,
    /// Once a week.
    Weekly,
    /// Never.
    None,
}

/// A question a person follows.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub struct Followed {
    /// The consultation.
    pub room: RoomId,
    /// The question.
    pub question: QuestionId,
}

/// A person's e-mail settings (`GET`/`PUT /api/mail/settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MailSettings {
    /// How often digests come.
    #[serde(default)]
    pub digest: DigestFrequency,
    /// The questions whose new statements the digest lists; empty: every question of the
    /// consultations the person takes part in.
    #[serde(default)]
    pub follows: Vec<Followed>,
    /// The language of the mail: one of ar, en, es, fr, ru, zh.
    pub lang: LanguageTag,
}

/// Where an outbound message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its (next) attempt.
    Queued,
    /// The relay took it.
    Sent,
    /// The node stopped while handing it to the relay; it is not sent again (it may have
    /// arrived).
    Unknown,
    /// The relay refused it every time; given up.
    Failed,
    /// A bounce came back for it.
    Bounced,
}

/// One outbound message, as the secretariat sees it (`GET /api/mail/outbox`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutboxEntry {
    /// Its number in the outbox.
    pub id: Seq,
    /// What it is and for whom: unique, so it is never queued twice.
    pub key: String,
    /// The recipient's address.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts so far.
    pub attempts: u32,
    /// The last error or bounce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When it was queued.
    pub queued_at: Millis,
}

/// What became of one inbound message (`GET /api/mail/inbox`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InboxEntry {
    /// Its number in the inbox.
    pub id: Seq,
    /// Its `Message-ID`.
    pub message_id: String,
    /// The envelope recipient (`reply+…@…`).
    pub to: String,
    /// `accepted`, `duplicate`, `ignored` or `refused`.
    pub outcome: String,
    /// Why, for anything not accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The consultation it went to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
    /// The statement it became.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<Seq>,
    /// The quoted text and signature stripped from it, for moderators.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stripped: String,
    /// When it arrived.
    pub received_at: Millis,
}

/// Counts for the secretariat (`GET /api/mail/outbox`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MailFigures {
    /// People with an e-mail who receive consultation mail.
    pub recipients: u64,
    /// Statements that came by e-mail.
    pub mailed_statements: u64,
    /// Outbound messages by state.
    pub queued: u64,
    /// Handed to the relay.
    pub sent: u64,
    /// Refused every time.
    pub failed: u64,
    /// Bounced.
    pub bounced: u64,
    /// Interrupted while sending.
    pub unknown: u64,
    /// Inbound messages refused or ignored.
    pub refused: u64,
    /// The same per consultation.
    #[serde(default)]
    pub consultations: Vec<ConsultationMailFigures>,
}

/// How many take part in one consultation by e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConsultationMailFigures {
    /// The consultation.
    pub room: RoomId,
    /// People who receive its mail.
    pub recipients: u64,
    /// Its statements that came by e-mail.
    pub mailed_statements: u64,
}
