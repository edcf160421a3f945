//! The web client in a real browser: starts the real server, creates the rooms (a roundtable for
//! the room tests, a second one for the roundtable end-to-end run, a consultation), mints a token
//! for each role and a second participant, then runs the Node browser tests in `client-web/tests` (playwright-core driving
//! the system's Chromium) and fails if they fail.
//!
//! Needs `node`/`npm` and `/usr/bin/chromium` (`apt-get install -y chromium`, as `.ci/run`
//! does). Screenshots land in `tests/screenshots/` at the repository root.

use baraza_e2e::{Api, Client, NodeProcess, TokenSpec};
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::LanguageTag;
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const CHROMIUM: &str = "/usr/bin/chromium";
const ROOM: &str = "ffd-roundtable";
/// The roundtable the agenda, floor and console tests run in (`roundtable.test.js`).
const RT_ROOM: &str = "ffd-dialogue";

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
    drop(other);

    let started = Instant::now();
    // Inherited stdout and stderr: the Node runner's report streams straight to the console.
    let status = tokio::process::Command::new("node")
        .args(["--test", "--test-concurrency=1"])
        .current_dir(&dir)
        .env("BARAZA_URL", node.http_url())
        .env("BARAZA_ROOM", ROOM)
        .env("BARAZA_TOKEN_SECRETARIAT", &secretariat)
        .env("BARAZA_TOKEN_MODERATOR", &moderator)
        .env("BARAZA_TOKEN_PARTICIPANT", &participant)
        .env("BARAZA_TOKEN_PARTICIPANT2", &bruno)
        .env("BARAZA_RT_ROOM", RT_ROOM)
        .env("CHROMIUM_PATH", CHROMIUM)
        .status()
        .await
        .expect("run node --test: is Node installed?");
    eprintln!(
        "browser tests took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(status.success(), "the browser tests failed ({status})");
    node.stop().await;
}
