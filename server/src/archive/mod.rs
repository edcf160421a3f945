//! Archive bundles: one file holding an archived room's whole record, its exports and a
//! manifest with their hashes, which [`verify`] checks offline, without a server.
//!
//! A bundle is a POSIX tar file (ustar) written in one canonical way — fixed order, mode 0644,
//! owner 0, the archive time as every file's time — so that its bytes follow from its files:
//!
//! - `README.txt`: what the bundle is and how to check it by hand;
//! - `record.jsonl`: the room's record, one event a line, each line exactly the canonical JSON
//!   that was hashed into the chain (`hash = SHA-256(previous hash ‖ line)`, from 32 zero bytes);
//! - `exports/public/…` and `exports/full/…`: every export format in every language, for
//!   readers of the published record and for moderators ([`crate::export`]);
//! - `manifest.json`: format `baraza-bundle/1`, the room, its title, when it was archived, the
//!   record's head (seq and hash), the signer's Ed25519 public key, and every file before it
//!   with its size and SHA-256;
//! - `manifest.sig` (last): the Ed25519 signature of `manifest.json`'s bytes, in hex, by the
//!   node's key ([`key`]).
//!
//! [`verify`] checks the signature, every file against the manifest, the chain of
//! `record.jsonl` against the manifest's head, the manifest against the record, and that the
//! bundle's bytes are the canonical tar of its files: a change to any byte is found and named.
//! The format is described in docs/record.md.

use crate::domain::visibility::ReaderKind;
use crate::export::{self, Format, Lang, project};
use crate::record::{ChainVerifier, Head, RecordedEvent, StoredRow, chain_hash};
use baraza_proto::event::EventBody;
use baraza_proto::ids::{Millis, Seq};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;

/// The format name a manifest carries.
pub const FORMAT: &str = "baraza-bundle/1";
/// The manifest's path in the bundle.
pub const MANIFEST: &str = "manifest.json";
/// The record's path in the bundle.
pub const RECORD: &str = "record.jsonl";
/// The manifest's signature's path in the bundle.
pub const SIGNATURE: &str = "manifest.sig";
const README: &str = "README.txt";

pub mod key;

/// The manifest of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The room.
    pub room: String,
    /// Its title when archived.
    pub title: String,
    /// When it was archived (ms since the Unix epoch).
    pub archived_at: Millis,
    /// The record's last event.
    pub head: ManifestHead,
    /// The Ed25519 public key that signed the manifest, lowercase hex.
    pub signer: String,
    /// Every file of the bundle before the manifest, in bundle order.
    pub files: Vec<ManifestFile>,
}

/// The record's head as the manifest states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestHead {
    /// Seq of the last event (also the number of events).
    pub seq: Seq,
    /// Its hash, lowercase hex.
    pub hash: String,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Path in the bundle.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Only an archived room has a bundle.
    #[error("the room is not archived: archive it first")]
    NotArchived,
    /// The room has no record.
    #[error("the room has no record")]
    Empty,
    /// An export failed.
    #[error(transparent)]
    Export(#[from] export::ExportError),
    /// Writing the tar failed.
    #[error("writing the bundle: {0}")]
    Io(#[from] std::io::Error),
}

/// What is wrong with a bundle; each names what broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The file is not a readable tar.
    #[error("not a readable bundle (tar): {0}")]
    Unreadable(String),
    /// A file is missing.
    #[error("{0} is missing from the bundle")]
    Missing(String),
    /// A file appears twice, or is not a plain file.
    #[error("{0} is not a single plain file in the bundle")]
    Odd(String),
    /// A file the manifest does not list.
    #[error("{0} is in the bundle but not in the manifest")]
    Unlisted(String),
    /// The manifest does not parse, or is not the one this bundle's files make.
    #[error("manifest.json is not valid: {0}")]
    Manifest(String),
    /// A file's bytes are not the ones the manifest hashed.
    #[error("{path} was changed: its SHA-256 is {found}, the manifest says {expected}")]
    FileChanged {
        /// The file.
        path: String,
        /// What the manifest says.
        expected: String,
        /// What its bytes hash to.
        found: String,
    },
    /// The record's chain is broken.
    #[error("record.jsonl: {0}")]
    Chain(String),
    /// The record does not end where the manifest says.
    #[error("record.jsonl ends at seq {seq} with hash {hash}, the manifest says {expected}")]
    HeadMismatch {
        /// The record's last seq.
        seq: Seq,
        /// Its hash.
        hash: String,
        /// What the manifest states.
        expected: String,
    },
    /// The manifest's signature does not verify with the manifest's key.
    #[error("manifest.sig: {0}")]
    Signature(String),
    /// Bytes outside the files (tar headers, padding) were changed.
    #[error("the bundle's bytes differ from the canonical bundle of its files at byte {0}")]
    NotCanonical(usize),
}

/// What a verified bundle holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Its manifest.
    pub manifest: Manifest,
    /// How many files were checked (manifest included).
    pub files: usize,
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Writes the bundle of an archived room's whole record (`events`, in order, from seq 1),
/// signed with `key`.
///
/// Guarantees: the same record and key always give the same bytes; [`verify`] accepts them.
pub fn write(events: &[RecordedEvent], key: &SigningKey) -> Result<Vec<u8>, BundleError> {
    let state = project::fold(events);
    let info = state.info().ok_or(BundleError::Empty)?;
    let archived_at = info.archived_at.ok_or(BundleError::NotArchived)?;
    let last = events.last().ok_or(BundleError::Empty)?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    files.push((README.into(), readme(info.id.as_str()).into_bytes()));
    let mut record = String::new();
    for event in events {
        record.push_str(&event.canonical);
        record.push('\n');
    }
    files.push((RECORD.into(), record.into_bytes()));
    for (audience, reader) in [
        ("public", ReaderKind::Member),
        ("full", ReaderKind::Moderating),
    ] {
        for format in Format::ALL {
            for lang in Lang::ALL {
                let doc = export::render(events, reader, format, lang)?;
                files.push((format!("exports/{audience}/{}", doc.file_name), doc.body));
            }
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        room: info.id.to_string(),
        title: info.settings.title.clone(),
        archived_at,
        head: ManifestHead {
            seq: last.seq(),
            hash: hex::encode(last.hash),
        },
        signer: key::public_hex(key),
        files: files
            .iter()
            .map(|(path, bytes)| ManifestFile {
                path: path.clone(),
                bytes: bytes.len() as u64,
                sha256: sha256(bytes),
            })
            .collect(),
    };
    let manifest = manifest_bytes(&manifest);
    let signature = signature_text(&key.sign(&manifest).to_bytes());
    files.push((MANIFEST.into(), manifest));
    files.push((SIGNATURE.into(), signature));
    Ok(tar_of(&files, archived_at)?)
}

fn manifest_bytes(manifest: &Manifest) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(manifest).expect("a manifest always serializes");
    bytes.push(b'\n');
    bytes
}

/// The canonical tar of `files`, in order.
fn tar_of(files: &[(String, Vec<u8>)], archived_at: Millis) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    let mtime = u64::try_from(archived_at.div_euclid(1000)).unwrap_or(0);
    for (path, bytes) in files {
        let mut header = tar::Header::new_ustar();
        header.set_path(path)?;
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, bytes.as_slice())?;
    }
    builder.into_inner()
}

fn readme(room: &str) -> String {
    format!(
        "Baraza archive bundle ({FORMAT}) of room {room}.\n\n\
         record.jsonl   the room's record: one event a line, each line exactly the canonical JSON\n               \
         that was hashed. Event n's hash is SHA-256(hash of event n-1 || line n), starting\n               \
         from 32 zero bytes; the last hash is the head in manifest.json.\n\
         exports/       the record as documents (html, md, json, csv, akn = Akoma Ntoso 3.0, docx) in\n               \
         Arabic, Chinese, English, French, Russian and Spanish: public/ holds the published\n               \
         record, full/ the moderators' record with unpublished statements marked.\n\
         manifest.json  the room, its title, when it was archived, the head, the signer's Ed25519\n               \
         public key, and every file before it with its size and SHA-256.\n\
         manifest.sig   the Ed25519 signature of manifest.json, in hex.\n\n\
         To check it: baraza verify --bundle FILE. By hand: compare `sha256sum` of each file with\n\
         manifest.json, and recompute the chain of record.jsonl.\n"
    )
}

/// Checks a bundle offline: every file against the manifest, the record's chain against the
/// manifest's head, the manifest against the record, and the bundle's bytes against the
/// canonical bundle of its files.
///
/// Guarantees: accepts what [`write`] wrote; refuses a bundle with any byte changed, naming
/// the first thing found broken.
pub fn verify(bundle: &[u8]) -> Result<Verified, VerifyError> {
    let files = read_tar(bundle)?;
    let find = |path: &str| {
        files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, b)| b.as_slice())
            .ok_or_else(|| VerifyError::Missing(path.to_owned()))
    };
    let manifest_text = find(MANIFEST)?;
    let manifest: Manifest =
        serde_json::from_slice(manifest_text).map_err(|e| VerifyError::Manifest(e.to_string()))?;
    if manifest.format != FORMAT {
        return Err(VerifyError::Manifest(format!(
            "format {:?}, expected {FORMAT:?}",
            manifest.format
        )));
    }
    if manifest_bytes(&manifest) != manifest_text {
        return Err(VerifyError::Manifest(
            "its text is not the canonical text of its content".into(),
        ));
    }
    check_signature(&manifest, manifest_text, find(SIGNATURE)?)?;
    for file in &manifest.files {
        let bytes = find(&file.path)?;
        let found = sha256(bytes);
        if found != file.sha256 || bytes.len() as u64 != file.bytes {
            return Err(VerifyError::FileChanged {
                path: file.path.clone(),
                expected: file.sha256.clone(),
                found,
            });
        }
    }
    for (path, _) in &files {
        if path != MANIFEST && path != SIGNATURE && !manifest.files.iter().any(|f| &f.path == path)
        {
            return Err(VerifyError::Unlisted(path.clone()));
        }
    }
    let head = check_record(find(RECORD)?, &manifest)?;
    let expected = format!("seq {} hash {}", manifest.head.seq, manifest.head.hash);
    if head.seq != manifest.head.seq || hex::encode(head.hash) != manifest.head.hash {
        return Err(VerifyError::HeadMismatch {
            seq: head.seq,
            hash: hex::encode(head.hash),
            expected,
        });
    }
    let canonical =
        tar_of(&files, manifest.archived_at).map_err(|e| VerifyError::Unreadable(e.to_string()))?;
    if canonical != bundle {
        let at = canonical
            .iter()
            .zip(bundle)
            .position(|(a, b)| a != b)
            .unwrap_or(canonical.len().min(bundle.len()));
        return Err(VerifyError::NotCanonical(at));
    }
    Ok(Verified {
        files: files.len(),
        manifest,
    })
}

/// Checks `manifest.sig` (its exact bytes: lowercase hex and a newline) against the manifest's
/// bytes and the key the manifest names.
fn check_signature(manifest: &Manifest, text: &[u8], file: &[u8]) -> Result<(), VerifyError> {
    let bad = |e: &str| VerifyError::Signature(e.to_owned());
    if manifest.signer.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(bad("the manifest's signer is not in lowercase hex"));
    }
    let key: [u8; 32] = hex::decode(&manifest.signer)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| bad("the manifest's signer is not an Ed25519 public key"))?;
    let key = VerifyingKey::from_bytes(&key).map_err(|e| bad(&e.to_string()))?;
    let signature: [u8; 64] = std::str::from_utf8(file)
        .ok()
        .and_then(|s| s.strip_suffix('\n'))
        .and_then(|s| hex::decode(s).ok())
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| bad("not a signature in hex"))?;
    if signature_text(&signature) != file {
        return Err(bad("not in canonical form (lowercase hex and a newline)"));
    }
    key.verify_strict(text, &Signature::from_bytes(&signature))
        .map_err(|_| bad("the signature does not verify with the manifest's key"))
}

fn signature_text(signature: &[u8; 64]) -> Vec<u8> {
    format!("{}\n", hex::encode(signature)).into_bytes()
}

/// Every file of a tar, in order; refuses anything but single plain files.
fn read_tar(bundle: &[u8]) -> Result<Vec<(String, Vec<u8>)>, VerifyError> {
    let unreadable = |e: std::io::Error| VerifyError::Unreadable(e.to_string());
    let mut archive = tar::Archive::new(bundle);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in archive.entries().map_err(unreadable)? {
        let mut entry = entry.map_err(unreadable)?;
        let path = entry
            .path()
            .map_err(unreadable)?
            .to_string_lossy()
            .into_owned();
        if entry.header().entry_type() != tar::EntryType::Regular
            || files.iter().any(|(p, _)| *p == path)
        {
            return Err(VerifyError::Odd(path));
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(unreadable)?;
        files.push((path, bytes));
    }
    Ok(files)
}

/// Checks the chain of `record.jsonl` from the first event and that it is the record of the
/// manifest's room, archived when the manifest says, with its title; returns its head.
fn check_record(record: &[u8], manifest: &Manifest) -> Result<Head, VerifyError> {
    let text =
        std::str::from_utf8(record).map_err(|e| VerifyError::Chain(format!("not UTF-8: {e}")))?;
    let lines = text
        .strip_suffix('\n')
        .ok_or_else(|| VerifyError::Chain("does not end with a newline".into()))?;
    let mut verifier = ChainVerifier::new(manifest.room.clone());
    let mut events = Vec::new();
    for (i, line) in lines.split('\n').enumerate() {
        let prev = verifier.head().hash;
        let hash = chain_hash(&prev, line.as_bytes());
        let row = StoredRow {
            seq: i as Seq + 1,
            canonical: line.to_owned(),
            prev_hash: prev.to_vec(),
            hash: hash.to_vec(),
            // The bundle's record holds the commitments; the texts are in its exports.
            openings: Vec::new(),
            old_hash: None,
        };
        verifier
            .check(&row)
            .map_err(|e| VerifyError::Chain(e.to_string()))?;
        let event = RecordedEvent::from_stored(line.to_owned(), prev, hash)
            .map_err(|e| VerifyError::Chain(format!("line {}: {e}", i + 1)))?;
        events.push(event);
    }
    let state = project::fold(&events);
    let info = state
        .info()
        .ok_or_else(|| VerifyError::Chain("the record does not create a room".into()))?;
    let last_archived = events
        .last()
        .is_some_and(|e| matches!(e.envelope.body, EventBody::RoomArchived));
    if !last_archived || info.archived_at != Some(manifest.archived_at) {
        return Err(VerifyError::Manifest(
            "the record does not end with the archiving the manifest states".into(),
        ));
    }
    if info.settings.title != manifest.title {
        return Err(VerifyError::Manifest(format!(
            "title {:?}, the record says {:?}",
            manifest.title, info.settings.title
        )));
    }
    Ok(verifier.head())
}

#[cfg(test)]
mod tests;
