//! Refetch storms (issue 14): N browser-like members in one roundtable while a chair runs the
//! speaking list at a human pace. Each member follows the web client's protocol: it joins (a
//! snapshot), applies frames, and fetches `GET /api/rooms/{id}` exactly when the web client
//! of that build would (`view-sync.js` `needsRefresh`, ported below, with its "one fetch in
//! flight, once more after it" refresher). Prints the view fetches per event (target 0), the
//! `view` messages received and the delivery latency of events.
//!
//! The rule follows the build: `baraza` runs the current client's rule (a fetch only after a
//! resume in a consultation, so never here); `baraza-b` (an earlier build given with
//! `--baraza-b`) runs the rule of the client before issue 14 (every roundtable event in
//! `ROUNDTABLE_EVENTS`, and a statement by the speaker).

use crate::conn::{self, Dialect, Sources, Ws};
use crate::error::{BenchError, Result};
use crate::latency::{self, Recorder};
use crate::report::{self, fmt, median_of};
use crate::systems::{self, ROOM, Setup, System};
use crate::token;
use baraza_proto::command::RoomCommand;
use baraza_proto::ids::IdempotencyKey;
use baraza_proto::message::ClientMessage;
use baraza_proto::roundtable::{AddAgendaItem, GrantFloor, ItemRef, RequestFloor, RequestKind};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// Parameters of the workspace scenario.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WorkspaceParams {
    /// `baraza` and/or `baraza-b`.
    pub systems: Vec<System>,
    /// Browser-like members.
    pub members: usize,
    /// Turns the chair runs (request, grant, statement, end: four events each).
    pub turns: usize,
    /// Pause between the chair's (and speakers') commands, ms.
    pub pace_ms: u64,
    /// Repetitions.
    pub runs: usize,
    /// Connections opened at the same time.
    pub concurrency: usize,
    /// Client source addresses.
    pub sources: usize,
}

/// When a member fetches the room view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The web client of this tree: never after an event; once after a resume in a
    /// consultation (no resume here).
    Current,
    /// The web client before issue 14.
    Before,
}

/// `ROUNDTABLE_EVENTS` of the client before issue 14 (client-web/js/view-sync.js).
const ROUNDTABLE_EVENTS: [&str; 25] = [
    "roundtable_configured",
    "agenda_item_added",
    "agenda_item_opened",
    "agenda_item_closed",
    "agenda_reordered",
    "speaking_policy_set",
    "time_budget_set",
    "floor_requested",
    "request_withdrawn",
    "request_removed",
    "speaking_list_closed",
    "speaking_list_reopened",
    "floor_granted",
    "floor_extended",
    "floor_paused",
    "floor_resumed",
    "floor_warning",
    "floor_time_up",
    "floor_ended",
    "participant_muted",
    "participant_unmuted",
    "participant_expelled",
    "participant_readmitted",
    "member_joined",
    "member_left",
];

impl Rule {
    /// `needsRefresh(store, message)` of that client, in a roundtable whose floor is held by
    /// `floor` (as the store holds it after applying the event).
    fn needs_refresh(self, message: &Value, floor: Option<&str>) -> bool {
        match self {
            // `message.type === 'view' && message.resume && store.consultation !== null`: a
            // roundtable has no consultation part.
            Rule::Current => false,
            Rule::Before => {
                if message["type"] != "event" {
                    return false;
                }
                let kind = message["body"]["type"].as_str().unwrap_or_default();
                ROUNDTABLE_EVENTS.contains(&kind)
                    || (kind == "statement_posted"
                        && floor.is_some()
                        && message["actor"].as_str() == floor)
            }
        }
    }
}

#[derive(Default)]
struct Stats {
    joined: AtomicU64,
    measuring: AtomicBool,
    gets: AtomicU64,
    get_bytes: AtomicU64,
    gets_in_flight: AtomicU64,
    views: AtomicU64,
    view_bytes: AtomicU64,
    events: AtomicU64,
    /// The highest seq every member has seen, as the least over members (set at the end).
    last_seq: Vec<AtomicU64>,
}

async fn get_view(addr: SocketAddr, source: Ipv4Addr, token: &str) -> Result<usize> {
    let what = "GET the room view";
    let socket = tokio::net::TcpSocket::new_v4().map_err(BenchError::io(what))?;
    socket
        .bind(SocketAddr::from((source, 0)))
        .map_err(BenchError::io(what))?;
    let mut stream = socket.connect(addr).await.map_err(BenchError::io(what))?;
    let request = format!(
        "GET /api/rooms/{ROOM} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(BenchError::io(what))?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .map_err(BenchError::io(what))?;
    if !answer.starts_with(b"HTTP/1.1 200") {
        return Err(BenchError::protocol(
            what,
            String::from_utf8_lossy(&answer[..answer.len().min(200)]),
        ));
    }
    Ok(answer.len())
}

#[allow(clippy::too_many_arguments)]
async fn member(
    index: usize,
    addr: SocketAddr,
    source: Ipv4Addr,
    rule: Rule,
    stats: Arc<Stats>,
    recorder: Arc<Recorder>,
    gate: Arc<Semaphore>,
    stop: CancellationToken,
) -> Result<()> {
    let token = token::mint(&format!("m{index}"), "participant")?;
    let mut ws = {
        let _permit = gate.acquire().await.expect("open");
        let mut ws = conn::connect(addr, Dialect::Baraza, source).await?;
        conn::auth(&mut ws, &token).await?;
        conn::join(&mut ws, ROOM, None, |_| {}).await?;
        ws
    };
    stats.joined.fetch_add(1, Ordering::Relaxed);
    // The refresher: one fetch in flight, at most one more queued after it.
    let (refresh, mut wanted) = mpsc::channel::<()>(1);
    let fetcher = {
        let stats = stats.clone();
        let token = token.clone();
        tokio::spawn(async move {
            while wanted.recv().await.is_some() {
                stats.gets_in_flight.fetch_add(1, Ordering::Relaxed);
                if let Ok(bytes) = get_view(addr, source, &token).await
                    && stats.measuring.load(Ordering::Relaxed)
                {
                    stats.gets.fetch_add(1, Ordering::Relaxed);
                    stats.get_bytes.fetch_add(bytes as u64, Ordering::Relaxed);
                }
                stats.gets_in_flight.fetch_sub(1, Ordering::Relaxed);
            }
        })
    };
    let mut floor: Option<String> = None;
    loop {
        let message = tokio::select! {
            _ = stop.cancelled() => break,
            message = ws.next() => message,
        };
        let Some(Ok(Message::Text(text))) = message else {
            if matches!(message, None | Some(Err(_))) {
                break;
            }
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        let measuring = stats.measuring.load(Ordering::Relaxed);
        match value["type"].as_str() {
            Some("event") => {
                let body = &value["body"];
                match body["type"].as_str() {
                    Some("floor_granted") => {
                        floor = body["speaker"]["user"].as_str().map(str::to_owned)
                    }
                    Some("floor_ended") => floor = None,
                    _ => {}
                }
                if measuring {
                    stats.events.fetch_add(1, Ordering::Relaxed);
                    let ts = value["ts"].as_u64().unwrap_or_default();
                    let ms = latency::wall_ms().saturating_sub(ts);
                    recorder.record(index, ms * 1000);
                }
                if let Some(seq) = value["seq"].as_u64() {
                    stats.last_seq[index].store(seq, Ordering::Relaxed);
                }
            }
            Some("view") if measuring => {
                stats.views.fetch_add(1, Ordering::Relaxed);
                stats
                    .view_bytes
                    .fetch_add(text.len() as u64, Ordering::Relaxed);
            }
            _ => {}
        }
        if rule.needs_refresh(&value, floor.as_deref()) {
            let _ = refresh.try_send(());
        }
    }
    drop(refresh);
    let _ = fetcher.await;
    Ok(())
}

/// A connection that gives commands and waits for each answer.
struct Commander {
    ws: Ws,
    next: u64,
}

impl Commander {
    async fn open(addr: SocketAddr, source: Ipv4Addr, sub: &str, role: &str) -> Result<Self> {
        let mut ws = conn::connect(addr, Dialect::Baraza, source).await?;
        conn::auth(&mut ws, &token::mint(sub, role)?).await?;
        conn::join(&mut ws, ROOM, None, |_| {}).await?;
        Ok(Commander { ws, next: 0 })
    }

    /// Gives `command`; the seq of its `ack`.
    async fn command(&mut self, command: RoomCommand) -> Result<u64> {
        self.next += 1;
        let id = format!("c{}", self.next);
        let key = IdempotencyKey::new(format!("k{}-{}", self.next, latency::now_ns())).ok();
        let message = ClientMessage::Command {
            id: id.clone(),
            room: ROOM.parse().expect("room id"),
            key,
            command,
        };
        conn::send(&mut self.ws, serde_json::to_string(&message).expect("JSON")).await?;
        let needle = format!("\"id\":\"{id}\"");
        let answer = conn::expect_text(&mut self.ws, "a command's answer", |t| {
            t.starts_with("{\"type\":\"ack\"") && t.contains(&needle)
        })
        .await?;
        let value: Value = serde_json::from_str(&answer).unwrap_or_default();
        Ok(value["seq"].as_u64().unwrap_or_default())
    }
}

async fn run_once(setup: &Setup, system: System, params: &WorkspaceParams) -> Result<Value> {
    let running = systems::start(system, setup).await?;
    let result = measure(&running, system, params).await;
    running.stop().await;
    result
}

async fn measure(
    running: &systems::Running,
    system: System,
    params: &WorkspaceParams,
) -> Result<Value> {
    let addr = running.addrs[0];
    let rule = if system == System::BarazaB {
        Rule::Before
    } else {
        Rule::Current
    };
    let sources = Sources::new(params.sources);
    let stats = Arc::new(Stats {
        last_seq: (0..params.members).map(|_| AtomicU64::new(0)).collect(),
        ..Stats::default()
    });
    let recorder = Arc::new(Recorder::new());
    let gate = Arc::new(Semaphore::new(params.concurrency.max(1)));
    let stop = CancellationToken::new();
    let mut chair = Commander::open(addr, sources.next(), "chair", "moderator").await?;
    let item = chair
        .command(RoomCommand::AddAgendaItem(AddAgendaItem {
            title: "Benchmark item".into(),
            speaking_time_ms: None,
        }))
        .await?;
    chair
        .command(RoomCommand::OpenAgendaItem(ItemRef { item }))
        .await?;
    let mut speakers = Vec::new();
    for i in 0..4 {
        speakers.push(
            Commander::open(addr, sources.next(), &format!("speaker{i}"), "participant").await?,
        );
    }
    let joining = Instant::now();
    let mut tasks = Vec::new();
    for index in 0..params.members {
        tasks.push(tokio::spawn(member(
            index,
            addr,
            sources.next(),
            rule,
            stats.clone(),
            recorder.clone(),
            gate.clone(),
            stop.clone(),
        )));
    }
    while stats.joined.load(Ordering::Relaxed) < params.members as u64 {
        if joining.elapsed() > Duration::from_secs(300) {
            return Err(BenchError::Timeout("members joining".into()));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let join_secs = joining.elapsed().as_secs_f64();
    // Let the fetches the joins caused (old rule: member_joined) drain before measuring.
    let draining = Instant::now();
    while stats.gets_in_flight.load(Ordering::Relaxed) > 0
        && draining.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stats.measuring.store(true, Ordering::Relaxed);
    let cpu_before = running.cpu_seconds();
    let started = Instant::now();
    let pace = Duration::from_millis(params.pace_ms);
    let mut first = None;
    let mut last = 0;
    for turn in 0..params.turns {
        let speaker = &mut speakers[turn % 4];
        let seq = speaker
            .command(RoomCommand::RequestFloor(RequestFloor::new(
                RequestKind::Speak,
            )))
            .await?;
        first.get_or_insert(seq);
        tokio::time::sleep(pace).await;
        chair
            .command(RoomCommand::GrantFloor(GrantFloor {
                request: None,
                reason: None,
            }))
            .await?;
        tokio::time::sleep(pace).await;
        speaker
            .command(RoomCommand::PostStatement {
                text: format!("Statement of turn {turn}."),
                lang: baraza_proto::ids::LanguageTag::new("en").expect("en"),
                parent: None,
                agenda_item: Some(item),
                question: None,
                alignment: None,
            })
            .await?;
        tokio::time::sleep(pace).await;
        last = chair.command(RoomCommand::RevokeFloor).await?;
        tokio::time::sleep(pace).await;
    }
    // Everyone current, every fetch answered.
    let settling = Instant::now();
    while (stats
        .last_seq
        .iter()
        .any(|s| s.load(Ordering::Relaxed) < last)
        || stats.gets_in_flight.load(Ordering::Relaxed) > 0)
        && settling.elapsed() < Duration::from_secs(300)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let settle_secs = settling.elapsed().as_secs_f64();
    let wall = started.elapsed().as_secs_f64();
    let cpu = running.cpu_seconds() - cpu_before;
    stats.measuring.store(false, Ordering::Relaxed);
    stop.cancel();
    for task in tasks {
        let _ = task.await;
    }
    let events = last + 1 - first.unwrap_or(last);
    let gets = stats.gets.load(Ordering::Relaxed);
    let views = stats.views.load(Ordering::Relaxed);
    let members = params.members as f64;
    Ok(json!({
        "system": system.name(),
        "rule": rule,
        "members": params.members,
        "events": events,
        "join_secs": join_secs,
        "view_gets": gets,
        "view_gets_per_event": gets as f64 / events as f64,
        "view_get_mib": stats.get_bytes.load(Ordering::Relaxed) as f64 / (1 << 20) as f64,
        "view_messages_per_member_per_event": views as f64 / members / events as f64,
        "view_message_mib": stats.view_bytes.load(Ordering::Relaxed) as f64 / (1 << 20) as f64,
        "deliveries": stats.events.load(Ordering::Relaxed),
        "delivery": latency::summary(&recorder.merged()),
        "settle_secs_after_last_command": settle_secs,
        "server_cpu_secs": cpu,
        "wall_secs": wall,
    }))
}

/// Runs the scenario for each system, prints a table, saves the raw results.
pub async fn run(setup: &Setup, params: &WorkspaceParams, out: &Path) -> Result<()> {
    let mut runs = Vec::new();
    let mut rows = Vec::new();
    let mut medians = serde_json::Map::new();
    for &system in &params.systems {
        let mut these = Vec::new();
        for run in 0..params.runs {
            eprintln!(
                "workspace: {} run {}/{}",
                system.name(),
                run + 1,
                params.runs
            );
            let result = run_once(setup, system, params).await?;
            eprintln!("{result}");
            these.push(result);
        }
        let refs: Vec<&Value> = these.iter().collect();
        let m = |path: &str| median_of(&refs, path);
        medians.insert(
            system.name().into(),
            json!({
                "view_gets_per_event": m("/view_gets_per_event"),
                "view_messages_per_member_per_event": m("/view_messages_per_member_per_event"),
                "delivery_p50_ms": m("/delivery/p50_ms"),
                "delivery_p99_ms": m("/delivery/p99_ms"),
                "server_cpu_secs": m("/server_cpu_secs"),
                "settle_secs_after_last_command": m("/settle_secs_after_last_command"),
            }),
        );
        rows.push(vec![
            system.name().to_owned(),
            params.members.to_string(),
            fmt(m("/events")),
            fmt(m("/view_gets_per_event")),
            fmt(m("/view_messages_per_member_per_event")),
            fmt(m("/delivery/p50_ms")),
            fmt(m("/delivery/p99_ms")),
            fmt(m("/server_cpu_secs")),
            fmt(m("/settle_secs_after_last_command")),
        ]);
        runs.extend(these);
    }
    report::print_table(
        &[
            "system",
            "members",
            "events",
            "view GETs/event",
            "views/member/event",
            "p50 ms",
            "p99 ms",
            "server CPU s",
            "settle s",
        ],
        &rows,
    );
    report::save(
        out,
        "workspace",
        serde_json::to_value(params).expect("JSON"),
        runs,
        Value::Object(medians),
    )?;
    Ok(())
}
