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
    /// The consultation as a `reader` of that kind may see it. Also filters `statements` (already redacted by
    /// the core for hidden ones): readers who do not moderate lose held and rejected
    /// statements, report counts, and the earlier versions of redacted statements.
    pub fn view(
        &self,
        room: &RoomState,
        reader: ReaderKind,
        statements: &mut Vec<StatementView>,
    ) -> ConsultationView {
        let moderates = reader.moderating();
        if !moderates {
            statements.retain(|s| !s.held && s.rejected.is_none());
            for s in statements.iter_mut() {
                s.reports = 0;
                if s.redacted {
                    s.versions.clear();
                }
            }
        }
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
