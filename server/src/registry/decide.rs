//! `decide` for the registry: what a request means, as events of the registry's record, or why
//! it is refused. Pure: time is an argument, nothing is read but the state.

use super::access::{self, Who};
use super::state::RegistryState;
use crate::domain::{geo, text};
use baraza_proto::error::ErrorCode;
use baraza_proto::ids::{ForumId, Millis};
use baraza_proto::limits::{MAX_DESCRIPTION_CHARS, MAX_REASON_CHARS, MAX_TITLE_CHARS};
use baraza_proto::registry::{
    ApplicationId, ApplicationRequest, ApplicationStatus, Contact, Decision, DecisionRequest,
    ForumSpec, InvitationId, OrgId, OrganisationDetails, OrganisationRequest, PersonId,
    PersonRequest, PersonRole, PublicApplication, RegistryEvent,
};
use std::collections::BTreeSet;

/// Most characters of an organisation's name.
pub const MAX_ORG_NAME_CHARS: usize = 200;
/// Most characters of an acronym.
pub const MAX_ACRONYM_CHARS: usize = 30;
/// Most keywords of an organisation.
pub const MAX_KEYWORDS: usize = 20;
/// Most characters of one keyword.
pub const MAX_KEYWORD_CHARS: usize = 60;
/// Most characters of a website address.
pub const MAX_WEBSITE_CHARS: usize = 300;
/// Most characters of a person's name.
pub const MAX_PERSON_NAME_CHARS: usize = 120;
/// Most characters of an e-mail address.
pub const MAX_EMAIL_CHARS: usize = 254;
/// Most characters of a statement of competence, an answer, or criteria.
pub const MAX_STATEMENT_CHARS: usize = 4_000;
/// Most questions of a deferral.
pub const MAX_QUESTIONS: usize = 10;
/// Largest quota of representatives per organisation and forum.
pub const MAX_QUOTA: u32 = 50;

/// A request to the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryCommand {
    /// The secretariat registers an organisation with its first focal point.
    RegisterOrganisation(OrganisationRequest),
    /// Anyone: an organisation registers itself and applies to a forum; its focal point gets a
    /// sign-in link (which confirms the address).
    Apply {
        /// The form.
        application: PublicApplication,
        /// When the focal point's link stops working.
        invitation_expires_at: Millis,
    },
    /// The secretariat creates a forum.
    CreateForum(ForumSpec),
    /// The secretariat or a focal point applies for a registered organisation.
    SubmitApplication(ApplicationRequest),
    /// The secretariat decides an application.
    Decide {
        /// Which.
        application: ApplicationId,
        /// The decision.
        request: DecisionRequest,
    },
    /// A focal point (or the secretariat) answers a deferral.
    Answer {
        /// Which application.
        application: ApplicationId,
        /// The answer.
        answer: String,
    },
    /// The secretariat withdraws an accreditation (a focal point its own application).
    Withdraw {
        /// Which application.
        application: ApplicationId,
        /// Why.
        reason: String,
    },
    /// The secretariat or a focal point names a person for an organisation.
    AddPerson {
        /// The organisation.
        org: OrgId,
        /// Who and for what.
        request: PersonRequest,
    },
    /// The secretariat or a focal point revokes a person.
    RevokePerson {
        /// Who.
        person: PersonId,
        /// Why.
        reason: String,
    },
    /// The secretariat or a focal point issues a sign-in link to a person.
    Invite {
        /// Who.
        person: PersonId,
        /// When the link stops working.
        expires_at: Millis,
    },
    /// Anyone holding a verified link: use it (once).
    UseInvitation {
        /// The invitation the link names.
        invitation: InvitationId,
    },
    /// The secretariat or a focal point revokes an unused link.
    RevokeInvitation {
        /// Which.
        invitation: InvitationId,
        /// Why.
        reason: String,
    },
}

/// Why the registry refused a request. Nothing is recorded when it does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// No such organisation, forum, application, person or invitation.
    #[error("{0}")]
    NotFound(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A field is missing or not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// It contradicts what the registry holds (already applied, already decided, over quota …).
    #[error("{0}")]
    Conflict(String),
    /// A sign-in link that has expired.
    #[error("{0}")]
    LinkExpired(String),
    /// A sign-in link that was used or revoked, or does not verify.
    #[error("{0}")]
    LinkInvalid(String),
    /// The registry's record cannot be written now; retry.
    #[error("{0}")]
    Unavailable(String),
}

impl RegistryError {
    /// The wire error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            RegistryError::NotFound(_) | RegistryError::Invalid(_) => ErrorCode::InvalidCommand,
            RegistryError::Forbidden(_) | RegistryError::Conflict(_) => ErrorCode::Forbidden,
            RegistryError::LinkExpired(_) => ErrorCode::TokenExpired,
            RegistryError::LinkInvalid(_) => ErrorCode::TokenInvalid,
            RegistryError::Unavailable(_) => ErrorCode::Unavailable,
        }
    }
}

impl From<text::TextError> for RegistryError {
    fn from(error: text::TextError) -> RegistryError {
        RegistryError::Invalid(error.to_string())
    }
}

/// Decides what `command` from `who` means for the registry in `state` at `now`.
pub fn decide(
    state: &RegistryState,
    who: &Who,
    command: &RegistryCommand,
    now: Millis,
) -> Result<Vec<RegistryEvent>, RegistryError> {
    access::may_do(state, who, command)?;
    match command {
        RegistryCommand::RegisterOrganisation(request) => {
            let organisation = clean_organisation(&request.organisation)?;
            let contact = clean_contact(&request.focal_point)?;
            Ok(register(state, organisation, contact, false))
        }
        RegistryCommand::Apply {
            application,
            invitation_expires_at,
        } => {
            let organisation = clean_organisation(&application.organisation)?;
            let contact = clean_contact(&application.focal_point)?;
            forum(state, &application.forum)?;
            let statement = prose("statement", &application.statement, MAX_STATEMENT_CHARS)?;
            let mut events = register(state, organisation, contact, true);
            // The organisation's id is the seq of the first event of this append.
            events.push(RegistryEvent::ApplicationSubmitted {
                org: state.seq() + 1,
                forum: application.forum.clone(),
                statement,
            });
            events.push(RegistryEvent::InvitationIssued {
                person: state.seq() + 2,
                expires_at: *invitation_expires_at,
            });
            Ok(events)
        }
        RegistryCommand::CreateForum(spec) => {
            if state.forum(&spec.id).is_some() {
                return Err(RegistryError::Conflict(format!(
                    "a forum {} already exists",
                    spec.id
                )));
            }
            let title = text::name("title", &spec.title, MAX_TITLE_CHARS)?;
            let criteria = prose("criteria", &spec.criteria, MAX_STATEMENT_CHARS)?;
            if spec.quota == 0 || spec.quota > MAX_QUOTA {
                return Err(RegistryError::Invalid(format!(
                    "the quota of representatives is 1 to {MAX_QUOTA}"
                )));
            }
            let rooms: BTreeSet<_> = spec.rooms.iter().collect();
            if rooms.len() != spec.rooms.len() {
                return Err(RegistryError::Invalid("a room is listed twice".into()));
            }
            Ok(vec![RegistryEvent::ForumCreated(ForumSpec {
                title,
                criteria,
                ..spec.clone()
            })])
        }
        RegistryCommand::SubmitApplication(request) => {
            organisation(state, request.org)?;
            forum(state, &request.forum)?;
            if let Some(open) = state.open_application(request.org, &request.forum) {
                return Err(RegistryError::Conflict(format!(
                    "the organisation already has application {} to this forum",
                    open.id
                )));
            }
            let statement = prose("statement", &request.statement, MAX_STATEMENT_CHARS)?;
            Ok(vec![RegistryEvent::ApplicationSubmitted {
                org: request.org,
                forum: request.forum.clone(),
                statement,
            }])
        }
        RegistryCommand::Decide {
            application,
            request,
        } => {
            let found = application_of(state, *application)?;
            if !state.address_confirmed(found.org) {
                return Err(RegistryError::Conflict(format!(
                    "application {application} waits for the organisation's focal point to \
                     confirm their e-mail address by opening the sign-in link sent to them \
                     (send a new link if it was lost)"
                )));
            }
            if !matches!(
                found.status,
                ApplicationStatus::Pending | ApplicationStatus::Deferred
            ) {
                return Err(RegistryError::Conflict(format!(
                    "application {application} is already {}; withdraw an accreditation instead",
                    status_name(found.status)
                )));
            }
            let reason = prose("reason", &request.reason, MAX_REASON_CHARS)?;
            let mut questions = Vec::new();
            for question in &request.questions {
                questions.push(prose("question", question, MAX_REASON_CHARS)?);
            }
            match request.decision {
                Decision::Deferred if questions.is_empty() => {
                    return Err(RegistryError::Invalid(
                        "a deferral asks at least one question".into(),
                    ));
                }
                Decision::Approved | Decision::Rejected if !questions.is_empty() => {
                    return Err(RegistryError::Invalid(
                        "only a deferral asks questions".into(),
                    ));
                }
                _ if questions.len() > MAX_QUESTIONS => {
                    return Err(RegistryError::Invalid(format!(
                        "a deferral asks at most {MAX_QUESTIONS} questions"
                    )));
                }
                _ => {}
            }
            Ok(vec![RegistryEvent::ApplicationDecided {
                application: *application,
                decision: request.decision,
                reason,
                questions,
            }])
        }
        RegistryCommand::Answer {
            application,
            answer,
        } => {
            let found = application_of(state, *application)?;
            if found.status != ApplicationStatus::Deferred {
                return Err(RegistryError::Conflict(format!(
                    "application {application} is {}, not deferred: there is nothing to answer",
                    status_name(found.status)
                )));
            }
            let answer = prose("answer", answer, MAX_STATEMENT_CHARS)?;
            Ok(vec![RegistryEvent::ApplicationAnswered {
                application: *application,
                answer,
            }])
        }
        RegistryCommand::Withdraw {
            application,
            reason,
        } => {
            let found = application_of(state, *application)?;
            if matches!(
                found.status,
                ApplicationStatus::Rejected | ApplicationStatus::Withdrawn
            ) {
                return Err(RegistryError::Conflict(format!(
                    "application {application} is already {}",
                    status_name(found.status)
                )));
            }
            let reason = prose("reason", reason, MAX_REASON_CHARS)?;
            Ok(vec![RegistryEvent::AccreditationWithdrawn {
                application: *application,
                reason,
            }])
        }
        RegistryCommand::AddPerson { org, request } => {
            organisation(state, *org)?;
            let contact = clean_contact(&request.contact)?;
            let forum_id = match (request.role, &request.forum) {
                (PersonRole::FocalPoint, None) => None,
                (PersonRole::FocalPoint, Some(_)) => {
                    return Err(RegistryError::Invalid(
                        "a focal point acts for the organisation in every forum; name no forum"
                            .into(),
                    ));
                }
                (PersonRole::Representative, None) => {
                    return Err(RegistryError::Invalid(
                        "a representative is named for a forum: the field forum is missing".into(),
                    ));
                }
                (PersonRole::Representative, Some(forum_id)) => {
                    let forum = forum(state, forum_id)?;
                    if !state.is_accredited(*org, forum_id) {
                        return Err(RegistryError::Forbidden(format!(
                            "the organisation is not accredited to {forum_id}"
                        )));
                    }
                    let named = state.representatives(*org, forum_id);
                    if named as u32 >= forum.spec.quota {
                        return Err(RegistryError::Conflict(format!(
                            "the organisation has named {named} of its {} representatives for \
                             {forum_id}; revoke one first",
                            forum.spec.quota
                        )));
                    }
                    Some(forum_id.clone())
                }
            };
            Ok(vec![RegistryEvent::PersonAdded {
                org: *org,
                role: request.role,
                forum: forum_id,
                contact,
            }])
        }
        RegistryCommand::RevokePerson { person, reason } => {
            let found = person_of(state, *person)?;
            if found.revoked.is_some() {
                return Err(RegistryError::Conflict(format!(
                    "person {person} is already revoked"
                )));
            }
            let reason = prose("reason", reason, MAX_REASON_CHARS)?;
            Ok(vec![RegistryEvent::PersonRevoked {
                person: *person,
                reason,
            }])
        }
        RegistryCommand::Invite { person, expires_at } => {
            let found = person_of(state, *person)?;
            if found.revoked.is_some() {
                return Err(RegistryError::Forbidden(format!(
                    "person {person} is revoked and cannot be invited"
                )));
            }
            if *expires_at <= now {
                return Err(RegistryError::Invalid(
                    "an invitation must expire in the future".into(),
                ));
            }
            Ok(vec![RegistryEvent::InvitationIssued {
                person: *person,
                expires_at: *expires_at,
            }])
        }
        RegistryCommand::UseInvitation { invitation } => {
            let found = state.invitation(*invitation).ok_or_else(|| {
                RegistryError::LinkInvalid("this sign-in link is not known".into())
            })?;
            if let Some(reason) = &found.revoked {
                return Err(RegistryError::LinkInvalid(format!(
                    "this sign-in link was revoked: {reason}"
                )));
            }
            if found.used_at.is_some() {
                return Err(RegistryError::LinkInvalid(
                    "this sign-in link was already used; ask for a new one".into(),
                ));
            }
            if now >= found.expires_at {
                return Err(RegistryError::LinkExpired(
                    "this sign-in link has expired; ask for a new one".into(),
                ));
            }
            let person = person_of(state, found.person)?;
            if let Some(reason) = &person.revoked {
                return Err(RegistryError::LinkInvalid(format!(
                    "this person no longer acts for the organisation: {reason}"
                )));
            }
            Ok(vec![RegistryEvent::InvitationUsed {
                invitation: *invitation,
            }])
        }
        RegistryCommand::RevokeInvitation { invitation, reason } => {
            let found = state
                .invitation(*invitation)
                .ok_or_else(|| RegistryError::NotFound(format!("no invitation {invitation}")))?;
            if found.used_at.is_some() || found.revoked.is_some() {
                return Err(RegistryError::Conflict(format!(
                    "invitation {invitation} was already used or revoked"
                )));
            }
            let reason = prose("reason", reason, MAX_REASON_CHARS)?;
            Ok(vec![RegistryEvent::InvitationRevoked {
                invitation: *invitation,
                reason,
            }])
        }
    }
}

fn register(
    state: &RegistryState,
    organisation: OrganisationDetails,
    focal_point: Contact,
    public: bool,
) -> Vec<RegistryEvent> {
    let possible_duplicates = duplicates(state, &organisation);
    vec![
        RegistryEvent::OrganisationRegistered {
            organisation,
            public,
            possible_duplicates,
        },
        RegistryEvent::PersonAdded {
            org: state.seq() + 1,
            role: PersonRole::FocalPoint,
            forum: None,
            contact: focal_point,
        },
    ]
}

/// Organisations registered with the same country and the same name or acronym (ignoring
/// case and surrounding spaces).
fn duplicates(state: &RegistryState, organisation: &OrganisationDetails) -> Vec<OrgId> {
    let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
    state
        .organisations()
        .filter(|o| {
            o.details.country == organisation.country
                && (same(&o.details.name, &organisation.name)
                    || matches!(
                        (&o.details.acronym, &organisation.acronym),
                        (Some(a), Some(b)) if same(a, b)
                    ))
        })
        .map(|o| o.id)
        .collect()
}

/// The organisation's details as the record keeps them: names cleaned, every field checked.
pub fn clean_organisation(
    details: &OrganisationDetails,
) -> Result<OrganisationDetails, RegistryError> {
    let name = text::name("name", &details.name, MAX_ORG_NAME_CHARS)?;
    let acronym = match details.acronym.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(acronym) => Some(text::name("acronym", acronym, MAX_ACRONYM_CHARS)?),
    };
    if !geo::is_assigned(details.country.as_str()) {
        return Err(RegistryError::Invalid(format!(
            "{} is not an assigned ISO 3166-1 country code",
            details.country
        )));
    }
    let mut sdgs = details.sdgs.clone();
    sdgs.sort_unstable();
    sdgs.dedup();
    if let Some(bad) = sdgs.iter().find(|g| !(1..=17).contains(*g)) {
        return Err(RegistryError::Invalid(format!(
            "SDG {bad} does not exist: the goals are 1 to 17"
        )));
    }
    if details.keywords.len() > MAX_KEYWORDS {
        return Err(RegistryError::Invalid(format!(
            "at most {MAX_KEYWORDS} keywords"
        )));
    }
    let mut keywords = Vec::new();
    for keyword in &details.keywords {
        keywords.push(text::name("keyword", keyword, MAX_KEYWORD_CHARS)?);
    }
    let website = match details.website.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(site) => {
            let shaped = (site.starts_with("https://") || site.starts_with("http://"))
                && site.len() > "https://".len()
                && site.chars().count() <= MAX_WEBSITE_CHARS
                && !site.chars().any(|c| c.is_whitespace() || c.is_control());
            if !shaped {
                return Err(RegistryError::Invalid(format!(
                    "the website must be an http:// or https:// address of at most \
                     {MAX_WEBSITE_CHARS} characters without spaces, not {site:?}"
                )));
            }
            Some(site.to_owned())
        }
    };
    let description = text::clean_prose("description", &details.description)?;
    text::check_length("description", &description, 0, MAX_DESCRIPTION_CHARS)?;
    let ecosoc = details.ecosoc.clone();
    match (ecosoc.status, ecosoc.year) {
        (baraza_proto::registry::EcosocStatus::None, Some(_)) => {
            return Err(RegistryError::Invalid(
                "a year is given only with a consultative status".into(),
            ));
        }
        (baraza_proto::registry::EcosocStatus::None, None) => {}
        (_, None) => {
            return Err(RegistryError::Invalid(
                "a consultative status needs the year it was granted".into(),
            ));
        }
        (_, Some(year)) if !(1946..=2100).contains(&year) => {
            return Err(RegistryError::Invalid(format!(
                "{year} is not a year consultative status can have been granted"
            )));
        }
        _ => {}
    }
    Ok(OrganisationDetails {
        name,
        acronym,
        country: details.country.clone(),
        constituency: details.constituency,
        sdgs,
        keywords,
        website,
        description,
        ecosoc,
    })
}

/// A contact with its name cleaned and its address checked for shape.
pub fn clean_contact(contact: &Contact) -> Result<Contact, RegistryError> {
    let name = text::name("name", &contact.name, MAX_PERSON_NAME_CHARS)?;
    let email = contact.email.trim();
    let shaped = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && email.len() <= MAX_EMAIL_CHARS
                && !email
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
        }
        None => false,
    };
    if !shaped {
        return Err(RegistryError::Invalid(format!(
            "{email:?} is not an e-mail address"
        )));
    }
    Ok(Contact {
        name,
        email: email.to_owned(),
    })
}

fn prose(what: &'static str, text: &str, max: usize) -> Result<String, RegistryError> {
    let cleaned = text::clean_prose(what, text)?;
    let cleaned = cleaned.trim().to_owned();
    text::check_length(what, &cleaned, 1, max)?;
    Ok(cleaned)
}

fn organisation(
    state: &RegistryState,
    id: OrgId,
) -> Result<&super::state::Organisation, RegistryError> {
    state
        .organisation(id)
        .ok_or_else(|| RegistryError::NotFound(format!("no organisation {id}")))
}

fn forum<'a>(
    state: &'a RegistryState,
    id: &ForumId,
) -> Result<&'a super::state::Forum, RegistryError> {
    state
        .forum(id)
        .ok_or_else(|| RegistryError::NotFound(format!("no forum {id}")))
}

fn application_of(
    state: &RegistryState,
    id: ApplicationId,
) -> Result<&super::state::Application, RegistryError> {
    state
        .application(id)
        .ok_or_else(|| RegistryError::NotFound(format!("no application {id}")))
}

fn person_of(state: &RegistryState, id: PersonId) -> Result<&super::state::Person, RegistryError> {
    state
        .person(id)
        .ok_or_else(|| RegistryError::NotFound(format!("no person {id}")))
}

/// The wire name of a status.
pub fn status_name(status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::Pending => "pending",
        ApplicationStatus::Deferred => "deferred",
        ApplicationStatus::Approved => "approved",
        ApplicationStatus::Rejected => "rejected",
        ApplicationStatus::Withdrawn => "withdrawn",
    }
}
