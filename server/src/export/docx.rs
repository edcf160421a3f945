//! `docx`: the record as a Word document (Office Open XML), the format secretariats edit
//! summary records in, written with the `docx-rs` crate: title, metadata, agenda with turns
//! and statements, questions and submissions, the approved minutes, attendance, and the head
//! hash with how to verify it. Paragraphs in Arabic are marked right to left (`w:bidi`).
//!
//! The package is deterministic: the same export gives the same bytes (fixed document dates,
//! no clock), so an archive bundle's hashes stay stable.

use super::model::*;
use super::text;
use docx_rs::{Docx, Paragraph, Run};
use std::io::Cursor;

/// One paragraph of plain text; bold and sized for headings; right to left when `rtl`.
fn para(text: &str, rtl: bool, heading: Option<usize>) -> Paragraph {
    let mut run = Run::new().add_text(text);
    if let Some(size) = heading {
        run = run.bold().size(size);
    }
    let mut p = Paragraph::new().add_run(run);
    if rtl {
        p.property = p.property.bidi(true);
    }
    p
}

/// Whether a text in language `tag` is written right to left.
fn rtl_tag(tag: &str) -> bool {
    matches!(
        tag.split(['-', '_']).next(),
        Some("ar" | "he" | "fa" | "ur")
    )
}

struct Doc {
    docx: Docx,
    rtl: bool,
}

impl Doc {
    fn heading(&mut self, text: &str, size: usize) {
        self.push(para(text, self.rtl, Some(size)));
    }

    fn line(&mut self, text: &str) {
        self.push(para(text, self.rtl, None));
    }

    fn push(&mut self, p: Paragraph) {
        let docx = std::mem::take(&mut self.docx);
        self.docx = docx.add_paragraph(p);
    }

    fn statement(&mut self, export: &Export, s: &Statement, depth: usize) {
        let l = export.lang.labels();
        let who = match &s.org {
            Some(org) => format!("{} ({org})", export.name(&s.author)),
            None => export.name(&s.author),
        };
        let mut head = format!(
            "{}{who} — {} #{} · {}",
            "› ".repeat(depth),
            l.statement,
            s.id,
            text::date_time(s.posted_at)
        );
        if s.status != Status::Published {
            head.push_str(&format!(" · {}", text::status(s.status, l)));
            if let Some(reason) = &s.status_reason {
                head.push_str(&format!(": {reason}"));
            }
        }
        self.push(para(&head, self.rtl, Some(22)));
        let rtl = rtl_tag(s.lang.as_str());
        for line in s.text.lines().map(str::trim).filter(|p| !p.is_empty()) {
            self.push(para(line, rtl, None));
        }
        for r in &s.replies {
            self.statement(export, r, depth + 1);
        }
    }
}

/// Renders the document as a `.docx` package.
pub fn render(export: &Export) -> Vec<u8> {
    let l = export.lang.labels();
    let created = text::iso(export.created_at);
    let modified = text::iso(export.to);
    let docx = Docx::new()
        .created_at(&created)
        .updated_at(&modified)
        // One custom property: docx-rs keeps them in a hash map, whose order would vary.
        .custom_property(
            "baraza-record",
            format!(
                "{} seq {} sha256 {}",
                export.room, export.head.seq, export.head.hash
            ),
        );
    let mut d = Doc {
        docx,
        rtl: export.lang.rtl(),
    };
    d.heading(&export.title, 36);
    d.heading(l.summary_record, 28);
    d.line(&format!("{}: {}", l.date, text::date_time(export.from)));
    d.line(&format!(
        "{}: {}",
        l.forum,
        text::scope(&export.scope, export.lang)
    ));
    if !export.chairs.is_empty() {
        d.line(&format!("{}: {}", l.chair, text::chairs(export)));
    }
    d.line(&format!("{}: {}", l.languages, text::languages(export)));
    d.line(match export.audience {
        Audience::Full => l.full_record,
        Audience::Public => l.public_record,
    });
    if !export.description.is_empty() {
        for line in export.description.lines().filter(|p| !p.trim().is_empty()) {
            d.line(line.trim());
        }
    }
    if !export.agenda.is_empty() {
        d.heading(l.agenda, 28);
    }
    for (n, item) in export.agenda.iter().enumerate() {
        d.heading(&format!("{} {}. {}", l.item, n + 1, item.title), 26);
        for t in &item.turns {
            let spoke = t
                .spoken_ms
                .map(|ms| format!(" · {} {}", l.spoke, text::duration(ms)))
                .unwrap_or_default();
            let who = export.person(&t.speaker).map_or_else(
                || t.speaker.to_string(),
                |p| text::person_line(p, export.lang),
            );
            d.push(para(
                &format!(
                    "{who} — {} · {} {}{spoke}",
                    text::kind(t.kind, l),
                    l.started,
                    text::date_time(t.started_at)
                ),
                d.rtl,
                Some(24),
            ));
            if let Some(ruling) = &t.ruling {
                d.line(&format!("{}: {}", l.ruling, ruling.text));
            }
            for s in &t.statements {
                d.statement(export, s, 0);
            }
        }
        for s in &item.statements {
            d.statement(export, s, 0);
        }
    }
    if let Some(c) = &export.consultation {
        if !c.questions.is_empty() {
            d.heading(l.questions, 28);
        }
        for (n, q) in c.questions.iter().enumerate() {
            d.heading(&format!("{} {}. {}", l.question, n + 1, q.text), 26);
            if q.published.is_empty() {
                d.line(l.no_submissions);
            }
            for s in &q.published {
                d.statement(export, s, 0);
            }
            if !q.withheld.is_empty() {
                d.heading(l.withheld, 24);
                for s in &q.withheld {
                    d.statement(export, s, 0);
                }
            }
        }
        if let Some(syn) = &c.synthesis {
            d.heading(l.synthesis, 28);
            for line in syn.text.lines().filter(|p| !p.trim().is_empty()) {
                d.line(line.trim());
            }
        }
    }
    if !export.other_statements.is_empty() {
        d.heading(l.other_statements, 28);
        for s in &export.other_statements {
            d.statement(export, s, 0);
        }
    }
    if let Some(m) = &export.minutes {
        let (approved, corrections) = super::minutes::approval(export, m, export.lang);
        d.heading(l.minutes, 28);
        let rtl = rtl_tag(m.lang.as_str());
        for line in m.text.lines().map(str::trim).filter(|p| !p.is_empty()) {
            d.push(para(line, rtl, None));
        }
        d.line(&approved);
        d.line(&corrections);
    }
    d.heading(l.attendance, 28);
    for a in &export.attendance {
        let who = export
            .person(&a.user)
            .map_or_else(|| a.user.to_string(), |p| text::person_line(p, export.lang));
        let to = a.to.map_or_else(|| l.present.to_owned(), text::date_time);
        d.line(&format!("{who}: {} – {to}", text::date_time(a.from)));
    }
    if let Some(at) = export.archived_at {
        d.line(&l.archived.replace("{date}", &text::date_time(at)));
    }
    d.heading(l.verification, 28);
    d.line(&text::verification(export));
    d.line(&format!(
        "seq {} · SHA-256 {}",
        export.head.seq, export.head.hash
    ));
    let mut out = Cursor::new(Vec::new());
    d.docx
        .build()
        .pack(&mut out)
        .expect("writing a docx package to memory does not fail");
    out.into_inner()
}
