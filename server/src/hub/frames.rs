//! Encoding server messages into frames, once.

use crate::record::RecordedEvent;
use axum::extract::ws::Utf8Bytes;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::EventBody;
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

/// The `event` frame a reader who does not moderate gets instead of the shared one, if it must
/// differ: a statement held for pre-moderation reaches them without its text (moderators see it
/// to decide; everyone sees the text once `statement_approved` makes it visible in the view).
/// `None` for every other event.
pub fn withheld(event: &RecordedEvent) -> Option<Utf8Bytes> {
    let EventBody::StatementPosted { held: true, .. } = &event.envelope.body else {
        return None;
    };
    let mut envelope = event.envelope.clone();
    if let EventBody::StatementPosted { text, .. } = &mut envelope.body {
        text.clear();
    }
    Some(encode(&ServerMessage::Event(envelope)))
}

/// The `event` frame of a stored event for a reader (see [`withheld`]).
pub fn event_for(event: &RecordedEvent, moderates: bool) -> Utf8Bytes {
    match (moderates, withheld(event)) {
        (false, Some(frame)) => frame,
        _ => event.wire_frame().into(),
    }
}
