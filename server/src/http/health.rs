//! `GET /healthz`: `200` with status `ok`, or `503` with status `degraded` and the problems
//! found (load balancers stop sending people to a node that cannot record what they say).

use crate::health::HealthMonitor;
use crate::hub::Hub;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use baraza_proto::api::Health;
use std::sync::Arc;

/// Runs the health checks and answers with their outcome.
pub async fn healthz(
    State(hub): State<Hub>,
    Extension(health): Extension<Arc<HealthMonitor>>,
) -> (StatusCode, Json<Health>) {
    let problems = health.check();
    let (status, word) = if problems.is_empty() {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "degraded")
    };
    (
        status,
        Json(Health {
            status: word.into(),
            engine: hub.engine().into(),
            node: hub.config().node.clone(),
            version: env!("CARGO_PKG_VERSION").into(),
            problems,
        }),
    )
}
