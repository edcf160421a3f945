//! A `baraza serve` process for one test: its own data directory, a free port, SIGTERM or
//! SIGKILL on demand, restartable on the same data.

use crate::tokens::TEST_SECRET;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The binary under test: the `baraza` command built from the current sources as this
/// package's `baraza-node` binary, which Cargo builds before running the package's tests. It
/// sits next to the `deps/` folder that holds the running test executable.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target profile directory");
    let binary = dir.join(format!("baraza-node{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing: run the tests with cargo test",
        binary.display()
    );
    binary
}

/// A data directory that outlives server restarts and is removed at the end of the test.
#[derive(Clone)]
pub struct DataDir(Arc<tempfile::TempDir>);

impl DataDir {
    /// A fresh, empty directory.
    pub fn new() -> DataDir {
        DataDir(Arc::new(tempfile::tempdir().expect("temp dir")))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Default for DataDir {
    fn default() -> Self {
        DataDir::new()
    }
}

/// A running server process.
pub struct NodeProcess {
    child: Child,
    addr: SocketAddr,
    data: DataDir,
    args: Vec<String>,
    nofile: Option<u64>,
}

impl NodeProcess {
    /// Starts a server on a fresh data directory with short presence grace and heartbeat.
    pub async fn start() -> NodeProcess {
        NodeProcess::start_with(DataDir::new(), &[]).await
    }

    /// Starts a server on `data` with extra command-line flags.
    pub async fn start_with(data: DataDir, extra: &[&str]) -> NodeProcess {
        let args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        Self::spawn(data, args, None).await
    }

    /// Starts a server with `extra` flags and the log filter `filter` (`BARAZA_LOG`); every
    /// line it writes to its standard error arrives on the returned channel.
    pub async fn start_logging(
        extra: &[&str],
        filter: &str,
    ) -> (NodeProcess, tokio::sync::mpsc::UnboundedReceiver<String>) {
        let args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let (lines, log) = tokio::sync::mpsc::unbounded_channel();
        let node = Self::spawn_with_log(DataDir::new(), args, None, Some((filter, lines))).await;
        (node, log)
    }

    /// Starts a server with extra flags under an open-file limit (`RLIMIT_NOFILE`, soft and
    /// hard) of `nofile` descriptors, as an operator's `ulimit -n` would.
    pub async fn start_with_nofile(extra: &[&str], nofile: u64) -> NodeProcess {
        let args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        Self::spawn(DataDir::new(), args, Some(nofile)).await
    }

    async fn spawn(data: DataDir, args: Vec<String>, nofile: Option<u64>) -> NodeProcess {
        Self::spawn_with_log(data, args, nofile, None).await
    }

    async fn spawn_with_log(
        data: DataDir,
        args: Vec<String>,
        nofile: Option<u64>,
        log: Option<(&str, tokio::sync::mpsc::UnboundedSender<String>)>,
    ) -> NodeProcess {
        let mut command = Command::new(binary());
        if let Some(limit) = nofile {
            // SAFETY: setrlimit is async-signal-safe and touches no memory of the parent.
            unsafe {
                command.pre_exec(move || {
                    nix::sys::resource::setrlimit(
                        nix::sys::resource::Resource::RLIMIT_NOFILE,
                        limit,
                        limit,
                    )
                    .map_err(std::io::Error::from)
                });
            }
        }
        command
            .arg("serve")
            .arg("--bind")
            .arg("127.0.0.1:0")
            .arg("--data")
            .arg(data.path())
            .args(if args.iter().any(|a| a == "--presence-grace") {
                vec![]
            } else {
                vec!["--presence-grace", "30s"]
            })
            .args(&args)
            .env("BARAZA_JWT_SECRET", TEST_SECRET)
            .env(
                "BARAZA_LOG",
                std::env::var("BARAZA_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some((filter, _)) = &log {
            command.env("BARAZA_LOG", filter).stderr(Stdio::piped());
        }
        let mut child = command.spawn().expect("start baraza");
        if let Some((_, sink)) = log {
            let mut stderr = BufReader::new(child.stderr.take().expect("stderr")).lines();
            tokio::spawn(async move {
                // Keeps reading after the test stops listening, so the node never blocks.
                while let Ok(Some(line)) = stderr.next_line().await {
                    let _ = sink.send(line);
                }
            });
        }
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.expect("read stdout") {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr = rest.split_whitespace().next().expect("address");
                    return addr.parse::<SocketAddr>().expect("socket address");
                }
            }
            panic!("baraza exited before listening");
        })
        .await
        .expect("baraza did not start listening within 30 s");
        // Keep draining stdout so the process never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        NodeProcess {
            child,
            addr,
            data,
            args,
            nofile,
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    /// The resident memory of the process (`VmRSS` of `/proc/<pid>/status`), in KiB.
    pub fn resident_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("read /proc/<pid>/status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/<pid>/status")
    }

    /// Its data directory.
    pub fn data(&self) -> &DataDir {
        &self.data
    }

    /// `ws://…/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// `http://…`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Graceful stop (SIGTERM); waits for the process to exit.
    pub async fn stop(mut self) -> ExitStatus {
        let pid = Pid::from_raw(self.child.id().expect("running") as i32);
        kill(pid, Signal::SIGTERM).expect("SIGTERM");
        tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("baraza did not stop within 20 s of SIGTERM")
            .expect("wait")
    }

    /// Freezes the process (SIGSTOP): its sockets stay open but it does nothing, as a node
    /// cut off by the network or stalled would. [`NodeProcess::resume`] thaws it.
    pub fn pause(&self) {
        self.signal(Signal::SIGSTOP);
    }

    /// Thaws a paused process (SIGCONT).
    pub fn resume(&self) {
        self.signal(Signal::SIGCONT);
    }

    fn signal(&self, signal: Signal) {
        let pid = Pid::from_raw(self.child.id().expect("running") as i32);
        kill(pid, signal).expect("signal baraza");
    }

    /// Hard stop (SIGKILL): no goodbye to clients, no clean-up.
    pub async fn kill(mut self) {
        self.child.kill().await.expect("SIGKILL");
    }

    /// Starts a node of a cluster sharing the Redis at `url`, named `name`.
    pub async fn start_on_redis(url: &str, name: &str, extra: &[&str]) -> NodeProcess {
        let mut args = vec!["--redis", url, "--node", name];
        args.extend_from_slice(extra);
        NodeProcess::start_with(DataDir::new(), &args).await
    }

    /// Stops gracefully and starts again on the same data directory and flags (new port).
    pub async fn restart(self) -> NodeProcess {
        let (data, args, nofile) = (self.data.clone(), self.args.clone(), self.nofile);
        let status = self.stop().await;
        assert!(status.success(), "graceful stop failed: {status}");
        Self::spawn(data, args, nofile).await
    }
}

/// Runs `baraza verify --data DIR`; returns its exit status and standard output.
pub fn verify(data: &Path) -> (ExitStatus, String) {
    let output = std::process::Command::new(binary())
        .arg("verify")
        .arg("--data")
        .arg(data)
        .output()
        .expect("run baraza verify");
    (
        output.status,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// Runs `baraza verify --redis URL`; returns its exit status and standard output.
pub fn verify_redis(url: &str) -> (ExitStatus, String) {
    let output = std::process::Command::new(binary())
        .arg("verify")
        .arg("--redis")
        .arg(url)
        .output()
        .expect("run baraza verify");
    (
        output.status,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}
