//! Deciding roundtable commands and the timer tick.
//!
//! Who may do what: moderators and the secretariat run the agenda and the floor, put a
//! participant on the list on their behalf and remove anyone's request with a reason;
//! participants request, withdraw and yield; observers do none of these. Muted people may not request the
//! floor (or post); expelled people are not present, so the core refuses them before this.

use super::super::state::RoomState;
use super::super::{Rejection, text::check_text};
use super::{Floor, RoundtableState, policy};
use baraza_proto::command::RoomCommand;
use baraza_proto::event::EventBody;
use baraza_proto::identity::{Profile, Role};
use baraza_proto::ids::{Millis, UserId};
use baraza_proto::limits::{MAX_REASON_CHARS, MAX_TITLE_CHARS};
use baraza_proto::roundtable::{
    AgendaItemAdded, FloorEndReason, FloorEnded, FloorExtended, FloorGranted, FloorRemaining,
    FloorRequested, FloorResumed, ItemRef, MAX_RULING_CHARS, OnExpiry, RequestKind,
    RequestWithdrawn, RoundtableSettings, TurnRef,
};
use std::collections::HashSet;

/// Longest speaking time, extension or warning lead: one hour.
pub const MAX_DURATION_MS: u64 = 3_600_000;
/// Shortest speaking time: one second.
pub const MIN_SPEAKING_MS: u64 = 1_000;

/// Decides a roundtable command from `profile` (already known to be present, with its
/// idempotency key checked) at `now`. Rooms of other kinds refuse it as invalid.
pub(crate) fn decide(
    state: &RoomState,
    profile: &Profile,
    command: &RoomCommand,
    now: Millis,
) -> Result<Vec<EventBody>, Rejection> {
    let Some(rt) = state.roundtable.as_ref() else {
        return Err(Rejection::Invalid(format!(
            "{} is a roundtable command; this room is not a roundtable",
            command.name()
        )));
    };
    match command {
        RoomCommand::PostStatement { .. }
        | RoomCommand::HideStatement { .. }
        | RoomCommand::RedactStatement { .. }
        | RoomCommand::UpdateRoom { .. }
        | RoomCommand::ArchiveRoom
        | RoomCommand::DraftMinutes { .. }
        | RoomCommand::CirculateMinutes { .. }
        | RoomCommand::ProposeMinutesCorrection { .. }
        | RoomCommand::DecideMinutesCorrection { .. }
        | RoomCommand::ApproveMinutes => Err(Rejection::Invalid("not a roundtable command".into())),
        RoomCommand::AddQuestion { .. }
        | RoomCommand::EditQuestion { .. }
        | RoomCommand::WithdrawQuestion { .. }
        | RoomCommand::DismissReport { .. }
        | RoomCommand::SetPhase { .. }
        | RoomCommand::SetModeration { .. }
        | RoomCommand::SetPhaseDeadline { .. }
        | RoomCommand::ClearPhaseDeadline { .. }
        | RoomCommand::SetParent { .. }
        | RoomCommand::AppointRapporteur { .. }
        | RoomCommand::DismissRapporteur { .. }
        | RoomCommand::EditStatement { .. }
        | RoomCommand::RestoreStatement { .. }
        | RoomCommand::ApproveStatement { .. }
        | RoomCommand::RejectStatement { .. }
        | RoomCommand::ReportStatement { .. }
        | RoomCommand::DraftSynthesis { .. } => Err(Rejection::Invalid(format!(
            "{} is a consultation command; this room is a roundtable",
            command.name()
        ))),
        RoomCommand::NamePartner(_)
        | RoomCommand::RemovePartner(_)
        | RoomCommand::OpenElection(_)
        | RoomCommand::CastVote(_)
        | RoomCommand::CloseElection(_)
        | RoomCommand::DraftJointStatement(_)
        | RoomCommand::EditJointStatement(_)
        | RoomCommand::EndorseJointStatement(_)
        | RoomCommand::AdoptJointStatement(_)
        | RoomCommand::ResendJointStatement(_) => Err(Rejection::Invalid(format!(
            "{} is a caucus command; this room is a roundtable",
            command.name()
        ))),
        RoomCommand::ConfigureRoundtable(c) => {
            moderates(profile, "configure the roundtable")?;
            check_settings(&c.settings)?;
            Ok(vec![EventBody::RoundtableConfigured(c.clone())])
        }
        RoomCommand::AddAgendaItem(c) => {
            moderates(profile, "add agenda items")?;
            check_text("title", &c.title, 1, MAX_TITLE_CHARS)?;
            if let Some(ms) = c.speaking_time_ms {
                check_duration("speaking time", ms, MIN_SPEAKING_MS)?;
            }
            Ok(vec![EventBody::AgendaItemAdded(AgendaItemAdded {
                title: c.title.clone(),
                speaking_time_ms: c.speaking_time_ms,
            })])
        }
        RoomCommand::OpenAgendaItem(c) => {
            moderates(profile, "open agenda items")?;
            item_exists(rt, c.item)?;
            match rt.open {
                Some(open) if open == c.item => Err(Rejection::Invalid(format!(
                    "agenda item {open} is already open"
                ))),
                Some(open) => Err(Rejection::Invalid(format!(
                    "agenda item {open} is open; close it first"
                ))),
                None => Ok(vec![EventBody::AgendaItemOpened(c.clone())]),
            }
        }
        RoomCommand::CloseAgendaItem(c) => {
            moderates(profile, "close agenda items")?;
            item_exists(rt, c.item)?;
            if rt.open != Some(c.item) {
                return Err(Rejection::Invalid(format!(
                    "agenda item {} is not open",
                    c.item
                )));
            }
            let mut events = end_floor(rt, FloorEndReason::ItemClosed, now);
            events.push(EventBody::AgendaItemClosed(c.clone()));
            Ok(events)
        }
        RoomCommand::ReorderAgenda(c) => {
            moderates(profile, "reorder the agenda")?;
            let given: HashSet<_> = c.items.iter().collect();
            let known: HashSet<_> = rt.items.iter().map(|i| &i.id).collect();
            if given != known || c.items.len() != rt.items.len() {
                return Err(Rejection::Invalid(
                    "list every agenda item exactly once".into(),
                ));
            }
            Ok(vec![EventBody::AgendaReordered(c.clone())])
        }
        RoomCommand::SetSpeakingPolicy(c) => {
            moderates(profile, "choose speaking policies")?;
            item_exists(rt, c.item)?;
            Ok(vec![EventBody::SpeakingPolicySet(c.clone())])
        }
        RoomCommand::SetTimeBudget(c) => {
            moderates(profile, "set time budgets")?;
            item_exists(rt, c.item)?;
            if let Some(ms) = c.budget_ms {
                check_duration("budget", ms, MIN_SPEAKING_MS)?;
            }
            Ok(vec![EventBody::TimeBudgetSet(c.clone())])
        }
        RoomCommand::RequestFloor(c) => match &c.on_behalf_of {
            None => request(rt, profile, c.kind, None),
            Some(user) => {
                moderates(profile, "put someone else on the speaking list")?;
                let Some(member) = state.member(user) else {
                    return Err(Rejection::Invalid(format!(
                        "{user} is not a member of this room"
                    )));
                };
                if rt.is_expelled(user) {
                    return Err(Rejection::Invalid(format!("{user} is expelled")));
                }
                request(rt, &member.profile, c.kind, Some(user))
            }
        },
        RoomCommand::RemoveRequest(c) => {
            moderates(profile, "remove someone's request")?;
            check_text("reason", &c.reason, 1, MAX_REASON_CHARS)?;
            let item = open_item(rt)?;
            if !item.requests.iter().any(|r| r.id == c.request) {
                return Err(Rejection::Invalid(format!(
                    "there is no open request {} on the open item",
                    c.request
                )));
            }
            Ok(vec![EventBody::RequestRemoved(c.clone())])
        }
        RoomCommand::WithdrawRequest(c) => {
            let item = open_item(rt)?;
            let Some(request) = item.requests.iter().find(|r| r.id == c.request) else {
                return Err(Rejection::Invalid(format!(
                    "there is no open request {} on the open item",
                    c.request
                )));
            };
            if request.user != profile.user && !profile.role.moderates() {
                return Err(Rejection::Forbidden(
                    "only its author or a moderator withdraws a request".into(),
                ));
            }
            Ok(vec![EventBody::RequestWithdrawn(RequestWithdrawn {
                request: c.request,
            })])
        }
        RoomCommand::CloseSpeakingList | RoomCommand::ReopenSpeakingList => {
            moderates(profile, "close or reopen the speaking list")?;
            let item = open_item(rt)?;
            let closing = matches!(command, RoomCommand::CloseSpeakingList);
            if item.list_closed == closing {
                return Err(Rejection::Invalid(format!(
                    "the speaking list is already {}",
                    if closing { "closed" } else { "open" }
                )));
            }
            let r = ItemRef { item: item.id };
            Ok(vec![if closing {
                EventBody::SpeakingListClosed(r)
            } else {
                EventBody::SpeakingListReopened(r)
            }])
        }
        RoomCommand::GrantFloor(c) => {
            moderates(profile, "grant the floor")?;
            grant(state, rt, c.request, c.reason.as_deref(), now)
        }
        RoomCommand::RevokeFloor => {
            moderates(profile, "revoke the floor")?;
            floor(rt)?;
            Ok(end_floor(rt, FloorEndReason::Revoked, now))
        }
        RoomCommand::ExtendFloor(c) => {
            moderates(profile, "extend speaking time")?;
            let f = floor(rt)?;
            check_duration("extension", c.by_ms, 1)?;
            let by = millis(c.by_ms);
            let deadline = match f.paused {
                Some(_) => None,
                None if f.time_up => Some(now.max(f.deadline) + by),
                None => Some(f.deadline + by),
            };
            Ok(vec![EventBody::FloorExtended(FloorExtended {
                turn: f.turn,
                by_ms: c.by_ms,
                deadline,
            })])
        }
        RoomCommand::PauseFloor => {
            moderates(profile, "pause the clock")?;
            let f = floor(rt)?;
            if f.paused.is_some() {
                return Err(Rejection::Invalid("the clock is already paused".into()));
            }
            Ok(vec![EventBody::FloorPaused(FloorRemaining {
                turn: f.turn,
                remaining_ms: f.remaining_at(now),
            })])
        }
        RoomCommand::ResumeFloor => {
            moderates(profile, "resume the clock")?;
            let f = floor(rt)?;
            let Some(remaining) = f.paused else {
                return Err(Rejection::Invalid("the clock is not paused".into()));
            };
            Ok(vec![EventBody::FloorResumed(FloorResumed {
                turn: f.turn,
                deadline: now + millis(remaining),
            })])
        }
        RoomCommand::YieldFloor => {
            let f = floor(rt)?;
            if f.speaker.user != profile.user {
                return Err(Rejection::Forbidden(
                    "only the speaker yields the floor".into(),
                ));
            }
            Ok(end_floor(rt, FloorEndReason::Yielded, now))
        }
        RoomCommand::MuteParticipant(c) | RoomCommand::ExpelParticipant(c) => {
            let expel = matches!(command, RoomCommand::ExpelParticipant(_));
            moderates(profile, if expel { "expel" } else { "mute" })?;
            check_text("reason", &c.reason, 1, MAX_REASON_CHARS)?;
            let Some(target) = state.member(&c.user) else {
                return Err(Rejection::Invalid(format!("{} is not a member", c.user)));
            };
            if target.profile.role.moderates() {
                return Err(Rejection::Invalid(
                    "moderators and the secretariat cannot be muted or expelled".into(),
                ));
            }
            let already = if expel {
                rt.is_expelled(&c.user)
            } else {
                rt.is_muted(&c.user)
            };
            if already {
                return Err(Rejection::Invalid(format!(
                    "{} is already {}",
                    c.user,
                    if expel { "expelled" } else { "muted" }
                )));
            }
            let mut events = match &rt.floor {
                Some(f) if f.speaker.user == c.user => end_floor(
                    rt,
                    if expel {
                        FloorEndReason::Expelled
                    } else {
                        FloorEndReason::Muted
                    },
                    now,
                ),
                _ => vec![],
            };
            events.push(if expel {
                EventBody::ParticipantExpelled(c.clone())
            } else {
                EventBody::ParticipantMuted(c.clone())
            });
            Ok(events)
        }
        RoomCommand::UnmuteParticipant(c) => {
            moderates(profile, "lift a mute")?;
            if !rt.is_muted(&c.user) {
                return Err(Rejection::Invalid(format!("{} is not muted", c.user)));
            }
            Ok(vec![EventBody::ParticipantUnmuted(c.clone())])
        }
        RoomCommand::ReadmitParticipant(c) => {
            moderates(profile, "readmit")?;
            if !rt.is_expelled(&c.user) {
                return Err(Rejection::Invalid(format!("{} is not expelled", c.user)));
            }
            Ok(vec![EventBody::ParticipantReadmitted(c.clone())])
        }
        RoomCommand::RulePointOfOrder(c) => {
            moderates(profile, "rule on a point of order")?;
            check_text("ruling", &c.ruling, 1, MAX_RULING_CHARS)?;
            let Some(turn) = rt.turns.iter().find(|t| t.id == c.turn) else {
                return Err(Rejection::Invalid(format!(
                    "this room has no turn {}",
                    c.turn
                )));
            };
            if turn.kind != RequestKind::PointOfOrder {
                return Err(Rejection::Invalid(format!(
                    "turn {} is not a point of order",
                    c.turn
                )));
            }
            if turn.ruling.is_some() {
                return Err(Rejection::Invalid(format!(
                    "the point of order of turn {} is already ruled on",
                    c.turn
                )));
            }
            Ok(vec![EventBody::PointOfOrderRuled(c.clone())])
        }
    }
}

/// The server's timer at `now`: a warning when the deadline is near, the end of the floor (or
/// `floor_time_up`) once it has passed, nothing otherwise. Idempotent: the events it emits mark
/// the state so that a repeated or late tick finds nothing more to do.
pub(crate) fn tick(state: &RoomState, now: Millis) -> Vec<EventBody> {
    let Some(rt) = state.roundtable.as_ref() else {
        return vec![];
    };
    let Some(f) = rt.floor.as_ref().filter(|f| f.paused.is_none()) else {
        return vec![];
    };
    if !f.time_up && now >= f.deadline {
        return match rt.settings.on_expiry {
            OnExpiry::EndFloor => end_floor(rt, FloorEndReason::Expired, now),
            OnExpiry::AskModerator => vec![EventBody::FloorTimeUp(TurnRef { turn: f.turn })],
        };
    }
    if f.warning_due && !f.time_up && now >= f.deadline - millis(rt.settings.warning_ms) {
        return vec![EventBody::FloorWarning(FloorRemaining {
            turn: f.turn,
            remaining_ms: f.remaining_at(now),
        })];
    }
    vec![]
}

/// A request by `profile` (the sender, or with `on_behalf_of` the participant a moderator asks
/// for): the same rules either way, so a moderator cannot put on the list what the participant
/// could not ask for themselves.
fn request(
    rt: &RoundtableState,
    profile: &Profile,
    kind: RequestKind,
    on_behalf_of: Option<&UserId>,
) -> Result<Vec<EventBody>, Rejection> {
    let who = if on_behalf_of.is_some() {
        format!("{} already has", profile.user)
    } else {
        "you already have".to_owned()
    };
    if profile.role != Role::Participant {
        return Err(if on_behalf_of.is_some() {
            Rejection::Invalid(format!(
                "only participants are put on the speaking list; {} is a {}",
                profile.user,
                profile.role.as_str()
            ))
        } else {
            Rejection::Forbidden(format!(
                "participants request the floor, not a {}",
                profile.role.as_str()
            ))
        });
    }
    if rt.is_muted(&profile.user) {
        return Err(if on_behalf_of.is_some() {
            Rejection::Invalid(format!(
                "{} is muted and may not be put on the list",
                profile.user
            ))
        } else {
            Rejection::Forbidden("you are muted and may not request the floor".into())
        });
    }
    let item = open_item(rt)?;
    if item.list_closed && kind != RequestKind::PointOfOrder {
        return Err(Rejection::Invalid(
            "the speaking list is closed; only points of order are taken".into(),
        ));
    }
    if item
        .requests
        .iter()
        .any(|r| r.user == profile.user && r.kind == kind)
    {
        return Err(Rejection::Invalid(format!(
            "{who} an open request of kind {}",
            kind_name(kind)
        )));
    }
    let reply_to = match kind {
        RequestKind::Reply => {
            let Some(f) = rt.floor.as_ref().filter(|f| f.item == item.id) else {
                return Err(Rejection::Invalid(
                    "nobody holds the floor; there is no one to reply to".into(),
                ));
            };
            if f.speaker.user == profile.user {
                return Err(Rejection::Invalid(if on_behalf_of.is_some() {
                    format!("{} holds the floor and cannot reply to it", profile.user)
                } else {
                    "you cannot reply to your own turn".into()
                }));
            }
            Some(f.turn)
        }
        _ => None,
    };
    Ok(vec![EventBody::FloorRequested(FloorRequested {
        item: item.id,
        kind,
        reply_to,
        on_behalf_of: on_behalf_of.cloned(),
    })])
}

fn grant(
    state: &RoomState,
    rt: &RoundtableState,
    named: Option<u64>,
    reason: Option<&str>,
    now: Millis,
) -> Result<Vec<EventBody>, Rejection> {
    let item = open_item(rt)?;
    if let Some(f) = &rt.floor {
        return Err(Rejection::Invalid(format!(
            "{} holds the floor; revoke it or wait for the turn to end",
            f.speaker.user
        )));
    }
    let next = policy::next(rt, item, state);
    let (request, out_of_order) = match named {
        None => match next {
            Some(r) => (r, None),
            None => {
                return Err(Rejection::Invalid(
                    "nobody on the speaking list can be given the floor".into(),
                ));
            }
        },
        Some(id) => {
            let Some(r) = item.requests.iter().find(|r| r.id == id) else {
                return Err(Rejection::Invalid(format!(
                    "there is no open request {id} on the open item"
                )));
            };
            if !state.is_present(&r.user) {
                return Err(Rejection::Invalid(format!("{} is not in the room", r.user)));
            }
            if next.map(|n| n.id) == Some(id) {
                (r, None)
            } else {
                let Some(reason) = reason else {
                    return Err(Rejection::Invalid(
                        "granting out of the suggested order needs a reason".into(),
                    ));
                };
                check_text("reason", reason, 1, MAX_REASON_CHARS)?;
                (r, Some(reason.to_owned()))
            }
        }
    };
    let Some(member) = state.member(&request.user) else {
        return Err(Rejection::Invalid(format!(
            "{} is not a member",
            request.user
        )));
    };
    let speaker = member.profile.clone();
    let mut duration = rt.duration_of(item, request.kind);
    if request.kind == RequestKind::Speak
        && let Some(c) = speaker.constituency
        && let Some(&budget) = item.budgets.get(&c)
    {
        let left = budget.saturating_sub(super::stats::used_by_constituency(&item.stats, c));
        if left == 0 && out_of_order.is_none() {
            return Err(Rejection::Invalid(format!(
                "{} has used its time budget on this item; granting needs a reason",
                c.as_str()
            )));
        }
        if left > 0 {
            duration = duration.min(left);
        }
    }
    Ok(vec![EventBody::FloorGranted(FloorGranted {
        item: item.id,
        request: request.id,
        speaker,
        kind: request.kind,
        reply_to: request.reply_to,
        duration_ms: duration,
        deadline: now + millis(duration),
        out_of_order,
    })])
}

/// When the registry ends `user`'s access at `now`: `floor_ended` if they hold the floor,
/// and whether they have requests waiting (which the `access_ended` event then drops).
/// Nothing and `false` in rooms that are not roundtables.
pub(crate) fn on_access_ended(
    state: &RoomState,
    user: &UserId,
    now: Millis,
) -> (Vec<EventBody>, bool) {
    let Some(rt) = state.roundtable.as_ref() else {
        return (vec![], false);
    };
    let waiting = rt
        .items
        .iter()
        .any(|item| item.requests.iter().any(|r| &r.user == user));
    let speaking = rt.floor.as_ref().is_some_and(|f| &f.speaker.user == user);
    let events = if speaking {
        end_floor(rt, FloorEndReason::AccessEnded, now)
    } else {
        vec![]
    };
    (events, waiting || speaking)
}

/// `floor_ended` for the current turn at `now`, or nothing when the floor is free.
fn end_floor(rt: &RoundtableState, reason: FloorEndReason, now: Millis) -> Vec<EventBody> {
    rt.floor
        .as_ref()
        .map(|f: &Floor| {
            EventBody::FloorEnded(FloorEnded {
                turn: f.turn,
                reason,
                spoken_ms: f.spoken_at(now),
            })
        })
        .into_iter()
        .collect()
}

fn moderates(profile: &Profile, what: &str) -> Result<(), Rejection> {
    if profile.role.moderates() {
        Ok(())
    } else {
        Err(Rejection::Forbidden(format!(
            "only moderators and the secretariat {what}, not a {}",
            profile.role.as_str()
        )))
    }
}

fn item_exists(rt: &RoundtableState, item: u64) -> Result<(), Rejection> {
    rt.item(item)
        .map(|_| ())
        .ok_or_else(|| Rejection::Invalid(format!("this room has no agenda item {item}")))
}

fn open_item(rt: &RoundtableState) -> Result<&super::Item, Rejection> {
    rt.open_item()
        .ok_or_else(|| Rejection::Invalid("no agenda item is open".into()))
}

fn floor(rt: &RoundtableState) -> Result<&Floor, Rejection> {
    rt.floor
        .as_ref()
        .ok_or_else(|| Rejection::Invalid("nobody holds the floor".into()))
}

fn check_duration(what: &str, ms: u64, min: u64) -> Result<(), Rejection> {
    if (min..=MAX_DURATION_MS).contains(&ms) {
        Ok(())
    } else {
        Err(Rejection::Invalid(format!(
            "the {what} must be between {min} ms and one hour"
        )))
    }
}

fn check_settings(s: &RoundtableSettings) -> Result<(), Rejection> {
    check_duration("speaking time", s.speaking_time_ms, MIN_SPEAKING_MS)?;
    check_duration("reply time", s.reply_time_ms, MIN_SPEAKING_MS)?;
    check_duration(
        "point of order time",
        s.point_of_order_time_ms,
        MIN_SPEAKING_MS,
    )?;
    check_duration("warning lead time", s.warning_ms, 0)
}

/// A duration checked to be at most an hour, as a time difference.
fn millis(ms: u64) -> Millis {
    Millis::try_from(ms).unwrap_or(Millis::MAX / 4)
}

fn kind_name(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Speak => "speak",
        RequestKind::Reply => "reply",
        RequestKind::PointOfOrder => "point_of_order",
    }
}
