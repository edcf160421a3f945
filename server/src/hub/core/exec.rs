//! Running commands: decide each command of a batch against the state the earlier ones left,
//! seal their events onto one chain, ask for one append, and on its result deliver and answer
//! in order, decide again after a lost race, or answer every command with the error.

use super::io::{Effect, Io, Reply};
use super::{Executed, Job, MAX_ATTEMPTS, RETRY_LATER, RoomCore, Wait};
use crate::audit;
use crate::domain::visibility::ReaderKind;
use crate::domain::{Actor, Command, decide};
use crate::hub::error::HubError;
use crate::metrics::Metrics;
use crate::record::{Head, RecordedEvent};
use crate::store::StoreError;
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::ConsultationInput;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::Profile;
use baraza_proto::ids::{IdempotencyKey, Millis, RoomId, Seq, UserId};

/// A consultation's input for its parent, sent when the publishing event is delivered.
pub(super) type Rollup = Option<(RoomId, ConsultationInput)>;

/// A client's command as it came from the mailbox.
pub(super) struct Client<I: Io> {
    pub conn: I::Conn,
    pub profile: Profile,
    pub key: Option<IdempotencyKey>,
    pub command: RoomCommand,
    pub request: String,
}

/// One command of a batch.
// Moved once per message, never stored in bulk: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(super) enum Item<I: Io> {
    /// A client's command, answered with `ack` or `error` on its connection.
    Client(Client<I>),
    /// Any other command, with what follows its outcome.
    Other {
        actor: Actor,
        command: Command,
        then: Then<I>,
    },
}

impl<I: Io> Item<I> {
    fn parts(&self) -> (Actor, Command) {
        match self {
            Item::Client(client) => (
                Actor::Person(client.profile.clone()),
                Command::Room {
                    key: client.key.clone(),
                    command: client.command.clone(),
                },
            ),
            Item::Other { actor, command, .. } => (actor.clone(), command.clone()),
        }
    }

    fn then(self) -> Then<I> {
        match self {
            Item::Client(client) => Then::Answer {
                conn: client.conn,
                request: client.request,
            },
            Item::Other { then, .. } => then,
        }
    }
}

/// What follows a command's outcome.
pub(super) enum Then<I: Io> {
    /// Answer on the connection.
    Answer { conn: I::Conn, request: String },
    /// A join on a connection already joined.
    Rejoined {
        conn: I::Conn,
        request: String,
        user: UserId,
    },
    /// A new join: subscribe and send the snapshot or the missed events.
    Joined {
        conn: I::Conn,
        profile: Profile,
        since: Option<Seq>,
        request: String,
        reader: ReaderKind,
    },
    /// A leave (the connection is no longer subscribed).
    Left { conn: I::Conn, request: String },
    /// A room creation.
    Created(I::Created),
    /// A consultation input.
    Input(I::Input),
    /// A statement by e-mail.
    Mailed(I::Mailed),
    /// A caucus's joint statement: answered with its seq here and whether it is held.
    Joint(I::Mailed, baraza_proto::caucus::JointPost),
    /// The parent's answer to a joint statement, recorded in the caucus.
    Delivered,
    /// The speaking timer.
    Tick,
    /// A departure the server records.
    Absence { user: UserId, retry: bool },
    /// The end of someone's access, for the registry.
    AccessEnded { user: UserId },
    /// A connected member recorded present again.
    Restore { user: UserId },
    /// A digest of the audience.
    Digest {
        arrived: Vec<Profile>,
        left: Vec<UserId>,
    },
}

/// Commands to run with one append.
pub(super) struct Exec<I: Io> {
    pub items: Vec<Item<I>>,
    /// How many races to append this batch lost so far.
    pub attempt: usize,
}

/// A command's outcome, and how many of the batch's events are its own.
struct Outcome {
    result: Result<Executed, HubError>,
    events: usize,
}

/// A batch whose append is in flight.
pub(super) struct Appending<I: Io> {
    exec: Exec<I>,
    outcomes: Vec<Outcome>,
    sealed: Vec<RecordedEvent>,
    /// The roll-ups of the events folded so far (the first `rollups.len()` of `sealed`).
    rollups: Vec<Rollup>,
    /// Whether the state holds events not yet in the record.
    speculative: bool,
}

impl<I: Io> RoomCore<I> {
    /// Decides a batch on the fresh state and asks for its append (or answers at once when it
    /// appends nothing). The batch ends after an expulsion: the commands after it go back to
    /// the front of the queue, untouched (the expelled person's connections stop being
    /// subscribers when it is delivered).
    pub(super) fn run_exec(&mut self, mut exec: Exec<I>) {
        let now = self.now();
        let mut prev = self.head;
        let mut sealed: Vec<RecordedEvent> = Vec::new();
        let mut rollups: Vec<Rollup> = Vec::new();
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(exec.items.len());
        let mut cut = exec.items.len();
        for (index, item) in exec.items.iter().enumerate() {
            // The next command sees the events of those before it.
            while rollups.len() < sealed.len() {
                let rollup = self.fold(&sealed[rollups.len()].envelope);
                rollups.push(rollup);
            }
            let (actor, command) = item.parts();
            let (outcome, expels) = match decide(&self.state, &actor, &command, now) {
                Err(rejection) => {
                    Metrics::add(&self.metrics.commands_rejected, 1);
                    audit::command_refused(&self.id, &actor, command.name(), &rejection);
                    let outcome = Outcome {
                        result: Err(rejection.into()),
                        events: 0,
                    };
                    (outcome, false)
                }
                Ok(bodies) if bodies.is_empty() => {
                    let key = match &command {
                        Command::Room { key, .. } => key.as_ref(),
                        Command::Mail { key, .. } => Some(key),
                        _ => None,
                    };
                    let outcome = Outcome {
                        result: Ok(self.unchanged(&actor, key, prev.seq)),
                        events: 0,
                    };
                    (outcome, false)
                }
                Ok(bodies) => {
                    let expels = bodies
                        .iter()
                        .any(|body| matches!(body, EventBody::ParticipantExpelled(_)));
                    let key = match command {
                        Command::Room { key, .. } => key,
                        Command::Mail { key, .. } => Some(key),
                        _ => None,
                    };
                    let events = self.seal(&actor, key, now, prev, bodies);
                    let seq = prev.seq + 1;
                    prev = events.last().expect("not empty").head();
                    let outcome = Outcome {
                        result: Ok(Executed {
                            seq,
                            duplicate: false,
                        }),
                        events: events.len(),
                    };
                    sealed.extend(events);
                    (outcome, expels)
                }
            };
            outcomes.push(outcome);
            if expels {
                cut = index + 1;
                break;
            }
        }
        for item in exec.items.drain(cut..).rev() {
            if let Item::Client(client) = item {
                self.inbox
                    .push_front(Job::Request(super::io::Request::Command {
                        conn: client.conn,
                        profile: client.profile,
                        key: client.key,
                        command: client.command,
                        request: client.request,
                    }));
            }
        }
        let speculative = !rollups.is_empty();
        let appending = Appending {
            exec,
            outcomes,
            sealed,
            rollups,
            speculative,
        };
        if appending.sealed.is_empty() {
            self.finish(appending);
            return;
        }
        self.effects.push_back(Effect::Append {
            expected: self.head.seq,
            events: appending.sealed.clone(),
        });
        self.waiting = Some(Wait::Append(appending));
    }

    /// The append of a batch finished.
    pub(super) fn appended(&mut self, appending: Appending<I>, result: Result<(), StoreError>) {
        match result {
            Ok(()) => {
                Metrics::add(&self.metrics.events_appended, appending.sealed.len() as u64);
                Metrics::add(&self.metrics.appends, 1);
                self.finish(appending);
            }
            Err(error) => {
                // The write may or may not have happened: read the record before deciding again.
                self.stale = true;
                if appending.speculative {
                    self.diverge();
                }
                let conflict = matches!(error, StoreError::Conflict { .. });
                if conflict {
                    Metrics::add(&self.metrics.append_conflicts, 1);
                }
                let exec = appending.exec;
                if conflict && exec.attempt + 1 < MAX_ATTEMPTS {
                    let wait = self.backoff(exec.attempt + 1);
                    self.timers.retry_at = Some(self.clock + wait);
                    self.waiting = Some(Wait::Backoff(exec));
                    return;
                }
                let error = if conflict {
                    HubError::Contended
                } else {
                    HubError::from(error)
                };
                self.conclude_all(exec, error);
            }
        }
    }

    /// The events of a batch are in the record (or there are none): fold the rest, deliver,
    /// and conclude each command after its own events, in order.
    fn finish(&mut self, appending: Appending<I>) {
        let Appending {
            exec,
            outcomes,
            sealed,
            mut rollups,
            ..
        } = appending;
        while rollups.len() < sealed.len() {
            let rollup = self.fold(&sealed[rollups.len()].envelope);
            rollups.push(rollup);
        }
        let mut events = sealed.into_iter().zip(rollups);
        for (item, outcome) in exec.items.into_iter().zip(outcomes) {
            for (event, rollup) in events.by_ref().take(outcome.events) {
                self.deliver(event.clone(), rollup);
                self.effects.push_back(Effect::Publish(event));
            }
            self.conclude(item.then(), outcome.result);
        }
    }

    /// Every command of `exec` gets `error`.
    pub(super) fn conclude_all(&mut self, exec: Exec<I>, error: HubError) {
        for item in exec.items {
            self.conclude(item.then(), Err(error.clone()));
        }
    }

    /// What follows a command's outcome.
    fn conclude(&mut self, then: Then<I>, result: Result<Executed, HubError>) {
        match then {
            Then::Answer { conn, request } | Then::Left { conn, request } => {
                self.answer(&conn, &request, result);
            }
            Then::Rejoined {
                conn,
                request,
                user,
            } => {
                if result.is_ok() {
                    self.rejoin.remove(&user);
                }
                self.answer(&conn, &request, result);
            }
            Then::Joined {
                conn,
                profile,
                since,
                request,
                reader,
            } => match result {
                Ok(_) => self.subscribe(conn, profile, since, request, reader),
                Err(error) => self.answer(&conn, &request, Err(error)),
            },
            Then::Created(reply) => {
                let result =
                    result.map(|_| self.state.summary().expect("a created room has a summary"));
                self.reply(Reply::Created(reply, result));
            }
            Then::Input(reply) => self.reply(Reply::Input(reply, result.map(|_| ()))),
            Then::Mailed(reply) => {
                self.reply(Reply::Mailed(reply, result.map(|e| (e.seq, e.duplicate))));
            }
            Then::Joint(reply, post) => {
                let result = result.and_then(|_| {
                    crate::domain::caucus::receive::recorded(&self.state, &post)
                        .map(|s| (s.id, s.held))
                        .ok_or_else(|| {
                            HubError::Rejected(crate::domain::Rejection::Invalid(
                                "the joint statement is not recorded".into(),
                            ))
                        })
                });
                self.reply(Reply::Joint(reply, result));
            }
            Then::Delivered => {
                if let Err(error) = result {
                    tracing::warn!(room = %self.id, %error, "recording a parent's answer to a joint statement failed; it is asked again when the room loads");
                }
            }
            Then::Tick => {
                if let Err(error) = result {
                    tracing::warn!(room = %self.id, %error, "the speaking timer failed; retrying in a second");
                    self.timers.tick_not_before = self.clock + RETRY_LATER;
                }
            }
            Then::AccessEnded { user } => {
                if let Err(error) = result {
                    tracing::warn!(room = %self.id, %user, %error, "recording the end of an access failed");
                }
            }
            Then::Absence { user, retry } => {
                if let Err(error) = result {
                    tracing::warn!(room = %self.id, %user, %error, "recording a departure failed");
                    if retry {
                        self.timers.schedule_leave(user, self.clock + RETRY_LATER);
                    }
                }
            }
            Then::Digest { arrived, left } => {
                if let Err(error) = result {
                    self.digest_failed(arrived, left, &error);
                }
            }
            Then::Restore { user } => match result {
                Ok(_) => {
                    tracing::info!(room = %self.id, %user, "recorded a connected member as present again");
                }
                Err(HubError::Rejected(rejection)) => {
                    tracing::info!(room = %self.id, %user, %rejection, "a connected member may not rejoin");
                }
                Err(error) => {
                    tracing::warn!(room = %self.id, %user, %error, "cannot record a connected member as present yet");
                    self.rejoin.insert(user);
                }
            },
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

    /// How long to wait before deciding again after losing a race to append: a node whose
    /// clients keep it appending back to back would otherwise win every race against one that
    /// must first catch up (random, up to 1, 1, 1, 2, 4, 8, 16 ms, growing with each attempt).
    fn backoff(&mut self, attempt: usize) -> Millis {
        let ceiling = (250u64 << attempt.min(6)).div_ceil(1000);
        Millis::try_from(self.random() % (ceiling + 1)).unwrap_or(0)
    }
}
