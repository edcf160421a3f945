//! Several `baraza serve` nodes sharing one Redis (started by the test, AOF on): the same
//! record everywhere, no loss or duplicates through node and Redis failures.

use baraza_e2e::client::Incoming;
use baraza_e2e::node::verify_redis;
use baraza_e2e::{Api, Client, NodeProcess, RedisProcess, TokenSpec};
use baraza_proto::error::ErrorCode;
use baraza_proto::event::{EventBody, EventEnvelope, LeaveReason};
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::message::ServerMessage;
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use std::time::{Duration, Instant};

mod cluster;
mod deadline;
mod outage;

fn settings() -> RoomSettings {
    RoomSettings {
        kind: RoomKind::Roundtable,
        title: "Scale-out".into(),
        description: String::new(),
        languages: vec!["en".parse().unwrap()],
        scope: Scope::Global,
        constituency: None,
        audience_above: None,
    }
}

fn participant(sub: &str) -> String {
    TokenSpec::new(sub, Role::Participant)
        .from_org(&format!("{sub} org"), Constituency::Ngos, "KE")
        .sign()
}

async fn cluster(redis: &RedisProcess, names: &[&str]) -> Vec<NodeProcess> {
    let mut nodes = Vec::new();
    for name in names {
        nodes.push(
            NodeProcess::start_on_redis(&redis.url(), name, &["--presence-grace", "1s"]).await,
        );
    }
    let api = Api::new(
        nodes[0].http_url(),
        TokenSpec::new("sec", Role::Secretariat).sign(),
    );
    api.create_room("rt", &settings()).await;
    nodes
}

async fn member(node: &NodeProcess, sub: &str) -> (Client, u64) {
    let (mut client, _) = Client::signed_in(&node.ws_url(), &participant(sub)).await;
    let joined = client.join("rt", None).await;
    (client, joined.seq)
}

/// Asserts the record is 1..=head without gaps and hash-chained, and `baraza verify` agrees.
async fn assert_consistent(node: &NodeProcess, redis: &RedisProcess) -> Vec<EventEnvelope> {
    let api = Api::new(
        node.http_url(),
        TokenSpec::new("mod", Role::Moderator).sign(),
    );
    let record = api.record("rt").await;
    let seqs: Vec<u64> = record.events.iter().map(|e| e.event.seq).collect();
    assert_eq!(
        seqs,
        (1..=record.head).collect::<Vec<_>>(),
        "no gaps, no duplicates"
    );
    for pair in record.events.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash, "chained");
    }
    let (status, output) = verify_redis(&redis.url());
    assert!(status.success(), "baraza verify: {output}");
    record.events.into_iter().map(|e| e.event).collect()
}

/// Posts `count` statements with keys `k0…`; returns their seqs.
async fn post_all(client: &mut Client, text: &str, count: usize) -> Vec<u64> {
    let mut acks = Vec::new();
    for i in 0..count {
        acks.push(
            client
                .post("rt", &format!("k{i}"), &format!("{text} {i}"), None)
                .await,
        );
    }
    acks
}

fn statements(events: &[EventEnvelope]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::StatementPosted { text, .. } => {
                Some((e.actor.as_ref().unwrap().to_string(), text.clone()))
            }
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn members_on_different_nodes_see_the_same_events_in_the_same_order() {
    let redis = RedisProcess::start().await;
    let nodes = cluster(&redis, &["a", "b", "c"]).await;
    let mut clients = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        clients.push(member(node, &format!("p{i}")).await.0);
    }
    let mut last = 0;
    for round in 0..5 {
        for (i, client) in clients.iter_mut().enumerate() {
            last = client
                .post(
                    "rt",
                    &format!("k{round}-{i}"),
                    &format!("round {round} from node {i}"),
                    None,
                )
                .await;
        }
    }
    let mut seen = Vec::new();
    for client in &mut clients {
        let events = client.events_through("rt", last).await;
        seen.push(
            events
                .into_iter()
                .filter(|e| matches!(e.body, EventBody::StatementPosted { .. }))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(seen[0].len(), 15);
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[1], seen[2]);
    let record = assert_consistent(&nodes[2], &redis).await;
    assert_eq!(statements(&record).len(), 15);
}

#[tokio::test]
async fn one_command_stream_sent_concurrently_to_two_nodes_gives_one_record() {
    let redis = RedisProcess::start().await;
    let nodes = cluster(&redis, &["a", "b"]).await;
    // The same person, connected to both nodes, sends the same 30 commands (same keys) to
    // both at once, as a client retrying through a load balancer would.
    let (mut on_a, _) = member(&nodes[0], "amina").await;
    let (mut on_b, _) = member(&nodes[1], "amina").await;
    let (acks_a, acks_b) = tokio::join!(
        post_all(&mut on_a, "point", 30),
        post_all(&mut on_b, "point", 30)
    );
    assert_eq!(
        acks_a, acks_b,
        "both nodes acknowledge each command with the same seq"
    );
    let record = assert_consistent(&nodes[0], &redis).await;
    let posted = statements(&record);
    assert_eq!(posted.len(), 30, "each command applied once");
    let (_, snapshot_b) = Client::signed_in(&nodes[1].ws_url(), &participant("zed"))
        .await
        .0
        .join("rt", None)
        .await
        .snapshot
        .unwrap();
    assert_eq!(snapshot_b.statements.len(), 30);
}

#[tokio::test]
async fn different_people_racing_on_two_nodes_get_one_ordered_record() {
    let redis = RedisProcess::start().await;
    let nodes = cluster(&redis, &["a", "b"]).await;
    let (mut amina, _) = member(&nodes[0], "amina").await;
    let (mut bruno, _) = member(&nodes[1], "bruno").await;
    let (from_a, from_b) = tokio::join!(
        post_all(&mut amina, "amina says", 40),
        post_all(&mut bruno, "bruno says", 40)
    );
    let mut all: Vec<u64> = from_a.iter().chain(&from_b).copied().collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 80, "every statement got its own seq");
    let record = assert_consistent(&nodes[1], &redis).await;
    assert_eq!(statements(&record).len(), 80);
}

/// Waits until `client` sees `user` leave the room; returns the reason.
async fn departure_of(client: &mut Client, user: &str) -> LeaveReason {
    client
        .wait_for(&format!("{user}'s departure"), |incoming| match incoming {
            Incoming::Message(ServerMessage::Event(event)) => match &event.body {
                EventBody::MemberLeft { user: who, reason } if who.as_str() == user => {
                    Some(*reason)
                }
                _ => None,
            },
            _ => None,
        })
        .await
}

#[tokio::test]
async fn a_killed_node_s_clients_resume_elsewhere_and_its_other_members_are_recorded_as_lost() {
    let redis = RedisProcess::start().await;
    let mut nodes = cluster(&redis, &["a", "b"]).await;
    let (mut amina, _) = member(&nodes[0], "amina").await; // on a, will move to b
    let (_bruno, _) = member(&nodes[0], "bruno").await; // on a, will not come back
    let (mut chen, _) = member(&nodes[1], "chen").await; // on b throughout
    let before = amina.post("rt", "a-1", "Before the crash.", None).await;
    let seen_by_amina = amina.events_through("rt", before).await;
    let last_seen = seen_by_amina.last().unwrap().seq;

    let node_a = nodes.remove(0);
    node_a.kill().await;
    assert_eq!(amina.closed().await, None, "a killed node says no goodbye");

    // While amina is away, chen keeps talking through b.
    let during = chen.post("rt", "c-1", "While node a is down.", None).await;
    let (mut amina, _) = Client::signed_in(&nodes[0].ws_url(), &participant("amina")).await;
    let resumed = amina.join("rt", Some(last_seen)).await;
    assert!(resumed.replayed.iter().any(|e| e.seq == during));

    // Bruno never comes back: once node a's heartbeat expires, b records him as lost, once.
    assert_eq!(
        departure_of(&mut chen, "bruno").await,
        LeaveReason::NodeLost
    );
    let after = amina.post("rt", "a-2", "After the crash.", None).await;

    // Amina's view is exactly the record, event by event.
    let record = assert_consistent(&nodes[0], &redis).await;
    let mut amina_view: Vec<EventEnvelope> = seen_by_amina;
    amina_view.extend(resumed.replayed);
    amina_view.extend(amina.events_through("rt", after).await);
    let from = amina_view[0].seq;
    let expected: Vec<EventEnvelope> = record.iter().filter(|e| e.seq >= from).cloned().collect();
    assert_eq!(
        amina_view, expected,
        "no event lost or doubled across the crash"
    );
    let lost: Vec<&EventEnvelope> = record
        .iter()
        .filter(
            |e| matches!(&e.body, EventBody::MemberLeft { user, .. } if user.as_str() == "bruno"),
        )
        .collect();
    assert_eq!(lost.len(), 1, "bruno's departure is recorded once");
    let amina_left = record
        .iter()
        .any(|e| matches!(&e.body, EventBody::MemberLeft { user, .. } if user.as_str() == "amina"));
    assert!(
        !amina_left,
        "amina resumed elsewhere in time and stays present"
    );
}

#[tokio::test]
async fn a_redis_restart_loses_no_acknowledged_event_and_a_retry_is_not_doubled() {
    let mut redis = RedisProcess::start().await;
    let nodes = cluster(&redis, &["a", "b"]).await;
    let (mut amina, _) = member(&nodes[0], "amina").await;
    let (mut bruno, _) = member(&nodes[1], "bruno").await;
    let acked = post_all(&mut amina, "acknowledged", 10).await;

    redis.kill().await;
    // Commands fail fast with a retryable error while Redis is down; sockets stay open.
    let started = Instant::now();
    let post = baraza_proto::command::RoomCommand::PostStatement {
        text: "During the outage.".into(),
        lang: "en".parse().unwrap(),
        parent: None,
        agenda_item: None,
        question: None,
        alignment: None,
    };
    let refusal = amina
        .command("rt", Some("outage"), post.clone())
        .await
        .unwrap_err();
    assert_eq!(refusal.code, ErrorCode::Unavailable, "{}", refusal.message);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no hang: {:?}",
        started.elapsed()
    );
    amina.ping().await;

    redis.restart().await;
    // The client retries with the same key until Redis is back; exactly one statement results.
    let seq = loop {
        match amina.command("rt", Some("outage"), post.clone()).await {
            Ok((seq, _)) => break seq,
            Err(refusal) if refusal.code == ErrorCode::Unavailable => {
                tokio::time::sleep(Duration::from_millis(100)).await; // the client's retry back-off
            }
            Err(other) => panic!("unexpected refusal {other:?}"),
        }
    };
    assert_eq!(
        amina.command("rt", Some("outage"), post).await,
        Ok((seq, true)),
        "a second retry is a duplicate"
    );

    // The hubs recovered on their own: bruno on the other node sees the new statement.
    let seen = bruno.events_through("rt", seq).await;
    assert_eq!(seen.last().unwrap().seq, seq);
    let record = assert_consistent(&nodes[1], &redis).await;
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
}

#[tokio::test]
async fn a_subscriber_that_misses_publishes_repairs_the_gap() {
    let redis = RedisProcess::start().await;
    let nodes = cluster(&redis, &["a", "b"]).await;
    let (mut listener, _) = member(&nodes[0], "amina").await;
    let (mut speaker, _) = member(&nodes[1], "bruno").await;
    let first = speaker
        .post("rt", "s-0", "Before the subscriber is killed.", None)
        .await;
    listener.events_through("rt", first).await;

    // Kill node a's subscriber connection inside Redis, then publish while it is gone.
    let mut admin = redis.connection().await;
    let clients: String = redis::cmd("CLIENT")
        .arg("LIST")
        .arg("TYPE")
        .arg("pubsub")
        .query_async(&mut admin)
        .await
        .unwrap();
    let killed = clients.lines().count();
    assert!(
        killed >= 2,
        "both nodes hold a subscriber connection: {clients}"
    );
    let _: i64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("pubsub")
        .query_async(&mut admin)
        .await
        .unwrap();
    let mut last = first;
    for i in 1..=5 {
        last = speaker
            .post(
                "rt",
                &format!("s-{i}"),
                &format!("Published while subscribers reconnect, {i}."),
                None,
            )
            .await;
    }
    let seen = listener.events_through("rt", last).await;
    let seqs: Vec<u64> = seen.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (first + 1..=last).collect::<Vec<_>>(),
        "every missed event, in order, once"
    );
}

#[tokio::test]
async fn a_speaking_timer_still_fires_when_the_node_that_granted_the_floor_dies() {
    use baraza_proto::command::RoomCommand;
    use baraza_proto::roundtable::*;
    let redis = RedisProcess::start().await;
    let mut nodes = cluster(&redis, &["a", "b"]).await;
    let (mut moderator, _) = Client::signed_in(
        &nodes[0].ws_url(),
        &TokenSpec::new("mod", Role::Moderator).sign(),
    )
    .await;
    moderator.join("rt", None).await;
    let (mut speaker, _) = member(&nodes[0], "amina").await;
    let (mut watcher, _) = member(&nodes[1], "chen").await;
    let settings = RoundtableSettings {
        speaking_time_ms: 1_500,
        warning_ms: 0,
        ..RoundtableSettings::default()
    };
    moderator
        .command(
            "rt",
            None,
            RoomCommand::ConfigureRoundtable(ConfigureRoundtable { settings }),
        )
        .await
        .unwrap();
    let item = moderator
        .command(
            "rt",
            Some("item"),
            RoomCommand::AddAgendaItem(AddAgendaItem {
                title: "Debt".into(),
                speaking_time_ms: None,
            }),
        )
        .await
        .unwrap()
        .0;
    moderator
        .command("rt", None, RoomCommand::OpenAgendaItem(ItemRef { item }))
        .await
        .unwrap();
    speaker
        .command(
            "rt",
            Some("req"),
            RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak)),
        )
        .await
        .unwrap();
    let granted = moderator
        .command(
            "rt",
            None,
            RoomCommand::GrantFloor(GrantFloor {
                request: None,
                reason: None,
            }),
        )
        .await
        .unwrap()
        .0;

    // The node that granted the floor dies before the deadline; node b ends the turn on time.
    nodes.remove(0).kill().await;
    let ended = watcher
        .wait_for("the end of the turn", |incoming| match incoming {
            Incoming::Message(ServerMessage::Event(event)) => match &event.body {
                EventBody::FloorEnded(ended) => Some((event.seq, ended.reason)),
                _ => None,
            },
            _ => None,
        })
        .await;
    assert!(ended.0 > granted);
    assert_eq!(ended.1, FloorEndReason::Expired);
    let record = assert_consistent(&nodes[0], &redis).await;
    let endings = record
        .iter()
        .filter(|e| matches!(e.body, EventBody::FloorEnded(_)))
        .count();
    assert_eq!(endings, 1, "the turn ends once");
}

/// Reads `client`'s events until a digest after seq `after` says `count` of the audience are
/// present; returns its seq.
async fn audience_count(client: &mut Client, after: u64, count: u32) -> u64 {
    client
        .wait_for(
            &format!("an audience of {count}"),
            |incoming| match incoming {
                Incoming::Message(ServerMessage::Event(event)) => match &**event {
                    EventEnvelope {
                        seq,
                        body: EventBody::AudienceChanged { count: c, .. },
                        ..
                    } if *c == count && *seq > after => Some(*seq),
                    _ => None,
                },
                _ => None,
            },
        )
        .await
}

#[tokio::test]
async fn two_nodes_digest_their_own_audience_and_the_record_names_each_person_once() {
    let redis = RedisProcess::start().await;
    let nodes = cluster(&redis, &["a", "b"]).await;
    let (mut chen, _) = member(&nodes[1], "chen").await;
    let observer = |sub: &str| TokenSpec::new(sub, Role::Observer).sign();
    let mut on_a = Vec::new();
    let mut on_b = Vec::new();
    for i in 0..20 {
        let (mut a, _) = Client::signed_in(&nodes[0].ws_url(), &observer(&format!("a-{i}"))).await;
        a.join("rt", None).await;
        on_a.push(a);
        let (mut b, _) = Client::signed_in(&nodes[1].ws_url(), &observer(&format!("b-{i}"))).await;
        b.join("rt", None).await;
        on_b.push(b);
    }
    // One person watches through both nodes: both digest them, the record names them once.
    let (mut both_a, _) = Client::signed_in(&nodes[0].ws_url(), &observer("both")).await;
    both_a.join("rt", None).await;
    let (mut both_b, _) = Client::signed_in(&nodes[1].ws_url(), &observer("both")).await;
    both_b.join("rt", None).await;
    let all_there = audience_count(&mut chen, 0, 41).await;

    // Everyone on node a goes; `both` is still held by node b, so stays.
    for client in on_a.drain(..) {
        client.drop_connection();
    }
    both_a.drop_connection();
    audience_count(&mut chen, all_there, 21).await;

    let record = assert_consistent(&nodes[1], &redis).await;
    let mut arrived: Vec<String> = Vec::new();
    let mut left: Vec<String> = Vec::new();
    for event in &record {
        if let EventBody::AudienceChanged {
            arrived: a,
            left: l,
            ..
        } = &event.body
        {
            arrived.extend(a.iter().map(|p| p.user.to_string()));
            left.extend(l.iter().map(|u| u.to_string()));
        }
    }
    arrived.sort();
    left.sort();
    let mut expected: Vec<String> = (0..20)
        .flat_map(|i| [format!("a-{i}"), format!("b-{i}")])
        .chain(["both".to_owned()])
        .collect();
    expected.sort();
    assert_eq!(arrived, expected, "each person arrived once");
    let mut gone: Vec<String> = (0..20).map(|i| format!("a-{i}")).collect();
    gone.sort();
    assert_eq!(left, gone, "only those no node holds left");
    drop((on_b, both_b));
}
