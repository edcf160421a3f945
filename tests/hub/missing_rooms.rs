//! Joins of rooms that do not exist: each gets exactly one `room_not_found`, and none leaves
//! anything behind in the node (no room actor, no mailbox, no memory).

use super::{observer, secretariat, settings};
use baraza_e2e::client::Incoming;
use baraza_e2e::{Api, Client, NodeProcess};
use baraza_proto::error::ErrorCode;
use baraza_proto::message::ServerMessage;
use baraza_proto::room::RoomKind;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// Rate limits high enough for one connection to pipeline thousands of requests.
const FAST: &[&str] = &["--rate", "1000000", "--burst", "1000000"];
/// How long the node may stay silent while answers are due before they count as lost (well
/// below the client's own wait, which panics).
const SILENCE: Duration = Duration::from_secs(5);

/// Sends `count` joins (of the room `room(i)`) with at most `window` unanswered, and returns
/// how many answers each request id got, and their codes. Once the window is full or
/// everything is sent, waits at most [`SILENCE`] for the next answer (then the rest got none).
async fn pipelined_joins(
    client: &mut Client,
    count: usize,
    window: usize,
    room: impl Fn(usize) -> String,
) -> HashMap<String, Vec<Option<ErrorCode>>> {
    let mut answers: HashMap<String, Vec<Option<ErrorCode>>> = HashMap::new();
    let mut outstanding: HashSet<String> = HashSet::new();
    let mut sent = 0;
    while sent < count || !outstanding.is_empty() {
        if sent < count && outstanding.len() < window {
            let id = format!("j{sent}");
            let frame = serde_json::json!({"type": "join", "id": id, "room": room(sent)});
            client.send_text(frame.to_string()).await;
            outstanding.insert(id);
            sent += 1;
            continue;
        }
        let incoming = match tokio::time::timeout(SILENCE, client.next()).await {
            Ok(incoming) => incoming,
            Err(_) => break, // Whatever is still outstanding got no answer.
        };
        let (id, code) = match incoming {
            Incoming::Message(ServerMessage::Ack { id, .. }) => (id, None),
            Incoming::Message(ServerMessage::Error {
                id: Some(id), code, ..
            }) => (id, Some(code)),
            Incoming::Message(ServerMessage::Snapshot { .. }) => continue,
            other => panic!("unexpected {other:?}"),
        };
        outstanding.remove(&id);
        answers.entry(id).or_default().push(code);
    }
    for id in outstanding {
        answers.entry(id).or_default();
    }
    answers
}

/// Asserts that every one of `count` joins got exactly one answer, `room_not_found`.
fn assert_one_not_found_each(answers: &HashMap<String, Vec<Option<ErrorCode>>>, count: usize) {
    let unanswered: Vec<&String> = answers
        .iter()
        .filter(|(_, a)| a.is_empty())
        .map(|(id, _)| id)
        .collect();
    let doubled: Vec<&String> = answers
        .iter()
        .filter(|(_, a)| a.len() > 1)
        .map(|(id, _)| id)
        .collect();
    assert!(
        unanswered.is_empty(),
        "joins without an answer: {unanswered:?}"
    );
    assert!(doubled.is_empty(), "joins answered twice: {doubled:?}");
    assert_eq!(answers.len(), count);
    for (id, codes) in answers {
        assert_eq!(codes, &[Some(ErrorCode::RoomNotFound)], "{id}");
    }
}

/// A metric's value from `/metrics`.
async fn metric(api: &Api, name: &str) -> i64 {
    let (_, text) = api.get("/metrics").await;
    let text = text.as_str().expect("metrics text").to_owned();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("{name} missing from\n{text}"))
}

#[tokio::test]
async fn joins_of_missing_rooms_start_no_room_and_leave_no_memory_behind() {
    let node = NodeProcess::start_with(Default::default(), FAST).await;
    let api = Api::new(node.http_url(), secretariat());
    api.create_room(
        "real",
        &settings(RoomKind::Roundtable, "A room that exists"),
    )
    .await;
    let (mut client, _) = Client::signed_in(&node.ws_url(), &observer()).await;
    // Warm up (the first connection and frames allocate buffers for good).
    let warm = pipelined_joins(&mut client, 200, 100, |i| format!("warm-{i}")).await;
    assert_one_not_found_each(&warm, 200);
    let before = node.resident_kib();

    const JOINS: usize = 5_000;
    let answers = pipelined_joins(&mut client, JOINS, 500, |i| format!("missing-{i}")).await;
    assert_one_not_found_each(&answers, JOINS);
    let during = node.resident_kib();
    eprintln!(
        "resident memory: {before} KiB before {JOINS} joins of missing rooms, {during} KiB after them"
    );
    // A generous bound: each join used to keep a room's mailbox (about 13 KiB) alive.
    assert!(
        during.saturating_sub(before) < 16 * 1024,
        "the node grew by {} KiB over {JOINS} joins of missing rooms",
        during - before
    );
    // No actor was started for them: only for `real`, when it was created.
    assert_eq!(metric(&api, "baraza_room_loads_total").await, 1);
    assert_eq!(metric(&api, "baraza_rooms").await, 1);
    // The connection still works, and the room that exists can be joined.
    client.join("real", None).await;
}

#[tokio::test]
async fn every_pipelined_join_of_a_missing_room_gets_exactly_one_answer() {
    // One connection pipelining joins of one missing room: a join may reach the room while it
    // is answering the one before and stopping. 20,000 take about half a second.
    const JOINS: usize = 20_000;
    let node = NodeProcess::start_with(Default::default(), FAST).await;
    let (mut client, _) = Client::signed_in(&node.ws_url(), &observer()).await;
    let answers = pipelined_joins(&mut client, JOINS, 2_000, |_| "nowhere".to_owned()).await;
    assert_one_not_found_each(&answers, JOINS);
}
