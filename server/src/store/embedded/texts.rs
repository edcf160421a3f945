//! The committed texts kept beside the events (table `texts`), and the old hashes of a record
//! carried over by `baraza migrate` (table `old_hashes`).

use super::sql;
use crate::record::{RecordedEvent, TextOpening};
use crate::store::StoreError;
use baraza_proto::ids::{RoomId, Seq};
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// Stores the texts of `event` (inside the caller's transaction).
pub(super) fn insert(
    db: &Connection,
    room: &RoomId,
    event: &RecordedEvent,
) -> Result<(), StoreError> {
    if event.openings.is_empty() {
        return Ok(());
    }
    let mut insert = db
        .prepare_cached(
            "INSERT OR REPLACE INTO texts (room, seq, commitment, statement, salt, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(sql)?;
    for opening in &event.openings {
        insert
            .execute(params![
                room.as_str(),
                event.seq() as i64,
                opening.commitment,
                opening.statement as i64,
                opening.salt,
                opening.text
            ])
            .map_err(sql)?;
    }
    Ok(())
}

/// Removes every stored text of `statement` (idempotent: 0 when none is left).
pub(super) fn withdraw(
    db: &Connection,
    room: &RoomId,
    statement: u64,
) -> Result<usize, StoreError> {
    db.prepare_cached("DELETE FROM texts WHERE room = ?1 AND statement = ?2")
        .map_err(sql)?
        .execute(params![room.as_str(), statement as i64])
        .map_err(sql)
}

/// The texts stored for events `after < seq <= until`, by seq.
pub(super) fn load(
    db: &Connection,
    room: &RoomId,
    after: Seq,
    until: Seq,
) -> Result<HashMap<Seq, Vec<TextOpening>>, StoreError> {
    let mut statement = db
        .prepare_cached(
            "SELECT seq, commitment, statement, salt, text FROM texts WHERE room = ?1 AND seq > ?2 AND seq <= ?3",
        )
        .map_err(sql)?;
    let rows = statement
        .query_map(params![room.as_str(), after as i64, until as i64], |row| {
            Ok((
                row.get::<_, i64>(0)? as Seq,
                TextOpening {
                    commitment: row.get(1)?,
                    statement: row.get::<_, i64>(2)? as u64,
                    salt: row.get(3)?,
                    text: row.get(4)?,
                },
            ))
        })
        .map_err(sql)?;
    let mut texts: HashMap<Seq, Vec<TextOpening>> = HashMap::new();
    for row in rows {
        let (seq, opening) = row.map_err(sql)?;
        texts.entry(seq).or_default().push(opening);
    }
    Ok(texts)
}

/// The old hashes of a migrated room, by seq (empty for a room never migrated).
pub(super) fn old_hashes(db: &Connection, room: &str) -> Result<HashMap<Seq, Vec<u8>>, StoreError> {
    let mut statement = db
        .prepare_cached("SELECT seq, old_hash FROM old_hashes WHERE room = ?1")
        .map_err(sql)?;
    let rows = statement
        .query_map(params![room], |row| {
            Ok((row.get::<_, i64>(0)? as Seq, row.get::<_, Vec<u8>>(1)?))
        })
        .map_err(sql)?;
    rows.collect::<Result<_, _>>().map_err(sql)
}
