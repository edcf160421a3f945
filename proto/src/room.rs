//! What a room is: its kind, scope, languages and the request that creates it.

use crate::consultation::Phase;
use crate::identity::Constituency;
use crate::ids::{CountryCode, LanguageTag, Millis, RoomId, Seq, UserId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The three kinds of room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    /// A live, moderated interactive dialogue with a speaking list.
    Roundtable,
    /// An e-consultation: threaded statements gathered over days or weeks.
    Consultation,
    /// A constituency's own space to organise itself (the major-groups format).
    Caucus,
}

/// The geographic reach of a room.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "level", rename_all = "snake_case")]
pub enum Scope {
    /// The whole world.
    Global,
    /// A region: a UN regional group slug (`african`, `asia_pacific`, `eastern_european`,
    /// `latin_american_caribbean`, `western_european_others`) or an M49 region or sub-region
    /// code (`002`, `014` …).
    Region {
        /// The region's code.
        region: String,
    },
    /// One country.
    Country {
        /// ISO 3166-1 alpha-2 code.
        country: CountryCode,
    },
}

/// A room's settings as chosen by the secretariat; recorded in the room's first event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoomSettings {
    /// Kind of room.
    pub kind: RoomKind,
    /// Title (1–200 characters).
    pub title: String,
    /// A longer description (at most 4,000 characters).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Working languages, first is the main one (at least one).
    pub languages: Vec<LanguageTag>,
    /// Geographic scope.
    pub scope: Scope,
    /// For a caucus: the constituency it belongs to. Only its members (and the secretariat)
    /// may join a caucus that names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constituency: Option<Constituency>,
    /// Above this many present, a person joining who has no role in the debate (not the
    /// secretariat, a moderator or a named rapporteur, not on the speaking list) joins the
    /// audience: counted and digested (`audience_changed`) rather than announced one by one.
    /// Observers are always audience. Absent: only observers are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience_above: Option<u32>,
}

/// Body of `POST /api/rooms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoomSpec {
    /// A readable id to use; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<RoomId>,
    /// The room's settings.
    #[serde(flatten)]
    pub settings: RoomSettings,
}

/// A room's identity and settings, as every view of it shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoomInfo {
    /// Id.
    pub id: RoomId,
    /// Settings.
    #[serde(flatten)]
    pub settings: RoomSettings,
    /// When the room was created.
    pub created_at: Millis,
    /// Who created it.
    pub created_by: UserId,
    /// When the room was archived (its record closed for good); absent while it is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Millis>,
}

/// One line of `GET /api/rooms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoomSummary {
    /// Identity and settings.
    #[serde(flatten)]
    pub info: RoomInfo,
    /// The last `seq` of the room's record.
    pub seq: Seq,
    /// How many members are present now.
    pub present: usize,
    /// Names of the members present now (the first [`SUMMARY_NAMES`] in order of arrival).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub present_names: Vec<String>,
    /// For a consultation: its phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
}

/// Most names a room summary lists.
pub const SUMMARY_NAMES: usize = 50;
