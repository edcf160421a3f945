//! Who is audience, and the digest that records the audience's comings and goings.
//!
//! A room's **participants** are announced and recorded one by one (`member_joined`,
//! `member_left`). Its **audience** — observers always, and once the room's
//! `audience_above` are present, anyone joining who has no role in the debate — is recorded in
//! digests: `audience_changed` lists exactly the profiles that arrived and the users that left
//! since the last one, and how many of the audience are present after it. The hub gathers the
//! arrivals and departures of its own connections and asks for a digest at most once a second
//! ([`Command::Audience`](super::Command::Audience), the server only); [`digest`] keeps what is
//! still news (those arriving who are not present, those leaving who are), so a digest
//! repeated by a retry or by another node records nothing twice.
//!
//! [`is_audience`] is the one rule; the room core asks it when someone joins, and the views
//! count the audience it produced rather than list it.

use super::state::RoomState;
use super::visibility;
use baraza_proto::event::EventBody;
use baraza_proto::identity::{Profile, Role};
use baraza_proto::ids::UserId;
use std::collections::HashSet;

/// Whether `profile`, joining the room in `state`, joins its audience rather than its
/// participants. Someone present stays what they arrived as. Otherwise: observers always; the
/// secretariat and moderators never; anyone else only when the room sets `audience_above` and
/// at least that many are present already, unless they are a named rapporteur of the
/// consultation or on the roundtable's speaking list (waiting or holding the floor).
pub fn is_audience(state: &RoomState, profile: &Profile) -> bool {
    if state.is_present(&profile.user) {
        return state.in_audience(&profile.user);
    }
    match profile.role {
        Role::Observer => return true,
        Role::Secretariat | Role::Moderator => return false,
        Role::Participant => {}
    }
    let Some(above) = state.info().and_then(|i| i.settings.audience_above) else {
        return false;
    };
    if state.present_count() < above as usize {
        return false;
    }
    let rapporteur = state
        .consultation()
        .is_some_and(|c| c.is_rapporteur(&profile.user));
    let speaking = state
        .roundtable()
        .is_some_and(|rt| rt.on_list(&profile.user));
    !rapporteur && !speaking
}

/// The digest of audience presence the hub gathered: one `audience_changed` naming those of
/// `arrived` who are not present (and may enter) and those of `left` who are present in the
/// audience, each once; nothing when none is news.
pub fn digest(state: &RoomState, arrived: &[Profile], left: &[UserId]) -> Vec<EventBody> {
    let mut seen: HashSet<&UserId> = HashSet::new();
    let arrived: Vec<Profile> = arrived
        .iter()
        .filter(|p| !state.is_present(&p.user))
        .filter(|p| visibility::may_enter(p, state).is_ok())
        .filter(|p| seen.insert(&p.user))
        .cloned()
        .collect();
    let left: Vec<UserId> = left
        .iter()
        .filter(|u| state.is_present(u) && state.in_audience(u))
        .filter(|u| seen.insert(u))
        .cloned()
        .collect();
    if arrived.is_empty() && left.is_empty() {
        return vec![];
    }
    let count = state.audience_present() + arrived.len() - left.len();
    vec![EventBody::AudienceChanged {
        arrived,
        left,
        count: u32::try_from(count).unwrap_or(u32::MAX),
    }]
}
