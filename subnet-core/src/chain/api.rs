//! The `Chain` trait: what miners, validators and tools ask of a chain, whichever
//! backend answers (the embedded local chain today; Subtensor through subxt later).

use std::collections::HashMap;

use async_trait::async_trait;
use tokio::sync::watch;

use super::types::*;
use super::ChainError;

/// A chain as neurons and tools use it: Subtensor's extrinsics (calls signed by a
/// coldkey or hotkey) and the storage they read, whatever the backend.
#[async_trait]
pub trait Chain: Send + Sync {
    /// The current block number.
    async fn block_number(&self) -> Result<u64, ChainError>;
    /// New block numbers as they are produced.
    fn subscribe_blocks(&self) -> watch::Receiver<u64>;

    /// `register_network`: `coldkey` creates a subnet owned by `hotkey`, paying the lock
    /// cost; returns its netuid.
    async fn register_network(&self, coldkey: &dyn Signer, hotkey: AccountId) -> Result<NetUid, ChainError>;
    /// `start_call`: the owner starts a registered subnet (staking and emission).
    async fn start_call(&self, owner: &dyn Signer, netuid: NetUid) -> Result<(), ChainError>;
    /// `AdminUtils::sudo_set_*`: root sets any hyperparameter, the subnet owner those
    /// open to owners.
    async fn set_hyperparameter(&self, signer: &dyn Signer, netuid: NetUid, value: Hyperparameter) -> Result<(), ChainError>;
    /// `burned_register`: `coldkey` burns the registration cost to register `hotkey`;
    /// returns its UID.
    async fn burned_register(&self, coldkey: &dyn Signer, netuid: NetUid, hotkey: AccountId) -> Result<u16, ChainError>;
    /// `serve_axon`: `hotkey` announces where it serves on `netuid`.
    async fn serve_axon(&self, hotkey: &dyn Signer, netuid: NetUid, axon: AxonInfo) -> Result<(), ChainError>;
    /// `serve_axon_tls`: `serve_axon` that also publishes the neuron's TLS public key,
    /// `certificate` as the chain takes it (algorithm byte, then the key: see
    /// [`NeuronCertificate::to_bytes`]). An invalid certificate (empty, or over 65
    /// bytes) is ignored as the chain ignores it: the axon is served, no key stored.
    async fn serve_axon_tls(&self, hotkey: &dyn Signer, netuid: NetUid, axon: AxonInfo, certificate: &[u8]) -> Result<(), ChainError>;
    /// `add_stake`: `coldkey` stakes `amount` rao to `hotkey` on `netuid`.
    async fn add_stake(&self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError>;
    /// `remove_stake`: `coldkey` unstakes `amount` rao from `hotkey` on `netuid`.
    async fn remove_stake(&self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError>;
    /// `set_weights`: `hotkey` sets its weights in the clear; `values` on the u16 scale
    /// (65535 = 1.0), `version_key` checked against `WeightsVersionKey`.
    async fn set_weights(&self, hotkey: &dyn Signer, netuid: NetUid, uids: &[u16], values: &[u16], version_key: u64) -> Result<(), ChainError>;
    /// `commit_weights`: `hotkey` commits the hash of weights it reveals later
    /// (commit-reveal on).
    async fn commit_weights(&self, hotkey: &dyn Signer, netuid: NetUid, hash: [u8; 32]) -> Result<(), ChainError>;
    /// `reveal_weights`: `hotkey` reveals weights committed earlier, with their salt; the
    /// chain checks they hash to the commit.
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

    /// `MechanismCountCurrent`: how many incentive mechanisms the subnet runs (1 unless
    /// its owner set more); a runtime without mechanisms has one.
    async fn mechanism_count(&self, netuid: NetUid) -> Result<u8, ChainError>;
    /// `set_mechanism_weights` (`set_weights` for mechanism 0): weights in the clear for
    /// mechanism `mecid`.
    async fn set_mechanism_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        uids: &[u16],
        values: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError>;
    /// `commit_mechanism_weights` (`commit_weights` for mechanism 0); the hash is over
    /// the mechanism's storage index (`local::mechanism_storage_index`).
    async fn commit_mechanism_weights(&self, hotkey: &dyn Signer, netuid: NetUid, mecid: u8, hash: [u8; 32]) -> Result<(), ChainError>;
    /// `reveal_mechanism_weights` (`reveal_weights` for mechanism 0).
    #[allow(clippy::too_many_arguments)]
    async fn reveal_mechanism_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        uids: &[u16],
        values: &[u16],
        salt: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError>;

    /// `commit_timelocked_mechanism_weights` (`commit_timelocked_weights` for mechanism
    /// 0): weights encrypted to drand round `reveal_round`, which the chain decrypts and
    /// sets itself in the reveal epoch (commit-reveal version 4). `commit_reveal_version`
    /// must be the chain's `CommitRevealWeightsVersion`.
    #[allow(clippy::too_many_arguments)]
    async fn commit_timelocked_weights(
        &self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        commit: &[u8],
        reveal_round: u64,
        commit_reveal_version: u16,
    ) -> Result<(), ChainError>;
    /// What a validator needs to time-lock its weights on `netuid`: the drand beacon's
    /// key and latest stored round, the commit-reveal version and the blocks until the
    /// reveal epoch.
    async fn timelock_context(&self, netuid: NetUid) -> Result<TimelockContext, ChainError>;

    /// The subnet's neurons as the chain stores them (UIDs, hotkeys, stake, axons, the
    /// last epoch's results).
    async fn metagraph(&self, netuid: NetUid) -> Result<Metagraph, ChainError>;
    /// The TLS keys the subnet's neurons published with `serve_axon_tls`, by hotkey
    /// (`NeuronCertificates`).
    async fn neuron_certificates(&self, netuid: NetUid) -> Result<HashMap<AccountId, NeuronCertificate>, ChainError>;
    /// The subnet's hyperparameters (Subtensor's `get_subnet_hyperparams`).
    async fn hyperparameters(&self, netuid: NetUid) -> Result<SubnetHyperparameters, ChainError>;
    /// The free balance of `account`, rao (`System::Account`).
    async fn balance(&self, account: AccountId) -> Result<Balance, ChainError>;
}
