//! The names an export gives to codes — countries, languages, UN regional groups, M49 areas and
//! constituencies — in the export's language, from the generated tables in `names_data.rs`.
//! An unknown code is shown as it is.

use super::labels::Lang;
#[path = "names_data.rs"]
mod data;

fn column(lang: Lang) -> usize {
    match lang {
        Lang::Ar => 0,
        Lang::En => 1,
        Lang::Es => 2,
        Lang::Fr => 3,
        Lang::Ru => 4,
        Lang::Zh => 5,
    }
}

fn find(
    table: &'static [(&'static str, [&'static str; 6])],
    code: &str,
) -> Option<&'static [&'static str; 6]> {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, names)| names)
}

/// A country's name (`GH` → "Ghana", "غانا" …); the code when unknown.
pub fn country(code: &str, lang: Lang) -> String {
    find(data::COUNTRIES, code).map_or_else(|| code.to_owned(), |n| n[column(lang)].to_owned())
}

/// A language's name (`sw` → "Swahili"; `fr-CA` → "French (CA)"); the tag when unknown.
pub fn language(tag: &str, lang: Lang) -> String {
    let mut parts = tag.splitn(2, ['-', '_']);
    let primary = parts.next().unwrap_or_default().to_ascii_lowercase();
    match find(data::LANGUAGES, &primary) {
        Some(n) => match parts.next() {
            Some(rest) => format!("{} ({rest})", n[column(lang)]),
            None => n[column(lang)].to_owned(),
        },
        None => tag.to_owned(),
    }
}

/// A region's name: a UN regional group slug (`african` → "African States") or an M49 code
/// (`014` → "Eastern Africa"); the code when unknown.
pub fn region(code: &str, lang: Lang) -> String {
    find(data::GROUPS, code)
        .or_else(|| find(data::AREAS, code))
        .map_or_else(|| code.replace('_', " "), |n| n[column(lang)].to_owned())
}

/// A constituency's name (`farmers` → "Farmers"); the wire name when unknown.
pub fn constituency(name: &str, lang: Lang) -> String {
    find(data::CONSTITUENCIES, name)
        .map_or_else(|| name.replace('_', " "), |n| n[column(lang)].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geo;
    use baraza_proto::identity::Constituency;

    #[test]
    fn every_code_the_server_knows_has_a_name_in_every_language() {
        let table = geo::table();
        for lang in Lang::ALL {
            for c in &table.countries {
                assert_ne!(
                    country(c.code.as_str(), lang),
                    c.code.as_str(),
                    "{c:?} in {lang:?}"
                );
            }
            for a in &table.areas {
                assert_ne!(region(&a.code, lang), a.code, "{a:?} in {lang:?}");
            }
            for g in &table.groups {
                let slug = geo::un_group_slug(*g);
                assert_ne!(
                    region(slug, lang),
                    slug.replace('_', " "),
                    "{slug} in {lang:?}"
                );
            }
        }
        let all: Vec<Constituency> = serde_json::from_str(
            r#"["women","children_youth","indigenous_peoples","ngos","local_authorities","workers_trade_unions","business_industry","scientific_technological","farmers","member_states","parliamentarians","un_system","media","other"]"#,
        )
        .expect("constituencies");
        for c in all {
            assert!(find(data::CONSTITUENCIES, c.as_str()).is_some(), "{c:?}");
        }
    }

    #[test]
    fn names_follow_the_language() {
        assert_eq!(country("GH", Lang::En), "Ghana");
        assert_eq!(country("GH", Lang::Ar), "غانا");
        assert_eq!(region("african", Lang::En), "African States");
        assert_eq!(constituency("farmers", Lang::Fr), "Agriculteurs");
        assert_eq!(language("sw", Lang::En), "Swahili");
        assert_eq!(language("fr-CA", Lang::En), "French (CA)");
        assert_eq!(language("x-klingon", Lang::En), "x-klingon");
        assert_eq!(country("QQ", Lang::En), "QQ");
    }
}
