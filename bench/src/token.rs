//! HS256 tokens for the members the generator plays, signed with the secret it starts servers with.

use crate::error::Result;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

/// The HS256 secret every server the generator starts is given as `BARAZA_JWT_SECRET`.
pub const BENCH_SECRET: &str = "baraza-bench-secret-not-for-production-0123456789";

/// A token for `sub` with `role` (`secretariat`, `moderator`, `participant`), valid for a day.
pub fn mint(sub: &str, role: &str) -> Result<String> {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = json!({
        "sub": sub,
        "name": sub,
        "role": role,
        "iss": "baraza",
        "aud": "baraza",
        "iat": now,
        "exp": now + 86_400,
    });
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(BENCH_SECRET.as_bytes()),
    )?)
}
