//! Subtensor's `set_weights` rules (`pallets/subtensor/src/subnets/weights.rs`,
//! `internal_set_weights`): the checks in the chain's order, each failing with the
//! chain's error, and the weights as the chain stores them (max-upscaled to u16).
//!
//! A validator uses [`validate`] to know before submitting whether the chain will
//! accept its weights; the local chain uses it to accept or reject them.

use substrate_fixed::types::I32F32;

use super::ChainError;
use crate::yuma::fixed_math::{inplace_normalize, safe_div, Divisor};

/// What the chain knows when a hotkey submits weights.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightsContext {
    /// Neurons on the subnet (`SubnetworkN`).
    pub subnet_n: u16,
    /// The caller's UID, `None` when its hotkey is not registered on the subnet.
    pub caller_uid: Option<u16>,
    /// The caller is the subnet owner's hotkey (exempt from stake and permit rules).
    pub caller_is_owner: bool,
    /// The caller's stake weight (rao) and the subnet's `StakeThreshold`.
    pub caller_stake: u64,
    /// The subnet's `StakeThreshold` (rao): below it a caller may not set weights.
    pub stake_threshold: u64,
    /// The caller's validator permit as stored after the last epoch.
    pub caller_has_permit: bool,
    /// The subnet's `WeightsVersionKey` (0 accepts any).
    pub network_version_key: u64,
    /// Blocks between two weight submissions by one caller (`WeightsSetRateLimit`).
    pub weights_set_rate_limit: u64,
    /// Block of the caller's last weights (`LastUpdate`), 0 for never.
    pub caller_last_update: u64,
    /// The block the submission lands in.
    pub current_block: u64,
    /// With commit-reveal on, the rate limit is not checked here.
    pub commit_reveal_enabled: bool,
    /// Fewest entries a submission may carry (`MinAllowedWeights`).
    pub min_allowed_weights: u16,
    /// Largest normalised weight, u16 scale, 65535 = 1.0 (`MaxWeightsLimit`).
    pub max_weight_limit: u16,
}

/// Check `uids`/`values` as the chain does, in its order, and return the row the chain
/// would store: `(uid, weight)` with weights max-upscaled so the largest is 65535.
pub fn validate(ctx: &WeightsContext, uids: &[u16], values: &[u16], version_key: u64) -> Result<Vec<(u16, u16)>, ChainError> {
    // 2. uids and values pair up.
    if uids.len() != values.len() {
        return Err(ChainError::WeightVecNotEqualSize);
    }
    // 4. No more uids than neurons.
    if uids.len() > ctx.subnet_n as usize {
        return Err(ChainError::UidsLengthExceedUidsInSubNet);
    }
    // 5. The caller is registered.
    let uid = ctx.caller_uid.ok_or(ChainError::HotKeyNotRegisteredInSubNet)?;
    // 6. Enough stake (the owner is exempt).
    if !ctx.caller_is_owner && ctx.caller_stake < ctx.stake_threshold {
        return Err(ChainError::NotEnoughStakeToSetWeights);
    }
    // 7. Version key: 0 on the network accepts anything, else the caller's must be >=.
    if ctx.network_version_key != 0 && version_key < ctx.network_version_key {
        return Err(ChainError::IncorrectWeightVersionKey);
    }
    // 9. Rate limit (skipped under commit-reveal): never set, or limit blocks elapsed.
    if !ctx.commit_reveal_enabled
        && ctx.caller_last_update != 0
        && ctx.current_block.saturating_sub(ctx.caller_last_update) < ctx.weights_set_rate_limit
    {
        return Err(ChainError::SettingWeightsTooFast);
    }
    // 10. Weights on others need a permit; a single self-weight or the owner is fine.
    let self_weight = is_self_weight(uid, uids, values);
    if !self_weight && !ctx.caller_is_owner && !ctx.caller_has_permit {
        return Err(ChainError::NeuronNoValidatorPermit);
    }
    // 11. No duplicate uids (out-of-range ones included, as on the chain).
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(ChainError::DuplicateUids);
    }
    // 12. Every uid exists.
    if uids.iter().any(|&u| u >= ctx.subnet_n) {
        return Err(ChainError::UidVecContainInvalidOne);
    }
    // 13. At least min(min_allowed_weights, n) weights, unless a self-weight.
    let min_allowed = (ctx.min_allowed_weights as usize).min(ctx.subnet_n as usize);
    if !self_weight && values.len() < min_allowed {
        return Err(ChainError::WeightVecLengthIsLow);
    }
    // 14. Max-upscale; 15. the normalised max must not exceed max_weight_limit.
    let upscaled = max_upscale_to_u16(values);
    if !self_weight && ctx.max_weight_limit != u16::MAX && !max_limited(&upscaled, ctx.max_weight_limit) {
        return Err(ChainError::MaxWeightExceeded);
    }
    Ok(uids.iter().copied().zip(upscaled).collect())
}

/// Chain: `is_self_weight`: exactly one weight and its uid is the caller's.
pub fn is_self_weight(uid: u16, uids: &[u16], values: &[u16]) -> bool {
    values.len() == 1 && uids.first() == Some(&uid)
}

/// Chain: `vec_u16_max_upscale_to_u16`: scale so the largest weight is 65535,
/// rounding half away from zero as `I32F32::round` does.
pub fn max_upscale_to_u16(values: &[u16]) -> Vec<u16> {
    let u16_max = I32F32::saturating_from_num(u16::MAX);
    let threshold = I32F32::saturating_from_num(32768);
    let fixed: Vec<I32F32> = values.iter().map(|v| I32F32::saturating_from_num(*v)).collect();
    let Some(&max) = fixed.iter().max() else {
        return Vec::new();
    };
    if max == I32F32::from_num(0) {
        return fixed.iter().map(|e| e.saturating_mul(u16_max).saturating_to_num::<u16>()).collect();
    }
    if max > threshold {
        let scale = safe_div(u16_max, max);
        return fixed.iter().map(|e| e.saturating_mul(scale).round().saturating_to_num::<u16>()).collect();
    }
    let d = Divisor::new(max);
    fixed.iter().map(|e| d.divide(e.saturating_mul(u16_max)).round().saturating_to_num::<u16>()).collect()
}

/// Chain: `check_vec_max_limited`: after normalising to sum 1, the largest weight is
/// at most `max_limit / 65535`.
pub fn max_limited(values: &[u16], max_limit: u16) -> bool {
    let limit = safe_div(I32F32::saturating_from_num(max_limit), I32F32::saturating_from_num(u16::MAX));
    let mut fixed: Vec<I32F32> = values.iter().map(|v| I32F32::saturating_from_num(*v)).collect();
    inplace_normalize(&mut fixed);
    fixed.iter().max().is_none_or(|m| *m <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> WeightsContext {
        WeightsContext {
            subnet_n: 4,
            caller_uid: Some(0),
            caller_is_owner: false,
            caller_stake: 1_000,
            stake_threshold: 0,
            caller_has_permit: true,
            network_version_key: 0,
            weights_set_rate_limit: 100,
            caller_last_update: 0,
            current_block: 500,
            commit_reveal_enabled: false,
            min_allowed_weights: 0,
            max_weight_limit: u16::MAX,
        }
    }

    #[test]
    fn accepted_weights_are_stored_max_upscaled() {
        let row = validate(&ctx(), &[1, 2, 3], &[10, 20, 40], 0).unwrap();
        assert_eq!(row, vec![(1, 16384), (2, 32768), (3, 65535)]);
    }

    #[test]
    fn each_rule_fails_with_the_chain_error() {
        use ChainError::*;
        let c = ctx();
        let with = |f: fn(&mut WeightsContext)| {
            let mut c = ctx();
            f(&mut c);
            c
        };
        assert_eq!(validate(&c, &[1, 2], &[1], 0), Err(WeightVecNotEqualSize));
        assert_eq!(validate(&c, &[0, 1, 2, 3, 3], &[1; 5], 0), Err(UidsLengthExceedUidsInSubNet));
        assert_eq!(validate(&with(|c| c.caller_uid = None), &[1], &[1], 0), Err(HotKeyNotRegisteredInSubNet));
        assert_eq!(validate(&with(|c| c.stake_threshold = 5_000), &[1], &[1], 0), Err(NotEnoughStakeToSetWeights));
        assert_eq!(validate(&with(|c| c.network_version_key = 7), &[1], &[1], 6), Err(IncorrectWeightVersionKey));
        assert_eq!(validate(&with(|c| c.caller_last_update = 450), &[1], &[1], 0), Err(SettingWeightsTooFast));
        assert_eq!(validate(&with(|c| c.caller_has_permit = false), &[1], &[1], 0), Err(NeuronNoValidatorPermit));
        assert_eq!(validate(&c, &[1, 1], &[1, 2], 0), Err(DuplicateUids));
        assert_eq!(validate(&c, &[1, 9], &[1, 2], 0), Err(UidVecContainInvalidOne));
        assert_eq!(validate(&with(|c| c.min_allowed_weights = 3), &[1, 2], &[1, 2], 0), Err(WeightVecLengthIsLow));
        assert_eq!(validate(&with(|c| c.max_weight_limit = 32768), &[1, 2], &[1, 3], 0), Err(MaxWeightExceeded));
    }

    #[test]
    fn exemptions_follow_the_chain() {
        // A newer version key than the network's is accepted.
        let mut c = ctx();
        c.network_version_key = 7;
        assert!(validate(&c, &[1], &[1], 8).is_ok());
        // Exactly the rate limit later is allowed.
        c.caller_last_update = 400;
        assert!(validate(&c, &[1], &[1], 8).is_ok());
        // Commit-reveal subnets do not rate-limit set_weights here.
        c.caller_last_update = 499;
        c.commit_reveal_enabled = true;
        assert!(validate(&c, &[1], &[1], 8).is_ok());
        // A single self-weight needs no permit, escapes min length and max limit.
        let mut c = ctx();
        c.caller_has_permit = false;
        c.min_allowed_weights = 3;
        c.max_weight_limit = 100;
        assert_eq!(validate(&c, &[0], &[5], 0), Ok(vec![(0, 65535)]));
        // The owner needs neither stake nor permit.
        c.caller_is_owner = true;
        c.stake_threshold = u64::MAX;
        c.min_allowed_weights = 0;
        c.max_weight_limit = u16::MAX;
        assert!(validate(&c, &[1, 2], &[1, 1], 0).is_ok());
        // min_allowed_weights above the subnet size asks for every neuron only.
        let mut c = ctx();
        c.min_allowed_weights = 1024;
        assert!(validate(&c, &[0, 1, 2, 3], &[1; 4], 0).is_ok());
    }

    #[test]
    fn max_upscale_matches_the_chain_rounding() {
        assert_eq!(max_upscale_to_u16(&[0, 0]), vec![0, 0]);
        assert_eq!(max_upscale_to_u16(&[1, 2]), vec![32768, 65535]);
        assert_eq!(max_upscale_to_u16(&[65535, 32767]), vec![65535, 32767]);
        assert_eq!(max_upscale_to_u16(&[]), Vec::<u16>::new());
        assert!(max_limited(&[1, 1], 32768));
        assert!(!max_limited(&[1, 3], 32768));
    }
}
