//! The record survives: resume after a disconnect, restart on the same data, tamper evidence.

use super::*;
use baraza_e2e::node::verify;
use baraza_proto::error::CloseCode;

#[tokio::test]
async fn a_client_that_misses_events_resumes_with_exactly_those() {
    let (node, api) = server_with_room().await;
    let mut amina = member(&node, &participant("amina", "KE"), "rt").await;
    let mut bruno = member(&node, &participant("bruno", "BR"), "rt").await;
    let first = bruno.post("rt", "b-1", "Before amina drops.", None).await;
    let seen = amina.events_through("rt", first).await;
    let last_seen = seen.last().unwrap().seq;
    amina.drop_connection();

    let mut missed = Vec::new();
    for i in 0..5 {
        missed.push(
            bruno
                .post(
                    "rt",
                    &format!("b-m{i}"),
                    &format!("While amina is away, point {i}."),
                    None,
                )
                .await,
        );
    }

    let (mut amina, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    let resumed = amina.join("rt", Some(last_seen)).await;
    assert!(
        resumed.snapshot.is_none(),
        "a resume sends events, not a snapshot"
    );
    let record = api.record("rt").await;
    let expected: Vec<_> = record
        .events
        .iter()
        .filter(|e| e.event.seq > last_seen)
        .map(|e| e.event.clone())
        .collect();
    assert_eq!(
        resumed.replayed, expected,
        "exactly the missed events, in order"
    );
    assert_eq!(resumed.seq, record.head);
    assert!(
        missed
            .iter()
            .all(|id| resumed.replayed.iter().any(|e| e.seq == *id))
    );

    // Then live events, without a duplicate.
    let live = bruno.post("rt", "b-live", "Welcome back.", None).await;
    let next = amina.next_event().await;
    assert_eq!(next.seq, live);
    assert_eq!(next.seq, record.head + 1);
}

#[tokio::test]
async fn a_resume_from_far_back_is_served_from_the_record() {
    // More events than a room keeps in memory (1,024) so the replay reads the record.
    let node = NodeProcess::start_with(
        baraza_e2e::DataDir::new(),
        &["--rate", "100000", "--burst", "100000"],
    )
    .await;
    let api = Api::new(node.http_url(), secretariat());
    api.create_room(
        "rt",
        &settings(baraza_proto::room::RoomKind::Roundtable, "Busy room"),
    )
    .await;
    let mut bruno = member(&node, &participant("bruno", "BR"), "rt").await;
    let last = *bruno
        .post_pipelined("rt", "k", 1_100, "Point")
        .await
        .last()
        .unwrap();
    let (mut amina, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    let resumed = amina.join("rt", Some(2)).await;
    let seqs: Vec<u64> = resumed.replayed.iter().map(|e| e.seq).collect();
    let head = resumed.seq;
    assert!(head > last, "amina's own join is in the record too");
    assert_eq!(seqs, (3..=head).collect::<Vec<_>>());
    // The replay ends with the roundtable part as of the head, as a fetch would give it.
    let view = resumed.view.expect("a replay ends with a view");
    assert!(view.resume);
    assert_eq!(view.seq, head);
    let (_, body) = api.get("/api/rooms/rt").await;
    assert_eq!(body["seq"], head);
    assert_eq!(
        serde_json::to_value(&view.roundtable).unwrap(),
        body["state"]["roundtable"]
    );
}

#[tokio::test]
async fn after_a_restart_the_record_and_the_room_are_intact() {
    let (node, api) = server_with_room().await;
    let mut amina = member(&node, &participant("amina", "KE"), "rt").await;
    let first = amina
        .post("rt", "a-1", "Recorded before the restart.", None)
        .await;
    let reply = amina
        .post("rt", "a-2", "And a reply to it.", Some(first))
        .await;
    let before = api.record("rt").await;

    let node = node.restart().await;
    assert_eq!(
        amina.closed().await,
        Some(CloseCode::ServiceRestart.code()),
        "clients are told to reconnect"
    );

    let api = Api::new(node.http_url(), secretariat());
    let after = api.record("rt").await;
    assert_eq!(
        after.events, before.events,
        "every event, byte for byte, with its hashes"
    );
    let (mut amina, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    let resumed = amina.join("rt", Some(before.head)).await;
    assert!(resumed.replayed.iter().all(|e| e.seq > before.head));
    let (_, view) = Client::signed_in(&node.ws_url(), &moderator())
        .await
        .0
        .join("rt", None)
        .await
        .snapshot
        .unwrap();
    let ids: Vec<u64> = view.statements.iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![first, reply]);
    assert_eq!(view.statements[1].parent, Some(first));
    // The room goes on where it stopped.
    let next = amina.post("rt", "a-3", "After the restart.", None).await;
    assert!(next > before.head);
    let (status, output) = verify(node.data().path());
    assert!(status.success(), "{output}");
}

#[tokio::test]
async fn verify_names_the_first_corrupted_event() {
    let (node, _api) = server_with_room().await;
    let mut amina = member(&node, &participant("amina", "KE"), "rt").await;
    let target = amina.post("rt", "a-1", "The original wording.", None).await;
    amina.post("rt", "a-2", "A later statement.", None).await;
    let data = node.data().clone();
    let status = node.stop().await;
    assert!(status.success());

    let (status, output) = verify(data.path());
    assert!(status.success(), "an intact record verifies: {output}");
    assert!(output.contains("ok      rt"), "{output}");

    // The text is stored beside the event, committed to by it: a changed text is tampering.
    let db = rusqlite::Connection::open(data.path().join("record.sqlite3")).unwrap();
    let event: String = db
        .query_row(
            "SELECT event FROM events WHERE room = 'rt' AND seq = ?1",
            [target as i64],
            |row| row.get(0),
        )
        .unwrap();
    assert!(!event.contains("The original wording."), "{event}");
    assert!(event.contains("text_commitment"), "{event}");
    let changed = db
        .execute(
            "UPDATE texts SET text = 'A forged wording.' WHERE room = 'rt' AND seq = ?1",
            [target as i64],
        )
        .unwrap();
    assert_eq!(changed, 1);
    let (status, output) = verify(data.path());
    assert!(
        !status.success(),
        "a changed text fails verification: {output}"
    );
    assert!(
        output.contains(&format!("BROKEN  rt at seq {target}")),
        "{output}"
    );
    assert!(output.contains("does not match its commitment"), "{output}");

    // A removed text without a redaction is a break too.
    db.execute(
        "DELETE FROM texts WHERE room = 'rt' AND seq = ?1",
        [target as i64],
    )
    .unwrap();
    let (status, output) = verify(data.path());
    assert!(!status.success(), "{output}");
    assert!(output.contains("never redacted"), "{output}");

    // And the event itself, as before.
    let forged = event.replace("\"lang\":\"en\"", "\"lang\":\"fr\"");
    assert_ne!(forged, event);
    db.execute(
        "UPDATE events SET event = ?1 WHERE room = 'rt' AND seq = ?2",
        rusqlite::params![forged, target as i64],
    )
    .unwrap();
    drop(db);

    let (status, output) = verify(data.path());
    assert!(
        !status.success(),
        "a corrupted record fails verification: {output}"
    );
    assert!(
        output.contains(&format!("BROKEN  rt at seq {target}")),
        "{output}"
    );
    assert!(output.contains("hash does not match"), "{output}");
}
