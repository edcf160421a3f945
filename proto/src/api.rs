//! Bodies of the HTTP API (`/api/*`, `/healthz`).

use crate::error::ErrorCode;
use crate::event::EventEnvelope;
use crate::ids::{RoomId, Seq};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One event of a room's record with its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RecordEntry {
    /// The event, with its texts where they are still stored (`canonical` holds their
    /// commitments instead).
    #[serde(flatten)]
    pub event: EventEnvelope,
    /// The exact text that was hashed (the event's canonical JSON); left out of an export
    /// line whose event this reader may not read in full.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub canonical: String,
    /// For a statement's text still stored: the salt (hex) that, with the shown text, opens
    /// the event's `text_commitment`. Absent once the text is redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_salt: Option<String>,
    /// SHA-256 (hex) of the previous event; 64 zeros for `seq` 1.
    pub prev_hash: String,
    /// SHA-256 (hex) over the previous hash's 32 bytes followed by the event's canonical JSON.
    pub hash: String,
}

/// Body of `GET /api/rooms/{id}/events?after=N&limit=M`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RecordPage {
    /// The room.
    pub room: RoomId,
    /// The room's last `seq` when the page was read.
    pub head: Seq,
    /// Events after `after`, in order, at most `limit`.
    pub events: Vec<RecordEntry>,
}

/// Body of every HTTP error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApiError {
    /// The error.
    pub error: ApiErrorBody,
}

/// The error itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApiErrorBody {
    /// Machine-readable reason (same codes as the WebSocket `error`).
    pub code: ErrorCode,
    /// Human-readable detail.
    pub message: String,
}

/// Body of `GET /healthz` (`200` when `ok`, `503` when `degraded`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Health {
    /// `ok` while the node serves normally; `degraded` while it cannot record reliably (see
    /// `problems`).
    pub status: String,
    /// `embedded` or `redis`.
    pub engine: String,
    /// This node's id.
    pub node: String,
    /// Server version.
    pub version: String,
    /// Why the node is `degraded`; absent when `ok`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<HealthProblem>,
}

/// One reason a node is `degraded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HealthProblem {
    /// Which check failed.
    pub check: HealthCheck,
    /// What it found, for an operator.
    pub message: String,
}

/// The checks behind `/healthz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthCheck {
    /// Free space for the embedded record's data directory is below the minimum.
    DiskSpace,
    /// The last append to the record failed (and none succeeded since).
    RecordAppend,
}

/// Body of `GET /api/geo`: the countries and regions a room's scope may name, so that a client
/// offers them by name (it names them in its own language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GeoTable {
    /// Every assigned ISO 3166-1 alpha-2 code, sorted by code.
    pub countries: Vec<GeoCountry>,
    /// The M49 areas, each after its parent (World first).
    pub areas: Vec<GeoArea>,
    /// The UN regional group slugs (`african` …).
    pub groups: Vec<crate::identity::UnGroup>,
}

/// One country of [`GeoTable`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GeoCountry {
    /// ISO 3166-1 alpha-2 code.
    pub code: crate::ids::CountryCode,
    /// Its UN regional group; absent for territories and non-members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub un_group: Option<crate::identity::UnGroup>,
    /// The M49 areas it lies in, most specific first, up to `001` World.
    pub areas: Vec<String>,
}

/// One M49 area of [`GeoTable`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GeoArea {
    /// M49 code (`002` …).
    pub code: String,
    /// Its English name (clients show their own translation).
    pub name: String,
    /// The area it lies in; absent for `001` World.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}
