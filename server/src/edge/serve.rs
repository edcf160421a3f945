//! The accept loop: every TCP connection is admitted (or refused) by [`Admission`], then served
//! as HTTP/1.1 by hyper with a header-read timeout and an idle timeout, and handed over intact
//! when it upgrades to a WebSocket.
//!
//! - **Header timeout**: a connection must deliver a request's complete headers within
//!   `header_timeout` of opening, and of the end of the previous response (so it also bounds an
//!   idle keep-alive connection). hyper closes it otherwise.
//! - **Idle timeout**: an HTTP connection on which no byte is read or written for
//!   `idle_timeout` is closed: a request body that stops arriving, a response nobody reads.
//!   A WebSocket has its own heartbeat and authentication deadline instead.
//! - **Reserve**: a connection over a limit is served by the reserve router (health checks
//!   only, `503` for the rest), once, with a short header timeout and no keep-alive.
//! - **Refusal**: beyond the reserve the socket is sent a fixed `503` and closed at once; counted, and logged at most
//!   every 10 s with the number refused since.

use super::admission::{Admission, Admitted, OverLimit, Permit};
use super::throttle::Throttle;
use crate::metrics::Metrics;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_service::Service;

/// The longest a reserve connection may take to send its request's headers.
const RESERVE_HEADER_TIMEOUT: Duration = Duration::from_secs(2);

/// What a connection beyond the limits and the reserve is told before it is closed at accept
/// (written without waiting for its request, so that no task is spent on it).
const REFUSAL: &str = "HTTP/1.1 503 Service Unavailable\r\n\
    content-type: application/json\r\n\
    retry-after: 5\r\n\
    connection: close\r\n\
    content-length: 80\r\n\r\n\
    {\"error\":{\"code\":\"unavailable\",\"message\":\"the node is at its connection limit\"}}";

/// How many quiet checks make a connection idle: it is closed after between `idle_timeout`
/// and 1.25 × `idle_timeout` without a byte moving.
const IDLE_CHECKS: u32 = 4;

/// Timeouts of HTTP connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Time allowed for a request's headers (from opening, or from the previous response).
    pub header: Duration,
    /// Time without a byte read or written after which an HTTP connection is closed.
    pub idle: Duration,
}

/// What the accept loop serves.
pub struct Routers {
    /// Everything, for connections within the limits.
    pub full: Router,
    /// `/healthz` and `/metrics`, `503` for the rest: connections over a limit.
    pub reserve: Router,
}

/// Serves `listener` until `stop` is cancelled, then lets open HTTP connections finish their
/// request (WebSockets are closed by the hub) and returns when they have.
pub async fn serve(
    listener: TcpListener,
    routers: Routers,
    admission: Arc<Admission>,
    timeouts: Timeouts,
    metrics: Arc<Metrics>,
    stop: CancellationToken,
) -> io::Result<()> {
    let mut full = http1::Builder::new();
    full.timer(TokioTimer::new())
        .header_read_timeout(timeouts.header)
        .keep_alive(true);
    let mut reserve = http1::Builder::new();
    reserve
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header.min(RESERVE_HEADER_TIMEOUT))
        .keep_alive(false);
    let full = Arc::new(full);
    let reserve = Arc::new(reserve);
    let connections = TaskTracker::new();
    let over_limit_log = Throttle::every(Duration::from_secs(10));
    let accept_error_log = Throttle::every(Duration::from_secs(10));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stop.cancelled() => break,
        };
        let (tcp, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                Metrics::add(&metrics.accept_errors, 1);
                if let Some(since) = accept_error_log.ready() {
                    tracing::warn!(%error, more_since_last_log = since, "accept error");
                }
                if is_resource_exhaustion(&error) {
                    // Let connections finish and give their descriptors back.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                continue;
            }
        };
        if let Err(error) = tcp.set_nodelay(true) {
            // Frames are written whole and flushed once per batch: Nagle would only delay them.
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let (builder, router, permit) = match admission.admit(peer.ip()) {
            Admitted::Serve(permit) => (full.clone(), routers.full.clone(), permit),
            Admitted::Reserve(permit, over) => {
                Metrics::add(&metrics.connections_limited, 1);
                log_over_limit(&over_limit_log, peer, over, "answering health checks only");
                (reserve.clone(), routers.reserve.clone(), permit)
            }
            Admitted::Refused(over) => {
                Metrics::add(&metrics.connections_refused, 1);
                log_over_limit(&over_limit_log, peer, over, "refused at accept");
                // Best effort, without waiting: a fresh socket's send buffer is empty.
                let _ = tcp.try_write(REFUSAL.as_bytes());
                drop(tcp);
                continue;
            }
        };
        let connection = Connection {
            stop: stop.clone(),
            metrics: metrics.clone(),
            idle: timeouts.idle,
        };
        connections.spawn(connection.run(tcp, peer, permit, builder, router));
    }
    connections.close();
    connections.wait().await;
    Ok(())
}

fn log_over_limit(throttle: &Throttle, peer: SocketAddr, over: OverLimit, outcome: &str) {
    if let Some(since) = throttle.ready() {
        tracing::warn!(
            peer = %peer.ip(),
            more_since_last_log = since,
            "connection over {}: {outcome}",
            over.describe()
        );
    }
}

/// Out of descriptors or memory: waiting a moment lets others close.
fn is_resource_exhaustion(error: &io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(code) if code == rustix::io::Errno::MFILE.raw_os_error()
            || code == rustix::io::Errno::NFILE.raw_os_error()
            || code == rustix::io::Errno::NOBUFS.raw_os_error()
            || code == rustix::io::Errno::NOMEM.raw_os_error()
    )
}

struct Connection {
    stop: CancellationToken,
    metrics: Arc<Metrics>,
    idle: Duration,
}

impl Connection {
    async fn run(
        self,
        tcp: TcpStream,
        peer: SocketAddr,
        permit: Permit,
        builder: Arc<http1::Builder>,
        router: Router,
    ) {
        let progress = Arc::new(AtomicU64::new(0));
        self.metrics.http_connections.inc();
        let io = AdmittedStream {
            _permit: permit,
            metrics: self.metrics.clone(),
            progress: progress.clone(),
            tcp,
        };
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let mut router = router.clone();
            router.call(request.map(Body::new))
        });
        let conn = builder
            .serve_connection(TokioIo::new(io), service)
            .with_upgrades();
        tokio::pin!(conn);
        let mut checks =
            tokio::time::interval((self.idle / IDLE_CHECKS).max(Duration::from_millis(1)));
        checks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        checks.tick().await;
        let mut seen = 0;
        let mut quiet = 0;
        let mut draining = false;
        loop {
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(error) = result {
                        if error.is_timeout() {
                            Metrics::add(&self.metrics.connection_timeouts, 1);
                        }
                        tracing::debug!(%peer, %error, "HTTP connection ended");
                    }
                    return;
                }
                () = self.stop.cancelled(), if !draining => {
                    conn.as_mut().graceful_shutdown();
                    draining = true;
                }
                _ = checks.tick() => {
                    let now = progress.load(Ordering::Relaxed);
                    if now != seen {
                        seen = now;
                        quiet = 0;
                    } else {
                        quiet += 1;
                        if quiet >= IDLE_CHECKS {
                            Metrics::add(&self.metrics.connection_timeouts, 1);
                            tracing::debug!(%peer, "closing an idle HTTP connection");
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// A socket with its admission permit (released before the socket closes, so a client that
/// sees the close can count on the place being free) and a count of the polls that moved bytes.
struct AdmittedStream {
    _permit: Permit,
    metrics: Arc<Metrics>,
    progress: Arc<AtomicU64>,
    tcp: TcpStream,
}

impl Drop for AdmittedStream {
    fn drop(&mut self) {
        self.metrics.http_connections.dec();
    }
}

impl AdmittedStream {
    fn moved(&self, poll: &Poll<io::Result<usize>>) {
        if matches!(poll, Poll::Ready(Ok(n)) if *n > 0) {
            self.progress.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl AsyncRead for AdmittedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.tcp).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.progress.fetch_add(1, Ordering::Relaxed);
        }
        poll
    }
}

impl AsyncWrite for AdmittedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.tcp).poll_write(cx, buf);
        self.moved(&poll);
        poll
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs);
        self.moved(&poll);
        poll
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_a_complete_response_with_the_protocols_error_body() {
        let (head, body) = REFUSAL.split_once("\r\n\r\n").expect("head and body");
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length: "))
            .and_then(|n| n.parse().ok())
            .expect("content-length");
        assert_eq!(length, body.len());
        let error: baraza_proto::api::ApiError = serde_json::from_str(body).expect("error body");
        assert_eq!(
            error.error.code,
            baraza_proto::error::ErrorCode::Unavailable
        );
        assert!(head.contains(&format!(
            "retry-after: {}",
            crate::http::RETRY_AFTER_LIMIT_SECS
        )));
    }
}
