//! Caucus commands → events, or why they are refused. Pure, like the core `decide`.
//!
//! Who is who comes from identities, never from what a command says: a *member organisation*
//! is the organisation (`Profile::org`, from the registry) of a participant of the caucus's
//! constituency; an *organising partner* is such an organisation named by the secretariat or
//! elected; the *chair* is a moderator or the secretariat. An organisation votes once: a
//! second ballot from any of its representatives is refused, so the first stands as recorded.

use super::{CaucusState, election};
use crate::domain::Rejection;
use crate::domain::state::RoomState;
use crate::domain::text::check_text;
use baraza_proto::caucus::{
    CastVote, Delivery, DraftJointStatement, EditJointStatement, ElectionId, JointStatementId,
    JointStatementView, NamePartner, OpenElection,
};
use baraza_proto::command::RoomCommand;
use baraza_proto::event::EventBody;
use baraza_proto::identity::{Profile, Role};
use baraza_proto::ids::RoomId;
use baraza_proto::limits::{MAX_REASON_CHARS, MAX_STATEMENT_CHARS};
use baraza_proto::room::{RoomInfo, RoomKind};

/// Most candidates in one election.
pub const MAX_CANDIDATES: usize = 50;

fn caucus(state: &RoomState) -> Result<&CaucusState, Rejection> {
    state
        .caucus
        .as_ref()
        .ok_or_else(|| Rejection::Invalid("only caucuses have organising partners".into()))
}

/// The organisation `profile` represents in this caucus: a participant of its constituency
/// speaking for an organisation.
fn member_org<'a>(
    state: &RoomState,
    profile: &'a Profile,
    what: &str,
) -> Result<&'a str, Rejection> {
    let constituency = state.info().and_then(|i| i.settings.constituency);
    if profile.role != Role::Participant {
        return Err(Rejection::Forbidden(format!(
            "only representatives of member organisations {what}, not a {}",
            profile.role.as_str()
        )));
    }
    if constituency.is_some() && profile.constituency != constituency {
        return Err(Rejection::Forbidden(format!(
            "only organisations of this caucus's constituency {what}"
        )));
    }
    profile.org.as_deref().ok_or_else(|| {
        Rejection::Forbidden(format!(
            "your identity names no organisation; only member organisations {what}"
        ))
    })
}

/// The organisation of an organising partner's representative.
fn partner_org<'a>(
    state: &RoomState,
    c: &CaucusState,
    profile: &'a Profile,
    what: &str,
) -> Result<&'a str, Rejection> {
    let org = member_org(state, profile, what)
        .map_err(|_| Rejection::Forbidden(format!("only organising partners {what}")))?;
    if !c.is_partner(org) {
        return Err(Rejection::Forbidden(format!(
            "only organising partners {what}; {org} is not one"
        )));
    }
    Ok(org)
}

fn secretariat(profile: &Profile, what: &str) -> Result<(), Rejection> {
    if profile.role != Role::Secretariat {
        return Err(Rejection::Forbidden(format!(
            "only the secretariat may {what}, not a {}",
            profile.role.as_str()
        )));
    }
    Ok(())
}

fn chair(profile: &Profile, what: &str) -> Result<(), Rejection> {
    if !profile.role.moderates() {
        return Err(Rejection::Forbidden(format!(
            "only the chair or the secretariat may {what}, not a {}",
            profile.role.as_str()
        )));
    }
    Ok(())
}

/// Whether `org` is the organisation of someone who has been a member of this caucus (as
/// their identity showed it when they joined).
fn is_member_org(state: &RoomState, org: &str) -> bool {
    let constituency = state.info().and_then(|i| i.settings.constituency);
    state.members.iter().any(|m| {
        m.profile.role == Role::Participant
            && m.profile.org.as_deref() == Some(org)
            && (constituency.is_none() || m.profile.constituency == constituency)
    })
}

fn known_org(state: &RoomState, org: &str) -> Result<(), Rejection> {
    if is_member_org(state, org) {
        Ok(())
    } else {
        Err(Rejection::Invalid(format!(
            "{org:?} is not the organisation of any member of this caucus (organisations are \
             taken from members' identities)"
        )))
    }
}

fn election_mut_view(c: &CaucusState, id: ElectionId) -> Result<&super::Election, Rejection> {
    c.elections
        .iter()
        .find(|e| e.view.id == id)
        .ok_or_else(|| Rejection::Invalid(format!("there is no election {id}")))
}

fn joint(c: &CaucusState, id: JointStatementId) -> Result<&JointStatementView, Rejection> {
    c.statement(id)
        .ok_or_else(|| Rejection::Invalid(format!("there is no joint statement {id}")))
}

fn not_adopted(s: &JointStatementView) -> Result<(), Rejection> {
    match s.adopted_seq {
        Some(seq) => Err(Rejection::Invalid(format!(
            "joint statement {} was adopted (seq {seq}); it no longer changes",
            s.id
        ))),
        None => Ok(()),
    }
}

/// Decides a caucus command (the caller has checked presence, the idempotency key and
/// cleaned the texts).
pub fn room_command(
    state: &RoomState,
    profile: &Profile,
    command: &RoomCommand,
) -> Result<Vec<EventBody>, Rejection> {
    let c = caucus(state)?;
    match command {
        RoomCommand::NamePartner(NamePartner { org, reason }) => {
            secretariat(profile, "name organising partners")?;
            check_text("reason", reason, 1, MAX_REASON_CHARS)?;
            known_org(state, org)?;
            if c.is_partner(org) {
                return Err(Rejection::Invalid(format!(
                    "{org} is already an organising partner"
                )));
            }
            Ok(vec![EventBody::PartnerNamed(NamePartner {
                org: org.clone(),
                reason: reason.clone(),
            })])
        }
        RoomCommand::RemovePartner(NamePartner { org, reason }) => {
            secretariat(profile, "remove organising partners")?;
            check_text("reason", reason, 1, MAX_REASON_CHARS)?;
            if !c.is_partner(org) {
                return Err(Rejection::Invalid(format!(
                    "{org} is not an organising partner"
                )));
            }
            Ok(vec![EventBody::PartnerRemoved(NamePartner {
                org: org.clone(),
                reason: reason.clone(),
            })])
        }
        RoomCommand::OpenElection(OpenElection { candidates, seats }) => {
            chair(profile, "open an election")?;
            if let Some(open) = c.elections.iter().find(|e| e.view.result.is_none()) {
                return Err(Rejection::Invalid(format!(
                    "election {} is still open; close it first",
                    open.view.id
                )));
            }
            if candidates.is_empty() || candidates.len() > MAX_CANDIDATES {
                return Err(Rejection::Invalid(format!(
                    "an election has 1 to {MAX_CANDIDATES} candidates"
                )));
            }
            for (i, org) in candidates.iter().enumerate() {
                if candidates[..i].contains(org) {
                    return Err(Rejection::Invalid(format!("{org} is listed twice")));
                }
                known_org(state, org)?;
            }
            if *seats == 0 || *seats as usize > candidates.len() {
                return Err(Rejection::Invalid(
                    "seats must be at least 1 and at most the number of candidates".into(),
                ));
            }
            Ok(vec![EventBody::ElectionOpened(OpenElection {
                candidates: candidates.clone(),
                seats: *seats,
            })])
        }
        RoomCommand::CastVote(CastVote { election, choices }) => {
            let org = member_org(state, profile, "vote")?;
            let e = election_mut_view(c, *election)?;
            if e.view.result.is_some() {
                return Err(Rejection::Invalid(format!(
                    "election {election} is closed; it takes no more votes"
                )));
            }
            if e.ballots.iter().any(|(voter, _)| voter == org) {
                return Err(Rejection::Invalid(format!(
                    "{org} has already voted in election {election}; an organisation votes once"
                )));
            }
            if choices.is_empty() || choices.len() > e.view.seats as usize {
                return Err(Rejection::Invalid(format!(
                    "choose 1 to {} candidates",
                    e.view.seats
                )));
            }
            for (i, choice) in choices.iter().enumerate() {
                if choices[..i].contains(choice) {
                    return Err(Rejection::Invalid(format!("{choice} is chosen twice")));
                }
                if !e.view.candidates.contains(choice) {
                    return Err(Rejection::Invalid(format!(
                        "{choice} is not a candidate in election {election}"
                    )));
                }
            }
            Ok(vec![EventBody::VoteCast {
                election: *election,
                org: org.to_string(),
                choices: choices.clone(),
            }])
        }
        RoomCommand::CloseElection(r) => {
            chair(profile, "close an election")?;
            let e = election_mut_view(c, r.election)?;
            if e.view.result.is_some() {
                return Err(Rejection::Invalid(format!(
                    "election {} is already closed",
                    r.election
                )));
            }
            Ok(vec![EventBody::ElectionClosed {
                election: r.election,
                result: election::result(&e.view.candidates, e.view.seats, &e.ballots),
            }])
        }
        RoomCommand::DraftJointStatement(DraftJointStatement {
            text,
            lang,
            question,
        }) => {
            partner_org(state, c, profile, "draft joint statements")?;
            check_text("statement", text, 1, MAX_STATEMENT_CHARS)?;
            let Some(parent) = &c.parent else {
                return Err(Rejection::Invalid(
                    "the secretariat has not named this caucus's parent room yet".into(),
                ));
            };
            let info = state.info().ok_or(Rejection::RoomNotFound)?;
            if !info.settings.languages.contains(lang) {
                return Err(Rejection::Invalid(format!(
                    "{lang} is not a working language of this caucus"
                )));
            }
            match (parent.kind, question) {
                (RoomKind::Consultation, None) => {
                    return Err(Rejection::Invalid(
                        "the parent is a consultation: choose the question the statement answers"
                            .into(),
                    ));
                }
                (RoomKind::Roundtable, Some(_)) => {
                    return Err(Rejection::Invalid(
                        "the parent is a roundtable: it has no questions".into(),
                    ));
                }
                _ => {}
            }
            Ok(vec![EventBody::JointStatementDrafted {
                text: text.clone(),
                lang: lang.clone(),
                question: *question,
                parent: parent.room.clone(),
            }])
        }
        RoomCommand::EditJointStatement(EditJointStatement { statement, text }) => {
            partner_org(state, c, profile, "edit joint statements")?;
            let s = joint(c, *statement)?;
            not_adopted(s)?;
            check_text("statement", text, 1, MAX_STATEMENT_CHARS)?;
            if s.versions.last().is_some_and(|v| v.text == *text) {
                return Ok(vec![]);
            }
            Ok(vec![EventBody::JointStatementEdited(EditJointStatement {
                statement: *statement,
                text: text.clone(),
            })])
        }
        RoomCommand::EndorseJointStatement(r) => {
            let org = member_org(state, profile, "endorse joint statements")?;
            let s = joint(c, r.statement)?;
            not_adopted(s)?;
            let version = s.versions.len() as u32;
            if s.endorsements
                .iter()
                .any(|e| e.org == org && e.version == version)
            {
                return Ok(vec![]);
            }
            Ok(vec![EventBody::JointStatementEndorsed {
                statement: r.statement,
                org: org.to_string(),
                version,
            }])
        }
        RoomCommand::AdoptJointStatement(r) => {
            if profile.role != Role::Secretariat {
                partner_org(state, c, profile, "adopt joint statements")?;
            }
            let s = joint(c, r.statement)?;
            not_adopted(s)?;
            let version = s.versions.len() as u32;
            let endorsers = s
                .endorsements
                .iter()
                .filter(|e| e.version == version)
                .map(|e| e.org.clone())
                .collect();
            Ok(vec![EventBody::JointStatementAdopted {
                statement: r.statement,
                version,
                endorsers,
            }])
        }
        RoomCommand::ResendJointStatement(r) => {
            if profile.role != Role::Secretariat {
                partner_org(state, c, profile, "send joint statements again")?;
            }
            let s = joint(c, r.statement)?;
            match &s.delivery {
                Some(Delivery::Refused { .. }) => {
                    Ok(vec![EventBody::JointStatementResent(r.clone())])
                }
                Some(Delivery::Posted { seq, .. }) => Err(Rejection::Invalid(format!(
                    "joint statement {} is already posted in the parent as statement {seq}",
                    s.id
                ))),
                Some(Delivery::Pending) => Err(Rejection::Invalid(format!(
                    "joint statement {} is on its way to the parent",
                    s.id
                ))),
                None => Err(Rejection::Invalid(format!(
                    "joint statement {} is not adopted yet",
                    s.id
                ))),
            }
        }
        other => Err(Rejection::Invalid(format!(
            "{} is not available in a caucus",
            other.name()
        ))),
    }
}

/// The secretariat names the caucus's parent room (a roundtable or a consultation, as the
/// hub found it under that id).
pub fn set_parent(
    state: &RoomState,
    profile: &Profile,
    parent: &RoomId,
    found: Option<&RoomInfo>,
) -> Result<Vec<EventBody>, Rejection> {
    let info = state.info().ok_or(Rejection::RoomNotFound)?;
    if !state.is_present(&profile.user) {
        return Err(Rejection::NotPresent);
    }
    let c = caucus(state)?;
    secretariat(profile, "name the caucus's parent room")?;
    if *parent == info.id {
        return Err(Rejection::Invalid(
            "a caucus cannot be its own parent".into(),
        ));
    }
    if c.parent.as_ref().is_some_and(|p| p.room == *parent) {
        return Ok(vec![]);
    }
    let Some(found) = found.filter(|f| {
        matches!(
            f.settings.kind,
            RoomKind::Roundtable | RoomKind::Consultation
        )
    }) else {
        return Err(Rejection::Invalid(format!(
            "there is no roundtable or consultation {parent}"
        )));
    };
    Ok(vec![EventBody::ParentSet {
        parent: parent.clone(),
        title: found.settings.title.clone(),
        scope: found.settings.scope.clone(),
        kind: Some(found.settings.kind),
    }])
}

/// The server records the parent's answer to a post, if the statement still waits for one
/// (a repeated answer, e.g. after a restart, records nothing).
pub fn delivered(
    state: &RoomState,
    statement: JointStatementId,
    delivery: &Delivery,
) -> Result<Vec<EventBody>, Rejection> {
    let c = caucus(state)?;
    let s = joint(c, statement)?;
    if s.delivery != Some(Delivery::Pending) || *delivery == Delivery::Pending {
        return Ok(vec![]);
    }
    Ok(vec![EventBody::JointStatementDelivered {
        statement,
        parent: s.parent.clone(),
        delivery: delivery.clone(),
    }])
}
