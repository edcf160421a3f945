//! Building outbound messages with `lettre`: text/plain first, a light HTML alternative with
//! `lang` and `dir` (so Arabic reads right to left), and the headers that make mail behave:
//! `Message-ID` (derived from the message's unique key, so a message built twice is the same
//! message), `In-Reply-To`/`References` (every mail of a consultation threads under one root),
//! `Reply-To` (the per-recipient reply address), `List-Unsubscribe`, `Auto-Submitted`.

use super::labels::Labels;
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

/// What a message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// Subject.
    pub subject: String,
    /// The text, paragraphs separated by blank lines.
    pub text: String,
}

/// Where a message goes and how it threads.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// The sender.
    pub from: &'a Mailbox,
    /// The recipient's name.
    pub to_name: &'a str,
    /// The recipient's address.
    pub to_email: &'a str,
    /// Unique key of the logical message (gives the `Message-ID`).
    pub key: &'a str,
    /// The domain of message ids and reply addresses.
    pub domain: &'a str,
    /// The thread root (`References`); usually one per consultation.
    pub thread: Option<&'a str>,
    /// A message this one answers (`In-Reply-To`), e.g. an inbound mail's id.
    pub in_reply_to: Option<&'a str>,
    /// Where replies go.
    pub reply_to: Option<&'a str>,
    /// Where the recipient changes or stops their mail.
    pub unsubscribe: &'a str,
    /// `auto-generated` (notices, digests) or `auto-replied` (answers to a mail).
    pub auto_submitted: &'static str,
}

/// Why a message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// An address does not parse.
    #[error("bad address {0:?}")]
    Address(String),
    /// lettre refused the message.
    #[error("the message could not be built: {0}")]
    Build(String),
}

/// The `Message-ID` (without brackets) of the message with `key`.
pub fn message_id(key: &str, domain: &str) -> String {
    let hash = hex::encode(super::inbound::sha256(key.as_bytes()));
    format!("{}@{domain}", &hash[..32])
}

/// The thread root of a consultation's mail.
pub fn thread_of(room: &str, domain: &str) -> String {
    format!("consultation.{room}@{domain}")
}

const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");
const LIST_UNSUBSCRIBE: HeaderName = HeaderName::new_from_ascii_str("List-Unsubscribe");
const CONTENT_LANGUAGE: HeaderName = HeaderName::new_from_ascii_str("Content-Language");
const SUPPRESS: HeaderName = HeaderName::new_from_ascii_str("X-Auto-Response-Suppress");

/// Builds the message.
pub fn build(
    envelope: &Envelope<'_>,
    content: &Content,
    labels: &Labels,
) -> Result<Message, ComposeError> {
    let to = Mailbox::new(
        Some(envelope.to_name.to_owned()),
        envelope
            .to_email
            .parse()
            .map_err(|_| ComposeError::Address(envelope.to_email.to_owned()))?,
    );
    let mut builder = Message::builder()
        .from(envelope.from.clone())
        .to(to)
        .subject(content.subject.clone())
        .message_id(Some(format!(
            "<{}>",
            message_id(envelope.key, envelope.domain)
        )));
    if let Some(reply_to) = envelope.reply_to {
        let mailbox: Mailbox = reply_to
            .parse()
            .map_err(|_| ComposeError::Address(reply_to.to_owned()))?;
        builder = builder.reply_to(mailbox);
    }
    let mut references = Vec::new();
    if let Some(thread) = envelope.thread {
        references.push(format!("<{thread}>"));
    }
    if let Some(parent) = envelope.in_reply_to {
        references.push(format!("<{}>", parent.trim_matches(['<', '>'])));
    }
    if let Some(last) = references.last() {
        builder = builder
            .in_reply_to(last.clone())
            .references(references.join(" "));
    }
    let html = html(&content.text, labels);
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(content.text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(html),
        );
    let mut message = builder
        .multipart(body)
        .map_err(|e| ComposeError::Build(e.to_string()))?;
    let headers = message.headers_mut();
    headers.insert_raw(HeaderValue::new(
        AUTO_SUBMITTED,
        envelope.auto_submitted.to_owned(),
    ));
    headers.insert_raw(HeaderValue::new(
        LIST_UNSUBSCRIBE,
        format!("<{}>", envelope.unsubscribe),
    ));
    headers.insert_raw(HeaderValue::new(CONTENT_LANGUAGE, labels.lang.to_owned()));
    headers.insert_raw(HeaderValue::new(SUPPRESS, "All".to_owned()));
    Ok(message)
}

/// The light HTML part: one paragraph per block of the text, escaped, in a `div` with the
/// language and direction (each paragraph isolated with `dir="auto"` so a Latin address in an
/// Arabic mail keeps its order).
pub fn html(text: &str, labels: &Labels) -> String {
    let dir = if labels.rtl { "rtl" } else { "ltr" };
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"{}\" dir=\"{dir}\"><head><meta charset=\"utf-8\"></head>\
         <body><div dir=\"{dir}\" style=\"font-family:sans-serif;max-width:40em\">",
        labels.lang
    );
    for paragraph in text.split("\n\n") {
        out.push_str("<p dir=\"auto\">");
        let lines: Vec<String> = paragraph.lines().map(escape).collect();
        out.push_str(&lines.join("<br>"));
        out.push_str("</p>");
    }
    out.push_str("</div></body></html>");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Fills `{name}` marks of a phrase.
pub fn fill(phrase: &str, marks: &[(&str, &str)]) -> String {
    let mut out = phrase.to_owned();
    for (name, value) in marks {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::labels::labels;

    #[test]
    fn a_message_has_text_first_html_with_direction_and_the_threading_headers() {
        let from: Mailbox = "Baraza <noreply@baraza.example>".parse().expect("from");
        let envelope = Envelope {
            from: &from,
            to_name: "Amina",
            to_email: "amina@kla.example",
            key: "open:c1:5",
            domain: "baraza.example",
            thread: Some("consultation.c1@baraza.example"),
            in_reply_to: None,
            reply_to: Some("reply+abc@baraza.example"),
            unsubscribe: "https://baraza.example/#mail-settings",
            auto_submitted: "auto-generated",
        };
        let content = Content {
            subject: "المشاورة مفتوحة".into(),
            text: "مرحبا\n\nreply+abc@baraza.example".into(),
        };
        let message = build(&envelope, &content, labels("ar")).expect("built");
        let text = String::from_utf8(message.formatted()).expect("utf-8");
        for header in [
            "Auto-Submitted: auto-generated",
            "List-Unsubscribe: <https://baraza.example/#mail-settings>",
            "Reply-To: reply+abc@baraza.example",
            "In-Reply-To: <consultation.c1@baraza.example>",
            "Content-Language: ar",
            "multipart/alternative",
        ] {
            assert!(text.contains(header), "{header} in\n{text}");
        }
        assert!(text.contains(&format!("<{}>", message_id("open:c1:5", "baraza.example"))));
        let plain = text.find("text/plain").expect("plain");
        let rich = text.find("text/html").expect("html");
        assert!(plain < rich, "text first");
        assert!(html("x", labels("ar")).contains("dir=\"rtl\""));
        assert!(html("<b>", labels("en")).contains("&lt;b&gt;"));
    }
}
