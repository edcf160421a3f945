//! Geography of countries: ISO 3166-1 alpha-2 codes mapped to their UN M49 region and
//! sub-region and to their UN regional group (the five electoral groups of the General
//! Assembly).
//!
//! Pure data, no I/O. All 249 assigned alpha-2 codes are covered (member states, observers
//! and territories). Each country is stored with its most specific M49 area; the region, the
//! sub-region and region containment are derived by walking the parents of that area:
//!
//! * `m49_subregion` is the M49 *intermediate region* where one exists (e.g. `014` Eastern
//!   Africa under `202` Sub-Saharan Africa, `029` Caribbean under `419` Latin America and the
//!   Caribbean), otherwise the M49 sub-region (e.g. `155` Western Europe). The Channel
//!   Islands (`830`) are reported as their sub-region `154` Northern Europe.
//! * `m49_region` is the continental region (`002`, `019`, `142`, `150`, `009`), or `010`
//!   for Antarctica.
//!
//! UN regional groups are given only for the 193 UN member states, following the usual
//! conventions: the United States, Israel and Türkiye in the Western European and others
//! Group, Cyprus and the Central Asian states in the Asia-Pacific Group, the Baltic states
//! in the Eastern European Group, and Kiribati in no group. Observers (Holy See,
//! Palestine) and territories have no group.

use baraza_proto::api::{GeoArea, GeoCountry, GeoTable};
use baraza_proto::identity::{Region, UnGroup};
use baraza_proto::ids::CountryCode;

const AFR: Option<UnGroup> = Some(UnGroup::African);
const APG: Option<UnGroup> = Some(UnGroup::AsiaPacific);
const EEG: Option<UnGroup> = Some(UnGroup::EasternEuropean);
const LAC: Option<UnGroup> = Some(UnGroup::LatinAmericanCaribbean);
const WEO: Option<UnGroup> = Some(UnGroup::WesternEuropeanOthers);
const NONE: Option<UnGroup> = None;

/// Every assigned ISO 3166-1 alpha-2 code, sorted by code: (alpha-2, most specific M49
/// area, UN regional group).
static COUNTRIES: &[(&str, &str, Option<UnGroup>)] = &[
    ("AD", "039", WEO),  // Andorra
    ("AE", "145", APG),  // United Arab Emirates
    ("AF", "034", APG),  // Afghanistan
    ("AG", "029", LAC),  // Antigua and Barbuda
    ("AI", "029", NONE), // Anguilla
    ("AL", "039", EEG),  // Albania
    ("AM", "145", EEG),  // Armenia
    ("AO", "017", AFR),  // Angola
    ("AQ", "010", NONE), // Antarctica
    ("AR", "005", LAC),  // Argentina
    ("AS", "061", NONE), // American Samoa
    ("AT", "155", WEO),  // Austria
    ("AU", "053", WEO),  // Australia
    ("AW", "029", NONE), // Aruba
    ("AX", "154", NONE), // Åland Islands
    ("AZ", "145", EEG),  // Azerbaijan
    ("BA", "039", EEG),  // Bosnia and Herzegovina
    ("BB", "029", LAC),  // Barbados
    ("BD", "034", APG),  // Bangladesh
    ("BE", "155", WEO),  // Belgium
    ("BF", "011", AFR),  // Burkina Faso
    ("BG", "151", EEG),  // Bulgaria
    ("BH", "145", APG),  // Bahrain
    ("BI", "014", AFR),  // Burundi
    ("BJ", "011", AFR),  // Benin
    ("BL", "029", NONE), // Saint Barthélemy
    ("BM", "021", NONE), // Bermuda
    ("BN", "035", APG),  // Brunei Darussalam
    ("BO", "005", LAC),  // Bolivia
    ("BQ", "029", NONE), // Bonaire, Sint Eustatius and Saba
    ("BR", "005", LAC),  // Brazil
    ("BS", "029", LAC),  // Bahamas
    ("BT", "034", APG),  // Bhutan
    ("BV", "005", NONE), // Bouvet Island
    ("BW", "018", AFR),  // Botswana
    ("BY", "151", EEG),  // Belarus
    ("BZ", "013", LAC),  // Belize
    ("CA", "021", WEO),  // Canada
    ("CC", "053", NONE), // Cocos (Keeling) Islands
    ("CD", "017", AFR),  // Democratic Republic of the Congo
    ("CF", "017", AFR),  // Central African Republic
    ("CG", "017", AFR),  // Congo
    ("CH", "155", WEO),  // Switzerland
    ("CI", "011", AFR),  // Côte d'Ivoire
    ("CK", "061", NONE), // Cook Islands
    ("CL", "005", LAC),  // Chile
    ("CM", "017", AFR),  // Cameroon
    ("CN", "030", APG),  // China
    ("CO", "005", LAC),  // Colombia
    ("CR", "013", LAC),  // Costa Rica
    ("CU", "029", LAC),  // Cuba
    ("CV", "011", AFR),  // Cabo Verde
    ("CW", "029", NONE), // Curaçao
    ("CX", "053", NONE), // Christmas Island
    ("CY", "145", APG),  // Cyprus
    ("CZ", "151", EEG),  // Czechia
    ("DE", "155", WEO),  // Germany
    ("DJ", "014", AFR),  // Djibouti
    ("DK", "154", WEO),  // Denmark
    ("DM", "029", LAC),  // Dominica
    ("DO", "029", LAC),  // Dominican Republic
    ("DZ", "015", AFR),  // Algeria
    ("EC", "005", LAC),  // Ecuador
    ("EE", "154", EEG),  // Estonia
    ("EG", "015", AFR),  // Egypt
    ("EH", "015", NONE), // Western Sahara
    ("ER", "014", AFR),  // Eritrea
    ("ES", "039", WEO),  // Spain
    ("ET", "014", AFR),  // Ethiopia
    ("FI", "154", WEO),  // Finland
    ("FJ", "054", APG),  // Fiji
    ("FK", "005", NONE), // Falkland Islands (Malvinas)
    ("FM", "057", APG),  // Micronesia (Federated States of)
    ("FO", "154", NONE), // Faroe Islands
    ("FR", "155", WEO),  // France
    ("GA", "017", AFR),  // Gabon
    ("GB", "154", WEO),  // United Kingdom
    ("GD", "029", LAC),  // Grenada
    ("GE", "145", EEG),  // Georgia
    ("GF", "005", NONE), // French Guiana
    ("GG", "830", NONE), // Guernsey
    ("GH", "011", AFR),  // Ghana
    ("GI", "039", NONE), // Gibraltar
    ("GL", "021", NONE), // Greenland
    ("GM", "011", AFR),  // Gambia
    ("GN", "011", AFR),  // Guinea
    ("GP", "029", NONE), // Guadeloupe
    ("GQ", "017", AFR),  // Equatorial Guinea
    ("GR", "039", WEO),  // Greece
    ("GS", "005", NONE), // South Georgia and the South Sandwich Islands
    ("GT", "013", LAC),  // Guatemala
    ("GU", "057", NONE), // Guam
    ("GW", "011", AFR),  // Guinea-Bissau
    ("GY", "005", LAC),  // Guyana
    ("HK", "030", NONE), // Hong Kong
    ("HM", "053", NONE), // Heard Island and McDonald Islands
    ("HN", "013", LAC),  // Honduras
    ("HR", "039", EEG),  // Croatia
    ("HT", "029", LAC),  // Haiti
    ("HU", "151", EEG),  // Hungary
    ("ID", "035", APG),  // Indonesia
    ("IE", "154", WEO),  // Ireland
    ("IL", "145", WEO),  // Israel
    ("IM", "154", NONE), // Isle of Man
    ("IN", "034", APG),  // India
    ("IO", "014", NONE), // British Indian Ocean Territory
    ("IQ", "145", APG),  // Iraq
    ("IR", "034", APG),  // Iran
    ("IS", "154", WEO),  // Iceland
    ("IT", "039", WEO),  // Italy
    ("JE", "830", NONE), // Jersey
    ("JM", "029", LAC),  // Jamaica
    ("JO", "145", APG),  // Jordan
    ("JP", "030", APG),  // Japan
    ("KE", "014", AFR),  // Kenya
    ("KG", "143", APG),  // Kyrgyzstan
    ("KH", "035", APG),  // Cambodia
    ("KI", "057", NONE), // Kiribati (UN member in no regional group)
    ("KM", "014", AFR),  // Comoros
    ("KN", "029", LAC),  // Saint Kitts and Nevis
    ("KP", "030", APG),  // Democratic People's Republic of Korea
    ("KR", "030", APG),  // Republic of Korea
    ("KW", "145", APG),  // Kuwait
    ("KY", "029", NONE), // Cayman Islands
    ("KZ", "143", APG),  // Kazakhstan
    ("LA", "035", APG),  // Lao People's Democratic Republic
    ("LB", "145", APG),  // Lebanon
    ("LC", "029", LAC),  // Saint Lucia
    ("LI", "155", WEO),  // Liechtenstein
    ("LK", "034", APG),  // Sri Lanka
    ("LR", "011", AFR),  // Liberia
    ("LS", "018", AFR),  // Lesotho
    ("LT", "154", EEG),  // Lithuania
    ("LU", "155", WEO),  // Luxembourg
    ("LV", "154", EEG),  // Latvia
    ("LY", "015", AFR),  // Libya
    ("MA", "015", AFR),  // Morocco
    ("MC", "155", WEO),  // Monaco
    ("MD", "151", EEG),  // Republic of Moldova
    ("ME", "039", EEG),  // Montenegro
    ("MF", "029", NONE), // Saint Martin (French part)
    ("MG", "014", AFR),  // Madagascar
    ("MH", "057", APG),  // Marshall Islands
    ("MK", "039", EEG),  // North Macedonia
    ("ML", "011", AFR),  // Mali
    ("MM", "035", APG),  // Myanmar
    ("MN", "030", APG),  // Mongolia
    ("MO", "030", NONE), // Macao
    ("MP", "057", NONE), // Northern Mariana Islands
    ("MQ", "029", NONE), // Martinique
    ("MR", "011", AFR),  // Mauritania
    ("MS", "029", NONE), // Montserrat
    ("MT", "039", WEO),  // Malta
    ("MU", "014", AFR),  // Mauritius
    ("MV", "034", APG),  // Maldives
    ("MW", "014", AFR),  // Malawi
    ("MX", "013", LAC),  // Mexico
    ("MY", "035", APG),  // Malaysia
    ("MZ", "014", AFR),  // Mozambique
    ("NA", "018", AFR),  // Namibia
    ("NC", "054", NONE), // New Caledonia
    ("NE", "011", AFR),  // Niger
    ("NF", "053", NONE), // Norfolk Island
    ("NG", "011", AFR),  // Nigeria
    ("NI", "013", LAC),  // Nicaragua
    ("NL", "155", WEO),  // Netherlands
    ("NO", "154", WEO),  // Norway
    ("NP", "034", APG),  // Nepal
    ("NR", "057", APG),  // Nauru
    ("NU", "061", NONE), // Niue
    ("NZ", "053", WEO),  // New Zealand
    ("OM", "145", APG),  // Oman
    ("PA", "013", LAC),  // Panama
    ("PE", "005", LAC),  // Peru
    ("PF", "061", NONE), // French Polynesia
    ("PG", "054", APG),  // Papua New Guinea
    ("PH", "035", APG),  // Philippines
    ("PK", "034", APG),  // Pakistan
    ("PL", "151", EEG),  // Poland
    ("PM", "021", NONE), // Saint Pierre and Miquelon
    ("PN", "061", NONE), // Pitcairn
    ("PR", "029", NONE), // Puerto Rico
    ("PS", "145", NONE), // State of Palestine (observer)
    ("PT", "039", WEO),  // Portugal
    ("PW", "057", APG),  // Palau
    ("PY", "005", LAC),  // Paraguay
    ("QA", "145", APG),  // Qatar
    ("RE", "014", NONE), // Réunion
    ("RO", "151", EEG),  // Romania
    ("RS", "039", EEG),  // Serbia
    ("RU", "151", EEG),  // Russian Federation
    ("RW", "014", AFR),  // Rwanda
    ("SA", "145", APG),  // Saudi Arabia
    ("SB", "054", APG),  // Solomon Islands
    ("SC", "014", AFR),  // Seychelles
    ("SD", "015", AFR),  // Sudan
    ("SE", "154", WEO),  // Sweden
    ("SG", "035", APG),  // Singapore
    ("SH", "011", NONE), // Saint Helena, Ascension and Tristan da Cunha
    ("SI", "039", EEG),  // Slovenia
    ("SJ", "154", NONE), // Svalbard and Jan Mayen
    ("SK", "151", EEG),  // Slovakia
    ("SL", "011", AFR),  // Sierra Leone
    ("SM", "039", WEO),  // San Marino
    ("SN", "011", AFR),  // Senegal
    ("SO", "014", AFR),  // Somalia
    ("SR", "005", LAC),  // Suriname
    ("SS", "014", AFR),  // South Sudan
    ("ST", "017", AFR),  // Sao Tome and Principe
    ("SV", "013", LAC),  // El Salvador
    ("SX", "029", NONE), // Sint Maarten (Dutch part)
    ("SY", "145", APG),  // Syrian Arab Republic
    ("SZ", "018", AFR),  // Eswatini
    ("TC", "029", NONE), // Turks and Caicos Islands
    ("TD", "017", AFR),  // Chad
    ("TF", "014", NONE), // French Southern Territories
    ("TG", "011", AFR),  // Togo
    ("TH", "035", APG),  // Thailand
    ("TJ", "143", APG),  // Tajikistan
    ("TK", "061", NONE), // Tokelau
    ("TL", "035", APG),  // Timor-Leste
    ("TM", "143", APG),  // Turkmenistan
    ("TN", "015", AFR),  // Tunisia
    ("TO", "061", APG),  // Tonga
    ("TR", "145", WEO),  // Türkiye
    ("TT", "029", LAC),  // Trinidad and Tobago
    ("TV", "061", APG),  // Tuvalu
    ("TW", "030", NONE), // Taiwan (not listed separately in M49; Eastern Asia)
    ("TZ", "014", AFR),  // United Republic of Tanzania
    ("UA", "151", EEG),  // Ukraine
    ("UG", "014", AFR),  // Uganda
    ("UM", "057", NONE), // United States Minor Outlying Islands
    ("US", "021", WEO),  // United States of America
    ("UY", "005", LAC),  // Uruguay
    ("UZ", "143", APG),  // Uzbekistan
    ("VA", "039", NONE), // Holy See (observer)
    ("VC", "029", LAC),  // Saint Vincent and the Grenadines
    ("VE", "005", LAC),  // Venezuela
    ("VG", "029", NONE), // British Virgin Islands
    ("VI", "029", NONE), // United States Virgin Islands
    ("VN", "035", APG),  // Viet Nam
    ("VU", "054", APG),  // Vanuatu
    ("WF", "061", NONE), // Wallis and Futuna Islands
    ("WS", "061", APG),  // Samoa
    ("YE", "145", APG),  // Yemen
    ("YT", "014", NONE), // Mayotte
    ("ZA", "018", AFR),  // South Africa
    ("ZM", "014", AFR),  // Zambia
    ("ZW", "014", AFR),  // Zimbabwe
];

/// Level of an M49 area in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// `001`, the root.
    World,
    /// A continental region (`002`, `019`, `142`, `150`, `009`, and `010` Antarctica).
    Continent,
    /// A sub-region (`015`, `202`, `419`, `155` …).
    SubRegion,
    /// An intermediate region reported as a country's sub-region (`014`, `029` …).
    Intermediate,
    /// An intermediate region finer than what is reported as a sub-region (`830`).
    Detail,
}

use Level::{Continent, Detail, Intermediate, SubRegion, World};

/// M49 areas: (code, name, parent code, level). The World has no parent (`""`).
static AREAS: &[(&str, &str, &str, Level)] = &[
    ("001", "World", "", World),
    ("002", "Africa", "001", Continent),
    ("015", "Northern Africa", "002", SubRegion),
    ("202", "Sub-Saharan Africa", "002", SubRegion),
    ("014", "Eastern Africa", "202", Intermediate),
    ("017", "Middle Africa", "202", Intermediate),
    ("018", "Southern Africa", "202", Intermediate),
    ("011", "Western Africa", "202", Intermediate),
    ("019", "Americas", "001", Continent),
    ("419", "Latin America and the Caribbean", "019", SubRegion),
    ("029", "Caribbean", "419", Intermediate),
    ("013", "Central America", "419", Intermediate),
    ("005", "South America", "419", Intermediate),
    ("021", "Northern America", "019", SubRegion),
    ("142", "Asia", "001", Continent),
    ("143", "Central Asia", "142", SubRegion),
    ("030", "Eastern Asia", "142", SubRegion),
    ("035", "South-eastern Asia", "142", SubRegion),
    ("034", "Southern Asia", "142", SubRegion),
    ("145", "Western Asia", "142", SubRegion),
    ("150", "Europe", "001", Continent),
    ("151", "Eastern Europe", "150", SubRegion),
    ("154", "Northern Europe", "150", SubRegion),
    ("830", "Channel Islands", "154", Detail),
    ("039", "Southern Europe", "150", SubRegion),
    ("155", "Western Europe", "150", SubRegion),
    ("009", "Oceania", "001", Continent),
    ("053", "Australia and New Zealand", "009", SubRegion),
    ("054", "Melanesia", "009", SubRegion),
    ("057", "Micronesia", "009", SubRegion),
    ("061", "Polynesia", "009", SubRegion),
    ("010", "Antarctica", "001", Continent),
];

/// UN regional groups and their slugs (the serde `snake_case` names).
static GROUP_SLUGS: &[(UnGroup, &str)] = &[
    (UnGroup::African, "african"),
    (UnGroup::AsiaPacific, "asia_pacific"),
    (UnGroup::EasternEuropean, "eastern_european"),
    (UnGroup::LatinAmericanCaribbean, "latin_american_caribbean"),
    (UnGroup::WesternEuropeanOthers, "western_european_others"),
];

/// The table row of an assigned alpha-2 code.
fn lookup(code: &str) -> Option<&'static (&'static str, &'static str, Option<UnGroup>)> {
    COUNTRIES
        .binary_search_by(|(alpha2, _, _)| (*alpha2).cmp(code))
        .ok()
        .map(|index| &COUNTRIES[index])
}

/// The M49 area with this code.
fn area(code: &str) -> Option<&'static (&'static str, &'static str, &'static str, Level)> {
    AREAS.iter().find(|(area_code, _, _, _)| *area_code == code)
}

/// The M49 area `code` followed by all its ancestors, up to and including `001` World.
fn ancestry(code: &'static str) -> impl Iterator<Item = (&'static str, Level)> {
    let mut next = area(code);
    std::iter::from_fn(move || {
        let (code, _, parent, level) = next?;
        next = area(parent);
        Some((*code, *level))
    })
}

/// The region of an assigned country code; None if the code is not assigned.
pub fn region_of(country: &CountryCode) -> Option<Region> {
    let (_, m49, un_group) = lookup(country.as_str())?;
    let mut subregion = None;
    let mut region = None;
    for (code, level) in ancestry(m49) {
        match level {
            Level::SubRegion | Level::Intermediate if subregion.is_none() => {
                subregion = Some(code);
            }
            Level::Continent => region = Some(code),
            _ => {}
        }
    }
    let region = region?;
    Some(Region {
        un_group: *un_group,
        m49_region: region.to_owned(),
        // Antarctica has no sub-region: it is reported as its own.
        m49_subregion: subregion.unwrap_or(region).to_owned(),
    })
}

/// Whether `code` (e.g. "KE") is an assigned ISO 3166-1 alpha-2 code.
pub fn is_assigned(code: &str) -> bool {
    lookup(code).is_some()
}

/// Name of an M49 region / intermediate region / sub-region code ("002" → "Africa", "014" →
/// "Eastern Africa", "202" → "Sub-Saharan Africa", "419" → "Latin America and the
/// Caribbean", "001" → "World"), None if unknown.
pub fn m49_name(code: &str) -> Option<&'static str> {
    area(code).map(|(_, name, _, _)| *name)
}

/// Parses a UN regional group slug: "african", "asia_pacific", "eastern_european",
/// "latin_american_caribbean", "western_european_others".
pub fn un_group_from_slug(slug: &str) -> Option<UnGroup> {
    GROUP_SLUGS
        .iter()
        .find(|(_, known)| *known == slug)
        .map(|(group, _)| *group)
}

/// The slug of a group (inverse of [`un_group_from_slug`]).
pub fn un_group_slug(group: UnGroup) -> &'static str {
    match group {
        UnGroup::African => "african",
        UnGroup::AsiaPacific => "asia_pacific",
        UnGroup::EasternEuropean => "eastern_european",
        UnGroup::LatinAmericanCaribbean => "latin_american_caribbean",
        UnGroup::WesternEuropeanOthers => "western_european_others",
    }
}

/// Whether a region code used in a room scope is known: a UN group slug or any M49 code that
/// [`m49_name`] knows.
pub fn is_known_region(code: &str) -> bool {
    un_group_from_slug(code).is_some() || area(code).is_some()
}

/// Whether `country` lies within the region `code` (a UN group slug, an M49 region, an M49
/// sub-region such as "202"/"419", or an intermediate region such as "014"). "001" (World)
/// contains every country.
pub fn country_in_region(country: &CountryCode, code: &str) -> bool {
    let Some((_, m49, un_group)) = lookup(country.as_str()) else {
        return false;
    };
    if let Some(group) = un_group_from_slug(code) {
        return *un_group == Some(group);
    }
    ancestry(m49).any(|(area_code, _)| area_code == code)
}

/// Whether the region `inner` lies strictly within the region `outer`: an M49 area inside
/// another (e.g. "014" Eastern Africa within "002" Africa), or anything but World inside "001".
/// A UN regional group only lies within World, and nothing lies within a UN regional group but
/// its countries (see [`country_in_region`]).
pub fn region_within(inner: &str, outer: &str) -> bool {
    if inner == outer {
        return false;
    }
    if un_group_from_slug(inner).is_some() {
        return outer == "001";
    }
    let Some((inner, _, _, _)) = area(inner) else {
        return false;
    };
    ancestry(inner).any(|(code, _)| code == outer)
}

/// The whole table as `GET /api/geo` serves it: every country with its group and areas, every
/// M49 area with its parent, every UN regional group.
pub fn table() -> GeoTable {
    let countries = COUNTRIES
        .iter()
        .filter_map(|(code, m49, group)| {
            Some(GeoCountry {
                code: CountryCode::new(*code).ok()?,
                un_group: *group,
                areas: ancestry(m49).map(|(area, _)| area.to_owned()).collect(),
            })
        })
        .collect();
    let areas = AREAS
        .iter()
        .map(|(code, name, parent, _)| GeoArea {
            code: (*code).to_owned(),
            name: (*name).to_owned(),
            parent: (!parent.is_empty()).then(|| (*parent).to_owned()),
        })
        .collect();
    GeoTable {
        countries,
        areas,
        groups: GROUP_SLUGS.iter().map(|(group, _)| *group).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(code: &str) -> CountryCode {
        CountryCode::new(code).expect("valid country code")
    }

    fn check(code: &str, subregion: &str, region: &str, group: Option<UnGroup>) {
        let found = region_of(&cc(code)).expect("assigned");
        assert_eq!(found.m49_subregion, subregion, "{code} sub-region");
        assert_eq!(found.m49_region, region, "{code} region");
        assert_eq!(found.un_group, group, "{code} group");
    }

    #[test]
    fn table_is_sorted_without_duplicates_and_complete() {
        assert!(COUNTRIES.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert_eq!(COUNTRIES.len(), 249);
        for (alpha2, m49, _) in COUNTRIES {
            assert!(CountryCode::new(*alpha2).is_ok(), "{alpha2}");
            assert!(area(m49).is_some(), "{alpha2}: unknown area {m49}");
            assert!(region_of(&cc(alpha2)).is_some(), "{alpha2}");
        }
    }

    #[test]
    fn areas_are_unique_and_reach_the_world() {
        for (index, (code, _, _, _)) in AREAS.iter().enumerate() {
            assert!(
                AREAS[index + 1..].iter().all(|other| other.0 != *code),
                "{code} duplicated"
            );
            assert_eq!(ancestry(code).last(), Some(("001", Level::World)), "{code}");
        }
    }

    #[test]
    fn group_counts_follow_the_stated_conventions() {
        let count = |group: UnGroup| {
            COUNTRIES
                .iter()
                .filter(|(_, _, g)| *g == Some(group))
                .count()
        };
        assert_eq!(count(UnGroup::African), 54);
        // Includes Cyprus and the five Central Asian states; excludes Türkiye (WEOG) and
        // Kiribati (no group).
        assert_eq!(count(UnGroup::AsiaPacific), 53);
        // Includes Estonia, Latvia and Lithuania.
        assert_eq!(count(UnGroup::EasternEuropean), 23);
        assert_eq!(count(UnGroup::LatinAmericanCaribbean), 33);
        // 28 members plus the United States (observer in WEOG, counted there for
        // electoral purposes), including Israel and Türkiye.
        assert_eq!(count(UnGroup::WesternEuropeanOthers), 29);
        // 54 + 53 + 23 + 33 + 29 = 192: the 193 UN member states less Kiribati, which
        // belongs to no group. So 192 (not 193) countries carry a group.
        let grouped = COUNTRIES.iter().filter(|(_, _, g)| g.is_some()).count();
        assert_eq!(grouped, 192);
        assert_eq!(region_of(&cc("KI")).map(|r| r.un_group), Some(None));
    }

    #[test]
    fn spot_checks() {
        check("KE", "014", "002", AFR);
        check("BR", "005", "019", LAC);
        check("FR", "155", "150", WEO);
        check("CN", "030", "142", APG);
        check("RU", "151", "150", EEG);
        check("US", "021", "019", WEO);
        check("FJ", "054", "009", APG);
        check("PS", "145", "142", NONE);
        check("TR", "145", "142", WEO);
        check("IL", "145", "142", WEO);
        check("CY", "145", "142", APG);
        check("EE", "154", "150", EEG);
        check("KZ", "143", "142", APG);
        check("VA", "039", "150", NONE);
        check("GG", "154", "150", NONE);
        check("JE", "154", "150", NONE);
        check("AQ", "010", "010", NONE);
        check("BV", "005", "019", NONE);
        check("GS", "005", "019", NONE);
        check("HM", "053", "009", NONE);
        check("TF", "014", "002", NONE);
        check("IO", "014", "002", NONE);
        check("UM", "057", "009", NONE);
        check("CX", "053", "009", NONE);
        check("CC", "053", "009", NONE);
        assert_eq!(region_of(&cc("XX")), None);
        assert_eq!(region_of(&cc("UK")), None);
    }

    #[test]
    fn containment() {
        let ke = cc("KE");
        assert!(country_in_region(&ke, "202"));
        assert!(country_in_region(&ke, "african"));
        assert!(country_in_region(&ke, "002"));
        assert!(country_in_region(&ke, "014"));
        assert!(country_in_region(&ke, "001"));
        assert!(!country_in_region(&ke, "419"));
        assert!(!country_in_region(&ke, "015"));
        assert!(!country_in_region(&ke, "asia_pacific"));
        assert!(!country_in_region(&ke, "999"));
        assert!(country_in_region(&cc("JM"), "419"));
        assert!(country_in_region(&cc("JM"), "029"));
        assert!(country_in_region(&cc("JE"), "830"));
        assert!(country_in_region(&cc("JE"), "154"));
        assert!(country_in_region(&cc("AQ"), "001"));
        assert!(!country_in_region(&cc("PS"), "asia_pacific"));
        assert!(!country_in_region(&cc("XX"), "001"));
        assert!(
            COUNTRIES
                .iter()
                .all(|(c, _, _)| country_in_region(&cc(c), "001"))
        );
    }

    #[test]
    fn names_slugs_and_known_regions() {
        assert_eq!(m49_name("002"), Some("Africa"));
        assert_eq!(m49_name("014"), Some("Eastern Africa"));
        assert_eq!(m49_name("202"), Some("Sub-Saharan Africa"));
        assert_eq!(m49_name("419"), Some("Latin America and the Caribbean"));
        assert_eq!(m49_name("001"), Some("World"));
        assert_eq!(m49_name("999"), None);
        for (group, slug) in GROUP_SLUGS {
            assert_eq!(un_group_slug(*group), *slug);
            assert_eq!(un_group_from_slug(slug), Some(*group));
        }
        assert_eq!(un_group_from_slug("African"), None);
        assert!(is_known_region("asia_pacific"));
        assert!(is_known_region("202"));
        assert!(is_known_region("001"));
        assert!(!is_known_region("999"));
        assert!(!is_known_region(""));
    }

    #[test]
    fn assigned_codes() {
        assert!(is_assigned("KE"));
        assert!(is_assigned("ZW"));
        assert!(is_assigned("AD"));
        assert!(!is_assigned("ke"));
        assert!(!is_assigned("UK"));
        assert!(!is_assigned("XK"));
        assert!(!is_assigned("KEN"));
        assert!(!is_assigned(""));
    }

    #[test]
    fn the_table_lists_every_country_with_its_areas_up_to_the_world() {
        let table = table();
        assert_eq!(table.countries.len(), COUNTRIES.len());
        let ke = table
            .countries
            .iter()
            .find(|c| c.code.as_str() == "KE")
            .expect("Kenya");
        assert_eq!(ke.areas, ["014", "202", "002", "001"]);
        assert_eq!(ke.un_group, Some(UnGroup::African));
        assert_eq!(table.areas[0].parent, None);
        assert_eq!(table.groups.len(), 5);
    }
}
