//! Encoding server messages into frames, once. Encoding only: what a reader may see is the
//! domain's answer (`domain::visibility`).

use crate::domain::visibility::{self, Visibility};
use crate::record::RecordedEvent;
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

/// The `event` frame of a recorded event as a reader may see it (the domain decides which:
/// `visibility::frame_for`). `All` reuses the shared encoding of the record.
pub fn event(event: &RecordedEvent, visibility: Visibility) -> Utf8Bytes {
    match visibility {
        Visibility::All => event.wire_frame().into(),
        Visibility::Redacted => {
            let mut envelope = event.envelope.clone();
            envelope.body = visibility::redact(&envelope.body);
            encode(&ServerMessage::Event(Box::new(envelope)))
        }
    }
}
