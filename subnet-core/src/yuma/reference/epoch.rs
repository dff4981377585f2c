//! One Yuma Consensus epoch, as Subtensor's `epoch_mechanism` computes it
//! (`pallets/subtensor/src/epoch/run_epoch.rs`, sparse version, the one the chain runs).
//!
//! Each step below names the chain rule it follows. Inputs are the subnet's stored
//! state; outputs are what the chain stores after the epoch.

use std::borrow::Cow;

use substrate_fixed::types::{I32F32, I64F64, I96F32};

use super::fixed_math::*;
use crate::yuma::{EpochOutput, EpochParams, SubnetState, YumaError};

/// Run one epoch. Vectors in `state` must all have `n` entries (checked).
pub(crate) fn run_epoch(params: &EpochParams, state: &SubnetState<'_>) -> Result<EpochOutput, YumaError> {
    state.check()?;
    let n = state.stake.len();
    let block = state.block;

    // Active: a neuron is inactive when last_update + activity_cutoff < current block.
    let inactive: Vec<bool> = state.last_update.iter().map(|u| u.saturating_add(params.activity_cutoff) < block).collect();
    let active: Vec<bool> = inactive.iter().map(|b| !b).collect();

    // Stake: below the stake threshold counts as 0 (the subnet owner is exempt), then
    // normalised in I64F64 and narrowed to I32F32.
    let owner = state.owner_uid;
    let mut filtered: Vec<I64F64> = state
        .stake
        .iter()
        .enumerate()
        .map(|(uid, &s)| {
            let s = I64F64::saturating_from_num(s);
            if owner != Some(uid as u16) && s.saturating_to_num::<u64>() < params.stake_threshold {
                I64F64::from_bits(0)
            } else {
                s
            }
        })
        .collect();
    inplace_normalize_64(&mut filtered);
    let stake: Vec<I32F32> = filtered.iter().map(|s| I32F32::saturating_from_num(*s)).collect();

    // Validator permits: weights are judged with the permits stored before this epoch
    // (the owner always holds one); new permits go to the top-k non-zero stakes.
    let mut permits: Vec<bool> = state.validator_permit.to_vec();
    let mut new_permits = is_topk_nonzero(&stake, params.max_allowed_validators as usize);
    if let Some(o) = owner.map(usize::from).filter(|o| *o < n) {
        permits[o] = true;
        new_permits[o] = true;
    }
    let forbids: Vec<bool> = permits.iter().map(|b| !b).collect();

    // Active stake: stake of active, permitted validators, normalised.
    let mut active_stake = stake.clone();
    inplace_mask_vector(&inactive, &mut active_stake);
    inplace_mask_vector(&forbids, &mut active_stake);
    inplace_normalize(&mut active_stake);

    // Weights: stored u16 rows (UIDs >= n ignored), rows of non-permitted neurons dropped,
    // self-weight dropped (except the owner's), weights set at or before the target's
    // registration dropped, then (with commit-reveal) weights committed before the
    // target's registration dropped; each row normalised to sum 1.
    let mut weights: SparseMatrix =
        state.weights.iter().map(|row| row.iter().filter(|(j, _)| (*j as usize) < n).map(|&(j, w)| (j, u16_to_fixed(w))).collect()).collect();
    mask_rows_sparse(&forbids, &mut weights);
    mask_diag_sparse(&mut weights, owner);
    vec_mask_sparse_matrix(&mut weights, state.last_update, state.block_at_registration, |u, r| u <= r);
    if let Some(commit_blocks) = state.commit_blocks {
        vec_mask_sparse_matrix(&mut weights, commit_blocks, state.block_at_registration, |c, r| c < r);
    }
    inplace_row_normalize_sparse(&mut weights);

    // Consensus: per miner, the stake-weighted median of the weights at majority kappa.
    let kappa = safe_div(I32F32::saturating_from_num(params.kappa), I32F32::saturating_from_num(u16::MAX));
    let preranks = matmul_sparse(&weights, &active_stake, n);
    let consensus = weighted_median_col_sparse(&active_stake, &weights, n, kappa);
    // Clip each weight at consensus; validator trust is the sum of a row's clipped weights.
    let clipped = col_clip_sparse(&weights, &consensus);
    let validator_trust = row_sum_sparse(&clipped);

    // Rank r_j = SUM_i clipped_ij * s_i; trust (as the chain stored it until Oct 2025)
    // is rank over pre-clip rank; incentive is rank normalised.
    let mut ranks = matmul_sparse(&clipped, &active_stake, n);
    let trust = vecdiv(&ranks, &preranks);
    inplace_normalize(&mut ranks);
    let incentive = ranks.clone();

    // Bonds penalty interpolates the weights the bonds follow: 0 = raw, 1 = clipped.
    let bonds_penalty = safe_div(I32F32::saturating_from_num(params.bonds_penalty), I32F32::saturating_from_num(u16::MAX));
    // (The clipped matrix is not needed past this point, so it is moved, not copied,
    // when it is itself the bond weights.)
    let weights_for_bonds: SparseMatrix = match interpolate_sparse(&weights, &clipped, n, bonds_penalty) {
        Cow::Owned(m) => m,
        Cow::Borrowed(b) if std::ptr::eq(b, clipped.as_slice()) => clipped,
        Cow::Borrowed(_) => weights,
    };

    // Bonds of a miner registered since the last epoch are forgotten:
    // masked when last_tempo <= registered, last_tempo = last epoch block + 1
    // (or block - tempo when no epoch has run yet).
    let last_tempo = if state.last_epoch_block == 0 { block.saturating_sub(params.tempo as u64) } else { state.last_epoch_block.saturating_add(1) };

    let mut dividends: Vec<I32F32>;
    let mut ema_bonds: SparseMatrix;
    if params.yuma3_enabled {
        // Yuma3: bonds are stored as u16 proportions of 1 and are not normalised.
        // Chain: `fixed_to_fixed_u16_proportion`, b / 65535.
        let u16_max = Divisor::new(I32F32::saturating_from_num(u16::MAX));
        let mut bonds: SparseMatrix =
            state.bonds.iter().map(|row| row.iter().map(|&(j, b)| (j, u16_max.divide(u16_to_fixed(b)))).collect()).collect();
        scalar_vec_mask_sparse_matrix(&mut bonds, last_tempo, state.block_at_registration, |t, r| t <= r);
        ema_bonds = compute_bonds_yuma3(params, &weights_for_bonds, &bonds, &consensus, n);
        // Dividends: d_i = S_i * SUM_j (col-normalised bond_ij * incentive_j), normalised.
        let per_validator = col_normalized_row_dot(&ema_bonds, &incentive, n);
        dividends = vec_mul(&per_validator, &active_stake);
        inplace_normalize(&mut dividends);
    } else {
        // Classic Yuma: bonds column-normalised; ΔB = W∘S column-normalised;
        // B = EMA(ΔB, B) with alpha = 1 - bonds_moving_average; column-normalised.
        let bonds: SparseMatrix = state.bonds.iter().map(|row| row.iter().map(|&(j, b)| (j, u16_to_fixed(b))).collect()).collect();
        let mut bonds = bonds;
        scalar_vec_mask_sparse_matrix(&mut bonds, last_tempo, state.block_at_registration, |t, r| t <= r);
        inplace_col_normalize_sparse(&mut bonds, n);
        let mut delta = weights_for_bonds;
        inplace_row_hadamard_sparse(&mut delta, &active_stake);
        inplace_col_normalize_sparse(&mut delta, n);
        ema_bonds = mat_ema_sparse(&delta, &bonds, moving_average_alpha(params));
        inplace_col_normalize_sparse(&mut ema_bonds, n);
        // Dividends: d_i = SUM_j b_ij * incentive_j, normalised.
        dividends = matmul_transpose_sparse(&ema_bonds, &incentive);
        inplace_normalize(&mut dividends);
        // Stored bonds are column max-upscaled (max_i b_ij = 1).
        inplace_col_max_upscale_sparse(&mut ema_bonds, n);
    }

    // Emission: incentive + dividends normalised on their joint sum; miners get the
    // incentive share, validators the dividend share. With nothing to share (no
    // weights) validators get emission by active stake, or by stake if none is active.
    let combined: Vec<I32F32> = incentive.iter().zip(&dividends).map(|(i, d)| i.saturating_add(*d)).collect();
    let emission_sum = sum(&combined);
    let mut norm_server = incentive.clone();
    let mut norm_validator = dividends.clone();
    let mut norm_combined = combined;
    inplace_normalize_using_sum(&mut norm_server, emission_sum);
    inplace_normalize_using_sum(&mut norm_validator, emission_sum);
    inplace_normalize(&mut norm_combined);
    if emission_sum == ZERO {
        let fallback = if is_zero(&active_stake) { &stake } else { &active_stake };
        norm_validator.clone_from(fallback);
        norm_combined.clone_from(fallback);
    }
    let rao = I96F32::saturating_from_num(state.emission);
    let to_rao =
        |v: &Vec<I32F32>| -> Vec<u64> { v.iter().map(|x| I96F32::saturating_from_num(*x).saturating_mul(rao).saturating_to_num::<u64>()).collect() };

    // Bonds stored only for neurons holding a permit after this epoch; others cleared.
    let bonds_out: Vec<Vec<(u16, u16)>> = (0..n)
        .map(|i| if new_permits[i] { ema_bonds[i].iter().map(|&(j, v)| (j, fixed_proportion_to_u16(v))).collect() } else { Vec::new() })
        .collect();

    let to_u16 = |v: &[I32F32]| -> Vec<u16> { v.iter().map(|x| fixed_proportion_to_u16(*x)).collect() };
    Ok(EpochOutput {
        block,
        active,
        validator_permit: new_permits,
        stake_weight: to_u16(&stake),
        consensus: to_u16(&consensus),
        rank: to_u16(&ranks),
        trust: to_u16(&trust),
        validator_trust: to_u16(&validator_trust),
        incentive: to_u16(&incentive),
        dividends: to_u16(&dividends),
        // Pruning score (as the chain stored it until Oct 2025): combined emission max-upscaled.
        pruning_score: vec_max_upscale_to_u16(&norm_combined),
        emission: to_rao(&norm_combined),
        server_emission: to_rao(&norm_server),
        validator_emission: to_rao(&norm_validator),
        bonds: bonds_out,
    })
}

/// alpha = 1 - bonds_moving_average / 1e6 (computed in I64F64, then narrowed).
fn moving_average_alpha(params: &EpochParams) -> I32F32 {
    let bma = safe_div_64(I64F64::saturating_from_num(params.bonds_moving_average), I64F64::saturating_from_num(1_000_000));
    ONE.saturating_sub(I32F32::saturating_from_num(bma))
}

/// Yuma3 bond EMA: per-cell liquid alpha (a sigmoid of how far the weight is above
/// consensus, or the bond above the weight) when liquid alpha is on and consensus is
/// non-zero; otherwise the plain EMA with alpha = 1 - bonds_moving_average.
fn compute_bonds_yuma3(params: &EpochParams, weights: &[SparseRow], bonds: &[SparseRow], consensus: &[I32F32], n: usize) -> SparseMatrix {
    let liquid = params.liquid_alpha_enabled && !consensus.is_empty() && consensus.iter().any(|c| *c != ZERO);
    if !liquid {
        return mat_ema_sparse(weights, bonds, moving_average_alpha(params));
    }
    let alpha_low = u16_proportion_to_fixed(params.alpha_low);
    let alpha_high = u16_proportion_to_fixed(params.alpha_high);
    let steepness = I32F32::saturating_from_num(params.alpha_sigmoid_steepness);
    // The chain reads each row's weight and bond through a cursor (see `cursor_lookup`).
    let mut cached_row = usize::MAX;
    let mut w_dense = Vec::new();
    let mut b_dense = Vec::new();
    mat_ema_alpha_sparse(weights, bonds, n, |i, j| {
        if cached_row != i {
            w_dense = cursor_lookup(&weights[i], n);
            b_dense = cursor_lookup(&bonds[i], n);
            cached_row = i;
        }
        let c = consensus.get(j as usize).copied().unwrap_or(ZERO);
        alpha_sigmoid(c, w_dense[j as usize], b_dense[j as usize], alpha_low, alpha_high, steepness)
    })
}

/// Chain: `alpha_sigmoid`. Buying (weight above bond) is judged against consensus,
/// selling against the weight; the alpha moves between alpha_low and alpha_high.
pub(crate) fn alpha_sigmoid(consensus: I32F32, weight: I32F32, bond: I32F32, alpha_low: I32F32, alpha_high: I32F32, steepness: I32F32) -> I32F32 {
    let diff_buy = clamp_value(weight.saturating_sub(consensus), ZERO, ONE);
    let diff_sell = clamp_value(bond.saturating_sub(weight), ZERO, ONE);
    let combined = if weight >= bond { diff_buy } else { diff_sell };
    let half = I32F32::from_num(0.5);
    let sigmoid = ONE
        .saturating_div(ONE.saturating_add(exp_safe(steepness.saturating_div(I32F32::from_num(-100)).saturating_mul(combined.saturating_sub(half)))));
    let alpha = alpha_low.saturating_add(sigmoid.saturating_mul(alpha_high.saturating_sub(alpha_low)));
    clamp_value(alpha, alpha_low, alpha_high)
}
