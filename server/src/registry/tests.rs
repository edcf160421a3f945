//! Given (events) / when (a request) / then (events or a refusal) tests of the registry's rules,
//! the public list, identities and admission to accredited-only rooms.

use super::access::{self, Who, user_of};
use super::decide::{RegistryCommand, RegistryError, decide};
use super::public::public_list;
use super::state::RegistryState;
use crate::domain::Rejection;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Constituency, Profile, Role};
use baraza_proto::ids::{CountryCode, ForumId, Millis, RoomId, UserId};
use baraza_proto::registry::{
    ApplicationRequest, ApplicationStatus, Consultative, Contact, Decision, DecisionRequest,
    EcosocStatus, ForumSpec, OrganisationDetails, OrganisationRequest, PersonRequest, PersonRole,
    PublicApplication, RegistryEvent,
};

const NOW: Millis = 1_800_000_000_000;

/// A registry built by running requests through `decide` and applying what they return.
struct Given {
    state: RegistryState,
}

impl Given {
    fn new() -> Given {
        Given {
            state: RegistryState::default(),
        }
    }

    fn when(
        &self,
        who: &Who,
        command: RegistryCommand,
    ) -> Result<Vec<RegistryEvent>, RegistryError> {
        decide(&self.state, who, &command, NOW)
    }

    /// Runs a request that must succeed; returns the seq of its first event.
    fn did(&mut self, who: &Who, command: RegistryCommand) -> u64 {
        let events = self.when(who, command).expect("accepted");
        let first = self.state.seq() + 1;
        for body in events {
            let seq = self.state.seq() + 1;
            self.state.apply(&EventEnvelope {
                room: RoomId::new("registry").unwrap(),
                seq,
                ts: NOW,
                actor: who.user().cloned(),
                key: None,
                body: EventBody::Registry(body),
            });
        }
        first
    }

    fn who(&self, person: u64) -> Who {
        access::who_is(&self.state, Some(&person_profile(person)))
    }
}

fn secretariat() -> Who {
    Who::Secretariat(UserId::new("sec-1").unwrap())
}

fn person_profile(person: u64) -> Profile {
    Profile {
        user: user_of(person),
        name: "whoever the token says".into(),
        role: Role::Participant,
        org: Some("claimed org".into()),
        constituency: Some(Constituency::Media),
        country: Some(CountryCode::new("FR").unwrap()),
        region: None,
    }
}

fn details(name: &str, country: &str, constituency: Constituency) -> OrganisationDetails {
    OrganisationDetails {
        name: name.into(),
        acronym: None,
        country: CountryCode::new(country).unwrap(),
        constituency,
        sdgs: vec![2, 15],
        keywords: vec!["land rights".into()],
        website: Some("https://example.org".into()),
        description: "Works with smallholders.".into(),
        ecosoc: Consultative {
            status: EcosocStatus::Special,
            year: Some(2011),
        },
    }
}

fn contact(name: &str) -> Contact {
    Contact {
        name: name.into(),
        email: format!("{}@example.org", name.to_lowercase().replace(' ', ".")),
    }
}

fn forum_id() -> ForumId {
    ForumId::new("ffd-2027").unwrap()
}

fn forum(quota: u32) -> RegistryCommand {
    RegistryCommand::CreateForum(ForumSpec {
        id: forum_id(),
        title: "Regional consultations on financing for development 2027".into(),
        criteria: "Competence in development finance; presence in the region.".into(),
        rooms: vec![RoomId::new("ffd-africa").unwrap()],
        quota,
        accredited_only: true,
    })
}

fn register(name: &str, country: &str) -> RegistryCommand {
    RegistryCommand::RegisterOrganisation(OrganisationRequest {
        organisation: details(name, country, Constituency::Farmers),
        focal_point: contact("Focal Point"),
    })
}

fn apply(org: u64) -> RegistryCommand {
    RegistryCommand::SubmitApplication(ApplicationRequest {
        org,
        forum: forum_id(),
        statement: "Twenty years of work on agricultural finance in East Africa.".into(),
    })
}

fn decision(application: u64, decision: Decision, questions: &[&str]) -> RegistryCommand {
    RegistryCommand::Decide {
        application,
        request: DecisionRequest {
            decision,
            reason: "Meets the forum's criteria of competence and regional presence.".into(),
            questions: questions.iter().map(|q| q.to_string()).collect(),
        },
    }
}

fn representative(org: u64, name: &str) -> RegistryCommand {
    RegistryCommand::AddPerson {
        org,
        request: PersonRequest {
            role: PersonRole::Representative,
            forum: Some(forum_id()),
            contact: contact(name),
        },
    }
}

/// A forum with quota 2, an organisation (id 2, focal point 3) accredited (application 4).
fn accredited() -> Given {
    let mut given = Given::new();
    given.did(&secretariat(), forum(2));
    let org = given.did(&secretariat(), register("Kenya Land Alliance", "KE"));
    assert_eq!(org, 2);
    let application = given.did(&secretariat(), apply(org));
    given.did(
        &secretariat(),
        decision(application, Decision::Approved, &[]),
    );
    given
}

#[test]
fn a_decision_always_has_a_reason_and_a_deferral_asks_questions() {
    let mut given = Given::new();
    given.did(&secretariat(), forum(2));
    let org = given.did(&secretariat(), register("Kenya Land Alliance", "KE"));
    let application = given.did(&secretariat(), apply(org));
    let mut no_reason = decision(application, Decision::Approved, &[]);
    if let RegistryCommand::Decide { request, .. } = &mut no_reason {
        request.reason = "   ".into();
    }
    assert!(matches!(
        given.when(&secretariat(), no_reason),
        Err(RegistryError::Invalid(m)) if m.contains("reason")
    ));
    assert!(matches!(
        given.when(&secretariat(), decision(application, Decision::Deferred, &[])),
        Err(RegistryError::Invalid(m)) if m.contains("question")
    ));
    given.did(
        &secretariat(),
        decision(
            application,
            Decision::Deferred,
            &["Which countries do you work in?"],
        ),
    );
    assert_eq!(
        given.state.application(application).unwrap().status,
        ApplicationStatus::Deferred
    );
    // The focal point (person 3) answers; then the secretariat approves.
    let focal = given.who(3);
    given.did(
        &focal,
        RegistryCommand::Answer {
            application,
            answer: "Kenya, Uganda and Tanzania.".into(),
        },
    );
    given.did(
        &secretariat(),
        decision(application, Decision::Approved, &[]),
    );
    let history: Vec<_> = given
        .state
        .application(application)
        .unwrap()
        .history
        .iter()
        .map(|h| h.event.name())
        .collect();
    assert_eq!(
        history,
        [
            "application_submitted",
            "application_decided",
            "application_answered",
            "application_decided"
        ]
    );
    assert!(given.state.is_accredited(org, &forum_id()));
}

#[test]
fn only_the_secretariat_decides_and_focal_points_act_for_their_own_organisation() {
    let mut given = accredited();
    let other = given.did(&secretariat(), register("Via Campesina", "BR"));
    let other_focal = given.who(other + 1);
    let application = given.did(&secretariat(), apply(other));
    assert!(matches!(
        given.when(&other_focal, decision(application, Decision::Approved, &[])),
        Err(RegistryError::Forbidden(_))
    ));
    assert!(matches!(
        given.when(&other_focal, representative(2, "Intruder")),
        Err(RegistryError::Forbidden(_))
    ));
    let public = Who::Public;
    assert!(matches!(
        given.when(&public, register("Anyone", "KE")),
        Err(RegistryError::Forbidden(_))
    ));
}

#[test]
fn representatives_are_named_up_to_the_quota_and_only_when_accredited() {
    let mut given = accredited();
    let focal = given.who(3);
    given.did(&focal, representative(2, "Amina Odhiambo"));
    given.did(&focal, representative(2, "Peter Kamau"));
    assert!(matches!(
        given.when(&focal, representative(2, "Third Person")),
        Err(RegistryError::Conflict(m)) if m.contains("2 of its 2")
    ));
    // An organisation not (yet) accredited names no representative.
    let other = given.did(&secretariat(), register("Via Campesina", "BR"));
    given.did(&secretariat(), apply(other));
    assert!(matches!(
        given.when(&given.who(other + 1), representative(other, "Too Early")),
        Err(RegistryError::Forbidden(m)) if m.contains("not accredited")
    ));
}

#[test]
fn bad_organisations_are_refused_with_the_field_named() {
    let given = {
        let mut g = Given::new();
        g.did(&secretariat(), forum(2));
        g
    };
    let mut bad_country = details("Land Alliance", "XX", Constituency::Farmers);
    bad_country.country = CountryCode::new("XX").unwrap();
    let refused = given.when(
        &secretariat(),
        RegistryCommand::RegisterOrganisation(OrganisationRequest {
            organisation: bad_country,
            focal_point: contact("A B"),
        }),
    );
    assert!(matches!(refused, Err(RegistryError::Invalid(m)) if m.contains("XX")));
    let mut bad_sdg = details("Land Alliance", "KE", Constituency::Farmers);
    bad_sdg.sdgs = vec![18];
    assert!(matches!(
        given.when(&secretariat(), RegistryCommand::RegisterOrganisation(OrganisationRequest {
            organisation: bad_sdg,
            focal_point: contact("A B"),
        })),
        Err(RegistryError::Invalid(m)) if m.contains("SDG 18")
    ));
    let bad_mail = Contact {
        name: "A B".into(),
        email: "not-an-address".into(),
    };
    assert!(matches!(
        given.when(&Who::Public, RegistryCommand::Apply {
            application: PublicApplication {
                organisation: details("Land Alliance", "KE", Constituency::Farmers),
                focal_point: bad_mail,
                forum: forum_id(),
                statement: "We know land.".into(),
            },
            invitation_expires_at: NOW + 1,
        }),
        Err(RegistryError::Invalid(m)) if m.contains("e-mail")
    ));
}

#[test]
fn a_public_application_registers_applies_and_invites_the_focal_point_and_flags_duplicates() {
    let mut given = accredited();
    let first = given.did(
        &Who::Public,
        RegistryCommand::Apply {
            application: PublicApplication {
                organisation: details("kenya land alliance ", "KE", Constituency::Farmers),
                focal_point: contact("New Focal"),
                forum: forum_id(),
                statement: "We are the same people, applying again.".into(),
            },
            invitation_expires_at: NOW + 60_000,
        },
    );
    let org = given.state.organisation(first).unwrap();
    assert!(org.public);
    assert_eq!(org.possible_duplicates, vec![2]);
    assert_eq!(
        given.state.person(first + 1).unwrap().role,
        PersonRole::FocalPoint
    );
    assert_eq!(given.state.application(first + 2).unwrap().org, first);
    assert_eq!(given.state.invitation(first + 3).unwrap().person, first + 1);

    // Until the focal point opens the link (which only reached them at that address), the
    // application waits: it cannot be decided, and it counts in no public figure.
    assert!(!given.state.address_confirmed(first));
    let applied = |given: &Given| public_list(&given.state).forums[0].total.applied;
    let before = applied(&given);
    assert!(matches!(
        given.when(&secretariat(), decision(first + 2, Decision::Approved, &[])),
        Err(RegistryError::Conflict(m)) if m.contains("confirm their e-mail address")
    ));
    given.did(
        &Who::Public,
        RegistryCommand::UseInvitation {
            invitation: first + 3,
        },
    );
    assert!(given.state.address_confirmed(first));
    assert_eq!(applied(&given), before + 1);
    given.did(&secretariat(), decision(first + 2, Decision::Approved, &[]));
    assert_eq!(
        given.state.application(first + 2).unwrap().status,
        ApplicationStatus::Approved
    );
}

#[test]
fn a_link_works_once_until_it_expires_and_not_after_it_is_revoked() {
    let mut given = accredited();
    let focal = given.who(3);
    let rep = given.did(&focal, representative(2, "Amina Odhiambo"));
    let invite = |expires_at| RegistryCommand::Invite {
        person: rep,
        expires_at,
    };
    let first = given.did(&focal, invite(NOW + 1_000));
    let second = given.did(&focal, invite(NOW + 1_000));
    let third = given.did(&focal, invite(NOW + 1_000));
    let use_ = |invitation| RegistryCommand::UseInvitation { invitation };
    given.did(&Who::Public, use_(first));
    assert!(matches!(
        given.when(&Who::Public, use_(first)),
        Err(RegistryError::LinkInvalid(m)) if m.contains("already used")
    ));
    given.did(
        &focal,
        RegistryCommand::RevokeInvitation {
            invitation: second,
            reason: "sent to the wrong address".into(),
        },
    );
    assert!(matches!(
        given.when(&Who::Public, use_(second)),
        Err(RegistryError::LinkInvalid(m)) if m.contains("revoked")
    ));
    // Time is an argument: at the deadline the link no longer works.
    assert!(matches!(
        decide(&given.state, &Who::Public, &use_(third), NOW + 1_000),
        Err(RegistryError::LinkExpired(_))
    ));
    assert!(decide(&given.state, &Who::Public, &use_(third), NOW + 999).is_ok());
}

#[test]
fn a_registry_person_speaks_with_the_registry_s_identity_and_forged_claims_are_refused() {
    let mut given = accredited();
    let rep = given.did(&given.who(3), representative(2, "Amina Odhiambo"));
    let resolved = access::resolve(&given.state, person_profile(rep), None).unwrap();
    assert_eq!(resolved.org.as_deref(), Some("Kenya Land Alliance"));
    assert_eq!(resolved.constituency, Some(Constituency::Farmers));
    assert_eq!(resolved.country.as_ref().map(|c| c.as_str()), Some("KE"));
    assert_eq!(resolved.name, "Amina Odhiambo");
    assert!(resolved.region.is_some());
    let forged = Profile {
        user: UserId::new("p-1").unwrap(),
        org: Some("KENYA LAND ALLIANCE".into()),
        ..person_profile(rep)
    };
    assert!(matches!(
        access::resolve(&given.state, forged, None),
        Err(RegistryError::Forbidden(m)) if m.contains("in the registry")
    ));
    let unregistered = Profile {
        user: UserId::new("p-2").unwrap(),
        org: Some("Some Unregistered Group".into()),
        ..person_profile(rep)
    };
    assert!(access::resolve(&given.state, unregistered, None).is_ok());
}

#[test]
fn accredited_only_rooms_admit_representatives_of_accredited_organisations_only() {
    let mut given = accredited();
    let room = RoomId::new("ffd-africa").unwrap();
    let rep = given.did(&given.who(3), representative(2, "Amina Odhiambo"));
    let amina = access::resolve(&given.state, person_profile(rep), None).unwrap();
    assert_eq!(access::may_join(&given.state, &amina, &room), Ok(()));
    // Someone with a token that is not from the registry.
    let outsider = Profile {
        user: UserId::new("p-9").unwrap(),
        org: None,
        ..amina.clone()
    };
    assert!(matches!(
        access::may_join(&given.state, &outsider, &room),
        Err(Rejection::Forbidden(m)) if m.contains("invitation link")
    ));
    // Moderators and observers are not representatives and enter as usual.
    for role in [Role::Moderator, Role::Observer, Role::Secretariat] {
        let p = Profile {
            role,
            ..outsider.clone()
        };
        assert_eq!(access::may_join(&given.state, &p, &room), Ok(()));
    }
    // Other rooms are not the registry's concern.
    assert_eq!(
        access::may_join(&given.state, &outsider, &RoomId::new("elsewhere").unwrap()),
        Ok(())
    );
    // After the withdrawal, Amina is refused.
    given.did(
        &secretariat(),
        RegistryCommand::Withdraw {
            application: 4,
            reason: "The organisation was found to be a front for a business.".into(),
        },
    );
    assert!(matches!(
        access::may_join(&given.state, &amina, &room),
        Err(Rejection::Forbidden(m)) if m.contains("no longer")
    ));
}

#[test]
fn the_public_list_shows_decisions_reasons_and_figures_and_nothing_personal() {
    let mut given = accredited();
    let rejected = given.did(&secretariat(), register("Business Front", "FR"));
    let application = given.did(&secretariat(), apply(rejected));
    let mut reject = decision(application, Decision::Rejected, &[]);
    if let RegistryCommand::Decide { request, .. } = &mut reject {
        request.reason = "A commercial entity, not a civil-society organisation.".into();
    }
    given.did(&secretariat(), reject);
    let list = public_list(&given.state);
    let forum = &list.forums[0];
    assert_eq!(forum.accredited.len(), 1);
    let kla = &forum.accredited[0];
    assert_eq!(kla.name, "Kenya Land Alliance");
    assert!(kla.reason.contains("criteria"));
    assert_eq!(kla.decided_at, NOW);
    assert_eq!(forum.total.applied, 2);
    assert_eq!(forum.total.admitted, 1);
    assert_eq!(forum.by_un_group["african"].admitted, 1);
    assert_eq!(forum.by_un_group["western_european_others"].applied, 1);
    assert_eq!(forum.by_un_group["western_european_others"].admitted, 0);
    let text = serde_json::to_string(&list).unwrap();
    assert!(
        !text.contains("@example.org"),
        "no e-mail address is public"
    );
    assert!(!text.contains("Focal Point"), "no person is public");
    assert!(!text.contains("Twenty years"), "statements are not public");
}

#[test]
fn a_focal_point_sees_its_own_organisation_and_nobody_else_s() {
    let mut given = accredited();
    let other = given.did(&secretariat(), register("Via Campesina", "BR"));
    let view = access::view_for(&given.state, &given.who(3));
    assert_eq!(view.organisations.len(), 1);
    assert!(view.people.iter().all(|p| p.org == 2));
    assert!(view.applications.iter().all(|a| a.org == 2));
    assert_eq!(view.me.as_ref().map(|m| m.id), Some(3));
    let everything = access::view_for(&given.state, &secretariat());
    assert!(everything.organisations.iter().any(|o| o.id == other));
    let outsider = access::view_for(&given.state, &Who::Other(UserId::new("x").unwrap()));
    assert!(outsider.organisations.is_empty() && outsider.people.is_empty());
    assert_eq!(outsider.forums.len(), 1);
}

#[test]
fn the_invitations_csv_lists_every_link_with_its_person_and_defuses_formulas() {
    let mut given = accredited();
    let first = given.did(
        &Who::Public,
        RegistryCommand::Apply {
            application: PublicApplication {
                organisation: details("=Offshore, Friends", "FR", Constituency::BusinessIndustry),
                focal_point: contact("Jean Martin"),
                forum: forum_id(),
                statement: "We advise companies.".into(),
            },
            invitation_expires_at: NOW + 60_000,
        },
    );
    let csv = super::csv::invitations_csv(&given.state);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], super::csv::COLUMNS.join(","));
    let last = lines
        .iter()
        .find(|l| l.starts_with(&format!("{},", first + 3)))
        .unwrap_or_else(|| panic!("the new invitation is listed: {csv}"));
    assert!(last.contains(",Jean Martin,"), "{last}");
    assert!(
        last.contains(",\"'=Offshore, Friends\",focal_point,,"),
        "{last}"
    );
    assert!(last.contains("UTC"), "{last}");
    assert_eq!(
        lines.len() - 2,
        given.state.invitations().count(),
        "one line per invitation, and the header: {csv}"
    );
}

/// A token from an outside identity provider: its own subject and whatever it claims.
fn outside_profile(sub: &str) -> Profile {
    Profile {
        user: UserId::new(sub).unwrap(),
        org: None,
        ..person_profile(1)
    }
}

#[test]
fn an_outside_token_is_matched_to_a_registry_person_by_address() {
    let mut given = accredited();
    let room = RoomId::new("ffd-africa").unwrap();
    let rep = given.did(&given.who(3), representative(2, "Amina Odhiambo"));
    // By the e-mail claim, whatever its case; the session becomes the registry person's.
    let amina = access::resolve(
        &given.state,
        outside_profile("idp|8812"),
        Some("Amina.Odhiambo@EXAMPLE.org"),
    )
    .unwrap();
    assert_eq!(amina.user, user_of(rep));
    assert_eq!(amina.name, "Amina Odhiambo");
    assert_eq!(amina.org.as_deref(), Some("Kenya Land Alliance"));
    assert_eq!(amina.constituency, Some(Constituency::Farmers));
    assert_eq!(amina.country.as_ref().map(|c| c.as_str()), Some("KE"));
    assert_eq!(access::may_join(&given.state, &amina, &room), Ok(()));
    // By a subject that is the address, when there is no e-mail claim.
    let by_sub = access::resolve(
        &given.state,
        outside_profile("amina.odhiambo@example.org"),
        None,
    )
    .unwrap();
    assert_eq!(by_sub.user, user_of(rep));
    // An address the registry does not hold: the token speaks for itself.
    let stranger = access::resolve(
        &given.state,
        outside_profile("idp|1"),
        Some("x@example.net"),
    )
    .unwrap();
    assert_eq!(stranger.user.as_str(), "idp|1");
    assert_eq!(stranger.org, None);
    // Revoked: refused.
    given.did(
        &secretariat(),
        RegistryCommand::RevokePerson {
            person: rep,
            reason: "Left the organisation.".into(),
        },
    );
    assert!(matches!(
        access::resolve(&given.state, outside_profile("idp|8812"), Some("amina.odhiambo@example.org")),
        Err(RegistryError::Forbidden(m)) if m.contains("no longer acts")
    ));
}

#[test]
fn an_address_shared_by_people_of_two_organisations_names_nobody() {
    let mut given = accredited();
    // Both organisations' focal points were registered with the same address.
    given.did(&secretariat(), register("Red de Mujeres", "PE"));
    assert!(matches!(
        access::resolve(&given.state, outside_profile("idp|5"), Some("focal.point@example.org")),
        Err(RegistryError::Forbidden(m)) if m.contains("different organisations")
    ));
}
