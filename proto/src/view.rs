//! Room views: the `state` of a `snapshot`, i.e. the fold of a room's record as one reader may
//! see it.

use crate::consultation::{Alignment, ConsultationView};
use crate::identity::Profile;
use crate::ids::{AgendaItemId, LanguageTag, Millis, QuestionId, RoomId, Seq, StatementId, UserId};
use crate::room::RoomInfo;
use crate::roundtable::RoundtableView;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Everything a client needs to draw a room, as of the snapshot's `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RoomView {
    /// Identity and settings.
    pub info: RoomInfo,
    /// Everyone who has ever joined as a participant (not as audience), in order of first
    /// arrival; `present` tells who is here.
    pub members: Vec<MemberView>,
    /// The audience present now: how many, and for readers who moderate the first names.
    #[serde(default, skip_serializing_if = "AudienceView::is_empty")]
    pub audience: AudienceView,
    /// Statements in the order they were posted (replies name their `parent`).
    pub statements: Vec<StatementView>,
    /// Agenda, floor, speaking list and statistics (rooms of kind `roundtable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roundtable: Option<RoundtableView>,
    /// The consultation's phase, questions, synthesis, inputs and figures (consultations only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation: Option<ConsultationView>,
    /// The minutes, once a first draft exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<crate::minutes::MinutesView>,
    /// Organising partners, elections and joint statements (caucuses only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caucus: Option<crate::caucus::CaucusView>,
}

/// The audience of a room (see `audience_changed`): counted, not listed one by one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AudienceView {
    /// How many of the audience are present.
    pub present: usize,
    /// The names of the first of them present, in order of arrival (at most
    /// [`AUDIENCE_NAMES`]); only for readers who moderate, empty for everyone else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
}

impl AudienceView {
    /// Nobody in the audience (the view leaves the field out).
    pub fn is_empty(&self) -> bool {
        self.present == 0 && self.names.is_empty()
    }
}

/// Most audience names a view lists.
pub const AUDIENCE_NAMES: usize = 20;

/// A member of the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MemberView {
    /// Who (as of their latest join).
    pub profile: Profile,
    /// In the room now.
    pub present: bool,
    /// When they last joined.
    pub joined_at: Millis,
}

/// A statement as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StatementView {
    /// Id (the `seq` of its `statement_posted` event).
    pub id: StatementId,
    /// Author.
    pub author: UserId,
    /// Organisation the author spoke for when posting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// The author's name, for a statement that came by e-mail (its author may never have
    /// joined the room, so `members` does not name them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// Text; empty when `redacted`.
    pub text: String,
    /// Language of the text.
    pub lang: LanguageTag,
    /// The statement it replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<StatementId>,
    /// Agenda item it speaks to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agenda_item: Option<AgendaItemId>,
    /// Question it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<QuestionId>,
    /// When it was posted.
    pub posted_at: Millis,
    /// Set when a moderator hid it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<HiddenMark>,
    /// Set when the secretariat redacted it (lawful request): `text` and every version's text
    /// are empty for every reader, for good; `reason` says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redaction: Option<HiddenMark>,
    /// True when the text was withheld from this reader because the statement is hidden
    /// (moderators and the secretariat always see the text).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
    /// A reply's position towards its parent (consultations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<Alignment>,
    /// Earlier texts, oldest first; `text` is the latest. Empty when never edited or redacted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<StatementVersion>,
    /// When the text was last edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<Millis>,
    /// Waiting for a moderator's approval (only moderators see held statements).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub held: bool,
    /// Refused by a moderator (only moderators see rejected statements).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<HiddenMark>,
    /// How many members reported it (shown to moderators only).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reports: u32,
    /// Files that came with it (by e-mail): name, type, size and SHA-256.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::mail::Attachment>,
    /// It came by e-mail.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_mail: bool,
    /// A caucus's joint statement: the caucus, its endorsers and the link to its record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joint: Option<crate::caucus::JointOrigin>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// An earlier text of an edited statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StatementVersion {
    /// The text as it was.
    pub text: String,
    /// When that text was written.
    pub at: Millis,
}

/// Who hid a statement, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HiddenMark {
    /// The moderator.
    pub by: UserId,
    /// Why.
    pub reason: String,
    /// When.
    pub at: Millis,
}

/// The parts of a room's view the server derives from its record (the roundtable's order,
/// reasons and statistics; a consultation's phase, figures, queue and the statements an event
/// changed), as one kind of reader may see them as of `seq`: the `view` message, sent after the
/// event it follows (and once after a resume), so that clients never refetch the room view to
/// stay current. Encoded once per kind of reader per event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ViewPatch {
    /// The room.
    pub room: RoomId,
    /// The parts are as of this event.
    pub seq: Seq,
    /// The whole roundtable part (as `state.roundtable`), when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roundtable: Option<RoundtableView>,
    /// The whole consultation part (as `state.consultation`: phase, figures, queue…), when it
    /// changed. Never the statement list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation: Option<ConsultationView>,
    /// Consultations: the statements the event touched, as this reader sees them now (replace
    /// or insert by `id`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<StatementView>,
    /// Consultations: statements the event touched that this reader does not see (any more):
    /// remove them from the list (e.g. rejected, or posted held for those who do not moderate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<StatementId>,
    /// Sent after the events of a resume: the parts as of the head, whatever changed or not;
    /// statements changed during the missed events are not listed (a consultation's client
    /// fetches the view once).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resume: bool,
}
