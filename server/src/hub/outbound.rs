//! A connection's bounded send queue, as the rest of the hub sees it.
//!
//! Rooms never wait on a connection: they `push` without blocking, and a connection whose queue
//! is full is kicked (closed with 4008, slow consumer) instead of slowing the room down. The
//! client recovers by reconnecting and resuming from its last `seq`.

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
    /// Read events `after < seq <= until` of `room` from the record and send them, then `ack`.
    /// Queued by a room when a resume reaches back further than the room keeps in memory.
    Replay {
        /// The room.
        room: RoomId,
        /// Last seq the client has.
        after: Seq,
        /// Last seq to send; live events after it follow in the queue.
        until: Seq,
        /// The join's request id, for an error if the record cannot be read.
        request: String,
        /// The join's `ack`, sent after the replay.
        ack: Utf8Bytes,
    },
}

/// A handle on one connection's send queue. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ConnHandle {
    id: u64,
    queue: mpsc::Sender<Outbound>,
    kick: Arc<Kick>,
    metrics: Arc<Metrics>,
}

#[derive(Debug)]
struct Kick {
    token: CancellationToken,
    code: OnceLock<CloseCode>,
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
        let first = self.kick.code.set(code).is_ok();
        self.kick.token.cancel();
        first
    }

    /// Resolves when the connection has been kicked, with the close code to send, or when the
    /// node shuts down ([`CloseCode::ServiceRestart`]). Meant to be created once per
    /// connection and polled many times.
    pub async fn stopped(&self) -> CloseCode {
        self.kick.token.cancelled().await;
        self.kick_code().unwrap_or(CloseCode::ServiceRestart)
    }

    /// The close code of a kick, if the connection was kicked (one atomic load).
    pub fn kick_code(&self) -> Option<CloseCode> {
        self.kick.code.get().copied()
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
        assert_eq!(conn.stopped().await, CloseCode::SlowConsumer);
        assert_eq!(
            metrics
                .send_queue_drops
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );
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
        assert_eq!(first.stopped().await, CloseCode::ServiceRestart);
        assert_eq!(second.stopped().await, CloseCode::SlowConsumer);
        assert_eq!(first.kick_code(), None);
    }
}
