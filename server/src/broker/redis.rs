//! The Redis broker: one pub/sub connection per node, a channel per room.
//!
//! The record's append script publishes every event itself (see `store/redis.rs`), so
//! [`Broker::publish`] has nothing to do here. A background task owns the subscriber
//! connection: it subscribes to a room's channel when the hub asks, forwards messages to the
//! hub, pings Redis every second to notice a silently dead connection, and when the connection
//! is lost it reconnects with backoff, subscribes to every wanted room again and sends
//! [`Delivery::Resync`], after which every room repairs what it missed from the record.
//!
//! On a Redis Cluster the subscriber is [`super::redis_cluster`]'s instead (sharded pub/sub).

use super::redis_cluster::ClusterSubscriber;
use super::{Broker, BrokerError, Delivery, DeliverySink};
use crate::record::RecordedEvent;
use crate::redis_keys;
use crate::redis_target::RedisTarget;
use crate::store::redis::parse_hash;
use async_trait::async_trait;
use baraza_proto::ids::RoomId;
use futures_util::StreamExt;
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

const PING_EVERY: Duration = Duration::from_secs(1);
const PING_TIMEOUT: Duration = Duration::from_secs(2);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

pub(super) enum Request {
    Subscribe(RoomId, oneshot::Sender<Result<(), BrokerError>>),
    Unsubscribe(RoomId, oneshot::Sender<Result<(), BrokerError>>),
}

/// One node's subscriber connection to Redis.
pub struct RedisBroker {
    requests: mpsc::UnboundedSender<Request>,
}

impl RedisBroker {
    /// Starts the subscriber task for `url`, delivering into `sink` until `stop` is cancelled.
    pub fn start(
        url: &str,
        sink: DeliverySink,
        stop: CancellationToken,
    ) -> Result<RedisBroker, BrokerError> {
        let target =
            RedisTarget::parse(url).map_err(|e| BrokerError::Unavailable(e.to_string()))?;
        let (requests, receiver) = mpsc::unbounded_channel();
        let url = match target {
            RedisTarget::Single(url) => url,
            RedisTarget::Cluster(nodes) => {
                tokio::spawn(ClusterSubscriber::new(nodes, sink, stop).run(receiver));
                return Ok(RedisBroker { requests });
            }
        };
        let client =
            redis::Client::open(url).map_err(|e| BrokerError::Unavailable(e.to_string()))?;
        tokio::spawn(
            Subscriber {
                client,
                sink,
                wanted: HashSet::new(),
                stop,
            }
            .run(receiver),
        );
        Ok(RedisBroker { requests })
    }
}

#[async_trait]
impl Broker for RedisBroker {
    async fn subscribe(&self, room: &RoomId) -> Result<(), BrokerError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request::Subscribe(room.clone(), reply))
            .map_err(|_| BrokerError::Unavailable("the subscriber has stopped".into()))?;
        answer
            .await
            .map_err(|_| BrokerError::Unavailable("the subscriber has stopped".into()))?
    }

    async fn unsubscribe(&self, room: &RoomId) -> Result<(), BrokerError> {
        let (reply, answer) = oneshot::channel();
        if self
            .requests
            .send(Request::Unsubscribe(room.clone(), reply))
            .is_err()
        {
            return Ok(()); // The subscriber has stopped: nothing is delivered any more.
        }
        answer.await.unwrap_or(Ok(()))
    }

    async fn publish(&self, _event: &RecordedEvent) -> Result<(), BrokerError> {
        // The append script already published it, atomically with the append.
        Ok(())
    }
}

struct Subscriber {
    client: redis::Client,
    sink: DeliverySink,
    /// Rooms this node wants, kept across reconnections.
    wanted: HashSet<RoomId>,
    stop: CancellationToken,
}

impl Subscriber {
    async fn run(mut self, mut requests: mpsc::UnboundedReceiver<Request>) {
        let mut backoff = Duration::from_millis(50);
        let mut first = true;
        loop {
            if self.stop.is_cancelled() {
                return;
            }
            match self.serve(&mut requests, first).await {
                Ok(Ended::Stopped) => return,
                Ok(Ended::Lost) => backoff = Duration::from_millis(50),
                Err(error) => {
                    tracing::warn!(%error, "redis subscriber connection failed; retrying");
                    // Requests that arrive while Redis is down are answered (and remembered).
                    let deadline = tokio::time::sleep(backoff);
                    tokio::pin!(deadline);
                    loop {
                        tokio::select! {
                            () = &mut deadline => break,
                            () = self.stop.cancelled() => return,
                            request = requests.recv() => match request {
                                None => return,
                                Some(request) => self.remember(request, Err(BrokerError::Unavailable(error.to_string()))),
                            },
                        }
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
            first = false;
        }
    }

    /// Notes a request while no connection is up.
    fn remember(&mut self, request: Request, answer: Result<(), BrokerError>) {
        match request {
            Request::Subscribe(room, reply) => {
                self.wanted.insert(room);
                let _ = reply.send(answer);
            }
            Request::Unsubscribe(room, reply) => {
                // Nothing is subscribed while disconnected; forgetting the room is enough.
                self.wanted.remove(&room);
                let _ = reply.send(Ok(()));
            }
        }
    }

    /// Serves one connection until it is lost.
    async fn serve(
        &mut self,
        requests: &mut mpsc::UnboundedReceiver<Request>,
        first: bool,
    ) -> Result<Ended, redis::RedisError> {
        let pubsub = self.client.get_async_pubsub().await?;
        let (mut sink, mut stream) = pubsub.split();
        for room in &self.wanted {
            sink.subscribe(redis_keys::channel(room)).await?;
        }
        if !first {
            tracing::info!("redis subscriber reconnected; rooms repair from the record");
            let _ = self.sink.send(Delivery::Resync);
        }
        let mut ping = tokio::time::interval(PING_EVERY);
        loop {
            tokio::select! {
                () = self.stop.cancelled() => return Ok(Ended::Stopped),
                message = stream.next() => {
                    let Some(message) = message else { return Ok(Ended::Lost) };
                    if let Some(event) = decode(message.get_channel_name(), message.get_payload_bytes()) {
                        let _ = self.sink.send(Delivery::Event(Box::new(event)));
                    }
                }
                request = requests.recv() => match request {
                    None => return Ok(Ended::Stopped),
                    Some(Request::Subscribe(room, reply)) => {
                        let result = sink.subscribe(redis_keys::channel(&room)).await;
                        self.wanted.insert(room);
                        let failed = result.is_err();
                        let _ = reply.send(result.map_err(|e| BrokerError::Unavailable(e.to_string())));
                        if failed {
                            return Ok(Ended::Lost);
                        }
                    }
                    Some(Request::Unsubscribe(room, reply)) => {
                        self.wanted.remove(&room);
                        let result = sink.unsubscribe(redis_keys::channel(&room)).await;
                        let _ = reply.send(Ok(()));
                        result?;
                    }
                },
                _ = ping.tick() => {
                    match tokio::time::timeout(PING_TIMEOUT, sink.ping::<redis::Value>()).await {
                        Ok(Ok(_)) => {}
                        _ => {
                            tracing::warn!("redis subscriber did not answer a ping; reconnecting");
                            return Ok(Ended::Lost);
                        }
                    }
                }
            }
        }
    }
}

enum Ended {
    Stopped,
    Lost,
}

/// Decodes `"<prev hex> <hash hex> <canonical JSON>"` published on a room channel, followed,
/// for an event with a committed text, by a newline and its texts (JSON).
pub(super) fn decode(channel: &str, payload: &[u8]) -> Option<RecordedEvent> {
    let room = redis_keys::room_of_channel(channel)?;
    let text = std::str::from_utf8(payload).ok()?;
    let (text, texts) = match text.split_once('\n') {
        Some((event, texts)) => (event, crate::store::redis::parse_texts(texts)?),
        None => (text, Vec::new()),
    };
    let mut parts = text.splitn(3, ' ');
    let (prev, hash, canonical) = (parts.next()?, parts.next()?, parts.next()?);
    let event = RecordedEvent::from_stored(
        canonical.to_owned(),
        parse_hash(prev).ok()?,
        parse_hash(hash).ok()?,
    )
    .ok()?
    .with_openings(texts);
    (event.envelope.room == room).then_some(event)
}
