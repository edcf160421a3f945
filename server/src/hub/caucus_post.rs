//! Caucuses across rooms: posting an adopted joint statement to the caucus's parent room and
//! recording the parent's answer in the caucus.
//!
//! Like the roll-up (`rollup.rs`), a tracked task of its own carries the post, so rooms never
//! wait on each other. The parent records a statement at most once per (caucus, statement),
//! the deterministic key of the post, and answers a repeat with the statement it already
//! holds: delivery is at least once (again on every load of the caucus while the answer is
//! not recorded), recording exactly once. The caucus records only what the parent answered:
//! posted (with the parent's seq, held or not) or refused (with the parent's code and reason).
//! A failure that may pass (the parent unavailable, the node stopping) records nothing.

use super::room::RoomMsg;
use super::{Hub, HubError};
use baraza_proto::caucus::{Delivery, JointPost};
use baraza_proto::ids::{RoomId, Seq};
use std::time::Duration;
use tokio::sync::oneshot;

/// How often the post is tried before it waits for the caucus's next load.
const ATTEMPTS: u32 = 5;

/// Posts `post` to room `parent` in the background, retrying retryable failures, then sends
/// the parent's answer to the caucus `caucus` to be recorded.
pub(crate) fn deliver(hub: &Hub, caucus: RoomId, parent: RoomId, post: JointPost) {
    let shutdown = hub.shutdown_token();
    let tasks = hub.inner().tasks.clone();
    let hub = hub.clone();
    tasks.spawn(async move {
        let statement = post.origin.statement;
        for attempt in 1..=ATTEMPTS {
            let result = tokio::select! {
                result = post_once(&hub, &parent, post.clone()) => result,
                () = shutdown.cancelled() => return,
            };
            let delivery = match result {
                Ok((seq, held)) => Delivery::Posted { seq, held },
                Err(error) if error.code().is_retryable() => {
                    if attempt == ATTEMPTS {
                        tracing::warn!(%caucus, %parent, statement, %error, "the joint statement was not posted; it is sent again when the caucus loads");
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
                    continue;
                }
                Err(error) => Delivery::Refused {
                    code: error.code().as_str().to_string(),
                    reason: error.to_string(),
                },
            };
            let message = RoomMsg::JointDelivered {
                statement,
                delivery,
            };
            if let Err(error) = hub.send(&caucus, message).await {
                tracing::warn!(%caucus, statement, %error, "cannot record the parent's answer; it is asked again when the caucus loads");
            }
            return;
        }
    });
}

async fn post_once(hub: &Hub, parent: &RoomId, post: JointPost) -> Result<(Seq, bool), HubError> {
    let (reply, answer) = oneshot::channel();
    hub.send(parent, RoomMsg::Joint { post, reply }).await?;
    answer.await.map_err(|_| HubError::ShuttingDown)?
}
