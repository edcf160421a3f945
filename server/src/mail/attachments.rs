//! Attachments stored content-addressed: `<data>/attachments/<sha256>`. The same file mailed
//! twice is stored once; a stored file is never changed (written to a temporary name, then
//! renamed).

use super::inbound::sha256;
use std::path::{Path, PathBuf};

/// The directory of attachments in the data directory.
pub fn dir(data: &Path) -> PathBuf {
    data.join("attachments")
}

/// Stores `bytes` and returns their SHA-256 (lowercase hex).
pub fn store(data: &Path, bytes: &[u8]) -> std::io::Result<String> {
    let hash = hex::encode(sha256(bytes));
    let dir = dir(data);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(&hash);
    if path.exists() {
        return Ok(hash);
    }
    let temporary = dir.join(format!(".{hash}.{}", std::process::id()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, &path)?;
    Ok(hash)
}

/// The bytes stored under `hash`, if any (the hash must be 64 hex digits).
pub fn load(data: &Path, hash: &str) -> Option<Vec<u8>> {
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    std::fs::read(dir(data).join(hash.to_ascii_lowercase())).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_is_stored_once_under_its_hash() {
        let data = tempfile::tempdir().expect("dir");
        let a = super::store(data.path(), b"%PDF-1.4 paper").expect("stored");
        let b = super::store(data.path(), b"%PDF-1.4 paper").expect("stored");
        assert_eq!(a, b);
        assert_eq!(
            super::load(data.path(), &a).as_deref(),
            Some(&b"%PDF-1.4 paper"[..])
        );
        assert_eq!(super::load(data.path(), "../../etc/passwd"), None);
    }
}
