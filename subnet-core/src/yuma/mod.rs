//! Yuma Consensus: the epoch math that turns validators' weights and stake into
//! consensus, incentive, dividends, bonds and emission, bit for bit as Subtensor
//! computes it (`substrate-fixed` arithmetic, the chain's order of operations).
//!
//! - [`run_epoch`] runs one epoch over a borrowed [`SubnetState`].
//! - [`scenario`] reads the JSON scenario format of `docs/yuma-scenario.md`
//!   and runs it over several epochs, carrying state between them as the chain does.

mod epoch;
pub(crate) mod fixed_math;
mod lanes;
#[cfg(test)]
mod reference;
pub mod scenario;

pub use epoch::{alpha_sigmoid, run_epoch};

/// How many weight cells the dense epoch handles per instruction on this machine: 8 with
/// AVX-512, 4 with AVX2, 1 otherwise (`SUBNET_YUMA_LANES=1|4|8` caps it).
pub fn lane_width() -> usize {
    lanes::Simd::detect().width()
}
#[cfg(test)]
use epoch::dense_epochs;

use serde::Serialize;

/// Subnet hyperparameters that the epoch reads, in the chain's storage units.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochParams {
    /// Consensus majority, u16 proportion (32767 ≈ 0.5).
    pub kappa: u16,
    /// Bond EMA memory, per million (900_000 = 0.9).
    pub bonds_moving_average: u64,
    /// Validator permits given at each epoch, top by stake (`MaxAllowedValidators`).
    pub max_allowed_validators: u16,
    /// Blocks after its last weight update before a neuron counts as inactive.
    pub activity_cutoff: u64,
    /// Bonds follow each pair's consensus with a per-cell alpha (`LiquidAlphaOn`).
    pub liquid_alpha_enabled: bool,
    /// Lower bound of liquid alpha, u16 proportion (`AlphaValues`).
    pub alpha_low: u16,
    /// Upper bound of liquid alpha, u16 proportion (`AlphaValues`).
    pub alpha_high: u16,
    /// Steepness of liquid alpha's sigmoid (`AlphaSigmoidSteepness`).
    pub alpha_sigmoid_steepness: i16,
    /// Bonds and dividends computed with Yuma 3's rules (`Yuma3On`).
    pub yuma3_enabled: bool,
    /// u16 proportion: 0 = bonds follow raw weights, 65535 = clipped weights.
    pub bonds_penalty: u16,
    /// Minimum stake (rao) to count in the epoch.
    pub stake_threshold: u64,
    /// Blocks between epochs (`Tempo`).
    pub tempo: u16,
}

impl Default for EpochParams {
    /// Subtensor runtime defaults (`runtime/src/lib.rs`, `SubtensorInitial*`).
    fn default() -> Self {
        Self {
            kappa: 32_767,
            bonds_moving_average: 900_000,
            max_allowed_validators: 128,
            activity_cutoff: 5_000,
            liquid_alpha_enabled: false,
            alpha_low: 45_875,
            alpha_high: 58_982,
            alpha_sigmoid_steepness: 1_000,
            yuma3_enabled: false,
            bonds_penalty: u16::MAX,
            stake_threshold: 0,
            tempo: 360,
        }
    }
}

/// The stored subnet state an epoch reads; every vector has one entry per UID.
#[derive(Clone, Debug)]
pub struct SubnetState<'a> {
    /// Block at which the epoch runs.
    pub block: u64,
    /// Block of the previous successful epoch (the chain's `LastMechansimStepBlock`), 0 if none.
    pub last_epoch_block: u64,
    /// Emission to distribute this epoch (rao).
    pub emission: u64,
    /// Stake per UID (rao).
    pub stake: &'a [u64],
    /// Block of each UID's last weights (`LastUpdate`).
    pub last_update: &'a [u64],
    /// Block at which each UID's hotkey registered (`BlockAtRegistration`).
    pub block_at_registration: &'a [u64],
    /// Permits stored before this epoch.
    pub validator_permit: &'a [bool],
    /// Stored weights: sparse u16 rows, max-upscaled as `set_weights` stores them.
    pub weights: &'a [Vec<(u16, u16)>],
    /// Stored bonds: sparse u16 rows.
    pub bonds: &'a [Vec<(u16, u16)>],
    /// UID of the subnet owner's hotkey, if registered.
    pub owner_uid: Option<u16>,
    /// With commit-reveal on: per UID, the block of its earliest unexpired commit
    /// (`u64::MAX` for none). `None` when commit-reveal is off.
    pub commit_blocks: Option<&'a [u64]>,
}

impl SubnetState<'_> {
    fn check(&self) -> Result<(), YumaError> {
        let n = self.stake.len();
        if n > u16::MAX as usize + 1 {
            return Err(YumaError::TooManyUids(n));
        }
        let lens = [
            ("last_update", self.last_update.len()),
            ("block_at_registration", self.block_at_registration.len()),
            ("validator_permit", self.validator_permit.len()),
            ("weights", self.weights.len()),
            ("bonds", self.bonds.len()),
            ("commit_blocks", self.commit_blocks.map_or(n, |c| c.len())),
        ];
        for (field, len) in lens {
            if len != n {
                return Err(YumaError::LengthMismatch { field, len, n });
            }
        }
        Ok(())
    }
}

/// What the chain stores after an epoch (u16 proportions, 65535 = 1.0; rao for emission).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EpochOutput {
    /// The block the epoch ran at.
    pub block: u64,
    /// Weights set within the activity cutoff (`Active`).
    pub active: Vec<bool>,
    /// Permits for the next epoch, top `max_allowed_validators` by stake (`ValidatorPermit`).
    pub validator_permit: Vec<bool>,
    /// Each UID's share of the stake (stake below `stake_threshold` counts as 0).
    pub stake_weight: Vec<u16>,
    /// The weight the stake majority (`kappa`) gives each miner (`Consensus`).
    pub consensus: Vec<u16>,
    /// Stake-weighted sum of weights clipped at consensus (`Rank`).
    pub rank: Vec<u16>,
    /// Share of a miner's weight that survives clipping (`Trust`).
    pub trust: Vec<u16>,
    /// Share of a validator's weights that survives clipping (`ValidatorTrust`).
    pub validator_trust: Vec<u16>,
    /// A miner's share of the miners' emission (`Incentive`).
    pub incentive: Vec<u16>,
    /// A validator's share of the validators' emission (`Dividends`).
    pub dividends: Vec<u16>,
    /// Emission share, max-upscaled; the lowest is replaced first when the subnet is full
    /// (`PruningScores`).
    pub pruning_score: Vec<u16>,
    /// The chain's `Emission` storage: combined share of the epoch emission.
    pub emission: Vec<u64>,
    /// Miners' part (by incentive) of the epoch emission.
    pub server_emission: Vec<u64>,
    /// Validators' part (by dividends) of the epoch emission.
    pub validator_emission: Vec<u64>,
    /// Bonds rows as stored (empty for neurons without a permit).
    #[serde(skip)]
    pub bonds: Vec<Vec<(u16, u16)>>,
}

/// Why an epoch could not run over a state.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum YumaError {
    /// A per-UID vector's length differs from the number of UIDs (the stake vector's).
    #[error("{field} has {len} entries but the subnet has {n} UIDs")]
    LengthMismatch {
        /// The field of [`SubnetState`].
        field: &'static str,
        /// Its length.
        len: usize,
        /// The number of UIDs.
        n: usize,
    },
    /// More UIDs than a u16 can index.
    #[error("a subnet holds at most 65536 UIDs, got {0}")]
    TooManyUids(usize),
}
