//! Exports: the record of a room as a document a secretariat can file — always a projection of
//! the record, never edited by hand.
//!
//! - [`project`](mod@project): the record → an [`Export`] for one kind of reader (pure).
//! - [`model`]: the export model.
//! - one renderer per format: [`html`] (printable summary record), [`md`] (Markdown),
//!   [`json`] (the document and the full record, stream-friendly), [`csv`] (statements and
//!   figures), [`akn`] (Akoma Ntoso 3.0 XML), [`docx`] (a Word document).
//! - [`minutes`](mod@minutes): the skeleton draft minutes start from, and the words approved
//!   minutes are shown with.
//! - [`labels`]: the document's words in the six UN languages; [`names`]: countries,
//!   languages, regions and constituencies by name in them; [`text`]: shared helpers.
//!
//! Who may export what is decided by [`visibility`](crate::domain::visibility)
//! (`ReadPath::Export`, `statement_in_export`, `export_frame_for`). The formats are described
//! in docs/record.md.

pub mod akn;
pub mod csv;
pub mod docx;
pub mod html;
pub mod json;
pub mod labels;
pub mod md;
pub mod minutes;
pub mod model;
pub mod names;
pub mod project;
pub mod text;

#[cfg(test)]
mod tests;

pub use labels::Lang;
pub use model::Export;
pub use project::project;

use crate::domain::visibility::ReaderKind;
use crate::record::RecordedEvent;
use crate::store::{RecordStore, StoreError};
use baraza_proto::ids::RoomId;

/// A format an export can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A self-contained, printable HTML page.
    Html,
    /// Markdown.
    Md,
    /// The document and the full record as JSON.
    Json,
    /// Statements and figures as CSV.
    Csv,
    /// Akoma Ntoso 3.0 XML.
    Akn,
    /// A Word document (Office Open XML).
    Docx,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 6] = [
        Format::Html,
        Format::Md,
        Format::Json,
        Format::Csv,
        Format::Akn,
        Format::Docx,
    ];

    /// The format named `name` (`html`, `md`, `json`, `csv`, `akn`, `docx`).
    pub fn parse(name: &str) -> Result<Format, ExportError> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| ExportError::UnknownFormat(name.to_owned()))
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Md => "md",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Akn => "akn",
            Format::Docx => "docx",
        }
    }

    /// The `Content-Type` it is served with.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Md => "text/markdown; charset=utf-8",
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Akn => "application/akn+xml",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Md => "md",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Akn => "akn.xml",
            Format::Docx => "docx",
        }
    }
}

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// No such format.
    #[error("unknown export format {0:?}; use html, md, json, csv, akn or docx")]
    UnknownFormat(String),
    /// No such language.
    #[error("unknown language {0:?}; use ar, en, es, fr, ru or zh")]
    UnknownLang(String),
    /// The room has no record.
    #[error("no such room")]
    NoRecord,
    /// Reading the record failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The language of an export's headings: `requested` if given, else the room's main language
/// if it is one of the six, else English.
pub fn choose_lang(requested: Option<&str>, events: &[RecordedEvent]) -> Result<Lang, ExportError> {
    if let Some(tag) = requested.filter(|t| !t.is_empty()) {
        return Lang::from_tag(tag).ok_or_else(|| ExportError::UnknownLang(tag.to_owned()));
    }
    let main = events.first().and_then(|e| match &e.envelope.body {
        baraza_proto::event::EventBody::RoomCreated(s) => s.languages.first().cloned(),
        _ => None,
    });
    Ok(main
        .and_then(|t| Lang::from_tag(t.as_str()))
        .unwrap_or(Lang::En))
}

/// A rendered export.
#[derive(Debug, Clone)]
pub struct Document {
    /// Its bytes.
    pub body: Vec<u8>,
    /// Its format.
    pub format: Format,
    /// A file name for it: `{room}-{lang}.{extension}`.
    pub file_name: String,
}

/// Renders the record `events` of a room (in order, from seq 1) in `format` for a `reader` of
/// that kind, with headings in `lang`.
pub fn render(
    events: &[RecordedEvent],
    reader: ReaderKind,
    format: Format,
    lang: Lang,
) -> Result<Document, ExportError> {
    let export = project(events, reader, lang).ok_or(ExportError::NoRecord)?;
    let body = match format {
        Format::Html => html::render(&export).into_bytes(),
        Format::Md => md::render(&export).into_bytes(),
        Format::Csv => csv::render(&export).into_bytes(),
        Format::Akn => akn::render(&export).into_bytes(),
        Format::Docx => docx::render(&export),
        Format::Json => {
            let state = project::fold(events);
            let mut out = Vec::new();
            json::write(&mut out, &export, events, reader, &state)
                .expect("writing JSON to memory does not fail");
            out
        }
    };
    Ok(Document {
        body,
        format,
        file_name: format!("{}-{}.{}", export.room, lang.tag(), format.extension()),
    })
}

/// Reads the whole record of `room` from `store`, in order.
pub async fn load(
    store: &dyn RecordStore,
    room: &RoomId,
) -> Result<Vec<RecordedEvent>, StoreError> {
    const PAGE: usize = 1_000;
    let mut events: Vec<RecordedEvent> = Vec::new();
    loop {
        let after = events.last().map_or(0, RecordedEvent::seq);
        let page = store.read_after(room, after, PAGE).await?;
        let done = page.len() < PAGE;
        events.extend(page);
        if done {
            return Ok(events);
        }
    }
}
