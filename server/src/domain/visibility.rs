//! Who may read what: the one place every read path asks.
//!
//! A read path is a way out of the room for its contents: the snapshot and the live or resumed
//! event frames of the WebSocket, the REST view, the threads page and the full record (and any
//! later export or search: add a [`ReadPath`], and the matrix test in `visibility_tests.rs`
//! makes you decide it for every reader and room). Adapters never test a role: they ask
//! [`may_read`] for the [`ReaderKind`] of a person in a room, then build what that kind may see
//! ([`RoomState::view`], [`frame_for`], [`EventFilter`]).
//!
//! The rules (docs/architecture.md, "Who may read what", is generated from them):
//! - a room that does not exist: `RoomNotFound`, on every path;
//! - the secretariat and moderators read everything, on every path, in every room;
//! - a caucus that names a constituency: only its members (and the above) read it at all;
//! - a roundtable: a person expelled from it reads nothing more of it;
//! - a consultation in `draft`: only its named rapporteurs (and the above) read it at all;
//! - the full record with its hashes: the secretariat and moderators only;
//! - the room list: every room's line for everyone, the names of those present only for those
//!   who may enter it;
//! - the text of a statement held for pre-moderation (as posted or edited), held and rejected
//!   statements in views, reports and the moderation queue: the secretariat and moderators;
//! - a synthesis before publication (view and `synthesis_drafted` frames): the secretariat,
//!   moderators and the consultation's rapporteurs.

use super::Rejection;
use super::state::RoomState;
use baraza_proto::consultation::Phase;
use baraza_proto::event::EventBody;
use baraza_proto::identity::Profile;
use baraza_proto::ids::StatementId;
use baraza_proto::room::{RoomKind, RoomSummary};
use baraza_proto::view::RoomView;

/// A way the contents of a room leave the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadPath {
    /// The `snapshot` a WebSocket `join` answers with.
    Snapshot,
    /// `event` frames: live, resumed from memory, or replayed from the record.
    Events,
    /// `GET /api/rooms/{id}`.
    View,
    /// `GET /api/rooms/{id}/threads` (consultations).
    Threads,
    /// `GET /api/rooms/{id}/events`: the record as stored, with its hashes.
    Record,
}

impl ReadPath {
    /// Every read path, in the order the matrix shows them.
    pub const ALL: [ReadPath; 5] = [
        ReadPath::Snapshot,
        ReadPath::Events,
        ReadPath::View,
        ReadPath::Threads,
        ReadPath::Record,
    ];

    /// How the path is named in the documentation.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadPath::Snapshot => "WS snapshot",
            ReadPath::Events => "WS events",
            ReadPath::View => "GET view",
            ReadPath::Threads => "GET threads",
            ReadPath::Record => "GET record",
        }
    }

    /// Whether the path exists for rooms of `kind` (threads are a consultation's page).
    pub fn applies_to(self, kind: RoomKind) -> bool {
        self != ReadPath::Threads || kind == RoomKind::Consultation
    }
}

/// What a person may see of a room they may read, as decided from their profile and the room's
/// state. Everything a reader receives is built for a kind, never for a role: snapshots are
/// encoded once per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReaderKind {
    /// The secretariat and moderators: everything, including held texts, reports, the queue and
    /// the draft synthesis.
    Moderating,
    /// A rapporteur named in this consultation: what members see, plus the synthesis before
    /// publication (and entry to the draft).
    Rapporteur,
    /// Everyone else admitted: visible statements, hidden ones redacted, no held texts.
    Member,
}

impl ReaderKind {
    /// Every kind.
    pub const ALL: [ReaderKind; 3] = [
        ReaderKind::Moderating,
        ReaderKind::Rapporteur,
        ReaderKind::Member,
    ];

    /// A small index (0, 1, 2) for per-kind caches.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether this reader sees everything moderators see.
    pub fn moderating(self) -> bool {
        self == ReaderKind::Moderating
    }

    /// Whether this reader sees a synthesis before it is published.
    pub fn sees_synthesis_drafts(self) -> bool {
        self != ReaderKind::Member
    }

    /// How the kind is named in the documentation.
    pub fn as_str(self) -> &'static str {
        match self {
            ReaderKind::Moderating => "all",
            ReaderKind::Rapporteur => "rapporteur",
            ReaderKind::Member => "member",
        }
    }
}

/// The kind of reader `profile` is in the room `state`, before any access check: moderating
/// by role, rapporteur when named in this consultation, member otherwise.
pub fn reader_kind(profile: &Profile, state: &RoomState) -> ReaderKind {
    if profile.role.moderates() {
        ReaderKind::Moderating
    } else if state
        .consultation()
        .is_some_and(|c| c.is_rapporteur(&profile.user))
    {
        ReaderKind::Rapporteur
    } else {
        ReaderKind::Member
    }
}

/// Whether `profile` may enter the room at all (join it, or read it on any path): refused for a
/// missing room, a caucus of another constituency, a roundtable one was expelled from, and a
/// consultation still in draft (unless named rapporteur). The secretariat and moderators may
/// enter every room. `decide` admits a `join` with this same rule.
pub fn may_enter(profile: &Profile, state: &RoomState) -> Result<ReaderKind, Rejection> {
    let info = state.info().ok_or(Rejection::RoomNotFound)?;
    let reader = reader_kind(profile, state);
    if reader.moderating() {
        return Ok(reader);
    }
    if let (RoomKind::Caucus, Some(constituency)) = (info.settings.kind, info.settings.constituency)
        && profile.constituency != Some(constituency)
    {
        return Err(Rejection::Forbidden(format!(
            "this caucus is for the {} constituency",
            constituency.as_str()
        )));
    }
    if state
        .roundtable()
        .is_some_and(|rt| rt.is_expelled(&profile.user))
    {
        return Err(Rejection::Forbidden(
            "you were expelled from this roundtable".into(),
        ));
    }
    if state
        .consultation()
        .is_some_and(|c| c.phase() == Phase::Draft)
        && reader != ReaderKind::Rapporteur
    {
        return Err(Rejection::Forbidden(
            "this consultation is still being prepared".into(),
        ));
    }
    Ok(reader)
}

/// Whether `profile` may read the room `state` by `path`, and as which kind of reader. Every
/// read path calls this before it builds anything; the refusal is the answer.
pub fn may_read(
    path: ReadPath,
    profile: &Profile,
    state: &RoomState,
) -> Result<ReaderKind, Rejection> {
    let reader = may_enter(profile, state)?;
    match path {
        ReadPath::Snapshot | ReadPath::Events | ReadPath::View | ReadPath::Threads => Ok(reader),
        ReadPath::Record if reader.moderating() => Ok(reader),
        ReadPath::Record => Err(Rejection::Forbidden(
            "the full record is for the secretariat and moderators".into(),
        )),
    }
}

/// The room as `profile` may read it by `path` (a view-shaped path: snapshot, view, threads).
pub fn view_for(
    path: ReadPath,
    profile: &Profile,
    state: &RoomState,
) -> Result<RoomView, Rejection> {
    let reader = may_read(path, profile, state)?;
    state.view(reader).ok_or(Rejection::RoomNotFound)
}

/// The room's line in `GET /api/rooms` for `profile`: everyone signed in sees every room's
/// identity, settings, `seq`, phase and how many are present (to find rooms), but the names of
/// those present only where they may enter (a caucus's members are not shown to outsiders).
/// `None` before the room exists.
pub fn summary_for(profile: &Profile, state: &RoomState) -> Option<RoomSummary> {
    let mut summary = state.summary()?;
    if may_enter(profile, state).is_err() {
        summary.present_names.clear();
    }
    Some(summary)
}

/// What a reader may see of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The event as recorded.
    All,
    /// The event with its withheld parts emptied ([`redact`]): same `seq`, same type, so the
    /// reader's stream keeps no gap.
    Redacted,
}

/// What `reader` may see of `event` delivered in a room now in `state`: a statement held for
/// pre-moderation (its posting, and edits while it is held) only for moderating readers; a
/// synthesis draft only for moderating readers and rapporteurs. Everything else in full.
pub fn frame_for(reader: ReaderKind, state: &RoomState, event: &EventBody) -> Visibility {
    rule(reader, event, |id| {
        state.statement(id).is_some_and(|s| s.held)
    })
}

/// [`frame_for`] for events read back from the record (a replay), where the room's state is
/// not at hand: it remembers which statements were held when the replay began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFilter {
    reader: ReaderKind,
    held: Vec<StatementId>,
}

impl EventFilter {
    /// The filter for `reader` as of `state`.
    pub fn new(reader: ReaderKind, state: &RoomState) -> EventFilter {
        let held = if reader.moderating() {
            Vec::new()
        } else {
            state
                .statements
                .iter()
                .filter(|s| s.held)
                .map(|s| s.id)
                .collect()
        };
        EventFilter { reader, held }
    }

    /// What the reader may see of `event` (see [`frame_for`]).
    pub fn frame_for(&self, event: &EventBody) -> Visibility {
        rule(self.reader, event, |id| {
            self.held.binary_search(&id).is_ok()
        })
    }
}

fn rule(reader: ReaderKind, event: &EventBody, held: impl Fn(StatementId) -> bool) -> Visibility {
    let withheld = match event {
        EventBody::StatementPosted { held: true, .. } => !reader.moderating(),
        EventBody::StatementEdited { statement, .. } => !reader.moderating() && held(*statement),
        EventBody::SynthesisDrafted { .. } => !reader.sees_synthesis_drafts(),
        _ => false,
    };
    if withheld {
        Visibility::Redacted
    } else {
        Visibility::All
    }
}

/// The body a [`Visibility::Redacted`] reader gets: texts (and a draft's citations) emptied,
/// everything else kept. Other events are returned unchanged.
pub fn redact(event: &EventBody) -> EventBody {
    let mut event = event.clone();
    match &mut event {
        EventBody::StatementPosted { text, .. } | EventBody::StatementEdited { text, .. } => {
            text.clear();
        }
        EventBody::SynthesisDrafted { text, citations } => {
            text.clear();
            citations.clear();
        }
        _ => {}
    }
    event
}
