//! The HTTP face of a node: every route is built in [`router`]; handlers stay thin.
//!
//! - `GET /ws`: the WebSocket protocol ([`ws`]), for pages of [allowed origins](origin).
//! - `/api/*`: rooms and their records ([`api`]), authenticated with `Authorization: Bearer`
//!   and rate-limited per caller ([`rest_limit`]); a consultation's threads ([`consultation`]);
//!   the record as a document ([`export`](mod@export)); search across rooms ([`search`]).
//! - `/api/registry/*`: organisations, accreditation, invitations, the public list
//!   ([`registry`]).
//! - `/api/mail/*`: e-mail settings, the outbox, the inbox log, digests ([`mail`]).
//! - `GET /healthz`, `GET /metrics`: health ([`health`]) and Prometheus text.
//! - `GET /api/openapi.json`: the OpenAPI document ([`openapi`]). Every route above comes from
//!   one [table](endpoints) that builds both the router and the document.
//! - `GET /.well-known/baraza-archive-key`: the public key archive bundles are signed with.
//! - `GET /`: the web client ([`web_client`]).
//!
//! Every response carries the [security headers](security), and is compressed (gzip or brotli,
//! as the client accepts) where that pays: see [`compression`]. Connections over the node's
//! connection limits are served by [`reserve_router`] instead (see [`crate::edge`]).

mod api;
mod caller;
mod consultation;
mod endpoints;
mod error;
mod export;
pub mod health;
pub mod mail;
pub mod openapi;
pub mod origin;
pub mod registry;
pub mod rest_limit;
mod search;
pub mod security;
mod web_client;
mod ws;

use crate::health::HealthMonitor;
use crate::hub::Hub;
use crate::search::Search;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, Version};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Extension, Router, middleware};
use baraza_proto::error::ErrorCode;
use endpoints::{Endpoint, Stack};
use error::HttpError;
use origin::AllowedOrigins;
use rest_limit::{FormRate, RestLimiter, RestRate};
use std::sync::Arc;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};

/// How long a client refused at the connection limit is asked to wait (`Retry-After`).
pub const RETRY_AFTER_LIMIT_SECS: u32 = 5;

/// The HTTP policies of a node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebConfig {
    /// Origins beyond the node's own whose pages may open a WebSocket.
    pub allowed_origins: AllowedOrigins,
    /// The REST rate limit per caller.
    pub rest_rate: RestRate,
    /// The public forms' rate limit per source address.
    pub form_rate: FormRate,
    /// Serve as before issue 14 (no compression, no content-hash prefix, no preloads), so that
    /// a benchmark can measure the difference (`--plain-assets`).
    pub plain_assets: bool,
}

/// Builds every route of a node.
pub fn router(
    hub: Hub,
    web: WebConfig,
    health: Arc<HealthMonitor>,
    archive_key: Arc<ed25519_dalek::SigningKey>,
    mail: Option<Arc<crate::mail::MailService>>,
) -> Router {
    let limiter = Arc::new(RestLimiter::new(web.rest_rate));
    let form_limiter = Arc::new(RestLimiter::for_forms(web.form_rate));
    let search = Arc::new(Search::new().expect("an in-memory SQLite database opens"));
    let mut api = Router::new();
    let mut forms = Router::new();
    let mut node = Router::new();
    for (stack, path, route) in routes(endpoints::all()) {
        match stack {
            Stack::Api => api = api.route(path, route),
            Stack::Form => forms = forms.route(path, route),
            Stack::Node => node = node.route(path, route),
        }
    }
    // The form limit is the inner layer: a request over the per-caller limit is refused before
    // it spends one of its address's few form submissions.
    let forms = forms.route_layer(middleware::from_fn_with_state(
        (hub.clone(), form_limiter),
        rest_limit::limit_form,
    ));
    let api = api.merge(forms).route_layer(middleware::from_fn_with_state(
        (hub.clone(), limiter),
        rest_limit::limit_api,
    ));
    node.merge(api)
        .merge(web_client::routes(web.plain_assets))
        .layer(Extension(Arc::new(web.allowed_origins)))
        .layer(Extension(health))
        .layer(Extension(search))
        .layer(Extension(archive_key))
        .layer(Extension(mail))
        .layer(middleware::map_response(security::security_headers))
        .layer(compression(!web.plain_assets))
        .with_state(hub)
}

/// Bodies smaller than this are sent as they are: compressing them saves less than it costs.
pub const COMPRESS_MIN_BYTES: u16 = 256;

/// The compression of the node's responses: gzip or brotli, whichever the client's
/// `Accept-Encoding` prefers, for every body of at least [`COMPRESS_MIN_BYTES`] (the web
/// client's modules and styles, the JSON API, the OpenAPI document, the metrics).
///
/// Left as they are: tiny bodies and `304`s, the `101` of a WebSocket upgrade (its frames are
/// not HTTP bodies), images, and attachments (`Content-Disposition: attachment`, the exports
/// and archive bundles), which keep their exact bytes and `Content-Length` so that a download
/// shows its progress and a signed bundle is the file that was signed. The level is moderate:
/// bodies are compressed on every request, and a slow link gains little from the last percent.
/// With `enabled` false nothing is compressed (`--plain-assets`).
pub fn compression(enabled: bool) -> CompressionLayer<impl Predicate> {
    let worth_it = move |status: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
        enabled
            && status != StatusCode::SWITCHING_PROTOCOLS
            && !headers
                .get(header::CONTENT_DISPOSITION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| {
                    v.trim_start()
                        .to_ascii_lowercase()
                        .starts_with("attachment")
                })
    };
    CompressionLayer::new()
        .gzip(true)
        .br(true)
        .quality(CompressionLevel::Precise(5))
        .compress_when(
            SizeAbove::new(COMPRESS_MIN_BYTES)
                .and(NotForContentType::IMAGES)
                .and(NotForContentType::SSE)
                .and(worth_it),
        )
}

/// The endpoints' method routers, one per path (an axum path is routed once, with all its
/// methods).
fn routes(endpoints: Vec<Endpoint>) -> Vec<(Stack, &'static str, MethodRouter<Hub>)> {
    let mut routes: Vec<(Stack, &'static str, MethodRouter<Hub>)> = Vec::new();
    for endpoint in endpoints {
        match routes
            .iter_mut()
            .find(|(_, path, _)| *path == endpoint.path)
        {
            Some((_, _, route)) => *route = std::mem::take(route).merge(endpoint.route),
            None => routes.push((endpoint.stack, endpoint.path, endpoint.route)),
        }
    }
    routes
}

/// The routes of a connection over a connection limit: `/healthz` and `/metrics` as usual,
/// `503 unavailable` with `Retry-After` for everything else.
pub fn reserve_router(hub: Hub, health: Arc<HealthMonitor>) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics))
        .fallback(at_connection_limit)
        .layer(Extension(health))
        .layer(middleware::map_response(security::security_headers))
        .with_state(hub)
}

async fn at_connection_limit() -> Response {
    let mut response = HttpError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
        format!(
            "the node is at its connection limit; retry in {RETRY_AFTER_LIMIT_SECS} s \
             (Retry-After)"
        ),
    )
    .into_response();
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(RETRY_AFTER_LIMIT_SECS),
    );
    response
}

async fn metrics(State(hub): State<Hub>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        hub.metrics().render(),
    )
}
