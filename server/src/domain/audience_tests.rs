//! Given/when/then tests of the audience: who joins it, the digest decider (only the server,
//! only what is news) and how `evolve` applies a digest (presence, counts, views).

use super::tests::person;
use super::visibility::{self, ReaderKind, Visibility};
use super::*;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::Role;
use baraza_proto::ids::{LanguageTag, Millis};
use baraza_proto::room::{RoomKind, Scope};

const T0: Millis = 1_790_000_000_000;

fn settings(audience_above: Option<u32>) -> RoomSettings {
    RoomSettings {
        kind: RoomKind::Roundtable,
        title: "High-level dialogue".into(),
        description: String::new(),
        languages: vec![LanguageTag::new("en").unwrap()],
        scope: Scope::Global,
        constituency: None,
        audience_above,
    }
}

/// A room built by running commands through `decide` and `evolve`.
struct Room {
    state: RoomState,
    now: Millis,
}

impl Room {
    fn new(audience_above: Option<u32>) -> Room {
        let mut room = Room {
            state: RoomState::default(),
            now: T0,
        };
        let sec = Actor::Person(person("sec", Role::Secretariat));
        room.did(&sec, Command::Create(settings(audience_above)));
        room
    }

    /// Runs a command that must succeed; returns its events.
    fn did(&mut self, actor: &Actor, command: Command) -> Vec<EventBody> {
        let events = decide(&self.state, actor, &command, self.now).expect("accepted");
        for body in &events {
            let envelope = EventEnvelope {
                room: RoomId::new("r1").unwrap(),
                seq: self.state.seq() + 1,
                ts: self.now,
                actor: actor.user().cloned(),
                key: None,
                body: body.clone(),
            };
            evolve(&mut self.state, &envelope);
        }
        self.now += 1_000;
        events
    }

    fn join(&mut self, profile: &Profile) -> Vec<EventBody> {
        self.did(&Actor::Person(profile.clone()), Command::Join)
    }

    fn digest(&mut self, arrived: &[Profile], left: &[&str]) -> Vec<EventBody> {
        let left = left.iter().map(|u| UserId::new(*u).unwrap()).collect();
        self.did(
            &Actor::System,
            Command::Audience {
                arrived: arrived.to_vec(),
                left,
            },
        )
    }
}

fn uid(u: &str) -> UserId {
    UserId::new(u).unwrap()
}

fn names(events: &[EventBody]) -> (Vec<String>, Vec<String>, u32) {
    match events {
        [
            EventBody::AudienceChanged {
                arrived,
                left,
                count,
            },
        ] => (
            arrived.iter().map(|p| p.user.to_string()).collect(),
            left.iter().map(|u| u.to_string()).collect(),
            *count,
        ),
        other => panic!("one audience_changed expected, got {other:?}"),
    }
}

#[test]
fn observers_are_always_audience_and_the_threshold_decides_for_the_rest() {
    let mut room = Room::new(Some(2));
    let press = person("press", Role::Observer);
    assert!(
        audience::is_audience(&room.state, &press),
        "observers always"
    );
    let amina = person("amina", Role::Participant);
    assert!(
        !audience::is_audience(&room.state, &amina),
        "below the threshold"
    );
    room.join(&amina);
    room.join(&person("bruno", Role::Participant));
    let chen = person("chen", Role::Participant);
    assert!(
        audience::is_audience(&room.state, &chen),
        "two present: the third participant joins the audience"
    );
    for role in [Role::Moderator, Role::Secretariat] {
        assert!(
            !audience::is_audience(&room.state, &person("chair", role)),
            "{role:?} always takes part"
        );
    }
    assert!(
        !audience::is_audience(&room.state, &amina),
        "someone present stays what they arrived as"
    );
    let open = Room::new(None);
    assert!(
        !audience::is_audience(&open.state, &chen),
        "without a threshold only observers are audience"
    );
}

#[test]
fn only_the_server_digests_the_audience() {
    let room = Room::new(None);
    let press = person("press", Role::Observer);
    let command = Command::Audience {
        arrived: vec![press.clone()],
        left: vec![],
    };
    for actor in [
        Actor::Person(press),
        Actor::Person(person("sec", Role::Secretariat)),
    ] {
        assert!(matches!(
            decide(&room.state, &actor, &command, T0),
            Err(Rejection::Forbidden(_))
        ));
    }
}

#[test]
fn a_digest_records_only_what_is_news_so_repeats_are_harmless() {
    let mut room = Room::new(None);
    let (a, b, c) = (
        person("obs-a", Role::Observer),
        person("obs-b", Role::Observer),
        person("obs-c", Role::Observer),
    );
    let first = room.digest(&[a.clone(), b.clone(), a.clone()], &["nobody"]);
    assert_eq!(
        names(&first),
        (vec!["obs-a".into(), "obs-b".into()], vec![], 2),
        "named once each; a departure of someone absent is not news"
    );
    assert!(room.state.is_present(&uid("obs-a")));
    // Another node (or a retry) digests the same arrivals again, with one more.
    let again = room.digest(&[a.clone(), b.clone(), c.clone()], &[]);
    assert_eq!(names(&again), (vec!["obs-c".into()], vec![], 3));
    assert!(
        room.digest(&[a.clone(), b.clone()], &[]).is_empty(),
        "nothing new: nothing recorded"
    );
    let left = room.digest(&[], &["obs-a", "obs-a"]);
    assert_eq!(names(&left), (vec![], vec!["obs-a".into()], 2));
    assert!(!room.state.is_present(&uid("obs-a")));
    assert!(room.digest(&[], &["obs-a"]).is_empty(), "gone already");
    // A participant's presence is not the digest's to end.
    let amina = person("amina", Role::Participant);
    room.join(&amina);
    assert!(room.digest(&[amina], &["amina"]).is_empty());
    assert!(room.state.is_present(&uid("amina")));
}

#[test]
fn evolve_keeps_presence_and_counts_and_views_count_the_audience() {
    let mut room = Room::new(None);
    let amina = person("amina", Role::Participant);
    room.join(&amina);
    let audience: Vec<Profile> = (0..30)
        .map(|i| person(&format!("obs-{i:02}"), Role::Observer))
        .collect();
    room.digest(&audience, &[]);
    assert_eq!(room.state.present_count(), 31);
    assert_eq!(room.state.audience_present(), 30);
    assert!(room.state.in_audience(&uid("obs-07")));
    room.digest(&[], &["obs-00", "obs-01"]);
    assert_eq!(room.state.audience_present(), 28);
    assert_eq!(room.state.present_count(), 29);
    // Back as a participant (not an observer any more): listed again.
    let mut back = person("obs-00", Role::Participant);
    back.name = "Back".into();
    room.join(&back);
    assert!(!room.state.in_audience(&uid("obs-00")));
    assert_eq!(room.state.audience_present(), 28);

    let member = room.state.view(ReaderKind::Member).unwrap();
    let listed: Vec<&str> = member
        .members
        .iter()
        .map(|m| m.profile.user.as_str())
        .collect();
    assert_eq!(listed, ["amina", "obs-00"], "the audience is not listed");
    assert_eq!(member.audience.present, 28);
    assert!(
        member.audience.names.is_empty(),
        "members get the count only"
    );
    let chair = room.state.view(ReaderKind::Moderating).unwrap();
    assert_eq!(chair.audience.present, 28);
    assert_eq!(
        chair.audience.names.len(),
        baraza_proto::view::AUDIENCE_NAMES
    );
    assert_eq!(chair.audience.names[0], "OBS-02", "in order of arrival");
    let summary = room.state.summary().unwrap();
    assert_eq!(summary.present, 30, "the summary counts everyone present");
}

#[test]
fn readers_who_do_not_moderate_get_the_digest_without_names() {
    let mut room = Room::new(None);
    let events = room.digest(&[person("press", Role::Observer)], &[]);
    let event = &events[0];
    assert_eq!(
        visibility::frame_for(ReaderKind::Moderating, &room.state, event),
        Visibility::All
    );
    assert_eq!(
        visibility::frame_for(ReaderKind::Member, &room.state, event),
        Visibility::Redacted
    );
    assert_eq!(
        visibility::redact(event),
        EventBody::AudienceChanged {
            arrived: vec![],
            left: vec![],
            count: 1,
        }
    );
}

#[test]
fn an_archived_room_digests_nothing() {
    let mut room = Room::new(None);
    room.digest(&[person("press", Role::Observer)], &[]);
    room.did(&Actor::System, Command::Archive);
    assert_eq!(room.state.audience_present(), 0);
    assert!(
        room.digest(&[person("late", Role::Observer)], &["press"])
            .is_empty()
    );
}

#[test]
fn someone_on_the_speaking_list_takes_part_above_the_threshold() {
    use baraza_proto::roundtable::{AddAgendaItem, ItemRef, RequestFloor, RequestKind};
    let mut room = Room::new(Some(2));
    let chair = Actor::Person(person("chair", Role::Moderator));
    room.join(&person("chair", Role::Moderator));
    let amina = person("amina", Role::Participant);
    room.join(&amina);
    let room_command = |command| Command::Room {
        key: Some(baraza_proto::ids::IdempotencyKey::new("k").unwrap()),
        command,
    };
    room.did(
        &chair,
        room_command(RoomCommand::AddAgendaItem(AddAgendaItem {
            title: "Debt".into(),
            speaking_time_ms: None,
        })),
    );
    let item = room.state.seq();
    room.did(
        &chair,
        room_command(RoomCommand::OpenAgendaItem(ItemRef { item })),
    );
    room.did(
        &Actor::Person(amina.clone()),
        room_command(RoomCommand::RequestFloor(RequestFloor::new(
            RequestKind::Speak,
        ))),
    );
    room.did(
        &Actor::Person(amina.clone()),
        Command::Leave {
            user: uid("amina"),
            reason: baraza_proto::event::LeaveReason::Left,
        },
    );
    room.join(&person("bruno", Role::Participant));
    assert_eq!(room.state.present_count(), 2);
    assert!(
        !audience::is_audience(&room.state, &amina),
        "amina is on the speaking list: she takes part"
    );
    assert!(audience::is_audience(
        &room.state,
        &person("chen", Role::Participant)
    ));
}
