//! Participation figures: submissions and distinct organisations per question, constituency,
//! region and language. Only statements visible to everyone count.

use crate::domain::geo;
use crate::domain::state::RoomState;
use baraza_proto::consultation::{Figures, Tally};
use std::collections::{BTreeMap, BTreeSet};

/// Counts one group: submissions and the distinct organisations behind them.
#[derive(Default)]
struct Counter {
    submissions: u32,
    orgs: BTreeSet<String>,
}

impl Counter {
    fn add(&mut self, org: Option<&String>) {
        self.submissions += 1;
        if let Some(org) = org {
            self.orgs.insert(org.clone());
        }
    }

    fn tally(&self) -> Tally {
        Tally {
            submissions: self.submissions,
            organisations: self.orgs.len() as u32,
        }
    }
}

fn tallies<K: Ord + Clone>(counters: &BTreeMap<K, Counter>) -> BTreeMap<K, Tally> {
    counters
        .iter()
        .map(|(k, c)| (k.clone(), c.tally()))
        .collect()
}

/// The figures of a consultation as of its state. Hidden, held and rejected statements do not
/// count; every question appears, with zeros if nobody answered it.
pub fn figures(state: &RoomState) -> Figures {
    let mut total = Counter::default();
    let mut by_question: BTreeMap<String, Counter> = BTreeMap::new();
    if let Some(c) = &state.consultation {
        for q in &c.questions {
            by_question.entry(q.id.to_string()).or_default();
        }
    }
    let mut by_constituency: BTreeMap<String, Counter> = BTreeMap::new();
    let mut by_region: BTreeMap<String, Counter> = BTreeMap::new();
    let mut by_language: BTreeMap<String, Counter> = BTreeMap::new();
    let visible = state
        .statements
        .iter()
        .filter(|s| s.hidden.is_none() && !s.held && s.rejected.is_none());
    for s in visible {
        let org = s.org.as_ref();
        let profile = state.member(&s.author).map(|m| &m.profile);
        let constituency = profile
            .and_then(|p| p.constituency)
            .map_or("none", |c| c.as_str());
        let region = profile
            .and_then(|p| p.region.as_ref())
            .map_or("unknown".to_owned(), |r| match r.un_group {
                Some(group) => geo::un_group_slug(group).to_owned(),
                None => r.m49_region.clone(),
            });
        total.add(org);
        if let Some(q) = s.question {
            by_question.entry(q.to_string()).or_default().add(org);
        }
        by_constituency
            .entry(constituency.to_owned())
            .or_default()
            .add(org);
        by_region.entry(region).or_default().add(org);
        by_language
            .entry(s.lang.as_str().to_owned())
            .or_default()
            .add(org);
    }
    Figures {
        total: total.tally(),
        by_question: tallies(&by_question),
        by_constituency: tallies(&by_constituency),
        by_region: tallies(&by_region),
        by_language: tallies(&by_language),
    }
}
