//! The room actor: one task per loaded room, the only writer of that room on this node.
//!
//! It owns the room's state (the fold of its record), its local subscribers and their
//! presence. A command is handled as: `decide` on the current state → seal the events onto the
//! chain → append them if the record still ends where the state does → on conflict, catch up
//! from the record and decide again → apply, fan the encoded frame out to every local
//! subscriber, publish to the other nodes. Events from other nodes arrive through the broker
//! and are applied the same way; a gap is filled from the record first.
//!
//! Batching: when the store is the only writer of the room ([`RecordStore::sole_writer`]), the
//! actor takes the client commands already waiting behind the one it received (up to
//! `MAX_BATCH`), decides each against the state the earlier ones left, seals all their events
//! onto one chain and appends them with one `append`. Only after that succeeded does it fan the
//! events out and answer the commands, in order, so every frame and every seq is what handling
//! them one at a time would have produced. If the append fails, the state is folded again from
//! the record and every command of the batch gets the error.
//!
//! [`RecordStore::sole_writer`]: crate::store::RecordStore::sole_writer

use super::frames;
use super::outbound::{ConnHandle, Outbound, Replay};
use super::{Hub, HubError};
use crate::audit;
use crate::domain::visibility::{self, EventFilter, ReadPath, ReaderKind};
use crate::domain::{Actor, Command, RoomState, decide, evolve};
use crate::metrics::Metrics;
use crate::record::{Head, RecordedEvent};
use crate::store::StoreError;
use axum::extract::ws::Utf8Bytes;
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::{ConsultationInput, Phase};
use baraza_proto::error::ErrorCode;
use baraza_proto::event::{EventBody, EventEnvelope, LeaveReason};
use baraza_proto::identity::Profile;
use baraza_proto::ids::{IdempotencyKey, Millis, RoomId, Seq, UserId};
use baraza_proto::message::ServerMessage;
use baraza_proto::room::{RoomSettings, RoomSummary};
use baraza_proto::view::RoomView;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// How many recent encoded events a room keeps to serve resumes without reading the record.
const RECENT_FRAMES: usize = 1024;
/// Events read from the record per page while catching up.
const CATCH_UP_PAGE: usize = 1000;
/// How often a command is decided again after losing the race to append.
const MAX_ATTEMPTS: usize = 8;
const MAILBOX: usize = 1024;
/// At most this many client commands are appended together (fewer with small send queues:
/// see `RoomActor::batch_limit`).
const MAX_BATCH: usize = 64;

/// A message to a room actor.
pub(crate) enum RoomMsg {
    /// A connection joins (or resumes after `since`).
    Join {
        conn: ConnHandle,
        profile: Profile,
        since: Option<Seq>,
        request: String,
    },
    /// A connection leaves on purpose.
    Leave { conn: ConnHandle, request: String },
    /// A connection ended.
    Detach { conn: u64 },
    /// A client's command.
    Command {
        conn: ConnHandle,
        profile: Profile,
        key: Option<IdempotencyKey>,
        command: RoomCommand,
        request: String,
    },
    /// Create the room (HTTP).
    Create {
        profile: Profile,
        settings: RoomSettings,
        reply: oneshot::Sender<Result<RoomSummary, HubError>>,
    },
    /// The room's line in the room list as `reader` may see it (`None`: the server itself);
    /// `None` if the room does not exist.
    Summary {
        reader: Option<Profile>,
        reply: oneshot::Sender<Result<Option<RoomSummary>, HubError>>,
    },
    /// The room as `profile` may read it by `path` (the domain decides; a refusal is the answer).
    View {
        profile: Profile,
        path: ReadPath,
        reply: oneshot::Sender<Result<(Seq, RoomView), HubError>>,
    },
    /// Whether `profile` may read the room by `path` (for paths served outside the actor, such
    /// as the record).
    MayRead {
        profile: Profile,
        path: ReadPath,
        reply: oneshot::Sender<Result<(), HubError>>,
    },
    /// An event another node appended.
    Published(RecordedEvent),
    /// The broker may have missed events: check the record.
    Resync,
    /// `node` died: record its members here as gone unless someone else holds them.
    NodeLost { node: String },
    /// This node was taken for dead, or lost sight of Redis: register the members it holds
    /// again and make the record show them present.
    Reestablish,
    /// Consultations: record the input of a published child (idempotent).
    Input {
        input: ConsultationInput,
        reply: oneshot::Sender<Result<(), HubError>>,
    },
}

impl RoomMsg {
    /// Whether this message makes a room that may not exist yet (the others need its record).
    pub(crate) fn creates_room(&self) -> bool {
        matches!(self, RoomMsg::Create { .. })
    }

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
            RoomMsg::Join { conn, request, .. }
            | RoomMsg::Leave { conn, request }
            | RoomMsg::Command { conn, request, .. } => {
                conn.push(Outbound::Frame(frame(&request)));
            }
            RoomMsg::Create { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            RoomMsg::Summary { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            RoomMsg::View { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            RoomMsg::MayRead { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            RoomMsg::Input { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            RoomMsg::Detach { .. }
            | RoomMsg::Published(_)
            | RoomMsg::Resync
            | RoomMsg::NodeLost { .. }
            | RoomMsg::Reestablish => {}
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
    let actor = RoomActor {
        hub: hub.clone(),
        id,
        handle: handle.clone(),
        state: RoomState::default(),
        head: Head::EMPTY,
        last_ts: 0,
        stale: true,
        diverged: false,
        subscribers: HashMap::new(),
        presence: HashMap::new(),
        leaving: BTreeSet::new(),
        leave_due: HashMap::new(),
        rejoin: BTreeSet::new(),
        recent: VecDeque::new(),
        snapshots: [None, None, None],
        tick_not_before: Instant::now(),
    };
    Metrics::add(&hub.metrics().room_loads, 1);
    hub.inner().tasks.spawn(actor.run(receiver));
    handle
}

struct Subscriber {
    conn: ConnHandle,
    profile: Profile,
    /// False once the connection was kicked; it stays listed until it detaches.
    live: bool,
}

struct RoomActor {
    hub: Hub,
    id: RoomId,
    handle: RoomHandle,
    state: RoomState,
    head: Head,
    last_ts: Millis,
    /// The state may lag the record (after a store error): catch up before deciding.
    stale: bool,
    /// The state holds events of a batch whose append failed, so it is ahead of `head` and
    /// perhaps of the record: fold it again from the record before anything else.
    diverged: bool,
    subscribers: HashMap<u64, Subscriber>,
    /// Open local connections per member.
    presence: HashMap<UserId, usize>,
    /// Members without connections, by when their leave is due.
    leaving: BTreeSet<(Instant, UserId)>,
    leave_due: HashMap<UserId, Instant>,
    /// Members connected here whom the record shows as gone (another node took this one for
    /// dead, or a departure raced a connection): they are recorded joined again.
    rejoin: BTreeSet<UserId>,
    /// Recent events: their frame for each kind of reader (`ReaderKind::index`; the same shared
    /// bytes where the domain lets every kind see all of it).
    recent: VecDeque<(Seq, [Utf8Bytes; 3])>,
    /// Encoded snapshots by reader kind (`ReaderKind::index`), with their seq.
    snapshots: [Option<(Seq, Utf8Bytes)>; 3],
    /// After a failed timer tick, the next one waits until then (no busy retry).
    tick_not_before: Instant,
}

/// What a successful command did.
struct Executed {
    seq: Seq,
    duplicate: bool,
}

/// A client's command, as taken from the mailbox.
struct ClientCommand {
    conn: ConnHandle,
    profile: Profile,
    key: Option<IdempotencyKey>,
    command: RoomCommand,
    request: String,
}

/// A message taken from the mailbox, sorted for batching.
enum Taken {
    /// A client's command other than `set_parent` (which looks up another room first).
    Batchable(ClientCommand),
    /// Anything else: handled on its own.
    Other(RoomMsg),
}

impl From<RoomMsg> for Taken {
    fn from(message: RoomMsg) -> Taken {
        match message {
            RoomMsg::Command {
                command: RoomCommand::SetParent { parent },
                conn,
                profile,
                key,
                request,
            } => Taken::Other(RoomMsg::Command {
                command: RoomCommand::SetParent { parent },
                conn,
                profile,
                key,
                request,
            }),
            RoomMsg::Command {
                conn,
                profile,
                key,
                command,
                request,
            } => Taken::Batchable(ClientCommand {
                conn,
                profile,
                key,
                command,
                request,
            }),
            other => Taken::Other(other),
        }
    }
}

impl ClientCommand {
    fn into_message(self) -> RoomMsg {
        RoomMsg::Command {
            conn: self.conn,
            profile: self.profile,
            key: self.key,
            command: self.command,
            request: self.request,
        }
    }
}

/// One command of a batch after `decide`, waiting for the append.
struct Decided {
    conn: ConnHandle,
    request: String,
    /// Its answer if the append succeeds.
    result: Result<Executed, HubError>,
    /// How many of the batch's events are its own (they follow those of the commands before).
    events: usize,
}

/// A consultation's input for its parent, sent when the publishing event is delivered.
type Rollup = Option<(RoomId, ConsultationInput)>;

impl RoomActor {
    async fn run(mut self, mut mailbox: mpsc::Receiver<RoomMsg>) {
        let shutdown = self.hub.shutdown_token();
        if let Err(error) = self.hub.inner().broker.subscribe(&self.id).await {
            tracing::warn!(room = %self.id, %error, "subscribing failed; events from other nodes arrive on resync");
        }
        if let Err(error) = self.catch_up().await {
            tracing::error!(room = %self.id, %error, "cannot load the room");
            self.refuse_all(&mut mailbox, error).await;
            self.hub.forget(&self.id, &self.handle);
            return;
        }
        self.schedule_leaves_of_absent_members();
        let idle_unload = self.hub.config().idle_unload;
        let mut idle_since = Instant::now();
        let audit_every = self
            .hub
            .config()
            .audit_interval
            .unwrap_or(Duration::from_secs(3600));
        let mut audit = tokio::time::interval_at(Instant::now() + audit_every, audit_every);
        let stop = shutdown.cancelled();
        tokio::pin!(stop);
        loop {
            let next_leave = self.leaving.first().map(|(due, _)| *due);
            // Roundtable speaking timers: the domain says when it next has something to do.
            let next_tick = self
                .state
                .next_deadline()
                .map(|d| instant_of(d).max(self.tick_not_before));
            let idle_deadline = idle_since + idle_unload;
            tokio::select! {
                message = mailbox.recv() => {
                    let Some(message) = message else { break };
                    self.dispatch(message, &mut mailbox).await;
                    if !self.subscribers.is_empty() || !self.leaving.is_empty() {
                        idle_since = Instant::now();
                    }
                    if self.state.info().is_none() && self.subscribers.is_empty() && mailbox.is_empty()
                        && self.hub.forget(&self.id, &self.handle)
                    {
                        break;
                    }
                }
                () = sleep_until_some(next_leave) => self.expire_leaves().await,
                _ = audit.tick(), if self.hub.config().audit_interval.is_some() && !self.subscribers.is_empty() => {
                    self.audit().await;
                }
                () = sleep_until_some(next_tick) => self.tick().await,
                () = tokio::time::sleep_until(idle_deadline), if self.subscribers.is_empty() && self.leaving.is_empty() && next_tick.is_none() => {
                    if mailbox.is_empty() && self.hub.forget(&self.id, &self.handle) {
                        break;
                    }
                    idle_since = Instant::now();
                }
                () = &mut stop => break,
            }
            if !self.rejoin.is_empty() {
                self.restore_present_members().await;
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
        self.hand_on(&mut mailbox).await;
    }

    /// Answers every message still in the (closed) mailbox of a stopping actor: each goes to
    /// the room's next actor in mailbox order (which loads the room, or answers
    /// `room_not_found` without loading anything), or, when the node is shutting down, is
    /// refused with `unavailable`. Deliveries from other nodes are dropped: the next actor
    /// reads the record anyway.
    async fn hand_on(&self, mailbox: &mut mpsc::Receiver<RoomMsg>) {
        while let Some(message) = mailbox.recv().await {
            match message {
                RoomMsg::Published(_) | RoomMsg::Resync => {}
                message if self.hub.shutdown_token().is_cancelled() => {
                    message.refuse(&HubError::ShuttingDown);
                }
                message => self.hub.forward(&self.id, message).await,
            }
        }
    }

    /// Handles `first` and, when batching is allowed, the client commands already waiting
    /// behind it as batches (see `execute_batch`). Every message taken from the mailbox is
    /// handled here, in mailbox order.
    async fn dispatch(&mut self, first: RoomMsg, mailbox: &mut mpsc::Receiver<RoomMsg>) {
        let batching = self.hub.inner().store.sole_writer();
        let limit = self.batch_limit();
        let mut taken = VecDeque::from([first]);
        while let Some(message) = taken.pop_front() {
            if !batching {
                self.handle(message).await;
                continue;
            }
            let first = match Taken::from(message) {
                Taken::Batchable(command) => command,
                Taken::Other(message) => {
                    self.handle(message).await;
                    continue;
                }
            };
            let mut batch = take_batch(first, limit, &mut taken, mailbox);
            if batch.len() == 1
                && let Some(only) = batch.pop()
            {
                self.command(only).await;
                continue;
            }
            let untouched = self.execute_batch(batch).await;
            for command in untouched.into_iter().rev() {
                taken.push_front(command.into_message());
            }
        }
    }

    /// How many commands one batch may hold: a batch delivers its frames at once, so with a
    /// command's event and `ack` it takes at most half of a connection's send queue (a client
    /// that keeps up with one command per append keeps up with a batch per append).
    fn batch_limit(&self) -> usize {
        (self.hub.config().limits.send_queue / 4).clamp(1, MAX_BATCH)
    }

    async fn handle(&mut self, message: RoomMsg) {
        match message {
            RoomMsg::Join {
                conn,
                profile,
                since,
                request,
            } => self.join(conn, profile, since, request).await,
            RoomMsg::Leave { conn, request } => self.leave(&conn, request).await,
            RoomMsg::Detach { conn } => self.detach(conn).await,
            RoomMsg::Command {
                conn,
                profile,
                key,
                command,
                request,
            } => {
                let command = ClientCommand {
                    conn,
                    profile,
                    key,
                    command,
                    request,
                };
                self.command(command).await;
            }
            RoomMsg::Create {
                profile,
                settings,
                reply,
            } => {
                let result = self
                    .execute(&Actor::Person(profile), &Command::Create(settings))
                    .await;
                let _ = reply.send(
                    result.map(|_| self.state.summary().expect("a created room has a summary")),
                );
            }
            RoomMsg::Summary { reader, reply } => {
                let summary = |state: &RoomState| match &reader {
                    Some(profile) => visibility::summary_for(profile, state),
                    None => state.summary(),
                };
                let _ = reply.send(self.refresh().await.map(|()| summary(&self.state)));
            }
            RoomMsg::View {
                profile,
                path,
                reply,
            } => {
                let result = self.refresh().await.and_then(|()| {
                    let view = visibility::view_for(path, &profile, &self.state)?;
                    Ok((self.head.seq, view))
                });
                let _ = reply.send(result);
            }
            RoomMsg::MayRead {
                profile,
                path,
                reply,
            } => {
                let result = self.refresh().await.and_then(|()| {
                    visibility::may_read(path, &profile, &self.state)?;
                    Ok(())
                });
                let _ = reply.send(result);
            }
            RoomMsg::Input { input, reply } => {
                let result = self
                    .execute(&Actor::System, &Command::ReceiveInput(input))
                    .await;
                let _ = reply.send(result.map(|_| ()));
            }
            RoomMsg::Published(event) => self.receive(event).await,
            RoomMsg::Resync => {
                if let Err(error) = self.catch_up().await {
                    tracing::warn!(room = %self.id, %error, "resync failed");
                }
            }
            RoomMsg::NodeLost { node } => self.node_lost(&node).await,
            RoomMsg::Reestablish => self.reestablish().await,
        }
    }

    /// Runs one client's command on its own and answers it.
    async fn command(&mut self, command: ClientCommand) {
        let ClientCommand {
            conn,
            profile,
            key,
            command,
            request,
        } = command;
        if !self.refuse_unjoined(&conn, &request) {
            return;
        }
        let command = match command {
            // Consultations: the parent is looked up here; the domain reads no other room.
            RoomCommand::SetParent { parent } if parent != self.id => Command::SetParent {
                found: super::rollup::find_room(&self.hub, &parent).await,
                parent,
            },
            RoomCommand::SetParent { parent } => Command::SetParent {
                parent,
                found: None,
            },
            command => Command::Room { key, command },
        };
        let result = self.execute(&Actor::Person(profile), &command).await;
        conn.push(Outbound::Frame(self.answer(&request, result)));
    }

    /// True if `conn` joined this room; otherwise answers its request with `not_joined`.
    fn refuse_unjoined(&self, conn: &ConnHandle, request: &str) -> bool {
        if self.subscribers.contains_key(&conn.id()) {
            return true;
        }
        conn.push(Outbound::Frame(frames::error(
            Some(request),
            ErrorCode::NotJoined,
            format!("join {} before giving it commands", self.id),
            None,
        )));
        false
    }

    /// Runs client commands with one append: decides each in order against the state the
    /// earlier ones left (folding their events into `state` ahead of `head`), appends every
    /// event at once, then delivers the events and answers the commands in order, exactly as
    /// one at a time. A rejection or a duplicate appends nothing and answers as usual. If the
    /// append fails, every command of the batch gets the error and the state is folded again
    /// from the record before it is used. The batch ends after an expulsion (the expelled
    /// person's connections stop being subscribers when it is delivered); the commands after it
    /// are given back, untouched.
    async fn execute_batch(&mut self, batch: Vec<ClientCommand>) -> Vec<ClientCommand> {
        if self.refresh().await.is_err() {
            // Nothing speculative yet: each command meets the store on its own, as usual.
            for command in batch {
                self.command(command).await;
            }
            return Vec::new();
        }
        let now = self.now();
        let mut prev = self.head;
        let mut sealed: Vec<RecordedEvent> = Vec::new();
        let mut rollups: Vec<Rollup> = Vec::new();
        let mut decided: Vec<Decided> = Vec::with_capacity(batch.len());
        let mut rest = batch.into_iter();
        for ClientCommand {
            conn,
            profile,
            key,
            command,
            request,
        } in rest.by_ref()
        {
            if !self.refuse_unjoined(&conn, &request) {
                continue;
            }
            let actor = Actor::Person(profile);
            let command = Command::Room {
                key: key.clone(),
                command,
            };
            let (result, events, expels) = match decide(&self.state, &actor, &command, now) {
                Err(rejection) => {
                    Metrics::add(&self.hub.metrics().commands_rejected, 1);
                    audit::command_refused(&self.id, &actor, command.name(), &rejection);
                    (Err(rejection.into()), 0, false)
                }
                Ok(bodies) if bodies.is_empty() => {
                    (Ok(self.unchanged(&actor, key.as_ref(), prev.seq)), 0, false)
                }
                Ok(bodies) => {
                    let expels = bodies
                        .iter()
                        .any(|body| matches!(body, EventBody::ParticipantExpelled(_)));
                    let events = self.seal(&actor, key, now, prev, bodies);
                    let seq = prev.seq + 1;
                    for event in &events {
                        rollups.push(self.fold(&event.envelope));
                        prev = event.head();
                    }
                    let executed = Executed {
                        seq,
                        duplicate: false,
                    };
                    let count = events.len();
                    sealed.extend(events);
                    (Ok(executed), count, expels)
                }
            };
            decided.push(Decided {
                conn,
                request,
                result,
                events,
            });
            if expels {
                break;
            }
        }
        self.finish_batch(sealed, rollups, decided).await;
        rest.collect()
    }

    /// Repairs events a broker failed to deliver: if the record is ahead, catch up.
    async fn audit(&mut self) {
        match self.hub.inner().store.head(&self.id).await {
            Ok(head) if head.seq > self.head.seq => {
                tracing::info!(room = %self.id, behind = head.seq - self.head.seq, "repairing missed events from the record");
                if let Err(error) = self.catch_up().await {
                    tracing::warn!(room = %self.id, %error, "repair failed");
                }
            }
            Ok(_) => {}
            Err(error) => tracing::debug!(room = %self.id, %error, "audit could not read the head"),
        }
    }

    /// Registers every member held here again and reads the record, so that members it shows
    /// as gone although they are connected here are recorded joined again.
    async fn reestablish(&mut self) {
        let members: Vec<UserId> = self.presence.keys().cloned().collect();
        for user in &members {
            if let Err(error) = self.hub.inner().presence.attach(&self.id, user).await {
                tracing::warn!(room = %self.id, %error, "cannot register presence again");
            }
        }
        self.stale = true;
        if let Err(error) = self.refresh().await {
            tracing::warn!(room = %self.id, %error, "cannot read the record to re-establish members");
        }
        self.rejoin.extend(
            members
                .into_iter()
                .filter(|user| !self.state.is_present(user)),
        );
    }

    /// Records `member_joined` (through the domain, as the person) for each member connected
    /// here whom the record shows as gone, so that a present member can always act. A failure
    /// keeps them for the next try; a refusal (expelled meanwhile) drops them.
    async fn restore_present_members(&mut self) {
        let pending: Vec<UserId> = std::mem::take(&mut self.rejoin).into_iter().collect();
        for user in pending {
            if !self.presence.contains_key(&user) {
                continue;
            }
            let Some(profile) = self
                .subscribers
                .values()
                .find(|s| s.live && s.profile.user == user)
                .map(|s| s.profile.clone())
            else {
                continue;
            };
            match self.execute(&Actor::Person(profile), &Command::Join).await {
                Ok(_) => {
                    tracing::info!(room = %self.id, %user, "recorded a connected member as present again")
                }
                Err(HubError::Rejected(rejection)) => {
                    tracing::info!(room = %self.id, %user, %rejection, "a connected member may not rejoin");
                }
                Err(error) => {
                    tracing::warn!(room = %self.id, %user, %error, "cannot record a connected member as present yet");
                    self.rejoin.insert(user);
                }
            }
        }
    }

    /// Records as gone the members a dead node held here, unless they are connected again.
    async fn node_lost(&mut self, node: &str) {
        let presence = self.hub.inner().presence.clone();
        let members = match presence.take_members_of(&self.id, node).await {
            Ok(members) => members,
            Err(error) => {
                tracing::warn!(room = %self.id, %error, "cannot read the lost node's members");
                return;
            }
        };
        for user in members {
            if let Err(error) = self.record_absence(&user, LeaveReason::NodeLost).await {
                tracing::warn!(room = %self.id, %user, %error, "recording a lost member failed");
            }
        }
    }

    /// Records `user` as gone for `reason`, unless they are connected here again or another
    /// live node holds them (then nothing is recorded).
    async fn record_absence(&mut self, user: &UserId, reason: LeaveReason) -> Result<(), HubError> {
        if self.presence.contains_key(user) || self.held_elsewhere(user).await {
            return Ok(());
        }
        let command = Command::Leave {
            user: user.clone(),
            reason,
        };
        self.execute(&Actor::System, &command).await.map(|_| ())
    }

    /// Runs a command to completion: decide, append (retrying after conflicts), apply, publish.
    async fn execute(&mut self, actor: &Actor, command: &Command) -> Result<Executed, HubError> {
        let key = match command {
            Command::Room { key, .. } => key.clone(),
            _ => None,
        };
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                conflict_backoff(attempt).await;
            }
            self.refresh().await?;
            let now = self.now();
            let bodies = match decide(&self.state, actor, command, now) {
                Ok(bodies) => bodies,
                Err(rejection) => {
                    Metrics::add(&self.hub.metrics().commands_rejected, 1);
                    audit::command_refused(&self.id, actor, command.name(), &rejection);
                    return Err(rejection.into());
                }
            };
            if bodies.is_empty() {
                return Ok(self.unchanged(actor, key.as_ref(), self.head.seq));
            }
            let sealed = self.seal(actor, key.clone(), now, self.head, bodies);
            match self
                .hub
                .inner()
                .store
                .append(&self.id, self.head.seq, &sealed)
                .await
            {
                Ok(()) => {
                    Metrics::add(&self.hub.metrics().events_appended, sealed.len() as u64);
                    Metrics::add(&self.hub.metrics().appends, 1);
                    let seq = sealed[0].seq();
                    for event in &sealed {
                        self.apply(event.clone());
                        self.publish(event).await;
                    }
                    return Ok(Executed {
                        seq,
                        duplicate: false,
                    });
                }
                Err(StoreError::Conflict { .. }) => {
                    Metrics::add(&self.hub.metrics().append_conflicts, 1);
                    self.stale = true;
                }
                Err(error) => {
                    // The write may or may not have happened: read the record before deciding again.
                    self.stale = true;
                    return Err(error.into());
                }
            }
        }
        Err(HubError::Contended)
    }

    /// The answer to a command that changed nothing: a repeated idempotency key gets the seq
    /// of its first event, anything else the room's seq `head` (speculative inside a batch).
    fn unchanged(&self, actor: &Actor, key: Option<&IdempotencyKey>, head: Seq) -> Executed {
        let original = actor
            .user()
            .zip(key)
            .and_then(|(user, key)| self.state.seq_for_key(user, key));
        Executed {
            seq: original.unwrap_or(head),
            duplicate: original.is_some(),
        }
    }

    /// Seals `bodies` into the chain after `prev`, all with time `now`.
    fn seal(
        &self,
        actor: &Actor,
        key: Option<IdempotencyKey>,
        now: Millis,
        mut prev: Head,
        bodies: Vec<EventBody>,
    ) -> Vec<RecordedEvent> {
        bodies
            .into_iter()
            .map(|body| {
                let envelope = EventEnvelope {
                    room: self.id.clone(),
                    seq: prev.seq + 1,
                    ts: now,
                    actor: actor.user().cloned(),
                    key: key.clone(),
                    body,
                };
                let event = RecordedEvent::seal(envelope, prev.hash);
                prev = event.head();
                event
            })
            .collect()
    }

    /// Appends a batch's events in one go; on success delivers them and answers each command
    /// after its own events, in order; on failure answers every command with the error.
    async fn finish_batch(
        &mut self,
        sealed: Vec<RecordedEvent>,
        rollups: Vec<Rollup>,
        decided: Vec<Decided>,
    ) {
        if !sealed.is_empty() {
            let appended = self
                .hub
                .inner()
                .store
                .append(&self.id, self.head.seq, &sealed)
                .await;
            if let Err(error) = appended {
                if matches!(error, StoreError::Conflict { .. }) {
                    Metrics::add(&self.hub.metrics().append_conflicts, 1);
                }
                // The state went ahead of `head`; the write may or may not have happened.
                self.diverged = true;
                self.stale = true;
                let error = HubError::from(error);
                for command in decided {
                    let frame = self.answer(&command.request, Err(error.clone()));
                    command.conn.push(Outbound::Frame(frame));
                }
                return;
            }
            Metrics::add(&self.hub.metrics().events_appended, sealed.len() as u64);
            Metrics::add(&self.hub.metrics().appends, 1);
        }
        let mut events = sealed.into_iter().zip(rollups);
        for command in decided {
            for (event, rollup) in events.by_ref().take(command.events) {
                self.deliver(event.clone(), rollup);
                self.publish(&event).await;
            }
            let frame = self.answer(&command.request, command.result);
            command.conn.push(Outbound::Frame(frame));
        }
    }

    /// Hands an appended event to the broker for the other nodes.
    async fn publish(&self, event: &RecordedEvent) {
        if let Err(error) = self.hub.inner().broker.publish(event).await {
            tracing::warn!(room = %self.id, %error, "publish failed; other nodes repair from the record");
        }
    }

    /// Folds the record again up to `head`, sending nothing (those events were delivered):
    /// after a failed batch the state holds events that may not be in the record.
    async fn rebuild(&mut self) -> Result<(), HubError> {
        let mut state = RoomState::default();
        let mut head = Head::EMPTY;
        'pages: while head.seq < self.head.seq {
            let missing = usize::try_from(self.head.seq - head.seq).unwrap_or(CATCH_UP_PAGE);
            let events = self
                .hub
                .inner()
                .store
                .read_after(&self.id, head.seq, missing.min(CATCH_UP_PAGE))
                .await?;
            if events.is_empty() {
                break;
            }
            for event in events {
                if event.prev_hash != head.hash {
                    break 'pages;
                }
                evolve(&mut state, &event.envelope);
                head = event.head();
            }
        }
        if head != self.head {
            return Err(StoreError::Corrupt(format!(
                "the record of {} no longer holds the events delivered up to seq {}",
                self.id, self.head.seq
            ))
            .into());
        }
        self.state = state;
        self.diverged = false;
        Ok(())
    }

    /// Catches up if the state may lag the record.
    async fn refresh(&mut self) -> Result<(), HubError> {
        if self.stale {
            self.catch_up().await?;
        }
        Ok(())
    }

    /// Applies every event of the record after the current head.
    async fn catch_up(&mut self) -> Result<(), HubError> {
        if self.diverged {
            self.rebuild().await?;
        }
        loop {
            let events = self
                .hub
                .inner()
                .store
                .read_after(&self.id, self.head.seq, CATCH_UP_PAGE)
                .await?;
            let done = events.len() < CATCH_UP_PAGE;
            for event in events {
                if event.prev_hash != self.head.hash {
                    return Err(StoreError::Corrupt(format!(
                        "{} seq {} does not chain onto seq {}",
                        self.id,
                        event.seq(),
                        self.head.seq
                    ))
                    .into());
                }
                self.apply(event);
            }
            if done {
                self.stale = false;
                return Ok(());
            }
        }
    }

    /// An event from another node: apply it if it is the next one, repair a gap, drop the old.
    async fn receive(&mut self, event: RecordedEvent) {
        if event.seq() <= self.head.seq {
            return;
        }
        if event.seq() == self.head.seq + 1 && event.prev_hash == self.head.hash && !self.stale {
            self.apply(event);
            return;
        }
        self.stale = true;
        if let Err(error) = self.catch_up().await {
            tracing::warn!(room = %self.id, %error, "gap repair failed; retrying on the next event");
        }
    }

    /// Folds one event into the state and sends its frame to every local subscriber.
    fn apply(&mut self, event: RecordedEvent) {
        let rollup = self.fold(&event.envelope);
        self.deliver(event, rollup);
    }

    /// Folds one event into the state; for a publication, also what rolls up into the parent.
    /// Inside a batch this runs before the append: nothing here leaves the actor.
    fn fold(&mut self, event: &EventEnvelope) -> Rollup {
        evolve(&mut self.state, event);
        match &event.body {
            EventBody::PhaseChanged {
                phase: Phase::Published,
            } => crate::domain::consultation::rollup(&self.state),
            _ => None,
        }
    }

    /// The effects of a folded, appended event: roll-up, head, ring, fan-out, expulsion.
    fn deliver(&mut self, event: RecordedEvent, rollup: Rollup) {
        // Consultations: a publication rolls up into the parent, again on every load (the
        // parent ignores an input it already holds), so a lost delivery is repaired.
        if let Some((parent, input)) = rollup {
            super::rollup::deliver_input(&self.hub, parent, input);
        }
        self.head = event.head();
        self.last_ts = self.last_ts.max(event.envelope.ts);
        // Each kind of reader gets what the domain lets it see; each distinct frame is encoded
        // once.
        let shared: Utf8Bytes = event.wire_frame().into();
        let mut redacted: Option<Utf8Bytes> = None;
        let per_kind = ReaderKind::ALL.map(|kind| {
            match visibility::frame_for(kind, &self.state, &event.envelope.body) {
                visibility::Visibility::All => shared.clone(),
                visibility::Visibility::Redacted => redacted
                    .get_or_insert_with(|| frames::event(&event, visibility::Visibility::Redacted))
                    .clone(),
            }
        });
        if self.recent.len() == RECENT_FRAMES {
            self.recent.pop_front();
        }
        self.recent.push_back((event.seq(), per_kind.clone()));
        for subscriber in self.subscribers.values_mut().filter(|s| s.live) {
            let kind = visibility::reader_kind(&subscriber.profile, &self.state);
            let frame = per_kind[kind.index()].clone();
            if !subscriber.conn.push(Outbound::Frame(frame)) {
                subscriber.live = false;
            }
        }
        match &event.envelope.body {
            EventBody::ParticipantExpelled(sanction) => {
                self.cut_off(&sanction.user, &sanction.reason);
            }
            // The record says they left, but they are connected here: that was not a fact
            // (e.g. another node took this one for dead). They are recorded joined again.
            EventBody::MemberLeft { user, .. } if self.presence.contains_key(user) => {
                self.rejoin.insert(user.clone());
            }
            _ => {}
        }
    }

    /// Stops sending this room to every local connection of an expelled person: each gets the
    /// expulsion event (already queued), then a `forbidden` error naming the room, then nothing
    /// more from it. Their other rooms are not affected.
    fn cut_off(&mut self, user: &UserId, reason: &str) {
        let connections: Vec<u64> = self
            .subscribers
            .iter()
            .filter(|(_, s)| &s.profile.user == user)
            .map(|(id, _)| *id)
            .collect();
        let message = format!("you were expelled from {}: {reason}", self.id);
        for id in connections {
            if let Some(subscriber) = self.subscribers.remove(&id) {
                subscriber.conn.push(Outbound::Frame(frames::error(
                    None,
                    ErrorCode::Forbidden,
                    message.clone(),
                    None,
                )));
            }
        }
        if self.presence.remove(user).is_some() {
            let (presence, room, user) = (
                self.hub.inner().presence.clone(),
                self.id.clone(),
                user.clone(),
            );
            tokio::spawn(async move {
                if let Err(error) = presence.detach(&room, &user).await {
                    tracing::warn!(%room, %error, "cannot unregister an expelled member");
                }
            });
        }
    }

    async fn join(
        &mut self,
        conn: ConnHandle,
        profile: Profile,
        since: Option<Seq>,
        request: String,
    ) {
        if self.subscribers.contains_key(&conn.id()) {
            // Joining again on the same connection: if the record says they left (while they
            // stayed connected), record them joined again, so the ack means they may act.
            let user = profile.user.clone();
            let result = self.execute(&Actor::Person(profile), &Command::Join).await;
            if result.is_ok() {
                self.rejoin.remove(&user);
            }
            conn.push(Outbound::Frame(self.answer(&request, result)));
            return;
        }
        if let Err(error) = self.refresh().await {
            conn.push(Outbound::Frame(self.answer(&request, Err(error))));
            return;
        }
        if let Some(since) = since.filter(|&since| since > self.head.seq) {
            conn.push(Outbound::Frame(frames::error(
                Some(&request),
                ErrorCode::InvalidMessage,
                format!(
                    "since is {since} but the record of {} ends at {}",
                    self.id, self.head.seq
                ),
                None,
            )));
            return;
        }
        let path = match since {
            None => ReadPath::Snapshot,
            Some(_) => ReadPath::Events,
        };
        let reader = match visibility::may_read(path, &profile, &self.state) {
            Ok(reader) => reader,
            Err(refused) => {
                conn.push(Outbound::Frame(self.answer(&request, Err(refused.into()))));
                return;
            }
        };
        if let Err(error) = self
            .execute(&Actor::Person(profile.clone()), &Command::Join)
            .await
        {
            conn.push(Outbound::Frame(self.answer(&request, Err(error))));
            return;
        }
        let connections = self.presence.entry(profile.user.clone()).or_default();
        *connections += 1;
        if *connections == 1
            && let Err(error) = self
                .hub
                .inner()
                .presence
                .attach(&self.id, &profile.user)
                .await
        {
            tracing::warn!(room = %self.id, %error, "cannot register presence");
        }
        if let Some(due) = self.leave_due.remove(&profile.user) {
            self.leaving.remove(&(due, profile.user.clone()));
        }
        let ack = frames::ack(&request, self.head.seq, false);
        let delivered = match since {
            None => {
                conn.push(Outbound::Frame(self.snapshot(reader))) && conn.push(Outbound::Frame(ack))
            }
            Some(since) => self.resume(&conn, reader, since, request, ack),
        };
        let live = delivered;
        self.subscribers.insert(
            conn.id(),
            Subscriber {
                conn,
                profile,
                live,
            },
        );
    }

    /// Queues the events after `since` for a resuming connection, from memory when the room
    /// still holds them, otherwise as a replay from the record. Either way it takes one slot of
    /// the connection's queue, followed by the join's `ack`.
    fn resume(
        &self,
        conn: &ConnHandle,
        reader: ReaderKind,
        since: Seq,
        request: String,
        ack: Utf8Bytes,
    ) -> bool {
        let oldest_in_memory = self
            .recent
            .front()
            .map_or(self.head.seq + 1, |(seq, _)| *seq);
        if since + 1 >= oldest_in_memory {
            let skip = (since + 1 - oldest_in_memory) as usize;
            let mut frames: Vec<Utf8Bytes> = self
                .recent
                .iter()
                .skip(skip)
                .map(|(_, frames)| frames[reader.index()].clone())
                .collect();
            frames.push(ack);
            conn.push(Outbound::Batch(frames))
        } else {
            conn.push(Outbound::Replay(Box::new(Replay {
                room: self.id.clone(),
                after: since,
                until: self.head.seq,
                filter: EventFilter::new(reader, &self.state),
                request,
                ack,
            })))
        }
    }

    /// The encoded snapshot for a kind of reader, reused until the next event.
    fn snapshot(&mut self, reader: ReaderKind) -> Utf8Bytes {
        let slot = reader.index();
        if let Some((seq, frame)) = &self.snapshots[slot]
            && *seq == self.head.seq
        {
            return frame.clone();
        }
        let state = self.state.view(reader).expect("joined rooms exist");
        let frame = frames::encode(&ServerMessage::Snapshot {
            room: self.id.clone(),
            seq: self.head.seq,
            state: Box::new(state),
        });
        self.snapshots[slot] = Some((self.head.seq, frame.clone()));
        frame
    }

    async fn leave(&mut self, conn: &ConnHandle, request: String) {
        let Some(subscriber) = self.subscribers.remove(&conn.id()) else {
            // Never joined (refused, or expelled since): answered all the same.
            self.refuse_unjoined(conn, &request);
            return;
        };
        let user = subscriber.profile.user.clone();
        let result = if self.release_presence(&user).await && !self.held_elsewhere(&user).await {
            let command = Command::Leave {
                user,
                reason: LeaveReason::Left,
            };
            self.execute(&Actor::Person(subscriber.profile), &command)
                .await
        } else {
            Ok(Executed {
                seq: self.head.seq,
                duplicate: false,
            })
        };
        subscriber
            .conn
            .push(Outbound::Frame(self.answer(&request, result)));
    }

    async fn detach(&mut self, conn: u64) {
        let Some(subscriber) = self.subscribers.remove(&conn) else {
            return;
        };
        let user = subscriber.profile.user;
        if self.release_presence(&user).await {
            self.schedule_leave(user, Instant::now() + self.hub.config().presence_grace);
        }
    }

    /// Drops one local connection of `user`; true when it was their last on this node (the
    /// node then no longer holds them in the presence registry).
    async fn release_presence(&mut self, user: &UserId) -> bool {
        match self.presence.get_mut(user) {
            Some(count) if *count > 1 => {
                *count -= 1;
                false
            }
            _ => {
                self.presence.remove(user);
                if let Err(error) = self.hub.inner().presence.detach(&self.id, user).await {
                    tracing::warn!(room = %self.id, %error, "cannot unregister presence");
                }
                true
            }
        }
    }

    /// Whether another live node holds `user` here (then they stay present). When the registry
    /// cannot be read, assume they are held: a missed departure is repaired later, a false one
    /// would stand in the record.
    async fn held_elsewhere(&self, user: &UserId) -> bool {
        self.hub
            .inner()
            .presence
            .held_elsewhere(&self.id, user)
            .await
            .unwrap_or(true)
    }

    fn schedule_leave(&mut self, user: UserId, due: Instant) {
        if let Some(previous) = self.leave_due.insert(user.clone(), due) {
            self.leaving.remove(&(previous, user.clone()));
        }
        self.leaving.insert((due, user));
    }

    /// After a (re)load, members the record shows present but who have no connection here get
    /// the grace period to come back.
    fn schedule_leaves_of_absent_members(&mut self) {
        let due = Instant::now() + self.hub.config().presence_grace;
        let absent: Vec<UserId> = self
            .state
            .present_members()
            .map(|p| p.user.clone())
            .filter(|u| !self.presence.contains_key(u))
            .collect();
        for user in absent {
            self.schedule_leave(user, due);
        }
    }

    /// Records as gone every member whose grace period is over.
    async fn expire_leaves(&mut self) {
        let now = Instant::now();
        while let Some((due, user)) = self.leaving.first().cloned() {
            if due > now {
                break;
            }
            self.leaving.pop_first();
            self.leave_due.remove(&user);
            if let Err(error) = self.record_absence(&user, LeaveReason::Disconnected).await {
                tracing::warn!(room = %self.id, %user, %error, "recording a departure failed; retrying");
                self.schedule_leave(user, now + Duration::from_secs(1));
                break;
            }
        }
    }

    /// Runs the domain's timer: warnings and expiries due now. Idempotent, so a tick that
    /// another node already ran (or that fires late) records nothing.
    async fn tick(&mut self) {
        if let Err(error) = self.execute(&Actor::System, &Command::Tick).await {
            tracing::warn!(room = %self.id, %error, "the speaking timer failed; retrying in a second");
            self.tick_not_before = Instant::now() + Duration::from_secs(1);
        }
    }

    /// The `ack` or `error` frame for a request's outcome.
    fn answer(&self, request: &str, result: Result<Executed, HubError>) -> Utf8Bytes {
        match result {
            Ok(done) => frames::ack(request, done.seq, done.duplicate),
            Err(error) => frames::error(
                Some(request),
                error.code(),
                error.to_string(),
                error.retry_after_ms(),
            ),
        }
    }

    /// Refuses every queued message after a failed load.
    async fn refuse_all(&self, mailbox: &mut mpsc::Receiver<RoomMsg>, error: HubError) {
        mailbox.close();
        while let Some(message) = mailbox.recv().await {
            message.refuse(&error);
        }
    }

    /// The time for a new event: the wall clock, but never before the room's last event.
    fn now(&self) -> Millis {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as Millis);
        wall.max(self.last_ts)
    }
}

/// Takes, after `first`, the client commands waiting in `taken` and then in the mailbox, up to
/// `limit` in all, stopping at the first message that cannot join (it stays first in `taken`).
fn take_batch(
    first: ClientCommand,
    limit: usize,
    taken: &mut VecDeque<RoomMsg>,
    mailbox: &mut mpsc::Receiver<RoomMsg>,
) -> Vec<ClientCommand> {
    let mut batch = vec![first];
    while batch.len() < limit {
        let Some(next) = taken.pop_front().or_else(|| mailbox.try_recv().ok()) else {
            break;
        };
        match Taken::from(next) {
            Taken::Batchable(command) => batch.push(command),
            Taken::Other(message) => {
                taken.push_front(message);
                break;
            }
        }
    }
    batch
}

/// The monotonic instant of a wall-clock deadline (1 ms late, so the domain finds it due).
fn instant_of(deadline: Millis) -> Instant {
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis);
    let wait = u64::try_from(deadline - wall).unwrap_or(0) + 1;
    Instant::now() + Duration::from_millis(wait)
}

/// Waits a random while before deciding again after losing a race to append: a node whose
/// clients keep it appending back to back would otherwise win every race against one that
/// must first catch up (up to 0.25, 0.5, 1 … 16 ms, growing with each attempt).
async fn conflict_backoff(attempt: usize) {
    let ceiling_us = 250u64 << attempt.min(6);
    let wait = rand::random_range(0..=ceiling_us);
    tokio::time::sleep(Duration::from_micros(wait)).await;
}

async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
#[path = "room_tests.rs"]
mod tests;
