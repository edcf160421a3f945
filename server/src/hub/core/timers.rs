//! The room's timer table: every deadline the core keeps, in the room's time (`Millis`, given
//! by the driver). The core asks [`Timers::next`] for the earliest; the driver wakes it then.

use baraza_proto::ids::{Millis, UserId};
use std::collections::{BTreeSet, HashMap};

/// The deadlines of one room.
#[derive(Default)]
pub struct Timers {
    /// Members without connections here, by when their departure is due (grace).
    leaving: BTreeSet<(Millis, UserId)>,
    leave_due: HashMap<UserId, Millis>,
    /// After a failed speaking-timer tick, the next waits until then (no busy retry).
    pub tick_not_before: Millis,
    /// When the record is next compared with the room (several nodes only).
    pub audit_at: Option<Millis>,
    /// Since when nobody is connected and nothing is due (for unloading).
    pub idle_since: Millis,
    /// When a command that lost the race to append is decided again.
    pub retry_at: Option<Millis>,
    /// When the audience's arrivals and departures gathered so far are recorded.
    pub digest_at: Option<Millis>,
}

impl Timers {
    /// Schedules `user`'s departure at `due` (replacing an earlier one).
    pub fn schedule_leave(&mut self, user: UserId, due: Millis) {
        if let Some(previous) = self.leave_due.insert(user.clone(), due) {
            self.leaving.remove(&(previous, user.clone()));
        }
        self.leaving.insert((due, user));
    }

    /// Cancels `user`'s departure (they are connected again).
    pub fn cancel_leave(&mut self, user: &UserId) {
        if let Some(due) = self.leave_due.remove(user) {
            self.leaving.remove(&(due, user.clone()));
        }
    }

    /// Takes every departure due at `now`, earliest first.
    pub fn due_leaves(&mut self, now: Millis) -> Vec<UserId> {
        let mut due = Vec::new();
        while let Some((at, _)) = self.leaving.first()
            && *at <= now
        {
            let (_, user) = self.leaving.pop_first().expect("just seen");
            self.leave_due.remove(&user);
            due.push(user);
        }
        due
    }

    /// Whether a departure is pending.
    pub fn leaves_pending(&self) -> bool {
        !self.leaving.is_empty()
    }

    /// The earliest departure.
    pub fn next_leave(&self) -> Option<Millis> {
        self.leaving.first().map(|(at, _)| *at)
    }
}

/// The earliest of some deadlines.
pub fn earliest(deadlines: impl IntoIterator<Item = Option<Millis>>) -> Option<Millis> {
    deadlines.into_iter().flatten().min()
}
