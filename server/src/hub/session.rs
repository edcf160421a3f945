//! The reading half of one WebSocket connection, and the connection's session: who it is,
//! which rooms it joined, its rate limit.
//!
//! It `select!`s over the client's frames, the heartbeat, the token's expiry and the
//! connection's stop signal. Inbound frames pass the size limit, the rate limit and parsing
//! before anything else; a bad frame gets an `error` and the connection goes on. Everything the
//! session says to the client goes through the connection's send queue, written by the other
//! half ([`super::writer`]), so answers and room events reach the client in the order they
//! were queued and a delivery never wakes this task.

use super::frames;
use super::outbound::{ConnHandle, Outbound, Stop};
use super::ratelimit::RateLimiter;
use super::room::{RoomHandle, RoomMsg};
use super::writer::Writer;
use super::{Hub, HubError};
use crate::metrics::Metrics;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use baraza_proto::PROTOCOL_VERSION;
use baraza_proto::error::{CloseCode, ErrorCode};
use baraza_proto::identity::Profile;
use baraza_proto::ids::{Millis, RoomId};
use baraza_proto::message::{ClientMessage, ServerMessage};
use futures_util::StreamExt;
use futures_util::stream::SplitStream;
use serde::Deserialize;
use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

/// How long to wait for the client's close frame after sending ours.
const CLOSE_HANDSHAKE: Duration = Duration::from_secs(2);

type Stream = SplitStream<WebSocket>;

/// Serves one upgraded WebSocket until it closes: this task reads, a task of its own writes.
pub async fn serve(socket: WebSocket, hub: Hub) {
    let (conn, queue) = ConnHandle::new(
        hub.next_conn_id(),
        hub.config().limits.send_queue,
        hub.metrics().clone(),
        &hub.shutdown_token(),
    );
    hub.metrics().connections.inc();
    let (sink, stream) = socket.split();
    let writer = Writer {
        conn: conn.clone(),
        store: hub.inner().store.clone(),
        metrics: hub.metrics().clone(),
    };
    hub.inner().tasks.spawn(writer.run(sink, queue));
    let now = Instant::now();
    let limits = &hub.config().limits;
    let mut session = Session {
        limiter: RateLimiter::new(limits.messages_per_second, limits.burst, now.into_std()),
        hub: hub.clone(),
        conn,
        user: None,
        rooms: HashMap::new(),
        last_heard: now,
    };
    session.run(stream).await;
    session.conn.end();
    if let Some(user) = &session.user {
        hub.inner()
            .connections
            .remove(&user.profile.user, session.conn.id());
    }
    for (_, room) in session.rooms.drain() {
        if !room.try_send(RoomMsg::Detach {
            conn: session.conn.id(),
        }) {
            let conn = session.conn.id();
            tokio::spawn(async move {
                let _ = room.send(RoomMsg::Detach { conn }).await;
            });
        }
    }
    hub.metrics().connections.dec();
}

struct Session {
    hub: Hub,
    conn: ConnHandle,
    user: Option<Authenticated>,
    rooms: HashMap<RoomId, RoomHandle>,
    limiter: RateLimiter,
    last_heard: Instant,
}

struct Authenticated {
    profile: Profile,
    expires: Instant,
}

/// What to do after handling a frame.
enum Flow {
    Continue,
    Close(CloseCode),
    /// The peer is gone; nothing more can be sent.
    End,
}

impl Session {
    async fn run(&mut self, mut stream: Stream) {
        let heartbeat_every = self.hub.config().heartbeat;
        let mut heartbeat =
            tokio::time::interval_at(Instant::now() + heartbeat_every, heartbeat_every);
        let auth_deadline = Instant::now() + self.hub.config().auth_timeout;
        let conn = self.conn.clone();
        let stopped = conn.stopped();
        tokio::pin!(stopped);
        let mut deadline = auth_deadline;
        let expiry = tokio::time::sleep_until(deadline);
        tokio::pin!(expiry);
        let code = loop {
            let due = self.user.as_ref().map_or(auth_deadline, |u| u.expires);
            if due != deadline {
                deadline = due;
                expiry.as_mut().reset(deadline);
            }
            let flow = tokio::select! {
                frame = stream.next() => match frame {
                    Some(Ok(frame)) => {
                        self.last_heard = Instant::now();
                        // Boxed: handling a frame takes a large future that an idle
                        // connection should not carry in its own state.
                        Box::pin(self.on_frame(frame)).await
                    }
                    Some(Err(error)) => read_failure(error),
                    None => Flow::End,
                },
                stop = &mut stopped => match stop {
                    // The writer sends the close frame; wait for the client's below.
                    Stop::Close(code) => break Some(code),
                    Stop::Ended => Flow::End,
                },
                () = &mut expiry => self.on_deadline(),
                _ = heartbeat.tick() => {
                    if self.last_heard.elapsed() > heartbeat_every * 3 {
                        Flow::Close(CloseCode::HeartbeatTimeout)
                    } else {
                        self.send(Outbound::Ping)
                    }
                }
            };
            match flow {
                Flow::Continue => {}
                Flow::End => break None,
                Flow::Close(code) => {
                    // After what is already queued (an error explaining why, say).
                    if !self.conn.push(Outbound::Close(code)) {
                        self.conn.kick(code);
                    }
                    break Some(code);
                }
            }
        };
        if code.is_some() {
            // Complete the closing handshake: read (and drop) what the client still sends
            // until its close arrives, so that unread data does not make the kernel reset the
            // connection before the close frame is delivered. If the stream cannot be read any
            // further (a frame over the hard limit leaves the reader stuck at its header), keep
            // the socket open for the rest of the window instead.
            let drain = async {
                loop {
                    match stream.next().await {
                        Some(Ok(Message::Close(_))) => break,
                        Some(Ok(_)) => {}
                        // The reader gave up (or the peer stopped sending): wait out the
                        // window rather than reset a client that may still be writing.
                        Some(Err(_)) | None => std::future::pending::<()>().await,
                    }
                }
            };
            let _ = tokio::time::timeout(CLOSE_HANDSHAKE, drain).await;
        }
    }

    /// Queues `item` for the writer. A full queue kicks the connection (slow consumer); the
    /// stop signal then ends this half too.
    fn send(&self, item: Outbound) -> Flow {
        self.conn.push(item);
        Flow::Continue
    }

    fn on_deadline(&mut self) -> Flow {
        match &self.user {
            None => {
                let frame = frames::error(
                    None,
                    ErrorCode::AuthRequired,
                    "no auth message arrived in time",
                    None,
                );
                self.send(Outbound::Frame(frame));
                Flow::Close(CloseCode::AuthFailed)
            }
            Some(_) => {
                let frame = frames::error(
                    None,
                    ErrorCode::TokenExpired,
                    "the token expired; reconnect with a fresh one",
                    None,
                );
                self.send(Outbound::Frame(frame));
                Flow::Close(CloseCode::TokenExpired)
            }
        }
    }

    async fn on_frame(&mut self, frame: Message) -> Flow {
        match frame {
            Message::Text(text) => self.on_text(text).await,
            Message::Binary(_) => self.reply(frames::error(
                None,
                ErrorCode::MalformedMessage,
                "binary frames are not part of baraza.v1; send JSON text",
                None,
            )),
            Message::Ping(_) | Message::Pong(_) => Flow::Continue,
            Message::Close(_) => Flow::End,
        }
    }

    async fn on_text(&mut self, text: Utf8Bytes) -> Flow {
        let limits = &self.hub.config().limits;
        if text.len() > limits.max_frame_bytes {
            let message = format!(
                "the frame has {} bytes; the limit is {}",
                text.len(),
                limits.max_frame_bytes
            );
            return self.reply(frames::error(None, ErrorCode::FrameTooLarge, message, None));
        }
        if let Err(wait) = self.limiter.take(Instant::now().into_std()) {
            if self.limiter.is_abusive() {
                return Flow::Close(CloseCode::RateAbuse);
            }
            let retry = Some(wait.as_millis().max(1) as u64);
            // Name the refused request when the frame says which it is, so that a client
            // can resend exactly that one after `retry_after_ms`.
            let id = request_id(&text);
            return self.reply(frames::error(
                id.as_deref(),
                ErrorCode::RateLimited,
                "too many messages; slow down",
                retry,
            ));
        }
        let message = match parse(&text) {
            Ok(message) => message,
            Err(error) => return self.reply(error),
        };
        self.on_message(message).await
    }

    async fn on_message(&mut self, message: ClientMessage) -> Flow {
        if let ClientMessage::Auth { id, token } = &message {
            return self.authenticate(id, token);
        }
        if let ClientMessage::Ping { id } = &message {
            return self.reply(frames::encode(&ServerMessage::Pong { id: id.clone() }));
        }
        let Some(user) = &self.user else {
            let frame = frames::error(
                Some(message.id()),
                ErrorCode::AuthRequired,
                "send auth first",
                None,
            );
            return self.reply(frame);
        };
        let profile = user.profile.clone();
        let conn = self.conn.clone();
        match message {
            ClientMessage::Auth { .. } | ClientMessage::Ping { .. } => {
                unreachable!("handled above")
            }
            ClientMessage::Join { id, room, since } => {
                if let Err(refusal) = self.hub.registry_admits(&profile, &room) {
                    crate::audit::command_refused(
                        &room,
                        &crate::domain::Actor::Person(profile.clone()),
                        "join",
                        &refusal,
                    );
                    let frame = frames::error(Some(&id), refusal.code(), refusal.to_string(), None);
                    return self.reply(frame);
                }
                let message = RoomMsg::Join {
                    conn,
                    profile,
                    since,
                    request: id.clone(),
                };
                match self.hub.send(&room, message).await {
                    Ok(handle) => {
                        self.rooms.insert(room, handle);
                        Flow::Continue
                    }
                    Err(error) => self.reply(hub_error(&id, &error)),
                }
            }
            ClientMessage::Leave { id, room } => match self.rooms.remove(&room) {
                Some(handle) => {
                    let message = RoomMsg::Leave {
                        conn,
                        request: id.clone(),
                    };
                    match handle.send(message).await {
                        Ok(()) => Flow::Continue,
                        Err(_) => self.reply(frames::ack(&id, 0, false)),
                    }
                }
                None => self.reply(not_joined(&id, &room)),
            },
            ClientMessage::Command {
                id,
                room,
                key,
                command,
            } => {
                let Some(handle) = self.rooms.get(&room).cloned() else {
                    return self.reply(not_joined(&id, &room));
                };
                let message = RoomMsg::Command {
                    conn,
                    profile,
                    key,
                    command,
                    request: id.clone(),
                };
                let Err(message) = handle.send(message).await else {
                    return Flow::Continue;
                };
                // The room's actor stopped (it unloads only when nobody is connected, so this
                // connection's join was refused or is being handed on to its next actor):
                // the next actor answers, `not_joined` unless it holds this connection.
                self.rooms.remove(&room);
                match self.hub.send(&room, message).await {
                    Ok(handle) => {
                        self.rooms.insert(room, handle);
                        Flow::Continue
                    }
                    Err(error) => self.reply(hub_error(&id, &error)),
                }
            }
        }
    }

    fn authenticate(&mut self, id: &str, token: &str) -> Flow {
        let verified = match self.hub.verify_token(token) {
            Ok(verified) => verified,
            Err(error) => {
                Metrics::add(&self.hub.metrics().auth_failures, 1);
                crate::audit::token_refused(self.conn.id(), &error);
                let flow = self.reply(frames::error(
                    Some(id),
                    error.code(),
                    error.to_string(),
                    None,
                ));
                // A failed refresh keeps the session it had; a failed first auth ends it.
                return match (&self.user, flow) {
                    (None, Flow::Continue) => Flow::Close(CloseCode::AuthFailed),
                    (_, flow) => flow,
                };
            }
        };
        if let Some(user) = &self.user
            && user.profile.user != verified.profile.user
        {
            let message = "a connection stays with the user it first authenticated";
            return self.reply(frames::error(
                Some(id),
                ErrorCode::IdentityMismatch,
                message,
                None,
            ));
        }
        let welcome = ServerMessage::Welcome {
            id: id.to_owned(),
            protocol: PROTOCOL_VERSION,
            user: verified.profile.clone(),
            expires_at: verified.expires_at,
            heartbeat_ms: self.hub.config().heartbeat.as_millis() as u64,
            limits: self.hub.config().limits.clone(),
            node: self.hub.config().node.clone(),
        };
        if self.user.is_none() {
            self.hub
                .inner()
                .connections
                .add(&verified.profile.user, &self.conn);
        }
        self.user = Some(Authenticated {
            profile: verified.profile,
            expires: instant_at(verified.expires_at),
        });
        self.reply(frames::encode(&welcome))
    }

    fn reply(&self, frame: Utf8Bytes) -> Flow {
        self.send(Outbound::Frame(frame))
    }
}

/// Parses a client frame, telling apart frames that are not messages, unknown types, and
/// known types with wrong fields. The error is an encoded `error` frame.
fn parse(text: &str) -> Result<ClientMessage, Utf8Bytes> {
    #[derive(Deserialize)]
    struct Head {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        id: Option<serde_json::Value>,
    }
    let head: Head = serde_json::from_str(text).map_err(|e| {
        frames::error(
            None,
            ErrorCode::MalformedMessage,
            format!("expected a JSON object with a string \"type\": {e}"),
            None,
        )
    })?;
    let id = match &head.id {
        Some(serde_json::Value::String(id)) => Some(id.as_str()),
        _ => None,
    };
    if !ClientMessage::TYPES.contains(&head.kind.as_str()) {
        let message = format!(
            "unknown message type {:?}; expected one of {:?}",
            head.kind,
            ClientMessage::TYPES
        );
        return Err(frames::error(
            id,
            ErrorCode::UnknownMessageType,
            message,
            None,
        ));
    }
    let message: ClientMessage = serde_json::from_str(text).map_err(|e| {
        frames::error(
            id,
            ErrorCode::InvalidMessage,
            format!("invalid {}: {e}", head.kind),
            None,
        )
    })?;
    if message.id().is_empty() || message.id().len() > 64 {
        return Err(frames::error(
            id,
            ErrorCode::InvalidMessage,
            "id must be 1 to 64 characters",
            None,
        ));
    }
    Ok(message)
}

/// The `id` of a client frame, if it is a JSON object with a string `id` (nothing else of the
/// frame is kept).
fn request_id(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Id {
        id: Option<serde_json::Value>,
    }
    match serde_json::from_str::<Id>(text).ok()?.id? {
        serde_json::Value::String(id) if !id.is_empty() && id.len() <= 64 => Some(id),
        _ => None,
    }
}

fn not_joined(id: &str, room: &RoomId) -> Utf8Bytes {
    frames::error(
        Some(id),
        ErrorCode::NotJoined,
        format!("join {room} first"),
        None,
    )
}

fn hub_error(id: &str, error: &HubError) -> Utf8Bytes {
    frames::error(
        Some(id),
        error.code(),
        error.to_string(),
        error.retry_after_ms(),
    )
}

/// Maps a read error to what to do: a frame over the hard size limit closes with 1009, any
/// other error means the peer is gone.
fn read_failure(error: axum::Error) -> Flow {
    let too_big = error
        .into_inner()
        .downcast::<tungstenite::Error>()
        .is_ok_and(|e| matches!(*e, tungstenite::Error::Capacity(_)));
    if too_big {
        Flow::Close(CloseCode::MessageTooBig)
    } else {
        Flow::End
    }
}

/// The monotonic instant at which the wall-clock time `at` (ms since the epoch) arrives.
fn instant_at(at: Millis) -> Instant {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis);
    let ahead = Duration::from_millis(at.saturating_sub(now_ms).max(0) as u64);
    Instant::now() + ahead.min(Duration::from_secs(60 * 60 * 24 * 365))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(frame: Utf8Bytes) -> (Option<String>, ErrorCode) {
        match serde_json::from_str::<ServerMessage>(frame.as_str()).unwrap() {
            ServerMessage::Error { id, code, .. } => (id, code),
            other => panic!("not an error: {other:?}"),
        }
    }

    #[test]
    fn parse_tells_malformed_unknown_and_invalid_apart() {
        assert_eq!(
            code_of(parse("{nope").unwrap_err()),
            (None, ErrorCode::MalformedMessage)
        );
        assert_eq!(
            code_of(parse("[1,2]").unwrap_err()),
            (None, ErrorCode::MalformedMessage)
        );
        assert_eq!(
            code_of(parse(r#"{"type":"dance","id":"7"}"#).unwrap_err()),
            (Some("7".into()), ErrorCode::UnknownMessageType)
        );
        assert_eq!(
            code_of(parse(r#"{"type":"join","id":"8","room":"Not A Room"}"#).unwrap_err()),
            (Some("8".into()), ErrorCode::InvalidMessage)
        );
        assert_eq!(
            code_of(parse(r#"{"type":"ping","id":""}"#).unwrap_err()),
            (Some("".into()), ErrorCode::InvalidMessage)
        );
        assert!(matches!(
            parse(r#"{"type":"ping","id":"1"}"#),
            Ok(ClientMessage::Ping { .. })
        ));
    }

    #[test]
    fn request_id_reads_a_usable_id_and_nothing_else() {
        assert_eq!(
            request_id(r#"{"type":"command","id":"c7","room":"rt"}"#).as_deref(),
            Some("c7")
        );
        assert_eq!(request_id(r#"{"type":"ping","id":7}"#), None);
        assert_eq!(request_id(r#"{"type":"ping","id":""}"#), None);
        assert_eq!(request_id("not json"), None);
        assert_eq!(
            request_id(&format!(r#"{{"id":"{}"}}"#, "x".repeat(65))),
            None
        );
    }
}
