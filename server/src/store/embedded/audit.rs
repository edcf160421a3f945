//! Checking every room's chain in a data directory, read-only (`baraza verify`).

use super::{RECORD_FILE, sql, texts};
use crate::record::{AuditReport, ChainVerifier, RoomAudit, StoredRow};
use crate::store::StoreError;
use baraza_proto::ids::{RoomId, Seq};
use rusqlite::{Connection, OpenFlags, params};
use std::path::Path;

/// Reads every room's events in `dir` in order and checks the chain; does not need the server
/// to be stopped (it opens the file read-only).
pub fn audit(dir: &Path) -> Result<AuditReport, StoreError> {
    let path = dir.join(RECORD_FILE);
    if !path.exists() {
        return Err(StoreError::Unavailable(format!(
            "no record at {}",
            path.display()
        )));
    }
    let db = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql)?;
    let rooms: Vec<String> = {
        let mut statement = db
            .prepare("SELECT DISTINCT room FROM events ORDER BY room")
            .map_err(sql)?;
        let rows = statement.query_map([], |row| row.get(0)).map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)?
    };
    let mut report = AuditReport {
        rooms: Vec::with_capacity(rooms.len()),
    };
    let mut statement = db
        .prepare("SELECT seq, event, prev_hash, hash FROM events WHERE room = ?1 ORDER BY seq")
        .map_err(sql)?;
    for room in rooms {
        let mut verifier = ChainVerifier::new(room.clone());
        let mut broken = None;
        let id = RoomId::new(room.clone()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut texts = texts::load(&db, &id, 0, Seq::MAX >> 1)?;
        let mut old_hashes = texts::old_hashes(&db, &room)?;
        let mut rows = statement.query(params![room]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            let seq = row.get::<_, i64>(0).map_err(sql)? as Seq;
            let stored = StoredRow {
                seq,
                canonical: row
                    .get::<_, String>(1)
                    .unwrap_or_else(|e| format!("<unreadable text: {e}>")),
                prev_hash: row.get(2).unwrap_or_default(),
                hash: row.get(3).unwrap_or_default(),
                openings: texts.remove(&seq).unwrap_or_default(),
                old_hash: old_hashes.remove(&seq),
            };
            if let Err(found) = verifier.check(&stored) {
                broken = Some(found);
                break;
            }
        }
        report.rooms.push(RoomAudit::of(&verifier, broken));
    }
    Ok(report)
}

/// Reads the whole record of `room` in `dir`, read-only and in order (`baraza export` on a data
/// directory; the server may be running). An empty list when the room has no record.
pub fn read_room(
    dir: &Path,
    room: &baraza_proto::ids::RoomId,
) -> Result<Vec<crate::record::RecordedEvent>, StoreError> {
    let path = dir.join(RECORD_FILE);
    if !path.exists() {
        return Err(StoreError::Unavailable(format!(
            "no record at {}",
            path.display()
        )));
    }
    let db = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql)?;
    read_all(&db, room)
}

/// Every event of `room` on `db`, in order, with its stored texts.
pub(super) fn read_all(
    db: &Connection,
    room: &RoomId,
) -> Result<Vec<crate::record::RecordedEvent>, StoreError> {
    let mut statement = db
        .prepare("SELECT event, prev_hash, hash FROM events WHERE room = ?1 ORDER BY seq")
        .map_err(sql)?;
    let mut rows = statement.query(params![room.as_str()]).map_err(sql)?;
    let mut events = Vec::new();
    while let Some(row) = rows.next().map_err(sql)? {
        let hash = |i: usize| -> Result<crate::record::Hash, StoreError> {
            let bytes: Vec<u8> = row.get(i).map_err(sql)?;
            bytes
                .try_into()
                .map_err(|_| StoreError::Corrupt(format!("a hash of {room} is not 32 bytes")))
        };
        let event =
            crate::record::RecordedEvent::from_stored(row.get(0).map_err(sql)?, hash(1)?, hash(2)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        events.push(event);
    }
    let mut texts = texts::load(db, room, 0, Seq::MAX >> 1)?;
    Ok(events
        .into_iter()
        .map(|e| {
            let openings = texts.remove(&e.seq()).unwrap_or_default();
            e.with_openings(openings)
        })
        .collect())
}
