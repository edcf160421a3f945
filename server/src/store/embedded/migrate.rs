//! `baraza migrate`: carrying every room of a data directory over to canonical form v2 (see
//! [`crate::record::migrate`]), each room in one transaction.

use super::{LOCK_FILE, RECORD_FILE, audit::read_all, schema, sql, texts};
use crate::record::migrate::{MigrateError, migrate_room};
use crate::store::StoreError;
use baraza_proto::ids::{Millis, RoomId};
use rusqlite::params;
use std::fs::File;
use std::path::Path;

/// What became of one room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomMigration {
    /// Carried over: the old head (seq, hex hash) and the new one.
    Migrated {
        /// The room.
        room: RoomId,
        /// Last seq and hash (hex) before.
        old_head: (u64, String),
        /// Last seq (the `record_migrated` event) and hash (hex) after.
        new_head: (u64, String),
    },
    /// Nothing in the v1 form.
    Current(RoomId),
    /// Left as it is, and why.
    Skipped(RoomId, MigrateError),
}

/// Carries every room in `dir` over at time `now`. Needs the node stopped (takes the
/// directory's lock). A room is rewritten whole or not at all.
pub fn migrate(dir: &Path, now: Millis) -> Result<Vec<RoomMigration>, StoreError> {
    if !dir.join(RECORD_FILE).exists() {
        return Err(StoreError::Unavailable(format!(
            "no record at {}",
            dir.join(RECORD_FILE).display()
        )));
    }
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
        .map_err(|e| StoreError::Unavailable(format!("cannot open the lock file: {e}")))?;
    lock.try_lock().map_err(|_| {
        StoreError::Unavailable(format!(
            "a baraza server is using {}; stop it before migrating",
            dir.display()
        ))
    })?;
    let mut db = schema::open_writer(&dir.join(RECORD_FILE))?;
    let rooms: Vec<String> = {
        let mut statement = db
            .prepare("SELECT room FROM rooms ORDER BY room")
            .map_err(sql)?;
        let rows = statement.query_map([], |row| row.get(0)).map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)?
    };
    let mut report = Vec::new();
    for room in rooms {
        let id = RoomId::new(room.clone()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let events = read_all(&db, &id)?;
        let migrated = match migrate_room(&events, now) {
            Ok(Some(migrated)) => migrated,
            Ok(None) => {
                report.push(RoomMigration::Current(id));
                continue;
            }
            Err(why) => {
                report.push(RoomMigration::Skipped(id, why));
                continue;
            }
        };
        let tx = db.transaction().map_err(sql)?;
        tx.execute("DELETE FROM events WHERE room = ?1", params![room])
            .map_err(sql)?;
        tx.execute("DELETE FROM texts WHERE room = ?1", params![room])
            .map_err(sql)?;
        {
            let mut insert = tx
                .prepare("INSERT INTO events (room, seq, event, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(sql)?;
            let mut old = tx
                .prepare("INSERT INTO old_hashes (room, seq, old_hash) VALUES (?1, ?2, ?3)")
                .map_err(sql)?;
            for (i, event) in migrated.events.iter().enumerate() {
                insert
                    .execute(params![
                        room,
                        event.seq() as i64,
                        &*event.canonical,
                        &event.prev_hash[..],
                        &event.hash[..]
                    ])
                    .map_err(sql)?;
                texts::insert(&tx, &id, event)?;
                if let Some(hash) = migrated.old_hashes.get(i) {
                    old.execute(params![room, event.seq() as i64, &hash[..]])
                        .map_err(sql)?;
                }
            }
        }
        let last = migrated
            .events
            .last()
            .expect("a migration ends with its event");
        tx.execute(
            "UPDATE rooms SET head = ?2, head_hash = ?3 WHERE room = ?1",
            params![room, last.seq() as i64, &last.hash[..]],
        )
        .map_err(sql)?;
        tx.commit().map_err(sql)?;
        let before = events.last().expect("a migrated room has events");
        report.push(RoomMigration::Migrated {
            room: id,
            old_head: (before.seq(), hex::encode(before.hash)),
            new_head: (last.seq(), hex::encode(last.hash)),
        });
    }
    Ok(report)
}
