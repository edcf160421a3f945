//! A consultation's closing date on two nodes sharing Redis: both have the room loaded, both
//! timers come due, and the record holds exactly one close — the node that lost the race to
//! append decides again against the record and finds nothing left to do.

use baraza_e2e::client::Incoming;
use baraza_e2e::{Api, Client, NodeProcess, RedisProcess, TokenSpec};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::Phase;
use baraza_proto::event::EventBody;
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::message::ServerMessage;
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use std::time::{SystemTime, UNIX_EPOCH};

#[tokio::test]
async fn two_nodes_record_one_close_at_the_deadline() {
    let redis = RedisProcess::start().await;
    let a = NodeProcess::start_on_redis(&redis.url(), "a", &[]).await;
    let b = NodeProcess::start_on_redis(&redis.url(), "b", &[]).await;
    let sec_token = TokenSpec::new("sec", Role::Secretariat).sign();
    let settings = RoomSettings {
        kind: RoomKind::Consultation,
        title: "Closing date on two nodes".into(),
        description: String::new(),
        languages: vec!["en".parse().unwrap()],
        scope: Scope::Global,
        constituency: None,
        audience_above: None,
    };
    Api::new(a.http_url(), sec_token.clone())
        .create_room("cons", &settings)
        .await;
    let (mut sec, _) = Client::signed_in(&a.ws_url(), &sec_token).await;
    sec.join("cons", None).await;
    let question = sec
        .command(
            "cons",
            Some("q"),
            RoomCommand::AddQuestion {
                text: "What first?".into(),
            },
        )
        .await
        .unwrap()
        .0;
    sec.command("cons", None, RoomCommand::SetPhase { phase: Phase::Open })
        .await
        .unwrap();
    let amina = TokenSpec::new("amina", Role::Participant)
        .from_org("Amina org", Constituency::Ngos, "KE")
        .sign();
    let (mut watcher, _) = Client::signed_in(&b.ws_url(), &amina).await;
    watcher.join("cons", None).await;

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let at = now + 1_500;
    sec.command(
        "cons",
        None,
        RoomCommand::SetPhaseDeadline {
            phase: Phase::Open,
            at,
        },
    )
    .await
    .unwrap();
    for client in [&mut watcher, &mut sec] {
        let closed = client
            .wait_for("the close at the deadline", |incoming| match incoming {
                Incoming::Message(ServerMessage::Event(event)) => match &event.body {
                    EventBody::PhaseChanged {
                        phase: Phase::Closed,
                        deadline: Some(d),
                    } => Some((event.actor.clone(), d.at)),
                    _ => None,
                },
                _ => None,
            })
            .await;
        assert_eq!(closed, (None, at));
    }
    // Both nodes' timers were due. A command on each node is decided after its tick (a room
    // handles one job at a time), so by its refusal both nodes are past the close.
    for (client, key) in [(&mut watcher, "late-b"), (&mut sec, "late-a")] {
        let refusal = client
            .command(
                "cons",
                Some(key),
                RoomCommand::PostStatement {
                    text: "Too late".into(),
                    lang: "en".parse().unwrap(),
                    parent: None,
                    agenda_item: None,
                    question: Some(question),
                    alignment: None,
                },
            )
            .await
            .expect_err("submissions are closed");
        assert!(refusal.message.contains("open"), "{}", refusal.message);
    }
    let record = Api::new(b.http_url(), sec_token).record("cons").await;
    let closes = record
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.event.body,
                EventBody::PhaseChanged {
                    phase: Phase::Closed,
                    ..
                }
            )
        })
        .count();
    assert_eq!(closes, 1, "one close in the shared record");
    let seqs: Vec<u64> = record.events.iter().map(|e| e.event.seq).collect();
    assert_eq!(seqs, (1..=record.head).collect::<Vec<_>>(), "no gaps");
}
