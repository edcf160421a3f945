//! Identifiers and small validated strings that travel on the wire.
//!
//! Every type here checks its shape when it is built or deserialized, so a value that exists
//! is valid: the server never has to re-check a `RoomId` it received from a client.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Position of an event in a room's record: 1, 2, 3 … with no gaps. 0 means "nothing yet".
pub type Seq = u64;

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// A statement is identified by the `seq` of the `statement_posted` event that created it.
pub type StatementId = Seq;

/// An agenda item (roundtables) is identified by the `seq` of the event that created it.
pub type AgendaItemId = Seq;

/// A consultation question is identified by the `seq` of the event that created it.
pub type QuestionId = Seq;

/// Why a string was refused as an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {why}")]
pub struct InvalidId {
    /// Which kind of identifier was being built.
    pub what: &'static str,
    /// What is wrong with it.
    pub why: &'static str,
}

macro_rules! validated_string {
    ($(#[$doc:meta])* $name:ident, $what:literal, $pattern:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(try_from = "String", into = "String")]
        #[schemars(extend("pattern" = $pattern))]
        pub struct $name(String);

        impl $name {
            /// Builds the value, refusing strings of the wrong shape.
            pub fn new(value: impl Into<String>) -> Result<Self, InvalidId> {
                let value = value.into();
                let check: fn(&str) -> Result<(), &'static str> = $check;
                check(&value).map_err(|why| InvalidId { what: $what, why })?;
                Ok(Self(value))
            }

            /// The string itself.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(value: String) -> Result<Self, InvalidId> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, InvalidId> {
                Self::new(s)
            }
        }
    };
}

validated_string!(
    /// A room's identifier: 1–64 characters of `a-z`, `0-9` and `-`, starting with a letter or digit.
    /// Chosen by the secretariat (a readable slug such as `hlpf-2026-africa`) or generated.
    RoomId,
    "room id",
    "^[a-z0-9][a-z0-9-]{0,63}$",
    |s| {
        if s.is_empty() || s.len() > 64 {
            return Err("must be 1 to 64 characters");
        }
        if s.starts_with('-') {
            return Err("must start with a letter or digit");
        }
        if !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err("only a-z, 0-9 and '-' are allowed");
        }
        Ok(())
    }
);

validated_string!(
    /// A person's stable identifier: the `sub` claim of their token (1–128 printable characters).
    UserId,
    "user id",
    "^[^\\u0000-\\u001f]{1,128}$",
    |s| {
        if s.is_empty() || s.chars().count() > 128 {
            return Err("must be 1 to 128 characters");
        }
        if s.chars().any(char::is_control) {
            return Err("must not contain control characters");
        }
        Ok(())
    }
);

validated_string!(
    /// A client-chosen key that makes a command safe to retry: the same actor sending the same
    /// key to the same room is acknowledged with the original `seq` and changes nothing.
    /// 1–64 printable ASCII characters (a UUID fits).
    IdempotencyKey,
    "idempotency key",
    "^[!-~]{1,64}$",
    |s| {
        if s.is_empty() || s.len() > 64 {
            return Err("must be 1 to 64 characters");
        }
        if !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("only printable ASCII without spaces is allowed");
        }
        Ok(())
    }
);

validated_string!(
    /// A language tag in the shape of BCP 47 (`en`, `fr`, `ar`, `zh-Hans`, `es-419`, `sw`).
    /// The six UN official languages are `ar`, `en`, `es`, `fr`, `ru`, `zh`.
    LanguageTag,
    "language tag",
    "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    |s| {
        if s.is_empty() || s.len() > 35 {
            return Err("must be 2 to 35 characters");
        }
        let mut parts = s.split('-');
        let primary = parts.next().unwrap_or_default();
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err("must start with a 2 or 3 letter lowercase language code");
        }
        if !parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())) {
            return Err("subtags must be 2 to 8 letters or digits");
        }
        Ok(())
    }
);

validated_string!(
    /// An ISO 3166-1 alpha-2 country code in upper case (`KE`, `BR`, `FR`). The server also checks
    /// that the code is assigned.
    CountryCode,
    "country code",
    "^[A-Z]{2}$",
    |s| {
        if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(())
        } else {
            Err("must be two upper-case letters (ISO 3166-1 alpha-2)")
        }
    }
);

validated_string!(
    /// A forum's identifier in the registry: the same shape as a room id (`ffd-2027`).
    ForumId,
    "forum id",
    "^[a-z0-9][a-z0-9-]{0,63}$",
    |s| {
        if s.is_empty() || s.len() > 64 {
            return Err("must be 1 to 64 characters");
        }
        if s.starts_with('-') {
            return Err("must start with a letter or digit");
        }
        if !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err("only a-z, 0-9 and '-' are allowed");
        }
        Ok(())
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_ids_accept_slugs_and_refuse_other_shapes() {
        assert!(RoomId::new("hlpf-2026-africa").is_ok());
        assert!(RoomId::new("r1").is_ok());
        assert!(RoomId::new("").is_err());
        assert!(RoomId::new("-x").is_err());
        assert!(RoomId::new("Upper").is_err());
        assert!(RoomId::new("a".repeat(65)).is_err());
    }

    #[test]
    fn language_tags_follow_bcp47_shape() {
        for ok in ["en", "zh-Hans", "es-419", "sw", "fil"] {
            assert!(LanguageTag::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "E", "english", "en_US", "en-"] {
            assert!(LanguageTag::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deserializing_checks_the_shape() {
        let err = serde_json::from_str::<CountryCode>("\"kenya\"").unwrap_err();
        assert!(err.to_string().contains("country code"));
        let ok: CountryCode = serde_json::from_str("\"KE\"").unwrap();
        assert_eq!(ok.as_str(), "KE");
    }
}
