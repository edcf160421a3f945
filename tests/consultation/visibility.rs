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

/// The people of these tests and their tokens.
struct People {
    node: NodeProcess,
    url: String,
    sec_token: String,
    sec_api: Api,
    participant_token: String,
    observer_token: String,
    rapporteur_token: String,
    outsider_token: String,
}

impl People {
    async fn start() -> People {
        let node = NodeProcess::start().await;
        let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
        People {
            url: node.ws_url(),
            sec_api: Api::new(node.http_url(), sec_token.clone()),
            sec_token,
            participant_token: participant(
                "amina",
                "Kenya Land Alliance",
                Constituency::Women,
                "KE",
            ),
            observer_token: TokenSpec::new("press", Role::Observer).sign(),
            rapporteur_token: participant("rap-ke", "Tegemeo Institute", Constituency::Other, "KE"),
            outsider_token: participant("bruno", "Rede Cerrado", Constituency::Ngos, "BR"),
            node,
        }
    }

    fn api(&self, token: &str) -> Api {
        Api::new(self.node.http_url(), token.to_owned())
    }

    /// Creates the draft consultation `ke-food` with one question and the rapporteur `rap-ke`;
    /// returns the secretariat's connection (joined) and the question's id.
    async fn draft(&self) -> (Client, u64) {
        self.sec_api
            .create_room("ke-food", &consultation("Kenya: food", country("KE")))
            .await;
        let (mut sec, _) = Client::signed_in(&self.url, &self.sec_token).await;
        sec.join("ke-food", None).await;
        let question = ok(
            &mut sec,
            "ke-food",
            Some("q1"),
            RoomCommand::AddQuestion {
                text: QUESTION.into(),
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
        (sec, question)
    }
}

const QUESTION: &str = "What must change first in how food is produced?";

#[tokio::test]
async fn a_drafts_questions_reach_no_participant_or_observer_on_any_path() {
    let people = People::start().await;
    people.draft().await;
    for token in [&people.participant_token, &people.observer_token] {
        let api = people.api(token);
        refused(&api, "/api/rooms/ke-food", QUESTION).await;
        refused(&api, "/api/rooms/ke-food/threads", QUESTION).await;
        refused(&api, "/api/rooms/ke-food/events", QUESTION).await;
        let (mut client, _) = Client::signed_in(&people.url, token).await;
        let refusal = client.try_join("ke-food", None).await.unwrap_err();
        assert_eq!(refusal.code.as_str(), "forbidden");
    }
}

#[tokio::test]
async fn a_rapporteur_reads_the_drafts_threads_and_the_synthesis_they_write() {
    let people = People::start().await;
    let (mut sec, question) = people.draft().await;
    let as_rapporteur = people.api(&people.rapporteur_token);
    let as_participant = people.api(&people.participant_token);
    // The rapporteur reads the draft: over the socket, the view and the threads.
    let (mut rapporteur, _) = Client::signed_in(&people.url, &people.rapporteur_token).await;
    let joined = rapporteur.join("ke-food", None).await;
    let (_, snapshot) = joined.snapshot.expect("a snapshot");
    assert_eq!(snapshot.consultation.unwrap().questions[0].text, QUESTION);
    let (status, body) = as_rapporteur.get("/api/rooms/ke-food/threads").await;
    assert_eq!(
        status.as_u16(),
        200,
        "a rapporteur reads the draft's threads: {body}"
    );
    let page: ThreadsPage = serde_json::from_value(body).unwrap();
    assert_eq!(page.phase, Phase::Draft);
    assert_eq!(page.questions[0].question.text, QUESTION);
    assert_eq!(
        view(&as_rapporteur, "ke-food").await["state"]["consultation"]["questions"][0]["text"],
        QUESTION
    );
    refused(&as_rapporteur, "/api/rooms/ke-food/events", QUESTION).await;

    // Open: a submission; then the synthesis the rapporteur writes.
    ok(&mut sec, "ke-food", None, phase(Phase::Open)).await;
    let (mut amina, _) = Client::signed_in(&people.url, &people.participant_token).await;
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
}

#[tokio::test]
async fn a_caucus_shows_nothing_to_non_members_on_any_path() {
    let people = People::start().await;
    let caucus = RoomSettings {
        kind: RoomKind::Caucus,
        title: "Women's major group".into(),
        description: String::new(),
        languages: vec![LanguageTag::new("en").unwrap()],
        scope: Scope::Global,
        constituency: Some(Constituency::Women),
        audience_above: None,
    };
    people.sec_api.create_room("women", &caucus).await;
    let (mut amina, _) = Client::signed_in(&people.url, &people.participant_token).await;
    amina.join("women", None).await;
    let statement = "Our position on land rights, before the plenary.";
    amina.post("women", "w1", statement, None).await;
    for token in [
        &people.outsider_token,
        &people.observer_token,
        &people.rapporteur_token,
    ] {
        let api = people.api(token);
        refused(&api, "/api/rooms/women", statement).await;
        refused(&api, "/api/rooms/women/events", statement).await;
        let (mut client, _) = Client::signed_in(&people.url, token).await;
        let refusal = client.try_join("women", None).await.unwrap_err();
        assert_eq!(refusal.code.as_str(), "forbidden");
    }
    // The room list shows the caucus to everyone, but who is in it only to its members.
    let line = |body: Value| {
        body.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "women")
            .cloned()
            .unwrap()
    };
    let (_, rooms) = people.api(&people.outsider_token).get("/api/rooms").await;
    let outsiders_line = line(rooms);
    assert_eq!(outsiders_line["present"], 1);
    assert!(
        outsiders_line["present_names"]
            .as_array()
            .is_none_or(|names| names.is_empty()),
        "the list names a caucus's members to an outsider: {outsiders_line}"
    );
    let (_, rooms) = people
        .api(&people.participant_token)
        .get("/api/rooms")
        .await;
    assert_eq!(line(rooms)["present_names"][0], "AMINA");
    let member_view = view(&people.api(&people.participant_token), "women").await;
    assert_eq!(member_view["state"]["statements"][0]["text"], statement);
    assert_eq!(
        view(&people.sec_api, "women").await["state"]["statements"][0]["text"],
        statement
    );
}
