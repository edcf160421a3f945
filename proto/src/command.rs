//! Commands a client sends to a room inside a `command` message.
//!
//! The server's domain core decides whether the sender may give each command and what events
//! it produces; nothing here is trusted before that.

use crate::caucus as cc;
use crate::consultation::{Alignment, Citation, ModerationMode, Phase};
use crate::ids::{AgendaItemId, LanguageTag, Millis, QuestionId, RoomId, Seq, StatementId, UserId};
use crate::roundtable as rt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A command addressed to one room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RoomCommand {
    /// Post a statement, or a reply when `parent` is set. Needs an idempotency key.
    PostStatement {
        /// The text (1 to `limits.max_statement_chars` characters).
        text: String,
        /// Language the text is written in.
        lang: LanguageTag,
        /// The statement this one replies to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<StatementId>,
        /// The agenda item it speaks to (roundtables).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agenda_item: Option<AgendaItemId>,
        /// The question it answers (consultations).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question: Option<QuestionId>,
        /// For a reply in a consultation: its position towards the parent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alignment: Option<Alignment>,
    },
    /// Hide a statement (moderators and secretariat). The record keeps it; views mark it hidden.
    HideStatement {
        /// Which statement.
        statement: StatementId,
        /// Why (1–500 characters); shown to everyone.
        reason: String,
    },
    /// Roundtables: replace the floor settings (moderators).
    ConfigureRoundtable(rt::ConfigureRoundtable),
    /// Roundtables: add an agenda item (moderators; needs an idempotency key).
    AddAgendaItem(rt::AddAgendaItem),
    /// Roundtables: open an item for discussion (moderators).
    OpenAgendaItem(rt::ItemRef),
    /// Roundtables: close an item; ends the floor and drops its list (moderators).
    CloseAgendaItem(rt::ItemRef),
    /// Roundtables: put the agenda in a new order (moderators).
    ReorderAgenda(rt::ReorderAgenda),
    /// Roundtables: choose how an item's list is ordered (moderators).
    SetSpeakingPolicy(rt::SetSpeakingPolicy),
    /// Roundtables: set or remove a constituency's time budget on an item (moderators).
    SetTimeBudget(rt::SetTimeBudget),
    /// Roundtables: ask for the floor (participants; needs an idempotency key), or, with
    /// `on_behalf_of`, put a participant on the list (moderators).
    RequestFloor(rt::RequestFloor),
    /// Roundtables: withdraw a request (its author or a moderator).
    WithdrawRequest(rt::WithdrawRequest),
    /// Roundtables: take someone's request off the list with a recorded reason (moderators).
    RemoveRequest(rt::RemoveRequest),
    /// Roundtables: close the open item's list (points of order still allowed; moderators).
    CloseSpeakingList,
    /// Roundtables: reopen the open item's list (moderators).
    ReopenSpeakingList,
    /// Roundtables: give the floor, next in order or a named request (moderators).
    GrantFloor(rt::GrantFloor),
    /// Roundtables: take the floor back (moderators).
    RevokeFloor,
    /// Roundtables: add time to the current turn (moderators).
    ExtendFloor(rt::ExtendFloor),
    /// Roundtables: stop the clock (moderators).
    PauseFloor,
    /// Roundtables: restart the clock (moderators).
    ResumeFloor,
    /// Roundtables: give the floor back (the speaker).
    YieldFloor,
    /// Roundtables: mute someone, with a reason (moderators).
    MuteParticipant(rt::Sanction),
    /// Roundtables: lift a mute (moderators).
    UnmuteParticipant(rt::UserRef),
    /// Roundtables: expel someone, with a reason (moderators).
    ExpelParticipant(rt::Sanction),
    /// Roundtables: allow an expelled person back (moderators).
    ReadmitParticipant(rt::UserRef),
    /// Roundtables: the chair's ruling on a point of order (moderators; once per turn).
    RulePointOfOrder(rt::RulePointOfOrder),
    /// Consultations, secretariat: add a question (draft or open). Needs an idempotency key;
    /// the question's id is the `seq` of its `question_added` event.
    AddQuestion {
        /// The question (1–1,000 characters).
        text: String,
    },
    /// Consultations, secretariat: replace a question's text while the consultation is a draft.
    EditQuestion {
        /// Which question.
        question: QuestionId,
        /// The new text (1–1,000 characters).
        text: String,
    },
    /// Consultations, secretariat: withdraw a question while the consultation is a draft.
    WithdrawQuestion {
        /// Which question.
        question: QuestionId,
    },
    /// Consultations, moderators: set a report aside (the statement stays as it is).
    DismissReport {
        /// The reported statement.
        statement: StatementId,
        /// Who reported it.
        reporter: UserId,
    },
    /// Secretariat: change a room's title, description and working languages (its kind and
    /// scope stay as created).
    UpdateRoom {
        /// Title (1–200 characters).
        title: String,
        /// Description or background paper (at most 4,000 characters).
        #[serde(default)]
        description: String,
        /// Working languages, first is the main one.
        languages: Vec<LanguageTag>,
    },
    /// Secretariat: archive the room — close its record for good. Every later command to the
    /// room is refused with `room_archived`; the room can still be read and exported.
    ArchiveRoom,
    /// Consultations, secretariat: move to another phase.
    SetPhase {
        /// The new phase.
        phase: Phase,
    },
    /// Consultations, secretariat: schedule (or move) the end of a phase, draft or open: at
    /// `at` the server closes the open phase by itself. `at` must lie ahead.
    SetPhaseDeadline {
        /// The phase that ends (`open`).
        phase: Phase,
        /// When (ms since the Unix epoch).
        at: Millis,
    },
    /// Consultations, secretariat: cancel a phase's scheduled end before it passes.
    ClearPhaseDeadline {
        /// The phase.
        phase: Phase,
    },
    /// Consultations, secretariat: choose post- or pre-moderation (draft or open).
    SetModeration {
        /// The mode.
        mode: ModerationMode,
    },
    /// Consultations, secretariat: name the consultation this one rolls up into (draft only).
    /// Its scope must contain this one's. Caucuses, secretariat: name the roundtable or
    /// consultation its joint statements are posted to.
    SetParent {
        /// The parent consultation.
        parent: RoomId,
    },
    /// Consultations, secretariat: name a rapporteur (before publication).
    AppointRapporteur {
        /// Who.
        user: UserId,
    },
    /// Consultations, secretariat: withdraw a rapporteur.
    DismissRapporteur {
        /// Who.
        user: UserId,
    },
    /// Consultations, the author: replace a statement's text while the consultation is open.
    /// Earlier versions stay in the record and the view.
    EditStatement {
        /// Which statement.
        statement: StatementId,
        /// The new text.
        text: String,
    },
    /// Consultations, moderators: make a hidden statement visible again.
    RestoreStatement {
        /// Which statement.
        statement: StatementId,
    },
    /// The secretariat: redact a statement on a lawful request (data protection). Its texts are
    /// withdrawn from storage for good; readers and exports show the reason instead.
    RedactStatement {
        /// Which statement.
        statement: StatementId,
        /// Why (1–500 characters); shown to everyone.
        reason: String,
    },
    /// Consultations, moderators: publish a statement held for approval.
    ApproveStatement {
        /// Which statement.
        statement: StatementId,
    },
    /// Consultations, moderators: refuse a statement held for approval.
    RejectStatement {
        /// Which statement.
        statement: StatementId,
        /// Why (1–500 characters).
        reason: String,
    },
    /// Consultations, any member: flag a statement for the moderators (once per person).
    ReportStatement {
        /// Which statement.
        statement: StatementId,
        /// Why (1–500 characters).
        reason: String,
    },
    /// Consultations, secretariat or a rapporteur, in the synthesis phase: save a new version
    /// of the synthesis.
    DraftSynthesis {
        /// The text (1–20,000 characters).
        text: String,
        /// What it cites.
        #[serde(default)]
        citations: Vec<Citation>,
    },
    /// Minutes, the secretariat or a named rapporteur: save a new version of the draft
    /// minutes (start from `GET /api/rooms/{id}/minutes/skeleton`). Refused once approved.
    DraftMinutes {
        /// The whole text (1–100,000 characters).
        text: String,
        /// Its language.
        lang: LanguageTag,
    },
    /// Minutes, the secretariat or a named rapporteur: send the draft to the speakers it
    /// quotes, who may propose corrections until `deadline` (ms since the epoch, in the future).
    /// Circulating again sets a new deadline.
    CirculateMinutes {
        /// Until when corrections are taken.
        deadline: Millis,
    },
    /// Minutes, a quoted speaker: propose a correction of the passage reporting one of their
    /// own statements, before the deadline. Needs an idempotency key; the correction's id is
    /// the `seq` of its event.
    ProposeMinutesCorrection {
        /// The statement of theirs the passage reports (its line carries `[#id]`).
        statement: StatementId,
        /// The passage to replace, exactly as it stands (once) in the minutes.
        passage: String,
        /// What it should say instead (may be empty to strike the passage).
        #[serde(default)]
        replacement: String,
    },
    /// Minutes, the secretariat: accept (apply) or decline a correction, with a reason.
    DecideMinutesCorrection {
        /// Which correction.
        correction: Seq,
        /// True to apply it to the text.
        accept: bool,
        /// Why (1–500 characters); recorded.
        reason: String,
    },
    /// Minutes, the secretariat: approve the minutes once every correction is decided. Seals
    /// them: the event carries the final text and its SHA-256; they no longer change.
    ApproveMinutes,
    /// Caucuses, secretariat: name an organising partner (an organisation a member's identity
    /// shows), with a reason.
    NamePartner(cc::NamePartner),
    /// Caucuses, secretariat: an organisation stops being an organising partner, with a reason.
    RemovePartner(cc::NamePartner),
    /// Caucuses, chair or secretariat: open an election of organising partners. Needs an
    /// idempotency key; the election's id is the `seq` of its `election_opened` event.
    OpenElection(cc::OpenElection),
    /// Caucuses, a member organisation's representative: vote (once per organisation).
    CastVote(cc::CastVote),
    /// Caucuses, chair or secretariat: close an election; the result is computed from the
    /// recorded votes.
    CloseElection(cc::ElectionRef),
    /// Caucuses, an organising partner: draft a joint statement. Needs an idempotency key.
    DraftJointStatement(cc::DraftJointStatement),
    /// Caucuses, an organising partner: a new version of a draft (before adoption).
    EditJointStatement(cc::EditJointStatement),
    /// Caucuses, a member organisation's representative: endorse the current version.
    EndorseJointStatement(cc::JointStatementRef),
    /// Caucuses, an organising partner or the secretariat: adopt the current version; it is
    /// then posted to the parent room on the caucus's behalf.
    AdoptJointStatement(cc::JointStatementRef),
    /// Caucuses, an organising partner or the secretariat: send an adopted statement the
    /// parent refused once more (e.g. after its phase reopened).
    ResendJointStatement(cc::JointStatementRef),
}

impl RoomCommand {
    /// Commands that create something must carry an idempotency key.
    pub fn creates(&self) -> bool {
        matches!(
            self,
            RoomCommand::PostStatement { .. }
                | RoomCommand::AddAgendaItem(_)
                | RoomCommand::RequestFloor(_)
                | RoomCommand::AddQuestion { .. }
                | RoomCommand::ProposeMinutesCorrection { .. }
                | RoomCommand::OpenElection(_)
                | RoomCommand::DraftJointStatement(_)
        )
    }

    /// The wire name of the command (`"post_statement"` …), for logs and errors.
    pub fn name(&self) -> &'static str {
        match self {
            RoomCommand::PostStatement { .. } => "post_statement",
            RoomCommand::HideStatement { .. } => "hide_statement",
            RoomCommand::ConfigureRoundtable(_) => "configure_roundtable",
            RoomCommand::AddAgendaItem(_) => "add_agenda_item",
            RoomCommand::OpenAgendaItem(_) => "open_agenda_item",
            RoomCommand::CloseAgendaItem(_) => "close_agenda_item",
            RoomCommand::ReorderAgenda(_) => "reorder_agenda",
            RoomCommand::SetSpeakingPolicy(_) => "set_speaking_policy",
            RoomCommand::SetTimeBudget(_) => "set_time_budget",
            RoomCommand::RequestFloor(_) => "request_floor",
            RoomCommand::WithdrawRequest(_) => "withdraw_request",
            RoomCommand::RemoveRequest(_) => "remove_request",
            RoomCommand::CloseSpeakingList => "close_speaking_list",
            RoomCommand::ReopenSpeakingList => "reopen_speaking_list",
            RoomCommand::GrantFloor(_) => "grant_floor",
            RoomCommand::RevokeFloor => "revoke_floor",
            RoomCommand::ExtendFloor(_) => "extend_floor",
            RoomCommand::PauseFloor => "pause_floor",
            RoomCommand::ResumeFloor => "resume_floor",
            RoomCommand::YieldFloor => "yield_floor",
            RoomCommand::MuteParticipant(_) => "mute_participant",
            RoomCommand::UnmuteParticipant(_) => "unmute_participant",
            RoomCommand::ExpelParticipant(_) => "expel_participant",
            RoomCommand::ReadmitParticipant(_) => "readmit_participant",
            RoomCommand::RulePointOfOrder(_) => "rule_point_of_order",
            RoomCommand::AddQuestion { .. } => "add_question",
            RoomCommand::EditQuestion { .. } => "edit_question",
            RoomCommand::WithdrawQuestion { .. } => "withdraw_question",
            RoomCommand::DismissReport { .. } => "dismiss_report",
            RoomCommand::UpdateRoom { .. } => "update_room",
            RoomCommand::ArchiveRoom => "archive_room",
            RoomCommand::SetPhase { .. } => "set_phase",
            RoomCommand::SetPhaseDeadline { .. } => "set_phase_deadline",
            RoomCommand::ClearPhaseDeadline { .. } => "clear_phase_deadline",
            RoomCommand::SetModeration { .. } => "set_moderation",
            RoomCommand::SetParent { .. } => "set_parent",
            RoomCommand::AppointRapporteur { .. } => "appoint_rapporteur",
            RoomCommand::DismissRapporteur { .. } => "dismiss_rapporteur",
            RoomCommand::EditStatement { .. } => "edit_statement",
            RoomCommand::RestoreStatement { .. } => "restore_statement",
            RoomCommand::RedactStatement { .. } => "redact_statement",
            RoomCommand::ApproveStatement { .. } => "approve_statement",
            RoomCommand::RejectStatement { .. } => "reject_statement",
            RoomCommand::ReportStatement { .. } => "report_statement",
            RoomCommand::DraftSynthesis { .. } => "draft_synthesis",
            RoomCommand::DraftMinutes { .. } => "draft_minutes",
            RoomCommand::CirculateMinutes { .. } => "circulate_minutes",
            RoomCommand::ProposeMinutesCorrection { .. } => "propose_minutes_correction",
            RoomCommand::DecideMinutesCorrection { .. } => "decide_minutes_correction",
            RoomCommand::ApproveMinutes => "approve_minutes",
            RoomCommand::NamePartner(_) => "name_partner",
            RoomCommand::RemovePartner(_) => "remove_partner",
            RoomCommand::OpenElection(_) => "open_election",
            RoomCommand::CastVote(_) => "cast_vote",
            RoomCommand::CloseElection(_) => "close_election",
            RoomCommand::DraftJointStatement(_) => "draft_joint_statement",
            RoomCommand::EditJointStatement(_) => "edit_joint_statement",
            RoomCommand::EndorseJointStatement(_) => "endorse_joint_statement",
            RoomCommand::AdoptJointStatement(_) => "adopt_joint_statement",
            RoomCommand::ResendJointStatement(_) => "resend_joint_statement",
        }
    }
}
