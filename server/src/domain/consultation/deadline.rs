//! Phase deadlines: the secretariat schedules when a phase ends, and the server's timer ends it.
//!
//! Rules: only the secretariat (as for `set_phase`); only phases listed in
//! [`DEADLINE_PHASES`] (today the open phase, settable while draft or open); the time must lie
//! ahead of the command's `now` and within [`MAX_AHEAD`]. The deadline may be moved or
//! cancelled until it passes. When the phase ends by hand first, the deadline lapses (see
//! `evolve`). At or after the deadline, [`tick`] emits the ordinary `phase_changed`, stating the
//! deadline that passed and naming no person; a later tick (another node, a retry after a lost
//! race) finds the phase already changed and emits nothing.

use super::ConsultationState;
use super::phase::{require, require_secretariat};
use crate::domain::Rejection;
use crate::domain::state::RoomState;
use baraza_proto::consultation::{DEADLINE_PHASES, DeadlinePassed, Phase, PhaseDeadline};
use baraza_proto::event::EventBody;
use baraza_proto::identity::Profile;
use baraza_proto::ids::Millis;

/// How far ahead a deadline may lie: ten years.
pub const MAX_AHEAD: Millis = 10 * 366 * 86_400_000;

/// The phase a deadline of `phase` leads to, or why `phase` takes no deadline.
fn leads_to(phase: Phase) -> Result<Phase, Rejection> {
    DEADLINE_PHASES
        .iter()
        .find(|(from, _)| *from == phase)
        .map(|(_, to)| *to)
        .ok_or_else(|| {
            Rejection::Invalid(format!(
                "only the open phase takes a deadline, not {}",
                phase.as_str()
            ))
        })
}

/// `set_phase_deadline`: schedule or move the end of `phase` to `at`.
pub fn set(
    c: &ConsultationState,
    profile: &Profile,
    phase: Phase,
    at: Millis,
    now: Millis,
) -> Result<Vec<EventBody>, Rejection> {
    require_secretariat(profile, "schedule the end of a phase")?;
    leads_to(phase)?;
    require(c, &[Phase::Draft, Phase::Open], "a deadline is scheduled")?;
    if at <= now {
        return Err(Rejection::Invalid(format!(
            "the deadline {at} is not ahead of now ({now}); choose a later time"
        )));
    }
    if at - now > MAX_AHEAD {
        return Err(Rejection::Invalid(
            "a deadline lies at most ten years ahead".into(),
        ));
    }
    if c.deadline
        .as_ref()
        .is_some_and(|d| d.phase == phase && d.at == at)
    {
        return Ok(vec![]);
    }
    Ok(vec![EventBody::PhaseDeadlineSet { phase, at }])
}

/// `clear_phase_deadline`: cancel the scheduled end of `phase`.
pub fn clear(
    c: &ConsultationState,
    profile: &Profile,
    phase: Phase,
) -> Result<Vec<EventBody>, Rejection> {
    require_secretariat(profile, "cancel the end of a phase")?;
    leads_to(phase)?;
    if c.deadline.as_ref().is_none_or(|d| d.phase != phase) {
        return Err(Rejection::Invalid(format!(
            "no deadline is scheduled for the {} phase",
            phase.as_str()
        )));
    }
    Ok(vec![EventBody::PhaseDeadlineCleared { phase }])
}

/// The deadline that fires next: the current phase's, if scheduled.
pub fn due(c: &ConsultationState) -> Option<&PhaseDeadline> {
    c.deadline.as_ref().filter(|d| d.phase == c.phase)
}

/// The server's timer at `now`: the `phase_changed` of a passed deadline, or nothing.
pub fn tick(state: &RoomState, now: Millis) -> Vec<EventBody> {
    let Some(c) = state.consultation() else {
        return vec![];
    };
    let Some(d) = due(c).filter(|d| d.at <= now) else {
        return vec![];
    };
    let Ok(to) = leads_to(d.phase) else {
        return vec![];
    };
    vec![EventBody::PhaseChanged {
        phase: to,
        deadline: Some(DeadlinePassed {
            at: d.at,
            set_by: d.by.clone(),
            set_at: d.set_at,
        }),
    }]
}
