//! What every receiving member writes down during a run: which statements arrived, how late,
//! and whether any were lost or doubled.

use crate::latency::{Recorder, now_ns, wall_ms};
use crate::wire::Statement;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use tokio::sync::Notify;

/// Figures one phase of a run collects.
#[derive(Default)]
pub struct Phase {
    /// Speaker's send → member's receipt.
    pub latency: Recorder,
    /// Event `ts` (server decide time, ms) → member's receipt.
    pub since_ts: Recorder,
    /// Receipts counted in this phase.
    pub received: AtomicU64,
    /// The latest receipt ([`now_ns`]).
    pub last_receipt_ns: AtomicU64,
}

/// Shared tallies of one run.
pub struct Board {
    /// Receiving members.
    pub members: usize,
    /// Statements with an index below this belong to phase 0, the rest to phase 1.
    pub split: u64,
    /// How many members received each statement.
    pub delivered: Vec<AtomicU32>,
    /// The two phases (fixed rate, saturation).
    pub phases: [Phase; 2],
    /// Statement receipts out of order ahead (counted as lost until the end of the run).
    pub lost: AtomicU64,
    /// Statement receipts of a statement already received.
    pub doubled: AtomicU64,
    /// Event `seq`s a member skipped.
    pub seq_lost: AtomicU64,
    /// Event `seq`s a member received twice.
    pub seq_doubled: AtomicU64,
    /// Last event `seq` each member has.
    pub member_seq: Vec<AtomicU64>,
    /// Woken when a statement has reached every member.
    pub complete: Notify,
}

/// One member's place in the statement stream.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cursor {
    /// The next statement index it expects.
    pub next: u64,
}

impl Board {
    /// A board for `members` receivers and at most `statements` statements.
    pub fn new(members: usize, statements: u64, split: u64) -> Board {
        Board {
            members,
            split,
            delivered: (0..statements).map(|_| AtomicU32::new(0)).collect(),
            phases: [Phase::default(), Phase::default()],
            lost: AtomicU64::new(0),
            doubled: AtomicU64::new(0),
            seq_lost: AtomicU64::new(0),
            seq_doubled: AtomicU64::new(0),
            member_seq: (0..members).map(|_| AtomicU64::new(0)).collect(),
            complete: Notify::new(),
        }
    }

    /// Member `who` received `statement` (in an event stamped `ts`, 0 if none).
    pub fn statement(&self, who: usize, cursor: &mut Cursor, statement: Statement, ts: u64) {
        let now = now_ns();
        let phase = &self.phases[usize::from(statement.index >= self.split)];
        phase
            .latency
            .record(who, now.saturating_sub(statement.sent_ns) / 1_000);
        if ts > 0 {
            phase
                .since_ts
                .record(who, wall_ms().saturating_sub(ts) * 1_000);
        }
        phase.received.fetch_add(1, Ordering::Relaxed);
        phase.last_receipt_ns.fetch_max(now, Ordering::Relaxed);
        if statement.index < cursor.next {
            self.doubled.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if statement.index > cursor.next {
            self.lost
                .fetch_add(statement.index - cursor.next, Ordering::Relaxed);
        }
        cursor.next = statement.index + 1;
        if let Some(count) = self.delivered.get(statement.index as usize) {
            let now_delivered = count.fetch_add(1, Ordering::AcqRel) + 1;
            if now_delivered as usize >= self.members {
                self.complete.notify_waiters();
            }
        }
    }

    /// Member `who` received the event `seq`: checks it follows the last one it had.
    pub fn event_seq(&self, who: usize, seq: u64) {
        let last = self.member_seq[who].load(Ordering::Relaxed);
        if seq <= last {
            self.seq_doubled.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if seq > last + 1 {
            self.seq_lost.fetch_add(seq - last - 1, Ordering::Relaxed);
        }
        self.member_seq[who].store(seq, Ordering::Relaxed);
    }

    /// Whether statement `index` has reached every member.
    pub fn fully_delivered(&self, index: u64) -> bool {
        self.delivered
            .get(index as usize)
            .is_some_and(|c| c.load(Ordering::Acquire) as usize >= self.members)
    }

    /// The lowest event `seq` any member has.
    pub fn min_member_seq(&self) -> u64 {
        self.member_seq
            .iter()
            .map(|s| s.load(Ordering::Relaxed))
            .min()
            .unwrap_or(0)
    }

    /// Members whose last event `seq` is below `seq`.
    pub fn behind(&self, seq: u64) -> usize {
        self.member_seq
            .iter()
            .filter(|s| s.load(Ordering::Relaxed) < seq)
            .count()
    }
}
