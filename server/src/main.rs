//! The `baraza` binary; the command line itself is [`baraza_server::cli`].

fn main() -> std::process::ExitCode {
    baraza_server::cli::main()
}
