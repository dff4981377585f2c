//! A networked miner: registers its hotkey (if asked), serves the subnet's handler over
//! TLS, announces the address and its TLS key on chain with `serve_axon_tls`, and keeps
//! its view of who may call (the metagraph) fresh in the background.

mod behaviour;

pub use behaviour::MinerBehaviour;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::chain::{AccountId, Chain, ChainError, NetUid, Signer};
use crate::keys::Keypair;
use crate::net::{axon_info, MetagraphDirectory, MinerServer, RunningServer, ServerConfig, ServerStats, TlsIdentity};
use crate::spec::MinerSpec;

/// Why a miner could not start.
#[derive(Debug, thiserror::Error)]
pub enum MinerError {
    /// Reading the chain, registering or announcing the axon failed.
    #[error("chain: {0}")]
    Chain(#[from] ChainError),
    /// The hotkey (SS58) has no UID on the netuid, and no coldkey was given to register it.
    #[error("the hotkey {0} is not registered on subnet {1}; register it first (or pass a coldkey to register with)")]
    NotRegistered(String, NetUid),
    /// The listening address could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
}

/// Where and how a miner serves.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The address to listen on (port 0 picks one).
    pub bind: SocketAddr,
    /// The IP announced on chain; `None` announces the bound IP. Subtensor refuses
    /// loopback addresses; `0.0.0.0` announces IP 0, which local chains accept and
    /// validators read as "this machine".
    pub external_ip: Option<IpAddr>,
    /// How often the metagraph (who may call, with what stake) is re-read.
    pub metagraph_refresh: Duration,
    /// The server's limits and access policy.
    pub server: ServerConfig,
}

impl ServeOptions {
    /// Listen on `bind`, announce the bound IP, re-read the metagraph every 12 s (one
    /// block).
    pub fn new(netuid: NetUid, version: u64, bind: SocketAddr) -> Self {
        Self { bind, external_ip: None, metagraph_refresh: Duration::from_secs(12), server: ServerConfig::new(netuid, version) }
    }

    /// Listen on loopback and announce IP 0: a miner on a local chain.
    pub fn local(netuid: NetUid, version: u64) -> Self {
        Self { external_ip: Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), ..Self::new(netuid, version, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))) }
    }
}

/// A miner serving in the background; stops when dropped.
pub struct ServedMiner {
    /// The miner's UID on the subnet.
    pub uid: u16,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The server's counters, live.
    pub stats: Arc<ServerStats>,
    server: RunningServer,
    _follower: Follower,
}

/// The metagraph refresh task, stopped with its miner.
struct Follower(tokio::task::JoinHandle<()>);

impl Drop for Follower {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl ServedMiner {
    /// Stop accepting, finish running requests, stop following the chain.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// Register `hotkey` on `netuid` paying the burn from `coldkey`, unless it already is;
/// returns its UID.
pub async fn ensure_registered(chain: &dyn Chain, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid) -> Result<u16, ChainError> {
    if let Some(uid) = uid_of(chain, hotkey, netuid).await? {
        return Ok(uid);
    }
    chain.burned_register(coldkey, netuid, hotkey).await
}

async fn uid_of(chain: &dyn Chain, hotkey: AccountId, netuid: NetUid) -> Result<Option<u16>, ChainError> {
    Ok(chain.metagraph(netuid).await?.neurons.iter().find(|n| n.hotkey == hotkey).map(|n| n.uid))
}

/// Serve `handler` as the registered miner `hotkey`: listen, announce, follow the
/// metagraph. The hotkey must be registered (see [`ensure_registered`]).
pub async fn serve(chain: Arc<dyn Chain>, hotkey: &Keypair, handler: Arc<dyn MinerSpec>, options: ServeOptions) -> Result<ServedMiner, MinerError> {
    let netuid = options.server.netuid;
    let me = AccountId(hotkey.public_key().0);
    let uid = uid_of(&*chain, me, netuid).await?.ok_or_else(|| MinerError::NotRegistered(me.ss58(), netuid))?;
    let directory = MetagraphDirectory::new();
    let follower = directory.follow(chain.clone(), netuid, options.metagraph_refresh).await?;
    let identity = TlsIdentity::new(hotkey).map_err(|e| MinerError::Bind(options.bind, std::io::Error::other(e)))?;
    let certificate = identity.chain_certificate();
    let server = MinerServer::new(identity, handler, Arc::new(directory), options.server.clone())
        .bind(options.bind)
        .await
        .map_err(|e| MinerError::Bind(options.bind, e))?;
    let announced = SocketAddr::new(options.external_ip.unwrap_or(server.addr.ip()), server.addr.port());
    let version = u32::try_from(options.server.version).unwrap_or(u32::MAX);
    // The TLS key goes on chain with the axon, so validators pin it (Subtensor's
    // `serve_axon_tls`); it is derived from the hotkey, so a restart publishes the same.
    chain.serve_axon_tls(hotkey, netuid, axon_info(announced, version), &certificate).await?;
    tracing::info!(netuid, uid, listening = %server.addr, announced = %announced, "miner serving");
    Ok(ServedMiner { uid, addr: server.addr, stats: server.stats.clone(), server, _follower: Follower(follower) })
}
