//! The pure core of a room: `decide` what a command means, `evolve` the state by an event.
//!
//! Nothing here does IO, reads a clock or awaits: time comes in as an argument, so every rule
//! can be tested as given (events) / when (command) / then (events or rejection), and any node
//! that replays a record reaches the same state.
//!
//! Authorisation lives here, not in HTTP or WebSocket code: [`decide`] refuses commands the
//! actor's role or membership does not allow, and [`visibility`] decides what each reader may
//! read.
//!
//! - [`audience`]: who joins a room's audience, and the digest of its arrivals and departures.
//! - [`state`]: `RoomState`, the fold of a room's events, and its per-reader views.
//! - [`decide`](mod@decide): commands → events or a [`Rejection`].
//! - [`evolve`](mod@evolve): applying one event to the state.
//! - [`text`]: the rules for names and prose (normalisation, controls, bidi).
//! - [`geo`]: countries, UN regional groups and M49 regions.
//! - [`roundtable`]: agenda, speaking list, floor, timers and statistics of roundtables.
//! - [`caucus`]: organising partners, their election and joint statements of caucuses.
//! - [`consultation`]: phases, submissions, moderation, synthesis and roll-up of consultations.
//! - [`visibility`]: who may read what, for every read path (snapshots, event frames, REST
//!   views, threads, the record).
//! - [`minutes`]: minutes drafted from the record, corrected by the speakers quoted, approved
//!   and sealed.
//! - [`mail_access`]: who may oversee mail (the secretariat's outbox, inbox log and digests).

pub mod audience;
pub mod caucus;
pub mod consultation;
pub mod decide;
pub mod evolve;
pub mod geo;
pub mod mail_access;
pub mod minutes;
pub mod roundtable;
pub mod state;
pub mod text;
pub mod visibility;

#[cfg(test)]
mod audience_tests;
#[cfg(test)]
mod minutes_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod visibility_tests;

pub use decide::decide;
pub use evolve::evolve;
pub use state::RoomState;

use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::ConsultationInput;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::LeaveReason;
use baraza_proto::identity::Profile;
use baraza_proto::ids::{IdempotencyKey, RoomId, UserId};
use baraza_proto::room::{RoomInfo, RoomSettings};

/// Who gives a command: a person (from a verified token) or the server itself (clean-up of
/// vanished connections, timers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A person.
    Person(Profile),
    /// The server.
    System,
}

impl Actor {
    /// The person's id; `None` for the server.
    pub fn user(&self) -> Option<&UserId> {
        match self {
            Actor::Person(profile) => Some(&profile.user),
            Actor::System => None,
        }
    }
}

/// A command to one room, as the domain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Create the room (only valid on an empty record).
    Create(RoomSettings),
    /// Enter the room.
    Join,
    /// `user` leaves the room. A person may only leave for themselves with reason `left`; the
    /// server records disconnections.
    Leave {
        /// Who leaves.
        user: UserId,
        /// Why.
        reason: LeaveReason,
    },
    /// A command a client sent in a `command` message.
    Room {
        /// Its idempotency key.
        key: Option<IdempotencyKey>,
        /// The command.
        command: RoomCommand,
    },
    /// The server's timer (sent by the hub at `RoomState::next_deadline`): emits the speaking
    /// time warnings and expiries due at `now`, and nothing when nothing is due.
    Tick,
    /// Consultations: the client's `set_parent`, with the parent's identity as the hub found
    /// it (`None`: no such room). The domain reads no other room.
    SetParent {
        /// The parent named.
        parent: RoomId,
        /// What the hub found under that id.
        found: Option<RoomInfo>,
    },
    /// Consultations: record the input of a published child (the server only).
    ReceiveInput(ConsultationInput),
    /// A caucus's adopted joint statement, posted to this room on its behalf (the server only).
    ReceiveJoint(baraza_proto::caucus::JointPost),
    /// Caucuses: record the parent's answer to the post of a joint statement (the server
    /// only, from the answer it received).
    JointDelivered {
        /// Which statement.
        statement: baraza_proto::caucus::JointStatementId,
        /// What the parent answered.
        delivery: baraza_proto::caucus::Delivery,
    },
    /// The operator archives the room (`baraza archive` on a stopped node): the server's own
    /// counterpart of the secretariat's `archive_room`.
    Archive,
    /// A statement that came by e-mail from a person the registry knows (the mail driver
    /// identified them by an unforgeable reply address). The same rules as `post_statement`
    /// apply (phase, question, language, pre-moderation), except presence: whoever may enter
    /// the room may post by mail without being in it.
    Mail {
        /// Its idempotency key (derived from the mail's `Message-ID`).
        key: IdempotencyKey,
        /// The `post_statement` command the mail amounts to.
        command: RoomCommand,
        /// The files that came with it (already stored by their hash).
        attachments: Vec<baraza_proto::mail::Attachment>,
    },
    /// The registry ended `user`'s access (the server only, when it saw the registry event):
    /// records `access_ended` if they are present, on the list or speaking, and nothing
    /// otherwise — so that every node seeing the same registry event records it once.
    EndAccess(baraza_proto::event::AccessEnded),
    /// The hub's digest of audience presence (the server only, at most once a second): these
    /// arrived in the audience and these of it left. Records one `audience_changed` with what
    /// is still news ([`audience::digest`]), nothing otherwise.
    Audience {
        /// Who arrived.
        arrived: Vec<Profile>,
        /// Who left.
        left: Vec<UserId>,
    },
}

impl Command {
    /// The command's name as the wire and the audit trail give it (`join`, `post_statement` …).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Create(_) => "create_room",
            Command::Join => "join",
            Command::Leave { .. } => "leave",
            Command::Room { command, .. } => command.name(),
            Command::Tick => "tick",
            Command::SetParent { .. } => "set_parent",
            Command::ReceiveInput(_) => "receive_input",
            Command::ReceiveJoint(_) => "receive_joint_statement",
            Command::JointDelivered { .. } => "record_joint_delivery",
            Command::Archive => "archive_room",
            Command::Mail { .. } => "post_statement_by_mail",
            Command::EndAccess(_) => "end_access",
            Command::Audience { .. } => "audience",
        }
    }
}

/// Why `decide` refused a command. Nothing is appended when a command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The room does not exist.
    #[error("no such room")]
    RoomNotFound,
    /// The room already exists.
    #[error("a room with this id already exists")]
    RoomExists,
    /// The actor's role or membership does not allow the command.
    #[error("{0}")]
    Forbidden(String),
    /// The actor must join the room first.
    #[error("join the room first")]
    NotPresent,
    /// A command that creates something came without an idempotency key.
    #[error("{0} needs an idempotency key")]
    KeyRequired(&'static str),
    /// The command's content is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The room is archived: its record is closed for good.
    #[error("the room is archived: its record is closed and it takes no more commands")]
    Archived,
}

impl Rejection {
    /// The wire error code for this rejection.
    pub fn code(&self) -> ErrorCode {
        match self {
            Rejection::RoomNotFound => ErrorCode::RoomNotFound,
            Rejection::RoomExists => ErrorCode::RoomExists,
            Rejection::Forbidden(_) => ErrorCode::Forbidden,
            Rejection::NotPresent => ErrorCode::NotJoined,
            Rejection::KeyRequired(_) => ErrorCode::IdempotencyKeyRequired,
            Rejection::Invalid(_) => ErrorCode::InvalidCommand,
            Rejection::Archived => ErrorCode::RoomArchived,
        }
    }
}
