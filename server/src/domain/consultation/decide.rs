//! Consultation commands → events, or why they are refused. Pure, like the core `decide`.

use super::ConsultationState;
use super::phase::{may_follow, require, require_moderator, require_secretariat};
use crate::domain::state::RoomState;
use crate::domain::text::check_text;
use crate::domain::{Rejection, geo};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::{
    Alignment, Citation, ConsultationInput, MAX_CITATIONS, MAX_EXCERPT_CHARS, MAX_QUESTION_CHARS,
    MAX_QUESTIONS, MAX_SYNTHESIS_CHARS, Phase,
};
use baraza_proto::event::EventBody;
use baraza_proto::identity::Profile;
use baraza_proto::ids::{LanguageTag, Millis, QuestionId, RoomId, StatementId};
use baraza_proto::limits::{MAX_REASON_CHARS, MAX_STATEMENT_CHARS};
use baraza_proto::room::{RoomInfo, RoomKind, Scope};
use baraza_proto::view::StatementView;

/// The consultation of the room, or `Invalid` when the room is of another kind.
fn consultation<'a>(state: &'a RoomState, what: &str) -> Result<&'a ConsultationState, Rejection> {
    state
        .consultation
        .as_ref()
        .ok_or_else(|| Rejection::Invalid(format!("only consultations {what}")))
}

/// Whether a statement is visible to those who do not moderate.
fn public(s: &StatementView) -> bool {
    s.hidden.is_none() && !s.held && s.rejected.is_none()
}

fn statement(state: &RoomState, id: StatementId) -> Result<&StatementView, Rejection> {
    state
        .statement(id)
        .ok_or_else(|| Rejection::Invalid(format!("there is no statement {id}")))
}

/// Checks a submission or reply to a consultation and returns the question it belongs to and
/// whether it is held for approval. Rules: only while open; on behalf of an organisation
/// (moderators excepted); in a working language; a submission answers one of the questions, a
/// reply belongs to its parent's question and may state an alignment; the parent must be
/// visible.
pub fn submission(
    state: &RoomState,
    profile: &Profile,
    lang: &LanguageTag,
    parent: Option<StatementId>,
    question: Option<QuestionId>,
    alignment: Option<Alignment>,
) -> Result<(Option<QuestionId>, bool), Rejection> {
    let c = consultation(state, "take submissions")?;
    require(c, &[Phase::Open], "submissions are taken")?;
    if profile.org.is_none() && !profile.role.moderates() {
        return Err(Rejection::Forbidden(
            "submissions are made on behalf of an organisation; your token names none".into(),
        ));
    }
    let info = state.info().ok_or(Rejection::RoomNotFound)?;
    if !info.settings.languages.contains(lang) {
        return Err(Rejection::Invalid(format!(
            "{lang} is not a working language of this consultation"
        )));
    }
    let question = match parent {
        Some(parent) => {
            let parent = statement(state, parent)?;
            if !public(parent) {
                return Err(Rejection::Invalid(format!(
                    "statement {} is not visible; it takes no replies",
                    parent.id
                )));
            }
            if question.is_some_and(|q| Some(q) != parent.question) {
                return Err(Rejection::Invalid(
                    "a reply belongs to the question of the statement it answers".into(),
                ));
            }
            parent.question
        }
        None => {
            if alignment.is_some() {
                return Err(Rejection::Invalid("only a reply takes an alignment".into()));
            }
            let Some(question) = question else {
                return Err(Rejection::Invalid(
                    "a submission answers one of the consultation's questions".into(),
                ));
            };
            if !c.has_question(question) {
                return Err(Rejection::Invalid(format!(
                    "this consultation has no question {question}"
                )));
            }
            Some(question)
        }
    };
    let held = c.moderation == baraza_proto::consultation::ModerationMode::Pre
        && !profile.role.moderates();
    Ok((question, held))
}

/// Checks a caucus's joint statement posted to this consultation, by the rules of a
/// submission: only while open, in a working language, answering one of the questions; held
/// under pre-moderation. Returns its question and whether it is held.
pub fn joint_submission(
    state: &RoomState,
    lang: &LanguageTag,
    question: Option<QuestionId>,
) -> Result<(Option<QuestionId>, bool), Rejection> {
    let c = consultation(state, "take submissions")?;
    require(c, &[Phase::Open], "submissions are taken")?;
    let info = state.info().ok_or(Rejection::RoomNotFound)?;
    if !info.settings.languages.contains(lang) {
        return Err(Rejection::Invalid(format!(
            "{lang} is not a working language of this consultation"
        )));
    }
    let Some(question) = question else {
        return Err(Rejection::Invalid(
            "a submission answers one of the consultation's questions".into(),
        ));
    };
    if !c.has_question(question) {
        return Err(Rejection::Invalid(format!(
            "this consultation has no question {question}"
        )));
    }
    let held = c.moderation == baraza_proto::consultation::ModerationMode::Pre;
    Ok((Some(question), held))
}

/// Decides a consultation command (the caller has checked presence and the idempotency key).
pub fn room_command(
    state: &RoomState,
    profile: &Profile,
    command: &RoomCommand,
    now: Millis,
) -> Result<Vec<EventBody>, Rejection> {
    let c = consultation(state, &format!("take {}", command.name()))?;
    match command {
        RoomCommand::PostStatement { .. }
        | RoomCommand::HideStatement { .. }
        | RoomCommand::RedactStatement { .. }
        | RoomCommand::UpdateRoom { .. }
        | RoomCommand::ArchiveRoom
        | RoomCommand::DraftMinutes { .. }
        | RoomCommand::CirculateMinutes { .. }
        | RoomCommand::ProposeMinutesCorrection { .. }
        | RoomCommand::DecideMinutesCorrection { .. }
        | RoomCommand::ApproveMinutes => unreachable!("decided by the core"),
        RoomCommand::ConfigureRoundtable(_)
        | RoomCommand::AddAgendaItem(_)
        | RoomCommand::OpenAgendaItem(_)
        | RoomCommand::CloseAgendaItem(_)
        | RoomCommand::ReorderAgenda(_)
        | RoomCommand::SetSpeakingPolicy(_)
        | RoomCommand::SetTimeBudget(_)
        | RoomCommand::RequestFloor(_)
        | RoomCommand::WithdrawRequest(_)
        | RoomCommand::RemoveRequest(_)
        | RoomCommand::CloseSpeakingList
        | RoomCommand::ReopenSpeakingList
        | RoomCommand::GrantFloor(_)
        | RoomCommand::RevokeFloor
        | RoomCommand::ExtendFloor(_)
        | RoomCommand::PauseFloor
        | RoomCommand::ResumeFloor
        | RoomCommand::YieldFloor
        | RoomCommand::MuteParticipant(_)
        | RoomCommand::UnmuteParticipant(_)
        | RoomCommand::ExpelParticipant(_)
        | RoomCommand::ReadmitParticipant(_)
        | RoomCommand::RulePointOfOrder(_) => Err(Rejection::Invalid(format!(
            "{} is a roundtable command; this room is a consultation",
            command.name()
        ))),
        RoomCommand::NamePartner(_)
        | RoomCommand::RemovePartner(_)
        | RoomCommand::OpenElection(_)
        | RoomCommand::CastVote(_)
        | RoomCommand::CloseElection(_)
        | RoomCommand::DraftJointStatement(_)
        | RoomCommand::EditJointStatement(_)
        | RoomCommand::EndorseJointStatement(_)
        | RoomCommand::AdoptJointStatement(_)
        | RoomCommand::ResendJointStatement(_) => Err(Rejection::Invalid(format!(
            "{} is a caucus command; this room is a consultation",
            command.name()
        ))),
        RoomCommand::AddQuestion { text } => {
            require_secretariat(profile, "add questions")?;
            require(c, &[Phase::Draft, Phase::Open], "questions are added")?;
            check_text("question", text, 1, MAX_QUESTION_CHARS)?;
            if c.questions.len() >= MAX_QUESTIONS {
                return Err(Rejection::Invalid(format!(
                    "a consultation has at most {MAX_QUESTIONS} questions"
                )));
            }
            if c.questions.iter().any(|q| q.text.trim() == text.trim()) {
                return Err(Rejection::Invalid("this question is already asked".into()));
            }
            Ok(vec![EventBody::QuestionAdded { text: text.clone() }])
        }
        RoomCommand::EditQuestion { question, text } => {
            require_secretariat(profile, "edit questions")?;
            require(c, &[Phase::Draft], "questions are edited")?;
            let Some(asked) = c.questions.iter().find(|q| q.id == *question) else {
                return Err(Rejection::Invalid(format!(
                    "this consultation has no question {question}"
                )));
            };
            check_text("question", text, 1, MAX_QUESTION_CHARS)?;
            if asked.text == *text {
                return Ok(vec![]);
            }
            if c.questions
                .iter()
                .any(|q| q.id != *question && q.text.trim() == text.trim())
            {
                return Err(Rejection::Invalid("this question is already asked".into()));
            }
            Ok(vec![EventBody::QuestionEdited {
                question: *question,
                text: text.clone(),
            }])
        }
        RoomCommand::WithdrawQuestion { question } => {
            require_secretariat(profile, "withdraw questions")?;
            require(c, &[Phase::Draft], "questions are withdrawn")?;
            if !c.has_question(*question) {
                return Err(Rejection::Invalid(format!(
                    "this consultation has no question {question}"
                )));
            }
            Ok(vec![EventBody::QuestionWithdrawn {
                question: *question,
            }])
        }
        RoomCommand::DismissReport {
            statement: id,
            reporter,
        } => {
            require_moderator(profile, "dismiss reports")?;
            if !c
                .reports
                .iter()
                .any(|r| r.statement == *id && r.by == *reporter)
            {
                return Err(Rejection::Invalid(format!(
                    "there is no open report of statement {id} by {reporter}"
                )));
            }
            Ok(vec![EventBody::ReportDismissed {
                statement: *id,
                reporter: reporter.clone(),
            }])
        }
        RoomCommand::SetPhase { phase: to } => {
            require_secretariat(profile, "change the phase")?;
            if c.phase == *to {
                return Ok(vec![]);
            }
            if !may_follow(c.phase, *to) {
                return Err(Rejection::Invalid(format!(
                    "a consultation does not go from {} to {}",
                    c.phase.as_str(),
                    to.as_str()
                )));
            }
            match to {
                Phase::Open if c.questions.is_empty() => Err(Rejection::Invalid(
                    "add at least one question before opening".into(),
                )),
                // A close scheduled in the draft that has passed meanwhile would end the
                // phase the moment it began: the secretariat moves or cancels it first.
                Phase::Open
                    if c.deadline
                        .as_ref()
                        .is_some_and(|d| d.phase == Phase::Open && d.at <= now) =>
                {
                    Err(Rejection::Invalid(
                        "the scheduled close has passed; move or cancel it before opening".into(),
                    ))
                }
                Phase::Published => {
                    let Some(synthesis) = &c.synthesis else {
                        return Err(Rejection::Invalid(
                            "draft the synthesis before publishing".into(),
                        ));
                    };
                    // Citations must still hold: a statement hidden since the draft is refused.
                    check_citations(state, c, &synthesis.citations)?;
                    Ok(vec![EventBody::PhaseChanged {
                        phase: *to,
                        deadline: None,
                    }])
                }
                _ => Ok(vec![EventBody::PhaseChanged {
                    phase: *to,
                    deadline: None,
                }]),
            }
        }
        RoomCommand::SetPhaseDeadline { phase, at } => {
            super::deadline::set(c, profile, *phase, *at, now)
        }
        RoomCommand::ClearPhaseDeadline { phase } => super::deadline::clear(c, profile, *phase),
        RoomCommand::SetModeration { mode } => {
            require_secretariat(profile, "change the moderation mode")?;
            require(
                c,
                &[Phase::Draft, Phase::Open],
                "the moderation mode changes",
            )?;
            if c.moderation == *mode {
                return Ok(vec![]);
            }
            Ok(vec![EventBody::ModerationSet { mode: *mode }])
        }
        RoomCommand::SetParent { .. } => Err(Rejection::Invalid(
            "set_parent is resolved by the hub before it is decided".into(),
        )),
        RoomCommand::AppointRapporteur { user } => {
            require_secretariat(profile, "name rapporteurs")?;
            if c.phase == Phase::Published {
                return Err(Rejection::Invalid("the consultation is published".into()));
            }
            if c.is_rapporteur(user) {
                return Ok(vec![]);
            }
            Ok(vec![EventBody::RapporteurAppointed { user: user.clone() }])
        }
        RoomCommand::DismissRapporteur { user } => {
            require_secretariat(profile, "withdraw rapporteurs")?;
            if !c.is_rapporteur(user) {
                return Err(Rejection::Invalid(format!("{user} is not a rapporteur")));
            }
            Ok(vec![EventBody::RapporteurDismissed { user: user.clone() }])
        }
        RoomCommand::EditStatement {
            statement: id,
            text,
        } => {
            let s = statement(state, *id)?;
            if s.author != profile.user {
                return Err(Rejection::Forbidden(
                    "only the author edits a statement".into(),
                ));
            }
            require(c, &[Phase::Open], "statements are edited")?;
            if s.hidden.is_some() || s.rejected.is_some() {
                return Err(Rejection::Invalid(format!(
                    "statement {id} was hidden or rejected; it cannot be edited"
                )));
            }
            if s.redaction.is_some() {
                return Err(Rejection::Invalid(format!(
                    "statement {id} was redacted; it cannot be edited"
                )));
            }
            check_text("statement", text, 1, MAX_STATEMENT_CHARS)?;
            if s.text == *text {
                return Ok(vec![]);
            }
            Ok(vec![EventBody::StatementEdited {
                statement: *id,
                text: text.clone(),
                text_commitment: None,
            }])
        }
        RoomCommand::RestoreStatement { statement: id } => {
            require_moderator(profile, "restore statements")?;
            if statement(state, *id)?.hidden.is_none() {
                return Err(Rejection::Invalid(format!("statement {id} is not hidden")));
            }
            Ok(vec![EventBody::StatementRestored { statement: *id }])
        }
        RoomCommand::ApproveStatement { statement: id } => {
            require_moderator(profile, "approve statements")?;
            if !statement(state, *id)?.held {
                return Err(Rejection::Invalid(format!(
                    "statement {id} is not waiting for approval"
                )));
            }
            Ok(vec![EventBody::StatementApproved { statement: *id }])
        }
        RoomCommand::RejectStatement {
            statement: id,
            reason,
        } => {
            require_moderator(profile, "reject statements")?;
            check_text("reason", reason, 1, MAX_REASON_CHARS)?;
            if !statement(state, *id)?.held {
                return Err(Rejection::Invalid(format!(
                    "statement {id} is not waiting for approval"
                )));
            }
            Ok(vec![EventBody::StatementRejected {
                statement: *id,
                reason: reason.clone(),
            }])
        }
        RoomCommand::ReportStatement {
            statement: id,
            reason,
        } => {
            check_text("reason", reason, 1, MAX_REASON_CHARS)?;
            let s = statement(state, *id)?;
            if !public(s) {
                return Err(Rejection::Invalid(format!(
                    "statement {id} is not visible; there is nothing to report"
                )));
            }
            if s.author == profile.user {
                return Err(Rejection::Invalid(
                    "you cannot report your own statement".into(),
                ));
            }
            if c.reports
                .iter()
                .any(|r| r.statement == *id && r.by == profile.user)
            {
                return Ok(vec![]);
            }
            Ok(vec![EventBody::StatementReported {
                statement: *id,
                reason: reason.clone(),
            }])
        }
        RoomCommand::DraftSynthesis { text, citations } => {
            if !(profile.role == baraza_proto::identity::Role::Secretariat
                || c.is_rapporteur(&profile.user))
            {
                return Err(Rejection::Forbidden(
                    "only the secretariat or a named rapporteur writes the synthesis".into(),
                ));
            }
            require(c, &[Phase::Synthesis], "the synthesis is written")?;
            check_text("synthesis", text, 1, MAX_SYNTHESIS_CHARS)?;
            check_citations(state, c, citations)?;
            Ok(vec![EventBody::SynthesisDrafted {
                text: text.clone(),
                citations: citations.clone(),
            }])
        }
    }
}

/// Every citation names exactly one visible statement of this room or one point of an input,
/// and its excerpt occurs word for word in the cited text.
fn check_citations(
    state: &RoomState,
    c: &ConsultationState,
    citations: &[Citation],
) -> Result<(), Rejection> {
    if citations.len() > MAX_CITATIONS {
        return Err(Rejection::Invalid(format!(
            "a synthesis cites at most {MAX_CITATIONS} points"
        )));
    }
    for citation in citations {
        let cited = match (citation.statement, citation.input, citation.point) {
            (Some(id), None, None) => {
                let s = statement(state, id)?;
                if !public(s) {
                    return Err(Rejection::Invalid(format!(
                        "statement {id} is not visible; it cannot be cited"
                    )));
                }
                s.text.as_str()
            }
            (None, Some(input), Some(point)) => c
                .inputs
                .iter()
                .find(|i| i.id == input)
                .and_then(|i| i.input.points.get(point as usize))
                .map(|p| p.text.as_str())
                .ok_or_else(|| {
                    Rejection::Invalid(format!("there is no point {point} of input {input}"))
                })?,
            _ => {
                return Err(Rejection::Invalid(
                    "a citation names a statement, or an input and one of its points".into(),
                ));
            }
        };
        if let Some(excerpt) = &citation.excerpt {
            check_text("excerpt", excerpt, 1, MAX_EXCERPT_CHARS)?;
            if !cited.contains(excerpt.as_str()) {
                return Err(Rejection::Invalid(format!(
                    "the excerpt {excerpt:?} does not occur in the cited text"
                )));
            }
        }
    }
    Ok(())
}

/// Names `parent` as the consultation this one rolls up into. `found` is the parent's identity
/// as the hub found it (`None`: no such room). Secretariat, draft only; the parent must be
/// another consultation whose scope strictly contains this one's.
pub fn set_parent(
    state: &RoomState,
    profile: &Profile,
    parent: &RoomId,
    found: Option<&RoomInfo>,
) -> Result<Vec<EventBody>, Rejection> {
    let info = state.info().ok_or(Rejection::RoomNotFound)?;
    if !state.is_present(&profile.user) {
        return Err(Rejection::NotPresent);
    }
    let c = consultation(state, "have a parent")?;
    require_secretariat(profile, "name the parent consultation")?;
    require(c, &[Phase::Draft], "the parent is named")?;
    if *parent == info.id {
        return Err(Rejection::Invalid(
            "a consultation cannot be its own parent".into(),
        ));
    }
    if c.parent.as_ref() == Some(parent) {
        return Ok(vec![]);
    }
    let Some(found) = found.filter(|f| f.settings.kind == RoomKind::Consultation) else {
        return Err(Rejection::Invalid(format!(
            "there is no consultation {parent}"
        )));
    };
    if !scope_within(&info.settings.scope, &found.settings.scope) {
        return Err(Rejection::Invalid(format!(
            "this consultation's scope does not lie within the scope of {parent}"
        )));
    }
    Ok(vec![EventBody::ParentSet {
        parent: parent.clone(),
        title: found.settings.title.clone(),
        scope: found.settings.scope.clone(),
        kind: None,
    }])
}

/// Whether scope `inner` lies strictly within scope `outer` (so parent chains cannot loop).
pub fn scope_within(inner: &Scope, outer: &Scope) -> bool {
    match (outer, inner) {
        (Scope::Global, Scope::Global) => false,
        (Scope::Global, _) => true,
        (Scope::Region { region }, Scope::Country { country }) => {
            geo::country_in_region(country, region)
        }
        (Scope::Region { region: outer }, Scope::Region { region: inner }) => {
            geo::region_within(inner, outer)
        }
        (Scope::Region { .. }, Scope::Global) | (Scope::Country { .. }, _) => false,
    }
}

/// Records an input from a published child (the server only). An input already recorded
/// from the same child is ignored, so the hub may send it again after a restart.
pub fn receive_input(
    state: &RoomState,
    input: &ConsultationInput,
) -> Result<Vec<EventBody>, Rejection> {
    let info = state.info().ok_or(Rejection::RoomNotFound)?;
    let c = consultation(state, "receive inputs")?;
    if input.from == info.id {
        return Err(Rejection::Invalid(
            "a consultation is not its own input".into(),
        ));
    }
    if c.inputs.iter().any(|i| i.input.from == input.from) {
        return Ok(vec![]);
    }
    Ok(vec![EventBody::InputReceived {
        input: input.clone(),
    }])
}
