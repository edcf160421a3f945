//! The mail database `<data>/mail.sqlite3`, beside the record: the outbox (a queue that
//! survives restarts), the inbox log (every inbound message and what became of it), how far
//! each consultation's record has been turned into mail, the numbers reply tokens give rooms,
//! each person's settings and digest progress.
//!
//! The outbox's `key` is unique: a logical message for one person (`open:<room>:<person>`,
//! `digest:<person>:<day>` …) is queued at most once, whatever restarts happen. A message
//! being handed to the relay is `sending`; one found `sending` at start is marked `unknown`
//! and not sent again, so no crash makes a message arrive twice.

use baraza_proto::ids::{Millis, RoomId, Seq};
use baraza_proto::mail::{DeliveryState, InboxEntry, MailSettings, OutboxEntry};
use baraza_proto::registry::PersonId;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// The file name of the mail database in the data directory.
pub const FILE: &str = "mail.sqlite3";

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: u32 = 8;

/// A failure of the mail database.
#[derive(Debug, thiserror::Error)]
#[error("mail database: {0}")]
pub struct DbError(#[from] rusqlite::Error);

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Unique per logical message and person.
    pub key: String,
    /// The recipient.
    pub to: String,
    /// Subject (for the secretariat's view).
    pub subject: String,
    /// The whole message, formatted.
    pub message: Vec<u8>,
}

/// A message due for an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// Its id.
    pub id: u64,
    /// The recipient.
    pub to: String,
    /// The message.
    pub message: Vec<u8>,
    /// Attempts so far.
    pub attempts: u32,
}

/// An inbound message's fate, to log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Logged {
    /// Its `Message-ID`.
    pub message_id: String,
    /// The envelope recipient.
    pub to: String,
    /// `accepted`, `duplicate`, `ignored` or `refused`.
    pub outcome: &'static str,
    /// Why.
    pub reason: Option<String>,
    /// The room.
    pub room: Option<String>,
    /// The statement.
    pub statement: Option<Seq>,
    /// What was stripped.
    pub stripped: String,
}

/// The open mail database.
pub struct MailDb {
    conn: Connection,
}

fn state_name(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Queued => "queued",
        DeliveryState::Sent => "sent",
        DeliveryState::Unknown => "unknown",
        DeliveryState::Failed => "failed",
        DeliveryState::Bounced => "bounced",
    }
}

fn state_of(name: &str) -> DeliveryState {
    match name {
        "sent" => DeliveryState::Sent,
        "unknown" | "sending" => DeliveryState::Unknown,
        "failed" => DeliveryState::Failed,
        "bounced" => DeliveryState::Bounced,
        _ => DeliveryState::Queued,
    }
}

impl MailDb {
    /// Opens (or creates) the database in `data`; messages left `sending` by a node that
    /// stopped become `unknown`.
    pub fn open(data: &Path) -> Result<MailDb, DbError> {
        let _ = std::fs::create_dir_all(data);
        let conn = Connection::open(data.join(FILE))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS outbox (
                id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, to_addr TEXT NOT NULL,
                subject TEXT NOT NULL, message BLOB NOT NULL, state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,
                error TEXT, queued_at INTEGER NOT NULL);
             CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_at);
             CREATE TABLE IF NOT EXISTS inbox (
                id INTEGER PRIMARY KEY, message_id TEXT NOT NULL, to_addr TEXT NOT NULL,
                outcome TEXT NOT NULL, reason TEXT, room TEXT, statement INTEGER,
                stripped TEXT NOT NULL DEFAULT '', received_at INTEGER NOT NULL);
             CREATE INDEX IF NOT EXISTS inbox_message ON inbox (message_id);
             CREATE TABLE IF NOT EXISTS cursors (room TEXT PRIMARY KEY, seq INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS rooms (no INTEGER PRIMARY KEY, room TEXT NOT NULL UNIQUE);
             CREATE TABLE IF NOT EXISTS settings (person INTEGER PRIMARY KEY, json TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS digests (person INTEGER PRIMARY KEY, period TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS digest_cursors (
                person INTEGER NOT NULL, room TEXT NOT NULL, seq INTEGER NOT NULL,
                PRIMARY KEY (person, room));
             UPDATE outbox SET state = 'unknown',
                error = 'the node stopped while handing it to the relay; not sent again'
                WHERE state = 'sending';",
        )?;
        Ok(MailDb { conn })
    }

    /// When e-mail was first turned on over this data directory: `now` the first time it is
    /// asked, the same answer ever after. Events recorded before it are history, not news:
    /// they call for no notice and no digest entry.
    pub fn mail_since(&self, now: Millis) -> Result<Millis, DbError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('mail_since', ?1)",
            [now],
        )?;
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'mail_since'", [], |r| {
                r.get(0)
            })?)
    }

    /// The number reply tokens give `room` (assigned on first use).
    pub fn room_no(&self, room: &RoomId) -> Result<u64, DbError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO rooms (room) VALUES (?1)",
            [room.as_str()],
        )?;
        Ok(self.conn.query_row(
            "SELECT no FROM rooms WHERE room = ?1",
            [room.as_str()],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// The room of a token's number.
    pub fn room_of(&self, no: u64) -> Result<Option<RoomId>, DbError> {
        let name: Option<String> = self
            .conn
            .query_row("SELECT room FROM rooms WHERE no = ?1", [no as i64], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(name.and_then(|n| RoomId::new(n).ok()))
    }

    /// How far `room`'s record has been turned into mail.
    pub fn cursor(&self, room: &RoomId) -> Result<Seq, DbError> {
        Ok(self
            .conn
            .query_row(
                "SELECT seq FROM cursors WHERE room = ?1",
                [room.as_str()],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .unwrap_or(0) as Seq)
    }

    /// Queues `messages` and moves `room`'s cursor to `seq`, in one transaction. A message whose
    /// key is already in the outbox is skipped. Returns how many were queued.
    pub fn queue(
        &mut self,
        messages: &[Queued],
        cursor: Option<(&RoomId, Seq)>,
        now: Millis,
    ) -> Result<usize, DbError> {
        let tx = self.conn.transaction()?;
        let mut queued = 0;
        for m in messages {
            queued += tx.execute(
                "INSERT OR IGNORE INTO outbox (key, to_addr, subject, message, state, next_at, queued_at)
                 VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?5)",
                params![m.key, m.to, m.subject, m.message, now],
            )?;
        }
        if let Some((room, seq)) = cursor {
            tx.execute(
                "INSERT INTO cursors (room, seq) VALUES (?1, ?2)
                 ON CONFLICT (room) DO UPDATE SET seq = excluded.seq",
                params![room.as_str(), seq as i64],
            )?;
        }
        tx.commit()?;
        Ok(queued)
    }

    /// Whether a message with this key was ever queued.
    pub fn has_key(&self, key: &str) -> Result<bool, DbError> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM outbox WHERE key = ?1", [key], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// The next message due at `now`, marked `sending`.
    pub fn take_due(&mut self, now: Millis) -> Result<Option<Due>, DbError> {
        let tx = self.conn.transaction()?;
        let due = tx
            .query_row(
                "SELECT id, to_addr, message, attempts FROM outbox
                 WHERE state = 'queued' AND next_at <= ?1 ORDER BY next_at, id LIMIT 1",
                [now],
                |r| {
                    Ok(Due {
                        id: r.get::<_, i64>(0)? as u64,
                        to: r.get(1)?,
                        message: r.get(2)?,
                        attempts: r.get(3)?,
                    })
                },
            )
            .optional()?;
        if let Some(due) = &due {
            tx.execute(
                "UPDATE outbox SET state = 'sending' WHERE id = ?1",
                [due.id as i64],
            )?;
        }
        tx.commit()?;
        Ok(due)
    }

    /// When the next queued message is due.
    pub fn next_due(&self) -> Result<Option<Millis>, DbError> {
        Ok(self.conn.query_row(
            "SELECT MIN(next_at) FROM outbox WHERE state = 'queued'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The relay took message `id`.
    pub fn sent(&self, id: u64) -> Result<(), DbError> {
        self.conn.execute(
            "UPDATE outbox SET state = 'sent', attempts = attempts + 1, error = NULL WHERE id = ?1",
            [id as i64],
        )?;
        Ok(())
    }

    /// The relay did not take message `id`: retry at `retry_at`, or give up after
    /// [`MAX_ATTEMPTS`].
    pub fn failed(&self, id: u64, error: &str, retry_at: Millis) -> Result<(), DbError> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, error = ?2, next_at = ?3,
                state = CASE WHEN attempts + 1 >= ?4 THEN 'failed' ELSE 'queued' END
             WHERE id = ?1",
            params![id as i64, error, retry_at, MAX_ATTEMPTS],
        )?;
        Ok(())
    }

    /// A bounce came back for message `id`.
    pub fn bounced(&self, id: u64, why: &str) -> Result<bool, DbError> {
        Ok(self.conn.execute(
            "UPDATE outbox SET state = 'bounced', error = ?2 WHERE id = ?1",
            params![id as i64, why],
        )? > 0)
    }

    /// Every outbound message, newest first (at most `limit`).
    pub fn outbox(&self, limit: usize) -> Result<Vec<OutboxEntry>, DbError> {
        let mut statement = self.conn.prepare(
            "SELECT id, key, to_addr, subject, state, attempts, error, queued_at FROM outbox
             ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = statement.query_map([limit as i64], |r| {
            Ok(OutboxEntry {
                id: r.get::<_, i64>(0)? as u64,
                key: r.get(1)?,
                to: r.get(2)?,
                subject: r.get(3)?,
                state: state_of(&r.get::<_, String>(4)?),
                attempts: r.get(5)?,
                error: r.get(6)?,
                queued_at: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many outbound messages are in each state.
    pub fn outbox_counts(&self) -> Result<Vec<(DeliveryState, u64)>, DbError> {
        let mut statement = self
            .conn
            .prepare("SELECT state, COUNT(*) FROM outbox GROUP BY state")?;
        let rows = statement.query_map([], |r| {
            Ok((
                state_of(&r.get::<_, String>(0)?),
                r.get::<_, i64>(1)? as u64,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether a message with this `Message-ID` was already accepted.
    pub fn accepted_before(&self, message_id: &str) -> Result<Option<Logged>, DbError> {
        Ok(self
            .conn
            .query_row(
                "SELECT room, statement FROM inbox WHERE message_id = ?1 AND outcome = 'accepted'",
                [message_id],
                |r| {
                    Ok(Logged {
                        message_id: message_id.to_owned(),
                        outcome: "duplicate",
                        room: r.get(0)?,
                        statement: r.get::<_, Option<i64>>(1)?.map(|s| s as Seq),
                        ..Logged::default()
                    })
                },
            )
            .optional()?)
    }

    /// Logs an inbound message's fate.
    pub fn log_inbound(&self, entry: &Logged, now: Millis) -> Result<(), DbError> {
        self.conn.execute(
            "INSERT INTO inbox (message_id, to_addr, outcome, reason, room, statement, stripped, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                entry.message_id,
                entry.to,
                entry.outcome,
                entry.reason,
                entry.room,
                entry.statement.map(|s| s as i64),
                entry.stripped,
                now
            ],
        )?;
        Ok(())
    }

    /// Every inbound message, newest first (at most `limit`).
    pub fn inbox(&self, limit: usize) -> Result<Vec<InboxEntry>, DbError> {
        let mut statement = self.conn.prepare(
            "SELECT id, message_id, to_addr, outcome, reason, room, statement, stripped, received_at
             FROM inbox ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = statement.query_map([limit as i64], |r| {
            Ok(InboxEntry {
                id: r.get::<_, i64>(0)? as u64,
                message_id: r.get(1)?,
                to: r.get(2)?,
                outcome: r.get(3)?,
                reason: r.get(4)?,
                room: r
                    .get::<_, Option<String>>(5)?
                    .and_then(|s| RoomId::new(s).ok()),
                statement: r.get::<_, Option<i64>>(6)?.map(|s| s as u64),
                stripped: r.get(7)?,
                received_at: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many inbound messages were refused or ignored.
    pub fn refused_count(&self) -> Result<u64, DbError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM inbox WHERE outcome IN ('refused', 'ignored')",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// A person's settings, if they saved any.
    pub fn settings(&self, person: PersonId) -> Result<Option<MailSettings>, DbError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT json FROM settings WHERE person = ?1",
                [person as i64],
                |r| r.get(0),
            )
            .optional()?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Saves a person's settings.
    pub fn save_settings(&self, person: PersonId, settings: &MailSettings) -> Result<(), DbError> {
        let json = serde_json::to_string(settings).expect("settings serialize");
        self.conn.execute(
            "INSERT INTO settings (person, json) VALUES (?1, ?2)
             ON CONFLICT (person) DO UPDATE SET json = excluded.json",
            params![person as i64, json],
        )?;
        Ok(())
    }

    /// The last digest period a person received (`daily:20424` …).
    pub fn digest_period(&self, person: PersonId) -> Result<Option<String>, DbError> {
        Ok(self
            .conn
            .query_row(
                "SELECT period FROM digests WHERE person = ?1",
                [person as i64],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// How far into `room`'s record a person's digests have gone.
    pub fn digest_cursor(&self, person: PersonId, room: &RoomId) -> Result<Seq, DbError> {
        Ok(self
            .conn
            .query_row(
                "SELECT seq FROM digest_cursors WHERE person = ?1 AND room = ?2",
                params![person as i64, room.as_str()],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .unwrap_or(0) as Seq)
    }

    /// Records a digest: its message (if it has entries), its period and the cursors, at once.
    pub fn digest_done(
        &mut self,
        person: PersonId,
        period: &str,
        message: Option<&Queued>,
        cursors: &[(RoomId, Seq)],
        now: Millis,
    ) -> Result<usize, DbError> {
        let tx = self.conn.transaction()?;
        let mut queued = 0;
        if let Some(m) = message {
            queued = tx.execute(
                "INSERT OR IGNORE INTO outbox (key, to_addr, subject, message, state, next_at, queued_at)
                 VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?5)",
                params![m.key, m.to, m.subject, m.message, now],
            )?;
        }
        tx.execute(
            "INSERT INTO digests (person, period) VALUES (?1, ?2)
             ON CONFLICT (person) DO UPDATE SET period = excluded.period",
            params![person as i64, period],
        )?;
        for (room, seq) in cursors {
            tx.execute(
                "INSERT INTO digest_cursors (person, room, seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT (person, room) DO UPDATE SET seq = excluded.seq",
                params![person as i64, room.as_str(), *seq as i64],
            )?;
        }
        tx.commit()?;
        Ok(queued)
    }

    /// Moves a person's digest cursors forward without a digest (they receive none), never
    /// back.
    pub fn move_digest_cursors(
        &mut self,
        person: PersonId,
        cursors: &[(RoomId, Seq)],
    ) -> Result<(), DbError> {
        let tx = self.conn.transaction()?;
        for (room, seq) in cursors {
            tx.execute(
                "INSERT INTO digest_cursors (person, room, seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT (person, room) DO UPDATE SET seq = max(seq, excluded.seq)",
                params![person as i64, room.as_str(), *seq as i64],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// The name a delivery state has in the database and the API.
pub fn delivery_name(state: DeliveryState) -> &'static str {
    state_name(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(key: &str) -> Queued {
        Queued {
            key: key.into(),
            to: "a@example.org".into(),
            subject: "s".into(),
            message: b"Subject: s\r\n\r\nbody".to_vec(),
        }
    }

    #[test]
    fn a_key_is_queued_once_and_an_interrupted_send_is_not_repeated_after_a_restart() {
        let dir = tempfile::tempdir().expect("dir");
        let room = RoomId::new("c1").expect("room");
        {
            let mut db = MailDb::open(dir.path()).expect("open");
            assert_eq!(
                db.queue(&[message("open:c1:5")], Some((&room, 9)), 1)
                    .expect("q"),
                1
            );
            assert_eq!(db.queue(&[message("open:c1:5")], None, 2).expect("q"), 0);
            assert_eq!(db.cursor(&room).expect("cursor"), 9);
            let due = db.take_due(10).expect("due").expect("one");
            assert_eq!(due.attempts, 0);
            assert!(
                db.take_due(10).expect("due").is_none(),
                "sending is not due"
            );
        }
        let mut db = MailDb::open(dir.path()).expect("reopen");
        assert!(db.take_due(10).expect("due").is_none());
        assert_eq!(
            db.outbox(10).expect("outbox")[0].state,
            DeliveryState::Unknown
        );
        assert_eq!(db.queue(&[message("open:c1:5")], None, 3).expect("q"), 0);
    }

    #[test]
    fn failures_are_retried_then_given_up() {
        let dir = tempfile::tempdir().expect("dir");
        let mut db = MailDb::open(dir.path()).expect("open");
        db.queue(&[message("k")], None, 0).expect("q");
        for attempt in 0..MAX_ATTEMPTS {
            let due = db.take_due(Millis::MAX).expect("due").expect("due again");
            assert_eq!(due.attempts, attempt);
            db.failed(due.id, "relay down", 100).expect("failed");
        }
        assert!(db.take_due(Millis::MAX).expect("due").is_none());
        assert_eq!(
            db.outbox(1).expect("outbox")[0].state,
            DeliveryState::Failed
        );
    }
}
