//! The connections of `duban serve`: accepted, timed and counted here, so that clients who
//! open connections and send nothing, or half a request, cannot take the server from others.
//!
//! - A request's head must arrive whole within [`HEAD_TIMEOUT`] of the connection opening or
//!   of its previous answer: this closes idle keep-alive connections and slow headers alike.
//! - A request's body may pause at most [`BODY_PAUSE`] between bytes, and must be whole within
//!   [`BODY_WHOLE`].
//! - An answer's writing may stall at most [`WRITE_PAUSE`]: a client that stops reading (a
//!   download left half-read) is let go, with the file and memory its connection held.
//! - At most [`Limits::cap`] connections are open, fewer than the process may open files.
//!   Every connection is accepted; one beyond the cap closes the connection idle the longest
//!   (open, or between requests, or still sending a head), and only when every open connection
//!   is in the middle of a request is the new one refused at once with a 503.
//! - On SIGINT or SIGTERM the listener closes, idle connections close, requests under way have
//!   [`GRACE`] to finish, and then whatever is left is dropped.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::time::{Instant, Sleep};

/// How long a connection may take to send a whole request head, counted from its opening or
/// from its previous answer.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a request's body may pause between bytes.
pub const BODY_PAUSE: Duration = Duration::from_secs(30);
/// How long a request's body may take in all (64 MiB at 80 KB/s).
pub const BODY_WHOLE: Duration = Duration::from_secs(15 * 60);
/// How long writing an answer may make no progress (the client reads nothing) before the
/// connection is closed.
pub const WRITE_PAUSE: Duration = Duration::from_secs(60);
/// How long requests under way may take to finish once the server is told to stop.
pub const GRACE: Duration = Duration::from_secs(10);

/// Files kept back from connections: stores (a database, its journal and shared memory, per
/// open store), uploads, downloads, the runtime's own.
const RESERVED_FILES: usize = 96;

/// How many connections may be open at once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections at most.
    pub cap: usize,
}

impl Limits {
    /// A cap under the process's limit on open files: a quarter of it (at least
    /// [`RESERVED_FILES`]) kept for everything else.
    pub fn from_file_limit() -> Limits {
        let files = open_file_limit().unwrap_or(1024);
        let reserved = (files / 4).max(RESERVED_FILES);
        Limits {
            cap: files.saturating_sub(reserved).max(8),
        }
    }
}

/// The soft limit on this process's open files, where the system says it
/// (`/proc/self/limits`).
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line
        .trim_start_matches("Max open files")
        .split_whitespace()
        .next()?;
    match soft {
        "unlimited" => Some(usize::MAX / 2),
        n => n.parse().ok(),
    }
}

/// One open connection, as the accept loop sees it.
struct Slot {
    /// Requests under way on it (their answers included, until sent).
    busy: AtomicUsize,
    /// When it last became idle: opened, or an answer sent.
    idle_since: Mutex<Instant>,
    /// Told when it is to close at once.
    close: Notify,
}

/// The open connections.
#[derive(Default)]
struct Open {
    slots: Mutex<HashMap<u64, Arc<Slot>>>,
    next: AtomicU64,
}

impl Open {
    fn add(&self) -> (u64, Arc<Slot>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            busy: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
            close: Notify::new(),
        });
        self.lock().insert(id, slot.clone());
        (id, slot)
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Slot>>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Closes the connection idle the longest: whether there was one.
    fn close_oldest_idle(&self) -> bool {
        let mut slots = self.lock();
        let oldest = slots
            .iter()
            .filter(|(_, s)| s.busy.load(Ordering::Acquire) == 0)
            .min_by_key(|(_, s)| *s.idle_since.lock().unwrap_or_else(|e| e.into_inner()))
            .map(|(id, _)| *id);
        match oldest.and_then(|id| slots.remove(&id)) {
            Some(slot) => {
                slot.close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// A request under way on a connection, until its answer is sent or dropped.
struct Busy(Arc<Slot>);

impl Busy {
    fn new(slot: Arc<Slot>) -> Busy {
        slot.busy.fetch_add(1, Ordering::AcqRel);
        Busy(slot)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        *self.0.idle_since.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Why a request's body stopped.
#[derive(Debug, thiserror::Error)]
enum BodyError {
    #[error("the request's body paused longer than {0:?}")]
    Paused(Duration),
    #[error("the request's body took longer than {0:?}")]
    TooSlow(Duration),
    #[error(transparent)]
    Read(#[from] hyper::Error),
}

/// A request's body, failing when it pauses or lasts too long.
struct Timed {
    inner: Incoming,
    pause: Pin<Box<Sleep>>,
    whole: Pin<Box<Sleep>>,
}

impl Timed {
    fn new(inner: Incoming) -> Timed {
        Timed {
            inner,
            pause: Box::pin(tokio::time::sleep(BODY_PAUSE)),
            whole: Box::pin(tokio::time::sleep(BODY_WHOLE)),
        }
    }
}

impl hyper::body::Body for Timed {
    type Data = axum::body::Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        // What has arrived is taken first: a handler that waited its turn is not the client's
        // delay.
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            let deadline = Instant::now() + BODY_PAUSE;
            self.pause.as_mut().reset(deadline);
            return Poll::Ready(frame.map(|f| f.map_err(BodyError::from)));
        }
        if self.whole.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(BodyError::TooSlow(BODY_WHOLE))));
        }
        if self.pause.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(BodyError::Paused(BODY_PAUSE))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// An answer's body, its connection busy until it is sent or dropped.
struct Answer {
    inner: axum::body::Body,
    _busy: Busy,
}

impl hyper::body::Body for Answer {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// What a connection refused for want of room is told, before it is closed.
const BUSY_ANSWER: &[u8] = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: 37\r\n\r\n服务器繁忙，请稍后再试。\n"
    .as_bytes();

/// Serves `router` on `listener` until `stop` resolves, then winds down within [`GRACE`].
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl std::future::Future<Output = ()>,
) {
    let open = Arc::new(Open::default());
    let app = TowerToHyperService::new(router);
    let (stopping, stopped) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    if open.len() >= limits.cap && !open.close_oldest_idle() {
                        // Not a byte more is waited for: the kernel keeps what it cannot send.
                        let _ = stream.try_write(BUSY_ANSWER);
                        continue;
                    }
                    let (id, slot) = open.add();
                    let open = open.clone();
                    let app = app.clone();
                    let stopped = stopped.clone();
                    tasks.spawn(async move {
                        connection(stream, peer, app, slot.clone(), stopped).await;
                        open.remove(id);
                    });
                }
                Err(e) if per_connection(&e) => {}
                Err(e) => {
                    // Out of files (or memory): room is made, and the kernel given a moment.
                    tracing::warn!("cannot accept a connection: {e}");
                    open.close_oldest_idle();
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
        }
    }
    drop(listener);
    let _ = stopping.send(true);
    let finished =
        tokio::time::timeout(GRACE, async { while tasks.join_next().await.is_some() {} }).await;
    if finished.is_err() {
        tracing::warn!(
            "{} connections still open {GRACE:?} after the signal; closed",
            tasks.len()
        );
        tasks.shutdown().await;
    }
}

/// Whether an accept failed for that one connection only.
fn per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock
    )
}

/// Serves one connection until it closes, is closed to make room, or the server stops.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: TowerToHyperService<Router>,
    slot: Arc<Slot>,
    mut stopped: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    // A first byte within the head's time, or the connection is closed: hyper's head timer is
    // not armed reliably for a connection that has sent nothing at all (seen: one idle for two
    // minutes), and such a connection holds a file while it waits.
    let mut first = [0u8; 1];
    tokio::select! {
        read = tokio::time::timeout(HEAD_TIMEOUT, stream.peek(&mut first)) => match read {
            Ok(Ok(n)) if n > 0 => {}
            _ => return,
        },
        () = slot.close.notified() => return,
        _ = stopped.wait_for(|s| *s) => return,
    }
    let busy_slot = slot.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let busy = Busy::new(busy_slot.clone());
        let mut request = request.map(|body| axum::body::Body::new(Timed::new(body)));
        request.extensions_mut().insert(ConnectInfo(peer));
        let answer = hyper::service::Service::call(&app, request);
        async move {
            let answer = answer.await?;
            Ok::<_, std::convert::Infallible>(answer.map(|inner| Answer { inner, _busy: busy }))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(Stalls::new(stream, WRITE_PAUSE)), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        () = slot.close.notified() => return,
        _ = stopped.wait_for(|s| *s) => {}
    }
    // Stopping: an idle connection closes now; a request under way is answered, then its
    // connection closes (the caller drops what is left after the grace).
    if slot.busy.load(Ordering::Acquire) == 0 {
        return;
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// A connection whose writes may make no progress for at most `pause`: past it, a write fails
/// as timed out and hyper closes the connection.
struct Stalls {
    inner: TcpStream,
    pause: Duration,
    /// Armed while a write waits for the client to read.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Stalls {
    fn new(inner: TcpStream, pause: Duration) -> Stalls {
        Stalls {
            inner,
            pause,
            stalled: None,
        }
    }

    /// What a write that made progress (`Ready`) or none (`Pending`) comes to: progress disarms
    /// the timer; no progress arms it, and fails the write once it runs out.
    fn progress<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<std::io::Result<T>>,
    ) -> Poll<std::io::Result<T>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let pause = self.pause;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(pause)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client read nothing of the answer for too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl tokio::io::AsyncRead for Stalls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Stalls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.progress(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.progress(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.progress(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_files_for_the_rest() {
        let limits = Limits::from_file_limit();
        let files = open_file_limit().unwrap_or(1024);
        assert!(limits.cap < files, "{} of {files}", limits.cap);
        assert!(limits.cap >= 8);
    }

    /// A client that reads nothing: the server's writes stall, and after the pause they fail
    /// (where without it they would wait for ever); a client that reads is never cut off.
    #[test]
    fn a_write_the_client_never_reads_fails_after_the_pause() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let client = TcpStream::connect(address).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let mut server = Stalls::new(server, Duration::from_millis(300));
            let chunk = vec![b'x'; 1 << 20];
            let mut written = 0usize;
            let error = loop {
                match server.write(&chunk).await {
                    Ok(n) => written += n,
                    Err(e) => break e,
                }
                assert!(written < 1 << 30, "the kernel took a gigabyte unread");
            };
            assert_eq!(error.kind(), std::io::ErrorKind::TimedOut);
            drop(client);

            // Read as it is written: every byte arrives.
            let client = TcpStream::connect(address).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let mut server = Stalls::new(server, Duration::from_millis(300));
            let reader = tokio::spawn(async move {
                let mut client = client;
                let mut all = Vec::new();
                client.read_to_end(&mut all).await.map(|_| all.len())
            });
            for _ in 0..32 {
                server.write_all(&chunk).await.unwrap();
            }
            server.shutdown().await.unwrap();
            drop(server);
            assert_eq!(reader.await.unwrap().unwrap(), 32 << 20);
        });
    }

    #[test]
    fn the_busy_answer_says_its_length() {
        let text = std::str::from_utf8(BUSY_ANSWER).unwrap();
        let (_, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(text.contains(&format!("Content-Length: {}\r\n", body.len())));
    }
}
