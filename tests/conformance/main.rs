//! One conformance suite for the `RecordStore` and `Broker` contracts, run against both engines:
//! embedded (SQLite file, in-process bus) and Redis (a real `redis-server` of the test's own).

use baraza_e2e::RedisProcess;
use baraza_proto::event::{EventBody, EventEnvelope, LeaveReason};
use baraza_proto::ids::{RoomId, Seq, UserId};
use baraza_server::broker::{
    Broker, DELIVERY_QUEUE, Deliveries, Delivery, MemoryBus, RedisBroker, delivery_queue,
};
use baraza_server::record::{Head, RecordedEvent};
use baraza_server::store::{EmbeddedStore, RecordStore, RedisStore, StoreError, audit_store};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// One engine under test: a store, and two brokers standing for two nodes.
struct Engine {
    store: Arc<dyn RecordStore>,
    publisher: Arc<dyn Broker>,
    subscriber: Arc<dyn Broker>,
    deliveries: Deliveries,
    _keep: Box<dyn std::any::Any + Send>,
}

async fn embedded() -> Engine {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    let bus = MemoryBus::new();
    let (publisher_sink, _publisher_deliveries) = delivery_queue(DELIVERY_QUEUE);
    let (subscriber_sink, deliveries) = delivery_queue(DELIVERY_QUEUE);
    Engine {
        store,
        publisher: Arc::new(bus.connect(publisher_sink)),
        subscriber: Arc::new(bus.connect(subscriber_sink)),
        deliveries,
        _keep: Box::new((dir, _publisher_deliveries)),
    }
}

async fn redis() -> Engine {
    let redis = RedisProcess::start().await;
    let store = Arc::new(RedisStore::connect(&redis.url()).await.unwrap());
    let stop = CancellationToken::new();
    let (publisher_sink, _publisher_deliveries) = delivery_queue(DELIVERY_QUEUE);
    let (subscriber_sink, deliveries) = delivery_queue(DELIVERY_QUEUE);
    Engine {
        store,
        publisher: Arc::new(
            RedisBroker::start(&redis.url(), publisher_sink, stop.clone()).unwrap(),
        ),
        subscriber: Arc::new(
            RedisBroker::start(&redis.url(), subscriber_sink, stop.clone()).unwrap(),
        ),
        deliveries,
        _keep: Box::new((redis, stop.drop_guard(), _publisher_deliveries)),
    }
}

fn room(id: &str) -> RoomId {
    RoomId::new(id).unwrap()
}

/// `count` sealed events of `room` after `head`.
fn events(room: &RoomId, head: Head, count: u64) -> Vec<RecordedEvent> {
    let mut prev = head;
    (1..=count)
        .map(|i| {
            let event = RecordedEvent::seal(
                EventEnvelope {
                    room: room.clone(),
                    seq: prev.seq + 1,
                    ts: 1_790_000_000_000 + (prev.seq + i) as i64,
                    actor: None,
                    key: None,
                    body: EventBody::MemberLeft {
                        user: UserId::new(format!("u{i}")).unwrap(),
                        reason: LeaveReason::Left,
                    },
                },
                prev.hash,
            );
            prev = event.head();
            event
        })
        .collect()
}

async fn appends_in_order_and_reads_back(engine: Engine) {
    let store = engine.store;
    let r = room("conformance-a");
    assert_eq!(store.head(&r).await.unwrap(), Head::EMPTY);
    let first = events(&r, Head::EMPTY, 3);
    store.append(&r, 0, &first).await.unwrap();
    let second = events(&r, first[2].head(), 2);
    store.append(&r, 3, &second).await.unwrap();
    assert_eq!(store.head(&r).await.unwrap(), second[1].head());
    let all = store.read_after(&r, 0, 100).await.unwrap();
    assert_eq!(all, [first.clone(), second.clone()].concat());
    assert_eq!(store.read_after(&r, 3, 100).await.unwrap(), second);
    assert_eq!(
        store.read_after(&r, 1, 2).await.unwrap(),
        first[1..3].to_vec()
    );
    assert!(store.read_after(&r, 5, 10).await.unwrap().is_empty());
    assert_eq!(store.rooms().await.unwrap(), vec![r.clone()]);
    let report = audit_store(store.as_ref()).await.unwrap();
    assert!(report.is_intact());
    assert_eq!(report.rooms[0].intact, 5);
}

async fn a_stale_append_conflicts_and_writes_nothing(engine: Engine) {
    let store = engine.store;
    let r = room("conformance-b");
    let first = events(&r, Head::EMPTY, 2);
    store.append(&r, 0, &first).await.unwrap();
    // Another writer decided on the same head: it must lose, and leave no trace.
    let rival = events(&r, Head::EMPTY, 1);
    match store.append(&r, 0, &rival).await {
        Err(StoreError::Conflict {
            expected: 0,
            actual: 2,
            ..
        }) => {}
        other => panic!("expected a conflict at 2, got {other:?}"),
    }
    assert_eq!(store.read_after(&r, 0, 10).await.unwrap(), first);
    // A malformed append (not consecutive) is refused before anything is written.
    let mut gap = events(&r, first[1].head(), 2);
    gap.remove(0);
    assert!(matches!(
        store.append(&r, 2, &gap).await,
        Err(StoreError::InvalidAppend(_))
    ));
    assert_eq!(store.head(&r).await.unwrap().seq, 2);
}

async fn racing_appends_have_exactly_one_winner(engine: Engine) {
    let store = engine.store;
    let r = room("conformance-c");
    let candidates: Vec<Vec<RecordedEvent>> = (0..8).map(|_| events(&r, Head::EMPTY, 1)).collect();
    let results =
        futures_util::future::join_all(candidates.iter().map(|c| store.append(&r, 0, c))).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(store.head(&r).await.unwrap().seq, 1);
}

async fn subscribers_receive_appended_events_in_order(mut engine: Engine) {
    let r = room("conformance-d");
    engine.subscriber.subscribe(&r).await.unwrap();
    let mut head = Head::EMPTY;
    let mut appended = Vec::new();
    for _ in 0..5 {
        let batch = events(&r, head, 2);
        engine.store.append(&r, head.seq, &batch).await.unwrap();
        for event in &batch {
            engine.publisher.publish(event).await.unwrap();
        }
        head = batch[1].head();
        appended.extend(batch);
    }
    let mut received: Vec<Seq> = Vec::new();
    while received.len() < appended.len() {
        let delivery = tokio::time::timeout(Duration::from_secs(5), engine.deliveries.recv())
            .await
            .expect("deliveries arrive")
            .expect("open");
        if let Delivery::Event(event) = delivery {
            assert_eq!(
                event.hash,
                appended[received.len()].hash,
                "the same sealed event"
            );
            received.push(event.seq());
        }
    }
    assert_eq!(received, (1..=10).collect::<Vec<_>>());
    // After unsubscribing nothing more arrives for the room.
    engine.subscriber.unsubscribe(&r).await.unwrap();
    let batch = events(&r, head, 1);
    engine.store.append(&r, head.seq, &batch).await.unwrap();
    engine.publisher.publish(&batch[0]).await.unwrap();
    let more = tokio::time::timeout(Duration::from_millis(300), engine.deliveries.recv()).await;
    assert!(
        !matches!(more, Ok(Some(Delivery::Event(_)))),
        "unsubscribed rooms are not delivered"
    );
}

fn statement(room: &RoomId, prev: Head, body: EventBody) -> RecordedEvent {
    RecordedEvent::seal(
        EventEnvelope {
            room: room.clone(),
            seq: prev.seq + 1,
            ts: 1_790_000_000_000 + prev.seq as i64,
            actor: Some(UserId::new("amina").unwrap()),
            key: None,
            body,
        },
        prev.hash,
    )
}

/// A statement's text is stored beside its event (not in the hashed form), read back and
/// delivered with it, and withdrawn without changing any event; the audit then counts it as
/// redacted.
async fn texts_are_stored_beside_events_and_withdrawn(mut engine: Engine) {
    let store = engine.store;
    let r = room("conformance-e");
    engine.subscriber.subscribe(&r).await.unwrap();
    let posted = statement(
        &r,
        Head::EMPTY,
        EventBody::StatementPosted {
            text: "Mon adresse est 3 rue des Lilas.".into(),
            text_commitment: None,
            lang: baraza_proto::ids::LanguageTag::new("fr").unwrap(),
            parent: None,
            agenda_item: None,
            question: None,
            alignment: None,
            held: false,
            attachments: Vec::new(),
            by_mail: None,
            joint: None,
        },
    );
    assert!(!posted.canonical.contains("Lilas"));
    store
        .append(&r, 0, std::slice::from_ref(&posted))
        .await
        .unwrap();
    engine.publisher.publish(&posted).await.unwrap();
    let delivered = loop {
        let delivery = tokio::time::timeout(Duration::from_secs(5), engine.deliveries.recv())
            .await
            .expect("delivered")
            .expect("open");
        if let Delivery::Event(event) = delivery {
            break event;
        }
    };
    assert_eq!(*delivered, posted, "delivered with its text");
    assert_eq!(
        store.read_after(&r, 0, 10).await.unwrap(),
        vec![posted.clone()]
    );
    let redaction = statement(
        &r,
        posted.head(),
        EventBody::StatementRedacted {
            statement: 1,
            reason: "lawful request".into(),
        },
    );
    store
        .append(&r, 1, std::slice::from_ref(&redaction))
        .await
        .unwrap();
    assert_eq!(store.withdraw_texts(&r, 1).await.unwrap(), 1);
    assert_eq!(store.withdraw_texts(&r, 1).await.unwrap(), 0, "idempotent");
    let back = store.read_after(&r, 0, 10).await.unwrap();
    assert_eq!(back[0], posted.withdrawn());
    assert_eq!(back[0].hash, posted.hash);
    assert!(!format!("{back:?}").contains("Lilas"));
    let report = audit_store(store.as_ref()).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.rooms[0].withdrawn, 1);
}

macro_rules! conformance {
    ($engine:ident) => {
        mod $engine {
            #[tokio::test]
            async fn appends_in_order_and_reads_back() {
                super::appends_in_order_and_reads_back(super::$engine().await).await;
            }
            #[tokio::test]
            async fn a_stale_append_conflicts_and_writes_nothing() {
                super::a_stale_append_conflicts_and_writes_nothing(super::$engine().await).await;
            }
            #[tokio::test]
            async fn racing_appends_have_exactly_one_winner() {
                super::racing_appends_have_exactly_one_winner(super::$engine().await).await;
            }
            #[tokio::test]
            async fn texts_are_stored_beside_events_and_withdrawn() {
                super::texts_are_stored_beside_events_and_withdrawn(super::$engine().await).await;
            }
            #[tokio::test]
            async fn subscribers_receive_appended_events_in_order() {
                super::subscribers_receive_appended_events_in_order(super::$engine().await).await;
            }
        }
    };
}

conformance!(embedded);
conformance!(redis);
