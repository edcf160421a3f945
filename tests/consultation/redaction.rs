//! Redaction without breaking the chain: the secretariat redacts a submission on a lawful
//! request; its texts (as posted and edited) are gone from every read path — snapshot, resumed
//! events, REST view, threads, the record, every export format (over HTTP and offline), search,
//! the archive bundle and the SQLite file itself — readers see the reason instead, and `baraza
//! verify` still finds every chain intact. A changed stored text is still found as tampering.

use super::{consultation, country, ok, participant, phase, submit, threads};
use baraza_e2e::node::{binary, verify};
use baraza_e2e::{Api, Client, NodeProcess, TokenSpec, export};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::Phase;
use baraza_proto::error::ErrorCode;
use baraza_proto::identity::{Constituency, Role};
use std::process::Command;

const ROOM: &str = "ke-redact";
const SECRET: &str = "Riverside";
const REASON: &str = "Data protection request DP-2026-14";

#[tokio::test]
async fn a_redacted_statement_leaves_every_read_path_and_the_chain_stays_intact() {
    let node = NodeProcess::start().await;
    let url = node.ws_url();
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let api = Api::new(node.http_url(), sec_token.clone());
    api.create_room(ROOM, &consultation("Kenya: water", country("KE")))
        .await;
    let (mut sec, _) = Client::signed_in(&url, &sec_token).await;
    sec.join(ROOM, None).await;
    let question = ok(
        &mut sec,
        ROOM,
        Some("q1"),
        RoomCommand::AddQuestion {
            text: "Who lacks safe water?".into(),
        },
    )
    .await;
    ok(&mut sec, ROOM, None, phase(Phase::Open)).await;
    let author_token = participant("otieno", "Lake Basin Farmers", Constituency::Farmers, "KE");
    let (mut author, _) = Client::signed_in(&url, &author_token).await;
    author.join(ROOM, None).await;
    let (mut moderator, _) =
        Client::signed_in(&url, &TokenSpec::new("mod-1", Role::Moderator).sign()).await;
    moderator.join(ROOM, None).await;

    let kept = "Water kiosks need public price boards.";
    let kept_id = ok(&mut author, ROOM, Some("s1"), submit(kept, "en", question)).await;
    let secret_id = ok(
        &mut author,
        ROOM,
        Some("s2"),
        submit(
            "My neighbour at 14 Riverside Drive sells water illegally.",
            "en",
            question,
        ),
    )
    .await;
    ok(
        &mut author,
        ROOM,
        None,
        RoomCommand::EditStatement {
            statement: secret_id,
            text: "My neighbour Mwangi at 14 Riverside Drive sells water.".into(),
        },
    )
    .await;
    let redact = RoomCommand::RedactStatement {
        statement: secret_id,
        reason: REASON.into(),
    };
    for (who, client) in [("author", &mut author), ("moderator", &mut moderator)] {
        let refused = client
            .command(ROOM, None, redact.clone())
            .await
            .unwrap_err();
        assert_eq!(refused.code, ErrorCode::Forbidden, "{who}: {refused:?}");
        assert!(
            refused.message.contains("only the secretariat"),
            "{refused:?}"
        );
    }
    let redaction = ok(&mut sec, ROOM, None, redact.clone()).await;
    let again = sec.command(ROOM, None, redact).await.unwrap_err();
    assert!(again.message.contains("already redacted"), "{again:?}");

    // The snapshot and the events replayed from the start.
    let reader_token = participant("wanjiku", "Kibera Water Users", Constituency::Women, "KE");
    let (mut reader, _) = Client::signed_in(&url, &reader_token).await;
    let joined = reader.join(ROOM, None).await;
    let (_, snapshot) = joined.snapshot.expect("a snapshot");
    let snapshot_json = serde_json::to_string(&snapshot).unwrap();
    assert!(!snapshot_json.contains(SECRET), "{snapshot_json}");
    assert!(snapshot_json.contains(kept));
    let statement = snapshot
        .statements
        .iter()
        .find(|s| s.id == secret_id)
        .unwrap();
    assert_eq!(statement.text, "");
    assert_eq!(statement.redaction.as_ref().unwrap().reason, REASON);
    assert!(statement.versions.iter().all(|v| v.text.is_empty()));
    let (mut resumer, _) = Client::signed_in(&url, &author_token).await;
    let resumed = resumer.join(ROOM, Some(1)).await;
    assert!(resumed.replayed.iter().any(|e| e.seq == redaction));
    let replayed = serde_json::to_string(&resumed.replayed).unwrap();
    assert!(!replayed.contains(SECRET), "{replayed}");
    assert!(replayed.contains(kept));

    // REST: view, threads, the record with its canonical texts.
    for token in [&sec_token, &reader_token] {
        let reader_api = Api::new(node.http_url(), token.clone());
        let (status, view) = reader_api.get(&format!("/api/rooms/{ROOM}")).await;
        assert_eq!(status.as_u16(), 200);
        assert!(!view.to_string().contains(SECRET), "{view}");
        assert!(view.to_string().contains(REASON));
        let page = threads(&reader_api, ROOM).await;
        let page = serde_json::to_string(&page).unwrap();
        assert!(!page.contains(SECRET), "{page}");
        assert!(page.contains(kept));
    }
    let record = api.record(ROOM).await;
    let record_json = serde_json::to_string(&record).unwrap();
    assert!(!record_json.contains(SECRET), "{record_json}");
    let posted = record
        .events
        .iter()
        .find(|e| e.event.seq == secret_id)
        .unwrap();
    assert!(
        posted.canonical.contains("text_commitment"),
        "{}",
        posted.canonical
    );
    assert_eq!(posted.text_salt, None);
    let kept_entry = record
        .events
        .iter()
        .find(|e| e.event.seq == kept_id)
        .unwrap();
    assert!(kept_entry.text_salt.is_some());
    assert!(
        !kept_entry.canonical.contains(kept),
        "texts are committed to, not hashed in"
    );

    // Every export format, in two languages, for both audiences; offline too.
    for token in [&sec_token, &reader_token] {
        for (lang, marker) in [("en", "[redacted: "), ("fr", "[caviardé: ")] {
            let docs = export::every_format(&node.http_url(), token, ROOM, lang).await;
            for (format, body) in &docs {
                assert!(!body.contains(SECRET), "{format} ({lang})");
                assert!(body.contains(kept), "{format} ({lang})");
                if format != "json" {
                    assert!(
                        body.contains(marker),
                        "{format} ({lang}) shows the redaction"
                    );
                }
            }
        }
    }
    for audience in ["public", "full"] {
        for format in ["html", "md", "json", "csv", "akn"] {
            let offline = export::offline(node.data().path(), ROOM, format, audience);
            assert!(!offline.contains(SECRET), "offline {format} {audience}");
        }
    }

    // Search finds the kept text, not the redacted one, for anyone.
    let (status, hits) = api.get("/api/search?q=riverside").await;
    assert_eq!(status.as_u16(), 200);
    assert_eq!(hits["hits"].as_array().map(Vec::len), Some(0), "{hits}");
    let (_, hits) = api.get("/api/search?q=kiosks").await;
    assert_eq!(hits["hits"].as_array().map(Vec::len), Some(1), "{hits}");

    // The archive bundle holds no trace of it and verifies.
    ok(&mut sec, ROOM, None, RoomCommand::ArchiveRoom).await;
    let response = reqwest::Client::new()
        .get(format!("{}/api/rooms/{ROOM}/bundle", node.http_url()))
        .bearer_auth(&sec_token)
        .send()
        .await
        .expect("GET bundle");
    assert_eq!(response.status().as_u16(), 200);
    let bundle = response.bytes().await.unwrap().to_vec();
    assert!(!String::from_utf8_lossy(&bundle).contains(SECRET));
    let bundle_path = node.data().path().join("bundle.tar");
    std::fs::write(&bundle_path, &bundle).unwrap();
    let checked = Command::new(binary())
        .args(["verify", "--bundle"])
        .arg(&bundle_path)
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );

    // Stopped: the file itself, and `baraza verify`.
    let data = node.data().clone();
    assert!(node.stop().await.success());
    let bytes = std::fs::read(data.path().join("record.sqlite3")).unwrap();
    assert!(
        !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
        "the text is overwritten in the database file"
    );
    let (status, output) = verify(data.path());
    assert!(status.success(), "{output}");
    assert!(output.contains(&format!("ok      {ROOM}")), "{output}");
    assert!(output.contains("2 texts redacted"), "{output}");

    // A changed text that is still stored is tampering.
    let db = rusqlite::Connection::open(data.path().join("record.sqlite3")).unwrap();
    let changed = db
        .execute(
            "UPDATE texts SET text = 'Water kiosks need private price boards.' WHERE room = ?1 AND statement = ?2",
            rusqlite::params![ROOM, kept_id as i64],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let (status, output) = verify(data.path());
    assert!(!status.success(), "{output}");
    assert!(
        output.contains(&format!("BROKEN  {ROOM} at seq {kept_id}")),
        "{output}"
    );
    assert!(output.contains("does not match its commitment"), "{output}");
}
