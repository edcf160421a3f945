//! Starting and stopping a node: record, broker, presence, hub and HTTP listener wired
//! together, on the embedded engine (default) or on Redis (`--redis`).

use crate::auth::{AuthError, Authenticator, KeySource};
use crate::broker::{BrokerError, DELIVERY_QUEUE, MemoryBus, RedisBroker, delivery_queue};
use crate::hub::{Engine, Hub, HubConfig};
use crate::metrics::Metrics;
use crate::presence::{Liveness, LocalPresence, PresenceError, RedisPresence};
use crate::redis_link::RedisLink;
use crate::store::{EmbeddedStore, RedisStore, StoreError};
use axum::serve::ListenerExt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How often rooms compare their head with the record when several nodes share it.
const AUDIT_INTERVAL: Duration = Duration::from_secs(2);

/// Everything a node needs to start.
#[derive(Clone)]
pub struct NodeConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub bind: SocketAddr,
    /// Data directory of the embedded engine (and of the generated signing key).
    pub data: PathBuf,
    /// `redis://…`: run on the Redis engine (record, fan-out, presence) instead.
    pub redis: Option<String>,
    /// With Redis: how often this node beats and when another counts as silent.
    pub liveness: Liveness,
    /// Token verification keys.
    pub keys: KeySource,
    /// Expected `iss`.
    pub issuer: String,
    /// Expected `aud`.
    pub audience: String,
    /// Hub behaviour.
    pub hub: HubConfig,
    /// How long shutdown waits for connections to close.
    pub shutdown_grace: Duration,
}

/// Why a node could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The record could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The broker could not be started.
    #[error(transparent)]
    Broker(#[from] BrokerError),
    /// The presence registry could not be reached.
    #[error(transparent)]
    Presence(#[from] PresenceError),
    /// Keys could not be set up.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A running node.
pub struct Node {
    addr: SocketAddr,
    hub: Hub,
    stop_accepting: CancellationToken,
    stop_broker: CancellationToken,
    server: JoinHandle<std::io::Result<()>>,
    grace: Duration,
}

impl Node {
    /// Opens the record, binds the address and starts serving.
    pub async fn start(config: NodeConfig) -> Result<Node, StartError> {
        let auth = Arc::new(Authenticator::new(
            config.keys.clone(),
            &config.issuer,
            &config.audience,
        )?);
        let (sink, deliveries) = delivery_queue(DELIVERY_QUEUE);
        let stop_broker = CancellationToken::new();
        let mut hub_config = config.hub.clone();
        let engine = match &config.redis {
            None => Engine {
                store: Arc::new(EmbeddedStore::open(&config.data)?),
                broker: Arc::new(MemoryBus::new().connect(sink)),
                presence: Arc::new(LocalPresence),
            },
            Some(url) => {
                hub_config.audit_interval.get_or_insert(AUDIT_INTERVAL);
                let link = RedisLink::connect(url)
                    .await
                    .map_err(|e| StoreError::Unavailable(format!("redis: {e}")))?;
                Engine {
                    store: Arc::new(RedisStore::on(link.clone())),
                    broker: Arc::new(RedisBroker::start(url, sink, stop_broker.clone())?),
                    presence: Arc::new(
                        RedisPresence::connect(link, &hub_config.node, config.liveness).await?,
                    ),
                }
            }
        };
        let hub = Hub::new(
            hub_config,
            engine,
            deliveries,
            auth,
            Arc::new(Metrics::default()),
        );
        let bind_error = |source| StartError::Bind {
            addr: config.bind,
            source,
        };
        let listener = TcpListener::bind(config.bind).await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let stop_accepting = CancellationToken::new();
        let app = crate::http::router(hub.clone());
        let stop = stop_accepting.clone();
        // Frames are written whole and flushed once per batch: send them at once (no Nagle
        // delay waiting for the client's delayed ACK, which held small answers back ~40 ms).
        let listener = listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "cannot set TCP_NODELAY");
            }
        });
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await
        });
        Ok(Node {
            addr,
            hub,
            stop_accepting,
            stop_broker,
            server,
            grace: config.shutdown_grace,
        })
    }

    /// The address the node listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The node's hub.
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Graceful shutdown: stop accepting, close every WebSocket with 1012 (reconnect and
    /// resume), wait for them, then flush and close the record.
    pub async fn shutdown(self) -> Result<(), StoreError> {
        self.stop_accepting.cancel();
        let result = self.hub.shutdown(self.grace).await;
        self.stop_broker.cancel();
        if tokio::time::timeout(self.grace, self.server).await.is_err() {
            tracing::warn!("the HTTP server did not stop within {:?}", self.grace);
        }
        result
    }
}
