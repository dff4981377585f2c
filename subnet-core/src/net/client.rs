//! The validator's side (Bittensor's "dendrite"): queries many miners at once, each
//! with its own deadline, over TLS sessions in which the validator's hotkey was proven
//! once ([`super::tls`]).
//!
//! One connection per miner (address, hotkey, pinned TLS key) is opened lazily, kept
//! and reused; requests to the same miner are multiplexed on it, and a connection the
//! miner closed (its session lifetime) is re-established on the next request. A miner
//! that is dead, slow, answers garbage or fails the handshake costs its own slot in the
//! round and nothing more.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use http::Uri;
use tokio_rustls::TlsConnector;
use tonic::client::Grpc;
use tonic::metadata::{AsciiMetadataValue, MetadataValue};
use tonic::{Code, Request, Status};

use super::auth::{body_hash, now_nanos, Header, SignedHeader};
use super::codec::BytesCodec;
use super::framing::{frame, read_message, ReadError};
use super::link::{Link, LinkService};
use super::reject::reason_of;
use super::server::{AUTH_METADATA, NETUID_METADATA, PROTOCOL_METADATA, QUERY_STREAM_PATH, VERSION_METADATA};
use super::tls::config::{client_config, IdentityResolver};
use super::tls::{MinerVerifier, TlsIdentity};
use crate::chain::AxonInfo;
use crate::keys::Keypair;
use crate::spec::{gather_in_order, join_chunks, Envelope, Querier, QueryError, Response, Target};

/// Why a call gave no answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CallError {
    /// No answer within the timeout (the duration waited).
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The miner, or the transport, answered with an error status.
    #[error("refused ({reason}): {message}")]
    Refused {
        /// The gRPC status code.
        code: Code,
        /// The reason token from `subnet-reject` metadata (`"rate_limited"`, ...), or the
        /// code's name when the status is the transport's own.
        reason: String,
        /// The status message.
        message: String,
    },
    /// The miner's address could not be connected to, or the TLS handshake failed (a
    /// miner that does not prove the hotkey dialled, or that does not speak TLS).
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The answer arrived but could not be read.
    #[error("bad answer: {0}")]
    BadAnswer(String),
}

impl From<CallError> for QueryError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Timeout(_) => QueryError::Timeout,
            CallError::Refused { reason, message, .. } => QueryError::Refused(format!("{reason}: {message}")),
            CallError::Unreachable(m) => QueryError::Unreachable(m),
            CallError::BadAnswer(m) => QueryError::BadAnswer(m),
        }
    }
}

/// How the client reaches miners.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// TLS 1.3, the miner proving the hotkey dialled (the default).
    Tls,
    /// Plaintext HTTP/2: only for miners that accept signed requests over it, and to
    /// test that those that do not refuse it.
    Plaintext,
}

/// How the client proves its hotkey to miners.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallerProof {
    /// Once per connection, with a certificate in the TLS handshake (the default).
    Session,
    /// A signed header on every request (for miners that accept it; a nonce and an
    /// sr25519 signature per request, several times the cost).
    SignedRequests,
}

/// A client's transport settings.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// TLS (default) or plaintext.
    pub transport: Transport,
    /// Session certificate (default) or per-request signatures.
    pub proof: CallerProof,
    /// The fingerprint of the protocol description this client was built from, sent
    /// with every request (`subnet-protocol`) so that a miner built from another is
    /// refused with `protocol_mismatch` instead of answering; `None` sends none.
    pub protocol: Option<String>,
    /// The longest a connection (TCP and TLS handshake) may take.
    pub connect_timeout: Duration,
    /// Largest request or answer message.
    pub max_message_bytes: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            transport: Transport::Tls,
            proof: CallerProof::Session,
            protocol: None,
            connect_timeout: Duration::from_secs(3),
            max_message_bytes: 4 << 20,
        }
    }
}

/// Connections kept for reuse (a subnet has at most a few thousand miners).
const MAX_CACHED_LINKS: usize = 8192;

/// A validator's client for one subnet.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

/// A connection is to one miner as the client knew it: where, which hotkey, which
/// pinned TLS key; a change of any opens a new one.
type LinkKey = (SocketAddr, [u8; 32], Option<[u8; 32]>);

struct ClientInner {
    signer: Keypair,
    identity: Arc<TlsIdentity>,
    netuid: u16,
    version: u64,
    options: ClientOptions,
    netuid_value: AsciiMetadataValue,
    version_value: AsciiMetadataValue,
    protocol_value: Option<AsciiMetadataValue>,
    links: Mutex<HashMap<LinkKey, Arc<Link>>>,
    /// Miners' TLS keys as published on chain (`NeuronCertificates`), by hotkey.
    pins: RwLock<HashMap<[u8; 32], [u8; 32]>>,
    /// The last nonce signed (signed mode): nonces are strictly increasing per client.
    last_nonce: AtomicU64,
}

impl Client {
    /// A client for `netuid` at protocol `version` proving `signer` (the validator's
    /// hotkey) over TLS sessions.
    pub fn new(signer: Keypair, netuid: u16, version: u64) -> Self {
        Self::with_options(signer, netuid, version, ClientOptions::default())
    }

    /// A client with explicit transport settings.
    pub fn with_options(signer: Keypair, netuid: u16, version: u64, options: ClientOptions) -> Self {
        // Making a certificate needs only the key in hand; it fails only with a broken
        // crypto provider, which no call could work around.
        let identity = TlsIdentity::new(&signer).expect("a TLS certificate for the hotkey");
        // A fingerprint that is not a header value (not from `Protocol::fingerprint`)
        // is not sent rather than failing every request.
        let protocol_value = options.protocol.as_deref().and_then(|p| AsciiMetadataValue::try_from(p).ok());
        Self {
            inner: Arc::new(ClientInner {
                signer,
                identity,
                netuid,
                version,
                netuid_value: AsciiMetadataValue::from(netuid),
                version_value: AsciiMetadataValue::from(version),
                protocol_value,
                options,
                links: Mutex::default(),
                pins: RwLock::default(),
                last_nonce: AtomicU64::new(0),
            }),
        }
    }

    /// Require each listed miner (hotkey) to present the TLS key it published on chain
    /// (`NeuronCertificates`, Ed25519); miners not listed are checked by hotkey alone.
    /// Replaces the previous list; connections to miners whose key changed reconnect.
    pub fn set_pinned_keys(&self, pins: HashMap<[u8; 32], [u8; 32]>) {
        *self.inner.pins.write().unwrap_or_else(|e| e.into_inner()) = pins;
    }

    /// Pin (or unpin) each target's TLS key as the chain published it.
    fn pin_targets(&self, targets: &[Target]) {
        let mut pins = self.inner.pins.write().unwrap_or_else(|e| e.into_inner());
        for t in targets {
            match t.tls_key {
                Some(key) => pins.insert(t.hotkey.0, key),
                None => pins.remove(&t.hotkey.0),
            };
        }
    }

    /// Ask the miner with hotkey `target` at `addr` to handle `body` (a task envelope
    /// named `task`); gives up after `timeout`, connection included.
    pub async fn call(&self, target: [u8; 32], addr: SocketAddr, task: &str, body: Bytes, timeout: Duration) -> Result<Bytes, CallError> {
        let request = self.request(target, task, body);
        self.send_request(target, addr, request, timeout).await
    }

    /// A request for `target` with the claims this client's proof needs: the subnet and
    /// version (session), or the signed header (signed mode).
    fn request(&self, target: [u8; 32], task: &str, body: Bytes) -> Request<Bytes> {
        let i = &self.inner;
        let header = (i.options.proof == CallerProof::SignedRequests).then(|| self.sign(target, task, &body));
        let mut request = Request::new(body);
        if let Some(protocol) = &i.protocol_value {
            request.metadata_mut().insert(PROTOCOL_METADATA, protocol.clone());
        }
        match header {
            Some(header) => {
                request.metadata_mut().insert_bin(AUTH_METADATA, MetadataValue::from_bytes(&header.encode()));
            }
            None => {
                request.metadata_mut().insert(NETUID_METADATA, i.netuid_value.clone());
                request.metadata_mut().insert(VERSION_METADATA, i.version_value.clone());
            }
        }
        request
    }

    /// A signed header with this client's next nonce: its signing time in nanoseconds,
    /// or one more than the last nonce when the clock has not moved past it (two
    /// requests signed in the same nanosecond, or a clock stepped back).
    fn sign(&self, target: [u8; 32], task: &str, body: &[u8]) -> SignedHeader {
        let i = &self.inner;
        let mut nonce = 0;
        let _ = i.last_nonce.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
            nonce = now_nanos().max(last + 1);
            Some(nonce)
        });
        let (netuid, version, task) = (i.netuid, i.version, task.to_string());
        Header { caller: i.signer.public_key().0, target, netuid, version, nonce, body_hash: body_hash(body), task }.sign(&i.signer)
    }

    /// Send any request (any metadata, or none) to the miner `target` at `addr`: the
    /// building block of [`Client::call`], public for tools and for testing servers
    /// with bad requests.
    pub async fn send_request(&self, target: [u8; 32], addr: SocketAddr, mut request: Request<Bytes>, timeout: Duration) -> Result<Bytes, CallError> {
        request.set_timeout(timeout);
        let link = self.link(target, addr)?;
        let exchange = unary_call(link, request, self.inner.options.max_message_bytes, timeout);
        match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(CallError::Timeout(timeout)),
        }
    }

    /// Send a request with any signed-header bytes (or none) and no other claims: for
    /// testing servers with bad headers.
    pub async fn send_raw(
        &self,
        target: [u8; 32],
        addr: SocketAddr,
        header: Option<&[u8]>,
        body: Bytes,
        timeout: Duration,
    ) -> Result<Bytes, CallError> {
        let mut request = Request::new(body);
        if let Some(h) = header {
            request.metadata_mut().insert_bin(AUTH_METADATA, MetadataValue::from_bytes(h));
        }
        self.send_request(target, addr, request, timeout).await
    }

    /// Ask for a streamed answer: the chunks as they arrive, and when the first came.
    /// The whole stream must end within `timeout`.
    pub async fn call_stream(&self, target: [u8; 32], addr: SocketAddr, task: &str, body: Bytes, timeout: Duration) -> Result<Streamed, CallError> {
        let mut request = self.request(target, task, body);
        request.set_timeout(timeout);
        let mut grpc = self.grpc(target, addr)?;
        let started = Instant::now();
        let exchange = async {
            grpc.ready().await.map_err(|e| CallError::Unreachable(root_cause(&*e)))?;
            let path = http::uri::PathAndQuery::from_static(QUERY_STREAM_PATH);
            let mut stream = grpc.server_streaming(request, path, BytesCodec).await.map_err(|s| classify(s, timeout))?.into_inner();
            let mut out = Streamed { chunks: Vec::new(), first_chunk: None };
            while let Some(chunk) = stream.message().await.map_err(|s| classify(s, timeout))? {
                out.first_chunk.get_or_insert_with(|| started.elapsed());
                out.chunks.push(chunk);
            }
            Ok(out)
        };
        tokio::time::timeout(timeout, exchange).await.unwrap_or(Err(CallError::Timeout(timeout)))
    }

    fn grpc(&self, target: [u8; 32], addr: SocketAddr) -> Result<Grpc<LinkService>, CallError> {
        let max = self.inner.options.max_message_bytes;
        let origin = Uri::try_from(format!("http://{addr}")).map_err(|e| CallError::Unreachable(e.to_string()))?;
        Ok(Grpc::with_origin(LinkService(self.link(target, addr)?), origin).max_decoding_message_size(max).max_encoding_message_size(max))
    }

    fn link(&self, target: [u8; 32], addr: SocketAddr) -> Result<Arc<Link>, CallError> {
        let pin = self.inner.pins.read().unwrap_or_else(|e| e.into_inner()).get(&target).copied();
        let key = (addr, target, pin);
        let mut links = self.inner.links.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(link) = links.get(&key) {
            return Ok(link.clone());
        }
        let link = Link::new(addr, self.tls(target, pin)?, self.inner.options.connect_timeout);
        // Miners come and go (new UIDs, new addresses, new keys); connections are
        // cheap to reopen, so past this many the old ones are simply dropped.
        if links.len() >= MAX_CACHED_LINKS {
            links.clear();
        }
        links.insert(key, link.clone());
        Ok(link)
    }

    /// The TLS settings for dialling `target` (none in plaintext mode).
    fn tls(&self, target: [u8; 32], pin: Option<[u8; 32]>) -> Result<Option<TlsConnector>, CallError> {
        let options = &self.inner.options;
        if options.transport == Transport::Plaintext {
            return Ok(None);
        }
        let client_cert = (options.proof == CallerProof::Session)
            .then(|| Arc::new(IdentityResolver(self.inner.identity.clone())) as Arc<dyn rustls::client::ResolvesClientCert>);
        let config = client_config(MinerVerifier::new(target, pin), client_cert).map_err(|e| CallError::Unreachable(e.to_string()))?;
        Ok(Some(TlsConnector::from(config)))
    }

    /// Query every target at once; one response per target, in order. With `streamed`,
    /// answers are asked for as streams and each is the JSON array of its chunks.
    pub async fn query_all(&self, targets: &[Target], task: &[u8], timeout: Duration, streamed: bool) -> Vec<Response> {
        let name = Envelope::task_name(task).unwrap_or_default();
        let body = Bytes::copy_from_slice(task);
        self.pin_targets(targets);
        let mut set = tokio::task::JoinSet::new();
        for (index, t) in targets.iter().enumerate() {
            let (me, body, name, hotkey, axon) = (self.clone(), body.clone(), name.clone(), t.hotkey.0, t.axon);
            set.spawn(async move {
                let started = Instant::now();
                let Some(addr) = axon_address(&axon) else {
                    let unusable = QueryError::Unreachable("the miner serves no usable axon address".into());
                    return (index, Response::new(Err(unusable), started.elapsed()));
                };
                let response = if streamed {
                    match me.call_stream(hotkey, addr, &name, body, timeout).await {
                        Ok(s) => Response { result: Ok(join_chunks(&s.chunks)), latency: started.elapsed(), first_chunk: s.first_chunk },
                        Err(e) => Response::new(Err(e.into()), started.elapsed()),
                    }
                } else {
                    let result = me.call(hotkey, addr, &name, body, timeout).await.map(|b| b.to_vec()).map_err(QueryError::from);
                    Response::new(result, started.elapsed())
                };
                (index, response)
            });
        }
        gather_in_order(set, targets.len(), timeout).await
    }
}

/// A streamed answer as received.
#[derive(Clone, Debug, PartialEq)]
pub struct Streamed {
    /// The chunks in arrival order, each one gRPC message (the chunk type's JSON).
    pub chunks: Vec<Bytes>,
    /// When the first chunk arrived, from the call's start.
    pub first_chunk: Option<Duration>,
}

#[async_trait]
impl Querier for Client {
    async fn query(&self, targets: &[Target], task: &[u8], timeout: Duration) -> Vec<Response> {
        self.query_all(targets, task, timeout, false).await
    }

    async fn query_stream(&self, targets: &[Target], task: &[u8], timeout: Duration) -> Vec<Response> {
        self.query_all(targets, task, timeout, true).await
    }
}

/// One unary call on `link`: the request as HEADERS and one DATA frame ending the
/// stream, the answer read whole with its status ([`super::framing`]).
async fn unary_call(link: Arc<Link>, request: Request<Bytes>, max: usize, timeout: Duration) -> Result<Bytes, CallError> {
    let (metadata, _, message) = request.into_parts();
    let mut headers = metadata.into_headers();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/grpc"));
    headers.insert(http::header::TE, http::HeaderValue::from_static("trailers"));
    let response = link.request(link.query_uri(), &headers, frame(&message)).await.map_err(|e| CallError::Unreachable(e.0))?;
    let (parts, body) = response.into_parts();
    if let Some(status) = Status::from_header_map(&parts.headers) {
        // A trailers-only response: a refusal (or an empty success, which no miner sends).
        if status.code() != Code::Ok {
            return Err(classify(status, timeout));
        }
    }
    if parts.status != http::StatusCode::OK {
        return Err(CallError::BadAnswer(format!("HTTP status {} from a gRPC server", parts.status)));
    }
    match read_message(body, max).await {
        Ok((answer, trailers)) => match trailers.as_ref().and_then(Status::from_header_map) {
            Some(status) if status.code() == Code::Ok => Ok(answer),
            Some(status) => Err(classify(status, timeout)),
            None => Err(CallError::BadAnswer("the answer ended without a gRPC status".into())),
        },
        Err(ReadError::Invalid(status)) => Err(classify(status, timeout)),
        Err(ReadError::Body(e)) => Err(CallError::Unreachable(e)),
    }
}

/// The innermost error's message: for a failed connection, what failed (a refused
/// TCP connect, the TLS handshake's reason) rather than "transport error".
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        message = inner.to_string();
        source = inner.source();
    }
    message
}

/// Sort a failed status into the caller's categories.
fn classify(status: Status, timeout: Duration) -> CallError {
    match (status.code(), reason_of(&status)) {
        (_, Some("handler_timeout")) => CallError::Timeout(timeout),
        (code, Some(reason)) => CallError::Refused { code, reason: reason.to_string(), message: status.message().to_string() },
        (Code::DeadlineExceeded | Code::Cancelled, None) => CallError::Timeout(timeout),
        (Code::Unavailable | Code::Unknown, None) => CallError::Unreachable(root_cause(&status)),
        // Statuses without our reason come from the transport itself (an oversized
        // message, a broken stream, a server that is not ours).
        (code, None) => CallError::Refused { code, reason: format!("{code:?}"), message: status.message().to_string() },
    }
}

/// Where to reach a miner, from the axon it announced on chain. Address 0 (allowed on
/// local chains) means this machine.
pub fn axon_address(axon: &AxonInfo) -> Option<SocketAddr> {
    if axon.port == 0 {
        return None;
    }
    let ip = match axon.ip_type {
        4 => match u32::try_from(axon.ip).ok()? {
            0 => IpAddr::V4(Ipv4Addr::LOCALHOST),
            v4 => IpAddr::V4(Ipv4Addr::from(v4)),
        },
        6 => match axon.ip {
            0 => IpAddr::V6(Ipv6Addr::LOCALHOST),
            v6 => IpAddr::V6(Ipv6Addr::from(v6)),
        },
        _ => return None,
    };
    Some(SocketAddr::new(ip, axon.port))
}

/// The axon record for a listening address (what `serve_axon` announces).
pub fn axon_info(addr: SocketAddr, version: u32) -> AxonInfo {
    let (ip, ip_type) = match addr.ip() {
        IpAddr::V4(v4) => (u32::from(v4) as u128, 4),
        IpAddr::V6(v6) => (u128::from(v6), 6),
    };
    AxonInfo { block: 0, version, ip, port: addr.port(), ip_type, protocol: 4 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_signed_at_once_on_many_threads_are_all_distinct_and_increasing_per_thread() {
        // Nanosecond timestamps alone collided about once in 100,000 requests at 64 in
        // flight, and the miner refused the second as a replay.
        let options = ClientOptions { proof: CallerProof::SignedRequests, ..ClientOptions::default() };
        let client = Client::with_options(Keypair::from_uri("//Validator").unwrap(), 1, 1, options);
        let per_thread = 2_000;
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let client = client.clone();
                std::thread::spawn(move || (0..per_thread).map(|_| client.sign([7; 32], "Echo", b"{}").header.nonce).collect::<Vec<u64>>())
            })
            .collect();
        let mut all = std::collections::HashSet::new();
        for t in threads {
            let nonces = t.join().unwrap();
            assert!(nonces.windows(2).all(|w| w[0] < w[1]), "each thread's nonces increase");
            all.extend(nonces);
        }
        assert_eq!(all.len(), 8 * per_thread, "no two requests share a nonce");
    }
}
