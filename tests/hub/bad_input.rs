//! Bad input gets its documented error, and the server keeps serving everyone else.

use super::*;
use baraza_e2e::client::Incoming;
use baraza_proto::error::{CloseCode, ErrorCode};
use baraza_proto::limits::Limits;
use jsonwebtoken::Algorithm;

#[tokio::test]
async fn malformed_unknown_and_oversized_frames_get_errors_and_the_connection_goes_on() {
    let (node, _api) = server_with_room().await;
    let mut bystander = member(&node, &participant("bruno", "BR"), "rt").await;
    let (mut amina, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    amina.join("rt", None).await;

    amina.send_text("{this is not json").await;
    assert_eq!(amina.connection_error().await, ErrorCode::MalformedMessage);
    amina.send_text(r#"{"id":"x1","no_type":true}"#).await;
    assert_eq!(amina.connection_error().await, ErrorCode::MalformedMessage);

    amina.send_text(r#"{"type":"shout","id":"x2"}"#).await;
    assert_eq!(
        amina.answer("x2").await.unwrap_err().code,
        ErrorCode::UnknownMessageType
    );

    amina
        .send_text(r#"{"type":"join","id":"x3","room":42}"#)
        .await;
    assert_eq!(
        amina.answer("x3").await.unwrap_err().code,
        ErrorCode::InvalidMessage
    );

    let oversized = format!(
        r#"{{"type":"ping","id":"x4","pad":"{}"}}"#,
        "a".repeat(Limits::default().max_frame_bytes)
    );
    amina.send_text(oversized).await;
    assert_eq!(amina.connection_error().await, ErrorCode::FrameTooLarge);

    let too_long = "b".repeat(Limits::default().max_statement_chars + 1);
    let refusal = amina
        .command(
            "rt",
            Some("long"),
            baraza_proto::command::RoomCommand::PostStatement {
                text: too_long,
                lang: "en".parse().unwrap(),
                parent: None,
                agenda_item: None,
                question: None,
                alignment: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(refusal.code, ErrorCode::InvalidCommand);
    assert!(refusal.message.contains("limit"), "{}", refusal.message);

    // Still serving: this connection, and the room for everyone.
    amina.ping().await;
    let seq = amina.post("rt", "after", "Still here.", None).await;
    assert_eq!(
        bystander
            .events_through("rt", seq)
            .await
            .last()
            .unwrap()
            .seq,
        seq
    );
}

#[tokio::test]
async fn a_frame_far_over_the_limit_closes_with_1009_and_others_go_on() {
    let (node, _api) = server_with_room().await;
    let mut bystander = member(&node, &participant("bruno", "BR"), "rt").await;
    let (mut amina, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    let huge = format!(
        r#"{{"type":"ping","id":"h","pad":"{}"}}"#,
        "a".repeat(Limits::default().max_frame_bytes * 17)
    );
    // The server stops reading at the frame's header, so the rest of the megabyte may not all
    // leave the client before the connection closes; the close frame arrives either way.
    let _whole_frame_written = amina.send_text_may_fail(huge).await;
    assert_eq!(amina.closed().await, Some(CloseCode::MessageTooBig.code()));
    let seq = bystander.post("rt", "b", "Unaffected.", None).await;
    assert!(seq > 0);
}

#[tokio::test]
async fn bad_expired_and_wrong_algorithm_tokens_are_refused_by_name() {
    let (node, _api) = server_with_room().await;
    let mut bystander = member(&node, &participant("bruno", "BR"), "rt").await;
    let spec = TokenSpec::new("mallory", Role::Participant);
    let cases = [
        ("not.a.token".to_owned(), ErrorCode::TokenInvalid),
        (
            spec.sign_with(Algorithm::HS256, b"a-different-secret-of-enough-length!!"),
            ErrorCode::TokenInvalid,
        ),
        (
            spec.clone().expires_in(-3_600).sign(),
            ErrorCode::TokenExpired,
        ),
        (
            spec.sign_with(Algorithm::HS384, baraza_e2e::tokens::TEST_SECRET.as_bytes()),
            ErrorCode::TokenAlgorithm,
        ),
    ];
    for (token, code) in cases {
        let mut client = Client::connect(&node.ws_url()).await;
        let refusal = client.try_auth(&token).await.unwrap_err();
        assert_eq!(refusal.code, code, "{}", refusal.message);
        assert_eq!(client.closed().await, Some(CloseCode::AuthFailed.code()));
    }
    // Commands before auth are refused without closing.
    let mut early = Client::connect(&node.ws_url()).await;
    assert_eq!(
        early.try_join("rt", None).await.unwrap_err().code,
        ErrorCode::AuthRequired
    );
    early.ping().await;
    // And the server kept serving the others.
    bystander.post("rt", "b", "Still fine.", None).await;
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_auth_timeout() {
    let node =
        NodeProcess::start_with(baraza_e2e::DataDir::new(), &["--auth-timeout", "300ms"]).await;
    let mut silent = Client::connect(&node.ws_url()).await;
    assert_eq!(
        silent.next().await,
        Incoming::Message(error_without_id(ErrorCode::AuthRequired))
    );
    assert_eq!(silent.closed().await, Some(CloseCode::AuthFailed.code()));
}

#[tokio::test]
async fn a_token_that_expires_mid_session_closes_with_4003_and_a_fresh_auth_extends_it() {
    let (node, _api) = server_with_room().await;
    let short = TokenSpec::new("amina", Role::Participant).expires_in(2);
    let (mut refreshed, _) = Client::signed_in(&node.ws_url(), &short.sign()).await;
    refreshed
        .auth(&TokenSpec::new("amina", Role::Participant).sign())
        .await;
    let other = TokenSpec::new("someone-else", Role::Participant).sign();
    assert_eq!(
        refreshed.try_auth(&other).await.unwrap_err().code,
        ErrorCode::IdentityMismatch
    );

    let (mut expiring, _) = Client::signed_in(&node.ws_url(), &short.sign()).await;
    assert_eq!(expiring.connection_error().await, ErrorCode::TokenExpired);
    assert_eq!(
        expiring.closed().await,
        Some(CloseCode::TokenExpired.code())
    );
    refreshed.ping().await;
}

#[tokio::test]
async fn the_websocket_requires_the_baraza_subprotocol() {
    let node = NodeProcess::start().await;
    let response = reqwest::Client::new()
        .get(format!("{}/ws", node.http_url()))
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("baraza.v1")
    );
}

fn error_without_id(code: ErrorCode) -> baraza_proto::message::ServerMessage {
    baraza_proto::message::ServerMessage::Error {
        id: None,
        code,
        message: "no auth message arrived in time".into(),
        retry_after_ms: None,
    }
}
