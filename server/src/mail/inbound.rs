//! Reading one inbound message (RFC 5322, MIME) with `mail-parser`: who it is for, whether it
//! is an automatic message that must not be answered, its text without quoted text and
//! signature (kept apart for moderators), an alignment on its first line, and its attachments.
//! Pure: no IO; the driver (`service`) decides what to do with the result.

use super::labels::alignment_word;
use baraza_proto::consultation::Alignment;
use mail_parser::{MessageParser, MimeHeaders};

/// Size limits of inbound mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboundLimits {
    /// The whole message, in bytes.
    pub max_message: usize,
    /// One attachment, in bytes.
    pub max_attachment: usize,
}

impl Default for InboundLimits {
    fn default() -> Self {
        InboundLimits {
            max_message: 10 << 20,
            max_attachment: 5 << 20,
        }
    }
}

/// An attachment as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Its cleaned name.
    pub name: String,
    /// Its media type.
    pub media_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A message read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Its `Message-ID` (without angle brackets); one derived from its bytes when absent.
    pub message_id: String,
    /// Why it is an automatic message (auto-reply, bounce, list mail), if it is one.
    pub automatic: Option<String>,
    /// The sender's own text.
    pub text: String,
    /// What was stripped from it: quoted text, the quote's header line, the signature.
    pub stripped: String,
    /// The alignment its first line stated (removed from `text`).
    pub alignment: Option<Alignment>,
    /// The sender's own text with that first line kept: what an answer to a question (which
    /// takes no alignment) posts, so nothing the sender wrote is lost.
    pub whole_text: String,
    /// Its attachments.
    pub files: Vec<File>,
    /// Set when it or an attachment is over the limits: why (then `text` and `files` are
    /// empty).
    pub too_large: Option<String>,
}

/// Why a message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundError {
    /// It is not a message.
    #[error("the message could not be parsed")]
    Unparsable,
}

/// Reads `raw` (the message as delivered, headers and body).
pub fn parse(raw: &[u8], limits: InboundLimits) -> Result<Parsed, InboundError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(InboundError::Unparsable)?;
    if message.headers().is_empty() {
        return Err(InboundError::Unparsable);
    }
    let message_id = message
        .message_id()
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| format!("sha256-{}", hex::encode(sha256(raw))));
    let automatic = automatic(&message);
    let mut parsed = Parsed {
        message_id,
        automatic,
        text: String::new(),
        stripped: String::new(),
        alignment: None,
        whole_text: String::new(),
        files: Vec::new(),
        too_large: None,
    };
    if raw.len() > limits.max_message {
        parsed.too_large = Some(format!(
            "the message is {} bytes, over the limit of {}",
            raw.len(),
            limits.max_message
        ));
        return Ok(parsed);
    }
    let body = message
        .body_text(0)
        .map(|t| t.into_owned())
        .unwrap_or_default();
    let (own, stripped) = strip(&body);
    let (alignment, text) = take_alignment(&own);
    let mut files = Vec::new();
    for part in message.attachments() {
        let bytes = part.contents().to_vec();
        let name = clean_name(part.attachment_name().unwrap_or("attachment"));
        if bytes.len() > limits.max_attachment {
            parsed.too_large = Some(format!(
                "the attachment {name} is {} bytes, over the limit of {}",
                bytes.len(),
                limits.max_attachment
            ));
            return Ok(parsed);
        }
        let media_type = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_owned(),
            })
            .unwrap_or_else(|| "application/octet-stream".into())
            .to_ascii_lowercase();
        files.push(File {
            name,
            media_type,
            bytes,
        });
    }
    parsed.text = text;
    parsed.whole_text = own.trim().to_owned();
    parsed.stripped = stripped;
    parsed.alignment = alignment;
    parsed.files = files;
    Ok(parsed)
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

/// Why a message is automatic: `Auto-Submitted` other than `no` (RFC 3834), `Precedence`
/// bulk, junk or list, a delivery report, an empty return path or a mailer daemon as sender,
/// or the auto-reply headers of common mail servers.
fn automatic(message: &mail_parser::Message<'_>) -> Option<String> {
    let raw = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    if let Some(value) = raw("Auto-Submitted")
        && !value.starts_with("no")
    {
        return Some(format!("Auto-Submitted: {value}"));
    }
    if let Some(value) = raw("Precedence")
        && ["bulk", "junk", "list", "auto_reply"].contains(&value.as_str())
    {
        return Some(format!("Precedence: {value}"));
    }
    for header in ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"] {
        if raw(header).is_some() {
            return Some(format!("{header} is set"));
        }
    }
    if let Some(ct) = message.root_part().content_type()
        && ct.ctype().eq_ignore_ascii_case("multipart")
        && ct
            .subtype()
            .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    {
        return Some("a delivery report".into());
    }
    if let Some(path) = raw("Return-Path")
        && (path == "<>" || path.is_empty())
    {
        return Some("an empty return path".into());
    }
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or("")
        .to_ascii_lowercase();
    let local = from.split('@').next().unwrap_or("");
    if ["mailer-daemon", "postmaster", "noreply", "no-reply"].contains(&local) {
        return Some(format!("sent by {from}"));
    }
    None
}

/// Lines that introduce a quoted message ("On … wrote:" and its forms in the six languages).
fn is_quote_header(line: &str) -> bool {
    let line = line.trim();
    let lower = line.to_lowercase();
    (lower.starts_with("on ") && lower.ends_with("wrote:"))
        || (lower.starts_with("le ")
            && (lower.ends_with("a écrit :") || lower.ends_with("a écrit:")))
        || (lower.starts_with("el ") && lower.ends_with("escribió:"))
        || lower.ends_with("написал:")
        || lower.ends_with("написал(а):")
        || lower.ends_with("写道：")
        || lower.ends_with("写道:")
        || (line.contains("كتب") && (line.ends_with(':') || line.ends_with('：')))
        || lower.starts_with("-----original message-----")
        || lower.starts_with("-----message d'origine-----")
        || lower.starts_with("-------- original message --------")
}

/// Splits a body into the sender's own text and what is stripped: everything from a quote
/// header on, quoted lines (`>`), and the signature after a `-- ` line.
pub fn strip(body: &str) -> (String, String) {
    let mut own = Vec::new();
    let mut stripped = Vec::new();
    let mut lines = body.lines();
    while let Some(line) = lines.next() {
        if line == "-- " || line == "--" || is_quote_header(line) {
            stripped.push(line);
            stripped.extend(lines.by_ref());
            break;
        }
        if line.trim_start().starts_with('>') {
            stripped.push(line);
        } else {
            own.push(line);
        }
    }
    let own = own.join("\n").trim().to_owned();
    (own, stripped.join("\n").trim().to_owned())
}

/// The alignment the first non-empty line states, and the text without that line.
fn take_alignment(text: &str) -> (Option<Alignment>, String) {
    let mut lines = text.lines();
    let first = lines.by_ref().find(|l| !l.trim().is_empty()).unwrap_or("");
    match alignment_word(first) {
        Some(alignment) => (
            Some(alignment),
            lines.collect::<Vec<_>>().join("\n").trim().to_owned(),
        ),
        None => (None, text.to_owned()),
    }
}

/// A file name without a path, control characters or bidi controls, at most 200 characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .take(200)
        .collect();
    let clean = clean.trim().to_owned();
    if clean.is_empty() || clean == "." || clean == ".." {
        "attachment".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_text_and_signatures_are_stripped_and_kept_apart() {
        let body = "We support the proposal.\n\nIt matters.\n\nOn Tue, 1 Dec 2026, Baraza <reply@x> wrote:\n> Question 1\n> more";
        let (own, stripped) = strip(body);
        assert_eq!(own, "We support the proposal.\n\nIt matters.");
        assert!(stripped.starts_with("On Tue"), "{stripped}");
        let (own, stripped) = strip("Text\n> quoted\nmore\n-- \nAmina\nKLA");
        assert_eq!(own, "Text\nmore");
        assert_eq!(stripped, "> quoted\n-- \nAmina\nKLA");
    }

    #[test]
    fn the_first_line_may_state_an_alignment_in_any_of_the_six_languages() {
        for (line, alignment) in [
            ("support", Alignment::Supports),
            ("Soutien.", Alignment::Supports),
            ("أعارض", Alignment::Opposes),
            ("中立", Alignment::Neutral),
            ("против!", Alignment::Opposes),
        ] {
            let (found, text) = take_alignment(&format!("{line}\nThe reason."));
            assert_eq!(found, Some(alignment), "{line}");
            assert_eq!(text, "The reason.");
        }
        assert_eq!(take_alignment("We support it.").0, None);
    }

    #[test]
    fn the_alignment_line_is_taken_from_the_text_and_kept_in_the_whole_text() {
        let raw = "From: a@example.org\r\nMessage-ID: <3@x>\r\n\r\nSupport\r\nWe agree with the levy.\r\n";
        let parsed = parse(raw.as_bytes(), InboundLimits::default()).expect("parsed");
        assert_eq!(parsed.alignment, Some(Alignment::Supports));
        assert_eq!(parsed.text, "We agree with the levy.");
        assert_eq!(parsed.whole_text, "Support\nWe agree with the levy.");
    }

    #[test]
    fn automatic_messages_are_recognised() {
        let limits = InboundLimits::default();
        let base = "From: a@example.org\r\nTo: reply+x@example.org\r\nMessage-ID: <1@x>\r\n";
        for header in [
            "Auto-Submitted: auto-replied\r\n",
            "Precedence: bulk\r\n",
            "Return-Path: <>\r\n",
        ] {
            let raw = format!("{base}{header}\r\nOut of office.\r\n");
            let parsed = parse(raw.as_bytes(), limits).expect("parsed");
            assert!(parsed.automatic.is_some(), "{header}");
        }
        let raw = format!("{base}Auto-Submitted: no\r\n\r\nHello.\r\n");
        assert_eq!(
            parse(raw.as_bytes(), limits).expect("parsed").automatic,
            None
        );
        let daemon = "From: MAILER-DAEMON@example.org\r\nMessage-ID: <2@x>\r\n\r\nUndelivered.\r\n";
        assert!(
            parse(daemon.as_bytes(), limits)
                .expect("parsed")
                .automatic
                .is_some()
        );
    }

    #[test]
    fn names_of_attachments_lose_paths_and_controls() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\papers\\paper.pdf"), "paper.pdf");
        assert_eq!(clean_name("a\u{202e}fdp.exe"), "afdp.exe");
        assert_eq!(clean_name(".."), "attachment");
    }
}
