//! Relative weights → the `(uids, values)` a `set_weights` call carries, such that the
//! chain accepts them: every UID exists, at least `min_allowed_weights` entries, no
//! normalised weight above `max_weight_limit`, u16 values max-upscaled as the chain
//! stores them. The result is checked with the chain's own rules
//! (`chain::set_weights`) before it is returned.

use crate::chain::set_weights::{max_limited, max_upscale_to_u16};

/// The subnet limits the weights must respect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeightLimits {
    /// Neurons on the subnet (Subtensor's `SubnetworkN`): UIDs are `0..subnet_n`.
    pub subnet_n: u16,
    /// Fewest entries a submission may carry, zeros included (Subtensor's `MinAllowedWeights`).
    pub min_allowed_weights: u16,
    /// Largest normalised weight, u16 scale (65535 = 1.0; Subtensor's `MaxWeightsLimit`).
    pub max_weight_limit: u16,
}

/// Why no weights can satisfy the subnet's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WeightsError {
    /// The subnet has no neuron to weigh.
    #[error("the subnet has no neurons")]
    EmptySubnet,
    /// No weight vector over `subnet_n` UIDs stays under `max_weight_limit`.
    #[error("max_weight_limit {max_weight_limit}/65535 over {subnet_n} UIDs cannot sum to 1: the chain would refuse any weights")]
    Unsatisfiable {
        /// Neurons on the subnet.
        subnet_n: u16,
        /// The subnet's `MaxWeightsLimit`, u16 scale.
        max_weight_limit: u16,
    },
}

/// Weights ready for `set_weights` / `commit_weights`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainWeights {
    /// The UIDs weighed, each once (zero-weight padding last).
    pub uids: Vec<u16>,
    /// Each UID's weight, u16 scale, max-upscaled (the largest is 65535) as the chain stores
    /// them.
    pub values: Vec<u16>,
}

/// Convert relative weights (any non-negative scale) for the chain.
///
/// - UIDs outside the subnet and non-finite or negative weights are dropped.
/// - With nothing positive to weight, every UID gets the same weight (as Bittensor's
///   `process_weights_for_netuid` does), so the validator still sets valid weights.
/// - A normalised weight above `max_weight_limit` is clipped and the excess spread
///   over the others (Bittensor's `normalize_max_weight`); if the limit cannot be met
///   by the weighted UIDs alone, all UIDs are weighted equally.
/// - Zero entries pad the row to `min_allowed_weights` (the chain counts entries).
/// - When even equal weights on every UID exceed the limit, no weights can pass.
pub fn weights_for_chain(weights: &[(u16, f64)], limits: &WeightLimits) -> Result<ChainWeights, WeightsError> {
    let n = limits.subnet_n as usize;
    if n == 0 {
        return Err(WeightsError::EmptySubnet);
    }
    let uniform = ChainWeights { uids: (0..limits.subnet_n).collect(), values: vec![u16::MAX; n] };
    if !max_limited(&uniform.values, limits.max_weight_limit) {
        return Err(WeightsError::Unsatisfiable { subnet_n: limits.subnet_n, max_weight_limit: limits.max_weight_limit });
    }
    let mut dense = vec![0.0f64; n];
    for &(uid, w) in weights {
        if (uid as usize) < n && w.is_finite() && w > 0.0 {
            dense[uid as usize] += w;
        }
    }
    let limit = limits.max_weight_limit as f64 / u16::MAX as f64;
    let positive = dense.iter().filter(|w| **w > 0.0).count();
    if positive == 0 || (positive as f64) * limit < 1.0 {
        dense.iter_mut().for_each(|w| *w = 1.0);
    }
    // Clip at the limit, tightening it a little each round until the chain's own
    // fixed-point check agrees (u16 rounding can push a weight just over).
    let mut target = limit;
    for _ in 0..64 {
        let clipped = clip_max(&dense, target);
        let row = to_row(&clipped, limits);
        if limits.max_weight_limit == u16::MAX || max_limited(&row.values, limits.max_weight_limit) {
            return Ok(row);
        }
        target -= 1.0 / u16::MAX as f64;
    }
    // Equal weights pass (checked above).
    Ok(uniform)
}

/// Normalise to sum 1 with no entry above `limit`, moving the excess to the others in
/// proportion to their weight.
fn clip_max(w: &[f64], limit: f64) -> Vec<f64> {
    let mut w = w.to_vec();
    for _ in 0..w.len().max(1) {
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            break;
        }
        w.iter_mut().for_each(|x| *x /= total);
        if w.iter().all(|x| *x <= limit) {
            break;
        }
        w.iter_mut().for_each(|x| *x = x.min(limit));
    }
    w
}

fn to_row(w: &[f64], limits: &WeightLimits) -> ChainWeights {
    let max = w.iter().copied().fold(0.0, f64::max);
    let mut uids = Vec::new();
    let mut raw = Vec::new();
    for (uid, x) in w.iter().enumerate() {
        let v = if max > 0.0 { (x / max * u16::MAX as f64).round() as u16 } else { 0 };
        if v > 0 {
            uids.push(uid as u16);
            raw.push(v);
        }
    }
    // Pad with zero weights to the minimum the chain asks for.
    let min_len = (limits.min_allowed_weights as usize).min(w.len());
    let mut next = 0u16;
    while uids.len() < min_len {
        if !uids.contains(&next) {
            uids.push(next);
            raw.push(0);
        }
        next += 1;
    }
    ChainWeights { values: max_upscale_to_u16(&raw), uids }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::set_weights::{validate, WeightsContext};

    fn accepted(w: &ChainWeights, limits: &WeightLimits) -> bool {
        let ctx = WeightsContext {
            subnet_n: limits.subnet_n,
            caller_uid: Some(0),
            caller_is_owner: false,
            caller_stake: 1,
            stake_threshold: 0,
            caller_has_permit: true,
            network_version_key: 0,
            weights_set_rate_limit: 0,
            caller_last_update: 0,
            current_block: 1,
            commit_reveal_enabled: false,
            min_allowed_weights: limits.min_allowed_weights,
            max_weight_limit: limits.max_weight_limit,
        };
        validate(&ctx, &w.uids, &w.values, 0).is_ok()
    }

    #[test]
    fn plain_weights_are_max_upscaled() {
        let l = WeightLimits { subnet_n: 4, min_allowed_weights: 1, max_weight_limit: u16::MAX };
        let w = weights_for_chain(&[(1, 0.5), (2, 0.25), (9, 1.0), (3, f64::NAN)], &l).unwrap();
        assert_eq!(w, ChainWeights { uids: vec![1, 2], values: vec![65535, 32768] });
    }

    #[test]
    fn nothing_to_reward_weights_everyone_equally() {
        let l = WeightLimits { subnet_n: 3, min_allowed_weights: 1, max_weight_limit: u16::MAX };
        assert_eq!(weights_for_chain(&[(1, 0.0)], &l).unwrap().values, vec![65535; 3]);
    }

    #[test]
    fn max_weight_limit_is_respected() {
        let l = WeightLimits { subnet_n: 4, min_allowed_weights: 1, max_weight_limit: 26214 }; // 0.4
        let w = weights_for_chain(&[(0, 10.0), (1, 1.0), (2, 1.0), (3, 1.0)], &l).unwrap();
        assert!(accepted(&w, &l), "{w:?}");
        // Two UIDs cannot carry everything under a 0.4 limit: all four share.
        let w = weights_for_chain(&[(0, 1.0), (1, 1.0)], &l).unwrap();
        assert_eq!(w.uids, vec![0, 1, 2, 3]);
        // Under 0.2, four UIDs cannot sum to 1 at all.
        let tight = WeightLimits { max_weight_limit: 13107, ..l };
        assert!(matches!(weights_for_chain(&[(0, 1.0)], &tight), Err(WeightsError::Unsatisfiable { .. })));
    }

    #[test]
    fn min_allowed_weights_pads_with_zero_entries() {
        let l = WeightLimits { subnet_n: 5, min_allowed_weights: 3, max_weight_limit: u16::MAX };
        let w = weights_for_chain(&[(4, 1.0)], &l).unwrap();
        assert_eq!(w, ChainWeights { uids: vec![4, 0, 1], values: vec![65535, 0, 0] });
        assert!(accepted(&w, &l));
    }

    #[test]
    fn random_weights_are_always_accepted_by_the_chain_rules() {
        let mut seed = 0x5eed_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2_000 {
            let n = 1 + (next() % 64) as u16;
            let limits = WeightLimits {
                subnet_n: n,
                min_allowed_weights: (next() % 80) as u16,
                max_weight_limit: [u16::MAX, 32768, 6553, 1000, 65000][(next() % 5) as usize],
            };
            let weights: Vec<(u16, f64)> = (0..next() % 70).map(|_| ((next() % 80) as u16, (next() % 1000) as f64 / 999.0)).collect();
            match weights_for_chain(&weights, &limits) {
                Ok(w) => assert!(accepted(&w, &limits), "{limits:?} {weights:?} -> {w:?}"),
                // Only when equal weights on every UID break the limit.
                Err(WeightsError::Unsatisfiable { .. }) => assert!(n as f64 * limits.max_weight_limit as f64 / 65535.0 < 1.0 + 1e-3),
                Err(e) => panic!("{e}"),
            }
        }
    }
}
