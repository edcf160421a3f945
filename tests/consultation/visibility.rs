//! Issue 11, defect 2: every read path obeys the room's rules. REST reads (view, threads,
//! record) refuse what a WebSocket join refuses, and a named rapporteur reads the draft's
//! threads and the synthesis they write, over the real binary and real sockets.

use super::{consultation, country, ok, participant, phase, submit};
use baraza_e2e::{Api, Client, NodeProcess, TokenSpec};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::{Citation, Phase, ThreadsPage};
use baraza_proto::event::EventBody;
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::LanguageTag;
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use serde_json::Value;

/// Asserts `GET path` by `api` is `403 forbidden` and leaks nothing of the room.
async fn refused(api: &Api, path: &str, secret: &str) {
    let (status, body) = api.get(path).await;
    assert_eq!(status.as_u16(), 403, "{path}: {body}");
    assert_eq!(body["error"]["code"], "forbidden", "{path}: {body}");
    assert!(!body.to_string().contains(secret), "{path} leaks: {body}");
}

async fn view(api: &Api, room: &str) -> Value {
    let (status, body) = api.get(&format!("/api/rooms/{room}")).await;
    assert_eq!(status.as_u16(), 200, "view of {room}: {body}");
    body
}

#[tokio::test]
async fn rest_reads_refuse_what_a_join_refuses_and_rapporteurs_read_what_they_write() {
    let node = NodeProcess::start().await;
    let url = node.ws_url();
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let sec_api = Api::new(node.http_url(), sec_token.clone());
    let participant_token = participant("amina", "Kenya Land Alliance", Constituency::Women, "KE");
    let observer_token = TokenSpec::new("press", Role::Observer).sign();
    let rapporteur_token = participant("rap-ke", "Tegemeo Institute", Constituency::Other, "KE");
    let outsider_token = participant("bruno", "Rede Cerrado", Constituency::Ngos, "BR");
    let as_participant = Api::new(node.http_url(), participant_token.clone());
    let as_observer = Api::new(node.http_url(), observer_token.clone());
    let as_rapporteur = Api::new(node.http_url(), rapporteur_token.clone());
    let as_outsider = Api::new(node.http_url(), outsider_token.clone());

    // A draft consultation with a question and a rapporteur.
    sec_api
        .create_room("ke-food", &consultation("Kenya: food", country("KE")))
        .await;
    let (mut sec, _) = Client::signed_in(&url, &sec_token).await;
    sec.join("ke-food", None).await;
    let question_text = "What must change first in how food is produced?";
    let question = ok(
        &mut sec,
        "ke-food",
        Some("q1"),
        RoomCommand::AddQuestion {
            text: question_text.into(),
        },
    )
    .await;
    ok(
        &mut sec,
        "ke-food",
        None,
        RoomCommand::AppointRapporteur {
            user: "rap-ke".parse().unwrap(),
        },
    )
    .await;

    // Participants and observers: the draft's questions on no path.
    for (api, token) in [
        (&as_participant, &participant_token),
        (&as_observer, &observer_token),
    ] {
        refused(api, "/api/rooms/ke-food", question_text).await;
        refused(api, "/api/rooms/ke-food/threads", question_text).await;
        refused(api, "/api/rooms/ke-food/events", question_text).await;
        let (mut client, _) = Client::signed_in(&url, token).await;
        let refusal = client.try_join("ke-food", None).await.unwrap_err();
        assert_eq!(refusal.code.as_str(), "forbidden");
    }
    // The rapporteur reads the draft: over the socket, the view and the threads.
    let (mut rapporteur, _) = Client::signed_in(&url, &rapporteur_token).await;
    let joined = rapporteur.join("ke-food", None).await;
    let (_, snapshot) = joined.snapshot.expect("a snapshot");
    assert_eq!(
        snapshot.consultation.unwrap().questions[0].text,
        question_text
    );
    let (status, body) = as_rapporteur.get("/api/rooms/ke-food/threads").await;
    assert_eq!(
        status.as_u16(),
        200,
        "a rapporteur reads the draft's threads: {body}"
    );
    let page: ThreadsPage = serde_json::from_value(body).unwrap();
    assert_eq!(page.phase, Phase::Draft);
    assert_eq!(page.questions[0].question.text, question_text);
    assert_eq!(
        view(&as_rapporteur, "ke-food").await["state"]["consultation"]["questions"][0]["text"],
        question_text
    );
    refused(&as_rapporteur, "/api/rooms/ke-food/events", question_text).await;

    // Open: a submission; then the synthesis the rapporteur writes.
    ok(&mut sec, "ke-food", None, phase(Phase::Open)).await;
    let (mut amina, _) = Client::signed_in(&url, &participant_token).await;
    amina.join("ke-food", None).await;
    let submission = ok(
        &mut amina,
        "ke-food",
        Some("s1"),
        submit("Secure land tenure must come first.", "en", question),
    )
    .await;
    ok(&mut sec, "ke-food", None, phase(Phase::Closed)).await;
    ok(&mut sec, "ke-food", None, phase(Phase::Synthesis)).await;
    let draft = "Kenyan organisations put secure land tenure first.";
    let drafted = ok(
        &mut rapporteur,
        "ke-food",
        None,
        RoomCommand::DraftSynthesis {
            text: draft.into(),
            citations: vec![Citation {
                statement: Some(submission),
                input: None,
                point: None,
                excerpt: Some("land tenure".into()),
            }],
        },
    )
    .await;
    let synthesis = |body: &Value| body["state"]["consultation"]["synthesis"]["text"].clone();
    assert_eq!(
        synthesis(&view(&as_rapporteur, "ke-food").await),
        draft,
        "the rapporteur sees the synthesis they write"
    );
    let (_, body) = as_rapporteur.get("/api/rooms/ke-food/threads").await;
    assert_eq!(body["synthesis"]["text"], draft);
    assert_eq!(
        synthesis(&view(&as_participant, "ke-food").await),
        Value::Null
    );
    let (_, body) = as_participant.get("/api/rooms/ke-food/threads").await;
    assert_eq!(body["synthesis"], Value::Null);
    // Live, the participant gets the event without the draft's text.
    let events = amina.events_through("ke-food", drafted).await;
    let event = events.iter().find(|e| e.seq == drafted).unwrap();
    assert_eq!(
        event.body,
        EventBody::SynthesisDrafted {
            text: String::new(),
            citations: vec![]
        },
        "a participant's live frame withholds the draft"
    );
    // Once published, everyone reads it.
    ok(&mut sec, "ke-food", None, phase(Phase::Published)).await;
    assert_eq!(synthesis(&view(&as_participant, "ke-food").await), draft);

    // A caucus: its statements only to its constituency (and the secretariat).
    let caucus = RoomSettings {
        kind: RoomKind::Caucus,
        title: "Women's major group".into(),
        description: String::new(),
        languages: vec![LanguageTag::new("en").unwrap()],
        scope: Scope::Global,
        constituency: Some(Constituency::Women),
    };
    sec_api.create_room("women", &caucus).await;
    amina.join("women", None).await;
    let statement = "Our position on land rights, before the plenary.";
    amina.post("women", "w1", statement, None).await;
    for api in [&as_outsider, &as_observer, &as_rapporteur] {
        refused(api, "/api/rooms/women", statement).await;
        refused(api, "/api/rooms/women/events", statement).await;
    }
    let (mut outsider, _) = Client::signed_in(&url, &outsider_token).await;
    let refusal = outsider.try_join("women", None).await.unwrap_err();
    assert_eq!(refusal.code.as_str(), "forbidden");
    let member_view = view(&as_participant, "women").await;
    assert_eq!(member_view["state"]["statements"][0]["text"], statement);
    assert_eq!(
        view(&sec_api, "women").await["state"]["statements"][0]["text"],
        statement
    );
}
