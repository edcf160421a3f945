//! Phase deadlines against the real binary: the secretariat schedules the close about a second
//! ahead; every member receives the `phase_changed` the server's timer records, naming no
//! person and stating the deadline that passed; a time in the past is refused; and a close
//! scheduled before a restart still happens, once, at or after its time. The tests wait for
//! the event the server's timer sends (as the roundtable tests wait for a floor warning), with
//! deadlines about a second ahead; the rules themselves are tested with time as an argument
//! in `server/src/domain/consultation/tests/deadline.rs`.

use super::{consultation, country, ok, participant, phase, submit};
use baraza_e2e::{Api, Client, NodeProcess, TokenSpec};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::Phase;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::EventBody;
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::Millis;
use std::time::{SystemTime, UNIX_EPOCH};

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
    assert_eq!(refusal.code, ErrorCode::InvalidCommand);
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
    assert_eq!(refusal.code, ErrorCode::InvalidCommand);
    // Exactly one close in the record (the full record is the secretariat's to read), and the
    // deadline is gone from the view.
    let sec_api = Api::new(
        node.http_url(),
        TokenSpec::new("sec-1", Role::Secretariat).sign(),
    );
    let record = sec_api.record(room).await;
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
async fn a_close_scheduled_before_a_restart_still_happens_once_at_its_time() {
    let node = NodeProcess::start().await;
    let room = "ke-restart";
    let (mut sec, _) = open_consultation(&node, room).await;
    let at = wall() + 1_500;
    let set = ok(&mut sec, room, None, close_at(at)).await;
    drop(sec);
    // The deadline lives in the record: the restarted node rebuilds it and its timer fires.
    let node = node.restart().await;
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let (mut sec, _) = Client::signed_in(&node.ws_url(), &sec_token).await;
    let joined = sec.join(room, Some(set)).await;
    let is_close = |e: &baraza_proto::event::EventEnvelope| {
        matches!(
            e.body,
            EventBody::PhaseChanged {
                phase: Phase::Closed,
                ..
            }
        )
    };
    // Either the close was recorded before the join (replayed) or it arrives as an event.
    let close = match joined.replayed.iter().find(|e| is_close(e)) {
        Some(e) => e.clone(),
        None => {
            sec.wait_for("the close after the restart", |incoming| match incoming {
                baraza_e2e::client::Incoming::Message(
                    baraza_proto::message::ServerMessage::Event(e),
                ) if is_close(e) => Some((**e).clone()),
                _ => None,
            })
            .await
        }
    };
    assert!(
        close.ts >= at,
        "closed at {} before its deadline {at}",
        close.ts
    );
    assert_eq!(close.actor, None, "no person changed the phase");
    let record = Api::new(node.http_url(), sec_token).record(room).await;
    let closes = record.events.iter().filter(|e| is_close(&e.event)).count();
    assert_eq!(closes, 1, "one close in the record");
}
