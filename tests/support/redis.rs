//! A `redis-server` of a test's own: a free port, a temporary directory, AOF with
//! `appendfsync always`; killable and restartable on the same port and data, and pausable
//! (SIGSTOP) to make it hang.

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// A running Redis server.
pub struct RedisProcess {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    extra: Vec<String>,
}

impl RedisProcess {
    /// Starts a server on a free port. Fails the test if `redis-server` is not installed.
    pub async fn start() -> RedisProcess {
        RedisProcess::start_with(&[]).await
    }

    /// Starts a server on a free port with extra `redis-server` arguments (kept on restart).
    pub async fn start_with(extra: &[&str]) -> RedisProcess {
        let mut redis = RedisProcess::on_free_port(extra);
        redis.spawn().await;
        redis
    }

    /// A server not started yet.
    pub(crate) fn on_free_port(extra: &[&str]) -> RedisProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("free port")
            .local_addr()
            .expect("addr")
            .port();
        RedisProcess {
            child: None,
            port,
            dir: tempfile::tempdir().expect("temp dir"),
            extra: extra.iter().map(|a| a.to_string()).collect(),
        }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the process is running (not killed).
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    pub(crate) async fn spawn(&mut self) {
        let binary = which_redis();
        let child = Command::new(&binary)
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
            ])
            .args(["--appendfsync", "always", "--dir"])
            .arg(self.dir.path())
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        for _ in 0..200 {
            if self.ping().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "redis-server did not answer on port {} within 5 s",
            self.port
        );
    }

    async fn ping(&self) -> bool {
        let Ok(client) = redis::Client::open(self.url()) else {
            return false;
        };
        let Ok(mut connection) = client.get_multiplexed_async_connection().await else {
            return false;
        };
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
            .is_ok()
    }

    /// `redis://127.0.0.1:PORT/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Kills the server (SIGKILL): only what AOF fsynced survives.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("kill redis");
        }
    }

    /// Freezes the server (SIGSTOP): its sockets stay open but nothing is answered, as when
    /// Redis hangs or its machine is unreachable. [`RedisProcess::resume`] thaws it.
    pub fn pause(&self) {
        self.signal(Signal::SIGSTOP);
    }

    /// Thaws a paused server (SIGCONT). Keys whose TTL ran out meanwhile expire at once.
    pub fn resume(&self) {
        self.signal(Signal::SIGCONT);
    }

    fn signal(&self, signal: Signal) {
        let child = self.child.as_ref().expect("redis-server is running");
        let pid = Pid::from_raw(child.id().expect("running") as i32);
        kill(pid, signal).expect("signal redis-server");
    }

    /// Starts the server again on the same port and directory (AOF is replayed).
    pub async fn restart(&mut self) {
        self.kill().await;
        self.spawn().await;
    }

    /// A connection for the test's own commands.
    pub async fn connection(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .expect("url")
            .get_multiplexed_async_connection()
            .await
            .expect("connect to redis")
    }
}

fn which_redis() -> PathBuf {
    which("redis-server")
}

/// Where an installed Redis program is (`redis-server`, `redis-cli`, `redis-sentinel`).
pub(crate) fn which(program: &str) -> PathBuf {
    for dir in std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .chain(["/usr/bin", "/usr/local/bin"])
    {
        let candidate = PathBuf::from(dir).join(program);
        if candidate.exists() {
            return candidate;
        }
    }
    panic!("{program} is not installed: run `apt-get install -y redis-server` (or .ci/run)");
}
