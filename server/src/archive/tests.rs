//! Tests of bundles on a record built through the domain.

use super::*;
use crate::domain::{Actor, Command, RoomState, decide, evolve};
use crate::record::GENESIS;
use baraza_proto::command::RoomCommand;
use baraza_proto::event::EventEnvelope;
use baraza_proto::identity::{Profile, Role};
use baraza_proto::ids::{IdempotencyKey, LanguageTag, RoomId, UserId};
use baraza_proto::room::{RoomKind, RoomSettings, Scope};
use ed25519_dalek::SigningKey;

fn person(user: &str, role: Role) -> Profile {
    Profile {
        user: UserId::new(user).unwrap(),
        name: user.to_uppercase(),
        role,
        org: None,
        constituency: None,
        country: None,
        region: None,
    }
}

fn record(archive: bool) -> Vec<RecordedEvent> {
    let mut state = RoomState::default();
    let mut events: Vec<RecordedEvent> = Vec::new();
    let sec = Actor::Person(person("sec", Role::Secretariat));
    let amina = Actor::Person(person("amina", Role::Participant));
    let settings = RoomSettings {
        kind: RoomKind::Roundtable,
        title: "Archived dialogue".into(),
        description: String::new(),
        languages: vec![LanguageTag::new("en").unwrap()],
        scope: Scope::Global,
        constituency: None,
        audience_above: None,
    };
    let post = Command::Room {
        key: Some(IdempotencyKey::new("k1").unwrap()),
        command: RoomCommand::PostStatement {
            text: "Land first.".into(),
            lang: LanguageTag::new("en").unwrap(),
            parent: None,
            agenda_item: None,
            question: None,
            alignment: None,
        },
    };
    let mut steps = vec![
        (sec.clone(), Command::Create(settings)),
        (sec.clone(), Command::Join),
        (amina.clone(), Command::Join),
        (amina.clone(), post),
    ];
    if archive {
        steps.push((
            sec.clone(),
            Command::Room {
                key: None,
                command: RoomCommand::ArchiveRoom,
            },
        ));
    }
    for (i, (actor, command)) in steps.into_iter().enumerate() {
        let now = 1_795_000_000_000 + i as i64 * 1000;
        for body in decide(&state, &actor, &command, now).expect("accepted") {
            let envelope = EventEnvelope {
                room: RoomId::new("ffd-archive").unwrap(),
                seq: state.seq() + 1,
                ts: now,
                actor: match &actor {
                    Actor::Person(p) => Some(p.user.clone()),
                    Actor::System => None,
                },
                key: None,
                body,
            };
            evolve(&mut state, &envelope);
            let prev = events.last().map_or(GENESIS, |e| e.hash);
            events.push(RecordedEvent::seal(envelope, prev));
        }
    }
    events
}

fn node_key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

#[test]
fn a_bundle_verifies_and_holds_the_record_and_every_export() {
    // Texts are committed to under random salts, so one record is written twice.
    let events = record(true);
    let bundle = write(&events, &node_key()).expect("bundle");
    assert_eq!(
        write(&events, &node_key()).unwrap(),
        bundle,
        "deterministic"
    );
    let verified = verify(&bundle).expect("verifies");
    assert_eq!(verified.manifest.room, "ffd-archive");
    assert_eq!(verified.manifest.head.seq, 5);
    // README, record, 2 audiences × 6 formats × 6 languages, manifest, signature.
    assert_eq!(verified.files, 1 + 1 + 72 + 1 + 1);
    assert_eq!(verified.manifest.signer, key::public_hex(&node_key()));
    assert!(
        verified
            .manifest
            .files
            .iter()
            .any(|f| f.path == "exports/public/ffd-archive-ar.html")
    );
}

#[test]
fn an_open_room_has_no_bundle() {
    assert!(matches!(
        write(&record(false), &node_key()),
        Err(BundleError::NotArchived)
    ));
}

#[test]
fn every_changed_byte_is_found() {
    let bundle = write(&record(true), &node_key()).expect("bundle");
    // A byte in a tar header, in a file, in the manifest, in padding and in the end blocks.
    let manifest_at = bundle
        .windows(8)
        .rposition(|w| w == b"\"format\"")
        .expect("manifest text");
    // The record holds commitments, not texts (the texts are in the exports).
    let record_at = bundle
        .windows(17)
        .position(|w| w == b"\"text_commitment\"")
        .expect("statement commitment");
    for at in [
        0,
        100,
        600,
        record_at + 2,
        manifest_at + 3,
        bundle.len() - 1,
    ] {
        let mut broken = bundle.clone();
        broken[at] ^= 0x01;
        let error = verify(&broken).expect_err("a changed byte is found");
        assert!(!error.to_string().is_empty(), "{at}: {error}");
    }
    // And bytes spread over the whole bundle.
    for at in (0..bundle.len()).step_by(bundle.len() / 150 + 1) {
        let mut broken = bundle.clone();
        broken[at] ^= 0x80;
        assert!(
            verify(&broken).is_err(),
            "a change at byte {at} went unnoticed"
        );
    }
    let mut broken = bundle.clone();
    broken[record_at + 2] ^= 0x01;
    assert!(
        matches!(verify(&broken), Err(VerifyError::FileChanged { ref path, .. }) if path == RECORD),
        "{:?}",
        verify(&broken)
    );
}

#[test]
fn an_archived_room_refuses_commands_but_may_be_entered() {
    let events = record(true);
    let state = crate::export::project::fold(&events);
    let amina = Actor::Person(person("amina", Role::Participant));
    let post = Command::Room {
        key: Some(IdempotencyKey::new("k2").unwrap()),
        command: RoomCommand::PostStatement {
            text: "Too late.".into(),
            lang: LanguageTag::new("en").unwrap(),
            parent: None,
            agenda_item: None,
            question: None,
            alignment: None,
        },
    };
    assert_eq!(
        decide(&state, &amina, &post, 0),
        Err(crate::domain::Rejection::Archived)
    );
    assert_eq!(
        crate::domain::Rejection::Archived.code().as_str(),
        "room_archived"
    );
    assert_eq!(decide(&state, &amina, &Command::Join, 0), Ok(vec![]));
    assert_eq!(
        state.present_members().count(),
        0,
        "nobody is in a closed room"
    );
    assert_eq!(state.summary().map(|s| s.present), Some(0));
    assert_eq!(
        decide(&state, &Actor::System, &Command::Archive, 0),
        Err(crate::domain::Rejection::Archived)
    );
}

#[test]
fn a_bundle_signed_by_another_key_than_its_manifest_names_is_refused() {
    let events = record(true);
    let bundle = write(&events, &node_key()).expect("bundle");
    let other = write(&events, &SigningKey::from_bytes(&[9; 32])).expect("bundle");
    // Put the other key's signature into the first bundle: same length, another key.
    let at = |b: &[u8]| {
        b.windows(SIGNATURE.len())
            .rposition(|w| w == SIGNATURE.as_bytes())
            .expect("the signature's header")
            + 512
    };
    let mut forged = bundle.clone();
    let (a, b) = (at(&bundle), at(&other));
    forged[a..a + 129].copy_from_slice(&other[b..b + 129]);
    assert!(
        matches!(verify(&forged), Err(VerifyError::Signature(_))),
        "{:?}",
        verify(&forged)
    );
    let dir = tempfile::tempdir().unwrap();
    let first = key::load_or_create(dir.path()).unwrap();
    let again = key::load_or_create(dir.path()).unwrap();
    assert_eq!(
        key::public_hex(&first),
        key::public_hex(&again),
        "the key is kept"
    );
}
