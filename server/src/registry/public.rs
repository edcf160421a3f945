//! The public list (`GET /api/registry/public`, no token): per forum, the accredited
//! organisations with country, constituency and region, the decision's date and reason, the
//! published criteria, and how many applied and were admitted by constituency and UN regional
//! group. Nothing personal: no focal point, representative, e-mail or statement.

use super::state::RegistryState;
use crate::domain::geo;
use baraza_proto::registry::{
    ApplicationStatus, PublicAccreditation, PublicForum, PublicList, Tally,
};
use std::collections::{BTreeMap, BTreeSet};

/// Builds the public list from the registry's state.
pub fn public_list(state: &RegistryState) -> PublicList {
    let forums = state
        .forums()
        .map(|forum| {
            let id = &forum.spec.id;
            let mut accredited = Vec::new();
            let mut by_constituency: BTreeMap<String, Tally> = BTreeMap::new();
            let mut by_un_group: BTreeMap<String, Tally> = BTreeMap::new();
            let mut total = Tally::default();
            // An organisation counts once per forum, however often it applied, and only once
            // its address is confirmed (an unconfirmed application may be anyone's).
            let applicants: BTreeSet<_> = state
                .applications()
                .filter(|a| &a.forum == id && state.address_confirmed(a.org))
                .map(|a| a.org)
                .collect();
            for org_id in applicants {
                let Some(org) = state.organisation(org_id) else {
                    continue;
                };
                let region = geo::region_of(&org.details.country);
                let group = region
                    .as_ref()
                    .and_then(|r| r.un_group)
                    .map_or("none", geo::un_group_slug)
                    .to_owned();
                let admitted = state
                    .open_application(org_id, id)
                    .filter(|a| a.status == ApplicationStatus::Approved);
                for tally in [
                    by_constituency
                        .entry(org.details.constituency.as_str().to_owned())
                        .or_default(),
                    by_un_group.entry(group).or_default(),
                    &mut total,
                ] {
                    tally.applied += 1;
                    tally.admitted += u32::from(admitted.is_some());
                }
                if let Some((decided_at, reason)) = admitted.and_then(|a| a.approved.clone()) {
                    accredited.push(PublicAccreditation {
                        org: org_id,
                        name: org.details.name.clone(),
                        acronym: org.details.acronym.clone(),
                        country: org.details.country.clone(),
                        constituency: org.details.constituency,
                        region,
                        ecosoc: org.details.ecosoc.clone(),
                        decided_at,
                        reason,
                    });
                }
            }
            accredited.sort_by_key(|a| a.name.to_lowercase());
            PublicForum {
                id: id.clone(),
                title: forum.spec.title.clone(),
                criteria: forum.spec.criteria.clone(),
                rooms: forum.spec.rooms.clone(),
                accredited,
                by_constituency,
                by_un_group,
                total,
            }
        })
        .collect();
    PublicList { forums }
}
