//! Tokens for tests, signed with the secret every test server is started with.

use baraza_proto::identity::{Constituency, Role};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

/// The HS256 secret test servers use (given as `BARAZA_JWT_SECRET`).
pub const TEST_SECRET: &str = "baraza-end-to-end-tests-secret-0123456789";

/// What a test token says.
#[derive(Debug, Clone)]
pub struct TokenSpec {
    /// `sub`.
    pub sub: String,
    /// Role.
    pub role: Role,
    /// Organisation.
    pub org: Option<String>,
    /// Constituency.
    pub constituency: Option<Constituency>,
    /// Country (ISO alpha-2).
    pub country: Option<String>,
    /// Seconds from now until `exp` (negative: already expired).
    pub expires_in: i64,
}

impl TokenSpec {
    /// A token for `sub` with `role`, valid for an hour.
    pub fn new(sub: &str, role: Role) -> TokenSpec {
        TokenSpec {
            sub: sub.into(),
            role,
            org: None,
            constituency: None,
            country: None,
            expires_in: 3_600,
        }
    }

    /// Sets organisation, constituency and country.
    pub fn from_org(mut self, org: &str, constituency: Constituency, country: &str) -> TokenSpec {
        self.org = Some(org.into());
        self.constituency = Some(constituency);
        self.country = Some(country.into());
        self
    }

    /// Sets the lifetime.
    pub fn expires_in(mut self, seconds: i64) -> TokenSpec {
        self.expires_in = seconds;
        self
    }

    /// Signs the token with the test secret (HS256).
    pub fn sign(&self) -> String {
        self.sign_with(Algorithm::HS256, TEST_SECRET.as_bytes())
    }

    /// Signs the token as an outside identity provider would: Ed25519 with `private_pem`
    /// (PKCS#8), carrying the OpenID Connect `email` claim when given.
    pub fn sign_eddsa(&self, private_pem: &[u8], email: Option<&str>) -> String {
        let mut claims = self.claims();
        if let Some(email) = email {
            claims["email"] = json!(email);
        }
        let key = EncodingKey::from_ed_pem(private_pem).expect("an Ed25519 private key");
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &key).expect("sign")
    }

    /// The claims of this token, issued now.
    fn claims(&self) -> serde_json::Value {
        let now = jsonwebtoken::get_current_timestamp() as i64;
        json!({
            "sub": self.sub,
            "name": self.sub.to_uppercase(),
            "role": self.role,
            "org": self.org,
            "constituency": self.constituency,
            "country": self.country,
            "iss": "baraza",
            "aud": "baraza",
            "iat": now,
            "exp": now + self.expires_in,
        })
    }

    /// Signs the token with another algorithm or secret (to test refusals).
    pub fn sign_with(&self, algorithm: Algorithm, secret: &[u8]) -> String {
        let claims = self.claims();
        jsonwebtoken::encode(
            &Header::new(algorithm),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .expect("sign")
    }
}
