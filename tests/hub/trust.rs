//! Text that could spoof a record, tokens out of range, and the audit trail of refusals.

use super::{member, observer, participant, secretariat, settings};
use baraza_e2e::tokens::TEST_SECRET;
use baraza_e2e::{Api, Client, NodeProcess};
use baraza_proto::command::RoomCommand;
use baraza_proto::error::ErrorCode;
use baraza_proto::event::EventBody;
use baraza_proto::ids::LanguageTag;
use baraza_proto::room::RoomKind;
use jsonwebtoken::{EncodingKey, Header};
use std::time::Duration;

fn statement(text: &str) -> RoomCommand {
    RoomCommand::PostStatement {
        text: text.into(),
        lang: LanguageTag::new("en").expect("tag"),
        parent: None,
        agenda_item: None,
        question: None,
        alignment: None,
    }
}

/// A token signed with the test secret whose claims are `claims` plus iss and aud.
fn raw_token(mut claims: serde_json::Value) -> String {
    claims["iss"] = "baraza".into();
    claims["aud"] = "baraza".into();
    jsonwebtoken::encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .expect("sign")
}

fn in_an_hour() -> u64 {
    jsonwebtoken::get_current_timestamp() + 3_600
}

#[tokio::test]
async fn statements_with_nul_are_refused_and_bidi_overrides_cannot_leak_out() {
    let (node, api) = super::server_with_room().await;
    let mut amina = member(&node, &participant("amina", "KE"), "rt").await;
    let refused = amina
        .command("rt", Some("nul"), statement("We agree.\u{0000} \u{202E}"))
        .await
        .expect_err("a NUL is refused");
    assert_eq!(refused.code, ErrorCode::InvalidCommand);
    assert!(
        refused.message.contains("control character (U+0000)"),
        "{}",
        refused.message
    );
    // An override is closed where its line ends, so it cannot reorder what follows the
    // statement in any view of the record; the text is stored composed (NFC).
    let (seq, _) = amina
        .command(
            "rt",
            Some("rlo"),
            statement("Cafe\u{0301}: \u{202E}lasoporp eht\nNext."),
        )
        .await
        .expect("posted");
    let record = api.record("rt").await;
    let posted = record
        .events
        .iter()
        .find(|entry| entry.event.seq == seq)
        .expect("the statement is in the record");
    match &posted.event.body {
        EventBody::StatementPosted { text, .. } => {
            assert_eq!(text, "Caf\u{00E9}: \u{202E}lasoporp eht\u{202C}\nNext.");
        }
        other => panic!("{other:?}"),
    }
    assert!(!record.events.iter().any(|entry| {
        entry
            .event
            .key
            .as_ref()
            .is_some_and(|k| k.as_str() == "nul")
    }));
}

#[tokio::test]
async fn tokens_with_spoofing_names_or_an_expiry_beyond_range_are_refused() {
    let node = NodeProcess::start().await;
    let refusals = [
        (
            serde_json::json!({"sub": "x1", "name": "\u{202E}tairaterceS", "role": "participant", "exp": in_an_hour()}),
            "bidi control",
        ),
        (
            serde_json::json!({"sub": "x2", "name": "\u{200B}", "role": "participant", "exp": in_an_hour()}),
            "invisible format character",
        ),
        (
            serde_json::json!({"sub": "x3", "name": "Amina", "org": "\u{1b}[31mUN", "role": "participant", "exp": in_an_hour()}),
            "control character",
        ),
        (
            serde_json::json!({"sub": "x4", "name": "Amina", "role": "observer", "exp": 1u64 << 63}),
            "out of range",
        ),
    ];
    for (claims, says) in refusals {
        let mut client = Client::connect(&node.ws_url()).await;
        let refused = client
            .try_auth(&raw_token(claims.clone()))
            .await
            .expect_err("refused");
        assert_eq!(refused.code, ErrorCode::TokenClaims, "{claims}");
        assert!(
            refused.message.contains(says),
            "{claims}: {}",
            refused.message
        );
    }
    // A sound token still gets in, its name composed.
    let mut client = Client::connect(&node.ws_url()).await;
    let profile = client
        .try_auth(&raw_token(serde_json::json!({"sub": "zoe", "name": "Zoe\u{0308}", "role": "observer", "exp": in_an_hour()})))
        .await
        .expect("welcome");
    assert_eq!(profile.name, "Zo\u{00EB}");
}

#[tokio::test]
async fn refused_commands_and_tokens_are_in_the_audit_trail() {
    let (node, mut log) = NodeProcess::start_logging(&[], "warn,baraza::audit=info").await;
    let api = Api::new(node.http_url(), secretariat());
    api.create_room("rt", &settings(RoomKind::Roundtable, "Audit"))
        .await;
    let mut press = member(&node, &observer(), "rt").await;
    let refused = press
        .command("rt", Some("k1"), statement("Observers may not post."))
        .await
        .expect_err("observers do not post");
    assert_eq!(refused.code, ErrorCode::Forbidden);
    let mut stranger = Client::connect(&node.ws_url()).await;
    assert!(stranger.try_auth("not-a-token").await.is_err());
    let forger = Api::new(node.http_url(), "forged.token.here".to_string());
    let (status, _) = forger.get("/api/rooms").await;
    assert_eq!(status.as_u16(), 401);

    let wanted = [
        [
            "command refused",
            "user=\"press-1\"",
            "room=rt",
            "command=\"post_statement\"",
            "code=\"forbidden\"",
        ],
        [
            "token refused",
            "code=\"token_invalid\"",
            "conn=",
            "reason=",
            "baraza::audit",
        ],
        [
            "token refused",
            "path=\"/api/rooms\"",
            "code=\"token_invalid\"",
            "reason=",
            "baraza::audit",
        ],
    ];
    let mut found = [false; 3];
    let mut seen = Vec::new();
    while !found.iter().all(|&f| f) {
        let line = tokio::time::timeout(Duration::from_secs(10), log.recv())
            .await
            .unwrap_or_else(|_| panic!("audit lines missing ({found:?}); the node wrote {seen:#?}"))
            .expect("the node's stderr");
        for (i, parts) in wanted.iter().enumerate() {
            found[i] |= parts.iter().all(|part| line.contains(part));
        }
        seen.push(line);
    }
}
