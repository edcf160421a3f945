//! The registry over real HTTP against the real binary: a forum, public applications, decisions
//! with reasons, the public list, sign-in links, an accredited-only room, and `baraza verify`
//! covering (and catching tampering with) the registry's record.

use super::*;
use baraza_e2e::node::verify;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// `POST base+path` with an optional token; the status and the JSON body.
async fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("POST");
    let status = response.status();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// `GET url` with an optional token; the status and the JSON body.
async fn get_json(url: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("GET");
    let status = response.status();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Signs in with the code of a sign-in link; the session token.
async fn sign_in(base: &str, link: &str) -> (StatusCode, Value) {
    let (_, code) = link.split_once("#invite=").expect("a sign-in link");
    post(base, "/api/registry/sign-in", None, json!({ "code": code })).await
}

#[tokio::test]
async fn the_public_form_has_a_per_address_limit_of_its_own() {
    let node = NodeProcess::start_with(
        baraza_e2e::DataDir::new(),
        &["--form-burst", "2", "--form-rate-per-hour", "1"],
    )
    .await;
    let base = node.http_url();
    let forum = json!({
        "id": "ffd-2027",
        "title": "Regional consultations on financing for development 2027",
        "criteria": "Work on financing for development in the region.",
        "rooms": [],
        "quota": 10,
        "accredited_only": false
    });
    let (status, body) = post(&base, "/api/registry/forums", Some(&secretariat()), forum).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    for (name, email) in [("Alpha", "a@alpha.example"), ("Beta", "b@beta.example")] {
        let (status, body) = post(
            &base,
            "/api/registry/apply",
            None,
            public_application(name, "KE", email),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // The third from the same address within the hour is refused, well under the REST limit,
    // with a wait counted in minutes (one an hour), and nothing of it is registered.
    let response = reqwest::Client::new()
        .post(format!("{base}/api/registry/apply"))
        .json(&public_application("Gamma", "KE", "c@gamma.example"))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()[reqwest::header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((60..=3_600).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    let (status, list) = get_json(&format!("{base}/api/registry/public"), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(!list.to_string().contains("Gamma"), "{list}");
    let (status, registry) = get_json(&format!("{base}/api/registry"), Some(&secretariat())).await;
    assert_eq!(status, StatusCode::OK, "{registry}");
    assert!(registry.to_string().contains("Beta"), "{registry}");
    assert!(!registry.to_string().contains("Gamma"), "{registry}");
}

#[tokio::test]
async fn accreditation_decides_who_joins_and_verify_covers_the_registry_record() {
    let (node, _api) = server_with_room().await;
    let base = node.http_url();
    let sec = secretariat();

    let forum = json!({
        "id": "ffd-2027",
        "title": "Regional consultations on financing for development 2027",
        "criteria": "Work on financing for development in the region.",
        "rooms": ["rt"],
        "quota": 2,
        "accredited_only": true
    });
    let (status, body) = post(&base, "/api/registry/forums", Some(&sec), forum).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Two organisations apply through the public endpoint, without a token.
    let (status, accepted) = post(
        &base,
        "/api/registry/apply",
        None,
        public_application("Women in Trade Network", "KE", "focal@witn.example"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{accepted}");
    let (status, refused) = post(
        &base,
        "/api/registry/apply",
        None,
        public_application("Offshore Friends", "FR", "focal@offshore.example"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{refused}");

    // Until its focal point confirms the address (by opening a sign-in link, which only
    // reaches them there), an application cannot be decided.
    let approve = format!(
        "/api/registry/applications/{}/decision",
        accepted["application"]
    );
    let (status, body) = post(
        &base,
        &approve,
        Some(&sec),
        json!({"decision": "approved", "reason": "Meets the criteria."}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.to_string().contains("confirm their e-mail address"),
        "{body}"
    );
    for applied in [&accepted, &refused] {
        let focal = applied["org"].as_u64().unwrap() + 1;
        let (status, sent) = post(
            &base,
            &format!("/api/registry/people/{focal}/invitation"),
            Some(&sec),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");
        let (status, _) = sign_in(&base, sent["link"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK);
    }

    // A decision without a reason is refused; with one it is recorded.
    let (status, body) = post(
        &base,
        &approve,
        Some(&sec),
        json!({"decision": "approved", "reason": ""}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = post(
        &base,
        &approve,
        Some(&participant("amina", "KE")),
        json!({"decision": "approved", "reason": "Meets the criteria."}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = post(
        &base,
        &approve,
        Some(&sec),
        json!({"decision": "approved", "reason": "Long record on the forum's themes."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let reject = format!(
        "/api/registry/applications/{}/decision",
        refused["application"]
    );
    let (status, body) = post(
        &base,
        &reject,
        Some(&sec),
        json!({"decision": "rejected", "reason": "No work on the forum's themes."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The public list (no token) shows the decision and its reason, and nothing personal.
    let response = reqwest::get(format!("{base}/api/registry/public"))
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    let public = response.text().await.unwrap();
    assert!(public.contains("Women in Trade Network"), "{public}");
    assert!(
        public.contains("Long record on the forum's themes."),
        "{public}"
    );
    assert!(
        public.contains("Work on financing for development"),
        "{public}"
    );
    assert!(!public.contains("Offshore Friends"), "{public}");
    assert!(
        !public.contains('@'),
        "no e-mail address is public: {public}"
    );

    // Focal points sign in with links the secretariat issues; the registry says who they are.
    let accepted_focal = accepted["org"].as_u64().unwrap() + 1;
    let (status, sent) = post(
        &base,
        &format!("/api/registry/people/{accepted_focal}/invitation"),
        Some(&sec),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let (status, focal) = sign_in(&base, sent["link"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{focal}");
    assert_eq!(focal["profile"]["org"], "Women in Trade Network");
    let (status, again) = sign_in(&base, sent["link"].as_str().unwrap()).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a link works once: {again}"
    );
    let focal_token = focal["token"].as_str().unwrap().to_owned();

    // The focal point names a representative, who signs in and joins the accredited room.
    let (status, named) = post(
        &base,
        &format!("/api/registry/organisations/{}/people", accepted["org"]),
        Some(&focal_token),
        json!({
            "role": "representative",
            "forum": "ffd-2027",
            "contact": {"name": "Wanjiru Kamau", "email": "wanjiru@witn.example"}
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{named}");
    let (status, sent) = post(
        &base,
        &format!("/api/registry/people/{}/invitation", named["seq"]),
        Some(&focal_token),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let (status, representative) = sign_in(&base, sent["link"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{representative}");
    let (mut wanjiru, profile) =
        Client::signed_in(&node.ws_url(), representative["token"].as_str().unwrap()).await;
    assert_eq!(profile.org.as_deref(), Some("Women in Trade Network"));
    assert_eq!(
        profile.country.map(|c| c.to_string()).as_deref(),
        Some("KE")
    );
    assert_eq!(profile.constituency, Some(Constituency::Ngos));
    wanjiru.join("rt", None).await;

    // The secretariat's list of invitations as CSV; nobody else may read it.
    let csv = reqwest::Client::new()
        .get(format!("{base}/api/registry/invitations.csv"))
        .bearer_auth(&sec)
        .send()
        .await
        .expect("GET");
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(
        csv.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("invitation,person,name,email,"), "{csv}");
    assert!(csv.contains(",wanjiru@witn.example,"), "{csv}");
    assert!(
        !csv.contains("#invite="),
        "no link is stored or listed: {csv}"
    );
    let forbidden = reqwest::Client::new()
        .get(format!("{base}/api/registry/invitations.csv"))
        .bearer_auth(&focal_token)
        .send()
        .await
        .expect("GET");
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

    // The rejected organisation's focal point cannot get in.
    let refused_focal = refused["org"].as_u64().unwrap() + 1;
    let (_, sent) = post(
        &base,
        &format!("/api/registry/people/{refused_focal}/invitation"),
        Some(&sec),
        json!({}),
    )
    .await;
    let (status, offshore) = sign_in(&base, sent["link"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{offshore}");
    let (mut outsider, _) =
        Client::signed_in(&node.ws_url(), offshore["token"].as_str().unwrap()).await;
    let refusal = outsider
        .try_join("rt", None)
        .await
        .expect_err("a rejected organisation is not admitted");
    assert_eq!(refusal.code, baraza_proto::error::ErrorCode::Forbidden);

    // `baraza verify` covers the registry's record and names a tampered event.
    let data = node.data().clone();
    drop(wanjiru);
    drop(outsider);
    assert!(node.stop().await.success());
    let (status, output) = verify(data.path());
    assert!(status.success(), "{output}");
    assert!(output.contains("ok      registry"), "{output}");

    let db = rusqlite::Connection::open(data.path().join("record.sqlite3")).unwrap();
    let (seq, event): (i64, String) = db
        .query_row(
            "SELECT seq, event FROM events WHERE room = 'registry' AND event LIKE '%Long record%'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    let forged = event.replace("Long record", "Short record");
    db.execute(
        "UPDATE events SET event = ?1 WHERE room = 'registry' AND seq = ?2",
        rusqlite::params![forged, seq],
    )
    .unwrap();
    drop(db);
    let (status, output) = verify(data.path());
    assert!(!status.success(), "{output}");
    assert!(
        output.contains(&format!("BROKEN  registry at seq {seq}")),
        "{output}"
    );
}
