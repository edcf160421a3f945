//! A connection's bounded send queue, as the rest of the hub sees it.
//!
//! Rooms never wait on a connection: they `push` without blocking, and a connection whose queue
//! is full is kicked (closed with 4008, slow consumer) instead of slowing the room down. The
//! client recovers by reconnecting and resuming from its last `seq`.

use crate::domain::visibility::EventFilter;
use crate::metrics::Metrics;
use axum::extract::ws::Utf8Bytes;
use baraza_proto::error::CloseCode;
use baraza_proto::ids::{RoomId, Seq};
use std::sync::{Arc, OnceLock};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Something for the connection's task to send.
#[derive(Debug)]
pub enum Outbound {
    /// An encoded frame, shared with every other recipient.
    Frame(Utf8Bytes),
    /// Frames that belong together (a resume served from memory and its `ack`); one queue
    /// slot however many frames.
    Batch(Vec<Utf8Bytes>),
    /// A WebSocket ping (the server's heartbeat).
    Ping,
    /// Close the connection with this code after the items queued before it.
    Close(CloseCode),
    /// Read events from the record and send them, then `ack` (see [`Replay`]). Boxed: it is
    /// rare, and every queue slot is as large as the largest item.
    Replay(Box<Replay>),
}

/// Queued by a room when a resume reaches back further than the room keeps in memory: send
/// events `after < seq <= until` of `room` from the record, then `ack`.
#[derive(Debug)]
pub struct Replay {
    /// The room.
    pub room: RoomId,
    /// Last seq the client has.
    pub after: Seq,
    /// Last seq to send; live events after it follow in the queue.
    pub until: Seq,
    /// What the reader may see of each event (decided by the domain when the replay began).
    pub filter: EventFilter,
    /// The join's request id, for an error if the record cannot be read.
    pub request: String,
    /// The `view` message after the events (the derived parts as of `until`), if the room
    /// has any; sent before the `ack`.
    pub view: Option<Utf8Bytes>,
    /// The join's `ack`, sent after the replay.
    pub ack: Utf8Bytes,
}

/// A handle on one connection's send queue. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ConnHandle {
    id: u64,
    queue: mpsc::Sender<Outbound>,
    kick: Arc<Kick>,
    metrics: Arc<Metrics>,
}

/// Why a connection stopped, as its two halves see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Close the connection with this code (a kick, or the node shutting down).
    Close(CloseCode),
    /// One half of the connection ended (the peer is gone, or the close was sent).
    Ended,
}

#[derive(Debug)]
struct Kick {
    /// A child of the node's shutdown token.
    token: CancellationToken,
    /// Set once, before `token` is cancelled: `Some` for a kick, `None` for an end. Unset
    /// when the token was cancelled by the node shutting down.
    code: OnceLock<Option<CloseCode>>,
}

impl ConnHandle {
    /// A new connection with a queue of `capacity` items, and the queue's receiving end.
    /// Cancelling `node` (the node's shutdown) stops the connection as a kick with
    /// [`CloseCode::ServiceRestart`] would; the connection listens to one token of its own, so
    /// thousands of connections do not contend on the node's.
    pub fn new(
        id: u64,
        capacity: usize,
        metrics: Arc<Metrics>,
        node: &CancellationToken,
    ) -> (ConnHandle, mpsc::Receiver<Outbound>) {
        let (queue, receiver) = mpsc::channel(capacity.max(1));
        (
            ConnHandle {
                id,
                queue,
                kick: Arc::new(Kick {
                    token: node.child_token(),
                    code: OnceLock::new(),
                }),
                metrics,
            },
            receiver,
        )
    }

    /// The connection's id, unique on this node.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Queues `item` without waiting. Returns false when the connection is gone or was just
    /// kicked because its queue is full; the caller should stop sending to it.
    pub fn push(&self, item: Outbound) -> bool {
        match self.queue.try_send(item) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                if self.kick(CloseCode::SlowConsumer) {
                    Metrics::add(&self.metrics.send_queue_drops, 1);
                }
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Asks the connection to close with `code`. The first kick wins; returns whether this
    /// call was it.
    pub fn kick(&self, code: CloseCode) -> bool {
        let first = self.kick.code.set(Some(code)).is_ok();
        self.kick.token.cancel();
        first
    }

    /// Tells both halves of the connection that one of them ended. Does nothing to a
    /// connection already kicked.
    pub fn end(&self) {
        let _ = self.kick.code.set(None);
        self.kick.token.cancel();
    }

    /// Resolves when the connection was kicked (`Close` with its code), the node shuts down
    /// (`Close` with [`CloseCode::ServiceRestart`]) or a half ended (`Ended`). Every call
    /// after the first resolution gives the same answer. Meant to be created once per
    /// connection half and polled many times.
    pub async fn stopped(&self) -> Stop {
        self.kick.token.cancelled().await;
        match self
            .kick
            .code
            .get_or_init(|| Some(CloseCode::ServiceRestart))
        {
            Some(code) => Stop::Close(*code),
            None => Stop::Ended,
        }
    }

    /// The code the connection closes with, once decided: by a kick, or by a stop signal
    /// that saw the node shutting down. One atomic load.
    pub fn kick_code(&self) -> Option<CloseCode> {
        self.kick.code.get().copied().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_kicks_the_connection_once() {
        let metrics = Arc::new(Metrics::default());
        let node = CancellationToken::new();
        let (conn, mut receiver) = ConnHandle::new(1, 2, metrics.clone(), &node);
        assert!(conn.push(Outbound::Frame("a".into())));
        assert!(conn.push(Outbound::Frame("b".into())));
        assert!(!conn.push(Outbound::Frame("c".into())));
        assert!(!conn.push(Outbound::Frame("d".into())));
        assert_eq!(conn.stopped().await, Stop::Close(CloseCode::SlowConsumer));
        assert_eq!(metrics.send_queue_drops.get(), 1);
        assert!(matches!(receiver.recv().await, Some(Outbound::Frame(f)) if f.as_str() == "a"));
    }

    #[tokio::test]
    async fn the_node_shutting_down_stops_every_connection_with_service_restart() {
        let metrics = Arc::new(Metrics::default());
        let node = CancellationToken::new();
        let (first, _first_queue) = ConnHandle::new(1, 2, metrics.clone(), &node);
        let (second, _second_queue) = ConnHandle::new(2, 2, metrics, &node);
        assert!(second.kick(CloseCode::SlowConsumer));
        node.cancel();
        assert_eq!(
            first.stopped().await,
            Stop::Close(CloseCode::ServiceRestart)
        );
        assert_eq!(second.stopped().await, Stop::Close(CloseCode::SlowConsumer));
        assert_eq!(first.kick_code(), Some(CloseCode::ServiceRestart));
        first.end();
        assert_eq!(
            first.stopped().await,
            Stop::Close(CloseCode::ServiceRestart)
        );
    }

    #[tokio::test]
    async fn an_ended_half_stops_the_other_but_never_overrides_a_kick() {
        let metrics = Arc::new(Metrics::default());
        let node = CancellationToken::new();
        let (ended, _ended_queue) = ConnHandle::new(1, 2, metrics.clone(), &node);
        let (kicked, _kicked_queue) = ConnHandle::new(2, 2, metrics, &node);
        ended.end();
        assert_eq!(ended.stopped().await, Stop::Ended);
        assert!(!ended.kick(CloseCode::SlowConsumer));
        assert_eq!(ended.kick_code(), None);
        assert!(kicked.kick(CloseCode::RateAbuse));
        kicked.end();
        assert_eq!(kicked.stopped().await, Stop::Close(CloseCode::RateAbuse));
        assert!(!node.is_cancelled());
    }

    /// Every slot of every connection's queue is as large as the largest item.
    #[test]
    fn a_queue_item_is_no_larger_than_a_frame_and_a_tag() {
        assert!(std::mem::size_of::<Outbound>() <= 40);
    }
}
