//! The `baraza` command line, built as this package's own binary so that the smoke test has a
//! debug server to run against without building another package's binaries.

fn main() -> std::process::ExitCode {
    baraza_server::cli::main()
}
