//! The node's Ed25519 key that signs archive bundles: created on first use in the data
//! directory (`archive-signing.key`, the 32-byte seed in hex, readable by its owner only); its
//! public half is published at `GET /.well-known/baraza-archive-key`.

use crate::auth::{AuthError, write_private};
use ed25519_dalek::SigningKey;
use std::path::Path;

/// The key's file in the data directory.
pub const KEY_FILE: &str = "archive-signing.key";

/// The node's signing key, created in `data_dir` if it has none yet.
pub fn load_or_create(data_dir: &Path) -> Result<SigningKey, AuthError> {
    let path = data_dir.join(KEY_FILE);
    let bad = |e: String| AuthError::Keys(format!("{}: {e}", path.display()));
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let seed: [u8; 32] = hex::decode(text.trim())
                .map_err(|e| bad(e.to_string()))?
                .try_into()
                .map_err(|_| bad("not a 32-byte key".into()))?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir)
                .map_err(|e| AuthError::Keys(format!("{}: {e}", data_dir.display())))?;
            let seed: [u8; 32] = rand::random();
            write_private(&path, &hex::encode(seed))?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) => Err(bad(e.to_string())),
    }
}

/// The public key of `key`, lowercase hex (64 characters).
pub fn public_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_bytes())
}
