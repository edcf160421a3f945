//! Taking part by e-mail (see docs/email.md): consultations reach people who read mail on a
//! phone over a slow link, and their replies become statements in the record under the same
//! rules and moderation as the web.
//!
//! - [`token`]: the unforgeable reply addresses `reply+<token>@<domain>` (HMAC, expiring).
//! - [`labels`]: the words of the mail in the six languages; alignment words.
//! - [`compose`]: building a message (text first, light HTML, threading and list headers).
//! - [`notices`]: who receives a consultation's mail and what its events call for.
//! - [`digest`]: daily or weekly digests for a given `now`.
//! - [`inbound`]: reading an inbound message (automatic mail, quotes, signature, attachments).
//! - [`attachments`]: attachments stored by their SHA-256.
//! - [`db`]: `<data>/mail.sqlite3`: the outbox, the inbox log, cursors, settings.
//! - [`lmtp`]: the LMTP listener and the client of `baraza mail-in`.
//! - [`service`]: the driver tying these to the hub, the registry and the relay.

pub mod attachments;
pub mod compose;
pub mod db;
pub mod digest;
pub mod inbound;
pub mod labels;
pub mod lmtp;
pub mod notices;
pub mod service;
pub mod token;

pub use service::{MailConfig, MailService};

/// Why the mail driver failed.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The mail database failed.
    #[error(transparent)]
    Db(#[from] db::DbError),
    /// The record could not be read.
    #[error("the record: {0}")]
    Record(String),
    /// The configuration is not usable.
    #[error("{0}")]
    Config(String),
    /// A request's content is not acceptable.
    #[error("{0}")]
    Invalid(String),
}
