//! The messages of `GET /ws` (subprotocol `baraza.v1`): JSON text frames with a `type`.
//!
//! Every client message carries an `id` that the server echoes in its `ack` or `error`.

use crate::command::RoomCommand;
use crate::error::ErrorCode;
use crate::event::EventEnvelope;
use crate::identity::Profile;
use crate::ids::{IdempotencyKey, Millis, RoomId, Seq};
use crate::limits::Limits;
use crate::view::{RoomView, ViewPatch};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A message from client to server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Authenticate; must be the first message. May be sent again later with a fresh token for
    /// the same user to extend the session.
    Auth {
        /// Request id.
        id: String,
        /// A signed JWT.
        token: String,
    },
    /// Enter a room. Without `since` the server answers with a `snapshot`; with `since: N` it
    /// sends exactly the events after N (resume). Then `ack` with the room's current `seq`, then
    /// live events.
    Join {
        /// Request id.
        id: String,
        /// The room.
        room: RoomId,
        /// The last `seq` this client already has.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<Seq>,
    },
    /// Leave a room and stop receiving its events.
    Leave {
        /// Request id.
        id: String,
        /// The room.
        room: RoomId,
    },
    /// Give a room a command.
    Command {
        /// Request id.
        id: String,
        /// The room (must be joined).
        room: RoomId,
        /// Idempotency key; required for commands that create something.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<IdempotencyKey>,
        /// The command.
        command: RoomCommand,
    },
    /// Application-level heartbeat (browsers cannot send WebSocket pings).
    Ping {
        /// Request id.
        id: String,
    },
}

impl ClientMessage {
    /// Every `type` a client may send.
    pub const TYPES: [&'static str; 5] = ["auth", "join", "leave", "command", "ping"];

    /// The request id.
    pub fn id(&self) -> &str {
        match self {
            ClientMessage::Auth { id, .. }
            | ClientMessage::Join { id, .. }
            | ClientMessage::Leave { id, .. }
            | ClientMessage::Command { id, .. }
            | ClientMessage::Ping { id } => id,
        }
    }
}

/// A message from server to client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to a successful `auth`.
    Welcome {
        /// The `auth` request id.
        id: String,
        /// Protocol version (1).
        protocol: u32,
        /// The authenticated person.
        user: Profile,
        /// When the token expires; send a fresh `auth` before then.
        expires_at: Millis,
        /// The server sends a WebSocket ping this often and closes the connection after three
        /// silent intervals.
        heartbeat_ms: u64,
        /// Limits of this connection.
        limits: Limits,
        /// Which server node answered (useful when reporting problems).
        node: String,
    },
    /// A request succeeded. `seq` is the event it produced, or the room's current `seq` when it
    /// produced none.
    Ack {
        /// The request id.
        id: String,
        /// A `seq` of the room's record.
        seq: Seq,
        /// True when the idempotency key was seen before and the original `seq` is returned.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        duplicate: bool,
    },
    /// A request failed, or the connection broke a rule.
    Error {
        /// The request id, when the request could be read.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// Machine-readable reason.
        code: ErrorCode,
        /// Human-readable detail.
        message: String,
        /// For `rate_limited` and `unavailable`: when to retry.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
    /// A room's whole state as of `seq`, sent on `join` without `since`.
    Snapshot {
        /// The room.
        room: RoomId,
        /// The state includes every event up to here.
        seq: Seq,
        /// The state.
        state: Box<RoomView>,
    },
    /// One event of a room's record.
    Event(Box<EventEnvelope>),
    /// What the event just sent changed in the server-derived parts of the view, for this
    /// kind of reader (see [`ViewPatch`]); also sent once at the end of a resume.
    View(Box<ViewPatch>),
    /// The answer to `ping`.
    Pong {
        /// The `ping` request id.
        id: String,
    },
}
