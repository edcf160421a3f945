//! `GET /api/openapi.json`: the OpenAPI 3.1 document of a node's HTTP API, built from the
//! [endpoint table](super::endpoints) that also builds the router, with the schemas of the
//! Rust types the handlers read and write (their `JsonSchema`, JSON Schema 2020-12, which is
//! OpenAPI 3.1's own dialect).
//!
//! `docs/openapi.json` is the checked-in copy for readers; a test fails while it is out of date
//! (`cargo run -p baraza-server -- openapi > docs/openapi.json` regenerates it).

use super::endpoints::{self, Access, Answer, Endpoint, PathParam, Verb};
use axum::Json;
use baraza_proto::api::ApiError;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

/// Where the schemas live in the document, and where their `$ref`s point.
const SCHEMAS: &str = "/components/schemas";

/// The document, built once per process.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| build(&endpoints::all()))
}

/// Serves [`document`].
pub async fn serve() -> Json<Value> {
    Json(document().clone())
}

/// Builds the document of `endpoints`.
pub fn build(endpoints: &[Endpoint]) -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = SCHEMAS.into();
    settings.meta_schema = None;
    let mut generator = SchemaGenerator::new(settings);
    let error = reference::<ApiError>(&mut generator);
    let mut paths = Map::new();
    for endpoint in endpoints {
        let operation = operation(endpoint, &mut generator, &error);
        let item = paths
            .entry(endpoint.path)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(endpoint.verb.name().to_owned(), operation);
        }
    }
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Baraza",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "Moderated roundtables and regional e-consultations: rooms, their records, \
                        the registry of organisations and accreditation.",
            "description": "The REST API of a Baraza node. The live protocol runs over the \
                            WebSocket at `/ws` (subprotocol `baraza.v1`), documented in \
                            docs/protocol.md; every error has the `ApiError` body.",
            "license": {
                "name": env!("CARGO_PKG_LICENSE"),
                "identifier": env!("CARGO_PKG_LICENSE")
            }
        },
        "paths": paths,
        "components": {
            "schemas": generator.take_definitions(true),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A session token: from `baraza token`, a sign-in link \
                                    (`POST /api/registry/sign-in`) or the deployment's \
                                    identity provider."
                }
            }
        }
    })
}

fn reference<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().to_value()
}

fn operation(endpoint: &Endpoint, generator: &mut SchemaGenerator, error: &Value) -> Value {
    let mut operation = Map::new();
    operation.insert("operationId".into(), operation_id(endpoint).into());
    operation.insert("summary".into(), endpoint.summary.into());
    operation.insert("tags".into(), json!([tag(endpoint.path)]));
    let security = match endpoint.access {
        Access::Public => json!([]),
        Access::Bearer => json!([{ "bearer": [] }]),
    };
    operation.insert("security".into(), security);
    let parameters = parameters(endpoint, generator);
    if !parameters.is_empty() {
        operation.insert("parameters".into(), parameters.into());
    }
    if let Some(body) = endpoint.body {
        let schema = body(generator).to_value();
        operation.insert(
            "requestBody".into(),
            json!({
                "required": !endpoint.body_optional,
                "content": { "application/json": { "schema": schema } }
            }),
        );
    }
    let success = match endpoint.answer {
        Answer::Json(answer) => json!({
            "description": "Done.",
            "content": { "application/json": { "schema": answer(generator).to_value() } }
        }),
        Answer::Document(types) => {
            let content: Map<String, Value> = types
                .iter()
                .map(|t| ((*t).to_owned(), json!({ "schema": { "type": "string" } })))
                .collect();
            json!({ "description": "The document.", "content": content })
        }
        Answer::Text => json!({
            "description": "Plain text.",
            "content": { "text/plain": { "schema": { "type": "string" } } }
        }),
        Answer::Upgrade => json!({ "description": "Switching to the WebSocket protocol." }),
    };
    operation.insert(
        "responses".into(),
        json!({
            endpoint.status.to_string(): success,
            "default": {
                "description": "An error: its `code` says which (docs/protocol.md, error codes).",
                "content": { "application/json": { "schema": error } }
            }
        }),
    );
    Value::Object(operation)
}

fn parameters(endpoint: &Endpoint, generator: &mut SchemaGenerator) -> Vec<Value> {
    let mut parameters: Vec<Value> = endpoint
        .path_params()
        .map(|name| {
            let schema = match endpoint.path_param {
                PathParam::Name => json!({ "type": "string" }),
                PathParam::Id => json!({ "type": "integer", "format": "uint64", "minimum": 0 }),
            };
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect();
    if let Some(query) = endpoint.query {
        let schema = query(generator);
        let object = resolve(generator, &schema);
        let required: Vec<&str> = object
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(Value::Object(properties)) = object.get("properties") {
            for (name, property) in properties {
                let mut property = property.clone();
                let description = property
                    .as_object_mut()
                    .and_then(|p| p.remove("description"));
                let mut parameter = json!({
                    "name": name,
                    "in": "query",
                    "required": required.contains(&name.as_str()),
                    "schema": property,
                });
                if let (Some(description), Value::Object(parameter)) = (description, &mut parameter)
                {
                    parameter.insert("description".into(), description);
                }
                parameters.push(parameter);
            }
        }
    }
    if endpoint.verb == Verb::Post
        && endpoint.access == Access::Bearer
        && tag(endpoint.path) == "registry"
    {
        parameters.push(json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "A retried request with the same key is done once (1 to 64 printable \
                            ASCII characters).",
            "schema": { "type": "string", "minLength": 1, "maxLength": 64 }
        }));
    }
    parameters
}

/// The object a `$ref` schema points to (the schema itself when it is not a reference).
fn resolve(generator: &SchemaGenerator, schema: &Schema) -> Value {
    let value = schema.clone().to_value();
    let Some(name) = value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    else {
        return value;
    };
    generator.definitions().get(name).cloned().unwrap_or(value)
}

/// `get /api/rooms/{id}/events` → `get_rooms_id_events`.
fn operation_id(endpoint: &Endpoint) -> String {
    let words: Vec<String> = endpoint
        .path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "api")
        .map(|s| {
            s.trim_matches(|c| c == '{' || c == '}')
                .replace(['-', '.'], "_")
        })
        .collect();
    format!("{}_{}", endpoint.verb.name(), words.join("_"))
}

/// The group an endpoint is listed under.
fn tag(path: &str) -> &'static str {
    if path.starts_with("/api/registry") {
        "registry"
    } else if path.starts_with("/api/rooms") || path == "/api/geo" {
        "rooms"
    } else {
        "node"
    }
}

#[cfg(test)]
mod tests;
