//! Moderated roundtables: agenda, speaking list, floor control, fair ordering, server-side
//! timers and live speaking statistics — all pure, like the rest of the domain.
//!
//! - [`decide`](mod@decide): roundtable commands and the timer `tick` → events or a rejection.
//! - [`evolve`](mod@evolve): applying roundtable events (and the hooks the core events need).
//! - [`policy`]: the suggested order of a speaking list, with a reason per entry.
//! - [`stats`]: speaking statistics per participant, organisation, constituency and region.
//!
//! The state lives in `RoomState::roundtable` (present for rooms of kind roundtable). Times come
//! in as arguments; the hub asks [`RoomState::next_deadline`](super::RoomState::next_deadline)
//! when to send `Command::Tick`.

pub mod decide;
pub mod evolve;
pub mod policy;
pub mod stats;

#[cfg(test)]
mod chair_tests;
#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

pub(crate) use decide::{decide, on_access_ended, tick};

use super::state::RoomState;
use baraza_proto::identity::{Constituency, Profile};
use baraza_proto::ids::{AgendaItemId, Millis, UserId};
use baraza_proto::roundtable::{
    BalanceBy, BudgetView, FloorView, ItemState, RequestId, RequestKind, RoundtableSettings,
    RoundtableView, SanctionView, SpeakerEntry, SpeakingPolicy, SpeakingStats, TurnId, TurnView,
};
use std::collections::BTreeMap;

/// The fold of a roundtable's events.
///
/// Guarantees: at most one item is open; only the open item holds requests; no two requests of
/// one person of one kind on an item; the floor, when held, belongs to the last of `turns`;
/// the statistics are the sum of `floor_granted` (turns) and `floor_ended` (`spoken_ms`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundtableState {
    pub(crate) settings: RoundtableSettings,
    /// The agenda in its order.
    pub(crate) items: Vec<Item>,
    pub(crate) open: Option<AgendaItemId>,
    pub(crate) floor: Option<Floor>,
    pub(crate) turns: Vec<TurnView>,
    pub(crate) session: SpeakingStats,
    pub(crate) muted: Vec<SanctionView>,
    pub(crate) expelled: Vec<SanctionView>,
}

/// One agenda item and its speaking list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) id: AgendaItemId,
    pub(crate) title: String,
    pub(crate) state: ItemState,
    pub(crate) policy: SpeakingPolicy,
    pub(crate) balance_by: BalanceBy,
    pub(crate) speaking_time_ms: Option<u64>,
    pub(crate) budgets: BTreeMap<Constituency, u64>,
    pub(crate) list_closed: bool,
    /// Open requests, oldest first.
    pub(crate) requests: Vec<Request>,
    pub(crate) stats: SpeakingStats,
    /// Speakers of the item's `speak` turns, oldest first (for the policies).
    pub(crate) speak_turns: Vec<Profile>,
}

/// An open request to speak.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) id: RequestId,
    pub(crate) user: UserId,
    pub(crate) kind: RequestKind,
    pub(crate) reply_to: Option<TurnId>,
    pub(crate) requested_at: Millis,
    /// The moderator who put this person on the list, when it was not the person themselves.
    pub(crate) added_by: Option<UserId>,
}

/// The current turn and its clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Floor {
    pub(crate) turn: TurnId,
    pub(crate) item: AgendaItemId,
    pub(crate) speaker: Profile,
    /// When the time runs out (meaningful while running).
    pub(crate) deadline: Millis,
    /// While paused: the time left.
    pub(crate) paused: Option<u64>,
    /// When the clock last started.
    pub(crate) running_since: Millis,
    /// Time spoken before the last pause.
    pub(crate) spoken_before: u64,
    /// A `floor_warning` was recorded for this turn since its deadline last moved out of the
    /// warning lead (what the view reports: only what the record says).
    pub(crate) warned: bool,
    /// The timer still owes this turn a `floor_warning` (false when the lead is 0 or the time
    /// left was already within it when the clock last started).
    pub(crate) warning_due: bool,
    pub(crate) time_up: bool,
}

impl Floor {
    /// Time spoken if the turn ended at `now`: pauses excluded, capped at the deadline unless
    /// the moderator was told the time is up and let the speaker go on.
    pub(crate) fn spoken_at(&self, now: Millis) -> u64 {
        if self.paused.is_some() {
            return self.spoken_before;
        }
        let end = if self.time_up {
            now
        } else {
            now.min(self.deadline)
        };
        self.spoken_before + u64::try_from(end - self.running_since).unwrap_or(0)
    }

    /// The clock (re)started with a new deadline: when that leaves more time than the warning
    /// lead, a new warning is due and the earlier one no longer stands; otherwise no warning is
    /// due and `warned` keeps saying whether one was recorded.
    pub(crate) fn restart_warning(&mut self, due: bool) {
        self.warning_due = due;
        if due {
            self.warned = false;
        }
    }

    /// Time left at `now` (0 once past the deadline).
    pub(crate) fn remaining_at(&self, now: Millis) -> u64 {
        match self.paused {
            Some(remaining) => remaining,
            None => u64::try_from(self.deadline - now).unwrap_or(0),
        }
    }

    /// The next moment the timer has something to do, if any.
    fn next_deadline(&self, warning_ms: u64) -> Option<Millis> {
        if self.paused.is_some() || self.time_up {
            return None;
        }
        if self.warning_due {
            return Some(self.deadline - i64::try_from(warning_ms).unwrap_or(i64::MAX / 2));
        }
        Some(self.deadline)
    }
}

impl RoundtableState {
    /// The item with this id.
    pub(crate) fn item(&self, id: AgendaItemId) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    pub(crate) fn item_mut(&mut self, id: AgendaItemId) -> Option<&mut Item> {
        self.items.iter_mut().find(|i| i.id == id)
    }

    /// The open item.
    pub(crate) fn open_item(&self) -> Option<&Item> {
        self.open.and_then(|id| self.item(id))
    }

    /// Whether `user` is on the open item's speaking list or holds the floor.
    pub fn on_list(&self, user: &UserId) -> bool {
        self.floor.as_ref().is_some_and(|f| &f.speaker.user == user)
            || self
                .open_item()
                .is_some_and(|item| item.requests.iter().any(|r| &r.user == user))
    }

    /// Whether `user` is muted.
    pub fn is_muted(&self, user: &UserId) -> bool {
        self.muted.iter().any(|s| &s.user == user)
    }

    /// Whether `user` is expelled.
    pub fn is_expelled(&self, user: &UserId) -> bool {
        self.expelled.iter().any(|s| &s.user == user)
    }

    /// The next moment a `Command::Tick` has something to do: a warning or the deadline.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.floor
            .as_ref()
            .and_then(|f| f.next_deadline(self.settings.warning_ms))
    }

    /// Speaking time a `kind` turn on `item` gets, before budgets.
    pub(crate) fn duration_of(&self, item: &Item, kind: RequestKind) -> u64 {
        match kind {
            RequestKind::Speak => item
                .speaking_time_ms
                .unwrap_or(self.settings.speaking_time_ms),
            RequestKind::Reply => self.settings.reply_time_ms,
            RequestKind::PointOfOrder => self.settings.point_of_order_time_ms,
        }
    }

    /// The roundtable as every reader sees it.
    pub(crate) fn view(&self, room: &RoomState) -> RoundtableView {
        let agenda = self
            .items
            .iter()
            .map(|item| {
                let speakers = policy::suggest(self, item, room)
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let profile = room.member(&s.request.user).map(|m| &m.profile);
                        SpeakerEntry {
                            position: i + 1,
                            request: s.request.id,
                            user: s.request.user.clone(),
                            name: profile
                                .map_or_else(|| s.request.user.to_string(), |p| p.name.clone()),
                            org: profile.and_then(|p| p.org.clone()),
                            constituency: profile.and_then(|p| p.constituency),
                            kind: s.request.kind,
                            reply_to: s.request.reply_to,
                            requested_at: s.request.requested_at,
                            added_by: s.request.added_by.clone(),
                            reason: s.reason,
                            eligible: s.eligible,
                        }
                    })
                    .collect();
                let budgets = item
                    .budgets
                    .iter()
                    .map(|(&constituency, &budget_ms)| BudgetView {
                        constituency,
                        budget_ms,
                        used_ms: stats::used_by_constituency(&item.stats, constituency),
                    })
                    .collect();
                baraza_proto::roundtable::AgendaItemView {
                    id: item.id,
                    title: item.title.clone(),
                    state: item.state,
                    policy: item.policy,
                    balance_by: item.balance_by,
                    speaking_time_ms: item.speaking_time_ms,
                    budgets,
                    list_closed: item.list_closed,
                    speakers,
                    stats: item.stats.clone(),
                }
            })
            .collect();
        let floor = self.floor.as_ref().map(|f| FloorView {
            turn: f.turn,
            user: f.speaker.user.clone(),
            deadline: f.paused.is_none().then_some(f.deadline),
            paused: f.paused.is_some(),
            remaining_ms: f.paused,
            warned: f.warned,
            time_up: f.time_up,
        });
        RoundtableView {
            settings: self.settings.clone(),
            agenda,
            open_item: self.open,
            floor,
            turns: self.turns.clone(),
            session_stats: self.session.clone(),
            muted: self.muted.clone(),
            expelled: self.expelled.clone(),
        }
    }
}

/// Whether a roundtable room has agenda item `item` (false for other rooms).
pub(crate) fn has_item(state: &RoomState, item: AgendaItemId) -> bool {
    state
        .roundtable
        .as_ref()
        .is_some_and(|rt| rt.item(item).is_some())
}
