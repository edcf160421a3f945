//! Tests of the export projection and renderers on records built through the domain.

use super::*;
use crate::domain::{Actor, Command, RoomState, decide, evolve, geo};
use crate::record::{GENESIS, RecordedEvent};
use baraza_proto::command::RoomCommand;
use baraza_proto::consultation::{Citation, ModerationMode, Phase};
use baraza_proto::event::EventEnvelope;
use baraza_proto::identity::{Constituency, Profile, Role};
use baraza_proto::ids::{CountryCode, IdempotencyKey, LanguageTag, RoomId, UserId};
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use baraza_proto::roundtable::*;

fn person(user: &str, role: Role, c: Option<Constituency>, country: &str) -> Profile {
    let country = CountryCode::new(country).unwrap();
    Profile {
        user: UserId::new(user).unwrap(),
        name: format!("{}{}", user[..1].to_uppercase(), &user[1..]),
        role,
        org: c.map(|_| format!("{user} network")),
        constituency: c,
        region: geo::region_of(&country),
        country: Some(country),
    }
}

fn sec() -> Profile {
    person("sec", Role::Secretariat, None, "CH")
}
fn chair() -> Profile {
    person("chair", Role::Moderator, None, "CH")
}
fn amina() -> Profile {
    person("amina", Role::Participant, Some(Constituency::Women), "KE")
}
fn bruno() -> Profile {
    person("bruno", Role::Participant, Some(Constituency::Ngos), "BR")
}
fn dara() -> Profile {
    person("dara", Role::Participant, Some(Constituency::Farmers), "EG")
}

/// A room driven through `decide` and `evolve`, sealed into a chain as the hub seals it.
struct Room {
    state: RoomState,
    events: Vec<RecordedEvent>,
    now: i64,
    keys: u64,
}

impl Room {
    fn new(kind: RoomKind, languages: &[&str]) -> Room {
        let mut room = Room {
            state: RoomState::default(),
            events: Vec::new(),
            now: 1_795_000_000_000,
            keys: 0,
        };
        let settings = RoomSettings {
            kind,
            title: "Financing for development".into(),
            description: "Interactive dialogue".into(),
            languages: languages
                .iter()
                .map(|l| LanguageTag::new(*l).unwrap())
                .collect(),
            scope: Scope::Region {
                region: "002".into(),
            },
            constituency: None,
            audience_above: None,
        };
        room.exec(&sec(), Command::Create(settings));
        room.exec(&sec(), Command::Join);
        room.exec(&chair(), Command::Join);
        if kind != RoomKind::Consultation {
            for p in [amina(), bruno(), dara()] {
                room.exec(&p, Command::Join);
            }
        }
        room
    }

    fn exec(&mut self, who: &Profile, command: Command) -> u64 {
        self.now += 1_000;
        let bodies = decide(&self.state, &Actor::Person(who.clone()), &command, self.now)
            .unwrap_or_else(|e| panic!("{} refused: {e}", command.name()));
        for body in bodies {
            let envelope = EventEnvelope {
                room: RoomId::new("ffd").unwrap(),
                seq: self.state.seq() + 1,
                ts: self.now,
                actor: Some(who.user.clone()),
                key: None,
                body,
            };
            evolve(&mut self.state, &envelope);
            let prev = self.events.last().map_or(GENESIS, |e| e.hash);
            self.events.push(RecordedEvent::seal(envelope, prev));
        }
        self.state.seq()
    }

    fn run(&mut self, who: &Profile, command: RoomCommand) -> u64 {
        self.keys += 1;
        let key = Some(IdempotencyKey::new(format!("k{}", self.keys)).unwrap());
        self.exec(who, Command::Room { key, command })
    }

    fn post(&mut self, who: &Profile, text: &str, lang: &str) -> u64 {
        self.run(
            who,
            RoomCommand::PostStatement {
                text: text.into(),
                lang: LanguageTag::new(lang).unwrap(),
                parent: None,
                agenda_item: None,
                question: None,
                alignment: None,
            },
        )
    }
}

/// A roundtable: a statement from the floor, a point of order with its ruling, a reply, an
/// out-of-order grant, and a statement hidden by the chair.
fn roundtable() -> Room {
    let mut room = Room::new(RoomKind::Roundtable, &["en", "ar"]);
    let item = room.run(
        &chair(),
        RoomCommand::AddAgendaItem(AddAgendaItem {
            title: "Debt and fiscal space".into(),
            speaking_time_ms: None,
        }),
    );
    room.run(&chair(), RoomCommand::OpenAgendaItem(ItemRef { item }));
    let ask = |kind| RoomCommand::RequestFloor(RequestFloor::new(kind));
    room.run(&bruno(), ask(RequestKind::Speak));
    let next = || {
        RoomCommand::GrantFloor(GrantFloor {
            request: None,
            reason: None,
        })
    };
    room.run(&chair(), next());
    room.post(&bruno(), "Debt service now exceeds health spending.", "en");
    room.run(&dara(), ask(RequestKind::PointOfOrder));
    room.run(&amina(), ask(RequestKind::Reply));
    room.run(&bruno(), RoomCommand::YieldFloor);
    let point = room.run(&chair(), next());
    room.run(&dara(), RoomCommand::YieldFloor);
    room.run(
        &chair(),
        RoomCommand::RulePointOfOrder(RulePointOfOrder {
            turn: point,
            ruling: "Speakers keep to the item.".into(),
        }),
    );
    room.run(&chair(), next());
    room.post(&amina(), "الديون تخنق الميزانيات الصحية.", "ar");
    room.run(&amina(), RoomCommand::YieldFloor);
    let spam = room.post(&bruno(), "BUY CHEAP WATCHES", "en");
    room.run(
        &chair(),
        RoomCommand::HideStatement {
            statement: spam,
            reason: "Advertising".into(),
        },
    );
    room
}

fn export(room: &Room, reader: ReaderKind, format: Format, lang: Lang) -> String {
    let body = render(&room.events, reader, format, lang).unwrap().body;
    if format == Format::Docx {
        // docx-rs stores the package's parts uncompressed: the XML text is in the zip as is.
        assert!(body.starts_with(b"PK\x03\x04"), "a docx is a zip package");
        return String::from_utf8_lossy(&body).into_owned();
    }
    String::from_utf8(body).unwrap()
}

#[test]
fn a_roundtable_summary_record_has_turns_kinds_ruling_attendance_and_head() {
    let room = roundtable();
    let html = export(&room, ReaderKind::Member, Format::Html, Lang::En);
    for needle in [
        "<html lang=\"en\" dir=\"ltr\">",
        "Financing for development",
        "Debt and fiscal space",
        "\u{2068}Bruno\u{2069} (\u{2068}bruno network\u{2069}; NGOs; Brazil, Latin American and Caribbean States)",
        "<dt>Forum</dt><dd>Africa</dd>",
        "<th scope=\"col\">Participant</th><th scope=\"col\">Turns</th>",
        "<th scope=\"row\"><bdi>Bruno</bdi></th>",
        "Point of order",
        "Ruling of the chair",
        "Speakers keep to the item.",
        "Reply to",
        "Debt service now exceeds health spending.",
        "lang=\"ar\" dir=\"auto\">الديون",
        "Attendance",
        "@media print",
        &hex::encode(room.events.last().unwrap().hash),
    ] {
        assert!(html.contains(needle), "{needle:?} missing in\n{html}");
    }
    assert!(!html.contains("WATCHES"), "a hidden statement is left out");
    assert!(!html.contains("<script"), "no script");
    let full = export(&room, ReaderKind::Moderating, Format::Html, Lang::En);
    assert!(full.contains("BUY CHEAP WATCHES"));
    assert!(full.contains("class=\"status\">hidden: Advertising"));
    let arabic = export(&room, ReaderKind::Member, Format::Html, Lang::Ar);
    assert!(arabic.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(
        arabic.contains("<dd><bdi dir=\"ltr\">"),
        "the date range is isolated left to right in an Arabic record"
    );
    assert!(arabic.contains("نقطة نظام"));
    assert!(
        arabic.contains("البرازيل"),
        "country names in the export's language"
    );
    assert!(arabic.contains("<dt>المنتدى</dt><dd>أفريقيا</dd>"));
    assert!(
        html.contains(&format!("record of {} events", room.events.len())),
        "the footer says how many events the head hash covers"
    );
    assert!(
        !html.contains("baraza verify"),
        "no command for the reader to run"
    );
}

#[test]
fn every_format_of_a_participants_export_leaves_out_the_hidden_statement() {
    let room = roundtable();
    for format in Format::ALL {
        for lang in Lang::ALL {
            let member = export(&room, ReaderKind::Member, format, lang);
            assert!(!member.contains("WATCHES"), "{format:?} {lang:?}");
            let full = export(&room, ReaderKind::Moderating, format, lang);
            assert!(full.contains("WATCHES"), "{format:?} {lang:?}");
        }
    }
}

#[test]
fn markdown_statements_are_paragraphs_not_code() {
    let room = roundtable();
    let md = export(&room, ReaderKind::Member, Format::Md, Lang::En);
    assert!(
        md.contains("\nDebt service now exceeds health spending.\n"),
        "{md}"
    );
    assert!(
        !md.lines().any(|l| l.starts_with("    ")),
        "no indented code\n{md}"
    );
    assert!(
        md.contains("\u{2068}Debt and fiscal space\u{2069}"),
        "isolated headings"
    );
}

#[test]
fn the_json_export_streams_the_record_one_event_a_line_and_parses() {
    let room = roundtable();
    let json = export(&room, ReaderKind::Moderating, Format::Json, Lang::En);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format"], json::FORMAT);
    assert_eq!(value["events"].as_array().unwrap().len(), room.events.len());
    assert_eq!(value["head"]["seq"], room.events.len() as u64);
    let lines = json.lines().filter(|l| l.starts_with("{\"room\"")).count();
    assert_eq!(lines, room.events.len(), "one event a line");
    let member = export(&room, ReaderKind::Member, Format::Json, Lang::En);
    let value: serde_json::Value = serde_json::from_str(&member).unwrap();
    let redacted = value["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["redacted"] == true)
        .count();
    assert_eq!(redacted, 1, "the hidden statement's posting");
}

#[test]
fn the_csv_export_has_one_row_per_statement_and_turn() {
    let room = roundtable();
    let csv = export(&room, ReaderKind::Member, Format::Csv, Lang::En);
    let rows: Vec<&str> = csv.split("\r\n").filter(|r| !r.is_empty()).collect();
    assert!(rows[0].starts_with("record,id,context"));
    assert_eq!(
        rows.iter().filter(|r| r.starts_with("statement,")).count(),
        2
    );
    assert_eq!(rows.iter().filter(|r| r.starts_with("turn,")).count(), 3);
    assert!(
        rows.iter()
            .any(|r| r.starts_with("turn,") && r.contains("Speakers keep to the item."))
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("speaking,amina,participant,"))
    );
}

#[test]
fn the_akoma_ntoso_export_is_well_formed_with_frbr_per_language() {
    let room = roundtable();
    for lang in Lang::ALL {
        let akn = export(&room, ReaderKind::Member, Format::Akn, lang);
        let mut reader = quick_xml::Reader::from_str(&akn);
        let mut names = Vec::new();
        loop {
            match reader.read_event().unwrap() {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                    names.push(e.name().as_ref().to_owned());
                }
                _ => {}
            }
        }
        for name in [
            "debate",
            "debateSection",
            "speech",
            "pointOfOrder",
            "TLCPerson",
            "TLCRole",
            "TLCOrganization",
        ] {
            assert!(names.iter().any(|n| n == name), "{name} in {lang:?}");
        }
        assert!(
            akn.contains(&format!(
                "/akn/un/debate/baraza/ffd/2026-11-18/{}@",
                lang.iso639_2()
            )),
            "{akn}"
        );
    }
}

/// A pre-moderated consultation with a rejected statement, a reply and a synthesis.
fn consultation() -> Room {
    let mut room = Room::new(RoomKind::Consultation, &["fr"]);
    let q = room.run(
        &sec(),
        RoomCommand::AddQuestion {
            text: "Quelles priorités pour le financement ?".into(),
        },
    );
    room.run(
        &sec(),
        RoomCommand::SetModeration {
            mode: ModerationMode::Pre,
        },
    );
    room.run(&sec(), RoomCommand::SetPhase { phase: Phase::Open });
    for p in [amina(), bruno()] {
        room.exec(&p, Command::Join);
    }
    let submit = |text: &str, parent, question| RoomCommand::PostStatement {
        text: text.into(),
        lang: LanguageTag::new("fr").unwrap(),
        parent,
        agenda_item: None,
        question,
        alignment: parent.map(|_| baraza_proto::consultation::Alignment::Supports),
    };
    let good = room.run(
        &amina(),
        submit("La sécurité foncière d’abord.", None, Some(q)),
    );
    room.run(&chair(), RoomCommand::ApproveStatement { statement: good });
    let spam = room.run(&bruno(), submit("SPAM SPAM", None, Some(q)));
    room.run(
        &chair(),
        RoomCommand::RejectStatement {
            statement: spam,
            reason: "Spam".into(),
        },
    );
    let reply = room.run(&bruno(), submit("D’accord, et l’eau.", Some(good), None));
    room.run(&chair(), RoomCommand::ApproveStatement { statement: reply });
    room.run(
        &sec(),
        RoomCommand::SetPhase {
            phase: Phase::Closed,
        },
    );
    room.run(
        &sec(),
        RoomCommand::SetPhase {
            phase: Phase::Synthesis,
        },
    );
    room.run(
        &sec(),
        RoomCommand::DraftSynthesis {
            text: "La terre et l’eau.".into(),
            citations: vec![Citation {
                statement: Some(good),
                input: None,
                point: None,
                excerpt: Some("sécurité foncière".into()),
            }],
        },
    );
    room.run(
        &sec(),
        RoomCommand::SetPhase {
            phase: Phase::Published,
        },
    );
    room
}

#[test]
fn a_consultation_export_has_submissions_by_status_replies_synthesis_and_figures() {
    let room = consultation();
    let html = export(&room, ReaderKind::Member, Format::Html, Lang::Fr);
    for needle in [
        "Quelles priorités pour le financement ?",
        "Contributions publiées",
        "La sécurité foncière d’abord.",
        "D’accord, et l’eau.",
        "soutient",
        "Synthèse",
        "href=\"#s-",
        "Participation",
    ] {
        assert!(html.contains(needle), "{needle:?} missing in\n{html}");
    }
    assert!(
        !html.contains("SPAM"),
        "a rejected statement is never in a participant's export"
    );
    assert!(!html.contains("Non publiées"));
    let full = export(&room, ReaderKind::Moderating, Format::Html, Lang::Fr);
    assert!(full.contains("Non publiées"));
    assert!(full.contains("rejetée: Spam"));
    for format in Format::ALL {
        assert!(
            !export(&room, ReaderKind::Member, format, Lang::En).contains("SPAM"),
            "{format:?}"
        );
    }
}

#[test]
fn a_question_without_published_submissions_says_so() {
    let mut room = Room::new(RoomKind::Consultation, &["en"]);
    room.run(
        &sec(),
        RoomCommand::AddQuestion {
            text: "What is missing?".into(),
        },
    );
    let html = export(&room, ReaderKind::Member, Format::Html, Lang::En);
    assert!(
        html.contains("<h3><bdi>What is missing?</bdi></h3>"),
        "{html}"
    );
    assert!(html.contains("No published submissions."), "{html}");
    let md = export(&room, ReaderKind::Member, Format::Md, Lang::En);
    assert!(md.contains("*No published submissions.*"), "{md}");
}

#[test]
fn formats_and_languages_parse_and_default_to_the_rooms_main_language() {
    assert_eq!(Format::parse("akn").unwrap(), Format::Akn);
    assert!(Format::parse("pdf").is_err());
    let room = consultation();
    assert_eq!(choose_lang(None, &room.events).unwrap(), Lang::Fr);
    assert_eq!(choose_lang(Some("ar"), &room.events).unwrap(), Lang::Ar);
    assert!(choose_lang(Some("de"), &room.events).is_err());
    let doc = render(&room.events, ReaderKind::Member, Format::Akn, Lang::Fr).unwrap();
    assert_eq!(doc.file_name, "ffd-fr.akn.xml");
}

/// Writes each format of both rooms to `$BARAZA_EXPORT_SAMPLES` (for looking at them).
#[test]
fn samples_are_written_where_asked() {
    let Some(dir) = std::env::var_os("BARAZA_EXPORT_SAMPLES") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    for (name, room) in [
        ("roundtable", roundtable()),
        ("consultation", consultation()),
    ] {
        for format in Format::ALL {
            for (reader, who) in [
                (ReaderKind::Member, "public"),
                (ReaderKind::Moderating, "full"),
            ] {
                let doc = render(&room.events, reader, format, Lang::En).unwrap();
                std::fs::write(
                    dir.join(format!("{name}-{who}.{}", format.extension())),
                    doc.body,
                )
                .unwrap();
            }
        }
    }
}

#[test]
fn the_docx_export_is_deterministic() {
    let room = roundtable();
    let a = render(&room.events, ReaderKind::Member, Format::Docx, Lang::En).unwrap();
    let b = render(&room.events, ReaderKind::Member, Format::Docx, Lang::En).unwrap();
    if a.body != b.body {
        std::fs::write("/tmp/minutes-a.docx", &a.body).unwrap();
        std::fs::write("/tmp/minutes-b.docx", &b.body).unwrap();
    }
    assert!(a.body == b.body, "the same export gives the same bytes");
}

/// The roundtable with minutes drafted, circulated, corrected by their speaker and approved;
/// and the same room whose minutes are only circulated (a draft).
fn with_minutes(approve: bool) -> Room {
    let mut room = roundtable();
    let lang = LanguageTag::new("en").unwrap();
    let first = room.events.iter().find_map(|e| {
        matches!(
            e.envelope.body,
            baraza_proto::event::EventBody::StatementPosted { .. }
        )
        .then_some(e.envelope.seq)
    });
    let id = first.expect("a statement");
    let text = format!(
        "Minutes — Financing for development\n- Bruno, bruno network [#{id}]: Said debt \
         service exceeds all health spending.\nDRAFT-ONLY-MARK"
    );
    room.run(&sec(), RoomCommand::DraftMinutes { text, lang });
    let deadline = room.now + 3_600_000;
    room.run(&sec(), RoomCommand::CirculateMinutes { deadline });
    if approve {
        let correction = room.run(
            &bruno(),
            RoomCommand::ProposeMinutesCorrection {
                statement: id,
                passage: "exceeds all health spending".into(),
                replacement: "now exceeds health spending".into(),
            },
        );
        room.run(
            &sec(),
            RoomCommand::DecideMinutesCorrection {
                correction,
                accept: true,
                reason: "As delivered.".into(),
            },
        );
        room.run(&sec(), RoomCommand::ApproveMinutes);
    }
    room
}

#[test]
fn approved_minutes_are_in_every_format_and_drafts_in_none() {
    let approved = with_minutes(true);
    let seal = approved
        .state
        .minutes()
        .unwrap()
        .view()
        .sealed
        .clone()
        .unwrap();
    for format in [
        Format::Html,
        Format::Md,
        Format::Akn,
        Format::Json,
        Format::Docx,
    ] {
        for reader in [ReaderKind::Member, ReaderKind::Moderating] {
            let doc = export(&approved, reader, format, Lang::En);
            assert!(
                doc.contains("Said debt service now exceeds health spending."),
                "{format:?} {reader:?} lacks the corrected minutes"
            );
            assert!(
                doc.contains(&seal.sha256),
                "{format:?} lacks the seal's hash"
            );
        }
        let mut draft = export(
            &with_minutes(false),
            ReaderKind::Moderating,
            format,
            Lang::En,
        );
        if format == Format::Json {
            // The JSON export carries the record too, drafts as recorded; its summary does not.
            let doc: serde_json::Value = serde_json::from_str(&draft).unwrap();
            assert!(
                doc["summary"]["minutes"].is_null(),
                "a draft in the summary"
            );
            draft = doc["summary"].to_string();
        }
        assert!(
            !draft.contains("DRAFT-ONLY-MARK"),
            "{format:?} exports minutes that were never approved"
        );
    }
    let fr = export(&approved, ReaderKind::Member, Format::Html, Lang::Fr);
    assert!(
        fr.contains("<h2>Procès-verbal</h2>"),
        "the heading in French"
    );
    assert!(fr.contains("1 acceptée(s), 0 refusée(s)"));
}
