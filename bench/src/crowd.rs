//! The crowd: many members connecting (from several source addresses, a bounded number at a
//! time), authenticating, joining and then reading until told to stop; optionally all dropping
//! their connections at once and resuming.

use crate::board::{Board, Cursor};
use crate::conn::{self, Dialect, Sources, Ws};
use crate::error::Result;
use crate::latency::now_ns;
use crate::member::{self, End};
use crate::token::mint;
use crate::wire::Frame;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, Semaphore};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How the crowd is made up.
#[derive(Debug, Clone)]
pub struct CrowdSpec {
    /// Number of members.
    pub members: usize,
    /// What the servers speak.
    pub dialect: Dialect,
    /// Nodes; member `i` connects to `addrs[i % len]`.
    pub addrs: Vec<SocketAddr>,
    /// Rooms; member `i` joins `rooms[i / per_room]` (Baraza only).
    pub rooms: Vec<String>,
    /// Members per room.
    pub per_room: usize,
    /// Connections being opened at the same time.
    pub concurrency: usize,
    /// Client source addresses (127.0.0.2 …).
    pub sources: usize,
    /// Enrol first: every member joins once and drops (the presence grace keeps them present),
    /// and only when all are enrolled do they connect for good and join with `since`. Without
    /// it every member stays connected while the others join, and receives their
    /// `member_joined` events: N²/2 frames before the first statement.
    pub enroll: bool,
}

/// Progress counters of a crowd, shared with its tasks.
#[derive(Default)]
pub struct Progress {
    /// Members that joined.
    pub joined: AtomicUsize,
    /// Members that enrolled (joined once and dropped).
    pub enrolled: AtomicUsize,
    /// Members that failed to connect or join.
    pub failed: AtomicUsize,
    /// Members that resumed after the drop.
    pub resumed: AtomicUsize,
    /// The latest resume `ack` after the drop, ns after the drop.
    pub last_resume_ns: AtomicU64,
    /// When the drop happened ([`now_ns`]).
    pub drop_ns: AtomicU64,
    /// The first error a member met.
    pub first_error: Mutex<Option<String>>,
}

/// A running crowd.
pub struct Crowd {
    /// Its counters.
    pub progress: Arc<Progress>,
    handles: Vec<JoinHandle<(Cursor, End)>>,
    stop: CancellationToken,
    drop: CancellationToken,
    enrolled: CancellationToken,
}

/// Head `seq` hints per room: a joiner resumes from the latest `seq` the generator has seen in
/// its room instead of asking for a snapshot, so that a join costs O(events since) rather than
/// O(members) (the snapshot lists every member).
pub type Hints = Arc<Vec<AtomicU64>>;

/// How each member's story ends: the cursor and how its reading ended.
pub struct Outcome {
    /// Statement cursors of every member.
    pub cursors: Vec<Cursor>,
    /// Close codes (or 0 for a failure without a code) of members the server disconnected.
    pub closed: Vec<u16>,
}

impl Crowd {
    /// Starts every member's task; returns at once.
    pub fn start(spec: &CrowdSpec, board: Arc<Board>, hints: Hints, storm: bool) -> Crowd {
        let progress = Arc::new(Progress::default());
        let stop = CancellationToken::new();
        let drop = CancellationToken::new();
        let enrolled = CancellationToken::new();
        let gate = Arc::new(Semaphore::new(spec.concurrency.max(1)));
        let sources = Arc::new(Sources::new(spec.sources));
        let spec = Arc::new(spec.clone());
        let handles = (0..spec.members)
            .map(|who| {
                let ctx = MemberCtx {
                    who,
                    spec: spec.clone(),
                    board: board.clone(),
                    hints: hints.clone(),
                    progress: progress.clone(),
                    gate: gate.clone(),
                    sources: sources.clone(),
                };
                let tokens = Tokens {
                    stop: stop.clone(),
                    drop: drop.clone(),
                    enrolled: enrolled.clone(),
                };
                tokio::spawn(async move { ctx.live(tokens, storm).await })
            })
            .collect();
        Crowd {
            progress,
            handles,
            stop,
            drop,
            enrolled,
        }
    }

    /// With enrolment: waits until every member enrolled or failed (at most `limit`), then
    /// lets them connect for good. Returns whether all enrolled.
    pub async fn wait_enrolled(&self, members: usize, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        let mut all = false;
        while tokio::time::Instant::now() < deadline {
            let enrolled = self.progress.enrolled.load(Ordering::Relaxed);
            let failed = self.progress.failed.load(Ordering::Relaxed);
            if enrolled + failed >= members {
                all = failed == 0;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.enrolled.cancel();
        all
    }

    /// Waits until every member joined or failed, at most `limit`; returns whether all joined.
    pub async fn wait_joined(&self, members: usize, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while tokio::time::Instant::now() < deadline {
            let joined = self.progress.joined.load(Ordering::Relaxed);
            let failed = self.progress.failed.load(Ordering::Relaxed);
            if joined + failed >= members {
                return failed == 0;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }

    /// Every member drops its connection now and resumes.
    pub fn drop_all(&self) {
        self.progress.drop_ns.store(now_ns(), Ordering::Relaxed);
        self.drop.cancel();
    }

    /// Tells every member to stop and collects what they saw.
    pub async fn finish(self) -> Outcome {
        self.stop.cancel();
        let mut cursors = Vec::with_capacity(self.handles.len());
        let mut closed = Vec::new();
        for handle in self.handles {
            match tokio::time::timeout(Duration::from_secs(30), handle).await {
                Ok(Ok((cursor, end))) => {
                    cursors.push(cursor);
                    if let End::Closed(code) = end {
                        closed.push(code.unwrap_or(0));
                    }
                }
                _ => {
                    cursors.push(Cursor::default());
                    closed.push(0);
                }
            }
        }
        Outcome { cursors, closed }
    }
}

struct Tokens {
    stop: CancellationToken,
    drop: CancellationToken,
    enrolled: CancellationToken,
}

struct MemberCtx {
    who: usize,
    spec: Arc<CrowdSpec>,
    board: Arc<Board>,
    hints: Hints,
    progress: Arc<Progress>,
    gate: Arc<Semaphore>,
    sources: Arc<Sources>,
}

impl MemberCtx {
    fn room(&self) -> usize {
        (self.who / self.spec.per_room.max(1)).min(self.spec.rooms.len().saturating_sub(1))
    }

    async fn note_error(&self, error: impl std::fmt::Display) {
        let mut first = self.progress.first_error.lock().await;
        if first.is_none() {
            *first = Some(error.to_string());
        }
    }

    /// Connects, authenticates and joins (resuming after what the board says it has when
    /// `resume`).
    async fn establish(&self, cursor: &mut Cursor, resume: bool) -> Result<Ws> {
        let _permit = self.gate.acquire().await.expect("semaphore open");
        let addr = self.spec.addrs[self.who % self.spec.addrs.len()];
        let mut ws = conn::connect(addr, self.spec.dialect, self.sources.next()).await?;
        if self.spec.dialect != Dialect::Baraza {
            return Ok(ws);
        }
        conn::auth(
            &mut ws,
            &mint(&format!("member-{}", self.who), "participant")?,
        )
        .await?;
        let room = self.room();
        let since = if resume {
            Some(self.board.member_seq[self.who].load(Ordering::Relaxed))
        } else {
            let hint = self.hints[room].load(Ordering::Relaxed);
            self.board.member_seq[self.who].store(hint, Ordering::Relaxed);
            (hint > 0).then_some(hint)
        };
        let board = self.board.clone();
        let who = self.who;
        let ack = conn::join(&mut ws, &self.spec.rooms[room], since, |frame| {
            if let Frame::Event { seq, ts, statement } = frame {
                board.event_seq(who, seq);
                if let Some(statement) = statement {
                    board.statement(who, cursor, statement, ts);
                }
            }
        })
        .await?;
        if since.is_none() {
            // A snapshot join: the snapshot covers everything up to the ack.
            self.board.member_seq[self.who].store(ack, Ordering::Relaxed);
        }
        self.hints[room].fetch_max(ack, Ordering::Relaxed);
        Ok(ws)
    }

    async fn live(self, tokens: Tokens, storm: bool) -> (Cursor, End) {
        let Tokens {
            stop,
            drop,
            enrolled,
        } = tokens;
        let mut cursor = Cursor::default();
        if self.spec.enroll && self.spec.dialect == Dialect::Baraza {
            match self.establish(&mut cursor, false).await {
                Ok(ws) => std::mem::drop(ws),
                Err(error) => {
                    self.note_error(&error).await;
                    self.progress.failed.fetch_add(1, Ordering::Relaxed);
                    return (cursor, End::Closed(None));
                }
            }
            self.progress.enrolled.fetch_add(1, Ordering::Relaxed);
            enrolled.cancelled().await;
        }
        let ws = match self.establish(&mut cursor, false).await {
            Ok(ws) => ws,
            Err(error) => {
                self.note_error(&error).await;
                self.progress.failed.fetch_add(1, Ordering::Relaxed);
                return (cursor, End::Closed(None));
            }
        };
        self.progress.joined.fetch_add(1, Ordering::Relaxed);
        let first = if storm { drop } else { stop.clone() };
        let dialect = self.spec.dialect;
        let end = member::read(
            ws,
            self.who,
            dialect,
            self.board.clone(),
            &mut cursor,
            first,
        )
        .await;
        if !storm || stop.is_cancelled() {
            return (cursor, end);
        }
        let End::Stopped(ws) = end else {
            return (cursor, end);
        };
        std::mem::drop(ws);
        let mut attempts = 0;
        let ws = loop {
            attempts += 1;
            match self.establish(&mut cursor, true).await {
                Ok(ws) => break ws,
                Err(error) if attempts >= 5 => {
                    self.note_error(&error).await;
                    return (cursor, End::Closed(None));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        let after = now_ns().saturating_sub(self.progress.drop_ns.load(Ordering::Relaxed));
        self.progress
            .last_resume_ns
            .fetch_max(after, Ordering::Relaxed);
        self.progress.resumed.fetch_add(1, Ordering::Relaxed);
        let end = member::read(ws, self.who, dialect, self.board.clone(), &mut cursor, stop).await;
        (cursor, end)
    }
}
