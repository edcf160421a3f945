//! The HTTP face of a node: every route is built in [`router`]; handlers stay thin.
//!
//! - `GET /ws`: the WebSocket protocol ([`ws`]).
//! - `/api/*`: rooms and their records ([`api`]), authenticated with `Authorization: Bearer`;
//!   a consultation's threads ([`consultation`]).
//! - `GET /healthz`, `GET /metrics`: liveness and Prometheus text.
//! - `GET /`: the web client ([`web_client`]).

mod api;
mod caller;
mod consultation;
mod error;
mod web_client;
mod ws;

use crate::hub::Hub;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use baraza_proto::api::Health;

/// Builds every route of a node.
pub fn router(hub: Hub) -> Router {
    Router::new()
        .route("/ws", get(ws::upgrade))
        .route("/api/rooms", get(api::list_rooms).post(api::create_room))
        .route("/api/rooms/{id}", get(api::room_view))
        .route("/api/rooms/{id}/events", get(api::room_events))
        .route("/api/rooms/{id}/threads", get(consultation::room_threads))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(web_client::routes())
        .with_state(hub)
}

async fn healthz(State(hub): State<Hub>) -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
        engine: hub.engine().into(),
        node: hub.config().node.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

async fn metrics(State(hub): State<Hub>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        hub.metrics().render(),
    )
}
