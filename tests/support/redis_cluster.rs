//! A Redis Cluster of a test's own: masters that are real `redis-server` processes (cluster
//! mode, AOF with `appendfsync always`, each in its own temporary directory, on free ports),
//! joined with `redis-cli --cluster create`. Waits for the cluster by polling `CLUSTER INFO`
//! until every running master reports `cluster_state:ok` with all slots served; one master
//! can be killed (SIGKILL) and restarted on the same port, AOF and `nodes.conf`.
//!
//! `cluster-require-full-coverage no`: while one master is down, the slots of the others keep
//! working (the partial outage a production cluster without replicas would see).

use crate::redis::{RedisProcess, which};
use std::time::{Duration, Instant};
use tokio::process::Command;

/// How long a master may be silent before the others mark it failed.
pub const NODE_TIMEOUT: Duration = Duration::from_millis(1_000);
/// How long the cluster may take to become healthy before the test fails.
const SETTLE: Duration = Duration::from_secs(20);

/// A running Redis Cluster.
pub struct RedisCluster {
    masters: Vec<RedisProcess>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port()
}

impl RedisCluster {
    /// Starts `masters` masters (at least 3) with no replicas and creates the cluster.
    pub async fn start(masters: usize) -> RedisCluster {
        let timeout = NODE_TIMEOUT.as_millis().to_string();
        let mut started = Vec::new();
        for _ in 0..masters {
            // The cluster bus gets a port of its own (the default, port + 10000, may not exist).
            let bus = free_port().to_string();
            let mut master = RedisProcess::on_free_port(&[
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-port",
                &bus,
                "--cluster-node-timeout",
                &timeout,
                "--cluster-require-full-coverage",
                "no",
            ]);
            master.spawn().await;
            started.push(master);
        }
        let mut create = Command::new(which("redis-cli"));
        create.args(["--cluster", "create"]);
        for master in &started {
            create.arg(format!("127.0.0.1:{}", master.port()));
        }
        let output = create
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .output()
            .await
            .expect("run redis-cli --cluster create");
        assert!(
            output.status.success(),
            "redis-cli --cluster create failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let cluster = RedisCluster { masters: started };
        cluster.wait_healthy().await;
        cluster
    }

    /// `redis+cluster://127.0.0.1:P1,127.0.0.1:P2,…`, as given to `baraza serve --redis`.
    pub fn url(&self) -> String {
        let nodes: Vec<String> = self
            .masters
            .iter()
            .map(|m| format!("127.0.0.1:{}", m.port()))
            .collect();
        format!("redis+cluster://{}", nodes.join(","))
    }

    /// Which master (index) serves `key`'s hash slot.
    pub async fn master_of(&self, key: &str) -> usize {
        let mut connection = self.any_running().connection().await;
        let slot: u16 = redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(key)
            .query_async(&mut connection)
            .await
            .expect("CLUSTER KEYSLOT");
        let nodes: String = redis::cmd("CLUSTER")
            .arg("NODES")
            .query_async(&mut connection)
            .await
            .expect("CLUSTER NODES");
        for line in nodes.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 8 || !fields[2].contains("master") {
                continue;
            }
            let serves = fields[8..].iter().any(|range| {
                let (low, high) = range.split_once('-').unwrap_or((range, range));
                match (low.parse::<u16>(), high.parse::<u16>()) {
                    (Ok(low), Ok(high)) => (low..=high).contains(&slot),
                    _ => false,
                }
            });
            if !serves {
                continue;
            }
            let port: u16 = fields[1]
                .split(['@', ','])
                .next()
                .and_then(|addr| addr.rsplit_once(':'))
                .and_then(|(_, port)| port.parse().ok())
                .expect("node address");
            return self
                .masters
                .iter()
                .position(|m| m.port() == port)
                .expect("a master of ours");
        }
        panic!("no master serves slot {slot} of {key}:\n{nodes}");
    }

    /// Kills master `index` (SIGKILL): only what its AOF fsynced survives.
    pub async fn kill(&mut self, index: usize) {
        self.masters[index].kill().await;
    }

    /// Starts master `index` again on its port, AOF and cluster config, and waits until the
    /// whole cluster is healthy again.
    pub async fn restart(&mut self, index: usize) {
        self.masters[index].kill().await;
        self.masters[index].spawn().await;
        self.wait_healthy().await;
    }

    /// Kills every master (SIGKILL).
    pub async fn kill_all(&mut self) {
        for master in &mut self.masters {
            master.kill().await;
        }
    }

    /// Starts every killed master again and waits until the cluster is healthy.
    pub async fn start_all(&mut self) {
        for master in self.masters.iter_mut().filter(|m| !m.is_running()) {
            master.spawn().await;
        }
        self.wait_healthy().await;
    }

    /// A plain connection to the master serving `key` (for the test's own commands there,
    /// such as `PUBSUB SHARDNUMSUB`).
    pub async fn connection_to_master_of(&self, key: &str) -> redis::aio::MultiplexedConnection {
        self.masters[self.master_of(key).await].connection().await
    }

    fn any_running(&self) -> &RedisProcess {
        self.masters
            .iter()
            .find(|m| m.is_running())
            .expect("a running master")
    }

    /// Polls until every running master reports the cluster ok with every slot served.
    async fn wait_healthy(&self) {
        let started = Instant::now();
        loop {
            let mut healthy = true;
            let mut last = String::new();
            for master in self.masters.iter().filter(|m| m.is_running()) {
                let mut connection = master.connection().await;
                let info: String = redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query_async(&mut connection)
                    .await
                    .unwrap_or_default();
                if !(info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:16384")) {
                    healthy = false;
                    last = info;
                    break;
                }
            }
            if healthy {
                return;
            }
            assert!(
                started.elapsed() < SETTLE,
                "the cluster did not become healthy within {SETTLE:?}:\n{last}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await; // polling interval
        }
    }
}
