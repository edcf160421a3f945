//! `GET /ws`: upgrade to a WebSocket speaking `baraza.v1`.

use super::error::HttpError;
use crate::hub::{Hub, session};
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::StatusCode;
use axum::response::Response;
use baraza_proto::SUBPROTOCOL;
use baraza_proto::error::ErrorCode;

/// How much larger than the message limit a frame may be before the socket is closed with 1009
/// instead of being answered with `frame_too_large`.
const HARD_LIMIT_FACTOR: usize = 16;

/// Upgrades the request, insisting on the `baraza.v1` subprotocol.
pub async fn upgrade(
    State(hub): State<Hub>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, HttpError> {
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
