//! Keeps `docs/protocol.md` true: every example parses as the type its fence names, and every
//! message type, event, error code and close code is documented.

use baraza_proto::api::{ApiError, GeoTable, Health, RecordPage};
use baraza_proto::consultation::ThreadsPage;
use baraza_proto::error::CloseCode;
use baraza_proto::message::{ClientMessage, ServerMessage};
use baraza_proto::room::{RoomSpec, RoomSummary};
use serde::de::DeserializeOwned;

fn doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md"))
        .expect("docs/protocol.md")
}

/// (kind, body) of every fenced block whose info string is `json <kind>`.
fn examples(doc: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if let Some(kind) = line.strip_prefix("```json ") {
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.starts_with("```"))
                .collect();
            found.push((kind.trim().to_owned(), body.join("\n")));
        }
    }
    found
}

fn check<T: DeserializeOwned + serde::Serialize>(kind: &str, body: &str) -> serde_json::Value {
    let parsed: T = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("a `{kind}` example does not parse: {e}\n{body}"));
    serde_json::to_value(parsed).expect("re-encode")
}

#[test]
fn every_example_is_a_valid_message() {
    let doc = doc();
    let examples = examples(&doc);
    assert!(
        examples.len() >= 20,
        "expected the examples to be found, got {}",
        examples.len()
    );
    for (kind, body) in &examples {
        let reencoded = match kind.as_str() {
            "client" => check::<ClientMessage>(kind, body),
            "server" => check::<ServerMessage>(kind, body),
            "room_spec" => check::<RoomSpec>(kind, body),
            "room_summary" => check::<RoomSummary>(kind, body),
            "record_page" => check::<RecordPage>(kind, body),
            "api_error" => check::<ApiError>(kind, body),
            "health" => check::<Health>(kind, body),
            "threads_page" => check::<ThreadsPage>(kind, body),
            "geo" => check::<GeoTable>(kind, body),
            other => panic!("unknown example kind {other:?}"),
        };
        // Nothing in an example may be silently ignored: it re-encodes to the same JSON.
        let original: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            reencoded, original,
            "a `{kind}` example has fields the type does not know"
        );
    }
}

#[test]
fn every_message_event_and_code_is_documented() {
    let doc = doc();
    let examples = examples(&doc);
    let mut client_types: Vec<String> = Vec::new();
    let mut server_types: Vec<String> = Vec::new();
    for (kind, body) in &examples {
        let value: serde_json::Value = serde_json::from_str(body).unwrap();
        let name = value["type"].as_str().unwrap_or_default().to_owned();
        match kind.as_str() {
            "client" => client_types.push(name),
            "server" => server_types.push(name),
            _ => {}
        }
    }
    for t in ClientMessage::TYPES {
        assert!(
            client_types.iter().any(|c| c == t),
            "no example of client message {t}"
        );
    }
    for t in [
        "welcome", "ack", "error", "snapshot", "event", "view", "pong",
    ] {
        assert!(
            server_types.iter().any(|s| s == t),
            "no example of server message {t}"
        );
    }
    for event in [
        "room_created",
        "member_joined",
        "member_left",
        "audience_changed",
        "statement_posted",
        "statement_hidden",
        "roundtable_configured",
        "agenda_item_added",
        "agenda_item_opened",
        "agenda_item_closed",
        "agenda_reordered",
        "speaking_policy_set",
        "time_budget_set",
        "floor_requested",
        "request_withdrawn",
        "request_removed",
        "speaking_list_closed",
        "speaking_list_reopened",
        "floor_granted",
        "floor_extended",
        "floor_paused",
        "floor_resumed",
        "floor_warning",
        "floor_time_up",
        "floor_ended",
        "participant_muted",
        "participant_unmuted",
        "participant_expelled",
        "participant_readmitted",
        "question_added",
        "question_edited",
        "question_withdrawn",
        "report_dismissed",
        "room_updated",
        "room_archived",
        "phase_changed",
        "moderation_set",
        "parent_set",
        "rapporteur_appointed",
        "rapporteur_dismissed",
        "statement_edited",
        "statement_restored",
        "statement_approved",
        "statement_rejected",
        "statement_reported",
        "synthesis_drafted",
        "input_received",
    ] {
        assert!(
            doc.contains(&format!("`{event}`")),
            "event {event} is not documented"
        );
    }
    let schema = baraza_proto::schema::schema_json();
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    let codes = schema["$defs"]["ErrorCode"]["oneOf"]
        .as_array()
        .expect("ErrorCode is a oneOf of consts");
    assert!(codes.len() >= 20);
    for code in codes {
        let code = code["const"].as_str().expect("a const");
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "error code {code} is not in the table"
        );
    }
    for code in CloseCode::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", code.code())),
            "close code {} is not in the table",
            code.code()
        );
    }
}
