//! Fan-out between nodes: the [`Broker`] trait and its engines.
//!
//! - [`memory`]: in-process, for one node (and for several hubs in one test process).
//! - [`redis`]: Redis pub/sub, one subscriber connection per node.
//! - [`redis_cluster`]: sharded pub/sub on a Redis Cluster (the subscriber follows each room's
//!   slot to the master that appends its record).
//!
//! A broker never sees connections. It carries events that are already in the record from the
//! node that appended them to every node with members in the room; each node's hub then hands
//! the same encoded frame to its local subscribers.

pub mod memory;
pub mod redis;
pub mod redis_cluster;

use crate::record::RecordedEvent;
use async_trait::async_trait;
use baraza_proto::ids::RoomId;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub use self::redis::RedisBroker;
pub use memory::{MemoryBroker, MemoryBus};

/// What a broker hands to its node.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// An event some node appended.
    Event(Box<RecordedEvent>),
    /// The broker may have missed events (its connection dropped and came back): every room
    /// should check the record for events it has not seen.
    Resync,
}

/// How many deliveries may wait for the hub before new ones are dropped (and repaired).
pub const DELIVERY_QUEUE: usize = 4096;

/// A bounded queue from a broker to its hub that never blocks the broker: a delivery that
/// does not fit is dropped and the hub is then handed [`Delivery::Resync`], so every room
/// repairs from the record what it missed.
pub fn delivery_queue(capacity: usize) -> (DeliverySink, Deliveries) {
    let (sender, receiver) = tokio::sync::mpsc::channel(capacity.max(1));
    let overflowed = Arc::new(AtomicBool::new(false));
    (
        DeliverySink {
            sender,
            overflowed: overflowed.clone(),
        },
        Deliveries {
            receiver,
            overflowed,
        },
    )
}

/// Where a broker delivers; the hub owns the receiving end ([`Deliveries`]).
#[derive(Clone, Debug)]
pub struct DeliverySink {
    sender: tokio::sync::mpsc::Sender<Delivery>,
    overflowed: Arc<AtomicBool>,
}

impl DeliverySink {
    /// Queues `delivery` without waiting. If the queue is full it is dropped and the hub will
    /// get a [`Delivery::Resync`] instead. False if the hub has stopped.
    pub fn send(&self, delivery: Delivery) -> bool {
        match self.sender.try_send(delivery) {
            Ok(()) => true,
            Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => {
                self.overflowed.store(true, Ordering::Release);
                true
            }
            Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

/// The hub's end of a [`delivery_queue`].
#[derive(Debug)]
pub struct Deliveries {
    receiver: tokio::sync::mpsc::Receiver<Delivery>,
    overflowed: Arc<AtomicBool>,
}

impl Deliveries {
    /// The next delivery: a [`Delivery::Resync`] first if some were dropped since the last
    /// call. `None` once every sink is gone.
    pub async fn recv(&mut self) -> Option<Delivery> {
        if self.overflowed.swap(false, Ordering::AcqRel) {
            return Some(Delivery::Resync);
        }
        let delivery = self.receiver.recv().await;
        if self.overflowed.swap(false, Ordering::AcqRel) {
            // Dropped while we waited: repair first, this delivery is then just a duplicate
            // or the next event (rooms ignore what they already hold).
            return Some(Delivery::Resync);
        }
        delivery
    }
}

/// Why a broker operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BrokerError {
    /// The broker cannot be reached right now.
    #[error("the broker is unavailable: {0}")]
    Unavailable(String),
}

/// Carries appended events to the other nodes subscribed to a room.
///
/// Guarantees every engine gives: events of one room published by one node arrive at each
/// subscribed node in publish order; delivery is at most once (a node that may have missed
/// events gets [`Delivery::Resync`] and repairs from the record, which is the source of truth).
/// The publishing node itself does not need its own events back.
#[async_trait]
pub trait Broker: Send + Sync + 'static {
    /// Starts delivering `room`'s events to this node. Idempotent.
    async fn subscribe(&self, room: &RoomId) -> Result<(), BrokerError>;

    /// Stops delivering `room`'s events to this node. Idempotent.
    async fn unsubscribe(&self, room: &RoomId) -> Result<(), BrokerError>;

    /// Publishes an event that is already in the record.
    async fn publish(&self, event: &RecordedEvent) -> Result<(), BrokerError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_drops_without_blocking_and_then_asks_for_a_resync() {
        let (sink, mut deliveries) = delivery_queue(2);
        for _ in 0..5 {
            assert!(
                sink.send(Delivery::Resync),
                "never blocks, never fails while open"
            );
        }
        // The overflow comes out first: every room repairs from the record.
        assert!(matches!(deliveries.recv().await, Some(Delivery::Resync)));
        assert!(matches!(deliveries.recv().await, Some(Delivery::Resync)));
        assert!(matches!(deliveries.recv().await, Some(Delivery::Resync)));
        drop(sink);
        assert!(deliveries.recv().await.is_none(), "only two were queued");
    }
}
