//! End-to-end: a women's caucus organises itself over real sockets against the real binary.
//! The secretariat names its parent roundtable; the chair runs an election of organising
//! partners (one vote per organisation); a partner drafts a joint statement, members endorse
//! it, a partner adopts it, and it appears once in the parent roundtable as the joint
//! statement of the Women caucus, with the link back to the adoption — also after the node is
//! killed and restarted. A second statement for a consultation still in draft is refused there
//! (the caucus records the refusal, not a post) and, sent again once the consultation is open,
//! is held by its pre-moderation.

use super::ok;
use baraza_e2e::{Api, Client, NodeProcess, TokenSpec, export};
use baraza_proto::caucus::{
    CastVote, Delivery, DraftJointStatement, EditJointStatement, ElectionRef, JointStatementRef,
    OpenElection,
};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::{ModerationMode, Phase};
use baraza_proto::error::ErrorCode;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::{LanguageTag, Seq};
use baraza_proto::room::{RoomKind, RoomSettings, Scope};

fn settings(kind: RoomKind, title: &str, constituency: Option<Constituency>) -> RoomSettings {
    RoomSettings {
        kind,
        title: title.into(),
        description: String::new(),
        languages: vec![LanguageTag::new("en").unwrap()],
        scope: Scope::Global,
        constituency,
        audience_above: None,
    }
}

fn woman(sub: &str, org: &str) -> String {
    TokenSpec::new(sub, Role::Participant)
        .from_org(org, Constituency::Women, "KE")
        .sign()
}

/// The caucus's parent answer for statement `id`, from its record.
fn delivery_of(events: &[EventEnvelope], id: Seq) -> Vec<Delivery> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::JointStatementDelivered {
                statement,
                delivery,
                ..
            } if *statement == id => Some(delivery.clone()),
            _ => None,
        })
        .collect()
}

async fn record(api: &Api, room: &str) -> Vec<EventEnvelope> {
    api.record(room)
        .await
        .events
        .into_iter()
        .map(|e| e.event)
        .collect()
}

/// Waits until the caucus's record holds the parent's answer for statement `id`.
async fn answered(client: &mut Client, api: &Api, id: Seq) -> Delivery {
    loop {
        if let Some(d) = delivery_of(&record(api, "women-caucus").await, id).pop() {
            return d;
        }
        client
            .wait_for("the parent's answer", |incoming| match incoming {
                baraza_e2e::client::Incoming::Message(
                    baraza_proto::message::ServerMessage::Event(e),
                ) if matches!(e.body, EventBody::JointStatementDelivered { .. }) => Some(()),
                _ => None,
            })
            .await;
    }
}

#[tokio::test]
async fn a_caucus_elects_partners_and_its_joint_statement_appears_once_in_the_parent() {
    let node = NodeProcess::start().await;
    let url = node.ws_url();
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let sec_api = Api::new(node.http_url(), sec_token.clone());
    sec_api
        .create_room(
            "hlpf-rt",
            &settings(RoomKind::Roundtable, "HLPF roundtable", None),
        )
        .await;
    sec_api
        .create_room(
            "women-caucus",
            &settings(
                RoomKind::Caucus,
                "Women's major group",
                Some(Constituency::Women),
            ),
        )
        .await;
    let (mut sec, _) = Client::signed_in(&url, &sec_token).await;
    sec.join("women-caucus", None).await;
    sec.join("hlpf-rt", None).await;
    ok(
        &mut sec,
        "women-caucus",
        None,
        RoomCommand::SetParent {
            parent: "hlpf-rt".parse().unwrap(),
        },
    )
    .await;

    let (mut chair, _) =
        Client::signed_in(&url, &TokenSpec::new("chair-1", Role::Moderator).sign()).await;
    chair.join("women-caucus", None).await;
    let mut reps = Vec::new();
    for (sub, org) in [
        ("amina", "Femmes Africa"),
        ("amira", "Femmes Africa"),
        ("bela", "Red de Mujeres"),
        ("chen", "Asia Women Link"),
    ] {
        let (mut c, _) = Client::signed_in(&url, &woman(sub, org)).await;
        c.join("women-caucus", None).await;
        reps.push(c);
    }
    // Another constituency cannot enter the caucus at all.
    let ngo = TokenSpec::new("nadia", Role::Participant)
        .from_org("Some NGO", Constituency::Ngos, "KE")
        .sign();
    let (mut outsider, _) = Client::signed_in(&url, &ngo).await;
    let refused = outsider.try_join("women-caucus", None).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden);

    // The election: one seat, three candidates; one vote per organisation.
    let election = ok(
        &mut chair,
        "women-caucus",
        Some("elect-1"),
        RoomCommand::OpenElection(OpenElection {
            candidates: vec![
                "Femmes Africa".into(),
                "Red de Mujeres".into(),
                "Asia Women Link".into(),
            ],
            seats: 1,
        }),
    )
    .await;
    let vote = |choice: &str| {
        RoomCommand::CastVote(CastVote {
            election,
            choices: vec![choice.into()],
        })
    };
    ok(&mut reps[0], "women-caucus", None, vote("Femmes Africa")).await;
    let second = reps[1]
        .command("women-caucus", None, vote("Red de Mujeres"))
        .await
        .unwrap_err();
    assert_eq!(second.code, ErrorCode::InvalidCommand);
    assert!(
        second.message.contains("already voted"),
        "{}",
        second.message
    );
    ok(&mut reps[2], "women-caucus", None, vote("Femmes Africa")).await;
    ok(&mut reps[3], "women-caucus", None, vote("Asia Women Link")).await;
    ok(
        &mut chair,
        "women-caucus",
        None,
        RoomCommand::CloseElection(ElectionRef { election }),
    )
    .await;
    let after_close = reps[3]
        .command("women-caucus", None, vote("Asia Women Link"))
        .await
        .unwrap_err();
    assert!(
        after_close.message.contains("closed"),
        "{}",
        after_close.message
    );

    // Drafting (only a partner), editing, endorsing, adopting.
    let draft = RoomCommand::DraftJointStatement(DraftJointStatement {
        text: "We call for gender parity in every delegation.".into(),
        lang: LanguageTag::new("en").unwrap(),
        question: None,
    });
    let not_partner = reps[2]
        .command("women-caucus", Some("d-0"), draft.clone())
        .await
        .unwrap_err();
    assert_eq!(not_partner.code, ErrorCode::Forbidden);
    let statement = ok(&mut reps[0], "women-caucus", Some("d-1"), draft).await;
    ok(
        &mut reps[1],
        "women-caucus",
        None,
        RoomCommand::EditJointStatement(EditJointStatement {
            statement,
            text: "We call for gender parity in every delegation, and for funding.".into(),
        }),
    )
    .await;
    let endorse = RoomCommand::EndorseJointStatement(JointStatementRef { statement });
    ok(&mut reps[2], "women-caucus", None, endorse.clone()).await;
    ok(&mut reps[3], "women-caucus", None, endorse).await;
    let adoption = ok(
        &mut reps[0],
        "women-caucus",
        None,
        RoomCommand::AdoptJointStatement(JointStatementRef { statement }),
    )
    .await;

    // It arrives in the parent, live, as the caucus's joint statement with the link back.
    let posted = sec
        .wait_for(
            "the joint statement in the parent",
            |incoming| match incoming {
                baraza_e2e::client::Incoming::Message(
                    baraza_proto::message::ServerMessage::Event(e),
                ) if e.room.as_str() == "hlpf-rt" => match &e.body {
                    EventBody::StatementPosted {
                        joint: Some(j),
                        text,
                        ..
                    } => Some((e.seq, e.actor.clone(), j.clone(), text.clone())),
                    _ => None,
                },
                _ => None,
            },
        )
        .await;
    let (parent_seq, actor, origin, text) = posted;
    assert!(
        actor.is_none(),
        "recorded by the server on the caucus's behalf"
    );
    assert!(text.ends_with("and for funding."));
    assert_eq!(origin.caucus.as_str(), "women-caucus");
    assert_eq!(origin.constituency, Constituency::Women);
    assert_eq!(origin.adoption_seq, adoption);
    assert_eq!(
        origin.endorsers,
        vec!["Red de Mujeres".to_string(), "Asia Women Link".to_string()]
    );
    let caucus_record = sec_api.record("women-caucus").await;
    let adoption_entry = caucus_record
        .events
        .iter()
        .find(|e| e.event.seq == adoption)
        .expect("the adoption in the caucus record");
    assert_eq!(origin.adoption_hash, adoption_entry.hash);
    assert_eq!(
        answered(&mut sec, &sec_api, statement).await,
        Delivery::Posted {
            seq: parent_seq,
            held: false
        }
    );

    // The parent's exports show it as a joint statement with its endorsers and the link; the
    // JSON export is data: it carries the origin itself, not the words for it.
    let exports = export::every_format(&node.http_url(), &sec_token, "hlpf-rt", "en").await;
    for (format, body) in &exports {
        if format == "json" {
            assert!(
                body.contains("\"constituency\":\"women\""),
                "{format}: {body}"
            );
        } else {
            assert!(
                body.contains("Joint statement of the Women caucus"),
                "{format}: {body}"
            );
        }
        assert!(body.contains("Asia Women Link"), "{format}");
        assert!(body.contains("women-caucus"), "{format}");
    }
    export::assert_valid_akn(&exports["akn"]);

    // Killed and restarted: the caucus loads again and nothing is posted twice.
    drop((sec, chair, reps, outsider));
    let node = {
        let data = node.data().clone();
        node.kill().await;
        NodeProcess::start_with(data, &[]).await
    };
    let url = node.ws_url();
    let sec_api = Api::new(node.http_url(), sec_token.clone());
    let (mut sec, _) = Client::signed_in(&url, &sec_token).await;
    sec.join("women-caucus", None).await;
    sec.join("hlpf-rt", None).await;

    // A consultation parent: refused while in draft, held by pre-moderation once open.
    sec_api
        .create_room(
            "hlpf-consult",
            &settings(RoomKind::Consultation, "HLPF e-consultation", None),
        )
        .await;
    sec.join("hlpf-consult", None).await;
    let question = ok(
        &mut sec,
        "hlpf-consult",
        Some("q-1"),
        RoomCommand::AddQuestion {
            text: "What must the review change?".into(),
        },
    )
    .await;
    ok(
        &mut sec,
        "hlpf-consult",
        None,
        RoomCommand::SetModeration {
            mode: ModerationMode::Pre,
        },
    )
    .await;
    ok(
        &mut sec,
        "women-caucus",
        None,
        RoomCommand::SetParent {
            parent: "hlpf-consult".parse().unwrap(),
        },
    )
    .await;
    let (mut amina, _) = Client::signed_in(&url, &woman("amina", "Femmes Africa")).await;
    amina.join("women-caucus", None).await;
    let second = ok(
        &mut amina,
        "women-caucus",
        Some("d-2"),
        RoomCommand::DraftJointStatement(DraftJointStatement {
            text: "The review must hear the women's major group.".into(),
            lang: LanguageTag::new("en").unwrap(),
            question: Some(question),
        }),
    )
    .await;
    ok(
        &mut amina,
        "women-caucus",
        None,
        RoomCommand::AdoptJointStatement(JointStatementRef { statement: second }),
    )
    .await;
    match answered(&mut sec, &sec_api, second).await {
        Delivery::Refused { code, reason } => {
            assert_eq!(code, "invalid_command");
            assert!(reason.contains("it is draft"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    ok(
        &mut sec,
        "hlpf-consult",
        None,
        RoomCommand::SetPhase { phase: Phase::Open },
    )
    .await;
    ok(
        &mut amina,
        "women-caucus",
        None,
        RoomCommand::ResendJointStatement(JointStatementRef { statement: second }),
    )
    .await;
    // Wait for the second answer (the first was the refusal).
    let held = loop {
        let answers = delivery_of(&record(&sec_api, "women-caucus").await, second);
        if answers.len() == 2 {
            break answers[1].clone();
        }
        sec.next_event().await;
    };
    assert!(
        matches!(held, Delivery::Posted { held: true, .. }),
        "{held:?}"
    );

    // Exactly one joint statement per caucus statement in each parent, restart or not.
    let rt = record(&sec_api, "hlpf-rt").await;
    let joint_in_rt = rt
        .iter()
        .filter(|e| matches!(&e.body, EventBody::StatementPosted { joint: Some(_), .. }))
        .count();
    assert_eq!(joint_in_rt, 1);
    let consult = record(&sec_api, "hlpf-consult").await;
    let joint_in_consult: Vec<bool> = consult
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::StatementPosted {
                joint: Some(_),
                held,
                ..
            } => Some(*held),
            _ => None,
        })
        .collect();
    assert_eq!(joint_in_consult, vec![true]);
    let caucus = record(&sec_api, "women-caucus").await;
    assert_eq!(
        delivery_of(&caucus, statement).len(),
        1,
        "one answer recorded"
    );
}
