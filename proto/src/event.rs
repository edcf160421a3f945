//! Events: the facts a room's record is made of.
//!
//! An `EventEnvelope` is exactly what is hashed into the chain (its canonical JSON) and, with
//! `"type":"event"` in front, exactly what subscribers receive.

use crate::caucus as cc;
use crate::consultation::{
    Alignment, Citation, ConsultationInput, DeadlinePassed, ModerationMode, Phase,
};
use crate::identity::Profile;
use crate::ids::{
    AgendaItemId, IdempotencyKey, LanguageTag, Millis, QuestionId, RoomId, Seq, StatementId, UserId,
};
use crate::registry::RegistryEvent;
use crate::room::{RoomKind, RoomSettings, Scope};
use crate::roundtable as rt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One event of a room's record, with its position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EventEnvelope {
    /// The room.
    pub room: RoomId,
    /// Position in the room's record (1, 2, 3 … without gaps).
    pub seq: Seq,
    /// When the server decided it (ms since the Unix epoch).
    pub ts: Millis,
    /// Who caused it; absent for events the server causes itself (timers, clean-up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<UserId>,
    /// The idempotency key of the command that caused it, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<IdempotencyKey>,
    /// What happened.
    pub body: EventBody,
}

/// Why someone left a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    /// They said so (`leave`).
    Left,
    /// Their connection ended and they did not come back within the grace period.
    Disconnected,
    /// The node that held their connection stopped and nobody resumed for them.
    NodeLost,
}

/// What the registry did that ended someone's access to a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessEndCause {
    /// The secretariat or the focal point revoked the person.
    PersonRevoked,
    /// The organisation's accreditation to the room's forum was withdrawn.
    AccreditationWithdrawn,
}

/// `access_ended`: whose access the registry ended, why, and which registry event did it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AccessEnded {
    /// Whose access ended.
    pub user: UserId,
    /// What the registry did.
    pub cause: AccessEndCause,
    /// The reason the registry recorded with it.
    pub reason: String,
    /// The seq of that event in the registry's record (`registry`), where it can be verified.
    pub registry_seq: Seq,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    /// The room was created (always `seq` 1).
    RoomCreated(RoomSettings),
    /// Someone entered the room.
    MemberJoined {
        /// Who, as their token described them when they joined.
        member: Profile,
    },
    /// Someone left the room.
    MemberLeft {
        /// Who.
        user: UserId,
        /// Why.
        reason: LeaveReason,
    },
    /// The registry ended someone's access to the room (their person was revoked, or their
    /// organisation's accreditation to the room's forum withdrawn): the server cut off their
    /// connections to it and they are no longer present; their waiting requests are dropped.
    /// Recorded by the server (no actor), once per registry event.
    AccessEnded(AccessEnded),
    /// The audience changed (observers, and above the room's `audience_above` those who
    /// joined without a role in the debate): who of the audience arrived and who of it left
    /// since the last digest, recorded by the server (no actor) at most once a second instead
    /// of one `member_joined`/`member_left` each. Those arriving are present from then on,
    /// those leaving no longer. Readers who do not moderate get it without the names
    /// (`arrived` and `left` empty): only `count`.
    AudienceChanged {
        /// Who arrived, as their tokens described them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        arrived: Vec<Profile>,
        /// Who left.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        left: Vec<UserId>,
        /// How many of the audience are present after this event.
        count: u32,
    },
    /// A statement was posted by the event's actor. Its id is this event's `seq`.
    StatementPosted {
        /// Text. In the hashed (canonical) form of an event carrying `text_commitment` it is
        /// absent: the text is stored beside the event and withdrawn when it is redacted.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        text: String,
        /// SHA-256 (hex) committing to the text (see `record::commitment` on the server);
        /// absent in records written before commitments (canonical form v1).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text_commitment: Option<String>,
        /// Language of the text.
        lang: LanguageTag,
        /// The statement it replies to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<StatementId>,
        /// Agenda item it speaks to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agenda_item: Option<AgendaItemId>,
        /// Question it answers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question: Option<QuestionId>,
        /// A reply's position towards its parent (consultations).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alignment: Option<Alignment>,
        /// Held for approval (pre-moderated consultations): only moderators see it until a
        /// `statement_approved`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        held: bool,
        /// Files that came with it (by e-mail), stored content-addressed by their SHA-256.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<crate::mail::Attachment>,
        /// Set when it came by e-mail: the sender as the registry knows them (the actor is
        /// never present in the room for it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by_mail: Option<crate::identity::Profile>,
        /// Set when it is a caucus's joint statement, recorded by the server on the caucus's
        /// behalf (the event has no actor): the caucus, its endorsers and the adoption's link.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        // Boxed: it is large and rare, and every event would otherwise carry its size.
        joint: Option<Box<cc::JointOrigin>>,
    },
    /// A statement was hidden by a moderator. It stays in the record.
    StatementHidden {
        /// Which statement.
        statement: StatementId,
        /// Why.
        reason: String,
    },
    /// Roundtables: the floor settings changed.
    RoundtableConfigured(rt::ConfigureRoundtable),
    /// Roundtables: an agenda item was added; its id is this event's `seq`.
    AgendaItemAdded(rt::AgendaItemAdded),
    /// Roundtables: an item is under discussion.
    AgendaItemOpened(rt::ItemRef),
    /// Roundtables: an item was closed; its remaining requests are dropped.
    AgendaItemClosed(rt::ItemRef),
    /// Roundtables: the agenda's new order.
    AgendaReordered(rt::ReorderAgenda),
    /// Roundtables: an item's ordering policy changed.
    SpeakingPolicySet(rt::SetSpeakingPolicy),
    /// Roundtables: a constituency's budget on an item was set or removed.
    TimeBudgetSet(rt::SetTimeBudget),
    /// Roundtables: the actor asked for the floor; the request's id is this `seq`.
    FloorRequested(rt::FloorRequested),
    /// Roundtables: a request left the list ungranted.
    RequestWithdrawn(rt::RequestWithdrawn),
    /// Roundtables: a moderator took a request off the list, with a reason.
    RequestRemoved(rt::RequestRemoved),
    /// Roundtables: an item's list closed to `speak` and `reply`.
    SpeakingListClosed(rt::ItemRef),
    /// Roundtables: an item's list reopened.
    SpeakingListReopened(rt::ItemRef),
    /// Roundtables: a turn began; its id is this `seq`.
    FloorGranted(rt::FloorGranted),
    /// Roundtables: the turn got more time.
    FloorExtended(rt::FloorExtended),
    /// Roundtables: the clock stopped.
    FloorPaused(rt::FloorRemaining),
    /// Roundtables: the clock runs again.
    FloorResumed(rt::FloorResumed),
    /// Roundtables: the deadline is near (server timer).
    FloorWarning(rt::FloorRemaining),
    /// Roundtables: the deadline passed and the moderator decides (server timer).
    FloorTimeUp(rt::TurnRef),
    /// Roundtables: the turn ended; `spoken_ms` feeds the statistics.
    FloorEnded(rt::FloorEnded),
    /// Roundtables: someone was muted; their requests are dropped.
    ParticipantMuted(rt::Sanction),
    /// Roundtables: a mute was lifted.
    ParticipantUnmuted(rt::UserRef),
    /// Roundtables: someone was expelled: no longer present, may not rejoin.
    ParticipantExpelled(rt::Sanction),
    /// Roundtables: an expelled person may join again.
    ParticipantReadmitted(rt::UserRef),
    /// Roundtables: the chair ruled on a point of order (the event's actor is the chair).
    PointOfOrderRuled(rt::RulePointOfOrder),
    /// The secretariat added a question; its id is this event's `seq`.
    QuestionAdded {
        /// The question.
        text: String,
    },
    /// The secretariat replaced a question's text (draft only).
    QuestionEdited {
        /// Which question.
        question: QuestionId,
        /// The new text.
        text: String,
    },
    /// The secretariat withdrew a question (draft only); it is no longer asked.
    QuestionWithdrawn {
        /// Which question.
        question: QuestionId,
    },
    /// A moderator set a report aside; it leaves the moderation queue.
    ReportDismissed {
        /// The reported statement.
        statement: StatementId,
        /// Who had reported it.
        reporter: UserId,
    },
    /// The secretariat changed the room's title, description and working languages.
    RoomUpdated {
        /// Title.
        title: String,
        /// Description or background paper.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
        /// Working languages.
        languages: Vec<LanguageTag>,
    },
    /// The secretariat archived the room: this is the last event of its record; every later
    /// command is refused (`room_archived`).
    RoomArchived,
    /// The consultation moved to another phase: by the secretariat (the event's actor), or,
    /// with `deadline` set and no actor, because a scheduled deadline passed (server timer).
    PhaseChanged {
        /// The new phase.
        phase: Phase,
        /// Set when the server's timer made the change: the deadline that passed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline: Option<DeadlinePassed>,
    },
    /// The secretariat scheduled (or moved) the end of a phase.
    PhaseDeadlineSet {
        /// The phase that will end (`open`).
        phase: Phase,
        /// When (ms since the Unix epoch).
        at: Millis,
    },
    /// The secretariat cancelled a phase's scheduled end.
    PhaseDeadlineCleared {
        /// The phase.
        phase: Phase,
    },
    /// The moderation mode changed (it applies to later submissions).
    ModerationSet {
        /// The mode.
        mode: ModerationMode,
    },
    /// The consultation now rolls up into `parent`; a caucus's joint statements go there.
    ParentSet {
        /// The parent consultation (or, for a caucus, roundtable or consultation).
        parent: RoomId,
        /// Its title when it was named.
        title: String,
        /// Its scope.
        scope: Scope,
        /// Its kind (set for a caucus's parent; a consultation's parent is a consultation).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<RoomKind>,
    },
    /// The secretariat named a rapporteur.
    RapporteurAppointed {
        /// Who.
        user: UserId,
    },
    /// The secretariat withdrew a rapporteur.
    RapporteurDismissed {
        /// Who.
        user: UserId,
    },
    /// The author replaced a statement's text; the earlier text stays in the record.
    StatementEdited {
        /// Which statement.
        statement: StatementId,
        /// The new text (absent from the hashed form when committed, as for `statement_posted`).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        text: String,
        /// SHA-256 (hex) committing to the new text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text_commitment: Option<String>,
    },
    /// The secretariat redacted a statement on a lawful request: its texts (as posted and every
    /// edit) are withdrawn from storage; the record keeps their commitments, so every hash
    /// stands.
    StatementRedacted {
        /// Which statement.
        statement: StatementId,
        /// Why (1–500 characters); shown to everyone in place of the text.
        reason: String,
    },
    /// The record was carried over to the canonical form with text commitments (`baraza
    /// migrate`): every earlier event was sealed again; this event keeps the old head.
    RecordMigrated {
        /// The canonical form the events were in (1).
        from_version: u32,
        /// The last seq of the record before the migration.
        old_head_seq: Seq,
        /// The hash (hex) of that event under the old form.
        old_head_hash: String,
    },
    /// A moderator made a hidden statement visible again.
    StatementRestored {
        /// Which statement.
        statement: StatementId,
    },
    /// A moderator approved a held statement: it is visible from now on.
    StatementApproved {
        /// Which statement.
        statement: StatementId,
    },
    /// A moderator refused a held statement: it stays invisible to all but moderators.
    StatementRejected {
        /// Which statement.
        statement: StatementId,
        /// Why.
        reason: String,
    },
    /// A member reported a statement to the moderators.
    StatementReported {
        /// Which statement.
        statement: StatementId,
        /// Why.
        reason: String,
    },
    /// A new version of the synthesis.
    SynthesisDrafted {
        /// Text.
        text: String,
        /// Citations.
        citations: Vec<Citation>,
    },
    /// A child consultation was published and its synthesis arrived (recorded by the server).
    InputReceived {
        /// The input.
        input: ConsultationInput,
    },
    /// Minutes: a new version of the draft by the event's actor (secretariat or rapporteur).
    MinutesDrafted {
        /// The whole text.
        text: String,
        /// Its language.
        lang: LanguageTag,
    },
    /// Minutes: the draft went to the speakers it quotes; corrections are taken until
    /// `deadline`.
    MinutesCirculated {
        /// Until when (ms since the epoch).
        deadline: Millis,
    },
    /// Minutes: the event's actor, the author of `statement`, proposed a correction; its id is
    /// this event's `seq`.
    MinutesCorrectionProposed {
        /// Their statement the passage reports.
        statement: StatementId,
        /// The passage, as it stood in the text.
        passage: String,
        /// What it should say instead.
        replacement: String,
    },
    /// Minutes: the secretariat accepted a correction; the passage (which stands exactly once
    /// in the text) is replaced by the correction's replacement, giving a new version.
    MinutesCorrectionAccepted {
        /// Which correction.
        correction: Seq,
        /// Why.
        reason: String,
    },
    /// Minutes: the secretariat declined a correction; the text stays as it was.
    MinutesCorrectionDeclined {
        /// Which correction.
        correction: Seq,
        /// Why.
        reason: String,
    },
    /// Minutes: the secretariat approved the minutes. They are sealed: `text` is final and
    /// `sha256` its hash (UTF-8 bytes, lowercase hex); every later minutes command is refused.
    MinutesApproved {
        /// The final text.
        text: String,
        /// Its language.
        lang: LanguageTag,
        /// SHA-256 of `text`.
        sha256: String,
    },
    /// Caucuses: the secretariat named an organising partner.
    PartnerNamed(cc::NamePartner),
    /// Caucuses: the secretariat removed an organising partner.
    PartnerRemoved(cc::NamePartner),
    /// Caucuses: an election of organising partners opened; its id is this event's `seq`.
    ElectionOpened(cc::OpenElection),
    /// Caucuses: an organisation voted (the actor is its representative).
    VoteCast {
        /// Which election.
        election: cc::ElectionId,
        /// The organisation, from the voter's identity.
        org: String,
        /// Its choices.
        choices: Vec<String>,
    },
    /// Caucuses: an election closed with the result computed from its recorded votes; the
    /// elected organisations are organising partners from now on.
    ElectionClosed {
        /// Which election.
        election: cc::ElectionId,
        /// The result.
        result: cc::ElectionResult,
    },
    /// Caucuses: an organising partner drafted a joint statement; its id is this `seq`.
    JointStatementDrafted {
        /// Text (version 1).
        text: String,
        /// Language.
        lang: LanguageTag,
        /// The parent consultation's question.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question: Option<QuestionId>,
        /// The parent room it is meant for.
        parent: RoomId,
    },
    /// Caucuses: a new version of a joint statement.
    JointStatementEdited(cc::EditJointStatement),
    /// Caucuses: an organisation endorsed a version (the actor is its representative).
    JointStatementEndorsed {
        /// Which statement.
        statement: cc::JointStatementId,
        /// The organisation, from the actor's identity.
        org: String,
        /// The version endorsed.
        version: u32,
    },
    /// Caucuses: the caucus adopted a version; the server then posts it to the parent.
    JointStatementAdopted {
        /// Which statement.
        statement: cc::JointStatementId,
        /// The version adopted.
        version: u32,
        /// The organisations that endorsed that version.
        endorsers: Vec<String>,
    },
    /// Caucuses: the parent room answered the post (recorded by the server from the
    /// parent's answer: posted with its seq, or refused with the parent's reason).
    JointStatementDelivered {
        /// Which statement.
        statement: cc::JointStatementId,
        /// The parent room.
        parent: RoomId,
        /// What the parent answered.
        delivery: cc::Delivery,
    },
    /// Caucuses: a refused statement is sent to the parent once more.
    JointStatementResent(cc::JointStatementRef),
    /// The registry's record only (`room` is `registry`): a fact about organisations,
    /// accreditation or invitations, `{"type":"registry","event":"application_decided",…}`.
    Registry(RegistryEvent),
}

impl EventBody {
    /// The wire name of the event (`"statement_posted"` …).
    pub fn name(&self) -> &'static str {
        match self {
            EventBody::RoomCreated(_) => "room_created",
            EventBody::MemberJoined { .. } => "member_joined",
            EventBody::MemberLeft { .. } => "member_left",
            EventBody::AccessEnded(_) => "access_ended",
            EventBody::AudienceChanged { .. } => "audience_changed",
            EventBody::StatementPosted { .. } => "statement_posted",
            EventBody::StatementHidden { .. } => "statement_hidden",
            EventBody::RoundtableConfigured(_) => "roundtable_configured",
            EventBody::AgendaItemAdded(_) => "agenda_item_added",
            EventBody::AgendaItemOpened(_) => "agenda_item_opened",
            EventBody::AgendaItemClosed(_) => "agenda_item_closed",
            EventBody::AgendaReordered(_) => "agenda_reordered",
            EventBody::SpeakingPolicySet(_) => "speaking_policy_set",
            EventBody::TimeBudgetSet(_) => "time_budget_set",
            EventBody::FloorRequested(_) => "floor_requested",
            EventBody::RequestWithdrawn(_) => "request_withdrawn",
            EventBody::RequestRemoved(_) => "request_removed",
            EventBody::SpeakingListClosed(_) => "speaking_list_closed",
            EventBody::SpeakingListReopened(_) => "speaking_list_reopened",
            EventBody::FloorGranted(_) => "floor_granted",
            EventBody::FloorExtended(_) => "floor_extended",
            EventBody::FloorPaused(_) => "floor_paused",
            EventBody::FloorResumed(_) => "floor_resumed",
            EventBody::FloorWarning(_) => "floor_warning",
            EventBody::FloorTimeUp(_) => "floor_time_up",
            EventBody::FloorEnded(_) => "floor_ended",
            EventBody::ParticipantMuted(_) => "participant_muted",
            EventBody::ParticipantUnmuted(_) => "participant_unmuted",
            EventBody::ParticipantExpelled(_) => "participant_expelled",
            EventBody::ParticipantReadmitted(_) => "participant_readmitted",
            EventBody::PointOfOrderRuled(_) => "point_of_order_ruled",
            EventBody::QuestionAdded { .. } => "question_added",
            EventBody::QuestionEdited { .. } => "question_edited",
            EventBody::QuestionWithdrawn { .. } => "question_withdrawn",
            EventBody::ReportDismissed { .. } => "report_dismissed",
            EventBody::RoomUpdated { .. } => "room_updated",
            EventBody::RoomArchived => "room_archived",
            EventBody::PhaseChanged { .. } => "phase_changed",
            EventBody::PhaseDeadlineSet { .. } => "phase_deadline_set",
            EventBody::PhaseDeadlineCleared { .. } => "phase_deadline_cleared",
            EventBody::ModerationSet { .. } => "moderation_set",
            EventBody::ParentSet { .. } => "parent_set",
            EventBody::RapporteurAppointed { .. } => "rapporteur_appointed",
            EventBody::RapporteurDismissed { .. } => "rapporteur_dismissed",
            EventBody::StatementEdited { .. } => "statement_edited",
            EventBody::StatementRedacted { .. } => "statement_redacted",
            EventBody::RecordMigrated { .. } => "record_migrated",
            EventBody::StatementRestored { .. } => "statement_restored",
            EventBody::StatementApproved { .. } => "statement_approved",
            EventBody::StatementRejected { .. } => "statement_rejected",
            EventBody::StatementReported { .. } => "statement_reported",
            EventBody::SynthesisDrafted { .. } => "synthesis_drafted",
            EventBody::InputReceived { .. } => "input_received",
            EventBody::MinutesDrafted { .. } => "minutes_drafted",
            EventBody::MinutesCirculated { .. } => "minutes_circulated",
            EventBody::MinutesCorrectionProposed { .. } => "minutes_correction_proposed",
            EventBody::MinutesCorrectionAccepted { .. } => "minutes_correction_accepted",
            EventBody::MinutesCorrectionDeclined { .. } => "minutes_correction_declined",
            EventBody::MinutesApproved { .. } => "minutes_approved",
            EventBody::PartnerNamed(_) => "partner_named",
            EventBody::PartnerRemoved(_) => "partner_removed",
            EventBody::ElectionOpened(_) => "election_opened",
            EventBody::VoteCast { .. } => "vote_cast",
            EventBody::ElectionClosed { .. } => "election_closed",
            EventBody::JointStatementDrafted { .. } => "joint_statement_drafted",
            EventBody::JointStatementEdited(_) => "joint_statement_edited",
            EventBody::JointStatementEndorsed { .. } => "joint_statement_endorsed",
            EventBody::JointStatementAdopted { .. } => "joint_statement_adopted",
            EventBody::JointStatementDelivered { .. } => "joint_statement_delivered",
            EventBody::JointStatementResent(_) => "joint_statement_resent",
            EventBody::Registry(_) => "registry",
        }
    }
}
