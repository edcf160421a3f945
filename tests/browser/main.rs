//! The web client in a real browser: starts the real server, creates the rooms (a roundtable for
//! the room tests, a second one for the roundtable end-to-end run, a third for the chair's list
//! controls and the projector view, one the secretariat archives, one it redacts a statement
//! in, and consultations: an open
//! one, a published national one that rolled up into an open, pre-moderated regional one), mints
//! a token for each role and a second participant, then runs the Node browser tests in `client-web/tests` (playwright-core driving
//! the system's Chromium) and fails if they fail.
//!
//! A second node that starts empty serves the secretariat's workspace test (`workspace.test.js`),
//! which creates its consultations in the web client itself. The registry test
//! (`registry.test.js`) starts a third node itself, whose `--smtp-relay` is a real SMTP server
//! (aiosmtpd) it starts first: it gets the binary's path and the token secret from here.
//!
//! A women's caucus and its parent roundtable serve the caucus test (`caucus.test.js`).
//!
//! `BARAZA_BROWSER_TESTS=chair.test.js` (file names, space-separated) runs only those files.
//!
//! Needs `node`/`npm` and `/usr/bin/chromium` (`apt-get install -y chromium`, as `.ci/run`
//! does). Screenshots land in `tests/screenshots/` at the repository root.

use baraza_e2e::{Api, Client, NodeProcess, TokenSpec};
use baraza_proto::command::RoomCommand;
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::LanguageTag;
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const CHROMIUM: &str = "/usr/bin/chromium";
/// The regional consultation (`consultation.test.js`): open, pre-moderated, with an input.
const REGIONAL: &str = "africa-food";
/// The national consultation that fed it: published, its synthesis citing a submission.
const NATIONAL: &str = "ke-food";
const ROOM: &str = "ffd-roundtable";
/// The roundtable the agenda, floor and console tests run in (`roundtable.test.js`).
const RT_ROOM: &str = "ffd-dialogue";
/// The roundtable of the chair's list controls and the projector view (`chair.test.js`).
const CHAIR_ROOM: &str = "ffd-hearing";
/// The roundtable the secretariat archives in the browser (`record.test.js`).
const ARCHIVE_ROOM: &str = "ffd-closing";
/// The roundtable in which the secretariat redacts a statement (`redaction.test.js`).
const REDACT_ROOM: &str = "ffd-side-event";
/// The women's caucus of `caucus.test.js`, and the roundtable its joint statements go to.
const CAUCUS: &str = "women-caucus";
const CAUCUS_PARENT: &str = "ffd-gender";

fn client_tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("client-web")
        .join("tests")
}

/// `npm ci` when the test dependencies are not installed yet.
fn install_node_modules(dir: &Path) {
    if dir.join("node_modules/playwright-core").exists()
        && dir.join("node_modules/axe-core").exists()
    {
        return;
    }
    eprintln!("browser tests: installing playwright-core and axe-core (npm ci)");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .expect("run npm ci: is Node installed? (.ci/run installs what is missing)");
    assert!(status.success(), "npm ci failed in {}", dir.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_web_client_works_in_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: the browser tests need Debian's chromium package. \
         Run `apt-get install -y chromium` (or `.ci/run`, which installs it)."
    );
    let dir = client_tests_dir();
    install_node_modules(&dir);

    let node = NodeProcess::start().await;
    let secretariat = TokenSpec::new("sec-1", Role::Secretariat).sign();
    let moderator = TokenSpec::new("ana", Role::Moderator).sign();
    let participant = TokenSpec::new("amina", Role::Participant)
        .from_org("Kenya Land Alliance", Constituency::Farmers, "KE")
        .sign();
    let bruno = TokenSpec::new("bruno", Role::Participant)
        .from_org("Rede Cerrado", Constituency::Ngos, "BR")
        .sign();
    let api = Api::new(node.http_url(), secretariat.clone());
    let languages = ["en", "fr", "ar", "es", "ru", "zh"]
        .map(|l| LanguageTag::new(l).expect("language"))
        .to_vec();
    api.create_room(
        ROOM,
        &RoomSettings {
            kind: RoomKind::Roundtable,
            title: "Financing for development: global roundtable".into(),
            description: String::new(),
            languages: languages.clone(),
            scope: Scope::Global,
            constituency: None,
            audience_above: None,
        },
    )
    .await;
    api.create_room(
        RT_ROOM,
        &RoomSettings {
            kind: RoomKind::Roundtable,
            title: "Financing for development: multi-stakeholder dialogue".into(),
            description: String::new(),
            languages: languages.clone(),
            scope: Scope::Global,
            constituency: None,
            audience_above: None,
        },
    )
    .await;
    api.create_room(
        CHAIR_ROOM,
        &RoomSettings {
            kind: RoomKind::Roundtable,
            title: "Financing for development: hearing with civil society".into(),
            description: String::new(),
            languages: languages.clone(),
            scope: Scope::Global,
            constituency: None,
            audience_above: None,
        },
    )
    .await;
    api.create_room(
        "youth-consultation",
        &RoomSettings {
            kind: RoomKind::Consultation,
            title: "Youth consultation on climate finance".into(),
            description: String::new(),
            languages,
            scope: Scope::Global,
            constituency: None,
            audience_above: None,
        },
    )
    .await;
    // One statement whose text only a careful client shows and hashes right: markup that must
    // stay text, quotes, a newline, Arabic, Chinese and an emoji.
    let (mut other, _) = Client::signed_in(&node.ws_url(), &bruno).await;
    other.join(ROOM, None).await;
    other
        .post(
            ROOM,
            "seed-1",
            "<b>Not markup</b> \"quoted\" — نؤيد هذا الموقف — 我们支持\nsecond line 🌍",
            None,
        )
        .await;
    // The room `record.test.js` archives, with one statement in it.
    api.create_room(
        ARCHIVE_ROOM,
        &RoomSettings {
            kind: RoomKind::Roundtable,
            title: "Financing for development: closing session".into(),
            description: String::new(),
            languages: ["en", "ar"]
                .map(|l| LanguageTag::new(l).expect("language"))
                .to_vec(),
            scope: Scope::Global,
            constituency: None,
            audience_above: None,
        },
    )
    .await;
    other.join(ARCHIVE_ROOM, None).await;
    other
        .post(
            ARCHIVE_ROOM,
            "seed-2",
            "We close with a call for debt relief.",
            None,
        )
        .await;
    // The room `redaction.test.js` redacts a statement in; another statement stays.
    api.create_room(
        REDACT_ROOM,
        &RoomSettings {
            kind: RoomKind::Roundtable,
            title: "Financing for development: side event".into(),
            description: String::new(),
            languages: ["en", "fr"]
                .map(|l| LanguageTag::new(l).expect("language"))
                .to_vec(),
            scope: Scope::Global,
            constituency: None,
            audience_above: None,
        },
    )
    .await;
    other.join(REDACT_ROOM, None).await;
    for (key, text) in [
        (
            "seed-3",
            "My name is Bruno Costa and I live at Rua das Flores 12, Goiânia.",
        ),
        ("seed-4", "Tax cooperation must include the global South."),
    ] {
        other.post(REDACT_ROOM, key, text, None).await;
    }
    drop(other);

    set_up_consultations(&node, &api, &secretariat, &participant).await;
    // The caucus test (`caucus.test.js`): a women's caucus and its parent roundtable, both
    // empty; the test names the parent, elects, drafts and adopts in the browser.
    for (id, kind, title, constituency) in [
        (
            CAUCUS_PARENT,
            RoomKind::Roundtable,
            "Financing for development: gender equality",
            None,
        ),
        (
            CAUCUS,
            RoomKind::Caucus,
            "Women's major group",
            Some(Constituency::Women),
        ),
    ] {
        api.create_room(
            id,
            &RoomSettings {
                kind,
                title: title.into(),
                description: String::new(),
                languages: vec![LanguageTag::new("en").expect("language")],
                scope: Scope::Global,
                constituency,
                audience_above: None,
            },
        )
        .await;
    }
    let woman = |sub: &str, org: &str| {
        TokenSpec::new(sub, Role::Participant)
            .from_org(org, Constituency::Women, "SN")
            .sign()
    };
    let fatou = woman("fatou", "Femmes Africa");
    let lucia = woman("lucia", "Red de Mujeres");

    // The secretariat's workspace test (`workspace.test.js`) starts from a node with no rooms.
    let empty = NodeProcess::start().await;
    let rita = TokenSpec::new("rita", Role::Participant)
        .from_org("Mazingira Institute", Constituency::Ngos, "KE")
        .sign();
    let nadia = TokenSpec::new("nadia", Role::Participant).sign();
    let lerato = TokenSpec::new("press-lerato", Role::Observer).sign();
    let wanjiru = TokenSpec::new("wanjiru", Role::Participant)
        .from_org(
            "Kenya Youth Climate Network",
            Constituency::ChildrenYouth,
            "KE",
        )
        .sign();

    let started = Instant::now();
    // `BARAZA_BROWSER_TESTS=chair.test.js` runs only the files named (space-separated).
    let only: Vec<String> = std::env::var("BARAZA_BROWSER_TESTS")
        .map(|v| v.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    // Inherited stdout and stderr: the Node runner's report streams straight to the console.
    let status = tokio::process::Command::new("node")
        .args(["--test", "--test-concurrency=1"])
        .args(&only)
        .current_dir(&dir)
        .env("BARAZA_URL", node.http_url())
        .env("BARAZA_ROOM", ROOM)
        .env("BARAZA_TOKEN_SECRETARIAT", &secretariat)
        .env("BARAZA_TOKEN_MODERATOR", &moderator)
        .env("BARAZA_TOKEN_PARTICIPANT", &participant)
        .env("BARAZA_TOKEN_PARTICIPANT2", &bruno)
        .env("BARAZA_RT_ROOM", RT_ROOM)
        .env("BARAZA_CHAIR_ROOM", CHAIR_ROOM)
        .env("BARAZA_TOKEN_PARTICIPANT3", &wanjiru)
        .env("BARAZA_ARCHIVE_ROOM", ARCHIVE_ROOM)
        .env("BARAZA_REDACT_ROOM", REDACT_ROOM)
        .env("BARAZA_CONSULTATION", REGIONAL)
        .env("BARAZA_CHILD_CONSULTATION", NATIONAL)
        .env("BARAZA_EMPTY_URL", empty.http_url())
        .env("BARAZA_TOKEN_RAPPORTEUR", &rita)
        .env("BARAZA_TOKEN_NO_ORG", &nadia)
        .env("BARAZA_CAUCUS", CAUCUS)
        .env("BARAZA_CAUCUS_PARENT", CAUCUS_PARENT)
        .env("BARAZA_TOKEN_WOMAN1", &fatou)
        .env("BARAZA_TOKEN_WOMAN2", &lucia)
        .env("BARAZA_TOKEN_OBSERVER", &lerato)
        .env("CHROMIUM_PATH", CHROMIUM)
        // The registry test (`registry.test.js`) starts its own node, with an SMTP relay of
        // its own (a real aiosmtpd server it starts on a free port).
        .env("BARAZA_BINARY", baraza_e2e::node::binary())
        .env("BARAZA_JWT_SECRET", baraza_e2e::tokens::TEST_SECRET)
        .status()
        .await
        .expect("run node --test: is Node installed?");
    eprintln!(
        "browser tests took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(status.success(), "the browser tests failed ({status})");
    node.stop().await;
    empty.stop().await;
}

/// Sends a command given as JSON and panics if it is refused; returns its seq.
async fn send(
    client: &mut Client,
    room: &str,
    key: Option<&str>,
    command: serde_json::Value,
) -> u64 {
    let command: RoomCommand = serde_json::from_value(command.clone())
        .unwrap_or_else(|e| panic!("not a command: {command}: {e}"));
    client
        .command(room, key, command)
        .await
        .unwrap_or_else(|refusal| panic!("refused in {room}: {refusal:?}"))
        .0
}

/// Opens `youth-consultation` with a question; creates the regional consultation (open,
/// pre-moderated) and a national one under it, in which Amina submits a statement that the
/// published synthesis cites, so the regional one holds an input with its chain.
async fn set_up_consultations(node: &NodeProcess, api: &Api, secretariat: &str, amina: &str) {
    let settings = |title: &str, scope: serde_json::Value| -> RoomSettings {
        serde_json::from_value(serde_json::json!({
            "kind": "consultation", "title": title, "description": "",
            "languages": ["en", "fr", "ar", "es", "ru", "zh"], "scope": scope,
        }))
        .expect("consultation settings")
    };
    api.create_room(
        REGIONAL,
        &settings(
            "African regional consultation on food systems",
            serde_json::json!({"level": "region", "region": "african"}),
        ),
    )
    .await;
    api.create_room(
        NATIONAL,
        &settings(
            "Kenya national consultation on food systems",
            serde_json::json!({"level": "country", "country": "KE"}),
        ),
    )
    .await;
    let (mut sec, _) = Client::signed_in(&node.ws_url(), secretariat).await;
    for room in ["youth-consultation", REGIONAL, NATIONAL] {
        sec.join(room, None).await;
        let question = if room == "youth-consultation" {
            "¿Cómo debe llegar la financiación climática a las organizaciones juveniles?"
        } else {
            "What must change first in how food is produced?"
        };
        let key = format!("q-{room}");
        send(
            &mut sec,
            room,
            Some(&key),
            serde_json::json!({"type": "add_question", "text": question}),
        )
        .await;
    }
    send(
        &mut sec,
        REGIONAL,
        None,
        serde_json::json!({"type": "set_moderation", "mode": "pre"}),
    )
    .await;
    send(
        &mut sec,
        NATIONAL,
        None,
        serde_json::json!({"type": "set_parent", "parent": REGIONAL}),
    )
    .await;
    for room in ["youth-consultation", REGIONAL, NATIONAL] {
        send(
            &mut sec,
            room,
            None,
            serde_json::json!({"type": "set_phase", "phase": "open"}),
        )
        .await;
    }
    let view = api.get(&format!("/api/rooms/{NATIONAL}")).await.1;
    let question = view["state"]["consultation"]["questions"][0]["id"]
        .as_u64()
        .expect("a question id");
    let (mut author, _) = Client::signed_in(&node.ws_url(), amina).await;
    author.join(NATIONAL, None).await;
    let statement = send(
        &mut author,
        NATIONAL,
        Some("ke-1"),
        serde_json::json!({
            "type": "post_statement", "lang": "en", "question": question,
            "text": "Secure, collective land tenure for smallholder farmers must come first.",
        }),
    )
    .await;
    for phase in ["closed", "synthesis"] {
        send(
            &mut sec,
            NATIONAL,
            None,
            serde_json::json!({"type": "set_phase", "phase": phase}),
        )
        .await;
    }
    send(
        &mut sec,
        NATIONAL,
        None,
        serde_json::json!({
            "type": "draft_synthesis",
            "text": "Kenyan organisations put secure, collective land tenure first.",
            "citations": [{"statement": statement, "excerpt": "collective land tenure"}],
        }),
    )
    .await;
    send(
        &mut sec,
        NATIONAL,
        None,
        serde_json::json!({"type": "set_phase", "phase": "published"}),
    )
    .await;
    // The roll-up reaches the regional consultation shortly after publication.
    for _ in 0..100 {
        let view = api.get(&format!("/api/rooms/{REGIONAL}")).await.1;
        if view["state"]["consultation"]["inputs"]
            .as_array()
            .is_some_and(|i| !i.is_empty())
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the national synthesis did not reach {REGIONAL}");
}
