//! Fan-out: one speaker's statements to N members of one room, at a fixed rate and at
//! saturation, against each system in the same command. Also the multi-node scenario (the same
//! against three Baraza nodes sharing a Redis).

use crate::board::Board;
use crate::crowd::{Crowd, CrowdSpec};
use crate::error::{BenchError, Result};
use crate::latency::{now_ns, summary};
use crate::report::{self, fmt, median_of};
use crate::speaker::Speaker;
use crate::systems::{self, ROOM, Setup, System};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Parameters of a fan-out run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FanoutParams {
    /// Systems, each run `runs` times (interleaved).
    pub systems: Vec<System>,
    /// Receiving members.
    pub members: usize,
    /// Statements per second in the fixed-rate phase.
    pub rate: u32,
    /// Length of the fixed-rate phase, seconds.
    pub rate_secs: u32,
    /// Statements in the saturation phase.
    pub saturation: u64,
    /// Statements in flight in the saturation phase (sent but not yet received by everyone).
    pub window: u64,
    /// Statement length in characters.
    pub text_len: usize,
    /// Repetitions.
    pub runs: usize,
    /// Connections opened at the same time.
    pub concurrency: usize,
    /// Client source addresses.
    pub sources: usize,
    /// Enrol members before they connect for good (see [`CrowdSpec::enroll`]).
    pub enroll: bool,
}

/// How long to wait for the statements of a phase to reach everyone.
const DRAIN: Duration = Duration::from_secs(30);

async fn wait_delivered(board: &Board, from: u64, to: u64, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    let mut next = from;
    while next < to {
        if board.fully_delivered(next) {
            next += 1;
            continue;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::select! {
            () = board.complete.notified() => {}
            () = tokio::time::sleep(Duration::from_millis(2)) => {}
        }
    }
    true
}

fn phase_figures(
    board: &Board,
    phase: usize,
    statements: u64,
    start_ns: u64,
    complete: bool,
    server_cpu_s: f64,
) -> Value {
    let p = &board.phases[phase];
    let received = p.received.load(Ordering::Relaxed);
    let span = p
        .last_receipt_ns
        .load(Ordering::Relaxed)
        .saturating_sub(start_ns)
        .max(1) as f64
        / 1e9;
    json!({
        "statements": statements,
        "deliveries": received,
        "seconds": span,
        "deliveries_per_s": received as f64 / span,
        "events_per_s": statements as f64 / span,
        "latency": summary(&p.latency.merged()),
        "since_ts": summary(&p.since_ts.merged()),
        "complete": complete,
        "server_cpu_s": server_cpu_s,
        "deliveries_per_server_cpu_s": received as f64 / server_cpu_s.max(1e-3),
    })
}

/// Runs the fan-out scenario once against `system`.
pub async fn run_once(system: System, setup: &Setup, params: &FanoutParams) -> Result<Value> {
    let running = systems::start(system, setup).await?;
    let result = measure(&running, params).await;
    running.stop().await;
    result
}

async fn measure(running: &systems::Running, params: &FanoutParams) -> Result<Value> {
    let system = running.system;
    let dialect = system.dialect();
    let n = params.members;
    let rate_statements = u64::from(params.rate) * u64::from(params.rate_secs);
    let total = rate_statements + params.saturation;
    let board = Arc::new(Board::new(n, total, rate_statements));
    let mut speaker =
        Speaker::connect(running.addrs[0], dialect, ROOM, "speaker", params.text_len).await?;
    let rss_idle = running.rss_kib();
    let (hints, copier) = speaker.head_hints();
    let spec = CrowdSpec {
        members: n,
        dialect,
        addrs: running.addrs.clone(),
        rooms: vec![ROOM.into()],
        per_room: n,
        concurrency: params.concurrency,
        sources: params.sources,
        enroll: params.enroll,
    };
    let started = Instant::now();
    let crowd = Crowd::start(&spec, board.clone(), hints, false);
    let mut enroll_s = 0.0;
    if spec.enroll && dialect == crate::conn::Dialect::Baraza {
        let all = crowd.wait_enrolled(n, Duration::from_secs(900)).await;
        enroll_s = started.elapsed().as_secs_f64();
        if !all {
            let error = crowd.progress.first_error.lock().await.clone();
            copier.abort();
            crowd.finish().await;
            return Err(BenchError::protocol(
                "enrolling members",
                error.unwrap_or_default(),
            ));
        }
    }
    let started = Instant::now();
    let all_joined = crowd.wait_joined(n, Duration::from_secs(900)).await;
    let join_s = started.elapsed().as_secs_f64();
    if !all_joined {
        let error = crowd.progress.first_error.lock().await.clone();
        copier.abort();
        crowd.finish().await;
        return Err(BenchError::protocol(
            format!("joining {n} members to {}", system.name()),
            error.unwrap_or_else(|| "timed out".into()),
        ));
    }
    // Baraza: every join is an event every present member receives; wait until all have them.
    let settle_started = Instant::now();
    if dialect == crate::conn::Dialect::Baraza {
        let deadline = Instant::now() + Duration::from_secs(600);
        while board.behind(speaker.heard.head.load(Ordering::Relaxed)) > 0
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let settle_s = settle_started.elapsed().as_secs_f64();
    copier.abort();
    let rss_joined = running.rss_kib();

    // Fixed rate.
    let cpu0 = running.cpu_seconds();
    let start0 = now_ns();
    let mut ticker =
        tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(params.rate.max(1))));
    for index in 0..rate_statements {
        ticker.tick().await;
        speaker.say(index).await?;
    }
    let complete0 = wait_delivered(&board, 0, rate_statements, DRAIN).await;

    // Saturation: keep `window` statements in flight.
    let cpu1 = running.cpu_seconds();
    let start1 = now_ns();
    let mut complete1 = true;
    for index in rate_statements..total {
        if index >= rate_statements + params.window
            && !wait_delivered(
                &board,
                index - params.window,
                index - params.window + 1,
                Duration::from_secs(10),
            )
            .await
        {
            complete1 = false;
            break;
        }
        speaker.say(index).await?;
    }
    complete1 &= wait_delivered(&board, rate_statements, total, DRAIN).await;
    let cpu2 = running.cpu_seconds();

    let heard = speaker.heard.clone();
    speaker.close().await;
    let outcome = crowd.finish().await;
    let tail_lost: u64 = outcome
        .cursors
        .iter()
        .map(|c| total.saturating_sub(c.next))
        .sum();
    Ok(json!({
        "system": system.name(),
        "members": n,
        "enrolled": params.enroll,
        "enroll_s": enroll_s,
        "join_s": join_s,
        "settle_s": settle_s,
        "rss_idle_kib": rss_idle,
        "rss_joined_kib": rss_joined,
        "rss_per_member_kib": rss_joined.saturating_sub(rss_idle) as f64 / n.max(1) as f64,
        "rate": phase_figures(&board, 0, rate_statements, start0, complete0, cpu1 - cpu0),
        "saturation": phase_figures(&board, 1, params.saturation, start1, complete1, cpu2 - cpu1),
        "lost": board.lost.load(Ordering::Relaxed) + tail_lost,
        "doubled": board.doubled.load(Ordering::Relaxed),
        "seq_lost": board.seq_lost.load(Ordering::Relaxed),
        "seq_doubled": board.seq_doubled.load(Ordering::Relaxed),
        "disconnected": outcome.closed.len(),
        "close_codes": outcome.closed.iter().take(10).collect::<Vec<_>>(),
        "speaker_acks": heard.acks.load(Ordering::Relaxed),
        "speaker_errors": heard.errors.load(Ordering::Relaxed),
    }))
}

/// Runs every system `runs` times (interleaved), prints the tables of medians and ratios, and
/// saves the raw results.
pub async fn run(
    setup: &Setup,
    params: &FanoutParams,
    out: &Path,
    scenario: &str,
) -> Result<Value> {
    let mut runs = Vec::new();
    for round in 0..params.runs {
        for &system in &params.systems {
            eprintln!(
                "[{scenario}] run {}/{} {} N={}",
                round + 1,
                params.runs,
                system.name(),
                params.members
            );
            match run_once(system, setup, params).await {
                Ok(figures) => runs.push(figures),
                Err(error) => {
                    eprintln!("[{scenario}] {} failed: {error}", system.name());
                    runs.push(json!({"system": system.name(), "error": error.to_string()}));
                }
            }
        }
    }
    let medians = medians(params, &runs);
    print_tables(params, &medians);
    report::save(
        out,
        scenario,
        serde_json::to_value(params).expect("params"),
        runs,
        medians.clone(),
    )?;
    Ok(medians)
}

const FIGURES: [&str; 17] = [
    "/enroll_s",
    "/join_s",
    "/settle_s",
    "/rss_per_member_kib",
    "/rss_joined_kib",
    "/rate/deliveries_per_s",
    "/rate/latency/p50_ms",
    "/rate/latency/p99_ms",
    "/rate/latency/p999_ms",
    "/rate/since_ts/p99_ms",
    "/saturation/deliveries_per_s",
    "/saturation/latency/p50_ms",
    "/saturation/latency/p99_ms",
    "/saturation/latency/p999_ms",
    "/saturation/server_cpu_s",
    "/saturation/deliveries_per_server_cpu_s",
    "/lost",
];

fn medians(params: &FanoutParams, runs: &[Value]) -> Value {
    let mut out = serde_json::Map::new();
    for system in &params.systems {
        let mine: Vec<&Value> = runs
            .iter()
            .filter(|r| r["system"] == system.name() && r.get("error").is_none())
            .collect();
        let mut figures = serde_json::Map::new();
        figures.insert("runs".into(), mine.len().into());
        for path in
            FIGURES
                .iter()
                .chain(&["/doubled", "/seq_lost", "/seq_doubled", "/disconnected"])
        {
            figures.insert(
                path.trim_start_matches('/').replace('/', "."),
                median_of(&mine, path).into(),
            );
        }
        out.insert(system.name().into(), Value::Object(figures));
    }
    Value::Object(out)
}

fn print_tables(params: &FanoutParams, medians: &Value) {
    println!(
        "\nfan-out to N={} members, {} statements/s for {} s, then {} statements with {} in flight (medians of {} runs)\n",
        params.members,
        params.rate,
        params.rate_secs,
        params.saturation,
        params.window,
        params.runs
    );
    let header = [
        "system",
        "runs",
        "enrol s",
        "join s",
        "settle s",
        "KiB/member",
        "rate: deliv/s",
        "rate p50 ms",
        "rate p99 ms",
        "rate p999 ms",
        "rate recv−ts p99 ms",
        "sat: deliv/s",
        "sat p50 ms",
        "sat p99 ms",
        "sat p999 ms",
        "sat: deliv per server CPU-s",
        "lost",
        "doubled",
    ];
    let keys = [
        "runs",
        "enroll_s",
        "join_s",
        "settle_s",
        "rss_per_member_kib",
        "rate.deliveries_per_s",
        "rate.latency.p50_ms",
        "rate.latency.p99_ms",
        "rate.latency.p999_ms",
        "rate.since_ts.p99_ms",
        "saturation.deliveries_per_s",
        "saturation.latency.p50_ms",
        "saturation.latency.p99_ms",
        "saturation.latency.p999_ms",
        "saturation.deliveries_per_server_cpu_s",
        "lost",
        "doubled",
    ];
    let rows: Vec<Vec<String>> = params
        .systems
        .iter()
        .map(|s| {
            let m = &medians[s.name()];
            std::iter::once(s.name().to_owned())
                .chain(keys.iter().map(|k| fmt(m[*k].as_f64().unwrap_or(0.0))))
                .collect()
        })
        .collect();
    report::print_table(&header, &rows);
    let ours: Vec<&System> = params
        .systems
        .iter()
        .filter(|s| s.dialect() == crate::conn::Dialect::Baraza)
        .collect();
    let peers: Vec<&System> = params
        .systems
        .iter()
        .filter(|s| s.dialect() != crate::conn::Dialect::Baraza)
        .collect();
    if ours.is_empty() || peers.is_empty() {
        return;
    }
    println!(
        "\nratios (Baraza ÷ peer): saturation deliveries/s, deliveries per server CPU-second, and fixed-rate p99 latency\n"
    );
    let mut rows = Vec::new();
    for us in &ours {
        for peer in &peers {
            let ratio = |key: &str| {
                let (a, b) = (
                    medians[us.name()][key].as_f64().unwrap_or(0.0),
                    medians[peer.name()][key].as_f64().unwrap_or(0.0),
                );
                if b > 0.0 { fmt(a / b) } else { "-".into() }
            };
            rows.push(vec![
                us.name().to_owned(),
                peer.name().to_owned(),
                ratio("saturation.deliveries_per_s"),
                ratio("saturation.deliveries_per_server_cpu_s"),
                ratio("rate.latency.p99_ms"),
            ]);
        }
    }
    report::print_table(
        &[
            "system",
            "peer",
            "sat deliveries/s ratio",
            "deliveries per server CPU-s ratio",
            "rate p99 ratio",
        ],
        &rows,
    );
}
