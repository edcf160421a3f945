//! Presence at scale: N members join one room one after another **and stay connected** (no
//! enrolment, snapshot joins), while one participant (the watcher) follows the room. Observers
//! join the room's audience: they are recorded in digests (`audience_changed`, at most one a
//! second), so joining costs O(N) frames in all. With `--role participant` every member is
//! announced to every member already there (`member_joined`): N²/2 frames, the cost the
//! audience removes.
//!
//! Measured: the time until all joined (every `ack`), the time until the watcher was told of
//! all of them, the frames and bytes the watcher and the whole crowd received, the events the
//! record gained, the server's CPU seconds and its memory.

use crate::conn::{self, Dialect, Sources, Ws};
use crate::error::{BenchError, Result};
use crate::report::{self, fmt, median_of};
use crate::systems::{self, ROOM, Setup, System};
use crate::token::mint;
use crate::wire::{Frame, classify};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// Parameters of the audience scenario.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AudienceParams {
    /// `baraza` (or `baraza-b`).
    pub system: System,
    /// Members joining.
    pub members: usize,
    /// Their role: `observer` (the audience) or `participant` (announced one by one).
    pub role: String,
    /// Repetitions.
    pub runs: usize,
    /// Connections opened at the same time.
    pub concurrency: usize,
    /// Client source addresses.
    pub sources: usize,
}

/// What the watcher saw.
#[derive(Default)]
struct Watched {
    frames: AtomicU64,
    bytes: AtomicU64,
    /// `audience_changed` events.
    digests: AtomicU64,
    /// `member_joined` events.
    joins: AtomicU64,
    /// The latest digest's `count`.
    audience: AtomicU64,
    /// The latest event `seq`.
    head: AtomicU64,
}

/// What the crowd received, all members together.
#[derive(Default)]
struct Received {
    frames: AtomicU64,
    bytes: AtomicU64,
    joined: AtomicUsize,
    failed: AtomicUsize,
    first_error: std::sync::Mutex<Option<String>>,
}

async fn connect_as(
    addr: std::net::SocketAddr,
    source: std::net::Ipv4Addr,
    sub: &str,
    role: &str,
) -> Result<Ws> {
    let mut ws = conn::connect(addr, Dialect::Baraza, source).await?;
    conn::auth(&mut ws, &mint(sub, role)?).await?;
    Ok(ws)
}

/// Joins [`ROOM`] for a snapshot; the frames and bytes received up to the `ack` (the
/// snapshot, events, the `ack`).
async fn join_counting(ws: &mut Ws) -> Result<(u64, u64)> {
    let message = json!({"type": "join", "id": "j", "room": ROOM}).to_string();
    conn::send(ws, message).await?;
    let (mut frames, mut bytes) = (0, 0);
    loop {
        let text = match tokio::time::timeout(Duration::from_secs(600), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
            Ok(_) => return Err(BenchError::protocol("joining", "the connection ended")),
            Err(_) => return Err(BenchError::Timeout("joining".into())),
        };
        frames += 1;
        bytes += text.len() as u64;
        match classify(text.as_str()) {
            Frame::Ack { .. } => return Ok((frames, bytes)),
            Frame::Error => return Err(BenchError::protocol("joining", text.to_string())),
            _ => {}
        }
    }
}

/// Reads `ws` until `stop`, counting into `count`.
async fn read_counting(mut ws: Ws, stop: CancellationToken, mut count: impl FnMut(&str)) {
    loop {
        let message = tokio::select! {
            biased;
            () = stop.cancelled() => return,
            message = ws.next() => message,
        };
        match message {
            Some(Ok(Message::Text(text))) => count(text.as_str()),
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
            Some(Ok(_)) => {}
        }
    }
}

async fn run_once(setup: &Setup, params: &AudienceParams) -> Result<Value> {
    let running = systems::start(params.system, setup).await?;
    let result = measure(&running, params).await;
    running.stop().await;
    result
}

async fn measure(running: &systems::Running, params: &AudienceParams) -> Result<Value> {
    let n = params.members;
    let addr = running.addrs[0];
    let stop = CancellationToken::new();
    let sources = Arc::new(Sources::new(params.sources));

    // The watcher joins first and counts everything it is sent from then on.
    let mut watcher = connect_as(addr, sources.next(), "watcher", "participant").await?;
    let seq = conn::join(&mut watcher, ROOM, None, |_| {}).await?;
    let watched = Arc::new(Watched::default());
    watched.head.store(seq, Ordering::Relaxed);
    let head_before = seq;
    let watching = {
        let watched = watched.clone();
        let stop = stop.clone();
        tokio::spawn(read_counting(watcher, stop, move |text| {
            watched.frames.fetch_add(1, Ordering::Relaxed);
            watched
                .bytes
                .fetch_add(text.len() as u64, Ordering::Relaxed);
            if let Frame::Event { seq, .. } = classify(text) {
                watched.head.fetch_max(seq, Ordering::Relaxed);
            }
            if text.contains("\"type\":\"audience_changed\"") {
                watched.digests.fetch_add(1, Ordering::Relaxed);
                let count = serde_json::from_str::<Value>(text)
                    .ok()
                    .and_then(|v| v["body"]["count"].as_u64())
                    .unwrap_or(0);
                watched.audience.store(count, Ordering::Relaxed);
            } else if text.contains("\"type\":\"member_joined\"") {
                watched.joins.fetch_add(1, Ordering::Relaxed);
            }
        }))
    };

    let cpu_before = running.cpu_seconds();
    let rss_before = running.rss_kib();
    let received = Arc::new(Received::default());
    let gate = Arc::new(Semaphore::new(params.concurrency.max(1)));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for who in 0..n {
        let (received, gate, sources, stop) = (
            received.clone(),
            gate.clone(),
            sources.clone(),
            stop.clone(),
        );
        let role = params.role.clone();
        tasks.push(tokio::spawn(async move {
            let joined = async {
                let _permit = gate.acquire().await.expect("semaphore open");
                let mut ws =
                    connect_as(addr, sources.next(), &format!("member-{who}"), &role).await?;
                let counted = join_counting(&mut ws).await?;
                Ok::<_, BenchError>((ws, counted))
            }
            .await;
            match joined {
                Ok((ws, (frames, bytes))) => {
                    received.frames.fetch_add(frames, Ordering::Relaxed);
                    received.bytes.fetch_add(bytes, Ordering::Relaxed);
                    received.joined.fetch_add(1, Ordering::Relaxed);
                    let counter = received.clone();
                    read_counting(ws, stop, move |text| {
                        counter.frames.fetch_add(1, Ordering::Relaxed);
                        counter
                            .bytes
                            .fetch_add(text.len() as u64, Ordering::Relaxed);
                    })
                    .await;
                }
                Err(error) => {
                    received.failed.fetch_add(1, Ordering::Relaxed);
                    let mut first = received.first_error.lock().expect("not poisoned");
                    first.get_or_insert_with(|| error.to_string());
                }
            }
        }));
    }

    let limit = Duration::from_secs(1800);
    let mut join_s = None;
    let mut told_s = None;
    let audience = params.role == "observer";
    while started.elapsed() < limit {
        let joined = received.joined.load(Ordering::Relaxed);
        let failed = received.failed.load(Ordering::Relaxed);
        if join_s.is_none() && joined + failed >= n {
            join_s = Some(started.elapsed().as_secs_f64());
        }
        let told = if audience {
            watched.audience.load(Ordering::Relaxed) as usize >= n
        } else {
            watched.joins.load(Ordering::Relaxed) as usize >= n
        };
        if told_s.is_none() && told {
            told_s = Some(started.elapsed().as_secs_f64());
        }
        if (join_s.is_some() && told_s.is_some()) || failed > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Let the crowd read what is still on its way (until nothing arrives for half a second).
    let mut last = received.frames.load(Ordering::Relaxed);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = received.frames.load(Ordering::Relaxed);
        if now == last {
            break;
        }
        last = now;
    }
    let cpu = running.cpu_seconds() - cpu_before;
    let rss_after = running.rss_kib();
    stop.cancel();
    let _ = watching.await;
    for task in tasks {
        let _ = task.await;
    }
    let failed = received.failed.load(Ordering::Relaxed);
    if failed > 0 || join_s.is_none() {
        let error = received.first_error.lock().expect("not poisoned").clone();
        return Err(BenchError::protocol(
            "joining the audience",
            format!("{failed} failed: {}", error.unwrap_or_default()),
        ));
    }
    let crowd_frames = received.frames.load(Ordering::Relaxed);
    Ok(json!({
        "system": params.system.name(),
        "role": params.role,
        "members": n,
        "join_s": join_s,
        "all_told_s": told_s,
        "watcher_frames": watched.frames.load(Ordering::Relaxed),
        "watcher_bytes": watched.bytes.load(Ordering::Relaxed),
        "watcher_digests": watched.digests.load(Ordering::Relaxed),
        "watcher_member_joined": watched.joins.load(Ordering::Relaxed),
        "crowd_frames": crowd_frames,
        "crowd_frames_per_member": crowd_frames as f64 / n as f64,
        "crowd_bytes": received.bytes.load(Ordering::Relaxed),
        "events_recorded": watched.head.load(Ordering::Relaxed) - head_before,
        "server_cpu_s": cpu,
        "rss_kib_before": rss_before,
        "rss_kib_after": rss_after,
        "kib_per_member": (rss_after.saturating_sub(rss_before)) as f64 / n as f64,
    }))
}

/// Runs the scenario `runs` times, prints medians and saves the raw results.
pub async fn run(setup: &Setup, params: &AudienceParams, out: &Path) -> Result<Value> {
    let mut runs = Vec::new();
    for round in 0..params.runs {
        eprintln!(
            "[audience] run {}/{} {} N={} as {}",
            round + 1,
            params.runs,
            params.system.name(),
            params.members,
            params.role
        );
        match run_once(setup, params).await {
            Ok(figures) => runs.push(figures),
            Err(error) => {
                eprintln!("[audience] failed: {error}");
                runs.push(json!({"error": error.to_string()}));
            }
        }
    }
    let ok: Vec<&Value> = runs.iter().filter(|r| r.get("error").is_none()).collect();
    let keys = [
        "join_s",
        "all_told_s",
        "watcher_frames",
        "watcher_bytes",
        "watcher_digests",
        "watcher_member_joined",
        "crowd_frames",
        "crowd_frames_per_member",
        "crowd_bytes",
        "events_recorded",
        "server_cpu_s",
        "kib_per_member",
    ];
    let mut medians = serde_json::Map::new();
    medians.insert("runs".into(), ok.len().into());
    for key in keys {
        medians.insert(key.into(), median_of(&ok, &format!("/{key}")).into());
    }
    let medians = Value::Object(medians);
    println!(
        "\npresence at scale: {} members join as {} and stay connected ({}, medians of {} runs)\n",
        params.members,
        params.role,
        params.system.name(),
        ok.len()
    );
    let m = |k: &str| fmt(medians[k].as_f64().unwrap_or(0.0));
    report::print_table(
        &[
            "members",
            "role",
            "all joined s",
            "watcher told s",
            "watcher frames",
            "watcher KiB",
            "crowd frames",
            "frames/member",
            "crowd MiB",
            "events recorded",
            "server CPU s",
            "KiB/member",
        ],
        &[vec![
            params.members.to_string(),
            params.role.clone(),
            m("join_s"),
            m("all_told_s"),
            m("watcher_frames"),
            fmt(medians["watcher_bytes"].as_f64().unwrap_or(0.0) / 1024.0),
            m("crowd_frames"),
            m("crowd_frames_per_member"),
            fmt(medians["crowd_bytes"].as_f64().unwrap_or(0.0) / 1024.0 / 1024.0),
            m("events_recorded"),
            m("server_cpu_s"),
            m("kib_per_member"),
        ]],
    );
    println!(
        "\nreproduce: cargo run --release -p baraza-bench -- audience -n {} --role {} --runs {} --sources {} --concurrency {}",
        params.members, params.role, params.runs, params.sources, params.concurrency
    );
    report::save(
        out,
        "audience",
        serde_json::to_value(params).expect("params"),
        runs,
        medians.clone(),
    )?;
    Ok(medians)
}
