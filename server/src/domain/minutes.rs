//! Minutes with approval: drafting, circulation, corrections by the speakers quoted, the
//! secretariat's decisions and the seal.
//!
//! The rules, in one place:
//! - **Who writes**: the secretariat, or a rapporteur named in a consultation, saves versions
//!   (`draft_minutes`) and circulates them (`circulate_minutes`, with a deadline in the future).
//! - **Who corrects**: a speaker the record quotes: the author of a published statement (or the
//!   speaker of a turn) named `[#id]` on a line of the minutes, before the deadline. The
//!   passage must stand exactly once in the text, on a line that carries that marker.
//! - **Who decides**: the secretariat accepts or declines each correction with a reason. An
//!   accepted correction replaces its passage (which must still stand exactly once) by its
//!   replacement; [`apply`] does this the same way in `evolve`, so every replay gives the
//!   same text.
//! - **Approval**: the secretariat, after circulation, with no correction pending. The event
//!   carries the final text and its SHA-256; from then on every minutes command is refused.
//!
//! Time is an argument: `now` decides whether the deadline has passed.

use super::Rejection;
use super::state::RoomState;
use super::text::check_text;
use baraza_proto::command::RoomCommand;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Profile, Role};
use baraza_proto::ids::{Millis, Seq, StatementId, UserId};
use baraza_proto::limits::{MAX_REASON_CHARS, MAX_STATEMENT_CHARS};
use baraza_proto::minutes::{
    CorrectionStatus, CorrectionView, MAX_MINUTES_CHARS, MinutesSeal, MinutesStatus,
    MinutesVersion, MinutesView,
};
use sha2::{Digest, Sha256};

/// The minutes of a room, folded from its events. Its view is the state itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesState {
    pub(super) view: MinutesView,
}

impl MinutesState {
    /// The minutes as every reader of the room sees them.
    pub fn view(&self) -> &MinutesView {
        &self.view
    }

    fn pending(&self) -> usize {
        self.view
            .corrections
            .iter()
            .filter(|c| c.status == CorrectionStatus::Pending)
            .count()
    }
}

/// The marker a line of the minutes carries for statement or turn `id`: `[#id]`.
pub fn marker(id: Seq) -> String {
    format!("[#{id}]")
}

/// SHA-256 of `text`'s UTF-8 bytes, lowercase hex: the hash a seal carries.
pub fn text_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// `text` with its one occurrence of `passage` replaced by `replacement`; `None` unless the
/// passage stands exactly once. The same function decides and applies a correction.
pub fn apply(text: &str, passage: &str, replacement: &str) -> Option<String> {
    if passage.is_empty() || text.matches(passage).count() != 1 {
        return None;
    }
    Some(text.replacen(passage, replacement, 1))
}

/// Whether `profile` may write and circulate the minutes: the secretariat, or a rapporteur
/// named in this consultation.
pub fn may_write(state: &RoomState, profile: &Profile) -> bool {
    profile.role == Role::Secretariat
        || state
            .consultation()
            .is_some_and(|c| c.is_rapporteur(&profile.user))
}

/// Who the record shows as the author of statement `id` (published only) or the speaker of
/// turn `id`.
fn quoted_speaker(state: &RoomState, id: StatementId) -> Option<&UserId> {
    if let Some(s) = state.statement(id) {
        let published = s.hidden.is_none() && !s.held && s.rejected.is_none();
        return published.then_some(&s.author);
    }
    state
        .roundtable()?
        .turns
        .iter()
        .find(|t| t.id == id)
        .map(|t| &t.user)
}

fn require_secretariat(profile: &Profile, what: &str) -> Result<(), Rejection> {
    if profile.role == Role::Secretariat {
        return Ok(());
    }
    Err(Rejection::Forbidden(format!(
        "only the secretariat may {what}, not a {}",
        profile.role.as_str()
    )))
}

/// Decides a minutes command (its texts already cleaned) from `profile` at `now`.
pub fn decide(
    state: &RoomState,
    profile: &Profile,
    command: &RoomCommand,
    now: Millis,
) -> Result<Vec<EventBody>, Rejection> {
    let minutes = state.minutes.as_ref().map(|m| &m.view);
    if let Some(seal) = minutes.and_then(|m| m.sealed.as_ref()) {
        return Err(Rejection::Invalid(format!(
            "the minutes were approved (event {}) and are sealed; they can no longer change",
            seal.seq
        )));
    }
    match command {
        RoomCommand::DraftMinutes { text, lang } => {
            if !may_write(state, profile) {
                return Err(Rejection::Forbidden(
                    "only the secretariat or a named rapporteur writes the minutes".into(),
                ));
            }
            check_text("minutes", text, 1, MAX_MINUTES_CHARS)?;
            if minutes.is_some_and(|m| m.text == *text && m.lang == *lang) {
                return Ok(vec![]);
            }
            Ok(vec![EventBody::MinutesDrafted {
                text: text.clone(),
                lang: lang.clone(),
            }])
        }
        RoomCommand::CirculateMinutes { deadline } => {
            if !may_write(state, profile) {
                return Err(Rejection::Forbidden(
                    "only the secretariat or a named rapporteur circulates the minutes".into(),
                ));
            }
            if minutes.is_none() {
                return Err(Rejection::Invalid(
                    "there are no minutes to circulate: draft them first".into(),
                ));
            }
            if *deadline <= now {
                return Err(Rejection::Invalid(
                    "the deadline for corrections must lie in the future".into(),
                ));
            }
            Ok(vec![EventBody::MinutesCirculated {
                deadline: *deadline,
            }])
        }
        RoomCommand::ProposeMinutesCorrection {
            statement,
            passage,
            replacement,
        } => {
            let Some(m) = minutes.filter(|m| m.status == MinutesStatus::Circulated) else {
                return Err(Rejection::Invalid(
                    "the minutes have not been circulated for corrections".into(),
                ));
            };
            if m.deadline.is_some_and(|d| now > d) {
                return Err(Rejection::Invalid(
                    "the deadline for corrections has passed".into(),
                ));
            }
            match quoted_speaker(state, *statement) {
                None => {
                    return Err(Rejection::Invalid(format!(
                        "there is no published statement or turn {statement}"
                    )));
                }
                Some(author) if author != &profile.user => {
                    return Err(Rejection::Forbidden(format!(
                        "statement {statement} is not yours: you may correct only the report \
                         of your own statements"
                    )));
                }
                Some(_) => {}
            }
            check_text("passage", passage, 1, MAX_STATEMENT_CHARS)?;
            check_text("replacement", replacement, 0, MAX_STATEMENT_CHARS)?;
            if passage == replacement {
                return Err(Rejection::Invalid(
                    "the replacement is the same as the passage".into(),
                ));
            }
            if m.text.matches(passage.as_str()).count() != 1 {
                return Err(Rejection::Invalid(
                    "the passage must stand exactly once in the minutes, as written".into(),
                ));
            }
            let tag = marker(*statement);
            let on_its_line = m
                .text
                .lines()
                .any(|line| line.contains(passage.as_str()) && line.contains(&tag));
            if !on_its_line {
                return Err(Rejection::Invalid(format!(
                    "the passage is not on a line of the minutes that reports statement \
                     {statement} (marked {tag})"
                )));
            }
            Ok(vec![EventBody::MinutesCorrectionProposed {
                statement: *statement,
                passage: passage.clone(),
                replacement: replacement.clone(),
            }])
        }
        RoomCommand::DecideMinutesCorrection {
            correction,
            accept,
            reason,
        } => {
            require_secretariat(profile, "decide corrections of the minutes")?;
            check_text("reason", reason, 1, MAX_REASON_CHARS)?;
            let Some(m) = minutes else {
                return Err(Rejection::Invalid("there are no minutes".into()));
            };
            let Some(c) = m.corrections.iter().find(|c| c.id == *correction) else {
                return Err(Rejection::Invalid(format!(
                    "there is no correction {correction}"
                )));
            };
            if c.status != CorrectionStatus::Pending {
                return Err(Rejection::Invalid(format!(
                    "correction {correction} was already decided"
                )));
            }
            if !*accept {
                return Ok(vec![EventBody::MinutesCorrectionDeclined {
                    correction: *correction,
                    reason: reason.clone(),
                }]);
            }
            if apply(&m.text, &c.passage, &c.replacement).is_none() {
                return Err(Rejection::Invalid(format!(
                    "the passage of correction {correction} no longer stands exactly once in \
                     the minutes; decline it, or edit the minutes yourself"
                )));
            }
            Ok(vec![EventBody::MinutesCorrectionAccepted {
                correction: *correction,
                reason: reason.clone(),
            }])
        }
        RoomCommand::ApproveMinutes => {
            require_secretariat(profile, "approve the minutes")?;
            let Some(m) = minutes else {
                return Err(Rejection::Invalid("there are no minutes to approve".into()));
            };
            if m.deadline.is_none() {
                return Err(Rejection::Invalid(
                    "circulate the minutes to the speakers quoted before approving them".into(),
                ));
            }
            let pending = state.minutes.as_ref().map_or(0, MinutesState::pending);
            if pending > 0 {
                return Err(Rejection::Invalid(format!(
                    "{pending} correction(s) still await a decision"
                )));
            }
            Ok(vec![EventBody::MinutesApproved {
                text: m.text.clone(),
                lang: m.lang.clone(),
                sha256: text_hash(&m.text),
            }])
        }
        other => Err(Rejection::Invalid(format!(
            "{} is not a minutes command",
            other.name()
        ))),
    }
}

/// Applies a minutes event; other events leave the state as it was. Total.
pub fn evolve(state: &mut RoomState, event: &EventEnvelope) {
    let by = event.actor.clone();
    match &event.body {
        EventBody::MinutesDrafted { text, lang } => {
            let Some(by) = by else { return };
            let version = MinutesVersion {
                text: text.clone(),
                lang: lang.clone(),
                by,
                at: event.ts,
                seq: event.seq,
                correction: None,
            };
            match &mut state.minutes {
                Some(m) => {
                    m.view.text = text.clone();
                    m.view.lang = lang.clone();
                    m.view.versions.push(version);
                }
                None => {
                    state.minutes = Some(MinutesState {
                        view: MinutesView {
                            status: MinutesStatus::Draft,
                            text: text.clone(),
                            lang: lang.clone(),
                            versions: vec![version],
                            deadline: None,
                            corrections: Vec::new(),
                            sealed: None,
                        },
                    })
                }
            }
        }
        EventBody::MinutesCirculated { deadline } => {
            if let Some(m) = &mut state.minutes {
                m.view.status = MinutesStatus::Circulated;
                m.view.deadline = Some(*deadline);
            }
        }
        EventBody::MinutesCorrectionProposed {
            statement,
            passage,
            replacement,
        } => {
            if let (Some(m), Some(by)) = (&mut state.minutes, by) {
                m.view.corrections.push(CorrectionView {
                    id: event.seq,
                    by,
                    statement: *statement,
                    passage: passage.clone(),
                    replacement: replacement.clone(),
                    at: event.ts,
                    status: CorrectionStatus::Pending,
                    reason: None,
                    decided_by: None,
                });
            }
        }
        EventBody::MinutesCorrectionAccepted { correction, reason }
        | EventBody::MinutesCorrectionDeclined { correction, reason } => {
            let accepted = matches!(event.body, EventBody::MinutesCorrectionAccepted { .. });
            let Some(m) = &mut state.minutes else { return };
            let Some(c) = m.view.corrections.iter_mut().find(|c| c.id == *correction) else {
                return;
            };
            c.reason = Some(reason.clone());
            c.decided_by = by.clone();
            if !accepted {
                c.status = CorrectionStatus::Declined;
                return;
            }
            c.status = CorrectionStatus::Accepted;
            if let (Some(text), Some(by)) = (apply(&m.view.text, &c.passage, &c.replacement), by) {
                m.view.text = text.clone();
                m.view.versions.push(MinutesVersion {
                    text,
                    lang: m.view.lang.clone(),
                    by,
                    at: event.ts,
                    seq: event.seq,
                    correction: Some(*correction),
                });
            }
        }
        EventBody::MinutesApproved { text, lang, sha256 } => {
            if let (Some(m), Some(by)) = (&mut state.minutes, by) {
                m.view.status = MinutesStatus::Approved;
                m.view.text = text.clone();
                m.view.lang = lang.clone();
                m.view.sealed = Some(MinutesSeal {
                    by,
                    at: event.ts,
                    seq: event.seq,
                    sha256: sha256.clone(),
                });
            }
        }
        _ => {}
    }
}

/// Whether `command` is one of the minutes commands this module decides.
pub fn is_minutes_command(command: &RoomCommand) -> bool {
    matches!(
        command,
        RoomCommand::DraftMinutes { .. }
            | RoomCommand::CirculateMinutes { .. }
            | RoomCommand::ProposeMinutesCorrection { .. }
            | RoomCommand::DecideMinutesCorrection { .. }
            | RoomCommand::ApproveMinutes
    )
}
