//! `evolve`: applying one recorded event to a room's state.

use super::roundtable;
use super::state::RoomState;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::room::{RoomInfo, RoomKind};
use baraza_proto::view::{HiddenMark, StatementView};

/// Applies `event` to `state`. Total: every event that `decide` can produce is applied, and an
/// event that does not fit (which a valid record never holds) leaves the state as it was
/// except for `seq`. Deterministic: the same events in the same order give the same state.
pub fn evolve(state: &mut RoomState, event: &EventEnvelope) {
    state.seq = event.seq;
    if let (Some(actor), Some(key)) = (&event.actor, &event.key) {
        state
            .keys
            .entry((actor.clone(), key.clone()))
            .or_insert(event.seq);
    }
    match &event.body {
        EventBody::RoomCreated(settings) => {
            if let Some(created_by) = event.actor.clone() {
                state.info = Some(RoomInfo {
                    id: event.room.clone(),
                    settings: settings.clone(),
                    created_at: event.ts,
                    created_by,
                    archived_at: None,
                });
                state.roundtable = roundtable::evolve::created(settings);
                if settings.kind == RoomKind::Consultation {
                    state.consultation = Some(Default::default());
                }
                if settings.kind == RoomKind::Caucus {
                    state.caucus = Some(Default::default());
                }
            }
        }
        EventBody::RoomUpdated {
            title,
            description,
            languages,
        } => {
            if let Some(info) = &mut state.info {
                info.settings.title = title.clone();
                info.settings.description = description.clone();
                info.settings.languages = languages.clone();
            }
        }
        // The room closes: nobody is in it any more (entering it later only reads it).
        EventBody::RoomArchived => {
            if let Some(info) = &mut state.info {
                info.archived_at = Some(event.ts);
            }
            state.empty();
        }
        EventBody::MemberJoined { member } => state.arrive(member, event.ts, false),
        EventBody::MemberLeft { user, .. } => state.depart(user),
        EventBody::AudienceChanged { arrived, left, .. } => {
            for profile in arrived {
                state.arrive(profile, event.ts, true);
            }
            for user in left {
                state.depart(user);
            }
        }
        // Their connections were cut off; their waiting requests go (the roundtable's part).
        EventBody::AccessEnded(ended) => {
            state.depart(&ended.user);
            roundtable::evolve::apply(state, event);
        }
        EventBody::StatementPosted {
            text,
            text_commitment,
            lang,
            parent,
            agenda_item,
            question,
            alignment,
            held,
            attachments,
            by_mail,
            joint,
        } => {
            // A joint statement is recorded by the server (no actor) on a caucus's behalf;
            // its author is whoever adopted it there, and it speaks for no one organisation.
            let Some(author) = event
                .actor
                .clone()
                .or_else(|| joint.as_ref().map(|j| j.adopted_by.clone()))
            else {
                return;
            };
            let org = match (by_mail, joint) {
                (_, Some(_)) => None,
                (Some(profile), None) => profile.org.clone(),
                (None, None) => state.member(&author).and_then(|m| m.profile.org.clone()),
            };
            roundtable::evolve::statement_posted(state, &author, event.seq);
            if text_commitment.is_none() {
                state.uncommitted.insert(event.seq);
            }
            state.statements.push(StatementView {
                id: event.seq,
                author,
                org,
                author_name: by_mail.as_ref().map(|p| p.name.clone()),
                text: text.clone(),
                lang: lang.clone(),
                parent: *parent,
                agenda_item: *agenda_item,
                question: *question,
                posted_at: event.ts,
                hidden: None,
                redaction: None,
                redacted: false,
                alignment: *alignment,
                versions: Vec::new(),
                edited_at: None,
                held: *held,
                rejected: None,
                reports: 0,
                attachments: attachments.clone(),
                by_mail: by_mail.is_some(),
                joint: joint.as_deref().cloned(),
            });
        }
        EventBody::StatementHidden { statement, reason } => {
            let (Some(by), Ok(i)) = (
                event.actor.clone(),
                state.statements.binary_search_by_key(statement, |s| s.id),
            ) else {
                return;
            };
            state.statements[i].hidden = Some(HiddenMark {
                by,
                reason: reason.clone(),
                at: event.ts,
            });
        }
        EventBody::MinutesDrafted { .. }
        | EventBody::MinutesCirculated { .. }
        | EventBody::MinutesCorrectionProposed { .. }
        | EventBody::MinutesCorrectionAccepted { .. }
        | EventBody::MinutesCorrectionDeclined { .. }
        | EventBody::MinutesApproved { .. } => super::minutes::evolve(state, event),
        // The texts leave the state at once (the store withdraws them right after).
        EventBody::StatementRedacted { statement, reason } => {
            let (Some(by), Ok(i)) = (
                event.actor.clone(),
                state.statements.binary_search_by_key(statement, |s| s.id),
            ) else {
                return;
            };
            let s = &mut state.statements[i];
            s.text.clear();
            for version in &mut s.versions {
                version.text.clear();
            }
            s.redaction = Some(HiddenMark {
                by,
                reason: reason.clone(),
                at: event.ts,
            });
        }
        EventBody::RecordMigrated { .. } => {}
        // Everything else belongs to a room kind's own module; each ignores the others' events.
        _ => {
            roundtable::evolve::apply(state, event);
            super::consultation::evolve::apply(state, event);
            super::caucus::evolve::apply(state, event);
        }
    }
}
