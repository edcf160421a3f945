//! Phases: which may follow which, and who may do what in each.
//!
//! | phase | participants | moderators | secretariat | rapporteurs |
//! |---|---|---|---|---|
//! | draft | may not enter (see `domain::visibility`) | prepare | questions, moderation, parent, rapporteurs, open | enter |
//! | open | submit, reply, edit own, report | hide, restore, approve, reject | add questions, close | |
//! | closed | read, report | moderate | reopen, start synthesis | |
//! | synthesis | read, report | moderate | draft synthesis, publish | draft synthesis |
//! | published | read | hide, restore (takedowns) | — | — |

use super::ConsultationState;
use crate::domain::Rejection;
use baraza_proto::consultation::Phase;
use baraza_proto::identity::{Profile, Role};

/// Whether a consultation may move from `from` to `to`: `draft → open ⇄ closed → synthesis →
/// published`.
pub fn may_follow(from: Phase, to: Phase) -> bool {
    matches!(
        (from, to),
        (Phase::Draft, Phase::Open)
            | (Phase::Open, Phase::Closed)
            | (Phase::Closed, Phase::Open)
            | (Phase::Closed, Phase::Synthesis)
            | (Phase::Synthesis, Phase::Published)
    )
}

/// Refuses unless the consultation is in one of `phases`.
pub fn require(
    consultation: &ConsultationState,
    phases: &[Phase],
    what: &str,
) -> Result<(), Rejection> {
    if phases.contains(&consultation.phase) {
        return Ok(());
    }
    let allowed: Vec<&str> = phases.iter().map(|p| p.as_str()).collect();
    Err(Rejection::Invalid(format!(
        "{what} only while the consultation is {}; it is {}",
        allowed.join(" or "),
        consultation.phase.as_str()
    )))
}

/// Refuses unless `profile` is the secretariat.
pub fn require_secretariat(profile: &Profile, what: &str) -> Result<(), Rejection> {
    if profile.role == Role::Secretariat {
        return Ok(());
    }
    Err(Rejection::Forbidden(format!(
        "only the secretariat may {what}, not a {}",
        profile.role.as_str()
    )))
}

/// Refuses unless `profile` moderates.
pub fn require_moderator(profile: &Profile, what: &str) -> Result<(), Rejection> {
    if profile.role.moderates() {
        return Ok(());
    }
    Err(Rejection::Forbidden(format!(
        "only moderators and the secretariat may {what}, not a {}",
        profile.role.as_str()
    )))
}
