//! Phase deadlines against the real binary: the secretariat schedules the close about a second
//! ahead; every member receives the `phase_changed` the server's timer records, naming no
//! person and stating the deadline that passed; a time in the past is refused; and a close
//! scheduled before a restart still happens at its time, with nobody in the room.

use super::{consultation, country, ok, participant, phase, submit};
use baraza_e2e::{Api, Client, NodeProcess, TokenSpec};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::Phase;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::EventBody;
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::Millis;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn wall() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as Millis
}

fn close_at(at: Millis) -> RoomCommand {
    RoomCommand::SetPhaseDeadline {
        phase: Phase::Open,
        at,
    }
}

/// An open consultation `room` with one question; the secretariat's client is in it.
async fn open_consultation(node: &NodeProcess, room: &str) -> (Client, u64) {
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    Api::new(node.http_url(), sec_token.clone())
        .create_room(room, &consultation("Kenya: food systems", country("KE")))
        .await;
    let (mut sec, _) = Client::signed_in(&node.ws_url(), &sec_token).await;
    sec.join(room, None).await;
    let q = ok(
        &mut sec,
        room,
        Some("q1"),
        RoomCommand::AddQuestion {
            text: "What must change first?".into(),
        },
    )
    .await;
    ok(&mut sec, room, None, phase(Phase::Open)).await;
    (sec, q)
}

#[tokio::test]
async fn the_server_closes_the_open_phase_at_the_deadline_naming_no_person() {
    let node = NodeProcess::start().await;
    let room = "ke-deadline";
    let (mut sec, q) = open_consultation(&node, room).await;
    let amina_token = participant("amina", "Kenya Land Alliance", Constituency::Farmers, "KE");
    let (mut amina, _) = Client::signed_in(&node.ws_url(), &amina_token).await;
    amina.join(room, None).await;

    // A time in the past is refused, clearly, and nothing is recorded.
    let refusal = sec
        .command(room, None, close_at(wall() - 60_000))
        .await
        .expect_err("a deadline in the past");
    assert_eq!(refusal.code, ErrorCode::Invalid);
    assert!(
        refusal.message.contains("not ahead of now"),
        "{}",
        refusal.message
    );
    // A participant may not schedule it.
    let refusal = amina
        .command(room, None, close_at(wall() + 60_000))
        .await
        .expect_err("only the secretariat");
    assert_eq!(refusal.code, ErrorCode::Forbidden);

    let at = wall() + 1_200;
    let set = ok(&mut sec, room, None, close_at(at)).await;
    // Every reader's view shows it.
    let api = Api::new(node.http_url(), amina_token.clone());
    let (status, view) = api.get(&format!("/api/rooms/{room}")).await;
    assert_eq!(status.as_u16(), 200, "{view}");
    let deadline = &view["state"]["consultation"]["deadline"];
    assert_eq!(deadline["at"], at, "{view}");
    assert_eq!(deadline["phase"], "open");
    assert_eq!(deadline["by"], "sec-1");

    // Amina receives the close when the server's timer records it (within the client's wait).
    let closed = amina
        .wait_for(
            "the phase change at the deadline",
            |incoming| match incoming {
                baraza_e2e::client::Incoming::Message(
                    baraza_proto::message::ServerMessage::Event(e),
                ) if matches!(e.body, EventBody::PhaseChanged { .. }) && e.seq > set => {
                    Some(e.clone())
                }
                _ => None,
            },
        )
        .await;
    let EventBody::PhaseChanged {
        phase: to,
        deadline,
    } = &closed.body
    else {
        unreachable!()
    };
    assert_eq!(*to, Phase::Closed);
    assert_eq!(closed.actor, None, "no person changed the phase");
    let passed = deadline.as_ref().expect("the event states the deadline");
    assert_eq!(passed.at, at);
    assert_eq!(passed.set_by.as_str(), "sec-1");
    assert!(closed.ts >= at, "not before the deadline");
    // Submissions are closed now.
    let refusal = amina
        .command(room, Some("late"), submit("Too late?", "en", q))
        .await
        .expect_err("closed");
    assert_eq!(refusal.code, ErrorCode::Invalid);
    // Exactly one close in the record, and the deadline is gone from the view.
    let record = api.record(room).await;
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
    assert_eq!(closes, 1);
    let (_, view) = api.get(&format!("/api/rooms/{room}")).await;
    assert!(
        view["state"]["consultation"].get("deadline").is_none(),
        "{view}"
    );
}

#[tokio::test]
async fn a_close_scheduled_before_a_restart_happens_at_its_time_with_nobody_in_the_room() {
    let node = NodeProcess::start().await;
    let room = "ke-restart";
    let (sec, _) = open_consultation(&node, room).await;
    let mut sec = sec;
    let at = wall() + 6_000;
    ok(&mut sec, room, None, close_at(at)).await;
    drop(sec);
    let node = node.restart().await;
    // Nobody reads the room until well after the deadline: the node's own timer must fire.
    // (This wait is what is measured, not a synchronisation: the event's time is checked.)
    let until = at + 3_000;
    tokio::time::sleep(Duration::from_millis((until - wall()).max(0) as u64)).await;
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let record = Api::new(node.http_url(), sec_token).record(room).await;
    let close = record
        .events
        .iter()
        .find(|e| {
            matches!(
                e.event.body,
                EventBody::PhaseChanged {
                    phase: Phase::Closed,
                    ..
                }
            )
        })
        .expect("the close was recorded");
    assert!(
        close.event.ts >= at && close.event.ts < at + 2_000,
        "closed at {} for a deadline at {at}: the timer ran without a reader",
        close.event.ts
    );
}
