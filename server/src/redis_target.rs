//! Which Redis a node runs on: one server (`redis://host:port/db`) or a Redis Cluster
//! (`redis+cluster://host:port,host:port,…`), parsed from the one `--redis` setting so that
//! every part (record, presence, fan-out, `baraza verify`) connects the same way.
//!
//! A cluster URL lists seed nodes: any reachable one is enough to discover the others (the
//! client asks for the slot map and follows it). Credentials written once
//! (`redis+cluster://user:pass@h1:7000,h2:7001`) apply to every node. A cluster has one
//! database, so no `/db` is accepted.

/// The scheme of a Redis Cluster URL.
pub const CLUSTER_SCHEME: &str = "redis+cluster://";

/// Where a node's Redis is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisTarget {
    /// One Redis server (or a proxy that looks like one): the URL as given.
    Single(String),
    /// A Redis Cluster: one `redis://host:port` URL per seed node.
    Cluster(Vec<String>),
}

/// Why a Redis URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// `redis+cluster://` with nothing after it.
    #[error("a redis+cluster:// URL needs at least one host:port")]
    NoNodes,
    /// One of the listed nodes is not `host:port`.
    #[error("cluster node {0:?} is not host:port (a cluster has no database number)")]
    BadNode(String),
}

impl RedisTarget {
    /// Reads `url`: `redis+cluster://[user:pass@]h1:p1,h2:p2,…` is a cluster, anything else
    /// is handed to the Redis client as one server.
    pub fn parse(url: &str) -> Result<RedisTarget, TargetError> {
        let Some(rest) = url.strip_prefix(CLUSTER_SCHEME) else {
            return Ok(RedisTarget::Single(url.to_owned()));
        };
        let (credentials, hosts) = match rest.rsplit_once('@') {
            Some((credentials, hosts)) => (format!("{credentials}@"), hosts),
            None => (String::new(), rest),
        };
        let hosts = hosts.strip_suffix('/').unwrap_or(hosts);
        let mut nodes = Vec::new();
        for host in hosts.split(',').map(str::trim).filter(|h| !h.is_empty()) {
            let valid = host
                .rsplit_once(':')
                .is_some_and(|(name, port)| !name.is_empty() && port.parse::<u16>().is_ok());
            if !valid {
                return Err(TargetError::BadNode(host.to_owned()));
            }
            nodes.push(format!("redis://{credentials}{host}"));
        }
        if nodes.is_empty() {
            return Err(TargetError::NoNodes);
        }
        Ok(RedisTarget::Cluster(nodes))
    }

    /// Whether this is a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(self, RedisTarget::Cluster(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_url_is_one_server() {
        assert_eq!(
            RedisTarget::parse("redis://127.0.0.1:6379/2"),
            Ok(RedisTarget::Single("redis://127.0.0.1:6379/2".into()))
        );
    }

    #[test]
    fn a_cluster_url_lists_its_seed_nodes_with_shared_credentials() {
        assert_eq!(
            RedisTarget::parse("redis+cluster://10.0.0.1:7000, 10.0.0.2:7001,"),
            Ok(RedisTarget::Cluster(vec![
                "redis://10.0.0.1:7000".into(),
                "redis://10.0.0.2:7001".into()
            ]))
        );
        assert_eq!(
            RedisTarget::parse("redis+cluster://baraza:s3cret@h1:7000,h2:7000/"),
            Ok(RedisTarget::Cluster(vec![
                "redis://baraza:s3cret@h1:7000".into(),
                "redis://baraza:s3cret@h2:7000".into()
            ]))
        );
    }

    #[test]
    fn a_cluster_url_without_nodes_or_with_a_database_is_refused() {
        assert_eq!(
            RedisTarget::parse("redis+cluster://"),
            Err(TargetError::NoNodes)
        );
        assert_eq!(
            RedisTarget::parse("redis+cluster://h1:7000/0"),
            Err(TargetError::BadNode("h1:7000/0".into()))
        );
        assert_eq!(
            RedisTarget::parse("redis+cluster://h1"),
            Err(TargetError::BadNode("h1".into()))
        );
    }
}
