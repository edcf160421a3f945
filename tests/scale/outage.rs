//! Redis outages longer than the nodes' heartbeat TTL, repeated in one run, while a busy room
//! has members on two nodes: nobody who stayed connected is recorded as gone, every member can
//! act again once Redis is back, and commands during an outage are answered `unavailable`
//! promptly (the figure is printed; the bound asserted is generous).

use super::{participant, settings};
use baraza_e2e::{Api, Client, NodeProcess, RedisProcess, TokenSpec};
use baraza_proto::command::RoomCommand;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::EventBody;
use baraza_proto::identity::Role;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How many outages one run goes through: Redis alternately frozen (SIGSTOP: calls hang) and
/// killed (SIGKILL, then restarted on the same port and AOF: calls are refused).
const OUTAGES: usize = 6;
/// How long Redis is gone each time: longer than the heartbeat TTL below.
const OUTAGE: Duration = Duration::from_millis(2_500);
/// Short presence grace, and a node heartbeat of 500 ms with a 1.5 s TTL (defaults 1 s, 3 s).
const NODE_FLAGS: &[&str] = &[
    "--presence-grace",
    "1s",
    "--node-heartbeat",
    "500ms",
    "--node-ttl",
    "1500ms",
];
/// How long a member may take to act again after Redis is back before the test gives up.
const RECOVERY: Duration = Duration::from_secs(30);
/// The generous bound on an `unavailable` answer during an outage (never a speed test).
const ANSWER_BOUND: Duration = Duration::from_secs(10);

/// What one member managed so far.
#[derive(Debug, Clone, Default)]
struct Progress {
    /// Commands acknowledged.
    acted: u64,
    /// A refusal other than `unavailable` (or `rate_limited`, which the client handles).
    refused: Option<String>,
}

fn post(text: String) -> RoomCommand {
    RoomCommand::PostStatement {
        text,
        lang: "en".parse().unwrap(),
        parent: None,
        agenda_item: None,
        question: None,
        alignment: None,
    }
}

/// Sends one command until it is acknowledged, retrying `unavailable` with the same key as a
/// client must; records how long each `unavailable` answer took.
async fn act(
    client: &mut Client,
    key: &str,
    text: String,
    waits: &Mutex<Vec<Duration>>,
    stop: Option<&CancellationToken>,
) -> Result<bool, String> {
    loop {
        let started = Instant::now();
        match client.command("rt", Some(key), post(text.clone())).await {
            Ok(_) => return Ok(true),
            Err(refusal) if refusal.code == ErrorCode::Unavailable => {
                waits.lock().unwrap().push(started.elapsed());
                if stop.is_some_and(CancellationToken::is_cancelled) {
                    return Ok(false);
                }
                tokio::time::sleep(Duration::from_millis(100)).await; // the client's back-off
            }
            Err(refusal) => return Err(format!("{key}: {refusal:?}")),
        }
    }
}

/// A member who keeps posting until `stop`.
async fn busy(
    mut client: Client,
    name: String,
    progress: watch::Sender<Progress>,
    waits: Arc<Mutex<Vec<Duration>>>,
    stop: CancellationToken,
) {
    for i in 0.. {
        if stop.is_cancelled() {
            return;
        }
        let key = format!("{name}-{i}");
        match act(
            &mut client,
            &key,
            format!("{name} point {i}"),
            &waits,
            Some(&stop),
        )
        .await
        {
            Ok(true) => progress.send_modify(|p| p.acted += 1),
            Ok(false) => return,
            Err(refusal) => {
                progress.send_modify(|p| p.refused = Some(refusal));
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await; // pacing, not synchronisation
    }
}

/// Waits until every member acted after `baseline` (their count then), failing on a refusal.
async fn every_member_acts(members: &[(String, watch::Receiver<Progress>)], baseline: &[u64]) {
    for ((name, progress), &before) in members.iter().zip(baseline) {
        let mut progress = progress.clone();
        let reached = tokio::time::timeout(
            RECOVERY,
            progress.wait_for(|p| p.acted > before || p.refused.is_some()),
        )
        .await
        .unwrap_or_else(|_| panic!("{name} could not act within {RECOVERY:?} of Redis's return"))
        .expect("member task alive")
        .clone();
        assert_eq!(
            reached.refused, None,
            "{name} was refused after Redis came back"
        );
    }
}

#[tokio::test]
async fn repeated_redis_outages_record_no_departure_and_strand_no_member() {
    let mut redis = RedisProcess::start().await;
    let a = NodeProcess::start_on_redis(&redis.url(), "a", NODE_FLAGS).await;
    // Nodes of a deployment start at unrelated times, so their heartbeats are out of phase;
    // starting both at once would line them up (the case that hides the defect).
    tokio::time::sleep(Duration::from_millis(250)).await;
    let b = NodeProcess::start_on_redis(&redis.url(), "b", NODE_FLAGS).await;
    let nodes = [a, b];
    let api = Api::new(
        nodes[0].http_url(),
        TokenSpec::new("sec", Role::Secretariat).sign(),
    );
    api.create_room("rt", &settings()).await;

    let stop = CancellationToken::new();
    let waits = Arc::new(Mutex::new(Vec::new()));
    let mut members = Vec::new();
    let mut tasks = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        for i in 0..2 {
            let name = format!("busy-{n}-{i}");
            let (mut client, _) = Client::signed_in(&node.ws_url(), &participant(&name)).await;
            client.join("rt", None).await;
            let (progress, watching) = watch::channel(Progress::default());
            members.push((name.clone(), watching));
            tasks.push(tokio::spawn(busy(
                client,
                name,
                progress,
                waits.clone(),
                stop.clone(),
            )));
        }
    }
    // One quiet member per node: present, posting only after each outage.
    let mut quiet = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        let name = format!("quiet-{n}");
        let (mut client, _) = Client::signed_in(&node.ws_url(), &participant(&name)).await;
        client.join("rt", None).await;
        quiet.push((name, client));
    }

    let counts = |members: &[(String, watch::Receiver<Progress>)]| -> Vec<u64> {
        members.iter().map(|(_, p)| p.borrow().acted).collect()
    };
    let mut recovery = Vec::new();
    every_member_acts(&members, &vec![0; members.len()]).await;
    for outage in 0..OUTAGES {
        let frozen = outage % 2 == 0;
        if frozen {
            redis.pause();
        } else {
            redis.kill().await;
        }
        tokio::time::sleep(OUTAGE).await; // the outage itself
        if frozen {
            redis.resume();
        } else {
            redis.restart().await;
        }
        let back = Instant::now();
        let baseline = counts(&members);
        every_member_acts(&members, &baseline).await;
        for (name, client) in &mut quiet {
            let key = format!("{name}-after-{outage}");
            act(client, &key, format!("{name} is still here"), &waits, None)
                .await
                .unwrap_or_else(|refusal| panic!("{name} was refused: {refusal}"));
        }
        recovery.push(back.elapsed());
    }
    stop.cancel();
    for task in tasks {
        task.await.expect("member task");
    }

    // Everybody stayed connected: the record must not say anyone left.
    let moderator = Api::new(
        nodes[1].http_url(),
        TokenSpec::new("mod", Role::Moderator).sign(),
    );
    let record = moderator.record("rt").await;
    let departures: Vec<String> = record
        .events
        .iter()
        .filter_map(|e| match &e.event.body {
            EventBody::MemberLeft { user, reason } => Some(format!("{user} ({reason:?})")),
            _ => None,
        })
        .collect();
    assert!(
        departures.is_empty(),
        "departures recorded for members who stayed connected: {departures:?}"
    );
    // The quiet members still receive the room's events, up to the end of the record.
    for (name, client) in &mut quiet {
        let seen = client.events_through("rt", record.head).await;
        assert_eq!(seen.last().map(|e| e.seq), Some(record.head), "{name}");
    }

    let waits = waits.lock().unwrap();
    let slowest = waits.iter().max().copied().unwrap_or_default();
    eprintln!(
        "{OUTAGES} outages of {OUTAGE:?}: {} unavailable answers, slowest {slowest:?}; \
         every member acted again within {recovery:?} of Redis's return",
        waits.len()
    );
    assert!(
        slowest < ANSWER_BOUND,
        "an unavailable answer took {slowest:?} during an outage"
    );
}

/// A node that really was unreachable for longer than the TTL (frozen, so its members' sockets
/// stay open) is recorded as lost by the other node; when it returns it finds its epoch
/// superseded, and its members — who never disconnected — are recorded present again and can
/// act, also after an explicit re-join on the same connection.
#[tokio::test]
async fn a_node_taken_for_dead_records_its_connected_members_present_again_when_it_returns() {
    let redis = RedisProcess::start().await;
    let a = NodeProcess::start_on_redis(&redis.url(), "a", NODE_FLAGS).await;
    let b = NodeProcess::start_on_redis(&redis.url(), "b", NODE_FLAGS).await;
    let api = Api::new(
        a.http_url(),
        TokenSpec::new("sec", Role::Secretariat).sign(),
    );
    api.create_room("rt", &settings()).await;
    let (mut chen, _) = Client::signed_in(&a.ws_url(), &participant("chen")).await;
    chen.join("rt", None).await;
    let (mut bruno, _) = Client::signed_in(&b.ws_url(), &participant("bruno")).await;
    bruno.join("rt", None).await;

    b.pause();
    let departure = chen
        .wait_for("bruno's departure", |incoming| match incoming {
            baraza_e2e::client::Incoming::Message(baraza_proto::message::ServerMessage::Event(
                event,
            )) => match &event.body {
                EventBody::MemberLeft { user, reason } if user.as_str() == "bruno" => {
                    Some((event.seq, *reason))
                }
                _ => None,
            },
            _ => None,
        })
        .await;
    assert_eq!(departure.1, baraza_proto::event::LeaveReason::NodeLost);
    b.resume();

    // Bruno never disconnected: joining again on the same connection must make him able to act.
    bruno.join("rt", None).await;
    let waits = Mutex::new(Vec::new());
    act(&mut bruno, "after", "Still here.".into(), &waits, None)
        .await
        .unwrap_or_else(|refusal| panic!("bruno cannot act after re-joining: {refusal}"));
    let rejoined = chen
        .wait_for("bruno recorded present again", |incoming| match incoming {
            baraza_e2e::client::Incoming::Message(baraza_proto::message::ServerMessage::Event(
                event,
            )) => match &event.body {
                EventBody::MemberJoined { member }
                    if member.user.as_str() == "bruno" && event.seq > departure.0 =>
                {
                    Some(event.seq)
                }
                _ => None,
            },
            _ => None,
        })
        .await;
    let record = Api::new(a.http_url(), TokenSpec::new("mod", Role::Moderator).sign())
        .record("rt")
        .await;
    let joins = record
        .events
        .iter()
        .filter(|e| {
            e.event.seq > departure.0
                && matches!(&e.event.body, EventBody::MemberJoined { member } if member.user.as_str() == "bruno")
        })
        .count();
    assert_eq!(joins, 1, "recorded present again once (seq {rejoined})");
}
