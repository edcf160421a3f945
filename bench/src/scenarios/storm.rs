//! Reconnect storm: N members of one room drop their connections at once while a speaker keeps
//! posting, and resume with `join {since}`. Measures the time until every member is current and
//! checks that no member lost or doubled an event (each member's `seq`s must follow each other
//! without gaps or repeats across the reconnect, and end at the room's head).

use crate::board::Board;
use crate::conn::Dialect;
use crate::crowd::{Crowd, CrowdSpec};
use crate::error::{BenchError, Result};
use crate::report::{self, fmt, median_of};
use crate::speaker::Speaker;
use crate::systems::{self, ROOM, Setup, System};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Parameters of the storm scenario.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StormParams {
    /// Engine: `baraza` or `baraza-redis` (or `baraza-3-nodes`).
    pub system: System,
    /// Members.
    pub members: usize,
    /// Statements per second the speaker posts throughout.
    pub rate: u32,
    /// Repetitions.
    pub runs: usize,
    /// Connections opened at the same time.
    pub concurrency: usize,
    /// Client source addresses.
    pub sources: usize,
}

const STATEMENTS_MAX: u64 = 100_000;

async fn run_once(setup: &Setup, params: &StormParams) -> Result<Value> {
    let running = systems::start(params.system, setup).await?;
    let result = measure(&running, params).await;
    running.stop().await;
    result
}

async fn wait_current(board: &Board, head: u64, limit: Duration) -> Option<f64> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if board.behind(head) == 0 {
            return Some(started.elapsed().as_secs_f64());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    None
}

async fn measure(running: &systems::Running, params: &StormParams) -> Result<Value> {
    let n = params.members;
    let board = Arc::new(Board::new(n, STATEMENTS_MAX, STATEMENTS_MAX));
    let mut speaker =
        Speaker::connect(running.addrs[0], Dialect::Baraza, ROOM, "speaker", 64).await?;
    let (hints, copier) = speaker.head_hints();
    let spec = CrowdSpec {
        members: n,
        dialect: Dialect::Baraza,
        addrs: running.addrs.clone(),
        rooms: vec![ROOM.into()],
        per_room: n,
        concurrency: params.concurrency,
        sources: params.sources,
        enroll: true,
    };
    let started = Instant::now();
    let crowd = Crowd::start(&spec, board.clone(), hints, true);
    let enrolled = crowd.wait_enrolled(n, Duration::from_secs(900)).await;
    if !enrolled || !crowd.wait_joined(n, Duration::from_secs(900)).await {
        let error = crowd.progress.first_error.lock().await.clone();
        copier.abort();
        crowd.finish().await;
        return Err(BenchError::protocol(
            "joining the storm crowd",
            error.unwrap_or_default(),
        ));
    }
    let join_s = started.elapsed().as_secs_f64();
    copier.abort();
    let head = speaker.heard.head.load(Ordering::Relaxed);
    if wait_current(&board, head, Duration::from_secs(600))
        .await
        .is_none()
    {
        return Err(BenchError::Timeout(
            "waiting for the crowd to settle before the storm".into(),
        ));
    }

    // The speaker posts throughout; the storm happens one second in.
    let interval = Duration::from_secs_f64(1.0 / f64::from(params.rate.max(1)));
    let mut ticker = tokio::time::interval(interval);
    let mut index = 0u64;
    let first_stop = Instant::now() + Duration::from_secs(1);
    while Instant::now() < first_stop {
        ticker.tick().await;
        speaker.say(index).await?;
        index += 1;
    }
    let head_at_drop = speaker.heard.head.load(Ordering::Relaxed);
    crowd.drop_all();
    let dropped = Instant::now();
    // Keep talking while they come back (at most 60 s).
    let mut current_s = None;
    while dropped.elapsed() < Duration::from_secs(60) {
        ticker.tick().await;
        speaker.say(index).await?;
        index += 1;
        if current_s.is_none()
            && crowd.progress.resumed.load(Ordering::Relaxed) >= n
            && board.behind(head_at_drop) == 0
        {
            current_s = Some(dropped.elapsed().as_secs_f64());
        }
        if current_s.is_some()
            && dropped.elapsed() > Duration::from_secs_f64(current_s.unwrap_or(0.0) + 2.0)
        {
            break;
        }
    }
    // Wait until every member has everything the speaker saw acknowledged.
    let mut final_head = 0;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        final_head = speaker.heard.last_ack_seq.load(Ordering::Relaxed);
        if speaker.heard.acks.load(Ordering::Relaxed) >= index {
            break;
        }
    }
    let settled = wait_current(&board, final_head, Duration::from_secs(30))
        .await
        .is_some();
    let behind_at_end = board.behind(final_head);
    let resumed = crowd.progress.resumed.load(Ordering::Relaxed);
    let last_resume_s = crowd.progress.last_resume_ns.load(Ordering::Relaxed) as f64 / 1e9;
    let first_error = crowd.progress.first_error.lock().await.clone();
    speaker.close().await;
    let outcome = crowd.finish().await;
    let statement_tail_lost: u64 = outcome
        .cursors
        .iter()
        .map(|c| index.saturating_sub(c.next))
        .sum();
    Ok(json!({
        "system": params.system.name(),
        "members": n,
        "join_s": join_s,
        "statements": index,
        "head_at_drop": head_at_drop,
        "final_head": final_head,
        "resumed": resumed,
        "all_current_s": current_s,
        "last_resume_ack_s": last_resume_s,
        "settled": settled,
        "members_behind_at_end": behind_at_end,
        "seq_lost": board.seq_lost.load(Ordering::Relaxed),
        "seq_doubled": board.seq_doubled.load(Ordering::Relaxed),
        "statements_lost": board.lost.load(Ordering::Relaxed) + statement_tail_lost,
        "statements_doubled": board.doubled.load(Ordering::Relaxed),
        "disconnected_by_server": outcome.closed.len(),
        "first_error": first_error,
    }))
}

/// Runs the storm `runs` times, prints medians and saves the raw results.
pub async fn run(setup: &Setup, params: &StormParams, out: &Path) -> Result<Value> {
    let mut runs = Vec::new();
    for round in 0..params.runs {
        eprintln!(
            "[storm] run {}/{} {} N={}",
            round + 1,
            params.runs,
            params.system.name(),
            params.members
        );
        match run_once(setup, params).await {
            Ok(figures) => runs.push(figures),
            Err(error) => {
                eprintln!("[storm] failed: {error}");
                runs.push(json!({"error": error.to_string()}));
            }
        }
    }
    let ok: Vec<&Value> = runs.iter().filter(|r| r.get("error").is_none()).collect();
    let keys = [
        "join_s",
        "resumed",
        "all_current_s",
        "last_resume_ack_s",
        "seq_lost",
        "seq_doubled",
        "statements_lost",
        "statements_doubled",
        "members_behind_at_end",
    ];
    let mut medians = serde_json::Map::new();
    medians.insert("runs".into(), ok.len().into());
    for key in keys {
        medians.insert(key.into(), median_of(&ok, &format!("/{key}")).into());
    }
    let worst = |key: &str| {
        ok.iter()
            .map(|r| r[key].as_f64().unwrap_or(0.0))
            .fold(0.0, f64::max)
    };
    medians.insert(
        "worst_lost".into(),
        (worst("seq_lost") + worst("statements_lost") + worst("members_behind_at_end")).into(),
    );
    medians.insert(
        "worst_doubled".into(),
        (worst("seq_doubled") + worst("statements_doubled")).into(),
    );
    let medians = Value::Object(medians);
    println!(
        "\nreconnect storm: {} members drop at once and resume with join {{since}} while the speaker posts {}/s ({} deliveries/s offered; {}, medians of {} runs)\n",
        params.members,
        params.rate,
        u64::from(params.rate) * params.members as u64,
        params.system.name(),
        ok.len()
    );
    let header = [
        "members",
        "resumed",
        "all current s",
        "last resume ack s",
        "lost (worst run)",
        "doubled (worst run)",
        "join s",
    ];
    let m = |k: &str| fmt(medians[k].as_f64().unwrap_or(0.0));
    report::print_table(
        &header,
        &[vec![
            params.members.to_string(),
            m("resumed"),
            m("all_current_s"),
            m("last_resume_ack_s"),
            m("worst_lost"),
            m("worst_doubled"),
            m("join_s"),
        ]],
    );
    report::save(
        out,
        "storm",
        serde_json::to_value(params).expect("params"),
        runs,
        medians.clone(),
    )?;
    Ok(medians)
}
