//! A WebSocket client speaking `baraza.v1`, for tests.
//!
//! Every wait has a timeout and panics with what it was waiting for, so a broken server fails
//! a test instead of hanging it. Messages that arrive while the client waits for something
//! else are kept, in order, for the next read.

use baraza_proto::SUBPROTOCOL;
use baraza_proto::command::RoomCommand;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::EventEnvelope;
use baraza_proto::identity::Profile;
use baraza_proto::ids::{LanguageTag, Seq, StatementId};
use baraza_proto::message::{ClientMessage, ServerMessage};
use baraza_proto::view::RoomView;
use futures_util::{SinkExt, StreamExt};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single wait may take.
pub const WAIT: Duration = Duration::from_secs(15);

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// What arrived.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // Test code: clarity over a few hundred bytes per message.
pub enum Incoming {
    /// A protocol message.
    Message(ServerMessage),
    /// A close frame with its code, or `None` when the connection just ended.
    Closed(Option<u16>),
}

/// The outcome of a `join`.
#[derive(Debug, Clone)]
pub struct Joined {
    /// The snapshot, for a join without `since`.
    pub snapshot: Option<(Seq, RoomView)>,
    /// The events replayed, for a join with `since`.
    pub replayed: Vec<EventEnvelope>,
    /// The `view` message that ends a resume (rooms with derived parts).
    pub view: Option<baraza_proto::view::ViewPatch>,
    /// The room's seq in the join's `ack`.
    pub seq: Seq,
}

/// A refused request.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The error code.
    pub code: ErrorCode,
    /// The message.
    pub message: String,
}

/// A test client.
pub struct Client {
    socket: Socket,
    kept: VecDeque<Incoming>,
    next_id: u64,
}

impl Client {
    /// Connects to `url`, offering `baraza.v1`.
    pub async fn connect(url: &str) -> Client {
        Self::connect_with(url, None).await
    }

    /// Connects with a small socket receive buffer (to become a slow consumer quickly).
    pub async fn connect_slow_reader(url: &str) -> Client {
        Self::connect_with(url, Some(4 * 1024)).await
    }

    async fn connect_with(url: &str, receive_buffer: Option<u32>) -> Client {
        let mut request = url.into_client_request().expect("request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(SUBPROTOCOL),
        );
        let host = request
            .uri()
            .authority()
            .expect("authority")
            .as_str()
            .to_owned();
        let addr = tokio::net::lookup_host(&host)
            .await
            .expect("resolve")
            .next()
            .expect("an address");
        let socket = TcpSocket::new_v4().expect("socket");
        if let Some(size) = receive_buffer {
            socket.set_recv_buffer_size(size).expect("SO_RCVBUF");
        }
        let stream = socket.connect(addr).await.expect("connect");
        let (socket, response) =
            tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
                .await
                .expect("WebSocket handshake");
        assert_eq!(
            response
                .headers()
                .get("Sec-WebSocket-Protocol")
                .and_then(|v| v.to_str().ok()),
            Some(SUBPROTOCOL),
            "the server must select baraza.v1"
        );
        Client {
            socket,
            kept: VecDeque::new(),
            next_id: 1,
        }
    }

    /// Connects and authenticates with `token`.
    pub async fn signed_in(url: &str, token: &str) -> (Client, Profile) {
        let mut client = Client::connect(url).await;
        let profile = client.auth(token).await;
        (client, profile)
    }

    /// A fresh request id.
    pub fn id(&mut self) -> String {
        self.next_id += 1;
        format!("c{}", self.next_id)
    }

    /// Sends a raw text frame.
    pub async fn send_text(&mut self, text: impl Into<String>) {
        self.socket
            .send(Message::text(text.into()))
            .await
            .expect("send");
    }

    /// Sends a raw text frame that the server may refuse mid-way (a frame over the hard
    /// limit): true if the whole frame was written. The server's close can still be read.
    pub async fn send_text_may_fail(&mut self, text: impl Into<String>) -> bool {
        self.socket.send(Message::text(text.into())).await.is_ok()
    }

    /// Sends a message.
    pub async fn send(&mut self, message: &ClientMessage) {
        self.send_text(serde_json::to_string(message).expect("encode"))
            .await;
    }

    /// The next thing that arrives (kept messages first).
    pub async fn next(&mut self) -> Incoming {
        if let Some(kept) = self.kept.pop_front() {
            return kept;
        }
        self.read().await
    }

    async fn read(&mut self) -> Incoming {
        loop {
            let frame = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("nothing arrived within the wait");
            match frame {
                None => return Incoming::Closed(None),
                Some(Err(error)) => {
                    if std::env::var_os("BARAZA_TEST_DEBUG").is_some() {
                        eprintln!("read error: {error}");
                    }
                    return Incoming::Closed(None);
                }
                Some(Ok(Message::Text(text))) => {
                    let message = serde_json::from_str(text.as_str()).unwrap_or_else(|e| {
                        panic!("the server sent an undecodable frame ({e}): {text}")
                    });
                    return Incoming::Message(message);
                }
                Some(Ok(Message::Close(frame))) => {
                    return Incoming::Closed(frame.map(|f| u16::from(f.code)));
                }
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Reads until `pick` accepts something, keeping everything else for later reads.
    pub async fn wait_for<T>(
        &mut self,
        what: &str,
        mut pick: impl FnMut(&Incoming) -> Option<T>,
    ) -> T {
        if let Some(position) = self.kept.iter().position(|m| pick(m).is_some()) {
            let found = self.kept.remove(position).expect("present");
            return pick(&found).expect("picked");
        }
        loop {
            let incoming = tokio::time::timeout(WAIT, self.read())
                .await
                .unwrap_or_else(|_| panic!("waited too long for {what}"));
            if let Some(found) = pick(&incoming) {
                return found;
            }
            if let Incoming::Closed(code) = incoming {
                panic!("the connection closed ({code:?}) while waiting for {what}");
            }
            self.kept.push_back(incoming);
        }
    }

    /// Waits for the answer to request `id`: `Ok((seq, duplicate))` or the refusal.
    pub async fn answer(&mut self, id: &str) -> Result<(Seq, bool), Refusal> {
        self.wait_for(&format!("the answer to {id}"), |incoming| match incoming {
            Incoming::Message(ServerMessage::Ack {
                id: got,
                seq,
                duplicate,
            }) if got == id => Some(Ok((*seq, *duplicate))),
            Incoming::Message(ServerMessage::Error {
                id: Some(got),
                code,
                message,
                ..
            }) if got == id => Some(Err(Refusal {
                code: *code,
                message: message.clone(),
            })),
            _ => None,
        })
        .await
    }

    /// Waits for an `error` without a request id.
    pub async fn connection_error(&mut self) -> ErrorCode {
        self.wait_for("an error", |incoming| match incoming {
            Incoming::Message(ServerMessage::Error { code, .. }) => Some(*code),
            _ => None,
        })
        .await
    }

    /// Authenticates; panics unless welcomed.
    pub async fn auth(&mut self, token: &str) -> Profile {
        match self.try_auth(token).await {
            Ok(profile) => profile,
            Err(refusal) => panic!("auth refused: {refusal:?}"),
        }
    }

    /// Authenticates; returns the profile or the refusal.
    pub async fn try_auth(&mut self, token: &str) -> Result<Profile, Refusal> {
        let id = self.id();
        self.send(&ClientMessage::Auth {
            id: id.clone(),
            token: token.into(),
        })
        .await;
        self.wait_for("the answer to auth", |incoming| match incoming {
            Incoming::Message(ServerMessage::Welcome { id: got, user, .. }) if *got == id => {
                Some(Ok(user.clone()))
            }
            Incoming::Message(ServerMessage::Error {
                id: Some(got),
                code,
                message,
                ..
            }) if *got == id => Some(Err(Refusal {
                code: *code,
                message: message.clone(),
            })),
            _ => None,
        })
        .await
    }

    /// Joins `room` (resuming after `since` if given); panics if refused.
    pub async fn join(&mut self, room: &str, since: Option<Seq>) -> Joined {
        self.try_join(room, since)
            .await
            .unwrap_or_else(|refusal| panic!("join {room} refused: {refusal:?}"))
    }

    /// Joins `room`; returns the snapshot or replayed events and the ack's seq, or the refusal.
    pub async fn try_join(&mut self, room: &str, since: Option<Seq>) -> Result<Joined, Refusal> {
        let id = self.id();
        self.send(&ClientMessage::Join {
            id: id.clone(),
            room: room.parse().expect("room id"),
            since,
        })
        .await;
        let mut joined = Joined {
            snapshot: None,
            replayed: Vec::new(),
            view: None,
            seq: 0,
        };
        // What is not the join's is kept for later reads, behind what was kept before (put back
        // only at the end: `next` reads kept messages first).
        let mut others = Vec::new();
        let result = loop {
            match self.next().await {
                Incoming::Message(ServerMessage::Snapshot { seq, state, .. }) => {
                    joined.snapshot = Some((seq, *state))
                }
                Incoming::Message(ServerMessage::Event(event)) => joined.replayed.push(*event),
                Incoming::Message(ServerMessage::View(view)) if view.resume => {
                    joined.view = Some(*view)
                }
                Incoming::Message(ServerMessage::Ack { id: got, seq, .. }) if got == id => {
                    joined.seq = seq;
                    break Ok(joined);
                }
                Incoming::Message(ServerMessage::Error {
                    id: Some(got),
                    code,
                    message,
                    ..
                }) if got == id => {
                    break Err(Refusal { code, message });
                }
                Incoming::Closed(code) => panic!("closed ({code:?}) while joining {room}"),
                other => others.push(other),
            }
        };
        self.kept.extend(others);
        result
    }

    /// Sends a command; returns its answer.
    pub async fn command(
        &mut self,
        room: &str,
        key: Option<&str>,
        command: RoomCommand,
    ) -> Result<(Seq, bool), Refusal> {
        loop {
            let id = self.id();
            let message = ClientMessage::Command {
                id: id.clone(),
                room: room.parse().expect("room id"),
                key: key.map(|k| k.parse().expect("key")),
                command: command.clone(),
            };
            self.send(&message).await;
            match self.answer_or_retry(&id).await {
                Ok(answer) => return answer,
                // Over the rate: resend after the wait the server asked for, as clients must.
                Err(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// The answer to `id`, or the wait a `rate_limited` refusal of it asks for.
    async fn answer_or_retry(
        &mut self,
        id: &str,
    ) -> Result<Result<(Seq, bool), Refusal>, Duration> {
        self.wait_for(&format!("the answer to {id}"), |incoming| match incoming {
            Incoming::Message(ServerMessage::Ack {
                id: got,
                seq,
                duplicate,
            }) if got == id => Some(Ok(Ok((*seq, *duplicate)))),
            Incoming::Message(ServerMessage::Error {
                id: Some(got),
                code: ErrorCode::RateLimited,
                retry_after_ms,
                ..
            }) if got == id => Some(Err(Duration::from_millis(retry_after_ms.unwrap_or(50)))),
            Incoming::Message(ServerMessage::Error {
                id: Some(got),
                code,
                message,
                ..
            }) if got == id => Some(Ok(Err(Refusal {
                code: *code,
                message: message.clone(),
            }))),
            _ => None,
        })
        .await
    }

    /// Posts a statement (a reply when `parent` is set); returns its id.
    pub async fn post(
        &mut self,
        room: &str,
        key: &str,
        text: &str,
        parent: Option<StatementId>,
    ) -> StatementId {
        let command = RoomCommand::PostStatement {
            text: text.into(),
            lang: LanguageTag::new("en").expect("tag"),
            parent,
            agenda_item: None,
            question: None,
            alignment: None,
        };
        self.command(room, Some(key), command)
            .await
            .unwrap_or_else(|refusal| panic!("post refused: {refusal:?}"))
            .0
    }

    /// Posts `count` statements of `text` without waiting between them (keys `{prefix}{i}`),
    /// then waits for every answer; returns the statement ids in the order sent.
    pub async fn post_pipelined(
        &mut self,
        room: &str,
        prefix: &str,
        count: usize,
        text: &str,
    ) -> Vec<StatementId> {
        self.post_windowed(room, prefix, count, text, count).await
    }

    /// Posts `count` statements of `text` with at most `window` of them unanswered at a time
    /// (keys `{prefix}{i}`); returns the statement ids in the order sent. A window keeps the
    /// poster reading while it posts, so that its own events never make it a slow consumer.
    pub async fn post_windowed(
        &mut self,
        room: &str,
        prefix: &str,
        count: usize,
        text: &str,
        window: usize,
    ) -> Vec<StatementId> {
        let mut unanswered: VecDeque<String> = VecDeque::with_capacity(window.max(1));
        let mut seqs = Vec::with_capacity(count);
        for i in 0..count {
            if unanswered.len() >= window.max(1) {
                let oldest = unanswered.pop_front().expect("a request in flight");
                seqs.push(self.posted(&oldest).await);
            }
            let id = self.id();
            let command = RoomCommand::PostStatement {
                text: format!("{text} ({i})"),
                lang: LanguageTag::new("en").expect("tag"),
                parent: None,
                agenda_item: None,
                question: None,
                alignment: None,
            };
            let key = format!("{prefix}{i}").parse().expect("key");
            self.send(&ClientMessage::Command {
                id: id.clone(),
                room: room.parse().expect("room id"),
                key: Some(key),
                command,
            })
            .await;
            unanswered.push_back(id);
        }
        for id in unanswered {
            seqs.push(self.posted(&id).await);
        }
        seqs
    }

    /// The seq of the statement request `id` posted; panics if it was refused.
    async fn posted(&mut self, id: &str) -> StatementId {
        self.answer(id)
            .await
            .unwrap_or_else(|refusal| panic!("post refused: {refusal:?}"))
            .0
    }

    /// The next event (of any room).
    pub async fn next_event(&mut self) -> EventEnvelope {
        self.wait_for("an event", |incoming| match incoming {
            Incoming::Message(ServerMessage::Event(event)) => Some((**event).clone()),
            _ => None,
        })
        .await
    }

    /// The next `view` message of `room` whose `seq` is at least `seq` (earlier ones are
    /// skipped).
    pub async fn view_at(&mut self, room: &str, seq: Seq) -> baraza_proto::view::ViewPatch {
        self.wait_for("a view", |incoming| match incoming {
            Incoming::Message(ServerMessage::View(view))
                if view.room.as_str() == room && view.seq >= seq =>
            {
                Some((**view).clone())
            }
            _ => None,
        })
        .await
    }

    /// Events until (and including) `seq` of `room`.
    pub async fn events_through(&mut self, room: &str, seq: Seq) -> Vec<EventEnvelope> {
        let mut events = Vec::new();
        loop {
            let event = self.next_event().await;
            let done = event.room.as_str() == room && event.seq >= seq;
            if event.room.as_str() == room {
                events.push(event);
            }
            if done {
                return events;
            }
        }
    }

    /// Waits for the connection to close; returns the close code.
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            if let Incoming::Closed(code) = self.next().await {
                return code;
            }
        }
    }

    /// Sends a ping and waits for its pong: proof the connection still serves.
    pub async fn ping(&mut self) {
        let id = self.id();
        self.send(&ClientMessage::Ping { id: id.clone() }).await;
        self.wait_for("pong", |incoming| match incoming {
            Incoming::Message(ServerMessage::Pong { id: got }) if *got == id => Some(()),
            _ => None,
        })
        .await;
    }

    /// How many events arrived and are kept unread.
    pub fn kept_events(&self) -> usize {
        self.kept
            .iter()
            .filter(|m| matches!(m, Incoming::Message(ServerMessage::Event(_))))
            .count()
    }

    /// Closes the connection abruptly (no close frame), as a vanished client would.
    pub fn drop_connection(self) {
        drop(self.socket);
    }
}
