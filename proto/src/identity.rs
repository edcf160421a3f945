//! Who someone is in Baraza: role, organisation, constituency, country and region.
//!
//! A `Profile` is built by the server from a verified token; clients never assert their own.

use crate::ids::{CountryCode, UserId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a person may do. Authorisation is decided per command in the server's domain core.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Creates rooms, accredits, archives and publishes the record.
    Secretariat,
    /// Runs a room: floor control, moderation.
    Moderator,
    /// Speaks for an organisation.
    Participant,
    /// Reads and follows (media, public); cannot post.
    Observer,
}

impl Role {
    /// Secretariat and moderators may moderate and read the full record.
    pub fn moderates(self) -> bool {
        matches!(self, Role::Secretariat | Role::Moderator)
    }

    /// Everyone but observers may speak and post.
    pub fn may_post(self) -> bool {
        !matches!(self, Role::Observer)
    }

    /// The wire name (`"moderator"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Secretariat => "secretariat",
            Role::Moderator => "moderator",
            Role::Participant => "participant",
            Role::Observer => "observer",
        }
    }
}

/// The constituency an organisation speaks for: the nine major groups of Agenda 21 plus the
/// other stakeholder categories a UN forum seats.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Constituency {
    /// Major group: women.
    Women,
    /// Major group: children and youth.
    ChildrenYouth,
    /// Major group: indigenous peoples.
    IndigenousPeoples,
    /// Major group: non-governmental organisations.
    Ngos,
    /// Major group: local authorities.
    LocalAuthorities,
    /// Major group: workers and trade unions.
    WorkersTradeUnions,
    /// Major group: business and industry.
    BusinessIndustry,
    /// Major group: scientific and technological community.
    ScientificTechnological,
    /// Major group: farmers.
    Farmers,
    /// State-related: member-state delegations.
    MemberStates,
    /// State-related: parliamentarians.
    Parliamentarians,
    /// The UN system: agencies, funds, programmes.
    UnSystem,
    /// Media.
    Media,
    /// Anyone else (academia without a group, foundations …).
    Other,
}

impl Constituency {
    /// The wire name (`"indigenous_peoples"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Constituency::Women => "women",
            Constituency::ChildrenYouth => "children_youth",
            Constituency::IndigenousPeoples => "indigenous_peoples",
            Constituency::Ngos => "ngos",
            Constituency::LocalAuthorities => "local_authorities",
            Constituency::WorkersTradeUnions => "workers_trade_unions",
            Constituency::BusinessIndustry => "business_industry",
            Constituency::ScientificTechnological => "scientific_technological",
            Constituency::Farmers => "farmers",
            Constituency::MemberStates => "member_states",
            Constituency::Parliamentarians => "parliamentarians",
            Constituency::UnSystem => "un_system",
            Constituency::Media => "media",
            Constituency::Other => "other",
        }
    }
}

/// UN regional groups (the five electoral groups of the General Assembly).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum UnGroup {
    /// African States.
    African,
    /// Asia-Pacific States.
    AsiaPacific,
    /// Eastern European States.
    EasternEuropean,
    /// Latin American and Caribbean States (GRULAC).
    LatinAmericanCaribbean,
    /// Western European and other States (WEOG).
    WesternEuropeanOthers,
}

/// Where a country sits: its UN regional group (if it has one) and its UN M49 region and
/// sub-region (three-digit codes, e.g. `002` Africa / `014` Eastern Africa).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Region {
    /// UN regional group; absent for territories and non-members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub un_group: Option<UnGroup>,
    /// M49 region code: `002` Africa, `019` Americas, `142` Asia, `150` Europe, `009` Oceania.
    pub m49_region: String,
    /// M49 sub-region code, e.g. `014` Eastern Africa, `419` Latin America and the Caribbean.
    pub m49_subregion: String,
}

/// A person as the room sees them, from their verified token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Profile {
    /// Stable id (`sub` claim).
    pub user: UserId,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Organisation spoken for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// Constituency of the organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constituency: Option<Constituency>,
    /// Country (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    /// Region derived by the server from the country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}
