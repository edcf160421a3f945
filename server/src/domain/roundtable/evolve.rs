//! Applying roundtable events to the state, and the two hooks core events need: a roundtable
//! begins with `room_created`, and a statement posted by the floor holder joins their turn.

use super::super::state::RoomState;
use super::{Floor, Item, Request, RoundtableState, stats};
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::ids::{Millis, Seq, UserId};
use baraza_proto::room::{RoomKind, RoomSettings};
use baraza_proto::roundtable::{
    BalanceBy, ItemState, RulingView, SanctionView, SpeakingPolicy, SpeakingStats, TurnView,
};

/// The roundtable state a room of these settings starts with (`None` for other kinds).
pub(crate) fn created(settings: &RoomSettings) -> Option<RoundtableState> {
    (settings.kind == RoomKind::Roundtable).then(RoundtableState::default)
}

/// Links statement `id` by `author` to the current turn when the author holds the floor.
pub(crate) fn statement_posted(state: &mut RoomState, author: &UserId, id: Seq) {
    let Some(rt) = state.roundtable.as_mut() else {
        return;
    };
    if let Some(f) = &rt.floor
        && &f.speaker.user == author
        && let Some(turn) = rt.turns.last_mut()
        && turn.id == f.turn
    {
        turn.statements.push(id);
    }
}

/// Applies a roundtable event. Total: other events and events that do not fit the state (which
/// a valid record never holds) change nothing.
pub(crate) fn apply(state: &mut RoomState, event: &EventEnvelope) {
    let Some(mut rt) = state.roundtable.take() else {
        return;
    };
    apply_to(&mut rt, state, event);
    state.roundtable = Some(rt);
}

fn apply_to(rt: &mut RoundtableState, room: &mut RoomState, event: &EventEnvelope) {
    let ts = event.ts;
    let by = || event.actor.clone();
    match &event.body {
        EventBody::RoundtableConfigured(c) => rt.settings = c.settings.clone(),
        EventBody::AgendaItemAdded(c) => rt.items.push(Item {
            id: event.seq,
            title: c.title.clone(),
            state: ItemState::Pending,
            policy: SpeakingPolicy::Fifo,
            balance_by: BalanceBy::Constituency,
            speaking_time_ms: c.speaking_time_ms,
            budgets: Default::default(),
            list_closed: false,
            requests: Vec::new(),
            stats: SpeakingStats::default(),
            speak_turns: Vec::new(),
        }),
        EventBody::AgendaItemOpened(c) => {
            if let Some(item) = rt.item_mut(c.item) {
                item.state = ItemState::Open;
                rt.open = Some(c.item);
            }
        }
        EventBody::AgendaItemClosed(c) => {
            if let Some(item) = rt.item_mut(c.item) {
                item.state = ItemState::Closed;
                item.requests.clear();
                item.list_closed = false;
            }
            if rt.open == Some(c.item) {
                rt.open = None;
            }
        }
        EventBody::AgendaReordered(c) => {
            let mut reordered = Vec::with_capacity(rt.items.len());
            for id in &c.items {
                if let Some(i) = rt.items.iter().position(|item| item.id == *id) {
                    reordered.push(rt.items.remove(i));
                }
            }
            reordered.append(&mut rt.items);
            rt.items = reordered;
        }
        EventBody::SpeakingPolicySet(c) => {
            if let Some(item) = rt.item_mut(c.item) {
                item.policy = c.policy;
                item.balance_by = c.balance_by;
            }
        }
        EventBody::TimeBudgetSet(c) => {
            if let Some(item) = rt.item_mut(c.item) {
                match c.budget_ms {
                    Some(ms) => item.budgets.insert(c.constituency, ms),
                    None => item.budgets.remove(&c.constituency),
                };
            }
        }
        EventBody::FloorRequested(c) => {
            // A moderator's request for someone is that person's; the actor is kept as who
            // added it.
            let (user, added_by) = match &c.on_behalf_of {
                Some(user) => (Some(user.clone()), by()),
                None => (by(), None),
            };
            if let (Some(user), Some(item)) = (user, rt.item_mut(c.item)) {
                item.requests.push(Request {
                    id: event.seq,
                    user,
                    kind: c.kind,
                    reply_to: c.reply_to,
                    requested_at: ts,
                    added_by,
                });
            }
        }
        EventBody::RequestWithdrawn(c) => remove_requests(rt, |r| r.id == c.request),
        EventBody::RequestRemoved(c) => remove_requests(rt, |r| r.id == c.request),
        EventBody::SpeakingListClosed(c) | EventBody::SpeakingListReopened(c) => {
            let closed = matches!(event.body, EventBody::SpeakingListClosed(_));
            if let Some(item) = rt.item_mut(c.item) {
                item.list_closed = closed;
            }
        }
        EventBody::FloorGranted(c) => {
            let warning = rt.settings.warning_ms;
            let Some(item) = rt.item_mut(c.item) else {
                return;
            };
            item.requests.retain(|r| r.id != c.request);
            stats::add(&mut item.stats, &c.speaker, 1, 0);
            if c.kind == baraza_proto::roundtable::RequestKind::Speak {
                item.speak_turns.push(c.speaker.clone());
            }
            stats::add(&mut rt.session, &c.speaker, 1, 0);
            rt.turns.push(TurnView {
                id: event.seq,
                item: c.item,
                user: c.speaker.user.clone(),
                kind: c.kind,
                reply_to: c.reply_to,
                granted_at: ts,
                duration_ms: c.duration_ms,
                out_of_order: c.out_of_order.clone(),
                statements: Vec::new(),
                ended_at: None,
                end_reason: None,
                spoken_ms: None,
                ruling: None,
            });
            rt.floor = Some(Floor {
                turn: event.seq,
                item: c.item,
                speaker: c.speaker.clone(),
                deadline: c.deadline,
                paused: None,
                running_since: ts,
                spoken_before: 0,
                warned: false,
                warning_due: warning_due(warning, c.deadline - ts),
                time_up: false,
            });
        }
        EventBody::FloorExtended(c) => {
            let warning = rt.settings.warning_ms;
            let Some(f) = floor_of(rt, c.turn) else {
                return;
            };
            match (&mut f.paused, c.deadline) {
                (Some(remaining), _) => {
                    *remaining += c.by_ms;
                    let remaining = to_millis(*remaining);
                    f.restart_warning(warning_due(warning, remaining));
                }
                (None, Some(deadline)) => {
                    if f.time_up {
                        // The speaker went on past the deadline with the moderator's leave:
                        // that time counts, and the clock restarts from here.
                        f.spoken_before = f.spoken_at(ts);
                        f.running_since = ts;
                    }
                    f.deadline = deadline;
                    f.restart_warning(warning_due(warning, deadline - ts));
                }
                (None, None) => return,
            }
            f.time_up = false;
            if let Some(turn) = rt.turns.last_mut() {
                turn.duration_ms += c.by_ms;
            }
        }
        EventBody::FloorPaused(c) => {
            if let Some(f) = floor_of(rt, c.turn) {
                f.spoken_before = f.spoken_at(ts);
                f.paused = Some(c.remaining_ms);
            }
        }
        EventBody::FloorResumed(c) => {
            let warning = rt.settings.warning_ms;
            if let Some(f) = floor_of(rt, c.turn) {
                f.paused = None;
                f.running_since = ts;
                f.deadline = c.deadline;
                f.time_up = false;
                f.restart_warning(warning_due(warning, c.deadline - ts));
            }
        }
        EventBody::FloorWarning(c) => {
            if let Some(f) = floor_of(rt, c.turn) {
                f.warned = true;
                f.warning_due = false;
            }
        }
        EventBody::FloorTimeUp(c) => {
            if let Some(f) = floor_of(rt, c.turn) {
                f.time_up = true;
                f.warning_due = false;
            }
        }
        EventBody::FloorEnded(c) => {
            let Some(f) = rt.floor.take_if(|f| f.turn == c.turn) else {
                return;
            };
            if let Some(item) = rt.item_mut(f.item) {
                stats::add(&mut item.stats, &f.speaker, 0, c.spoken_ms);
            }
            stats::add(&mut rt.session, &f.speaker, 0, c.spoken_ms);
            if let Some(turn) = rt.turns.last_mut().filter(|t| t.id == c.turn) {
                turn.ended_at = Some(ts);
                turn.end_reason = Some(c.reason);
                turn.spoken_ms = Some(c.spoken_ms);
            }
        }
        EventBody::ParticipantMuted(c) | EventBody::ParticipantExpelled(c) => {
            let sanction = SanctionView {
                user: c.user.clone(),
                reason: c.reason.clone(),
                by: by().unwrap_or_else(|| c.user.clone()),
                at: ts,
            };
            remove_requests(rt, |r| r.user == c.user);
            if matches!(event.body, EventBody::ParticipantExpelled(_)) {
                rt.expelled.push(sanction);
                room.depart(&c.user);
            } else {
                rt.muted.push(sanction);
            }
        }
        EventBody::AccessEnded(ended) => remove_requests(rt, |r| r.user == ended.user),
        EventBody::ParticipantUnmuted(c) => rt.muted.retain(|s| s.user != c.user),
        EventBody::ParticipantReadmitted(c) => rt.expelled.retain(|s| s.user != c.user),
        EventBody::PointOfOrderRuled(c) => {
            if let Some(turn) = rt.turns.iter_mut().find(|t| t.id == c.turn) {
                turn.ruling = Some(RulingView {
                    text: c.ruling.clone(),
                    by: by().unwrap_or_else(|| turn.user.clone()),
                    at: ts,
                });
            }
        }
        _ => {}
    }
}

fn remove_requests(rt: &mut RoundtableState, mut gone: impl FnMut(&Request) -> bool) {
    for item in &mut rt.items {
        item.requests.retain(|r| !gone(r));
    }
}

fn floor_of(rt: &mut RoundtableState, turn: Seq) -> Option<&mut Floor> {
    rt.floor.as_mut().filter(|f| f.turn == turn)
}

/// Whether a turn whose clock starts with `remaining` ms left owes a warning: only when there is
/// a lead and the time left is longer than it.
fn warning_due(warning_ms: u64, remaining: Millis) -> bool {
    warning_ms > 0 && remaining > to_millis(warning_ms)
}

fn to_millis(ms: u64) -> Millis {
    Millis::try_from(ms).unwrap_or(Millis::MAX / 4)
}
