//! [`LocalChainHandle`]: the local chain shared between tasks, behind the async
//! [`Chain`] trait, with manual, instant or timed block production.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;

use super::LocalChain;
use crate::chain::api::Chain;
use crate::chain::types::*;
use crate::chain::ChainError;

/// When blocks are produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockMode {
    /// Only by [`LocalChainHandle::produce_blocks`].
    Manual,
    /// One block after every successful extrinsic, as a dev node's instant seal.
    Instant,
    /// Every interval (12 s like mainnet, 250 ms like Subtensor's fast-blocks
    /// localnet), by [`LocalChainHandle::spawn_block_producer`].
    Timed(Duration),
}

/// A [`LocalChain`](super::LocalChain) shared between tasks, as a [`Chain`](crate::chain::Chain):
/// extrinsics lock it, and blocks advance by its [`BlockMode`].
#[derive(Clone)]
pub struct LocalChainHandle {
    chain: Arc<Mutex<LocalChain>>,
    blocks: Arc<watch::Sender<u64>>,
    mode: BlockMode,
}

impl LocalChainHandle {
    /// A handle owning `chain`, producing blocks in `mode`.
    pub fn new(chain: LocalChain, mode: BlockMode) -> Self {
        let (tx, _) = watch::channel(chain.block());
        Self { chain: Arc::new(Mutex::new(chain)), blocks: Arc::new(tx), mode }
    }

    /// How blocks are produced.
    pub fn mode(&self) -> BlockMode {
        self.mode
    }

    /// Direct access for tests and tools (snapshots, reads). Do not hold across awaits.
    pub fn lock(&self) -> MutexGuard<'_, LocalChain> {
        // A panic while holding the lock cannot leave the state half-written: every
        // extrinsic validates before it mutates, so the state is still usable.
        self.chain.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Produce `n` blocks now and announce the new head.
    pub fn produce_blocks(&self, n: u64) -> u64 {
        let block = self.lock().produce_blocks(n);
        self.blocks.send_replace(block);
        block
    }

    /// With [`BlockMode::Timed`], produce a block every interval until the returned
    /// task is aborted (or the runtime stops). `None` in other modes.
    pub fn spawn_block_producer(&self) -> Option<tokio::task::JoinHandle<()>> {
        let BlockMode::Timed(interval) = self.mode else { return None };
        let this = self.clone();
        Some(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.tick().await; // the first tick is immediate
            loop {
                ticker.tick().await;
                this.produce_blocks(1);
            }
        }))
    }

    /// Run an extrinsic; in instant mode a successful one seals a block.
    fn extrinsic<T>(&self, f: impl FnOnce(&mut LocalChain) -> Result<T, ChainError>) -> Result<T, ChainError> {
        let out = f(&mut self.lock())?;
        if self.mode == BlockMode::Instant {
            self.produce_blocks(1);
        }
        Ok(out)
    }
}

#[async_trait]
impl Chain for LocalChainHandle {
    async fn block_number(&self) -> Result<u64, ChainError> {
        Ok(self.lock().block())
    }
    fn subscribe_blocks(&self) -> watch::Receiver<u64> {
        self.blocks.subscribe()
    }
    async fn register_network(&self, coldkey: &dyn Signer, hotkey: AccountId) -> Result<NetUid, ChainError> {
        self.extrinsic(|c| c.register_network(coldkey, hotkey))
    }
    async fn start_call(&self, owner: &dyn Signer, netuid: NetUid) -> Result<(), ChainError> {
        self.extrinsic(|c| c.start_call(owner, netuid))
    }
    async fn set_hyperparameter(&self, signer: &dyn Signer, netuid: NetUid, value: Hyperparameter) -> Result<(), ChainError> {
        self.extrinsic(|c| c.set_hyperparameter(signer, netuid, value))
    }
    async fn burned_register(&self, coldkey: &dyn Signer, netuid: NetUid, hotkey: AccountId) -> Result<u16, ChainError> {
        self.extrinsic(|c| c.burned_register(coldkey, netuid, hotkey))
    }
    async fn serve_axon(&self, hotkey: &dyn Signer, netuid: NetUid, axon: AxonInfo) -> Result<(), ChainError> {
        self.extrinsic(|c| c.serve_axon(hotkey, netuid, axon))
    }
    async fn serve_axon_tls(&self, hotkey: &dyn Signer, netuid: NetUid, axon: AxonInfo, certificate: &[u8]) -> Result<(), ChainError> {
        self.extrinsic(|c| c.serve_axon_tls(hotkey, netuid, axon, certificate))
    }
    async fn add_stake(&self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError> {
        self.extrinsic(|c| c.add_stake(coldkey, hotkey, netuid, amount))
    }
    async fn remove_stake(&self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError> {
        self.extrinsic(|c| c.remove_stake(coldkey, hotkey, netuid, amount))
    }
    async fn set_weights(&self, hotkey: &dyn Signer, netuid: NetUid, uids: &[u16], values: &[u16], version_key: u64) -> Result<(), ChainError> {
        self.extrinsic(|c| c.set_weights(hotkey, netuid, uids, values, version_key))
    }
    async fn commit_weights(&self, hotkey: &dyn Signer, netuid: NetUid, hash: [u8; 32]) -> Result<(), ChainError> {
        self.extrinsic(|c| c.commit_weights(hotkey, netuid, hash))
    }
    async fn reveal_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        uids: &[u16],
        values: &[u16],
        salt: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError> {
        self.extrinsic(|c| c.reveal_weights(hotkey, netuid, uids, values, salt, version_key))
    }
    async fn mechanism_count(&self, netuid: NetUid) -> Result<u8, ChainError> {
        self.lock().mechanism_count(netuid)
    }
    async fn set_mechanism_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        uids: &[u16],
        values: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError> {
        self.extrinsic(|c| c.set_mechanism_weights(hotkey, netuid, mecid, uids, values, version_key))
    }
    async fn commit_mechanism_weights(&self, hotkey: &dyn Signer, netuid: NetUid, mecid: u8, hash: [u8; 32]) -> Result<(), ChainError> {
        self.extrinsic(|c| c.commit_mechanism_weights(hotkey, netuid, mecid, hash))
    }
    async fn reveal_mechanism_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        uids: &[u16],
        values: &[u16],
        salt: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError> {
        self.extrinsic(|c| c.reveal_mechanism_weights(hotkey, netuid, mecid, uids, values, salt, version_key))
    }
    async fn commit_timelocked_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        commit: &[u8],
        reveal_round: u64,
        commit_reveal_version: u16,
    ) -> Result<(), ChainError> {
        self.extrinsic(|c| c.commit_timelocked_weights(hotkey, netuid, mecid, commit, reveal_round, commit_reveal_version).map(|_| ()))
    }
    async fn timelock_context(&self, netuid: NetUid) -> Result<TimelockContext, ChainError> {
        let chain = self.lock();
        Ok(TimelockContext {
            commit_reveal_version: chain.commit_reveal_version(),
            beacon_public_key: chain.drand().public_key().to_vec(),
            beacon_period_secs: super::DRAND_PERIOD_SECS,
            last_stored_round: chain.drand().last_stored_round,
            block_time_secs: super::BLOCK_TIME_SECS,
            block: chain.block(),
            first_reveal_block: chain.first_reveal_block(netuid)?,
        })
    }
    async fn metagraph(&self, netuid: NetUid) -> Result<Metagraph, ChainError> {
        self.lock().metagraph(netuid)
    }
    async fn neuron_certificates(&self, netuid: NetUid) -> Result<HashMap<AccountId, NeuronCertificate>, ChainError> {
        Ok(self.lock().neuron_certificates(netuid)?.iter().map(|(k, c)| (*k, c.clone())).collect())
    }
    async fn hyperparameters(&self, netuid: NetUid) -> Result<SubnetHyperparameters, ChainError> {
        self.lock().hyperparameters(netuid)
    }
    async fn balance(&self, account: AccountId) -> Result<Balance, ChainError> {
        Ok(self.lock().balance(&account))
    }
}
