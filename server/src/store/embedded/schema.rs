//! Opening the SQLite file: pragmas and tables.

use super::sql;
use crate::store::StoreError;
use rusqlite::Connection;
use std::path::Path;

/// Tables: `events` holds every room's events keyed by (room, seq) with the canonical JSON and
/// the chain hashes; `rooms` holds each room's head so appends need no scan; `texts` holds the
/// committed texts beside their events (removed by a redaction: no event changes); `old_hashes`
/// holds, for a record carried over by `baraza migrate`, each event's hash before it.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    room      TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    event     TEXT    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS texts (
    room       TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    commitment TEXT    NOT NULL,
    statement  INTEGER NOT NULL,
    salt       TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    PRIMARY KEY (room, seq, commitment)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS old_hashes (
    room     TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    old_hash BLOB    NOT NULL,
    PRIMARY KEY (room, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rooms (
    room      TEXT    NOT NULL PRIMARY KEY,
    head      INTEGER NOT NULL,
    head_hash BLOB    NOT NULL
) WITHOUT ROWID;
";

/// Opens the writer connection: WAL journal, fsync on every commit, tables created.
pub(super) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let db = Connection::open(path).map_err(sql)?;
    db.pragma_update(None, "journal_mode", "WAL").map_err(sql)?;
    // FULL: a commit is on disk (WAL fsynced) before an append is acknowledged.
    db.pragma_update(None, "synchronous", "FULL").map_err(sql)?;
    db.pragma_update(None, "busy_timeout", 5_000).map_err(sql)?;
    // A withdrawn (redacted) text is overwritten with zeros, not left in a free page.
    db.pragma_update(None, "secure_delete", "ON").map_err(sql)?;
    db.execute_batch(SCHEMA).map_err(sql)?;
    Ok(db)
}
