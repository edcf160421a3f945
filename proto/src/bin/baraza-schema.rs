//! Prints the JSON Schema of protocol v1 to standard output.

fn main() {
    print!("{}", baraza_proto::schema::schema_json());
}
