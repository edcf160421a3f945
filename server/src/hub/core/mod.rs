//! `RoomCore`: the whole behaviour of one room as a sans-IO state machine.
//!
//! The core owns the room's state (the fold of its record), its local subscribers and their
//! presence, the ring of recent frames, the snapshot cache, the timer table (grace periods,
//! speaking timers, the record audit, conflict retries, unloading) and every decision about
//! the record (catch up, repair a gap, fold again after a failed batch, decide again after a
//! lost race). It does no IO, reads no clock and never awaits:
//!
//! - [`RoomCore::handle`] takes an [`Input`] (a mailbox message, the result of IO it asked for,
//!   a stalled connection) and the time `now`;
//! - [`RoomCore::handle_timeout`] runs what is due at `now`; [`RoomCore::poll_timeout`] says
//!   when that is next;
//! - [`RoomCore::poll_effect`] gives the [`Effect`]s to perform, in order: frames to queue on
//!   connections, answers, events to append and publish, reads of the record, presence
//!   registry updates. The core asks for at most one awaited effect at a time and takes no
//!   new request until its result comes back, so a room handles its messages one after the
//!   other, as an actor does.
//!
//! Commands: a command is a batch of one. Client commands waiting behind each other (up to
//! the configured limit) are decided in order, each against the state the earlier ones left,
//! sealed onto one chain and appended with one append; only when that succeeded are their
//! events delivered and the commands answered, in order, so every frame and seq is what
//! handling them one at a time gives. A lost race to append decides the whole batch again
//! after a short random wait; any other failure answers every command of the batch with the
//! error and, if the state went ahead of the record, folds the record again before it is used.
//!
//! The driver (`hub::room`) owns the mailbox, the store, the broker, the presence registry
//! and the clock.

mod audience;
mod exec;
pub mod io;
mod members;
mod ring;
mod sync;
mod timers;

#[cfg(test)]
mod tests;

use crate::domain::visibility::{self, ReaderKind};
use crate::domain::{Actor, Command, RoomState};
use crate::hub::error::HubError;
use crate::hub::frames;
use crate::hub::outbound::Outbound;
use crate::metrics::Metrics;
use crate::record::Head;
use axum::extract::ws::Utf8Bytes;
use baraza_proto::command::RoomCommand;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::LeaveReason;
use baraza_proto::identity::Profile;
use baraza_proto::ids::{IdempotencyKey, Millis, RoomId, Seq, UserId};
use baraza_proto::message::ServerMessage;
use exec::{Appending, Exec, Item, Then};
use io::{ConnAddr, Done, Effect, Input, Io, Reply, Request};
use members::Members;
use ring::{FrameRing, SnapshotCache};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use timers::{Timers, earliest};

/// How many recent encoded events a room keeps to serve resumes without reading the record.
pub const RECENT_FRAMES: usize = 1024;
/// Events read from the record per page while catching up.
pub const CATCH_UP_PAGE: usize = 1000;
/// How often a command is decided again after losing the race to append.
pub const MAX_ATTEMPTS: usize = 8;
/// At most this many client commands are appended together.
pub const MAX_BATCH: usize = 64;
pub use audience::DIGEST_EVERY;
/// After a failed timer (speaking time, a departure), the next try waits this long.
const RETRY_LATER: Millis = 1000;

/// How a room behaves, in the room's time (milliseconds).
#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// How long a member whose connections all dropped stays present.
    pub presence_grace: Millis,
    /// A room with nobody connected is unloaded after this long.
    pub idle_unload: Millis,
    /// How often a room with subscribers compares its head with the record's (`None`: never).
    pub audit_every: Option<Millis>,
    /// At most this many client commands per append (1: no batching).
    pub batch_limit: usize,
    /// The seed of the jitter of conflict retries.
    pub seed: u64,
    /// The audience's arrivals and departures are recorded at most this often (one digest).
    pub digest_every: Millis,
}

/// What a successful command did.
#[derive(Debug, Clone, Copy)]
struct Executed {
    seq: Seq,
    duplicate: bool,
}

/// Something the core does when it is free, in order.
// Moved once per message, never stored in bulk: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Job<I: Io> {
    /// Read the record for the first time.
    Load,
    /// A mailbox message.
    Request(Request<I>),
    /// Decide and append (see [`exec`]).
    Exec(Exec<I>),
    /// Record `user` as gone unless they are held here or elsewhere.
    Absence {
        user: UserId,
        reason: LeaveReason,
        /// Try again later when recording fails (a grace period), or not (a lost node).
        retry: bool,
    },
    /// Run the domain's speaking timer.
    Tick,
    /// Compare the head with the record's.
    Audit,
    /// Bring the state up to the record; nothing else.
    Sync,
    /// After re-registering: make the record show these members present again.
    Reestablished(Vec<UserId>),
    /// Record a member connected here, whom the record shows gone, as present again.
    Restore(UserId),
    /// Record the audience's arrivals and departures gathered so far (one digest).
    Digest,
}

impl<I: Io> Job<I> {
    /// Whether the state must be up to the record before the job runs.
    fn needs_fresh(&self) -> bool {
        matches!(
            self,
            Job::Load
                | Job::Exec(_)
                | Job::Sync
                | Job::Reestablished(_)
                | Job::Digest
                | Job::Request(
                    Request::Join { .. }
                        | Request::Summary { .. }
                        | Request::View { .. }
                        | Request::MayRead { .. }
                )
        )
    }
}

/// What the core waits for.
enum Wait<I: Io> {
    /// A page of the record, then `Job`.
    Fresh(Job<I>),
    /// The append of a batch.
    Append(Appending<I>),
    /// The retry timer of a batch that lost the race.
    Backoff(Exec<I>),
    /// The record's head (audit).
    Head,
    /// Whether `user` is held by another node.
    Held { user: UserId, then: AfterHeld<I> },
    /// The members a dead node held.
    Members,
    /// The parent named by a `set_parent`.
    Found(exec::Client<I>),
}

/// What follows the presence registry's answer.
enum AfterHeld<I: Io> {
    /// A connection's `leave`.
    Leave {
        conn: I::Conn,
        request: String,
        profile: Profile,
    },
    /// A departure the server records.
    Absence { reason: LeaveReason, retry: bool },
}

/// One room's behaviour. See the module documentation.
pub struct RoomCore<I: Io> {
    id: RoomId,
    config: CoreConfig,
    metrics: Arc<Metrics>,
    state: RoomState,
    head: Head,
    last_ts: Millis,
    /// The room's time, as last given.
    clock: Millis,
    /// The state may lag the record: catch up before deciding.
    stale: bool,
    /// After a failed batch the state is folded again from the record: events up to here
    /// were delivered already and are folded without being sent again.
    replay_until: Seq,
    loaded: bool,
    members: Members<I::Conn>,
    /// Members connected here whom the record shows as gone: they are recorded joined again.
    rejoin: BTreeSet<UserId>,
    /// Whether an input arrived since the last try of `rejoin`.
    restore_due: bool,
    ring: FrameRing,
    snapshots: SnapshotCache,
    timers: Timers,
    tick_queued: bool,
    audit_queued: bool,
    /// The audience's arrivals and departures not yet recorded.
    pending: audience::Pending,
    digest_queued: bool,
    inbox: VecDeque<Job<I>>,
    waiting: Option<Wait<I>>,
    effects: VecDeque<Effect<I>>,
    rng: u64,
    /// Caucuses: the hash of each `joint_statement_adopted` event, by seq (the link a joint
    /// statement carries to its parent).
    adoptions: BTreeMap<Seq, String>,
    /// The derived parts of the view each kind of reader was last sent (by the snapshot or a
    /// `view` message) as of the last delivered event; `None`: unknown, the next is sent whole.
    derived: [Option<crate::domain::state::Derived>; 3],
    /// Each folded, undelivered event's derived parts and touched statements per kind of
    /// reader (for the kinds with a subscriber here), by seq.
    folded_views: VecDeque<(Seq, [Option<FoldedView>; 3])>,
}

/// What a kind of reader sees after one event: the derived parts, the touched statements it
/// sees and those it does not.
type FoldedView = (
    crate::domain::state::Derived,
    Vec<baraza_proto::view::StatementView>,
    Vec<baraza_proto::ids::StatementId>,
);

impl<I: Io> RoomCore<I> {
    /// A core for room `id` that has read nothing yet: it asks for the record first.
    pub fn new(id: RoomId, config: CoreConfig, metrics: Arc<Metrics>, now: Millis) -> Self {
        let rng = config.seed | 1;
        let mut core = RoomCore {
            id,
            config,
            metrics,
            state: RoomState::default(),
            head: Head::EMPTY,
            last_ts: 0,
            clock: now,
            stale: true,
            replay_until: 0,
            loaded: false,
            members: Members::default(),
            rejoin: BTreeSet::new(),
            restore_due: false,
            ring: FrameRing::new(RECENT_FRAMES),
            snapshots: SnapshotCache::default(),
            timers: Timers::default(),
            tick_queued: false,
            audit_queued: false,
            pending: audience::Pending::default(),
            digest_queued: false,
            inbox: VecDeque::new(),
            waiting: None,
            effects: VecDeque::new(),
            rng,
            adoptions: BTreeMap::new(),
            derived: Default::default(),
            folded_views: VecDeque::new(),
        };
        core.timers.idle_since = now;
        core.inbox.push_back(Job::Load);
        core.pump();
        core
    }

    /// Takes an input at time `now`.
    pub fn handle(&mut self, input: Input<I>, now: Millis) {
        self.clock = self.clock.max(now);
        match input {
            Input::Request(request) => {
                self.inbox.push_back(Job::Request(request));
                self.restore_due = true;
            }
            Input::Done(done) => self.done(done),
            Input::Stalled { conn } => self.members.stall(conn),
        }
        self.pump();
        self.note_activity();
    }

    /// Runs what is due at `now` (see [`RoomCore::poll_timeout`]).
    pub fn handle_timeout(&mut self, now: Millis) {
        self.clock = self.clock.max(now);
        let now = self.clock;
        if let Some(at) = self.timers.retry_at
            && at <= now
        {
            self.timers.retry_at = None;
            if let Some(Wait::Backoff(mut exec)) = self.waiting.take() {
                exec.attempt += 1;
                self.start(Job::Exec(exec));
            }
        }
        for user in self.timers.due_leaves(now) {
            self.inbox.push_back(Job::Absence {
                user,
                reason: LeaveReason::Disconnected,
                retry: true,
            });
        }
        if let Some(at) = self.digest_at()
            && at <= now
        {
            self.digest_queued = true;
            self.inbox.push_back(Job::Digest);
        }
        if let Some(at) = self.tick_at()
            && at <= now
        {
            self.tick_queued = true;
            self.inbox.push_back(Job::Tick);
        }
        if let (Some(every), Some(at)) = (self.config.audit_every, self.timers.audit_at)
            && at <= now
        {
            self.timers.audit_at = Some(now + every);
            if !self.members.is_empty() && !self.audit_queued {
                self.audit_queued = true;
                self.inbox.push_back(Job::Audit);
            }
        }
        if let Some(at) = self.idle_at()
            && at <= now
        {
            self.timers.idle_since = now;
            if self.waiting.is_none() && self.inbox.is_empty() {
                self.effects.push_back(Effect::Unload);
            }
        }
        self.restore_due = true;
        self.pump();
        self.note_activity();
    }

    /// When [`RoomCore::handle_timeout`] next has something to do.
    pub fn poll_timeout(&self) -> Option<Millis> {
        let retry = match self.waiting {
            Some(Wait::Backoff(_)) => self.timers.retry_at,
            _ => None,
        };
        let audit = self
            .config
            .audit_every
            .and(self.timers.audit_at)
            .filter(|_| !self.members.is_empty());
        earliest([
            retry,
            self.timers.next_leave(),
            self.digest_at(),
            self.tick_at(),
            audit,
            self.idle_at(),
        ])
    }

    /// The next effect to perform.
    pub fn poll_effect(&mut self) -> Option<Effect<I>> {
        self.effects.pop_front()
    }

    /// Whether the core waits for an awaited effect's result or a retry (it takes no request).
    pub fn busy(&self) -> bool {
        self.waiting.is_some()
    }

    /// How many requests wait inside the core.
    pub fn queued(&self) -> usize {
        self.inbox.len()
    }

    /// The requests not yet started (for a stopping room to hand on), in order.
    pub fn take_requests(&mut self) -> Vec<Request<I>> {
        std::mem::take(&mut self.inbox)
            .into_iter()
            .filter_map(|job| match job {
                Job::Request(request) => Some(request),
                _ => None,
            })
            .collect()
    }

    /// Whether the room may stop now: it does not exist, nobody is subscribed, nothing waits.
    pub fn unloadable(&self) -> bool {
        self.loaded
            && self.state.info().is_none()
            && self.members.is_empty()
            && self.waiting.is_none()
            && self.inbox.is_empty()
    }

    /// The room's state (read only).
    pub fn state(&self) -> &RoomState {
        &self.state
    }

    /// Where the core's state ends in the record.
    pub fn head(&self) -> Head {
        self.head
    }

    /// The room's id.
    pub fn id(&self) -> &RoomId {
        &self.id
    }

    fn tick_at(&self) -> Option<Millis> {
        if self.tick_queued {
            return None;
        }
        // 1 ms late, so the domain finds it due.
        self.state
            .next_deadline()
            .map(|d| (d + 1).max(self.timers.tick_not_before))
    }

    fn digest_at(&self) -> Option<Millis> {
        self.timers.digest_at.filter(|_| !self.digest_queued)
    }

    fn idle_at(&self) -> Option<Millis> {
        let idle = self.members.is_empty()
            && !self.timers.leaves_pending()
            && self.timers.digest_at.is_none()
            && !self.digest_queued
            && self.state.next_deadline().is_none();
        idle.then(|| self.timers.idle_since + self.config.idle_unload)
    }

    fn note_activity(&mut self) {
        if !self.members.is_empty() || self.timers.leaves_pending() {
            self.timers.idle_since = self.clock;
        }
    }

    /// The time for a new event: the room's time, never before its last event.
    fn now(&self) -> Millis {
        self.clock.max(self.last_ts)
    }

    /// Starts queued jobs until one waits for IO.
    fn pump(&mut self) {
        while self.waiting.is_none() {
            if let Some(job) = self.inbox.pop_front() {
                self.start(job);
                continue;
            }
            if self.restore_due && !self.rejoin.is_empty() && self.loaded {
                self.restore_due = false;
                let users = std::mem::take(&mut self.rejoin);
                self.inbox.extend(users.into_iter().map(Job::Restore));
                continue;
            }
            return;
        }
    }

    fn start(&mut self, job: Job<I>) {
        if job.needs_fresh() && self.stale {
            self.begin_read(job);
        } else {
            self.run(job);
        }
    }

    /// Runs a job whose state is fresh enough.
    fn run(&mut self, job: Job<I>) {
        match job {
            Job::Load => self.loaded(),
            Job::Request(request) => self.request(request),
            Job::Exec(exec) => self.run_exec(exec),
            Job::Absence {
                user,
                reason,
                retry,
            } => {
                if self.members.holds(&user) {
                    return;
                }
                self.ask_held(user, AfterHeld::Absence { reason, retry });
            }
            Job::Tick => {
                self.tick_queued = false;
                self.exec_one(Actor::System, Command::Tick, Then::Tick);
            }
            Job::Audit => {
                self.audit_queued = false;
                self.effects.push_back(Effect::ReadHead);
                self.waiting = Some(Wait::Head);
            }
            Job::Sync => {}
            Job::Reestablished(members) => self.mark_rejoin(members),
            Job::Digest => {
                self.digest_queued = false;
                self.run_digest();
            }
            Job::Restore(user) => {
                if !self.members.holds(&user) {
                    return;
                }
                let Some(profile) = self.members.profile_of(&user).cloned() else {
                    return;
                };
                if self.joins_audience(&profile) {
                    self.audience_arrived(profile);
                    return;
                }
                self.exec_one(
                    Actor::Person(profile),
                    Command::Join,
                    Then::Restore { user },
                );
            }
        }
    }

    /// A job could not get a fresh state: `error` is its answer.
    fn fail(&mut self, job: Job<I>, error: HubError) {
        match job {
            Job::Load => self.effects.push_back(Effect::LoadFailed(error)),
            Job::Exec(exec) => self.conclude_all(exec, error),
            Job::Sync => tracing::warn!(room = %self.id, %error, "catching up failed"),
            Job::Reestablished(members) => {
                tracing::warn!(room = %self.id, %error, "cannot read the record to re-establish members");
                self.mark_rejoin(members);
            }
            Job::Request(request) => match request {
                Request::Join { conn, request, .. } => self.answer(&conn, &request, Err(error)),
                Request::Summary { reply, .. } => {
                    self.reply(Reply::Summary(reply, Err(error)));
                }
                Request::View { reply, .. } => self.reply(Reply::View(reply, Err(error))),
                Request::MayRead { reply, .. } => self.reply(Reply::MayRead(reply, Err(error))),
                _ => tracing::warn!(room = %self.id, %error, "a request failed"),
            },
            _ => tracing::warn!(room = %self.id, %error, "a job failed"),
        }
    }

    /// The first read of the record is done.
    fn loaded(&mut self) {
        self.loaded = true;
        // Caucuses: adopted joint statements whose parent's answer is not recorded are posted
        // again (the parent records each once), so a lost delivery is repaired on every load.
        self.post_pending_joint();
        self.timers.audit_at = self.config.audit_every.map(|every| self.clock + every);
        // Members the record shows present but who have no connection here get the grace
        // period to come back.
        let due = self.clock + self.config.presence_grace;
        let absent: Vec<UserId> = self
            .state
            .present_members()
            .map(|p| p.user.clone())
            .filter(|u| !self.members.holds(u))
            .collect();
        for user in absent {
            self.timers.schedule_leave(user, due);
        }
    }

    fn mark_rejoin(&mut self, members: Vec<UserId>) {
        let gone = members
            .into_iter()
            .filter(|user| !self.state.is_present(user));
        self.rejoin.extend(gone);
        self.restore_due = true;
    }

    /// A mailbox message.
    fn request(&mut self, request: Request<I>) {
        match request {
            Request::Join {
                conn,
                profile,
                since,
                request,
            } => self.join(conn, profile, since, request),
            Request::Leave { conn, request } => self.leave(conn, request),
            Request::Detach { conn } => self.detach(conn),
            Request::Command {
                conn,
                profile,
                key,
                command,
                request,
            } => self.command(exec::Client {
                conn,
                profile,
                key,
                command,
                request,
            }),
            Request::Create {
                profile,
                settings,
                reply,
            } => self.exec_one(
                Actor::Person(profile),
                Command::Create(settings),
                Then::Created(reply),
            ),
            Request::Summary { reader, reply } => {
                let summary = match &reader {
                    Some(profile) => visibility::summary_for(profile, &self.state),
                    None => self.state.summary(),
                };
                self.reply(Reply::Summary(reply, Ok(summary)));
            }
            Request::View {
                profile,
                path,
                reply,
            } => {
                let result = visibility::view_for(path, &profile, &self.state)
                    .map(|view| (self.head.seq, view))
                    .map_err(HubError::from);
                self.reply(Reply::View(reply, result));
            }
            Request::MayRead {
                profile,
                path,
                reply,
            } => {
                let result = visibility::may_read(path, &profile, &self.state)
                    .map(|_| ())
                    .map_err(HubError::from);
                self.reply(Reply::MayRead(reply, result));
            }
            Request::EndAccess { ended } => {
                let user = ended.user.clone();
                self.exec_one(
                    Actor::System,
                    Command::EndAccess(ended),
                    Then::AccessEnded { user },
                );
            }
            Request::Input { input, reply } => self.exec_one(
                Actor::System,
                Command::ReceiveInput(input),
                Then::Input(reply),
            ),
            Request::Joint { post, reply } => self.exec_one(
                Actor::System,
                Command::ReceiveJoint(post.clone()),
                Then::Joint(reply, post),
            ),
            Request::JointDelivered {
                statement,
                delivery,
            } => self.exec_one(
                Actor::System,
                Command::JointDelivered {
                    statement,
                    delivery,
                },
                Then::Delivered,
            ),
            Request::Mail {
                profile,
                key,
                command,
                attachments,
                reply,
            } => self.exec_one(
                Actor::Person(profile),
                Command::Mail {
                    key,
                    command,
                    attachments,
                },
                Then::Mailed(reply),
            ),
            Request::Published(event) => self.receive(event),
            Request::Resync => {
                self.stale = true;
                self.start(Job::Sync);
            }
            Request::NodeLost { node } => {
                self.effects.push_back(Effect::TakeMembersOf(node));
                self.waiting = Some(Wait::Members);
            }
            Request::Reestablish => {
                let members: Vec<UserId> = self.members.users().cloned().collect();
                for user in &members {
                    self.effects.push_back(Effect::Attach(user.clone()));
                }
                self.stale = true;
                self.start(Job::Reestablished(members));
            }
        }
    }

    /// A result of IO the core asked for.
    fn done(&mut self, done: Done) {
        let Some(wait) = self.waiting.take() else {
            tracing::warn!(room = %self.id, ?done, "a result nobody waits for");
            return;
        };
        match (wait, done) {
            (Wait::Fresh(job), Done::Read(result)) => self.read_page(job, result),
            (Wait::Append(appending), Done::Appended(result)) => self.appended(appending, result),
            (Wait::Head, Done::Head(result)) => match result {
                Ok(head) if head.seq > self.head.seq => {
                    tracing::info!(room = %self.id, behind = head.seq - self.head.seq, "repairing missed events from the record");
                    self.stale = true;
                    self.start(Job::Sync);
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::debug!(room = %self.id, %error, "audit could not read the head");
                }
            },
            (Wait::Held { user, then }, Done::HeldElsewhere(held)) => self.held(user, then, held),
            (Wait::Members, Done::MembersOf(members)) => match members {
                Some(members) => {
                    for user in members.into_iter().rev() {
                        self.inbox.push_front(Job::Absence {
                            user,
                            reason: LeaveReason::NodeLost,
                            retry: false,
                        });
                    }
                }
                None => tracing::warn!(room = %self.id, "cannot read the lost node's members"),
            },
            (Wait::Found(client), Done::Found(found)) => {
                let RoomCommand::SetParent { parent } = client.command.clone() else {
                    unreachable!("only set_parent looks up a room");
                };
                let then = Then::Answer {
                    conn: client.conn,
                    request: client.request,
                };
                self.exec_one(
                    Actor::Person(client.profile),
                    Command::SetParent { parent, found },
                    then,
                );
            }
            (wait, done) => {
                tracing::warn!(room = %self.id, ?done, "a result the core does not wait for");
                self.waiting = Some(wait);
            }
        }
    }

    fn ask_held(&mut self, user: UserId, then: AfterHeld<I>) {
        self.effects
            .push_back(Effect::AskHeldElsewhere(user.clone()));
        self.waiting = Some(Wait::Held { user, then });
    }

    fn held(&mut self, user: UserId, then: AfterHeld<I>, held: bool) {
        match then {
            AfterHeld::Leave {
                conn,
                request,
                profile,
            } => {
                let stays = held || self.members.holds(&user);
                if stays || self.audience_member(&user) {
                    if !stays {
                        self.audience_left(user);
                    }
                    let seq = self.head.seq;
                    self.answer(
                        &conn,
                        &request,
                        Ok(Executed {
                            seq,
                            duplicate: false,
                        }),
                    );
                } else {
                    let command = Command::Leave {
                        user,
                        reason: LeaveReason::Left,
                    };
                    self.exec_one(
                        Actor::Person(profile),
                        command,
                        Then::Left { conn, request },
                    );
                }
            }
            AfterHeld::Absence { reason, retry } => {
                if held || self.members.holds(&user) {
                    return;
                }
                if self.audience_member(&user) {
                    self.audience_left(user);
                    return;
                }
                let command = Command::Leave {
                    user: user.clone(),
                    reason,
                };
                self.exec_one(Actor::System, command, Then::Absence { user, retry });
            }
        }
    }

    fn join(&mut self, conn: I::Conn, profile: Profile, since: Option<Seq>, request: String) {
        if self.members.subscribed(conn.id()) {
            if self.joins_audience(&profile) {
                self.audience_rejoin(&conn, profile, &request);
                return;
            }
            // Joining again on the same connection: if the record says they left (while they
            // stayed connected), record them joined again, so the ack means they may act.
            let user = profile.user.clone();
            let then = Then::Rejoined {
                conn,
                request,
                user,
            };
            self.exec_one(Actor::Person(profile), Command::Join, then);
            return;
        }
        if let Some(since) = since.filter(|&since| since > self.head.seq) {
            let message = format!(
                "since is {since} but the record of {} ends at {}",
                self.id, self.head.seq
            );
            self.send(
                &conn,
                frames::error(Some(&request), ErrorCode::InvalidMessage, message, None),
            );
            return;
        }
        let path = match since {
            None => visibility::ReadPath::Snapshot,
            Some(_) => visibility::ReadPath::Events,
        };
        let reader = match visibility::may_read(path, &profile, &self.state) {
            Ok(reader) => reader,
            Err(refused) => {
                self.answer(&conn, &request, Err(refused.into()));
                return;
            }
        };
        if self.joins_audience(&profile) {
            self.audience_join(conn, profile, since, request, reader);
            return;
        }
        let then = Then::Joined {
            conn,
            profile: profile.clone(),
            since,
            request,
            reader,
        };
        self.exec_one(Actor::Person(profile), Command::Join, then);
    }

    /// The join was recorded: subscribe, then the snapshot (or the missed events) and the ack.
    fn subscribe(
        &mut self,
        conn: I::Conn,
        profile: Profile,
        since: Option<Seq>,
        request: String,
        reader: ReaderKind,
    ) {
        let user = profile.user.clone();
        if self.members.subscribe(conn.clone(), profile, true) {
            self.effects.push_back(Effect::Attach(user.clone()));
        }
        self.timers.cancel_leave(&user);
        let ack = frames::ack(&request, self.head.seq, false);
        match since {
            None => {
                let snapshot = self.snapshot(reader);
                self.send(&conn, snapshot);
                self.send(&conn, ack);
            }
            Some(since) => self.resume(&conn, reader, since, request, ack),
        }
    }

    /// Queues the events after `since` for a resuming connection, from the ring when it
    /// still holds them, otherwise as a replay from the record. Either way it takes one slot
    /// of the connection's queue, followed by the join's `ack`.
    fn resume(
        &mut self,
        conn: &I::Conn,
        reader: ReaderKind,
        since: Seq,
        request: String,
        ack: Utf8Bytes,
    ) {
        let view = (since < self.head.seq)
            .then(|| self.resume_view(reader))
            .flatten();
        let item = match self.ring.after(since, self.head.seq, reader) {
            Some(mut frames) => {
                frames.extend(view);
                frames.push(ack);
                Outbound::Batch(frames)
            }
            None => Outbound::Replay(Box::new(crate::hub::outbound::Replay {
                room: self.id.clone(),
                after: since,
                until: self.head.seq,
                filter: visibility::EventFilter::new(reader, &self.state),
                request,
                view,
                ack,
            })),
        };
        self.effects.push_back(Effect::Send {
            conn: conn.clone(),
            item,
        });
    }

    /// The encoded snapshot for a kind of reader, reused until the next event. A kind whose
    /// derived parts nobody of it holds yet (no other subscriber of that kind here, nothing
    /// folded ahead of what was delivered) starts from the snapshot's, so the next event's
    /// `view` says only what changed.
    fn snapshot(&mut self, reader: ReaderKind) -> Utf8Bytes {
        if self.derived[reader.index()].is_none()
            && self.folded_views.is_empty()
            && (self.state.roundtable().is_some() || self.state.consultation().is_some())
            && self
                .members
                .live()
                .filter(|s| visibility::reader_kind(&s.profile, &self.state) == reader)
                .nth(1)
                .is_none()
        {
            self.derived[reader.index()] = Some(self.state.derived(reader));
        }
        if let Some(frame) = self.snapshots.get(reader, self.head.seq) {
            return frame;
        }
        let state = self.state.view(reader).expect("joined rooms exist");
        let frame = frames::encode(&ServerMessage::Snapshot {
            room: self.id.clone(),
            seq: self.head.seq,
            state: Box::new(state),
        });
        self.snapshots.put(reader, self.head.seq, frame.clone());
        frame
    }

    fn leave(&mut self, conn: I::Conn, request: String) {
        let Some((subscriber, last)) = self.members.unsubscribe(conn.id()) else {
            // Never joined (refused, or cut off since): answered all the same.
            self.refuse_unjoined(&conn, &request);
            return;
        };
        let user = subscriber.profile.user.clone();
        if last {
            self.effects.push_back(Effect::Detach(user.clone()));
            let then = AfterHeld::Leave {
                conn: subscriber.conn,
                request,
                profile: subscriber.profile,
            };
            self.ask_held(user, then);
        } else {
            let seq = self.head.seq;
            let done = Executed {
                seq,
                duplicate: false,
            };
            self.answer(&subscriber.conn, &request, Ok(done));
        }
    }

    fn detach(&mut self, conn: u64) {
        let Some((subscriber, last)) = self.members.unsubscribe(conn) else {
            return;
        };
        if last {
            let user = subscriber.profile.user;
            self.effects.push_back(Effect::Detach(user.clone()));
            let due = self.clock + self.config.presence_grace;
            self.timers.schedule_leave(user, due);
        }
    }

    /// A client's command: looked up (`set_parent`) or batched with those waiting behind it.
    fn command(&mut self, client: exec::Client<I>) {
        if !self.refuse_unjoined(&client.conn, &client.request) {
            return;
        }
        if self.pending.arriving(&client.profile.user) {
            let job = Job::Request(Request::Command {
                conn: client.conn,
                profile: client.profile,
                key: client.key,
                command: client.command,
                request: client.request,
            });
            self.digest_before(job);
            return;
        }
        if let RoomCommand::SetParent { parent } = &client.command {
            // Consultations: the parent is looked up here; the domain reads no other room.
            if *parent != self.id {
                self.effects.push_back(Effect::FindRoom(parent.clone()));
                self.waiting = Some(Wait::Found(client));
            } else {
                let parent = parent.clone();
                let then = Then::Answer {
                    conn: client.conn,
                    request: client.request,
                };
                let command = Command::SetParent {
                    parent,
                    found: None,
                };
                self.exec_one(Actor::Person(client.profile), command, then);
            }
            return;
        }
        let mut items = vec![Item::Client(client)];
        while items.len() < self.config.batch_limit {
            match self.inbox.front() {
                Some(Job::Request(Request::Command {
                    command, profile, ..
                })) if !matches!(command, RoomCommand::SetParent { .. })
                    && !self.pending.arriving(&profile.user) => {}
                _ => break,
            }
            let Some(Job::Request(Request::Command {
                conn,
                profile,
                key,
                command,
                request,
            })) = self.inbox.pop_front()
            else {
                unreachable!("just seen");
            };
            if self.refuse_unjoined(&conn, &request) {
                items.push(Item::Client(exec::Client {
                    conn,
                    profile,
                    key,
                    command,
                    request,
                }));
            }
        }
        self.start(Job::Exec(Exec { items, attempt: 0 }));
    }

    /// True if `conn` joined this room; otherwise answers its request with `not_joined`.
    fn refuse_unjoined(&mut self, conn: &I::Conn, request: &str) -> bool {
        if self.members.subscribed(conn.id()) {
            return true;
        }
        let message = format!("join {} before giving it commands", self.id);
        self.send(
            conn,
            frames::error(Some(request), ErrorCode::NotJoined, message, None),
        );
        false
    }

    fn exec_one(&mut self, actor: Actor, command: Command, then: Then<I>) {
        let exec = Exec {
            items: vec![Item::Other {
                actor,
                command,
                then,
            }],
            attempt: 0,
        };
        self.start(Job::Exec(exec));
    }

    fn send(&mut self, conn: &I::Conn, frame: Utf8Bytes) {
        self.effects.push_back(Effect::Send {
            conn: conn.clone(),
            item: Outbound::Frame(frame),
        });
    }

    fn reply(&mut self, reply: Reply<I>) {
        self.effects.push_back(Effect::Reply(reply));
    }

    /// Sends the `ack` or `error` frame for a request's outcome.
    fn answer(&mut self, conn: &I::Conn, request: &str, result: Result<Executed, HubError>) {
        let frame = match result {
            Ok(done) => frames::ack(request, done.seq, done.duplicate),
            Err(error) => frames::error(
                Some(request),
                error.code(),
                error.to_string(),
                error.retry_after_ms(),
            ),
        };
        self.send(conn, frame);
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

    /// A pseudo-random number (xorshift), for retry jitter.
    fn random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }
}
