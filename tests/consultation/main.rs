//! End-to-end test of consultations over real sockets against the real `baraza` binary: two
//! national consultations in different UN regional groups roll up into one regional
//! consultation, and a cited point is traced back to the national submission it came from.

use baraza_e2e::{Api, Client, NodeProcess, TokenSpec, export};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::{Alignment, Citation, ModerationMode, Phase, ThreadsPage};
use baraza_proto::event::EventBody;
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::{CountryCode, LanguageTag, Seq};
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use std::time::Duration;

mod archive;
mod caucus;
mod deadline;
mod mail;
mod minutes;
mod redaction;
mod rejected_export;
mod views;
mod visibility;

fn consultation(title: &str, scope: Scope) -> RoomSettings {
    RoomSettings {
        kind: RoomKind::Consultation,
        title: title.into(),
        description: "Food systems transformation: national and regional voices.".into(),
        languages: vec![
            LanguageTag::new("en").unwrap(),
            LanguageTag::new("pt").unwrap(),
            LanguageTag::new("fr").unwrap(),
        ],
        scope,
        constituency: None,
        audience_above: None,
    }
}

fn country(code: &str) -> Scope {
    Scope::Country {
        country: CountryCode::new(code).unwrap(),
    }
}

fn participant(sub: &str, org: &str, constituency: Constituency, country: &str) -> String {
    TokenSpec::new(sub, Role::Participant)
        .from_org(org, constituency, country)
        .sign()
}

async fn ok(client: &mut Client, room: &str, key: Option<&str>, command: RoomCommand) -> Seq {
    let name = command.name();
    client
        .command(room, key, command)
        .await
        .unwrap_or_else(|refusal| panic!("{name} in {room} refused: {refusal:?}"))
        .0
}

fn submit(text: &str, lang: &str, question: Seq) -> RoomCommand {
    RoomCommand::PostStatement {
        text: text.into(),
        lang: LanguageTag::new(lang).unwrap(),
        parent: None,
        agenda_item: None,
        question: Some(question),
        alignment: None,
    }
}

fn phase(phase: Phase) -> RoomCommand {
    RoomCommand::SetPhase { phase }
}

async fn threads(api: &Api, room: &str) -> ThreadsPage {
    let (status, body) = api.get(&format!("/api/rooms/{room}/threads")).await;
    assert_eq!(status.as_u16(), 200, "threads of {room}: {body}");
    serde_json::from_value(body).expect("a threads page")
}

#[tokio::test]
async fn national_consultations_roll_up_into_a_regional_one() {
    let node = NodeProcess::start().await;
    let url = node.ws_url();
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let api = Api::new(node.http_url(), sec_token.clone());
    // Brazil (GRULAC) and Canada (WEOG) both lie in the Americas (M49 019).
    api.create_room(
        "americas-food",
        &consultation(
            "Americas food systems",
            Scope::Region {
                region: "019".into(),
            },
        ),
    )
    .await;
    api.create_room(
        "br-food",
        &consultation("Brasil: sistemas alimentares", country("BR")),
    )
    .await;
    api.create_room(
        "ca-food",
        &consultation("Canada: food systems", country("CA")),
    )
    .await;

    // The secretariat prepares the three drafts.
    let (mut sec, _) = Client::signed_in(&url, &sec_token).await;
    let mut questions = Vec::new();
    for room in ["americas-food", "br-food", "ca-food"] {
        sec.join(room, None).await;
        let q = ok(
            &mut sec,
            room,
            Some(&format!("{room}-q1")),
            RoomCommand::AddQuestion {
                text: "What must change first in how food is produced?".into(),
            },
        )
        .await;
        questions.push(q);
    }
    let (q_br, q_ca) = (questions[1], questions[2]);
    for child in ["br-food", "ca-food"] {
        ok(
            &mut sec,
            child,
            None,
            RoomCommand::SetParent {
                parent: "americas-food".parse().unwrap(),
            },
        )
        .await;
    }
    // A parent whose scope does not contain the child is refused.
    let refusal = sec
        .command(
            "americas-food",
            None,
            RoomCommand::SetParent {
                parent: "br-food".parse().unwrap(),
            },
        )
        .await
        .expect_err("a region cannot roll up into a country");
    assert_eq!(refusal.code.as_str(), "invalid_command");
    ok(
        &mut sec,
        "ca-food",
        None,
        RoomCommand::SetModeration {
            mode: ModerationMode::Pre,
        },
    )
    .await;
    ok(
        &mut sec,
        "br-food",
        None,
        RoomCommand::AppointRapporteur {
            user: "rap-1".parse().unwrap(),
        },
    )
    .await;

    // Participants cannot enter a draft.
    let ana_token = participant("ana", "Rede Cerrado", Constituency::Ngos, "BR");
    let (mut ana, _) = Client::signed_in(&url, &ana_token).await;
    assert_eq!(
        ana.try_join("br-food", None)
            .await
            .unwrap_err()
            .code
            .as_str(),
        "forbidden"
    );
    let (status, _) = Api::new(node.http_url(), ana_token.clone())
        .get("/api/rooms/br-food/threads")
        .await;
    assert_eq!(
        status.as_u16(),
        403,
        "a draft's threads are for the secretariat"
    );
    for room in ["americas-food", "br-food", "ca-food"] {
        ok(&mut sec, room, None, phase(Phase::Open)).await;
    }

    // A reader who joins now and then stays away for the whole consultation.
    let (mut away, _) = Client::signed_in(
        &url,
        &participant("kofi", "Vozes do Campo", Constituency::Farmers, "BR"),
    )
    .await;
    let away_since = away.join("br-food", None).await.seq;
    away.drop_connection();

    // Brazil: submissions, a reply with an alignment, an edit, a hidden advert, all live.
    ana.join("br-food", None).await;
    let (mut bia, _) = Client::signed_in(
        &url,
        &participant("bia", "Mulheres da Terra", Constituency::Women, "BR"),
    )
    .await;
    bia.join("br-food", None).await;
    let land = ok(
        &mut ana,
        "br-food",
        Some("ana-1"),
        submit(
            "Titulação das terras para quem produz alimentos.",
            "pt",
            q_br,
        ),
    )
    .await;
    let seen = bia.events_through("br-food", land).await;
    assert!(
        seen.iter().any(|e| e.seq == land
            && matches!(&e.body, EventBody::StatementPosted { text, .. } if text.starts_with("Titulação"))),
        "bia sees ana's submission live"
    );
    let support = ok(
        &mut bia,
        "br-food",
        Some("bia-1"),
        RoomCommand::PostStatement {
            text: "Women farmers need the titles in their own names.".into(),
            lang: LanguageTag::new("en").unwrap(),
            parent: Some(land),
            agenda_item: None,
            question: None,
            alignment: Some(Alignment::Supports),
        },
    )
    .await;
    ok(
        &mut ana,
        "br-food",
        None,
        RoomCommand::EditStatement {
            statement: land,
            text: "Titulação coletiva das terras para quem produz alimentos.".into(),
        },
    )
    .await;
    let advert = ok(
        &mut bia,
        "br-food",
        Some("bia-2"),
        submit("Compre sementes na nossa loja!", "pt", q_br),
    )
    .await;
    ok(
        &mut ana,
        "br-food",
        None,
        RoomCommand::ReportStatement {
            statement: advert,
            reason: "Advertising".into(),
        },
    )
    .await;
    let mod_token = TokenSpec::new("mod-1", Role::Moderator).sign();
    let (mut moderator, _) = Client::signed_in(&url, &mod_token).await;
    let joined = moderator.join("br-food", None).await;
    let (_, view) = joined.snapshot.expect("a snapshot");
    let queue = view
        .consultation
        .unwrap()
        .queue
        .expect("moderators see the queue");
    assert_eq!(queue.reported[0].statement, advert);
    ok(
        &mut moderator,
        "br-food",
        None,
        RoomCommand::HideStatement {
            statement: advert,
            reason: "Advertising is not allowed.".into(),
        },
    )
    .await;

    // Canada is pre-moderated: a submission waits for approval.
    let (mut cam, _) = Client::signed_in(
        &url,
        &participant("cam", "Prairie Growers", Constituency::Farmers, "CA"),
    )
    .await;
    cam.join("ca-food", None).await;
    let seed = ok(
        &mut cam,
        "ca-food",
        Some("cam-1"),
        submit(
            "Public seed banks for climate-resilient varieties.",
            "en",
            q_ca,
        ),
    )
    .await;
    let cam_api = Api::new(
        node.http_url(),
        participant("cam", "Prairie Growers", Constituency::Farmers, "CA"),
    );
    assert!(
        threads(&cam_api, "ca-food").await.questions[0]
            .threads
            .is_empty()
    );
    moderator.join("ca-food", None).await;
    ok(
        &mut moderator,
        "ca-food",
        None,
        RoomCommand::ApproveStatement { statement: seed },
    )
    .await;
    assert_eq!(
        threads(&cam_api, "ca-food").await.questions[0]
            .threads
            .len(),
        1
    );

    // Close, synthesise (a rapporteur writes Brazil's), publish.
    for room in ["br-food", "ca-food"] {
        ok(&mut sec, room, None, phase(Phase::Closed)).await;
        ok(&mut sec, room, None, phase(Phase::Synthesis)).await;
    }
    let (mut rapporteur, _) =
        Client::signed_in(&url, &TokenSpec::new("rap-1", Role::Participant).sign()).await;
    rapporteur.join("br-food", None).await;
    ok(
        &mut rapporteur,
        "br-food",
        None,
        RoomCommand::DraftSynthesis {
            text: "Brazilian organisations put collective land titles first.".into(),
            citations: vec![
                Citation {
                    statement: Some(land),
                    input: None,
                    point: None,
                    excerpt: Some("Titulação coletiva".into()),
                },
                Citation {
                    statement: Some(support),
                    input: None,
                    point: None,
                    excerpt: None,
                },
            ],
        },
    )
    .await;
    ok(
        &mut sec,
        "ca-food",
        None,
        RoomCommand::DraftSynthesis {
            text: "Canadian farmers ask for public seed banks.".into(),
            citations: vec![Citation {
                statement: Some(seed),
                input: None,
                point: None,
                excerpt: Some("seed banks".into()),
            }],
        },
    )
    .await;
    let published_br = ok(&mut sec, "br-food", None, phase(Phase::Published)).await;
    ok(&mut sec, "ca-food", None, phase(Phase::Published)).await;

    // The parent receives both syntheses as inputs, live.
    let mut inputs = Vec::new();
    while inputs.len() < 2 {
        let event = sec.next_event().await;
        if let (true, EventBody::InputReceived { input }) =
            (event.room.as_str() == "americas-food", &event.body)
        {
            inputs.push((event.seq, input.clone()));
        }
    }
    let (br_input, br) = inputs
        .iter()
        .find(|(_, i)| i.from.as_str() == "br-food")
        .cloned()
        .expect("Brazil's input");
    assert_eq!(br.points.len(), 2);
    assert!(inputs.iter().any(|(_, i)| i.from.as_str() == "ca-food"));

    // The regional synthesis cites Brazil's first point and is published.
    ok(&mut sec, "americas-food", None, phase(Phase::Closed)).await;
    ok(&mut sec, "americas-food", None, phase(Phase::Synthesis)).await;
    ok(
        &mut sec,
        "americas-food",
        None,
        RoomCommand::DraftSynthesis {
            text: "Across the Americas, land and seeds come first.".into(),
            citations: vec![Citation {
                statement: None,
                input: Some(br_input),
                point: Some(0),
                excerpt: Some("coletiva".into()),
            }],
        },
    )
    .await;
    ok(&mut sec, "americas-food", None, phase(Phase::Published)).await;

    // Trace the regional synthesis's citation back to the national submission.
    let reader = Api::new(node.http_url(), ana_token.clone());
    let region = threads(&reader, "americas-food").await;
    assert_eq!(region.phase, Phase::Published);
    let synthesis = region.synthesis.expect("published synthesis");
    let citation = &synthesis.citations[0];
    let input = region
        .inputs
        .iter()
        .find(|i| Some(i.id) == citation.input)
        .expect("the cited input");
    let point = &input.input.points[citation.point.unwrap() as usize];
    assert_eq!(point.room.as_str(), "br-food");
    assert_eq!(point.statement, land);
    assert_eq!(point.org.as_deref(), Some("Rede Cerrado"));
    let national = threads(&reader, point.room.as_str()).await;
    let original = national.questions[0]
        .threads
        .iter()
        .find(|t| t.statement.id == point.statement)
        .expect("the original submission");
    assert_eq!(original.statement.text, point.text);
    assert_eq!(
        original.statement.versions[0].text,
        "Titulação das terras para quem produz alimentos."
    );
    assert_eq!(
        original.replies[0].statement.alignment,
        Some(Alignment::Supports)
    );
    // The hidden advert is redacted for participants; the figures leave it out.
    let hidden = national.questions[0]
        .threads
        .iter()
        .find(|t| t.statement.id == advert)
        .expect("hidden statements keep their place");
    assert!(hidden.statement.redacted && hidden.statement.text.is_empty());
    assert_eq!(national.figures.total.submissions, 2);
    assert_eq!(national.figures.total.organisations, 2);
    assert_eq!(national.figures.by_language["pt"].submissions, 1);
    assert_eq!(national.figures.by_constituency["women"].submissions, 1);

    // The reader who stayed away resumes from their last seq and gets everything.
    let (mut back, _) = Client::signed_in(
        &url,
        &participant("kofi", "Vozes do Campo", Constituency::Farmers, "BR"),
    )
    .await;
    let resumed = back.join("br-food", Some(away_since)).await;
    let seqs: Vec<Seq> = resumed.replayed.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, ((away_since + 1)..=resumed.seq).collect::<Vec<_>>());
    assert!(resumed.seq >= published_br);
    let names: Vec<&str> = resumed.replayed.iter().map(|e| e.body.name()).collect();
    for name in [
        "statement_posted",
        "statement_edited",
        "statement_reported",
        "statement_hidden",
        "synthesis_drafted",
        "phase_changed",
    ] {
        assert!(names.contains(&name), "the resumed reader got no {name}");
    }
    assert!(resumed.replayed.iter().any(|e| matches!(
        e.body,
        EventBody::PhaseChanged {
            phase: Phase::Published,
            ..
        }
    )));

    // The roll-up survives a restart: the parent ignores the input sent again on load.
    let node = node.restart().await;
    let api = Api::new(node.http_url(), sec_token.clone());
    let _ = threads(&api, "br-food").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let region = threads(&api, "americas-food").await;
    assert_eq!(region.inputs.len(), 2);

    // Exports: the regional consultation with its roll-up inputs in every format, Akoma Ntoso
    // valid; a participant's export of Brazil's never holds the hidden advert, the
    // secretariat's marks it.
    let reader = participant("kofi", "Vozes do Campo", Constituency::Farmers, "BR");
    let docs = export::every_format(&node.http_url(), &reader, "americas-food", "en").await;
    export::assert_valid_akn(&docs["akn"]);
    assert!(docs["html"].contains("Inputs from national and regional consultations"));
    let docs = export::every_format(&node.http_url(), &reader, "br-food", "es").await;
    export::assert_valid_akn(&docs["akn"]);
    for (format, body) in &docs {
        assert!(
            !body.contains("Compre sementes"),
            "{format}: the hidden advert"
        );
    }
    let full = export::every_format(&node.http_url(), &sec_token, "br-food", "es").await;
    export::assert_valid_akn(&full["akn"]);
    assert!(full["html"].contains("Compre sementes"));
}

#[tokio::test]
async fn a_held_submission_reaches_only_moderators_until_it_is_approved() {
    let node = NodeProcess::start().await;
    let url = node.ws_url();
    let api = Api::new(
        node.http_url(),
        TokenSpec::new("sec-1", Role::Secretariat).sign(),
    );
    api.create_room("ke-water", &consultation("Kenya: water", country("KE")))
        .await;
    let (mut sec, _) =
        Client::signed_in(&url, &TokenSpec::new("sec-1", Role::Secretariat).sign()).await;
    sec.join("ke-water", None).await;
    let question = ok(
        &mut sec,
        "ke-water",
        Some("q1"),
        RoomCommand::AddQuestion {
            text: "Who lacks safe water?".into(),
        },
    )
    .await;
    ok(
        &mut sec,
        "ke-water",
        None,
        RoomCommand::SetModeration {
            mode: ModerationMode::Pre,
        },
    )
    .await;
    ok(&mut sec, "ke-water", None, phase(Phase::Open)).await;
    let (mut moderator, _) =
        Client::signed_in(&url, &TokenSpec::new("mod-1", Role::Moderator).sign()).await;
    moderator.join("ke-water", None).await;
    let reader_token = participant("wanjiku", "Kibera Water Users", Constituency::Women, "KE");
    let (mut reader, _) = Client::signed_in(&url, &reader_token).await;
    let joined = reader.join("ke-water", None).await;
    let (mut author, _) = Client::signed_in(
        &url,
        &participant("otieno", "Lake Basin Farmers", Constituency::Farmers, "KE"),
    )
    .await;
    author.join("ke-water", None).await;

    let text = "Informal settlements pay ten times the utility price.";
    let held = ok(
        &mut author,
        "ke-water",
        Some("s1"),
        submit(text, "en", question),
    )
    .await;
    let text_of = |events: &[baraza_proto::event::EventEnvelope]| {
        events
            .iter()
            .find(|e| e.seq == held)
            .map(|e| match &e.body {
                EventBody::StatementPosted { text, held, .. } => (text.clone(), *held),
                other => panic!("unexpected {other:?}"),
            })
    };
    assert_eq!(
        text_of(&moderator.events_through("ke-water", held).await),
        Some((text.to_owned(), true))
    );
    assert_eq!(
        text_of(&reader.events_through("ke-water", held).await),
        Some((String::new(), true)),
        "live: withheld"
    );
    // A resume from before the submission withholds it too.
    let (mut resumed, _) = Client::signed_in(&url, &reader_token).await;
    let replay = resumed.join("ke-water", Some(joined.seq)).await;
    assert_eq!(
        text_of(&replay.replayed),
        Some((String::new(), true)),
        "resume: withheld"
    );

    // An edit of the held statement is withheld as its posting was (issue 11).
    let edited_text = "Informal settlements pay ten times the utility price, or more.";
    let edited = ok(
        &mut author,
        "ke-water",
        None,
        RoomCommand::EditStatement {
            statement: held,
            text: edited_text.into(),
        },
    )
    .await;
    let edit_of = |events: &[baraza_proto::event::EventEnvelope]| {
        events
            .iter()
            .find(|e| e.seq == edited)
            .map(|e| match &e.body {
                EventBody::StatementEdited { text, .. } => text.clone(),
                other => panic!("unexpected {other:?}"),
            })
    };
    assert_eq!(
        edit_of(&moderator.events_through("ke-water", edited).await),
        Some(edited_text.to_owned())
    );
    assert_eq!(
        edit_of(&reader.events_through("ke-water", edited).await),
        Some(String::new()),
        "live: the edit of a held statement is withheld"
    );

    let approved = ok(
        &mut moderator,
        "ke-water",
        None,
        RoomCommand::ApproveStatement { statement: held },
    )
    .await;
    reader.events_through("ke-water", approved).await;
    let (status, body) = Api::new(node.http_url(), reader_token)
        .get("/api/rooms/ke-water")
        .await;
    assert!(status.is_success());
    let statement = body["state"]["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == held)
        .cloned()
        .unwrap();
    assert_eq!(
        statement["text"], edited_text,
        "once approved, everyone reads it"
    );
}
