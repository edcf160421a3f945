//! The room driver and the hub's routing to rooms, through real mailboxes over a record held
//! in memory: the store holds appends at a gate, so messages pile up in the mailbox
//! deterministically. (What a room decides is tested in `hub::core::tests`, without a runtime.)

use super::*;
use crate::auth::{Authenticator, KeySource};
use crate::broker::MemoryBus;
use crate::hub::{Engine, HubConfig};
use crate::presence::LocalPresence;
use crate::record::{Head, RecordedEvent};
use crate::store::StoreError;
use crate::store::{RecordStore, check_append};
use async_trait::async_trait;
use baraza_proto::command::RoomCommand;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::Profile;
use baraza_proto::identity::Role;
use baraza_proto::ids::LanguageTag;
use baraza_proto::ids::{IdempotencyKey, UserId};
use baraza_proto::room::RoomSettings;
use baraza_proto::room::{RoomKind, Scope};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// A record in memory whose appends wait at a gate and can be made to fail.
struct TestStore {
    sole_writer: bool,
    rooms: Mutex<HashMap<RoomId, Vec<RecordedEvent>>>,
    /// Appends that reached the gate.
    arrived: watch::Sender<usize>,
    /// Appends that passed it (whether they wrote or failed).
    passed: watch::Sender<usize>,
    open: watch::Sender<bool>,
    fail: AtomicBool,
    /// When set, only appends to this room wait at the gate.
    gated_room: Mutex<Option<RoomId>>,
}

impl TestStore {
    fn new(sole_writer: bool) -> Arc<TestStore> {
        Arc::new(TestStore {
            sole_writer,
            rooms: Mutex::new(HashMap::new()),
            arrived: watch::Sender::new(0),
            passed: watch::Sender::new(0),
            open: watch::Sender::new(true),
            fail: AtomicBool::new(false),
            gated_room: Mutex::new(None),
        })
    }

    async fn wait_arrived(&self, count: usize) {
        let mut arrived = self.arrived.subscribe();
        arrived
            .wait_for(|&n| n >= count)
            .await
            .expect("store alive");
    }

    fn events(&self, room: &RoomId) -> Vec<RecordedEvent> {
        let rooms = self.rooms.lock().expect("rooms");
        rooms.get(room).cloned().unwrap_or_default()
    }
}

#[async_trait]
impl RecordStore for TestStore {
    async fn append(
        &self,
        room: &RoomId,
        expected_seq: Seq,
        events: &[RecordedEvent],
    ) -> Result<(), StoreError> {
        check_append(room, expected_seq, events)?;
        self.arrived.send_modify(|n| *n += 1);
        let gated = self
            .gated_room
            .lock()
            .expect("gate")
            .as_ref()
            .is_none_or(|gated| gated == room);
        if gated {
            let mut open = self.open.subscribe();
            open.wait_for(|&open| open)
                .await
                .map_err(|_| StoreError::Closed)?;
        }
        self.passed.send_modify(|n| *n += 1);
        if self.fail.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("the test says so".into()));
        }
        let mut rooms = self.rooms.lock().expect("rooms");
        let record = rooms.entry(room.clone()).or_default();
        if record.len() as Seq != expected_seq {
            return Err(StoreError::Conflict {
                room: room.clone(),
                expected: expected_seq,
                actual: record.len() as Seq,
            });
        }
        record.extend_from_slice(events);
        Ok(())
    }

    async fn read_after(
        &self,
        room: &RoomId,
        after: Seq,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        Ok(self
            .events(room)
            .into_iter()
            .filter(|e| e.seq() > after)
            .take(limit)
            .collect())
    }

    async fn withdraw_texts(&self, room: &RoomId, statement: Seq) -> Result<usize, StoreError> {
        let mut rooms = self.rooms.lock().expect("rooms");
        let mut removed = 0;
        for event in rooms.entry(room.clone()).or_default() {
            if event.openings.iter().any(|o| o.statement == statement) {
                removed += event.openings.len();
                *event = event.withdrawn();
            }
        }
        Ok(removed)
    }

    async fn head(&self, room: &RoomId) -> Result<Head, StoreError> {
        Ok(self.events(room).last().map_or(Head::EMPTY, |e| e.head()))
    }

    async fn rooms(&self) -> Result<Vec<RoomId>, StoreError> {
        let mut rooms: Vec<RoomId> = self.rooms.lock().expect("rooms").keys().cloned().collect();
        rooms.sort();
        Ok(rooms)
    }

    async fn close(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn engine(&self) -> &'static str {
        "test"
    }

    fn sole_writer(&self) -> bool {
        self.sole_writer
    }
}

fn hub_over(store: Arc<TestStore>) -> Hub {
    hub_with_sink(store).0
}

/// A hub over `store`, and the sink through which the test delivers as a broker would.
fn hub_with_sink(store: Arc<TestStore>) -> (Hub, crate::broker::DeliverySink) {
    let (sink, deliveries) = crate::broker::delivery_queue(4096);
    let engine = Engine {
        store,
        broker: Arc::new(MemoryBus::new().connect(sink.clone())),
        presence: Arc::new(LocalPresence),
    };
    let auth = Authenticator::new(KeySource::Secret(vec![7; 32]), "baraza", "baraza")
        .expect("authenticator");
    let hub = Hub::new(
        HubConfig::default(),
        engine,
        deliveries,
        Arc::new(auth),
        Arc::new(Metrics::default()),
    );
    (hub, sink)
}

fn person(user: &str, role: Role) -> Profile {
    Profile {
        user: UserId::new(user).expect("user id"),
        name: user.to_uppercase(),
        role,
        org: None,
        constituency: None,
        country: None,
        region: None,
    }
}

fn settings() -> RoomSettings {
    RoomSettings {
        kind: RoomKind::Roundtable,
        title: "Financing for development".into(),
        description: String::new(),
        languages: vec![LanguageTag::new("en").expect("tag")],
        scope: Scope::Global,
        constituency: None,
        audience_above: None,
    }
}

fn post(text: &str, parent: Option<Seq>) -> RoomCommand {
    RoomCommand::PostStatement {
        text: text.into(),
        lang: LanguageTag::new("en").expect("tag"),
        parent,
        agenda_item: None,
        question: None,
        alignment: None,
    }
}

/// A connection: its handle, the other end of its queue, and what it received so far.
struct Conn {
    handle: ConnHandle,
    queue: mpsc::Receiver<Outbound>,
    profile: Profile,
    seen: Vec<Value>,
}

impl Conn {
    fn new(hub: &Hub, user: &str, role: Role) -> Conn {
        let (handle, queue) = ConnHandle::new(
            hub.next_conn_id(),
            4096,
            hub.metrics().clone(),
            &hub.shutdown_token(),
        );
        Conn {
            handle,
            queue,
            profile: person(user, role),
            seen: Vec::new(),
        }
    }

    fn command(&self, request: &str, key: Option<&str>, command: RoomCommand) -> RoomMsg {
        RoomMsg::Command {
            conn: self.handle.clone(),
            profile: self.profile.clone(),
            key: key.map(|k| IdempotencyKey::new(k).expect("key")),
            command,
            request: request.into(),
        }
    }

    /// Reads frames until the answer to `request`, keeping them all in `seen`.
    async fn until_answer(&mut self, request: &str) {
        self.read_until(request, |v| v["id"] == request && v["type"] != "event")
            .await;
    }

    /// Reads frames until the event `seq`.
    async fn until_event(&mut self, seq: Seq) {
        self.read_until(&format!("event {seq}"), |v| {
            v["type"] == "event" && v["seq"] == seq
        })
        .await;
    }

    async fn read_until(&mut self, what: &str, done: impl Fn(&Value) -> bool) {
        if self.seen.iter().any(&done) {
            return;
        }
        loop {
            let item = tokio::time::timeout(Duration::from_secs(10), self.queue.recv())
                .await
                .unwrap_or_else(|_| panic!("waited too long for {what}"))
                .expect("queue open");
            let frames = match item {
                Outbound::Frame(frame) => vec![frame],
                Outbound::Batch(frames) => frames,
                other => panic!("only frames expected from a room here, got {other:?}"),
            };
            let mut answered = false;
            for frame in frames {
                let value: Value = serde_json::from_str(frame.as_str()).expect("json frame");
                answered |= done(&value);
                self.seen.push(value);
            }
            if answered {
                return;
            }
        }
    }

    /// The answer to `request`: `("ack", seq, duplicate)` or `("error", 0, code)`.
    fn answer(&self, request: &str) -> (String, u64, String) {
        let answers: Vec<&Value> = self
            .seen
            .iter()
            .filter(|v| v["id"] == request && v["type"] != "event")
            .collect();
        assert_eq!(answers.len(), 1, "one answer to {request}: {answers:?}");
        let answer = answers[0];
        match answer["type"].as_str() {
            Some("ack") => (
                "ack".into(),
                answer["seq"].as_u64().expect("seq"),
                answer["duplicate"].as_bool().unwrap_or(false).to_string(),
            ),
            _ => (
                "error".into(),
                0,
                answer["code"].as_str().unwrap_or_default().into(),
            ),
        }
    }
}

/// Creates room `id` through the hub, as the secretariat.
async fn create(hub: &Hub, id: &RoomId) {
    let (reply, created) = oneshot::channel();
    let create = RoomMsg::Create {
        profile: person("sec", Role::Secretariat),
        settings: settings(),
        reply,
    };
    assert!(hub.send(id, create).await.is_ok());
    created.await.expect("reply").expect("created");
}

/// Creates room `id` and returns its actor's handle.
async fn created(hub: &Hub, id: &RoomId) -> RoomHandle {
    create(hub, id).await;
    hub.room(id)
}

fn join(conn: &Conn, request: &str) -> RoomMsg {
    RoomMsg::Join {
        conn: conn.handle.clone(),
        profile: conn.profile.clone(),
        since: None,
        request: request.into(),
    }
}

#[tokio::test]
async fn a_room_that_does_not_exist_is_answered_without_starting_an_actor() {
    let hub = hub_over(TestStore::new(true));
    let nowhere = RoomId::new("nowhere").expect("room id");
    let conn = Conn::new(&hub, "amina", Role::Observer);
    for request in ["j1", "j2", "j3"] {
        match hub.send(&nowhere, join(&conn, request)).await {
            Err(HubError::Rejected(crate::domain::Rejection::RoomNotFound)) => {}
            Err(other) => panic!("{request}: {other}"),
            Ok(_) => panic!("{request} was handed to an actor"),
        }
    }
    assert_eq!(hub.room_summary(&nowhere).await.expect("summary"), None);
    assert!(hub.loaded(&nowhere).is_none());
    let metrics = hub.metrics();
    assert_eq!(metrics.room_loads.get(), 0);
    assert_eq!(metrics.rooms.get(), 0);
    // A room that exists is loaded once, however often it is asked for.
    let id = RoomId::new("rt").expect("room id");
    create(&hub, &id).await;
    let mut amina = conn;
    assert!(hub.send(&id, join(&amina, "j4")).await.is_ok());
    amina.until_answer("j4").await;
    assert_eq!(amina.answer("j4").0, "ack");
    assert_eq!(metrics.room_loads.get(), 1);
}

#[tokio::test]
async fn a_leave_without_a_join_is_answered() {
    let hub = hub_over(TestStore::new(true));
    let id = RoomId::new("rt").expect("room id");
    create(&hub, &id).await;
    let mut amina = Conn::new(&hub, "amina", Role::Participant);
    let leave = RoomMsg::Leave {
        conn: amina.handle.clone(),
        request: "l1".into(),
    };
    assert!(hub.send(&id, leave).await.is_ok());
    amina.until_answer("l1").await;
    assert_eq!(amina.answer("l1"), ("error".into(), 0, "not_joined".into()));
}

#[tokio::test]
async fn every_message_waiting_when_the_node_shuts_down_is_answered() {
    let store = TestStore::new(true);
    let hub = hub_over(store.clone());
    let id = RoomId::new("rt").expect("room id");
    create(&hub, &id).await;
    let mut amina = Conn::new(&hub, "amina", Role::Participant);
    assert!(hub.send(&id, join(&amina, "join")).await.is_ok());
    amina.until_answer("join").await;

    // The room is busy with a command held at the store while joins and a view queue up;
    // then the node begins to shut down.
    store.open.send_replace(false);
    let held = *store.arrived.borrow() + 1;
    assert!(
        hub.send(&id, amina.command("p1", Some("p1"), post("Held.", None)))
            .await
            .is_ok()
    );
    store.wait_arrived(held).await;
    let mut others: Vec<Conn> = (0..20)
        .map(|i| Conn::new(&hub, &format!("p{i}"), Role::Participant))
        .collect();
    for (i, conn) in others.iter().enumerate() {
        assert!(hub.send(&id, join(conn, &format!("j{i}"))).await.is_ok());
    }
    let (reply, viewed) = oneshot::channel();
    let view = RoomMsg::View {
        profile: person("mod", Role::Moderator),
        path: crate::domain::visibility::ReadPath::View,
        reply,
    };
    assert!(hub.send(&id, view).await.is_ok());
    hub.shutdown_token().cancel();
    store.open.send_replace(true);

    amina.until_answer("p1").await;
    assert_eq!(amina.answer("p1").0, "ack");
    for (i, conn) in others.iter_mut().enumerate() {
        let request = format!("j{i}");
        conn.until_answer(&request).await;
        let (kind, _, code) = conn.answer(&request);
        assert!(
            kind == "ack" || code == "unavailable",
            "{request}: {kind} {code}"
        );
    }
    let viewed = tokio::time::timeout(Duration::from_secs(10), viewed)
        .await
        .expect("the view was answered");
    assert!(matches!(
        viewed,
        Ok(Ok(_)) | Ok(Err(HubError::ShuttingDown))
    ));
    // And nothing is accepted any more: a message sent now is refused at once.
    let late = Conn::new(&hub, "late", Role::Participant);
    assert!(matches!(
        hub.send(&id, join(&late, "late")).await,
        Err(HubError::ShuttingDown)
    ));
}

#[tokio::test]
async fn a_room_with_a_full_mailbox_does_not_hold_up_deliveries_to_other_rooms() {
    let store = TestStore::new(false);
    let (hub, sink) = hub_with_sink(store.clone());
    let busy = RoomId::new("busy").expect("room id");
    let calm = RoomId::new("calm").expect("room id");
    let busy_room = created(&hub, &busy).await;
    let calm_room = created(&hub, &calm).await;
    let mut listener = Conn::new(&hub, "amina", Role::Participant);
    let join = RoomMsg::Join {
        conn: listener.handle.clone(),
        profile: listener.profile.clone(),
        since: None,
        request: "join".into(),
    };
    assert!(calm_room.send(join).await.is_ok());
    listener.until_answer("join").await;

    // The busy room's actor is stuck in an append; its mailbox fills up behind it.
    *store.gated_room.lock().expect("gate") = Some(busy.clone());
    store.open.send_replace(false);
    let poster = Conn::new(&hub, "bruno", Role::Moderator);
    let held = *store.arrived.borrow() + 1;
    let join = RoomMsg::Join {
        conn: poster.handle.clone(),
        profile: poster.profile.clone(),
        since: None,
        request: "join".into(),
    };
    assert!(busy_room.send(join).await.is_ok());
    store.wait_arrived(held).await;
    while busy_room.try_send(RoomMsg::Resync) {}

    // Another node appended to each room; the broker delivers both, the busy room's first.
    let mut deliveries = Vec::new();
    for (room, user) in [(&busy, "zed"), (&calm, "yan")] {
        let prev = store.events(room).last().expect("created").head();
        let event = RecordedEvent::seal(
            EventEnvelope {
                room: room.clone(),
                seq: prev.seq + 1,
                ts: 1,
                actor: None,
                key: None,
                body: EventBody::MemberJoined {
                    member: person(user, Role::Participant),
                },
            },
            prev.hash,
        );
        store
            .rooms
            .lock()
            .expect("rooms")
            .get_mut(room)
            .expect("record")
            .push(event.clone());
        deliveries.push(event);
    }
    let calm_seq = deliveries[1].seq();
    for event in deliveries {
        assert!(sink.send(crate::broker::Delivery::Event(Box::new(event))));
    }
    // The calm room gets its event although the busy room cannot take anything.
    tokio::time::timeout(Duration::from_secs(5), listener.until_event(calm_seq))
        .await
        .expect("the calm room's event was held up behind the full room");

    // Once the busy room moves again, it repairs the event it missed from the record.
    store.open.send_replace(true);
    let (reply, summary) = oneshot::channel();
    assert!(
        busy_room
            .send(RoomMsg::Summary {
                reader: None,
                reply
            })
            .await
            .is_ok()
    );
    let seq = summary
        .await
        .expect("reply")
        .expect("summary")
        .expect("room")
        .seq;
    assert_eq!(seq, store.events(&busy).len() as Seq);
}
