//! `csv`: statements and figures for analysts, one table (RFC 4180: comma-separated, fields
//! quoted when they hold a comma, a quote or a line break). The `record` column says what a
//! row is: `statement` (one per statement, with its turn and speaker), `speaking` (turns and
//! seconds per participant, constituency and regional group), `figure` (a consultation's
//! submissions and organisations per question, constituency, region and language).

use super::model::*;
use super::text;
use baraza_proto::roundtable::RequestKind;
use std::fmt::Write;

const HEADER: [&str; 17] = [
    "record",
    "id",
    "context",
    "turn_kind",
    "reply_to",
    "user",
    "name",
    "organisation",
    "constituency",
    "country",
    "un_group",
    "lang",
    "status",
    "time",
    "count",
    "seconds_or_organisations",
    "text",
];

/// Renders the table.
pub fn render(export: &Export) -> String {
    let mut out = String::new();
    row(&mut out, HEADER.map(str::to_owned).as_slice());
    let kind_name = |k: RequestKind| match k {
        RequestKind::Speak => "speak",
        RequestKind::Reply => "reply",
        RequestKind::PointOfOrder => "point_of_order",
    };
    for item in &export.agenda {
        for t in &item.turns {
            let reply = t
                .reply_to
                .as_ref()
                .map(|(id, _)| id.to_string())
                .unwrap_or_default();
            let spoken = t
                .spoken_ms
                .map(|ms| (ms / 1000).to_string())
                .unwrap_or_default();
            row(
                &mut out,
                &person_row(
                    export,
                    "turn",
                    t.id.to_string(),
                    item.title.clone(),
                    &t.speaker,
                    [
                        kind_name(t.kind).into(),
                        reply,
                        String::new(),
                        String::new(),
                        text::iso(t.started_at),
                        String::new(),
                        spoken,
                        t.ruling
                            .as_ref()
                            .map(|r| r.text.clone())
                            .or(t.out_of_order.clone())
                            .unwrap_or_default(),
                    ],
                ),
            );
            for s in &t.statements {
                statement(&mut out, export, s, &item.title, kind_name(t.kind));
            }
        }
        for s in &item.statements {
            statement(&mut out, export, s, &item.title, "");
        }
    }
    if let Some(c) = &export.consultation {
        for q in &c.questions {
            for s in q.published.iter().chain(&q.withheld) {
                statement(&mut out, export, s, &q.text, "");
            }
        }
        let f = &c.figures;
        let groups = [
            (
                "total",
                std::iter::once(("all".to_owned(), f.total)).collect::<Vec<_>>(),
            ),
            (
                "question",
                f.by_question.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            ),
            (
                "constituency",
                f.by_constituency
                    .iter()
                    .map(|(k, v)| (k.clone(), *v))
                    .collect(),
            ),
            (
                "region",
                f.by_region.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            ),
            (
                "language",
                f.by_language.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            ),
        ];
        for (group, tallies) in groups {
            for (key, t) in tallies {
                let mut cells = vec![String::new(); HEADER.len()];
                cells[0] = "figure".into();
                cells[1] = key;
                cells[2] = group.into();
                cells[14] = t.submissions.to_string();
                cells[15] = t.organisations.to_string();
                row(&mut out, &cells);
            }
        }
    }
    for s in &export.other_statements {
        statement(&mut out, export, s, "", "");
    }
    if let Some(stats) = &export.speaking {
        for (group, map) in [
            ("participant", &stats.participants),
            ("constituency", &stats.constituencies),
            ("un_group", &stats.un_groups),
            ("m49_region", &stats.m49_regions),
            ("organisation", &stats.organisations),
        ] {
            for (key, t) in map {
                let mut cells = vec![String::new(); HEADER.len()];
                cells[0] = "speaking".into();
                cells[1] = key.clone();
                cells[2] = group.into();
                cells[14] = t.turns.to_string();
                cells[15] = (t.speaking_ms / 1000).to_string();
                row(&mut out, &cells);
            }
        }
    }
    out
}

fn person_row(
    export: &Export,
    record: &str,
    id: String,
    context: String,
    user: &baraza_proto::ids::UserId,
    rest: [String; 8],
) -> Vec<String> {
    let p = export.person(user);
    let [kind, reply, lang, status, time, count, seconds, text] = rest;
    vec![
        record.into(),
        id,
        context,
        kind,
        reply,
        user.to_string(),
        export.name(user),
        p.and_then(|p| p.org.clone()).unwrap_or_default(),
        p.and_then(|p| p.constituency)
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        p.and_then(|p| p.country.clone()).unwrap_or_default(),
        p.and_then(|p| p.un_group.clone()).unwrap_or_default(),
        lang,
        status,
        time,
        count,
        seconds,
        text,
    ]
}

fn statement(out: &mut String, export: &Export, s: &Statement, context: &str, kind: &str) {
    let status = match s.status {
        Status::Published => "published",
        Status::Held => "held",
        Status::Rejected => "rejected",
        Status::Hidden => "hidden",
    };
    let mut cells = person_row(
        export,
        "statement",
        s.id.to_string(),
        context.to_owned(),
        &s.author,
        [
            kind.into(),
            s.parent.map(|p| p.to_string()).unwrap_or_default(),
            s.lang.to_string(),
            status.into(),
            text::iso(s.posted_at),
            String::new(),
            String::new(),
            s.text.clone(),
        ],
    );
    if let Some(org) = &s.org {
        cells[7] = org.clone();
    }
    if let Some(j) = &s.joint {
        // On the caucus's behalf: the organisation column names the caucus, the count of
        // organisations is its endorsers, and the text says whose statement it is.
        cells[1] = format!("{} (joint)", s.id);
        cells[7] = text::joint_line(j, export.lang);
        cells[15] = j.endorsers.len().to_string();
    }
    row(out, &cells);
    for r in &s.replies {
        statement(out, export, r, context, kind);
    }
}

fn row(out: &mut String, cells: &[String]) {
    let quoted: Vec<String> = cells.iter().map(|c| field(c)).collect();
    let _ = write!(out, "{}\r\n", quoted.join(","));
}

/// One field, quoted when it must be; a leading `= + - @` is prefixed with `'` so that a
/// spreadsheet never reads a statement as a formula.
fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_never_formulas() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"no\""), "\"say \"\"no\"\"\"");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(field("plain"), "plain");
    }
}
