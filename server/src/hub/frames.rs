//! Encoding server messages into frames, once.

use axum::extract::ws::Utf8Bytes;
use baraza_proto::error::ErrorCode;
use baraza_proto::ids::Seq;
use baraza_proto::message::ServerMessage;

/// Encodes a server message as a text frame.
pub fn encode(message: &ServerMessage) -> Utf8Bytes {
    serde_json::to_string(message)
        .expect("server messages always serialize")
        .into()
}

/// An `ack` frame.
pub fn ack(id: &str, seq: Seq, duplicate: bool) -> Utf8Bytes {
    encode(&ServerMessage::Ack {
        id: id.to_owned(),
        seq,
        duplicate,
    })
}

/// An `error` frame.
pub fn error(
    id: Option<&str>,
    code: ErrorCode,
    message: impl Into<String>,
    retry_after_ms: Option<u64>,
) -> Utf8Bytes {
    encode(&ServerMessage::Error {
        id: id.map(str::to_owned),
        code,
        message: message.into(),
        retry_after_ms,
    })
}
