//! Starting and stopping a node: record, broker, presence, hub, health checks and the HTTP
//! listener behind its edge (connection caps and timeouts) wired together, on the embedded
//! engine (default) or on Redis (`--redis`).

use crate::auth::{AuthError, Authenticator, KeySource};
use crate::broker::{BrokerError, DELIVERY_QUEUE, MemoryBus, RedisBroker, delivery_queue};
use crate::edge::{Admission, EdgeConfig, Routers};
use crate::health::{HealthConfig, HealthMonitor, ObservedStore};
use crate::http::WebConfig;
use crate::hub::{Engine, Hub, HubConfig};
use crate::metrics::Metrics;
use crate::presence::{Liveness, LocalPresence, PresenceError, RedisPresence};
use crate::redis_link::RedisLink;
use crate::store::{EmbeddedStore, RecordStore, RedisStore, StoreError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How often rooms compare their head with the record when several nodes share it.
const AUDIT_INTERVAL: Duration = Duration::from_secs(2);

/// How often the health checks run (and log a change) without anyone asking `/healthz`.
const HEALTH_INTERVAL: Duration = Duration::from_secs(5);

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
    /// Connection caps and HTTP timeouts.
    pub edge: EdgeConfig,
    /// Allowed origins and the REST rate limit.
    pub web: WebConfig,
    /// Below this many free bytes for `data`, the embedded engine's node is `degraded`.
    pub min_free_disk: u64,
    /// How long shutdown waits for connections to close.
    pub shutdown_grace: Duration,
    /// The registry: links and their lifetimes.
    pub registry: crate::registry::RegistryConfig,
    /// The SMTP relay invitations are mailed through, if any.
    pub mail: Option<crate::registry::mail::MailConfig>,
    /// Taking part by e-mail (outbox, digests, inbound mail), if enabled.
    pub email: Option<crate::mail::MailConfig>,
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
    /// The mail sender is not a valid address.
    #[error(transparent)]
    Mail(#[from] crate::registry::mail::MailError),
    /// E-mail participation could not start.
    #[error(transparent)]
    Email(#[from] crate::mail::MailError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Runs the health checks every [`HEALTH_INTERVAL`] so that a change is logged and shown in
/// `/metrics` even when nobody polls `/healthz`.
async fn watch_health(health: Arc<HealthMonitor>, stop: CancellationToken) {
    let mut every = tokio::time::interval(HEALTH_INTERVAL);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = stop.cancelled() => return,
        }
        health.check();
    }
}

/// A running node.
pub struct Node {
    addr: SocketAddr,
    mail_addr: Option<SocketAddr>,
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
        let metrics = Arc::new(Metrics::default());
        let health = HealthMonitor::new(
            HealthConfig {
                data_dir: config.redis.is_none().then(|| config.data.clone()),
                min_free_bytes: config.min_free_disk,
            },
            metrics.clone(),
        );
        let observed = |store: Arc<dyn RecordStore>| -> Arc<dyn RecordStore> {
            Arc::new(ObservedStore::new(store, health.clone()))
        };
        let engine = match &config.redis {
            None => Engine {
                store: observed(Arc::new(EmbeddedStore::open_measured(
                    &config.data,
                    Some(metrics.commit_seconds.clone()),
                )?)),
                broker: Arc::new(MemoryBus::new().connect(sink)),
                presence: Arc::new(LocalPresence),
            },
            Some(url) => {
                hub_config.audit_interval.get_or_insert(AUDIT_INTERVAL);
                let link = RedisLink::connect(url)
                    .await
                    .map_err(|e| StoreError::Unavailable(format!("redis: {e}")))?;
                Engine {
                    store: observed(Arc::new(RedisStore::on(link.clone()))),
                    broker: Arc::new(RedisBroker::start(url, sink, stop_broker.clone())?),
                    presence: Arc::new(
                        RedisPresence::connect(link, &hub_config.node, config.liveness).await?,
                    ),
                }
            }
        };
        let store = engine.store.clone();
        let shared = config.redis.is_some();
        let hub = Hub::new(
            hub_config,
            engine,
            deliveries,
            auth.clone(),
            metrics.clone(),
        );
        let mailer = config
            .mail
            .as_ref()
            .map(crate::registry::mail::Mailer::new)
            .transpose()?;
        let registry =
            crate::registry::Registry::load(store, auth, mailer, config.registry.clone()).await?;
        hub.attach_registry(registry.clone());
        tokio::spawn(hub.track(hub.clone().follow_registry(registry.clone())));
        if shared {
            tokio::spawn(hub.track(registry.clone().follow(hub.shutdown_token())));
        }
        health.check();
        tokio::spawn(hub.track(watch_health(health.clone(), hub.shutdown_token())));
        tokio::spawn(hub.track(hub.clone().wake_timers()));
        let email = match &config.email {
            Some(mail_config) => {
                let secret = match &config.keys {
                    crate::auth::KeySource::Secret(secret) => secret.clone(),
                    crate::auth::KeySource::PublicKey { .. } => {
                        crate::auth::load_or_create_named_secret(&config.data, "mail-secret")?
                    }
                };
                Some(crate::mail::MailService::open(
                    hub.clone(),
                    config.data.clone(),
                    &secret,
                    mail_config.clone(),
                    config.registry.public_url.clone(),
                )?)
            }
            None => None,
        };
        let bind_error = |source| StartError::Bind {
            addr: config.bind,
            source,
        };
        let listener = TcpListener::bind(config.bind).await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        registry.set_default_base(format!("http://{addr}"));
        let mail_addr = match &email {
            Some(service) => {
                service.set_default_base(format!("http://{addr}"));
                service.start().await?
            }
            None => None,
        };
        let stop_accepting = CancellationToken::new();
        let routers = Routers {
            full: crate::http::router(
                hub.clone(),
                config.web.clone(),
                health.clone(),
                Arc::new(crate::archive::key::load_or_create(&config.data)?),
                email,
            ),
            reserve: crate::http::reserve_router(hub.clone(), health),
        };
        let limits = &config.edge.limits;
        tracing::info!(
            max_connections = limits.max_connections,
            max_per_address = limits.max_per_source,
            health_reserve = limits.health_reserve,
            header_timeout = ?config.edge.timeouts.header,
            idle_timeout = ?config.edge.timeouts.idle,
            "connection limits"
        );
        let server = tokio::spawn(crate::edge::serve(
            listener,
            routers,
            Admission::new(config.edge.limits.clone()),
            config.edge.timeouts,
            metrics,
            stop_accepting.clone(),
        ));
        Ok(Node {
            addr,
            mail_addr,
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

    /// The address of the LMTP listener, if the node runs one.
    pub fn mail_addr(&self) -> Option<SocketAddr> {
        self.mail_addr
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
