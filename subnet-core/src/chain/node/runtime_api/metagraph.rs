//! `SubnetInfoRuntimeApi`'s metagraphs (`pallets/subtensor/src/rpc_info/metagraph.rs`):
//! the whole subnet in one record (`get_metagraph`, `get_all_metagraphs`, and the
//! mechanism variants), and the selective form that carries only the fields asked
//! for by index (`SelectiveMetagraphIndex`).
//!
//! Modelled: everything [`super::subnet`] and [`super::dynamic`] model, and per UID
//! the keys, axons, activity, permits, last update, the last epoch's emission,
//! dividends, incentive, consensus, trust and rank, registration block and stake
//! (alpha = total; no root, so TAO stake 0). Constants: no identities (`None` per
//! UID), pruning scores empty (Subtensor no longer computes them), POW registration
//! off (the local chain has none), TAO dividends 0 (removed on Subtensor too), alpha
//! dividends per hotkey 0 (the local chain does not keep `AlphaDividendsPerSubnet`),
//! no commitments (no Commitments pallet). A mechagraph is the metagraph with the
//! mechanism's incentive and last updates (and its storage index as netuid).

use codec::{Compact, Decode, Encode};
use scale_info::TypeInfo;

use super::dynamic::pool;
use super::subnet::{ADJUSTMENT_ALPHA, ADJUSTMENT_INTERVAL, DIFFICULTY, MAX_DIFFICULTY, MAX_REGS_PER_BLOCK, RHO, TARGET_REGS_PER_INTERVAL};
use super::types::{compact_bytes, AxonInfo, ChainIdentityV2, SubnetIdentityV3, I96F32};
use crate::chain::local::{mechanism_storage_index, LocalChain};
use crate::chain::node::pallets::AccountId32;

/// `Metagraph<AccountId>`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct Metagraph {
    pub netuid: Compact<u16>,
    pub name: Vec<Compact<u8>>,
    pub symbol: Vec<Compact<u8>>,
    pub identity: Option<SubnetIdentityV3>,
    pub network_registered_at: Compact<u64>,
    pub owner_hotkey: AccountId32,
    pub owner_coldkey: AccountId32,
    pub block: Compact<u64>,
    pub tempo: Compact<u16>,
    pub last_step: Compact<u64>,
    pub blocks_since_last_step: Compact<u64>,
    pub subnet_emission: Compact<u64>,
    pub alpha_in: Compact<u64>,
    pub alpha_out: Compact<u64>,
    pub tao_in: Compact<u64>,
    pub alpha_out_emission: Compact<u64>,
    pub alpha_in_emission: Compact<u64>,
    pub tao_in_emission: Compact<u64>,
    pub pending_alpha_emission: Compact<u64>,
    pub pending_root_emission: Compact<u64>,
    pub subnet_volume: Compact<u128>,
    pub moving_price: I96F32,
    pub rho: Compact<u16>,
    pub kappa: Compact<u16>,
    pub min_allowed_weights: Compact<u16>,
    pub max_weights_limit: Compact<u16>,
    pub weights_version: Compact<u64>,
    pub weights_rate_limit: Compact<u64>,
    pub activity_cutoff: Compact<u64>,
    pub max_validators: Compact<u16>,
    pub num_uids: Compact<u16>,
    pub max_uids: Compact<u16>,
    pub burn: Compact<u64>,
    pub difficulty: Compact<u64>,
    pub registration_allowed: bool,
    pub pow_registration_allowed: bool,
    pub immunity_period: Compact<u16>,
    pub min_difficulty: Compact<u64>,
    pub max_difficulty: Compact<u64>,
    pub min_burn: Compact<u64>,
    pub max_burn: Compact<u64>,
    pub adjustment_alpha: Compact<u64>,
    pub adjustment_interval: Compact<u16>,
    pub target_regs_per_interval: Compact<u16>,
    pub max_regs_per_block: Compact<u16>,
    pub serving_rate_limit: Compact<u64>,
    pub commit_reveal_weights_enabled: bool,
    pub commit_reveal_period: Compact<u64>,
    pub liquid_alpha_enabled: bool,
    pub alpha_high: Compact<u16>,
    pub alpha_low: Compact<u16>,
    pub bonds_moving_avg: Compact<u64>,
    pub hotkeys: Vec<AccountId32>,
    pub coldkeys: Vec<AccountId32>,
    pub identities: Vec<Option<ChainIdentityV2>>,
    pub axons: Vec<AxonInfo>,
    pub active: Vec<bool>,
    pub validator_permit: Vec<bool>,
    pub pruning_score: Vec<Compact<u16>>,
    pub last_update: Vec<Compact<u64>>,
    pub emission: Vec<Compact<u64>>,
    pub dividends: Vec<Compact<u16>>,
    pub incentives: Vec<Compact<u16>>,
    pub consensus: Vec<Compact<u16>>,
    pub trust: Vec<Compact<u16>>,
    pub rank: Vec<Compact<u16>>,
    pub block_at_registration: Vec<Compact<u64>>,
    pub alpha_stake: Vec<Compact<u64>>,
    pub tao_stake: Vec<Compact<u64>>,
    pub total_stake: Vec<Compact<u64>>,
    pub tao_dividends_per_hotkey: Vec<(AccountId32, Compact<u64>)>,
    pub alpha_dividends_per_hotkey: Vec<(AccountId32, Compact<u64>)>,
}

/// `get_metagraph(netuid)`.
pub fn metagraph(chain: &LocalChain, netuid: u16) -> Option<Metagraph> {
    let s = chain.subnet(netuid).ok()?;
    let m = chain.metagraph(netuid).ok()?;
    let p = pool(chain, netuid)?;
    let h = &s.hyper;
    let block = chain.block();
    let col16 = |f: fn(&crate::chain::NeuronInfo) -> u16| m.neurons.iter().map(|n| Compact(f(n))).collect::<Vec<_>>();
    let col64 = |f: fn(&crate::chain::NeuronInfo) -> u64| m.neurons.iter().map(|n| Compact(f(n))).collect::<Vec<_>>();
    let hotkeys: Vec<AccountId32> = m.neurons.iter().map(|n| AccountId32(n.hotkey.0)).collect();
    Some(Metagraph {
        netuid: Compact(netuid),
        name: compact_bytes(chain.subnet_name(netuid).unwrap_or_default().as_bytes()),
        symbol: compact_bytes(chain.token_symbol(netuid).unwrap_or_default().as_bytes()),
        identity: None,
        network_registered_at: Compact(s.registered_at_block),
        owner_hotkey: AccountId32(s.owner_hotkey.0),
        owner_coldkey: AccountId32(s.owner_coldkey.0),
        block: Compact(block),
        tempo: Compact(h.tempo),
        last_step: Compact(s.last_step_block),
        blocks_since_last_step: Compact(block.saturating_sub(s.last_step_block)),
        subnet_emission: Compact(0),
        alpha_in: Compact(p.alpha_in),
        alpha_out: Compact(p.alpha_out),
        tao_in: Compact(p.tao_in),
        alpha_out_emission: Compact(p.alpha_out_emission),
        alpha_in_emission: Compact(p.alpha_in_emission),
        tao_in_emission: Compact(p.tao_in_emission),
        pending_alpha_emission: Compact(p.pending_alpha_emission),
        pending_root_emission: Compact(0),
        subnet_volume: Compact(0),
        moving_price: p.moving_price,
        rho: Compact(RHO),
        kappa: Compact(h.kappa),
        min_allowed_weights: Compact(h.min_allowed_weights),
        max_weights_limit: Compact(h.max_weight_limit),
        weights_version: Compact(h.weights_version_key),
        weights_rate_limit: Compact(h.weights_set_rate_limit),
        activity_cutoff: Compact(h.activity_cutoff_blocks()),
        max_validators: Compact(h.max_allowed_validators),
        num_uids: Compact(m.neurons.len() as u16),
        max_uids: Compact(h.max_allowed_uids),
        burn: Compact(s.burn),
        difficulty: Compact(DIFFICULTY),
        registration_allowed: h.registration_allowed,
        pow_registration_allowed: false,
        immunity_period: Compact(h.immunity_period),
        min_difficulty: Compact(DIFFICULTY),
        max_difficulty: Compact(MAX_DIFFICULTY),
        min_burn: Compact(h.min_burn),
        max_burn: Compact(h.max_burn),
        adjustment_alpha: Compact(ADJUSTMENT_ALPHA),
        adjustment_interval: Compact(ADJUSTMENT_INTERVAL),
        target_regs_per_interval: Compact(TARGET_REGS_PER_INTERVAL),
        max_regs_per_block: Compact(MAX_REGS_PER_BLOCK),
        serving_rate_limit: Compact(h.serving_rate_limit),
        commit_reveal_weights_enabled: h.commit_reveal_enabled,
        commit_reveal_period: Compact(h.reveal_period_epochs),
        liquid_alpha_enabled: h.liquid_alpha_enabled,
        alpha_high: Compact(h.alpha_high),
        alpha_low: Compact(h.alpha_low),
        bonds_moving_avg: Compact(h.bonds_moving_average),
        coldkeys: m.neurons.iter().map(|n| AccountId32(n.coldkey.0)).collect(),
        identities: m.neurons.iter().map(|_| None).collect(),
        axons: m.neurons.iter().map(|n| AxonInfo::of(chain, netuid, &n.hotkey)).collect(),
        active: m.neurons.iter().map(|n| n.active).collect(),
        validator_permit: m.neurons.iter().map(|n| n.validator_permit).collect(),
        pruning_score: vec![],
        last_update: col64(|n| n.last_update),
        emission: col64(|n| n.emission),
        dividends: col16(|n| n.dividends),
        incentives: col16(|n| n.incentive),
        consensus: col16(|n| n.consensus),
        trust: col16(|n| n.trust),
        rank: col16(|n| n.rank),
        block_at_registration: col64(|n| n.registered_at),
        alpha_stake: col64(|n| n.stake),
        tao_stake: m.neurons.iter().map(|_| Compact(0)).collect(),
        total_stake: col64(|n| n.stake),
        tao_dividends_per_hotkey: hotkeys.iter().map(|h| (*h, Compact(0))).collect(),
        alpha_dividends_per_hotkey: hotkeys.iter().map(|h| (*h, Compact(0))).collect(),
        hotkeys,
    })
}

/// `get_all_metagraphs()`.
pub fn all_metagraphs(chain: &LocalChain) -> Vec<Option<Metagraph>> {
    chain.netuids().into_iter().map(|n| metagraph(chain, n)).collect()
}

/// `get_all_mechagraphs()`: every mechanism of every subnet, in netuid then mecid order.
pub fn all_mechagraphs(chain: &LocalChain) -> Vec<Option<Metagraph>> {
    let mechanisms = |n| chain.mechanism_count(n).unwrap_or(1);
    chain.netuids().into_iter().flat_map(|n| (0..mechanisms(n)).map(move |mecid| mechagraph(chain, n, mecid))).collect()
}

/// `get_mechagraph(netuid, mecid)`: `None` unless the mechanism exists
/// (`ensure_mechanism_exists`); else the subnet's metagraph with the mechanism's
/// storage index as netuid and its `LastUpdate` and `Incentive`
/// (`rpc_info/metagraph.rs`, `get_mechagraph`).
pub fn mechagraph(chain: &LocalChain, netuid: u16, mecid: u8) -> Option<Metagraph> {
    let subnet = chain.subnet(netuid).ok()?;
    let rows = subnet.mechanism(mecid)?;
    let mut meta = metagraph(chain, netuid)?;
    meta.netuid = Compact(mechanism_storage_index(netuid, mecid));
    meta.last_update = rows.last_update.iter().map(|&b| Compact(b)).collect();
    meta.incentives = subnet.mechanism_incentive(mecid).unwrap_or_default().into_iter().map(Compact).collect();
    Some(meta)
}

/// `SelectiveMetagraph<AccountId>`: every field but `netuid` optional.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SelectiveMetagraph {
    #[codec(compact)]
    pub netuid: u16,
    pub name: Option<Vec<Compact<u8>>>,
    pub symbol: Option<Vec<Compact<u8>>>,
    pub identity: Option<Option<SubnetIdentityV3>>,
    pub network_registered_at: Option<Compact<u64>>,
    pub owner_hotkey: Option<AccountId32>,
    pub owner_coldkey: Option<AccountId32>,
    pub block: Option<Compact<u64>>,
    pub tempo: Option<Compact<u16>>,
    pub last_step: Option<Compact<u64>>,
    pub blocks_since_last_step: Option<Compact<u64>>,
    pub subnet_emission: Option<Compact<u64>>,
    pub alpha_in: Option<Compact<u64>>,
    pub alpha_out: Option<Compact<u64>>,
    pub tao_in: Option<Compact<u64>>,
    pub alpha_out_emission: Option<Compact<u64>>,
    pub alpha_in_emission: Option<Compact<u64>>,
    pub tao_in_emission: Option<Compact<u64>>,
    pub pending_alpha_emission: Option<Compact<u64>>,
    pub pending_root_emission: Option<Compact<u64>>,
    pub subnet_volume: Option<Compact<u128>>,
    pub moving_price: Option<I96F32>,
    pub rho: Option<Compact<u16>>,
    pub kappa: Option<Compact<u16>>,
    pub min_allowed_weights: Option<Compact<u16>>,
    pub max_weights_limit: Option<Compact<u16>>,
    pub weights_version: Option<Compact<u64>>,
    pub weights_rate_limit: Option<Compact<u64>>,
    pub activity_cutoff: Option<Compact<u64>>,
    pub max_validators: Option<Compact<u16>>,
    pub num_uids: Option<Compact<u16>>,
    pub max_uids: Option<Compact<u16>>,
    pub burn: Option<Compact<u64>>,
    pub difficulty: Option<Compact<u64>>,
    pub registration_allowed: Option<bool>,
    pub pow_registration_allowed: Option<bool>,
    pub immunity_period: Option<Compact<u16>>,
    pub min_difficulty: Option<Compact<u64>>,
    pub max_difficulty: Option<Compact<u64>>,
    pub min_burn: Option<Compact<u64>>,
    pub max_burn: Option<Compact<u64>>,
    pub adjustment_alpha: Option<Compact<u64>>,
    pub adjustment_interval: Option<Compact<u16>>,
    pub target_regs_per_interval: Option<Compact<u16>>,
    pub max_regs_per_block: Option<Compact<u16>>,
    pub serving_rate_limit: Option<Compact<u64>>,
    pub commit_reveal_weights_enabled: Option<bool>,
    pub commit_reveal_period: Option<Compact<u64>>,
    pub liquid_alpha_enabled: Option<bool>,
    pub alpha_high: Option<Compact<u16>>,
    pub alpha_low: Option<Compact<u16>>,
    pub bonds_moving_avg: Option<Compact<u64>>,
    pub hotkeys: Option<Vec<AccountId32>>,
    pub coldkeys: Option<Vec<AccountId32>>,
    pub identities: Option<Vec<Option<ChainIdentityV2>>>,
    pub axons: Option<Vec<AxonInfo>>,
    pub active: Option<Vec<bool>>,
    pub validator_permit: Option<Vec<bool>>,
    pub pruning_score: Option<Vec<Compact<u16>>>,
    pub last_update: Option<Vec<Compact<u64>>>,
    pub emission: Option<Vec<Compact<u64>>>,
    pub dividends: Option<Vec<Compact<u16>>>,
    pub incentives: Option<Vec<Compact<u16>>>,
    pub consensus: Option<Vec<Compact<u16>>>,
    pub trust: Option<Vec<Compact<u16>>>,
    pub rank: Option<Vec<Compact<u16>>>,
    pub block_at_registration: Option<Vec<Compact<u64>>>,
    pub alpha_stake: Option<Vec<Compact<u64>>>,
    pub tao_stake: Option<Vec<Compact<u64>>>,
    pub total_stake: Option<Vec<Compact<u64>>>,
    pub tao_dividends_per_hotkey: Option<Vec<(AccountId32, Compact<u64>)>>,
    pub alpha_dividends_per_hotkey: Option<Vec<(AccountId32, Compact<u64>)>>,
    pub validators: Option<Vec<Compact<u16>>>,
    pub commitments: Option<Vec<(AccountId32, Vec<Compact<u8>>)>>,
}

/// Index 0 (`Netuid`) is not optional; 72 and 73 are computed apart.
const VALIDATORS: u16 = 72;
const COMMITMENTS: u16 = 73;

/// `SelectiveMetagraphIndex` 1..=71: each index copies the field of the same name
/// from the full metagraph.
macro_rules! selectable {
    ($($index:literal => $field:ident),* $(,)?) => {
        fn copy_field(out: &mut SelectiveMetagraph, full: &Metagraph, index: u16) {
            match index {
                $($index => out.$field = Some(full.$field.clone()),)*
                _ => {}
            }
        }
    };
}

selectable! {
    1 => name, 2 => symbol, 3 => identity, 4 => network_registered_at, 5 => owner_hotkey, 6 => owner_coldkey,
    7 => block, 8 => tempo, 9 => last_step, 10 => blocks_since_last_step, 11 => subnet_emission, 12 => alpha_in,
    13 => alpha_out, 14 => tao_in, 15 => alpha_out_emission, 16 => alpha_in_emission, 17 => tao_in_emission,
    18 => pending_alpha_emission, 19 => pending_root_emission, 20 => subnet_volume, 21 => moving_price, 22 => rho,
    23 => kappa, 24 => min_allowed_weights, 25 => max_weights_limit, 26 => weights_version, 27 => weights_rate_limit,
    28 => activity_cutoff, 29 => max_validators, 30 => num_uids, 31 => max_uids, 32 => burn, 33 => difficulty,
    34 => registration_allowed, 35 => pow_registration_allowed, 36 => immunity_period, 37 => min_difficulty,
    38 => max_difficulty, 39 => min_burn, 40 => max_burn, 41 => adjustment_alpha, 42 => adjustment_interval,
    43 => target_regs_per_interval, 44 => max_regs_per_block, 45 => serving_rate_limit,
    46 => commit_reveal_weights_enabled, 47 => commit_reveal_period, 48 => liquid_alpha_enabled, 49 => alpha_high,
    50 => alpha_low, 51 => bonds_moving_avg, 52 => hotkeys, 53 => coldkeys, 54 => identities, 55 => axons,
    56 => active, 57 => validator_permit, 58 => pruning_score, 59 => last_update, 60 => emission, 61 => dividends,
    62 => incentives, 63 => consensus, 64 => trust, 65 => rank, 66 => block_at_registration, 67 => alpha_stake,
    68 => tao_stake, 69 => total_stake, 70 => tao_dividends_per_hotkey, 71 => alpha_dividends_per_hotkey,
}

/// Chain: `get_validators`: UIDs holding a permit whose stake is above the stake
/// threshold, by ascending stake.
fn validators(chain: &LocalChain, netuid: u16) -> Vec<Compact<u16>> {
    let Ok(m) = chain.metagraph(netuid) else { return vec![] };
    let mut permitted: Vec<(u16, u64)> = m.neurons.iter().filter(|n| n.validator_permit).map(|n| (n.uid, n.stake)).collect();
    permitted.sort_by_key(|(_, stake)| *stake);
    permitted.into_iter().filter(|(_, stake)| *stake > chain.config.stake_threshold).map(|(uid, _)| Compact(uid)).collect()
}

/// `get_selective_metagraph(netuid, indexes)`: the fields asked for, `None` for the
/// rest; unknown indexes are ignored. As on the chain, `netuid` is only filled in when
/// index 0 is asked for (0, the default, otherwise).
pub fn selective_metagraph(chain: &LocalChain, netuid: u16, indexes: &[u16]) -> Option<SelectiveMetagraph> {
    let full = metagraph(chain, netuid)?;
    let mut out = SelectiveMetagraph::default();
    for &index in indexes {
        match index {
            0 => out.netuid = netuid,
            VALIDATORS => out.validators = Some(validators(chain, netuid)),
            COMMITMENTS => out.commitments = Some(vec![]),
            _ => copy_field(&mut out, &full, index),
        }
    }
    Some(out)
}

/// `get_selective_mechagraph(netuid, mecid, indexes)`: the subnet must exist (the
/// mechanism need not: its maps then read empty); incentives and last updates are the
/// mechanism's, the rest the subnet's; the result carries the netuid (chain: set after
/// the merge; `get_single_selective_mechagraph`).
pub fn selective_mechagraph(chain: &LocalChain, netuid: u16, mecid: u8, indexes: &[u16]) -> Option<SelectiveMetagraph> {
    let mut out = selective_metagraph(chain, netuid, indexes)?;
    let subnet = chain.subnet(netuid).ok()?;
    out.netuid = netuid;
    if out.incentives.is_some() {
        out.incentives = Some(subnet.mechanism_incentive(mecid).unwrap_or_default().into_iter().map(Compact).collect());
    }
    if out.last_update.is_some() {
        let last_update = subnet.mechanism(mecid).map(|rows| rows.last_update.to_vec()).unwrap_or_default();
        out.last_update = Some(last_update.into_iter().map(Compact).collect());
    }
    Some(out)
}
