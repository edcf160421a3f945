//! The systems a scenario runs against, started fresh for every run: Baraza (one node on the
//! embedded engine, one on Redis, or three on Redis), the Node.js `ws` and socket.io peers, and
//! the floor probe.

use crate::conn::Dialect;
use crate::error::{BenchError, Result};
use crate::http::create_room;
use crate::procs::Process;
use crate::token::mint;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The room every Baraza scenario uses (the load scenarios create more).
pub const ROOM: &str = "roundtable-1";

/// A system under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum System {
    /// One Baraza node, embedded engine (SQLite).
    Baraza,
    /// One Baraza node on the Redis engine.
    BarazaRedis,
    /// Three Baraza nodes sharing one Redis.
    #[value(name = "baraza-3-nodes", alias = "baraza3")]
    Baraza3,
    /// One Baraza node (embedded engine) of another build (`--baraza-b`), to compare a change
    /// before and after in the same command.
    BarazaB,
    /// Node.js `ws` broadcast server (`bench/peers/ws-broadcast.mjs`).
    NodeWs,
    /// socket.io with the Redis adapter (`bench/peers/socketio-broadcast.mjs`).
    #[value(name = "socketio-redis", alias = "socketio")]
    Socketio,
    /// The floor probe: writes pre-framed bytes, no JSON (`baraza-bench floor-server`).
    Floor,
}

impl System {
    /// The name printed in tables.
    pub fn name(self) -> &'static str {
        match self {
            System::Baraza => "baraza",
            System::BarazaRedis => "baraza-redis",
            System::Baraza3 => "baraza-3-nodes",
            System::BarazaB => "baraza-b",
            System::NodeWs => "node-ws",
            System::Socketio => "socketio-redis",
            System::Floor => "floor",
        }
    }

    /// The protocol clients speak to it.
    pub fn dialect(self) -> Dialect {
        match self {
            System::Baraza | System::BarazaRedis | System::Baraza3 | System::BarazaB => {
                Dialect::Baraza
            }
            System::NodeWs | System::Floor => Dialect::Plain,
            System::Socketio => Dialect::SocketIo,
        }
    }
}

/// Where the programs are.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The `baraza` binary.
    pub baraza: PathBuf,
    /// `bench/peers`.
    pub peers: PathBuf,
    /// The other `baraza` build for [`System::BarazaB`].
    pub baraza_b: Option<PathBuf>,
    /// Flags every Baraza node gets (rate limits for the speaker, presence grace …).
    pub baraza_flags: Vec<String>,
}

/// A started system.
pub struct Running {
    /// Which one.
    pub system: System,
    /// Where clients connect (one per node).
    pub addrs: Vec<SocketAddr>,
    servers: Vec<Process>,
    support: Vec<Process>,
}

impl Running {
    /// Resident memory of the servers under test (all nodes; not Redis), KiB.
    pub fn rss_kib(&self) -> u64 {
        self.servers.iter().map(Process::rss_kib).sum()
    }

    /// CPU seconds used so far by every process of the system (servers and Redis): what
    /// the system spent, whatever the load generator could take.
    pub fn cpu_seconds(&self) -> f64 {
        self.servers
            .iter()
            .chain(&self.support)
            .filter_map(|p| crate::machine::cpu_seconds(p.pid))
            .sum()
    }

    /// Resident memory of supporting processes (Redis), KiB.
    pub fn support_rss_kib(&self) -> u64 {
        self.support.iter().map(Process::rss_kib).sum()
    }

    /// The first server process (for `baraza verify` and SIGKILL).
    pub fn first(&self) -> &Process {
        &self.servers[0]
    }

    /// Kills the servers (SIGKILL) but keeps their data directories and supporting processes.
    pub async fn kill_servers(&mut self) {
        for process in &mut self.servers {
            process.kill_now().await;
        }
    }

    /// Stops everything.
    pub async fn stop(self) {
        for process in self.servers.into_iter().chain(self.support) {
            process.kill().await;
        }
    }
}

/// Starts `system`; for Baraza also creates [`ROOM`].
pub async fn start(system: System, setup: &Setup) -> Result<Running> {
    let mut servers = Vec::new();
    let mut support = Vec::new();
    match system {
        System::Baraza => servers.push(Process::baraza(&setup.baraza, &setup.baraza_flags).await?),
        System::BarazaB => {
            let binary = setup
                .baraza_b
                .as_ref()
                .ok_or_else(|| BenchError::Usage("baraza-b needs --baraza-b PATH".into()))?;
            servers.push(Process::baraza(binary, &setup.baraza_flags).await?);
        }
        System::BarazaRedis | System::Baraza3 => {
            let redis = Process::redis().await?;
            let nodes = if system == System::Baraza3 { 3 } else { 1 };
            for n in 0..nodes {
                let mut flags = setup.baraza_flags.clone();
                flags.extend(["--redis".into(), redis.redis_url()]);
                flags.extend(["--node".into(), format!("bench-node-{}", n + 1)]);
                servers.push(Process::baraza(&setup.baraza, &flags).await?);
            }
            support.push(redis);
        }
        System::NodeWs => {
            let script = setup.peers.join("ws-broadcast.mjs");
            servers.push(Process::node_peer(&script, &[]).await?);
        }
        System::Socketio => {
            let redis = Process::redis().await?;
            let script = setup.peers.join("socketio-broadcast.mjs");
            servers.push(Process::node_peer(&script, &[("REDIS_URL", redis.redis_url())]).await?);
            support.push(redis);
        }
        System::Floor => servers.push(Process::floor().await?),
    }
    let addrs = servers.iter().map(|p| p.addr).collect::<Vec<_>>();
    if system.dialect() == Dialect::Baraza {
        create_room(addrs[0], &mint("bench-secretariat", "secretariat")?, ROOM).await?;
    }
    if addrs.is_empty() {
        return Err(BenchError::Usage("no server started".into()));
    }
    Ok(Running {
        system,
        addrs,
        servers,
        support,
    })
}
