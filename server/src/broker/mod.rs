//! Fan-out between nodes: the [`Broker`] trait and its engines.
//!
//! - [`memory`]: in-process, for one node (and for several hubs in one test process).
//! - [`redis`]: Redis pub/sub, one subscriber connection per node.
//!
//! A broker never sees connections. It carries events that are already in the record from the
//! node that appended them to every node with members in the room; each node's hub then hands
//! the same encoded frame to its local subscribers.

pub mod memory;
pub mod redis;

use crate::record::RecordedEvent;
use async_trait::async_trait;
use baraza_proto::ids::RoomId;

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

/// Where a broker delivers; the hub owns the receiving end.
pub type DeliverySink = tokio::sync::mpsc::UnboundedSender<Delivery>;

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
