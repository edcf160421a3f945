//! `/api/rooms`: create and list rooms, read a room's view and its record.

use super::caller::Caller;
use super::error::HttpError;
use crate::domain::visibility::ReadPath;
use crate::hub::Hub;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use baraza_proto::api::{GeoTable, RecordPage};
use baraza_proto::error::ErrorCode;
use baraza_proto::ids::{RoomId, Seq};
use baraza_proto::room::{RoomSpec, RoomSummary};
use baraza_proto::view::RoomView;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most events one page of the record holds.
const MAX_PAGE: usize = 1_000;

/// `POST /api/rooms`: the secretariat creates a room.
pub async fn create_room(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    body: Result<Json<RoomSpec>, JsonRejection>,
) -> Result<(StatusCode, Json<RoomSummary>), HttpError> {
    let Json(spec) = body.map_err(|e| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidMessage,
            e.body_text(),
        )
    })?;
    let summary = hub.create_room(caller, spec).await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

/// `GET /api/rooms`: every room, with how many are present (and who, where the caller may
/// enter).
pub async fn list_rooms(
    State(hub): State<Hub>,
    Caller(caller): Caller,
) -> Result<Json<Vec<RoomSummary>>, HttpError> {
    Ok(Json(hub.list_rooms(caller).await?))
}

/// `GET /api/geo`: the countries, M49 areas and UN regional groups a scope may name. Public
/// (no token): the registry's application form offers its countries to organisations that have
/// no account yet, and the table holds nothing but place names.
pub async fn geo() -> Json<GeoTable> {
    Json(crate::domain::geo::table())
}

/// A room's view as the domain lets the caller see it.
#[derive(Serialize, JsonSchema)]
pub struct ViewBody {
    /// The seq of the last event the view includes.
    seq: Seq,
    /// The room as the caller may see it.
    state: RoomView,
}

/// `GET /api/rooms/{id}`: the room as the caller may see it, for tools that keep no socket;
/// `403 forbidden` where the caller may not enter the room (`domain::visibility`).
pub async fn room_view(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<ViewBody>, HttpError> {
    let id = room_id(&id)?;
    let (seq, state) = hub.room_view(&id, caller, ReadPath::View).await?;
    Ok(Json(ViewBody { seq, state }))
}

/// Query of `GET /api/rooms/{id}/events`.
#[derive(Deserialize, JsonSchema)]
pub struct RecordQuery {
    /// Only events after this seq (0, the default, is from the start).
    #[serde(default)]
    after: Seq,
    /// Most events in the page (1 to 1,000; 1,000 by default).
    #[serde(default)]
    limit: Option<usize>,
}

/// `GET /api/rooms/{id}/events?after=N&limit=M`: the record with its hashes, for those the
/// domain lets read it (the secretariat and moderators).
pub async fn room_events(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    query: Result<Query<RecordQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<RecordPage>, HttpError> {
    let Query(query) = query.map_err(|e| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidMessage,
            e.body_text(),
        )
    })?;
    let id = room_id(&id)?;
    let limit = query.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let (head, events) = hub.read_record(&id, caller, query.after, limit).await?;
    Ok(Json(RecordPage {
        room: id,
        head,
        events: events.iter().map(|e| e.entry()).collect(),
    }))
}

fn room_id(text: &str) -> Result<RoomId, HttpError> {
    RoomId::new(text).map_err(|e| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::RoomNotFound,
            e.to_string(),
        )
    })
}
