//! Given/when/then tests of caucuses: partners named and elected, joint statements drafted,
//! endorsed and adopted, the parent's decision on them, and the refusals. Time is passed in.

use super::*;
use crate::domain::{Actor, Command, Rejection, decide, evolve};
use baraza_proto::caucus::{
    CastVote, DraftJointStatement, EditJointStatement, ElectionRef, JointStatementRef, NamePartner,
    OpenElection, TallyLine,
};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::{ModerationMode, Phase};
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Constituency, Profile, Role};
use baraza_proto::ids::{IdempotencyKey, LanguageTag, Millis, RoomId, UserId};
use baraza_proto::room::{RoomInfo, RoomKind, RoomSettings, Scope};

const T0: Millis = 1_790_000_000_000;

fn person(user: &str, role: Role, org: Option<&str>, constituency: Constituency) -> Profile {
    Profile {
        user: UserId::new(user).unwrap(),
        name: user.to_uppercase(),
        role,
        org: org.map(str::to_string),
        constituency: Some(constituency),
        country: None,
        region: None,
    }
}

fn sec() -> Actor {
    Actor::Person(person("sec", Role::Secretariat, None, Constituency::Other))
}
fn chair() -> Actor {
    Actor::Person(person("chair", Role::Moderator, None, Constituency::Other))
}
/// A representative of a women's organisation.
fn rep(user: &str, org: &str) -> Actor {
    Actor::Person(person(
        user,
        Role::Participant,
        Some(org),
        Constituency::Women,
    ))
}
fn amina() -> Actor {
    rep("amina", "Femmes Africa")
}
fn amira() -> Actor {
    // A second representative of the same organisation.
    rep("amira", "Femmes Africa")
}
fn bela() -> Actor {
    rep("bela", "Red de Mujeres")
}
fn chen() -> Actor {
    rep("chen", "Asia Women Link")
}

fn settings(kind: RoomKind, constituency: Option<Constituency>) -> RoomSettings {
    RoomSettings {
        kind,
        title: "Women's major group".into(),
        description: String::new(),
        languages: vec![LanguageTag::new("en").unwrap()],
        scope: Scope::Global,
        constituency,
        audience_above: None,
    }
}

fn key(k: &str) -> Option<IdempotencyKey> {
    Some(IdempotencyKey::new(k).unwrap())
}

fn cmd(k: Option<&str>, command: RoomCommand) -> Command {
    Command::Room {
        key: k.and_then(key),
        command,
    }
}

struct Given {
    id: &'static str,
    state: RoomState,
    now: Millis,
    log: Vec<EventEnvelope>,
}

impl Given {
    fn new(id: &'static str) -> Given {
        Given {
            id,
            state: RoomState::default(),
            now: T0,
            log: Vec::new(),
        }
    }

    fn did(mut self, actor: Actor, command: Command) -> Given {
        let events = decide(&self.state, &actor, &command, self.now)
            .unwrap_or_else(|e| panic!("{} succeeds: {e}", command.name()));
        let key = match &command {
            Command::Room { key, .. } => key.clone(),
            _ => None,
        };
        for body in events {
            let envelope = EventEnvelope {
                room: RoomId::new(self.id).unwrap(),
                seq: self.state.seq() + 1,
                ts: self.now,
                actor: actor.user().cloned(),
                key: key.clone(),
                body,
            };
            evolve(&mut self.state, &envelope);
            self.log.push(envelope);
        }
        self.now += 1_000;
        self
    }

    fn when(&self, actor: Actor, command: Command) -> Result<Vec<EventBody>, Rejection> {
        decide(&self.state, &actor, &command, self.now)
    }

    fn caucus(&self) -> &CaucusState {
        self.state.caucus().unwrap()
    }

    fn info(&self) -> RoomInfo {
        self.state.info().unwrap().clone()
    }
}

/// A women's caucus whose parent is `parent`, with the secretariat, the chair and
/// representatives of three organisations (two of one) present.
fn caucus_with(parent: Option<RoomInfo>) -> Given {
    let mut g = Given::new("women-caucus")
        .did(
            sec(),
            Command::Create(settings(RoomKind::Caucus, Some(Constituency::Women))),
        )
        .did(sec(), Command::Join)
        .did(chair(), Command::Join)
        .did(amina(), Command::Join)
        .did(amira(), Command::Join)
        .did(bela(), Command::Join)
        .did(chen(), Command::Join);
    if let Some(parent) = parent {
        g = g.did(
            sec(),
            Command::SetParent {
                parent: parent.id.clone(),
                found: Some(parent),
            },
        );
    }
    g
}

fn roundtable_info() -> RoomInfo {
    RoomInfo {
        id: RoomId::new("hlpf-rt").unwrap(),
        settings: settings(RoomKind::Roundtable, None),
        created_at: T0,
        created_by: UserId::new("sec").unwrap(),
        archived_at: None,
    }
}

fn name(org: &str) -> Command {
    cmd(
        None,
        RoomCommand::NamePartner(NamePartner {
            org: org.into(),
            reason: "coordinated the last cycle".into(),
        }),
    )
}

fn open(candidates: &[&str], seats: u32) -> Command {
    cmd(
        Some("open-1"),
        RoomCommand::OpenElection(OpenElection {
            candidates: candidates.iter().map(|c| c.to_string()).collect(),
            seats,
        }),
    )
}

fn vote(election: u64, choices: &[&str]) -> Command {
    cmd(
        None,
        RoomCommand::CastVote(CastVote {
            election,
            choices: choices.iter().map(|c| c.to_string()).collect(),
        }),
    )
}

fn close(election: u64) -> Command {
    cmd(None, RoomCommand::CloseElection(ElectionRef { election }))
}

fn draft(text: &str, question: Option<u64>) -> Command {
    cmd(
        Some("draft-1"),
        RoomCommand::DraftJointStatement(DraftJointStatement {
            text: text.into(),
            lang: LanguageTag::new("en").unwrap(),
            question,
        }),
    )
}

fn edit(statement: u64, text: &str) -> Command {
    cmd(
        None,
        RoomCommand::EditJointStatement(EditJointStatement {
            statement,
            text: text.into(),
        }),
    )
}

fn endorse(statement: u64) -> Command {
    cmd(
        None,
        RoomCommand::EndorseJointStatement(JointStatementRef { statement }),
    )
}

fn adopt(statement: u64) -> Command {
    cmd(
        None,
        RoomCommand::AdoptJointStatement(JointStatementRef { statement }),
    )
}

fn forbidden(result: Result<Vec<EventBody>, Rejection>, needle: &str) {
    match result {
        Err(Rejection::Forbidden(why)) => assert!(why.contains(needle), "{why}"),
        other => panic!("expected forbidden ({needle}), got {other:?}"),
    }
}

fn invalid(result: Result<Vec<EventBody>, Rejection>, needle: &str) {
    match result {
        Err(Rejection::Invalid(why)) => assert!(why.contains(needle), "{why}"),
        other => panic!("expected invalid ({needle}), got {other:?}"),
    }
}

#[test]
fn the_secretariat_names_a_partner_from_members_identities_with_a_reason() {
    let g = caucus_with(None).did(sec(), name("Femmes Africa"));
    let partners = &g.caucus().partners;
    assert_eq!(partners.len(), 1);
    assert_eq!(partners[0].org, "Femmes Africa");
    assert_eq!(
        partners[0].reason.as_deref(),
        Some("coordinated the last cycle")
    );
    assert_eq!(partners[0].since, T0 + 7_000);
    // Refusals: not the secretariat, an organisation nobody's identity shows, twice, no reason.
    forbidden(
        g.when(amina(), name("Red de Mujeres")),
        "only the secretariat",
    );
    forbidden(
        g.when(chair(), name("Red de Mujeres")),
        "only the secretariat",
    );
    invalid(
        g.when(sec(), name("Typed Org Ltd")),
        "not the organisation of any member",
    );
    invalid(
        g.when(sec(), name("Femmes Africa")),
        "already an organising partner",
    );
    let no_reason = cmd(
        None,
        RoomCommand::NamePartner(NamePartner {
            org: "Red de Mujeres".into(),
            reason: " ".into(),
        }),
    );
    assert!(matches!(
        g.when(sec(), no_reason),
        Err(Rejection::Invalid(_))
    ));
    // Removal is recorded with a reason too.
    let g = g.did(
        sec(),
        cmd(
            None,
            RoomCommand::RemovePartner(NamePartner {
                org: "Femmes Africa".into(),
                reason: "stepped down".into(),
            }),
        ),
    );
    assert!(g.caucus().partners.is_empty());
}

#[test]
fn an_organisation_of_another_constituency_is_no_candidate() {
    // The chair joined, but a moderator is no member organisation; nor is an NGO the caucus
    // never saw.
    let g = caucus_with(None);
    invalid(
        g.when(chair(), open(&["Femmes Africa", "Some NGO"], 1)),
        "Some NGO",
    );
}

#[test]
fn an_election_counts_one_vote_per_organisation_and_elects_partners() {
    let g = caucus_with(None).did(
        chair(),
        open(&["Femmes Africa", "Red de Mujeres", "Asia Women Link"], 1),
    );
    let election = g.log.last().unwrap().seq;
    // Only the chair or the secretariat opens and closes; not a second open election.
    forbidden(
        g.when(amina(), open(&["Femmes Africa"], 1)),
        "only the chair",
    );
    invalid(g.when(sec(), open(&["Femmes Africa"], 1)), "still open");
    let g = g
        .did(amina(), vote(election, &["Femmes Africa"]))
        .did(bela(), vote(election, &["Femmes Africa"]));
    // A second ballot of the same organisation, by another of its representatives, is
    // refused: the first stands.
    invalid(
        g.when(amira(), vote(election, &["Red de Mujeres"])),
        "Femmes Africa has already voted",
    );
    // Not a member organisation; more choices than seats; not a candidate.
    forbidden(
        g.when(chair(), vote(election, &["Femmes Africa"])),
        "member organisations",
    );
    invalid(
        g.when(chen(), vote(election, &["Femmes Africa", "Red de Mujeres"])),
        "choose 1 to 1",
    );
    invalid(
        g.when(chen(), vote(election, &["Somebody"])),
        "not a candidate",
    );
    forbidden(g.when(amina(), close(election)), "only the chair");
    let g = g
        .did(chen(), vote(election, &["Asia Women Link"]))
        .did(chair(), close(election));
    let result = g.caucus().elections[0].view.result.clone().unwrap();
    assert_eq!(result.ballots, 3);
    assert_eq!(result.elected, vec!["Femmes Africa".to_string()]);
    assert!(result.tied.is_empty());
    assert_eq!(
        result.tally,
        vec![
            TallyLine {
                org: "Femmes Africa".into(),
                votes: 2
            },
            TallyLine {
                org: "Asia Women Link".into(),
                votes: 1
            },
            TallyLine {
                org: "Red de Mujeres".into(),
                votes: 0
            },
        ]
    );
    assert!(g.caucus().is_partner("Femmes Africa"));
    assert_eq!(g.caucus().partners[0].election, Some(election));
    // After the close: no more votes, no second close.
    invalid(
        g.when(amina(), vote(election, &["Femmes Africa"])),
        "closed",
    );
    invalid(g.when(chair(), close(election)), "already closed");
    invalid(g.when(chair(), close(999)), "no election 999");
}

#[test]
fn a_tie_for_the_last_seat_is_stated_not_broken() {
    let g = caucus_with(None).did(
        chair(),
        open(&["Femmes Africa", "Red de Mujeres", "Asia Women Link"], 2),
    );
    let election = g.log.last().unwrap().seq;
    let g = g
        .did(
            amina(),
            vote(election, &["Femmes Africa", "Red de Mujeres"]),
        )
        .did(
            bela(),
            vote(election, &["Femmes Africa", "Asia Women Link"]),
        )
        .did(chair(), close(election));
    let result = g.caucus().elections[0].view.result.clone().unwrap();
    assert_eq!(result.elected, vec!["Femmes Africa".to_string()]);
    assert_eq!(
        result.tied,
        vec!["Red de Mujeres".to_string(), "Asia Women Link".to_string()]
    );
    assert_eq!(result.unfilled, 1);
    assert_eq!(g.caucus().partners.len(), 1);
    // An election nobody voted in elects nobody.
    let g = g.did(
        chair(),
        cmd(
            Some("open-2"),
            RoomCommand::OpenElection(OpenElection {
                candidates: vec!["Red de Mujeres".into()],
                seats: 1,
            }),
        ),
    );
    let second = g.log.last().unwrap().seq;
    let g = g.did(chair(), close(second));
    let result = g.caucus().elections[1].view.result.clone().unwrap();
    assert!(result.elected.is_empty());
    assert_eq!(result.unfilled, 1);
}

#[test]
fn election_results_follow_the_rules() {
    let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let ballots = vec![
        ("a".to_string(), c(&["x", "y"])),
        ("b".to_string(), c(&["x", "y"])),
        ("c".to_string(), c(&["z"])),
    ];
    let r = election::result(&c(&["x", "y", "z"]), 2, &ballots);
    assert_eq!(r.elected, c(&["x", "y"]));
    assert!(r.tied.is_empty());
    let r = election::result(&c(&["x", "y", "z"]), 3, &ballots);
    assert_eq!(r.elected, c(&["x", "y", "z"]));
    // Three tied for two seats: nobody elected, all three tied.
    let tied = vec![
        ("a".to_string(), c(&["x"])),
        ("b".to_string(), c(&["y"])),
        ("c".to_string(), c(&["z"])),
    ];
    let r = election::result(&c(&["x", "y", "z"]), 2, &tied);
    assert!(r.elected.is_empty());
    assert_eq!(r.tied, c(&["x", "y", "z"]));
    assert_eq!(r.unfilled, 2);
}

fn with_partner_and_parent() -> Given {
    caucus_with(Some(roundtable_info())).did(sec(), name("Femmes Africa"))
}

#[test]
fn a_partner_drafts_edits_and_members_endorse_then_it_is_adopted() {
    // Refused before the parent is named.
    let g = caucus_with(None).did(sec(), name("Femmes Africa"));
    invalid(g.when(amina(), draft("We call for…", None)), "parent room");
    let g = with_partner_and_parent();
    // Only partners draft; a roundtable parent takes no question.
    forbidden(
        g.when(bela(), draft("We call for…", None)),
        "only organising partners",
    );
    forbidden(
        g.when(chair(), draft("We call for…", None)),
        "only organising partners",
    );
    invalid(
        g.when(amina(), draft("We call for…", Some(3))),
        "no questions",
    );
    let g = g.did(amina(), draft("We call for parity.", None));
    let id = g.log.last().unwrap().seq;
    let s = g.caucus().statement(id).unwrap();
    assert_eq!(s.parent, RoomId::new("hlpf-rt").unwrap());
    assert_eq!(s.versions.len(), 1);
    // Bela's organisation endorses version 1; the text changes, so Chen's endorsement is of
    // version 2 and Bela's no longer counts for the adopted text until she endorses again.
    let g = g.did(bela(), endorse(id));
    assert_eq!(g.when(bela(), endorse(id)), Ok(vec![]));
    forbidden(
        g.when(bela(), edit(id, "changed")),
        "only organising partners",
    );
    let g = g
        .did(amira(), edit(id, "We call for parity and funding."))
        .did(chen(), endorse(id));
    let s = g.caucus().statement(id).unwrap();
    assert_eq!(s.versions.len(), 2);
    assert_eq!(s.versions[0].text, "We call for parity.");
    assert_eq!(s.versions[1].by, UserId::new("amira").unwrap());
    forbidden(g.when(chair(), endorse(id)), "member organisations");
    forbidden(g.when(chen(), adopt(id)), "only organising partners");
    let g = g.did(amina(), adopt(id));
    assert_eq!(
        g.log.last().unwrap().body,
        EventBody::JointStatementAdopted {
            statement: id,
            version: 2,
            endorsers: vec!["Asia Women Link".into()],
        }
    );
    let s = g.caucus().statement(id).unwrap();
    assert_eq!(s.delivery, Some(Delivery::Pending));
    assert_eq!(s.adopted_by, Some(UserId::new("amina").unwrap()));
    // After adoption nothing changes it.
    invalid(g.when(amina(), edit(id, "late")), "was adopted");
    invalid(g.when(bela(), endorse(id)), "was adopted");
    invalid(g.when(sec(), adopt(id)), "was adopted");
    invalid(g.when(amina(), endorse(999)), "no joint statement 999");
}

#[test]
fn the_post_carries_the_link_back_and_the_parent_records_it_once() {
    let g = with_partner_and_parent().did(amina(), draft("We call for parity.", None));
    let id = g.log.last().unwrap().seq;
    let g = g.did(bela(), endorse(id)).did(sec(), adopt(id));
    let adoption = g.log.last().unwrap().seq;
    assert_eq!(pending_posts(&g.state), vec![(id, adoption)]);
    let (parent, post) = joint_post(&g.state, id, "ab12").unwrap();
    assert_eq!(parent, RoomId::new("hlpf-rt").unwrap());
    assert_eq!(post.origin.caucus, RoomId::new("women-caucus").unwrap());
    assert_eq!(post.origin.constituency, Constituency::Women);
    assert_eq!(post.origin.adoption_seq, adoption);
    assert_eq!(post.origin.adoption_hash, "ab12");
    assert_eq!(post.origin.endorsers, vec!["Red de Mujeres".to_string()]);
    assert_eq!(post.origin.adopted_by, UserId::new("sec").unwrap());

    // The parent roundtable records it once, as a statement of no one organisation.
    let rt =
        Given::new("hlpf-rt").did(sec(), Command::Create(settings(RoomKind::Roundtable, None)));
    let rt = rt.did(Actor::System, Command::ReceiveJoint(post.clone()));
    let posted = rt.state.statements.last().unwrap().clone();
    assert_eq!(posted.joint.as_ref().unwrap().caucus, post.origin.caucus);
    assert_eq!(posted.org, None);
    assert_eq!(posted.author, UserId::new("sec").unwrap());
    assert!(rt.log.last().unwrap().actor.is_none());
    assert_eq!(
        rt.when(Actor::System, Command::ReceiveJoint(post.clone())),
        Ok(vec![])
    );
    // Only the server carries joint statements.
    forbidden(
        rt.when(sec(), Command::ReceiveJoint(post.clone())),
        "server",
    );

    // The caucus records the parent's answer once; a repeat records nothing.
    let posted_answer = Delivery::Posted {
        seq: posted.id,
        held: false,
    };
    let g = g.did(
        Actor::System,
        Command::JointDelivered {
            statement: id,
            delivery: posted_answer.clone(),
        },
    );
    assert_eq!(
        g.caucus().statement(id).unwrap().delivery,
        Some(posted_answer.clone())
    );
    assert_eq!(
        g.when(
            Actor::System,
            Command::JointDelivered {
                statement: id,
                delivery: posted_answer
            }
        ),
        Ok(vec![])
    );
    assert!(pending_posts(&g.state).is_empty());
    assert!(joint_post(&g.state, id, "ab12").is_none());
    invalid(
        g.when(
            amina(),
            cmd(
                None,
                RoomCommand::ResendJointStatement(JointStatementRef { statement: id }),
            ),
        ),
        "already posted",
    );
}

fn consultation(phase_open: bool, pre: bool) -> Given {
    let mut g = Given::new("hlpf-consult")
        .did(
            sec(),
            Command::Create(settings(RoomKind::Consultation, None)),
        )
        .did(sec(), Command::Join)
        .did(
            sec(),
            cmd(
                Some("q1"),
                RoomCommand::AddQuestion {
                    text: "What works?".into(),
                },
            ),
        );
    if pre {
        g = g.did(
            sec(),
            cmd(
                None,
                RoomCommand::SetModeration {
                    mode: ModerationMode::Pre,
                },
            ),
        );
    }
    if phase_open {
        g = g.did(
            sec(),
            cmd(None, RoomCommand::SetPhase { phase: Phase::Open }),
        );
    }
    g
}

#[test]
fn a_consultation_parent_applies_its_own_rules_and_the_caucus_records_only_facts() {
    let parent = consultation(false, true);
    let question = 3;
    let g = caucus_with(Some(parent.info())).did(sec(), name("Femmes Africa"));
    invalid(g.when(amina(), draft("Text", None)), "choose the question");
    let g = g.did(amina(), draft("Our joint answer.", Some(question)));
    let id = g.log.last().unwrap().seq;
    let g = g.did(amina(), adopt(id));
    let (_, post) = joint_post(&g.state, id, "ff").unwrap();

    // A consultation still in draft refuses it: nothing posted, the caucus records the refusal.
    let refusal = parent
        .when(Actor::System, Command::ReceiveJoint(post.clone()))
        .unwrap_err();
    let refused = Delivery::Refused {
        code: refusal.code().as_str().into(),
        reason: refusal.to_string(),
    };
    let g = g.did(
        Actor::System,
        Command::JointDelivered {
            statement: id,
            delivery: refused.clone(),
        },
    );
    assert_eq!(g.caucus().statement(id).unwrap().delivery, Some(refused));
    assert!(pending_posts(&g.state).is_empty());
    // A partner sends it again (once the parent is open); pre-moderation holds it there.
    let resend = cmd(
        None,
        RoomCommand::ResendJointStatement(JointStatementRef { statement: id }),
    );
    forbidden(g.when(bela(), resend.clone()), "only organising partners");
    let g = g.did(amina(), resend);
    assert_eq!(pending_posts(&g.state).len(), 1);
    let open = consultation(true, true);
    let open = open.did(Actor::System, Command::ReceiveJoint(post.clone()));
    let recorded = open.state.statements.last().unwrap();
    assert!(recorded.held);
    assert_eq!(recorded.question, Some(question));
    // A question the consultation does not have is refused.
    let mut wrong = post.clone();
    wrong.question = Some(99);
    wrong.origin.statement = 1234;
    invalid(
        open.when(Actor::System, Command::ReceiveJoint(wrong)),
        "no question 99",
    );
}

#[test]
fn caucus_commands_belong_to_caucuses() {
    let rt = Given::new("rt")
        .did(sec(), Command::Create(settings(RoomKind::Roundtable, None)))
        .did(sec(), Command::Join);
    invalid(rt.when(sec(), name("Femmes Africa")), "caucus command");
    // A caucus's parent must be a roundtable or consultation the hub found.
    let g = caucus_with(None);
    let parent = RoomId::new("nowhere").unwrap();
    invalid(
        g.when(
            sec(),
            Command::SetParent {
                parent: parent.clone(),
                found: None,
            },
        ),
        "no roundtable or consultation",
    );
    forbidden(
        g.when(
            amina(),
            Command::SetParent {
                parent,
                found: Some(roundtable_info()),
            },
        ),
        "only the secretariat",
    );
}

#[test]
fn a_caucus_is_created_for_one_constituency_and_only_a_caucus_has_one() {
    let g = Given::new("women-caucus");
    assert!(matches!(
        g.when(sec(), Command::Create(settings(RoomKind::Caucus, None))),
        Err(Rejection::Invalid(m)) if m.contains("constituency")
    ));
    assert!(matches!(
        g.when(
            sec(),
            Command::Create(settings(RoomKind::Roundtable, Some(Constituency::Women)))
        ),
        Err(Rejection::Invalid(m)) if m.contains("only a caucus")
    ));
    assert!(
        g.when(
            sec(),
            Command::Create(settings(RoomKind::Caucus, Some(Constituency::Women)))
        )
        .is_ok()
    );
}
