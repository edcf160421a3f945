//! The embedded engine: every room's record in one SQLite file, `record.sqlite3`, in WAL mode.
//!
//! - Writes go through one writer thread that commits many appends in one transaction (group
//!   commit) with `synchronous=FULL`: an append is acknowledged only after the WAL is fsynced.
//! - Reads use a small pool of read-only connections, concurrent with writes.
//! - A lock file keeps a second server from opening the same data directory.

mod audit;
mod migrate;
mod schema;
mod texts;
mod writer;

pub use audit::{audit, read_room};
pub use migrate::{RoomMigration, migrate};

use super::{RecordStore, StoreError, check_append};
use crate::record::{Head, RecordedEvent};
use async_trait::async_trait;
use baraza_proto::ids::{RoomId, Seq};
use rusqlite::{Connection, OpenFlags, params};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use writer::{WriteOp, Writer};

/// The file that holds the record inside the data directory.
pub const RECORD_FILE: &str = "record.sqlite3";
const LOCK_FILE: &str = "baraza.lock";
const MAX_IDLE_READERS: usize = 8;

/// Every room's record in one SQLite file.
pub struct EmbeddedStore {
    writes: mpsc::Sender<WriteOp>,
    readers: Arc<ReaderPool>,
    _lock: File,
}

impl EmbeddedStore {
    /// Opens (creating if needed) the record in `dir`, and starts the writer thread.
    /// Fails if another process holds the directory.
    pub fn open(dir: &Path) -> Result<EmbeddedStore, StoreError> {
        Self::open_measured(dir, None)
    }

    /// [`EmbeddedStore::open`], recording how long each commit takes (its fsync included) in
    /// `commits`, in seconds.
    pub fn open_measured(
        dir: &Path,
        commits: Option<prometheus_client::metrics::histogram::Histogram>,
    ) -> Result<EmbeddedStore, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| unavailable(format!("cannot create {}: {e}", dir.display())))?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(|e| {
                unavailable(format!(
                    "cannot open the lock file in {}: {e}",
                    dir.display()
                ))
            })?;
        lock.try_lock().map_err(|_| {
            unavailable(format!(
                "another baraza server is using {}; stop it or choose another --data",
                dir.display()
            ))
        })?;
        let path = dir.join(RECORD_FILE);
        let connection = schema::open_writer(&path)?;
        let writes = Writer::start(connection, commits)?;
        Ok(EmbeddedStore {
            writes,
            readers: Arc::new(ReaderPool {
                path,
                idle: Mutex::new(Vec::new()),
            }),
            _lock: lock,
        })
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let pool = self.readers.clone();
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .map_err(|e| unavailable(format!("reader task failed: {e}")))?
    }
}

#[async_trait]
impl RecordStore for EmbeddedStore {
    async fn append(
        &self,
        room: &RoomId,
        expected_seq: Seq,
        events: &[RecordedEvent],
    ) -> Result<(), StoreError> {
        check_append(room, expected_seq, events)?;
        let (reply, answer) = oneshot::channel();
        let op = WriteOp::Append {
            room: room.clone(),
            expected_seq,
            events: events.to_vec(),
            reply,
        };
        self.writes.send(op).await.map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn read_after(
        &self,
        room: &RoomId,
        after: Seq,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let room = room.clone();
        self.read(move |db| {
            let mut statement = db
                .prepare_cached("SELECT event, prev_hash, hash FROM events WHERE room = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")
                .map_err(sql)?;
            let rows = statement
                .query_map(params![room.as_str(), after as i64, limit as i64], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?, row.get::<_, Vec<u8>>(2)?))
                })
                .map_err(sql)?;
            let mut events = Vec::new();
            for row in rows {
                let (canonical, prev_hash, hash) = row.map_err(sql)?;
                let event = RecordedEvent::from_stored(canonical, to_hash(&prev_hash)?, to_hash(&hash)?)
                    .map_err(|e| StoreError::Corrupt(format!("{room}: {e}")))?;
                events.push(event);
            }
            if let Some(last) = events.last() {
                let mut texts = texts::load(db, &room, after, last.seq())?;
                events = events
                    .into_iter()
                    .map(|e| {
                        let openings = texts.remove(&e.seq()).unwrap_or_default();
                        e.with_openings(openings)
                    })
                    .collect();
            }
            Ok(events)
        })
        .await
    }

    async fn head(&self, room: &RoomId) -> Result<Head, StoreError> {
        let room = room.clone();
        self.read(move |db| {
            let mut statement = db
                .prepare_cached("SELECT head, head_hash FROM rooms WHERE room = ?1")
                .map_err(sql)?;
            let mut rows = statement.query(params![room.as_str()]).map_err(sql)?;
            match rows.next().map_err(sql)? {
                None => Ok(Head::EMPTY),
                Some(row) => {
                    let seq: i64 = row.get(0).map_err(sql)?;
                    let hash: Vec<u8> = row.get(1).map_err(sql)?;
                    Ok(Head {
                        seq: seq as Seq,
                        hash: to_hash(&hash)?,
                    })
                }
            }
        })
        .await
    }

    async fn rooms(&self) -> Result<Vec<RoomId>, StoreError> {
        self.read(|db| {
            let mut statement = db
                .prepare_cached("SELECT room FROM rooms ORDER BY room")
                .map_err(sql)?;
            let rows = statement
                .query_map([], |row| row.get::<_, String>(0))
                .map_err(sql)?;
            let mut rooms = Vec::new();
            for row in rows {
                let id = row.map_err(sql)?;
                rooms.push(
                    RoomId::new(id.clone())
                        .map_err(|e| StoreError::Corrupt(format!("room {id:?}: {e}")))?,
                );
            }
            Ok(rooms)
        })
        .await
    }

    async fn withdraw_texts(&self, room: &RoomId, statement: Seq) -> Result<usize, StoreError> {
        let (reply, answer) = oneshot::channel();
        let op = WriteOp::Withdraw {
            room: room.clone(),
            statement,
            reply,
        };
        self.writes.send(op).await.map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }

    async fn close(&self) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        if self.writes.send(WriteOp::Close { reply }).await.is_err() {
            return Ok(()); // Already closed.
        }
        answer.await.map_err(|_| StoreError::Closed)?
    }

    fn engine(&self) -> &'static str {
        "embedded"
    }

    /// Always: the lock file keeps every other process out of the data directory.
    fn sole_writer(&self) -> bool {
        true
    }
}

/// Read-only connections, opened on demand and kept for reuse.
struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReaderPool {
    fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let idle = self.idle.lock().expect("reader pool lock").pop();
        let connection = match idle {
            Some(connection) => connection,
            None => Connection::open_with_flags(
                &self.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(sql)?,
        };
        let result = f(&connection);
        let mut idle = self.idle.lock().expect("reader pool lock");
        if idle.len() < MAX_IDLE_READERS {
            idle.push(connection);
        }
        result
    }
}

fn to_hash(bytes: &[u8]) -> Result<crate::record::Hash, StoreError> {
    bytes.try_into().map_err(|_| {
        StoreError::Corrupt(format!("a stored hash has {} bytes, not 32", bytes.len()))
    })
}

fn sql(error: rusqlite::Error) -> StoreError {
    unavailable(format!("sqlite: {error}"))
}

fn unavailable(message: String) -> StoreError {
    StoreError::Unavailable(message)
}
