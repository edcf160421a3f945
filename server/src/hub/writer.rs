//! The writing half of one WebSocket connection: the only task that writes to its socket.
//!
//! It waits on two things only: the connection's send queue and its stop signal (a kick, the
//! node's shutdown, or the reading half ending). Every frame delivered to a member wakes this
//! task and nothing else, which keeps a delivery cheap when one event goes to thousands of
//! members; reading the client's frames is the job of [`super::session`].
//!
//! Frames are written in batches of what is already queued and flushed once per batch. A
//! connection kicked while a write is blocked (a client that stopped reading) is dropped at
//! once instead of waiting for the write.

use super::HubError;
use super::frames;
use super::outbound::{ConnHandle, Outbound, Replay, Stop};
use crate::metrics::Metrics;
use crate::store::RecordStore;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use baraza_proto::error::CloseCode;
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Items written before one flush.
const WRITE_BATCH: usize = 64;
/// Events read from the record per page during a replay.
const REPLAY_PAGE: usize = 500;

pub(crate) type Sink = SplitSink<WebSocket, Message>;

/// What the writer needs besides the socket and the queue.
pub(crate) struct Writer {
    pub(crate) conn: ConnHandle,
    pub(crate) store: Arc<dyn RecordStore>,
    pub(crate) metrics: Arc<Metrics>,
}

/// How long a write blocked on the client may still take once the connection was stopped.
const BLOCKED_WRITE_GRACE: Duration = Duration::from_secs(5);

/// What to do after writing a batch.
enum Written {
    Continue,
    /// Send a close frame with this code, then stop.
    Close(CloseCode),
    /// The peer is gone or the connection was stopped: stop without writing more.
    End,
}

impl Writer {
    /// Writes queued items until the connection stops. Ends the connection's stop signal on
    /// the way out, so that the reading half stops too.
    pub(crate) async fn run(self, mut sink: Sink, mut queue: mpsc::Receiver<Outbound>) {
        let stopped = self.conn.stopped();
        tokio::pin!(stopped);
        loop {
            let outcome = tokio::select! {
                biased;
                item = queue.recv() => match item {
                    Some(item) => {
                        let write = self.write_batch(&mut sink, item, &mut queue);
                        tokio::pin!(write);
                        tokio::select! {
                            biased;
                            written = &mut write => written,
                            // Stopped while a write waits on the client: a slow client gets a
                            // little longer to take it (then its close frame); one that does
                            // not read at all is dropped.
                            stop = &mut stopped => {
                                let grace = tokio::time::timeout(BLOCKED_WRITE_GRACE, &mut write);
                                match Box::pin(grace).await {
                                    Ok(Written::End) | Err(_) => Written::End,
                                    Ok(_) => close_for(stop),
                                }
                            }
                        }
                    }
                    None => Written::End,
                },
                stop = &mut stopped => close_for(stop),
            };
            match outcome {
                Written::Continue => {}
                Written::Close(code) => {
                    let frame = CloseFrame {
                        code: code.code(),
                        reason: code.reason().into(),
                    };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    break;
                }
                Written::End => break,
            }
        }
        self.conn.end();
    }

    /// Writes `first` and whatever else is already queued (up to a batch), then flushes once.
    async fn write_batch(
        &self,
        sink: &mut Sink,
        first: Outbound,
        queue: &mut mpsc::Receiver<Outbound>,
    ) -> Written {
        let mut next = Some(first);
        let mut written = 0u64;
        let mut items = 0;
        let outcome = loop {
            let Some(item) = next.take() else {
                break Written::Continue;
            };
            if let Some(code) = self.conn.kick_code() {
                break Written::Close(code);
            }
            match self.write_item(sink, item).await {
                Ok(Some(count)) => written += count,
                Ok(None) => break Written::End,
                Err(code) => break Written::Close(code),
            }
            items += 1;
            if items >= WRITE_BATCH {
                break Written::Continue;
            }
            next = queue.try_recv().ok();
        };
        Metrics::add(&self.metrics.frames_sent, written);
        if sink.flush().await.is_err() {
            return Written::End;
        }
        outcome
    }

    /// Writes one queued item: `Ok(Some(frames))` written, `Ok(None)` when the peer is gone,
    /// `Err(code)` when the connection must now close with `code`.
    async fn write_item(&self, sink: &mut Sink, item: Outbound) -> Result<Option<u64>, CloseCode> {
        match item {
            Outbound::Frame(frame) => Ok(feed(sink, frame).await.then_some(1)),
            Outbound::Batch(frames) => {
                let count = frames.len() as u64;
                for frame in frames {
                    if !feed(sink, frame).await {
                        return Ok(None);
                    }
                }
                Ok(Some(count))
            }
            Outbound::Ping => Ok(sink
                .feed(Message::Ping(Default::default()))
                .await
                .is_ok()
                .then_some(0)),
            Outbound::Close(code) => Err(code),
            Outbound::Replay(replay) => match Box::pin(self.replay(sink, &replay)).await {
                Ok(count) => Ok(Some(count)),
                Err(Some(error)) => {
                    let frame = frames::error(
                        Some(&replay.request),
                        error.code(),
                        error.to_string(),
                        error.retry_after_ms(),
                    );
                    let _ = sink.feed(Message::Text(frame)).await;
                    Err(CloseCode::InternalError)
                }
                Err(None) => Ok(None),
            },
        }
    }

    /// Sends the replay's events from the record, then its `ack`. `Err(None)` when the peer is
    /// gone, `Err(Some(_))` when the record cannot be read.
    async fn replay(&self, sink: &mut Sink, replay: &Replay) -> Result<u64, Option<HubError>> {
        let Replay {
            room,
            after,
            until,
            filter,
            view,
            ack,
            ..
        } = replay;
        let (mut after, until) = (*after, *until);
        let mut written = 0;
        while after < until {
            let limit = REPLAY_PAGE.min((until - after) as usize);
            let events = self
                .store
                .read_after(room, after, limit)
                .await
                .map_err(|e| Some(e.into()))?;
            let Some(last) = events.last() else { break };
            after = last.seq();
            for event in events.iter().filter(|e| e.seq() <= until) {
                if !feed(
                    sink,
                    frames::event(event, filter.frame_for(&event.envelope.body)),
                )
                .await
                {
                    return Err(None);
                }
                written += 1;
            }
            sink.flush().await.map_err(|_| None)?;
        }
        if let Some(view) = view {
            if !feed(sink, view.clone()).await {
                return Err(None);
            }
            written += 1;
        }
        if !feed(sink, ack.clone()).await {
            return Err(None);
        }
        Ok(written + 1)
    }
}

/// What a stopped connection does next. Once a stop is seen the loop ends, so the stop
/// signal is never polled again after it resolved.
fn close_for(stop: Stop) -> Written {
    match stop {
        Stop::Close(code) => Written::Close(code),
        Stop::Ended => Written::End,
    }
}

/// Queues one text frame on the socket; false when the peer is gone.
async fn feed(sink: &mut Sink, frame: Utf8Bytes) -> bool {
    sink.feed(Message::Text(frame)).await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size of the future an async fn of `args` returns, without calling it.
    fn future_size<Args, F: AsyncFnOnce3<Args>>(_: &F) -> usize {
        F::SIZE
    }

    trait AsyncFnOnce3<Args> {
        const SIZE: usize;
    }

    impl<A, B, C, F: FnOnce(A, B, C) -> Fut, Fut> AsyncFnOnce3<(A, B, C)> for F {
        const SIZE: usize = std::mem::size_of::<Fut>();
    }

    impl<A, B, F: FnOnce(A, B) -> Fut, Fut> AsyncFnOnce3<(A, B)> for F {
        const SIZE: usize = std::mem::size_of::<Fut>();
    }

    /// Every idle connection carries both halves' futures: keep them small (the rare paths,
    /// handling a client frame or a replay, are boxed).
    #[test]
    fn the_state_of_an_idle_connection_stays_small() {
        let writer = future_size(&Writer::run);
        let reader = future_size(&crate::hub::session::serve);
        assert!(writer <= 2048, "the writer's future has {writer} bytes");
        assert!(reader <= 2048, "the reader's future has {reader} bytes");
    }
}
