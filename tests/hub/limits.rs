//! Rate limits and slow consumers: one client's excess never slows the room.

use super::*;
use baraza_e2e::DataDir;
use baraza_proto::error::{CloseCode, ErrorCode};
use baraza_proto::message::ClientMessage;

#[tokio::test]
async fn over_the_rate_a_client_gets_rate_limited_and_far_over_it_is_closed() {
    let node = NodeProcess::start_with(DataDir::new(), &["--rate", "5", "--burst", "5"]).await;
    let (mut amina, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    for i in 0..10 {
        amina
            .send(&ClientMessage::Ping {
                id: format!("p{i}"),
            })
            .await;
    }
    let mut limited = 0;
    let mut pongs = 0;
    for _ in 0..10 {
        match amina.next().await {
            baraza_e2e::client::Incoming::Message(baraza_proto::message::ServerMessage::Pong {
                ..
            }) => pongs += 1,
            baraza_e2e::client::Incoming::Message(
                baraza_proto::message::ServerMessage::Error {
                    id,
                    code: ErrorCode::RateLimited,
                    retry_after_ms,
                    ..
                },
            ) => {
                assert!(retry_after_ms.is_some_and(|ms| ms > 0 && ms <= 1_000));
                // The refusal names the refused ping, so the client can resend exactly it.
                assert!(
                    id.as_deref()
                        .is_some_and(|id| (0..10).any(|i| id == format!("p{i}"))),
                    "{id:?}"
                );
                limited += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // The burst of 5 had one token spent on auth.
    assert!(
        pongs >= 4 && limited >= 1,
        "pongs {pongs}, limited {limited}"
    );

    // Ignoring the refusals gets the connection closed; others are unaffected.
    let (mut flooder, _) = Client::signed_in(&node.ws_url(), &participant("flood", "FR")).await;
    for i in 0..200 {
        flooder
            .send(&ClientMessage::Ping {
                id: format!("f{i}"),
            })
            .await;
    }
    assert_eq!(flooder.closed().await, Some(CloseCode::RateAbuse.code()));
    let (mut newcomer, _) = Client::signed_in(&node.ws_url(), &participant("chen", "CN")).await;
    newcomer.ping().await;
}

#[tokio::test]
async fn a_slow_consumer_is_closed_without_slowing_the_room_and_recovers_by_resuming() {
    let node = NodeProcess::start_with(
        DataDir::new(),
        &["--send-queue", "8", "--rate", "10000", "--burst", "10000"],
    )
    .await;
    let api = Api::new(node.http_url(), secretariat());
    // A caucus (of the NGOs, the participants' constituency): consultations need an open phase
    // and a question for every submission.
    let mut caucus = settings(baraza_proto::room::RoomKind::Caucus, "Long submissions");
    caucus.constituency = Some(Constituency::Ngos);
    api.create_room("rt", &caucus).await;
    let (mut slow, _) = {
        let mut client = Client::connect_slow_reader(&node.ws_url()).await;
        let profile = client.auth(&participant("slow", "KE")).await;
        (client, profile)
    };
    let joined = slow.join("rt", None).await;
    let mut fast = member(&node, &participant("fast", "BR"), "rt").await;
    let mut poster = member(&node, &participant("poster", "FR"), "rt").await;

    // Large statements fill the slow reader's socket buffers, then its send queue.
    let text = "x".repeat(9_000);
    let last = *poster
        .post_windowed("rt", "p", 400, &text, 2)
        .await
        .last()
        .unwrap();
    let fast_seen = fast.events_through("rt", last).await;
    assert_eq!(
        fast_seen.last().unwrap().seq,
        last,
        "the fast member got everything"
    );

    // The slow member reads what reached it, then the close.
    let mut slow_last = joined.seq;
    let code = loop {
        match slow.next().await {
            baraza_e2e::client::Incoming::Message(baraza_proto::message::ServerMessage::Event(
                event,
            )) => {
                assert_eq!(event.seq, slow_last + 1, "no gap before the close");
                slow_last = event.seq;
            }
            baraza_e2e::client::Incoming::Closed(code) => break code,
            _ => {}
        }
    };
    assert_eq!(code, Some(CloseCode::SlowConsumer.code()));
    assert!(slow_last < last);
    let (status, metrics) = Api::new(node.http_url(), secretariat())
        .get("/metrics")
        .await;
    assert!(status.is_success());
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("baraza_send_queue_drops_total 1"),
        "{metrics}"
    );

    let (mut resumed, _) = Client::signed_in(&node.ws_url(), &participant("slow", "KE")).await;
    let rest = resumed.join("rt", Some(slow_last)).await;
    let seqs: Vec<u64> = rest.replayed.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (slow_last + 1..=rest.seq).collect::<Vec<_>>(),
        "exactly the rest"
    );
    assert!(rest.seq >= last);
}
