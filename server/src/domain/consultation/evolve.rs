//! Applying consultation events to a room's state. Total, like the core `evolve`: an event that
//! does not fit (which a valid record never holds) changes nothing.

use crate::domain::state::RoomState;
use baraza_proto::consultation::{
    InputView, Phase, PhaseDeadline, QuestionView, ReportView, SynthesisView,
};
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::view::{HiddenMark, StatementVersion, StatementView};

fn statement_mut(state: &mut RoomState, id: u64) -> Option<&mut StatementView> {
    let i = state.statements.binary_search_by_key(&id, |s| s.id).ok()?;
    Some(&mut state.statements[i])
}

/// Applies a consultation event (the core has already advanced `seq`).
pub fn apply(state: &mut RoomState, event: &EventEnvelope) {
    let (seq, ts) = (event.seq, event.ts);
    match &event.body {
        EventBody::StatementEdited {
            statement,
            text,
            text_commitment,
        } => {
            if text_commitment.is_none() {
                state.uncommitted.insert(*statement);
            }
            if let Some(s) = statement_mut(state, *statement) {
                let at = s.edited_at.unwrap_or(s.posted_at);
                let old = std::mem::replace(&mut s.text, text.clone());
                s.versions.push(StatementVersion { text: old, at });
                s.edited_at = Some(ts);
            }
        }
        EventBody::StatementRestored { statement } => {
            if let Some(s) = statement_mut(state, *statement) {
                s.hidden = None;
            }
        }
        EventBody::StatementApproved { statement } => {
            if let Some(s) = statement_mut(state, *statement) {
                s.held = false;
            }
        }
        EventBody::StatementRejected { statement, reason } => {
            let Some(by) = event.actor.clone() else {
                return;
            };
            if let Some(s) = statement_mut(state, *statement) {
                s.held = false;
                s.rejected = Some(HiddenMark {
                    by,
                    reason: reason.clone(),
                    at: ts,
                });
            }
        }
        EventBody::StatementReported { statement, reason } => {
            let Some(by) = event.actor.clone() else {
                return;
            };
            if let Some(s) = statement_mut(state, *statement) {
                s.reports += 1;
            }
            if let Some(c) = &mut state.consultation {
                c.reports.push(ReportView {
                    statement: *statement,
                    by,
                    reason: reason.clone(),
                    at: ts,
                });
            }
        }
        EventBody::ReportDismissed {
            statement,
            reporter,
        } => {
            let Some(c) = &mut state.consultation else {
                return;
            };
            let before = c.reports.len();
            c.reports
                .retain(|r| !(r.statement == *statement && r.by == *reporter));
            let dismissed = before - c.reports.len();
            if let Some(s) = statement_mut(state, *statement) {
                s.reports = s.reports.saturating_sub(dismissed as u32);
            }
            return;
        }
        _ => {}
    }
    let Some(c) = &mut state.consultation else {
        return;
    };
    match &event.body {
        EventBody::QuestionAdded { text } => c.questions.push(QuestionView {
            id: seq,
            text: text.clone(),
            added_at: ts,
        }),
        EventBody::QuestionEdited { question, text } => {
            if let Some(q) = c.questions.iter_mut().find(|q| q.id == *question) {
                q.text = text.clone();
            }
        }
        EventBody::QuestionWithdrawn { question } => c.questions.retain(|q| q.id != *question),
        EventBody::PhaseChanged { phase, .. } => {
            // A deadline belongs to the phase it ends: once that phase is over (by the
            // deadline or by hand), it is spent.
            if c.deadline.as_ref().is_some_and(|d| d.phase == c.phase) {
                c.deadline = None;
            }
            c.phase = *phase;
            c.phase_since = ts;
            if *phase == Phase::Published {
                c.published_at = Some(ts);
            }
        }
        EventBody::ModerationSet { mode } => c.moderation = *mode,
        EventBody::PhaseDeadlineSet { phase, at } => {
            let Some(by) = event.actor.clone() else {
                return;
            };
            c.deadline = Some(PhaseDeadline {
                phase: *phase,
                at: *at,
                by,
                set_at: ts,
            });
        }
        EventBody::PhaseDeadlineCleared { phase }
            if c.deadline.as_ref().is_some_and(|d| d.phase == *phase) =>
        {
            c.deadline = None;
        }
        EventBody::ParentSet { parent, .. } => c.parent = Some(parent.clone()),
        EventBody::RapporteurAppointed { user } if !c.rapporteurs.contains(user) => {
            c.rapporteurs.push(user.clone());
        }
        EventBody::RapporteurDismissed { user } => c.rapporteurs.retain(|u| u != user),
        EventBody::SynthesisDrafted { text, citations } => {
            let Some(by) = event.actor.clone() else {
                return;
            };
            let version = c.synthesis.as_ref().map_or(1, |s| s.version + 1);
            c.synthesis = Some(SynthesisView {
                text: text.clone(),
                citations: citations.clone(),
                version,
                by,
                at: ts,
            });
        }
        EventBody::InputReceived { input } => c.inputs.push(InputView {
            id: seq,
            received_at: ts,
            input: input.clone(),
        }),
        _ => {}
    }
}
