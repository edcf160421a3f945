//! Applying caucus events to a caucus's state. Total: events of other kinds, and events that
//! do not fit the state (which a valid record never holds), change nothing.

use super::{CaucusState, Election};
use crate::domain::state::RoomState;
use baraza_proto::caucus::{
    CaucusParent, Delivery, ElectionView, Endorsement, JointStatementView, JointVersion,
    PartnerView,
};
use baraza_proto::event::{EventBody, EventEnvelope};

/// Applies a caucus event.
pub(crate) fn apply(state: &mut RoomState, event: &EventEnvelope) {
    let Some(c) = state.caucus.as_mut() else {
        return;
    };
    apply_to(c, event);
}

fn add_partner(c: &mut CaucusState, partner: PartnerView) {
    if !c.is_partner(&partner.org) {
        c.partners.push(partner);
    }
}

fn apply_to(c: &mut CaucusState, event: &EventEnvelope) {
    match &event.body {
        EventBody::ParentSet {
            parent,
            title,
            kind: Some(kind),
            ..
        } => {
            c.parent = Some(CaucusParent {
                room: parent.clone(),
                title: title.clone(),
                kind: *kind,
            });
        }
        EventBody::PartnerNamed(named) => add_partner(
            c,
            PartnerView {
                org: named.org.clone(),
                since: event.ts,
                reason: Some(named.reason.clone()),
                election: None,
            },
        ),
        EventBody::PartnerRemoved(removed) => c.partners.retain(|p| p.org != removed.org),
        EventBody::ElectionOpened(open) => c.elections.push(Election {
            view: ElectionView {
                id: event.seq,
                candidates: open.candidates.clone(),
                seats: open.seats,
                opened_at: event.ts,
                voted: Vec::new(),
                result: None,
            },
            ballots: Vec::new(),
        }),
        EventBody::VoteCast {
            election,
            org,
            choices,
        } => {
            if let Some(e) = c.elections.iter_mut().find(|e| e.view.id == *election)
                && e.view.result.is_none()
                && !e.view.voted.contains(org)
            {
                e.view.voted.push(org.clone());
                e.ballots.push((org.clone(), choices.clone()));
            }
        }
        EventBody::ElectionClosed { election, result } => {
            if let Some(e) = c.elections.iter_mut().find(|e| e.view.id == *election) {
                e.view.result = Some(result.clone());
            }
            for org in &result.elected {
                add_partner(
                    c,
                    PartnerView {
                        org: org.clone(),
                        since: event.ts,
                        reason: None,
                        election: Some(*election),
                    },
                );
            }
        }
        EventBody::JointStatementDrafted {
            text,
            lang,
            question,
            parent,
        } => {
            let Some(by) = event.actor.clone() else {
                return;
            };
            c.statements.push(JointStatementView {
                id: event.seq,
                lang: lang.clone(),
                question: *question,
                parent: parent.clone(),
                versions: vec![JointVersion {
                    text: text.clone(),
                    by,
                    at: event.ts,
                }],
                endorsements: Vec::new(),
                adopted_seq: None,
                adopted_by: None,
                adopted_endorsers: Vec::new(),
                delivery: None,
            });
        }
        EventBody::JointStatementEdited(edit) => {
            if let (Some(by), Some(s)) = (event.actor.clone(), statement(c, edit.statement)) {
                s.versions.push(JointVersion {
                    text: edit.text.clone(),
                    by,
                    at: event.ts,
                });
            }
        }
        EventBody::JointStatementEndorsed {
            statement: id,
            org,
            version,
        } => {
            if let (Some(by), Some(s)) = (event.actor.clone(), statement(c, *id)) {
                s.endorsements.push(Endorsement {
                    org: org.clone(),
                    version: *version,
                    by,
                    at: event.ts,
                });
            }
        }
        EventBody::JointStatementAdopted {
            statement: id,
            endorsers,
            ..
        } => {
            if let Some(s) = statement(c, *id) {
                s.adopted_seq = Some(event.seq);
                s.adopted_by = event.actor.clone();
                s.adopted_endorsers = endorsers.clone();
                s.delivery = Some(Delivery::Pending);
            }
        }
        EventBody::JointStatementDelivered {
            statement: id,
            delivery,
            ..
        } => {
            if let Some(s) = statement(c, *id) {
                s.delivery = Some(delivery.clone());
            }
        }
        EventBody::JointStatementResent(r) => {
            if let Some(s) = statement(c, r.statement) {
                s.delivery = Some(Delivery::Pending);
            }
        }
        _ => {}
    }
}

fn statement(c: &mut CaucusState, id: u64) -> Option<&mut JointStatementView> {
    c.statements.iter_mut().find(|s| s.id == id)
}
