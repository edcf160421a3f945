//! A node that trusts an outside identity provider (`--jwt-public-key`, Ed25519) instead of its
//! own secret: the registry's people sign in with the provider's tokens and are matched by
//! their e-mail address, so the organisation, constituency and country in the room are the
//! registry's, never the token's; a token claiming a registered organisation without being one
//! of its people is refused.

use super::*;
use baraza_proto::command::RoomCommand;
use baraza_proto::event::EventBody;
use baraza_proto::roundtable::{AddAgendaItem, ItemRef, RequestFloor, RequestKind};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::Command;

/// An Ed25519 key pair made by `openssl`: (private PKCS#8 PEM, path of the public PEM file).
fn provider_keys(dir: &std::path::Path) -> (Vec<u8>, std::path::PathBuf) {
    let private = dir.join("idp-private.pem");
    let public = dir.join("idp-public.pem");
    let made = Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(&private)
        .status()
        .expect("openssl");
    assert!(made.success());
    let derived = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&private)
        .arg("-out")
        .arg(&public)
        .status()
        .expect("openssl");
    assert!(derived.success());
    (std::fs::read(&private).unwrap(), public)
}

/// `POST base+path` with a bearer token; the status and the JSON answer.
async fn post(base: &str, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("POST");
    let status = response.status();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn people_of_an_outside_provider_speak_with_the_registry_s_identity() {
    let keys = tempfile::tempdir().unwrap();
    let (private, public) = provider_keys(keys.path());
    let node = NodeProcess::start_with(
        baraza_e2e::DataDir::new(),
        &[
            "--jwt-public-key",
            public.to_str().unwrap(),
            "--jwt-alg",
            "eddsa",
        ],
    )
    .await;
    let base = node.http_url();
    let sec = TokenSpec::new("idp|sec-1", Role::Secretariat).sign_eddsa(&private, None);
    let api = Api::new(base.clone(), sec.clone());
    api.create_room(
        "rt",
        &settings(RoomKind::Roundtable, "Financing for development"),
    )
    .await;
    // The server's own secret signs nothing here: a token made with it is refused.
    let mut refused = Client::connect(&node.ws_url()).await;
    assert!(refused.try_auth(&secretariat()).await.is_err());

    let forum = json!({
        "id": "ffd-2027", "title": "Financing for development 2027",
        "criteria": "Work on financing for development.", "rooms": ["rt"], "quota": 2,
        "accredited_only": true
    });
    let (status, body) = post(&base, "/api/registry/forums", &sec, forum).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, registered) = post(
        &base,
        "/api/registry/organisations",
        &sec,
        json!({
            "organisation": {"name": "Kenya Land Alliance", "country": "KE",
                             "constituency": "farmers", "sdgs": [2]},
            "focal_point": {"name": "Achieng Otieno", "email": "achieng@kla.example"}
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let org = registered["seq"].as_u64().expect("the organisation's id");

    // The focal point signs in with the provider's token, matched by its e-mail claim.
    let focal = TokenSpec::new("idp|77", Role::Participant)
        .sign_eddsa(&private, Some("Achieng@KLA.example"));
    let (status, applied) = post(
        &base,
        "/api/registry/applications",
        &focal,
        json!({"org": org, "forum": "ffd-2027", "statement": "Land and finance in East Africa."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    let (status, body) = post(
        &base,
        &format!("/api/registry/applications/{}/decision", applied["seq"]),
        &sec,
        json!({"decision": "approved", "reason": "Long record on the forum's themes."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, named) = post(
        &base,
        &format!("/api/registry/organisations/{org}/people"),
        &focal,
        json!({"role": "representative", "forum": "ffd-2027",
               "contact": {"name": "Wanjiru Kamau", "email": "wanjiru@kla.example"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{named}");

    // The representative's token claims another name, organisation and country: the room
    // sees the registry's.
    let claimed = TokenSpec::new("idp|wanjiru", Role::Participant)
        .from_org("Anything", Constituency::Media, "FR")
        .sign_eddsa(&private, Some("wanjiru@kla.example"));
    let (mut wanjiru, profile) = Client::signed_in(&node.ws_url(), &claimed).await;
    assert_eq!(
        profile.user.as_str(),
        format!("registry:{}", named["seq"]),
        "the session is the registry person's"
    );
    assert_eq!(profile.name, "Wanjiru Kamau");
    assert_eq!(profile.org.as_deref(), Some("Kenya Land Alliance"));
    assert_eq!(profile.constituency, Some(Constituency::Farmers));
    assert_eq!(profile.country.as_ref().map(|c| c.as_str()), Some("KE"));
    wanjiru.join("rt", None).await;
    let (mut chair, _) = Client::signed_in(&node.ws_url(), &sec).await;
    chair.join("rt", None).await;
    let (item, _) = chair
        .command(
            "rt",
            Some("item-1"),
            RoomCommand::AddAgendaItem(AddAgendaItem {
                title: "Land and debt".into(),
                speaking_time_ms: None,
            }),
        )
        .await
        .unwrap();
    chair
        .command("rt", None, RoomCommand::OpenAgendaItem(ItemRef { item }))
        .await
        .unwrap();
    wanjiru
        .command(
            "rt",
            Some("ask-1"),
            RoomCommand::RequestFloor(RequestFloor::new(RequestKind::Speak)),
        )
        .await
        .expect("the accredited representative may ask for the floor");
    let record = api.record("rt").await;
    let joined = record
        .events
        .iter()
        .find_map(|e| match &e.event.body {
            EventBody::MemberJoined { member } if member.user == profile.user => Some(member),
            _ => None,
        })
        .expect("the representative's arrival is recorded");
    assert_eq!(joined.org.as_deref(), Some("Kenya Land Alliance"));
    assert_eq!(joined.country.as_ref().map(|c| c.as_str()), Some("KE"));

    // A provider token that claims the organisation without being one of its people.
    let forged = TokenSpec::new("idp|other", Role::Participant)
        .from_org("Kenya Land Alliance", Constituency::Farmers, "KE")
        .sign_eddsa(&private, Some("someone@else.example"));
    let mut outsider = Client::connect(&node.ws_url()).await;
    let refusal = outsider
        .try_auth(&forged)
        .await
        .expect_err("a claimed registered organisation is refused");
    assert!(refusal.message.contains("in the registry"), "{refusal:?}");
    // Someone the registry does not hold, claiming nothing, is not admitted to the
    // accredited-only room.
    let stranger = TokenSpec::new("idp|guest", Role::Participant)
        .sign_eddsa(&private, Some("guest@else.example"));
    let (mut guest, _) = Client::signed_in(&node.ws_url(), &stranger).await;
    let refusal = guest
        .try_join("rt", None)
        .await
        .expect_err("only accredited representatives enter");
    assert_eq!(refusal.code, baraza_proto::error::ErrorCode::Forbidden);
}
