//! `GET /api/search`: what a search finds, as the wire carries it.

use crate::ids::{AgendaItemId, LanguageTag, Millis, QuestionId, RoomId, StatementId, UserId};
use crate::room::RoomKind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The answer of `GET /api/search`: the statements the caller may read that hold every word of
/// the query, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SearchResults {
    /// The query as it was asked.
    pub query: String,
    /// What was found, best first.
    pub hits: Vec<SearchHit>,
    /// More statements matched than `hits` holds (ask again with a larger `limit` or a
    /// narrower filter).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// One statement found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SearchHit {
    /// Its room.
    pub room: RoomId,
    /// The room's title.
    pub room_title: String,
    /// The room's kind.
    pub kind: RoomKind,
    /// The statement's id: the `seq` of its `statement_posted` in the room's record.
    pub statement: StatementId,
    /// Who made it.
    pub author: UserId,
    /// Their display name, as the room knows it.
    pub author_name: String,
    /// The organisation they spoke for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// The constituency of that organisation (`ngos`, `farmers`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constituency: Option<String>,
    /// Their country (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The language of the text.
    pub lang: LanguageTag,
    /// The text, as the caller may read it (the latest version).
    pub text: String,
    /// When it was posted.
    pub posted_at: Millis,
    /// The question it answers (consultations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<QuestionId>,
    /// The agenda item it speaks to (roundtables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agenda_item: Option<AgendaItemId>,
    /// The statement it replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<StatementId>,
    /// Held for approval or rejected (only moderating readers find those): `held`,
    /// `rejected` or `hidden`; absent for a published statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}
