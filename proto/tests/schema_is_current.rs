//! Fails when `schema/baraza.v1.schema.json` no longer matches the wire types.

#[test]
fn checked_in_schema_matches_the_types() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/baraza.v1.schema.json");
    let generated = baraza_proto::schema::schema_json();
    if std::env::var_os("BARAZA_UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).expect("write schema");
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "proto/schema/baraza.v1.schema.json is out of date; regenerate it with\n  \
         cargo run -p baraza-proto --bin baraza-schema > proto/schema/baraza.v1.schema.json\n\
         (or run this test with BARAZA_UPDATE_SCHEMA=1) and update docs/protocol.md"
    );
}
