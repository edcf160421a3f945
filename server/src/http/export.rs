//! `GET /api/rooms/{id}/export?format=…&lang=…`: the record as a document (see
//! [`crate::export`]), as the domain lets the caller read it (`ReadPath::Export`); and
//! `GET /api/rooms/{id}/bundle`: an archived room's bundle ([`crate::archive`]), signed with
//! the node's key, for those who may read the full record (`ReadPath::Record`); and
//! `GET /.well-known/baraza-archive-key`: that key's public half; and
//! `GET /api/rooms/{id}/minutes/skeleton`: the text draft minutes start from.

use super::caller::Caller;
use super::error::HttpError;
use crate::domain::visibility::ReaderKind;
use crate::export::{self, ExportError, Format};
use crate::hub::Hub;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baraza_proto::error::ErrorCode;
use baraza_proto::ids::RoomId;
use ed25519_dalek::SigningKey;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Query of the export.
#[derive(Deserialize, JsonSchema)]
pub struct ExportQuery {
    /// `html` (the default), `md`, `json`, `csv`, `akn` or `docx`.
    #[serde(default)]
    format: Option<String>,
    /// One of the room's languages (`en`, `fr`, `es`, `ru`, `zh`, `ar`); the room's first by
    /// default.
    #[serde(default)]
    lang: Option<String>,
}

/// Serves the export with its `Content-Type` and `Content-Disposition: attachment`.
pub async fn room_export(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    query: Result<Query<ExportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, HttpError> {
    let bad = |e: String| HttpError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidMessage, e);
    let Query(query) = query.map_err(|e| bad(e.body_text()))?;
    let format =
        Format::parse(query.format.as_deref().unwrap_or("html")).map_err(|e| bad(e.to_string()))?;
    let id = RoomId::new(id).map_err(|e| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::RoomNotFound,
            e.to_string(),
        )
    })?;
    let (reader, events) = hub.export_record(&id, &caller).await?;
    let lang =
        export::choose_lang(query.lang.as_deref(), &events).map_err(|e| bad(e.to_string()))?;
    let document = export::render(&events, reader, format, lang).map_err(|e| match e {
        ExportError::NoRecord => HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::RoomNotFound,
            e.to_string(),
        ),
        other => HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            other.to_string(),
        ),
    })?;
    let disposition = format!("attachment; filename=\"{}\"", document.file_name);
    let mut response = document.body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(document.format.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Query of the minutes skeleton.
#[derive(Deserialize, JsonSchema)]
pub struct SkeletonQuery {
    /// The language of its headings (`en`, `fr`, `es`, `ru`, `zh`, `ar`); the room's first by
    /// default.
    #[serde(default)]
    lang: Option<String>,
}

/// The text draft minutes start from.
#[derive(Serialize, JsonSchema)]
pub struct SkeletonBody {
    /// The language of its headings.
    pub lang: String,
    /// The text: title, date, chair, attendance, then per agenda item or question a line per
    /// turn and statement, each marked `[#id]`.
    pub text: String,
}

/// `GET /api/rooms/{id}/minutes/skeleton?lang=`: the published record as the starting text of
/// draft minutes, for whoever may export the room (it quotes published statements only,
/// whoever asks).
pub async fn minutes_skeleton(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    query: Result<Query<SkeletonQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<SkeletonBody>, HttpError> {
    let bad = |e: String| HttpError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidMessage, e);
    let Query(query) = query.map_err(|e| bad(e.body_text()))?;
    let id = RoomId::new(id).map_err(|e| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::RoomNotFound,
            e.to_string(),
        )
    })?;
    let (_, events) = hub.export_record(&id, &caller).await?;
    let lang =
        export::choose_lang(query.lang.as_deref(), &events).map_err(|e| bad(e.to_string()))?;
    let projected = export::project(&events, ReaderKind::Member, lang).ok_or_else(|| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::RoomNotFound,
            "no such room",
        )
    })?;
    Ok(axum::Json(SkeletonBody {
        lang: lang.tag().to_owned(),
        text: export::minutes::skeleton(&projected),
    }))
}

/// Serves an archived room's bundle (`application/x-tar`, as an attachment); `409` with
/// `invalid_command` while the room is not archived.
pub async fn room_bundle(
    State(hub): State<Hub>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    Extension(key): Extension<Arc<SigningKey>>,
) -> Result<Response, HttpError> {
    let id = RoomId::new(id).map_err(|e| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::RoomNotFound,
            e.to_string(),
        )
    })?;
    let events = hub.bundle_record(&id, &caller).await?;
    let bundle = tokio::task::spawn_blocking(move || crate::archive::write(&events, &key))
        .await
        .map_err(|e| {
            HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                e.to_string(),
            )
        })?
        .map_err(|e| match e {
            crate::archive::BundleError::NotArchived => HttpError::new(
                StatusCode::CONFLICT,
                ErrorCode::InvalidCommand,
                e.to_string(),
            ),
            other => HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                other.to_string(),
            ),
        })?;
    let disposition = format!("attachment; filename=\"{id}-bundle.tar\"");
    let mut response = bundle.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-tar"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `GET /.well-known/baraza-archive-key`: the public key this node signs archive bundles with.
pub async fn archive_key(
    Extension(key): Extension<Arc<SigningKey>>,
) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "algorithm": "Ed25519",
        "public_key": crate::archive::key::public_hex(&key),
    }))
}
