//! Opening client WebSockets from many source addresses, in each system's dialect.

use crate::error::{BenchError, Result};
use crate::wire::{Frame, classify};
use baraza_proto::SUBPROTOCOL;
use futures_util::{SinkExt, StreamExt};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tungstenite::protocol::WebSocketConfig;

/// A client WebSocket.
pub type Ws = WebSocketStream<TcpStream>;

/// How long one handshake step may take.
const STEP: Duration = Duration::from_secs(30);

/// The protocol a server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// Baraza's `baraza.v1` on `/ws`.
    Baraza,
    /// A plain WebSocket broadcast server on `/` (Node `ws`, the floor probe).
    Plain,
    /// socket.io (Engine.IO v4 over WebSocket) on `/socket.io/`.
    SocketIo,
}

/// Hands out client source addresses 127.0.0.2 … 127.0.0.(1+count) in turn, so that more
/// connections than one address has ephemeral ports can be opened.
pub struct Sources {
    count: usize,
    next: AtomicUsize,
}

impl Sources {
    /// `count` source addresses (at least one).
    pub fn new(count: usize) -> Sources {
        Sources {
            count: count.clamp(1, 250),
            next: AtomicUsize::new(0),
        }
    }

    /// The next source address.
    pub fn next(&self) -> Ipv4Addr {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.count;
        Ipv4Addr::new(127, 0, 0, 2 + i as u8)
    }
}

/// Small buffers: the generator holds as many sockets as the server.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0)
}

/// Connects from `source` to the server at `addr` speaking `dialect`; for socket.io also
/// completes the Engine.IO open and the namespace connect.
pub async fn connect(addr: SocketAddr, dialect: Dialect, source: Ipv4Addr) -> Result<Ws> {
    let what = format!("connecting from {source} to {addr}");
    let socket = TcpSocket::new_v4().map_err(BenchError::io(what.clone()))?;
    socket
        .bind(SocketAddr::from((source, 0)))
        .map_err(BenchError::io(what.clone()))?;
    let stream = tokio::time::timeout(STEP, socket.connect(addr))
        .await
        .map_err(|_| BenchError::Timeout(what.clone()))?
        .map_err(BenchError::io(what.clone()))?;
    let _ = stream.set_nodelay(true);
    let path = match dialect {
        Dialect::Baraza => "/ws",
        Dialect::Plain => "/",
        Dialect::SocketIo => "/socket.io/?EIO=4&transport=websocket",
    };
    let mut request = format!("ws://{addr}{path}")
        .into_client_request()
        .map_err(BenchError::ws(what.clone()))?;
    if dialect == Dialect::Baraza {
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(SUBPROTOCOL),
        );
    }
    let (mut ws, _) = tokio::time::timeout(
        STEP,
        tokio_tungstenite::client_async_with_config(request, stream, Some(config())),
    )
    .await
    .map_err(|_| BenchError::Timeout(what.clone()))?
    .map_err(BenchError::ws(what.clone()))?;
    if dialect == Dialect::SocketIo {
        expect_text(&mut ws, &what, |t| t.starts_with('0')).await?;
        send(&mut ws, "40".into()).await?;
        expect_text(&mut ws, &what, |t| t.starts_with("40")).await?;
    }
    Ok(ws)
}

/// Sends one text frame.
pub async fn send(ws: &mut Ws, text: String) -> Result<()> {
    ws.send(Message::text(text))
        .await
        .map_err(BenchError::ws("sending"))
}

/// Reads text frames until one satisfies `done`; returns it.
pub async fn expect_text(
    ws: &mut Ws,
    what: &str,
    mut done: impl FnMut(&str) -> bool,
) -> Result<String> {
    tokio::time::timeout(STEP, async {
        while let Some(message) = ws.next().await {
            match message.map_err(BenchError::ws(what.to_owned()))? {
                Message::Text(text) if done(text.as_str()) => return Ok(text.as_str().to_owned()),
                Message::Text(text) if text.as_str().starts_with("{\"type\":\"error\"") => {
                    return Err(BenchError::protocol(what, text.as_str()));
                }
                Message::Close(frame) => {
                    return Err(BenchError::protocol(what, format!("closed: {frame:?}")));
                }
                _ => {}
            }
        }
        Err(BenchError::protocol(what, "connection ended"))
    })
    .await
    .map_err(|_| BenchError::Timeout(what.to_owned()))?
}

/// Baraza: sends `auth` and waits for `welcome`.
pub async fn auth(ws: &mut Ws, token: &str) -> Result<()> {
    let message = serde_json::json!({"type": "auth", "id": "a", "token": token}).to_string();
    send(ws, message).await?;
    expect_text(ws, "authenticating", |t| {
        t.starts_with("{\"type\":\"welcome\"")
    })
    .await?;
    Ok(())
}

/// Baraza: joins `room` (resuming after `since` when given); hands every frame that arrives
/// before the `ack` (the events after `since`) to `on_frame`, and returns the `ack`'s `seq`.
pub async fn join(
    ws: &mut Ws,
    room: &str,
    since: Option<u64>,
    mut on_frame: impl FnMut(Frame),
) -> Result<u64> {
    let mut message = serde_json::json!({"type": "join", "id": "j", "room": room});
    if let Some(since) = since {
        message["since"] = since.into();
    }
    let what = format!("joining {room}");
    for _attempt in 0..JOIN_ATTEMPTS {
        send(ws, message.to_string()).await?;
        let answer = expect_text(ws, &what, |text| match classify(text) {
            Frame::Ack { .. } | Frame::Error => true,
            other => {
                on_frame(other);
                false
            }
        })
        .await;
        let text = match answer {
            Ok(text) => text,
            // `expect_text` turns error frames into errors; retry the retryable ones.
            Err(BenchError::Protocol { detail, .. }) if retryable(&detail).is_some() => {
                tokio::time::sleep(retryable(&detail).unwrap_or_default()).await;
                continue;
            }
            Err(error) => return Err(error),
        };
        match classify(&text) {
            Frame::Ack { seq } => return Ok(seq),
            _ => match retryable(&text) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(BenchError::protocol(what, text)),
            },
        }
    }
    Err(BenchError::protocol(
        what,
        "still unavailable after retries",
    ))
}

/// How often a join answered `unavailable` or `rate_limited` is retried.
const JOIN_ATTEMPTS: usize = 40;

/// For an `unavailable` or `rate_limited` error frame, how long to wait before retrying.
fn retryable(text: &str) -> Option<Duration> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    matches!(value["code"].as_str(), Some("unavailable" | "rate_limited"))
        .then(|| Duration::from_millis(value["retry_after_ms"].as_u64().unwrap_or(100).min(2_000)))
}

/// Baraza: the `post_statement` command for statement `index` with `text`.
pub fn post_statement(room: &str, index: u64, text: &str) -> String {
    serde_json::json!({
        "type": "command",
        "id": format!("c{index}"),
        "room": room,
        "key": format!("bench-{index}"),
        "command": {"type": "post_statement", "text": text, "lang": "en"},
    })
    .to_string()
}

/// The frame the speaker sends to relay `text` in `dialect` (not Baraza).
pub fn relay_frame(dialect: Dialect, text: &str) -> String {
    match dialect {
        Dialect::SocketIo => format!("42{}", serde_json::json!(["msg", text])),
        _ => text.to_owned(),
    }
}
