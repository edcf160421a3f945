//! Reply tokens: the local part of a per-recipient reply address `reply+<token>@<domain>`.
//!
//! A token binds a registry person, a consultation (by its number in the mail database), a
//! target (the question a submission answers, or the statement a reply answers) and the day it
//! expires, sealed with HMAC-SHA-256 under a key derived from the node's secret. It is short
//! enough for a local part (at most 64 characters) and case-insensitive (lowercase base32), so
//! mail servers that fold case do not break it. Pure: time is an argument.

use baraza_proto::ids::Millis;
use baraza_proto::registry::PersonId;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of the MAC kept in a token (80 bits: forging one takes 2^80 tries).
const MAC_BYTES: usize = 10;
const DAY_MS: Millis = 86_400_000;
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// What a reply is to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A question: the reply becomes a submission answering it.
    Question(u64),
    /// A statement: the reply becomes a reply to it.
    Statement(u64),
}

/// The content of a reply token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyToken {
    /// Who may use it.
    pub person: PersonId,
    /// The consultation's number in the mail database (`mail::db`).
    pub room: u64,
    /// What the reply is to.
    pub target: Target,
    /// The day (since 1970-01-01, UTC) after which it no longer works.
    pub expires_day: u64,
}

impl ReplyToken {
    /// A token for `person` that works until `expires_at` (rounded up to the end of its day).
    pub fn new(person: PersonId, room: u64, target: Target, expires_at: Millis) -> ReplyToken {
        ReplyToken {
            person,
            room,
            target,
            expires_day: expires_at.max(0) as u64 / DAY_MS as u64,
        }
    }
}

/// Why a token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// It is not one this node made (or it was altered).
    #[error("the reply address is not one this server issued")]
    Forged,
    /// It was made here but its time is over; the person is known.
    #[error("the reply address expired")]
    Expired(ReplyToken),
}

/// The key tokens are sealed with.
#[derive(Clone)]
pub struct TokenKey([u8; 32]);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    /// Derives the reply-token key from the node's secret (never the secret itself, so a
    /// token reveals nothing usable for session tokens).
    pub fn derive(secret: &[u8]) -> TokenKey {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
        mac.update(b"baraza reply tokens v1");
        TokenKey(mac.finalize().into_bytes().into())
    }

    fn mac(&self, payload: &[u8]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(payload);
        mac.finalize().into_bytes().into()
    }

    /// The token's text (lowercase base32, at most 58 characters).
    pub fn seal(&self, token: &ReplyToken) -> String {
        let mut bytes = Vec::with_capacity(32);
        let (tag, id) = match token.target {
            Target::Question(id) => (0, id),
            Target::Statement(id) => (1, id),
        };
        for value in [token.person, token.room, id * 2 + tag, token.expires_day] {
            varint(&mut bytes, value);
        }
        let mac = self.mac(&bytes);
        bytes.extend_from_slice(&mac[..MAC_BYTES]);
        base32(&bytes)
    }

    /// Opens a token's text at `now`: its content, or why it is refused.
    pub fn open(&self, text: &str, now: Millis) -> Result<ReplyToken, TokenError> {
        let bytes = unbase32(&text.to_ascii_lowercase()).ok_or(TokenError::Forged)?;
        if bytes.len() <= MAC_BYTES {
            return Err(TokenError::Forged);
        }
        let (payload, mac) = bytes.split_at(bytes.len() - MAC_BYTES);
        let expected = self.mac(payload);
        // Constant time: the MAC is compared as a whole.
        let diff = expected[..MAC_BYTES]
            .iter()
            .zip(mac)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if diff != 0 {
            return Err(TokenError::Forged);
        }
        let mut rest = payload;
        let mut next = || read_varint(&mut rest).ok_or(TokenError::Forged);
        let person = next()?;
        let room = next()?;
        let target = next()?;
        let expires_day = next()?;
        let token = ReplyToken {
            person,
            room,
            target: if target % 2 == 0 {
                Target::Question(target / 2)
            } else {
                Target::Statement(target / 2)
            },
            expires_day,
        };
        if (now.max(0) as u64) / DAY_MS as u64 > expires_day {
            return Err(TokenError::Expired(token));
        }
        Ok(token)
    }

    /// The envelope sender of an outbound message, `bounce+<id>-<mac>`: a bounce addressed to
    /// it names the message it is about, and cannot be forged to mark another one bounced.
    pub fn bounce_local(&self, outbox_id: u64) -> String {
        let mac = self.mac(format!("bounce {outbox_id}").as_bytes());
        format!("bounce+{outbox_id}-{}", base32(&mac[..5]))
    }

    /// The outbox id a bounce address names, if it is one this node made.
    pub fn open_bounce(&self, local: &str) -> Option<u64> {
        let rest = local.to_ascii_lowercase();
        let rest = rest.strip_prefix("bounce+")?;
        let (id, _) = rest.split_once('-')?;
        let id: u64 = id.parse().ok()?;
        (self.bounce_local(id) == format!("bounce+{rest}")).then_some(id)
    }
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_varint(input: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = input.split_first()?;
        *input = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|&a| a == c)? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_800_000_000_000;

    #[test]
    fn a_token_opens_to_what_it_was_sealed_with_and_fits_a_local_part() {
        let key = TokenKey::derive(b"a node secret");
        let token = ReplyToken::new(123_456, 7, Target::Statement(98_765), NOW + 30 * DAY_MS);
        let text = key.seal(&token);
        assert!(text.len() + "reply+".len() <= 64, "{text}");
        assert_eq!(key.open(&text, NOW), Ok(token));
        assert_eq!(key.open(&text.to_ascii_uppercase(), NOW), Ok(token));
    }

    #[test]
    fn altered_foreign_and_expired_tokens_are_refused() {
        let key = TokenKey::derive(b"a node secret");
        let token = ReplyToken::new(5, 1, Target::Question(3), NOW);
        let text = key.seal(&token);
        let mut altered = text.clone().into_bytes();
        altered[0] = if altered[0] == b'a' { b'b' } else { b'a' };
        let altered = String::from_utf8(altered).expect("ascii");
        assert_eq!(key.open(&altered, NOW), Err(TokenError::Forged));
        let other = TokenKey::derive(b"another node");
        assert_eq!(other.open(&text, NOW), Err(TokenError::Forged));
        assert_eq!(key.open("not-base32!", NOW), Err(TokenError::Forged));
        assert_eq!(key.open("", NOW), Err(TokenError::Forged));
        assert_eq!(
            key.open(&text, NOW + 2 * DAY_MS),
            Err(TokenError::Expired(token))
        );
    }

    #[test]
    fn bounce_addresses_name_their_message_and_resist_forgery() {
        let key = TokenKey::derive(b"a node secret");
        let local = key.bounce_local(42);
        assert_eq!(key.open_bounce(&local), Some(42));
        assert_eq!(key.open_bounce("bounce+43-aaaaaaaa"), None);
        assert_eq!(key.open_bounce(&local.replace("42", "43")), None);
    }
}
