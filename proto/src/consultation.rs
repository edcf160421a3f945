//! Consultations: phases, questions, moderation modes, syntheses with citations, inputs rolled
//! up from child consultations, participation figures, and the threads of `GET
//! /api/rooms/{id}/threads`.
//!
//! The commands and events that carry these types are variants of
//! [`RoomCommand`](crate::command::RoomCommand) and [`EventBody`](crate::event::EventBody);
//! a consultation room's [`RoomView`](crate::view::RoomView) carries a [`ConsultationView`].

use crate::ids::{Millis, QuestionId, RoomId, Seq, StatementId, UserId};
use crate::room::Scope;
use crate::view::StatementView;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most characters of a question.
pub const MAX_QUESTION_CHARS: usize = 1_000;
/// Most characters of a synthesis.
pub const MAX_SYNTHESIS_CHARS: usize = 20_000;
/// Most citations of one synthesis.
pub const MAX_CITATIONS: usize = 200;
/// Most characters of a citation's excerpt.
pub const MAX_EXCERPT_CHARS: usize = 500;
/// Most questions of one consultation.
pub const MAX_QUESTIONS: usize = 50;

/// Where a consultation stands. Phases only move forward, except that a closed consultation
/// may be reopened: `draft` → `open` ⇄ `closed` → `synthesis` → `published`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Being prepared by the secretariat; only the secretariat, moderators and rapporteurs
    /// may enter.
    #[default]
    Draft,
    /// Taking submissions and replies.
    Open,
    /// No more submissions; moderation continues.
    Closed,
    /// The secretariat or a rapporteur writes the synthesis.
    Synthesis,
    /// Final: the synthesis is public and rolled up to the parent consultation.
    Published,
}

impl Phase {
    /// The wire name (`"open"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Draft => "draft",
            Phase::Open => "open",
            Phase::Closed => "closed",
            Phase::Synthesis => "synthesis",
            Phase::Published => "published",
        }
    }
}

/// A scheduled end of a phase: at `at` the server's timer moves the consultation on by
/// itself (today: the open phase closes). Set with `set_phase_deadline`, removed with
/// `clear_phase_deadline`; it lapses when the phase ends earlier by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PhaseDeadline {
    /// The phase that ends (`open`).
    pub phase: Phase,
    /// When it ends (ms since the Unix epoch).
    pub at: Millis,
    /// Who scheduled it.
    pub by: UserId,
    /// When they did.
    pub set_at: Millis,
}

/// The phases that may carry a deadline, and the phase their deadline leads to.
pub const DEADLINE_PHASES: [(Phase, Phase); 1] = [(Phase::Open, Phase::Closed)];

/// What a `phase_changed` caused by a deadline states: no person changed the phase; the
/// deadline set by `set_by` at `set_at` passed at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeadlinePassed {
    /// The deadline.
    pub at: Millis,
    /// Who had scheduled it.
    pub set_by: UserId,
    /// When they had.
    pub set_at: Millis,
}

/// How submissions are moderated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModerationMode {
    /// Visible at once; moderators may hide them afterwards (the default).
    #[default]
    Post,
    /// Held until a moderator approves them (submissions of moderators are not held).
    Pre,
}

/// The position a reply takes towards the statement it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Alignment {
    /// Agrees.
    Supports,
    /// Neither.
    Neutral,
    /// Disagrees.
    Opposes,
}

/// One point a synthesis cites: a statement of this consultation, or a point of an input
/// received from a child consultation. Exactly one of `statement` and `input` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Citation {
    /// A statement of this consultation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementId>,
    /// An input of this consultation (the `seq` of its `input_received` event) …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Seq>,
    /// … and which of its points (0-based index into `points`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<u32>,
    /// A quotation; it must occur word for word in the cited text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// A cited point as it travels up: the original submission and the consultations whose
/// syntheses carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CitedPoint {
    /// The consultation the submission was made in.
    pub room: RoomId,
    /// The submission's id in that consultation.
    pub statement: StatementId,
    /// Its author.
    pub author: UserId,
    /// The organisation it was made for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Its language.
    pub lang: crate::ids::LanguageTag,
    /// Its text as published (the latest version).
    pub text: String,
    /// The quotation the citing synthesis chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// The consultations whose syntheses cited it, from `room` upwards to the one that sent
    /// this input.
    pub chain: Vec<RoomId>,
}

/// What a published child consultation hands to its parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConsultationInput {
    /// The child consultation.
    pub from: RoomId,
    /// Its title.
    pub title: String,
    /// Its scope.
    pub scope: Scope,
    /// Its published synthesis.
    pub synthesis: String,
    /// The points its synthesis cites, traced to their original submissions.
    pub points: Vec<CitedPoint>,
    /// When the child was published.
    pub published_at: Millis,
}

/// A question (theme) of a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QuestionView {
    /// Id (the `seq` of its `question_added` event).
    pub id: QuestionId,
    /// The question.
    pub text: String,
    /// When it was added.
    pub added_at: Millis,
}

/// The synthesis, latest version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SynthesisView {
    /// Text.
    pub text: String,
    /// Citations.
    pub citations: Vec<Citation>,
    /// 1 for the first draft, one more for each later draft.
    pub version: u32,
    /// Who wrote this version.
    pub by: UserId,
    /// When.
    pub at: Millis,
}

/// An input received from a child consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InputView {
    /// Id (the `seq` of its `input_received` event); citations name it.
    pub id: Seq,
    /// When it arrived.
    pub received_at: Millis,
    /// The input.
    #[serde(flatten)]
    pub input: ConsultationInput,
}

/// A report of a statement by a participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReportView {
    /// The statement.
    pub statement: StatementId,
    /// Who reported it.
    pub by: UserId,
    /// Why.
    pub reason: String,
    /// When.
    pub at: Millis,
}

/// What waits for a moderator; only moderators and the secretariat see it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ModerationQueue {
    /// Statements held for approval (pre-moderation), oldest first.
    pub held: Vec<StatementId>,
    /// Reports of statements that are neither hidden nor rejected, oldest first.
    pub reported: Vec<ReportView>,
}

/// Submissions and distinct organisations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    /// Visible submissions and replies (hidden, held and rejected ones do not count).
    pub submissions: u32,
    /// Distinct organisations among their authors.
    pub organisations: u32,
}

/// The participation figures a secretariat reports. Keys of the maps: question ids, the
/// constituency wire names (`none` without one), the UN regional group slug or else the M49
/// region code of the author's country (`unknown` without one), and language tags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Figures {
    /// All questions together.
    pub total: Tally,
    /// Per question id (as a decimal string: JSON object keys are strings).
    pub by_question: BTreeMap<String, Tally>,
    /// Per constituency.
    pub by_constituency: BTreeMap<String, Tally>,
    /// Per region.
    pub by_region: BTreeMap<String, Tally>,
    /// Per language.
    pub by_language: BTreeMap<String, Tally>,
}

/// The consultation part of a room's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConsultationView {
    /// Phase.
    pub phase: Phase,
    /// Moderation mode.
    pub moderation: ModerationMode,
    /// Questions in the order they were added.
    pub questions: Vec<QuestionView>,
    /// Rapporteurs named by the secretariat.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rapporteurs: Vec<UserId>,
    /// The consultation this one rolls up into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<RoomId>,
    /// The synthesis: for everyone once published, before that for moderators only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthesis: Option<SynthesisView>,
    /// Inputs received from child consultations, in order of arrival.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<InputView>,
    /// What waits for moderators; absent for other readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<ModerationQueue>,
    /// Participation figures.
    pub figures: Figures,
    /// The scheduled end of a phase, if one is set (the open phase's while draft or open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<PhaseDeadline>,
}

/// A statement with its replies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Thread {
    /// The statement.
    #[serde(flatten)]
    pub statement: StatementView,
    /// Its replies, oldest first, each with their own replies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replies: Vec<Thread>,
}

/// One question and the threads under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QuestionThreads {
    /// The question.
    #[serde(flatten)]
    pub question: QuestionView,
    /// Submissions that answer it, oldest first, with their replies.
    pub threads: Vec<Thread>,
}

/// Body of `GET /api/rooms/{id}/threads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ThreadsPage {
    /// The consultation.
    pub room: RoomId,
    /// The `seq` the page is current to (resume a socket from here).
    pub seq: Seq,
    /// Title.
    pub title: String,
    /// Phase.
    pub phase: Phase,
    /// Questions with their threads.
    pub questions: Vec<QuestionThreads>,
    /// Statements outside any question (posted by moderators for announcements).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<Thread>,
    /// The synthesis, as the reader may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthesis: Option<SynthesisView>,
    /// Inputs from child consultations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<InputView>,
    /// Participation figures.
    pub figures: Figures,
}
