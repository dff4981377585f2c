//! `SwapRuntimeApi` (`pallets/swap/runtime-api/src/lib.rs`, answered in
//! `runtime/src/lib.rs`): alpha prices and simulated swaps.
//!
//! The local chain has no AMM: stake is 1:1 with TAO, Subtensor's stable mechanism,
//! whose price `pallet_subtensor_swap::current_price` is 1 for any netuid (mechanism
//! 0, including one that does not exist). So the price is 1 TAO per alpha, answered
//! as the runtime does in rao per alpha (price × 10^9), and a simulated swap returns
//! what it is given, with no fee and no slippage; a swap on a subnet that does not
//! exist fails on the chain and is answered with zeros, as the runtime does. A dynamic
//! subnet (`LocalChainConfig.economy.dynamic_subnets`) answers from its pool: its
//! price, and a simulated swap through it with the fee.

use codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::chain::local::LocalChain;

/// `current_alpha_price` of a price-1 pool: 1 TAO per alpha in rao.
const PRICE_ONE_RAO: u64 = 1_000_000_000;

/// `SubnetPrice`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SubnetPrice {
    pub netuid: u16,
    pub price: u64,
}

/// `SimSwapResult`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct SimSwapResult {
    pub tao_amount: u64,
    pub alpha_amount: u64,
    pub tao_fee: u64,
    pub alpha_fee: u64,
    pub tao_slippage: u64,
    pub alpha_slippage: u64,
}

/// `current_alpha_price(netuid)`: rao per alpha.
pub fn current_alpha_price(chain: &LocalChain, netuid: u16) -> u64 {
    match chain.pool(netuid) {
        Some(p) => (p.price() * PRICE_ONE_RAO as f64) as u64,
        None => PRICE_ONE_RAO,
    }
}

/// `current_alpha_price_all()`: every subnet's price, by ascending netuid.
pub fn current_alpha_price_all(chain: &LocalChain) -> Vec<SubnetPrice> {
    chain.netuids().into_iter().map(|netuid| SubnetPrice { netuid, price: current_alpha_price(chain, netuid) }).collect()
}

fn one_to_one(chain: &LocalChain, netuid: u16, amount: u64) -> SimSwapResult {
    if chain.subnet(netuid).is_err() {
        return SimSwapResult::default();
    }
    SimSwapResult { tao_amount: amount, alpha_amount: amount, ..SimSwapResult::default() }
}

/// `sim_swap_tao_for_alpha(netuid, tao)`: `tao` alpha for `tao` TAO.
pub fn sim_swap_tao_for_alpha(chain: &LocalChain, netuid: u16, tao: u64) -> SimSwapResult {
    match chain.pool(netuid) {
        Some(p) => p
            .quote_buy(tao, false)
            .map(|q| SimSwapResult { tao_amount: tao, alpha_amount: q.paid_out, tao_fee: q.fee, ..SimSwapResult::default() })
            .unwrap_or_default(),
        None => one_to_one(chain, netuid, tao),
    }
}

/// `sim_swap_alpha_for_tao(netuid, alpha)`: `alpha` TAO for `alpha` alpha.
pub fn sim_swap_alpha_for_tao(chain: &LocalChain, netuid: u16, alpha: u64) -> SimSwapResult {
    match chain.pool(netuid) {
        Some(p) => p
            .quote_sell(alpha, false)
            .map(|q| SimSwapResult { tao_amount: q.paid_out, alpha_amount: alpha, alpha_fee: q.fee, ..SimSwapResult::default() })
            .unwrap_or_default(),
        None => one_to_one(chain, netuid, alpha),
    }
}
