//! The HTTP API: who may create rooms and read the record; health and metrics.

use super::*;
use baraza_proto::room::{RoomKind, RoomSummary, Scope};
use reqwest::StatusCode;

#[tokio::test]
async fn only_the_secretariat_creates_rooms_and_only_moderators_read_the_record() {
    let node = NodeProcess::start().await;
    let secretariat = Api::new(node.http_url(), secretariat());
    let participant = Api::new(node.http_url(), participant("amina", "KE"));
    let moderator = Api::new(node.http_url(), moderator());

    let mut kenya = settings(RoomKind::Consultation, "Kenya national consultation");
    kenya.scope = Scope::Country {
        country: "KE".parse().unwrap(),
    };
    let (status, body) = participant.try_create_room(Some("ke"), &kenya).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "forbidden");

    let created = secretariat.create_room("ke", &kenya).await;
    assert_eq!(created.info.id.as_str(), "ke");
    let (status, body) = secretariat.try_create_room(Some("ke"), &kenya).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("room_exists"))
    );
    // A caucus is for one constituency: without it, refused; with it, created.
    let mut youth = settings(RoomKind::Caucus, "Youth caucus");
    let (status, body) = secretariat.try_create_room(None, &youth).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_command")),
        "{body}"
    );
    youth.constituency = Some(Constituency::ChildrenYouth);
    let (status, generated) = secretariat.try_create_room(None, &youth).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(generated["id"].as_str().unwrap().starts_with("r-"));
    let mut bad = settings(RoomKind::Consultation, "Atlantis");
    bad.scope = Scope::Region {
        region: "atlantis".into(),
    };
    let (status, body) = secretariat.try_create_room(Some("atlantis"), &bad).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_command"))
    );

    let (status, list) = participant.get("/api/rooms").await;
    assert_eq!(status, StatusCode::OK);
    let list: Vec<RoomSummary> = serde_json::from_value(list).unwrap();
    assert_eq!(list.len(), 2);

    let (status, body) = participant.get("/api/rooms/ke/events").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let record = moderator.record("ke").await;
    assert_eq!(record.head, 1);
    assert_eq!(record.events[0].prev_hash, "0".repeat(64));
    let (status, _) = moderator.get("/api/rooms/nowhere/events").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let anonymous = Api::new(node.http_url(), "garbage".into());
    let (status, body) = anonymous.get("/api/rooms").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("token_invalid"))
    );
}

#[tokio::test]
async fn health_and_metrics_answer() {
    let (node, _api) = server_with_room().await;
    let mut amina = member(&node, &participant("amina", "KE"), "rt").await;
    amina.post("rt", "k", "Counted.", None).await;
    let api = Api::new(node.http_url(), String::new());
    let (status, health) = api.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (health["status"].as_str(), health["engine"].as_str()),
        (Some("ok"), Some("embedded"))
    );
    let response = reqwest::get(format!("{}/metrics", node.http_url()))
        .await
        .expect("GET /metrics");
    assert_eq!(
        response.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let metrics = response.text().await.unwrap();
    for line in [
        "baraza_connections 1",
        "baraza_rooms 1",
        "baraza_events_appended_total 3",
        "baraza_appends_total 3",
        // Three appends were timed, by the room and by the engine's commits (one commit may
        // hold several appends), and their frames were queued.
        "baraza_append_seconds_count 3",
        "# TYPE baraza_commit_seconds histogram",
        "# TYPE baraza_delivery_lag_seconds histogram",
        "baraza_delivery_lag_seconds_count 3",
        "# TYPE baraza_room_input_seconds histogram",
        "# TYPE baraza_mailbox_depth histogram",
        "# EOF",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
    let commits = metrics
        .lines()
        .find_map(|l| l.strip_prefix("baraza_commit_seconds_count "))
        .and_then(|n| n.parse::<u64>().ok())
        .expect("a commit count");
    assert!(
        (1..=3).contains(&commits),
        "{commits} commits for 3 appends"
    );
    let (status, page) = api.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("Baraza"));
}
