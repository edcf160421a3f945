//! Record throughput: statements appended (and acknowledged) per second, by writers in many
//! rooms at once, on the embedded engine and on the Redis engine. An `ack` is sent only after
//! the append is durable (embedded: WAL fsynced, `synchronous=FULL`; Redis: AOF with
//! `appendfsync always`). On the embedded engine the node is then killed with SIGKILL and
//! `baraza verify` counts what survived.

use crate::conn::{self, Dialect};
use crate::error::{BenchError, Result};
use crate::http::create_room;
use crate::report::{self, fmt, median_of};
use crate::systems::{self, Setup, System};
use crate::token::mint;
use crate::wire::{Frame, classify, statement_text};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::net::Ipv4Addr;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// Parameters of the record scenario.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordParams {
    /// Engines to measure.
    pub systems: Vec<System>,
    /// Rooms, one writer each.
    pub rooms: usize,
    /// Commands each writer keeps in flight.
    pub in_flight: usize,
    /// Seconds of writing.
    pub secs: u64,
    /// Statement length.
    pub text_len: usize,
    /// Repetitions.
    pub runs: usize,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    acks: u64,
    errors: u64,
}

async fn writer(
    addr: std::net::SocketAddr,
    room: String,
    who: usize,
    params: RecordParams,
) -> Result<Tally> {
    let mut ws = conn::connect(addr, Dialect::Baraza, Ipv4Addr::LOCALHOST).await?;
    conn::auth(&mut ws, &mint(&format!("writer-{who}"), "moderator")?).await?;
    conn::join(&mut ws, &room, None, |_| {}).await?;
    let deadline = Instant::now() + Duration::from_secs(params.secs);
    let mut tally = Tally::default();
    let mut sent = 0u64;
    let mut in_flight = 0usize;
    loop {
        let sending = Instant::now() < deadline;
        if sending && in_flight < params.in_flight {
            let text = statement_text(sent, 0, params.text_len);
            conn::send(&mut ws, conn::post_statement(&room, sent, &text)).await?;
            sent += 1;
            in_flight += 1;
            continue;
        }
        if !sending && in_flight == 0 {
            break;
        }
        let next = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .map_err(|_| BenchError::Timeout(format!("waiting for acks in {room}")))?;
        let Some(Ok(Message::Text(text))) = next else {
            return Err(BenchError::protocol(
                format!("writing to {room}"),
                "connection ended",
            ));
        };
        match classify(text.as_str()) {
            Frame::Ack { .. } => {
                in_flight -= 1;
                if sending {
                    tally.acks += 1;
                }
            }
            Frame::Error => {
                in_flight -= 1;
                tally.errors += 1;
            }
            _ => {}
        }
    }
    Ok(tally)
}

/// Runs `baraza verify --data DIR` and returns the number of events it found intact.
fn verify_embedded(baraza: &Path, data: &Path) -> Result<(bool, u64)> {
    let output = std::process::Command::new(baraza)
        .arg("verify")
        .arg("--data")
        .arg(data)
        .output()
        .map_err(BenchError::io("running baraza verify"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let events = text
        .lines()
        .filter(|l| l.starts_with("ok"))
        .filter_map(|l| {
            l.split('(')
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum();
    Ok((output.status.success(), events))
}

async fn run_once(system: System, setup: &Setup, params: &RecordParams) -> Result<Value> {
    let mut running = systems::start(system, setup).await?;
    let addr = running.addrs[0];
    let secretariat = mint("bench-secretariat", "secretariat")?;
    let rooms: Vec<String> = (1..=params.rooms).map(|i| format!("record-{i}")).collect();
    for room in &rooms {
        create_room(addr, &secretariat, room).await?;
    }
    let started = Instant::now();
    let tasks: Vec<_> = rooms
        .iter()
        .enumerate()
        .map(|(who, room)| tokio::spawn(writer(addr, room.clone(), who, params.clone())))
        .collect();
    let mut total = Tally::default();
    let mut failures = 0;
    for task in tasks {
        match task.await {
            Ok(Ok(tally)) => {
                total.acks += tally.acks;
                total.errors += tally.errors;
            }
            _ => failures += 1,
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut durable = json!(null);
    if matches!(system, System::Baraza | System::BarazaB) {
        // Every acknowledged event must survive a SIGKILL of the node.
        running.kill_servers().await;
        if let Some(data) = running.first().data_dir() {
            let (intact, events) = verify_embedded(&setup.baraza, data)?;
            // Each room also holds room_created and the writer's member_joined.
            let statements = events.saturating_sub(2 * params.rooms as u64);
            durable = json!({
                "verify_ok": intact,
                "events_after_sigkill": events,
                "statements_after_sigkill": statements,
                "all_acked_survived": intact && statements >= total.acks,
            });
        }
    }
    running.stop().await;
    Ok(json!({
        "system": system.name(),
        "acked": total.acks,
        "errors": total.errors,
        "failed_writers": failures,
        "seconds": params.secs,
        "elapsed_s": elapsed,
        "events_per_s": total.acks as f64 / params.secs as f64,
        "durability": durable,
    }))
}

/// Runs every engine `runs` times, prints medians and saves the raw results.
pub async fn run(setup: &Setup, params: &RecordParams, out: &Path) -> Result<Value> {
    let mut runs = Vec::new();
    for round in 0..params.runs {
        for &system in &params.systems {
            eprintln!(
                "[record] run {}/{} {}",
                round + 1,
                params.runs,
                system.name()
            );
            match run_once(system, setup, params).await {
                Ok(figures) => runs.push(figures),
                Err(error) => {
                    eprintln!("[record] {} failed: {error}", system.name());
                    runs.push(json!({"system": system.name(), "error": error.to_string()}));
                }
            }
        }
    }
    let mut medians = serde_json::Map::new();
    let mut rows = Vec::new();
    for system in &params.systems {
        let mine: Vec<&Value> = runs
            .iter()
            .filter(|r| r["system"] == system.name() && r.get("error").is_none())
            .collect();
        let eps = median_of(&mine, "/events_per_s");
        let all_durable = mine
            .iter()
            .all(|r| r["durability"].is_null() || r["durability"]["all_acked_survived"] == true);
        medians.insert(
            system.name().into(),
            json!({"runs": mine.len(), "events_per_s": eps, "errors": median_of(&mine, "/errors"), "all_acked_survived_sigkill": all_durable}),
        );
        let durability = match system {
            System::Baraza | System::BarazaB => "SQLite WAL, synchronous=FULL, group commit",
            _ => "Redis AOF, appendfsync always",
        };
        let checked = if matches!(system, System::Baraza | System::BarazaB) {
            if all_durable {
                "yes (SIGKILL + verify)"
            } else {
                "NO"
            }
        } else {
            "not checked"
        };
        rows.push(vec![
            system.name().to_owned(),
            mine.len().to_string(),
            fmt(eps),
            durability.to_owned(),
            checked.to_owned(),
        ]);
    }
    println!(
        "\nrecord: {} rooms, one writer each with {} commands in flight, {} s (medians)\n",
        params.rooms, params.in_flight, params.secs
    );
    report::print_table(
        &[
            "engine",
            "runs",
            "acked events/s",
            "durability",
            "acked events survived",
        ],
        &rows,
    );
    let medians = Value::Object(medians);
    report::save(
        out,
        "record",
        serde_json::to_value(params).expect("params"),
        runs,
        medians.clone(),
    )?;
    Ok(medians)
}
