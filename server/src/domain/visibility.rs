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
//!   moderators and the consultation's rapporteurs;
//! - an export of the record (`GET /api/rooms/{id}/export`, `baraza export`): whoever may
//!   enter the room, as the kind of reader they are; a statement that is not published (held,
//!   rejected or hidden) is left out of every export but a moderating reader's, where it is
//!   marked with its status ([`statement_in_export`], [`export_frame_for`]);
//! - the names of a room's audience (`audience_changed` frames, views, an export's
//!   attendance): the secretariat and moderators; everyone else gets the count
//!   ([`sees_audience_names`]);
//! - a search (`GET /api/search`): whoever may enter the room finds what their view of it shows
//!   with its text, no more ([`statement_found`]): held, rejected and hidden text only by the
//!   secretariat and moderators.

use super::Rejection;
use super::state::RoomState;
use baraza_proto::consultation::Phase;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::Profile;
use baraza_proto::ids::StatementId;
use baraza_proto::room::{RoomKind, RoomSummary};
use baraza_proto::view::{RoomView, StatementView};

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
    /// `GET /api/rooms/{id}/export` and `baraza export`: the record as a document.
    Export,
    /// `GET /api/search`: statements found by their words ([`statement_found`]).
    Search,
}

impl ReadPath {
    /// Every read path, in the order the matrix shows them.
    pub const ALL: [ReadPath; 7] = [
        ReadPath::Snapshot,
        ReadPath::Events,
        ReadPath::View,
        ReadPath::Threads,
        ReadPath::Record,
        ReadPath::Export,
        ReadPath::Search,
    ];

    /// How the path is named in the documentation.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadPath::Snapshot => "WS snapshot",
            ReadPath::Events => "WS events",
            ReadPath::View => "GET view",
            ReadPath::Threads => "GET threads",
            ReadPath::Record => "GET record",
            ReadPath::Export => "GET export",
            ReadPath::Search => "GET search",
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
        ReadPath::Snapshot
        | ReadPath::Events
        | ReadPath::View
        | ReadPath::Threads
        | ReadPath::Export
        | ReadPath::Search => Ok(reader),
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

/// The statement `id` as a search may show it to the reader whose `view` of the room this is:
/// only a statement the view holds (held and rejected ones are in moderating readers' views
/// only) and whose text it shows (a hidden statement's text is withheld from those who do not
/// moderate). The index of [`crate::search`] proposes; this decides.
pub fn statement_found(view: &RoomView, id: StatementId) -> Option<&StatementView> {
    view.statements
        .iter()
        .find(|s| s.id == id)
        .filter(|s| !s.redacted)
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

/// Whether `reader` sees who is in a room's audience (names in `audience_changed` frames, in
/// views and in an export's attendance), rather than only how many: those who moderate.
pub fn sees_audience_names(reader: ReaderKind) -> bool {
    reader.moderating()
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
        EventBody::AudienceChanged { .. } => !sees_audience_names(reader),
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
        EventBody::AudienceChanged { arrived, left, .. } => {
            arrived.clear();
            left.clear();
        }
        _ => {}
    }
    event
}

/// What an export shows of one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InExport {
    /// Published: shown as it stands.
    Shown,
    /// Not published (held, rejected or hidden): shown, marked with its status, apart from
    /// the published ones.
    Marked,
    /// Not published, and this reader may not read it: not in the export at all.
    LeftOut,
}

/// What an export made for `reader` holds of `statement` (as the moderating view of the room
/// shows it): a published statement is shown; a held, rejected or hidden one is marked for
/// moderating readers and left out for everyone else, so a participant's export never
/// contains a statement that is not published.
pub fn statement_in_export(reader: ReaderKind, statement: &StatementView) -> InExport {
    let published = !statement.held && statement.rejected.is_none() && statement.hidden.is_none();
    if published {
        InExport::Shown
    } else if reader.moderating() {
        InExport::Marked
    } else {
        InExport::LeftOut
    }
}

/// What `reader` may see of `event` in an export of the record of a room now in `state` (its
/// end): what [`frame_for`] gives, and in addition, for readers who do not moderate, the texts
/// of statements that are not published now (hidden or rejected later) emptied.
pub fn export_frame_for(
    reader: ReaderKind,
    state: &RoomState,
    event: &EventEnvelope,
) -> Visibility {
    if frame_for(reader, state, &event.body) == Visibility::Redacted {
        return Visibility::Redacted;
    }
    let statement = match &event.body {
        EventBody::StatementPosted { .. } => event.seq,
        EventBody::StatementEdited { statement, .. } => *statement,
        _ => return Visibility::All,
    };
    match state.statement(statement) {
        Some(s) if statement_in_export(reader, s) == InExport::LeftOut => Visibility::Redacted,
        _ => Visibility::All,
    }
}
