//! Commands pipelined by several clients into one room: the room appends the commands waiting
//! in its mailbox together, and everyone still sees exactly what one at a time would give.

use super::*;
use baraza_e2e::client::Incoming;
use baraza_e2e::node::verify;
use baraza_proto::command::RoomCommand;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::ids::{LanguageTag, Seq};
use baraza_proto::message::{ClientMessage, ServerMessage};
use std::collections::HashMap;

/// An `ack` (seq, duplicate) or the code of an `error`.
type Answer = Result<(Seq, bool), ErrorCode>;

const ROUNDS: usize = 40;

/// What a request should get.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// A new statement with this key and text.
    Posted { key: String, text: String },
    /// A reply to the statement the moderator hides: posted if decided before the hiding,
    /// refused after it.
    Reply { key: String, text: String },
    /// `duplicate: true` with the seq of the first command with this key.
    Duplicate { key: String },
    /// A refusal with this code.
    Refused(ErrorCode),
    /// The statement is hidden.
    Hidden(Seq),
}

/// A pipelining client: what it sent, in order, and what it should get for each.
struct Sender {
    name: String,
    client: Client,
    sent: Vec<(String, Expect)>,
    received: Vec<ServerMessage>,
    join_seq: Seq,
}

impl Sender {
    async fn send(&mut self, key: Option<&str>, command: RoomCommand, expect: Expect) {
        let id = self.client.id();
        let message = ClientMessage::Command {
            id: id.clone(),
            room: "rt".parse().expect("room id"),
            key: key.map(|k| k.parse().expect("key")),
            command,
        };
        self.client.send(&message).await;
        self.sent.push((id, expect));
    }

    async fn post(&mut self, key: Option<&str>, text: &str, parent: Option<Seq>, expect: Expect) {
        let command = RoomCommand::PostStatement {
            text: text.into(),
            lang: LanguageTag::new("en").expect("tag"),
            parent,
            agenda_item: None,
            question: None,
            alignment: None,
        };
        self.send(key, command, expect).await;
    }

    /// Reads everything until `done` accepts a message (at once if one was received).
    async fn read_until(&mut self, done: impl Fn(&ServerMessage) -> bool) {
        if self.received.iter().any(&done) {
            return;
        }
        loop {
            match self.client.next().await {
                Incoming::Message(message) => {
                    let finished = done(&message);
                    self.received.push(message);
                    if finished {
                        return;
                    }
                }
                Incoming::Closed(code) => panic!("{} was closed ({code:?})", self.name),
            }
        }
    }

    /// The answers received, by request id (every one of them, to count them).
    fn answers(&self) -> HashMap<String, Vec<Answer>> {
        let mut answers: HashMap<String, Vec<_>> = HashMap::new();
        for message in &self.received {
            match message {
                ServerMessage::Ack { id, seq, duplicate } => {
                    answers
                        .entry(id.clone())
                        .or_default()
                        .push(Ok((*seq, *duplicate)));
                }
                ServerMessage::Error {
                    id: Some(id), code, ..
                } => answers.entry(id.clone()).or_default().push(Err(*code)),
                _ => {}
            }
        }
        answers
    }

    /// Where the first message `pick` accepts was received.
    fn position(&self, pick: impl Fn(&ServerMessage) -> bool) -> usize {
        self.received
            .iter()
            .position(pick)
            .unwrap_or_else(|| panic!("{} did not receive it", self.name))
    }

    fn events(&self) -> Vec<EventEnvelope> {
        self.received
            .iter()
            .filter_map(|m| match m {
                ServerMessage::Event(event) => Some((**event).clone()),
                _ => None,
            })
            .collect()
    }
}

async fn sender(node: &NodeProcess, name: &str, token: &str) -> Sender {
    let (mut client, _) = Client::signed_in(&node.ws_url(), token).await;
    let joined = client.join("rt", None).await;
    Sender {
        name: name.into(),
        client,
        sent: Vec::new(),
        received: Vec::new(),
        join_seq: joined.seq,
    }
}

#[tokio::test]
async fn pipelined_commands_of_several_clients_are_each_answered_once_and_recorded_in_order() {
    let node = NodeProcess::start_with(
        baraza_e2e::DataDir::new(),
        &["--rate", "100000", "--burst", "100000"],
    )
    .await;
    let api = Api::new(node.http_url(), secretariat());
    api.create_room("rt", &settings(RoomKind::Roundtable, "Busy room"))
        .await;
    let mut senders = vec![
        sender(&node, "amina", &participant("amina", "KE")).await,
        sender(&node, "bruno", &participant("bruno", "BR")).await,
        sender(&node, "chen", &participant("chen", "CN")).await,
        sender(&node, "mod-1", &moderator()).await,
    ];
    // A statement everyone knows the id of before the pipelining starts.
    let known = senders[3]
        .client
        .post("rt", "mod-known", "Opening remarks.", None)
        .await;

    // Every client sends all of its commands without waiting, the clients interleaved.
    for round in 0..ROUNDS {
        for sender in &mut senders {
            let name = sender.name.clone();
            let key = format!("{name}-{round}");
            let text = format!("{name}, point {round}.");
            let (key, text) = (key.clone(), text.clone());
            if round % 7 == 0 {
                let reply = Expect::Reply {
                    key: key.clone(),
                    text: text.clone(),
                };
                sender.post(Some(&key), &text, Some(known), reply).await;
            } else {
                let posted = Expect::Posted {
                    key: key.clone(),
                    text: text.clone(),
                };
                sender.post(Some(&key), &text, None, posted).await;
            }
            match (round, name.as_str()) {
                (5, "mod-1") => {
                    let hide = RoomCommand::HideStatement {
                        statement: known,
                        reason: "Repeated elsewhere".into(),
                    };
                    sender.send(None, hide, Expect::Hidden(known)).await;
                }
                (25, "mod-1") => {
                    let again = RoomCommand::HideStatement {
                        statement: known,
                        reason: "Twice".into(),
                    };
                    let refused = Expect::Refused(ErrorCode::InvalidCommand);
                    sender.send(None, again, refused).await;
                }
                (10, _) => {
                    let hide = RoomCommand::HideStatement {
                        statement: known,
                        reason: "Not mine to hide".into(),
                    };
                    let expect = if name == "mod-1" {
                        Expect::Refused(ErrorCode::InvalidCommand)
                    } else {
                        Expect::Refused(ErrorCode::Forbidden)
                    };
                    sender.send(None, hide, expect).await;
                }
                (15, _) => {
                    let refused = Expect::Refused(ErrorCode::IdempotencyKeyRequired);
                    sender.post(None, "No key.", None, refused).await;
                }
                (20, _) => {
                    let first = format!("{name}-3");
                    let text = format!("{name}, point 3.");
                    let duplicate = Expect::Duplicate { key: first.clone() };
                    sender.post(Some(&first), &text, None, duplicate).await;
                }
                _ => {}
            }
        }
    }

    for sender in &mut senders {
        let last = sender.sent.last().expect("sent").0.clone();
        sender
            .read_until(|m| matches!(m, ServerMessage::Ack { id, .. } | ServerMessage::Error { id: Some(id), .. } if *id == last))
            .await;
    }
    let record = api.record("rt").await;
    let head = record.head;
    for sender in &mut senders {
        sender
            .read_until(|m| matches!(m, ServerMessage::Event(e) if e.seq == head))
            .await;
    }
    let by_seq: HashMap<Seq, &EventEnvelope> = record
        .events
        .iter()
        .map(|e| (e.event.seq, &e.event))
        .collect();
    let hidden_at = record
        .events
        .iter()
        .find(|e| matches!(e.event.body, EventBody::StatementHidden { .. }))
        .expect("the statement was hidden")
        .event
        .seq;

    let mut acknowledged = Vec::new();
    for sender in &senders {
        let answers = sender.answers();
        let mut seq_of_key: HashMap<String, Seq> = HashMap::new();
        for (id, expect) in &sender.sent {
            let got = answers.get(id).cloned().unwrap_or_default();
            assert_eq!(
                got.len(),
                1,
                "{} {id} ({expect:?}) answered once: {got:?}",
                sender.name
            );
            match (expect, got[0]) {
                (Expect::Reply { key, text }, Ok((seq, false)))
                | (Expect::Posted { key, text }, Ok((seq, false))) => {
                    if matches!(expect, Expect::Reply { .. }) {
                        assert!(seq < hidden_at, "{id}: a reply after the hiding");
                    }
                    let event = by_seq[&seq];
                    assert_eq!(
                        event.actor.as_ref().map(|a| a.as_str()),
                        Some(sender.name.as_str())
                    );
                    assert_eq!(event.key.as_ref().map(|k| k.as_str()), Some(key.as_str()));
                    assert!(
                        matches!(&event.body, EventBody::StatementPosted { text: t, .. } if t == text),
                        "{seq}: {event:?}"
                    );
                    seq_of_key.insert(key.clone(), seq);
                    acknowledged.push(seq);
                }
                (Expect::Duplicate { key }, Ok((seq, true))) => {
                    assert_eq!(
                        Some(&seq),
                        seq_of_key.get(key),
                        "{id}: the first seq of {key}"
                    );
                }
                (Expect::Hidden(statement), Ok((seq, false))) => {
                    assert!(
                        matches!(&by_seq[&seq].body, EventBody::StatementHidden { statement: s, .. } if s == statement)
                    );
                    acknowledged.push(seq);
                }
                (Expect::Refused(code), Err(got)) => assert_eq!(*code, got, "{id}"),
                (Expect::Reply { .. }, Err(ErrorCode::InvalidCommand)) => {
                    let hidden = sender
                        .position(|m| matches!(m, ServerMessage::Event(e) if e.seq == hidden_at));
                    let refused = sender.position(
                        |m| matches!(m, ServerMessage::Error { id: Some(got), .. } if got == id),
                    );
                    assert!(hidden < refused, "{id}: refused only after the hiding");
                }
                (expect, got) => panic!("{} {id}: expected {expect:?}, got {got:?}", sender.name),
            }
        }
        // Every member saw every event after its join exactly once, in seq order, as recorded.
        let seen = sender.events();
        let expected: Vec<EventEnvelope> = record
            .events
            .iter()
            .filter(|e| e.event.seq > sender.join_seq)
            .map(|e| e.event.clone())
            .collect();
        assert_eq!(
            seen, expected,
            "{} saw the record after its join",
            sender.name
        );
    }
    // The record holds what was acknowledged after the known statement, and nothing else.
    acknowledged.sort_unstable();
    let recorded: Vec<Seq> = record
        .events
        .iter()
        .map(|e| e.event.seq)
        .filter(|&seq| seq > known)
        .collect();
    assert_eq!(acknowledged, recorded);
    let (status, output) = verify(node.data().path());
    assert!(status.success(), "{output}");
}
