//! The search index: a projection of the statements in every room's record into an in-memory
//! SQLite FTS5 table, caught up from the record before every query, so it is current on either
//! record engine (embedded or Redis) and rebuilt from the record whenever the node starts.
//!
//! The index only proposes candidates. Whether a reader may find a candidate is decided by the
//! room's view for that reader ([`super::Search`] asks the domain), never here.

use super::analyze::terms;
use crate::record::RecordedEvent;
use baraza_proto::event::EventBody;
use baraza_proto::identity::Profile;
use baraza_proto::ids::{Millis, RoomId, Seq, UserId};
use baraza_proto::room::RoomKind;
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// The index failed (an SQLite error on the in-memory database).
#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct IndexError(#[from] rusqlite::Error);

/// What a query asks for: terms and filters.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only this room.
    pub room: Option<RoomId>,
    /// Only rooms of this kind.
    pub kind: Option<RoomKind>,
    /// Only statements by this person.
    pub author: Option<UserId>,
    /// Only statements made for this organisation (exact name).
    pub org: Option<String>,
    /// Only statements whose author spoke for this constituency (`ngos`, `farmers`, …).
    pub constituency: Option<String>,
    /// Only statements whose author's country is this (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Only statements in this language.
    pub lang: Option<String>,
    /// Only statements posted at or after this time (ms since the epoch).
    pub from: Option<Millis>,
    /// Only statements posted before this time.
    pub until: Option<Millis>,
}

/// A statement the index proposes for a query, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its room.
    pub room: RoomId,
    /// Its id (the seq of its `statement_posted`).
    pub statement: Seq,
}

/// The index and how far it has read each room's record.
pub struct Index {
    db: Connection,
    rooms: HashMap<RoomId, RoomProgress>,
}

/// What the index remembers of a room between catch-ups.
#[derive(Default)]
struct RoomProgress {
    /// The last seq it has read.
    seq: Seq,
    /// The room's kind, once its `room_created` has been read; `None` for a record that is not a
    /// room's (the registry's).
    kind: Option<RoomKind>,
    /// Who joined, as of their latest join: the author's constituency and country.
    members: HashMap<UserId, Profile>,
}

impl Index {
    /// An empty index.
    pub fn new() -> Result<Index, IndexError> {
        let db = Connection::open_in_memory()?;
        db.execute_batch(
            "CREATE TABLE statement (
                 id INTEGER PRIMARY KEY,
                 room TEXT NOT NULL,
                 seq INTEGER NOT NULL,
                 kind TEXT NOT NULL,
                 author TEXT NOT NULL,
                 org TEXT,
                 constituency TEXT,
                 country TEXT,
                 lang TEXT NOT NULL,
                 posted_at INTEGER NOT NULL,
                 UNIQUE (room, seq)
             );
             CREATE VIRTUAL TABLE statement_text USING fts5(terms, tokenize = 'unicode61 remove_diacritics 0');",
        )?;
        Ok(Index {
            db,
            rooms: HashMap::new(),
        })
    }

    /// The last seq of `room` the index has read (0 before any).
    pub fn seq(&self, room: &RoomId) -> Seq {
        self.rooms.get(room).map_or(0, |r| r.seq)
    }

    /// Reads `events` of `room`, which must follow the last one it read.
    pub fn apply(&mut self, room: &RoomId, events: &[RecordedEvent]) -> Result<(), IndexError> {
        let progress = self.rooms.entry(room.clone()).or_default();
        let tx = self.db.transaction()?;
        for event in events {
            let envelope = &event.envelope;
            if envelope.seq <= progress.seq {
                continue;
            }
            progress.seq = envelope.seq;
            match &envelope.body {
                EventBody::RoomCreated(settings) => progress.kind = Some(settings.kind),
                EventBody::MemberJoined { member } => {
                    progress.members.insert(member.user.clone(), member.clone());
                }
                // The audience may post too: its profiles come in digests.
                EventBody::AudienceChanged { arrived, .. } => {
                    for member in arrived {
                        progress.members.insert(member.user.clone(), member.clone());
                    }
                }
                EventBody::StatementPosted { text, lang, .. } => {
                    let (Some(kind), Some(author)) = (progress.kind, envelope.actor.as_ref())
                    else {
                        continue;
                    };
                    let profile = progress.members.get(author);
                    tx.execute(
                        "INSERT INTO statement (room, seq, kind, author, org, constituency, \
                         country, lang, posted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        params![
                            room.as_str(),
                            envelope.seq as i64,
                            kind_name(kind),
                            author.as_str(),
                            profile.and_then(|p| p.org.clone()),
                            profile
                                .and_then(|p| p.constituency)
                                .map(|c| serde_plain(&c)),
                            profile
                                .and_then(|p| p.country.as_ref())
                                .map(|c| c.to_string()),
                            lang.as_str(),
                            envelope.ts,
                        ],
                    )?;
                    let id = tx.last_insert_rowid();
                    tx.execute(
                        "INSERT INTO statement_text (rowid, terms) VALUES (?1, ?2)",
                        params![id, terms(text).join(" ")],
                    )?;
                }
                EventBody::StatementEdited {
                    statement, text, ..
                } => {
                    tx.execute(
                        "UPDATE statement_text SET terms = ?1 WHERE rowid = \
                         (SELECT id FROM statement WHERE room = ?2 AND seq = ?3)",
                        params![terms(text).join(" "), room.as_str(), *statement as i64],
                    )?;
                }
                // A redaction: the statement's words leave the index.
                EventBody::StatementRedacted { statement, .. } => {
                    tx.execute(
                        "UPDATE statement_text SET terms = '' WHERE rowid = \
                         (SELECT id FROM statement WHERE room = ?1 AND seq = ?2)",
                        params![room.as_str(), *statement as i64],
                    )?;
                }
                _ => {}
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Statements whose text holds every term of `query` (each word in the query, a Chinese word
    /// as its pairs in order), with `filters`, best first (FTS5's bm25), at most `limit`.
    pub fn candidates(
        &self,
        query: &str,
        filters: &Filters,
        limit: usize,
    ) -> Result<Vec<Candidate>, IndexError> {
        let Some(matcher) = match_expression(query) else {
            return Ok(Vec::new());
        };
        let mut sql = String::from(
            "SELECT s.room, s.seq FROM statement_text t JOIN statement s ON s.id = t.rowid \
             WHERE statement_text MATCH ?1",
        );
        let mut values: Vec<rusqlite::types::Value> = vec![matcher.into()];
        let mut filter = |column: &str, op: &str, value: rusqlite::types::Value| {
            values.push(value);
            sql.push_str(&format!(" AND s.{column} {op} ?{}", values.len()));
        };
        if let Some(room) = &filters.room {
            filter("room", "=", room.as_str().to_owned().into());
        }
        if let Some(kind) = filters.kind {
            filter("kind", "=", kind_name(kind).to_owned().into());
        }
        if let Some(author) = &filters.author {
            filter("author", "=", author.as_str().to_owned().into());
        }
        if let Some(org) = &filters.org {
            filter("org", "=", org.clone().into());
        }
        if let Some(constituency) = &filters.constituency {
            filter("constituency", "=", constituency.clone().into());
        }
        if let Some(country) = &filters.country {
            filter("country", "=", country.to_uppercase().into());
        }
        if let Some(lang) = &filters.lang {
            filter("lang", "=", lang.clone().into());
        }
        if let Some(from) = filters.from {
            filter("posted_at", ">=", from.into());
        }
        if let Some(until) = filters.until {
            filter("posted_at", "<", until.into());
        }
        values.push((limit as i64).into());
        sql.push_str(&format!(
            " ORDER BY bm25(statement_text), s.seq LIMIT ?{}",
            values.len()
        ));
        let mut statement = self.db.prepare(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(values), |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })?;
        let mut candidates = Vec::new();
        for row in rows {
            let (room, seq) = row?;
            if let Ok(room) = RoomId::new(room) {
                candidates.push(Candidate {
                    room,
                    statement: seq as Seq,
                });
            }
        }
        Ok(candidates)
    }
}

/// Whether `text` holds the terms of `query` the way the index matches them: every query word
/// as a whole term, and a run of query pairs (a Chinese word) in order.
pub fn text_matches(text: &str, query: &str) -> bool {
    let text = terms(text);
    query_groups(query).iter().all(|group| {
        text.windows(group.len())
            .any(|window| window == group.as_slice())
    })
}

/// The query's terms, grouped: each group must appear in order (a word is a group of one; a
/// Chinese run is the group of its pairs).
fn query_groups(query: &str) -> Vec<Vec<String>> {
    query
        .split_whitespace()
        .map(terms)
        .filter(|group| !group.is_empty())
        .collect()
}

/// The FTS5 expression: each group as a quoted phrase, all of them required.
fn match_expression(query: &str) -> Option<String> {
    let groups = query_groups(query);
    if groups.is_empty() {
        return None;
    }
    let phrases: Vec<String> = groups
        .iter()
        .map(|group| format!("\"{}\"", group.join(" ")))
        .collect();
    Some(phrases.join(" AND "))
}

fn kind_name(kind: RoomKind) -> &'static str {
    match kind {
        RoomKind::Roundtable => "roundtable",
        RoomKind::Consultation => "consultation",
        RoomKind::Caucus => "caucus",
    }
}

/// A unit enum's wire name (`"farmers"`).
fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
