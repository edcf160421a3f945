//! Tokens: verifying the JWT a client presents, and minting tokens for local use.
//!
//! The algorithm is pinned: HS256 with the server's own secret (generated once into the data
//! directory, or `BARAZA_JWT_SECRET`), or RS256/EdDSA with the public key of an outside identity
//! provider. `exp`, `nbf`, `iss`, `aud` and `sub` are checked; a token signed with any other
//! algorithm (including `none`) is refused before its signature is looked at. `exp` must lie
//! before the year 10000, and the `name` and `org` claims follow the rules for names of
//! [`crate::domain::text`] (normalised; no control, bidi or invisible-only names); a token that
//! breaks them is refused with `token_claims` saying why.

use crate::domain::{geo, text};
use baraza_proto::error::ErrorCode;
use baraza_proto::identity::{Constituency, Profile, Role};
use baraza_proto::ids::{CountryCode, Millis, UserId};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// File in the data directory that holds the generated HS256 secret.
pub const SECRET_FILE: &str = "jwt-secret";
/// Seconds of clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECS: u64 = 30;
const MIN_SECRET_BYTES: usize = 32;
/// The latest `exp` accepted (9999-12-31T23:59:59Z): later ones are refused, so every expiry
/// fits in milliseconds since the epoch (a signed 64-bit number).
pub const MAX_EXP_SECS: u64 = 253_402_300_799;
/// Most characters of a display name (the `name` claim).
pub const MAX_NAME_CHARS: usize = 120;
/// Most characters of an organisation (the `org` claim).
pub const MAX_ORG_CHARS: usize = 200;
/// Longest e-mail address taken from a token (RFC 5321 path limit).
const MAX_EMAIL_CHARS: usize = 254;

/// Why a token was refused, or keys could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Not a well-formed JWT, or the signature does not verify.
    #[error("the token is not valid: {0}")]
    Invalid(String),
    /// `exp` has passed.
    #[error("the token has expired")]
    Expired,
    /// `nbf` is still in the future.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// Signed with an algorithm this server does not accept.
    #[error("the token is signed with {found}; this server accepts only {expected}")]
    Algorithm {
        /// The token's `alg`.
        found: String,
        /// The pinned algorithm.
        expected: String,
    },
    /// Issuer, audience, role, country or another claim is wrong.
    #[error("the token's claims are not acceptable: {0}")]
    Claims(String),
    /// The server cannot mint tokens (it verifies an outside provider's tokens).
    #[error("this server verifies tokens from an outside provider and cannot mint them")]
    CannotMint,
    /// Keys could not be loaded or created.
    #[error("key setup failed: {0}")]
    Keys(String),
}

impl AuthError {
    /// The wire error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            AuthError::Invalid(_) | AuthError::CannotMint | AuthError::Keys(_) => {
                ErrorCode::TokenInvalid
            }
            AuthError::Expired => ErrorCode::TokenExpired,
            AuthError::NotYetValid => ErrorCode::TokenNotYetValid,
            AuthError::Algorithm { .. } => ErrorCode::TokenAlgorithm,
            AuthError::Claims(_) => ErrorCode::TokenClaims,
        }
    }
}

/// Where verification keys come from.
#[derive(Clone)]
pub enum KeySource {
    /// HS256 with a shared secret (at least 32 bytes); this server can also mint.
    Secret(Vec<u8>),
    /// An outside provider's public key (PEM) for RS256 or EdDSA; verification only.
    PublicKey {
        /// RS256 or EdDSA.
        algorithm: Algorithm,
        /// The PEM text.
        pem: Vec<u8>,
    },
}

/// The claims of a Baraza token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Stable user id.
    pub sub: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Constituency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constituency: Option<Constituency>,
    /// ISO 3166-1 alpha-2 country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Not before (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// Issued at (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// E-mail address (the OpenID Connect claim), set by outside identity providers; the
    /// registry matches its people by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the provider verified `email` (OpenID Connect); `false` means it is not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
}

/// A verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Who the token speaks for, with region derived from country.
    pub profile: Profile,
    /// The token's e-mail address, unless its provider said it is unverified: what the
    /// registry matches an outside identity to (`registry::access::resolve`).
    pub email: Option<String>,
    /// When the token expires (ms since the epoch).
    pub expires_at: Millis,
}

/// What `baraza token` asks for.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// User id.
    pub sub: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Organisation.
    pub org: Option<String>,
    /// Constituency.
    pub constituency: Option<Constituency>,
    /// Country.
    pub country: Option<String>,
    /// Lifetime in seconds.
    pub ttl_secs: u64,
}

/// Verifies (and, with a secret, mints) tokens.
pub struct Authenticator {
    algorithm: Algorithm,
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    invitations: Validation,
}

/// The claims of a registry sign-in link's code: a token for the audience `<aud>:invitation`
/// that names one invitation. It is never accepted as a session token (wrong audience); the
/// registry's record says whether it is still usable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct InvitationClaims {
    sub: String,
    iss: String,
    aud: String,
    exp: u64,
    iat: u64,
}

/// The prefix of an invitation code's `sub`.
const INVITATION_SUB: &str = "invitation:";

impl Authenticator {
    /// Sets up verification with `keys`, expecting `issuer` and `audience`.
    pub fn new(keys: KeySource, issuer: &str, audience: &str) -> Result<Authenticator, AuthError> {
        let (algorithm, decoding, encoding) = match keys {
            KeySource::Secret(secret) => {
                if secret.len() < MIN_SECRET_BYTES {
                    return Err(AuthError::Keys(format!(
                        "the HS256 secret needs at least {MIN_SECRET_BYTES} bytes"
                    )));
                }
                (
                    Algorithm::HS256,
                    DecodingKey::from_secret(&secret),
                    Some(EncodingKey::from_secret(&secret)),
                )
            }
            KeySource::PublicKey {
                algorithm: Algorithm::RS256,
                pem,
            } => {
                let key = DecodingKey::from_rsa_pem(&pem)
                    .map_err(|e| AuthError::Keys(format!("RSA public key: {e}")))?;
                (Algorithm::RS256, key, None)
            }
            KeySource::PublicKey {
                algorithm: Algorithm::EdDSA,
                pem,
            } => {
                let key = DecodingKey::from_ed_pem(&pem)
                    .map_err(|e| AuthError::Keys(format!("Ed25519 public key: {e}")))?;
                (Algorithm::EdDSA, key, None)
            }
            KeySource::PublicKey { algorithm, .. } => {
                return Err(AuthError::Keys(format!(
                    "{algorithm:?} is not supported; use RS256 or EdDSA"
                )));
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // The registry's record is the authority on an invitation's expiry (time is an
        // argument there); the signature only proves the server issued the code.
        let mut invitations = Validation::new(algorithm);
        invitations.validate_exp = false;
        invitations.set_issuer(&[issuer]);
        invitations.set_audience(&[format!("{audience}:invitation")]);
        invitations.set_required_spec_claims(&["iss", "aud", "sub"]);
        Ok(Authenticator {
            algorithm,
            decoding,
            encoding,
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            invitations,
        })
    }

    /// Verifies `token` and builds the profile it speaks for.
    pub fn verify(&self, token: &str) -> Result<Verified, AuthError> {
        self.check_algorithm(token)?;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(classify)?;
        let claims = data.claims;
        // The subject is an identity key, so it is never rewritten: it must already be what the
        // name rules would make of it (no control, bidi or invisible characters; NFC; trimmed).
        match text::clean_name("user id (sub)", &claims.sub) {
            Ok(clean) if clean == claims.sub => {}
            Ok(_) => {
                return Err(AuthError::Claims(
                    "the user id (sub) must be trimmed and in Unicode NFC".into(),
                ));
            }
            Err(e) => return Err(AuthError::Claims(e.to_string())),
        }
        let user = UserId::new(claims.sub).map_err(|e| AuthError::Claims(e.to_string()))?;
        if claims.exp > MAX_EXP_SECS {
            return Err(AuthError::Claims(format!(
                "exp {} is out of range: it must be at most {MAX_EXP_SECS} (the end of year 9999)",
                claims.exp
            )));
        }
        let name = text::name("name", &claims.name, MAX_NAME_CHARS)
            .map_err(|e| AuthError::Claims(e.to_string()))?;
        let country = match claims.country {
            None => None,
            Some(code) => {
                let code = CountryCode::new(code).map_err(|e| AuthError::Claims(e.to_string()))?;
                if !geo::is_assigned(code.as_str()) {
                    return Err(AuthError::Claims(format!(
                        "{code} is not an assigned country code"
                    )));
                }
                Some(code)
            }
        };
        let region = country.as_ref().and_then(geo::region_of);
        let org = match claims.org.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(org) => Some(
                text::name("org", org, MAX_ORG_CHARS)
                    .map_err(|e| AuthError::Claims(e.to_string()))?,
            ),
        };
        let profile = Profile {
            user,
            name,
            role: claims.role,
            org,
            constituency: claims.constituency,
            country,
            region,
        };
        let email = match claims.email_verified {
            Some(false) => None,
            _ => claims
                .email
                .map(|e| e.trim().to_owned())
                .filter(|e| e.contains('@') && e.len() <= MAX_EMAIL_CHARS),
        };
        Ok(Verified {
            profile,
            email,
            // In range: exp is at most MAX_EXP_SECS, so this is far below Millis::MAX.
            expires_at: claims.exp as Millis * 1000,
        })
    }

    /// Mints a token for local use, valid from `now_secs` for the requested lifetime.
    pub fn mint(&self, request: &TokenRequest, now_secs: u64) -> Result<String, AuthError> {
        let encoding = self.encoding.as_ref().ok_or(AuthError::CannotMint)?;
        let claims = Claims {
            sub: request.sub.clone(),
            name: request.name.clone(),
            role: request.role,
            org: request.org.clone(),
            constituency: request.constituency,
            country: request.country.clone(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now_secs + request.ttl_secs,
            nbf: Some(now_secs),
            iat: Some(now_secs),
            email: None,
            email_verified: None,
        };
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, encoding)
            .map_err(|e| AuthError::Keys(e.to_string()))
    }

    /// Signs the code of a sign-in link for invitation `invitation`, expiring at `exp_secs`.
    pub fn mint_invitation(
        &self,
        invitation: u64,
        exp_secs: u64,
        now_secs: u64,
    ) -> Result<String, AuthError> {
        let encoding = self.encoding.as_ref().ok_or(AuthError::CannotMint)?;
        let claims = InvitationClaims {
            sub: format!("{INVITATION_SUB}{invitation}"),
            iss: self.issuer.clone(),
            aud: format!("{}:invitation", self.audience),
            exp: exp_secs,
            iat: now_secs,
        };
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, encoding)
            .map_err(|e| AuthError::Keys(e.to_string()))
    }

    /// The invitation a sign-in link's code names, if this server signed it.
    pub fn verify_invitation(&self, code: &str) -> Result<u64, AuthError> {
        self.check_algorithm(code)?;
        let data =
            jsonwebtoken::decode::<InvitationClaims>(code, &self.decoding, &self.invitations)
                .map_err(classify)?;
        data.claims
            .sub
            .strip_prefix(INVITATION_SUB)
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| AuthError::Claims("not an invitation".into()))
    }

    /// Refuses a token whose header names another algorithm than the pinned one.
    fn check_algorithm(&self, token: &str) -> Result<(), AuthError> {
        #[derive(Deserialize)]
        struct JoseHeader {
            alg: String,
        }
        let header = token.split('.').next().unwrap_or_default();
        let bytes = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| AuthError::Invalid("the header is not base64url".into()))?;
        let header: JoseHeader = serde_json::from_slice(&bytes)
            .map_err(|_| AuthError::Invalid("the header is not a JOSE header".into()))?;
        let expected = format!("{:?}", self.algorithm);
        if header.alg != expected {
            return Err(AuthError::Algorithm {
                found: header.alg,
                expected,
            });
        }
        Ok(())
    }
}

fn classify(error: jsonwebtoken::errors::Error) -> AuthError {
    match error.kind() {
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::UnsupportedAlgorithm => AuthError::Algorithm {
            found: "another algorithm".into(),
            expected: "the pinned one".into(),
        },
        ErrorKind::InvalidIssuer => AuthError::Claims("wrong issuer (iss)".into()),
        ErrorKind::InvalidAudience => AuthError::Claims("wrong audience (aud)".into()),
        ErrorKind::InvalidSubject => AuthError::Claims("wrong subject (sub)".into()),
        ErrorKind::MissingRequiredClaim(claim) => {
            AuthError::Claims(format!("missing claim {claim}"))
        }
        ErrorKind::InvalidClaimFormat(claim) => {
            AuthError::Claims(format!("claim {claim} has the wrong format"))
        }
        ErrorKind::Json(e) => AuthError::Claims(e.to_string()),
        _ => AuthError::Invalid(error.to_string()),
    }
}

/// The HS256 secret: `BARAZA_JWT_SECRET` when set, else the one in `data_dir`, generated (32
/// random bytes, file mode 0600) on first use.
pub fn load_or_create_secret(
    data_dir: &Path,
    from_env: Option<&str>,
) -> Result<Vec<u8>, AuthError> {
    if let Some(secret) = from_env {
        return Ok(secret.as_bytes().to_vec());
    }
    load_or_create_named_secret(data_dir, SECRET_FILE)
}

/// The 32-byte secret kept in `<data_dir>/<name>` (hex, mode 0600), generated on first use.
pub fn load_or_create_named_secret(data_dir: &Path, name: &str) -> Result<Vec<u8>, AuthError> {
    let path = data_dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => hex::decode(text.trim())
            .map_err(|e| AuthError::Keys(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir)
                .map_err(|e| AuthError::Keys(format!("{}: {e}", data_dir.display())))?;
            let secret: [u8; 32] = rand::random();
            write_private(&path, &hex::encode(secret))?;
            Ok(secret.to_vec())
        }
        Err(e) => Err(AuthError::Keys(format!("{}: {e}", path.display()))),
    }
}

/// Writes `text` to a new file only its owner may read.
pub(crate) fn write_private(path: &Path, text: &str) -> Result<(), AuthError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| AuthError::Keys(format!("{}: {e}", path.display())))?;
    file.write_all(text.as_bytes())
        .map_err(|e| AuthError::Keys(format!("{}: {e}", path.display())))
}

/// Parses a lifetime such as `90s`, `30m`, `12h` or `7d` (a bare number is seconds).
pub fn parse_ttl(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a lifetime like 30m, 12h or 7d"))?;
    let unit = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        other => return Err(format!("unknown unit {other:?}; use s, m, h or d")),
    };
    number
        .checked_mul(unit)
        .filter(|&s| s > 0)
        .ok_or_else(|| format!("{text:?} is not a usable lifetime"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn authenticator() -> Authenticator {
        Authenticator::new(KeySource::Secret(SECRET.to_vec()), "baraza", "baraza").unwrap()
    }

    fn request(role: Role) -> TokenRequest {
        TokenRequest {
            sub: "amina".into(),
            name: "Amina".into(),
            role,
            org: Some("Kenya Land Alliance".into()),
            constituency: Some(Constituency::Farmers),
            country: Some("KE".into()),
            ttl_secs: 3_600,
        }
    }

    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    #[test]
    fn a_minted_token_verifies_with_region_derived_from_country() {
        let auth = authenticator();
        let token = auth.mint(&request(Role::Participant), now()).unwrap();
        let verified = auth.verify(&token).unwrap();
        assert_eq!(verified.profile.user.as_str(), "amina");
        assert_eq!(verified.profile.role, Role::Participant);
        let region = verified.profile.region.unwrap();
        assert_eq!(
            (region.m49_region.as_str(), region.m49_subregion.as_str()),
            ("002", "014")
        );
    }

    #[test]
    fn expired_and_future_tokens_are_refused() {
        let auth = authenticator();
        let old = auth
            .mint(&request(Role::Participant), now() - 10_000)
            .unwrap();
        assert_eq!(auth.verify(&old), Err(AuthError::Expired));
        let future = auth
            .mint(&request(Role::Participant), now() + 10_000)
            .unwrap();
        assert_eq!(auth.verify(&future), Err(AuthError::NotYetValid));
    }

    #[test]
    fn another_key_issuer_or_audience_is_refused() {
        let other = Authenticator::new(
            KeySource::Secret(b"another-secret-of-32-bytes-or-more".to_vec()),
            "baraza",
            "baraza",
        )
        .unwrap();
        let token = other.mint(&request(Role::Moderator), now()).unwrap();
        assert_eq!(
            authenticator().verify(&token).unwrap_err().code(),
            ErrorCode::TokenInvalid
        );
        let elsewhere =
            Authenticator::new(KeySource::Secret(SECRET.to_vec()), "elsewhere", "baraza").unwrap();
        let token = elsewhere.mint(&request(Role::Moderator), now()).unwrap();
        assert_eq!(
            authenticator().verify(&token).unwrap_err().code(),
            ErrorCode::TokenClaims
        );
    }

    #[test]
    fn the_algorithm_is_pinned() {
        let claims = serde_json::json!({"sub": "x", "name": "X", "role": "secretariat", "iss": "baraza", "aud": "baraza", "exp": now() + 60});
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        assert_eq!(
            authenticator().verify(&hs512).unwrap_err().code(),
            ErrorCode::TokenAlgorithm
        );
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        assert_eq!(
            authenticator().verify(&none).unwrap_err().code(),
            ErrorCode::TokenAlgorithm
        );
        assert_eq!(
            authenticator().verify("not a token").unwrap_err().code(),
            ErrorCode::TokenInvalid
        );
    }

    #[test]
    fn unknown_countries_and_roles_are_claim_errors() {
        let auth = authenticator();
        let mut bad_country = request(Role::Participant);
        bad_country.country = Some("XX".into());
        let token = auth.mint(&bad_country, now()).unwrap();
        assert_eq!(
            auth.verify(&token).unwrap_err().code(),
            ErrorCode::TokenClaims
        );
        let claims = serde_json::json!({"sub": "x", "name": "X", "role": "king", "iss": "baraza", "aud": "baraza", "exp": now() + 60});
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        assert_eq!(
            auth.verify(&token).unwrap_err().code(),
            ErrorCode::TokenClaims
        );
    }

    fn signed(claims: serde_json::Value) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap()
    }

    #[test]
    fn the_e_mail_claim_is_kept_unless_its_provider_says_it_is_unverified() {
        let auth = authenticator();
        let claims = |extra: serde_json::Value| {
            let mut claims = serde_json::json!({"sub": "idp|1", "name": "Amina", "role": "participant",
                "iss": "baraza", "aud": "baraza", "exp": now() + 60});
            claims
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            signed(claims)
        };
        let verified = auth
            .verify(&claims(serde_json::json!({"email": " amina@example.org "})))
            .unwrap();
        assert_eq!(verified.email.as_deref(), Some("amina@example.org"));
        let unverified = auth
            .verify(&claims(
                serde_json::json!({"email": "amina@example.org", "email_verified": false}),
            ))
            .unwrap();
        assert_eq!(unverified.email, None);
        let not_an_address = auth
            .verify(&claims(serde_json::json!({"email": "amina"})))
            .unwrap();
        assert_eq!(not_an_address.email, None);
        let minted = auth.mint(&request(Role::Participant), now()).unwrap();
        assert_eq!(auth.verify(&minted).unwrap().email, None);
    }

    #[test]
    fn an_expiry_beyond_the_year_9999_is_refused() {
        let auth = authenticator();
        for exp in [1u64 << 63, u64::MAX, MAX_EXP_SECS + 1] {
            let token = signed(
                serde_json::json!({"sub": "x", "name": "X", "role": "observer", "iss": "baraza", "aud": "baraza", "exp": exp}),
            );
            let refused = auth.verify(&token).unwrap_err();
            assert_eq!(refused.code(), ErrorCode::TokenClaims, "exp {exp}");
            assert!(refused.to_string().contains("out of range"), "{refused}");
        }
        let token = signed(
            serde_json::json!({"sub": "x", "name": "X", "role": "observer", "iss": "baraza", "aud": "baraza", "exp": MAX_EXP_SECS}),
        );
        let verified = auth.verify(&token).unwrap();
        assert_eq!(verified.expires_at, MAX_EXP_SECS as Millis * 1000);
        assert!(verified.expires_at > 0);
    }

    #[test]
    fn subjects_that_spoof_or_would_be_rewritten_are_refused() {
        let auth = authenticator();
        let with_sub = |sub: &str| {
            signed(
                serde_json::json!({"sub": sub, "name": "Amina", "role": "participant", "iss": "baraza", "aud": "baraza", "exp": now() + 60}),
            )
        };
        for (sub, says) in [
            ("\u{202E}anima", "bidi control character (U+202E)"),
            ("amina\u{200B}", "U+200B"),
            ("\u{200B}", "U+200B"),
            (" amina", "trimmed"),
            ("e\u{301}", "NFC"),
        ] {
            let error = auth.verify(&with_sub(sub)).unwrap_err().to_string();
            assert!(error.contains(says), "{sub:?}: {error}");
        }
        let verified = auth.verify(&with_sub("idp|42")).unwrap();
        assert_eq!(verified.profile.user.as_str(), "idp|42");
    }

    #[test]
    fn names_and_organisations_that_spoof_are_refused_and_others_normalised() {
        let auth = authenticator();
        let claims = |name: &str, org: &str| {
            signed(
                serde_json::json!({"sub": "x", "name": name, "org": org, "role": "participant", "iss": "baraza", "aud": "baraza", "exp": now() + 60}),
            )
        };
        for (name, org, says) in [
            (
                "\u{202E}animA",
                "KLA",
                "the name contains a bidi control character (U+202E)",
            ),
            (
                "Amina\u{0000}",
                "KLA",
                "the name contains a control character (U+0000)",
            ),
            (
                "\u{1b}[31mAmina",
                "KLA",
                "the name contains a control character (U+001B)",
            ),
            (
                "\u{200B}\u{200B}",
                "KLA",
                "the name contains an invisible format character (U+200B)",
            ),
            ("\u{3164}", "KLA", "the name is empty"),
            (
                "Amina",
                "KLA\u{2067}",
                "the org contains a bidi control character (U+2067)",
            ),
        ] {
            let refused = auth.verify(&claims(name, org)).unwrap_err();
            assert_eq!(refused.code(), ErrorCode::TokenClaims);
            assert!(refused.to_string().contains(says), "{name:?}: {refused}");
        }
        let verified = auth.verify(&claims(" Zoe\u{0308} ", " ")).unwrap();
        assert_eq!(verified.profile.name, "Zo\u{00EB}");
        assert_eq!(verified.profile.org, None);
    }

    #[test]
    fn the_secret_is_generated_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create_secret(dir.path(), None).unwrap();
        let second = load_or_create_secret(dir.path(), None).unwrap();
        assert_eq!(first, second);
        assert_eq!(first.len(), 32);
        assert_eq!(
            load_or_create_secret(dir.path(), Some("from-env")).unwrap(),
            b"from-env"
        );
    }

    #[test]
    fn tokens_of_an_outside_provider_verify_with_its_public_key_only() {
        // A throw-away Ed25519 key pair made for this test (tests/fixtures), standing in for an
        // identity provider.
        let private = include_bytes!("../tests/fixtures/test-idp-ed25519.key.pem");
        let public = include_bytes!("../tests/fixtures/test-idp-ed25519.pub.pem").to_vec();
        let auth = Authenticator::new(
            KeySource::PublicKey {
                algorithm: Algorithm::EdDSA,
                pem: public,
            },
            "https://idp.example.org",
            "baraza",
        )
        .unwrap();
        let claims = serde_json::json!({
            "sub": "idp|42", "name": "Chen Wei", "role": "moderator", "country": "CN",
            "iss": "https://idp.example.org", "aud": "baraza", "exp": now() + 600
        });
        let signed = jsonwebtoken::encode(
            &Header::new(Algorithm::EdDSA),
            &claims,
            &EncodingKey::from_ed_pem(private).unwrap(),
        )
        .unwrap();
        let verified = auth.verify(&signed).unwrap();
        assert_eq!(
            (verified.profile.user.as_str(), verified.profile.role),
            ("idp|42", Role::Moderator)
        );
        // The server cannot mint for an outside provider, and HS256 tokens are refused.
        assert_eq!(
            auth.mint(&request(Role::Moderator), now()),
            Err(AuthError::CannotMint)
        );
        let hs256 = authenticator()
            .mint(&request(Role::Moderator), now())
            .unwrap();
        assert_eq!(
            auth.verify(&hs256).unwrap_err().code(),
            ErrorCode::TokenAlgorithm
        );
    }

    #[test]
    fn lifetimes_parse() {
        assert_eq!(parse_ttl("90"), Ok(90));
        assert_eq!(parse_ttl("30m"), Ok(1_800));
        assert_eq!(parse_ttl("12h"), Ok(43_200));
        assert_eq!(parse_ttl("7d"), Ok(604_800));
        assert!(parse_ttl("0").is_err());
        assert!(parse_ttl("3y").is_err());
        assert!(parse_ttl("soon").is_err());
    }
}
