//! Values that cross the `Chain` trait: accounts, axon info, hyperparameters, metagraph.

use std::fmt;

use serde::{Deserialize, Serialize};

pub type NetUid = u16;
/// Amounts in rao (1 TAO = 10^9 rao). The local chain models a stable (1:1) subnet
/// mechanism, so TAO and alpha amounts are the same numbers.
pub type Balance = u64;

/// Rao in one TAO (Subtensor's balances have 9 decimals).
pub const RAO_PER_TAO: Balance = 1_000_000_000;

/// A 32-byte account (an sr25519 public key), as Substrate's `AccountId32`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountId(pub [u8; 32]);

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x")?;
        for b in &self.0[..4] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…")
    }
}

/// Who signs an extrinsic. The local chain trusts the account id in-process; the
/// Subtensor client signs with the key behind it.
pub trait Signer: Send + Sync {
    fn account_id(&self) -> AccountId;
    /// An sr25519 signature (Substrate signing context) over an extrinsic's signing
    /// payload. `None` when this signer only names an account, which the in-process
    /// chain accepts and a remote chain refuses.
    fn sign_extrinsic(&self, _payload: &[u8]) -> Option<[u8; 64]> {
        None
    }
}

impl Signer for AccountId {
    fn account_id(&self) -> AccountId {
        *self
    }
}

/// A neuron's published endpoint (`serve_axon`), as the chain's `AxonInfo`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AxonInfo {
    /// Block at which it was served.
    pub block: u64,
    pub version: u32,
    /// IPv4 in the low 32 bits, or IPv6, as the chain stores it.
    pub ip: u128,
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
    pub protocol: u8,
}

/// The subnet hyperparameters a neuron or tool reads, in the chain's units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubnetHyperparameters {
    pub tempo: u16,
    pub kappa: u16,
    pub immunity_period: u16,
    pub max_allowed_uids: u16,
    pub max_allowed_validators: u16,
    pub min_allowed_weights: u16,
    pub max_weight_limit: u16,
    pub weights_set_rate_limit: u64,
    pub weights_version_key: u64,
    pub commit_reveal_enabled: bool,
    pub reveal_period_epochs: u64,
    /// Inactive after `max(1, factor_milli * tempo / 1000)` blocks without weights
    /// (chain: `ActivityCutoffFactorMilli`, 1000..=50000).
    pub activity_cutoff_factor_milli: u32,
    pub min_burn: Balance,
    pub max_burn: Balance,
    pub bonds_moving_average: u64,
    pub bonds_penalty: u16,
    pub liquid_alpha_enabled: bool,
    pub alpha_low: u16,
    pub alpha_high: u16,
    pub yuma3_enabled: bool,
    pub registration_allowed: bool,
    /// Burn halves every this many blocks (0: no decay).
    pub burn_half_life: u16,
    /// Burn is multiplied by this after each registration (chain: a U64F64, 1.26).
    pub burn_increase_mult: f64,
    pub min_non_immune_uids: u16,
    /// Blocks between two `serve_axon` of the same hotkey (0: no limit).
    pub serving_rate_limit: u64,
}

impl SubnetHyperparameters {
    /// Chain: `get_activity_cutoff_blocks`.
    pub fn activity_cutoff_blocks(&self) -> u64 {
        (self.activity_cutoff_factor_milli as u64 * self.tempo as u64 / 1000).max(1)
    }
}

/// One admin setter (the chain's `AdminUtils::sudo_set_*`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Hyperparameter {
    Tempo(u16),
    Kappa(u16),
    ImmunityPeriod(u16),
    MaxAllowedUids(u16),
    MaxAllowedValidators(u16),
    WeightsSetRateLimit(u64),
    WeightsVersionKey(u64),
    MinAllowedWeights(u16),
    MaxWeightLimit(u16),
    CommitRevealWeightsEnabled(bool),
    RevealPeriodEpochs(u64),
    ActivityCutoffFactorMilli(u32),
    MinBurn(Balance),
    MaxBurn(Balance),
    BondsMovingAverage(u64),
    BondsPenalty(u16),
    LiquidAlphaEnabled(bool),
    AlphaValues { low: u16, high: u16 },
    Yuma3Enabled(bool),
    RegistrationAllowed(bool),
    MinNonImmuneUids(u16),
    ServingRateLimit(u64),
}

impl Hyperparameter {
    /// Subtensor's `AdminUtils` lets only root set these (`ensure_root`: the sudo key
    /// through `Sudo::sudo`); the others take the subnet owner or root
    /// (`ensure_sn_owner_or_root_with_limits`), as of opentensor/subtensor @ 14bc6f9f.
    pub fn root_only(&self) -> bool {
        use Hyperparameter as H;
        matches!(
            self,
            H::Tempo(_) | H::Kappa(_) | H::WeightsSetRateLimit(_) | H::MaxAllowedValidators(_) | H::RegistrationAllowed(_) | H::MinNonImmuneUids(_)
        )
    }
}

/// Who dispatches an admin call: root (the sudo key through `Sudo::sudo`) or a signed
/// account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Root,
    Signed(AccountId),
}

/// Per-UID view of a subnet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeuronInfo {
    pub uid: u16,
    pub hotkey: AccountId,
    pub coldkey: AccountId,
    /// Total stake on the hotkey on this subnet (rao).
    pub stake: Balance,
    pub active: bool,
    pub validator_permit: bool,
    pub last_update: u64,
    pub registered_at: u64,
    pub axon: Option<AxonInfo>,
    pub rank: u16,
    pub trust: u16,
    pub consensus: u16,
    pub validator_trust: u16,
    pub incentive: u16,
    pub dividends: u16,
    /// Emission at the last epoch (rao).
    pub emission: Balance,
    pub weights: Vec<(u16, u16)>,
    pub bonds: Vec<(u16, u16)>,
}

/// A subnet's state as neurons see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metagraph {
    pub netuid: NetUid,
    pub block: u64,
    pub neurons: Vec<NeuronInfo>,
}

impl Signer for crate::keys::Keypair {
    fn account_id(&self) -> AccountId {
        AccountId(self.public_key().0)
    }
    fn sign_extrinsic(&self, payload: &[u8]) -> Option<[u8; 64]> {
        Some(self.sign(payload))
    }
}

impl From<crate::keys::PublicKey> for AccountId {
    fn from(k: crate::keys::PublicKey) -> Self {
        AccountId(k.0)
    }
}

impl AccountId {
    /// The SS58 address (prefix 42), as Bittensor shows accounts.
    pub fn ss58(&self) -> String {
        crate::keys::PublicKey(self.0).ss58()
    }
}
