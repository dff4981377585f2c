//! A subnet's pool and emission as dynamic TAO reports them: `get_dynamic_info`,
//! `get_all_dynamic_info` (`pallets/subtensor/src/rpc_info/dynamic_info.rs`) and
//! `get_subnet_state` (`rpc_info/show_subnet.rs`), and the pool model the metagraph
//! and the swap API share.
//!
//! The local chain has no AMM: stake is 1:1 with TAO (Subtensor's stable mechanism),
//! so the alpha price is 1 and the pool mirrors stake. [`pool`] states the model:
//! the TAO reserve is the subnet's lock (Subtensor keeps the lock in the pool,
//! `do_register_network`) plus every TAO staked into it, the alpha reserve equals it
//! (price `tao_in / alpha_in` = 1), and the alpha outstanding is the stake held on the
//! subnet. Each block the subnet emits its configured emission as alpha that epochs
//! turn into stake (`alpha_out_emission`); no liquidity is injected into the pool
//! (`alpha_in_emission`, `tao_in_emission` 0). Pending emission is what accrued since
//! the last epoch (server + validator, the owner cut apart, as on the chain). No root
//! network: root emission, TAO stake and TAO dividends are 0. Volume is 0 (no swaps);
//! the moving price is the price, 1. Subtensor's deprecated `emission` is 0 there too.
//!
//! On a chain with dynamic subnets (`LocalChainConfig.economy.dynamic_subnets`) the
//! answers come from the real pools instead: reserves, outstanding alpha, the last
//! block's injection and emission, and the moving price.

use codec::{Compact, Decode, Encode};
use scale_info::TypeInfo;

use super::types::{compact_bytes, SubnetIdentityV3, I96F32, I96F32_ONE};
use crate::chain::local::LocalChain;
use crate::chain::node::pallets::AccountId32;
use crate::chain::Balance;

/// The subnet's pool under the local chain's 1:1 model (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool {
    /// `SubnetTAO`: the lock plus the TAO staked into the subnet.
    pub tao_in: Balance,
    /// `SubnetAlphaIn`: equal to the TAO reserve (price 1).
    pub alpha_in: Balance,
    /// `SubnetAlphaOut`: alpha held as stake on the subnet.
    pub alpha_out: Balance,
    /// `SubnetAlphaOutEmission`: alpha emitted per block (0 while the subnet does not emit).
    pub alpha_out_emission: Balance,
    /// `PendingServerEmission + PendingValidatorEmission`.
    pub pending_alpha_emission: Balance,
    /// `SubnetAlphaInEmission`: alpha injected into the pool in the last block.
    pub alpha_in_emission: Balance,
    /// `SubnetTaoInEmission`: TAO injected into the pool in the last block.
    pub tao_in_emission: Balance,
    /// `SubnetMovingPrice`.
    pub moving_price: I96F32,
}

/// The pool of `netuid`, or `None` if the subnet does not exist.
pub fn pool(chain: &LocalChain, netuid: u16) -> Option<Pool> {
    let s = chain.subnet(netuid).ok()?;
    if let Some(p) = chain.pool(netuid) {
        return Some(Pool {
            tao_in: p.tao,
            alpha_in: p.alpha_in,
            alpha_out: p.alpha_out,
            alpha_out_emission: p.last_emission.alpha_out,
            pending_alpha_emission: s.pending_server.saturating_add(s.pending_validator),
            alpha_in_emission: p.last_emission.alpha_in,
            tao_in_emission: p.last_emission.tao_in,
            // `I96F32`: the value times 2^32.
            moving_price: I96F32::from_bits((p.moving_price * (1u64 << 32) as f64) as i128),
        });
    }
    let staked: Balance = chain.stakes().filter(|(_, _, n, _)| *n == netuid).map(|(_, _, _, amount)| amount).sum();
    let tao_in = chain.config.network_lock_cost.saturating_add(staked);
    // Chain: `get_subnets_to_emit_to`: started (first emission block reached) and
    // registration open, as the local chain's `accrue_emission` decides.
    let emits = s.first_emission_block.is_some_and(|first| chain.block() >= first) && s.hyper.registration_allowed;
    Some(Pool {
        tao_in,
        alpha_in: tao_in,
        alpha_out: staked,
        alpha_out_emission: if emits { chain.config.subnet_emission_per_block } else { 0 },
        pending_alpha_emission: s.pending_server.saturating_add(s.pending_validator),
        alpha_in_emission: 0,
        tao_in_emission: 0,
        moving_price: I96F32_ONE,
    })
}

/// `DynamicInfo<AccountId>`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct DynamicInfo {
    pub netuid: Compact<u16>,
    pub owner_hotkey: AccountId32,
    pub owner_coldkey: AccountId32,
    pub subnet_name: Vec<Compact<u8>>,
    pub token_symbol: Vec<Compact<u8>>,
    pub tempo: Compact<u16>,
    pub last_step: Compact<u64>,
    pub blocks_since_last_step: Compact<u64>,
    pub emission: Compact<u64>,
    pub alpha_in: Compact<u64>,
    pub alpha_out: Compact<u64>,
    pub tao_in: Compact<u64>,
    pub alpha_out_emission: Compact<u64>,
    pub alpha_in_emission: Compact<u64>,
    pub tao_in_emission: Compact<u64>,
    pub pending_alpha_emission: Compact<u64>,
    pub pending_root_emission: Compact<u64>,
    pub subnet_volume: Compact<u128>,
    pub network_registered_at: Compact<u64>,
    pub subnet_identity: Option<SubnetIdentityV3>,
    pub moving_price: I96F32,
}

/// `get_dynamic_info(netuid)`.
pub fn dynamic_info(chain: &LocalChain, netuid: u16) -> Option<DynamicInfo> {
    if netuid == 0 {
        return Some(root_dynamic_info(chain));
    }
    let s = chain.subnet(netuid).ok()?;
    let p = pool(chain, netuid)?;
    Some(DynamicInfo {
        netuid: Compact(netuid),
        owner_hotkey: AccountId32(s.owner_hotkey.0),
        owner_coldkey: AccountId32(s.owner_coldkey.0),
        subnet_name: compact_bytes(chain.subnet_name(netuid).unwrap_or_default().as_bytes()),
        token_symbol: compact_bytes(chain.token_symbol(netuid).unwrap_or_default().as_bytes()),
        tempo: Compact(s.hyper.tempo),
        // Chain: `LastMechansimStepBlock`, the last epoch that ran.
        last_step: Compact(s.last_step_block),
        blocks_since_last_step: Compact(chain.block().saturating_sub(s.last_step_block)),
        emission: Compact(0),
        alpha_in: Compact(p.alpha_in),
        alpha_out: Compact(p.alpha_out),
        tao_in: Compact(p.tao_in),
        alpha_out_emission: Compact(p.alpha_out_emission),
        alpha_in_emission: Compact(p.alpha_in_emission),
        tao_in_emission: Compact(p.tao_in_emission),
        pending_alpha_emission: Compact(p.pending_alpha_emission),
        pending_root_emission: Compact(0),
        subnet_volume: Compact(0),
        network_registered_at: Compact(s.registered_at_block),
        subnet_identity: None,
        moving_price: p.moving_price,
    })
}

/// The root network (netuid 0) as dynamic info reports it. Subtensor has root from
/// genesis and clients count on it (btcli 9's `subnets list` sorts root first and
/// fails without it); the local chain models no root network, so it is an empty
/// network: no owner, no pool, no emission, Subtensor's root name and symbol (`Τ`,
/// `SYMBOLS[0]`), the default tempo (root's own tempo is not modelled).
fn root_dynamic_info(chain: &LocalChain) -> DynamicInfo {
    DynamicInfo {
        netuid: Compact(0),
        owner_hotkey: AccountId32([0; 32]),
        owner_coldkey: AccountId32([0; 32]),
        subnet_name: compact_bytes(b"root"),
        token_symbol: compact_bytes("\u{3a4}".as_bytes()),
        tempo: Compact(chain.config.default_hyperparameters.tempo),
        last_step: Compact(0),
        blocks_since_last_step: Compact(chain.block()),
        emission: Compact(0),
        alpha_in: Compact(0),
        alpha_out: Compact(0),
        tao_in: Compact(0),
        alpha_out_emission: Compact(0),
        alpha_in_emission: Compact(0),
        tao_in_emission: Compact(0),
        pending_alpha_emission: Compact(0),
        pending_root_emission: Compact(0),
        subnet_volume: Compact(0),
        network_registered_at: Compact(0),
        subnet_identity: None,
        moving_price: I96F32_ONE,
    }
}

/// `get_all_dynamic_info()`: root (see [`root_dynamic_info`]), then every subnet, by
/// ascending netuid.
pub fn all_dynamic_info(chain: &LocalChain) -> Vec<Option<DynamicInfo>> {
    std::iter::once(Some(root_dynamic_info(chain))).chain(chain.netuids().into_iter().map(|n| dynamic_info(chain, n))).collect()
}

/// `SubnetState<AccountId>` (`get_subnet_state`): the per-UID columns.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetState {
    pub netuid: Compact<u16>,
    pub hotkeys: Vec<AccountId32>,
    pub coldkeys: Vec<AccountId32>,
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
    pub emission_history: Vec<Vec<Compact<u64>>>,
}

/// `get_subnet_state(netuid)`. Pruning scores are empty as on Subtensor (no longer
/// computed); rank and trust are the local epoch's. `emission_history` is, for every
/// subnet, each hotkey's emission at that subnet's last epoch
/// (`LastHotkeyEmissionOnNetuid`; 0 where the hotkey holds no UID).
pub fn subnet_state(chain: &LocalChain, netuid: u16) -> Option<SubnetState> {
    let m = chain.metagraph(netuid).ok()?;
    let col16 = |f: fn(&crate::chain::NeuronInfo) -> u16| m.neurons.iter().map(|n| Compact(f(n))).collect::<Vec<_>>();
    let col64 = |f: fn(&crate::chain::NeuronInfo) -> u64| m.neurons.iter().map(|n| Compact(f(n))).collect::<Vec<_>>();
    let hotkeys: Vec<AccountId32> = m.neurons.iter().map(|n| AccountId32(n.hotkey.0)).collect();
    let emission_history = chain
        .netuids()
        .into_iter()
        .map(|other| {
            let graph = chain.metagraph(other).ok();
            m.neurons
                .iter()
                .map(|n| {
                    let emitted = graph.as_ref().and_then(|g| g.neurons.iter().find(|o| o.hotkey == n.hotkey)).map_or(0, |o| o.emission);
                    Compact(emitted)
                })
                .collect()
        })
        .collect();
    Some(SubnetState {
        netuid: Compact(netuid),
        hotkeys,
        coldkeys: m.neurons.iter().map(|n| AccountId32(n.coldkey.0)).collect(),
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
        emission_history,
    })
}
