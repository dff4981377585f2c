//! The coinbase's arithmetic (`pallets/subtensor/src/coinbase/{block_emission.rs,
//! subnet_emissions.rs,run_coinbase.rs}`): the block emission and its halvings, each
//! subnet's TAO share by moving price, and the split of a share into TAO and alpha
//! injected into the pool, excess TAO, and alpha emitted to participants.

use crate::chain::types::Balance;

/// `TotalSupply`: 21,000,000 TAO in rao.
pub const TOTAL_SUPPLY: Balance = 21_000_000_000_000_000;
/// `DefaultBlockEmission`: 1 TAO per block.
pub const DEFAULT_BLOCK_EMISSION: Balance = 1_000_000_000;

/// `get_block_emission_for_issuance`: `base / 2^floor(log2(1 / (1 - issuance/supply)))`,
/// so emission halves each time issuance crosses 1/2, 3/4, 7/8 … of the supply, and
/// is 0 at the supply. Used for TAO (total issuance) and for each subnet's alpha (its
/// alpha issuance), with the same supply and base. The floor of the logarithm is found
/// exactly with integers here (the chain takes it in `I96F32`).
pub fn block_emission_for_issuance(issuance: Balance, base: Balance) -> Balance {
    if issuance >= TOTAL_SUPPLY {
        return 0;
    }
    // floor(log2(S / (S - I))) = the largest k with 2^k · (S - I) <= S.
    let remaining = (TOTAL_SUPPLY - issuance) as u128;
    let mut k = 0u32;
    while k < 63 && (remaining << (k + 1)) <= TOTAL_SUPPLY as u128 {
        k += 1;
    }
    base >> k
}

/// `get_shares_price_ema`: each subnet's share of the block's TAO emission is its
/// moving price over the sum of moving prices (0 for all when the sum is 0). The
/// chain then weights shares by `1 - MinerBurned`; the local chain burns no miner
/// emission, so that factor is 1.
pub fn shares_by_moving_price(moving_prices: &[f64]) -> Vec<f64> {
    let total: f64 = moving_prices.iter().sum();
    moving_prices.iter().map(|p| if total > 0.0 { p / total } else { 0.0 }).collect()
}

/// One subnet's terms for a block (`get_subnet_terms`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SubnetTerms {
    /// TAO injected into the pool.
    pub tao_in: Balance,
    /// Alpha injected into the pool alongside.
    pub alpha_in: Balance,
    /// Alpha emitted to the subnet's participants.
    pub alpha_out: Balance,
    /// TAO of the share that buys alpha for the protocol instead (`excess_tao`).
    pub excess_tao: Balance,
}

/// `get_subnet_terms`: `tao_in = tao_emission`, `alpha_in = tao_in / price`, capped at
/// `root_proportion · alpha_emission` (then `tao_in = alpha_in · price`), the rest of
/// the TAO is excess; `alpha_out` is the subnet's alpha block emission.
pub fn subnet_terms(tao_emission: f64, alpha_emission: Balance, price: f64, root_proportion: f64) -> SubnetTerms {
    let mut tao_in = tao_emission;
    let mut alpha_in = if price > 0.0 { tao_emission / price } else { 0.0 };
    let cap = root_proportion * alpha_emission as f64;
    if alpha_in > cap {
        alpha_in = cap;
        tao_in = alpha_in * price;
    }
    let excess = (tao_emission - tao_in).max(0.0);
    SubnetTerms { tao_in: tao_in as Balance, alpha_in: alpha_in as Balance, alpha_out: alpha_emission, excess_tao: excess as Balance }
}

/// `root_proportion`: `tao_weight · root_tao / (tao_weight · root_tao + alpha_issuance)`.
pub fn root_proportion(root_tao: Balance, tao_weight: f64, alpha_issuance: Balance) -> f64 {
    let w = root_tao as f64 * tao_weight;
    if w + alpha_issuance as f64 > 0.0 {
        w / (w + alpha_issuance as f64)
    } else {
        0.0
    }
}

/// How a block's alpha emission is split (`emit_to_subnets`, step 3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AlphaSplit {
    /// The subnet owner's cut (`PendingOwnerCut`).
    pub owner_cut: Balance,
    /// Miners' half of the rest (`PendingServerEmission`).
    pub server: Balance,
    /// Validators' half, less the root stakers' part (`PendingValidatorEmission`).
    pub validator: Balance,
    /// The root stakers' part of the validators' half (`PendingRootAlphaDivs`).
    pub root: Balance,
}

/// `emit_to_subnets`: the owner cut first, then half the rest to miners and half to
/// validators, of which `root_proportion` goes to root stakers.
pub fn split_alpha(alpha_out: Balance, owner_cut: u16, root_proportion: f64) -> AlphaSplit {
    let owner = (alpha_out as f64 * owner_cut as f64 / u16::MAX as f64) as Balance;
    let rest = (alpha_out - owner) as f64;
    let root = (root_proportion * rest * 0.5) as Balance;
    let server = (rest * 0.5) as Balance;
    let validator = ((rest - rest * 0.5) as Balance).saturating_sub(root);
    AlphaSplit { owner_cut: owner, server, validator, root }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_emission_halves_at_each_step_of_issuance() {
        let base = DEFAULT_BLOCK_EMISSION;
        assert_eq!(block_emission_for_issuance(0, base), base);
        assert_eq!(block_emission_for_issuance(TOTAL_SUPPLY / 2 - 1, base), base);
        assert_eq!(block_emission_for_issuance(TOTAL_SUPPLY / 2, base), base / 2);
        assert_eq!(block_emission_for_issuance(TOTAL_SUPPLY / 4 * 3, base), base / 4);
        assert_eq!(block_emission_for_issuance(TOTAL_SUPPLY, base), 0);
    }

    #[test]
    fn the_split_is_owner_cut_then_half_and_half() {
        let s = split_alpha(1_000_000_000, 11_796, 0.0);
        assert_eq!(s.owner_cut, 179_995_422);
        assert_eq!(s.server, 410_002_289);
        assert_eq!(s.validator, 410_002_289);
        assert_eq!(s.root, 0);
    }
}
