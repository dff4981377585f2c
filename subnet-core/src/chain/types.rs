//! Values that cross the `Chain` trait: accounts, axon info, TLS certificates,
//! hyperparameters, metagraph.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A subnet's identifier on the chain (Subtensor's `NetUid`; 0 is the root network).
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
    /// The account this signer signs for (its public key).
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
    /// The neuron software's version, as announced.
    pub version: u32,
    /// IPv4 in the low 32 bits, or IPv6, as the chain stores it.
    pub ip: u128,
    /// The port it listens on.
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
    /// A transport code the neuron announces; the chain stores it without reading it.
    pub protocol: u8,
}

/// A neuron's TLS public key as `serve_axon_tls` publishes it (Subtensor's
/// `NeuronCertificate`, `pallets/subtensor/src/lib.rs`: `public_key:
/// BoundedVec<u8, ConstU32<64>>, algorithm: u8`). The chain defines no algorithm codes;
/// we follow bittensor-pylon's: [`NeuronCertificate::ED25519`], a raw 32-byte key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NeuronCertificate {
    /// What kind of key `public_key` is (the certificate's first byte).
    pub algorithm: u8,
    /// The key itself, at most [`NeuronCertificate::MAX_KEY_LEN`] bytes.
    pub public_key: Vec<u8>,
}

impl NeuronCertificate {
    /// Algorithm code of an Ed25519 key, raw 32 bytes (bittensor-pylon's
    /// `CertificateAlgorithm.ED25519`).
    pub const ED25519: u8 = 1;
    /// The longest key the chain stores (`ConstU32<64>`).
    pub const MAX_KEY_LEN: usize = 64;

    /// An Ed25519 certificate for `key`.
    pub fn ed25519(key: [u8; 32]) -> Self {
        Self { algorithm: Self::ED25519, public_key: key.to_vec() }
    }

    /// The chain's `TryFrom<Vec<u8>>`: byte 0 is the algorithm, the rest the key;
    /// `None` when empty or longer than 65 bytes (the chain then stores nothing and
    /// still serves the axon). One byte alone is a valid certificate with an empty key.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (&algorithm, key) = bytes.split_first()?;
        (key.len() <= Self::MAX_KEY_LEN).then(|| Self { algorithm, public_key: key.to_vec() })
    }

    /// The bytes `serve_axon_tls` takes: the algorithm, then the key.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + self.public_key.len());
        out.push(self.algorithm);
        out.extend_from_slice(&self.public_key);
        out
    }

    /// The Ed25519 key, if this certificate is one (algorithm 1, exactly 32 bytes).
    pub fn ed25519_key(&self) -> Option<[u8; 32]> {
        if self.algorithm != Self::ED25519 {
            return None;
        }
        self.public_key.as_slice().try_into().ok()
    }
}

/// What a validator reads before it encrypts weights to the drand round at which the
/// chain reveals them (commit-reveal version 4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelockContext {
    /// `CommitRevealWeightsVersion`: 4 means timelocked commits; a commit must carry it.
    pub commit_reveal_version: u16,
    /// `Drand::BeaconConfig.public_key`: the beacon's key, compressed G2 (96 bytes);
    /// quicknet's on finney, the local beacon's on a local chain.
    pub beacon_public_key: Vec<u8>,
    /// `Drand::BeaconConfig.period`: seconds between rounds.
    pub beacon_period_secs: u32,
    /// `Drand::LastStoredRound`: the newest pulse on chain.
    pub last_stored_round: u64,
    /// Seconds per block.
    pub block_time_secs: u64,
    /// The block this was read at.
    pub block: u64,
    /// The first block of the epoch in which the chain reveals a commit made now.
    pub first_reveal_block: u64,
}

impl TimelockContext {
    /// The round to encrypt a commit made now to: the newest round on chain plus the
    /// rounds the beacon publishes until a few blocks into the reveal epoch
    /// (`drand::reveal_round::round_by_chain`, bittensor-drand's target counted from
    /// the chain's rounds instead of the wall clock, so it also holds on a local chain
    /// whose time is its block count). The chain retries a commit whose pulse is not
    /// stored yet in every block of that epoch (`reveal_crv3_commits_for_subnet`).
    pub fn reveal_round(&self) -> u64 {
        crate::drand::reveal_round::round_by_chain(
            self.first_reveal_block,
            self.block,
            std::time::Duration::from_secs(self.block_time_secs),
            self.last_stored_round,
            std::time::Duration::from_secs(self.beacon_period_secs.max(1) as u64),
        )
    }
}

/// The subnet hyperparameters a neuron or tool reads, in the chain's units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubnetHyperparameters {
    /// Blocks between epochs (`Tempo`).
    pub tempo: u16,
    /// Stake share that must back a weight for it to be consensus, u16 scale (`Kappa`).
    pub kappa: u16,
    /// Blocks after registration during which a neuron is not pruned (`ImmunityPeriod`).
    pub immunity_period: u16,
    /// UID slots on the subnet (`MaxAllowedUids`).
    pub max_allowed_uids: u16,
    /// Validator permits given at each epoch, by stake (`MaxAllowedValidators`).
    pub max_allowed_validators: u16,
    /// Fewest entries a weights submission may carry (`MinAllowedWeights`).
    pub min_allowed_weights: u16,
    /// Largest normalised weight, u16 scale, 65535 = 1.0 (`MaxWeightsLimit`).
    pub max_weight_limit: u16,
    /// Blocks between two weight submissions by one hotkey (`WeightsSetRateLimit`).
    pub weights_set_rate_limit: u64,
    /// Lowest version key `set_weights` accepts (`WeightsVersionKey`; 0 accepts any).
    pub weights_version_key: u64,
    /// Weights go through commit then reveal (`CommitRevealWeightsEnabled`).
    pub commit_reveal_enabled: bool,
    /// Epochs after a commit before its weights may be revealed (`RevealPeriodEpochs`).
    pub reveal_period_epochs: u64,
    /// Inactive after `max(1, factor_milli * tempo / 1000)` blocks without weights
    /// (chain: `ActivityCutoffFactorMilli`, 1000..=50000).
    pub activity_cutoff_factor_milli: u32,
    /// Lowest registration burn, rao (`MinBurn`).
    pub min_burn: Balance,
    /// Highest registration burn, rao (`MaxBurn`).
    pub max_burn: Balance,
    /// Bonds EMA factor, per million: alpha = 1 - value / 10^6 (`BondsMovingAverage`).
    pub bonds_moving_average: u64,
    /// How much bonds to weights above consensus are cut, u16 scale (`BondsPenalty`).
    pub bonds_penalty: u16,
    /// Bonds follow each pair's consensus with a per-cell alpha (`LiquidAlphaOn`).
    pub liquid_alpha_enabled: bool,
    /// Lower bound of liquid alpha, u16 scale (`AlphaValues`).
    pub alpha_low: u16,
    /// Upper bound of liquid alpha, u16 scale (`AlphaValues`).
    pub alpha_high: u16,
    /// Bonds computed with Yuma 3's rules (`Yuma3On`).
    pub yuma3_enabled: bool,
    /// Burned registration is open (`NetworkRegistrationAllowed`).
    pub registration_allowed: bool,
    /// Burn halves every this many blocks (0: no decay).
    pub burn_half_life: u16,
    /// Burn is multiplied by this after each registration (chain: a U64F64, 1.26).
    pub burn_increase_mult: f64,
    /// Pruning picks among non-immune neurons only while more than this many exist
    /// (`MinNonImmuneUids`).
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
    /// `sudo_set_tempo`: see [`SubnetHyperparameters::tempo`].
    Tempo(u16),
    /// `sudo_set_kappa`: see [`SubnetHyperparameters::kappa`].
    Kappa(u16),
    /// `sudo_set_immunity_period`: see [`SubnetHyperparameters::immunity_period`].
    ImmunityPeriod(u16),
    /// `sudo_set_max_allowed_uids`: see [`SubnetHyperparameters::max_allowed_uids`].
    MaxAllowedUids(u16),
    /// `sudo_set_max_allowed_validators`: see
    /// [`SubnetHyperparameters::max_allowed_validators`].
    MaxAllowedValidators(u16),
    /// `sudo_set_weights_set_rate_limit`: see
    /// [`SubnetHyperparameters::weights_set_rate_limit`].
    WeightsSetRateLimit(u64),
    /// `sudo_set_weights_version_key`: see [`SubnetHyperparameters::weights_version_key`].
    WeightsVersionKey(u64),
    /// `sudo_set_min_allowed_weights`: see [`SubnetHyperparameters::min_allowed_weights`].
    MinAllowedWeights(u16),
    /// `sudo_set_max_weight_limit`: see [`SubnetHyperparameters::max_weight_limit`].
    MaxWeightLimit(u16),
    /// `sudo_set_commit_reveal_weights_enabled`: see
    /// [`SubnetHyperparameters::commit_reveal_enabled`].
    CommitRevealWeightsEnabled(bool),
    /// `sudo_set_commit_reveal_weights_interval`: see
    /// [`SubnetHyperparameters::reveal_period_epochs`].
    RevealPeriodEpochs(u64),
    /// `SubtensorModule::set_activity_cutoff_factor`: see
    /// [`SubnetHyperparameters::activity_cutoff_factor_milli`].
    ActivityCutoffFactorMilli(u32),
    /// `sudo_set_min_burn`: see [`SubnetHyperparameters::min_burn`].
    MinBurn(Balance),
    /// `sudo_set_max_burn`: see [`SubnetHyperparameters::max_burn`].
    MaxBurn(Balance),
    /// `sudo_set_bonds_moving_average`: see [`SubnetHyperparameters::bonds_moving_average`].
    BondsMovingAverage(u64),
    /// `sudo_set_bonds_penalty`: see [`SubnetHyperparameters::bonds_penalty`].
    BondsPenalty(u16),
    /// `sudo_set_liquid_alpha_enabled`: see [`SubnetHyperparameters::liquid_alpha_enabled`].
    LiquidAlphaEnabled(bool),
    /// `sudo_set_alpha_values`: the bounds of liquid alpha.
    AlphaValues {
        /// See [`SubnetHyperparameters::alpha_low`].
        low: u16,
        /// See [`SubnetHyperparameters::alpha_high`].
        high: u16,
    },
    /// `sudo_set_yuma3_enabled`: see [`SubnetHyperparameters::yuma3_enabled`].
    Yuma3Enabled(bool),
    /// `sudo_set_network_registration_allowed`: see
    /// [`SubnetHyperparameters::registration_allowed`].
    RegistrationAllowed(bool),
    /// `sudo_set_min_non_immune_uids`: see [`SubnetHyperparameters::min_non_immune_uids`].
    MinNonImmuneUids(u16),
    /// `sudo_set_serving_rate_limit`: see [`SubnetHyperparameters::serving_rate_limit`].
    ServingRateLimit(u64),
    /// `sudo_set_burn_half_life`: see [`SubnetHyperparameters::burn_half_life`].
    BurnHalfLife(u16),
    /// `sudo_set_burn_increase_mult`: see [`SubnetHyperparameters::burn_increase_mult`].
    BurnIncreaseMult(f64),
    /// `sudo_set_mechanism_count`: the subnet's number of incentive mechanisms
    /// (`MechanismCountCurrent`; at most `MaxMechanismCount`, and `max_allowed_uids`
    /// times the count at most 256).
    MechanismCount(u8),
    /// `sudo_set_mechanism_emission_split`: each mechanism's share of the subnet's
    /// emission, u16 proportions summing to 65535 (`None`: even).
    MechanismEmissionSplit(Option<Vec<u16>>),
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
    /// The sudo key, through `Sudo::sudo`.
    Root,
    /// A call signed by this account.
    Signed(AccountId),
}

/// Per-UID view of a subnet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NeuronInfo {
    /// The neuron's UID: its index in the subnet's storage maps.
    pub uid: u16,
    /// The hotkey registered at this UID (`Keys`).
    pub hotkey: AccountId,
    /// The coldkey owning the hotkey (`Owner`).
    pub coldkey: AccountId,
    /// Total stake on the hotkey on this subnet (rao).
    pub stake: Balance,
    /// Set weights within the activity cutoff, as of the last epoch (`Active`).
    pub active: bool,
    /// Holds a validator permit from the last epoch (`ValidatorPermit`).
    pub validator_permit: bool,
    /// Block of the neuron's last weights (`LastUpdate`; registration sets it too).
    pub last_update: u64,
    /// Block at which the hotkey registered at this UID (`BlockAtRegistration`).
    pub registered_at: u64,
    /// Where the neuron serves (`Axons`); `None` if it never called `serve_axon`.
    pub axon: Option<AxonInfo>,
    /// Last epoch's rank, u16 scale (`Rank`).
    pub rank: u16,
    /// Last epoch's trust, u16 scale (`Trust`).
    pub trust: u16,
    /// Last epoch's consensus weight, u16 scale (`Consensus`).
    pub consensus: u16,
    /// Last epoch's validator trust, u16 scale (`ValidatorTrust`).
    pub validator_trust: u16,
    /// Last epoch's incentive share, u16 scale (`Incentive`): a miner's share of emission.
    pub incentive: u16,
    /// Last epoch's dividends share, u16 scale (`Dividends`): a validator's share.
    pub dividends: u16,
    /// Emission at the last epoch (rao).
    pub emission: Balance,
    /// This neuron's weights row, `(uid, weight)` on the u16 scale (`Weights`).
    pub weights: Vec<(u16, u16)>,
    /// This neuron's bonds row, `(uid, bond)` on the u16 scale (`Bonds`).
    pub bonds: Vec<(u16, u16)>,
}

/// A subnet's state as neurons see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metagraph {
    /// The subnet.
    pub netuid: NetUid,
    /// The block the state was read at.
    pub block: u64,
    /// Every neuron, indexed by UID.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_follow_the_chains_try_from() {
        // Byte 0 is the algorithm, the rest the key, at most 64 bytes.
        let ed = NeuronCertificate::ed25519([9; 32]);
        assert_eq!(ed.to_bytes().len(), 33);
        assert_eq!(NeuronCertificate::from_bytes(&ed.to_bytes()), Some(ed.clone()));
        assert_eq!(ed.ed25519_key(), Some([9; 32]));
        assert_eq!(NeuronCertificate::from_bytes(&[]), None);
        assert_eq!(NeuronCertificate::from_bytes(&[1; 66]), None);
        assert_eq!(NeuronCertificate::from_bytes(&[1; 65]).map(|c| c.public_key.len()), Some(64));
        assert_eq!(NeuronCertificate::from_bytes(&[7]), Some(NeuronCertificate { algorithm: 7, public_key: vec![] }));
        // Only algorithm 1 with exactly 32 bytes is an Ed25519 key.
        assert_eq!(NeuronCertificate { algorithm: 2, public_key: vec![9; 32] }.ed25519_key(), None);
        assert_eq!(NeuronCertificate { algorithm: 1, public_key: vec![9; 31] }.ed25519_key(), None);
    }
}
