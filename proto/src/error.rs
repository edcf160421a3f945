//! Error codes carried by `error` messages and HTTP error bodies, and WebSocket close codes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Machine-readable reason of an `error` message. Stable across protocol v1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not a JSON object with a string `type`.
    MalformedMessage,
    /// The `type` is not a message of this protocol.
    UnknownMessageType,
    /// The `type` is known but its fields are wrong (missing, wrong type, bad format).
    InvalidMessage,
    /// The frame is larger than `limits.max_frame_bytes`; it was discarded.
    FrameTooLarge,
    /// This message needs an authenticated connection: send `auth` first.
    AuthRequired,
    /// The token is not a valid, correctly signed JWT for this server.
    TokenInvalid,
    /// The token's `exp` has passed.
    TokenExpired,
    /// The token's `nbf` is in the future.
    TokenNotYetValid,
    /// The token is signed with an algorithm this server does not accept.
    TokenAlgorithm,
    /// The token's claims are wrong: issuer, audience, role, country …
    TokenClaims,
    /// A second `auth` on one connection must be for the same user.
    IdentityMismatch,
    /// Too many messages; wait `retry_after_ms` and resend.
    RateLimited,
    /// No room with that id.
    RoomNotFound,
    /// A room with that id already exists.
    RoomExists,
    /// This connection has not joined that room.
    NotJoined,
    /// The sender's role (or membership) does not allow this command.
    Forbidden,
    /// The command's content is not acceptable (empty text, too long, unknown reference …).
    InvalidCommand,
    /// Commands that create something need an idempotency `key`.
    IdempotencyKeyRequired,
    /// The server cannot reach its record right now; retry with the same idempotency key.
    Unavailable,
    /// Something went wrong inside the server; the message says what.
    Internal,
    /// The room is archived: its record is closed for good and it takes no more commands.
    /// It can still be read and exported.
    RoomArchived,
    /// The registry ended this person's access (they were revoked, or their organisation's
    /// accreditation withdrawn); the message gives the registry's reason. The connection
    /// closes with `4010` next.
    AccessEnded,
}

impl ErrorCode {
    /// Whether resending the same message (same idempotency key) later may succeed.
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorCode::RateLimited | ErrorCode::Unavailable)
    }

    /// The wire name (`"rate_limited"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedMessage => "malformed_message",
            ErrorCode::UnknownMessageType => "unknown_message_type",
            ErrorCode::InvalidMessage => "invalid_message",
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::AuthRequired => "auth_required",
            ErrorCode::TokenInvalid => "token_invalid",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenNotYetValid => "token_not_yet_valid",
            ErrorCode::TokenAlgorithm => "token_algorithm",
            ErrorCode::TokenClaims => "token_claims",
            ErrorCode::IdentityMismatch => "identity_mismatch",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::RoomNotFound => "room_not_found",
            ErrorCode::RoomExists => "room_exists",
            ErrorCode::NotJoined => "not_joined",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::InvalidCommand => "invalid_command",
            ErrorCode::IdempotencyKeyRequired => "idempotency_key_required",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::RoomArchived => "room_archived",
            ErrorCode::AccessEnded => "access_ended",
        }
    }
}

/// WebSocket close codes the server uses, with what a client should do about each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum CloseCode {
    /// The client asked to close, or the server ended a finished session.
    Normal = 1000,
    /// A frame exceeded the hard limit (`limits.max_frame_bytes` × 16); do not resend it.
    MessageTooBig = 1009,
    /// The server failed; reconnect and resume.
    InternalError = 1011,
    /// The server is restarting or shutting down: reconnect (to any node) and resume.
    ServiceRestart = 1012,
    /// No valid `auth` arrived in time, or the token was refused; get a new token.
    AuthFailed = 4001,
    /// No frame (not even a pong) arrived within the heartbeat timeout.
    HeartbeatTimeout = 4002,
    /// The token expired during the session; reconnect with a fresh token and resume.
    TokenExpired = 4003,
    /// The registry ended the person's access (revoked, or their organisation's accreditation
    /// withdrawn); an `error` with code `access_ended` and the reason came just before. Do not
    /// reconnect with the same token.
    AccessEnded = 4010,
    /// The client read too slowly and its send queue filled up; reconnect and resume.
    SlowConsumer = 4008,
    /// The client kept sending far over the rate limit; wait, then reconnect.
    RateAbuse = 4029,
}

impl CloseCode {
    /// The numeric code.
    pub fn code(self) -> u16 {
        self as u16
    }

    /// A short reason phrase sent in the close frame.
    pub fn reason(self) -> &'static str {
        match self {
            CloseCode::Normal => "bye",
            CloseCode::MessageTooBig => "message too big",
            CloseCode::InternalError => "internal error; reconnect and resume",
            CloseCode::ServiceRestart => "server restarting; reconnect and resume",
            CloseCode::AuthFailed => "authentication failed",
            CloseCode::HeartbeatTimeout => "heartbeat timeout",
            CloseCode::TokenExpired => "token expired; reconnect with a fresh token",
            CloseCode::AccessEnded => "access ended by the registry",
            CloseCode::SlowConsumer => "too slow to keep up; reconnect and resume",
            CloseCode::RateAbuse => "too many messages; wait before reconnecting",
        }
    }

    /// Whether a client should reconnect and resume after this close.
    pub fn should_resume(self) -> bool {
        matches!(
            self,
            CloseCode::InternalError
                | CloseCode::ServiceRestart
                | CloseCode::HeartbeatTimeout
                | CloseCode::TokenExpired
                | CloseCode::SlowConsumer
        )
    }

    /// All codes, for documentation and tests.
    pub const ALL: [CloseCode; 10] = [
        CloseCode::Normal,
        CloseCode::MessageTooBig,
        CloseCode::InternalError,
        CloseCode::ServiceRestart,
        CloseCode::AuthFailed,
        CloseCode::HeartbeatTimeout,
        CloseCode::TokenExpired,
        CloseCode::AccessEnded,
        CloseCode::SlowConsumer,
        CloseCode::RateAbuse,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_the_serialized_name() {
        use ErrorCode::*;
        let all = [
            MalformedMessage,
            UnknownMessageType,
            InvalidMessage,
            FrameTooLarge,
            AuthRequired,
            TokenInvalid,
            TokenExpired,
            TokenNotYetValid,
            TokenAlgorithm,
            TokenClaims,
            IdentityMismatch,
            RateLimited,
            RoomNotFound,
            RoomExists,
            NotJoined,
            Forbidden,
            InvalidCommand,
            IdempotencyKeyRequired,
            Unavailable,
            Internal,
            RoomArchived,
            AccessEnded,
        ];
        for code in all {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
