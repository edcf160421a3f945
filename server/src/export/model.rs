//! The export model: the record of one room as a document, built by [`project`](super::project)
//! and rendered by one module per format. Plain data; nothing here reads the record.

use super::labels::Lang;
use baraza_proto::consultation::{
    Alignment, Citation, Figures, InputView, ModerationMode, Phase, SynthesisView,
};
use baraza_proto::event::LeaveReason;
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::{AgendaItemId, LanguageTag, Millis, QuestionId, RoomId, Seq, UserId};
use baraza_proto::room::{RoomKind, Scope};
use baraza_proto::roundtable::{FloorEndReason, RequestKind, RulingView, SpeakingStats, TurnId};
use serde::Serialize;

/// Who the export was made for: everything (marked) or the published record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// A moderating reader: statements that are not published are included, marked.
    Full,
    /// Everyone else: statements that are not published are left out.
    Public,
}

/// The record of one room as a document.
///
/// Guarantees: built only from the room's events; statements of [`Status::Published`] only
/// when `audience` is [`Audience::Public`]; `head` is the record's last event.
#[derive(Debug, Clone, Serialize)]
pub struct Export {
    /// The room.
    pub room: RoomId,
    /// Its kind.
    pub kind: RoomKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Scope: where the forum sits.
    pub scope: Scope,
    /// Working languages.
    pub languages: Vec<LanguageTag>,
    /// Language of the document's headings.
    pub lang: Lang,
    /// Who it was made for.
    pub audience: Audience,
    /// The first event's time (the room's creation).
    pub created_at: Millis,
    /// The first and last time something happened on the floor or in the room after its
    /// creation (equal to `created_at` for a room where nothing happened).
    pub from: Millis,
    /// See `from`.
    pub to: Millis,
    /// Who chaired: those who ran the floor, in the order they first did.
    pub chairs: Vec<UserId>,
    /// Everyone the document names, in order of first appearance.
    pub people: Vec<Person>,
    /// Roundtables: the agenda in its order.
    pub agenda: Vec<AgendaItem>,
    /// Statements outside any agenda item or question (a caucus's, announcements).
    pub other_statements: Vec<Statement>,
    /// Who was present, from when to when.
    pub attendance: Vec<Attendance>,
    /// Roundtables: speaking statistics of the whole session.
    pub speaking: Option<SpeakingStats>,
    /// Consultations: questions, submissions, synthesis, inputs and figures.
    pub consultation: Option<ConsultationPart>,
    /// How many statements the audience may not read were left out.
    pub left_out: u32,
    /// When the room was archived (its record closed for good).
    pub archived_at: Option<Millis>,
    /// The minutes, once approved and sealed (drafts are never exported).
    pub minutes: Option<ApprovedMinutes>,
    /// Where the record ends.
    pub head: HeadRef,
}

/// Minutes approved by the secretariat and sealed into the record.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovedMinutes {
    /// The final text.
    pub text: String,
    /// Its language.
    pub lang: LanguageTag,
    /// Who approved them.
    pub approved_by: UserId,
    /// When.
    pub approved_at: Millis,
    /// The `seq` of the `minutes_approved` event.
    pub seq: Seq,
    /// SHA-256 of the text (UTF-8), lowercase hex, as the event carries it.
    pub sha256: String,
    /// How many corrections were accepted and how many declined.
    pub corrections: (usize, usize),
}

/// The last event of the record, which every earlier event is chained into.
#[derive(Debug, Clone, Serialize)]
pub struct HeadRef {
    /// Its seq.
    pub seq: Seq,
    /// Its hash, lowercase hex.
    pub hash: String,
}

/// A person as the record knows them (their latest profile).
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    /// Id.
    pub user: UserId,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Organisation.
    pub org: Option<String>,
    /// Constituency.
    pub constituency: Option<Constituency>,
    /// Country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// UN regional group slug.
    pub un_group: Option<String>,
}

/// One agenda item and what happened under it.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaItem {
    /// Id.
    pub id: AgendaItemId,
    /// Title.
    pub title: String,
    /// The turns granted on it, in order.
    pub turns: Vec<Turn>,
    /// Statements posted on the item outside a turn.
    pub statements: Vec<Statement>,
}

/// A turn at the floor.
#[derive(Debug, Clone, Serialize)]
pub struct Turn {
    /// Id (the `seq` of its grant).
    pub id: TurnId,
    /// The speaker.
    pub speaker: UserId,
    /// What for.
    pub kind: RequestKind,
    /// For a reply: the turn answered and its speaker.
    pub reply_to: Option<(TurnId, UserId)>,
    /// When it began.
    pub started_at: Millis,
    /// Time spoken (once ended).
    pub spoken_ms: Option<u64>,
    /// Time given.
    pub duration_ms: u64,
    /// Why it ended.
    pub end_reason: Option<FloorEndReason>,
    /// Why the chair did not follow the suggested order.
    pub out_of_order: Option<String>,
    /// For a point of order: the chair's ruling.
    pub ruling: Option<RulingView>,
    /// Statements made from the floor during the turn.
    pub statements: Vec<Statement>,
}

/// Whether a statement is part of the published record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Visible to everyone.
    Published,
    /// Waiting for a moderator's approval.
    Held,
    /// Refused by a moderator.
    Rejected,
    /// Hidden by a moderator.
    Hidden,
}

/// A statement.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    /// Id (the `seq` of its posting).
    pub id: Seq,
    /// Author.
    pub author: UserId,
    /// Organisation spoken for.
    pub org: Option<String>,
    /// Language.
    pub lang: LanguageTag,
    /// Text (the latest version).
    pub text: String,
    /// When posted.
    pub posted_at: Millis,
    /// When last edited, and how many earlier versions the record keeps.
    pub edited: Option<(Millis, usize)>,
    /// Status.
    pub status: Status,
    /// The moderator's reason, for hidden and rejected statements.
    pub status_reason: Option<String>,
    /// The statement it replies to.
    pub parent: Option<Seq>,
    /// A reply's position towards its parent.
    pub alignment: Option<Alignment>,
    /// Replies, oldest first (consultation threads).
    pub replies: Vec<Statement>,
    /// A caucus's joint statement: the caucus, its endorsers and the link to its adoption.
    pub joint: Option<baraza_proto::caucus::JointOrigin>,
}

/// Someone's presence: from a join to the departure after it (`None`: still present).
#[derive(Debug, Clone, Serialize)]
pub struct Attendance {
    /// Who.
    pub user: UserId,
    /// Joined.
    pub from: Millis,
    /// Left.
    pub to: Option<Millis>,
    /// Why they left.
    pub reason: Option<LeaveReason>,
}

/// A consultation's part of the document.
#[derive(Debug, Clone, Serialize)]
pub struct ConsultationPart {
    /// Phase.
    pub phase: Phase,
    /// Moderation mode.
    pub moderation: ModerationMode,
    /// The consultation it rolls up into.
    pub parent: Option<RoomId>,
    /// Rapporteurs.
    pub rapporteurs: Vec<UserId>,
    /// Questions with their submissions.
    pub questions: Vec<Question>,
    /// The synthesis as the audience may read it.
    pub synthesis: Option<SynthesisView>,
    /// Inputs from child consultations, with the chain of origin of each point.
    pub inputs: Vec<InputView>,
    /// Participation figures.
    pub figures: Figures,
}

/// A question and its submissions by status.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// Id.
    pub id: QuestionId,
    /// Text.
    pub text: String,
    /// Published submissions with their published replies.
    pub published: Vec<Statement>,
    /// Submissions and replies that are not published (full exports only), oldest first.
    pub withheld: Vec<Statement>,
}

impl Export {
    /// A person named by the document (every id it uses is among `people`).
    pub fn person(&self, user: &UserId) -> Option<&Person> {
        self.people.iter().find(|p| &p.user == user)
    }

    /// The display name of `user` (the id when unknown).
    pub fn name(&self, user: &UserId) -> String {
        self.person(user)
            .map_or_else(|| user.to_string(), |p| p.name.clone())
    }

    /// Every statement of the document, in document order, replies after their parent.
    pub fn statements(&self) -> Vec<&Statement> {
        fn walk<'a>(s: &'a Statement, out: &mut Vec<&'a Statement>) {
            out.push(s);
            for r in &s.replies {
                walk(r, out);
            }
        }
        let mut out = Vec::new();
        for item in &self.agenda {
            for turn in &item.turns {
                turn.statements.iter().for_each(|s| walk(s, &mut out));
            }
            item.statements.iter().for_each(|s| walk(s, &mut out));
        }
        if let Some(c) = &self.consultation {
            for q in &c.questions {
                q.published.iter().for_each(|s| walk(s, &mut out));
                q.withheld.iter().for_each(|s| walk(s, &mut out));
            }
        }
        self.other_statements.iter().for_each(|s| walk(s, &mut out));
        out
    }

    /// Whether the document holds statement `id` (a citation may link to it).
    pub fn has_statement(&self, id: Seq) -> bool {
        self.statements().iter().any(|s| s.id == id)
    }
}

/// A citation's target as the document can show it.
pub fn cited_statement(citation: &Citation) -> Option<Seq> {
    citation.statement
}
