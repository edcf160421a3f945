//! The network edge: idle connections are closed and capped, every response carries the
//! security headers, WebSocket upgrades are checked against the allowed origins, REST has a
//! rate limit, and `/healthz` says when the node is degraded.

use super::*;
use baraza_e2e::DataDir;
use baraza_proto::SUBPROTOCOL;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde_json::Value;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// The longest any test here waits for the node to close a connection.
const CLOSE_WITHIN: Duration = Duration::from_secs(5);

/// A TCP connection to `node` from the loopback address `from` (127.0.0.2 … act as other hosts).
async fn connect_from(from: &str, node: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    let from: IpAddr = from.parse().expect("an address");
    socket.bind(SocketAddr::new(from, 0)).expect("bind");
    socket.connect(node).await.expect("connect")
}

/// Reads until the node closes `tcp` (or resets it); what it sent first. Panics when the
/// connection is still open after [`CLOSE_WITHIN`].
async fn closed_by_node(tcp: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let outcome = tokio::time::timeout(CLOSE_WITHIN, tcp.read_to_end(&mut received)).await;
    assert!(outcome.is_ok(), "the node kept an idle connection open");
    String::from_utf8_lossy(&received).into_owned()
}

/// Whether the node still holds `tcp` open after `wait` (it has sent nothing and not closed).
async fn still_open(tcp: &mut TcpStream, wait: Duration) -> bool {
    let mut byte = [0u8; 1];
    tokio::time::timeout(wait, tcp.read(&mut byte))
        .await
        .is_err()
}

/// Waits (at most [`CLOSE_WITHIN`]) until the node has seen closed connections go and serves
/// REST again.
async fn served_again(node: &NodeProcess) {
    let url = format!("{}/api/rooms", node.http_url());
    let deadline = tokio::time::Instant::now() + CLOSE_WITHIN;
    while get(&url, Some(&secretariat())).await.0 != StatusCode::OK {
        assert!(tokio::time::Instant::now() < deadline, "still at the limit");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn get(url: &str, token: Option<&str>) -> (StatusCode, HeaderMap, Value) {
    let client = reqwest::Client::new();
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

/// Upgrades to a WebSocket with `origin` (if any); the status and body of a refusal.
async fn upgrade_with_origin(
    node: &NodeProcess,
    origin: Option<&str>,
) -> Result<(), (u16, String)> {
    let mut request = node.ws_url().into_client_request().expect("request");
    let headers = request.headers_mut();
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    if let Some(origin) = origin {
        headers.insert("Origin", HeaderValue::from_str(origin).expect("a header"));
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((mut socket, _)) => {
            socket.close(None).await.ok();
            Ok(())
        }
        Err(tungstenite::Error::Http(response)) => Err((
            response.status().as_u16(),
            String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned(),
        )),
        Err(other) => panic!("unexpected handshake error {other}"),
    }
}

#[tokio::test]
async fn idle_connections_are_capped_per_address_and_closed_after_the_header_timeout() {
    let node = NodeProcess::start_with(
        DataDir::new(),
        &[
            "--max-connections",
            "40",
            "--max-connections-per-address",
            "10",
            "--per-address-exempt",
            "none",
            "--health-reserve",
            "4",
            "--header-timeout",
            "200ms",
        ],
    )
    .await;
    // One host opens 30 connections and never sends a byte.
    let mut idle = Vec::new();
    for _ in 0..30 {
        idle.push(connect_from("127.0.0.2", node.addr()).await);
    }
    // Its 10 places and 2 in the reserve are held; the other 18 are refused at once, clearly.
    let mut refused = 0;
    for tcp in &mut idle[12..] {
        let said = closed_by_node(tcp).await;
        assert!(said.starts_with("HTTP/1.1 503"), "{said:?}");
        assert!(said.contains("\"unavailable\""), "{said:?}");
        refused += 1;
    }
    assert_eq!(refused, 18);

    // Meanwhile everyone else is served: health checks and the WebSocket.
    let (status, _, health) = get(&format!("{}/healthz", node.http_url()), None).await;
    assert_eq!(
        (status, health["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (mut amina, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    amina.ping().await;

    // The held ones never sent their headers: closed after the header timeout (200 ms).
    for tcp in &mut idle[..12] {
        closed_by_node(tcp).await;
    }
    // Their places are free again.
    let mut again = connect_from("127.0.0.2", node.addr()).await;
    again
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(closed_by_node(&mut again).await.starts_with("HTTP/1.1 200"));
    // An authenticated WebSocket is not subject to the HTTP timeouts.
    amina.ping().await;
}

#[tokio::test]
async fn at_the_total_cap_health_checks_still_answer_from_the_reserve() {
    let node = NodeProcess::start_with(
        DataDir::new(),
        &["--max-connections", "8", "--health-reserve", "4"],
    )
    .await;
    // Eight hosts fill the node with connections that send nothing (header timeout 10 s).
    let mut held = Vec::new();
    for host in 2..10 {
        held.push(connect_from(&format!("127.0.0.{host}"), node.addr()).await);
    }
    // A health check is answered; anything else gets a clear 503 with Retry-After.
    let (status, headers, health) = get(&format!("{}/healthz", node.http_url()), None).await;
    assert_eq!(
        (status, health["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    assert_eq!(headers["x-frame-options"], "DENY");
    let (status, headers, body) = get(
        &format!("{}/api/rooms", node.http_url()),
        Some(&secretariat()),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(headers.contains_key(RETRY_AFTER));
    assert_eq!(
        upgrade_with_origin(&node, None)
            .await
            .map_err(|(status, _)| status),
        Err(503)
    );
    let (_, _, metrics) = get(&format!("{}/metrics", node.http_url()), None).await;
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("baraza_connections_limited_total 4"),
        "{metrics}"
    );
    // The held connections are still open (the cap refused newcomers, not them) …
    assert!(still_open(&mut held[0], Duration::from_millis(50)).await);
    // … and once they go, the node serves normally again.
    drop(held);
    served_again(&node).await;
    let (mut amina, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    amina.ping().await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let (node, _api) = server_with_room().await;
    let base = node.http_url();
    let token = participant("amina", "KE");
    for (path, token, expected) in [
        ("/", None, StatusCode::OK),
        ("/js/main.js", None, StatusCode::OK),
        ("/api/rooms", Some(token.as_str()), StatusCode::OK),
        ("/api/rooms/rt", Some(token.as_str()), StatusCode::OK),
        ("/api/rooms", None, StatusCode::UNAUTHORIZED),
        ("/healthz", None, StatusCode::OK),
        ("/metrics", None, StatusCode::OK),
        ("/nothing-here", None, StatusCode::NOT_FOUND),
    ] {
        let (status, headers, _) = get(&format!("{base}{path}"), token).await;
        assert_eq!(status, expected, "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
    }
}

#[tokio::test]
async fn websocket_upgrades_from_foreign_origins_are_refused() {
    let node = NodeProcess::start_with(
        DataDir::new(),
        &["--allowed-origin", "https://portal.example.org"],
    )
    .await;
    let (status, body) = upgrade_with_origin(&node, Some("https://evil.example"))
        .await
        .expect_err("a foreign origin is refused");
    assert_eq!(status, 403);
    let body: Value = serde_json::from_str(&body).expect("an error body");
    assert_eq!(body["error"]["code"], "forbidden");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("https://evil.example"),
        "{body}"
    );
    // The node's own origin, a configured one, and none at all (not a browser) are accepted.
    let own = node.http_url();
    for origin in [Some(own.as_str()), Some("https://portal.example.org"), None] {
        assert_eq!(
            upgrade_with_origin(&node, origin).await,
            Ok(()),
            "{origin:?}"
        );
    }
    let (_, _, metrics) = get(&format!("{}/metrics", node.http_url()), None).await;
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("baraza_origins_refused_total 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_rest_burst_over_the_limit_gets_429_with_retry_after() {
    let node =
        NodeProcess::start_with(DataDir::new(), &["--api-rate", "1", "--api-burst", "5"]).await;
    let url = format!("{}/api/rooms", node.http_url());
    let amina = participant("amina", "KE");
    for _ in 0..5 {
        assert_eq!(get(&url, Some(&amina)).await.0, StatusCode::OK);
    }
    let (status, headers, body) = get(&url, Some(&amina)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "rate_limited");
    let retry_after: u64 = headers[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    // Another person has a budget of their own; callers without a valid token share their
    // address's budget, so forged tokens cannot be tried at full speed.
    assert_eq!(
        get(&url, Some(&participant("chen", "CN"))).await.0,
        StatusCode::OK
    );
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(get(&url, Some("forged")).await.0);
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    // Health checks are never rate-limited.
    for _ in 0..10 {
        assert_eq!(
            get(&format!("{}/healthz", node.http_url()), None).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn low_free_space_makes_the_node_degraded_in_healthz_and_metrics() {
    // More free space than any disk has: the check must fail.
    let node = NodeProcess::start_with(DataDir::new(), &["--min-free-disk", "1000000TiB"]).await;
    let (status, _, health) = get(&format!("{}/healthz", node.http_url()), None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health["status"], "degraded");
    assert_eq!(health["problems"][0]["check"], "disk_space");
    assert!(
        health["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("--min-free-disk"),
        "{health}"
    );
    let (_, _, metrics) = get(&format!("{}/metrics", node.http_url()), None).await;
    let metrics = metrics.as_str().unwrap();
    assert!(metrics.contains("baraza_health_degraded 1"), "{metrics}");
    // Still a working node: people keep talking while the operator frees space.
    let (mut amina, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    amina.ping().await;
}

#[tokio::test]
async fn with_default_limits_idle_connections_cannot_exhaust_the_descriptors() {
    // The attack of the review: connections that never send a request, far more than the
    // node's open-file limit allows, from eight addresses. The caps are derived from the limit
    // (128 descriptors: 48 connections, a reserve of 16); 127.0.0.1 plays the trusted network
    // the load balancer's health checks come from.
    let node = NodeProcess::start_with_nofile(&["--per-address-exempt", "127.0.0.1/32"], 128).await;
    let mut held = Vec::new();
    for i in 0..300 {
        held.push(connect_from(&format!("127.0.0.{}", 2 + i % 8), node.addr()).await);
    }
    // The node still answers its health check, at once …
    let client = reqwest::Client::builder()
        .timeout(CLOSE_WITHIN)
        .build()
        .unwrap();
    let health = client
        .get(format!("{}/healthz", node.http_url()))
        .send()
        .await
        .expect("/healthz answers while the node is flooded");
    assert_eq!(health.status(), StatusCode::OK);
    // … refuses a WebSocket clearly instead of hanging …
    assert_eq!(
        upgrade_with_origin(&node, None)
            .await
            .map_err(|(status, _)| status),
        Err(503)
    );
    // … and never ran out of descriptors.
    let metrics = client
        .get(format!("{}/metrics", node.http_url()))
        .send()
        .await
        .expect("/metrics answers")
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("baraza_accept_errors_total 0"),
        "{metrics}"
    );
    // Every one of the 300 got an answer or a place: 48 served, the rest (and the three checks
    // above) answered from the reserve or refused at accept with a 503.
    let counter = |name: &str| -> u64 {
        let line = metrics
            .lines()
            .find(|line| line.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} missing"));
        line[name.len() + 1..].parse().expect("a number")
    };
    assert_eq!(
        counter("baraza_connections_limited_total") + counter("baraza_connections_refused_total"),
        300 - 48 + 3,
        "{metrics}"
    );
    drop(held);
    served_again(&node).await;
    let (mut amina, _) = Client::signed_in(&node.ws_url(), &participant("amina", "KE")).await;
    amina.ping().await;
}
