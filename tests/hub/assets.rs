//! How the node's responses travel: compressed where the client accepts it, and the web
//! client's files cached by content.

use super::*;
use baraza_proto::SUBPROTOCOL;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use std::io::Read;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// `GET url` with `Accept-Encoding: encoding` (none when `None`) and, where given, a token:
/// the status, the headers and the body exactly as it came over the wire.
async fn fetch(
    url: &str,
    encoding: Option<&str>,
    token: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(encoding) = encoding {
        request = request.header(header::ACCEPT_ENCODING, encoding);
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.bytes().await.expect("body").to_vec();
    (status, headers, body)
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli_decompressor::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

fn header(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn assets_and_json_are_compressed_when_the_client_accepts_it_and_decode_to_the_same_bytes() {
    let (node, _api) = server_with_room().await;
    let base = node.http_url();
    let token = participant("amina", "KE");
    for (path, token) in [
        ("/js/main.js", None),
        ("/app.css", None),
        ("/", None),
        ("/api/rooms/rt", Some(token.as_str())),
        ("/api/geo", None),
        ("/api/openapi.json", None),
    ] {
        let url = format!("{base}{path}");
        let (status, plain_headers, plain) = fetch(&url, None, token).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            header(&plain_headers, header::CONTENT_ENCODING),
            None,
            "{path}: identity without Accept-Encoding"
        );
        assert!(
            plain.len() > 256,
            "{path} is worth compressing ({} bytes)",
            plain.len()
        );
        for (accept, coding, decode) in [
            ("gzip", "gzip", gunzip as fn(&[u8]) -> Vec<u8>),
            ("br", "br", unbrotli),
            ("gzip, deflate, br, zstd", "br", unbrotli),
        ] {
            let (status, headers, wire) = fetch(&url, Some(accept), token).await;
            assert_eq!(status, StatusCode::OK, "{path} ({accept})");
            assert_eq!(
                header(&headers, header::CONTENT_ENCODING),
                Some(coding),
                "{path} ({accept})"
            );
            assert!(
                header(&headers, header::VARY)
                    .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
                "{path}: caches keep the encodings apart"
            );
            if plain.len() > 4000 {
                assert!(
                    wire.len() * 2 < plain.len(),
                    "{path} ({accept}): {} of {} bytes",
                    wire.len(),
                    plain.len()
                );
            }
            assert_eq!(
                decode(&wire),
                plain,
                "{path} ({accept}) decodes to the same bytes"
            );
        }
        let (_, headers, wire) = fetch(&url, Some("identity"), token).await;
        assert_eq!(
            header(&headers, header::CONTENT_ENCODING),
            None,
            "{path}: identity asked"
        );
        assert_eq!(wire, plain);
    }
}

#[tokio::test]
async fn tiny_bodies_revalidations_exports_and_upgrades_are_not_compressed() {
    let (node, _api) = server_with_room().await;
    let base = node.http_url();
    // A tiny body.
    let (status, headers, _) = fetch(&format!("{base}/healthz"), Some("gzip, br"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, header::CONTENT_ENCODING),
        None,
        "healthz is tiny"
    );
    // A revalidation answered 304 has no body to compress.
    let url = format!("{base}/js/main.js");
    let (_, headers, _) = fetch(&url, None, None).await;
    let etag = header(&headers, header::ETAG).expect("an ETag").to_owned();
    let response = reqwest::Client::new()
        .get(&url)
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(response.headers(), header::CONTENT_ENCODING), None);
    // An export is an attachment: its exact bytes, with their length.
    let moderator = moderator();
    let url = format!("{base}/api/rooms/rt/export?format=json");
    let (status, headers, body) = fetch(&url, Some("gzip, br"), Some(&moderator)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        header(&headers, header::CONTENT_DISPOSITION)
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(
        header(&headers, header::CONTENT_ENCODING),
        None,
        "exports keep their bytes"
    );
    assert_eq!(
        header(&headers, header::CONTENT_LENGTH),
        Some(body.len().to_string().as_str())
    );
    // A WebSocket upgrade from a client that accepts compression is a plain 101.
    let mut request = node.ws_url().into_client_request().expect("request");
    let headers = request.headers_mut();
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    headers.insert("Accept-Encoding", HeaderValue::from_static("gzip, br"));
    let (mut socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgraded");
    assert_eq!(response.status().as_u16(), 101);
    assert_eq!(response.headers().get("content-encoding"), None);
    socket.close(None).await.ok();
}

/// The `/v/<hash>/` prefix the index page points into.
fn version_prefix(index: &str) -> String {
    let at = index.find("src=\"/v/").expect("the entry is versioned") + "src=\"".len();
    let end = index[at..].find("js/main.js").expect("the entry") + at;
    index[at..end].to_owned()
}

#[tokio::test]
async fn the_app_is_cached_by_content_hash_and_the_index_revalidates() {
    let node = NodeProcess::start().await;
    let base = node.http_url();
    let (status, headers, index) = fetch(&format!("{base}/"), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, header::CACHE_CONTROL), Some("no-cache"));
    let index = String::from_utf8(index).unwrap();
    let prefix = version_prefix(&index);
    assert_eq!(prefix.len(), "/v/".len() + 16 + 1, "{prefix}");
    assert!(index.contains(&format!("href=\"{prefix}app.css\"")));
    // The index page preloads the first load's modules, inside the prefix.
    let preloads: Vec<&str> = index
        .split("<link rel=\"modulepreload\" href=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(preloads.len() >= 10, "{preloads:?}");
    assert!(preloads.iter().all(|p| p.starts_with(&prefix)));
    assert!(preloads.contains(&format!("{prefix}js/views/room.js").as_str()));
    // Inside the prefix: immutable, for the entry, what it imports, what it imports on demand.
    for path in [
        "js/main.js",
        "js/views/room.js",
        "js/views/chair.js",
        "js/locales/fr.js",
        "css/chair.css",
        "app.css",
        "registry.css",
    ] {
        let (status, headers, _) =
            fetch(&format!("{base}{prefix}{path}"), Some("gzip"), None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            header(&headers, header::CACHE_CONTROL),
            Some("public, max-age=31536000, immutable"),
            "{path}"
        );
    }
    let (status, _, _) = fetch(&format!("{base}{prefix}js/nothing.js"), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another version's prefix (a tab opened before a deploy) is served, but never as immutable.
    let (status, headers, _) =
        fetch(&format!("{base}/v/0000000000000000/js/main.js"), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, header::CACHE_CONTROL), Some("no-cache"));
    // The old paths work as before: no-cache, and 304 to a revisit with the tag.
    for path in ["/js/main.js", "/app.css", "/"] {
        let url = format!("{base}{path}");
        let (status, headers, _) = fetch(&url, None, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            header(&headers, header::CACHE_CONTROL),
            Some("no-cache"),
            "{path}"
        );
        let etag = header(&headers, header::ETAG).expect("an ETag").to_owned();
        let revisit = reqwest::Client::new()
            .get(&url)
            .header(header::IF_NONE_MATCH, &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(revisit.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
}
