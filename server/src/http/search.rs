//! `GET /api/search?q=…`: statements found by their words in every room the caller may read
//! (see [`crate::search`]).

use super::caller::Caller;
use super::error::HttpError;
use crate::hub::Hub;
use crate::search::index::Filters;
use crate::search::{MAX_HITS, Search};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use baraza_proto::error::ErrorCode;
use baraza_proto::ids::{Millis, RoomId, UserId};
use baraza_proto::room::RoomKind;
use baraza_proto::search::SearchResults;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;

/// Most characters of a query.
const MAX_QUERY: usize = 200;

/// Query of `GET /api/search`.
#[derive(Deserialize, JsonSchema)]
pub struct SearchQuery {
    /// The words to find (every one must be in the statement; a Chinese word is found as
    /// written).
    q: String,
    /// Only this room.
    #[serde(default)]
    room: Option<RoomId>,
    /// Only rooms of this kind.
    #[serde(default)]
    kind: Option<RoomKind>,
    /// Only statements by this person (their user id).
    #[serde(default)]
    speaker: Option<UserId>,
    /// Only statements made for this organisation (its name, exactly).
    #[serde(default)]
    org: Option<String>,
    /// Only statements whose author's constituency is this (`ngos`, `farmers`, …).
    #[serde(default)]
    constituency: Option<String>,
    /// Only statements whose author's country is this (ISO 3166-1 alpha-2).
    #[serde(default)]
    country: Option<String>,
    /// Only statements in this language (`en`, `fr`, `es`, `ru`, `zh`, `ar`, …).
    #[serde(default)]
    lang: Option<String>,
    /// Only statements posted at or after this time (ms since the Unix epoch).
    #[serde(default)]
    from: Option<Millis>,
    /// Only statements posted before this time (ms since the Unix epoch).
    #[serde(default)]
    until: Option<Millis>,
    /// Most hits (1 to 100; 20 by default).
    #[serde(default)]
    limit: Option<usize>,
}

/// Searches as the domain lets the caller read.
pub async fn search(
    State(hub): State<Hub>,
    Extension(search): Extension<Arc<Search>>,
    Caller(caller): Caller,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<SearchResults>, HttpError> {
    let bad = |message: String| {
        HttpError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidMessage, message)
    };
    let Query(query) = query.map_err(|e| bad(e.body_text()))?;
    let words = query.q.trim();
    if words.is_empty() {
        return Err(bad("the query `q` is empty".into()));
    }
    if words.chars().count() > MAX_QUERY {
        return Err(bad(format!(
            "the query is longer than {MAX_QUERY} characters"
        )));
    }
    let filters = Filters {
        room: query.room,
        kind: query.kind,
        author: query.speaker,
        org: query.org,
        constituency: query.constituency,
        country: query.country,
        lang: query.lang,
        from: query.from,
        until: query.until,
    };
    let limit = query.limit.unwrap_or(20).clamp(1, MAX_HITS);
    let results = search
        .run(&hub, &caller, words, &filters, limit)
        .await
        .map_err(|e| {
            HttpError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                e.to_string(),
            )
        })?;
    Ok(Json(results))
}
