//! Minutes: the skeleton a draft starts from (drawn from the export model of the published
//! record), and the words every format uses for approved minutes.
//!
//! The skeleton is plain text, one line per fact: title, date, chair, attendance, then per
//! agenda item (or question) one line per turn and per statement with the speaker, their
//! organisation and the statement. Each such line carries the marker `[#id]` of its turn or
//! statement: that is how a quoted speaker's correction is tied to their own line
//! (`domain::minutes`).

use super::labels::Lang;
use super::model::{ApprovedMinutes, Export, Statement, Turn};
use super::text;
use crate::domain::minutes::marker;
use std::fmt::Write as _;

/// The starting text of draft minutes for `export` (project it for a member: the skeleton
/// quotes the published record only), with headings in `export.lang`.
pub fn skeleton(export: &Export) -> String {
    let l = export.lang.labels();
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", l.minutes, export.title);
    let _ = writeln!(out, "{}: {}", l.date, text::date(export.from));
    if !export.chairs.is_empty() {
        let _ = writeln!(out, "{}: {}", l.chair, text::chairs(export));
    }
    let present: Vec<String> = export.attendance.iter().map(|a| who(export, &a.user)).fold(
        Vec::new(),
        |mut names, name| {
            if !names.contains(&name) {
                names.push(name);
            }
            names
        },
    );
    if !present.is_empty() {
        let _ = writeln!(out, "{}: {}", l.attendance, present.join("; "));
    }
    if !export.agenda.is_empty() {
        let _ = writeln!(out, "\n{}", l.agenda);
    }
    for (n, item) in export.agenda.iter().enumerate() {
        let _ = writeln!(out, "\n{} {}. {}", l.item, n + 1, item.title);
        for t in &item.turns {
            turn(&mut out, export, t);
        }
        for s in &item.statements {
            statement(&mut out, export, s, 0);
        }
    }
    if let Some(c) = &export.consultation {
        for (n, q) in c.questions.iter().enumerate() {
            let _ = writeln!(out, "\n{} {}. {}", l.question, n + 1, q.text);
            for s in &q.published {
                statement(&mut out, export, s, 0);
            }
        }
    }
    if !export.other_statements.is_empty() {
        let _ = writeln!(out, "\n{}", l.other_statements);
        for s in &export.other_statements {
            statement(&mut out, export, s, 0);
        }
    }
    out.trim_end().to_owned()
}

/// `Name, Organisation`: how the minutes name a person.
fn who(export: &Export, user: &baraza_proto::ids::UserId) -> String {
    match export.person(user) {
        Some(p) => match &p.org {
            Some(org) => format!("{}, {org}", p.name),
            None => p.name.clone(),
        },
        None => user.to_string(),
    }
}

fn turn(out: &mut String, export: &Export, t: &Turn) {
    let l = export.lang.labels();
    let spoke = t
        .spoken_ms
        .map(|ms| format!(" ({} {})", l.spoke, text::duration(ms)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "- {} {}: {}{spoke}",
        who(export, &t.speaker),
        marker(t.id),
        text::kind(t.kind, l)
    );
    for s in &t.statements {
        statement(out, export, s, 1);
    }
}

fn statement(out: &mut String, export: &Export, s: &Statement, depth: usize) {
    let speaker = match &s.org {
        Some(org) => format!(
            "{}, {org}",
            export
                .person(&s.author)
                .map_or(s.author.as_str(), |p| p.name.as_str())
        ),
        None => who(export, &s.author),
    };
    let said = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = writeln!(
        out,
        "{}- {speaker} {}: {said}",
        "  ".repeat(depth),
        marker(s.id)
    );
    for r in &s.replies {
        statement(out, export, r, depth + 1);
    }
}

/// The approval line and the corrections line of approved minutes, in `lang`.
pub fn approval(export: &Export, m: &ApprovedMinutes, lang: Lang) -> (String, String) {
    let l = lang.labels();
    let approved = l
        .minutes_approved
        .replace("{date}", &text::date_time(m.approved_at))
        .replace("{name}", &export.name(&m.approved_by))
        .replace("{hash}", &m.sha256);
    let corrections = l
        .minutes_corrections
        .replace("{accepted}", &m.corrections.0.to_string())
        .replace("{declined}", &m.corrections.1.to_string());
    (approved, corrections)
}
