//! Given/when/then tests of consultations: phases, roles per phase, submissions, replies,
//! alignment, edits, post- and pre-moderation, synthesis, roll-up and figures.

use super::rollup;
use crate::domain::visibility::ReaderKind;
use crate::domain::{Actor, Command, Rejection, RoomState, decide, evolve, geo};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::{Alignment, Citation, ModerationMode, Phase};
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Constituency, Profile, Role};
use baraza_proto::ids::{CountryCode, IdempotencyKey, LanguageTag, Millis, RoomId, UserId};
use baraza_proto::room::{RoomInfo, RoomKind, RoomSettings, Scope};

const T0: Millis = 1_790_000_000_000;

fn person(user: &str, role: Role, country: &str, constituency: Constituency) -> Actor {
    let country = CountryCode::new(country).unwrap();
    Actor::Person(Profile {
        user: UserId::new(user).unwrap(),
        name: user.to_uppercase(),
        role,
        org: Some(format!("{user}-org")),
        constituency: Some(constituency),
        region: geo::region_of(&country),
        country: Some(country),
    })
}
fn sec() -> Actor {
    person("sec", Role::Secretariat, "CH", Constituency::UnSystem)
}
fn moderator() -> Actor {
    person("mod", Role::Moderator, "CH", Constituency::UnSystem)
}
fn amina() -> Actor {
    person("amina", Role::Participant, "KE", Constituency::Farmers)
}
fn bruno() -> Actor {
    person("bruno", Role::Participant, "BR", Constituency::Ngos)
}
fn chloe() -> Actor {
    person("chloe", Role::Participant, "KE", Constituency::Women)
}
fn press() -> Actor {
    person("press", Role::Observer, "FR", Constituency::Media)
}
fn uid(u: &str) -> UserId {
    UserId::new(u).unwrap()
}
fn en() -> LanguageTag {
    LanguageTag::new("en").unwrap()
}

fn settings(id_scope: Scope) -> RoomSettings {
    RoomSettings {
        kind: RoomKind::Consultation,
        title: "Food systems consultation".into(),
        description: "What should the region prioritise?".into(),
        languages: vec![en(), LanguageTag::new("fr").unwrap()],
        scope: id_scope,
        constituency: None,
        audience_above: None,
    }
}

fn kenya() -> Scope {
    Scope::Country {
        country: CountryCode::new("KE").unwrap(),
    }
}

fn cmd(command: RoomCommand) -> Command {
    Command::Room { key: None, command }
}
fn keyed(k: &str, command: RoomCommand) -> Command {
    Command::Room {
        key: Some(IdempotencyKey::new(k).unwrap()),
        command,
    }
}
fn submit(text: &str, question: u64) -> RoomCommand {
    RoomCommand::PostStatement {
        text: text.into(),
        lang: en(),
        parent: None,
        agenda_item: None,
        question: Some(question),
        alignment: None,
    }
}
fn reply(text: &str, parent: u64, alignment: Option<Alignment>) -> RoomCommand {
    RoomCommand::PostStatement {
        text: text.into(),
        lang: en(),
        parent: Some(parent),
        agenda_item: None,
        question: None,
        alignment,
    }
}
fn phase(phase: Phase) -> Command {
    cmd(RoomCommand::SetPhase { phase })
}

struct Given {
    id: RoomId,
    state: RoomState,
    now: Millis,
    keys: u32,
}

impl Given {
    fn new(id: &str, scope: Scope) -> Given {
        Given {
            id: RoomId::new(id).unwrap(),
            state: RoomState::default(),
            now: T0,
            keys: 0,
        }
        .did(sec(), Command::Create(settings(scope)))
        .did(sec(), Command::Join)
        .did(moderator(), Command::Join)
    }

    fn did(mut self, actor: Actor, command: Command) -> Given {
        let events = decide(&self.state, &actor, &command, self.now)
            .unwrap_or_else(|e| panic!("history command {command:?} refused: {e}"));
        self.apply(&actor, &command, events);
        self
    }

    fn apply(&mut self, actor: &Actor, command: &Command, events: Vec<EventBody>) {
        let key = match command {
            Command::Room { key, .. } => key.clone(),
            _ => None,
        };
        for body in events {
            let envelope = EventEnvelope {
                room: self.id.clone(),
                seq: self.state.seq() + 1,
                ts: self.now,
                actor: actor.user().cloned(),
                key: key.clone(),
                body,
            };
            evolve(&mut self.state, &envelope);
        }
        self.now += 1_000;
    }

    /// Runs a keyed command that must succeed; returns the seq of its first event.
    fn made(&mut self, actor: Actor, command: RoomCommand) -> u64 {
        self.keys += 1;
        let command = keyed(&format!("k{}", self.keys), command);
        let events = decide(&self.state, &actor, &command, self.now)
            .unwrap_or_else(|e| panic!("command {command:?} refused: {e}"));
        let seq = self.state.seq() + 1;
        self.apply(&actor, &command, events);
        seq
    }

    fn when(&self, actor: Actor, command: Command) -> Result<Vec<EventBody>, Rejection> {
        decide(&self.state, &actor, &command, self.now)
    }

    fn refused(&self, actor: Actor, command: RoomCommand) -> Rejection {
        self.keys_when(actor, command)
            .expect_err("the command should be refused")
    }

    fn keys_when(&self, actor: Actor, command: RoomCommand) -> Result<Vec<EventBody>, Rejection> {
        self.when(actor, keyed("kx", command))
    }

    fn phase(&self) -> Phase {
        self.state.consultation().unwrap().phase()
    }

    fn info(&self) -> RoomInfo {
        self.state.info().unwrap().clone()
    }
}

/// A Kenyan consultation with one question, open, with amina, bruno, chloe and the press in.
fn open() -> (Given, u64) {
    let mut g = Given::new("ke-food", kenya());
    let q = g.made(
        sec(),
        RoomCommand::AddQuestion {
            text: "What should change first?".into(),
        },
    );
    let g = g
        .did(sec(), phase(Phase::Open))
        .did(amina(), Command::Join)
        .did(bruno(), Command::Join)
        .did(chloe(), Command::Join)
        .did(press(), Command::Join);
    (g, q)
}

#[test]
fn phases_follow_draft_open_closed_synthesis_published() {
    let all = [
        Phase::Draft,
        Phase::Open,
        Phase::Closed,
        Phase::Synthesis,
        Phase::Published,
    ];
    let allowed = [
        (Phase::Draft, Phase::Open),
        (Phase::Open, Phase::Closed),
        (Phase::Closed, Phase::Open),
        (Phase::Closed, Phase::Synthesis),
        (Phase::Synthesis, Phase::Published),
    ];
    for from in all {
        for to in all {
            assert_eq!(
                super::phase::may_follow(from, to),
                allowed.contains(&(from, to)),
                "{from:?} -> {to:?}"
            );
        }
    }
    // A draft without questions does not open.
    let g = Given::new("c1", kenya());
    assert!(matches!(
        g.when(sec(), phase(Phase::Open)),
        Err(Rejection::Invalid(_))
    ));
    // Walk the whole path; a skipped phase is refused; the same phase again is a no-op.
    let (g, q) = open();
    assert_eq!(g.phase(), Phase::Open);
    assert_eq!(g.when(sec(), phase(Phase::Open)), Ok(vec![]));
    assert!(matches!(
        g.when(sec(), phase(Phase::Synthesis)),
        Err(Rejection::Invalid(_))
    ));
    let g = g
        .did(sec(), phase(Phase::Closed))
        .did(sec(), phase(Phase::Open));
    let g = g
        .did(sec(), phase(Phase::Closed))
        .did(sec(), phase(Phase::Synthesis));
    // Publishing needs a synthesis.
    assert!(matches!(
        g.when(sec(), phase(Phase::Published)),
        Err(Rejection::Invalid(_))
    ));
    let _ = q;
    let g = g.did(
        sec(),
        cmd(RoomCommand::DraftSynthesis {
            text: "Nothing was said.".into(),
            citations: vec![],
        }),
    );
    let g = g.did(sec(), phase(Phase::Published));
    assert_eq!(g.phase(), Phase::Published);
    for to in [Phase::Draft, Phase::Open, Phase::Closed, Phase::Synthesis] {
        assert!(matches!(
            g.when(sec(), phase(to)),
            Err(Rejection::Invalid(_))
        ));
    }
}

#[test]
fn only_the_secretariat_runs_the_phases_and_the_set_up() {
    let (g, _) = open();
    for actor in [moderator(), amina(), press()] {
        assert!(matches!(
            g.when(actor.clone(), phase(Phase::Closed)),
            Err(Rejection::Forbidden(_))
        ));
        assert!(matches!(
            g.refused(
                actor.clone(),
                RoomCommand::AddQuestion { text: "Q?".into() }
            ),
            Rejection::Forbidden(_)
        ));
        assert!(matches!(
            g.refused(
                actor.clone(),
                RoomCommand::SetModeration {
                    mode: ModerationMode::Pre
                }
            ),
            Rejection::Forbidden(_)
        ));
        assert!(matches!(
            g.refused(actor, RoomCommand::AppointRapporteur { user: uid("bruno") }),
            Rejection::Forbidden(_)
        ));
    }
    // Questions need a key, are refused twice, and only in draft or open.
    assert_eq!(
        g.when(sec(), cmd(RoomCommand::AddQuestion { text: "Q?".into() })),
        Err(Rejection::KeyRequired("add_question"))
    );
    assert!(matches!(
        g.refused(
            sec(),
            RoomCommand::AddQuestion {
                text: "What should change first?".into()
            }
        ),
        Rejection::Invalid(_)
    ));
    let closed = g.did(sec(), phase(Phase::Closed));
    assert!(matches!(
        closed.refused(
            sec(),
            RoomCommand::AddQuestion {
                text: "Late?".into()
            }
        ),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        closed.refused(
            sec(),
            RoomCommand::SetModeration {
                mode: ModerationMode::Pre
            }
        ),
        Rejection::Invalid(_)
    ));
}

#[test]
fn a_draft_is_closed_to_participants_and_observers() {
    let g = Given::new("c1", kenya());
    for actor in [amina(), press()] {
        assert!(matches!(
            g.when(actor, Command::Join),
            Err(Rejection::Forbidden(_))
        ));
    }
    let g = g.did(
        sec(),
        cmd(RoomCommand::AppointRapporteur { user: uid("amina") }),
    );
    assert!(g.when(amina(), Command::Join).is_ok());
    assert!(g.when(bruno(), Command::Join).is_err());
}

#[test]
fn submissions_only_while_open_and_only_under_a_question() {
    let (mut g, q) = open();
    let s = g.made(amina(), submit("Land rights first.", q));
    let posted = g.state.statement(s).unwrap();
    assert_eq!(posted.question, Some(q));
    assert_eq!(posted.org.as_deref(), Some("amina-org"));
    // Observers do not post; a submission needs a known question and a working language.
    assert!(matches!(
        g.refused(press(), submit("Hi", q)),
        Rejection::Forbidden(_)
    ));
    let no_question = RoomCommand::PostStatement {
        text: "Hi".into(),
        lang: en(),
        parent: None,
        agenda_item: None,
        question: None,
        alignment: None,
    };
    assert!(matches!(
        g.refused(bruno(), no_question),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        g.refused(bruno(), submit("Hi", 999)),
        Rejection::Invalid(_)
    ));
    let swahili = RoomCommand::PostStatement {
        text: "Habari".into(),
        lang: LanguageTag::new("sw").unwrap(),
        parent: None,
        agenda_item: None,
        question: Some(q),
        alignment: None,
    };
    assert!(matches!(g.refused(bruno(), swahili), Rejection::Invalid(_)));
    // Someone without an organisation may read but not submit.
    let Actor::Person(mut lone) = bruno() else {
        unreachable!()
    };
    lone.user = uid("lone");
    lone.org = None;
    let g = g.did(Actor::Person(lone.clone()), Command::Join);
    assert!(matches!(
        g.refused(Actor::Person(lone), submit("Hi", q)),
        Rejection::Forbidden(_)
    ));
    // Closed, synthesis, published: no submissions, replies or edits.
    let mut g = g.did(sec(), phase(Phase::Closed));
    for _ in 0..3 {
        assert!(matches!(
            g.refused(bruno(), submit("Late", q)),
            Rejection::Invalid(_)
        ));
        assert!(matches!(
            g.refused(bruno(), reply("Late", s, None)),
            Rejection::Invalid(_)
        ));
        assert!(matches!(
            g.refused(
                amina(),
                RoomCommand::EditStatement {
                    statement: s,
                    text: "x".into()
                }
            ),
            Rejection::Invalid(_)
        ));
        g = match g.phase() {
            Phase::Closed => g.did(sec(), phase(Phase::Synthesis)),
            Phase::Synthesis => g
                .did(
                    sec(),
                    cmd(RoomCommand::DraftSynthesis {
                        text: "S".into(),
                        citations: vec![],
                    }),
                )
                .did(sec(), phase(Phase::Published)),
            _ => g,
        };
    }
    assert_eq!(g.phase(), Phase::Published);
}

#[test]
fn replies_inherit_the_question_and_carry_an_alignment() {
    let (mut g, q) = open();
    let s = g.made(amina(), submit("Land rights first.", q));
    let r = g.made(bruno(), reply("We agree.", s, Some(Alignment::Supports)));
    let c = g.made(
        chloe(),
        reply("Not only land.", r, Some(Alignment::Opposes)),
    );
    let view = g.state.view(ReaderKind::Member).unwrap();
    let reply_view = view.statements.iter().find(|x| x.id == r).unwrap();
    assert_eq!(reply_view.question, Some(q));
    assert_eq!(reply_view.parent, Some(s));
    assert_eq!(reply_view.alignment, Some(Alignment::Supports));
    assert_eq!(
        view.statements
            .iter()
            .find(|x| x.id == c)
            .unwrap()
            .alignment,
        Some(Alignment::Opposes)
    );
    // An alignment belongs to replies; a reply cannot switch question.
    let mut top = submit("Alone", q);
    if let RoomCommand::PostStatement { alignment, .. } = &mut top {
        *alignment = Some(Alignment::Neutral);
    }
    assert!(matches!(g.refused(bruno(), top), Rejection::Invalid(_)));
    let q2 = g.made(
        sec(),
        RoomCommand::AddQuestion {
            text: "And then?".into(),
        },
    );
    let mut cross = reply("Elsewhere", s, None);
    if let RoomCommand::PostStatement { question, .. } = &mut cross {
        *question = Some(q2);
    }
    assert!(matches!(g.refused(bruno(), cross), Rejection::Invalid(_)));
    // A hidden statement takes no replies.
    let g = g.did(
        moderator(),
        cmd(RoomCommand::HideStatement {
            statement: s,
            reason: "Off topic".into(),
        }),
    );
    assert!(matches!(
        g.refused(chloe(), reply("Still", s, None)),
        Rejection::Invalid(_)
    ));
}

#[test]
fn edits_keep_every_earlier_version() {
    let (mut g, q) = open();
    let s = g.made(amina(), submit("First text.", q));
    let edit = |text: &str| RoomCommand::EditStatement {
        statement: s,
        text: text.into(),
    };
    assert!(matches!(
        g.refused(bruno(), edit("Mine now")),
        Rejection::Forbidden(_)
    ));
    assert!(matches!(
        g.refused(moderator(), edit("Mod")),
        Rejection::Forbidden(_)
    ));
    g.made(amina(), edit("Second text."));
    g.made(amina(), edit("Third text."));
    assert_eq!(g.keys_when(amina(), edit("Third text.")), Ok(vec![]));
    let view = g.state.view(ReaderKind::Member).unwrap();
    let st = view.statements.iter().find(|x| x.id == s).unwrap();
    assert_eq!(st.text, "Third text.");
    let versions: Vec<&str> = st.versions.iter().map(|v| v.text.as_str()).collect();
    assert_eq!(versions, ["First text.", "Second text."]);
    assert_eq!(st.versions[0].at, st.posted_at);
    assert!(st.edited_at.is_some());
}

#[test]
fn post_moderation_hides_restores_and_records_reports() {
    let (mut g, q) = open();
    let s = g.made(amina(), submit("Buy our seeds!", q));
    // Reports: any member but the author, once each; moderators see them, others do not.
    let report = |why: &str| RoomCommand::ReportStatement {
        statement: s,
        reason: why.into(),
    };
    assert!(matches!(
        g.refused(amina(), report("me")),
        Rejection::Invalid(_)
    ));
    g.made(bruno(), report("Advertising"));
    g.made(press(), report("Spam"));
    assert_eq!(g.keys_when(bruno(), report("Again")), Ok(vec![]));
    let m = g.state.view(ReaderKind::Moderating).unwrap();
    assert_eq!(m.statements[0].reports, 2);
    assert_eq!(
        m.consultation
            .as_ref()
            .unwrap()
            .queue
            .as_ref()
            .unwrap()
            .reported
            .len(),
        2
    );
    let p = g.state.view(ReaderKind::Member).unwrap();
    assert_eq!(p.statements[0].reports, 0);
    assert!(p.consultation.unwrap().queue.is_none());
    // Only moderators hide and restore.
    assert!(matches!(
        g.refused(amina(), RoomCommand::RestoreStatement { statement: s }),
        Rejection::Forbidden(_)
    ));
    g.made(
        moderator(),
        RoomCommand::HideStatement {
            statement: s,
            reason: "Advertising".into(),
        },
    );
    let p = g.state.view(ReaderKind::Member).unwrap();
    assert!(p.statements[0].redacted && p.statements[0].text.is_empty());
    assert_eq!(p.consultation.unwrap().figures.total.submissions, 0);
    let m = g.state.view(ReaderKind::Moderating).unwrap();
    assert!(m.consultation.unwrap().queue.unwrap().reported.is_empty());
    assert!(matches!(
        g.refused(bruno(), report("x")),
        Rejection::Invalid(_)
    ));
    g.made(moderator(), RoomCommand::RestoreStatement { statement: s });
    let p = g.state.view(ReaderKind::Member).unwrap();
    assert_eq!(p.statements[0].text, "Buy our seeds!");
    assert!(p.statements[0].hidden.is_none());
    assert!(matches!(
        g.refused(moderator(), RoomCommand::RestoreStatement { statement: s }),
        Rejection::Invalid(_)
    ));
}

#[test]
fn pre_moderation_holds_until_approved() {
    let (g, q) = open();
    let mut g = g.did(
        sec(),
        cmd(RoomCommand::SetModeration {
            mode: ModerationMode::Pre,
        }),
    );
    let held = g.made(amina(), submit("Held text", q));
    let spam = g.made(bruno(), submit("Spam", q));
    let by_mod = g.made(moderator(), submit("Welcome, all", q));
    assert!(g.state.statement(held).unwrap().held);
    assert!(!g.state.statement(by_mod).unwrap().held);
    let p = g.state.view(ReaderKind::Member).unwrap();
    assert_eq!(
        p.statements.iter().map(|s| s.id).collect::<Vec<_>>(),
        [by_mod]
    );
    assert!(matches!(
        g.refused(chloe(), reply("Re", held, None)),
        Rejection::Invalid(_)
    ));
    let m = g.state.view(ReaderKind::Moderating).unwrap();
    assert_eq!(m.statements.len(), 3);
    assert_eq!(m.consultation.unwrap().queue.unwrap().held, [held, spam]);
    // Approve and reject: moderators only, held statements only.
    assert!(matches!(
        g.refused(amina(), RoomCommand::ApproveStatement { statement: held }),
        Rejection::Forbidden(_)
    ));
    assert!(matches!(
        g.refused(
            moderator(),
            RoomCommand::ApproveStatement { statement: by_mod }
        ),
        Rejection::Invalid(_)
    ));
    g.made(
        moderator(),
        RoomCommand::ApproveStatement { statement: held },
    );
    g.made(
        moderator(),
        RoomCommand::RejectStatement {
            statement: spam,
            reason: "Spam".into(),
        },
    );
    let p = g.state.view(ReaderKind::Member).unwrap();
    assert_eq!(
        p.statements.iter().map(|s| s.id).collect::<Vec<_>>(),
        [held, by_mod]
    );
    let m = g.state.view(ReaderKind::Moderating).unwrap();
    let rejected = m.statements.iter().find(|s| s.id == spam).unwrap();
    assert_eq!(rejected.rejected.as_ref().unwrap().reason, "Spam");
    assert!(m.consultation.unwrap().queue.unwrap().held.is_empty());
    // Back to post-moderation: later submissions are visible at once.
    let mut g = g.did(
        sec(),
        cmd(RoomCommand::SetModeration {
            mode: ModerationMode::Post,
        }),
    );
    let later = g.made(chloe(), submit("Visible", q));
    assert!(!g.state.statement(later).unwrap().held);
}

#[test]
fn the_synthesis_is_written_by_the_secretariat_or_a_rapporteur_and_cites_precisely() {
    let (mut g, q) = open();
    let s = g.made(amina(), submit("Secure land tenure for smallholders.", q));
    let hidden = g.made(bruno(), submit("Off topic", q));
    g.made(
        moderator(),
        RoomCommand::HideStatement {
            statement: hidden,
            reason: "Off".into(),
        },
    );
    let g = g
        .did(
            sec(),
            cmd(RoomCommand::AppointRapporteur { user: uid("chloe") }),
        )
        .did(sec(), phase(Phase::Closed));
    let draft = |citations: Vec<Citation>| RoomCommand::DraftSynthesis {
        text: "Participants asked for secure tenure.".into(),
        citations,
    };
    let cite = |statement: u64, excerpt: Option<&str>| Citation {
        statement: Some(statement),
        input: None,
        point: None,
        excerpt: excerpt.map(str::to_owned),
    };
    // Not before the synthesis phase.
    assert!(matches!(
        g.refused(sec(), draft(vec![])),
        Rejection::Invalid(_)
    ));
    let mut g = g.did(sec(), phase(Phase::Synthesis));
    assert!(matches!(
        g.refused(amina(), draft(vec![])),
        Rejection::Forbidden(_)
    ));
    assert!(matches!(
        g.refused(moderator(), draft(vec![])),
        Rejection::Forbidden(_)
    ));
    assert!(matches!(
        g.refused(sec(), draft(vec![cite(hidden, None)])),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        g.refused(sec(), draft(vec![cite(s, Some("insecure"))])),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        g.refused(sec(), draft(vec![cite(999, None)])),
        Rejection::Invalid(_)
    ));
    let both = Citation {
        input: Some(1),
        point: Some(0),
        ..cite(s, None)
    };
    assert!(matches!(
        g.refused(sec(), draft(vec![both])),
        Rejection::Invalid(_)
    ));
    g.made(chloe(), draft(vec![cite(s, Some("Secure land tenure"))]));
    g.made(sec(), draft(vec![cite(s, Some("land tenure"))]));
    let m = g
        .state
        .view(ReaderKind::Moderating)
        .unwrap()
        .consultation
        .unwrap();
    let synthesis = m.synthesis.unwrap();
    assert_eq!((synthesis.version, synthesis.by.as_str()), (2, "sec"));
    // Participants see the synthesis only once published.
    assert!(
        g.state
            .view(ReaderKind::Member)
            .unwrap()
            .consultation
            .unwrap()
            .synthesis
            .is_none()
    );
    let g = g.did(sec(), phase(Phase::Published));
    let p = g
        .state
        .view(ReaderKind::Member)
        .unwrap()
        .consultation
        .unwrap();
    assert_eq!(p.synthesis.unwrap().citations[0].statement, Some(s));
}

#[test]
fn publishing_refuses_a_synthesis_citing_a_statement_hidden_since() {
    let (mut g, q) = open();
    let s = g.made(amina(), submit("A point.", q));
    let mut g = g
        .did(sec(), phase(Phase::Closed))
        .did(sec(), phase(Phase::Synthesis));
    let citation = Citation {
        statement: Some(s),
        input: None,
        point: None,
        excerpt: None,
    };
    g.made(
        sec(),
        RoomCommand::DraftSynthesis {
            text: "S".into(),
            citations: vec![citation],
        },
    );
    g.made(
        moderator(),
        RoomCommand::HideStatement {
            statement: s,
            reason: "Late complaint".into(),
        },
    );
    assert!(matches!(
        g.when(sec(), phase(Phase::Published)),
        Err(Rejection::Invalid(_))
    ));
}

fn found(g: &Given) -> Option<RoomInfo> {
    Some(g.info())
}

#[test]
fn a_parent_is_named_in_draft_and_must_contain_the_scope() {
    let africa = Given::new(
        "africa",
        Scope::Region {
            region: "african".into(),
        },
    );
    let americas = Given::new(
        "americas",
        Scope::Region {
            region: "019".into(),
        },
    );
    let world = Given::new("world", Scope::Global);
    let ke = Given::new("ke-food", kenya());
    let set = |_child: &Given, parent: &Given| Command::SetParent {
        parent: parent.id.clone(),
        found: found(parent),
    };
    assert!(matches!(
        ke.when(sec(), set(&ke, &americas)),
        Err(Rejection::Invalid(_))
    ));
    assert!(matches!(
        world.when(sec(), set(&world, &africa)),
        Err(Rejection::Invalid(_))
    ));
    assert!(matches!(
        ke.when(sec(), set(&ke, &ke)),
        Err(Rejection::Invalid(_))
    ));
    assert!(matches!(
        ke.when(moderator(), set(&ke, &africa)),
        Err(Rejection::Forbidden(_))
    ));
    let missing = Command::SetParent {
        parent: RoomId::new("nowhere").unwrap(),
        found: None,
    };
    assert!(matches!(
        ke.when(sec(), missing),
        Err(Rejection::Invalid(_))
    ));
    assert!(matches!(
        Given::new("x", kenya()).when(amina(), set(&ke, &africa)),
        Err(Rejection::NotPresent)
    ));
    let command = set(&ke, &africa);
    let ke = ke.did(sec(), command);
    assert_eq!(
        ke.state
            .consultation()
            .unwrap()
            .parent()
            .map(|p| p.as_str()),
        Some("africa")
    );
    assert!(africa.when(sec(), set(&africa, &world)).is_ok());
    // Sub-regions within regions; only in draft.
    let east = Given::new(
        "east-africa",
        Scope::Region {
            region: "014".into(),
        },
    );
    let continent = Given::new(
        "continent",
        Scope::Region {
            region: "002".into(),
        },
    );
    assert!(east.when(sec(), set(&east, &continent)).is_ok());
    assert!(continent.when(sec(), set(&continent, &east)).is_err());
    let (open_ke, _) = open();
    assert!(matches!(
        open_ke.when(sec(), set(&open_ke, &africa)),
        Err(Rejection::Invalid(_))
    ));
    // A roundtable takes no consultation commands.
    let mut rt_settings = settings(Scope::Global);
    rt_settings.kind = RoomKind::Roundtable;
    let mut rt = Given {
        id: RoomId::new("rt").unwrap(),
        state: RoomState::default(),
        now: T0,
        keys: 0,
    };
    rt = rt
        .did(sec(), Command::Create(rt_settings))
        .did(sec(), Command::Join);
    assert!(matches!(
        rt.when(sec(), phase(Phase::Open)),
        Err(Rejection::Invalid(_))
    ));
    assert!(matches!(
        rt.when(sec(), set(&rt, &world)),
        Err(Rejection::Invalid(_))
    ));
}

/// A Kenyan consultation published with a synthesis citing one submission, under `africa`.
fn published_child() -> (Given, u64) {
    let africa = Given::new(
        "africa",
        Scope::Region {
            region: "african".into(),
        },
    );
    let mut child = Given::new("ke-food", kenya()).did(
        sec(),
        Command::SetParent {
            parent: africa.id.clone(),
            found: found(&africa),
        },
    );
    let q2 = child.made(
        sec(),
        RoomCommand::AddQuestion {
            text: "What should change first?".into(),
        },
    );
    let mut child = child
        .did(sec(), phase(Phase::Open))
        .did(amina(), Command::Join);
    let s = child.made(amina(), submit("Secure land tenure for smallholders.", q2));
    let mut child = child
        .did(sec(), phase(Phase::Closed))
        .did(sec(), phase(Phase::Synthesis));
    child.made(
        sec(),
        RoomCommand::DraftSynthesis {
            text: "Kenya: tenure first.".into(),
            citations: vec![Citation {
                statement: Some(s),
                input: None,
                point: None,
                excerpt: Some("land tenure".into()),
            }],
        },
    );
    assert!(
        rollup(&child.state).is_none(),
        "nothing rolls up before publication"
    );
    let child = child.did(sec(), phase(Phase::Published));
    (child, s)
}

#[test]
fn roll_up_carries_cited_points_to_the_parent_and_keeps_the_chain_of_origin() {
    let (child, s) = published_child();
    let (parent_id, input) = rollup(&child.state).expect("a published child with a parent");
    assert_eq!(parent_id.as_str(), "africa");
    assert_eq!(input.from.as_str(), "ke-food");
    assert_eq!(input.synthesis, "Kenya: tenure first.");
    assert_eq!(input.points.len(), 1);
    let point = &input.points[0];
    assert_eq!((point.room.as_str(), point.statement), ("ke-food", s));
    assert_eq!(point.text, "Secure land tenure for smallholders.");
    assert_eq!(point.org.as_deref(), Some("amina-org"));
    assert_eq!(
        point.chain.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        ["ke-food"]
    );

    // The parent records it once, from the server only.
    let world = Given::new("world", Scope::Global);
    let mut africa = Given::new(
        "africa",
        Scope::Region {
            region: "african".into(),
        },
    )
    .did(
        sec(),
        Command::SetParent {
            parent: world.id.clone(),
            found: found(&world),
        },
    );
    assert!(matches!(
        africa.when(sec(), Command::ReceiveInput(input.clone())),
        Err(Rejection::Forbidden(_))
    ));
    let events = africa
        .when(Actor::System, Command::ReceiveInput(input.clone()))
        .unwrap();
    let input_id = africa.state.seq() + 1;
    africa.apply(
        &Actor::System,
        &Command::ReceiveInput(input.clone()),
        events,
    );
    assert_eq!(
        africa.when(Actor::System, Command::ReceiveInput(input.clone())),
        Ok(vec![])
    );
    let view = africa
        .state
        .view(ReaderKind::Member)
        .unwrap()
        .consultation
        .unwrap();
    assert_eq!(view.inputs.len(), 1);
    assert_eq!(view.inputs[0].id, input_id);

    // The regional synthesis cites the Kenyan point; the world sees where it came from.
    let africa = africa
        .did(
            sec(),
            keyed(
                "rq",
                RoomCommand::AddQuestion {
                    text: "Regional priorities?".into(),
                },
            ),
        )
        .did(sec(), phase(Phase::Open))
        .did(sec(), phase(Phase::Closed))
        .did(sec(), phase(Phase::Synthesis));
    let bad_point = Citation {
        statement: None,
        input: Some(input_id),
        point: Some(5),
        excerpt: None,
    };
    assert!(matches!(
        africa.refused(
            sec(),
            RoomCommand::DraftSynthesis {
                text: "R".into(),
                citations: vec![bad_point]
            }
        ),
        Rejection::Invalid(_)
    ));
    let africa = africa
        .did(
            sec(),
            cmd(RoomCommand::DraftSynthesis {
                text: "Africa: tenure.".into(),
                citations: vec![Citation {
                    statement: None,
                    input: Some(input_id),
                    point: Some(0),
                    excerpt: Some("smallholders".into()),
                }],
            }),
        )
        .did(sec(), phase(Phase::Published));
    let (to, up) = rollup(&africa.state).unwrap();
    assert_eq!(to.as_str(), "world");
    let point = &up.points[0];
    assert_eq!((point.room.as_str(), point.statement), ("ke-food", s));
    assert_eq!(point.excerpt.as_deref(), Some("smallholders"));
    assert_eq!(
        point.chain.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        ["ke-food", "africa"]
    );
    // A consultation is not its own input.
    let mut own = up.clone();
    own.from = world.id.clone();
    assert!(matches!(
        world.when(Actor::System, Command::ReceiveInput(own)),
        Err(Rejection::Invalid(_))
    ));
}

#[test]
fn figures_count_visible_submissions_and_distinct_organisations() {
    let (mut g, q) = open();
    let q2 = g.made(
        sec(),
        RoomCommand::AddQuestion {
            text: "Second?".into(),
        },
    );
    let a = g.made(amina(), submit("One", q));
    g.made(amina(), submit("Two", q2));
    g.made(bruno(), reply("Three", a, Some(Alignment::Neutral)));
    let french = RoomCommand::PostStatement {
        text: "Quatre".into(),
        lang: LanguageTag::new("fr").unwrap(),
        parent: None,
        agenda_item: None,
        question: Some(q2),
        alignment: None,
    };
    g.made(chloe(), french);
    let hidden = g.made(chloe(), submit("Five", q));
    g.made(
        moderator(),
        RoomCommand::HideStatement {
            statement: hidden,
            reason: "x".into(),
        },
    );
    let f = g
        .state
        .view(ReaderKind::Member)
        .unwrap()
        .consultation
        .unwrap()
        .figures;
    assert_eq!((f.total.submissions, f.total.organisations), (4, 3));
    assert_eq!(
        (
            f.by_question[&q.to_string()].submissions,
            f.by_question[&q.to_string()].organisations
        ),
        (2, 2)
    );
    assert_eq!(
        (
            f.by_question[&q2.to_string()].submissions,
            f.by_question[&q2.to_string()].organisations
        ),
        (2, 2)
    );
    assert_eq!(f.by_constituency["farmers"].submissions, 2);
    assert_eq!(f.by_constituency["ngos"].submissions, 1);
    assert_eq!(f.by_constituency["women"].submissions, 1);
    assert_eq!(
        (
            f.by_region["african"].submissions,
            f.by_region["african"].organisations
        ),
        (3, 2)
    );
    assert_eq!(f.by_region["latin_american_caribbean"].submissions, 1);
    assert_eq!(f.by_language["en"].submissions, 3);
    assert_eq!(f.by_language["fr"].submissions, 1);
}

#[test]
fn questions_are_edited_and_withdrawn_until_the_consultation_opens() {
    let mut g = Given::new("ke-food", kenya());
    let q1 = g.made(
        sec(),
        RoomCommand::AddQuestion {
            text: "What shuold change first?".into(),
        },
    );
    let q2 = g.made(
        sec(),
        RoomCommand::AddQuestion {
            text: "Who pays?".into(),
        },
    );
    let edit = |question: u64, text: &str| RoomCommand::EditQuestion {
        question,
        text: text.into(),
    };
    // Only the secretariat edits; the text is checked like a new question's.
    assert!(matches!(
        g.refused(moderator(), edit(q1, "What should change first?")),
        Rejection::Forbidden(_)
    ));
    assert!(matches!(
        g.refused(sec(), edit(q1, "  ")),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        g.refused(sec(), edit(q1, "Who pays?")),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        g.refused(sec(), edit(99, "Anything?")),
        Rejection::Invalid(_)
    ));
    g.made(sec(), edit(q1, "What should change first?"));
    assert_eq!(
        g.keys_when(sec(), edit(q1, "What should change first?")),
        Ok(vec![]),
        "the same text is no change"
    );
    // Withdrawing: the question is no longer asked; its id is not reused.
    assert!(matches!(
        g.refused(moderator(), RoomCommand::WithdrawQuestion { question: q2 }),
        Rejection::Forbidden(_)
    ));
    g.made(sec(), RoomCommand::WithdrawQuestion { question: q2 });
    let view = g.state.view(ReaderKind::Moderating).unwrap();
    let questions = view.consultation.unwrap().questions;
    assert_eq!(questions.len(), 1);
    assert_eq!(
        (questions[0].id, questions[0].text.as_str()),
        (q1, "What should change first?")
    );
    assert!(matches!(
        g.refused(sec(), RoomCommand::WithdrawQuestion { question: q2 }),
        Rejection::Invalid(_)
    ));
    // Once open, the questions people answer stay as they were asked.
    let g = g.did(sec(), phase(Phase::Open));
    assert!(matches!(
        g.refused(sec(), edit(q1, "Something else?")),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        g.refused(sec(), RoomCommand::WithdrawQuestion { question: q1 }),
        Rejection::Invalid(_)
    ));
    let g = g.did(amina(), Command::Join);
    let mut g = g;
    g.made(amina(), submit("Land tenure.", q1));
}

#[test]
fn a_moderator_dismisses_a_report_and_it_leaves_the_queue() {
    let (mut g, q) = open();
    let s = g.made(amina(), submit("Seed banks for all.", q));
    g.made(
        bruno(),
        RoomCommand::ReportStatement {
            statement: s,
            reason: "Off topic".into(),
        },
    );
    let dismiss = |reporter: &str| RoomCommand::DismissReport {
        statement: s,
        reporter: uid(reporter),
    };
    assert!(matches!(
        g.refused(chloe(), dismiss("bruno")),
        Rejection::Forbidden(_)
    ));
    assert!(matches!(
        g.refused(moderator(), dismiss("chloe")),
        Rejection::Invalid(_)
    ));
    g.made(moderator(), dismiss("bruno"));
    let m = g.state.view(ReaderKind::Moderating).unwrap();
    assert_eq!(m.statements[0].reports, 0);
    assert!(m.statements[0].hidden.is_none(), "the statement stays");
    assert!(m.consultation.unwrap().queue.unwrap().reported.is_empty());
    assert!(matches!(
        g.refused(moderator(), dismiss("bruno")),
        Rejection::Invalid(_)
    ));
}

#[test]
fn the_secretariat_updates_title_description_and_languages() {
    let mut g = Given::new("ke-food", kenya());
    let update = |title: &str, languages: &[&str]| RoomCommand::UpdateRoom {
        title: title.into(),
        description: "Background paper: see the annex.".into(),
        languages: languages
            .iter()
            .map(|l| LanguageTag::new(*l).unwrap())
            .collect(),
    };
    assert!(matches!(
        g.refused(moderator(), update("New", &["en"])),
        Rejection::Forbidden(_)
    ));
    assert!(matches!(
        g.refused(sec(), update("New", &[])),
        Rejection::Invalid(_)
    ));
    assert!(matches!(
        g.refused(sec(), update(" ", &["en"])),
        Rejection::Invalid(_)
    ));
    g.made(sec(), update("Kenya food systems", &["en", "sw"]));
    let info = g.info();
    assert_eq!(info.settings.title, "Kenya food systems");
    assert_eq!(
        info.settings.description,
        "Background paper: see the annex."
    );
    assert_eq!(info.settings.languages.len(), 2);
    assert_eq!(info.settings.scope, kenya(), "the scope stays");
    assert_eq!(
        g.keys_when(sec(), update("Kenya food systems", &["en", "sw"])),
        Ok(vec![])
    );
}

mod deadline;
