//! Rooms, roles and statements: everyone sees the same record in the same order.

use super::*;
use baraza_e2e::client::Incoming;
use baraza_proto::command::RoomCommand;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::message::{ClientMessage, ServerMessage};

#[tokio::test]
async fn three_roles_see_the_same_events_in_the_same_order() {
    let (node, api) = server_with_room().await;
    let mut moderator = member(&node, &moderator(), "rt").await;
    let mut amina = member(&node, &participant("amina", "KE"), "rt").await;
    let mut press = member(&node, &observer(), "rt").await;
    // The observer joined the audience: everyone is told in the next digest (within a second).
    for client in [&mut moderator, &mut amina, &mut press] {
        let count = client
            .wait_for("the audience digest", |incoming| match incoming {
                Incoming::Message(ServerMessage::Event(event)) => match &event.body {
                    EventBody::AudienceChanged { count, .. } => Some(*count),
                    _ => None,
                },
                _ => None,
            })
            .await;
        assert_eq!(count, 1);
    }

    let statement = amina
        .post("rt", "k-1", "Debt relief must come first.", None)
        .await;
    let reply = moderator
        .post(
            "rt",
            "k-2",
            "Thank you; who else wants to respond?",
            Some(statement),
        )
        .await;
    let head = reply;

    let seen: Vec<Vec<EventEnvelope>> = vec![
        moderator.events_through("rt", head).await,
        amina.events_through("rt", head).await,
        press.events_through("rt", head).await,
    ];
    // Each one saw the events after its own join; from the last join on, all are identical.
    let common_start = seen.iter().map(|events| events[0].seq).max().unwrap();
    let tails: Vec<Vec<&EventEnvelope>> = seen
        .iter()
        .map(|events| events.iter().filter(|e| e.seq >= common_start).collect())
        .collect();
    assert_eq!(tails[0], tails[1]);
    assert_eq!(tails[1], tails[2]);
    let bodies: Vec<&str> = tails[0].iter().map(|e| e.body.name()).collect();
    assert_eq!(bodies, ["statement_posted", "statement_posted"]);
    match &tails[0][1].body {
        EventBody::StatementPosted { parent, text, .. } => {
            assert_eq!(*parent, Some(statement));
            assert!(text.starts_with("Thank you"));
        }
        other => panic!("expected the reply, got {other:?}"),
    }
    assert_eq!(
        tails[0][0].actor.as_ref().map(|a| a.as_str()),
        Some("amina")
    );

    // The record holds exactly these, hash-chained, and the snapshot of a newcomer agrees.
    let record = api.record("rt").await;
    assert_eq!(record.head, head);
    assert_eq!(
        record
            .events
            .iter()
            .map(|e| e.event.seq)
            .collect::<Vec<_>>(),
        (1..=head).collect::<Vec<_>>()
    );
    for pair in record.events.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    let late = member(&node, &participant("bruno", "BR"), "rt").await;
    drop(late);
    let (mut newcomer, _) = Client::signed_in(&node.ws_url(), &participant("chen", "CN")).await;
    let joined = newcomer.join("rt", None).await;
    let (seq, view) = joined.snapshot.expect("a snapshot");
    assert_eq!(seq, joined.seq);
    assert_eq!(
        view.statements.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![statement, reply]
    );
    assert_eq!(view.statements[1].parent, Some(statement));
    let present: Vec<&str> = view
        .members
        .iter()
        .filter(|m| m.present)
        .map(|m| m.profile.user.as_str())
        .collect();
    assert!(
        present.contains(&"amina") && present.contains(&"chen"),
        "{present:?}"
    );
    assert!(
        !present.contains(&"press-1"),
        "the audience is counted, not listed: {present:?}"
    );
    assert_eq!(view.audience.present, 1, "press-1 in the audience");
    let amina_profile = &view
        .members
        .iter()
        .find(|m| m.profile.user.as_str() == "amina")
        .unwrap()
        .profile;
    assert_eq!(
        amina_profile
            .region
            .as_ref()
            .map(|r| r.m49_subregion.as_str()),
        Some("014"),
        "region comes from the country"
    );
}

#[tokio::test]
async fn a_participant_giving_a_moderator_command_is_refused_and_nothing_is_appended() {
    let (node, api) = server_with_room().await;
    let mut amina = member(&node, &participant("amina", "KE"), "rt").await;
    let mut bruno = member(&node, &participant("bruno", "BR"), "rt").await;
    let statement = bruno
        .post("rt", "b-1", "An advert for my consultancy.", None)
        .await;
    let head = api.record("rt").await.head;

    let hide = RoomCommand::HideStatement {
        statement,
        reason: "off topic".into(),
    };
    let refusal = amina.command("rt", None, hide.clone()).await.unwrap_err();
    assert_eq!(refusal.code, ErrorCode::Forbidden);
    assert!(
        refusal.message.contains("moderators"),
        "{}",
        refusal.message
    );
    assert_eq!(
        api.record("rt").await.head,
        head,
        "a refused command appends nothing"
    );

    let (mut observer, _) = Client::signed_in(&node.ws_url(), &observer()).await;
    observer.join("rt", None).await;
    let post = RoomCommand::PostStatement {
        text: "May I?".into(),
        lang: "en".parse().unwrap(),
        parent: None,
        agenda_item: None,
        question: None,
        alignment: None,
    };
    assert_eq!(
        observer
            .command("rt", Some("o-1"), post)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );

    // A moderator may, and everyone sees it hidden; the record keeps the text.
    let mut moderator = member(&node, &moderator(), "rt").await;
    let (seq, _) = moderator
        .command("rt", None, hide)
        .await
        .expect("moderators hide");
    let event = amina.events_through("rt", seq).await.pop().unwrap();
    assert_eq!(
        event.body,
        EventBody::StatementHidden {
            statement,
            reason: "off topic".into()
        }
    );
    let (_, view) = Client::signed_in(&node.ws_url(), &participant("chen", "CN"))
        .await
        .0
        .join("rt", None)
        .await
        .snapshot
        .unwrap();
    let hidden = view.statements.iter().find(|s| s.id == statement).unwrap();
    assert!(
        hidden.redacted && hidden.text.is_empty(),
        "participants do not see hidden text"
    );
    let record = api.record("rt").await;
    assert!(record.events.iter().any(|e| matches!(&e.event.body, EventBody::StatementPosted { text, .. } if text.contains("advert"))));
}

#[tokio::test]
async fn a_retried_command_with_the_same_key_is_not_doubled() {
    let (node, api) = server_with_room().await;
    let mut amina = member(&node, &participant("amina", "KE"), "rt").await;
    let first = amina
        .post("rt", "same-key", "Only once, please.", None)
        .await;
    let post = RoomCommand::PostStatement {
        text: "Only once, please.".into(),
        lang: "en".parse().unwrap(),
        parent: None,
        agenda_item: None,
        question: None,
        alignment: None,
    };
    assert_eq!(
        amina.command("rt", Some("same-key"), post.clone()).await,
        Ok((first, true))
    );
    // Also after a reconnect.
    amina.drop_connection();
    let mut again = member(&node, &participant("amina", "KE"), "rt").await;
    assert_eq!(
        again.command("rt", Some("same-key"), post.clone()).await,
        Ok((first, true))
    );
    assert_eq!(
        again.command("rt", None, post).await.unwrap_err().code,
        ErrorCode::IdempotencyKeyRequired
    );
    let statements = api
        .record("rt")
        .await
        .events
        .iter()
        .filter(|e| matches!(e.event.body, EventBody::StatementPosted { .. }))
        .count();
    assert_eq!(statements, 1);
}

#[tokio::test]
async fn commands_need_a_joined_room_and_unknown_rooms_are_named() {
    let (node, _api) = server_with_room().await;
    let (mut amina, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    let post = RoomCommand::PostStatement {
        text: "hello".into(),
        lang: "en".parse().unwrap(),
        parent: None,
        agenda_item: None,
        question: None,
        alignment: None,
    };
    assert_eq!(
        amina.command("rt", Some("k"), post).await.unwrap_err().code,
        ErrorCode::NotJoined
    );
    assert_eq!(
        amina.try_join("no-such-room", None).await.unwrap_err().code,
        ErrorCode::RoomNotFound
    );
    let joined = amina.join("rt", None).await;
    assert!(joined.snapshot.is_some());
    // Leaving records the departure and stops the events.
    let id = amina.id();
    amina
        .send(&ClientMessage::Leave {
            id: id.clone(),
            room: "rt".parse().unwrap(),
        })
        .await;
    amina.answer(&id).await.expect("leave acknowledged");
    let mut moderator = member(&node, &moderator(), "rt").await;
    let posted = moderator
        .post("rt", "m-1", "Welcome, everyone.", None)
        .await;
    let (_, view) = Client::signed_in(&node.ws_url(), &observer())
        .await
        .0
        .join("rt", None)
        .await
        .snapshot
        .unwrap();
    let amina_view = view
        .members
        .iter()
        .find(|m| m.profile.user.as_str() == "amina")
        .unwrap();
    assert!(!amina_view.present);
    assert!(view.statements.iter().any(|s| s.id == posted));
    amina.ping().await;
    assert_eq!(amina.kept_events(), 0, "no events arrive after leaving");
}
