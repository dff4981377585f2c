//! Subnet lifecycle rules (`pallets/subtensor/src/coinbase/root.rs`:
//! `get_network_lock_cost`, `get_network_to_prune`; `subnets/subnet.rs`:
//! `do_register_network`).

use crate::chain::types::{Balance, NetUid};

/// `get_network_lock_cost`: the last lock doubled (not doubled before any
/// registration), less `last_lock / interval` per block since, never below the minimum.
pub fn lock_cost(last_lock: Balance, last_lock_block: u64, block: u64, min_lock: Balance, reduction_interval: u64) -> Balance {
    let mult = if last_lock_block == 0 { 1 } else { 2 };
    let per_block = last_lock.checked_div(reduction_interval).unwrap_or(0);
    let decay = per_block.saturating_mul(block.saturating_sub(last_lock_block));
    last_lock.saturating_mul(mult).saturating_sub(decay).max(min_lock)
}

/// A subnet as `get_network_to_prune` sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PruneCandidate {
    /// The subnet.
    pub netuid: NetUid,
    /// `NetworkRegisteredAt`.
    pub registered_at: u64,
    /// `get_moving_alpha_price`.
    pub moving_price: f64,
}

/// `get_network_to_prune`: among subnets past their immunity (`block >= registered_at
/// + immunity`), the lowest moving price; on a tie, the earliest registered.
pub fn network_to_prune(candidates: &[PruneCandidate], block: u64, immunity: u64) -> Option<NetUid> {
    let mut best: Option<PruneCandidate> = None;
    for c in candidates {
        if block < c.registered_at.saturating_add(immunity) {
            continue;
        }
        let better = match best {
            None => true,
            Some(b) => c.moving_price < b.moving_price || (c.moving_price == b.moving_price && c.registered_at < b.registered_at),
        };
        if better {
            best = Some(*c);
        }
    }
    best.map(|c| c.netuid)
}

/// Pro-rata shares of `pot` by `weights`, rounded down, then one rao each to the
/// largest remainders until the pot is spent (`destroy_alpha_in_out_stakes`, step 6).
pub fn largest_remainder(pot: Balance, weights: &[u128]) -> Vec<Balance> {
    let total: u128 = weights.iter().sum();
    if total == 0 {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<(Balance, u128)> = weights.iter().map(|w| ((pot as u128 * w / total) as Balance, pot as u128 * w % total)).collect();
    let given: Balance = parts.iter().map(|p| p.0).sum();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].1.cmp(&parts[*a].1));
    for &i in order.iter().take((pot - given) as usize) {
        parts[i].0 += 1;
    }
    parts.into_iter().map(|p| p.0).collect()
}
