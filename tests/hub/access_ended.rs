//! The registry ending someone's access, against the real binary: a representative revoked and
//! an accreditation withdrawn while their people are connected to the forum's roundtable. Their
//! connections get `access_ended` and close with `4010`, the room records `access_ended` (the
//! floor and the list let go of them), others stay connected, and they cannot come back.

use super::*;
use baraza_e2e::client::Incoming;
use baraza_proto::command::RoomCommand;
use baraza_proto::error::{CloseCode, ErrorCode};
use baraza_proto::event::{AccessEndCause, EventBody};
use baraza_proto::message::ServerMessage;
use baraza_proto::roundtable::{
    AddAgendaItem, FloorEndReason, GrantFloor, ItemRef, RequestFloor, RequestKind,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// `POST base+path` (with a bearer token unless it is empty); the JSON answer, which must be
/// a success.
async fn post(base: &str, path: &str, token: &str, body: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("POST");
    let status = response.status();
    let body: Value = response.json().await.expect("JSON");
    assert!(status.is_success(), "POST {path}: {status} {body}");
    body
}

/// Signs in with a sign-in link; the session token.
async fn sign_in(base: &str, link: &str) -> String {
    let (_, code) = link.split_once("#invite=").expect("a sign-in link");
    let response = reqwest::Client::new()
        .post(format!("{base}/api/registry/sign-in"))
        .json(&json!({ "code": code }))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    body["token"].as_str().expect("a token").to_owned()
}

/// Waits for `access_ended` then the close; the error's message and the close code.
async fn cut_off(client: &mut Client) -> (String, Option<u16>) {
    let message = client
        .wait_for("access_ended", |incoming| match incoming {
            Incoming::Message(ServerMessage::Error {
                code: ErrorCode::AccessEnded,
                message,
                ..
            }) => Some(message.clone()),
            _ => None,
        })
        .await;
    (message, client.closed().await)
}

/// Waits on `watcher` for the room's `access_ended` of `user`; the events of that append.
async fn recorded(watcher: &mut Client, user: &str) -> (Vec<EventBody>, AccessEndCause, String) {
    let mut bodies = Vec::new();
    loop {
        let event = watcher.next_event().await;
        bodies.push(event.body.clone());
        if let EventBody::AccessEnded(ended) = &event.body
            && ended.user.as_str() == user
        {
            return (bodies, ended.cause, ended.reason.clone());
        }
    }
}

#[tokio::test]
async fn revoking_a_person_and_withdrawing_an_accreditation_close_their_connections_and_are_recorded()
 {
    let (node, _api) = server_with_room().await;
    let base = node.http_url();
    let sec = secretariat();
    post(
        &base,
        "/api/registry/forums",
        &sec,
        json!({
            "id": "ffd-2027",
            "title": "Regional consultations on financing for development 2027",
            "criteria": "Work on financing for development in the region.",
            "rooms": ["rt"],
            "quota": 2,
            "accredited_only": true
        }),
    )
    .await;
    let applied = post(
        &base,
        "/api/registry/apply",
        "",
        public_application("Women in Trade Network", "KE", "focal@witn.example"),
    )
    .await;
    // The focal point confirms the address with a sign-in link; then the secretariat decides.
    let focal = applied["org"].as_u64().unwrap() + 1;
    let sent = post(
        &base,
        &format!("/api/registry/people/{focal}/invitation"),
        &sec,
        json!({}),
    )
    .await;
    sign_in(&base, sent["link"].as_str().unwrap()).await;
    post(
        &base,
        &format!(
            "/api/registry/applications/{}/decision",
            applied["application"]
        ),
        &sec,
        json!({"decision": "approved", "reason": "Long record on the forum's themes."}),
    )
    .await;

    // Two representatives, named by the secretariat, sign in and join the roundtable.
    let mut people = Vec::new();
    for (name, email) in [
        ("Wanjiru Kamau", "wanjiru@witn.example"),
        ("Halima Yusuf", "halima@witn.example"),
    ] {
        let named = post(
            &base,
            &format!("/api/registry/organisations/{}/people", applied["org"]),
            &sec,
            json!({"role": "representative", "forum": "ffd-2027", "contact": {"name": name, "email": email}}),
        )
        .await;
        let sent = post(
            &base,
            &format!("/api/registry/people/{}/invitation", named["seq"]),
            &sec,
            json!({}),
        )
        .await;
        let token = sign_in(&base, sent["link"].as_str().unwrap()).await;
        let (mut client, profile) = Client::signed_in(&node.ws_url(), &token).await;
        client.join("rt", None).await;
        people.push((
            named["seq"].as_u64().unwrap(),
            profile.user.to_string(),
            client,
            token,
        ));
    }
    let mut chair = member(&node, &moderator(), "rt").await;
    chair
        .command(
            "rt",
            Some("item-1"),
            RoomCommand::AddAgendaItem(AddAgendaItem {
                title: "Debt".into(),
                speaking_time_ms: None,
            }),
        )
        .await
        .unwrap();
    let item = chair.next_event().await.seq;
    chair
        .command("rt", None, RoomCommand::OpenAgendaItem(ItemRef { item }))
        .await
        .unwrap();
    for (i, (_, _, client, _)) in people.iter_mut().enumerate() {
        client
            .command(
                "rt",
                Some(&format!("ask-{i}")),
                RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak)),
            )
            .await
            .unwrap();
    }
    // Wanjiru speaks; Halima waits.
    chair
        .command(
            "rt",
            None,
            RoomCommand::GrantFloor(GrantFloor {
                request: None,
                reason: None,
            }),
        )
        .await
        .unwrap();
    let (_, halima_user, mut halima, halima_token) = people.pop().unwrap();
    let (wanjiru_person, wanjiru_user, mut wanjiru, wanjiru_token) = people.pop().unwrap();

    // The secretariat revokes Wanjiru, who has the floor.
    post(
        &base,
        &format!("/api/registry/people/{wanjiru_person}/revoke"),
        &sec,
        json!({"reason": "No longer works for the network."}),
    )
    .await;
    let (message, code) = cut_off(&mut wanjiru).await;
    assert!(
        message.contains("No longer works for the network."),
        "{message}"
    );
    assert_eq!(code, Some(CloseCode::AccessEnded.code()));
    let (bodies, cause, reason) = recorded(&mut chair, &wanjiru_user).await;
    assert_eq!(cause, AccessEndCause::PersonRevoked);
    assert_eq!(reason, "No longer works for the network.");
    assert!(
        bodies.iter().any(
            |b| matches!(b, EventBody::FloorEnded(f) if f.reason == FloorEndReason::AccessEnded)
        ),
        "the floor ends first: {bodies:?}"
    );
    // Halima is not concerned: she is still connected and on the list.
    halima.ping().await;
    let mut again = Client::connect(&node.ws_url()).await;
    let refusal = again
        .try_auth(&wanjiru_token)
        .await
        .expect_err("a revoked person's token no longer signs in");
    assert!(refusal.message.contains("no longer acts"), "{refusal:?}");

    // The secretariat withdraws the organisation's accreditation: Halima is cut off too.
    post(
        &base,
        &format!(
            "/api/registry/applications/{}/withdraw",
            applied["application"]
        ),
        &sec,
        json!({"reason": "The organisation is a for-profit consultancy."}),
    )
    .await;
    let (message, code) = cut_off(&mut halima).await;
    assert!(message.contains("accreditation was withdrawn"), "{message}");
    assert_eq!(code, Some(CloseCode::AccessEnded.code()));
    let (_, cause, _) = recorded(&mut chair, &halima_user).await;
    assert_eq!(cause, AccessEndCause::AccreditationWithdrawn);

    // She cannot come back to the forum's room; the chair's connection was never touched.
    let (mut back, _) = Client::signed_in(&node.ws_url(), &halima_token).await;
    let refusal = back
        .try_join("rt", None)
        .await
        .expect_err("no longer admitted");
    assert_eq!(refusal.code, ErrorCode::Forbidden);
    chair.ping().await;
    let view = reqwest::Client::new()
        .get(format!("{base}/api/rooms/rt"))
        .bearer_auth(moderator())
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let view = &view["state"];
    let waiting: Vec<&str> = view["roundtable"]["agenda"][0]["speakers"]
        .as_array()
        .expect("the item's list")
        .iter()
        .filter_map(|entry| entry["user"].as_str())
        .collect();
    assert!(
        waiting.is_empty(),
        "nobody of the network is left waiting: {waiting:?}"
    );
    for user in [&wanjiru_user, &halima_user] {
        let member = view["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["profile"]["user"] == user.as_str())
            .expect("a member");
        assert_eq!(member["present"], false, "{member}");
    }
}
