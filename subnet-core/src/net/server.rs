//! The miner's endpoint (Bittensor's "axon"): a gRPC service at
//! [`QUERY_PATH`] (and [`QUERY_STREAM_PATH`], the same answer in chunks) whose request
//! message is the task envelope and whose response message is the answer, both as
//! opaque bytes, served over TLS 1.3 ([`super::tls`]).
//!
//! Who is calling is settled once per connection: the caller's certificate proves its
//! hotkey in the TLS handshake, and each request then only names the subnet and the
//! protocol version it speaks (`subnet-netuid`, `subnet-version` metadata). A miner
//! may also accept callers that cannot hold a session (no client certificate, or no
//! TLS at all) if each request carries a signed header ([`super::auth`]) in
//! `subnet-auth-bin` ([`ServerConfig::signed_requests`], off by default); otherwise
//! they are refused with `tls_required` or `client_certificate_required`.
//!
//! Every request goes through, in order and before the handler runs: who the caller
//! is (the session's hotkey, or the signed header's claims); subnet and version; the
//! blacklist ([`AccessPolicy`] over the [`CallerDirectory`]); for a signed request,
//! the body hash, the signature and replay protection; the caller's rate limit; a
//! slot in the stake-priority gate. A handler's panic or overrun becomes an error
//! status and the server keeps serving. Refusals are typed statuses
//! ([`super::reject`]).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::FutureExt;
use tokio_rustls::TlsAcceptor;
use tokio_stream::StreamExt;
use tonic::{Request, Status};

use super::access::{AccessPolicy, CallerDirectory, RateLimiter};
use super::auth::{now_nanos, AuthError, ReplayGuard, SignedHeader, Verifier};
use super::connection::{serve as serve_connection, Http2Limits};
use super::framing::{read_message, ReadError};
use super::gate::PriorityGate;
use super::listener::{incoming, ConnInfo, HandshakeLimits};
use super::reject::Rejection;
use super::tls::config::server_config;
use super::tls::TlsIdentity;
use crate::chain::AccountId;
use crate::spec::{ChunkSink, HandleError, MinerSpec, RequestContext};

/// The unary method: task envelope in, answer out.
pub const QUERY_PATH: &str = "/subnet.v1.Miner/Query";
/// The server-streaming method: task envelope in, answer chunks out.
pub const QUERY_STREAM_PATH: &str = "/subnet.v1.Miner/QueryStream";
/// The binary metadata key of the signed header (per-request signed mode).
pub const AUTH_METADATA: &str = "subnet-auth-bin";
/// The metadata key naming the subnet a session request is for.
pub const NETUID_METADATA: &str = "subnet-netuid";
/// The metadata key naming the protocol version a session request speaks.
pub const VERSION_METADATA: &str = "subnet-version";
/// The metadata key carrying the fingerprint of the protocol description the caller
/// was built from (`Protocol::fingerprint`); optional.
pub const PROTOCOL_METADATA: &str = "subnet-protocol";

/// How a miner's server behaves; the defaults suit a public miner.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The subnet the server answers for; requests signed for another netuid are refused.
    pub netuid: u16,
    /// The subnet's protocol version; requests for another are refused.
    pub version: u64,
    /// The fingerprint of the protocol description this miner was built from: a
    /// request naming another (`subnet-protocol`) is refused with `protocol_mismatch`,
    /// so a stale build (a Python miner's old protocol module) is told at once rather
    /// than answering a protocol it does not speak. `None`, or a request without the
    /// key, is not checked.
    pub protocol: Option<String>,
    /// Signed requests: nonces (signing times) further than this from the local clock
    /// are refused.
    pub clock_window: Duration,
    /// Signed requests: how far behind a caller's newest nonce a request may arrive
    /// (reordering).
    pub reorder_window: Duration,
    /// Largest request or answer message.
    pub max_message_bytes: usize,
    /// The longest a handler may run (shortened by the caller's own deadline).
    pub handler_timeout: Duration,
    /// Handlers running at once; beyond, requests wait by stake.
    pub max_concurrent: usize,
    /// Requests waiting for a slot; beyond, the lowest stake is refused.
    pub max_waiting: usize,
    /// Per-caller requests per second and burst; `None` for no limit.
    pub rate_limit: Option<(f64, u32)>,
    /// Who may call: registration, permit, minimum stake, allow and deny lists.
    pub policy: AccessPolicy,
    /// Also serve callers without a TLS session (no client certificate, or plaintext)
    /// when each request carries a signed header. Off: such callers are refused.
    pub signed_requests: bool,
    /// A connection is closed (gracefully, running requests finish) after this long,
    /// and the caller reconnects with a fresh handshake: a session never outlives the
    /// certificate checks it began with by more than this.
    pub session_lifetime: Duration,
    /// The longest a client may take to complete the TLS handshake.
    pub handshake_timeout: Duration,
    /// TLS handshakes running at once.
    pub max_handshakes: usize,
}

impl ServerConfig {
    /// The defaults for a miner on `netuid` speaking `version`: 4 MiB messages, 12 s
    /// handler timeout, 64 running, 1024 waiting, 50 requests/s per caller, sessions
    /// only (no signed requests), an hour per session, 10 s and 256 at once for
    /// handshakes; for signed requests, a 30 s clock window.
    pub fn new(netuid: u16, version: u64) -> Self {
        Self {
            netuid,
            version,
            protocol: None,
            clock_window: Duration::from_secs(30),
            reorder_window: Duration::from_secs(4),
            max_message_bytes: 4 << 20,
            handler_timeout: Duration::from_secs(12),
            max_concurrent: 64,
            max_waiting: 1024,
            rate_limit: Some((50.0, 100)),
            policy: AccessPolicy::default(),
            signed_requests: false,
            session_lifetime: Duration::from_secs(3600),
            handshake_timeout: Duration::from_secs(10),
            max_handshakes: 256,
        }
    }
}

/// Counters of what the server did, for logs and metrics.
#[derive(Debug, Default)]
pub struct ServerStats {
    /// Requests answered.
    pub served: AtomicU64,
    /// Requests refused before the handler ran (authentication, access, load).
    pub refused: AtomicU64,
    /// Requests whose handler failed, panicked or timed out.
    pub failed: AtomicU64,
    /// Sum of handler times, microseconds.
    pub handler_micros: AtomicU64,
    /// Connections established (TLS handshakes completed, plaintext connections taken).
    pub connections: AtomicU64,
}

struct Inner {
    identity: Arc<TlsIdentity>,
    verifier: Verifier,
    replay: Mutex<ReplayGuard>,
    directory: Arc<dyn CallerDirectory>,
    limiter: Option<RateLimiter>,
    gate: Arc<PriorityGate>,
    handler: Arc<dyn MinerSpec>,
    config: ServerConfig,
    stats: Arc<ServerStats>,
    /// Other protocols' fingerprints already logged (bounded).
    mismatches_logged: Mutex<std::collections::HashSet<String>>,
}

/// The miner's gRPC service, ready to be bound to an address.
#[derive(Clone)]
pub struct MinerServer {
    inner: Arc<Inner>,
}

/// A server listening in the background.
pub struct RunningServer {
    /// The address bound (with the port picked, if 0 was asked).
    pub addr: SocketAddr,
    /// The server's counters, live.
    pub stats: Arc<ServerStats>,
    gate: Arc<PriorityGate>,
    shutdown: Option<tokio::sync::watch::Sender<bool>>,
    task: tokio::task::JoinHandle<()>,
}

impl MinerServer {
    /// A server for the miner whose TLS identity (hotkey) is `identity`, answering with
    /// `handler`.
    pub fn new(identity: Arc<TlsIdentity>, handler: Arc<dyn MinerSpec>, directory: Arc<dyn CallerDirectory>, config: ServerConfig) -> Self {
        let inner = Inner {
            verifier: Verifier::new(identity.hotkey(), config.netuid, config.version, config.clock_window),
            identity,
            replay: Mutex::new(ReplayGuard::new(config.reorder_window)),
            directory,
            limiter: config.rate_limit.map(|(rate, burst)| RateLimiter::new(rate, burst)),
            gate: PriorityGate::new(config.max_concurrent, config.max_waiting),
            handler,
            stats: Arc::default(),
            mismatches_logged: Mutex::default(),
            config,
        };
        Self { inner: Arc::new(inner) }
    }

    /// The server's counters, shared with the running server.
    pub fn stats(&self) -> Arc<ServerStats> {
        self.inner.stats.clone()
    }

    /// Listen on `addr` (port 0 picks a free port) and serve until shut down.
    pub async fn bind(self, addr: SocketAddr) -> std::io::Result<RunningServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let config = &self.inner.config;
        let tls = server_config(self.inner.identity.clone()).map_err(std::io::Error::other)?;
        let limits = HandshakeLimits { timeout: config.handshake_timeout, concurrent: config.max_handshakes };
        let http2 = Http2Limits {
            // Headers are small (the signed header is ~250 bytes); refuse header floods.
            max_header_list: 16 * 1024,
            // Beyond the handler slots and the queue, more streams only wait to be refused.
            max_concurrent_streams: u32::try_from(config.max_concurrent + config.max_waiting).unwrap_or(u32::MAX),
            lifetime: config.session_lifetime,
        };
        let mut incoming = incoming(listener, TlsAcceptor::from(tls), limits, self.inner.stats.clone());
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let (stats, gate) = (self.stats(), self.inner.gate.clone());
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            let mut stopping = stopped.clone();
            loop {
                tokio::select! {
                    conn = incoming.next() => match conn {
                        Some(conn) => {
                            connections.spawn(serve_connection(conn, self.clone(), http2, stopped.clone()));
                        }
                        None => break,
                    },
                    _ = connections.join_next(), if !connections.is_empty() => {}
                    _ = stopping.wait_for(|stop| *stop) => break,
                }
            }
            // Stop accepting; open connections finish their running requests.
            drop(incoming);
            while connections.join_next().await.is_some() {}
        });
        Ok(RunningServer { addr, stats, gate, shutdown: Some(stop), task })
    }

    /// A unary call: its one message served; the answer, or the status refusing it.
    pub(crate) async fn unary<B>(&self, request: http::Request<B>) -> Result<Bytes, Status>
    where
        B: http_body::Body<Data = Bytes> + Unpin,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let inner = &self.inner;
        let request = inner.read_request(request).await?;
        let result = inner.serve(request).await;
        inner.count(&result.as_ref().map(|_| ()));
        result.map_err(Rejection::into_status)
    }

    /// A streaming call: its chunks as the handler sends them (a failure after the
    /// first ends the stream with its status), or the status refusing it.
    pub(crate) async fn stream<B>(&self, request: http::Request<B>) -> Result<tokio::sync::mpsc::Receiver<Result<Bytes, Status>>, Status>
    where
        B: http_body::Body<Data = Bytes> + Unpin,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let inner = &self.inner;
        let request = inner.read_request(request).await?;
        match inner.clone().serve_stream(request).await {
            Ok(chunks) => Ok(chunks),
            Err(e) => {
                inner.count(&Err(&e));
                Err(e.into_status())
            }
        }
    }
}

impl RunningServer {
    /// Requests waiting for a handler slot (all slots busy), served highest stake first.
    pub fn waiting(&self) -> usize {
        self.gate.waiting()
    }

    /// Stop accepting, let running requests finish, and wait for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.shutdown.take() {
            let _ = stop.send(true);
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A request that passed every check, holding its handler slot.
struct Admitted {
    ctx: RequestContext,
    body: Bytes,
    /// Time left for the handler.
    remaining: Duration,
    /// The whole deadline, for error messages.
    deadline: Duration,
    slot: super::gate::Permit,
}

impl Inner {
    /// Every check before the handler, in the order of the module documentation.
    async fn admit(&self, request: Request<Bytes>) -> Result<Admitted, Rejection> {
        let session = request.extensions().get::<ConnInfo>().map_or((None, false), |c| (c.caller, c.tls));
        let (caller, signed) = match session {
            (Some(caller), _) => {
                self.check_session_claims(&request)?;
                (caller, None)
            }
            (None, tls) if !self.config.signed_requests => {
                return Err(if tls { Rejection::ClientCertificateRequired } else { Rejection::TlsRequired });
            }
            (None, _) => {
                let raw = request.metadata().get_bin(AUTH_METADATA).ok_or(Rejection::MissingHeader)?;
                let raw = raw.to_bytes().map_err(|_| Rejection::Auth(super::auth::AuthError::Malformed("not base64")))?;
                let signed = SignedHeader::decode(&raw)?;
                self.verifier.check_claims(&signed.header, now_nanos())?;
                (signed.header.caller, Some(signed))
            }
        };
        self.check_protocol(&request)?;
        let stake = self.config.policy.admit(&caller, self.directory.lookup(&caller))?;
        let deadline = caller_deadline(&request).map_or(self.config.handler_timeout, |d| d.min(self.config.handler_timeout));
        let body = request.into_inner();
        if let Some(signed) = signed {
            self.verifier.check_proof(&signed, &body)?;
            self.replay.lock().unwrap_or_else(|e| e.into_inner()).accept(&caller, signed.header.nonce)?;
        }
        if let Some(limiter) = &self.limiter {
            limiter.take(&caller)?;
        }
        let started = Instant::now();
        let slot =
            tokio::time::timeout(deadline, self.gate.acquire(stake)).await.map_err(|_| Rejection::HandlerTimeout(deadline.as_millis() as u64))??;
        let remaining = deadline.saturating_sub(started.elapsed());
        let ctx = RequestContext { caller: AccountId(caller), stake, deadline: Some(Instant::now() + remaining) };
        Ok(Admitted { ctx, body, remaining, deadline, slot })
    }

    /// A session request names the subnet and version it is for (the caller is the
    /// session's; the target is this miner, whose certificate the caller checked).
    fn check_session_claims(&self, request: &Request<Bytes>) -> Result<(), Rejection> {
        let claim = |key: &'static str| -> Result<u64, Rejection> {
            let value = request.metadata().get(key).ok_or(Rejection::MissingMetadata(key))?;
            value.to_str().ok().and_then(|v| v.parse().ok()).ok_or(Rejection::MissingMetadata(key))
        };
        let (netuid, version) = (claim(NETUID_METADATA)?, claim(VERSION_METADATA)?);
        if netuid != u64::from(self.config.netuid) {
            let theirs = u16::try_from(netuid).unwrap_or(u16::MAX);
            return Err(AuthError::WrongSubnet { ours: self.config.netuid, theirs }.into());
        }
        if version != self.config.version {
            return Err(AuthError::IncompatibleVersion { ours: self.config.version, theirs: version }.into());
        }
        Ok(())
    }

    /// A request that names its protocol's fingerprint must name this miner's. The
    /// first refusal for each other fingerprint is logged: it is the operator's cue to
    /// update (or the validator's).
    fn check_protocol(&self, request: &Request<Bytes>) -> Result<(), Rejection> {
        // A miner that states no fingerprint does not look for the caller's.
        let Some(ours) = &self.config.protocol else { return Ok(()) };
        let Some(theirs) = request.metadata().get(PROTOCOL_METADATA) else { return Ok(()) };
        let theirs = theirs.to_str().unwrap_or("<not text>");
        if theirs == ours {
            return Ok(());
        }
        let mut seen = self.mismatches_logged.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() < 64 && seen.insert(theirs.to_string()) {
            tracing::warn!(
                ours = %ours, theirs = %theirs,
                "a caller speaks another protocol of this subnet: update this miner (a Python miner: regenerate its protocol module) if the subnet changed"
            );
        }
        Err(Rejection::ProtocolMismatch { ours: ours.clone(), theirs: theirs.chars().take(64).collect() })
    }

    /// A request off the wire: its one message read (within the size limit), with its
    /// metadata and the connection's identity.
    async fn read_request<B>(&self, request: http::Request<B>) -> Result<Request<Bytes>, Status>
    where
        B: http_body::Body<Data = Bytes> + Unpin,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        match read_message(body, self.config.max_message_bytes).await {
            Ok((message, _)) => Ok(Request::from_http(http::Request::from_parts(parts, message))),
            Err(ReadError::Invalid(status)) => {
                self.stats.refused.fetch_add(1, Ordering::Relaxed);
                Err(status)
            }
            // The caller went away mid-request: nobody to answer.
            Err(ReadError::Body(e)) => Err(Status::cancelled(e)),
        }
    }

    /// A unary request: the whole answer at once.
    async fn serve(&self, request: Request<Bytes>) -> Result<Bytes, Rejection> {
        let Admitted { ctx, body, remaining, deadline, slot: _slot } = self.admit(request).await?;
        let handler = self.handler.clone();
        let answer = self.run_handler(remaining, deadline, async move { handler.handle(&ctx, &body).await }).await?;
        Ok(Bytes::from(answer))
    }

    /// A streaming request: chunks flow to the caller as the handler sends them; a
    /// failure after the first chunk ends the stream with its status.
    async fn serve_stream(self: Arc<Self>, request: Request<Bytes>) -> Result<tokio::sync::mpsc::Receiver<Result<Bytes, Status>>, Rejection> {
        let Admitted { ctx, body, remaining, deadline, slot } = self.admit(request).await?;
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        let sink = ChunkSink::new(tx.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let handler = self.handler.clone();
            let outcome = self.run_handler(remaining, deadline, async move { handler.handle_stream(&ctx, &body, sink).await }).await;
            self.count(&outcome.as_ref().map(|_| ()));
            if let Err(e) = outcome {
                let _ = tx.send(Err(e.into_status())).await;
            }
        });
        Ok(rx)
    }

    /// Run a handler so that a panic or an overrun is an error, not a crash. It runs in
    /// the request's own task (the HTTP/2 server gives each request one), so a caller
    /// hanging up drops it.
    async fn run_handler<T: Send + 'static>(
        &self,
        remaining: Duration,
        deadline: Duration,
        work: impl Future<Output = Result<T, HandleError>> + Send + 'static,
    ) -> Result<T, Rejection> {
        let ran = Instant::now();
        let outcome = match tokio::time::timeout(remaining, std::panic::AssertUnwindSafe(work).catch_unwind()).await {
            Err(_) => Err(Rejection::HandlerTimeout(deadline.as_millis() as u64)),
            Ok(Err(_panic)) => Err(Rejection::HandlerPanicked),
            Ok(Ok(Err(e))) => Err(Rejection::Handler(e)),
            Ok(Ok(Ok(answer))) => Ok(answer),
        };
        self.stats.handler_micros.fetch_add(ran.elapsed().as_micros() as u64, Ordering::Relaxed);
        outcome
    }

    /// Count an outcome, and log what went wrong.
    fn count(&self, result: &Result<(), &Rejection>) {
        let counter = match result {
            Ok(_) => &self.stats.served,
            Err(e @ (Rejection::Handler(_) | Rejection::HandlerPanicked | Rejection::HandlerTimeout(_))) => {
                tracing::warn!(reason = e.reason(), "request failed: {e}");
                &self.stats.failed
            }
            Err(e) => {
                tracing::debug!(reason = e.reason(), "request refused: {e}");
                &self.stats.refused
            }
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// The caller's `grpc-timeout` (gRPC over HTTP/2: digits then one of H M S m u n).
fn caller_deadline<T>(request: &Request<T>) -> Option<Duration> {
    let v = request.metadata().get("grpc-timeout")?.to_str().ok()?;
    if v.len() < 2 || v.len() > 9 {
        return None;
    }
    let (digits, unit) = v.split_at(v.len() - 1);
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n.saturating_mul(3600)),
        "M" => Duration::from_secs(n.saturating_mul(60)),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse_in_every_unit() {
        let with = |v: &str| {
            let mut r = Request::new(());
            r.metadata_mut().insert("grpc-timeout", v.parse().unwrap());
            caller_deadline(&r)
        };
        assert_eq!(with("5S"), Some(Duration::from_secs(5)));
        assert_eq!(with("250m"), Some(Duration::from_millis(250)));
        assert_eq!(with("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(with("7u"), Some(Duration::from_micros(7)));
        assert_eq!(with("S"), None);
        assert_eq!(with("12x"), None);
        assert_eq!(with("1234567890S"), None);
    }
}
