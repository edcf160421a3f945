//! Caucuses that organise themselves (the major-groups format): organising partners, their
//! election, and joint statements adopted in the caucus and posted to its parent room.
//!
//! The core (`decide`, `evolve`, `state`) calls in here at marked places, as it does for
//! consultations. The domain never reads another room: posting to the parent is the hub's
//! (`hub/caucus_post.rs`); here are the caucus's rules ([`decide`](mod@decide)), the parent's
//! rules for receiving a joint statement ([`receive`]), and what the caucus sends
//! ([`joint_post`], [`pending_posts`]).
//!
//! - [`decide`](mod@decide): caucus commands → events or a `Rejection`.
//! - [`election`]: the result of an election, computed from its recorded votes.
//! - [`evolve`](mod@evolve): applying caucus events.
//! - [`receive`]: a parent room's decision on a joint statement posted to it.

pub mod decide;
pub mod election;
pub mod evolve;
pub mod receive;

#[cfg(test)]
mod tests;

use crate::domain::state::RoomState;
use baraza_proto::caucus::{
    CaucusParent, CaucusView, Delivery, ElectionView, JointOrigin, JointPost, JointStatementId,
    JointStatementView, PartnerView,
};
use baraza_proto::ids::RoomId;

/// The caucus part of a room's state: the fold of its caucus events.
///
/// Guarantees: present exactly for rooms created with kind `caucus`; built only by `evolve`;
/// partners, elections, ballots and statements keep their order of arrival.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaucusState {
    pub(crate) parent: Option<CaucusParent>,
    pub(crate) partners: Vec<PartnerView>,
    pub(crate) elections: Vec<Election>,
    pub(crate) statements: Vec<JointStatementView>,
}

/// An election with its recorded ballots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Election {
    pub(crate) view: ElectionView,
    /// (organisation, choices), in the order recorded.
    pub(crate) ballots: Vec<(String, Vec<String>)>,
}

impl CaucusState {
    /// Whether `org` is an organising partner now.
    pub fn is_partner(&self, org: &str) -> bool {
        self.partners.iter().any(|p| p.org == org)
    }

    /// The parent room its joint statements go to.
    pub fn parent(&self) -> Option<&CaucusParent> {
        self.parent.as_ref()
    }

    /// A joint statement by id.
    pub fn statement(&self, id: JointStatementId) -> Option<&JointStatementView> {
        self.statements.iter().find(|s| s.id == id)
    }

    /// The view every reader of the caucus gets (nothing in it is withheld from members).
    pub fn view(&self) -> CaucusView {
        CaucusView {
            parent: self.parent.clone(),
            partners: self.partners.clone(),
            elections: self.elections.iter().map(|e| e.view.clone()).collect(),
            statements: self.statements.clone(),
        }
    }
}

/// What the caucus asks its parent to record for adopted statement `id`, whose adoption
/// event has hash `adoption_hash`; `None` unless it is adopted and its delivery is pending.
/// Deterministic: the same record gives the same post, and the parent records a statement
/// only once per (caucus, statement), so sending it again is harmless.
pub fn joint_post(
    state: &RoomState,
    id: JointStatementId,
    adoption_hash: &str,
) -> Option<(RoomId, JointPost)> {
    let info = state.info()?;
    let caucus = state.caucus.as_ref()?;
    let constituency = info.settings.constituency?;
    let statement = caucus.statement(id)?;
    if statement.delivery != Some(Delivery::Pending) {
        return None;
    }
    let adoption_seq = statement.adopted_seq?;
    let version = statement.versions.last()?;
    Some((
        statement.parent.clone(),
        JointPost {
            text: version.text.clone(),
            lang: statement.lang.clone(),
            question: statement.question,
            origin: JointOrigin {
                caucus: info.id.clone(),
                title: info.settings.title.clone(),
                constituency,
                statement: id,
                adoption_seq,
                adoption_hash: adoption_hash.to_string(),
                endorsers: statement.adopted_endorsers.clone(),
                adopted_by: statement.adopted_by.clone()?,
            },
        },
    ))
}

/// The adopted statements whose delivery to the parent is pending: (statement, adoption seq).
pub fn pending_posts(state: &RoomState) -> Vec<(JointStatementId, baraza_proto::ids::Seq)> {
    let Some(caucus) = state.caucus.as_ref() else {
        return Vec::new();
    };
    caucus
        .statements
        .iter()
        .filter(|s| s.delivery == Some(Delivery::Pending))
        .filter_map(|s| s.adopted_seq.map(|seq| (s.id, seq)))
        .collect()
}
