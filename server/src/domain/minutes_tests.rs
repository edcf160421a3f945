//! Given/when/then tests of the minutes: roles, the deadline, corrections accepted and
//! declined, the seal and the refusals after it. Time is passed in.

use super::minutes::{apply, marker, text_hash};
use super::tests::person;
use super::*;
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::{LanguageTag, Millis, RoomId, Seq};
use baraza_proto::minutes::{CorrectionStatus, MinutesStatus};
use baraza_proto::room::{RoomKind, RoomSettings, Scope};

const T0: Millis = 1_790_000_000_000;
const DAY: Millis = 86_400_000;

fn sec() -> Actor {
    Actor::Person(person("sec", Role::Secretariat))
}
fn moderator() -> Actor {
    Actor::Person(person("mod", Role::Moderator))
}
/// Participants of the women's constituency: the caucus rooms of these tests are theirs.
fn woman(user: &str) -> Actor {
    Actor::Person(baraza_proto::identity::Profile {
        constituency: Some(Constituency::Women),
        ..person(user, Role::Participant)
    })
}
fn amina() -> Actor {
    woman("amina")
}
fn bruno() -> Actor {
    woman("bruno")
}

struct Room {
    state: RoomState,
    now: Millis,
    keys: u32,
}

impl Room {
    fn new(kind: RoomKind) -> Room {
        let mut room = Room {
            state: RoomState::default(),
            now: T0,
            keys: 0,
        };
        room.ok(
            sec(),
            Command::Create(RoomSettings {
                kind,
                title: "Financing for development".into(),
                description: String::new(),
                languages: vec![LanguageTag::new("en").unwrap()],
                scope: Scope::Global,
                constituency: (kind == RoomKind::Caucus).then_some(Constituency::Women),
                audience_above: None,
            }),
        );
        room.ok(sec(), Command::Join);
        room.ok(moderator(), Command::Join);
        if kind == RoomKind::Consultation {
            // Participants enter a consultation once it is open.
            room.did(
                sec(),
                RoomCommand::AddQuestion {
                    text: "What comes first?".into(),
                },
            );
            room.did(
                sec(),
                RoomCommand::SetPhase {
                    phase: baraza_proto::consultation::Phase::Open,
                },
            );
        }
        room.ok(amina(), Command::Join);
        room.ok(bruno(), Command::Join);
        room
    }

    fn cmd(&mut self, command: RoomCommand) -> Command {
        self.keys += 1;
        Command::Room {
            key: Some(IdempotencyKey::new(format!("k{}", self.keys)).unwrap()),
            command,
        }
    }

    fn try_do(&mut self, actor: Actor, command: RoomCommand) -> Result<Vec<EventBody>, Rejection> {
        let command = self.cmd(command);
        let events = decide(&self.state, &actor, &command, self.now)?;
        for body in events.clone() {
            let envelope = EventEnvelope {
                room: RoomId::new("r1").unwrap(),
                seq: self.state.seq() + 1,
                ts: self.now,
                actor: actor.user().cloned(),
                key: None,
                body,
            };
            evolve(&mut self.state, &envelope);
        }
        self.now += 1_000;
        Ok(events)
    }

    fn ok(&mut self, actor: Actor, command: Command) -> Seq {
        let events = decide(&self.state, &actor, &command, self.now).expect("succeeds");
        for body in events {
            let envelope = EventEnvelope {
                room: RoomId::new("r1").unwrap(),
                seq: self.state.seq() + 1,
                ts: self.now,
                actor: actor.user().cloned(),
                key: None,
                body,
            };
            evolve(&mut self.state, &envelope);
        }
        self.now += 1_000;
        self.state.seq()
    }

    fn did(&mut self, actor: Actor, command: RoomCommand) -> Seq {
        self.try_do(actor, command).expect("succeeds");
        self.state.seq()
    }

    fn post(&mut self, actor: Actor, text: &str) -> Seq {
        self.did(
            actor,
            RoomCommand::PostStatement {
                text: text.into(),
                lang: LanguageTag::new("en").unwrap(),
                parent: None,
                agenda_item: None,
                question: None,
                alignment: None,
            },
        )
    }

    fn minutes(&self) -> &baraza_proto::minutes::MinutesView {
        self.state.minutes().expect("minutes exist").view()
    }
}

fn draft(text: &str) -> RoomCommand {
    RoomCommand::DraftMinutes {
        text: text.into(),
        lang: LanguageTag::new("en").unwrap(),
    }
}

fn correct(statement: Seq, passage: &str, replacement: &str) -> RoomCommand {
    RoomCommand::ProposeMinutesCorrection {
        statement,
        passage: passage.into(),
        replacement: replacement.into(),
    }
}

fn decide_it(correction: Seq, accept: bool) -> RoomCommand {
    RoomCommand::DecideMinutesCorrection {
        correction,
        accept,
        reason: "checked against the recording".into(),
    }
}

/// A caucus room (no room kind's own rules) with two statements and circulated minutes
/// quoting both; returns the room and the two statement ids.
fn circulated() -> (Room, Seq, Seq) {
    let mut room = Room::new(RoomKind::Caucus);
    let a = room.post(amina(), "We support the levy.");
    let b = room.post(bruno(), "We oppose it.");
    room.did(
        sec(),
        draft(&format!(
            "Minutes\n- AMINA {}: supported the levy strongly.\n- BRUNO {}: opposed it.",
            marker(a),
            marker(b)
        )),
    );
    let deadline = room.now + DAY;
    room.did(sec(), RoomCommand::CirculateMinutes { deadline });
    (room, a, b)
}

fn refused_invalid(result: Result<Vec<EventBody>, Rejection>, words: &str) {
    match result {
        Err(Rejection::Invalid(reason)) => assert!(reason.contains(words), "{reason}"),
        other => panic!("expected invalid_command with {words:?}, got {other:?}"),
    }
}

#[test]
fn only_the_secretariat_or_a_named_rapporteur_drafts() {
    let mut room = Room::new(RoomKind::Roundtable);
    for who in [moderator(), amina()] {
        assert!(matches!(
            room.try_do(who, draft("text")),
            Err(Rejection::Forbidden(_))
        ));
    }
    room.did(sec(), draft("first"));
    room.did(sec(), draft("second"));
    let m = room.minutes();
    assert_eq!(m.status, MinutesStatus::Draft);
    assert_eq!(m.text, "second");
    assert_eq!(
        m.versions
            .iter()
            .map(|v| v.text.as_str())
            .collect::<Vec<_>>(),
        ["first", "second"],
        "every edit is kept as a version"
    );
    // The same text again records nothing.
    assert_eq!(room.try_do(sec(), draft("second")), Ok(vec![]));

    let mut consultation = Room::new(RoomKind::Consultation);
    consultation.did(
        sec(),
        RoomCommand::AppointRapporteur {
            user: UserId::new("bruno").unwrap(),
        },
    );
    consultation.did(bruno(), draft("the rapporteur's draft"));
    assert!(matches!(
        consultation.try_do(amina(), draft("not hers")),
        Err(Rejection::Forbidden(_))
    ));
}

#[test]
fn circulation_needs_a_draft_and_a_future_deadline() {
    let mut room = Room::new(RoomKind::Caucus);
    let now = room.now;
    refused_invalid(
        room.try_do(
            sec(),
            RoomCommand::CirculateMinutes {
                deadline: now + DAY,
            },
        ),
        "draft them first",
    );
    room.did(sec(), draft("text"));
    let now = room.now;
    refused_invalid(
        room.try_do(sec(), RoomCommand::CirculateMinutes { deadline: now }),
        "future",
    );
    assert!(matches!(
        room.try_do(
            amina(),
            RoomCommand::CirculateMinutes {
                deadline: now + DAY
            }
        ),
        Err(Rejection::Forbidden(_))
    ));
    room.did(
        sec(),
        RoomCommand::CirculateMinutes {
            deadline: now + DAY,
        },
    );
    assert_eq!(room.minutes().status, MinutesStatus::Circulated);
    assert_eq!(room.minutes().deadline, Some(now + DAY));
}

#[test]
fn only_the_quoted_speaker_corrects_their_own_passage() {
    let (mut room, a, b) = circulated();
    // Bruno may not correct Amina's statement, even naming it.
    assert!(matches!(
        room.try_do(bruno(), correct(a, "supported the levy strongly", "x")),
        Err(Rejection::Forbidden(_))
    ));
    // Amina may not reach into Bruno's line by naming her own statement.
    refused_invalid(
        room.try_do(amina(), correct(a, "opposed it", "agreed")),
        "not on a line",
    );
    // A passage that is not in the text, or stands twice, is refused.
    refused_invalid(
        room.try_do(amina(), correct(a, "never said", "x")),
        "exactly once",
    );
    refused_invalid(room.try_do(amina(), correct(a, "- ", "x")), "exactly once");
    refused_invalid(
        room.try_do(amina(), correct(9_999, "supported", "x")),
        "no published statement",
    );
    // Without a key it is refused too: corrections create something.
    let no_key = Command::Room {
        key: None,
        command: correct(a, "strongly", ""),
    };
    assert!(matches!(
        decide(&room.state, &amina(), &no_key, room.now),
        Err(Rejection::KeyRequired(_))
    ));
    let id = room.did(
        amina(),
        correct(a, "supported the levy strongly", "supported the levy"),
    );
    let c = &room.minutes().corrections[0];
    assert_eq!(
        (c.id, c.statement, c.status),
        (id, a, CorrectionStatus::Pending)
    );
    let _ = b;
}

#[test]
fn a_hidden_statement_takes_no_correction() {
    let (mut room, a, _) = circulated();
    room.did(
        moderator(),
        RoomCommand::HideStatement {
            statement: a,
            reason: "off topic".into(),
        },
    );
    refused_invalid(
        room.try_do(amina(), correct(a, "strongly", "")),
        "no published statement",
    );
}

#[test]
fn corrections_after_the_deadline_are_refused() {
    let (mut room, a, _) = circulated();
    let deadline = room.minutes().deadline.unwrap();
    room.now = deadline;
    room.did(amina(), correct(a, "strongly", "firmly"));
    room.now = deadline + 1;
    refused_invalid(
        room.try_do(amina(), correct(a, "the levy", "the tax")),
        "deadline",
    );
}

#[test]
fn accepted_corrections_change_the_text_declined_ones_do_not() {
    let (mut room, a, b) = circulated();
    let accepted = room.did(
        amina(),
        correct(a, "supported the levy strongly", "supported the levy"),
    );
    let declined = room.did(bruno(), correct(b, "opposed it", "never spoke"));
    for who in [moderator(), amina()] {
        assert!(matches!(
            room.try_do(who, decide_it(accepted, true)),
            Err(Rejection::Forbidden(_))
        ));
    }
    let before = room.minutes().text.clone();
    room.did(sec(), decide_it(declined, false));
    assert_eq!(
        room.minutes().text,
        before,
        "a declined correction changes nothing"
    );
    room.did(sec(), decide_it(accepted, true));
    let m = room.minutes();
    assert_eq!(
        m.text,
        format!(
            "Minutes\n- AMINA {}: supported the levy.\n- BRUNO {}: opposed it.",
            marker(a),
            marker(b)
        )
    );
    assert_eq!(m.versions.last().unwrap().correction, Some(accepted));
    let statuses: Vec<_> = m.corrections.iter().map(|c| (c.id, c.status)).collect();
    assert_eq!(
        statuses,
        [
            (accepted, CorrectionStatus::Accepted),
            (declined, CorrectionStatus::Declined)
        ]
    );
    assert_eq!(
        m.corrections[1].reason.as_deref(),
        Some("checked against the recording")
    );
    refused_invalid(
        room.try_do(sec(), decide_it(declined, true)),
        "already decided",
    );
    refused_invalid(room.try_do(sec(), decide_it(77, true)), "no correction 77");
}

#[test]
fn a_correction_whose_passage_was_edited_away_cannot_be_accepted() {
    let (mut room, a, _) = circulated();
    let id = room.did(amina(), correct(a, "strongly", "firmly"));
    let text = room.minutes().text.replace("strongly", "with reservations");
    room.did(sec(), draft(&text));
    refused_invalid(room.try_do(sec(), decide_it(id, true)), "no longer stands");
    room.did(sec(), decide_it(id, false));
}

#[test]
fn approval_needs_circulation_and_every_correction_decided() {
    let mut room = Room::new(RoomKind::Caucus);
    refused_invalid(
        room.try_do(sec(), RoomCommand::ApproveMinutes),
        "no minutes",
    );
    room.did(sec(), draft("text"));
    refused_invalid(room.try_do(sec(), RoomCommand::ApproveMinutes), "circulate");

    let (mut room, a, _) = circulated();
    let id = room.did(amina(), correct(a, "strongly", ""));
    refused_invalid(
        room.try_do(sec(), RoomCommand::ApproveMinutes),
        "1 correction",
    );
    assert!(matches!(
        room.try_do(moderator(), RoomCommand::ApproveMinutes),
        Err(Rejection::Forbidden(_))
    ));
    room.did(sec(), decide_it(id, true));
    let events = room.try_do(sec(), RoomCommand::ApproveMinutes).unwrap();
    let text = room.minutes().text.clone();
    assert_eq!(
        events,
        vec![EventBody::MinutesApproved {
            text: text.clone(),
            lang: LanguageTag::new("en").unwrap(),
            sha256: text_hash(&text),
        }]
    );
    let m = room.minutes();
    assert_eq!(m.status, MinutesStatus::Approved);
    assert_eq!(m.sealed.as_ref().unwrap().sha256, text_hash(&text));
}

#[test]
fn sealed_minutes_refuse_every_later_command() {
    let (mut room, a, _) = circulated();
    room.did(sec(), RoomCommand::ApproveMinutes);
    let now = room.now;
    for (who, command) in [
        (sec(), draft("a later edit")),
        (
            sec(),
            RoomCommand::CirculateMinutes {
                deadline: now + DAY,
            },
        ),
        (amina(), correct(a, "strongly", "")),
        (sec(), decide_it(1, true)),
        (sec(), RoomCommand::ApproveMinutes),
    ] {
        refused_invalid(room.try_do(who, command), "sealed");
    }
}

#[test]
fn a_speaker_of_a_turn_corrects_its_report() {
    use baraza_proto::roundtable as rt;
    // Turns are quoted by their id too: the record names the speaker.
    let mut room = Room::new(RoomKind::Roundtable);
    let item = room.did(
        moderator(),
        RoomCommand::AddAgendaItem(rt::AddAgendaItem {
            title: "Levies".into(),
            speaking_time_ms: None,
        }),
    );
    room.did(
        moderator(),
        RoomCommand::OpenAgendaItem(rt::ItemRef { item }),
    );
    room.did(
        amina(),
        RoomCommand::RequestFloor(rt::RequestFloor::new(rt::RequestKind::Speak)),
    );
    let turn = room.did(
        moderator(),
        RoomCommand::GrantFloor(rt::GrantFloor {
            request: None,
            reason: None,
        }),
    );
    room.did(
        sec(),
        draft(&format!("- AMINA {}: spoke at length.", marker(turn))),
    );
    let now = room.now;
    room.did(
        sec(),
        RoomCommand::CirculateMinutes {
            deadline: now + DAY,
        },
    );
    assert!(matches!(
        room.try_do(bruno(), correct(turn, "at length", "briefly")),
        Err(Rejection::Forbidden(_))
    ));
    room.did(amina(), correct(turn, "at length", "briefly"));
}

#[test]
fn apply_replaces_only_a_passage_standing_once() {
    assert_eq!(apply("a b c", "b", "x").as_deref(), Some("a x c"));
    assert_eq!(apply("a b b", "b", "x"), None);
    assert_eq!(apply("a b c", "", "x"), None);
    assert_eq!(apply("a b c", "d", "x"), None);
}
