//! The document against the table and the router it is built from.

use super::*;
use crate::http::endpoints;

#[test]
fn every_endpoint_is_an_operation_of_the_document() {
    let table = endpoints::all();
    let document = build(&table);
    let paths = document["paths"].as_object().expect("paths");
    let operations: usize = paths
        .values()
        .map(|item| item.as_object().map_or(0, Map::len))
        .sum();
    assert_eq!(
        operations,
        table.len(),
        "one operation per endpoint, none twice"
    );
    for endpoint in &table {
        assert!(
            !endpoint.summary.is_empty(),
            "{} says what it does",
            endpoint.path
        );
        let operation = &paths[endpoint.path][endpoint.verb.name()];
        assert_eq!(operation["summary"], endpoint.summary, "{}", endpoint.path);
        let declared: Vec<&str> = operation["parameters"]
            .as_array()
            .map(|p| {
                p.iter()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        let in_path: Vec<&str> = endpoint.path_params().collect();
        assert_eq!(declared, in_path, "path parameters of {}", endpoint.path);
    }
}

#[test]
fn every_reference_resolves_to_a_schema_of_the_document() {
    let document = build(&endpoints::all());
    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("schemas");
    let mut references = Vec::new();
    collect_references(&document, &mut references);
    assert!(
        references.len() > 20,
        "the document names its types: {references:?}"
    );
    for reference in references {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{reference} points outside the components"));
        assert!(schemas.contains_key(name), "{reference} has no schema");
    }
}

#[test]
fn request_bodies_and_query_strings_are_the_handlers_types() {
    let document = build(&endpoints::all());
    let body = |path: &str| {
        document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].clone()
    };
    assert_eq!(body("/api/rooms"), "#/components/schemas/RoomSpec");
    assert_eq!(
        body("/api/registry/apply"),
        "#/components/schemas/PublicApplication"
    );
    let export = &document["paths"]["/api/rooms/{id}/export"]["get"]["parameters"];
    let names: Vec<&str> = export
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["id", "format", "lang"]);
    let format = export
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "format")
        .expect("format");
    assert!(
        format["description"]
            .as_str()
            .is_some_and(|d| d.contains("akn")),
        "{format}"
    );
    let public = &document["paths"]["/api/registry/public"]["get"]["security"];
    assert_eq!(public, &json!([]), "the public list needs no token");
    let rooms = &document["paths"]["/api/rooms"]["get"]["security"];
    assert_eq!(rooms, &json!([{ "bearer": [] }]));
}

#[test]
fn no_route_is_added_beside_the_table() {
    // The router is built from `endpoints::all()` only: a `.route(` of its own in `http/mod.rs`
    // would be served without being documented.
    let source = include_str!("../mod.rs");
    let own_routes: Vec<&str> = source
        .lines()
        .filter(|line| line.contains(".route(\"") && !line.trim_start().starts_with("//"))
        .collect();
    assert_eq!(
        own_routes,
        [
            "        .route(\"/healthz\", get(health::healthz))",
            "        .route(\"/metrics\", get(metrics))"
        ],
        "only the reserve router (over the connection limit) routes outside the table"
    );
}

#[test]
fn the_checked_in_copy_is_current() {
    let served = serde_json::to_string_pretty(document()).expect("json") + "\n";
    let copy = include_str!("../../../../docs/openapi.json");
    assert!(
        copy == served,
        "docs/openapi.json is out of date: run `cargo run -p baraza-server -- openapi > docs/openapi.json`"
    );
}

fn collect_references<'a>(value: &'a Value, into: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => into.push(reference),
                    _ => collect_references(value, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, into)),
        _ => {}
    }
}
