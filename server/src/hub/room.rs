//! The room actor: the driver of one [`RoomCore`] per loaded room, the only writer of that
//! room on this node.
//!
//! Everything the room decides is in the core (`hub::core`); the driver only does its IO: it
//! takes messages from the mailbox (with those already waiting behind, so the core can batch
//! them), reads the clock and wakes the core when its next timer is due, and performs the
//! core's effects in order — queueing frames on connections, answering requests, reading and
//! appending to the record, publishing to other nodes, the presence registry — feeding each
//! awaited result back before anything else.

use super::core::io::{ConnAddr, Done, Effect, Input, Io, Reply, Request};
use super::core::{CoreConfig, DIGEST_EVERY, MAX_BATCH, RoomCore};
use super::frames;
use super::outbound::{ConnHandle, Outbound};
use super::{Hub, HubError};
use crate::metrics::Metrics;
use baraza_proto::ids::{Millis, RoomId, Seq};
use baraza_proto::room::RoomSummary;
use baraza_proto::view::RoomView;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};

const MAILBOX: usize = 1024;

/// The driver's addresses: connection handles and reply channels.
pub(crate) enum Live {}

impl ConnAddr for ConnHandle {
    fn id(&self) -> u64 {
        ConnHandle::id(self)
    }
}

impl Io for Live {
    type Conn = ConnHandle;
    type Created = oneshot::Sender<Result<RoomSummary, HubError>>;
    type Summary = oneshot::Sender<Result<Option<RoomSummary>, HubError>>;
    type View = oneshot::Sender<Result<(Seq, RoomView), HubError>>;
    type MayRead = oneshot::Sender<Result<(), HubError>>;
    type Input = oneshot::Sender<Result<(), HubError>>;
    type Mailed = oneshot::Sender<Result<(Seq, bool), HubError>>;
}

/// A message to a room actor.
pub(crate) type RoomMsg = Request<Live>;

impl Request<Live> {
    /// Answers the message with `error` instead of handling it: a request from a connection
    /// gets an `error` frame naming it, a request from inside the node gets the error as its
    /// reply. Messages that expect no answer (detach, deliveries between nodes) are dropped.
    pub(crate) fn refuse(self, error: &HubError) {
        let frame = |request: &str| {
            frames::error(
                Some(request),
                error.code(),
                error.to_string(),
                error.retry_after_ms(),
            )
        };
        match self {
            Request::Join { conn, request, .. }
            | Request::Leave { conn, request }
            | Request::Command { conn, request, .. } => {
                conn.push(Outbound::Frame(frame(&request)));
            }
            Request::Create { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            Request::Summary { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            Request::View { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            Request::MayRead { reply, .. } | Request::Input { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            Request::Mail { reply, .. } | Request::Joint { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            Request::Detach { .. }
            | Request::JointDelivered { .. }
            | Request::Published(_)
            | Request::Resync
            | Request::NodeLost { .. }
            | Request::EndAccess { .. }
            | Request::Reestablish => {}
        }
    }
}

/// The address of a room actor.
#[derive(Clone)]
pub(crate) struct RoomHandle {
    mailbox: mpsc::Sender<RoomMsg>,
}

impl RoomHandle {
    /// Sends a message; gives it back if the actor has stopped.
    pub(crate) async fn send(&self, message: RoomMsg) -> Result<(), RoomMsg> {
        self.mailbox.send(message).await.map_err(|e| e.0)
    }

    /// Sends without waiting; false if the mailbox is full or the actor stopped.
    pub(crate) fn try_send(&self, message: RoomMsg) -> bool {
        self.mailbox.try_send(message).is_ok()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.mailbox.is_closed()
    }

    pub(crate) fn same_actor(&self, other: &RoomHandle) -> bool {
        self.mailbox.same_channel(&other.mailbox)
    }
}

/// Starts the actor of room `id`; it loads the record before handling messages.
pub(crate) fn spawn(hub: Hub, id: RoomId) -> RoomHandle {
    let (mailbox, receiver) = mpsc::channel(MAILBOX);
    let handle = RoomHandle { mailbox };
    let config = hub.config();
    let batch_limit = if hub.inner().store.sole_writer() {
        // A batch delivers its frames at once, so with a command's event and `ack` it takes
        // at most half of a connection's send queue.
        (config.limits.send_queue / 4).clamp(1, MAX_BATCH)
    } else {
        1
    };
    let core_config = CoreConfig {
        presence_grace: millis(config.presence_grace),
        idle_unload: millis(config.idle_unload),
        audit_every: config.audit_interval.map(millis),
        batch_limit,
        seed: rand::random(),
        digest_every: DIGEST_EVERY,
    };
    let core = RoomCore::new(id.clone(), core_config, hub.metrics().clone(), now());
    let actor = RoomActor {
        hub: hub.clone(),
        id,
        handle: handle.clone(),
        core,
    };
    Metrics::add(&hub.metrics().room_loads, 1);
    hub.inner().tasks.spawn(actor.run(receiver));
    handle
}

struct RoomActor {
    hub: Hub,
    id: RoomId,
    handle: RoomHandle,
    core: RoomCore<Live>,
}

/// What the effects asked of the driver itself.
#[derive(Default)]
struct Asked {
    unload: bool,
    failed: Option<HubError>,
}

impl RoomActor {
    async fn run(mut self, mut mailbox: mpsc::Receiver<RoomMsg>) {
        let shutdown = self.hub.shutdown_token();
        if let Err(error) = self.hub.inner().broker.subscribe(&self.id).await {
            tracing::warn!(room = %self.id, %error, "subscribing failed; events from other nodes arrive on resync");
        }
        if let Some(error) = self.perform().await.failed {
            tracing::error!(room = %self.id, %error, "cannot load the room");
            mailbox.close();
            while let Some(message) = mailbox.recv().await {
                message.refuse(&error);
            }
            self.hub.forget(&self.id, &self.handle);
            return;
        }
        let stop = shutdown.cancelled();
        tokio::pin!(stop);
        loop {
            let wake = self.core.poll_timeout();
            let busy = self.core.busy();
            tokio::select! {
                message = mailbox.recv() => {
                    let Some(message) = message else { break };
                    self.hub.metrics().mailbox_depth.observe(mailbox.len() as f64);
                    self.handle(Input::Request(message));
                    // Those already waiting behind it: the core may append them together.
                    while self.core.queued() < MAX_BATCH
                        && let Ok(next) = mailbox.try_recv()
                    {
                        self.handle(Input::Request(next));
                    }
                }
                () = sleep_until(wake) => {
                    let began = Instant::now();
                    self.core.handle_timeout(now());
                    Metrics::observe(&self.hub.metrics().room_input_seconds, began.elapsed());
                }
                () = &mut stop, if !busy => break,
            }
            let asked = self.perform().await;
            let unload = asked.unload || self.core.unloadable();
            if unload && mailbox.is_empty() && self.hub.forget(&self.id, &self.handle) {
                break;
            }
        }
        // From here no message is accepted (senders find a fresh actor through the hub), and
        // every message accepted before is answered: handed on to the room's next actor, or
        // refused when the node is shutting down. Unsubscribing first keeps the next actor's
        // subscription.
        mailbox.close();
        if let Err(error) = self.hub.inner().broker.unsubscribe(&self.id).await {
            tracing::debug!(room = %self.id, %error, "unsubscribe failed");
        }
        for message in self.core.take_requests() {
            self.hand_on(message).await;
        }
        while let Some(message) = mailbox.recv().await {
            self.hand_on(message).await;
        }
    }

    /// Hands one input to the core, timing it.
    fn handle(&mut self, input: Input<Live>) {
        let began = Instant::now();
        self.core.handle(input, now());
        Metrics::observe(&self.hub.metrics().room_input_seconds, began.elapsed());
    }

    /// Answers a message of a stopping actor: it goes to the room's next actor (which loads
    /// the room, or answers `room_not_found` without loading anything), or, when the node is
    /// shutting down, is refused with `unavailable`. Deliveries from other nodes are dropped:
    /// the next actor reads the record anyway.
    async fn hand_on(&self, message: RoomMsg) {
        match message {
            Request::Published(_) | Request::Resync => {}
            message if self.hub.shutdown_token().is_cancelled() => {
                message.refuse(&HubError::ShuttingDown);
            }
            message => self.hub.forward(&self.id, message).await,
        }
    }

    /// Performs the core's effects in order, feeding each awaited result back, until there
    /// are none.
    async fn perform(&mut self) -> Asked {
        let mut asked = Asked::default();
        while let Some(effect) = self.core.poll_effect() {
            let done = match effect {
                Effect::Send { conn, item } => {
                    if !conn.push(item) {
                        let stalled = Input::Stalled { conn: conn.id() };
                        self.core.handle(stalled, now());
                    }
                    continue;
                }
                Effect::Reply(reply) => {
                    answer(reply);
                    continue;
                }
                Effect::Publish(event) => {
                    // The event's frames were queued for this node's connections just before.
                    let lag = now().saturating_sub(event.envelope.ts).max(0) as u64;
                    Metrics::observe(
                        &self.hub.metrics().delivery_lag_seconds,
                        Duration::from_millis(lag),
                    );
                    if let Err(error) = self.hub.inner().broker.publish(&event).await {
                        tracing::warn!(room = %self.id, %error, "publish failed; other nodes repair from the record");
                    }
                    continue;
                }
                Effect::Withdraw(statement) => {
                    let store = &self.hub.inner().store;
                    match store.withdraw_texts(&self.id, statement).await {
                        Ok(0) => {}
                        Ok(removed) => {
                            tracing::info!(room = %self.id, statement, removed, "withdrew the texts of a redacted statement");
                        }
                        Err(error) => {
                            tracing::warn!(room = %self.id, statement, %error, "cannot withdraw the texts of a redacted statement yet; retried when the room loads again");
                        }
                    }
                    continue;
                }
                Effect::Attach(user) => {
                    if let Err(error) = self.hub.inner().presence.attach(&self.id, &user).await {
                        tracing::warn!(room = %self.id, %error, "cannot register presence");
                    }
                    continue;
                }
                Effect::Detach(user) => {
                    if let Err(error) = self.hub.inner().presence.detach(&self.id, &user).await {
                        tracing::warn!(room = %self.id, %error, "cannot unregister presence");
                    }
                    continue;
                }
                Effect::Rollup(parent, input) => {
                    super::rollup::deliver_input(&self.hub, parent, input);
                    continue;
                }
                Effect::JointPost(parent, post) => {
                    super::caucus_post::deliver(&self.hub, self.id.clone(), parent, post);
                    continue;
                }
                Effect::Unload => {
                    asked.unload = true;
                    continue;
                }
                Effect::LoadFailed(error) => {
                    asked.failed = Some(error);
                    continue;
                }
                Effect::Read { after, limit } => {
                    let store = &self.hub.inner().store;
                    Done::Read(store.read_after(&self.id, after, limit).await)
                }
                Effect::Append { expected, events } => {
                    let store = &self.hub.inner().store;
                    let began = Instant::now();
                    let appended = store.append(&self.id, expected, &events).await;
                    Metrics::observe(&self.hub.metrics().append_seconds, began.elapsed());
                    Done::Appended(appended)
                }
                Effect::ReadHead => Done::Head(self.hub.inner().store.head(&self.id).await),
                Effect::AskHeldElsewhere(user) => {
                    let presence = &self.hub.inner().presence;
                    let held = presence.held_elsewhere(&self.id, &user).await;
                    Done::HeldElsewhere(held.unwrap_or(true))
                }
                Effect::TakeMembersOf(node) => {
                    let presence = &self.hub.inner().presence;
                    match presence.take_members_of(&self.id, &node).await {
                        Ok(members) => Done::MembersOf(Some(members)),
                        Err(error) => {
                            tracing::warn!(room = %self.id, %error, "cannot read the lost node's members");
                            Done::MembersOf(None)
                        }
                    }
                }
                Effect::FindRoom(id) => Done::Found(super::rollup::find_room(&self.hub, &id).await),
            };
            self.core.handle(Input::Done(done), now());
        }
        asked
    }
}

/// Sends an answer to the request that waits for it.
fn answer(reply: Reply<Live>) {
    match reply {
        Reply::Created(to, result) => {
            let _ = to.send(result);
        }
        Reply::Summary(to, result) => {
            let _ = to.send(result);
        }
        Reply::View(to, result) => {
            let _ = to.send(result);
        }
        Reply::MayRead(to, result) | Reply::Input(to, result) => {
            let _ = to.send(result);
        }
        Reply::Mailed(to, result) | Reply::Joint(to, result) => {
            let _ = to.send(result);
        }
    }
}

/// The room's time: the wall clock in milliseconds.
fn now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}

fn millis(duration: Duration) -> Millis {
    Millis::try_from(duration.as_millis()).unwrap_or(Millis::MAX)
}

/// Waits until the room's time reaches `deadline` (forever without one).
async fn sleep_until(deadline: Option<Millis>) {
    match deadline {
        Some(deadline) => {
            let wait = u64::try_from(deadline.saturating_sub(now())).unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        None => std::future::pending().await,
    }
}

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
