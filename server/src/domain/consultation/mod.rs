//! Consultations: the rules of a room of kind `consultation`, kept apart from the core.
//!
//! The core (`decide`, `evolve`, `state`) calls in here at a few marked places; everything
//! specific to consultations (phases, questions, submissions, pre- and post-moderation, the
//! synthesis and its citations, roll-up inputs from child consultations, figures) lives here.
//!
//! - [`phase`]: which phase may follow which, and who may do what in each.
//! - [`deadline`]: scheduled ends of phases and the timer that ends them.
//! - [`decide`](mod@decide): consultation commands → events or a `Rejection`.
//! - [`evolve`](mod@evolve): applying consultation events.
//! - [`view`]: what each reader sees; the moderation queue.
//! - [`figures`]: participation figures.
//! - [`threads`]: the threaded page of `GET /api/rooms/{id}/threads`.
//! - [`rollup`]: the input a published consultation hands to its parent.

pub mod deadline;
pub mod decide;
pub mod evolve;
pub mod figures;
pub mod phase;
pub mod rollup;
pub mod threads;
pub mod view;

#[cfg(test)]
mod tests;

use baraza_proto::consultation::{
    InputView, ModerationMode, Phase, PhaseDeadline, QuestionView, ReportView, SynthesisView,
};
use baraza_proto::ids::{Millis, QuestionId, RoomId, UserId};

pub use rollup::rollup;

/// The consultation part of a room's state: the fold of its consultation events.
///
/// Guarantees: present exactly for rooms created with kind `consultation`; built only by
/// `evolve`; questions, inputs and reports keep their order of arrival.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsultationState {
    pub(crate) phase: Phase,
    pub(crate) moderation: ModerationMode,
    pub(crate) questions: Vec<QuestionView>,
    pub(crate) rapporteurs: Vec<UserId>,
    pub(crate) parent: Option<RoomId>,
    pub(crate) synthesis: Option<SynthesisView>,
    pub(crate) inputs: Vec<InputView>,
    pub(crate) reports: Vec<ReportView>,
    pub(crate) published_at: Option<Millis>,
    pub(crate) deadline: Option<PhaseDeadline>,
    pub(crate) phase_since: Millis,
}

impl ConsultationState {
    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// When the current phase began (the `ts` of its `phase_changed`; 0 for a draft).
    pub fn phase_since(&self) -> Millis {
        self.phase_since
    }

    /// The scheduled end of a phase, if any.
    pub fn deadline(&self) -> Option<&PhaseDeadline> {
        self.deadline.as_ref()
    }

    /// When the server's timer must next tick for this consultation: the current phase's
    /// scheduled end.
    pub fn next_deadline(&self) -> Option<Millis> {
        deadline::due(self).map(|d| d.at)
    }

    /// The consultation this one rolls up into.
    pub fn parent(&self) -> Option<&RoomId> {
        self.parent.as_ref()
    }

    /// Whether `question` is one of this consultation's questions.
    pub fn has_question(&self, question: QuestionId) -> bool {
        self.questions.iter().any(|q| q.id == question)
    }

    /// Whether `user` was named rapporteur.
    pub fn is_rapporteur(&self, user: &UserId) -> bool {
        self.rapporteurs.contains(user)
    }
}
