//! `html`: a self-contained, printable summary record (one file, inline CSS with print rules,
//! no script, no outside resource). A secretariat prints it to PDF from a browser.

use super::labels::Labels;
use super::model::*;
use super::names;
use super::text::{self, escape};
use baraza_proto::consultation::{InputView, Tally};
use baraza_proto::roundtable::{RequestKind, Tally as SpeakingTally};
use std::collections::BTreeMap;
use std::fmt::Write;

const STYLE: &str = "
body{font:11pt/1.5 'Noto Serif','Times New Roman',serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.2rem;border-bottom:1px solid #999;margin-top:2rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}
dl.meta dt{font-weight:bold}dl.meta dd{margin:0}.note{font-style:italic;color:#444}
.turn,.statement{margin:.6rem 0;padding-inline-start:.8rem;border-inline-start:3px solid #ccc;break-inside:avoid}
.turn.point_of_order{border-color:#a60}.who{font-weight:bold}.meta-line{color:#444;font-size:.9rem}
.ruling{margin:.3rem 0;padding:.3rem .6rem;background:#f6efe6}.marked{border-color:#b00;background:#fbeeee}
.status{font-weight:bold;color:#900;text-transform:uppercase;font-size:.8rem}.replies{margin-inline-start:1rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #bbb;padding:.15rem .5rem;text-align:start}
td bdi{white-space:nowrap}.hash{font-family:monospace;word-break:break-all}p.text{margin:.2rem 0;white-space:pre-wrap}
@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}a{color:inherit;text-decoration:none}
@page{margin:2cm}}
";

/// Renders the document as one HTML page.
pub fn render(export: &Export) -> String {
    let l = export.lang.labels();
    let mut out = String::new();
    let dir = if export.lang.rtl() { "rtl" } else { "ltr" };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        export.lang.tag(),
        escape(&export.title),
        l.summary_record
    );
    let _ = write!(
        out,
        "<header>\n<p class=\"note\">{}</p>\n<h1>{}</h1>\n",
        l.summary_record,
        escape(&export.title)
    );
    if !export.description.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(&export.description));
    }
    out.push_str("<dl class=\"meta\">\n");
    let date = if text::date(export.from) == text::date(export.to) {
        format!(
            "{} – {}",
            text::date_time(export.from),
            text::time(export.to)
        )
    } else {
        format!(
            "{} – {}",
            text::date_time(export.from),
            text::date_time(export.to)
        )
    };
    // Dates and times are written left to right even in an Arabic record, so that a range
    // never reads scrambled in a right-to-left page.
    let _ = writeln!(
        out,
        "<dt>{}</dt><dd><bdi dir=\"ltr\">{}</bdi></dd>",
        escape(l.date),
        escape(&date)
    );
    meta(&mut out, l.forum, &text::scope(&export.scope, export.lang));
    if !export.chairs.is_empty() {
        meta(&mut out, l.chair, &text::chairs(export));
    }
    meta(&mut out, l.languages, &text::languages(export));
    out.push_str("</dl>\n");
    if let Some(at) = export.archived_at {
        let _ = writeln!(
            out,
            "<p class=\"note\">{}</p>",
            escape(&l.archived.replace("{date}", &text::date_time(at)))
        );
    }
    let audience = match export.audience {
        Audience::Full => l.full_record.to_owned(),
        Audience::Public if export.left_out > 0 => {
            format!("{} ({} {})", l.public_record, export.left_out, l.left_out)
        }
        Audience::Public => l.public_record.to_owned(),
    };
    let _ = write!(
        out,
        "<p class=\"note\">{}</p>\n</header>\n",
        escape(&audience)
    );
    if !export.agenda.is_empty() {
        let _ = write!(out, "<h2>{}</h2>\n<ol>\n", l.agenda);
        for item in &export.agenda {
            let _ = writeln!(
                out,
                "<li><a href=\"#item-{}\">{}</a></li>",
                item.id,
                escape(&item.title)
            );
        }
        out.push_str("</ol>\n");
        for (n, item) in export.agenda.iter().enumerate() {
            let _ = write!(
                out,
                "<section id=\"item-{}\">\n<h2>{} {}. {}</h2>\n",
                item.id,
                l.item,
                n + 1,
                escape(&item.title)
            );
            for turn in &item.turns {
                self::turn(&mut out, export, turn, l);
            }
            for s in &item.statements {
                statement(&mut out, export, s, l);
            }
            out.push_str("</section>\n");
        }
    }
    if let Some(c) = &export.consultation {
        consultation(&mut out, export, c, l);
    }
    if !export.other_statements.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>", l.other_statements);
        for s in &export.other_statements {
            statement(&mut out, export, s, l);
        }
    }
    if let Some(stats) = &export.speaking {
        let _ = writeln!(out, "<h2>{}</h2>", l.speaking_time);
        let participants: Vec<(String, &SpeakingTally)> = stats
            .participants
            .iter()
            .map(|(key, t)| {
                let name = export
                    .people
                    .iter()
                    .find(|p| p.user.as_str() == key)
                    .map_or_else(|| key.clone(), |p| p.name.clone());
                (name, t)
            })
            .collect();
        let constituencies: Vec<(String, &SpeakingTally)> = stats
            .constituencies
            .iter()
            .map(|(key, t)| (names::constituency(key, export.lang), t))
            .collect();
        let groups: Vec<(String, &SpeakingTally)> = stats
            .un_groups
            .iter()
            .map(|(key, t)| (names::region(key, export.lang), t))
            .collect();
        for (first, rows) in [
            (l.participant, participants),
            (l.constituency, constituencies),
            (l.regional_group, groups),
        ] {
            if rows.is_empty() {
                continue;
            }
            table_head(&mut out, &[first, l.turns_col, l.speaking_time]);
            for (name, tally) in rows {
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\"><bdi>{}</bdi></th><td>{}</td><td>{}</td></tr>",
                    escape(&name),
                    tally.turns,
                    text::duration(tally.speaking_ms)
                );
            }
            out.push_str("</tbody>\n</table>\n");
        }
    }
    let _ = writeln!(out, "<h2>{}</h2>", l.attendance);
    table_head(&mut out, &[l.participant, l.joined, l.left]);
    for a in &export.attendance {
        let who = export
            .person(&a.user)
            .map_or_else(|| a.user.to_string(), |p| text::person_line(p, export.lang));
        let to =
            a.to.map_or_else(|| escape(l.present), |t| ltr(&text::date_time(t)));
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{to}</td></tr>",
            escape(&who),
            ltr(&text::date_time(a.from)),
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if let Some(m) = &export.minutes {
        minutes(&mut out, export, m, l);
    }
    let plain = text::verification(export);
    let _ = write!(
        out,
        "<footer>\n<h2>{}</h2>\n<p>{}</p>\n<p>SHA-256: <span class=\"hash\" dir=\"ltr\">{}</span></p>\n</footer>\n</body>\n</html>\n",
        l.verification,
        escape(&plain),
        export.head.hash
    );
    out
}

/// The approved minutes: each line a paragraph, in the minutes' own language, then the seal.
fn minutes(out: &mut String, export: &Export, m: &ApprovedMinutes, l: &Labels) {
    let (approved, corrections) = super::minutes::approval(export, m, export.lang);
    let _ = writeln!(
        out,
        "<section class=\"minutes\" lang=\"{}\" dir=\"auto\">\n<h2>{}</h2>",
        escape(m.lang.as_str()),
        l.minutes
    );
    for line in m.text.lines().map(str::trim).filter(|p| !p.is_empty()) {
        let _ = writeln!(out, "<p dir=\"auto\">{}</p>", escape(line));
    }
    let _ = writeln!(
        out,
        "<p class=\"seal\">{}</p>\n<p>{}</p>\n</section>",
        escape(&approved),
        escape(&corrections)
    );
}

/// Opens a table with a header row of column headings.
fn table_head(out: &mut String, columns: &[&str]) {
    out.push_str("<table>\n<thead><tr>");
    for c in columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(c));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

/// A time or date written left to right whatever the page's direction.
fn ltr(text: &str) -> String {
    format!("<bdi dir=\"ltr\">{}</bdi>", escape(text))
}

fn meta(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(name), escape(value));
}

fn turn(out: &mut String, export: &Export, turn: &Turn, l: &Labels) {
    let class = match turn.kind {
        RequestKind::Speak => "speak",
        RequestKind::Reply => "reply",
        RequestKind::PointOfOrder => "point_of_order",
    };
    let speaker = export.person(&turn.speaker).map_or_else(
        || turn.speaker.to_string(),
        |p| text::person_line(p, export.lang),
    );
    let _ = write!(
        out,
        "<div class=\"turn {class}\" id=\"turn-{}\">\n<p><span class=\"who\">{}</span> — {}",
        turn.id,
        escape(&speaker),
        text::kind(turn.kind, l)
    );
    if let Some((to, who)) = &turn.reply_to {
        let _ = write!(
            out,
            " <a href=\"#turn-{to}\">{}</a>",
            escape(&export.name(who))
        );
    }
    out.push_str("</p>\n");
    let spoke = turn
        .spoken_ms
        .map(|ms| format!(", {} {}", l.spoke, text::duration(ms)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<p class=\"meta-line\">{} {}{}</p>",
        l.started,
        text::time(turn.started_at),
        spoke
    );
    if let Some(reason) = &turn.out_of_order {
        let _ = writeln!(
            out,
            "<p class=\"meta-line\">{}: {}</p>",
            l.out_of_order,
            escape(reason)
        );
    }
    for s in &turn.statements {
        statement(out, export, s, l);
    }
    if turn.kind == RequestKind::PointOfOrder {
        match &turn.ruling {
            Some(r) => {
                let _ = writeln!(
                    out,
                    "<div class=\"ruling\"><p><span class=\"who\">{}</span> ({}, {})</p><p class=\"text\" dir=\"auto\">{}</p></div>",
                    l.ruling,
                    escape(&export.name(&r.by)),
                    text::time(r.at),
                    escape(&r.text)
                );
            }
            None => {
                let _ = writeln!(out, "<p class=\"meta-line\">{}</p>", l.no_ruling);
            }
        }
    }
    out.push_str("</div>\n");
}

fn statement(out: &mut String, export: &Export, s: &Statement, l: &Labels) {
    let marked = if s.status == Status::Published {
        ""
    } else {
        " marked"
    };
    let author = match &s.joint {
        Some(j) => text::joint_heading(j, export.lang),
        None => export.person(&s.author).map_or_else(
            || s.author.to_string(),
            |p| text::person_line(p, export.lang),
        ),
    };
    let _ = write!(
        out,
        "<div class=\"statement{marked}\" id=\"s-{}\">\n<p class=\"meta-line\"><span class=\"who\">{}</span> · {} · {}",
        s.id,
        escape(&author),
        escape(&names::language(s.lang.as_str(), export.lang)),
        ltr(&text::date_time(s.posted_at))
    );
    if let Some(a) = s.alignment {
        let _ = write!(out, " · {}", text::alignment(a, l));
    }
    if let Some((_, versions)) = s.edited {
        let _ = write!(out, " · {} ({versions})", l.edited);
    }
    out.push_str("</p>\n");
    if let Some(j) = &s.joint {
        let _ = writeln!(
            out,
            "<p class=\"joint\">{}</p>",
            escape(&text::joint_line(j, export.lang))
        );
    }
    if s.status != Status::Published {
        let reason = s
            .status_reason
            .as_ref()
            .map(|r| format!(": {}", escape(r)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<p class=\"status\">{}{reason}</p>",
            text::status(s.status, l)
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"text\" lang=\"{}\" dir=\"auto\">{}</p>",
        escape(s.lang.as_str()),
        escape(&s.text)
    );
    if !s.replies.is_empty() {
        out.push_str("<div class=\"replies\">\n");
        for r in &s.replies {
            statement(out, export, r, l);
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
}

fn consultation(out: &mut String, export: &Export, c: &ConsultationPart, l: &Labels) {
    let _ = writeln!(out, "<h2>{}</h2>", l.questions);
    for q in &c.questions {
        let _ = write!(
            out,
            "<section id=\"q-{}\">\n<h3><bdi>{}</bdi></h3>\n<h4>{}</h4>\n",
            q.id,
            escape(&q.text),
            l.published
        );
        if q.published.is_empty() {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", l.no_submissions);
        }
        for s in &q.published {
            statement(out, export, s, l);
        }
        if !q.withheld.is_empty() {
            let _ = writeln!(out, "<h4>{}</h4>", l.withheld);
            for s in &q.withheld {
                statement(out, export, s, l);
            }
        }
        out.push_str("</section>\n");
    }
    if let Some(syn) = &c.synthesis {
        let _ = write!(
            out,
            "<h2>{}</h2>\n<p class=\"meta-line\">v{} · <bdi>{}</bdi> · <bdi dir=\"ltr\">{}</bdi></p>\n<p class=\"text\" dir=\"auto\">{}</p>\n<ol>\n",
            l.synthesis,
            syn.version,
            escape(&export.name(&syn.by)),
            text::date_time(syn.at),
            escape(&syn.text)
        );
        for cit in &syn.citations {
            let excerpt = cit
                .excerpt
                .as_ref()
                .map(|e| format!("<bdi>“{}”</bdi>", escape(e)))
                .unwrap_or_default();
            match (cit.statement, cit.input, cit.point) {
                (Some(id), _, _) if export.has_statement(id) => {
                    let _ = writeln!(out, "<li><a href=\"#s-{id}\">#{id}</a> {excerpt}</li>");
                }
                (Some(id), _, _) => {
                    let _ = writeln!(out, "<li>#{id} {excerpt}</li>");
                }
                (None, Some(input), point) => {
                    let _ = writeln!(
                        out,
                        "<li><a href=\"#input-{input}\">{} {input}</a>{} {excerpt}</li>",
                        l.origin,
                        point.map(|p| format!(".{}", p + 1)).unwrap_or_default()
                    );
                }
                _ => {}
            }
        }
        out.push_str("</ol>\n");
    }
    if !c.inputs.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>", l.inputs);
        for input in &c.inputs {
            self::input(out, input, l);
        }
    }
    let f = &c.figures;
    let _ = write!(
        out,
        "<h2>{}</h2>\n<p>{} {} · {} {}</p>\n",
        l.figures, f.total.submissions, l.submissions, f.total.organisations, l.organisations
    );
    let lang = export.lang;
    let question = |key: &str| {
        c.questions
            .iter()
            .find(|q| q.id.to_string() == key)
            .map_or_else(|| key.to_owned(), |q| q.text.clone())
    };
    let tables: [FigureTable; 4] = [
        (l.question, &f.by_question, &question),
        (l.constituency, &f.by_constituency, &|k| {
            names::constituency(k, lang)
        }),
        (l.region, &f.by_region, &|k| names::region(k, lang)),
        (l.language, &f.by_language, &|k| names::language(k, lang)),
    ];
    for (first, map, name) in tables {
        if map.is_empty() {
            continue;
        }
        table_head(out, &[first, l.submissions_col, l.organisations_col]);
        for (key, t) in map {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\"><bdi>{}</bdi></th><td>{}</td><td>{}</td></tr>",
                escape(&name(key)),
                t.submissions,
                t.organisations
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
}

/// A table of figures: its first column's heading, the tallies, and how a key is named.
type FigureTable<'a> = (
    &'a str,
    &'a BTreeMap<String, Tally>,
    &'a dyn Fn(&str) -> String,
);

fn input(out: &mut String, input: &InputView, l: &Labels) {
    let i = &input.input;
    let _ = write!(
        out,
        "<section id=\"input-{}\">\n<h3>{} ({}, {})</h3>\n<p class=\"text\" dir=\"auto\">{}</p>\n<ol>\n",
        input.id,
        escape(&i.title),
        escape(i.from.as_str()),
        text::date_time(i.published_at),
        escape(&i.synthesis)
    );
    for p in &i.points {
        let chain: Vec<&str> = p.chain.iter().map(|r| r.as_str()).collect();
        let _ = writeln!(
            out,
            "<li><p class=\"text\" lang=\"{}\" dir=\"auto\">{}</p><p class=\"meta-line\">{} · {}: {} #{} → {}</p></li>",
            escape(p.lang.as_str()),
            escape(&p.text),
            escape(p.org.as_deref().unwrap_or(p.author.as_str())),
            l.origin,
            escape(p.room.as_str()),
            p.statement,
            escape(&chain.join(" → "))
        );
    }
    out.push_str("</ol>\n</section>\n");
}
