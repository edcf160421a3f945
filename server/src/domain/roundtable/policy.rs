//! The suggested order of a speaking list, with a plain-words reason for every place.
//!
//! Points of order always come first, then replies (both first come, first served), then the
//! `speak` requests as the item's policy orders them. A request is *eligible* for
//! `grant_floor` without a named request when its author is in the room and their
//! constituency's budget on the item is not used up; ineligible `speak` requests go last.

use super::super::state::RoomState;
use super::{Item, Request, RoundtableState, stats};
use baraza_proto::identity::Profile;
use baraza_proto::roundtable::{BalanceBy, RequestKind, SpeakingPolicy};
use std::collections::{BTreeMap, HashSet};

/// One request in its suggested place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Suggested<'a> {
    pub(crate) request: &'a Request,
    pub(crate) reason: String,
    pub(crate) eligible: bool,
}

/// Orders `item`'s requests. Deterministic: depends only on the state.
pub(crate) fn suggest<'a>(
    rt: &RoundtableState,
    item: &'a Item,
    room: &RoomState,
) -> Vec<Suggested<'a>> {
    let profile = |r: &Request| room.member(&r.user).map(|m| m.profile.clone());
    let mut out: Vec<Suggested<'a>> = Vec::new();
    for r in item
        .requests
        .iter()
        .filter(|r| r.kind == RequestKind::PointOfOrder)
    {
        out.push(Suggested {
            request: r,
            reason: "point of order: goes before everyone".into(),
            eligible: true,
        });
    }
    for r in item
        .requests
        .iter()
        .filter(|r| r.kind == RequestKind::Reply)
    {
        let turn = r.reply_to.unwrap_or_default();
        out.push(Suggested {
            request: r,
            reason: format!("reply to turn {turn}: replies follow right after points of order"),
            eligible: true,
        });
    }
    let speak: Vec<&'a Request> = item
        .requests
        .iter()
        .filter(|r| r.kind == RequestKind::Speak)
        .collect();
    let duration = rt.duration_of(item, RequestKind::Speak);
    let ordered = match item.policy {
        SpeakingPolicy::Fifo => speak
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let reason = format!(
                    "asked as number {} of the waiting speakers; first come, first served",
                    i + 1
                );
                (*r, reason)
            })
            .collect(),
        SpeakingPolicy::FirstTimeFirst => first_time_first(item, &speak),
        SpeakingPolicy::RotateConstituency => rotate(item, &speak, &profile),
        SpeakingPolicy::BalanceTime => balance(item, &speak, &profile, duration),
    };
    let mut later = Vec::new();
    for (r, reason) in ordered {
        let exhausted = profile(r).and_then(|p| p.constituency).and_then(|c| {
            let budget = *item.budgets.get(&c)?;
            (stats::used_by_constituency(&item.stats, c) >= budget).then_some((c, budget))
        });
        match exhausted {
            Some((c, budget)) => later.push(Suggested {
                request: r,
                reason: format!(
                    "{} has used its budget of {} on this item; goes last",
                    c.as_str(),
                    human(budget)
                ),
                eligible: false,
            }),
            None => out.push(Suggested {
                request: r,
                reason,
                eligible: true,
            }),
        }
    }
    out.extend(later);
    for s in &mut out {
        if !room.is_present(&s.request.user) {
            s.eligible = false;
            s.reason
                .push_str(" (not in the room now: skipped until back)");
        }
    }
    out
}

/// The first eligible request of the suggested order.
pub(crate) fn next<'a>(
    rt: &RoundtableState,
    item: &'a Item,
    room: &RoomState,
) -> Option<&'a Request> {
    suggest(rt, item, room)
        .into_iter()
        .find(|s| s.eligible)
        .map(|s| s.request)
}

fn first_time_first<'a>(item: &Item, speak: &[&'a Request]) -> Vec<(&'a Request, String)> {
    let times = |r: &Request| item.speak_turns.iter().filter(|p| p.user == r.user).count();
    let mut ordered: Vec<(&'a Request, usize)> = speak.iter().map(|r| (*r, times(r))).collect();
    ordered.sort_by_key(|(r, n)| (*n > 0, r.id));
    ordered
        .into_iter()
        .map(|(r, n)| {
            let reason = match n {
                0 => "has not spoken on this item yet; first-time speakers go first".to_owned(),
                1 => "has spoken once on this item; goes after first-time speakers".to_owned(),
                n => format!("has spoken {n} times on this item; goes after first-time speakers"),
            };
            (r, reason)
        })
        .collect()
}

/// Least recently heard constituency first; within one, first come first served.
fn rotate<'a>(
    item: &Item,
    speak: &[&'a Request],
    profile: &dyn Fn(&Request) -> Option<Profile>,
) -> Vec<(&'a Request, String)> {
    let key =
        |r: &Request| profile(r).map_or_else(|| "none".to_owned(), |p| stats::constituency_key(&p));
    // When each constituency last spoke (1-based turn index; 0 = not on this item).
    let mut last: BTreeMap<String, usize> = BTreeMap::new();
    for (i, p) in item.speak_turns.iter().enumerate() {
        last.insert(stats::constituency_key(p), i + 1);
    }
    let mut clock = item.speak_turns.len();
    let mut waiting: Vec<&'a Request> = speak.to_vec();
    let mut out = Vec::new();
    let mut heard_in_simulation: HashSet<String> = HashSet::new();
    while !waiting.is_empty() {
        let (i, _) = waiting
            .iter()
            .enumerate()
            .min_by_key(|(_, r)| (last.get(&key(r)).copied().unwrap_or(0), r.id))
            .unwrap_or((0, &waiting[0]));
        let r = waiting.remove(i);
        let k = key(r);
        let reason = if heard_in_simulation.contains(&k) {
            format!("{k} again, after every other waiting constituency has had its turn")
        } else if last.get(&k).copied().unwrap_or(0) == 0 {
            format!("{k} has not spoken on this item yet; constituencies take turns")
        } else {
            format!(
                "{k} was heard least recently of the waiting constituencies; constituencies take turns"
            )
        };
        heard_in_simulation.insert(k.clone());
        clock += 1;
        last.insert(k, clock);
        out.push((r, reason));
    }
    out
}

/// Least speaking time used on the item first, counting each suggested turn as a full one.
fn balance<'a>(
    item: &Item,
    speak: &[&'a Request],
    profile: &dyn Fn(&Request) -> Option<Profile>,
    duration: u64,
) -> Vec<(&'a Request, String)> {
    let (word, key): (&str, fn(&Profile) -> String) = match item.balance_by {
        BalanceBy::Constituency => ("constituency", stats::constituency_key),
        BalanceBy::Region => ("region", stats::un_group_key),
    };
    let key_of = |r: &Request| profile(r).map_or_else(|| "none".to_owned(), |p| key(&p));
    let lines = match item.balance_by {
        BalanceBy::Constituency => &item.stats.constituencies,
        BalanceBy::Region => &item.stats.un_groups,
    };
    let used: BTreeMap<String, u64> = lines
        .iter()
        .map(|(k, tally)| (k.clone(), tally.speaking_ms))
        .collect();
    let mut waiting: Vec<&'a Request> = speak.to_vec();
    let mut out = Vec::new();
    let mut projected: BTreeMap<String, u64> = BTreeMap::new();
    while !waiting.is_empty() {
        let load = |r: &Request| {
            let k = key_of(r);
            used.get(&k).copied().unwrap_or(0) + projected.get(&k).copied().unwrap_or(0)
        };
        let (i, _) = waiting
            .iter()
            .enumerate()
            .min_by_key(|(_, r)| (load(r), r.id))
            .unwrap_or((0, &waiting[0]));
        let r = waiting.remove(i);
        let k = key_of(r);
        let so_far = used.get(&k).copied().unwrap_or(0);
        let ahead = projected.get(&k).copied().unwrap_or(0);
        let reason = if ahead == 0 {
            format!(
                "{word} {k} has used {} on this item, the least of those waiting; least time goes first",
                human(so_far)
            )
        } else {
            format!(
                "{word} {k} again: with the turns suggested above it would have used {}",
                human(so_far + ahead)
            )
        };
        *projected.entry(k).or_insert(0) += duration;
        out.push((r, reason));
    }
    out
}

/// A duration in plain words: `2 min 30 s`, `45 s`.
pub(crate) fn human(ms: u64) -> String {
    let s = ms / 1000;
    match (s / 60, s % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}
