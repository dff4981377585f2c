//! `SubnetInfoRuntimeApi`'s subnet records and hyperparameters
//! (`pallets/subtensor/src/rpc_info/subnet_info.rs`), its small queries
//! (`get_subnet_to_prune`, `get_subnet_account_id`, `get_next_epoch_start_block`,
//! `get_coldkey_auto_stake_hotkey`), and `SubnetRegistrationRuntimeApi`.
//!
//! Modelled: every hyperparameter the local chain keeps, neuron count, burn, owner,
//! tempo and epoch timing, whether the subnet has started (`subnet_is_active`).
//! Constants, as Subtensor's defaults for a new subnet (`runtime/src/lib.rs`
//! `SubtensorInitial*`): rho 10, difficulty and min difficulty 10_000_000, max
//! difficulty `u64::MAX / 4`, scaling law power 50, adjustment interval 100,
//! adjustment alpha 0, target registrations per interval 2, max registrations per
//! block 1, alpha sigmoid steepness 1000 (the value the local epoch uses), transfers
//! enabled, bonds reset off, owner cut on and not auto-locked, min childkey take 0;
//! and the fields Subtensor itself fixes (network modality 0, no network connections,
//! emission value 0, user liquidity off). No identities are kept (`identity: None`).
//! The network registration cost is the chain's fixed lock cost (Subtensor's doubles
//! after each registration and decays back; the local chain does not model that).

use codec::{Compact, Decode, Encode};
use scale_info::TypeInfo;
use substrate_fixed::types::U64F64 as FixedU64F64;

use super::types::{SubnetIdentityV3, I32F32, U64F64};
use crate::chain::local::LocalChain;
use crate::chain::node::pallets::AccountId32;

/// `SubtensorInitialRho`.
pub(crate) const RHO: u16 = 10;
/// `SubtensorInitialDifficulty` (also the minimum, `SubtensorInitialMinDifficulty`).
pub(crate) const DIFFICULTY: u64 = 10_000_000;
/// `SubtensorInitialMaxDifficulty`.
pub(crate) const MAX_DIFFICULTY: u64 = u64::MAX / 4;
/// `SubtensorInitialScalingLawPower`.
const SCALING_LAW_POWER: u16 = 50;
/// `SubtensorInitialAdjustmentInterval`.
pub(crate) const ADJUSTMENT_INTERVAL: u16 = 100;
/// `SubtensorInitialAdjustmentAlpha`.
pub(crate) const ADJUSTMENT_ALPHA: u64 = 0;
/// `SubtensorInitialTargetRegistrationsPerInterval`.
pub(crate) const TARGET_REGS_PER_INTERVAL: u16 = 2;
/// `SubtensorInitialMaxRegistrationsPerBlock`.
pub(crate) const MAX_REGS_PER_BLOCK: u16 = 1;
/// `SubtensorInitialAlphaSigmoidSteepness`, as the local epoch also uses it.
const ALPHA_SIGMOID_STEEPNESS: i64 = 1_000;
/// `SubtensorInitialNetworkImmunity`: blocks a new subnet cannot be pruned.
const NETWORK_IMMUNITY_PERIOD: u64 = 1_296_000;
/// `SubtensorPalletId`, whose sub-accounts hold each subnet's TAO.
const SUBTENSOR_PALLET_ID: &[u8; 8] = b"subtensr";

/// `SubnetInfo<AccountId>` (`get_subnet_info`).
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetInfo {
    pub netuid: Compact<u16>,
    pub rho: Compact<u16>,
    pub kappa: Compact<u16>,
    pub difficulty: Compact<u64>,
    pub immunity_period: Compact<u16>,
    pub max_allowed_validators: Compact<u16>,
    pub min_allowed_weights: Compact<u16>,
    pub max_weights_limit: Compact<u16>,
    pub scaling_law_power: Compact<u16>,
    pub subnetwork_n: Compact<u16>,
    pub max_allowed_uids: Compact<u16>,
    pub blocks_since_last_step: Compact<u64>,
    pub tempo: Compact<u16>,
    pub network_modality: Compact<u16>,
    pub network_connect: Vec<[u16; 2]>,
    pub emission_values: Compact<u64>,
    pub burn: Compact<u64>,
    pub owner: AccountId32,
}

/// `SubnetInfov2<AccountId>` (`get_subnet_info_v2`): v1 with the identity.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetInfov2 {
    pub netuid: Compact<u16>,
    pub rho: Compact<u16>,
    pub kappa: Compact<u16>,
    pub difficulty: Compact<u64>,
    pub immunity_period: Compact<u16>,
    pub max_allowed_validators: Compact<u16>,
    pub min_allowed_weights: Compact<u16>,
    pub max_weights_limit: Compact<u16>,
    pub scaling_law_power: Compact<u16>,
    pub subnetwork_n: Compact<u16>,
    pub max_allowed_uids: Compact<u16>,
    pub blocks_since_last_step: Compact<u64>,
    pub tempo: Compact<u16>,
    pub network_modality: Compact<u16>,
    pub network_connect: Vec<[u16; 2]>,
    pub emission_value: Compact<u64>,
    pub burn: Compact<u64>,
    pub owner: AccountId32,
    pub identity: Option<SubnetIdentityV3>,
}

/// `SubnetHyperparams` (`get_subnet_hyperparams`, deprecated on the chain).
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetHyperparams {
    pub rho: Compact<u16>,
    pub kappa: Compact<u16>,
    pub immunity_period: Compact<u16>,
    pub min_allowed_weights: Compact<u16>,
    pub max_weights_limit: Compact<u16>,
    pub tempo: Compact<u16>,
    pub min_difficulty: Compact<u64>,
    pub max_difficulty: Compact<u64>,
    pub weights_version: Compact<u64>,
    pub weights_rate_limit: Compact<u64>,
    pub adjustment_interval: Compact<u16>,
    pub activity_cutoff: Compact<u64>,
    pub registration_allowed: bool,
    pub target_regs_per_interval: Compact<u16>,
    pub min_burn: Compact<u64>,
    pub max_burn: Compact<u64>,
    pub bonds_moving_avg: Compact<u64>,
    pub max_regs_per_block: Compact<u16>,
    pub serving_rate_limit: Compact<u64>,
    pub max_validators: Compact<u16>,
    pub adjustment_alpha: Compact<u64>,
    pub difficulty: Compact<u64>,
    pub commit_reveal_period: Compact<u64>,
    pub commit_reveal_weights_enabled: bool,
    pub alpha_high: Compact<u16>,
    pub alpha_low: Compact<u16>,
    pub liquid_alpha_enabled: bool,
}

/// `SubnetHyperparamsV2` (`get_subnet_hyperparams_v2`, deprecated on the chain).
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetHyperparamsV2 {
    pub rho: Compact<u16>,
    pub kappa: Compact<u16>,
    pub immunity_period: Compact<u16>,
    pub min_allowed_weights: Compact<u16>,
    pub max_weights_limit: Compact<u16>,
    pub tempo: Compact<u16>,
    pub min_difficulty: Compact<u64>,
    pub max_difficulty: Compact<u64>,
    pub weights_version: Compact<u64>,
    pub weights_rate_limit: Compact<u64>,
    pub adjustment_interval: Compact<u16>,
    pub activity_cutoff: Compact<u64>,
    pub registration_allowed: bool,
    pub target_regs_per_interval: Compact<u16>,
    pub min_burn: Compact<u64>,
    pub max_burn: Compact<u64>,
    pub bonds_moving_avg: Compact<u64>,
    pub max_regs_per_block: Compact<u16>,
    pub serving_rate_limit: Compact<u64>,
    pub max_validators: Compact<u16>,
    pub adjustment_alpha: Compact<u64>,
    pub difficulty: Compact<u64>,
    pub commit_reveal_period: Compact<u64>,
    pub commit_reveal_weights_enabled: bool,
    pub alpha_high: Compact<u16>,
    pub alpha_low: Compact<u16>,
    pub liquid_alpha_enabled: bool,
    pub alpha_sigmoid_steepness: I32F32,
    pub yuma_version: Compact<u16>,
    pub subnet_is_active: bool,
    pub transfers_enabled: bool,
    pub bonds_reset_enabled: bool,
    pub user_liquidity_enabled: bool,
}

/// `HyperparamValue` (`get_subnet_hyperparams_v3`): a tagged value.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum HyperparamValue {
    Bool(bool),
    U16(Compact<u16>),
    U32(Compact<u32>),
    U64(Compact<u64>),
    U128(Compact<u128>),
    TaoBalance(Compact<u64>),
    I32F32(I32F32),
    U64F64(U64F64),
}

/// `HyperparamEntry`: one named hyperparameter.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct HyperparamEntry {
    pub name: Vec<u8>,
    pub value: HyperparamValue,
}

/// What the records share, read once from the chain.
struct Record {
    n: u16,
    burn: u64,
    owner: AccountId32,
    blocks_since_last_step: u64,
    started: bool,
    h: crate::chain::SubnetHyperparameters,
}

fn record(chain: &LocalChain, netuid: u16) -> Option<Record> {
    let s = chain.subnet(netuid).ok()?;
    Some(Record {
        n: s.n() as u16,
        burn: s.burn,
        owner: AccountId32(s.owner_coldkey.0),
        // Chain: `BlocksSinceLastStep`, reset when an epoch runs.
        blocks_since_last_step: chain.block().saturating_sub(s.last_epoch_block),
        started: s.first_emission_block.is_some(),
        h: s.hyper.clone(),
    })
}

fn yuma_version(r: &Record) -> u16 {
    if r.h.yuma3_enabled {
        3
    } else {
        2
    }
}

fn steepness() -> I32F32 {
    I32F32::from_bits(ALPHA_SIGMOID_STEEPNESS << 32)
}

fn burn_increase_mult(r: &Record) -> U64F64 {
    U64F64::from_bits(FixedU64F64::saturating_from_num(r.h.burn_increase_mult).to_bits())
}

/// `get_subnet_info(netuid)`.
pub fn subnet_info(chain: &LocalChain, netuid: u16) -> Option<SubnetInfo> {
    let r = record(chain, netuid)?;
    Some(SubnetInfo {
        netuid: Compact(netuid),
        rho: Compact(RHO),
        kappa: Compact(r.h.kappa),
        difficulty: Compact(DIFFICULTY),
        immunity_period: Compact(r.h.immunity_period),
        max_allowed_validators: Compact(r.h.max_allowed_validators),
        min_allowed_weights: Compact(r.h.min_allowed_weights),
        max_weights_limit: Compact(r.h.max_weight_limit),
        scaling_law_power: Compact(SCALING_LAW_POWER),
        subnetwork_n: Compact(r.n),
        max_allowed_uids: Compact(r.h.max_allowed_uids),
        blocks_since_last_step: Compact(r.blocks_since_last_step),
        tempo: Compact(r.h.tempo),
        network_modality: Compact(0),
        network_connect: vec![],
        emission_values: Compact(0),
        burn: Compact(r.burn),
        owner: r.owner,
    })
}

/// `get_subnets_info()`: every subnet, by ascending netuid.
pub fn subnets_info(chain: &LocalChain) -> Vec<Option<SubnetInfo>> {
    chain.netuids().into_iter().map(|n| subnet_info(chain, n)).collect()
}

/// `get_subnet_info_v2(netuid)`.
pub fn subnet_info_v2(chain: &LocalChain, netuid: u16) -> Option<SubnetInfov2> {
    let v1 = subnet_info(chain, netuid)?;
    Some(SubnetInfov2 {
        netuid: v1.netuid,
        rho: v1.rho,
        kappa: v1.kappa,
        difficulty: v1.difficulty,
        immunity_period: v1.immunity_period,
        max_allowed_validators: v1.max_allowed_validators,
        min_allowed_weights: v1.min_allowed_weights,
        max_weights_limit: v1.max_weights_limit,
        scaling_law_power: v1.scaling_law_power,
        subnetwork_n: v1.subnetwork_n,
        max_allowed_uids: v1.max_allowed_uids,
        blocks_since_last_step: v1.blocks_since_last_step,
        tempo: v1.tempo,
        network_modality: v1.network_modality,
        network_connect: v1.network_connect,
        emission_value: v1.emission_values,
        burn: v1.burn,
        owner: v1.owner,
        identity: None,
    })
}

/// `get_subnets_info_v2()`.
pub fn subnets_info_v2(chain: &LocalChain) -> Vec<Option<SubnetInfov2>> {
    chain.netuids().into_iter().map(|n| subnet_info_v2(chain, n)).collect()
}

/// `get_subnet_hyperparams(netuid)`.
pub fn hyperparams(chain: &LocalChain, netuid: u16) -> Option<SubnetHyperparams> {
    let v2 = hyperparams_v2(chain, netuid)?;
    Some(SubnetHyperparams {
        rho: v2.rho,
        kappa: v2.kappa,
        immunity_period: v2.immunity_period,
        min_allowed_weights: v2.min_allowed_weights,
        max_weights_limit: v2.max_weights_limit,
        tempo: v2.tempo,
        min_difficulty: v2.min_difficulty,
        max_difficulty: v2.max_difficulty,
        weights_version: v2.weights_version,
        weights_rate_limit: v2.weights_rate_limit,
        adjustment_interval: v2.adjustment_interval,
        activity_cutoff: v2.activity_cutoff,
        registration_allowed: v2.registration_allowed,
        target_regs_per_interval: v2.target_regs_per_interval,
        min_burn: v2.min_burn,
        max_burn: v2.max_burn,
        bonds_moving_avg: v2.bonds_moving_avg,
        max_regs_per_block: v2.max_regs_per_block,
        serving_rate_limit: v2.serving_rate_limit,
        max_validators: v2.max_validators,
        adjustment_alpha: v2.adjustment_alpha,
        difficulty: v2.difficulty,
        commit_reveal_period: v2.commit_reveal_period,
        commit_reveal_weights_enabled: v2.commit_reveal_weights_enabled,
        alpha_high: v2.alpha_high,
        alpha_low: v2.alpha_low,
        liquid_alpha_enabled: v2.liquid_alpha_enabled,
    })
}

/// `get_subnet_hyperparams_v2(netuid)`.
pub fn hyperparams_v2(chain: &LocalChain, netuid: u16) -> Option<SubnetHyperparamsV2> {
    let r = record(chain, netuid)?;
    let h = &r.h;
    Some(SubnetHyperparamsV2 {
        rho: Compact(RHO),
        kappa: Compact(h.kappa),
        immunity_period: Compact(h.immunity_period),
        min_allowed_weights: Compact(h.min_allowed_weights),
        max_weights_limit: Compact(h.max_weight_limit),
        tempo: Compact(h.tempo),
        min_difficulty: Compact(DIFFICULTY),
        max_difficulty: Compact(MAX_DIFFICULTY),
        weights_version: Compact(h.weights_version_key),
        weights_rate_limit: Compact(h.weights_set_rate_limit),
        adjustment_interval: Compact(ADJUSTMENT_INTERVAL),
        activity_cutoff: Compact(h.activity_cutoff_blocks()),
        registration_allowed: h.registration_allowed,
        target_regs_per_interval: Compact(TARGET_REGS_PER_INTERVAL),
        min_burn: Compact(h.min_burn),
        max_burn: Compact(h.max_burn),
        bonds_moving_avg: Compact(h.bonds_moving_average),
        max_regs_per_block: Compact(MAX_REGS_PER_BLOCK),
        serving_rate_limit: Compact(h.serving_rate_limit),
        max_validators: Compact(h.max_allowed_validators),
        adjustment_alpha: Compact(ADJUSTMENT_ALPHA),
        difficulty: Compact(DIFFICULTY),
        commit_reveal_period: Compact(h.reveal_period_epochs),
        commit_reveal_weights_enabled: h.commit_reveal_enabled,
        alpha_high: Compact(h.alpha_high),
        alpha_low: Compact(h.alpha_low),
        liquid_alpha_enabled: h.liquid_alpha_enabled,
        alpha_sigmoid_steepness: steepness(),
        yuma_version: Compact(yuma_version(&r)),
        subnet_is_active: r.started,
        transfers_enabled: true,
        bonds_reset_enabled: false,
        user_liquidity_enabled: false,
    })
}

/// `get_subnet_hyperparams_v3(netuid)`: named values in Subtensor's order, then the
/// local chain's own settable hyperparameters Subtensor's list leaves out
/// (`max_allowed_uids`, `bonds_penalty`, `min_non_immune_uids`; clients keep unknown
/// names as extras).
pub fn hyperparams_v3(chain: &LocalChain, netuid: u16) -> Option<Vec<HyperparamEntry>> {
    use HyperparamValue as V;
    let r = record(chain, netuid)?;
    let h = &r.h;
    let entry = |name: &str, value| HyperparamEntry { name: name.as_bytes().to_vec(), value };
    Some(vec![
        entry("kappa", V::U16(Compact(h.kappa))),
        entry("immunity_period", V::U16(Compact(h.immunity_period))),
        entry("min_allowed_weights", V::U16(Compact(h.min_allowed_weights))),
        entry("max_weights_limit", V::U16(Compact(h.max_weight_limit))),
        entry("tempo", V::U16(Compact(h.tempo))),
        entry("weights_version", V::U64(Compact(h.weights_version_key))),
        entry("weights_rate_limit", V::U64(Compact(h.weights_set_rate_limit))),
        entry("activity_cutoff", V::U64(Compact(h.activity_cutoff_blocks()))),
        entry("activity_cutoff_factor", V::U32(Compact(h.activity_cutoff_factor_milli))),
        entry("registration_allowed", V::Bool(h.registration_allowed)),
        entry("target_regs_per_interval", V::U16(Compact(TARGET_REGS_PER_INTERVAL))),
        entry("min_burn", V::TaoBalance(Compact(h.min_burn))),
        entry("max_burn", V::TaoBalance(Compact(h.max_burn))),
        entry("burn_half_life", V::U16(Compact(h.burn_half_life))),
        entry("burn_increase_mult", V::U64F64(burn_increase_mult(&r))),
        entry("bonds_moving_avg", V::U64(Compact(h.bonds_moving_average))),
        entry("max_regs_per_block", V::U16(Compact(MAX_REGS_PER_BLOCK))),
        entry("serving_rate_limit", V::U64(Compact(h.serving_rate_limit))),
        entry("max_validators", V::U16(Compact(h.max_allowed_validators))),
        entry("commit_reveal_period", V::U64(Compact(h.reveal_period_epochs))),
        entry("commit_reveal_weights_enabled", V::Bool(h.commit_reveal_enabled)),
        entry("alpha_high", V::U16(Compact(h.alpha_high))),
        entry("alpha_low", V::U16(Compact(h.alpha_low))),
        entry("liquid_alpha_enabled", V::Bool(h.liquid_alpha_enabled)),
        entry("alpha_sigmoid_steepness", V::I32F32(steepness())),
        entry("yuma_version", V::U16(Compact(yuma_version(&r)))),
        entry("subnet_is_active", V::Bool(r.started)),
        entry("transfers_enabled", V::Bool(true)),
        entry("bonds_reset_enabled", V::Bool(false)),
        entry("user_liquidity_enabled", V::Bool(false)),
        entry("owner_cut_enabled", V::Bool(true)),
        entry("owner_cut_auto_lock_enabled", V::Bool(false)),
        entry("min_childkey_take", V::U16(Compact(0))),
        entry("max_allowed_uids", V::U16(Compact(h.max_allowed_uids))),
        entry("bonds_penalty", V::U16(Compact(h.bonds_penalty))),
        entry("min_non_immune_uids", V::U16(Compact(h.min_non_immune_uids))),
    ])
}

/// `get_coldkey_auto_stake_hotkey`: `AutoStakeDestination`, which the local chain
/// does not keep (no auto-stake), so always `None`.
pub fn coldkey_auto_stake_hotkey(_chain: &LocalChain, _coldkey: AccountId32, _netuid: u16) -> Option<AccountId32> {
    None
}

/// `get_subnet_to_prune` (chain: `get_network_to_prune`): among subnets past the
/// network immunity period, the lowest moving price, then the earliest registered.
/// Every local price is 1, so it is the earliest registered; `None` while every
/// subnet is immune (any local chain younger than 1_296_000 blocks). A chain with
/// dynamic subnets answers with its own rule and moving prices.
pub fn subnet_to_prune(chain: &LocalChain) -> Option<u16> {
    if chain.config.economy.dynamic_subnets {
        return chain.network_to_prune();
    }
    let block = chain.block();
    chain
        .netuids()
        .into_iter()
        .filter_map(|n| chain.subnet(n).ok().map(|s| (s.registered_at_block, n)))
        .filter(|(registered, _)| block >= registered.saturating_add(NETWORK_IMMUNITY_PERIOD))
        .min()
        .map(|(_, n)| n)
}

/// `get_subnet_account_id`: `SubtensorPalletId.into_sub_account_truncating(netuid)`,
/// i.e. `b"modl"`, the pallet id, the netuid (u16 LE), zero padding; for existing
/// subnets and the root (0).
pub fn subnet_account_id(chain: &LocalChain, netuid: u16) -> Option<AccountId32> {
    if netuid != 0 && chain.subnet(netuid).is_err() {
        return None;
    }
    let mut account = [0u8; 32];
    account[..4].copy_from_slice(b"modl");
    account[4..12].copy_from_slice(SUBTENSOR_PALLET_ID);
    account[12..14].copy_from_slice(&netuid.to_le_bytes());
    Some(AccountId32(account))
}

/// `get_next_epoch_start_block` (`coinbase/run_coinbase.rs`): `LastEpochBlock +
/// tempo`, `None` when tempo is 0 (no owner-triggered epochs locally). A subnet that
/// does not exist gets `None` (Subtensor would answer from default storage).
pub fn next_epoch_start_block(chain: &LocalChain, netuid: u16) -> Option<u64> {
    let s = chain.subnet(netuid).ok()?;
    (s.hyper.tempo > 0).then(|| s.last_epoch_block.saturating_add(s.hyper.tempo as u64))
}

/// `SubnetRegistrationRuntimeApi::get_network_registration_cost`: the lock a new
/// subnet costs (`TaoBalance`, rao).
pub fn network_registration_cost(chain: &LocalChain) -> u64 {
    chain.config.network_lock_cost
}
