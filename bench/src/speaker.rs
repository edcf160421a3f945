//! The speaker: the one client that posts statements, and watches the room's head `seq`.

use crate::conn::{self, Dialect, Ws};
use crate::error::{BenchError, Result};
use crate::latency::now_ns;
use crate::token::mint;
use crate::wire::{Frame, classify, statement_text};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_tungstenite::tungstenite::Message;

/// What the speaker's reader has seen.
#[derive(Default)]
pub struct Heard {
    /// The highest event `seq` received (the room's head as far as the speaker knows).
    pub head: AtomicU64,
    /// `ack`s received.
    pub acks: AtomicU64,
    /// `error`s received (e.g. `rate_limited`).
    pub errors: AtomicU64,
    /// The `seq` of the latest `ack`.
    pub last_ack_seq: AtomicU64,
}

/// A connected speaker.
pub struct Speaker {
    sink: SplitSink<Ws, Message>,
    dialect: Dialect,
    room: String,
    text_len: usize,
    /// What its reader has seen.
    pub heard: Arc<Heard>,
}

impl Speaker {
    /// Hints for the crowd: one slot that follows the room head the speaker has heard, refreshed
    /// every 5 ms by a task the caller aborts when the run ends.
    pub fn head_hints(&self) -> (crate::crowd::Hints, tokio::task::JoinHandle<()>) {
        let hints: crate::crowd::Hints = Arc::new(vec![AtomicU64::new(
            self.heard.head.load(Ordering::Relaxed),
        )]);
        let (slot, heard) = (hints.clone(), self.heard.clone());
        let copier = tokio::spawn(async move {
            loop {
                slot[0].fetch_max(heard.head.load(Ordering::Relaxed), Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        });
        (hints, copier)
    }

    /// Connects to `addr`; with Baraza authenticates as a moderator and joins `room`.
    pub async fn connect(
        addr: SocketAddr,
        dialect: Dialect,
        room: &str,
        name: &str,
        text_len: usize,
    ) -> Result<Speaker> {
        let mut ws = conn::connect(addr, dialect, Ipv4Addr::LOCALHOST).await?;
        let heard = Arc::new(Heard::default());
        if dialect == Dialect::Baraza {
            conn::auth(&mut ws, &mint(name, "moderator")?).await?;
            let seq = conn::join(&mut ws, room, None, |_| {}).await?;
            heard.head.store(seq, Ordering::Relaxed);
        }
        let (sink, mut stream) = ws.split();
        let reader = heard.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                match classify(text.as_str()) {
                    Frame::Event { seq, .. } => {
                        reader.head.fetch_max(seq, Ordering::Relaxed);
                    }
                    Frame::Ack { seq } => {
                        reader.acks.fetch_add(1, Ordering::Relaxed);
                        reader.last_ack_seq.fetch_max(seq, Ordering::Relaxed);
                    }
                    Frame::Error => {
                        reader.errors.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {}
                }
            }
        });
        Ok(Speaker {
            sink,
            dialect,
            room: room.to_owned(),
            text_len,
            heard,
        })
    }

    /// Sends statement `index`, stamped with the current time.
    pub async fn say(&mut self, index: u64) -> Result<()> {
        let text = statement_text(index, now_ns(), self.text_len);
        let frame = match self.dialect {
            Dialect::Baraza => conn::post_statement(&self.room, index, &text),
            other => conn::relay_frame(other, &text),
        };
        self.sink
            .send(Message::text(frame))
            .await
            .map_err(BenchError::ws("sending a statement"))
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.sink.close().await;
    }
}
