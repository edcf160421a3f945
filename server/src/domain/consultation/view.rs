//! What each kind of reader sees of a consultation: held and rejected statements, reports and
//! the queue only for moderating readers, the draft synthesis also for rapporteurs; everything
//! else for everyone admitted (who is admitted: `domain::visibility`).

use super::ConsultationState;
use super::figures::figures;
use crate::domain::state::RoomState;
use crate::domain::visibility::ReaderKind;
use baraza_proto::consultation::{ConsultationView, ModerationQueue, Phase};
use baraza_proto::view::StatementView;

impl ConsultationState {
    /// What `reader` sees of one statement of the consultation (already redacted by the room
    /// for hidden ones), in place; `false` when they do not see it at all. Readers who do not
    /// moderate lose held and rejected statements, report counts, and the earlier versions of
    /// redacted statements.
    pub fn shows(reader: ReaderKind, statement: &mut StatementView) -> bool {
        if reader.moderating() {
            return true;
        }
        if statement.held || statement.rejected.is_some() {
            return false;
        }
        statement.reports = 0;
        if statement.redacted {
            statement.versions.clear();
        }
        true
    }

    /// The consultation part as a `reader` of that kind may see it (without the statements:
    /// [`ConsultationState::shows`] filters those).
    pub fn view(&self, room: &RoomState, reader: ReaderKind) -> ConsultationView {
        let moderates = reader.moderating();
        let queue = moderates.then(|| ModerationQueue {
            held: room
                .statements
                .iter()
                .filter(|s| s.held)
                .map(|s| s.id)
                .collect(),
            reported: self
                .reports
                .iter()
                .filter(|r| {
                    room.statement(r.statement)
                        .is_some_and(|s| s.hidden.is_none() && s.rejected.is_none())
                })
                .cloned()
                .collect(),
        });
        let synthesis = self
            .synthesis
            .clone()
            .filter(|_| reader.sees_synthesis_drafts() || self.phase == Phase::Published);
        ConsultationView {
            phase: self.phase,
            moderation: self.moderation,
            questions: self.questions.clone(),
            rapporteurs: self.rapporteurs.clone(),
            parent: self.parent.clone(),
            synthesis,
            inputs: self.inputs.clone(),
            queue,
            figures: figures(room),
            deadline: self.deadline.clone(),
        }
    }
}
