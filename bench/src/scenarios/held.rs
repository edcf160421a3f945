//! Connections held: how many idle, authenticated members (each joined to a room of
//! `per_room`) one node holds, and the server's resident memory per connection.

use crate::board::Board;
use crate::conn::Dialect;
use crate::crowd::{Crowd, CrowdSpec, Hints};
use crate::error::{BenchError, Result};
use crate::http::create_room;
use crate::machine::rss_kib;
use crate::report::{self, fmt, median_of};
use crate::systems::{self, Setup, System};
use crate::token::mint;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Parameters of the connections-held scenario.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HeldParams {
    /// Members to connect.
    pub members: usize,
    /// Members per room.
    pub per_room: usize,
    /// Seconds to hold them idle before the second memory reading.
    pub hold_secs: u64,
    /// Repetitions.
    pub runs: usize,
    /// Connections opened at the same time.
    pub concurrency: usize,
    /// Client source addresses.
    pub sources: usize,
}

async fn run_once(setup: &Setup, params: &HeldParams) -> Result<Value> {
    let running = systems::start(System::Baraza, setup).await?;
    let result = measure(&running, params).await;
    running.stop().await;
    result
}

async fn measure(running: &systems::Running, params: &HeldParams) -> Result<Value> {
    let n = params.members;
    let room_count = n.div_ceil(params.per_room.max(1));
    let secretariat = mint("bench-secretariat", "secretariat")?;
    let rooms: Vec<String> = (1..=room_count).map(|i| format!("held-{i}")).collect();
    for room in &rooms {
        create_room(running.addrs[0], &secretariat, room).await?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = running.rss_kib();
    let board = Arc::new(Board::new(n, 0, 0));
    let hints: Hints = Arc::new((0..room_count).map(|_| AtomicU64::new(0)).collect());
    let spec = CrowdSpec {
        members: n,
        dialect: Dialect::Baraza,
        addrs: running.addrs.clone(),
        rooms,
        per_room: params.per_room,
        concurrency: params.concurrency,
        sources: params.sources,
        enroll: false,
    };
    let started = Instant::now();
    let crowd = Crowd::start(&spec, board.clone(), hints, false);
    let all = crowd.wait_joined(n, Duration::from_secs(900)).await;
    let join_s = started.elapsed().as_secs_f64();
    let joined = crowd.progress.joined.load(Ordering::Relaxed);
    let first_error = crowd.progress.first_error.lock().await.clone();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_joined = running.rss_kib();
    tokio::time::sleep(Duration::from_secs(params.hold_secs)).await;
    let rss_held = running.rss_kib();
    let generator_rss = rss_kib(std::process::id()).unwrap_or(0);
    let outcome = crowd.finish().await;
    let still_open = n - outcome.closed.len();
    if joined == 0 {
        return Err(BenchError::protocol(
            "holding connections",
            first_error.unwrap_or_default(),
        ));
    }
    Ok(json!({
        "members": n,
        "joined": joined,
        "all_joined": all,
        "still_open_after_hold": still_open,
        "first_error": first_error,
        "join_s": join_s,
        "joins_per_s": joined as f64 / join_s,
        "rooms": room_count,
        "rss_before_kib": rss_before,
        "rss_joined_kib": rss_joined,
        "rss_held_kib": rss_held,
        "kib_per_member": rss_held.saturating_sub(rss_before) as f64 / joined.max(1) as f64,
        "generator_rss_kib": generator_rss,
        "seq_lost": board.seq_lost.load(Ordering::Relaxed),
        "seq_doubled": board.seq_doubled.load(Ordering::Relaxed),
    }))
}

/// Runs the scenario `runs` times, prints the medians and saves the raw results.
pub async fn run(setup: &Setup, params: &HeldParams, out: &Path) -> Result<Value> {
    let mut runs = Vec::new();
    for round in 0..params.runs {
        eprintln!(
            "[held] run {}/{} N={}",
            round + 1,
            params.runs,
            params.members
        );
        match run_once(setup, params).await {
            Ok(figures) => runs.push(figures),
            Err(error) => {
                eprintln!("[held] failed: {error}");
                runs.push(json!({"error": error.to_string()}));
            }
        }
    }
    let ok: Vec<&Value> = runs.iter().filter(|r| r.get("error").is_none()).collect();
    let keys = [
        "joined",
        "still_open_after_hold",
        "join_s",
        "joins_per_s",
        "rss_before_kib",
        "rss_held_kib",
        "kib_per_member",
        "generator_rss_kib",
    ];
    let mut medians = serde_json::Map::new();
    medians.insert("runs".into(), ok.len().into());
    for key in keys {
        medians.insert(key.into(), median_of(&ok, &format!("/{key}")).into());
    }
    let medians = Value::Object(medians);
    println!(
        "\nconnections held: {} idle members in rooms of {}, one node (medians of {} runs)\n",
        params.members,
        params.per_room,
        ok.len()
    );
    let header = [
        "members",
        "joined",
        "open after hold",
        "join s",
        "joins/s",
        "server RSS before KiB",
        "server RSS held KiB",
        "KiB/member",
        "generator RSS KiB",
    ];
    let row: Vec<String> = std::iter::once(params.members.to_string())
        .chain(
            keys.iter()
                .map(|k| fmt(medians[*k].as_f64().unwrap_or(0.0))),
        )
        .collect();
    report::print_table(&header, &[row]);
    report::save(
        out,
        "held",
        serde_json::to_value(params).expect("params"),
        runs,
        medians.clone(),
    )?;
    Ok(medians)
}
