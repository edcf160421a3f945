//! Minutes with approval, end to end with the real binary: the secretariat drafts minutes from
//! the record's skeleton, circulates them with a deadline; the two speakers quoted each propose
//! a correction of their own line (and one tries another's, refused); one correction is
//! accepted and one declined, with reasons; approval seals the minutes (a later edit is
//! refused), and the approved text is in the html, md, akn (schema-valid), json and docx
//! exports.

use super::{ROOM, grant_next, member, ok, participant, setup};
use baraza_e2e::export;
use baraza_e2e::{Api, TokenSpec};
use baraza_proto::command::RoomCommand;
use baraza_proto::error::ErrorCode;
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::LanguageTag;
use baraza_proto::minutes::{CorrectionStatus, MinutesStatus, MinutesView};
use baraza_proto::roundtable::*;
use baraza_proto::view::RoomView;
use sha2::{Digest, Sha256};

async fn minutes(api: &Api) -> MinutesView {
    let (_, body) = api.get(&format!("/api/rooms/{ROOM}")).await;
    let view: RoomView = serde_json::from_value(body["state"].clone()).expect("a room view");
    view.minutes.expect("minutes in the view")
}

/// The line of `text` that carries marker `[#id]`.
fn line_of(text: &str, id: u64) -> String {
    let tag = format!("[#{id}]");
    text.lines()
        .find(|l| l.contains(&tag))
        .unwrap_or_else(|| panic!("no line with {tag} in:\n{text}"))
        .to_owned()
}

#[tokio::test]
async fn minutes_drafted_corrected_approved_sealed_and_exported() {
    let (node, api, mut moderator) = setup().await;
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let mut sec = member(&node, &sec_token).await;
    let mut amina = member(&node, &participant("amina", Constituency::Women, "KE")).await;
    let mut bruno = member(&node, &participant("bruno", Constituency::Ngos, "BR")).await;

    // A short session: one item, two turns, a statement in each.
    let item = ok(
        &mut moderator,
        Some("item-1"),
        RoomCommand::AddAgendaItem(AddAgendaItem {
            title: "Innovative levies".into(),
            speaking_time_ms: None,
        }),
    )
    .await;
    ok(
        &mut moderator,
        None,
        RoomCommand::OpenAgendaItem(ItemRef { item }),
    )
    .await;
    let mut statements = Vec::new();
    for (who, text) in [
        (&mut amina, "We support a levy on financial transactions."),
        (
            &mut bruno,
            "We oppose any new levy until debt relief is agreed.",
        ),
    ] {
        ok(
            who,
            Some("req"),
            RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak)),
        )
        .await;
        grant_next(&mut moderator).await;
        let id = who
            .post(ROOM, &format!("say-{}", statements.len()), text, None)
            .await;
        statements.push(id);
        ok(who, None, RoomCommand::YieldFloor).await;
    }
    let (s_amina, s_bruno) = (statements[0], statements[1]);

    // The skeleton: drawn from the record, a line per statement with speaker and org.
    let (status, body) = api
        .get(&format!("/api/rooms/{ROOM}/minutes/skeleton?lang=en"))
        .await;
    assert_eq!(status, 200, "{body}");
    let skeleton = body["text"].as_str().expect("text").to_owned();
    assert!(
        skeleton.starts_with("Minutes — Financing for development"),
        "{skeleton}"
    );
    assert!(skeleton.contains("Item 1. Innovative levies"), "{skeleton}");
    let amina_line = line_of(&skeleton, s_amina);
    assert!(amina_line.contains("amina network"), "{amina_line}");
    assert!(
        amina_line.contains("We support a levy on financial transactions."),
        "{amina_line}"
    );
    assert!(
        line_of(&skeleton, s_bruno).contains("debt relief"),
        "{skeleton}"
    );

    // The rapporteur (here the secretariat) edits the prose and circulates it.
    let draft = skeleton.replace(
        "We support a levy on financial transactions.",
        "Supported a levy on all financial transactions.",
    );
    let lang = LanguageTag::new("en").unwrap();
    ok(
        &mut sec,
        None,
        RoomCommand::DraftMinutes {
            text: skeleton.clone(),
            lang: lang.clone(),
        },
    )
    .await;
    ok(
        &mut sec,
        None,
        RoomCommand::DraftMinutes {
            text: draft.clone(),
            lang: lang.clone(),
        },
    )
    .await;
    // A participant may not write the minutes.
    let refused = amina
        .command(
            ROOM,
            None,
            RoomCommand::DraftMinutes {
                text: "mine".into(),
                lang: lang.clone(),
            },
        )
        .await
        .expect_err("a participant may not draft");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    let deadline = now_ms() + 3_600_000;
    ok(&mut sec, None, RoomCommand::CirculateMinutes { deadline }).await;
    let m = minutes(&api).await;
    assert_eq!(
        (m.status, m.deadline, m.versions.len()),
        (MinutesStatus::Circulated, Some(deadline), 2)
    );

    // Each quoted speaker corrects their own line; Bruno may not correct Amina's.
    let refused = bruno
        .command(
            ROOM,
            Some("c-x"),
            RoomCommand::ProposeMinutesCorrection {
                statement: s_amina,
                passage: "all financial transactions".into(),
                replacement: "nothing".into(),
            },
        )
        .await
        .expect_err("not his statement");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    let accepted = ok(
        &mut amina,
        Some("c-1"),
        RoomCommand::ProposeMinutesCorrection {
            statement: s_amina,
            passage: "a levy on all financial transactions".into(),
            replacement: "a levy on financial transactions".into(),
        },
    )
    .await;
    let declined = ok(
        &mut bruno,
        Some("c-2"),
        RoomCommand::ProposeMinutesCorrection {
            statement: s_bruno,
            passage: "until debt relief is agreed".into(),
            replacement: "in any form".into(),
        },
    )
    .await;
    // Approval waits for every correction to be decided.
    let refused = sec
        .command(ROOM, None, RoomCommand::ApproveMinutes)
        .await
        .expect_err("corrections pending");
    assert_eq!(refused.code, ErrorCode::InvalidCommand);
    assert!(
        refused.message.contains("await a decision"),
        "{}",
        refused.message
    );

    ok(
        &mut sec,
        None,
        RoomCommand::DecideMinutesCorrection {
            correction: accepted,
            accept: true,
            reason: "Matches the statement as delivered.".into(),
        },
    )
    .await;
    ok(
        &mut sec,
        None,
        RoomCommand::DecideMinutesCorrection {
            correction: declined,
            accept: false,
            reason: "The statement as delivered names debt relief.".into(),
        },
    )
    .await;
    let approved_seq = ok(&mut sec, None, RoomCommand::ApproveMinutes).await;
    let m = minutes(&api).await;
    assert_eq!(m.status, MinutesStatus::Approved);
    assert!(
        m.text
            .contains("Supported a levy on financial transactions."),
        "{}",
        m.text
    );
    assert!(m.text.contains("until debt relief is agreed"), "{}", m.text);
    let statuses: Vec<_> = m.corrections.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        [CorrectionStatus::Accepted, CorrectionStatus::Declined]
    );
    let seal = m.sealed.clone().expect("sealed");
    assert_eq!(seal.seq, approved_seq);
    assert_eq!(seal.sha256, hex::encode(Sha256::digest(m.text.as_bytes())));

    // Sealed: a later edit is refused, and nothing is recorded.
    let head = api.record(ROOM).await.events.len();
    let refused = sec
        .command(
            ROOM,
            None,
            RoomCommand::DraftMinutes {
                text: "rewritten".into(),
                lang,
            },
        )
        .await
        .expect_err("sealed");
    assert_eq!(refused.code, ErrorCode::InvalidCommand);
    assert!(refused.message.contains("sealed"), "{}", refused.message);
    assert_eq!(api.record(ROOM).await.events.len(), head);

    // Every export holds the approved text; the Akoma Ntoso one still validates.
    let base = node.http_url();
    let docs = export::every_format(&base, &sec_token, ROOM, "en").await;
    let approved_line = "Supported a levy on financial transactions.";
    for format in ["html", "md", "akn", "json"] {
        let doc = &docs[format];
        assert!(doc.contains(approved_line), "{format} lacks the minutes");
        assert!(
            doc.contains(&seal.sha256),
            "{format} lacks the minutes' hash"
        );
    }
    assert!(docs["html"].contains("<h2>Minutes</h2>"));
    assert!(docs["akn"].contains("name=\"minutes\""));
    export::assert_valid_akn(&docs["akn"]);
    let json: serde_json::Value = serde_json::from_str(&docs["json"]).expect("JSON");
    assert_eq!(json["summary"]["minutes"]["sha256"], seal.sha256.as_str());
    assert_eq!(
        json["summary"]["minutes"]["corrections"],
        serde_json::json!([1, 1])
    );

    let docx = export::docx(&base, &sec_token, ROOM, "en").await;
    let xml = export::docx_document_xml(&docx);
    for needle in [
        "Financing for development",
        "Innovative levies",
        "We support a levy on financial transactions.",
        "We oppose any new levy until debt relief is agreed.",
        approved_line,
        &seal.sha256,
    ] {
        assert!(xml.contains(needle), "document.xml lacks {needle:?}");
    }
    // In Arabic the paragraphs run right to left.
    let arabic = export::docx_document_xml(&export::docx(&base, &sec_token, ROOM, "ar").await);
    assert!(
        arabic.contains("<w:bidi"),
        "no right-to-left paragraphs in the Arabic docx"
    );
    assert!(
        arabic.contains("المحضر"),
        "the Arabic docx lacks its minutes heading"
    );
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64
}
