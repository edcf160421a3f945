//! The web client (`client-web/`), compiled into the binary so that `baraza serve` needs nothing
//! else: `GET /` is the app and `GET /<path>` its modules and styles (`css/` holds the styles
//! of views loaded on demand, kept out of the first load).
//!
//! Files are embedded with `rust-embed`; the client's own browser tests (`client-web/tests/`)
//! and anything else that is not part of the app are excluded. In debug builds `rust-embed`
//! reads the files from disk, so the client can be edited without rebuilding.
//!
//! Caching: file names carry no content hash, so every response says `no-cache` (the browser
//! keeps the file but asks again) and carries an `ETag`; an unchanged file is answered with
//! `304 Not Modified` and no body, which keeps a revisit on a slow connection cheap. The
//! security headers (`nosniff`, the Content-Security-Policy …) are set on every response of the
//! router ([`super::security`]).

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "../client-web/"]
#[include = "index.html"]
#[include = "app.css"]
#[include = "css/*"]
#[include = "registry.css"]
#[include = "js/*"]
#[exclude = "tests/*"]
#[exclude = "*/node_modules/*"]
struct Assets;

/// Routes of the web client.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/app.css", get(|headers| asset("app.css", headers)))
        .route(
            "/registry.css",
            get(|headers| asset("registry.css", headers)),
        )
        .route("/js/{*path}", get(script))
        .route("/css/{*path}", get(style))
}

async fn index(headers: HeaderMap) -> Response {
    asset("index.html", headers).await
}

async fn script(Path(path): Path<String>, headers: HeaderMap) -> Response {
    asset(&format!("js/{path}"), headers).await
}

async fn style(Path(path): Path<String>, headers: HeaderMap) -> Response {
    asset(&format!("css/{path}"), headers).await
}

async fn asset(path: &str, headers: HeaderMap) -> Response {
    let Some(file) = Assets::get(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, file.data.into_owned()).into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, value);
    }
    response
}

/// The content type of an embedded file, by its extension.
fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_is_embedded_and_its_tests_are_not() {
        assert!(Assets::get("index.html").is_some());
        assert!(Assets::get("app.css").is_some());
        assert!(Assets::get("registry.css").is_some());
        assert!(Assets::get("js/main.js").is_some());
        assert!(Assets::get("js/locales/ar.js").is_some());
        assert!(Assets::get("js/locales/chair-ar.js").is_some());
        assert!(Assets::get("css/chair.css").is_some());
        assert!(Assets::iter().all(|p| !p.starts_with("tests/")));
        assert!(Assets::iter().all(|p| !p.contains("node_modules")));
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type("js/main.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("app.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
    }
}
