//! `json`: the document and the full record as one JSON object, written so that it streams: the
//! summary first, then `"events"` with one event per line (a reader may split on lines after
//! the `"events":[` line), then the head.
//!
//! Each event is a record entry (`seq` … `body`, `prev_hash`, `hash`), as
//! `GET /api/rooms/{id}/events` serves it; an event whose texts this reader may not read is
//! emptied and carries `"redacted": true` (its hash then no longer matches: the moderators'
//! export, or the record itself, is what `baraza verify` checks).

use super::model::Export;
use crate::domain::RoomState;
use crate::domain::visibility::{self, ReaderKind, Visibility};
use crate::record::RecordedEvent;
use serde::Serialize;
use std::io::{self, Write};

/// The format's name and version, the object's first field.
pub const FORMAT: &str = "baraza.export.v1";

/// One event of the export's record.
#[derive(Serialize)]
struct Line {
    #[serde(flatten)]
    entry: baraza_proto::api::RecordEntry,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    redacted: bool,
}

/// Writes the document and the record of `events` (as `reader` may read them in a room now in
/// `state`) to `out`.
pub fn write(
    out: &mut impl Write,
    export: &Export,
    events: &[RecordedEvent],
    reader: ReaderKind,
    state: &RoomState,
) -> io::Result<()> {
    write!(out, "{{\"format\":\"{FORMAT}\",\"summary\":")?;
    serde_json::to_writer(&mut *out, export)?;
    out.write_all(b",\n\"events\":[\n")?;
    for (i, event) in events.iter().enumerate() {
        let redacted =
            visibility::export_frame_for(reader, state, &event.envelope) == Visibility::Redacted;
        let mut entry = event.entry();
        if redacted {
            entry.event.body = visibility::redact(&entry.event.body);
            entry.canonical.clear();
            entry.text_salt = None;
        }
        if i > 0 {
            out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *out, &Line { entry, redacted })?;
    }
    write!(out, "\n],\n\"head\":")?;
    serde_json::to_writer(&mut *out, &export.head)?;
    out.write_all(b"}\n")
}
