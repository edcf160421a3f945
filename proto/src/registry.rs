//! The registry of organisations: who may speak in a room, for whom, and why they were let in.
//!
//! Organisations, forums (a room or a named series of rooms, with published criteria),
//! applications for accreditation and their decisions, the people who act for an organisation
//! (focal points and representatives) and their sign-in invitations. Every change is a
//! [`RegistryEvent`] in the registry's own hash-chained record (the record `registry`, checked
//! by `baraza verify` like a room's). Ids of organisations, people, applications and
//! invitations are the `seq` of the event that created them.

use crate::identity::{Constituency, Profile, Region, Role};
use crate::ids::{CountryCode, ForumId, Millis, RoomId, Seq};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An organisation: the `seq` of its `organisation_registered` event.
pub type OrgId = Seq;
/// A person of the registry (focal point or representative): the `seq` of `person_added`.
pub type PersonId = Seq;
/// An application for accreditation: the `seq` of `application_submitted`.
pub type ApplicationId = Seq;
/// A sign-in invitation: the `seq` of `invitation_issued`.
pub type InvitationId = Seq;

/// ECOSOC consultative status (resolution 1996/31).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EcosocStatus {
    /// General consultative status.
    General,
    /// Special consultative status.
    Special,
    /// On the roster.
    Roster,
    /// No consultative status.
    #[default]
    None,
}

/// An organisation's consultative status and the year it was granted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Consultative {
    /// The status.
    pub status: EcosocStatus,
    /// The year it was granted (absent for `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
}

/// What the registry knows of an organisation (all of it public but the focal points, which
/// are people and kept apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OrganisationDetails {
    /// Name (1–200 characters).
    pub name: String,
    /// Acronym.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acronym: Option<String>,
    /// Country of its seat (ISO 3166-1 alpha-2, assigned).
    pub country: CountryCode,
    /// Constituency it speaks for.
    pub constituency: Constituency,
    /// Areas of expertise: Sustainable Development Goals, 1 to 17.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sdgs: Vec<u8>,
    /// Free keywords (at most 20, each at most 60 characters).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Website (`https://…` or `http://…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// What it does (at most 4,000 characters).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// ECOSOC consultative status.
    #[serde(default)]
    pub ecosoc: Consultative,
}

/// A person's name and e-mail address. Never public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Contact {
    /// Name (1–120 characters).
    pub name: String,
    /// E-mail address.
    pub email: String,
}

/// What a person does for their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// Acts for the organisation: applies, answers, names representatives.
    FocalPoint,
    /// Speaks for the organisation in the rooms of one forum.
    Representative,
}

/// A forum: a room or a named series of rooms, with the criteria it admits organisations by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ForumSpec {
    /// Id (a slug).
    pub id: ForumId,
    /// Title (1–200 characters).
    pub title: String,
    /// The published criteria of accreditation (1–4,000 characters).
    pub criteria: String,
    /// The rooms of the forum (they need not exist yet).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rooms: Vec<RoomId>,
    /// Most representatives one organisation may name for the forum (1–50).
    pub quota: u32,
    /// Whether joining its rooms as a participant needs a representative of an organisation
    /// accredited to the forum.
    #[serde(default)]
    pub accredited_only: bool,
}

/// The secretariat's decision on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Accredited.
    Approved,
    /// Not yet: the secretariat asks questions.
    Deferred,
    /// Refused.
    Rejected,
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Waiting for a decision.
    Pending,
    /// Deferred with questions (answered or not).
    Deferred,
    /// Accredited.
    Approved,
    /// Refused.
    Rejected,
    /// The accreditation was withdrawn.
    Withdrawn,
}

/// A fact of the registry's record (the `body` of an event of the record `registry`,
/// `{"type":"registry","event":"…",…}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RegistryEvent {
    /// An organisation was registered (by the secretariat, or by its own public application);
    /// its id is this event's `seq`.
    OrganisationRegistered {
        /// The organisation.
        organisation: OrganisationDetails,
        /// It applied through the public form.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        public: bool,
        /// Organisations already registered with the same name (or acronym) and country,
        /// flagged for the secretariat (never merged).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        possible_duplicates: Vec<OrgId>,
    },
    /// A person now acts for an organisation; their id is this event's `seq`.
    PersonAdded {
        /// The organisation.
        org: OrgId,
        /// Focal point or representative.
        role: PersonRole,
        /// For a representative: the forum they speak in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        forum: Option<ForumId>,
        /// Name and e-mail.
        contact: Contact,
    },
    /// A person no longer acts for their organisation.
    PersonRevoked {
        /// Who.
        person: PersonId,
        /// Why.
        reason: String,
    },
    /// A forum was created.
    ForumCreated(ForumSpec),
    /// An organisation applied to a forum; the application's id is this event's `seq`.
    ApplicationSubmitted {
        /// The organisation.
        org: OrgId,
        /// The forum.
        forum: ForumId,
        /// Its competence and relevance to the forum, in its own words.
        statement: String,
    },
    /// The secretariat decided, always with a reason.
    ApplicationDecided {
        /// The application.
        application: ApplicationId,
        /// The decision.
        decision: Decision,
        /// Why, against the forum's criteria.
        reason: String,
        /// For `deferred`: what the organisation is asked.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        questions: Vec<String>,
    },
    /// The organisation answered the questions of a deferral.
    ApplicationAnswered {
        /// The application.
        application: ApplicationId,
        /// The answer.
        answer: String,
    },
    /// An accreditation was withdrawn (or an application withdrawn before a decision).
    AccreditationWithdrawn {
        /// The application.
        application: ApplicationId,
        /// Why.
        reason: String,
    },
    /// A sign-in link was issued to a person; its id is this event's `seq`. The link itself
    /// is never recorded.
    InvitationIssued {
        /// Who.
        person: PersonId,
        /// When it stops working (ms since the Unix epoch).
        expires_at: Millis,
    },
    /// A sign-in link was used (it works once).
    InvitationUsed {
        /// The invitation.
        invitation: InvitationId,
    },
    /// A sign-in link was revoked before use.
    InvitationRevoked {
        /// The invitation.
        invitation: InvitationId,
        /// Why.
        reason: String,
    },
}

impl RegistryEvent {
    /// The wire name of the event (`"application_decided"` …).
    pub fn name(&self) -> &'static str {
        match self {
            RegistryEvent::OrganisationRegistered { .. } => "organisation_registered",
            RegistryEvent::PersonAdded { .. } => "person_added",
            RegistryEvent::PersonRevoked { .. } => "person_revoked",
            RegistryEvent::ForumCreated(_) => "forum_created",
            RegistryEvent::ApplicationSubmitted { .. } => "application_submitted",
            RegistryEvent::ApplicationDecided { .. } => "application_decided",
            RegistryEvent::ApplicationAnswered { .. } => "application_answered",
            RegistryEvent::AccreditationWithdrawn { .. } => "accreditation_withdrawn",
            RegistryEvent::InvitationIssued { .. } => "invitation_issued",
            RegistryEvent::InvitationUsed { .. } => "invitation_used",
            RegistryEvent::InvitationRevoked { .. } => "invitation_revoked",
        }
    }
}

/// Body of `POST /api/registry/organisations` (the secretariat registers an organisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OrganisationRequest {
    /// The organisation.
    pub organisation: OrganisationDetails,
    /// Its first focal point.
    pub focal_point: Contact,
}

/// Body of `POST /api/registry/apply` (public, no token): an organisation registers itself
/// and applies to a forum in one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PublicApplication {
    /// The organisation.
    pub organisation: OrganisationDetails,
    /// The person who acts for it; the sign-in link goes to this address.
    pub focal_point: Contact,
    /// The forum applied to.
    pub forum: ForumId,
    /// Competence and relevance to the forum (1–4,000 characters).
    pub statement: String,
}

/// Body of `POST /api/registry/applications` (a registered organisation applies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationRequest {
    /// The organisation.
    pub org: OrgId,
    /// The forum.
    pub forum: ForumId,
    /// Competence and relevance to the forum.
    pub statement: String,
}

/// Body of `POST /api/registry/applications/{id}/decision`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DecisionRequest {
    /// The decision.
    pub decision: Decision,
    /// Why (required).
    pub reason: String,
    /// Questions of a deferral (at least one for `deferred`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<String>,
}

/// Body of `POST /api/registry/applications/{id}/answer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AnswerRequest {
    /// The answer to the deferral's questions.
    pub answer: String,
}

/// Body of `POST /api/registry/applications/{id}/withdraw`, `…/people/{id}/revoke` and
/// `…/invitations/{id}/revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReasonRequest {
    /// Why (required).
    pub reason: String,
}

/// Body of `POST /api/registry/organisations/{id}/people`: a focal point (or the
/// secretariat) names a representative for a forum, or another focal point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PersonRequest {
    /// Representative (default) or focal point.
    #[serde(default = "representative")]
    pub role: PersonRole,
    /// For a representative: the forum (the organisation must be accredited to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forum: Option<ForumId>,
    /// Name and e-mail.
    pub contact: Contact,
}

fn representative() -> PersonRole {
    PersonRole::Representative
}

/// Answer of `POST /api/registry/people/{id}/invitation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InvitationSent {
    /// The invitation.
    pub invitation: InvitationId,
    /// Who.
    pub person: PersonId,
    /// When the link stops working.
    pub expires_at: Millis,
    /// The sign-in link (for sending by other means); shown only to whoever issued it.
    pub link: String,
    /// Whether it was handed to the SMTP relay.
    pub mailed: bool,
}

/// Body of `POST /api/registry/sign-in` (public): exchanges a sign-in link's code for a
/// session token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignInRequest {
    /// The code of the link (the part after `#invite=`).
    pub code: String,
}

/// Answer of `POST /api/registry/sign-in`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignedIn {
    /// A session token (`Authorization: Bearer`, WebSocket `auth`).
    pub token: String,
    /// Who it speaks for, from the registry.
    pub profile: Profile,
    /// When the token expires.
    pub expires_at: Millis,
}

/// One step of an application's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HistoryEntry {
    /// The `seq` of the event in the registry's record.
    pub seq: Seq,
    /// When.
    pub at: Millis,
    /// The event.
    #[serde(flatten)]
    pub event: RegistryEvent,
}

/// An application as the secretariat and the organisation's focal points see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationView {
    /// Id.
    pub id: ApplicationId,
    /// The organisation.
    pub org: OrgId,
    /// The forum.
    pub forum: ForumId,
    /// The statement of competence and relevance.
    pub statement: String,
    /// Where it stands.
    pub status: ApplicationStatus,
    /// Whether the organisation's e-mail address is confirmed (always, for one the
    /// secretariat registered; after its focal point used a sign-in link, for one that applied
    /// through the public form). Unconfirmed applications cannot be decided yet.
    pub address_confirmed: bool,
    /// Every event about it, in order.
    pub history: Vec<HistoryEntry>,
}

/// A person as the secretariat and their organisation's focal points see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PersonView {
    /// Id.
    pub id: PersonId,
    /// The organisation.
    pub org: OrgId,
    /// Role.
    pub role: PersonRole,
    /// For a representative: the forum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forum: Option<ForumId>,
    /// Name and e-mail.
    pub contact: Contact,
    /// Revoked, with the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
    /// Whether they have signed in with a link.
    pub signed_in: bool,
}

/// An invitation as the secretariat and focal points see it (never the link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InvitationView {
    /// Id.
    pub id: InvitationId,
    /// Who.
    pub person: PersonId,
    /// When it was issued.
    pub issued_at: Millis,
    /// When it expires.
    pub expires_at: Millis,
    /// When it was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<Millis>,
    /// Revoked, with the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
}

/// An organisation as the secretariat and its focal points see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OrganisationView {
    /// Id.
    pub id: OrgId,
    /// The organisation.
    #[serde(flatten)]
    pub organisation: OrganisationDetails,
    /// Region of its country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// When it was registered.
    pub registered_at: Millis,
    /// Registered through the public form.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
    /// Organisations with the same name or acronym and country, flagged at registration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub possible_duplicates: Vec<OrgId>,
}

/// A forum as everyone sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ForumView {
    /// The forum.
    #[serde(flatten)]
    pub spec: ForumSpec,
    /// When it was created.
    pub created_at: Millis,
}

/// Body of `GET /api/registry`: what the caller may see of the registry (everything for the
/// secretariat; their own organisation for a focal point; forums only for anyone else).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RegistryView {
    /// The registry record's last `seq`.
    pub seq: Seq,
    /// Forums.
    pub forums: Vec<ForumView>,
    /// Organisations.
    pub organisations: Vec<OrganisationView>,
    /// Applications with their history.
    pub applications: Vec<ApplicationView>,
    /// People.
    pub people: Vec<PersonView>,
    /// Invitations.
    pub invitations: Vec<InvitationView>,
    /// For a focal point or representative: who the caller is in the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub me: Option<PersonView>,
}

/// One accredited organisation on the public list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PublicAccreditation {
    /// The organisation's id.
    pub org: OrgId,
    /// Name.
    pub name: String,
    /// Acronym.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acronym: Option<String>,
    /// Country.
    pub country: CountryCode,
    /// Constituency.
    pub constituency: Constituency,
    /// Region of the country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    /// ECOSOC status.
    pub ecosoc: Consultative,
    /// When it was approved.
    pub decided_at: Millis,
    /// The secretariat's reason.
    pub reason: String,
}

/// How many applied and how many were admitted, for one group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    /// Organisations that applied.
    pub applied: u32,
    /// Organisations accredited now.
    pub admitted: u32,
}

/// One forum on the public list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PublicForum {
    /// Id.
    pub id: ForumId,
    /// Title.
    pub title: String,
    /// The published criteria.
    pub criteria: String,
    /// Its rooms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rooms: Vec<RoomId>,
    /// Accredited organisations, by name.
    pub accredited: Vec<PublicAccreditation>,
    /// Figures by constituency (wire name → tally).
    pub by_constituency: std::collections::BTreeMap<String, Tally>,
    /// Figures by UN regional group (slug, or `none` for countries outside the groups).
    pub by_un_group: std::collections::BTreeMap<String, Tally>,
    /// All applicants.
    pub total: Tally,
}

/// Body of `GET /api/registry/public` (no token): per forum, the accredited organisations,
/// the reasons, the criteria and the figures. Nothing personal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PublicList {
    /// Forums, by id.
    pub forums: Vec<PublicForum>,
}

/// The role a registry person signs in with.
pub const REGISTRY_ROLE: Role = Role::Participant;
