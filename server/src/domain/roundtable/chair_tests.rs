//! Given/when/then tests of the chair's list controls: removing someone's request with a
//! recorded reason, and putting a participant on the list on their behalf.

use super::super::{Actor, Command, Rejection};
use super::tests::{Room, amina, bruno, moderator, profile};
use baraza_proto::command::RoomCommand;
use baraza_proto::event::{EventBody, LeaveReason};
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::UserId;
use baraza_proto::roundtable::*;

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn for_someone(kind: RequestKind, who: &str) -> RoomCommand {
    RoomCommand::RequestFloor(RequestFloor {
        kind,
        on_behalf_of: Some(user(who)),
    })
}

fn remove(request: u64, reason: &str) -> RoomCommand {
    RoomCommand::RemoveRequest(RemoveRequest {
        request,
        reason: reason.into(),
    })
}

fn invalid(result: Result<Vec<EventBody>, Rejection>) -> String {
    match result {
        Err(Rejection::Invalid(message)) => message,
        other => panic!("expected an invalid-command rejection, got {other:?}"),
    }
}

fn forbidden(result: Result<Vec<EventBody>, Rejection>) {
    assert!(
        matches!(result, Err(Rejection::Forbidden(_))),
        "expected forbidden, got {result:?}"
    );
}

/// The open item's list entry for `request`.
fn entry(room: &Room, request: u64) -> Option<SpeakerEntry> {
    let view = room.view();
    let open = view.open_item?;
    view.agenda
        .into_iter()
        .find(|i| i.id == open)?
        .speakers
        .into_iter()
        .find(|s| s.request == request)
}

#[test]
fn the_chair_removes_a_stale_request_with_a_reason_that_the_record_keeps() {
    let (mut room, _) = Room::with_open_item();
    let request = room.ask(&amina(), RequestKind::Speak);
    room.ask(&bruno(), RequestKind::Speak);
    room.exec(
        &Actor::Person(amina()),
        &Command::Leave {
            user: user("amina"),
            reason: LeaveReason::Left,
        },
    )
    .unwrap();
    let stale = entry(&room, request).expect("the request stays on the list");
    assert!(!stale.eligible, "the entry of someone who left is skipped");

    let events = room.ok(&moderator(), remove(request, "She left the meeting."));
    assert_eq!(
        events,
        [EventBody::RequestRemoved(RemoveRequest {
            request,
            reason: "She left the meeting.".into(),
        })]
    );
    let recorded = room.log.last().unwrap();
    assert_eq!(recorded.actor, Some(user("mod")), "recorded as the chair's");
    assert!(entry(&room, request).is_none());
    assert_eq!(room.order(), ["bruno"]);
}

#[test]
fn only_moderators_remove_requests_and_only_with_a_reason_and_a_real_request() {
    let (mut room, _) = Room::with_open_item();
    let request = room.ask(&amina(), RequestKind::Speak);
    // A participant, even the author, withdraws instead; nobody else removes it.
    forbidden(room.run(&bruno(), remove(request, "not mine")));
    forbidden(room.run(&amina(), remove(request, "my own")));
    let message = invalid(room.run(&moderator(), remove(request, "  ")));
    assert!(message.contains("reason"), "{message}");
    let message = invalid(room.run(&moderator(), remove(request + 100, "gone")));
    assert!(message.contains("no open request"), "{message}");
    let too_long = "x".repeat(501);
    invalid(room.run(&moderator(), remove(request, &too_long)));
    assert_eq!(room.order(), ["amina"], "nothing was removed");
    // A granted request is no longer on the list.
    room.grant_next();
    invalid(room.run(&moderator(), remove(request, "late")));
}

#[test]
fn the_chair_adds_a_request_on_behalf_of_a_participant_who_then_owns_it() {
    let (mut room, _) = Room::with_open_item();
    room.ask(&bruno(), RequestKind::Speak);
    let events = room.ok(&moderator(), for_someone(RequestKind::Speak, "amina"));
    let EventBody::FloorRequested(requested) = &events[0] else {
        panic!("expected floor_requested, got {events:?}");
    };
    assert_eq!(requested.on_behalf_of, Some(user("amina")));
    let request = room.state.seq();
    assert_eq!(room.log.last().unwrap().actor, Some(user("mod")));
    let listed = entry(&room, request).unwrap();
    assert_eq!(listed.user, user("amina"));
    assert_eq!(listed.name, "AMINA");
    assert_eq!(listed.constituency, Some(Constituency::Women));
    assert_eq!(listed.added_by, Some(user("mod")));
    assert!(listed.eligible);
    assert_eq!(room.order(), ["bruno", "amina"]);
    // The request is Amina's: she may withdraw it, and she gets the floor for it.
    room.grant_next();
    room.ok(&moderator(), RoomCommand::RevokeFloor);
    let turn = room.grant_next();
    assert_eq!(room.view().floor.unwrap().user, user("amina"));
    assert_eq!(room.view().turns.last().unwrap().id, turn);
}

#[test]
fn a_request_on_someones_behalf_follows_the_rules_of_their_own_request() {
    let (mut room, _) = Room::with_open_item();
    // Only moderators.
    forbidden(room.run(&bruno(), for_someone(RequestKind::Speak, "amina")));
    // Only participants of the room, not observers, moderators or strangers.
    let message = invalid(room.run(&moderator(), for_someone(RequestKind::Speak, "press")));
    assert!(message.contains("only participants"), "{message}");
    invalid(room.run(&moderator(), for_someone(RequestKind::Speak, "mod")));
    let message = invalid(room.run(&moderator(), for_someone(RequestKind::Speak, "nobody")));
    assert!(message.contains("not a member"), "{message}");
    // One request of each kind per person, whoever made it.
    room.ask(&amina(), RequestKind::Speak);
    let message = invalid(room.run(&moderator(), for_someone(RequestKind::Speak, "amina")));
    assert!(message.contains("amina already has"), "{message}");
    // A reply needs a speaker who is someone else.
    invalid(room.run(&moderator(), for_someone(RequestKind::Reply, "bruno")));
    room.grant_next();
    let message = invalid(room.run(&moderator(), for_someone(RequestKind::Reply, "amina")));
    assert!(message.contains("cannot reply"), "{message}");
    room.ok(&moderator(), for_someone(RequestKind::Reply, "bruno"));
    let reply = room.log.last().unwrap();
    let EventBody::FloorRequested(r) = &reply.body else {
        panic!("expected floor_requested");
    };
    assert!(r.reply_to.is_some(), "linked to the turn it answers");
    // Muted and expelled people are not put on the list.
    room.ok(
        &moderator(),
        RoomCommand::MuteParticipant(Sanction {
            user: user("chen"),
            reason: "disruption".into(),
        }),
    );
    let message = invalid(room.run(&moderator(), for_someone(RequestKind::Speak, "chen")));
    assert!(message.contains("muted"), "{message}");
    room.ok(
        &moderator(),
        RoomCommand::ExpelParticipant(Sanction {
            user: user("dara"),
            reason: "threats".into(),
        }),
    );
    let message = invalid(room.run(&moderator(), for_someone(RequestKind::Speak, "dara")));
    assert!(message.contains("expelled"), "{message}");
    // A closed list takes no speakers, whoever asks for them.
    room.ok(&moderator(), RoomCommand::CloseSpeakingList);
    let late = profile(
        "eve",
        Role::Participant,
        Some(Constituency::ChildrenYouth),
        "NG",
    );
    room.exec(&Actor::Person(late), &Command::Join).unwrap();
    let message = invalid(room.run(&moderator(), for_someone(RequestKind::Speak, "eve")));
    assert!(message.contains("closed"), "{message}");
    room.ok(&moderator(), for_someone(RequestKind::PointOfOrder, "eve"));
}

#[test]
fn a_request_made_by_the_chair_is_folded_again_the_same_from_the_record() {
    let (mut room, _) = Room::with_open_item();
    room.ok(&moderator(), for_someone(RequestKind::Speak, "amina"));
    let request = room.ask(&bruno(), RequestKind::Speak);
    room.ok(&moderator(), remove(request, "asked twice by mistake"));
    let mut again = super::super::RoomState::default();
    for event in &room.log {
        super::super::evolve(&mut again, event);
    }
    assert_eq!(again, room.state);
    // The events' wire form: the command's fields, nothing else.
    let json = serde_json::to_value(&room.log[room.log.len() - 1].body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "request_removed", "request": request, "reason": "asked twice by mistake"})
    );
}
