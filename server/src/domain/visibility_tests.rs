//! The security matrix: every reader × room kind × phase × read path, checked against the
//! expected table below, and rendered into docs/architecture.md ("Who may read what"), which
//! must match it.
//!
//! `BARAZA_UPDATE_DOCS=1 cargo test -p baraza-server domain::visibility_tests` rewrites the
//! block in docs/architecture.md when the rules change on purpose.

use super::visibility::{
    EventFilter, InExport, ReadPath, ReaderKind, Visibility, export_frame_for, frame_for, may_read,
    redact, statement_in_export, summary_for,
};
use super::{Rejection, RoomState, evolve, geo};
use baraza_proto::consultation::{Citation, Phase};
use baraza_proto::event::{EventBody, EventEnvelope};
use baraza_proto::identity::{Constituency, Profile, Role};
use baraza_proto::ids::{CountryCode, LanguageTag, RoomId, UserId};
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use baraza_proto::roundtable::Sanction;
use baraza_proto::view::{HiddenMark, StatementView};

/// The readers of the matrix: who they are, and their column heading.
fn readers() -> Vec<(&'static str, Profile)> {
    vec![
        ("secretariat", person("sec", Role::Secretariat, None)),
        ("moderator", person("mod", Role::Moderator, None)),
        (
            "rapporteur (participant)",
            person("rap", Role::Participant, Some(Constituency::Farmers)),
        ),
        (
            "participant of the caucus's constituency",
            person("amina", Role::Participant, Some(Constituency::Women)),
        ),
        (
            "other participant",
            person("bruno", Role::Participant, Some(Constituency::Ngos)),
        ),
        ("observer", person("press", Role::Observer, None)),
        (
            "expelled participant",
            person("eve", Role::Participant, Some(Constituency::Women)),
        ),
    ]
}

fn person(user: &str, role: Role, constituency: Option<Constituency>) -> Profile {
    let country = CountryCode::new("KE").unwrap();
    Profile {
        user: UserId::new(user).unwrap(),
        name: user.to_uppercase(),
        role,
        org: constituency.map(|_| format!("{user}-org")),
        constituency,
        region: geo::region_of(&country),
        country: Some(country),
    }
}

/// A room in one situation: the room of each row group of the matrix.
struct Situation {
    name: String,
    kind: RoomKind,
    state: RoomState,
}

/// Folds `events`, with the secretariat present from the second event on (so the room list has
/// a name to show or withhold).
fn fold(mut events: Vec<(Option<&str>, EventBody)>) -> RoomState {
    events.insert(
        1,
        (
            Some("sec"),
            EventBody::MemberJoined {
                member: person("sec", Role::Secretariat, None),
            },
        ),
    );
    let mut state = RoomState::default();
    for (seq, (actor, body)) in (1..).zip(events) {
        let envelope = EventEnvelope {
            room: RoomId::new("room").unwrap(),
            seq,
            ts: 1_790_000_000_000 + i64::try_from(seq).unwrap(),
            actor: actor.map(|a| UserId::new(a).unwrap()),
            key: None,
            body,
        };
        evolve(&mut state, &envelope);
    }
    state
}

fn created(kind: RoomKind, constituency: Option<Constituency>) -> EventBody {
    EventBody::RoomCreated(RoomSettings {
        kind,
        title: "Room".into(),
        description: String::new(),
        languages: vec![LanguageTag::new("en").unwrap()],
        scope: Scope::Global,
        constituency,
        audience_above: None,
    })
}

fn situations() -> Vec<Situation> {
    let mut all = vec![
        Situation {
            name: "roundtable".into(),
            kind: RoomKind::Roundtable,
            state: fold(vec![
                (Some("sec"), created(RoomKind::Roundtable, None)),
                (
                    Some("mod"),
                    EventBody::ParticipantExpelled(Sanction {
                        user: UserId::new("eve").unwrap(),
                        reason: "Threats".into(),
                    }),
                ),
            ]),
        },
        Situation {
            name: "caucus of women".into(),
            kind: RoomKind::Caucus,
            state: fold(vec![(
                Some("sec"),
                created(RoomKind::Caucus, Some(Constituency::Women)),
            )]),
        },
    ];
    let path = [
        Phase::Draft,
        Phase::Open,
        Phase::Closed,
        Phase::Synthesis,
        Phase::Published,
    ];
    for (i, phase) in path.into_iter().enumerate() {
        let mut events = vec![
            (Some("sec"), created(RoomKind::Consultation, None)),
            (
                Some("sec"),
                EventBody::QuestionAdded {
                    text: "What first?".into(),
                },
            ),
            (
                Some("sec"),
                EventBody::RapporteurAppointed {
                    user: UserId::new("rap").unwrap(),
                },
            ),
        ];
        events.extend(path[1..=i].iter().map(|&phase| {
            (
                Some("sec"),
                EventBody::PhaseChanged {
                    phase,
                    deadline: None,
                },
            )
        }));
        all.push(Situation {
            name: format!("consultation, {}", phase.as_str()),
            kind: RoomKind::Consultation,
            state: fold(events),
        });
    }
    all
}

/// What a cell of the matrix says.
fn cell(path: ReadPath, kind: RoomKind, outcome: Result<ReaderKind, Rejection>) -> &'static str {
    if !path.applies_to(kind) {
        return "n/a";
    }
    match outcome {
        Ok(reader) => reader.as_str(),
        Err(Rejection::Forbidden(_)) => "refused",
        Err(_) => "error",
    }
}

/// The expected outcome of every combination: one line per room situation and read path, one
/// column per reader of [`readers`]. `all`: everything (held texts, queue, reports, draft
/// synthesis); `rapporteur`: what members see plus the draft synthesis; `member`: visible
/// statements only; `refused`: `forbidden`; `n/a`: the path does not exist for the room; in the
/// room list, `names`: who is present, `count only`: how many.
const EXPECTED: &str = "
roundtable | WS snapshot | all | all | member | member | member | member | refused
roundtable | WS events | all | all | member | member | member | member | refused
roundtable | GET view | all | all | member | member | member | member | refused
roundtable | GET threads | n/a | n/a | n/a | n/a | n/a | n/a | n/a
roundtable | GET record | all | all | refused | refused | refused | refused | refused
roundtable | GET export | all | all | member | member | member | member | refused
roundtable | GET search | all | all | member | member | member | member | refused
roundtable | GET rooms (list) | names | names | names | names | names | names | count only
caucus of women | WS snapshot | all | all | refused | member | refused | refused | member
caucus of women | WS events | all | all | refused | member | refused | refused | member
caucus of women | GET view | all | all | refused | member | refused | refused | member
caucus of women | GET threads | n/a | n/a | n/a | n/a | n/a | n/a | n/a
caucus of women | GET record | all | all | refused | refused | refused | refused | refused
caucus of women | GET export | all | all | refused | member | refused | refused | member
caucus of women | GET search | all | all | refused | member | refused | refused | member
caucus of women | GET rooms (list) | names | names | count only | names | count only | count only | names
consultation, draft | WS snapshot | all | all | rapporteur | refused | refused | refused | refused
consultation, draft | WS events | all | all | rapporteur | refused | refused | refused | refused
consultation, draft | GET view | all | all | rapporteur | refused | refused | refused | refused
consultation, draft | GET threads | all | all | rapporteur | refused | refused | refused | refused
consultation, draft | GET record | all | all | refused | refused | refused | refused | refused
consultation, draft | GET export | all | all | rapporteur | refused | refused | refused | refused
consultation, draft | GET search | all | all | rapporteur | refused | refused | refused | refused
consultation, draft | GET rooms (list) | names | names | names | count only | count only | count only | count only
consultation, open | WS snapshot | all | all | rapporteur | member | member | member | member
consultation, open | WS events | all | all | rapporteur | member | member | member | member
consultation, open | GET view | all | all | rapporteur | member | member | member | member
consultation, open | GET threads | all | all | rapporteur | member | member | member | member
consultation, open | GET record | all | all | refused | refused | refused | refused | refused
consultation, open | GET export | all | all | rapporteur | member | member | member | member
consultation, open | GET search | all | all | rapporteur | member | member | member | member
consultation, open | GET rooms (list) | names | names | names | names | names | names | names
consultation, closed | WS snapshot | all | all | rapporteur | member | member | member | member
consultation, closed | WS events | all | all | rapporteur | member | member | member | member
consultation, closed | GET view | all | all | rapporteur | member | member | member | member
consultation, closed | GET threads | all | all | rapporteur | member | member | member | member
consultation, closed | GET record | all | all | refused | refused | refused | refused | refused
consultation, closed | GET export | all | all | rapporteur | member | member | member | member
consultation, closed | GET search | all | all | rapporteur | member | member | member | member
consultation, closed | GET rooms (list) | names | names | names | names | names | names | names
consultation, synthesis | WS snapshot | all | all | rapporteur | member | member | member | member
consultation, synthesis | WS events | all | all | rapporteur | member | member | member | member
consultation, synthesis | GET view | all | all | rapporteur | member | member | member | member
consultation, synthesis | GET threads | all | all | rapporteur | member | member | member | member
consultation, synthesis | GET record | all | all | refused | refused | refused | refused | refused
consultation, synthesis | GET export | all | all | rapporteur | member | member | member | member
consultation, synthesis | GET search | all | all | rapporteur | member | member | member | member
consultation, synthesis | GET rooms (list) | names | names | names | names | names | names | names
consultation, published | WS snapshot | all | all | rapporteur | member | member | member | member
consultation, published | WS events | all | all | rapporteur | member | member | member | member
consultation, published | GET view | all | all | rapporteur | member | member | member | member
consultation, published | GET threads | all | all | rapporteur | member | member | member | member
consultation, published | GET record | all | all | refused | refused | refused | refused | refused
consultation, published | GET export | all | all | rapporteur | member | member | member | member
consultation, published | GET search | all | all | rapporteur | member | member | member | member
consultation, published | GET rooms (list) | names | names | names | names | names | names | names
";

/// Every combination, as the domain decides it: (situation, path, cells).
fn matrix() -> Vec<(String, &'static str, Vec<&'static str>)> {
    let readers = readers();
    let mut rows = Vec::new();
    for situation in situations() {
        for path in ReadPath::ALL {
            let cells = readers
                .iter()
                .map(|(_, profile)| {
                    cell(
                        path,
                        situation.kind,
                        may_read(path, profile, &situation.state),
                    )
                })
                .collect();
            rows.push((situation.name.clone(), path.as_str(), cells));
        }
        let cells = readers
            .iter()
            .map(|(_, profile)| {
                let summary = summary_for(profile, &situation.state).expect("a room");
                assert_eq!(summary.present, 1);
                if summary.present_names.is_empty() {
                    "count only"
                } else {
                    "names"
                }
            })
            .collect();
        rows.push((situation.name.clone(), LIST, cells));
    }
    rows
}

/// The room list's row: every room's line, with the names of those present or only their count.
const LIST: &str = "GET rooms (list)";

#[test]
fn every_reader_room_phase_and_read_path_is_decided_as_the_table_says() {
    let actual: Vec<String> = matrix()
        .into_iter()
        .map(|(room, path, cells)| format!("{room} | {path} | {}", cells.join(" | ")))
        .collect();
    let expected: Vec<&str> = EXPECTED.trim().lines().collect();
    assert_eq!(
        actual.len(),
        expected.len(),
        "one line per situation and path"
    );
    for (actual, expected) in actual.iter().zip(&expected) {
        assert_eq!(actual, expected);
    }
}

#[test]
fn a_missing_room_is_not_found_on_every_read_path() {
    for (_, profile) in readers() {
        for path in ReadPath::ALL {
            assert_eq!(
                may_read(path, &profile, &RoomState::default()),
                Err(Rejection::RoomNotFound)
            );
        }
    }
}

/// What each kind of reader is shown, per kind: the views built for the matrix's outcomes keep
/// their promises (rapporteurs see the synthesis they write; members do not until it is
/// published; only moderating readers get the queue).
#[test]
fn each_kind_of_reader_gets_the_view_the_matrix_promises() {
    for phase in [Phase::Synthesis, Phase::Published] {
        let mut events = vec![
            (Some("sec"), created(RoomKind::Consultation, None)),
            (
                Some("sec"),
                EventBody::QuestionAdded {
                    text: "What first?".into(),
                },
            ),
            (
                Some("sec"),
                EventBody::RapporteurAppointed {
                    user: UserId::new("rap").unwrap(),
                },
            ),
            (
                Some("sec"),
                EventBody::PhaseChanged {
                    phase: Phase::Open,
                    deadline: None,
                },
            ),
            (
                Some("sec"),
                EventBody::PhaseChanged {
                    phase: Phase::Closed,
                    deadline: None,
                },
            ),
            (
                Some("sec"),
                EventBody::PhaseChanged {
                    phase: Phase::Synthesis,
                    deadline: None,
                },
            ),
            (
                Some("rap"),
                EventBody::SynthesisDrafted {
                    text: "Tenure first.".into(),
                    citations: vec![],
                },
            ),
        ];
        if phase == Phase::Published {
            events.push((
                Some("sec"),
                EventBody::PhaseChanged {
                    phase,
                    deadline: None,
                },
            ));
        }
        let state = fold(events);
        for kind in ReaderKind::ALL {
            let view = state.view(kind).unwrap().consultation.unwrap();
            let sees = kind != ReaderKind::Member || phase == Phase::Published;
            assert_eq!(view.synthesis.is_some(), sees, "{kind:?} in {phase:?}");
            assert_eq!(view.queue.is_some(), kind.moderating(), "{kind:?}");
            assert_eq!(view.questions.len(), 1);
        }
    }
}

/// The events whose frames differ by reader, and what each kind gets.
fn frame_cases() -> Vec<(&'static str, EventBody)> {
    vec![
        (
            "`statement_posted` held for pre-moderation",
            EventBody::StatementPosted {
                text: "Held text".into(),
                text_commitment: None,
                lang: LanguageTag::new("en").unwrap(),
                parent: None,
                agenda_item: None,
                question: Some(3),
                alignment: None,
                held: true,
                attachments: vec![],
                by_mail: None,
                joint: None,
            },
        ),
        (
            "`statement_edited` of a held statement",
            EventBody::StatementEdited {
                statement: HELD,
                text: "Held text, edited".into(),
                text_commitment: None,
            },
        ),
        (
            "`synthesis_drafted`",
            EventBody::SynthesisDrafted {
                text: "Draft".into(),
                citations: vec![Citation {
                    statement: Some(HELD),
                    input: None,
                    point: None,
                    excerpt: Some("Held".into()),
                }],
            },
        ),
        (
            "`statement_edited` of a visible statement",
            EventBody::StatementEdited {
                statement: HELD - 1,
                text: "Visible text, edited".into(),
                text_commitment: None,
            },
        ),
        (
            "any other event",
            EventBody::PhaseChanged {
                phase: Phase::Closed,
                deadline: None,
            },
        ),
    ]
}

/// The seq (and id) of the held statement in [`frames_state`].
const HELD: u64 = 7;

/// An open, pre-moderated consultation with one visible statement (6) and one held (7).
fn frames_state() -> RoomState {
    let post = |held: bool| EventBody::StatementPosted {
        text: "Text".into(),
        text_commitment: None,
        lang: LanguageTag::new("en").unwrap(),
        parent: None,
        agenda_item: None,
        question: Some(3),
        alignment: None,
        held,
        attachments: vec![],
        by_mail: None,
        joint: None,
    };
    fold(vec![
        (Some("sec"), created(RoomKind::Consultation, None)),
        (
            Some("sec"),
            EventBody::QuestionAdded {
                text: "What first?".into(),
            },
        ),
        (
            Some("sec"),
            EventBody::RapporteurAppointed {
                user: UserId::new("rap").unwrap(),
            },
        ),
        (
            Some("sec"),
            EventBody::PhaseChanged {
                phase: Phase::Open,
                deadline: None,
            },
        ),
        (Some("bruno"), post(false)),
        (Some("amina"), post(true)),
    ])
}

const EXPECTED_FRAMES: &str = "
`statement_posted` held for pre-moderation | all | redacted | redacted
`statement_edited` of a held statement | all | redacted | redacted
`synthesis_drafted` | all | all | redacted
`statement_edited` of a visible statement | all | all | all
any other event | all | all | all
";

fn visibility_name(v: Visibility) -> &'static str {
    match v {
        Visibility::All => "all",
        Visibility::Redacted => "redacted",
    }
}

/// Live frames, frames resumed from memory and frames replayed from the record (through an
/// [`EventFilter`]) agree, and a redacted frame keeps nothing withheld.
#[test]
fn every_kind_of_reader_gets_the_frames_the_table_says_on_every_event_path() {
    let state = frames_state();
    assert!(state.statement(HELD).is_some_and(|s| s.held));
    let mut actual = Vec::new();
    for (name, event) in frame_cases() {
        let mut cells = Vec::new();
        for kind in ReaderKind::ALL {
            let live = frame_for(kind, &state, &event);
            assert_eq!(
                EventFilter::new(kind, &state).frame_for(&event),
                live,
                "{name}: a replay decides as the live path"
            );
            cells.push(visibility_name(live));
        }
        actual.push(format!("{name} | {}", cells.join(" | ")));
    }
    let expected: Vec<&str> = EXPECTED_FRAMES.trim().lines().collect();
    assert_eq!(actual, expected);
    for (name, event) in frame_cases().into_iter().take(3) {
        let text = serde_json::to_string(&redact(&event)).unwrap();
        assert!(
            !text.contains("Held") && !text.contains("Draft"),
            "{name}: {text}"
        );
        assert_eq!(redact(&event).name(), event.name(), "same type");
    }
}

/// The Markdown of the matrix, as docs/architecture.md holds it between the markers.
fn render() -> String {
    let readers = readers();
    let mut out = String::new();
    out.push_str(
        "Generated from `server/src/domain/visibility.rs` by the test `domain::visibility_tests`\n\
         (it fails when this table and the rules differ).\n\n",
    );
    out.push_str("| room | read path |");
    for (name, _) in &readers {
        out.push_str(&format!(" {name} |"));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(readers.len()));
    out.push('\n');
    for (room, path, cells) in matrix() {
        out.push_str(&format!("| {room} | {path} | {} |\n", cells.join(" | ")));
    }
    out.push_str(
        "\n`all`: everything, including held and rejected statements, reports, the moderation\n\
         queue and the synthesis before publication. `rapporteur`: what members see, plus the\n\
         synthesis before publication. `member`: visible statements (hidden ones keep their\n\
         place, redacted), no held or rejected ones, no reports or queue, the synthesis once\n\
         published. `refused`: `forbidden` (HTTP 403; on a WebSocket `join`, an `error`).\n\
         `n/a`: the path does not exist for the room (threads: `400 invalid_command`). A room\n\
         that does not exist is `room_not_found` on every path. The room list shows every room's\n\
         line to everyone signed in; `names`: with who is present, `count only`: how many.\n\n",
    );
    out.push_str("What each kind of reader receives of an event (live, resumed or replayed):\n\n");
    out.push_str("| event | all | rapporteur | member |\n|---|---|---|---|\n");
    let state = frames_state();
    for (name, event) in frame_cases() {
        let cells: Vec<&str> = ReaderKind::ALL
            .iter()
            .map(|&kind| visibility_name(frame_for(kind, &state, &event)))
            .collect();
        out.push_str(&format!("| {name} | {} |\n", cells.join(" | ")));
    }
    out.push_str(
        "\n`redacted`: the same event (same `seq` and type, so no gap) with its text emptied, and\n\
         a draft's citations removed.\n\n",
    );
    out.push_str("What an export holds of each statement (every format):\n\n");
    out.push_str("| statement | all | rapporteur | member |\n|---|---|---|---|\n");
    for (name, statement) in export_cases() {
        let cells: Vec<&str> = ReaderKind::ALL
            .iter()
            .map(|&kind| match statement_in_export(kind, &statement) {
                InExport::Shown => "shown",
                InExport::Marked => "marked",
                InExport::LeftOut => "left out",
            })
            .collect();
        out.push_str(&format!("| {name} | {} |\n", cells.join(" | ")));
    }
    out.push_str(
        "\n`marked`: in its own place, apart from the published statements, with its status and\n\
         reason. `left out`: not in the export at all (nor its text in the JSON record). The\n\
         events of the JSON export are the frames above, and a statement left out is redacted\n\
         there too.\n",
    );
    out
}

/// A statement in each state an export distinguishes.
fn export_cases() -> Vec<(&'static str, StatementView)> {
    let mark = || HiddenMark {
        by: UserId::new("mod").unwrap(),
        reason: "Spam".into(),
        at: 1,
    };
    let published = StatementView {
        id: 5,
        author: UserId::new("bruno").unwrap(),
        org: None,
        author_name: None,
        text: "Text".into(),
        lang: LanguageTag::new("en").unwrap(),
        parent: None,
        agenda_item: None,
        question: None,
        posted_at: 1,
        hidden: None,
        redaction: None,
        redacted: false,
        alignment: None,
        versions: vec![],
        edited_at: None,
        held: false,
        rejected: None,
        reports: 0,
        attachments: vec![],
        by_mail: false,
        joint: None,
    };
    vec![
        ("published", published.clone()),
        (
            "held for pre-moderation",
            StatementView {
                held: true,
                ..published.clone()
            },
        ),
        (
            "rejected",
            StatementView {
                rejected: Some(mark()),
                ..published.clone()
            },
        ),
        (
            "hidden",
            StatementView {
                hidden: Some(mark()),
                ..published
            },
        ),
    ]
}

/// A participant's export never holds a statement that is not published, in any frame.
#[test]
fn an_export_for_a_member_leaves_out_what_is_not_published() {
    let state = frames_state();
    let held = EventEnvelope {
        room: RoomId::new("room").unwrap(),
        seq: HELD,
        ts: 1,
        actor: Some(UserId::new("amina").unwrap()),
        key: None,
        body: EventBody::StatementPosted {
            text: "Held".into(),
            text_commitment: None,
            lang: LanguageTag::new("en").unwrap(),
            parent: None,
            agenda_item: None,
            question: Some(3),
            alignment: None,
            held: false,
            attachments: vec![],
            by_mail: None,
            joint: None,
        },
    };
    assert_eq!(
        export_frame_for(ReaderKind::Member, &state, &held),
        Visibility::Redacted,
        "held now, though posted visible"
    );
    assert_eq!(
        export_frame_for(ReaderKind::Moderating, &state, &held),
        Visibility::All
    );
    for (_, statement) in export_cases().into_iter().skip(1) {
        assert_eq!(
            statement_in_export(ReaderKind::Member, &statement),
            InExport::LeftOut
        );
        assert_eq!(
            statement_in_export(ReaderKind::Rapporteur, &statement),
            InExport::LeftOut
        );
        assert_eq!(
            statement_in_export(ReaderKind::Moderating, &statement),
            InExport::Marked
        );
    }
}

const BEGIN: &str = "<!-- who-may-read-what: begin (generated) -->\n";
const END: &str = "<!-- who-may-read-what: end -->";

#[test]
fn the_security_model_in_the_architecture_document_is_the_domains() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/architecture.md");
    let doc = std::fs::read_to_string(path).expect("docs/architecture.md");
    let generated = render();
    let (Some(start), Some(end)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("docs/architecture.md has no block between {BEGIN:?} and {END:?}");
    };
    let current = &doc[start + BEGIN.len()..end];
    if current == generated {
        return;
    }
    if std::env::var_os("BARAZA_UPDATE_DOCS").is_some() {
        let updated = format!("{}{BEGIN}{generated}{}", &doc[..start], &doc[end..]);
        std::fs::write(path, updated).expect("write docs/architecture.md");
        return;
    }
    panic!(
        "docs/architecture.md (\"Who may read what\") differs from the domain's rules; rerun \
         with BARAZA_UPDATE_DOCS=1 or put this between the markers:\n{generated}"
    );
}
