//! Search across every room a person may read: full text in the six UN languages
//! ([`analyze`]), filters by room, kind, speaker, organisation, constituency, country,
//! language and date.
//!
//! The [index](index) is a projection of the record, caught up before each query; it only
//! proposes candidates. Each candidate is then looked up in the room's view *for the caller*,
//! through the domain's read rules (`ReadPath::Search`), and kept only if
//! [`statement_found`](crate::domain::visibility::statement_found) shows it and its text, as the
//! caller may read it, still holds the query's words. So held, rejected and hidden text is never
//! found by someone who may not read it, whatever the index holds, and an edit or a moderation
//! decision counts the moment it is in the record.

pub mod analyze;
pub mod index;

use crate::domain::visibility::{ReadPath, statement_found};
use crate::hub::Hub;
use crate::store::StoreError;
use baraza_proto::identity::Profile;
use baraza_proto::ids::RoomId;
use baraza_proto::search::{SearchHit, SearchResults};
use index::{Filters, Index, IndexError};
use std::collections::HashMap;
use tokio::sync::Mutex;

/// Most hits one answer holds.
pub const MAX_HITS: usize = 100;

/// How many candidates the index is asked for per hit wanted: candidates the caller may not
/// read are dropped after the index, so it is asked for more than is shown.
const CANDIDATES_PER_HIT: usize = 4;

/// Why a search failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The record could not be read to catch the index up.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A node's search: the index and the rule that filters what it proposes.
pub struct Search {
    index: Mutex<Index>,
}

/// Most events read from one room's record per step of a catch-up.
const CATCH_UP_PAGE: usize = 1_000;

impl Search {
    /// An empty search (its index fills from the record at the first query).
    pub fn new() -> Result<Search, SearchError> {
        Ok(Search {
            index: Mutex::new(Index::new()?),
        })
    }

    /// What `caller` may find for `query` with `filters`: at most `limit` (≤ [`MAX_HITS`])
    /// statements, best first.
    pub async fn run(
        &self,
        hub: &Hub,
        caller: &Profile,
        query: &str,
        filters: &Filters,
        limit: usize,
    ) -> Result<SearchResults, SearchError> {
        let limit = limit.clamp(1, MAX_HITS);
        let candidates = {
            let mut index = self.index.lock().await;
            catch_up(hub, &mut index).await?;
            index.candidates(query, filters, (limit + 1) * CANDIDATES_PER_HIT)?
        };
        let mut views = HashMap::new();
        let mut hits = Vec::new();
        let mut truncated = false;
        for candidate in candidates {
            if !views.contains_key(&candidate.room) {
                let view = hub
                    .room_view(&candidate.room, caller.clone(), ReadPath::Search)
                    .await
                    .ok()
                    .map(|(_, view)| view);
                views.insert(candidate.room.clone(), view);
            }
            let Some(Some(view)) = views.get(&candidate.room) else {
                continue;
            };
            let Some(statement) = statement_found(view, candidate.statement) else {
                continue;
            };
            if !index::text_matches(&statement.text, query) {
                continue;
            }
            if hits.len() == limit {
                truncated = true;
                break;
            }
            let author = view
                .members
                .iter()
                .find(|m| m.profile.user == statement.author)
                .map(|m| &m.profile);
            let status = if statement.rejected.is_some() {
                Some("rejected")
            } else if statement.held {
                Some("held")
            } else if statement.hidden.is_some() {
                Some("hidden")
            } else {
                None
            };
            hits.push(SearchHit {
                room: candidate.room.clone(),
                room_title: view.info.settings.title.clone(),
                kind: view.info.settings.kind,
                statement: statement.id,
                author: statement.author.clone(),
                author_name: author
                    .map_or_else(|| statement.author.to_string(), |p| p.name.clone()),
                org: statement.org.clone(),
                constituency: author
                    .and_then(|p| p.constituency)
                    .and_then(|c| serde_json::to_value(c).ok())
                    .and_then(|v| v.as_str().map(str::to_owned)),
                country: author
                    .and_then(|p| p.country.as_ref())
                    .map(|c| c.to_string()),
                lang: statement.lang.clone(),
                text: statement.text.clone(),
                posted_at: statement.posted_at,
                question: statement.question,
                agenda_item: statement.agenda_item,
                parent: statement.parent,
                status: status.map(str::to_owned),
            });
        }
        Ok(SearchResults {
            query: query.to_owned(),
            hits,
            truncated,
        })
    }
}

/// Reads what the record holds beyond what the index has read, room by room.
async fn catch_up(hub: &Hub, index: &mut Index) -> Result<(), SearchError> {
    let store = hub.store();
    for room in store.rooms().await? {
        catch_up_room(hub, index, &room).await?;
    }
    Ok(())
}

async fn catch_up_room(hub: &Hub, index: &mut Index, room: &RoomId) -> Result<(), SearchError> {
    let store = hub.store();
    let head = store.head(room).await?;
    while index.seq(room) < head.seq {
        let events = store
            .read_after(room, index.seq(room), CATCH_UP_PAGE)
            .await?;
        if events.is_empty() {
            break;
        }
        index.apply(room, &events)?;
    }
    Ok(())
}
