//! What goes into a [`RoomCore`](super::RoomCore) and what comes out of it: requests (the
//! room's mailbox messages), results of the IO the core asked for, and effects.
//!
//! The core never holds a socket, a channel or a clock. Whatever addresses an answer goes to
//! (a connection, a reply channel) is an opaque type chosen by the driver through [`Io`]; the
//! core only stores it and hands it back in an [`Effect`].

use crate::domain::visibility::ReadPath;
use crate::hub::error::HubError;
use crate::hub::outbound::Outbound;
use crate::record::{Head, RecordedEvent};
use crate::store::StoreError;
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::ConsultationInput;
use baraza_proto::identity::Profile;
use baraza_proto::ids::{IdempotencyKey, RoomId, Seq, StatementId, UserId};
use baraza_proto::room::{RoomInfo, RoomSettings, RoomSummary};
use baraza_proto::view::RoomView;

/// A connection as the core sees it: an address with a node-unique id.
pub trait ConnAddr: Clone {
    /// The connection's id, unique on this node.
    fn id(&self) -> u64;
}

/// The driver's addresses: where frames go and where each kind of answer goes.
pub trait Io {
    /// A connection.
    type Conn: ConnAddr;
    /// Where the answer to `create` goes.
    type Created;
    /// Where the answer to `summary` goes.
    type Summary;
    /// Where the answer to `view` goes.
    type View;
    /// Where the answer to `may_read` goes.
    type MayRead;
    /// Where the answer to a consultation input goes.
    type Input;
    /// Where the answer to a statement by e-mail goes.
    type Mailed;
}

/// A message to a room (its mailbox holds these).
pub enum Request<I: Io> {
    /// A connection joins (or resumes after `since`).
    Join {
        /// The connection.
        conn: I::Conn,
        /// Who is on it.
        profile: Profile,
        /// The last seq the client has, when resuming.
        since: Option<Seq>,
        /// The request id.
        request: String,
    },
    /// A connection leaves on purpose.
    Leave {
        /// The connection.
        conn: I::Conn,
        /// The request id.
        request: String,
    },
    /// A connection ended.
    Detach {
        /// Its id.
        conn: u64,
    },
    /// A client's command.
    Command {
        /// The connection.
        conn: I::Conn,
        /// Who is on it.
        profile: Profile,
        /// Its idempotency key.
        key: Option<IdempotencyKey>,
        /// The command.
        command: RoomCommand,
        /// The request id.
        request: String,
    },
    /// Create the room (HTTP).
    Create {
        /// The creator.
        profile: Profile,
        /// The room's settings.
        settings: RoomSettings,
        /// Where the answer goes.
        reply: I::Created,
    },
    /// The room's line in the room list as `reader` may see it (`None`: the server itself);
    /// `None` if the room does not exist.
    Summary {
        /// Who reads it.
        reader: Option<Profile>,
        /// Where the answer goes.
        reply: I::Summary,
    },
    /// The room as `profile` may read it by `path` (the domain decides; a refusal is the answer).
    View {
        /// Who reads it.
        profile: Profile,
        /// By which path.
        path: ReadPath,
        /// Where the answer goes.
        reply: I::View,
    },
    /// Whether `profile` may read the room by `path` (for paths served outside the room, such
    /// as the record).
    MayRead {
        /// Who reads it.
        profile: Profile,
        /// By which path.
        path: ReadPath,
        /// Where the answer goes.
        reply: I::MayRead,
    },
    /// An event another node appended.
    Published(RecordedEvent),
    /// The broker may have missed events: check the record.
    Resync,
    /// `node` died: record its members here as gone unless someone else holds them.
    NodeLost {
        /// The node.
        node: String,
    },
    /// This node was taken for dead, or lost sight of Redis: register the members it holds
    /// again and make the record show them present.
    Reestablish,
    /// The registry ended a person's access: record it if they are here, and cut off their
    /// connections to this room.
    EndAccess {
        /// Whose, why, and by which registry event.
        ended: baraza_proto::event::AccessEnded,
    },
    /// Consultations: record the input of a published child (idempotent).
    Input {
        /// The input.
        input: ConsultationInput,
        /// Where the answer goes.
        reply: I::Input,
    },
    /// A caucus's joint statement posted to this room on its behalf (idempotent per caucus
    /// and statement); answered with the statement's seq here and whether it is held.
    Joint {
        /// What the caucus posts.
        post: baraza_proto::caucus::JointPost,
        /// Where the answer goes.
        reply: I::Mailed,
    },
    /// Caucuses: the parent answered the post of a joint statement; record it.
    JointDelivered {
        /// Which statement.
        statement: baraza_proto::caucus::JointStatementId,
        /// The parent's answer.
        delivery: baraza_proto::caucus::Delivery,
    },
    /// A statement by e-mail from `profile` (identified by the mail driver through the
    /// registry), decided as [`Command::Mail`](crate::domain::Command::Mail).
    Mail {
        /// Who sent it, as the registry knows them.
        profile: Profile,
        /// Its idempotency key (from the `Message-ID`).
        key: IdempotencyKey,
        /// The `post_statement` it amounts to.
        command: RoomCommand,
        /// Its stored attachments.
        attachments: Vec<baraza_proto::mail::Attachment>,
        /// Where the answer goes.
        reply: I::Mailed,
    },
}

impl<I: Io> Request<I> {
    /// Whether this message makes a room that may not exist yet (the others need its record).
    pub fn creates_room(&self) -> bool {
        matches!(self, Request::Create { .. })
    }
}

/// The result of IO the core asked for with an effect, fed back with [`super::RoomCore::handle`].
#[derive(Debug)]
pub enum Done {
    /// [`Effect::Read`] finished.
    Read(Result<Vec<RecordedEvent>, StoreError>),
    /// [`Effect::Append`] finished.
    Appended(Result<(), StoreError>),
    /// [`Effect::ReadHead`] finished.
    Head(Result<Head, StoreError>),
    /// [`Effect::AskHeldElsewhere`] finished: whether another live node holds the member
    /// (`true` when the registry could not be read: a missed departure is repaired later, a
    /// false one would stand in the record).
    HeldElsewhere(bool),
    /// [`Effect::TakeMembersOf`] finished (`None`: the registry could not be read).
    MembersOf(Option<Vec<UserId>>),
    /// [`Effect::FindRoom`] finished.
    Found(Option<RoomInfo>),
}

/// Something that reaches the core.
// Moved once per message, never stored in bulk: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Input<I: Io> {
    /// A message from the mailbox. Queued; handled in order when the core is free.
    Request(Request<I>),
    /// The result of the IO the core is waiting for.
    Done(Done),
    /// A connection's send queue refused a frame (it was kicked, or it is gone): send it
    /// nothing more.
    Stalled {
        /// The connection's id.
        conn: u64,
    },
}

/// An answer to a request from inside the node.
// Moved once per message, never stored in bulk: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Reply<I: Io> {
    /// To `create`.
    Created(I::Created, Result<RoomSummary, HubError>),
    /// To `summary`.
    Summary(I::Summary, Result<Option<RoomSummary>, HubError>),
    /// To `view`.
    View(I::View, Result<(Seq, RoomView), HubError>),
    /// To `may_read`.
    MayRead(I::MayRead, Result<(), HubError>),
    /// To a consultation input.
    Input(I::Input, Result<(), HubError>),
    /// To a statement by e-mail: the statement's seq and whether it was a duplicate.
    Mailed(I::Mailed, Result<(Seq, bool), HubError>),
    /// To a joint statement: its seq in this room and whether it is held for moderation.
    Joint(I::Mailed, Result<(Seq, bool), HubError>),
}

/// What the driver must do, in the order the core queued it.
///
/// Effects marked *awaited* are IO whose result the core needs: the driver performs it and
/// feeds the result back as [`Input::Done`] before anything else (the core asks for at most
/// one at a time, and takes no new request meanwhile). The others need no answer.
// Moved once per message, never stored in bulk: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Effect<I: Io> {
    /// Queue `item` on `conn` without waiting; if it is refused, feed [`Input::Stalled`].
    Send {
        /// The connection.
        conn: I::Conn,
        /// What to queue.
        item: Outbound,
    },
    /// Answer a request from inside the node.
    Reply(Reply<I>),
    /// *Awaited* ([`Done::Read`]): read at most `limit` events after seq `after`.
    Read {
        /// The last seq the core has.
        after: Seq,
        /// At most this many.
        limit: usize,
    },
    /// *Awaited* ([`Done::Appended`]): append `events` if the record ends at `expected`.
    Append {
        /// Where the record must end.
        expected: Seq,
        /// The sealed events.
        events: Vec<RecordedEvent>,
    },
    /// *Awaited* ([`Done::Head`]): read where the record ends.
    ReadHead,
    /// Hand an appended event to the broker for the other nodes.
    Publish(RecordedEvent),
    /// Remove the stored texts of a redacted statement from the record store (idempotent;
    /// asked again each time the room loads, so an interrupted removal is repaired).
    Withdraw(StatementId),
    /// Register `user` as held by this node in the presence registry.
    Attach(UserId),
    /// Unregister `user` from the presence registry.
    Detach(UserId),
    /// *Awaited* ([`Done::HeldElsewhere`]): whether another live node holds `user` here.
    AskHeldElsewhere(UserId),
    /// *Awaited* ([`Done::MembersOf`]): take the members the dead `node` held here.
    TakeMembersOf(String),
    /// *Awaited* ([`Done::Found`]): look up another room's identity.
    FindRoom(RoomId),
    /// Consultations: deliver a published child's input to its parent (in the background,
    /// idempotent).
    Rollup(RoomId, ConsultationInput),
    /// Caucuses: post an adopted joint statement to the parent room (in the background,
    /// idempotent), then record the parent's answer here.
    JointPost(RoomId, baraza_proto::caucus::JointPost),
    /// The room has been idle for the configured time: unload it if the mailbox is empty.
    Unload,
    /// The room could not be loaded: refuse every message and stop.
    LoadFailed(HubError),
}

impl<I: Io> Effect<I> {
    /// Whether the core waits for this effect's result ([`Input::Done`]).
    pub fn awaited(&self) -> bool {
        matches!(
            self,
            Effect::Read { .. }
                | Effect::Append { .. }
                | Effect::ReadHead
                | Effect::AskHeldElsewhere(_)
                | Effect::TakeMembersOf(_)
                | Effect::FindRoom(_)
        )
    }
}
