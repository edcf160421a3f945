//! Minutes of a consultation over the real binary: the rapporteur the secretariat named drafts
//! them from the skeleton and circulates them; a participant may not write them; the
//! rapporteur may neither decide a correction nor approve; the participant corrects the report
//! of their own submission; the secretariat accepts it and approves; the Word export holds the
//! corrected text.

use super::{consultation, country, ok, participant, phase, submit};
use baraza_e2e::{Api, Client, NodeProcess, TokenSpec, export};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::Phase;
use baraza_proto::error::ErrorCode;
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::LanguageTag;

const ROOM: &str = "gh-minutes";

#[tokio::test]
async fn a_named_rapporteur_writes_the_minutes_and_only_the_secretariat_approves() {
    let node = NodeProcess::start().await;
    let url = node.ws_url();
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let rap_token = participant("rap-gh", "ISSER Ghana", Constituency::Other, "GH");
    let kofi_token = participant("kofi", "Ghana Farmers", Constituency::Farmers, "GH");
    let api = Api::new(node.http_url(), sec_token.clone());
    api.create_room(ROOM, &consultation("Ghana: land tenure", country("GH")))
        .await;
    let (mut sec, _) = Client::signed_in(&url, &sec_token).await;
    sec.join(ROOM, None).await;
    let question = ok(
        &mut sec,
        ROOM,
        Some("q1"),
        RoomCommand::AddQuestion {
            text: "What secures land for smallholders?".into(),
        },
    )
    .await;
    let appoint = RoomCommand::AppointRapporteur {
        user: "rap-gh".parse().unwrap(),
    };
    ok(&mut sec, ROOM, None, appoint).await;
    ok(&mut sec, ROOM, None, phase(Phase::Open)).await;
    let (mut kofi, _) = Client::signed_in(&url, &kofi_token).await;
    kofi.join(ROOM, None).await;
    let said = "Customary titles must be registered for free.";
    let submission = ok(&mut kofi, ROOM, Some("s1"), submit(said, "en", question)).await;

    // The rapporteur starts from the skeleton: the submission's line carries its marker.
    let (mut rap, _) = Client::signed_in(&url, &rap_token).await;
    rap.join(ROOM, None).await;
    let (status, body) = Api::new(node.http_url(), rap_token.clone())
        .get(&format!("/api/rooms/{ROOM}/minutes/skeleton?lang=en"))
        .await;
    assert_eq!(status, 200, "{body}");
    let skeleton = body["text"].as_str().expect("text").to_owned();
    let tag = format!("[#{submission}]");
    assert!(
        skeleton
            .lines()
            .any(|l| l.contains(&tag) && l.contains(said)),
        "{skeleton}"
    );
    let en = LanguageTag::new("en").unwrap();
    let draft = |text: &str| RoomCommand::DraftMinutes {
        text: text.into(),
        lang: en.clone(),
    };
    let refused = kofi
        .command(ROOM, None, draft("my own minutes"))
        .await
        .expect_err("a participant may not write the minutes");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    ok(&mut rap, ROOM, None, draft(&skeleton)).await;
    let deadline = now_ms() + 3_600_000;
    ok(
        &mut rap,
        ROOM,
        None,
        RoomCommand::CirculateMinutes { deadline },
    )
    .await;

    let correction = ok(
        &mut kofi,
        ROOM,
        Some("c1"),
        RoomCommand::ProposeMinutesCorrection {
            statement: submission,
            passage: "registered for free".into(),
            replacement: "registered at no cost to the holder".into(),
        },
    )
    .await;
    let decide = RoomCommand::DecideMinutesCorrection {
        correction,
        accept: true,
        reason: "Clearer.".into(),
    };
    for command in [decide.clone(), RoomCommand::ApproveMinutes] {
        let refused = rap
            .command(ROOM, None, command)
            .await
            .expect_err("the rapporteur neither decides nor approves");
        assert_eq!(refused.code, ErrorCode::Forbidden, "{}", refused.message);
    }
    ok(&mut sec, ROOM, None, decide).await;
    ok(&mut sec, ROOM, None, RoomCommand::ApproveMinutes).await;

    let docx = export::docx(&node.http_url(), &sec_token, ROOM, "en").await;
    let xml = export::docx_document_xml(&docx);
    assert!(
        xml.contains("Customary titles must be registered at no cost to the holder."),
        "the corrected minutes are in the Word document"
    );
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64
}
