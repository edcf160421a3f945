//! Bodies of the HTTP API (`/api/*`, `/healthz`).

use crate::error::ErrorCode;
use crate::event::EventEnvelope;
use crate::ids::{RoomId, Seq};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One event of a room's record with its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RecordEntry {
    /// The event exactly as hashed.
    #[serde(flatten)]
    pub event: EventEnvelope,
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
