//! Unit tests of `RoomCore`: no runtime, no store, no sockets. [`Sim`] plays the driver over a
//! record held in a `Vec`, with a gate that can hold the awaited effect (so requests pile up
//! behind it, as in a mailbox), failing or racing appends, and a clock moved by hand.

mod audience;
mod batching;
mod deadline;
mod presence;

use super::io::{ConnAddr, Done, Effect, Input, Io, Reply, Request};
use super::{CoreConfig, RoomCore};
use crate::hub::error::HubError;
use crate::hub::outbound::Outbound;
use crate::metrics::Metrics;
use crate::record::{Head, RecordedEvent};
use crate::store::StoreError;
use baraza_proto::command::RoomCommand;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Profile, Role};
use baraza_proto::ids::{IdempotencyKey, LanguageTag, Millis, RoomId, Seq, UserId};
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The test driver's addresses: connections by number, replies by number.
pub(super) enum T {}

#[derive(Clone, Debug)]
pub(super) struct C(pub u64);

impl ConnAddr for C {
    fn id(&self) -> u64 {
        self.0
    }
}

impl Io for T {
    type Conn = C;
    type Created = u32;
    type Summary = u32;
    type View = u32;
    type MayRead = u32;
    type Input = u32;
    type Mailed = u32;
}

/// The room's time at the start of every test.
pub(super) const T0: Millis = 1_700_000_000_000;
pub(super) const GRACE: Millis = 30_000;
pub(super) const IDLE: Millis = 600_000;
pub(super) const DIGEST: Millis = 1_000;

pub(super) fn config(batch_limit: usize) -> CoreConfig {
    CoreConfig {
        presence_grace: GRACE,
        idle_unload: IDLE,
        audit_every: None,
        batch_limit,
        seed: 42,
        digest_every: DIGEST,
    }
}

/// A driver over a record in memory.
pub(super) struct Sim {
    pub core: RoomCore<T>,
    pub metrics: Arc<Metrics>,
    pub record: Vec<RecordedEvent>,
    pub now: Millis,
    /// What each connection received, frame by frame (a replay as `replay A..B`).
    pub frames: HashMap<u64, Vec<String>>,
    pub replies: Vec<Reply<T>>,
    /// Appends that reached the store (written or failed).
    pub appends: usize,
    pub published: Vec<Seq>,
    /// Presence registry calls: `attach amina`, `detach amina`.
    pub registry: Vec<String>,
    pub held_elsewhere: HashSet<UserId>,
    pub lost_members: Vec<UserId>,
    pub rollups: Vec<RoomId>,
    pub unloads: usize,
    pub load_failed: Option<HubError>,
    /// Connections whose queue refuses every frame.
    pub stalled: HashSet<u64>,
    gate_open: bool,
    held: Option<Effect<T>>,
    pub fail_appends: bool,
    pub fail_reads: bool,
    /// This many appends find that another node appended first.
    pub race_appends: usize,
}

impl Sim {
    /// A core over an empty record, loaded.
    pub fn new(config: CoreConfig) -> Sim {
        Sim::over(config, Vec::new())
    }

    /// A core over `record`, loaded.
    pub fn over(config: CoreConfig, record: Vec<RecordedEvent>) -> Sim {
        let metrics = Arc::new(Metrics::default());
        let core = RoomCore::new(room_id(), config, metrics.clone(), T0);
        let mut sim = Sim {
            core,
            metrics,
            record,
            now: T0,
            frames: HashMap::new(),
            replies: Vec::new(),
            appends: 0,
            published: Vec::new(),
            registry: Vec::new(),
            held_elsewhere: HashSet::new(),
            lost_members: Vec::new(),
            rollups: Vec::new(),
            unloads: 0,
            load_failed: None,
            stalled: HashSet::new(),
            gate_open: true,
            held: None,
            fail_appends: false,
            fail_reads: false,
            race_appends: 0,
        };
        sim.run();
        sim
    }

    pub fn send(&mut self, request: Request<T>) {
        self.core.handle(Input::Request(request), self.now);
        self.run();
    }

    /// Closes the gate: the next awaited effect is held until [`Sim::open`].
    pub fn close(&mut self) {
        self.gate_open = false;
    }

    pub fn open(&mut self) {
        self.gate_open = true;
        if let Some(effect) = self.held.take() {
            self.perform(effect);
        }
        self.run();
    }

    /// Whether an awaited effect is held at the gate.
    pub fn holding(&self) -> bool {
        self.held.is_some()
    }

    /// Moves the clock by `ms` and runs every timer due meanwhile, in order.
    pub fn advance(&mut self, ms: Millis) {
        let until = self.now + ms;
        for _ in 0..10_000 {
            match self.core.poll_timeout() {
                Some(at) if at <= until => {
                    self.now = self.now.max(at);
                    self.core.handle_timeout(self.now);
                    self.run();
                }
                _ => {
                    self.now = until;
                    return;
                }
            }
        }
        panic!("timers keep firing");
    }

    /// Performs effects until there are none (or one is held at the gate).
    pub fn run(&mut self) {
        while let Some(effect) = self.core.poll_effect() {
            if effect.awaited() && !self.gate_open {
                assert!(self.held.is_none(), "one awaited effect at a time");
                self.held = Some(effect);
                continue;
            }
            self.perform(effect);
        }
    }

    fn perform(&mut self, effect: Effect<T>) {
        let done = match effect {
            Effect::Send { conn, item } => {
                if self.stalled.contains(&conn.0) {
                    self.core.handle(Input::Stalled { conn: conn.0 }, self.now);
                    return;
                }
                let seen = self.frames.entry(conn.0).or_default();
                match item {
                    Outbound::Frame(frame) => seen.push(frame.to_string()),
                    Outbound::Batch(frames) => seen.extend(frames.iter().map(|f| f.to_string())),
                    Outbound::Replay(replay) => {
                        seen.push(format!("replay {}..{}", replay.after, replay.until));
                        seen.push(replay.ack.to_string());
                    }
                    other => panic!("a room sends frames only, not {other:?}"),
                }
                return;
            }
            Effect::Reply(reply) => return self.replies.push(reply),
            Effect::Publish(event) => return self.published.push(event.seq()),
            Effect::Withdraw(statement) => {
                return self.registry.push(format!("withdraw {statement}"));
            }
            Effect::Attach(user) => return self.registry.push(format!("attach {user}")),
            Effect::Detach(user) => return self.registry.push(format!("detach {user}")),
            Effect::Rollup(parent, _) => return self.rollups.push(parent),
            Effect::JointPost(parent, _) => return self.rollups.push(parent),
            Effect::Unload => {
                self.unloads += 1;
                return;
            }
            Effect::LoadFailed(error) => {
                self.load_failed = Some(error);
                return;
            }
            Effect::Read { after, limit } => Done::Read(if self.fail_reads {
                Err(StoreError::Unavailable("reads fail".into()))
            } else {
                Ok(self
                    .record
                    .iter()
                    .filter(|e| e.seq() > after)
                    .take(limit)
                    .cloned()
                    .collect())
            }),
            Effect::Append { expected, events } => {
                self.appends += 1;
                if self.race_appends > 0 {
                    self.race_appends -= 1;
                    let racer = person(&format!("racer{}", self.appends), Role::Participant);
                    self.foreign(EventBody::MemberJoined { member: racer });
                }
                Done::Appended(if self.fail_appends {
                    Err(StoreError::Unavailable("the test says so".into()))
                } else if self.record.len() as Seq != expected {
                    Err(StoreError::Conflict {
                        room: room_id(),
                        expected,
                        actual: self.record.len() as Seq,
                    })
                } else {
                    self.record.extend(events);
                    Ok(())
                })
            }
            Effect::ReadHead => Done::Head(Ok(self.record_head())),
            Effect::AskHeldElsewhere(user) => {
                Done::HeldElsewhere(self.held_elsewhere.contains(&user))
            }
            Effect::TakeMembersOf(_) => {
                Done::MembersOf(Some(std::mem::take(&mut self.lost_members)))
            }
            Effect::FindRoom(_) => Done::Found(None),
        };
        self.core.handle(Input::Done(done), self.now);
    }

    pub fn record_head(&self) -> Head {
        self.record.last().map_or(Head::EMPTY, |e| e.head())
    }

    /// Another node appends `body` to the record (the core is not told).
    pub fn foreign(&mut self, body: EventBody) -> RecordedEvent {
        let prev = self.record_head();
        let event = RecordedEvent::seal(
            EventEnvelope {
                room: room_id(),
                seq: prev.seq + 1,
                ts: self.now,
                actor: None,
                key: None,
                body,
            },
            prev.hash,
        );
        self.record.push(event.clone());
        event
    }

    /// The frames of `conn` parsed.
    pub fn values(&self, conn: u64) -> Vec<Value> {
        self.frames
            .get(&conn)
            .map(|frames| {
                frames
                    .iter()
                    .map(|f| serde_json::from_str(f).unwrap_or(Value::String(f.clone())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many frames `conn` received so far.
    pub fn seen(&self, conn: u64) -> usize {
        self.frames.get(&conn).map_or(0, Vec::len)
    }

    /// The seqs of the events `conn` received, in order.
    pub fn event_seqs(&self, conn: u64) -> Vec<u64> {
        self.values(conn)
            .iter()
            .filter(|v| v["type"] == "event")
            .filter_map(|v| v["seq"].as_u64())
            .collect()
    }

    /// The answer to `request` on `conn`: `("ack", seq, duplicate)` or `("error", 0, code)`.
    pub fn answer(&self, conn: u64, request: &str) -> (String, u64, String) {
        let values = self.values(conn);
        let answers: Vec<&Value> = values
            .iter()
            .filter(|v| v["id"] == request && v["type"] != "event")
            .collect();
        assert_eq!(answers.len(), 1, "one answer to {request}: {answers:?}");
        let answer = answers[0];
        match answer["type"].as_str() {
            Some("ack") => (
                "ack".into(),
                answer["seq"].as_u64().expect("seq"),
                answer["duplicate"].as_bool().unwrap_or(false).to_string(),
            ),
            _ => (
                "error".into(),
                0,
                answer["code"].as_str().unwrap_or_default().into(),
            ),
        }
    }

    /// Creates the room as the secretariat.
    pub fn create(&mut self, kind: RoomKind) {
        self.send(Request::Create {
            profile: person("sec", Role::Secretariat),
            settings: settings(kind),
            reply: 0,
        });
        match self.replies.pop() {
            Some(Reply::Created(0, Ok(_))) => {}
            _ => panic!("the room was not created"),
        }
    }

    /// `profile` joins on connection `conn` and gets the ack.
    pub fn join(&mut self, conn: u64, profile: &Profile) {
        self.send(join(conn, profile, None, "join"));
        assert_eq!(
            self.answer(conn, "join").0,
            "ack",
            "{:?}",
            self.values(conn)
        );
    }

    pub fn appended_metric(&self) -> (u64, u64) {
        (
            self.metrics.appends.get(),
            self.metrics.events_appended.get(),
        )
    }
}

pub(super) fn room_id() -> RoomId {
    RoomId::new("rt").expect("room id")
}

pub(super) fn person(user: &str, role: Role) -> Profile {
    Profile {
        user: UserId::new(user).expect("user id"),
        name: user.to_uppercase(),
        role,
        org: None,
        constituency: None,
        country: None,
        region: None,
    }
}

pub(super) fn settings(kind: RoomKind) -> RoomSettings {
    RoomSettings {
        kind,
        title: "Financing for development".into(),
        description: String::new(),
        languages: vec![LanguageTag::new("en").expect("tag")],
        scope: Scope::Global,
        constituency: None,
        audience_above: None,
    }
}

pub(super) fn post(text: &str, parent: Option<Seq>) -> RoomCommand {
    RoomCommand::PostStatement {
        text: text.into(),
        lang: LanguageTag::new("en").expect("tag"),
        parent,
        agenda_item: None,
        question: None,
        alignment: None,
    }
}

pub(super) fn join(conn: u64, profile: &Profile, since: Option<Seq>, request: &str) -> Request<T> {
    Request::Join {
        conn: C(conn),
        profile: profile.clone(),
        since,
        request: request.into(),
    }
}

pub(super) fn command(
    conn: u64,
    profile: &Profile,
    request: &str,
    key: Option<&str>,
    command: RoomCommand,
) -> Request<T> {
    Request::Command {
        conn: C(conn),
        profile: profile.clone(),
        key: key.map(|k| IdempotencyKey::new(k).expect("key")),
        command,
        request: request.into(),
    }
}
