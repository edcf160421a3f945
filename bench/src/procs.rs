//! The processes a scenario measures: `baraza` nodes, `redis-server`, the Node.js peers and the
//! floor probe. Each is started on a free port of 127.0.0.1 and killed when dropped.

use crate::error::{BenchError, Result};
use crate::machine::rss_kib;
use crate::token::BENCH_SECRET;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

/// A running server process under test.
pub struct Process {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its process id.
    pub pid: u32,
    _dir: Option<tempfile::TempDir>,
}

impl Process {
    /// Its data directory (Baraza nodes).
    pub fn data_dir(&self) -> Option<&Path> {
        self._dir.as_ref().map(tempfile::TempDir::path)
    }

    /// Its resident memory in KiB.
    pub fn rss_kib(&self) -> u64 {
        rss_kib(self.pid).unwrap_or(0)
    }

    /// Starts `command`, waits for a stdout line containing `listening on ADDR` and keeps
    /// draining stdout afterwards.
    async fn spawn(
        mut command: Command,
        what: &str,
        dir: Option<tempfile::TempDir>,
    ) -> Result<Process> {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .map_err(BenchError::io(format!("starting {what}")))?;
        let pid = child.id().unwrap_or(0);
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines
                .next_line()
                .await
                .map_err(BenchError::io(format!("reading the output of {what}")))?
            {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let text = rest.split_whitespace().next().unwrap_or_default();
                    let text = text.trim_start_matches("http://");
                    return text.parse::<SocketAddr>().map_err(|_| {
                        BenchError::protocol(format!("starting {what}"), line.clone())
                    });
                }
            }
            Err(BenchError::protocol(
                format!("starting {what}"),
                "exited before listening",
            ))
        })
        .await
        .map_err(|_| BenchError::Timeout(format!("waiting for {what} to listen")))??;
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Process {
            child,
            addr,
            pid,
            _dir: dir,
        })
    }

    /// Starts a `baraza serve` node with a fresh data directory and `extra` flags.
    pub async fn baraza(binary: &Path, extra: &[String]) -> Result<Process> {
        let dir = tempfile::tempdir().map_err(BenchError::io("creating a data directory"))?;
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .arg("--bind")
            .arg("127.0.0.1:0")
            .arg("--data")
            .arg(dir.path())
            .args(extra)
            .env("BARAZA_JWT_SECRET", BENCH_SECRET)
            // The load generator sets up rooms in bulk: it is not a caller to rate-limit.
            .env("BARAZA_API_RATE", "1000000")
            .env("BARAZA_API_BURST", "1000000")
            .env(
                "BARAZA_LOG",
                std::env::var("BARAZA_LOG").unwrap_or_else(|_| "warn".into()),
            );
        Process::spawn(command, "baraza", Some(dir)).await
    }

    /// Starts `node SCRIPT` (a peer in `bench/peers/`) with `PORT=0` and extra environment.
    pub async fn node_peer(script: &Path, env: &[(&str, String)]) -> Result<Process> {
        let mut command = Command::new("node");
        command.arg(script).env("PORT", "0");
        for (key, value) in env {
            command.env(key, value);
        }
        Process::spawn(command, &format!("node {}", script.display()), None).await
    }

    /// Starts this program's floor probe (`baraza-bench floor-server`).
    pub async fn floor() -> Result<Process> {
        let exe = std::env::current_exe().map_err(BenchError::io("finding baraza-bench"))?;
        let mut command = Command::new(exe);
        command.arg("floor-server").arg("--bind").arg("127.0.0.1:0");
        Process::spawn(command, "the floor probe", None).await
    }

    /// Starts `redis-server` on a free port with AOF and `appendfsync always` (every
    /// acknowledged write is fsynced), no RDB snapshots, in a temporary directory.
    pub async fn redis() -> Result<Process> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(BenchError::io("finding a free port"))?
            .port();
        let dir = tempfile::tempdir().map_err(BenchError::io("creating a Redis directory"))?;
        let mut command = Command::new("redis-server");
        command
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .args(["--maxclients", "100000", "--dir"])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let child = command
            .spawn()
            .map_err(BenchError::io("starting redis-server"))?;
        let pid = child.id().unwrap_or(0);
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        for _ in 0..200 {
            if ping_redis(addr).await {
                return Ok(Process {
                    child,
                    addr,
                    pid,
                    _dir: Some(dir),
                });
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Err(BenchError::Timeout(
            "waiting for redis-server to answer PING".into(),
        ))
    }

    /// `redis://ADDR/0` for a Redis process.
    pub fn redis_url(&self) -> String {
        format!("redis://{}/0", self.addr)
    }

    /// Kills the process (SIGKILL) and waits for it, keeping its data directory.
    pub async fn kill_now(&mut self) {
        let _ = self.child.kill().await;
    }

    /// Kills the process and waits for it.
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
    }
}

async fn ping_redis(addr: SocketAddr) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        return false;
    };
    if stream.write_all(b"PING\r\n").await.is_err() {
        return false;
    }
    let mut answer = [0u8; 7];
    stream.read_exact(&mut answer).await.is_ok() && &answer == b"+PONG\r\n"
}

/// The `baraza` binary to measure: `explicit` if given, else `target/release/baraza` next to
/// this program or under the current directory, building it with
/// `cargo build --release -p baraza-server` when it is missing.
pub fn baraza_binary(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path.to_owned());
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("baraza")));
    let candidates = [beside, Some(PathBuf::from("target/release/baraza"))];
    if let Some(found) = candidates.iter().flatten().find(|p| p.exists()) {
        return Ok(found.clone());
    }
    let status = std::process::Command::new("cargo")
        .args(["build", "--release", "-p", "baraza-server"])
        .status()
        .map_err(BenchError::io(
            "running cargo build --release -p baraza-server",
        ))?;
    let built = PathBuf::from("target/release/baraza");
    if status.success() && built.exists() {
        Ok(built)
    } else {
        Err(BenchError::Usage(
            "target/release/baraza is missing and could not be built".into(),
        ))
    }
}
