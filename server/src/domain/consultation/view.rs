//! What each reader sees of a consultation: held and rejected statements, reports and the
//! draft synthesis only for moderators; everything else for everyone.

use super::ConsultationState;
use super::figures::figures;
use crate::domain::state::RoomState;
use baraza_proto::consultation::{ConsultationView, ModerationQueue, Phase};
use baraza_proto::identity::Role;
use baraza_proto::view::StatementView;

impl ConsultationState {
    /// The consultation as `role` may see it. Also filters `statements` (already redacted by
    /// the core for hidden ones): readers who do not moderate lose held and rejected
    /// statements, report counts, and the earlier versions of redacted statements.
    pub fn view(
        &self,
        room: &RoomState,
        role: Role,
        statements: &mut Vec<StatementView>,
    ) -> ConsultationView {
        let moderates = role.moderates();
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
            .filter(|_| moderates || self.phase == Phase::Published);
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
        }
    }
}
