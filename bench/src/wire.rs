//! Reading what arrives without a full JSON parse: the generator sees hundreds of thousands of
//! frames a second, and only needs a few numbers from each.
//!
//! A Baraza `event` frame is the record's canonical JSON with `"type":"event"` spliced in front
//! (`{"type":"event","room":…,"seq":N,"ts":T,…,"body":{…}}`), so `seq` and `ts` are the first
//! fields of those names. A benchmark statement's text is `bench <index> <sent-ns> …` in every
//! dialect (Baraza, plain WebSocket, socket.io).

/// What a text frame says, as far as the benchmark cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// A Baraza event; `statement` when it carries a benchmark statement.
    Event {
        /// Its `seq`.
        seq: u64,
        /// Its `ts` (server time, ms since the epoch).
        ts: u64,
        /// The benchmark statement it carries, if any.
        statement: Option<Statement>,
    },
    /// A Baraza `ack` with its `seq`.
    Ack {
        /// The acknowledged `seq`.
        seq: u64,
    },
    /// A Baraza `error`.
    Error,
    /// A benchmark statement relayed by a peer (plain WebSocket, socket.io, floor probe).
    Relayed(Statement),
    /// Anything else (welcome, snapshot, pong, socket.io control packets).
    Other,
}

/// A benchmark statement: which one, and when the speaker sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement {
    /// Index of the statement in the run (0, 1, 2 …).
    pub index: u64,
    /// The speaker's clock when it sent it ([`crate::latency::now_ns`]).
    pub sent_ns: u64,
}

/// The text of statement `index` sent at `sent_ns`, padded with `x` to `len` characters.
pub fn statement_text(index: u64, sent_ns: u64, len: usize) -> String {
    let mut text = format!("bench {index} {sent_ns} ");
    while text.len() < len {
        text.push('x');
    }
    text
}

fn number_after(text: &str, marker: &str) -> Option<u64> {
    let start = text.find(marker)? + marker.len();
    let digits = &text[start..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// Finds `bench <index> <sent-ns>` in `text`.
pub fn find_statement(text: &str) -> Option<Statement> {
    let start = text.find("bench ")? + "bench ".len();
    let mut parts = text[start..].splitn(3, ' ');
    let index = parts.next()?.parse().ok()?;
    let sent_ns = parts.next()?.parse().ok()?;
    Some(Statement { index, sent_ns })
}

/// Classifies one text frame.
pub fn classify(text: &str) -> Frame {
    if text.starts_with("{\"type\":\"event\"") {
        let seq = number_after(text, "\"seq\":").unwrap_or(0);
        let ts = number_after(text, "\"ts\":").unwrap_or(0);
        let statement = if text.contains("\"body\":{\"type\":\"statement_posted\"") {
            find_statement(text)
        } else {
            None
        };
        return Frame::Event { seq, ts, statement };
    }
    if text.starts_with("{\"type\":\"ack\"") || text.starts_with("{\"type\": \"ack\"") {
        return Frame::Ack {
            seq: number_after(text, "\"seq\":").unwrap_or(0),
        };
    }
    if text.starts_with("{\"type\":\"error\"") {
        return Frame::Error;
    }
    if text.starts_with('{') {
        // Other Baraza messages; an ack may also have its fields in another order.
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            return match value["type"].as_str() {
                Some("ack") => Frame::Ack {
                    seq: value["seq"].as_u64().unwrap_or(0),
                },
                Some("error") => Frame::Error,
                _ => Frame::Other,
            };
        }
        return Frame::Other;
    }
    match find_statement(text) {
        Some(statement) => Frame::Relayed(statement),
        None => Frame::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_event_frame() {
        let text = statement_text(7, 123_456, 40);
        assert_eq!(text.len(), 40);
        let frame = format!(
            "{{\"type\":\"event\",\"room\":\"r\",\"seq\":12,\"ts\":99,\"actor\":\"s\",\"key\":\"k7\",\
             \"body\":{{\"type\":\"statement_posted\",\"text\":\"{text}\",\"lang\":\"en\"}}}}"
        );
        assert_eq!(
            classify(&frame),
            Frame::Event {
                seq: 12,
                ts: 99,
                statement: Some(Statement {
                    index: 7,
                    sent_ns: 123_456
                })
            }
        );
    }

    #[test]
    fn reads_acks_and_relayed_statements() {
        assert_eq!(
            classify("{\"type\":\"ack\",\"id\":\"j\",\"seq\":5}"),
            Frame::Ack { seq: 5 }
        );
        assert_eq!(
            classify("42[\"msg\",\"bench 3 44 xx\"]"),
            Frame::Relayed(Statement {
                index: 3,
                sent_ns: 44
            })
        );
        assert_eq!(classify("40{\"sid\":\"a\"}"), Frame::Other);
    }
}
