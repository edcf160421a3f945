//! Presence: who is in the room, kept in the record; a vanished client leaves after the grace.

use super::*;
use baraza_e2e::DataDir;
use baraza_e2e::client::Incoming;
use baraza_proto::event::{EventBody, LeaveReason};
use baraza_proto::message::ServerMessage;

#[tokio::test]
async fn a_vanished_client_is_recorded_as_disconnected_after_the_grace_but_a_second_connection_keeps_them_present()
 {
    let node = NodeProcess::start_with(DataDir::new(), &["--presence-grace", "400ms"]).await;
    let api = Api::new(node.http_url(), secretariat());
    api.create_room(
        "rt",
        &settings(baraza_proto::room::RoomKind::Roundtable, "Presence"),
    )
    .await;
    let mut moderator = member(&node, &moderator(), "rt").await;
    let amina = member(&node, &participant("amina", "KE"), "rt").await;
    amina.drop_connection();

    let left = moderator
        .wait_for("amina's departure", |incoming| match incoming {
            baraza_e2e::client::Incoming::Message(baraza_proto::message::ServerMessage::Event(
                event,
            )) => match &event.body {
                EventBody::MemberLeft { user, reason } if user.as_str() == "amina" => Some(*reason),
                _ => None,
            },
            _ => None,
        })
        .await;
    assert_eq!(left, LeaveReason::Disconnected);

    // Two connections of one person: dropping one keeps them present. A canary who drops
    // later than bruno's first connection is recorded as gone after the grace; by then a
    // departure of bruno would have been recorded too.
    let bruno_a = member(&node, &participant("bruno", "BR"), "rt").await;
    let _bruno_b = member(&node, &participant("bruno", "BR"), "rt").await;
    let canary = member(&node, &participant("canary", "FR"), "rt").await;
    bruno_a.drop_connection();
    canary.drop_connection();
    let departed = moderator
        .wait_for("the canary's departure", |incoming| match incoming {
            Incoming::Message(ServerMessage::Event(event)) => match &event.body {
                EventBody::MemberLeft { user, .. } if user.as_str() == "canary" => Some(event.seq),
                _ => None,
            },
            _ => None,
        })
        .await;
    let record = api.record("rt").await;
    assert!(record.head >= departed);
    let bruno_left = record.events.iter().any(
        |e| matches!(&e.event.body, EventBody::MemberLeft { user, .. } if user.as_str() == "bruno"),
    );
    assert!(!bruno_left, "bruno still has a connection");
}

#[tokio::test]
async fn a_peer_that_stops_answering_pings_is_closed_with_4002() {
    let node = NodeProcess::start_with(DataDir::new(), &["--heartbeat", "100ms"]).await;
    let (mut silent, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    // The condition under test is silence: the client reads nothing (so answers no ping) for
    // longer than three heartbeat intervals.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(
        silent.closed().await,
        Some(baraza_proto::error::CloseCode::HeartbeatTimeout.code())
    );
    // A client that keeps reading stays connected over the same period.
    let (mut lively, _) = Client::signed_in(&node.ws_url(), &participant("bruno", "BR")).await;
    for _ in 0..6 {
        lively.ping().await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    lively.ping().await;
}
