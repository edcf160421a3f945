//! The registry's state: the fold of its record's events.
//!
//! [`RegistryState::apply`] is total and deterministic like a room's `evolve`: an event that
//! does not fit (which a valid record never holds) changes nothing but `seq`.

use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::ids::{ForumId, Millis, Seq, UserId};
use baraza_proto::registry::{
    ApplicationId, ApplicationStatus, Contact, Decision, ForumSpec, HistoryEntry, InvitationId,
    OrgId, OrganisationDetails, PersonId, PersonRole, RegistryEvent,
};
use std::collections::BTreeMap;

/// A registered organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Id (`seq` of its registration).
    pub id: OrgId,
    /// What is known of it.
    pub details: OrganisationDetails,
    /// When it was registered.
    pub registered_at: Millis,
    /// Through the public form.
    pub public: bool,
    /// Flagged possible duplicates.
    pub possible_duplicates: Vec<OrgId>,
}

/// A forum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forum {
    /// What the secretariat set.
    pub spec: ForumSpec,
    /// When.
    pub created_at: Millis,
}

/// An application and everything that happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// Id.
    pub id: ApplicationId,
    /// Organisation.
    pub org: OrgId,
    /// Forum.
    pub forum: ForumId,
    /// Statement of competence and relevance.
    pub statement: String,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// When and why it was last approved (for the public list).
    pub approved: Option<(Millis, String)>,
    /// Every event about it.
    pub history: Vec<HistoryEntry>,
}

/// A person acting for an organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Id.
    pub id: PersonId,
    /// Organisation.
    pub org: OrgId,
    /// Role.
    pub role: PersonRole,
    /// Forum of a representative.
    pub forum: Option<ForumId>,
    /// Name and e-mail.
    pub contact: Contact,
    /// Revoked, and why.
    pub revoked: Option<String>,
    /// Has used a sign-in link.
    pub signed_in: bool,
}

/// A sign-in invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// Id.
    pub id: InvitationId,
    /// Who.
    pub person: PersonId,
    /// When it was issued.
    pub issued_at: Millis,
    /// When it expires.
    pub expires_at: Millis,
    /// When it was used.
    pub used_at: Option<Millis>,
    /// Revoked, and why.
    pub revoked: Option<String>,
}

/// The fold of the registry's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryState {
    pub(crate) seq: Seq,
    pub(crate) last_ts: Millis,
    pub(crate) organisations: BTreeMap<OrgId, Organisation>,
    pub(crate) forums: BTreeMap<ForumId, Forum>,
    pub(crate) applications: BTreeMap<ApplicationId, Application>,
    pub(crate) people: BTreeMap<PersonId, Person>,
    pub(crate) invitations: BTreeMap<InvitationId, Invitation>,
    pub(crate) keys: BTreeMap<(Option<UserId>, String), Seq>,
}

impl RegistryState {
    /// The last `seq` applied (0 for an empty registry).
    pub fn seq(&self) -> Seq {
        self.seq
    }

    /// The time of the last event (0 for an empty registry).
    pub fn last_ts(&self) -> Millis {
        self.last_ts
    }

    /// An organisation.
    pub fn organisation(&self, id: OrgId) -> Option<&Organisation> {
        self.organisations.get(&id)
    }

    /// Every organisation, by id.
    pub fn organisations(&self) -> impl Iterator<Item = &Organisation> {
        self.organisations.values()
    }

    /// A forum.
    pub fn forum(&self, id: &ForumId) -> Option<&Forum> {
        self.forums.get(id)
    }

    /// Every forum, by id.
    pub fn forums(&self) -> impl Iterator<Item = &Forum> {
        self.forums.values()
    }

    /// An application.
    pub fn application(&self, id: ApplicationId) -> Option<&Application> {
        self.applications.get(&id)
    }

    /// Every application, by id.
    pub fn applications(&self) -> impl Iterator<Item = &Application> {
        self.applications.values()
    }

    /// A person.
    pub fn person(&self, id: PersonId) -> Option<&Person> {
        self.people.get(&id)
    }

    /// Every person, by id.
    pub fn people(&self) -> impl Iterator<Item = &Person> {
        self.people.values()
    }

    /// An invitation.
    pub fn invitation(&self, id: InvitationId) -> Option<&Invitation> {
        self.invitations.get(&id)
    }

    /// Every invitation, by id.
    pub fn invitations(&self) -> impl Iterator<Item = &Invitation> {
        self.invitations.values()
    }

    /// The seq of the event an earlier request with this idempotency key caused.
    pub fn seen_key(&self, actor: Option<&UserId>, key: &str) -> Option<Seq> {
        self.keys.get(&(actor.cloned(), key.to_owned())).copied()
    }

    /// The organisation's application to `forum` that is not closed (pending, deferred or
    /// approved), if any.
    pub fn open_application(&self, org: OrgId, forum: &ForumId) -> Option<&Application> {
        self.applications.values().find(|a| {
            a.org == org
                && &a.forum == forum
                && matches!(
                    a.status,
                    ApplicationStatus::Pending
                        | ApplicationStatus::Deferred
                        | ApplicationStatus::Approved
                )
        })
    }

    /// Whether `org` is accredited to `forum` now.
    pub fn is_accredited(&self, org: OrgId, forum: &ForumId) -> bool {
        self.open_application(org, forum)
            .is_some_and(|a| a.status == ApplicationStatus::Approved)
    }

    /// Representatives of `org` for `forum` that are not revoked.
    pub fn representatives(&self, org: OrgId, forum: &ForumId) -> usize {
        self.people
            .values()
            .filter(|p| {
                p.org == org
                    && p.role == PersonRole::Representative
                    && p.forum.as_ref() == Some(forum)
                    && p.revoked.is_none()
            })
            .count()
    }

    /// Whether the organisation's e-mail address is confirmed: always for one the secretariat
    /// registered; for one that applied through the public form, once one of its focal points
    /// has used a sign-in link (which only reaches them at that address). Until then its
    /// applications wait and it counts in no public figure.
    pub fn address_confirmed(&self, org: OrgId) -> bool {
        match self.organisations.get(&org) {
            Some(o) if o.public => self
                .people
                .values()
                .any(|p| p.org == org && p.role == PersonRole::FocalPoint && p.signed_in),
            Some(_) => true,
            None => false,
        }
    }

    /// Applies one event of the registry's record.
    pub fn apply(&mut self, envelope: &EventEnvelope) {
        self.seq = envelope.seq;
        self.last_ts = self.last_ts.max(envelope.ts);
        let EventBody::Registry(event) = &envelope.body else {
            return;
        };
        if let Some(key) = &envelope.key {
            self.keys
                .entry((envelope.actor.clone(), key.to_string()))
                .or_insert(envelope.seq);
        }
        let seq = envelope.seq;
        let at = envelope.ts;
        let entry = HistoryEntry {
            seq,
            at,
            event: event.clone(),
        };
        match event {
            RegistryEvent::OrganisationRegistered {
                organisation,
                public,
                possible_duplicates,
            } => {
                self.organisations.insert(
                    seq,
                    Organisation {
                        id: seq,
                        details: organisation.clone(),
                        registered_at: at,
                        public: *public,
                        possible_duplicates: possible_duplicates.clone(),
                    },
                );
            }
            RegistryEvent::PersonAdded {
                org,
                role,
                forum,
                contact,
            } => {
                self.people.insert(
                    seq,
                    Person {
                        id: seq,
                        org: *org,
                        role: *role,
                        forum: forum.clone(),
                        contact: contact.clone(),
                        revoked: None,
                        signed_in: false,
                    },
                );
            }
            RegistryEvent::PersonRevoked { person, reason } => {
                if let Some(p) = self.people.get_mut(person) {
                    p.revoked = Some(reason.clone());
                }
            }
            RegistryEvent::ForumCreated(spec) => {
                self.forums.insert(
                    spec.id.clone(),
                    Forum {
                        spec: spec.clone(),
                        created_at: at,
                    },
                );
            }
            RegistryEvent::ApplicationSubmitted {
                org,
                forum,
                statement,
            } => {
                self.applications.insert(
                    seq,
                    Application {
                        id: seq,
                        org: *org,
                        forum: forum.clone(),
                        statement: statement.clone(),
                        status: ApplicationStatus::Pending,
                        approved: None,
                        history: vec![entry],
                    },
                );
            }
            RegistryEvent::ApplicationDecided {
                application,
                decision,
                reason,
                ..
            } => {
                if let Some(a) = self.applications.get_mut(application) {
                    a.status = match decision {
                        Decision::Approved => ApplicationStatus::Approved,
                        Decision::Deferred => ApplicationStatus::Deferred,
                        Decision::Rejected => ApplicationStatus::Rejected,
                    };
                    if *decision == Decision::Approved {
                        a.approved = Some((at, reason.clone()));
                    }
                    a.history.push(entry);
                }
            }
            RegistryEvent::ApplicationAnswered { application, .. } => {
                if let Some(a) = self.applications.get_mut(application) {
                    a.history.push(entry);
                }
            }
            RegistryEvent::AccreditationWithdrawn { application, .. } => {
                if let Some(a) = self.applications.get_mut(application) {
                    a.status = ApplicationStatus::Withdrawn;
                    a.history.push(entry);
                }
            }
            RegistryEvent::InvitationIssued { person, expires_at } => {
                self.invitations.insert(
                    seq,
                    Invitation {
                        id: seq,
                        person: *person,
                        issued_at: at,
                        expires_at: *expires_at,
                        used_at: None,
                        revoked: None,
                    },
                );
            }
            RegistryEvent::InvitationUsed { invitation } => {
                if let Some(i) = self.invitations.get_mut(invitation) {
                    i.used_at = Some(at);
                    let person = i.person;
                    if let Some(p) = self.people.get_mut(&person) {
                        p.signed_in = true;
                    }
                }
            }
            RegistryEvent::InvitationRevoked { invitation, reason } => {
                if let Some(i) = self.invitations.get_mut(invitation) {
                    i.revoked = Some(reason.clone());
                }
            }
        }
    }
}
