//! Caucuses that organise themselves (the major-groups format): organising partners, named by
//! the secretariat or elected by the member organisations, and joint statements that the
//! caucus adopts and that are then posted to its parent room on its behalf.
//!
//! Organisations are named as members' identities show them (`Profile::org`, from the
//! registry); a caucus never takes an organisation's name as typed.

use crate::identity::Constituency;
use crate::ids::{LanguageTag, Millis, QuestionId, RoomId, Seq, StatementId, UserId};
use crate::room::RoomKind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Id of an election: the `seq` of its `election_opened` event.
pub type ElectionId = Seq;

/// Id of a joint statement: the `seq` of its `joint_statement_drafted` event.
pub type JointStatementId = Seq;

/// Body of `name_partner`: the secretariat names an organising partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NamePartner {
    /// The organisation, as a member's identity names it.
    pub org: String,
    /// Why (1–500 characters); shown to every member.
    pub reason: String,
}

/// Body of `open_election`: the chair or the secretariat opens an election of organising
/// partners. Needs an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OpenElection {
    /// The candidate organisations (1–50, each a member's organisation, no repeats).
    pub candidates: Vec<String>,
    /// How many organising partners are elected (1 to the number of candidates).
    pub seats: u32,
}

/// Body of `cast_vote`: one vote per organisation, for 1 to `seats` distinct candidates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CastVote {
    /// Which election.
    pub election: ElectionId,
    /// The candidates voted for.
    pub choices: Vec<String>,
}

/// Body of `close_election`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ElectionRef {
    /// Which election.
    pub election: ElectionId,
}

/// Body of `draft_joint_statement`: an organising partner starts a joint statement. Needs an
/// idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DraftJointStatement {
    /// The text (1 to `limits.max_statement_chars` characters).
    pub text: String,
    /// Its language.
    pub lang: LanguageTag,
    /// For a parent consultation: the question it answers (required there, refused for a
    /// parent roundtable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<QuestionId>,
}

/// Body of `edit_joint_statement`: a new version of a draft (organising partners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EditJointStatement {
    /// Which statement.
    pub statement: JointStatementId,
    /// The new text.
    pub text: String,
}

/// Body of `endorse_joint_statement`, `adopt_joint_statement` and `resend_joint_statement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JointStatementRef {
    /// Which statement.
    pub statement: JointStatementId,
}

/// How a candidate fared in a closed election.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TallyLine {
    /// The candidate organisation.
    pub org: String,
    /// Votes received.
    pub votes: u32,
}

/// The result of an election as the domain computed it from the recorded votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ElectionResult {
    /// Every candidate with their votes, most votes first (equal votes in the order of the
    /// candidates' list).
    pub tally: Vec<TallyLine>,
    /// Those elected: they become organising partners.
    pub elected: Vec<String>,
    /// Candidates tied for the last seats: none of them is elected, and the tie is stated,
    /// not broken (the secretariat may name partners, or a new election be held).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tied: Vec<String>,
    /// Seats left unfilled because of the tie.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unfilled: u32,
    /// How many organisations voted.
    pub ballots: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Where a caucus's joint statement went, as the parent room answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Delivery {
    /// Adopted; the parent's answer has not been recorded yet.
    Pending,
    /// The parent recorded it as its statement `seq` (held: waiting for its moderators).
    Posted {
        /// The statement's id in the parent.
        seq: StatementId,
        /// Held for the parent's pre-moderation.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        held: bool,
    },
    /// The parent refused it; nothing was posted.
    Refused {
        /// The parent's error code.
        code: String,
        /// The parent's reason.
        reason: String,
    },
}

/// The link a parent's joint statement carries back to the caucus record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JointOrigin {
    /// The caucus.
    pub caucus: RoomId,
    /// The caucus's title when it adopted the statement.
    pub title: String,
    /// Its constituency: the statement is the joint statement of the "<constituency> caucus".
    pub constituency: Constituency,
    /// The statement's id in the caucus.
    pub statement: JointStatementId,
    /// The `seq` of the `joint_statement_adopted` event in the caucus record.
    pub adoption_seq: Seq,
    /// That event's hash (hex SHA-256), so anyone can check it against the caucus record.
    pub adoption_hash: String,
    /// The organisations that endorsed the adopted version, in the order they endorsed it.
    pub endorsers: Vec<String>,
    /// Who adopted it (an organising partner's representative or the secretariat).
    pub adopted_by: UserId,
}

/// What the caucus asks its parent to record: the adopted text and its origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JointPost {
    /// The text as adopted.
    pub text: String,
    /// Its language.
    pub lang: LanguageTag,
    /// The parent consultation's question it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<QuestionId>,
    /// Where it comes from.
    pub origin: JointOrigin,
}

/// The caucus's parent room as `parent_set` named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CaucusParent {
    /// The parent room.
    pub room: RoomId,
    /// Its title when it was named.
    pub title: String,
    /// Roundtable or consultation.
    pub kind: RoomKind,
}

/// An organising partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PartnerView {
    /// The organisation.
    pub org: String,
    /// Since when.
    pub since: Millis,
    /// How: the secretariat's reason, or the election that chose it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The election that elected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election: Option<ElectionId>,
}

/// An election, open or closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ElectionView {
    /// Id.
    pub id: ElectionId,
    /// Candidates.
    pub candidates: Vec<String>,
    /// Seats.
    pub seats: u32,
    /// When it opened.
    pub opened_at: Millis,
    /// The organisations that voted so far (ballots are secret from nobody: the record holds
    /// them), in the order they voted.
    pub voted: Vec<String>,
    /// Set once closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ElectionResult>,
}

/// An earlier version of a joint statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JointVersion {
    /// The text.
    pub text: String,
    /// Who wrote it.
    pub by: UserId,
    /// When.
    pub at: Millis,
}

/// An organisation's endorsement of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Endorsement {
    /// The organisation.
    pub org: String,
    /// The version endorsed (1 = the first draft).
    pub version: u32,
    /// Its representative who endorsed it.
    pub by: UserId,
    /// When.
    pub at: Millis,
}

/// A joint statement in its caucus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct JointStatementView {
    /// Id.
    pub id: JointStatementId,
    /// Its language.
    pub lang: LanguageTag,
    /// The parent's question it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<QuestionId>,
    /// The parent it goes to.
    pub parent: RoomId,
    /// Every version, oldest first; the last is the current text.
    pub versions: Vec<JointVersion>,
    /// Endorsements, in order.
    pub endorsements: Vec<Endorsement>,
    /// The `seq` of its adoption, once adopted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted_seq: Option<Seq>,
    /// Who adopted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted_by: Option<UserId>,
    /// The endorsers of the adopted version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adopted_endorsers: Vec<String>,
    /// Where it went, once adopted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

/// The caucus part of a room's view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CaucusView {
    /// The parent room its joint statements go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<CaucusParent>,
    /// Organising partners, in the order they became partners.
    pub partners: Vec<PartnerView>,
    /// Elections, in order.
    pub elections: Vec<ElectionView>,
    /// Joint statements, in order.
    pub statements: Vec<JointStatementView>,
}
