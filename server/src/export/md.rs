//! `md`: the summary record as Markdown. Statements are real paragraphs (never indented, so
//! never code blocks), Markdown in them is escaped, and every name or text set in a heading or
//! a line of mixed direction is wrapped in Unicode isolates (FSI … PDI), so Arabic next to
//! Latin text keeps its order in every renderer.

use super::labels::Labels;
use super::model::*;
use super::text;
use baraza_proto::roundtable::RequestKind;
use std::fmt::Write;

/// Renders the document as Markdown.
pub fn render(export: &Export) -> String {
    let l = export.lang.labels();
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", iso(&export.title));
    let _ = writeln!(out, "*{}*\n", l.summary_record);
    if !export.description.is_empty() {
        paragraphs(&mut out, &export.description);
    }
    let _ = writeln!(
        out,
        "- **{}:** {} – {}",
        l.date,
        text::date_time(export.from),
        text::date_time(export.to)
    );
    let _ = writeln!(
        out,
        "- **{}:** {}",
        l.forum,
        iso(&text::scope(&export.scope, export.lang))
    );
    if !export.chairs.is_empty() {
        let _ = writeln!(out, "- **{}:** {}", l.chair, iso(&text::chairs(export)));
    }
    let _ = writeln!(out, "- **{}:** {}\n", l.languages, text::languages(export));
    match export.audience {
        Audience::Full => {
            let _ = writeln!(out, "*{}*\n", l.full_record);
        }
        Audience::Public => {
            let _ = writeln!(out, "*{}*\n", l.public_record);
        }
    }
    for (n, item) in export.agenda.iter().enumerate() {
        let _ = writeln!(out, "## {} {}. {}\n", l.item, n + 1, iso(&item.title));
        for t in &item.turns {
            turn(&mut out, export, t, l);
        }
        for s in &item.statements {
            statement(&mut out, export, s, l, 0);
        }
    }
    if let Some(c) = &export.consultation {
        let _ = writeln!(out, "## {}\n", l.questions);
        for q in &c.questions {
            let _ = writeln!(out, "### {}\n", iso(&q.text));
            let _ = writeln!(out, "#### {}\n", l.published);
            if q.published.is_empty() {
                let _ = writeln!(out, "*{}*\n", l.no_submissions);
            }
            for s in &q.published {
                statement(&mut out, export, s, l, 0);
            }
            if !q.withheld.is_empty() {
                let _ = writeln!(out, "#### {}\n", l.withheld);
                for s in &q.withheld {
                    statement(&mut out, export, s, l, 0);
                }
            }
        }
        if let Some(syn) = &c.synthesis {
            let _ = writeln!(out, "## {}\n", l.synthesis);
            paragraphs(&mut out, &syn.text);
            for cit in &syn.citations {
                let target = match (cit.statement, cit.input, cit.point) {
                    (Some(id), _, _) => format!("#{id}"),
                    (None, Some(i), p) => {
                        format!(
                            "{} {i}{}",
                            l.origin,
                            p.map(|p| format!(".{}", p + 1)).unwrap_or_default()
                        )
                    }
                    _ => continue,
                };
                let excerpt = cit
                    .excerpt
                    .as_ref()
                    .map(|e| format!(" “{}”", escape(e)))
                    .unwrap_or_default();
                let _ = writeln!(out, "- {target}{excerpt}");
            }
            out.push('\n');
        }
        if !c.inputs.is_empty() {
            let _ = writeln!(out, "## {}\n", l.inputs);
            for input in &c.inputs {
                let i = &input.input;
                let _ = writeln!(out, "### {} ({})\n", iso(&i.title), i.from);
                paragraphs(&mut out, &i.synthesis);
                for p in &i.points {
                    let chain: Vec<&str> = p.chain.iter().map(|r| r.as_str()).collect();
                    let _ = writeln!(
                        out,
                        "- {} — {} ({}: {} #{} → {})",
                        iso(&escape(&p.text)),
                        iso(&escape(p.org.as_deref().unwrap_or(p.author.as_str()))),
                        l.origin,
                        p.room,
                        p.statement,
                        chain.join(" → ")
                    );
                }
                out.push('\n');
            }
        }
        let f = &c.figures;
        let _ = writeln!(
            out,
            "## {}\n\n{} {} · {} {}\n",
            l.figures, f.total.submissions, l.submissions, f.total.organisations, l.organisations
        );
    }
    if !export.other_statements.is_empty() {
        let _ = writeln!(out, "## {}\n", l.other_statements);
        for s in &export.other_statements {
            statement(&mut out, export, s, l, 0);
        }
    }
    let _ = writeln!(out, "## {}\n", l.attendance);
    for a in &export.attendance {
        let who = export
            .person(&a.user)
            .map_or_else(|| a.user.to_string(), |p| text::person_line(p, export.lang));
        let to = a.to.map_or_else(|| l.present.to_owned(), text::date_time);
        let _ = writeln!(
            out,
            "- {}: {} – {}",
            iso(&escape(&who)),
            text::date_time(a.from),
            to
        );
    }
    if let Some(m) = &export.minutes {
        let (approved, corrections) = super::minutes::approval(export, m, export.lang);
        let _ = writeln!(out, "\n## {}\n", l.minutes);
        paragraphs(&mut out, &m.text);
        paragraphs(&mut out, &approved);
        paragraphs(&mut out, &corrections);
    }
    let _ = writeln!(out, "\n## {}\n", l.verification);
    paragraphs(&mut out, &text::verification(export));
    let _ = writeln!(
        out,
        "`seq {}` · `SHA-256 {}`",
        export.head.seq, export.head.hash
    );
    out
}

fn turn(out: &mut String, export: &Export, t: &Turn, l: &Labels) {
    let speaker = export.person(&t.speaker).map_or_else(
        || t.speaker.to_string(),
        |p| text::person_line(p, export.lang),
    );
    let mut line = format!("**{}** — {}", iso(&escape(&speaker)), text::kind(t.kind, l));
    if let Some((_, who)) = &t.reply_to {
        let _ = write!(line, " {}", iso(&escape(&export.name(who))));
    }
    let _ = write!(line, " · {} {}", l.started, text::time(t.started_at));
    if let Some(ms) = t.spoken_ms {
        let _ = write!(line, " · {} {}", l.spoke, text::duration(ms));
    }
    let _ = writeln!(out, "{line}\n");
    if let Some(reason) = &t.out_of_order {
        let _ = writeln!(out, "*{}:* {}\n", l.out_of_order, escape(reason));
    }
    for s in &t.statements {
        statement(out, export, s, l, 0);
    }
    if t.kind == RequestKind::PointOfOrder {
        match &t.ruling {
            Some(r) => {
                let _ = writeln!(
                    out,
                    "**{}** ({}):\n",
                    l.ruling,
                    iso(&escape(&export.name(&r.by)))
                );
                paragraphs(out, &r.text);
            }
            None => {
                let _ = writeln!(out, "*{}*\n", l.no_ruling);
            }
        }
    }
}

fn statement(out: &mut String, export: &Export, s: &Statement, l: &Labels, depth: usize) {
    let author = match &s.joint {
        Some(j) => text::joint_heading(j, export.lang),
        None => export.person(&s.author).map_or_else(
            || s.author.to_string(),
            |p| text::person_line(p, export.lang),
        ),
    };
    let mut line = format!(
        "{}**{}** · {} · {}",
        "› ".repeat(depth),
        iso(&escape(&author)),
        super::names::language(s.lang.as_str(), export.lang),
        text::date_time(s.posted_at)
    );
    if let Some(a) = s.alignment {
        let _ = write!(line, " · {}", text::alignment(a, l));
    }
    if s.status != Status::Published {
        let _ = write!(line, " · **{}**", text::status(s.status, l).to_uppercase());
        if let Some(r) = &s.status_reason {
            let _ = write!(line, ": {}", escape(r));
        }
    }
    let _ = writeln!(out, "{line}\n");
    if let Some(j) = &s.joint {
        let _ = writeln!(out, "_{}_\n", escape(&text::joint_line(j, export.lang)));
    }
    paragraphs(out, &s.text);
    for r in &s.replies {
        statement(out, export, r, l, depth + 1);
    }
}

/// Each line of `text` as its own paragraph, escaped, never indented.
fn paragraphs(out: &mut String, text: &str) {
    for para in text.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
        let _ = writeln!(out, "{}\n", escape(para));
    }
}

/// Markdown's special characters escaped, and what a line could start a block with.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim_start().chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    // A leading "1." or "-" or "+" would start a list.
    if out.starts_with(['-', '+'])
        || out
            .split_once('.')
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    {
        out.insert(0, '\\');
    }
    out
}

/// `text` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: it takes its own
/// direction and cannot reorder what stands around it.
fn iso(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_text_is_a_paragraph_and_never_markup() {
        let mut out = String::new();
        paragraphs(
            &mut out,
            "    indented would be code\n# not a heading\n1. not a list",
        );
        assert_eq!(
            out,
            "indented would be code\n\n\\# not a heading\n\n\\1. not a list\n\n"
        );
        assert_eq!(escape("<script>"), "\\<script\\>");
    }
}
