//! Two `baraza serve` nodes on a real 3-master Redis Cluster (started by the test, AOF on):
//! one ordered record, a killed master (the one holding the room) loses nothing acknowledged
//! and records nothing false, and a restart of the whole cluster is survived like a restart of
//! a single Redis.

use super::{participant, settings, statements};
use baraza_e2e::node::verify_redis;
use baraza_e2e::{Api, Client, NodeProcess, RedisCluster, TokenSpec};
use baraza_proto::command::RoomCommand;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::Role;
use std::time::{Duration, Instant};

/// A node heartbeat of 500 ms with a 1.5 s TTL, and a short presence grace.
const NODE_FLAGS: &[&str] = &[
    "--presence-grace",
    "1s",
    "--node-heartbeat",
    "500ms",
    "--node-ttl",
    "1500ms",
];
/// How long the killed master stays down: longer than the heartbeat TTL above.
const OUTAGE: Duration = Duration::from_millis(2_500);
/// The generous bound on an `unavailable` answer during an outage (never a speed test).
const ANSWER_BOUND: Duration = Duration::from_secs(10);
/// How long the nodes may take to subscribe again after a master is back.
const RESUBSCRIBE: Duration = Duration::from_secs(15);

fn stream(room: &str) -> String {
    format!("baraza:{{room:{room}}}:log")
}

fn alive(node: &str) -> String {
    format!("baraza:{{node:{node}}}:alive")
}

fn post(text: &str) -> RoomCommand {
    RoomCommand::PostStatement {
        text: text.into(),
        lang: "en".parse().unwrap(),
        parent: None,
        agenda_item: None,
        question: None,
        alignment: None,
    }
}

/// The first of `prefix0`, `prefix1`, … whose key (made by `key`) lives on a master that
/// `wanted` accepts.
async fn name_where(
    cluster: &RedisCluster,
    prefix: &str,
    key: fn(&str) -> String,
    wanted: impl Fn(usize) -> bool,
) -> String {
    for i in 0..200 {
        let name = format!("{prefix}{i}");
        if wanted(cluster.master_of(&key(&name)).await) {
            return name;
        }
    }
    panic!("no name {prefix}N hashes to a wanted master");
}

/// Two nodes on `cluster`, and `rooms` created.
async fn nodes_on(cluster: &RedisCluster, names: [&str; 2], rooms: &[&str]) -> [NodeProcess; 2] {
    let a = NodeProcess::start_on_redis(&cluster.url(), names[0], NODE_FLAGS).await;
    let b = NodeProcess::start_on_redis(&cluster.url(), names[1], NODE_FLAGS).await;
    let api = Api::new(
        a.http_url(),
        TokenSpec::new("sec", Role::Secretariat).sign(),
    );
    for room in rooms {
        api.create_room(room, &settings()).await;
    }
    [a, b]
}

async fn member(node: &NodeProcess, room: &str, sub: &str) -> Client {
    let (mut client, _) = Client::signed_in(&node.ws_url(), &participant(sub)).await;
    client.join(room, None).await;
    client
}

/// Asserts the record is 1..=head without gaps and hash-chained, and `baraza verify` (on the
/// cluster URL) agrees.
async fn assert_consistent(
    node: &NodeProcess,
    cluster: &RedisCluster,
    room: &str,
) -> Vec<EventEnvelope> {
    let api = Api::new(
        node.http_url(),
        TokenSpec::new("mod", Role::Moderator).sign(),
    );
    let record = api.record(room).await;
    let seqs: Vec<u64> = record.events.iter().map(|e| e.event.seq).collect();
    assert_eq!(
        seqs,
        (1..=record.head).collect::<Vec<_>>(),
        "no gaps, no duplicates"
    );
    for pair in record.events.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash, "chained");
    }
    let (status, output) = verify_redis(&cluster.url());
    assert!(status.success(), "baraza verify: {output}");
    record.events.into_iter().map(|e| e.event).collect()
}

/// Sends `command` with `key` until it is acknowledged, retrying `unavailable` as a client
/// must; returns its seq.
async fn until_acknowledged(client: &mut Client, room: &str, key: &str, text: &str) -> u64 {
    loop {
        match client.command(room, Some(key), post(text)).await {
            Ok((seq, _)) => return seq,
            Err(refusal) if refusal.code == ErrorCode::Unavailable => {
                tokio::time::sleep(Duration::from_millis(100)).await; // the client's back-off
            }
            Err(other) => panic!("unexpected refusal {other:?}"),
        }
    }
}

/// Sends one command while its room's master is down: it must be refused `unavailable`, in
/// bounded time.
async fn refused_promptly(client: &mut Client, room: &str, key: &str) {
    let started = Instant::now();
    let refusal = client
        .command(room, Some(key), post("During the outage."))
        .await
        .unwrap_err();
    assert_eq!(refusal.code, ErrorCode::Unavailable, "{}", refusal.message);
    assert!(
        started.elapsed() < ANSWER_BOUND,
        "no hang: {:?}",
        started.elapsed()
    );
}

/// Waits until `count` nodes are subscribed to `room`'s sharded channel (asked of the
/// master serving it).
async fn subscribed_nodes(cluster: &RedisCluster, room: &str, count: i64) {
    let channel = format!("baraza:{{room:{room}}}:events");
    let started = Instant::now();
    loop {
        let mut connection = cluster.connection_to_master_of(&stream(room)).await;
        let reply: Vec<redis::Value> = redis::cmd("PUBSUB")
            .arg("SHARDNUMSUB")
            .arg(&channel)
            .query_async(&mut connection)
            .await
            .unwrap_or_default();
        let subscribed = match reply.get(1) {
            Some(redis::Value::Int(n)) => *n,
            _ => 0,
        };
        if subscribed >= count {
            return;
        }
        assert!(
            started.elapsed() < RESUBSCRIBE,
            "only {subscribed} of {count} nodes subscribed to {channel} after {RESUBSCRIBE:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await; // polling interval
    }
}

/// Posts 20 statements as fast as they are acknowledged; returns their seqs.
async fn race(client: &mut Client, who: &str) -> Vec<u64> {
    let mut seqs = Vec::new();
    for i in 0..20 {
        let key = format!("{who}-{i}");
        let text = format!("{who} {i}");
        seqs.push(
            client
                .command("rt", Some(&key), post(&text))
                .await
                .expect("acknowledged")
                .0,
        );
    }
    seqs
}

fn departures(record: &[EventEnvelope]) -> Vec<String> {
    record
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::MemberLeft { user, reason } => Some(format!("{user} ({reason:?})")),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn on_a_cluster_members_on_two_nodes_see_one_order_with_nothing_doubled() {
    let cluster = RedisCluster::start(3).await;
    let nodes = nodes_on(&cluster, ["a", "b"], &["rt"]).await;
    let mut amina = member(&nodes[0], "rt", "amina").await;
    let mut bruno = member(&nodes[1], "rt", "bruno").await;
    let mut chen = member(&nodes[1], "rt", "chen").await;
    subscribed_nodes(&cluster, "rt", 2).await;

    // Two people on two nodes racing, then alternating.
    let (from_a, from_b) = tokio::join!(race(&mut amina, "amina"), race(&mut bruno, "bruno"));
    let mut last = 0;
    for round in 0..5 {
        for (who, client) in [("amina", &mut amina), ("bruno", &mut bruno)] {
            last = client
                .post(
                    "rt",
                    &format!("{who}-r{round}"),
                    &format!("round {round}"),
                    None,
                )
                .await;
        }
    }
    let mut acked: Vec<u64> = from_a.iter().chain(&from_b).copied().collect();
    acked.sort();
    acked.dedup();
    assert_eq!(acked.len(), 40, "every statement got its own seq");

    let mut seen = Vec::new();
    for client in [&mut amina, &mut bruno, &mut chen] {
        let events = client.events_through("rt", last).await;
        let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
        let mut unique = seqs.clone();
        unique.dedup();
        assert_eq!(seqs, unique, "no event delivered twice");
        seen.push(
            events
                .into_iter()
                .filter(|e| matches!(e.body, EventBody::StatementPosted { .. }))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(seen[0].len(), 50);
    assert_eq!(seen[0], seen[1], "the same order on both nodes");
    assert_eq!(seen[1], seen[2]);
    let record = assert_consistent(&nodes[1], &cluster, "rt").await;
    let posted: Vec<&EventEnvelope> = record
        .iter()
        .filter(|e| matches!(e.body, EventBody::StatementPosted { .. }))
        .collect();
    assert_eq!(posted.len(), 50);
    assert!(
        posted.iter().zip(&seen[0]).all(|(a, b)| *a == b),
        "what members saw is the record"
    );
}

/// The master holding the room (and node a's presence keys) is killed for longer than the
/// heartbeat TTL while node b's keys, `baraza:nodes` and another room live on the others.
#[tokio::test]
async fn killing_the_master_of_a_room_loses_nothing_acknowledged_and_records_nothing_false() {
    let mut cluster = RedisCluster::start(3).await;
    let registry = cluster.master_of("baraza:nodes").await;
    // The room on a master other than the node registry's (so node b can still list nodes and
    // could misjudge node a), node a's keys with the room, node b's and another room elsewhere.
    let room = name_where(&cluster, "rt", stream, |m| m != registry).await;
    let doomed = cluster.master_of(&stream(&room)).await;
    let other = name_where(&cluster, "other", stream, |m| m != doomed).await;
    let a = name_where(&cluster, "a", alive, |m| m == doomed).await;
    let b = name_where(&cluster, "b", alive, |m| m != doomed).await;
    let nodes = nodes_on(&cluster, [&a, &b], &[&room, &other]).await;
    let mut amina = member(&nodes[0], &room, "amina").await;
    let mut bruno = member(&nodes[1], &room, "bruno").await;
    amina.join(&other, None).await;
    subscribed_nodes(&cluster, &room, 2).await;
    let mut acked = Vec::new();
    for i in 0..5 {
        acked.push(
            amina
                .post(&room, &format!("a-{i}"), "Before the crash.", None)
                .await,
        );
        acked.push(
            bruno
                .post(&room, &format!("b-{i}"), "Before the crash.", None)
                .await,
        );
    }

    cluster.kill(doomed).await;
    refused_promptly(&mut amina, &room, "outage").await;
    refused_promptly(&mut bruno, &room, "outage-b").await;
    // Rooms on the other masters carry on.
    let elsewhere = amina
        .command(
            &other,
            Some("elsewhere"),
            post("Another room, another master."),
        )
        .await
        .expect("a room on a live master accepts commands");
    tokio::time::sleep(OUTAGE).await; // the outage itself
    cluster.restart(doomed).await;

    // The client retries with the same key; exactly one statement results.
    let seq = until_acknowledged(&mut amina, &room, "outage", "During the outage.").await;
    assert_eq!(
        amina
            .command(&room, Some("outage"), post("During the outage."))
            .await,
        Ok((seq, true)),
        "a second retry is a duplicate"
    );
    // Both nodes follow the room's slot back to its master and get its events live again.
    subscribed_nodes(&cluster, &room, 2).await;
    let seen = bruno.events_through(&room, seq).await;
    assert_eq!(seen.last().unwrap().seq, seq);
    let after = bruno.post(&room, "b-after", "After the crash.", None).await;
    amina.events_through(&room, after).await;

    let record = assert_consistent(&nodes[1], &cluster, &room).await;
    for ack in acked {
        assert!(
            record
                .iter()
                .any(|e| e.seq == ack && matches!(e.body, EventBody::StatementPosted { .. })),
            "acknowledged seq {ack} survived"
        );
    }
    let during = statements(&record)
        .iter()
        .filter(|(_, text)| text == "During the outage.")
        .count();
    assert_eq!(during, 1);
    // Node a's heartbeat was out of reach, not missing: nobody is recorded as gone.
    assert_eq!(departures(&record), Vec::<String>::new());
    let other_record = assert_consistent(&nodes[0], &cluster, &other).await;
    assert!(other_record.iter().any(|e| e.seq == elsewhere.0));
    assert_eq!(departures(&other_record), Vec::<String>::new());
}

#[tokio::test]
async fn a_restart_of_the_whole_cluster_loses_no_acknowledged_event_and_a_retry_is_not_doubled() {
    let mut cluster = RedisCluster::start(3).await;
    let nodes = nodes_on(&cluster, ["a", "b"], &["rt"]).await;
    let mut amina = member(&nodes[0], "rt", "amina").await;
    let mut bruno = member(&nodes[1], "rt", "bruno").await;
    let mut acked = Vec::new();
    for i in 0..10 {
        acked.push(
            amina
                .post("rt", &format!("k{i}"), "acknowledged", None)
                .await,
        );
    }

    cluster.kill_all().await;
    refused_promptly(&mut amina, "rt", "restart").await;
    amina.ping().await;
    cluster.start_all().await;
    // The client retries with the same key until the cluster is back; one statement results.
    let seq = until_acknowledged(&mut amina, "rt", "restart", "During the outage.").await;
    assert_eq!(
        amina
            .command("rt", Some("restart"), post("During the outage."))
            .await,
        Ok((seq, true)),
        "a second retry is a duplicate"
    );
    subscribed_nodes(&cluster, "rt", 2).await;
    let seen = bruno.events_through("rt", seq).await;
    assert_eq!(seen.last().unwrap().seq, seq);
    let record = assert_consistent(&nodes[1], &cluster, "rt").await;
    for ack in acked {
        assert!(
            record
                .iter()
                .any(|e| e.seq == ack && matches!(e.body, EventBody::StatementPosted { .. })),
            "acknowledged seq {ack} survived"
        );
    }
    assert_eq!(
        statements(&record)
            .iter()
            .filter(|(_, text)| text == "During the outage.")
            .count(),
        1
    );
}
