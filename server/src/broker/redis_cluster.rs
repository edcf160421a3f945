//! Fan-out on a Redis Cluster: sharded pub/sub (`SSUBSCRIBE`), one cluster connection per
//! node.
//!
//! Why sharded and not classic `PUBLISH` (which Redis 7 also broadcasts cluster-wide): the
//! record's append script publishes with `SPUBLISH` on the room's channel, which shares the
//! room's hash tag, so the event leaves from the very master that appended it, straight to
//! the subscribers connected to that master. With classic pub/sub a node subscribed on master
//! A receives B's events over the cluster bus: when B restarts, A's subscriber sees nothing
//! happen, and whatever B publishes before its bus links are back is lost without anyone
//! noticing. With sharded pub/sub the subscriber's own connection to B breaks; the cluster
//! client follows the slot map (restarted master or promoted replica), subscribes again where
//! the slot now lives, and this task then hands the hub a [`Delivery::Resync`], so every room
//! repairs from the record what it may have missed. Rooms on the other masters are not
//! disturbed.
//!
//! The task also pings every master each second: that is what makes the client notice a dead
//! master and reconnect to it (or to its successor) even when no command is sent its way, and a
//! subscription that could not be made (its slot's master was down) is retried each second.

use super::redis::{Request, decode};
use super::{BrokerError, Delivery, DeliverySink};
use crate::redis_keys;
use crate::redis_link::{RESPONSE_TIMEOUT, cluster_client};
use baraza_proto::ids::RoomId;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{MultipleNodeRoutingInfo, ResponsePolicy, RoutingInfo};
use redis::{PushInfo, PushKind, RedisResult, Value};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const TICK: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The subscriber task of one node on a cluster.
pub(super) struct ClusterSubscriber {
    nodes: Vec<String>,
    sink: DeliverySink,
    /// Rooms this node wants, kept across reconnections.
    wanted: HashSet<RoomId>,
    /// Wanted rooms whose subscription has not been confirmed (retried every tick).
    pending: HashSet<RoomId>,
    /// Channels whose confirmation answers our own `SSUBSCRIBE` (no repair needed).
    expecting: HashSet<String>,
    stop: CancellationToken,
}

enum Ended {
    Stopped,
    Lost,
}

impl ClusterSubscriber {
    pub(super) fn new(
        nodes: Vec<String>,
        sink: DeliverySink,
        stop: CancellationToken,
    ) -> ClusterSubscriber {
        ClusterSubscriber {
            nodes,
            sink,
            wanted: HashSet::new(),
            pending: HashSet::new(),
            expecting: HashSet::new(),
            stop,
        }
    }

    pub(super) async fn run(mut self, mut requests: mpsc::UnboundedReceiver<Request>) {
        let mut backoff = Duration::from_millis(50);
        let mut first = true;
        loop {
            if self.stop.is_cancelled() {
                return;
            }
            match self.connect().await {
                Ok((connection, pushes)) => {
                    backoff = Duration::from_millis(50);
                    match self.serve(connection, pushes, &mut requests, first).await {
                        Ended::Stopped => return,
                        Ended::Lost => {}
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "redis cluster subscriber could not connect; retrying");
                    let deadline = tokio::time::sleep(backoff);
                    tokio::pin!(deadline);
                    loop {
                        tokio::select! {
                            () = &mut deadline => break,
                            () = self.stop.cancelled() => return,
                            request = requests.recv() => match request {
                                None => return,
                                Some(request) => self.remember(request, &error.to_string()),
                            },
                        }
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
            first = false;
        }
    }

    async fn connect(&self) -> RedisResult<(ClusterConnection, mpsc::UnboundedReceiver<PushInfo>)> {
        let (pushes, received) = mpsc::unbounded_channel();
        let client = cluster_client(self.nodes.clone())
            .use_protocol(redis::ProtocolVersion::RESP3)
            .push_sender(pushes)
            .build()?;
        let connection = tokio::time::timeout(RESPONSE_TIMEOUT, client.get_async_connection())
            .await
            .map_err(|_| io_error("the cluster did not answer in time"))??;
        Ok((connection, received))
    }

    /// Notes a request while no connection is up.
    fn remember(&mut self, request: Request, error: &str) {
        match request {
            Request::Subscribe(room, reply) => {
                self.wanted.insert(room);
                let _ = reply.send(Err(BrokerError::Unavailable(error.to_owned())));
            }
            Request::Unsubscribe(room, reply) => {
                self.wanted.remove(&room);
                let _ = reply.send(Ok(()));
            }
        }
    }

    async fn serve(
        &mut self,
        mut connection: ClusterConnection,
        mut pushes: mpsc::UnboundedReceiver<PushInfo>,
        requests: &mut mpsc::UnboundedReceiver<Request>,
        first: bool,
    ) -> Ended {
        self.pending = self.wanted.clone();
        self.retry_pending(&mut connection).await;
        if !first {
            tracing::info!("redis cluster subscriber reconnected; rooms repair from the record");
            let _ = self.sink.send(Delivery::Resync);
        }
        let mut tick = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                () = self.stop.cancelled() => return Ended::Stopped,
                push = pushes.recv() => {
                    let Some(push) = push else { return Ended::Lost };
                    let mut resync = self.on_push(push);
                    // A failover resubscribes many rooms at once: one repair for the burst.
                    while let Ok(push) = pushes.try_recv() {
                        resync |= self.on_push(push);
                    }
                    if resync {
                        tracing::info!("redis cluster subscriptions moved or came back; rooms repair from the record");
                        let _ = self.sink.send(Delivery::Resync);
                    }
                }
                request = requests.recv() => match request {
                    None => return Ended::Stopped,
                    Some(Request::Subscribe(room, reply)) => {
                        let result = self.subscribe(&mut connection, &room).await;
                        self.wanted.insert(room.clone());
                        if result.is_err() {
                            self.pending.insert(room);
                        }
                        let _ = reply.send(result);
                    }
                    Some(Request::Unsubscribe(room, reply)) => {
                        self.wanted.remove(&room);
                        self.pending.remove(&room);
                        let channel = redis_keys::channel(&room);
                        let _ = tokio::time::timeout(RESPONSE_TIMEOUT, connection.sunsubscribe(&channel)).await;
                        let _ = reply.send(Ok(()));
                    }
                },
                _ = tick.tick() => {
                    // Drives the client to notice dead masters and follow the slot map.
                    let ping = connection.route_command(
                        redis::cmd("PING"),
                        RoutingInfo::MultiNode((
                            MultipleNodeRoutingInfo::AllMasters,
                            Some(ResponsePolicy::AllSucceeded),
                        )),
                    );
                    if let Ok(Err(error)) | Err(error) = tokio::time::timeout(RESPONSE_TIMEOUT, ping)
                        .await
                        .map_err(|_| io_error("a master did not answer a ping"))
                    {
                        tracing::debug!(%error, "redis cluster ping failed");
                    }
                    if !self.pending.is_empty() && self.retry_pending(&mut connection).await {
                        let _ = self.sink.send(Delivery::Resync);
                    }
                }
            }
        }
    }

    /// Subscribes to `room`'s sharded channel, on the master owning its slot.
    async fn subscribe(
        &mut self,
        connection: &mut ClusterConnection,
        room: &RoomId,
    ) -> Result<(), BrokerError> {
        let channel = redis_keys::channel(room);
        self.expecting.insert(channel.clone());
        let result =
            match tokio::time::timeout(RESPONSE_TIMEOUT, connection.ssubscribe(&channel)).await {
                Ok(result) => result.map_err(|e| BrokerError::Unavailable(e.to_string())),
                Err(_) => Err(BrokerError::Unavailable(
                    "the cluster did not confirm the subscription in time".into(),
                )),
            };
        if result.is_err() {
            self.expecting.remove(&channel);
        }
        result
    }

    /// Tries every pending subscription once; true if one was made (its room may have missed
    /// events meanwhile).
    async fn retry_pending(&mut self, connection: &mut ClusterConnection) -> bool {
        let mut made = false;
        for room in std::mem::take(&mut self.pending) {
            if self.subscribe(connection, &room).await.is_ok() {
                made = true;
            } else {
                self.pending.insert(room);
            }
        }
        made
    }

    /// Handles one push; true if the rooms must repair from the record.
    fn on_push(&mut self, push: PushInfo) -> bool {
        match push.kind {
            PushKind::SMessage => {
                if let [channel, payload, ..] = push.data.as_slice()
                    && let (Some(channel), Some(payload)) = (text(channel), bytes(payload))
                    && let Some(event) = decode(&channel, payload)
                {
                    let _ = self.sink.send(Delivery::Event(Box::new(event)));
                }
                false
            }
            PushKind::SSubscribe => {
                // Our own subscription, or the client subscribing again after a reconnection
                // or a slot move: then events may have been missed.
                let channel = push.data.first().and_then(text);
                !channel.is_some_and(|channel| self.expecting.remove(&channel))
            }
            PushKind::SUnsubscribe => {
                // The slot moved away (failover, resharding): the client subscribes again at
                // the new owner; until then, note it.
                tracing::info!("a sharded subscription was moved by the cluster");
                false
            }
            PushKind::Disconnection => {
                tracing::warn!("a redis cluster connection was lost; waiting to subscribe again");
                false
            }
            _ => false,
        }
    }
}

fn text(value: &Value) -> Option<String> {
    bytes(value).and_then(|b| String::from_utf8(b.to_vec()).ok())
}

fn bytes(value: &Value) -> Option<&[u8]> {
    match value {
        Value::BulkString(bytes) => Some(bytes),
        Value::SimpleString(text) => Some(text.as_bytes()),
        _ => None,
    }
}

fn io_error(message: &'static str) -> redis::RedisError {
    redis::RedisError::from(std::io::Error::new(std::io::ErrorKind::TimedOut, message))
}
