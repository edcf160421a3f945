//! Small text helpers the renderers share: times, durations, escaping, the words of enums.

use super::labels::{Labels, Lang};
use super::model::{Export, Person, Status};
use super::names;
use baraza_proto::consultation::Alignment;
use baraza_proto::ids::Millis;
use baraza_proto::room::Scope;
use baraza_proto::roundtable::RequestKind;

/// `2026-12-02` for a time in ms since the Unix epoch (UTC).
pub fn date(ms: Millis) -> String {
    let (y, m, d, _, _, _) = civil(ms);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2026-12-02 14:05 UTC`.
pub fn date_time(ms: Millis) -> String {
    let (y, m, d, h, min, _) = civil(ms);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02} UTC")
}

/// `14:05:09` (UTC).
pub fn time(ms: Millis) -> String {
    let (_, _, _, h, min, s) = civil(ms);
    format!("{h:02}:{min:02}:{s:02}")
}

/// `2026-12-02T14:05:09Z` (an `xsd:dateTime`).
pub fn iso(ms: Millis) -> String {
    let (y, m, d, h, min, s) = civil(ms);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z")
}

/// `3:20` for 200,000 ms (minutes and seconds, rounded down).
pub fn duration(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// Year, month, day, hour, minute, second of a Unix time in ms (proleptic Gregorian, UTC).
pub fn civil(ms: Millis) -> (i64, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Days since 1970-01-01 to a civil date, by 400-year eras of 146,097 days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rest / 3600) as u32,
        (rest % 3600 / 60) as u32,
        (rest % 60) as u32,
    )
}

/// Text with `& < > " '` escaped for HTML and XML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Where the forum sits, in words of `lang` ("Global", "Ghana", "African States").
pub fn scope(scope: &Scope, lang: Lang) -> String {
    match scope {
        Scope::Global => lang.labels().global.to_owned(),
        Scope::Region { region } => names::region(region, lang),
        Scope::Country { country } => names::country(country.as_str(), lang),
    }
}

/// The room's working languages by name in `lang`, joined ("English, French").
pub fn languages(export: &Export) -> String {
    export
        .languages
        .iter()
        .map(|t| names::language(t.as_str(), export.lang))
        .collect::<Vec<_>>()
        .join(separators(export.lang).1)
}

/// A statement's status in words.
pub fn status(status: Status, l: &Labels) -> &'static str {
    match status {
        Status::Published => l.published,
        Status::Held => l.held,
        Status::Rejected => l.rejected,
        Status::Hidden => l.hidden,
    }
}

/// An alignment in words.
pub fn alignment(a: Alignment, l: &Labels) -> &'static str {
    match a {
        Alignment::Supports => l.supports,
        Alignment::Neutral => l.neutral,
        Alignment::Opposes => l.opposes,
    }
}

/// A turn's kind in words.
pub fn kind(kind: RequestKind, l: &Labels) -> &'static str {
    match kind {
        RequestKind::Speak => l.statement,
        RequestKind::Reply => l.reply_to,
        RequestKind::PointOfOrder => l.point_of_order,
    }
}

/// The separators of a list in `lang`: between groups and between items (`; ` and `, `;
/// Arabic `؛ ` and `، `; Chinese `；` and `、`).
pub fn separators(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Ar => ("\u{061b} ", "\u{060c} "),
        Lang::Zh => ("\u{ff1b}", "\u{3001}"),
        _ => ("; ", ", "),
    }
}

/// `text` between Unicode isolates (FSI … PDI), so that a name in one script keeps its order
/// inside a line in another.
pub fn isolate(text: &str) -> String {
    format!("\u{2068}{text}\u{2069}")
}

/// `Amina (Kenya Land Alliance; Farmers; Kenya, African States)`: a person with what they
/// speak for, every code named in `lang`, names and organisations isolated.
pub fn person_line(p: &Person, lang: Lang) -> String {
    let (group, item) = separators(lang);
    let mut details: Vec<String> = Vec::new();
    if let Some(org) = &p.org {
        details.push(isolate(org));
    }
    if let Some(c) = p.constituency {
        details.push(names::constituency(c.as_str(), lang));
    }
    let place: Vec<String> = [
        p.country.as_deref().map(|c| names::country(c, lang)),
        p.un_group.as_deref().map(|g| names::region(g, lang)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !place.is_empty() {
        details.push(place.join(item));
    }
    if details.is_empty() {
        isolate(&p.name)
    } else {
        format!("{} ({})", isolate(&p.name), details.join(group))
    }
}

/// What the record's head hash vouches for, in plain words of the export's language.
pub fn verification(export: &Export) -> String {
    let seq = export.head.seq.to_string();
    export
        .lang
        .labels()
        .verify_plain
        .replace("{count}", &seq)
        .replace("{seq}", &seq)
}

/// The names of the chairs, joined.
pub fn chairs(export: &Export) -> String {
    export
        .chairs
        .iter()
        .map(|c| export.name(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Joint statement of the Women caucus": who a caucus's joint statement speaks for.
pub fn joint_heading(j: &baraza_proto::caucus::JointOrigin, lang: Lang) -> String {
    let caucus = names::constituency(j.constituency.as_str(), lang);
    lang.labels().joint_statement.replace("{}", &caucus)
}

/// The line that marks a caucus's joint statement: whose it is, who endorsed it, and the link
/// to its adoption in the caucus record (`room #seq`, with the event's hash).
pub fn joint_line(j: &baraza_proto::caucus::JointOrigin, lang: Lang) -> String {
    let l = lang.labels();
    let mut line = joint_heading(j, lang);
    if !j.endorsers.is_empty() {
        let _ = std::fmt::Write::write_fmt(
            &mut line,
            format_args!(" · {}: {}", l.endorsed_by, j.endorsers.join(", ")),
        );
    }
    let _ = std::fmt::Write::write_fmt(
        &mut line,
        format_args!(
            " · {}: {} #{} (SHA-256 {})",
            l.caucus_record, j.caucus, j.adoption_seq, j.adoption_hash
        ),
    );
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_civil_dates() {
        assert_eq!(date_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(iso(1_795_000_700_000), "2026-11-18T11:18:20Z");
        assert_eq!(date(951_782_400_000), "2000-02-29");
        assert_eq!(duration(200_000), "3:20");
    }
}
