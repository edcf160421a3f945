//! Given/when/then tests of `decide` and `evolve`: no runtime, time passed in.

use super::*;
use crate::domain::visibility::ReaderKind;
use baraza_proto::event::{EventBody, EventEnvelope, LeaveReason};
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::{CountryCode, LanguageTag, Millis, RoomId};
use baraza_proto::limits::MAX_STATEMENT_CHARS;
use baraza_proto::room::{RoomKind, Scope};

const T0: Millis = 1_790_000_000_000;

pub(crate) fn person(user: &str, role: Role) -> Profile {
    Profile {
        user: UserId::new(user).unwrap(),
        name: user.to_uppercase(),
        role,
        org: Some(format!("{user}-org")),
        constituency: Some(Constituency::Ngos),
        country: Some(CountryCode::new("KE").unwrap()),
        region: None,
    }
}

fn secretariat() -> Actor {
    Actor::Person(person("sec", Role::Secretariat))
}
fn moderator() -> Actor {
    Actor::Person(person("mod", Role::Moderator))
}
fn amina() -> Actor {
    Actor::Person(person("amina", Role::Participant))
}
fn bruno() -> Actor {
    Actor::Person(person("bruno", Role::Participant))
}
fn press() -> Actor {
    Actor::Person(person("press", Role::Observer))
}

fn settings(kind: RoomKind) -> RoomSettings {
    RoomSettings {
        kind,
        title: "Financing for development".into(),
        description: String::new(),
        languages: vec![
            LanguageTag::new("en").unwrap(),
            LanguageTag::new("fr").unwrap(),
        ],
        scope: Scope::Global,
        constituency: None,
        audience_above: None,
    }
}

fn key(k: &str) -> Option<IdempotencyKey> {
    Some(IdempotencyKey::new(k).unwrap())
}

fn post(text: &str, parent: Option<u64>) -> RoomCommand {
    RoomCommand::PostStatement {
        text: text.into(),
        lang: LanguageTag::new("en").unwrap(),
        parent,
        agenda_item: None,
        question: None,
        alignment: None,
    }
}

/// A room's history, built by running commands through `decide` and `evolve` as the hub does.
struct Given {
    state: RoomState,
    log: Vec<EventEnvelope>,
    now: Millis,
}

fn given() -> Given {
    Given {
        state: RoomState::default(),
        log: Vec::new(),
        now: T0,
    }
}

impl Given {
    /// Runs a command that must succeed and applies its events.
    fn did(mut self, actor: Actor, command: Command) -> Given {
        let events =
            decide(&self.state, &actor, &command, self.now).expect("history command succeeds");
        let key = match &command {
            Command::Room { key, .. } => key.clone(),
            _ => None,
        };
        for body in events {
            let mut envelope = EventEnvelope {
                room: RoomId::new("r1").unwrap(),
                seq: self.state.seq() + 1,
                ts: self.now,
                actor: actor.user().cloned(),
                key: key.clone(),
                body,
            };
            // Texts are committed to when sealed, as the hub does.
            crate::record::commitment::commit_event(&mut envelope);
            evolve(&mut self.state, &envelope);
            self.log.push(envelope);
        }
        self.now += 1_000;
        self
    }

    fn room(self, kind: RoomKind) -> Given {
        self.did(secretariat(), Command::Create(settings(kind)))
    }

    fn joined(self, actor: Actor) -> Given {
        self.did(actor, Command::Join)
    }

    fn posted(self, actor: Actor, k: &str, text: &str) -> Given {
        self.did(
            actor,
            Command::Room {
                key: key(k),
                command: post(text, None),
            },
        )
    }

    fn when(&self, actor: Actor, command: Command) -> Result<Vec<EventBody>, Rejection> {
        decide(&self.state, &actor, &command, self.now)
    }
}

fn roundtable() -> Given {
    given()
        .room(RoomKind::Roundtable)
        .joined(moderator())
        .joined(amina())
        .joined(bruno())
}

#[test]
fn only_the_secretariat_creates_rooms() {
    assert_eq!(
        given().when(
            secretariat(),
            Command::Create(settings(RoomKind::Consultation))
        ),
        Ok(vec![EventBody::RoomCreated(settings(
            RoomKind::Consultation
        ))])
    );
    for actor in [moderator(), amina(), press(), Actor::System] {
        assert!(matches!(
            given().when(actor, Command::Create(settings(RoomKind::Roundtable))),
            Err(Rejection::Forbidden(_))
        ));
    }
}

#[test]
fn a_room_is_created_once() {
    assert_eq!(
        roundtable().when(
            secretariat(),
            Command::Create(settings(RoomKind::Roundtable))
        ),
        Err(Rejection::RoomExists)
    );
}

#[test]
fn room_settings_are_checked() {
    let mut blank = settings(RoomKind::Roundtable);
    blank.title = "   ".into();
    let mut no_language = settings(RoomKind::Roundtable);
    no_language.languages.clear();
    let mut twice = settings(RoomKind::Roundtable);
    twice.languages.push(LanguageTag::new("en").unwrap());
    let mut bad_region = settings(RoomKind::Consultation);
    bad_region.scope = Scope::Region {
        region: "atlantis".into(),
    };
    let mut bad_country = settings(RoomKind::Consultation);
    bad_country.scope = Scope::Country {
        country: CountryCode::new("XX").unwrap(),
    };
    let mut constituency_on_roundtable = settings(RoomKind::Roundtable);
    constituency_on_roundtable.constituency = Some(Constituency::Women);
    for bad in [
        blank,
        no_language,
        twice,
        bad_region,
        bad_country,
        constituency_on_roundtable,
    ] {
        assert!(matches!(
            given().when(secretariat(), Command::Create(bad)),
            Err(Rejection::Invalid(_))
        ));
    }
    let mut african = settings(RoomKind::Consultation);
    african.scope = Scope::Region {
        region: "african".into(),
    };
    let mut kenya = settings(RoomKind::Consultation);
    kenya.scope = Scope::Country {
        country: CountryCode::new("KE").unwrap(),
    };
    for good in [african, kenya] {
        assert!(given().when(secretariat(), Command::Create(good)).is_ok());
    }
}

#[test]
fn commands_to_a_missing_room_are_refused() {
    assert_eq!(
        given().when(amina(), Command::Join),
        Err(Rejection::RoomNotFound)
    );
}

#[test]
fn joining_records_the_profile_once() {
    let room = given().room(RoomKind::Roundtable);
    let Actor::Person(profile) = amina() else {
        unreachable!()
    };
    assert_eq!(
        room.when(amina(), Command::Join),
        Ok(vec![EventBody::MemberJoined { member: profile }])
    );
    assert_eq!(
        room.joined(amina()).when(amina(), Command::Join),
        Ok(vec![])
    );
}

#[test]
fn a_caucus_admits_its_constituency_and_the_organisers() {
    let mut caucus = settings(RoomKind::Caucus);
    caucus.constituency = Some(Constituency::Women);
    let room = given().did(secretariat(), Command::Create(caucus));
    assert!(matches!(
        room.when(amina(), Command::Join),
        Err(Rejection::Forbidden(_))
    ));
    let mut women = person("wanjiru", Role::Participant);
    women.constituency = Some(Constituency::Women);
    assert!(room.when(Actor::Person(women), Command::Join).is_ok());
    assert!(room.when(moderator(), Command::Join).is_ok());
}

#[test]
fn people_leave_for_themselves_and_the_server_records_disconnections() {
    let room = roundtable();
    let amina_id = UserId::new("amina").unwrap();
    let leave = |reason| Command::Leave {
        user: amina_id.clone(),
        reason,
    };
    assert_eq!(
        room.when(amina(), leave(LeaveReason::Left)),
        Ok(vec![EventBody::MemberLeft {
            user: amina_id.clone(),
            reason: LeaveReason::Left
        }])
    );
    assert!(matches!(
        room.when(bruno(), leave(LeaveReason::Left)),
        Err(Rejection::Forbidden(_))
    ));
    assert!(matches!(
        room.when(amina(), leave(LeaveReason::Disconnected)),
        Err(Rejection::Forbidden(_))
    ));
    assert_eq!(
        room.when(Actor::System, leave(LeaveReason::Disconnected)),
        Ok(vec![EventBody::MemberLeft {
            user: amina_id.clone(),
            reason: LeaveReason::Disconnected
        }])
    );
    let gone = room.did(amina(), leave(LeaveReason::Left));
    assert_eq!(
        gone.when(Actor::System, leave(LeaveReason::Disconnected)),
        Ok(vec![])
    );
    assert!(!gone.state.is_present(&amina_id));
    assert!(
        gone.state.member(&amina_id).is_some(),
        "the roster remembers who came"
    );
}

#[test]
fn a_participant_posts_a_statement_and_a_reply_threads_under_it() {
    let room = roundtable().posted(amina(), "k1", "Debt relief first.");
    let first = room.state.statements[0].id;
    let reply = room.when(
        bruno(),
        Command::Room {
            key: key("k2"),
            command: post("Agreed, with conditions.", Some(first)),
        },
    );
    assert_eq!(
        reply,
        Ok(vec![EventBody::StatementPosted {
            text: "Agreed, with conditions.".into(),
            text_commitment: None,
            lang: LanguageTag::new("en").unwrap(),
            parent: Some(first),
            agenda_item: None,
            question: None,
            alignment: None,
            held: false,
            attachments: vec![],
            by_mail: None,
            joint: None,
        }])
    );
    let room = room.did(
        bruno(),
        Command::Room {
            key: key("k2"),
            command: post("Agreed, with conditions.", Some(first)),
        },
    );
    let reply = &room.state.statements[1];
    assert_eq!(
        (reply.parent, reply.author.as_str(), reply.org.as_deref()),
        (Some(first), "bruno", Some("bruno-org"))
    );
}

#[test]
fn a_repeated_idempotency_key_changes_nothing() {
    let room = roundtable().posted(amina(), "k1", "Debt relief first.");
    assert_eq!(
        room.when(
            amina(),
            Command::Room {
                key: key("k1"),
                command: post("Debt relief first.", None)
            }
        ),
        Ok(vec![])
    );
    assert_eq!(
        room.state
            .seq_for_key(&UserId::new("amina").unwrap(), &key("k1").unwrap()),
        Some(room.state.statements[0].id)
    );
    // Keys belong to their actor: the same key from someone else is a new command.
    assert_eq!(
        room.when(
            bruno(),
            Command::Room {
                key: key("k1"),
                command: post("Mine.", None)
            }
        )
        .map(|e| e.len()),
        Ok(1)
    );
}

#[test]
fn statements_need_a_key_a_member_and_a_voice() {
    let room = roundtable().joined(press());
    assert_eq!(
        room.when(
            amina(),
            Command::Room {
                key: None,
                command: post("x", None)
            }
        ),
        Err(Rejection::KeyRequired("post_statement"))
    );
    let outsider = Actor::Person(person("zed", Role::Participant));
    assert_eq!(
        room.when(
            outsider,
            Command::Room {
                key: key("k"),
                command: post("x", None)
            }
        ),
        Err(Rejection::NotPresent)
    );
    assert!(matches!(
        room.when(
            press(),
            Command::Room {
                key: key("k"),
                command: post("x", None)
            }
        ),
        Err(Rejection::Forbidden(_))
    ));
}

#[test]
fn statement_content_is_checked() {
    let room = roundtable();
    let long = "a".repeat(MAX_STATEMENT_CHARS + 1);
    let at_limit = "é".repeat(MAX_STATEMENT_CHARS);
    for bad in [
        post("  \n", None),
        post(&long, None),
        post("reply to nothing", Some(99)),
    ] {
        assert!(matches!(
            room.when(
                amina(),
                Command::Room {
                    key: key("k"),
                    command: bad
                }
            ),
            Err(Rejection::Invalid(_))
        ));
    }
    assert!(
        room.when(
            amina(),
            Command::Room {
                key: key("k"),
                command: post(&at_limit, None)
            }
        )
        .is_ok()
    );
    let unknown_item = RoomCommand::PostStatement {
        text: "x".into(),
        lang: LanguageTag::new("en").unwrap(),
        parent: None,
        agenda_item: Some(4),
        question: None,
        alignment: None,
    };
    assert!(matches!(
        room.when(
            amina(),
            Command::Room {
                key: key("k"),
                command: unknown_item
            }
        ),
        Err(Rejection::Invalid(_))
    ));
}

#[test]
fn moderators_hide_statements_and_the_record_keeps_them() {
    let room = roundtable().posted(amina(), "k1", "Off-topic advert.");
    let id = room.state.statements[0].id;
    let hide = |reason: &str| Command::Room {
        key: None,
        command: RoomCommand::HideStatement {
            statement: id,
            reason: reason.into(),
        },
    };
    assert!(matches!(
        room.when(bruno(), hide("spam")),
        Err(Rejection::Forbidden(_))
    ));
    assert!(matches!(
        room.when(moderator(), hide(" ")),
        Err(Rejection::Invalid(_))
    ));
    assert_eq!(
        room.when(moderator(), hide("spam")),
        Ok(vec![EventBody::StatementHidden {
            statement: id,
            reason: "spam".into()
        }])
    );

    let hidden = room.did(moderator(), hide("spam"));
    assert!(matches!(
        hidden.when(moderator(), hide("again")),
        Err(Rejection::Invalid(_))
    ));
    let for_participants = hidden.state.view(ReaderKind::Member).unwrap();
    assert_eq!(
        (
            for_participants.statements[0].text.as_str(),
            for_participants.statements[0].redacted
        ),
        ("", true)
    );
    assert_eq!(
        for_participants.statements[0]
            .hidden
            .as_ref()
            .map(|h| h.reason.as_str()),
        Some("spam")
    );
    let for_moderators = hidden.state.view(ReaderKind::Moderating).unwrap();
    assert_eq!(for_moderators.statements[0].text, "Off-topic advert.");
    assert!(matches!(
        hidden.when(
            bruno(),
            Command::Room {
                key: key("r"),
                command: post("reply", Some(id))
            }
        ),
        Err(Rejection::Invalid(_))
    ));
}

#[test]
fn only_the_secretariat_redacts_a_statement_and_its_texts_leave_every_view() {
    let room = roundtable().joined(secretariat()).posted(
        amina(),
        "k1",
        "My home address is 12 Long Road.",
    );
    let id = room.state.statements[0].id;
    let redact = |reason: &str| Command::Room {
        key: None,
        command: RoomCommand::RedactStatement {
            statement: id,
            reason: reason.into(),
        },
    };
    for other in [moderator(), amina(), bruno()] {
        let refused = room.when(other, redact("lawful request"));
        assert!(
            matches!(&refused, Err(Rejection::Forbidden(m)) if m.contains("only the secretariat")),
            "{refused:?}"
        );
    }
    assert!(matches!(
        room.when(secretariat(), redact(" ")),
        Err(Rejection::Invalid(_))
    ));
    assert!(matches!(
        room.when(
            secretariat(),
            Command::Room {
                key: None,
                command: RoomCommand::RedactStatement {
                    statement: 999,
                    reason: "x".into()
                }
            }
        ),
        Err(Rejection::Invalid(_))
    ));
    assert_eq!(
        room.when(secretariat(), redact("data protection request 2026-14")),
        Ok(vec![EventBody::StatementRedacted {
            statement: id,
            reason: "data protection request 2026-14".into()
        }])
    );
    let redacted = room.did(secretariat(), redact("data protection request 2026-14"));
    for reader in [ReaderKind::Member, ReaderKind::Moderating] {
        let view = redacted.state.view(reader).unwrap();
        let s = &view.statements[0];
        assert_eq!(s.text, "");
        assert_eq!(
            s.redaction.as_ref().map(|r| r.reason.as_str()),
            Some("data protection request 2026-14")
        );
    }
    assert!(matches!(
        redacted.when(secretariat(), redact("again")),
        Err(Rejection::Invalid(m)) if m.contains("already redacted")
    ));
}

#[test]
fn a_statement_recorded_before_commitments_is_not_redacted_before_migration() {
    let mut room = roundtable().joined(secretariat());
    // A v1 event: the text inside the hashed form, no commitment.
    let envelope = EventEnvelope {
        room: RoomId::new("r1").unwrap(),
        seq: room.state.seq() + 1,
        ts: room.now,
        actor: Some(UserId::new("amina").unwrap()),
        key: None,
        body: EventBody::StatementPosted {
            text: "Old words".into(),
            text_commitment: None,
            lang: LanguageTag::new("en").unwrap(),
            parent: None,
            agenda_item: None,
            question: None,
            alignment: None,
            held: false,
            attachments: Vec::new(),
            by_mail: None,
            joint: None,
        },
    };
    evolve(&mut room.state, &envelope);
    let refused = room.when(
        secretariat(),
        Command::Room {
            key: None,
            command: RoomCommand::RedactStatement {
                statement: envelope.seq,
                reason: "lawful request".into(),
            },
        },
    );
    assert!(
        matches!(&refused, Err(Rejection::Invalid(m)) if m.contains("baraza migrate")),
        "{refused:?}"
    );
}

#[test]
fn the_server_cannot_speak_or_join() {
    let room = roundtable();
    assert!(matches!(
        room.when(Actor::System, Command::Join),
        Err(Rejection::Forbidden(_))
    ));
    assert!(matches!(
        room.when(
            Actor::System,
            Command::Room {
                key: key("k"),
                command: post("x", None)
            }
        ),
        Err(Rejection::Forbidden(_))
    ));
}

#[test]
fn replaying_the_same_events_gives_the_same_state() {
    let room = roundtable()
        .posted(amina(), "k1", "One.")
        .posted(bruno(), "k2", "Two.")
        .did(
            bruno(),
            Command::Leave {
                user: UserId::new("bruno").unwrap(),
                reason: LeaveReason::Left,
            },
        );
    let mut replayed = RoomState::default();
    for event in &room.log {
        evolve(&mut replayed, event);
    }
    assert_eq!(replayed, room.state);
    let summary = replayed.summary().unwrap();
    assert_eq!((summary.seq, summary.present), (room.log.len() as u64, 2));
    assert_eq!(
        replayed.view(ReaderKind::Member).unwrap().statements.len(),
        2
    );
}
