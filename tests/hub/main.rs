//! End-to-end tests of the hub core over real sockets against the real `baraza` binary.

mod access_ended;
mod assets;
mod audience;
mod bad_input;
mod batching;
mod durability;
mod edge;
mod http;
mod limits;
mod missing_rooms;
mod openapi;
mod outside_identity;
mod presence;
mod registry;
mod rooms;
mod search;
mod trust;

use baraza_e2e::{Api, Client, NodeProcess, TokenSpec};
use baraza_proto::identity::{Constituency, Role};
use baraza_proto::ids::LanguageTag;
use baraza_proto::room::{RoomKind, RoomSettings, Scope};

/// Settings of a simple global room.
pub fn settings(kind: RoomKind, title: &str) -> RoomSettings {
    RoomSettings {
        kind,
        title: title.into(),
        description: String::new(),
        languages: vec![
            LanguageTag::new("en").unwrap(),
            LanguageTag::new("fr").unwrap(),
        ],
        scope: Scope::Global,
        constituency: None,
        audience_above: None,
    }
}

/// Tokens for the usual cast.
pub fn secretariat() -> String {
    TokenSpec::new("sec-1", Role::Secretariat).sign()
}
pub fn moderator() -> String {
    TokenSpec::new("mod-1", Role::Moderator).sign()
}
pub fn participant(sub: &str, country: &str) -> String {
    TokenSpec::new(sub, Role::Participant)
        .from_org(&format!("{sub} network"), Constituency::Ngos, country)
        .sign()
}
pub fn observer() -> String {
    TokenSpec::new("press-1", Role::Observer).sign()
}

/// A server with one roundtable `rt` created by the secretariat.
pub async fn server_with_room() -> (NodeProcess, Api) {
    let node = NodeProcess::start().await;
    let api = Api::new(node.http_url(), secretariat());
    api.create_room(
        "rt",
        &settings(RoomKind::Roundtable, "Financing for development"),
    )
    .await;
    (node, api)
}

/// The body of a public application (`POST /api/registry/apply`) of an NGO named `name` in
/// `country`, whose focal point reads mail at `email`, to the forum `ffd-2027`.
pub fn public_application(name: &str, country: &str, email: &str) -> serde_json::Value {
    serde_json::json!({
        "organisation": {
            "name": name,
            "country": country,
            "constituency": "ngos",
            "sdgs": [5, 10],
            "description": "Works on the rights of women in the informal economy.",
            "ecosoc": {"status": "special", "year": 2011}
        },
        "focal_point": {"name": format!("Focal point of {name}"), "email": email},
        "forum": "ffd-2027",
        "statement": "Two decades of work on financing for development in the region."
    })
}

/// A signed-in client that joined `room`.
pub async fn member(node: &NodeProcess, token: &str, room: &str) -> Client {
    let (mut client, _) = Client::signed_in(&node.ws_url(), token).await;
    client.join(room, None).await;
    client
}
