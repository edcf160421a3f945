//! Who may do and read what in the registry, and what the registry means for rooms: the one
//! place these rules live. The REST handlers, the session's `join` and token verification call
//! these functions; none of them tests a role itself.
//!
//! - [`who_is`]: the caller as the registry knows them (secretariat, a focal point or
//!   representative of an organisation, someone else, the public).
//! - [`may_do`]: whether they may give a [`RegistryCommand`].
//! - [`view_for`]: what they may read of the registry (`GET /api/registry`).
//! - [`resolve`]: the identity a token speaks for, with organisation, constituency and country
//!   from the registry, never from the token's claims.
//! - [`may_join`]: whether they may join a room of an accredited-only forum.
//! - [`access_ended_by`]: whose access to rooms a registry event ends (a person revoked, an
//!   accreditation withdrawn), so that the hub cuts them off and the rooms record it.

use super::decide::{RegistryCommand, RegistryError};
use super::state::{Person, RegistryState};
use crate::domain::{Rejection, geo};
use baraza_proto::event::AccessEndCause;
use baraza_proto::identity::{Profile, Role};
use baraza_proto::ids::{RoomId, UserId};
use baraza_proto::registry::{
    ApplicationView, ForumView, InvitationView, OrgId, OrganisationView, PersonId, PersonRole,
    PersonView, RegistryEvent, RegistryView,
};
use std::collections::BTreeSet;

/// The prefix of the user id of a registry person's session (`registry:12`).
pub const PERSON_PREFIX: &str = "registry:";

/// The caller as the registry knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// No token: the public form and the public list.
    Public,
    /// The secretariat.
    Secretariat(UserId),
    /// A person of the registry who is not revoked.
    Person {
        /// Their user id (`registry:N`).
        user: UserId,
        /// Their id.
        person: PersonId,
        /// Their organisation.
        org: OrgId,
        /// Focal point or representative.
        role: PersonRole,
    },
    /// Anyone else with a token (moderators, observers, tokens from elsewhere).
    Other(UserId),
}

impl Who {
    /// The user id events are recorded under; `None` for the public.
    pub fn user(&self) -> Option<&UserId> {
        match self {
            Who::Public => None,
            Who::Secretariat(user) | Who::Other(user) | Who::Person { user, .. } => Some(user),
        }
    }

    fn focal_point_of(&self) -> Option<OrgId> {
        match self {
            Who::Person {
                org,
                role: PersonRole::FocalPoint,
                ..
            } => Some(*org),
            _ => None,
        }
    }
}

/// The user id of a registry person's session.
pub fn user_of(person: PersonId) -> UserId {
    UserId::new(format!("{PERSON_PREFIX}{person}")).expect("a valid user id")
}

/// The registry person a user id names, if it is one (`registry:12` → 12).
pub fn person_of_user(user: &UserId) -> Option<PersonId> {
    user.as_str().strip_prefix(PERSON_PREFIX)?.parse().ok()
}

/// Who the holder of `profile` (or the public, for `None`) is in the registry.
pub fn who_is(state: &RegistryState, profile: Option<&Profile>) -> Who {
    let Some(profile) = profile else {
        return Who::Public;
    };
    if profile.role == Role::Secretariat {
        return Who::Secretariat(profile.user.clone());
    }
    match person_of_user(&profile.user).and_then(|id| state.person(id)) {
        Some(person) if person.revoked.is_none() => Who::Person {
            user: profile.user.clone(),
            person: person.id,
            org: person.org,
            role: person.role,
        },
        _ => Who::Other(profile.user.clone()),
    }
}

/// Whether `who` may give `command`. References that do not exist are left for `decide` to
/// name.
pub fn may_do(
    state: &RegistryState,
    who: &Who,
    command: &RegistryCommand,
) -> Result<(), RegistryError> {
    let secretariat = matches!(who, Who::Secretariat(_));
    let org_of_person = |id: PersonId| state.person(id).map(|p| p.org);
    let org_of_application = |id| state.application(id).map(|a| a.org);
    let org_of_invitation = |id| state.invitation(id).and_then(|i| org_of_person(i.person));
    let concerned = match command {
        RegistryCommand::Apply { .. } | RegistryCommand::UseInvitation { .. } => return Ok(()),
        RegistryCommand::RegisterOrganisation(_)
        | RegistryCommand::CreateForum(_)
        | RegistryCommand::Decide { .. } => {
            return if secretariat {
                Ok(())
            } else {
                Err(RegistryError::Forbidden(
                    "only the secretariat registers organisations, creates forums and decides \
                     applications"
                        .into(),
                ))
            };
        }
        RegistryCommand::SubmitApplication(request) => Some(request.org),
        RegistryCommand::AddPerson { org, .. } => Some(*org),
        RegistryCommand::Answer { application, .. }
        | RegistryCommand::Withdraw { application, .. } => org_of_application(*application),
        RegistryCommand::RevokePerson { person, .. } | RegistryCommand::Invite { person, .. } => {
            org_of_person(*person)
        }
        RegistryCommand::RevokeInvitation { invitation, .. } => org_of_invitation(*invitation),
    };
    if secretariat {
        return Ok(());
    }
    match (concerned, who.focal_point_of()) {
        (None, Some(_)) => Ok(()),
        (Some(org), Some(mine)) if org == mine => Ok(()),
        _ => Err(RegistryError::Forbidden(
            "only the secretariat and the organisation's focal points may do this".into(),
        )),
    }
}

/// What `who` may read of the registry: everything for the secretariat; the forums, their own
/// organisation, its applications, people and invitations for a focal point; the forums and
/// themselves for a representative; the forums for anyone else.
pub fn view_for(state: &RegistryState, who: &Who) -> RegistryView {
    let forums = state
        .forums()
        .map(|f| ForumView {
            spec: f.spec.clone(),
            created_at: f.created_at,
        })
        .collect();
    let (all, org) = match who {
        Who::Secretariat(_) => (true, None),
        Who::Person { org, .. } => (false, Some(*org)),
        Who::Public | Who::Other(_) => (false, None),
    };
    let focal = who.focal_point_of().is_some();
    let sees_org = |id: OrgId| all || org == Some(id);
    let sees_details = |id: OrgId| all || (focal && org == Some(id));
    let organisations = state
        .organisations()
        .filter(|o| sees_org(o.id))
        .map(|o| OrganisationView {
            id: o.id,
            organisation: o.details.clone(),
            region: geo::region_of(&o.details.country),
            registered_at: o.registered_at,
            public: o.public,
            possible_duplicates: if all {
                o.possible_duplicates.clone()
            } else {
                Vec::new()
            },
        })
        .collect();
    let applications = state
        .applications()
        .filter(|a| sees_details(a.org))
        .map(|a| ApplicationView {
            id: a.id,
            org: a.org,
            forum: a.forum.clone(),
            statement: a.statement.clone(),
            status: a.status,
            address_confirmed: state.address_confirmed(a.org),
            history: a.history.clone(),
        })
        .collect();
    let people = state
        .people()
        .filter(|p| sees_details(p.org))
        .map(person_view)
        .collect();
    let invitations = state
        .invitations()
        .filter(|i| state.person(i.person).is_some_and(|p| sees_details(p.org)))
        .map(|i| InvitationView {
            id: i.id,
            person: i.person,
            issued_at: i.issued_at,
            expires_at: i.expires_at,
            used_at: i.used_at,
            revoked: i.revoked.clone(),
        })
        .collect();
    let me = match who {
        Who::Person { person, .. } => state.person(*person).map(person_view),
        _ => None,
    };
    RegistryView {
        seq: state.seq(),
        forums,
        organisations,
        applications,
        people,
        invitations,
        me,
    }
}

fn person_view(p: &Person) -> PersonView {
    PersonView {
        id: p.id,
        org: p.org,
        role: p.role,
        forum: p.forum.clone(),
        contact: p.contact.clone(),
        revoked: p.revoked.clone(),
        signed_in: p.signed_in,
    }
}

/// The identity a verified token speaks for. A registry person's token (`registry:N`) gets
/// their name, organisation, constituency, country and region from the registry (whatever its
/// claims say), and is refused once the person is revoked.
///
/// A token from elsewhere (an outside identity provider, `--jwt-public-key`) is matched to the
/// registry's people by its e-mail address (`email`, unless its provider said it is
/// unverified) or, failing that, by a `sub` that is an address, compared without regard to
/// case. Matched, it speaks as that person: the session's user id becomes theirs
/// (`registry:N`) and the identity is the registry's, as with a sign-in link. Several matching
/// people of one organisation (a focal point who is also a representative, a representative
/// named for two forums): the earliest not revoked. People of different organisations: refused,
/// since the token cannot say for whom it speaks. Only revoked people: refused.
///
/// Any other token that claims an organisation the registry holds is refused: only the
/// organisation's people speak for it.
pub fn resolve(
    state: &RegistryState,
    profile: Profile,
    email: Option<&str>,
) -> Result<Profile, RegistryError> {
    if let Some(id) = person_of_user(&profile.user) {
        let person = state
            .person(id)
            .ok_or_else(|| RegistryError::Forbidden(format!("the registry has no person {id}")))?;
        if let Some(reason) = &person.revoked {
            return Err(RegistryError::Forbidden(format!(
                "this person no longer acts for the organisation: {reason}"
            )));
        }
        return registry_identity(state, person, profile.user);
    }
    if let Some(person) = matched_person(state, &profile.user, email)? {
        return registry_identity(state, person, user_of(person.id));
    }
    if let Some(claimed) = &profile.org {
        let claimed_key = claimed.trim().to_lowercase();
        let registered = state.organisations().find(|o| {
            o.details.name.to_lowercase() == claimed_key
                || o.details
                    .acronym
                    .as_ref()
                    .is_some_and(|a| a.to_lowercase() == claimed_key)
        });
        if let Some(org) = registered {
            return Err(RegistryError::Forbidden(format!(
                "the token claims to speak for {}, which is in the registry: its people sign \
                 in with their invitation link",
                org.details.name
            )));
        }
    }
    Ok(profile)
}

/// The profile of registry person `person`, for session `user`.
fn registry_identity(
    state: &RegistryState,
    person: &Person,
    user: UserId,
) -> Result<Profile, RegistryError> {
    let org = state.organisation(person.org).ok_or_else(|| {
        RegistryError::Forbidden(format!("the registry has no organisation {}", person.org))
    })?;
    Ok(Profile {
        user,
        name: person.contact.name.clone(),
        role: Role::Participant,
        org: Some(org.details.name.clone()),
        constituency: Some(org.details.constituency),
        country: Some(org.details.country.clone()),
        region: geo::region_of(&org.details.country),
    })
}

/// The registry person an outside token names by its address (see [`resolve`]), if any.
fn matched_person<'s>(
    state: &'s RegistryState,
    user: &UserId,
    email: Option<&str>,
) -> Result<Option<&'s Person>, RegistryError> {
    let address = match email {
        Some(address) => address,
        None if user.as_str().contains('@') => user.as_str(),
        None => return Ok(None),
    };
    let mut matching: Vec<&Person> = state
        .people()
        .filter(|p| p.contact.email.trim().eq_ignore_ascii_case(address.trim()))
        .collect();
    if matching.is_empty() {
        return Ok(None);
    }
    matching.sort_by_key(|p| p.id);
    let Some(first) = matching.iter().find(|p| p.revoked.is_none()) else {
        return Err(RegistryError::Forbidden(
            "the registry's person with this address no longer acts for the organisation".into(),
        ));
    };
    let orgs: BTreeSet<OrgId> = matching
        .iter()
        .filter(|p| p.revoked.is_none())
        .map(|p| p.org)
        .collect();
    if orgs.len() > 1 {
        return Err(RegistryError::Forbidden(format!(
            "{} registry people of different organisations have this address; sign in with \
             the invitation link of the one you act for",
            matching.len()
        )));
    }
    Ok(Some(first))
}

/// Whether `profile` may join `room` as far as the registry is concerned. A room of a forum
/// that is accredited-only admits as participants only representatives named for that forum
/// by an organisation accredited to it now; the secretariat, moderators and observers enter
/// as usual (observers cannot speak).
pub fn may_join(state: &RegistryState, profile: &Profile, room: &RoomId) -> Result<(), Rejection> {
    if profile.role != Role::Participant {
        return Ok(());
    }
    for forum in state
        .forums()
        .filter(|f| f.spec.accredited_only && f.spec.rooms.contains(room))
    {
        let id = &forum.spec.id;
        let title = &forum.spec.title;
        let person = person_of_user(&profile.user).and_then(|p| state.person(p));
        let Some(person) = person else {
            return Err(Rejection::Forbidden(format!(
                "this room admits representatives of organisations accredited to \"{title}\"; \
                 sign in with the invitation link your organisation's focal point sent"
            )));
        };
        if person.revoked.is_some() {
            return Err(Rejection::Forbidden(
                "you no longer act for your organisation".into(),
            ));
        }
        if person.role != PersonRole::Representative || person.forum.as_ref() != Some(id) {
            return Err(Rejection::Forbidden(format!(
                "you are not named as a representative for \"{title}\""
            )));
        }
        if !state.is_accredited(person.org, id) {
            return Err(Rejection::Forbidden(format!(
                "your organisation is not accredited to \"{title}\" (not yet, or no longer)"
            )));
        }
    }
    Ok(())
}

/// Whose access a registry event ended, and the rooms that must record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedAccess {
    /// The people whose live connections end (their sessions' user ids).
    pub users: Vec<UserId>,
    /// The rooms of the forum concerned. The hub also tells every room loaded on its node,
    /// since a revoked person may be in rooms of no forum.
    pub rooms: Vec<RoomId>,
    /// What the registry did.
    pub cause: AccessEndCause,
    /// The reason it recorded.
    pub reason: String,
}

/// Whose access `event` ends, read on `state` (the registry as of that event or later):
///
/// - `person_revoked`: that person, everywhere (their sign-in no longer resolves); the rooms
///   of their forum, if they represent an organisation at one;
/// - `accreditation_withdrawn` at a forum that admits only accredited organisations: the
///   organisation's representatives named for that forum (a representative acts for one forum,
///   so their session ends), and the forum's rooms. At an open forum it ends nobody's access.
///
/// `None` for every other event.
pub fn access_ended_by(state: &RegistryState, event: &RegistryEvent) -> Option<EndedAccess> {
    match event {
        RegistryEvent::PersonRevoked { person, reason } => {
            let rooms = state
                .person(*person)
                .and_then(|p| p.forum.as_ref())
                .and_then(|forum| state.forum(forum))
                .map(|forum| forum.spec.rooms.clone())
                .unwrap_or_default();
            Some(EndedAccess {
                users: vec![user_of(*person)],
                rooms,
                cause: AccessEndCause::PersonRevoked,
                reason: reason.clone(),
            })
        }
        RegistryEvent::AccreditationWithdrawn {
            application,
            reason,
        } => {
            let application = state.application(*application)?;
            let forum = state
                .forum(&application.forum)
                .filter(|f| f.spec.accredited_only)?;
            let users = state
                .people()
                .filter(|p| {
                    p.org == application.org
                        && p.role == PersonRole::Representative
                        && p.forum.as_ref() == Some(&application.forum)
                        && p.revoked.is_none()
                })
                .map(|p| user_of(p.id))
                .collect();
            Some(EndedAccess {
                users,
                rooms: forum.spec.rooms.clone(),
                cause: AccessEndCause::AccreditationWithdrawn,
                reason: reason.clone(),
            })
        }
        _ => None,
    }
}

/// Whether `who` may read the registry's whole record (`GET /api/registry/events`) and the
/// list of invitations (`GET /api/registry/invitations.csv`): the
/// secretariat only, since it holds the people's names and addresses.
pub fn may_read_record(who: &Who) -> Result<(), RegistryError> {
    match who {
        Who::Secretariat(_) => Ok(()),
        _ => Err(RegistryError::Forbidden(
            "the registry's record is for the secretariat".into(),
        )),
    }
}
