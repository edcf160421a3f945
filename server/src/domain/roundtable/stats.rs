//! Speaking statistics: turns and time per participant, organisation, constituency, UN regional
//! group and M49 region.
//!
//! Counted only from the record: a turn when `floor_granted` names its speaker, time when
//! `floor_ended` gives `spoken_ms`. So a recount of the record always equals the live figures.

use super::super::geo;
use baraza_proto::identity::{Constituency, Profile};
use baraza_proto::roundtable::{SpeakingStats, Tally};

/// Key of a speaker's constituency (`none` when the token named none).
pub fn constituency_key(speaker: &Profile) -> String {
    speaker
        .constituency
        .map_or("none", Constituency::as_str)
        .to_owned()
}

/// Key of a speaker's UN regional group (`unknown` when the country has none).
pub fn un_group_key(speaker: &Profile) -> String {
    speaker
        .region
        .as_ref()
        .and_then(|r| r.un_group)
        .map_or("unknown", geo::un_group_slug)
        .to_owned()
}

/// Key of a speaker's M49 region (`unknown` without a country).
pub fn m49_key(speaker: &Profile) -> String {
    speaker
        .region
        .as_ref()
        .map_or_else(|| "unknown".to_owned(), |r| r.m49_region.clone())
}

/// Adds `turns` and `ms` to every line the speaker counts in.
pub fn add(stats: &mut SpeakingStats, speaker: &Profile, turns: u32, ms: u64) {
    let bump = |map: &mut std::collections::BTreeMap<String, Tally>, key: String| {
        let tally = map.entry(key).or_default();
        tally.turns += turns;
        tally.speaking_ms += ms;
    };
    bump(&mut stats.participants, speaker.user.to_string());
    if let Some(org) = &speaker.org {
        bump(&mut stats.organisations, org.clone());
    }
    bump(&mut stats.constituencies, constituency_key(speaker));
    bump(&mut stats.un_groups, un_group_key(speaker));
    bump(&mut stats.m49_regions, m49_key(speaker));
}

/// Time a constituency has used in these statistics.
pub fn used_by_constituency(stats: &SpeakingStats, constituency: Constituency) -> u64 {
    stats
        .constituencies
        .get(constituency.as_str())
        .map_or(0, |t| t.speaking_ms)
}
