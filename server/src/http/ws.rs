//! `GET /ws`: upgrade to a WebSocket speaking `baraza.v1`.

use super::error::HttpError;
use super::origin::AllowedOrigins;
use crate::hub::{Hub, session};
use crate::metrics::Metrics;
use axum::Extension;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use baraza_proto::SUBPROTOCOL;
use baraza_proto::error::ErrorCode;
use std::sync::Arc;

/// How much larger than the message limit a frame may be before the socket is closed with 1009
/// instead of being answered with `frame_too_large`.
const HARD_LIMIT_FACTOR: usize = 16;

/// Upgrades the request, insisting on the `baraza.v1` subprotocol and, when the request has an
/// `Origin`, on an [allowed origin](super::origin) (`403 forbidden` otherwise).
pub async fn upgrade(
    State(hub): State<Hub>,
    Extension(origins): Extension<Arc<AllowedOrigins>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, HttpError> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let origin = headers
        .get(header::ORIGIN)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    if !origins.permits(origin, text(header::HOST)) {
        Metrics::add(&hub.metrics().origins_refused, 1);
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!(
                "WebSocket connections from pages of {} are not allowed here; the node accepts \
                 its own origin and those configured with --allowed-origin",
                origin.unwrap_or_default()
            ),
        ));
    }
    let offered = upgrade
        .requested_protocols()
        .flat_map(|v| {
            v.to_str()
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .any(|p| p == SUBPROTOCOL);
    if !offered {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidMessage,
            format!("offer the WebSocket subprotocol {SUBPROTOCOL} (Sec-WebSocket-Protocol)"),
        ));
    }
    let hard_limit = hub.config().limits.max_frame_bytes * HARD_LIMIT_FACTOR;
    let tracked = hub.clone();
    Ok(upgrade
        .protocols([SUBPROTOCOL])
        .max_message_size(hard_limit)
        .max_frame_size(hard_limit)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| tracked.track(session::serve(socket, hub))))
}
