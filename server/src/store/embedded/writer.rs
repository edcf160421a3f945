//! The writer thread: group commit of appends.
//!
//! The thread takes the first waiting append, then every other one already queued (up to
//! `MAX_BATCH`), and commits them in one transaction: one fsync for the whole batch. Each append
//! runs under its own savepoint, so a conflict or error in one does not undo the others.

use super::sql;
use crate::record::RecordedEvent;
use crate::store::StoreError;
use baraza_proto::ids::{RoomId, Seq};
use prometheus_client::metrics::histogram::Histogram;
use rusqlite::{Connection, params};
use std::collections::HashMap;
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

const MAX_BATCH: usize = 512;
const QUEUE: usize = 4096;

/// A request to the writer thread.
pub(super) enum WriteOp {
    Append {
        room: RoomId,
        expected_seq: Seq,
        events: Vec<RecordedEvent>,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
    /// Removes the stored texts of a statement (a redaction); answers how many were removed.
    Withdraw {
        room: RoomId,
        statement: u64,
        reply: oneshot::Sender<Result<usize, StoreError>>,
    },
    Close {
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
}

/// One append waiting in a batch.
struct PendingAppend {
    room: RoomId,
    expected_seq: Seq,
    events: Vec<RecordedEvent>,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

pub(super) struct Writer {
    db: Connection,
    heads: HashMap<RoomId, Seq>,
    /// Where each commit's duration goes (seconds), if measured.
    commits: Option<Histogram>,
}

impl Writer {
    /// Starts the thread and returns its queue.
    pub(super) fn start(
        db: Connection,
        commits: Option<Histogram>,
    ) -> Result<mpsc::Sender<WriteOp>, StoreError> {
        let heads = {
            let mut statement = db.prepare("SELECT room, head FROM rooms").map_err(sql)?;
            let rows = statement
                .query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                })
                .map_err(sql)?;
            let mut heads = HashMap::new();
            for row in rows {
                let (room, head) = row.map_err(sql)?;
                let room = RoomId::new(room).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                heads.insert(room, head as Seq);
            }
            heads
        };
        let (sender, receiver) = mpsc::channel(QUEUE);
        let writer = Writer { db, heads, commits };
        std::thread::Builder::new()
            .name("baraza-sqlite-writer".into())
            .spawn(move || writer.run(receiver))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the writer thread: {e}")))?;
        Ok(sender)
    }

    fn run(mut self, mut queue: mpsc::Receiver<WriteOp>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = queue.blocking_recv() {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(op) => batch.push(op),
                    Err(_) => break,
                }
            }
            let mut close = None;
            let mut appends = Vec::with_capacity(batch.len());
            for op in batch.drain(..) {
                match op {
                    WriteOp::Append {
                        room,
                        expected_seq,
                        events,
                        reply,
                    } => appends.push(PendingAppend {
                        room,
                        expected_seq,
                        events,
                        reply,
                    }),
                    WriteOp::Withdraw {
                        room,
                        statement,
                        reply,
                    } => {
                        if !appends.is_empty() {
                            self.commit(std::mem::take(&mut appends));
                        }
                        let _ = reply.send(super::texts::withdraw(&self.db, &room, statement));
                    }
                    WriteOp::Close { reply } => close = Some(reply),
                }
            }
            if !appends.is_empty() {
                self.commit(appends);
            }
            if let Some(reply) = close {
                let result = self
                    .db
                    .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                    .map_err(sql);
                let _ = reply.send(result);
                return;
            }
        }
    }

    fn commit(&mut self, appends: Vec<PendingAppend>) {
        let mut pending: HashMap<RoomId, Seq> = HashMap::new();
        let mut results = Vec::with_capacity(appends.len());
        let started = Instant::now();
        let began = self.db.execute_batch("BEGIN IMMEDIATE").map_err(sql);
        if let Err(error) = began {
            for PendingAppend { reply, .. } in appends {
                let _ = reply.send(Err(error.clone()));
            }
            return;
        }
        for PendingAppend {
            room,
            expected_seq,
            events,
            reply,
        } in appends
        {
            let actual = pending
                .get(&room)
                .or_else(|| self.heads.get(&room))
                .copied()
                .unwrap_or(0);
            let result = if actual != expected_seq {
                Err(StoreError::Conflict {
                    room: room.clone(),
                    expected: expected_seq,
                    actual,
                })
            } else {
                self.insert(&room, &events)
            };
            if result.is_ok() {
                pending.insert(room, expected_seq + events.len() as Seq);
            }
            results.push((result, reply));
        }
        let committed = self.db.execute_batch("COMMIT").map_err(sql);
        if let Some(commits) = &self.commits {
            commits.observe(started.elapsed().as_secs_f64());
        }
        match committed {
            Ok(()) => {
                self.heads.extend(pending);
                for (result, reply) in results {
                    let _ = reply.send(result);
                }
            }
            Err(error) => {
                let _ = self.db.execute_batch("ROLLBACK");
                for (_, reply) in results {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }

    /// Inserts one append's events under a savepoint.
    fn insert(&self, room: &RoomId, events: &[RecordedEvent]) -> Result<(), StoreError> {
        self.db.execute_batch("SAVEPOINT append").map_err(sql)?;
        let result = (|| {
            let mut insert = self
                .db
                .prepare_cached("INSERT INTO events (room, seq, event, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(sql)?;
            for event in events {
                insert
                    .execute(params![
                        room.as_str(),
                        event.seq() as i64,
                        &*event.canonical,
                        &event.prev_hash[..],
                        &event.hash[..]
                    ])
                    .map_err(sql)?;
                super::texts::insert(&self.db, room, event)?;
            }
            let last = events.last().expect("appends are never empty");
            self.db
                .prepare_cached(
                    "INSERT INTO rooms (room, head, head_hash) VALUES (?1, ?2, ?3)
                     ON CONFLICT (room) DO UPDATE SET head = excluded.head, head_hash = excluded.head_hash",
                )
                .map_err(sql)?
                .execute(params![room.as_str(), last.seq() as i64, &last.hash[..]])
                .map_err(sql)?;
            Ok(())
        })();
        match result {
            Ok(()) => self.db.execute_batch("RELEASE append").map_err(sql),
            Err(error) => {
                let _ = self.db.execute_batch("ROLLBACK TO append; RELEASE append");
                Err(error)
            }
        }
    }
}
