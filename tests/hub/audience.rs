//! Presence at scale over real sockets: 300 observers join a roundtable and stay connected
//! while a participant and a moderator follow it. The participant is told in a handful of
//! digests (counts, no names), the moderator gets the names, the record's digests name every
//! one of the 300 exactly once, and the export's attendance lists them from when to when.

use super::*;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::message::ClientMessage;
use std::collections::BTreeSet;
use std::time::Instant;

const AUDIENCE: usize = 300;
const LEAVING: usize = 50;

fn observer_token(i: usize) -> String {
    TokenSpec::new(&format!("obs-{i:03}"), Role::Observer).sign()
}

/// Reads `client`'s events of `rt` until a digest says `count` of the audience are present;
/// returns every presence event seen on the way (digests, joins, departures).
async fn presence_until(client: &mut Client, count: u32) -> Vec<EventEnvelope> {
    let mut seen = Vec::new();
    loop {
        let event = client.next_event().await;
        let done =
            matches!(&event.body, EventBody::AudienceChanged { count: c, .. } if *c == count);
        if matches!(
            event.body,
            EventBody::AudienceChanged { .. }
                | EventBody::MemberJoined { .. }
                | EventBody::MemberLeft { .. }
        ) {
            seen.push(event);
        }
        if done {
            return seen;
        }
    }
}

#[tokio::test]
async fn three_hundred_observers_cost_a_participant_a_few_digests() {
    let (node, api) = server_with_room().await;
    let mut amina = member(&node, &participant("amina", "KE"), "rt").await;
    let mut chair = member(&node, &moderator(), "rt").await;

    let started = Instant::now();
    let mut audience = Vec::with_capacity(AUDIENCE);
    for i in 0..AUDIENCE {
        audience.push(member(&node, &observer_token(i), "rt").await);
    }
    let joining = started.elapsed();

    // The participant: digests only (no one-by-one joins), with the count and no names.
    let to_amina = presence_until(&mut amina, AUDIENCE as u32).await;
    let one_by_one: Vec<&EventEnvelope> = to_amina
        .iter()
        .filter(|e| match &e.body {
            EventBody::MemberJoined { member } => member.user.as_str().starts_with("obs-"),
            EventBody::MemberLeft { user, .. } => user.as_str().starts_with("obs-"),
            _ => false,
        })
        .collect();
    assert!(
        one_by_one.is_empty(),
        "observers announced one by one: {one_by_one:?}"
    );
    let to_amina: Vec<EventEnvelope> = to_amina
        .into_iter()
        .filter(|e| matches!(e.body, EventBody::AudienceChanged { .. }))
        .collect();
    let digests = to_amina.len();
    // At most one digest a second while they joined, and the last one after.
    let bound = joining.as_secs() as usize + 2;
    assert!(
        digests <= bound,
        "{digests} digests for {AUDIENCE} joins in {joining:?} (at most {bound})"
    );
    for event in &to_amina {
        let EventBody::AudienceChanged { arrived, left, .. } = &event.body else {
            unreachable!()
        };
        assert!(
            arrived.is_empty() && left.is_empty(),
            "no names for a participant"
        );
    }
    // The chair: the same digests, with the names.
    let to_chair = presence_until(&mut chair, AUDIENCE as u32).await;
    let named: Vec<String> = to_chair
        .iter()
        .flat_map(|e| match &e.body {
            EventBody::AudienceChanged { arrived, .. } => {
                arrived.iter().map(|p| p.user.to_string()).collect()
            }
            _ => Vec::new(),
        })
        .collect();
    let expected: Vec<String> = (0..AUDIENCE).map(|i| format!("obs-{i:03}")).collect();
    assert_eq!(
        named, expected,
        "every observer named once, in order of arrival"
    );

    // Fifty leave: one digest (or two, if a second boundary falls between) names them.
    for client in audience.iter_mut().take(LEAVING) {
        let id = client.id();
        client
            .send(&ClientMessage::Leave {
                id: id.clone(),
                room: "rt".parse().unwrap(),
            })
            .await;
        client.answer(&id).await.expect("left");
    }
    let remaining = (AUDIENCE - LEAVING) as u32;
    let departures = presence_until(&mut amina, remaining).await;
    assert!(
        (1..=2).contains(&departures.len()),
        "{LEAVING} departures in one or two digests: {departures:?}"
    );

    // The record: the digests name each of the 300 arriving once and the 50 leaving once.
    let record = api.record("rt").await;
    let mut arrived_once = BTreeSet::new();
    let mut left_once = BTreeSet::new();
    for e in &record.events {
        match &e.event.body {
            EventBody::AudienceChanged { arrived, left, .. } => {
                for p in arrived {
                    assert!(arrived_once.insert(p.user.to_string()), "{} twice", p.user);
                }
                for u in left {
                    assert!(left_once.insert(u.to_string()), "{u} twice");
                }
            }
            EventBody::MemberJoined { member } => {
                assert!(
                    !member.user.as_str().starts_with("obs-"),
                    "an observer announced one by one"
                );
            }
            _ => {}
        }
    }
    assert_eq!(arrived_once.len(), AUDIENCE);
    assert_eq!(
        left_once,
        expected[..LEAVING].iter().cloned().collect::<BTreeSet<_>>()
    );

    // The export's attendance (the secretariat's): all 300, the first 50 until they left.
    let (status, export) = api.get("/api/rooms/rt/export?format=json&lang=en").await;
    assert_eq!(status, 200, "{export}");
    let attendance = export["summary"]["attendance"]
        .as_array()
        .expect("attendance");
    let observers: Vec<&serde_json::Value> = attendance
        .iter()
        .filter(|a| a["user"].as_str().is_some_and(|u| u.starts_with("obs-")))
        .collect();
    assert_eq!(observers.len(), AUDIENCE);
    let closed = observers.iter().filter(|a| !a["to"].is_null()).count();
    assert_eq!(closed, LEAVING, "the ones who left have an end");
    let people = export["summary"]["people"].as_array().expect("people");
    assert!(
        people.iter().any(|p| p["user"] == "obs-299"),
        "the audience's names are in the export"
    );

    // A newcomer's snapshot counts the audience rather than listing it.
    let (mut late, _) = Client::signed_in(&node.ws_url(), &participant("bruno", "BR")).await;
    let joined = late.join("rt", None).await;
    let (_, view) = joined.snapshot.expect("snapshot");
    assert_eq!(view.audience.present, AUDIENCE - LEAVING);
    assert!(
        view.members
            .iter()
            .all(|m| !m.profile.user.as_str().starts_with("obs-"))
    );
    drop(audience);
}

#[tokio::test]
async fn a_participant_above_the_threshold_joins_the_audience_and_may_still_speak() {
    let node = NodeProcess::start().await;
    let api = Api::new(node.http_url(), secretariat());
    let room = RoomSettings {
        audience_above: Some(1),
        ..settings(RoomKind::Roundtable, "High-level dialogue")
    };
    api.create_room("hl", &room).await;
    let mut amina = member(&node, &participant("amina", "KE"), "hl").await;
    let mut chen = member(&node, &participant("chen", "CN"), "hl").await;
    // chen is audience: a statement right away still finds them present (the digest first).
    let seq = chen
        .post("hl", "k-1", "A question from the floor.", None)
        .await;
    let events = amina.events_through("hl", seq).await;
    let names: Vec<&str> = events.iter().map(|e| e.body.name()).collect();
    assert_eq!(names, ["audience_changed", "statement_posted"]);
}
