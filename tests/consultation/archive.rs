//! Issue 15: archiving. The secretariat archives a consultation (`archive_room`): its record
//! ends with `room_archived`, every later command is refused with `room_archived`, and its
//! bundle (`GET /api/rooms/{id}/bundle`) passes `baraza verify --bundle` offline — and fails,
//! naming what broke, once one byte is changed. `baraza archive` does the same on the data
//! directory of a stopped node, and is kept out while the node runs.

use super::{consultation, country, ok, participant, phase, submit};
use baraza_e2e::node::binary;
use baraza_e2e::{Api, Client, DataDir, NodeProcess, TokenSpec};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::Phase;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::EventBody;
use baraza_proto::identity::{Constituency, Role};
use std::path::Path;
use std::process::{Command, Output};

fn verify_bundle(path: &Path) -> Output {
    verify_bundle_by(path, None)
}

fn verify_bundle_by(path: &Path, key: Option<&str>) -> Output {
    let mut command = Command::new(binary());
    command.args(["verify", "--bundle"]).arg(path);
    if let Some(key) = key {
        command.args(["--key", key]);
    }
    command.output().expect("run baraza verify --bundle")
}

/// The node's published archive key.
async fn published_key(base: &str) -> String {
    let body: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/.well-known/baraza-archive-key"))
        .send()
        .await
        .expect("GET the archive key")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["algorithm"], "Ed25519");
    body["public_key"].as_str().expect("a key").to_owned()
}

fn archive_cli(data: &DataDir, room: &str, out: &Path) -> Output {
    Command::new(binary())
        .arg("archive")
        .arg("--data")
        .arg(data.path())
        .args(["--room", room, "--out"])
        .arg(out)
        .output()
        .expect("run baraza archive")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

async fn bundle(base: &str, token: &str, room: &str) -> (u16, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(format!("{base}/api/rooms/{room}/bundle"))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET bundle");
    let status = response.status().as_u16();
    (status, response.bytes().await.expect("body").to_vec())
}

/// The bundle verifies; with one byte flipped in the record it fails naming record.jsonl; with
/// one byte flipped in a tar header it fails too. `needle` is something the record hashes
/// (its first occurrence in the bundle must be in record.jsonl): the byte changed is its fourth.
fn assert_verifies_and_detects_a_flipped_byte(path: &Path, needle: &[u8]) {
    let checked = verify_bundle(path);
    assert!(checked.status.success(), "{}", text(&checked));
    assert!(text(&checked).starts_with("ok "), "{}", text(&checked));
    let bytes = std::fs::read(path).expect("read the bundle");
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the needle is in the bundle's record");
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, offset, names) in [
        ("record", at + 3, Some("record.jsonl")),
        ("header", 148, None),
    ] {
        let mut broken = bytes.clone();
        broken[offset] ^= 0x20;
        let path = dir.path().join(format!("{name}.tar"));
        std::fs::write(&path, &broken).expect("write the changed bundle");
        let checked = verify_bundle(&path);
        assert_eq!(checked.status.code(), Some(2), "{name}: {}", text(&checked));
        assert!(text(&checked).contains("BROKEN"), "{}", text(&checked));
        if let Some(file) = names {
            assert!(text(&checked).contains(file), "{name}: {}", text(&checked));
        }
    }
}

#[tokio::test]
async fn an_archived_room_refuses_commands_and_its_bundle_verifies_until_a_byte_changes() {
    let node = NodeProcess::start().await;
    let url = node.ws_url();
    let sec_token = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let api = Api::new(node.http_url(), sec_token.clone());
    api.create_room(
        "gh-land",
        &consultation("Ghana: land tenure", country("GH")),
    )
    .await;
    api.create_room("gh-water", &consultation("Ghana: water", country("GH")))
        .await;
    let (mut sec, _) = Client::signed_in(&url, &sec_token).await;
    sec.join("gh-land", None).await;
    let question = ok(
        &mut sec,
        "gh-land",
        Some("q1"),
        RoomCommand::AddQuestion {
            text: "Who holds customary land?".into(),
        },
    )
    .await;
    ok(&mut sec, "gh-land", None, phase(Phase::Open)).await;
    let reader = participant("akosua", "Ashanti Farmers", Constituency::Farmers, "GH");
    let (mut author, _) = Client::signed_in(&url, &reader).await;
    author.join("gh-land", None).await;
    let said = "Chiefs allocate land; women rarely hold title.";
    let statement = ok(
        &mut author,
        "gh-land",
        Some("s1"),
        submit(said, "en", question),
    )
    .await;
    // The record hashes the statement's salted commitment, not its text (commitment v2).
    let posted = api
        .record("gh-land")
        .await
        .events
        .into_iter()
        .find(|entry| entry.event.seq == statement)
        .expect("the statement is in the record");
    let EventBody::StatementPosted {
        text_commitment: Some(commitment),
        ..
    } = &posted.event.body
    else {
        panic!("a posted statement with a commitment: {posted:?}");
    };
    assert!(posted.canonical.contains(commitment.as_str()));
    assert!(!posted.canonical.contains(said), "{}", posted.canonical);

    // Only the secretariat archives; no bundle before the archive.
    let refused = author
        .command("gh-land", None, RoomCommand::ArchiveRoom)
        .await
        .expect_err("a participant may not archive");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    assert_eq!(bundle(&node.http_url(), &sec_token, "gh-land").await.0, 409);

    let archived = ok(&mut sec, "gh-land", None, RoomCommand::ArchiveRoom).await;
    let record = api.record("gh-land").await;
    assert_eq!(
        record.head, archived,
        "room_archived is the record's last event"
    );
    let late_post = author
        .command(
            "gh-land",
            Some("late"),
            submit("One more thing.", "en", question),
        )
        .await;
    let late_question = sec
        .command(
            "gh-land",
            Some("late"),
            RoomCommand::AddQuestion {
                text: "Too late?".into(),
            },
        )
        .await;
    let again = sec.command("gh-land", None, RoomCommand::ArchiveRoom).await;
    for refused in [late_post, late_question, again] {
        let refused = refused.expect_err("an archived room takes no command");
        assert_eq!(refused.code, ErrorCode::RoomArchived, "{}", refused.message);
    }
    // Entering is still reading: it records nothing.
    let (mut late, _) = Client::signed_in(
        &url,
        &participant("kofi", "Volta Youth", Constituency::ChildrenYouth, "GH"),
    )
    .await;
    late.join("gh-land", None).await;
    assert_eq!(api.record("gh-land").await.head, archived);

    // The bundle is for those who may read the full record.
    assert_eq!(bundle(&node.http_url(), &reader, "gh-land").await.0, 403);
    let (status, bytes) = bundle(&node.http_url(), &sec_token, "gh-land").await;
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("gh-land-bundle.tar");
    std::fs::write(&path, &bytes).expect("write the bundle");
    assert_verifies_and_detects_a_flipped_byte(&path, commitment.as_bytes());
    // Signed with the key the node publishes, and with no other.
    let key = published_key(&node.http_url()).await;
    let by_node = verify_bundle_by(&path, Some(&key));
    assert!(by_node.status.success(), "{}", text(&by_node));
    assert!(text(&by_node).contains(&key), "{}", text(&by_node));
    let by_other = verify_bundle_by(&path, Some(&"ab".repeat(32)));
    assert_eq!(by_other.status.code(), Some(2), "{}", text(&by_other));

    // Offline: kept out while the node runs, then archives the other room once it is stopped.
    let data = node.data().clone();
    let out = dir.path().join("gh-water-bundle.tar");
    let running = archive_cli(&data, "gh-water", &out);
    assert!(!running.status.success(), "archive while the node runs");
    assert!(!out.exists());
    let status = node.stop().await;
    assert!(status.success());
    let done = archive_cli(&data, "gh-water", &out);
    assert!(done.status.success(), "{}", text(&done));
    assert!(text(&done).contains("archived gh-water"), "{}", text(&done));
    assert_verifies_and_detects_a_flipped_byte(&out, b"Ghana: water");
    let offline = verify_bundle_by(&out, Some(&key));
    assert!(
        offline.status.success(),
        "signed with the node's key: {}",
        text(&offline)
    );
    let node = NodeProcess::start_with(data, &[]).await;
    let (mut sec, _) = Client::signed_in(&node.ws_url(), &sec_token).await;
    sec.join("gh-water", None).await;
    let refused = sec
        .command(
            "gh-water",
            Some("q1"),
            RoomCommand::AddQuestion {
                text: "Who pays for pumps?".into(),
            },
        )
        .await
        .expect_err("archived offline");
    assert_eq!(refused.code, ErrorCode::RoomArchived);
}
