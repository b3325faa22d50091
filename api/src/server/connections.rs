//! How the server takes and lets go of connections, so that no client can
//! hold more than its share of them:
//!
//! - at most [`Limits::connections`] are served at once; past that, new
//!   ones wait in the kernel's listen queue while those already open keep
//!   working (the accept loop waits for a free place);
//! - a request's headers must all arrive within [`Limits::header_timeout`],
//!   counted from when the connection is ready for a request, so half-sent
//!   headers and idle keep-alive connections are closed;
//! - a response the client takes nothing of for [`Limits::stall_timeout`]
//!   ends its connection ([`Stalled`]), which frees what the response held
//!   (a live stream's read-ahead, a page being written); connections buffer
//!   at most [`Limits::reader_bytes`] for writing, and live streams as much
//!   in the kernel too ([`ConnectionSocket::bound_send_buffer`]);
//!   a live stream whose reader reads, but too slowly, is ended by the
//!   stream itself with an end event ([`reader_pace`](super::reader_pace));
//! - on shutdown, the listener closes, idle connections close, live streams
//!   end (see `routes::events_live`), and whatever is still open after
//!   [`Limits::shutdown_grace`] is abandoned.
//!
//! [`Limits::connections`]: super::Limits
//! [`Limits::header_timeout`]: super::Limits
//! [`Limits::stall_timeout`]: super::Limits
//! [`Limits::reader_bytes`]: super::Limits
//! [`Limits::shutdown_grace`]: super::Limits

use super::Limits;
use super::metrics::Metrics;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use prometheus_client::metrics::counter::Counter;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// The smallest write buffer hyper accepts.
const MIN_BUFFER: usize = 8192;

/// Serves `router` on `listener` until `closing` is cancelled, then lets
/// open connections finish for at most `limits.shutdown_grace`.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    limits: Limits,
    metrics: Metrics,
    closing: CancellationToken,
) -> io::Result<()> {
    let places = Arc::new(Semaphore::new(limits.connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.reader_bytes.max(MIN_BUFFER));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.subscriptions.max(1) as u32 * 2)
        .keep_alive_interval(Some(limits.header_timeout))
        .keep_alive_timeout(limits.header_timeout);
    let (full, header_timeouts, stalls) = (
        metrics.limit_counter("connections"),
        metrics.limit_counter("header_timeout"),
        metrics.limit_counter("stall_timeout"),
    );
    loop {
        if places.available_permits() == 0 {
            full.inc();
        }
        let place = tokio::select! {
            p = places.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = closing.cancelled() => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before
                    // it was taken: wait a little rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = closing.cancelled() => break,
        };
        let _ = stream.set_nodelay(true);
        let socket = ConnectionSocket(std::os::fd::AsRawFd::as_raw_fd(&stream));
        let io = TokioIo::new(Stalled::new(stream, limits.stall_timeout, stalls.clone()));
        let service = TowerToHyperService::new(tower::ServiceExt::map_request(
            router.clone(),
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(socket);
                request
            },
        ));
        let connection = builder
            .serve_connection_with_upgrades(io, service)
            .into_owned();
        let watched = graceful.watch(connection);
        let header_timeouts = header_timeouts.clone();
        tokio::spawn(async move {
            if let Err(e) = watched.await
                && e.downcast_ref::<hyper::Error>()
                    .is_some_and(hyper::Error::is_timeout)
            {
                header_timeouts.inc();
            }
            drop(place);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(
                grace_secs = limits.shutdown_grace.as_secs_f64(),
                "connections still open after the shutdown grace period were abandoned"
            );
        }
    }
    Ok(())
}

/// The socket a request came on, for the few routes that tune it.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionSocket(std::os::fd::RawFd);

impl ConnectionSocket {
    /// Bounds the kernel's write buffer of this connection to about `bytes`
    /// (the kernel doubles it for its bookkeeping; it grows to megabytes on
    /// its own). For live streams only: what a reader that stopped pins
    /// stays bounded, and what the stream sends is about what its reader
    /// took, so a slow reader's end event is not queued behind a backlog.
    /// Not for every connection: with a small buffer, each answer larger
    /// than it waits on the client's delayed acknowledgements, window by
    /// window (a 1.8 MiB view took a second on loopback).
    pub fn bound_send_buffer(self, bytes: usize) {
        // SAFETY: the request that carries this value holds its connection,
        // so the descriptor is open for as long as the handler runs.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(self.0) };
        let _ = socket2::SockRef::from(&fd).set_send_buffer_size(bytes.max(MIN_BUFFER));
    }
}

/// A connection whose writes fail once the client has taken nothing for
/// `timeout`: a reader that stopped reading loses its connection instead of
/// pinning what its response holds. A write may wait longer on a client
/// that takes a little (the kernel lets a write in only once a good part of
/// its buffer has drained): where the transport says how much of what was
/// written the client has not acknowledged yet ([`Unacked`]), any of it
/// taken meanwhile counts, so a slow reader keeps its connection and is
/// judged by its pace instead.
pub struct Stalled<S> {
    inner: S,
    timeout: Duration,
    /// Armed while a write waits on the client.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Bytes not yet acknowledged when the deadline was armed.
    unacked: Option<usize>,
    stalls: Counter,
}

/// Bytes written that the peer has not acknowledged yet, where the
/// transport can tell.
pub trait Unacked {
    fn unacked(&self) -> Option<usize> {
        None
    }
}

impl Unacked for tokio::net::TcpStream {
    #[cfg(target_os = "linux")]
    fn unacked(&self) -> Option<usize> {
        use std::os::fd::AsRawFd;
        let mut queued: libc::c_int = 0;
        // SAFETY: SIOCOUTQ (= TIOCOUTQ) writes one int through the pointer,
        // which points at `queued`; the fd is this stream's, open while
        // `self` lives.
        let done = unsafe { libc::ioctl(self.as_raw_fd(), libc::TIOCOUTQ, &mut queued) };
        (done == 0).then_some(queued.max(0) as usize)
    }
}

impl Unacked for tokio::io::DuplexStream {}

impl<S: Unacked> Stalled<S> {
    pub fn new(inner: S, timeout: Duration, stalls: Counter) -> Self {
        Self {
            inner,
            timeout,
            deadline: None,
            unacked: None,
            stalls,
        }
    }

    /// What a write that the client does not take becomes: pending until
    /// the deadline, then an error.
    fn waiting<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let timeout = self.timeout;
        if self.deadline.is_none() {
            self.unacked = self.inner.unacked();
            self.deadline = Some(Box::pin(tokio::time::sleep(timeout)));
        }
        loop {
            let deadline = self.deadline.as_mut().expect("armed above");
            ready!(deadline.as_mut().poll(cx));
            let now = self.inner.unacked();
            match (self.unacked, now) {
                (Some(before), Some(now)) if now < before => {
                    self.unacked = Some(now);
                    deadline
                        .as_mut()
                        .reset(tokio::time::Instant::now() + timeout);
                }
                _ => break,
            }
        }
        self.deadline = None;
        self.stalls.inc();
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "the client took nothing for {} s",
                self.timeout.as_secs_f64()
            ),
        )))
    }

    fn outcome<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match polled {
            Poll::Pending => self.waiting(cx),
            ready => {
                self.deadline = None;
                ready
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Stalled<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unacked + Unpin> AsyncWrite for Stalled<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.outcome(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.outcome(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.outcome(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn a_write_the_peer_never_takes_fails_after_the_timeout() {
        // A pipe whose other end never reads: writes block once it is full.
        let (near, _far) = tokio::io::duplex(64);
        let stalls = Counter::default();
        let mut w = Stalled::new(near, Duration::from_millis(200), stalls.clone());
        let e = w.write_all(&[0u8; 1024]).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        assert_eq!(stalls.get(), 1);
    }

    #[tokio::test]
    async fn a_peer_that_reads_keeps_its_connection() {
        let (near, mut far) = tokio::io::duplex(64);
        let mut w = Stalled::new(near, Duration::from_secs(5), Counter::default());
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut far, &mut got)
                .await
                .unwrap();
            got.len()
        });
        w.write_all(&[0u8; 4096]).await.unwrap();
        w.shutdown().await.unwrap();
        drop(w);
        assert_eq!(reader.await.unwrap(), 4096);
    }
}
