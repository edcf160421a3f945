//! `GET /api/rooms/{id}/threads`: a consultation's questions with their threaded submissions,
//! its synthesis, inputs and figures, for people and tools that keep no socket open.

use super::caller::Caller;
use super::error::HttpError;
use crate::domain::consultation::threads::threads;
use crate::domain::visibility::ReadPath;
use crate::hub::Hub;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use baraza_proto::consultation::ThreadsPage;
use baraza_proto::error::ErrorCode;
use baraza_proto::ids::RoomId;

/// The threads as the domain lets the caller see them (`domain::visibility`, path `Threads`):
/// hidden texts redacted and held or rejected statements left out for those who do not
/// moderate; a draft only for moderators, the secretariat and its rapporteurs.
pub async fn room_threads(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<ThreadsPage>, HttpError> {
    let id = RoomId::new(id).map_err(|e| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::RoomNotFound,
            e.to_string(),
        )
    })?;
    let (seq, view) = hub.room_view(&id, caller, ReadPath::Threads).await?;
    let page = threads(seq, &view).ok_or_else(|| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidCommand,
            format!("{id} is not a consultation"),
        )
    })?;
    Ok(Json(page))
}
