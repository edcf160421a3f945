//! Ending the access of people the registry revoked: this node's live connections of each
//! person, and the rooms that must record it.
//!
//! The registry decides whose access an event ends ([`access_ended_by`]); this module does the
//! IO. Every node follows the registry's record ([`Registry::watch_head`]: after its own
//! appends at once, after other nodes' within the registry's catch-up interval) and, for each
//! event that ends someone's access:
//!
//! 1. tells every room concerned (the forum's rooms, and every room loaded on this node) with
//!    [`Command::EndAccess`](crate::domain::Command::EndAccess); the room records
//!    `access_ended` if the person is present, waiting or speaking there, and nothing
//!    otherwise, so that nodes seeing the same registry event record it once between them;
//! 2. then closes each of the person's connections on this node: an `error` with code
//!    `access_ended` and the registry's reason, then close code `4010`.
//!
//! Events from before the node started are not replayed: their people were already refused at
//! `auth` or `join`.

use super::Hub;
use super::frames;
use super::outbound::{ConnHandle, Outbound};
use super::room::RoomMsg;
use crate::registry::access::{EndedAccess, access_ended_by};
use crate::registry::{Registry, service::record_id};
use baraza_proto::error::{CloseCode, ErrorCode};
use baraza_proto::event::{AccessEndCause, AccessEnded, EventBody};
use baraza_proto::ids::{RoomId, Seq, UserId};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How many registry events one read takes.
const PAGE: usize = 256;
/// How long to wait before reading the registry's record again after a failure.
const RETRY: Duration = Duration::from_secs(1);

/// This node's authenticated connections by user: whom to close when the registry ends
/// someone's access.
#[derive(Default)]
pub(crate) struct Connections {
    by_user: Mutex<HashMap<UserId, Vec<ConnHandle>>>,
}

impl Connections {
    /// Remembers that `conn` speaks for `user` (after its first successful `auth`).
    pub(crate) fn add(&self, user: &UserId, conn: &ConnHandle) {
        let mut by_user = self.by_user.lock().expect("connections lock");
        by_user.entry(user.clone()).or_default().push(conn.clone());
    }

    /// Forgets `conn` (it ended).
    pub(crate) fn remove(&self, user: &UserId, conn: u64) {
        let mut by_user = self.by_user.lock().expect("connections lock");
        if let Some(conns) = by_user.get_mut(user) {
            conns.retain(|c| c.id() != conn);
            if conns.is_empty() {
                by_user.remove(user);
            }
        }
    }

    /// The live connections of `user` on this node.
    pub(crate) fn of(&self, user: &UserId) -> Vec<ConnHandle> {
        let by_user = self.by_user.lock().expect("connections lock");
        by_user.get(user).cloned().unwrap_or_default()
    }
}

impl Hub {
    /// Follows the registry's record until shutdown and ends the access of the people its new
    /// events revoke (see the module's documentation).
    pub async fn follow_registry(self, registry: Arc<Registry>) {
        let mut head = registry.watch_head();
        let mut done: Seq = *head.borrow_and_update();
        loop {
            tokio::select! {
                changed = head.changed() => if changed.is_err() { return },
                () = self.inner.shutdown.cancelled() => return,
            }
            let until = *head.borrow_and_update();
            while done < until {
                let events = match self.inner.store.read_after(&record_id(), done, PAGE).await {
                    Ok(events) if events.is_empty() => break,
                    Ok(events) => events,
                    Err(error) => {
                        tracing::warn!(%error, "cannot read the registry's record; retrying");
                        tokio::select! {
                            () = tokio::time::sleep(RETRY) => continue,
                            () = self.inner.shutdown.cancelled() => return,
                        }
                    }
                };
                let state = registry.snapshot();
                for event in &events {
                    done = event.seq();
                    if let EventBody::Registry(body) = &event.envelope.body
                        && let Some(ended) = access_ended_by(&state, body)
                    {
                        self.end_access(ended, event.seq()).await;
                    }
                }
            }
        }
    }

    /// Tells the rooms concerned that `ended`'s people lost their access by registry event
    /// `registry_seq`, then closes their connections on this node with `4010`.
    pub(crate) async fn end_access(&self, ended: EndedAccess, registry_seq: Seq) {
        let mut rooms: BTreeSet<RoomId> = ended.rooms.iter().cloned().collect();
        rooms.extend(self.loaded_rooms());
        for user in &ended.users {
            let access = AccessEnded {
                user: user.clone(),
                cause: ended.cause,
                reason: ended.reason.clone(),
                registry_seq,
            };
            for room in &rooms {
                let message = RoomMsg::EndAccess {
                    ended: access.clone(),
                };
                // A room of the forum that was never created has nothing to record.
                if let Err(error) = self.send(room, message).await {
                    tracing::debug!(%room, %user, %error, "no room to record the end of access in");
                }
            }
            let message = match ended.cause {
                AccessEndCause::PersonRevoked => {
                    format!("your access was revoked: {}", ended.reason)
                }
                AccessEndCause::AccreditationWithdrawn => format!(
                    "your organisation's accreditation was withdrawn: {}",
                    ended.reason
                ),
            };
            for conn in self.inner.connections.of(user) {
                let frame = frames::error(None, ErrorCode::AccessEnded, message.clone(), None);
                if !(conn.push(Outbound::Frame(frame))
                    && conn.push(Outbound::Close(CloseCode::AccessEnded)))
                {
                    conn.kick(CloseCode::AccessEnded);
                }
            }
            crate::audit::access_ended(user, ended.cause, registry_seq);
        }
    }
}
