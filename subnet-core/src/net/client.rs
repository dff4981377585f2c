//! The validator's side (Bittensor's "dendrite"): signs each request with the
//! validator's hotkey and queries many miners at once, each with its own deadline.
//!
//! One HTTP/2 connection per miner address is opened lazily and reused; requests to
//! the same miner are multiplexed on it. A miner that is dead, slow or answers
//! garbage costs its own slot in the round and nothing more.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use tonic::client::Grpc;
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request, Status};

use super::auth::SignedHeader;
use super::codec::BytesCodec;
use super::reject::reason_of;
use super::server::{AUTH_METADATA, QUERY_PATH, QUERY_STREAM_PATH};
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
    /// The miner's address could not be connected to.
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

/// Connections kept for reuse (a subnet has at most a few thousand miners).
const MAX_CACHED_CHANNELS: usize = 8192;

/// A validator's client for one subnet.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    signer: Keypair,
    netuid: u16,
    version: u64,
    connect_timeout: Duration,
    max_message_bytes: usize,
    channels: Mutex<HashMap<SocketAddr, Channel>>,
}

impl Client {
    /// Requests signed by `signer` (the validator's hotkey) for `netuid` at protocol
    /// `version`.
    pub fn new(signer: Keypair, netuid: u16, version: u64) -> Self {
        Self {
            inner: Arc::new(ClientInner {
                signer,
                netuid,
                version,
                connect_timeout: Duration::from_secs(3),
                max_message_bytes: 4 << 20,
                channels: Mutex::default(),
            }),
        }
    }

    /// Ask the miner with hotkey `target` at `addr` to handle `body` (a task envelope
    /// named `task`); gives up after `timeout`, connection included.
    pub async fn call(&self, target: [u8; 32], addr: SocketAddr, task: &str, body: Bytes, timeout: Duration) -> Result<Bytes, CallError> {
        let i = &self.inner;
        let header = SignedHeader::new(&i.signer, target, i.netuid, i.version, task, &body);
        self.send_raw(addr, Some(&header.encode()), body, timeout).await
    }

    /// Send a request with any header bytes (or none): the building block of
    /// [`Client::call`], public for tools and for testing servers with bad requests.
    pub async fn send_raw(&self, addr: SocketAddr, header: Option<&[u8]>, body: Bytes, timeout: Duration) -> Result<Bytes, CallError> {
        let mut request = Request::new(body);
        if let Some(h) = header {
            request.metadata_mut().insert_bin(AUTH_METADATA, MetadataValue::from_bytes(h));
        }
        request.set_timeout(timeout);
        let mut grpc = self.grpc(addr)?;
        let exchange = async {
            grpc.ready().await.map_err(|e| CallError::Unreachable(e.to_string()))?;
            let path = http::uri::PathAndQuery::from_static(QUERY_PATH);
            grpc.unary(request, path, BytesCodec).await.map(|r| r.into_inner()).map_err(|s| classify(s, timeout))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(CallError::Timeout(timeout)),
        }
    }

    /// Ask for a streamed answer: the chunks as they arrive, and when the first came.
    /// The whole stream must end within `timeout`.
    pub async fn call_stream(&self, target: [u8; 32], addr: SocketAddr, task: &str, body: Bytes, timeout: Duration) -> Result<Streamed, CallError> {
        let i = &self.inner;
        let header = SignedHeader::new(&i.signer, target, i.netuid, i.version, task, &body);
        let mut request = Request::new(body);
        request.metadata_mut().insert_bin(AUTH_METADATA, MetadataValue::from_bytes(&header.encode()));
        request.set_timeout(timeout);
        let mut grpc = self.grpc(addr)?;
        let started = Instant::now();
        let exchange = async {
            grpc.ready().await.map_err(|e| CallError::Unreachable(e.to_string()))?;
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

    fn grpc(&self, addr: SocketAddr) -> Result<Grpc<Channel>, CallError> {
        Ok(Grpc::new(self.channel(addr)?)
            .max_decoding_message_size(self.inner.max_message_bytes)
            .max_encoding_message_size(self.inner.max_message_bytes))
    }

    fn channel(&self, addr: SocketAddr) -> Result<Channel, CallError> {
        let mut channels = self.inner.channels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = channels.get(&addr) {
            return Ok(c.clone());
        }
        let endpoint = Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|e| CallError::Unreachable(e.to_string()))?
            .connect_timeout(self.inner.connect_timeout)
            .tcp_nodelay(true);
        let channel = endpoint.connect_lazy();
        // Miners come and go (new UIDs, new addresses); connections are cheap to
        // reopen, so past this many the old ones are simply dropped.
        if channels.len() >= MAX_CACHED_CHANNELS {
            channels.clear();
        }
        channels.insert(addr, channel.clone());
        Ok(channel)
    }

    /// Query every target at once; one response per target, in order. With `streamed`,
    /// answers are asked for as streams and each is the JSON array of its chunks.
    pub async fn query_all(&self, targets: &[Target], task: &[u8], timeout: Duration, streamed: bool) -> Vec<Response> {
        let name = Envelope::task_name(task).unwrap_or_default();
        let body = Bytes::copy_from_slice(task);
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

/// Sort a failed status into the caller's categories.
fn classify(status: Status, timeout: Duration) -> CallError {
    match (status.code(), reason_of(&status)) {
        (_, Some("handler_timeout")) => CallError::Timeout(timeout),
        (code, Some(reason)) => CallError::Refused { code, reason: reason.to_string(), message: status.message().to_string() },
        (Code::DeadlineExceeded | Code::Cancelled, None) => CallError::Timeout(timeout),
        (Code::Unavailable | Code::Unknown, None) => CallError::Unreachable(status.message().to_string()),
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
