//! `GET /api/openapi.json` against the handlers the binary serves: every documented operation
//! is routed to a handler, every documented body is read by it, and no method a path answers
//! is left out of the document.

use super::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes_the_binary_serves() {
    let (node, _) = server_with_room().await;
    let http = reqwest::Client::new();
    let base = node.http_url();
    let response = http
        .get(format!("{base}/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "served without a token");
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let copy: Value = serde_json::from_str(include_str!("../../docs/openapi.json")).unwrap();
    assert_eq!(
        document, copy,
        "docs/openapi.json is the document the binary serves"
    );
    validate_openapi(&document);

    let token = secretariat();
    let mut bodies_read = 0;
    let mut refused_first = Vec::new();
    let paths = document["paths"].as_object().expect("paths");
    assert!(paths.len() >= 20, "the whole API: {:?}", paths.keys());
    for (path, item) in paths {
        let url = format!("{base}{}", concrete(path));
        let documented: Vec<String> = item.as_object().unwrap().keys().cloned().collect();
        for method in ["get", "post", "put", "patch", "delete"] {
            let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut request = http.request(verb, &url).bearer_auth(&token);
            let operation = &item[method];
            let takes_body = operation["requestBody"]["required"] == true;
            if takes_body {
                // Not an object: every documented body is a JSON object, so the handler that
                // reads it must refuse this one.
                request = request
                    .header("content-type", "application/json")
                    .body("[]");
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            if !documented.iter().any(|m| m == method) {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is served but not documented"
                );
                continue;
            }
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                !(status == StatusCode::NOT_FOUND && text.is_empty()),
                "{method} {path} is documented but not routed"
            );
            if takes_body {
                let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                match (status, body["error"]["code"].as_str()) {
                    (StatusCode::BAD_REQUEST, Some("invalid_message")) => bodies_read += 1,
                    // A handler that refuses this caller before reading the body (the
                    // secretariat has no e-mail settings) says so with a documented error.
                    (StatusCode::FORBIDDEN, Some("forbidden")) => refused_first.push(path.clone()),
                    other => {
                        panic!("{method} {path} reads the documented JSON body: {other:?} {text}")
                    }
                }
            }
        }
    }
    let required_bodies = paths
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter(|operation| operation["requestBody"]["required"] == true)
        .count();
    assert_eq!(
        bodies_read + refused_first.len(),
        required_bodies,
        "every documented body is read by its handler"
    );
    assert_eq!(
        refused_first,
        ["/api/mail/settings"],
        "only the e-mail settings refuse the secretariat before reading its body"
    );
}

/// The path with its parameters filled in (`{id}` becomes `1`, a room id `rt`).
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            "{id}" if path.starts_with("/api/rooms") => "rt",
            s if s.starts_with('{') => "1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Validates `document` against the OpenAPI 3.1 schema with `openapi-spec-validator` (PyPI;
/// .ci/run installs it).
fn validate_openapi(document: &Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, serde_json::to_vec(document).unwrap()).unwrap();
    let output = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "the document is valid OpenAPI 3.1 (pip install openapi-spec-validator): {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
