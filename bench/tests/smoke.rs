//! Smoke run of the load generator: the fan-out scenario with 20 members against a debug
//! `baraza` it starts itself. Every member must receive every statement exactly once, and the
//! histograms must hold one value per delivery. Needs neither Node.js nor Redis.

use baraza_bench::scenarios::fanout::{self, FanoutParams};
use baraza_bench::systems::{Setup, System};
use std::path::PathBuf;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fanout_delivers_every_statement_to_every_member_exactly_once() {
    let setup = Setup {
        baraza: PathBuf::from(env!("CARGO_BIN_EXE_baraza-bench-node")),
        baraza_b: None,
        peers: PathBuf::from("peers"),
        baraza_flags: [
            "--rate",
            "10000",
            "--burst",
            "10000",
            "--presence-grace",
            "1m",
        ]
        .map(String::from)
        .to_vec(),
    };
    let members = 20;
    let params = FanoutParams {
        systems: vec![System::Baraza],
        members,
        rate: 50,
        rate_secs: 1,
        saturation: 40,
        window: 8,
        text_len: 64,
        runs: 1,
        concurrency: 20,
        sources: 2,
        enroll: true,
    };
    let figures = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        fanout::run_once(System::Baraza, &setup, &params),
    )
    .await
    .expect("the smoke run finishes within a minute")
    .expect("the smoke run succeeds");
    let n = members as u64;
    assert_eq!(figures["lost"], 0, "{figures:#}");
    assert_eq!(figures["doubled"], 0, "{figures:#}");
    assert_eq!(figures["seq_lost"], 0, "{figures:#}");
    assert_eq!(figures["seq_doubled"], 0, "{figures:#}");
    assert_eq!(figures["disconnected"], 0, "{figures:#}");
    assert_eq!(figures["speaker_errors"], 0, "{figures:#}");
    for (phase, statements) in [("rate", 50), ("saturation", 40)] {
        assert_eq!(
            figures[phase]["deliveries"],
            n * statements,
            "{phase}: {figures:#}"
        );
        assert_eq!(
            figures[phase]["latency"]["count"],
            n * statements,
            "{phase}: {figures:#}"
        );
        assert_eq!(
            figures[phase]["since_ts"]["count"],
            n * statements,
            "{phase}: {figures:#}"
        );
        assert_eq!(figures[phase]["complete"], true, "{phase}: {figures:#}");
    }
}
