//! The `baraza` command, built as a binary of the test package so that every test run uses a
//! binary built from the current sources (Cargo builds it and names it in
//! `CARGO_BIN_EXE_baraza-node`).

fn main() -> std::process::ExitCode {
    baraza_server::cli::main()
}
