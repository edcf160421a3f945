//! Commands a client sends to a room inside a `command` message.
//!
//! The server's domain core decides whether the sender may give each command and what events
//! it produces; nothing here is trusted before that.

use crate::ids::{AgendaItemId, LanguageTag, QuestionId, StatementId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A command addressed to one room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RoomCommand {
    /// Post a statement, or a reply when `parent` is set. Needs an idempotency key.
    PostStatement {
        /// The text (1 to `limits.max_statement_chars` characters).
        text: String,
        /// Language the text is written in.
        lang: LanguageTag,
        /// The statement this one replies to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<StatementId>,
        /// The agenda item it speaks to (roundtables).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agenda_item: Option<AgendaItemId>,
        /// The question it answers (consultations).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question: Option<QuestionId>,
    },
    /// Hide a statement (moderators and secretariat). The record keeps it; views mark it hidden.
    HideStatement {
        /// Which statement.
        statement: StatementId,
        /// Why (1–500 characters); shown to everyone.
        reason: String,
    },
}

impl RoomCommand {
    /// Commands that create something must carry an idempotency key.
    pub fn creates(&self) -> bool {
        matches!(self, RoomCommand::PostStatement { .. })
    }

    /// The wire name of the command (`"post_statement"` …), for logs and errors.
    pub fn name(&self) -> &'static str {
        match self {
            RoomCommand::PostStatement { .. } => "post_statement",
            RoomCommand::HideStatement { .. } => "hide_statement",
        }
    }
}
