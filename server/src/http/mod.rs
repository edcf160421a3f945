//! The HTTP face of a node: every route is built in [`router`]; handlers stay thin.
//!
//! - `GET /ws`: the WebSocket protocol ([`ws`]), for pages of [allowed origins](origin).
//! - `/api/*`: rooms and their records ([`api`]), authenticated with `Authorization: Bearer`
//!   and rate-limited per caller ([`rest_limit`]); a consultation's threads ([`consultation`]);
//!   the record as a document ([`export`](mod@export)).
//! - `/api/registry/*`: organisations, accreditation, invitations, the public list
//!   ([`registry`]).
//! - `/api/mail/*`: e-mail settings, the outbox, the inbox log, digests ([`mail`]).
//! - `GET /healthz`, `GET /metrics`: health ([`health`]) and Prometheus text.
//! - `GET /`: the web client ([`web_client`]).
//!
//! Every response carries the [security headers](security). Connections over the node's
//! connection limits are served by [`reserve_router`] instead (see [`crate::edge`]).

mod api;
mod caller;
mod consultation;
mod error;
mod export;
pub mod health;
pub mod mail;
pub mod origin;
pub mod registry;
pub mod rest_limit;
pub mod security;
mod web_client;
mod ws;

use crate::health::HealthMonitor;
use crate::hub::Hub;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router, middleware};
use baraza_proto::error::ErrorCode;
use error::HttpError;
use origin::AllowedOrigins;
use rest_limit::{RestLimiter, RestRate};
use std::sync::Arc;

/// How long a client refused at the connection limit is asked to wait (`Retry-After`).
pub const RETRY_AFTER_LIMIT_SECS: u32 = 5;

/// The HTTP policies of a node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebConfig {
    /// Origins beyond the node's own whose pages may open a WebSocket.
    pub allowed_origins: AllowedOrigins,
    /// The REST rate limit per caller.
    pub rest_rate: RestRate,
}

/// Builds every route of a node.
pub fn router(
    hub: Hub,
    web: WebConfig,
    health: Arc<HealthMonitor>,
    mail: Option<Arc<crate::mail::MailService>>,
) -> Router {
    let limiter = Arc::new(RestLimiter::new(web.rest_rate));
    let api = Router::new()
        .route("/api/rooms", get(api::list_rooms).post(api::create_room))
        .route("/api/rooms/{id}", get(api::room_view))
        .route("/api/geo", get(api::geo))
        .route("/api/rooms/{id}/events", get(api::room_events))
        .route("/api/rooms/{id}/threads", get(consultation::room_threads))
        .route("/api/rooms/{id}/export", get(export::room_export))
        .route("/api/registry", get(registry::view))
        .route("/api/registry/public", get(registry::public_list))
        .route("/api/registry/apply", post(registry::apply))
        .route("/api/registry/sign-in", post(registry::sign_in))
        .route("/api/registry/events", get(registry::events))
        .route("/api/registry/organisations", post(registry::register))
        .route("/api/registry/forums", post(registry::create_forum))
        .route("/api/registry/applications", post(registry::submit))
        .route(
            "/api/registry/applications/{id}/decision",
            post(registry::decision),
        )
        .route(
            "/api/registry/applications/{id}/answer",
            post(registry::answer),
        )
        .route(
            "/api/registry/applications/{id}/withdraw",
            post(registry::withdraw),
        )
        .route(
            "/api/registry/organisations/{id}/people",
            post(registry::add_person),
        )
        .route(
            "/api/registry/people/{id}/revoke",
            post(registry::revoke_person),
        )
        .route(
            "/api/registry/people/{id}/invitation",
            post(registry::invite),
        )
        .route(
            "/api/registry/invitations/{id}/revoke",
            post(registry::revoke_invitation),
        )
        .route(
            "/api/mail/settings",
            get(mail::get_settings).put(mail::put_settings),
        )
        .route("/api/mail/digests", post(mail::run_digests))
        .route("/api/mail/outbox", get(mail::outbox))
        .route("/api/mail/inbox", get(mail::inbox))
        .route_layer(middleware::from_fn_with_state(
            (hub.clone(), limiter),
            rest_limit::limit_api,
        ));
    Router::new()
        .route("/ws", get(ws::upgrade))
        .merge(api)
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics))
        .merge(web_client::routes())
        .layer(Extension(Arc::new(web.allowed_origins)))
        .layer(Extension(health))
        .layer(Extension(mail))
        .layer(middleware::map_response(security::security_headers))
        .with_state(hub)
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
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        hub.metrics().render(),
    )
}
