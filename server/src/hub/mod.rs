//! The hub of one node: room actors, WebSocket sessions, and the path of a command from a
//! socket to the record and to every subscriber.
//!
//! - [`room`]: one task per loaded room owns its state, decides commands, appends to the
//!   record, publishes, and fans the encoded event out to local subscribers.
//! - [`session`]: one task per WebSocket connection owns the socket: authentication, limits,
//!   parsing, and writing its send queue.
//! - [`outbound`]: the bounded send queue between rooms and a session.
//! - [`ratelimit`]: the per-connection token bucket.
//! - [`frames`]: encoding server messages once.
//! - [`rollup`]: consultations across rooms (parent lookup, delivering inputs).
//! - [`access`]: cutting off the people the registry revokes, and recording it in the rooms.
//! - [`caucus_post`]: caucuses across rooms (posting a joint statement to the parent).

pub mod access;
pub mod caucus_post;
pub mod core;
pub mod error;
pub mod frames;
pub mod outbound;
pub mod ratelimit;
pub mod rollup;
pub mod room;
pub mod session;
pub mod writer;

use crate::auth::Authenticator;
use crate::broker::{Broker, Deliveries, Delivery};
use crate::domain::Rejection;
use crate::domain::visibility::ReadPath;
use crate::metrics::Metrics;
use crate::presence::Presence;
use crate::record::RecordedEvent;
use crate::store::{RecordStore, StoreError};
use baraza_proto::identity::Profile;
use baraza_proto::ids::{RoomId, Seq};
use baraza_proto::limits::Limits;
use baraza_proto::room::{RoomSpec, RoomSummary};
use baraza_proto::view::RoomView;
pub use error::HubError;
use room::{RoomHandle, RoomMsg};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How often a room that missed deliveries (its mailbox was full) is offered its resync again.
const RESYNC_RETRY: Duration = Duration::from_millis(100);

/// How a node's hub behaves.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// This node's id (shown to clients, used in logs).
    pub node: String,
    /// Per-connection limits.
    pub limits: Limits,
    /// How long a member whose connections all dropped stays present before the record says
    /// they left. A client that resumes within it keeps its place.
    pub presence_grace: Duration,
    /// WebSocket ping interval; three silent intervals close the connection.
    pub heartbeat: Duration,
    /// How long a new connection has to authenticate.
    pub auth_timeout: Duration,
    /// A room with nobody connected is unloaded from memory after this long.
    pub idle_unload: Duration,
    /// With several nodes: how often a room with local members compares its head with the
    /// record's, to repair events a broker failed to deliver. `None` with one node.
    pub audit_interval: Option<Duration>,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            node: "node-1".into(),
            limits: Limits::default(),
            presence_grace: Duration::from_secs(30),
            heartbeat: Duration::from_secs(20),
            auth_timeout: Duration::from_secs(10),
            idle_unload: Duration::from_secs(600),
            audit_interval: None,
        }
    }
}

/// The hub of one node. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

pub(crate) struct HubInner {
    pub(crate) config: HubConfig,
    pub(crate) store: Arc<dyn RecordStore>,
    pub(crate) broker: Arc<dyn Broker>,
    pub(crate) auth: Arc<Authenticator>,
    pub(crate) presence: Arc<dyn Presence>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) shutdown: CancellationToken,
    pub(crate) tasks: TaskTracker,
    rooms: Mutex<HashMap<RoomId, RoomHandle>>,
    /// This node's authenticated connections by user.
    pub(crate) connections: access::Connections,
    next_conn: AtomicU64,
    registry: std::sync::OnceLock<Arc<crate::registry::Registry>>,
}

impl Hub {
    /// A hub over `engine`. `deliveries` is the receiving end of the sink the broker was
    /// connected with; the hub routes what arrives there to its rooms.
    pub fn new(
        config: HubConfig,
        engine: Engine,
        deliveries: Deliveries,
        auth: Arc<Authenticator>,
        metrics: Arc<Metrics>,
    ) -> Hub {
        let Engine {
            store,
            broker,
            presence,
        } = engine;
        let hub = Hub {
            inner: Arc::new(HubInner {
                config,
                store,
                broker,
                auth,
                presence,
                metrics,
                shutdown: CancellationToken::new(),
                tasks: TaskTracker::new(),
                rooms: Mutex::new(HashMap::new()),
                connections: access::Connections::default(),
                next_conn: AtomicU64::new(1),
                registry: std::sync::OnceLock::new(),
            }),
        };
        hub.inner
            .tasks
            .spawn(hub.clone().route_deliveries(deliveries));
        if hub.inner.presence.is_shared() {
            hub.inner.tasks.spawn(hub.clone().watch_nodes());
        }
        hub
    }

    pub(crate) fn inner(&self) -> &HubInner {
        &self.inner
    }

    /// The hub's configuration.
    pub fn config(&self) -> &HubConfig {
        &self.inner.config
    }

    /// The node's metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.inner.metrics
    }

    /// The record store, for read models that follow the record (search).
    pub fn store(&self) -> &Arc<dyn RecordStore> {
        &self.inner.store
    }

    /// The token verifier.
    pub fn auth(&self) -> &Authenticator {
        &self.inner.auth
    }

    /// Makes the registry the source of identities: tokens are resolved through it and rooms
    /// of accredited-only forums ask it who may join. Set once, at start.
    pub fn attach_registry(&self, registry: Arc<crate::registry::Registry>) {
        let _ = self.inner.registry.set(registry);
    }

    /// The registry, when one is attached.
    pub fn registry(&self) -> Option<&Arc<crate::registry::Registry>> {
        self.inner.registry.get()
    }

    /// Verifies a session token and resolves its identity through the registry
    /// (`registry::access::resolve`): a registry person's organisation, constituency and
    /// country come from the registry; a token claiming a registered organisation is refused.
    pub fn verify_token(
        &self,
        token: &str,
    ) -> Result<crate::auth::Verified, crate::auth::AuthError> {
        let mut verified = self.auth().verify(token)?;
        if let Some(registry) = self.registry() {
            verified.profile = crate::registry::access::resolve(
                &registry.snapshot(),
                verified.profile,
                verified.email.as_deref(),
            )
            .map_err(|e| crate::auth::AuthError::Claims(e.to_string()))?;
        }
        Ok(verified)
    }

    /// Whether `profile` may join `room` as far as the registry is concerned.
    pub fn registry_admits(&self, profile: &Profile, room: &RoomId) -> Result<(), Rejection> {
        match self.registry() {
            Some(registry) => {
                crate::registry::access::may_join(&registry.snapshot(), profile, room)
            }
            None => Ok(()),
        }
    }

    /// The record engine's name.
    pub fn engine(&self) -> &'static str {
        self.inner.store.engine()
    }

    /// Resolves when shutdown has begun.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    /// Tracks a task (a connection) so that shutdown waits for it.
    pub fn track<F>(&self, future: F) -> impl Future<Output = F::Output> + use<F>
    where
        F: Future,
    {
        self.inner.tasks.track_future(future)
    }

    pub(crate) fn next_conn_id(&self) -> u64 {
        self.inner.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// The handle of a room's actor, starting the actor if the room is not loaded. The actor
    /// answers `room_not_found` itself when the room has no record; [`Hub::send`] looks first.
    pub(crate) fn room(&self, id: &RoomId) -> RoomHandle {
        let mut rooms = self.inner.rooms.lock().expect("rooms lock");
        if let Some(handle) = rooms.get(id)
            && !handle.is_closed()
        {
            return handle.clone();
        }
        let handle = room::spawn(self.clone(), id.clone());
        rooms.insert(id.clone(), handle.clone());
        self.inner.metrics.rooms.set(rooms.len() as i64);
        handle
    }

    /// The ids of the rooms loaded on this node.
    pub(crate) fn loaded_rooms(&self) -> Vec<RoomId> {
        let rooms = self.inner.rooms.lock().expect("rooms lock");
        rooms.keys().cloned().collect()
    }

    /// The handle of the room's running actor, if it is loaded.
    fn loaded(&self, id: &RoomId) -> Option<RoomHandle> {
        let rooms = self.inner.rooms.lock().expect("rooms lock");
        rooms.get(id).filter(|handle| !handle.is_closed()).cloned()
    }

    /// Sends `message` to a room's actor and returns the actor's handle; the actor answers it.
    ///
    /// A room that is not loaded is loaded only if its record exists or `message` creates it:
    /// for a room that does not exist this returns `room_not_found` after one lookup in the
    /// store, and nothing is started or kept (an actor, its mailbox, a subscription). An actor
    /// that stopped meanwhile is replaced by a fresh one. On an error the message was not
    /// delivered and the caller answers it.
    pub(crate) async fn send(&self, id: &RoomId, message: RoomMsg) -> Result<RoomHandle, HubError> {
        self.route(id, message).await.map_err(|(error, _)| error)
    }

    /// Like [`Hub::send`], but a message that cannot be delivered is answered here with the
    /// reason. A stopping actor hands on what is still in its mailbox this way, so that no
    /// message a mailbox accepted goes unanswered.
    pub(crate) async fn forward(&self, id: &RoomId, message: RoomMsg) {
        if let Err((error, message)) = self.route(id, message).await {
            message.refuse(&error);
        }
    }

    async fn route(
        &self,
        id: &RoomId,
        mut message: RoomMsg,
    ) -> Result<RoomHandle, (HubError, RoomMsg)> {
        for _ in 0..3 {
            if self.inner.shutdown.is_cancelled() {
                break;
            }
            let handle = match self.loaded(id) {
                Some(handle) => handle,
                None => {
                    if !message.creates_room() {
                        match self.inner.store.head(id).await {
                            Ok(head) if head.seq == 0 => {
                                let missing = HubError::Rejected(Rejection::RoomNotFound);
                                return Err((missing, message));
                            }
                            Ok(_) => {}
                            Err(error) => return Err((error.into(), message)),
                        }
                    }
                    self.room(id)
                }
            };
            match handle.send(message).await {
                Ok(()) => return Ok(handle),
                Err(returned) => message = returned,
            }
        }
        Err((HubError::ShuttingDown, message))
    }

    /// Called by an actor that unloads itself: forgets it if it is still the registered one.
    pub(crate) fn forget(&self, id: &RoomId, handle: &RoomHandle) -> bool {
        let mut rooms = self.inner.rooms.lock().expect("rooms lock");
        let same = rooms.get(id).is_some_and(|h| h.same_actor(handle));
        if same {
            rooms.remove(id);
            self.inner.metrics.rooms.set(rooms.len() as i64);
        }
        same
    }

    /// Creates a room for `by` (the domain checks they are the secretariat).
    pub async fn create_room(&self, by: Profile, spec: RoomSpec) -> Result<RoomSummary, HubError> {
        let id = spec.id.clone().unwrap_or_else(generate_room_id);
        if crate::registry::is_reserved(&id) {
            return Err(HubError::Rejected(Rejection::RoomExists));
        }
        let (reply, answer) = oneshot::channel();
        self.send(
            &id,
            RoomMsg::Create {
                profile: by,
                settings: spec.settings,
                reply,
            },
        )
        .await?;
        answer.await.map_err(|_| HubError::ShuttingDown)?
    }

    /// Every room with a record, as the room list shows it to `reader` (the domain decides
    /// what of each line they may see: `visibility::summary_for`).
    pub async fn list_rooms(&self, reader: Profile) -> Result<Vec<RoomSummary>, HubError> {
        let ids = self.inner.store.rooms().await?;
        let mut summaries = Vec::with_capacity(ids.len());
        for id in ids {
            if let Ok(Some(summary)) = self.summary_for(&id, Some(reader.clone())).await {
                summaries.push(summary);
            }
        }
        Ok(summaries)
    }

    /// Loads every room once, so that a room with a timer (a consultation's scheduled close)
    /// runs it after a restart without waiting for a reader: a room stays loaded while its
    /// state has a deadline ahead and unloads as usual otherwise. Run once when a node starts.
    pub async fn wake_timers(self) {
        let ids = match self.inner.store.rooms().await {
            Ok(ids) => ids,
            Err(error) => {
                tracing::warn!(%error, "rooms with timers could not be listed");
                return;
            }
        };
        for id in ids {
            if self.inner.shutdown.is_cancelled() {
                return;
            }
            if crate::registry::is_reserved(&id) {
                continue;
            }
            if let Err(error) = self.room_summary(&id).await {
                tracing::warn!(room = %id, %error, "a room could not be loaded for its timers");
            }
        }
    }

    /// A room's whole line, for the server itself (a parent's identity for the roll-up); `None`
    /// if it does not exist.
    pub(crate) async fn room_summary(&self, id: &RoomId) -> Result<Option<RoomSummary>, HubError> {
        self.summary_for(id, None).await
    }

    async fn summary_for(
        &self,
        id: &RoomId,
        reader: Option<Profile>,
    ) -> Result<Option<RoomSummary>, HubError> {
        let (reply, answer) = oneshot::channel();
        match self.send(id, RoomMsg::Summary { reader, reply }).await {
            Ok(_) => answer.await.map_err(|_| HubError::ShuttingDown)?,
            Err(HubError::Rejected(Rejection::RoomNotFound)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// A room as `profile` may read it by `path` (`View` or `Threads`), with the seq it is
    /// current to; `forbidden` when the domain refuses that reader.
    pub async fn room_view(
        &self,
        id: &RoomId,
        profile: Profile,
        path: ReadPath,
    ) -> Result<(Seq, RoomView), HubError> {
        let (reply, answer) = oneshot::channel();
        self.send(
            id,
            RoomMsg::View {
                profile,
                path,
                reply,
            },
        )
        .await?;
        answer.await.map_err(|_| HubError::ShuttingDown)?
    }

    /// Up to `limit` events of a room's record after `after`, and where the record ends, if
    /// the domain lets `profile` read the record (`ReadPath::Record`).
    pub async fn read_record(
        &self,
        id: &RoomId,
        profile: Profile,
        after: Seq,
        limit: usize,
    ) -> Result<(Seq, Vec<RecordedEvent>), HubError> {
        let (reply, answer) = oneshot::channel();
        self.send(
            id,
            RoomMsg::MayRead {
                profile,
                path: ReadPath::Record,
                reply,
            },
        )
        .await?;
        answer.await.map_err(|_| HubError::ShuttingDown)??;
        let head = self.inner.store.head(id).await?;
        if head.seq == 0 {
            return Err(HubError::Rejected(Rejection::RoomNotFound));
        }
        let events = self.inner.store.read_after(id, after, limit).await?;
        Ok((head.seq, events))
    }

    /// A room's whole record, for an export by `profile`, with the kind of reader the domain
    /// makes them (`ReadPath::Export`, decided on the state the record folds to).
    pub async fn export_record(
        &self,
        id: &RoomId,
        profile: &Profile,
    ) -> Result<(crate::domain::visibility::ReaderKind, Vec<RecordedEvent>), HubError> {
        let events = crate::export::load(self.inner.store.as_ref(), id).await?;
        let state = crate::export::project::fold(&events);
        let reader = crate::domain::visibility::may_read(ReadPath::Export, profile, &state)?;
        Ok((reader, events))
    }

    /// The whole record of `id` for an archive bundle, if `profile` may read the full record
    /// (`ReadPath::Record`).
    pub async fn bundle_record(
        &self,
        id: &RoomId,
        profile: &Profile,
    ) -> Result<Vec<RecordedEvent>, HubError> {
        let events = crate::export::load(self.inner.store.as_ref(), id).await?;
        let state = crate::export::project::fold(&events);
        crate::domain::visibility::may_read(ReadPath::Record, profile, &state)?;
        Ok(events)
    }

    /// Runs a statement that came by e-mail from `profile` (a registry person) through the
    /// room's domain (`Command::Mail`): the same rules and moderation as `post_statement`.
    /// Answers the statement's seq and whether an earlier mail with the same key made it.
    pub async fn post_by_mail(
        &self,
        id: &RoomId,
        profile: Profile,
        key: baraza_proto::ids::IdempotencyKey,
        command: baraza_proto::command::RoomCommand,
        attachments: Vec<baraza_proto::mail::Attachment>,
    ) -> Result<(Seq, bool), HubError> {
        let (reply, answer) = oneshot::channel();
        self.send(
            id,
            RoomMsg::Mail {
                profile,
                key,
                command,
                attachments,
                reply,
            },
        )
        .await?;
        answer.await.map_err(|_| HubError::ShuttingDown)?
    }

    /// Begins shutdown: sessions close with 1012 (reconnect), rooms stop. Then waits up to
    /// `grace` for them and closes the record.
    pub async fn shutdown(&self, grace: Duration) -> Result<(), StoreError> {
        self.inner.shutdown.cancel();
        self.inner.tasks.close();
        if tokio::time::timeout(grace, self.inner.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("some connections did not close within {grace:?}");
        }
        self.inner.store.close().await
    }

    /// Hands what the broker delivers to the rooms without ever waiting on one: a room whose
    /// mailbox is full misses the event and is marked for a resync (it repairs from the
    /// record, as after any gap), retried until its mailbox takes it.
    async fn route_deliveries(self, mut deliveries: Deliveries) {
        let mut behind: HashSet<RoomId> = HashSet::new();
        let mut retry = tokio::time::interval(RESYNC_RETRY);
        loop {
            let delivery = tokio::select! {
                delivery = deliveries.recv() => delivery,
                _ = retry.tick(), if !behind.is_empty() => {
                    self.resync_behind(&mut behind);
                    continue;
                }
                () = self.inner.shutdown.cancelled() => None,
            };
            let Some(delivery) = delivery else { return };
            let targets: Vec<(RoomId, RoomHandle)> = {
                let rooms = self.inner.rooms.lock().expect("rooms lock");
                match &delivery {
                    Delivery::Event(event) => rooms
                        .get_key_value(&event.envelope.room)
                        .map(|(id, handle)| (id.clone(), handle.clone()))
                        .into_iter()
                        .collect(),
                    Delivery::Resync => rooms
                        .iter()
                        .map(|(id, handle)| (id.clone(), handle.clone()))
                        .collect(),
                }
            };
            for (id, target) in targets {
                let message = match &delivery {
                    Delivery::Event(event) => RoomMsg::Published((**event).clone()),
                    Delivery::Resync => RoomMsg::Resync,
                };
                // A room that unloaded meanwhile reloads from the record when next needed.
                if !target.try_send(message) && !target.is_closed() {
                    behind.insert(id);
                }
            }
            if !behind.is_empty() {
                self.resync_behind(&mut behind);
            }
        }
    }

    /// Sends a resync to each room that missed deliveries; keeps those still full.
    fn resync_behind(&self, behind: &mut HashSet<RoomId>) {
        let rooms = self.inner.rooms.lock().expect("rooms lock");
        behind.retain(|id| match rooms.get(id) {
            Some(handle) => !handle.try_send(RoomMsg::Resync) && !handle.is_closed(),
            None => false,
        });
    }
}

impl Hub {
    /// Keeps this node's heartbeat fresh and cleans up after nodes that died: each of their
    /// rooms records the members nobody else holds as gone (`node_lost`). When the heartbeat
    /// says this node must re-establish its members (it was taken for dead, or lost sight of
    /// Redis), every loaded room registers its members again and makes the record show them
    /// present.
    async fn watch_nodes(self) {
        let mut every = tokio::time::interval(self.inner.presence.beat_every());
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = self.inner.shutdown.cancelled() => return,
            }
            let heartbeat = match self.inner.presence.heartbeat_and_claim_dead().await {
                Ok(heartbeat) => heartbeat,
                Err(error) => {
                    tracing::warn!(%error, "presence heartbeat failed");
                    continue;
                }
            };
            if heartbeat.reestablish {
                let rooms: Vec<RoomHandle> = {
                    let rooms = self.inner.rooms.lock().expect("rooms lock");
                    rooms.values().cloned().collect()
                };
                for room in rooms {
                    // Never wait on one room's mailbox here: the heartbeat must go on.
                    tokio::spawn(async move {
                        let _ = room.send(RoomMsg::Reestablish).await;
                    });
                }
            }
            for (node, rooms) in heartbeat.dead {
                tracing::info!(%node, rooms = rooms.len(), "a node stopped; recording its members as gone");
                for room in rooms {
                    if let Err(error) = self
                        .send(&room, RoomMsg::NodeLost { node: node.clone() })
                        .await
                    {
                        tracing::warn!(%room, %error, "could not clean up after a lost node");
                    }
                }
                if let Err(error) = self.inner.presence.forget_node(&node).await {
                    tracing::warn!(%node, %error, "could not forget a lost node");
                }
            }
        }
    }
}

/// The record, fan-out and presence engines a hub runs on.
pub struct Engine {
    /// The record.
    pub store: Arc<dyn RecordStore>,
    /// Fan-out to other nodes.
    pub broker: Arc<dyn Broker>,
    /// Presence across nodes.
    pub presence: Arc<dyn Presence>,
}

/// A fresh room id: `r-` and ten lowercase letters and digits.
fn generate_room_id() -> RoomId {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let suffix: String = (0..10)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect();
    RoomId::new(format!("r-{suffix}")).expect("generated ids are valid")
}
