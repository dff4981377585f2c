//! The `Chain` trait: what miners, validators and tools ask of a chain, whichever
//! backend answers (the embedded local chain today; Subtensor through subxt later).

use async_trait::async_trait;
use tokio::sync::watch;

use super::types::*;
use super::ChainError;

#[async_trait]
pub trait Chain: Send + Sync {
    /// The current block number.
    async fn block_number(&self) -> Result<u64, ChainError>;
    /// New block numbers as they are produced.
    fn subscribe_blocks(&self) -> watch::Receiver<u64>;

    async fn register_network(&self, coldkey: &dyn Signer, hotkey: AccountId) -> Result<NetUid, ChainError>;
    /// `start_call`: the owner starts a registered subnet (staking and emission).
    async fn start_call(&self, owner: &dyn Signer, netuid: NetUid) -> Result<(), ChainError>;
    async fn set_hyperparameter(&self, signer: &dyn Signer, netuid: NetUid, value: Hyperparameter) -> Result<(), ChainError>;
    async fn burned_register(&self, coldkey: &dyn Signer, netuid: NetUid, hotkey: AccountId) -> Result<u16, ChainError>;
    async fn serve_axon(&self, hotkey: &dyn Signer, netuid: NetUid, axon: AxonInfo) -> Result<(), ChainError>;
    async fn add_stake(&self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError>;
    async fn remove_stake(&self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError>;
    async fn set_weights(&self, hotkey: &dyn Signer, netuid: NetUid, uids: &[u16], values: &[u16], version_key: u64) -> Result<(), ChainError>;
    async fn commit_weights(&self, hotkey: &dyn Signer, netuid: NetUid, hash: [u8; 32]) -> Result<(), ChainError>;
    #[allow(clippy::too_many_arguments)]
    async fn reveal_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        uids: &[u16],
        values: &[u16],
        salt: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError>;

    async fn metagraph(&self, netuid: NetUid) -> Result<Metagraph, ChainError>;
    async fn hyperparameters(&self, netuid: NetUid) -> Result<SubnetHyperparameters, ChainError>;
    async fn balance(&self, account: AccountId) -> Result<Balance, ChainError>;
}
