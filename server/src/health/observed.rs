//! A [`RecordStore`] that tells the [`HealthMonitor`] how each append went and otherwise
//! forwards every call unchanged.

use super::HealthMonitor;
use crate::record::{Head, RecordedEvent};
use crate::store::{RecordStore, StoreError};
use async_trait::async_trait;
use baraza_proto::ids::{RoomId, Seq};
use std::sync::Arc;

/// `inner`, with every append's outcome reported to `health`.
pub struct ObservedStore {
    inner: Arc<dyn RecordStore>,
    health: Arc<HealthMonitor>,
}

impl ObservedStore {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn RecordStore>, health: Arc<HealthMonitor>) -> ObservedStore {
        ObservedStore { inner, health }
    }
}

#[async_trait]
impl RecordStore for ObservedStore {
    async fn append(
        &self,
        room: &RoomId,
        expected_seq: Seq,
        events: &[RecordedEvent],
    ) -> Result<(), StoreError> {
        let outcome = self.inner.append(room, expected_seq, events).await;
        self.health.observe_append(&outcome);
        outcome
    }

    async fn read_after(
        &self,
        room: &RoomId,
        after: Seq,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.inner.read_after(room, after, limit).await
    }

    async fn withdraw_texts(&self, room: &RoomId, statement: Seq) -> Result<usize, StoreError> {
        self.inner.withdraw_texts(room, statement).await
    }

    async fn head(&self, room: &RoomId) -> Result<Head, StoreError> {
        self.inner.head(room).await
    }

    async fn rooms(&self) -> Result<Vec<RoomId>, StoreError> {
        self.inner.rooms().await
    }

    async fn close(&self) -> Result<(), StoreError> {
        self.inner.close().await
    }

    fn engine(&self) -> &'static str {
        self.inner.engine()
    }

    fn sole_writer(&self) -> bool {
        self.inner.sole_writer()
    }
}
