//! The in-process broker: nodes in one process share a [`MemoryBus`].

use super::{Broker, BrokerError, Delivery, DeliverySink};
use crate::record::RecordedEvent;
use async_trait::async_trait;
use baraza_proto::ids::RoomId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The shared medium of in-process brokers.
#[derive(Default, Clone)]
pub struct MemoryBus {
    inner: Arc<BusInner>,
}

#[derive(Default)]
struct BusInner {
    next_node: AtomicU64,
    subscribers: Mutex<HashMap<RoomId, Vec<(u64, DeliverySink)>>>,
}

impl MemoryBus {
    /// A new, empty bus.
    pub fn new() -> MemoryBus {
        MemoryBus::default()
    }

    /// A broker for one node that delivers into `sink`.
    pub fn connect(&self, sink: DeliverySink) -> MemoryBroker {
        let node = self.inner.next_node.fetch_add(1, Ordering::Relaxed);
        MemoryBroker {
            bus: self.inner.clone(),
            node,
            sink,
        }
    }
}

/// One node's handle on a [`MemoryBus`]. Delivery is synchronous with `publish`, so per-room
/// order is the publish order.
pub struct MemoryBroker {
    bus: Arc<BusInner>,
    node: u64,
    sink: DeliverySink,
}

#[async_trait]
impl Broker for MemoryBroker {
    async fn subscribe(&self, room: &RoomId) -> Result<(), BrokerError> {
        let mut subscribers = self.bus.subscribers.lock().expect("bus lock");
        let nodes = subscribers.entry(room.clone()).or_default();
        if !nodes.iter().any(|(node, _)| *node == self.node) {
            nodes.push((self.node, self.sink.clone()));
        }
        Ok(())
    }

    async fn unsubscribe(&self, room: &RoomId) -> Result<(), BrokerError> {
        let mut subscribers = self.bus.subscribers.lock().expect("bus lock");
        if let Some(nodes) = subscribers.get_mut(room) {
            nodes.retain(|(node, _)| *node != self.node);
            if nodes.is_empty() {
                subscribers.remove(room);
            }
        }
        Ok(())
    }

    async fn publish(&self, event: &RecordedEvent) -> Result<(), BrokerError> {
        let subscribers = self.bus.subscribers.lock().expect("bus lock");
        for (node, sink) in subscribers.get(&event.envelope.room).into_iter().flatten() {
            if *node != self.node {
                // A node whose hub has stopped has dropped its receiver; nothing to do for it.
                let _ = sink.send(Delivery::Event(Box::new(event.clone())));
            }
        }
        Ok(())
    }
}
