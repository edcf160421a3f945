//! Consultations across rooms: looking up a parent consultation, and delivering a published
//! child's input to its parent.
//!
//! Rooms never wait on each other here: the input is delivered by a tracked task of its own,
//! and a parent lookup is bounded by a timeout (two rooms naming each other at the same moment
//! cannot block each other for good).

use super::room::RoomMsg;
use super::{Hub, HubError};
use baraza_proto::consultation::ConsultationInput;
use baraza_proto::ids::RoomId;
use baraza_proto::room::RoomInfo;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long a room waits for another room's identity.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the delivery of an input is tried.
const ATTEMPTS: u32 = 5;

/// The identity of room `id`, if it exists and answers in time.
pub(crate) async fn find_room(hub: &Hub, id: &RoomId) -> Option<RoomInfo> {
    match tokio::time::timeout(LOOKUP_TIMEOUT, hub.room_summary(id)).await {
        Ok(Ok(Some(summary))) => Some(summary.info),
        _ => None,
    }
}

/// Delivers `input` to consultation `parent` in the background, retrying retryable failures.
/// Idempotent: the parent ignores an input it already holds from the same child, so a child
/// may send it again whenever it loads.
pub(crate) fn deliver_input(hub: &Hub, parent: RoomId, input: ConsultationInput) {
    let shutdown = hub.shutdown_token();
    let tasks = hub.inner().tasks.clone();
    let hub = hub.clone();
    tasks.spawn(async move {
        for attempt in 1..=ATTEMPTS {
            let result = tokio::select! {
                result = send_once(&hub, &parent, input.clone()) => result,
                () = shutdown.cancelled() => return,
            };
            match result {
                Ok(()) => return,
                Err(error) if error.code().is_retryable() && attempt < ATTEMPTS => {
                    tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
                }
                Err(error) => {
                    tracing::warn!(%parent, from = %input.from, %error, "the roll-up input was not recorded; it is sent again when the child loads");
                    return;
                }
            }
        }
    });
}

async fn send_once(hub: &Hub, parent: &RoomId, input: ConsultationInput) -> Result<(), HubError> {
    let (reply, answer) = oneshot::channel();
    hub.send(parent, RoomMsg::Input { input, reply }).await?;
    answer.await.map_err(|_| HubError::ShuttingDown)?
}
