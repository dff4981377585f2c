//! One Yuma Consensus epoch, as Subtensor's `epoch_mechanism` computes it
//! (`pallets/subtensor/src/epoch/run_epoch.rs`, sparse version, the one the chain runs).
//!
//! Each step below names the chain rule it follows. Inputs are the subnet's stored
//! state; outputs are what the chain stores after the epoch.
//!
//! The weight and bond passes come twice, with the same results: `sparse_core`, every
//! case, cell by cell as the chain visits them; and `dense_core` (`epoch/dense.rs`), for
//! subnets whose validators weight most UIDs, on dense rows and vector lanes. The
//! preamble (activity, stake, permits) and the emission split are shared.

use substrate_fixed::types::{I32F32, I64F64, I96F32};

use super::fixed_math::*;
use super::lanes::LaneDivisors;
use super::{EpochOutput, EpochParams, SubnetState, YumaError};

mod buffers;
mod dense;

use buffers::Buffers;

/// Run one epoch. Vectors in `state` must all have `n` entries (checked).
pub fn run_epoch(params: &EpochParams, state: &SubnetState<'_>) -> Result<EpochOutput, YumaError> {
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

    // Bonds of a miner registered since the last epoch are forgotten:
    // masked when last_tempo <= registered, last_tempo = last epoch block + 1
    // (or block - tempo when no epoch has run yet).
    let last_tempo = if state.last_epoch_block == 0 { block.saturating_sub(params.tempo as u64) } else { state.last_epoch_block.saturating_add(1) };
    // Per column: are its bonds forgotten?
    let forgotten: Vec<bool> = state.block_at_registration.iter().map(|r| last_tempo <= *r).collect();

    // Weights, consensus, clipping, ranks, bonds and dividends: on dense rows when the
    // validators weight most UIDs, on sparse rows otherwise (same results).
    let inputs = CoreInputs {
        params,
        state,
        permits: &permits,
        new_permits: &new_permits,
        active_bits: active_stake.iter().map(|s| s.to_bits()).collect(),
        active_stake: &active_stake,
        median: MedianInput::new(&active_stake),
        forgotten: &forgotten,
        last_tempo,
    };
    let mut buffers = Buffers::take();
    let core = dense_core(&inputs, &mut buffers).unwrap_or_else(|| sparse_core(&inputs, &mut buffers));
    buffers.keep();
    let Core { consensus, trust, validator_trust, incentive, dividends, bonds: bonds_out } = core;
    // The rank the chain stored is the normalised rank, which is the incentive.
    let ranks = &incentive;

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

    // Bonds stored only for neurons holding a permit after this epoch; others cleared
    // (`bonds_out` above).
    let to_u16 = |v: &[I32F32]| -> Vec<u16> { v.iter().map(|x| fixed_proportion_to_u16(*x)).collect() };
    Ok(EpochOutput {
        block,
        active,
        validator_permit: new_permits,
        stake_weight: to_u16(&stake),
        consensus: to_u16(&consensus),
        rank: to_u16(ranks),
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

/// What the weight and bond passes read from the rest of the epoch.
struct CoreInputs<'a> {
    params: &'a EpochParams,
    state: &'a SubnetState<'a>,
    /// Permits before this epoch (they judge the weights) and after it (they keep bonds).
    permits: &'a [bool],
    new_permits: &'a [bool],
    active_stake: &'a [I32F32],
    active_bits: Vec<i64>,
    median: MedianInput,
    forgotten: &'a [bool],
    last_tempo: u64,
}

impl CoreInputs<'_> {
    /// Chain: kappa as a proportion of u16::MAX.
    fn kappa(&self) -> I32F32 {
        safe_div(I32F32::saturating_from_num(self.params.kappa), I32F32::saturating_from_num(u16::MAX))
    }

    /// The bonds penalty interpolates the weights the bonds follow: 0 = raw, 1 = clipped.
    fn bonds_penalty(&self) -> I32F32 {
        safe_div(I32F32::saturating_from_num(self.params.bonds_penalty), I32F32::saturating_from_num(u16::MAX))
    }
}

/// What the weight and bond passes give the rest of the epoch.
struct Core {
    consensus: Vec<I32F32>,
    trust: Vec<I32F32>,
    validator_trust: Vec<I32F32>,
    /// The normalised rank.
    incentive: Vec<I32F32>,
    dividends: Vec<I32F32>,
    bonds: Vec<Vec<(u16, u16)>>,
}

/// Trust (as the chain stored it until Oct 2025) is rank over pre-clip rank;
/// incentive is rank normalised. Raw bits in, fixed point out.
fn trust_and_incentive(rank_bits: &[i64], preranks: &[i64]) -> (Vec<I32F32>, Vec<I32F32>) {
    let mut ranks: Vec<I32F32> = rank_bits.iter().map(|b| I32F32::from_bits(*b)).collect();
    let preranks: Vec<I32F32> = preranks.iter().map(|b| I32F32::from_bits(*b)).collect();
    let trust = vecdiv(&ranks, &preranks);
    inplace_normalize(&mut ranks);
    (trust, ranks)
}

/// Dividends from each validator's `SUM_j bond_ij * incentive_j`, normalised; Yuma3
/// scales them by active stake first (chain: `vec_mul` before the normalisation).
fn dividends_of(yuma3: bool, per_validator: &[i64], active_stake: &[I32F32]) -> Vec<I32F32> {
    let per_validator: Vec<I32F32> = per_validator.iter().map(|b| I32F32::from_bits(*b)).collect();
    let mut dividends = if yuma3 { vec_mul(&per_validator, active_stake) } else { per_validator };
    inplace_normalize(&mut dividends);
    dividends
}

fn to_fixed(bits: &[i64]) -> Vec<I32F32> {
    bits.iter().map(|b| I32F32::from_bits(*b)).collect()
}

/// Chain: `u16_to_fixed(b)`, as bits: how classic Yuma reads a stored bond.
fn u16_fixed_bits(b: u16) -> i64 {
    u16_to_fixed(b).to_bits()
}

#[cfg(test)]
use std::cell::Cell;

#[cfg(test)]
thread_local! {
    static DENSE_EPOCHS: Cell<usize> = const { Cell::new(0) };
}

/// How many epochs this thread ran on dense rows (tests check the path was taken).
#[cfg(test)]
pub(super) fn dense_epochs() -> usize {
    DENSE_EPOCHS.with(Cell::get)
}

/// The weight and bond passes on dense rows (`dense.rs`), or `None` where they do not
/// apply: bond weights other than the clipped weights, liquid alpha, rows too sparse to
/// hold densely, or a row naming a column twice.
fn dense_core(x: &CoreInputs<'_>, buffers: &mut Buffers) -> Option<Core> {
    let params = x.params;
    if x.bonds_penalty() != ONE || (params.yuma3_enabled && params.liquid_alpha_enabled) {
        return None;
    }
    let (permits, active) = (x.permits, &x.active_bits);
    let (mut dense, preranks) = if params.yuma3_enabled {
        dense::DenseEpoch::read(x.state, permits, active, x.forgotten, u16_proportion_bits, buffers)
    } else {
        dense::DenseEpoch::read(x.state, permits, active, x.forgotten, u16_fixed_bits, buffers)
    }?;
    let consensus_bits = dense.consensus(&x.median, x.kappa());
    let (validator_trust, rank_bits) = dense.clip(&consensus_bits, &x.active_bits);
    let (trust, incentive) = trust_and_incentive(&rank_bits, &preranks);
    let incentive_bits: Vec<i64> = incentive.iter().map(|b| b.to_bits()).collect();
    let alpha = moving_average_alpha(params).to_bits();
    let (per_validator, bonds) = if params.yuma3_enabled {
        // Yuma3: the plain EMA of the clipped weights and the bonds as u16 proportions;
        // stored as it is.
        let (sums, _) = dense.ema(alpha, &x.active_bits, None, None);
        dense.finish(&sums, &incentive_bits, x.new_permits, None)
    } else {
        // Classic: ΔB = W∘S column-normalised (with clipped bond weights its column sums
        // are the ranks), bonds column-normalised, their EMA column-normalised and, as
        // stored, column max-upscaled (see `sparse_core`).
        let delta = LaneDivisors::new(&rank_bits);
        let old = LaneDivisors::new(&dense.bond_col_sums());
        let (sums, maxima) = dense.ema(alpha, &x.active_bits, Some(&delta), Some(&old));
        let max_bits: Vec<i64> = maxima.iter().zip(&sums).map(|(m, s)| Divisor::new(I32F32::from_bits(*s)).divide_bits_unless_zero(*m)).collect();
        dense.finish(&sums, &incentive_bits, x.new_permits, Some(&LaneDivisors::new(&max_bits)))
    };
    dense.give_back(buffers);
    #[cfg(test)]
    DENSE_EPOCHS.with(|c| c.set(c.get() + 1));
    Some(Core {
        consensus: to_fixed(&consensus_bits),
        trust,
        validator_trust: to_fixed(&validator_trust),
        dividends: dividends_of(params.yuma3_enabled, &per_validator, x.active_stake),
        incentive,
        bonds,
    })
}

/// The weight and bond passes on sparse rows: every case, each cell as the chain
/// visits it.
fn sparse_core(x: &CoreInputs<'_>, buffers: &mut Buffers) -> Core {
    let (params, state) = (x.params, x.state);
    let n = state.stake.len();
    let active_bits = &x.active_bits;
    let forgotten = x.forgotten;

    // Weights: stored u16 rows (UIDs >= n ignored), rows of non-permitted neurons dropped,
    // self-weight dropped (except the owner's), weights set at or before the target's
    // registration dropped, then (with commit-reveal) weights committed before the
    // target's registration dropped; each row normalised to sum 1. Read in one pass
    // with the pre-clip ranks and the copy the consensus median reads (`read_weights`).
    let read = read_weights(state, x.permits, active_bits, &x.median, buffers);
    let weights = read.weights;

    // Consensus: per miner, the stake-weighted median of the weights at majority kappa.
    let consensus_bits = x.median.consensus_of_col_major(&read.col_major, n, x.kappa());
    buffers.col_major = read.col_major;
    let consensus = to_fixed(&consensus_bits);

    // Bonds penalty interpolates the weights the bonds follow: 0 = raw, 1 = clipped.
    let bond_weights = BondWeights::new(&weights, &consensus_bits, n, x.bonds_penalty());
    let liquid = params.yuma3_enabled && params.liquid_alpha_enabled && consensus.iter().any(|c| *c != ZERO);

    // Clip each weight at consensus; validator trust is the sum of a row's clipped
    // weights; rank r_j = SUM_i clipped_ij * s_i (`clip_pass`). Yuma3's plain bond EMA
    // (below) does not depend on the ranks, so when it follows the clipped weights it
    // is computed in the same pass, each clipped row read once for both.
    let mut fused_ema = None;
    let (validator_trust, rank_bits) = if params.yuma3_enabled && !liquid && matches!(bond_weights, BondWeights::Clipped) {
        let alpha = moving_average_alpha(params).to_bits();
        let bonds = StoredBonds { rows: state.bonds, forgotten, value: u16_proportion_bits };
        let mut validator_trust = vec![0i64; n];
        let mut ranks = vec![0i64; n];
        let (ema, sums, _) = ema_rows(
            n,
            &bond_weights,
            &weights,
            &consensus_bits,
            &bonds,
            alpha,
            buffers.matrix(1, n),
            |i, j, c| {
                validator_trust[i] = validator_trust[i].saturating_add(c);
                ranks[j as usize] = ranks[j as usize].saturating_add(mul_bits(active_bits[i], c));
                c
            },
            |_, v| v,
        );
        fused_ema = Some((ema, sums));
        (validator_trust, ranks)
    } else {
        clip_pass(&weights, &consensus_bits, active_bits)
    };
    let (trust, incentive) = trust_and_incentive(&rank_bits, &read.preranks);
    let incentive_bits: Vec<i64> = incentive.iter().map(|b| b.to_bits()).collect();

    let per_validator: Vec<i64>;
    let bonds_out: Vec<Vec<(u16, u16)>>;
    if params.yuma3_enabled {
        // Yuma3: bonds are stored as u16 proportions of 1 and are not normalised.
        // Chain: `fixed_to_fixed_u16_proportion`, b / 65535.
        let ema_bonds = if let Some(ema) = fused_ema {
            ema
        } else if liquid {
            // Liquid alpha reads rows through the chain's cursor, which stops at cells of
            // out-of-range columns too, so the rows are kept exactly as stored.
            let mut bonds: SparseMatrix =
                state.bonds.iter().map(|row| row.iter().map(|&(j, b)| (j, I32F32::from_bits(u16_proportion_bits(b)))).collect()).collect();
            scalar_vec_mask_sparse_matrix(&mut bonds, x.last_tempo, state.block_at_registration, |t, r| t <= r);
            let w = bond_weights.to_rows(&weights, &consensus_bits);
            let ema = Csr::from_rows(&compute_bonds_yuma3(params, &w, &bonds, &consensus, n));
            let sums = col_sums(&ema, n);
            (ema, sums)
        } else {
            // Plain EMA (chain: `mat_ema_sparse`, alpha = 1 - bonds_moving_average): cells of
            // columns >= n take no part, so they are not read.
            let alpha = moving_average_alpha(params).to_bits();
            let bonds = StoredBonds { rows: state.bonds, forgotten, value: u16_proportion_bits };
            let (ema, sums, _) = ema_rows(n, &bond_weights, &weights, &consensus_bits, &bonds, alpha, buffers.matrix(1, n), |_, _, v| v, |_, v| v);
            (ema, sums)
        };
        // Dividends: d_i = S_i * SUM_j (col-normalised bond_ij * incentive_j), normalised
        // (chain: `col_normalize`, `mat_vec_mul`, `row_sum`; zero products dropped there
        // do not change a sum). Stored bonds are the EMA as it is.
        let (ema_bonds, ema_col_sums) = ema_bonds;
        (per_validator, bonds_out) = finish_bonds(&ema_bonds, &ema_col_sums, &incentive_bits, x.new_permits, |_, raw, _| raw);
        buffers.give_back(1, ema_bonds);
    } else {
        // Classic Yuma: bonds column-normalised; ΔB = W∘S column-normalised;
        // B = EMA(ΔB, B) with alpha = 1 - bonds_moving_average; column-normalised.
        // (Cells of columns >= n are left out of every column sum and dropped by the
        // EMA, so they are not read.)
        let bonds = StoredBonds { rows: state.bonds, forgotten, value: u16_fixed_bits };
        let bond_col_sums = bonds.col_sums();
        let bond_divisors: Vec<Divisor> = bond_col_sums.iter().map(|s| Divisor::new(I32F32::from_bits(*s))).collect();
        // ΔB_ij = W_ij * S_i (chain: `row_hadamard_sparse`), column sums for its
        // normalisation: with clipped bond weights, exactly the ranks' sums.
        let delta_col_sums = match bond_weights {
            BondWeights::Clipped => rank_bits,
            _ => {
                let mut sums = vec![0i64; n];
                for (i, &s) in active_bits.iter().enumerate() {
                    bond_weights.for_each(i, &weights, &consensus_bits, |j, v| {
                        let c = &mut sums[j as usize];
                        *c = c.saturating_add(mul_bits(v, s));
                    });
                }
                sums
            }
        };
        let delta_divisors: Vec<Divisor> = delta_col_sums.iter().map(|s| Divisor::new(I32F32::from_bits(*s))).collect();
        let alpha = moving_average_alpha(params).to_bits();
        let (ema_bonds, ema_col_sums, ema_col_max) = ema_rows(
            n,
            &bond_weights,
            &weights,
            &consensus_bits,
            &bonds,
            alpha,
            buffers.matrix(1, n),
            |i, j, v| delta_divisors[j as usize].divide_bits_unless_zero(mul_bits(v, active_bits[i])),
            |j, b| bond_divisors[j as usize].divide_bits_unless_zero(b),
        );
        // Column-normalise the EMA; dividends d_i = SUM_j b_ij * incentive_j (chain:
        // `matmul_transpose_sparse`), normalised. Stored bonds are column max-upscaled
        // (max_i b_ij = 1, chain: `inplace_col_max_upscale_sparse` after the
        // normalisation). Normalising divides a column's cells by its sum, which is at
        // least each cell, so the quotients stay in [0, 1], where truncating division is
        // non-decreasing: the maximum of the normalised cells is the normalised maximum.
        let ema_divisors: Vec<Divisor> = ema_col_sums.iter().map(|s| Divisor::new(I32F32::from_bits(*s))).collect();
        let max_divisors: Vec<Divisor> =
            ema_col_max.iter().zip(&ema_divisors).map(|(m, d)| Divisor::new(I32F32::from_bits(d.divide_bits_unless_zero(*m)))).collect();
        (per_validator, bonds_out) = finish_bonds(&ema_bonds, &ema_col_sums, &incentive_bits, x.new_permits, |j, _, normalised| {
            max_divisors[j as usize].divide_bits_unless_zero(normalised)
        });
        buffers.give_back(1, ema_bonds);
    }
    buffers.give_back(0, weights);
    Core {
        consensus,
        trust,
        validator_trust: to_fixed(&validator_trust),
        dividends: dividends_of(params.yuma3_enabled, &per_validator, x.active_stake),
        incentive,
        bonds: bonds_out,
    }
}

/// Chain: `col_clip_sparse` for one cell (raw bits): clipped at the column's consensus,
/// and dropped when clipped to a consensus of 0.
#[inline]
fn clip(v: i64, threshold: i64) -> Option<i64> {
    if threshold < v {
        (threshold > 0).then_some(threshold)
    } else {
        Some(v)
    }
}

/// The cells of weight row `i` the chain keeps, in row order, as fixed-point bits:
/// UIDs >= n ignored; self-weight dropped unless `i` is the owner (chain:
/// `mask_diag_sparse`); weights set at or before the target's registration dropped
/// (`vec_mask_sparse_matrix` with last_update <= registration), then, with
/// commit-reveal, weights committed before it (commit block < registration).
#[inline(always)]
fn kept_weights<'a>(state: &'a SubnetState<'_>, i: usize, latest_registration: u64) -> impl Iterator<Item = (u16, i64)> + 'a {
    let n = state.stake.len();
    let registered = state.block_at_registration;
    let updated = state.last_update[i];
    // Without commit-reveal `committed` is u64::MAX, never below a registration block.
    let committed = state.commit_blocks.map_or(u64::MAX, |c| c[i]);
    let check_registration = registration_mask_may_apply(state, i, latest_registration);
    let diagonal = dropped_self_weight(state, i).unwrap_or(usize::MAX);
    state.weights[i].iter().filter_map(move |&(j, w)| {
        let col = j as usize;
        if col >= n || col == diagonal {
            return None;
        }
        if check_registration {
            let r = registered[col];
            if updated <= r || committed < r {
                return None;
            }
        }
        Some((j, u16_to_fixed(w).to_bits()))
    })
}

/// Whether the registration masks of [`kept_weights`] can drop a cell of row `i`: not
/// when they cannot hold for the latest registration.
fn registration_mask_may_apply(state: &SubnetState<'_>, i: usize, latest_registration: u64) -> bool {
    let committed = state.commit_blocks.map_or(u64::MAX, |c| c[i]);
    state.last_update[i] <= latest_registration || committed < latest_registration
}

/// The column whose weight row `i` drops as self-weight: `i`, unless `i` is the owner.
fn dropped_self_weight(state: &SubnetState<'_>, i: usize) -> Option<usize> {
    (state.owner_uid != Some(i as u16)).then_some(i)
}

struct ReadWeights {
    weights: Csr,
    /// Pre-clip ranks (chain: `matmul_sparse` of the weights by active stake), raw bits.
    preranks: Vec<i64>,
    /// The median's column-major copy (see [`MedianInput::consensus`]).
    col_major: Vec<i64>,
}

/// The weights as the chain masks and normalises them (see `run_epoch`); the masks only
/// drop cells, so they are applied as the rows are read, in the chain's cell order.
/// While each normalised row is hot: its pre-clip rank terms and its median copy.
#[inline(never)]
fn read_weights(state: &SubnetState<'_>, permits: &[bool], active: &[i64], median: &MedianInput, buffers: &mut Buffers) -> ReadWeights {
    let n = state.stake.len();
    let k_rows = median.rows();
    let mut col_major = std::mem::take(&mut buffers.col_major);
    col_major.clear();
    col_major.resize(n * k_rows, 0);
    let mut preranks = vec![0i64; n];
    let entries: usize = (0..n).filter(|&i| permits[i]).map(|i| state.weights[i].len()).sum();
    let mut weights = buffers.matrix(0, n);
    weights.cols.reserve(entries);
    weights.vals.reserve(entries);
    let latest_registration = state.block_at_registration.iter().copied().max().unwrap_or(0);
    for i in 0..n {
        if permits[i] {
            let row = &state.weights[i];
            let base = weights.cols.len();
            weights.cols.resize(base + row.len(), 0);
            weights.vals.resize(base + row.len(), 0);
            let (cols, vals) = (&mut weights.cols[base..], &mut weights.vals[base..]);
            let mut row_sum = 0i64;
            let mut len = 0;
            for (j, v) in kept_weights(state, i, latest_registration) {
                row_sum = row_sum.saturating_add(v);
                cols[len] = j;
                vals[len] = v;
                len += 1;
            }
            weights.cols.truncate(base + len);
            weights.vals.truncate(base + len);
            let (cols, vals) = (&weights.cols[base..], &mut weights.vals[base..]);
            // Chain: `inplace_row_normalize_sparse` (rows summing to 0 left as they are);
            // with each normalised cell, its pre-clip rank term and its median copy.
            let d = (row_sum > 0).then(|| Divisor::new(I32F32::from_bits(row_sum)));
            let s = active[i];
            let k = median.row_of(i);
            // Later cells of a column overwrite earlier ones in the median copy, as in the
            // chain's. (A validator the median counts has positive active stake.)
            if let (Some(d), Some(k)) = (&d, k) {
                for (&j, v) in cols.iter().zip(vals.iter_mut()) {
                    let x = d.divide_bits(*v);
                    *v = x;
                    let j = j as usize;
                    preranks[j] = preranks[j].saturating_add(mul_bits(s, x));
                    col_major[j * k_rows + k] = x;
                }
            } else {
                for (&j, v) in cols.iter().zip(vals.iter_mut()) {
                    if let Some(d) = &d {
                        *v = d.divide_bits(*v);
                    }
                    let j = j as usize;
                    if s != 0 {
                        preranks[j] = preranks[j].saturating_add(mul_bits(s, *v));
                    }
                    if let Some(k) = k {
                        col_major[j * k_rows + k] = *v;
                    }
                }
            }
        }
        weights.end_row();
    }
    ReadWeights { weights, preranks, col_major }
}

/// Chain: `col_clip_sparse`, `row_sum_sparse` (validator trust) and `matmul_sparse` of
/// the clipped weights by active stake (ranks), fused in one pass. Raw bits.
#[inline(never)]
fn clip_pass(weights: &Csr, consensus: &[i64], active: &[i64]) -> (Vec<i64>, Vec<i64>) {
    let n = weights.rows();
    let mut validator_trust = vec![0i64; n];
    let mut ranks = vec![0i64; consensus.len()];
    for (i, vt) in validator_trust.iter_mut().enumerate() {
        let s = active[i];
        let (cols, vals) = weights.row(i);
        let mut row_sum = 0i64;
        for (&j, &v) in cols.iter().zip(vals) {
            if let Some(c) = clip(v, consensus[j as usize]) {
                row_sum = row_sum.saturating_add(c);
                let r = &mut ranks[j as usize];
                *r = r.saturating_add(mul_bits(s, c));
            }
        }
        *vt = row_sum;
    }
    (validator_trust, ranks)
}

/// The validators the consensus median counts (positive active stake), with their
/// stake normalised again (chain: `weighted_median_col_sparse`).
struct MedianInput {
    /// Per UID, its index among the counted validators, or `u32::MAX`.
    index: Vec<u32>,
    stake: Vec<I32F32>,
}

impl MedianInput {
    fn new(active_stake: &[I32F32]) -> Self {
        let mut index = vec![u32::MAX; active_stake.len()];
        let mut stake = Vec::new();
        for (i, &s) in active_stake.iter().enumerate() {
            if s.to_bits() > 0 {
                index[i] = stake.len() as u32;
                stake.push(s);
            }
        }
        inplace_normalize(&mut stake);
        Self { index, stake }
    }

    fn rows(&self) -> usize {
        self.stake.len()
    }

    #[inline]
    fn row_of(&self, uid: usize) -> Option<usize> {
        let k = self.index[uid];
        (k != u32::MAX).then_some(k as usize)
    }

    /// [`MedianInput::consensus`] of the columns of `col_major`, `rows()` scores each.
    fn consensus_of_col_major(&self, col_major: &[i64], columns: usize, majority: I32F32) -> Vec<i64> {
        let k = self.rows();
        self.consensus(columns, majority, |c, scores| {
            scores.clear();
            scores.extend_from_slice(&col_major[c * k..(c + 1) * k]);
        })
    }

    /// Per column, the chain's stake-weighted median at the given majority of the
    /// `rows()` scores `column(c, scores)` writes (raw bits, in the order of the counted
    /// validators, zero where one set no weight). Normalised stakes are positive (a
    /// positive stake over a sum of at most 1), in which case [`weighted_median_positive`]
    /// gives the chain's result; should one not be, the chain's own search runs.
    #[inline(never)]
    fn consensus(&self, columns: usize, majority: I32F32, column: impl Fn(usize, &mut Vec<i64>) + Sync) -> Vec<i64> {
        let k = self.rows();
        if k == 0 {
            return vec![0; columns];
        }
        let stake_sum = sum(&self.stake);
        let minority = stake_sum.sat_sub(majority);
        let all_positive = self.stake.iter().all(|s| s.to_bits() > 0);
        let stake_bits: Vec<i64> = self.stake.iter().map(|s| s.to_bits()).collect();
        let median_of = |range: std::ops::Range<usize>| -> Vec<i64> {
            let mut pairs = Vec::with_capacity(k);
            let mut scratch = MedianScratch::default();
            let mut scores = Vec::with_capacity(k);
            let stake_idx: Vec<usize> = if all_positive { Vec::new() } else { (0..k).collect() };
            range
                .map(|c| {
                    column(c, &mut scores);
                    let col = &scores[..];
                    if !all_positive {
                        let score: Vec<I32F32> = col.iter().map(|b| I32F32::from_bits(*b)).collect();
                        return weighted_median_with(&mut scratch, &self.stake, &score, &stake_idx, minority, ZERO, stake_sum).to_bits();
                    }
                    weighted_median_positive(col, &stake_bits, minority, &mut pairs).to_bits()
                })
                .collect()
        };
        // Columns are independent: split big subnets across the machine's cores.
        if columns * k < PARALLEL_MEDIAN_MIN_CELLS {
            return median_of(0..columns);
        }
        let threads = median_threads();
        if threads < 2 {
            return median_of(0..columns);
        }
        let chunk = columns.div_ceil(threads);
        std::thread::scope(|scope| {
            // Workers take the later chunks; this thread does the first.
            let handles: Vec<_> = (chunk..columns)
                .step_by(chunk)
                .map(|start| {
                    let median_of = &median_of;
                    scope.spawn(move || median_of(start..(start + chunk).min(columns)))
                })
                .collect();
            let mut medians = median_of(0..chunk.min(columns));
            for h in handles {
                medians.extend(h.join().expect("median worker does not panic"));
            }
            medians
        })
    }
}

/// The threads a big subnet's median runs on: the machine's cores, up to 8. Asked
/// once: `available_parallelism` reads the cgroup files on each call, which cost more
/// than a 256-UID epoch's median.
fn median_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |t| t.get()).min(8))
}

/// Below this many (column, validator) cells a thread costs more than it saves.
const PARALLEL_MEDIAN_MIN_CELLS: usize = 1 << 17;

/// The weights the bonds follow, interpolated by the bonds penalty (chain:
/// `interpolate_sparse` of the weights and the clipped weights).
enum BondWeights {
    /// Ratio 0: the weights themselves.
    Raw,
    /// Ratio 1: the clipped weights (computed from the weights when read).
    Clipped,
    /// Otherwise `W + ratio * (C - W)` per cell: rows in column order, zeros dropped.
    Interpolated(Csr),
}

impl BondWeights {
    fn new(weights: &Csr, consensus: &[i64], n: usize, ratio: I32F32) -> Self {
        if ratio == ZERO {
            return Self::Raw;
        }
        if ratio == ONE {
            return Self::Clipped;
        }
        let ratio = ratio.to_bits();
        let mut out = Csr::with_capacity(n, weights.cols.len());
        let mut dense_a = vec![0i64; n];
        let mut dense_b = vec![0i64; n];
        for i in 0..n {
            let (cols, vals) = weights.row(i);
            // An empty row has an empty clipped row: 0 + r * (0 - 0) = 0, nothing to keep.
            if !cols.is_empty() {
                dense_a.iter_mut().for_each(|x| *x = 0);
                dense_b.iter_mut().for_each(|x| *x = 0);
                for (&j, &v) in cols.iter().zip(vals) {
                    dense_a[j as usize] = v;
                    if let Some(c) = clip(v, consensus[j as usize]) {
                        dense_b[j as usize] = c;
                    }
                }
                for (j, (&a, &b)) in dense_a.iter().zip(&dense_b).enumerate() {
                    let v = a.saturating_add(mul_bits(ratio, b.saturating_sub(a)));
                    if v > 0 {
                        out.push(j as u16, v);
                    }
                }
            }
            out.end_row();
        }
        Self::Interpolated(out)
    }

    /// How many cells row `i` can have (its cells, or for clipped weights the cells
    /// they are clipped from).
    fn row_len(&self, i: usize, weights: &Csr) -> usize {
        match self {
            Self::Raw | Self::Clipped => weights.range(i).len(),
            Self::Interpolated(m) => m.range(i).len(),
        }
    }

    /// Calls `f(column, value)` for the cells of row `i`, in row order.
    #[inline]
    fn for_each(&self, i: usize, weights: &Csr, consensus: &[i64], mut f: impl FnMut(u16, i64)) {
        match self {
            Self::Raw => {
                let (cols, vals) = weights.row(i);
                cols.iter().zip(vals).for_each(|(&j, &v)| f(j, v));
            }
            Self::Clipped => {
                let (cols, vals) = weights.row(i);
                for (&j, &v) in cols.iter().zip(vals) {
                    if let Some(c) = clip(v, consensus[j as usize]) {
                        f(j, c);
                    }
                }
            }
            Self::Interpolated(m) => {
                let (cols, vals) = m.row(i);
                cols.iter().zip(vals).for_each(|(&j, &v)| f(j, v));
            }
        }
    }

    fn to_rows(&self, weights: &Csr, consensus: &[i64]) -> SparseMatrix {
        (0..weights.rows())
            .map(|i| {
                let mut row = Vec::new();
                self.for_each(i, weights, consensus, |j, v| row.push((j, I32F32::from_bits(v))));
                row
            })
            .collect()
    }
}

/// Stored bond rows, read in place without cells of columns >= n or of forgotten
/// columns (chain: `scalar_vec_mask_sparse_matrix`), each value converted by `value`.
struct StoredBonds<'a, F> {
    rows: &'a [Vec<(u16, u16)>],
    forgotten: &'a [bool],
    value: F,
}

impl<F: Fn(u16) -> i64> StoredBonds<'_, F> {
    /// Calls `f(column, value)` for the kept cells of row `i`, in row order.
    #[inline]
    fn for_each(&self, i: usize, mut f: impl FnMut(u16, i64)) {
        for &(j, b) in &self.rows[i] {
            if self.forgotten.get(j as usize) == Some(&false) {
                f(j, (self.value)(b));
            }
        }
    }

    /// Saturating column sums of the kept cells.
    #[inline(never)]
    fn col_sums(&self) -> Vec<i64> {
        let mut sums = vec![0i64; self.forgotten.len()];
        for i in 0..self.rows.len() {
            self.for_each(i, |j, v| sums[j as usize] = sums[j as usize].saturating_add(v));
        }
        sums
    }
}

/// Saturating column sums.
fn col_sums(m: &Csr, columns: usize) -> Vec<i64> {
    let mut sums = vec![0i64; columns];
    for (&j, &v) in m.cols.iter().zip(&m.vals) {
        if let Some(s) = sums.get_mut(j as usize) {
            *s = s.saturating_add(v);
        }
    }
    sums
}

/// Chain: `mat_ema_sparse(new, old, alpha)`: per cell `alpha * new + (1 - alpha) * old`,
/// summed in the chain's order (the new row's cells, then the old row's), positives kept
/// in column order. `new` is the bond weights with each cell passed through
/// `new_value(row, column, value)`; old cells through `old_value(column, value)`.
/// Returns the result with its column sums and column maxima.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn ema_rows(
    n: usize,
    new: &BondWeights,
    weights: &Csr,
    consensus: &[i64],
    old: &StoredBonds<'_, impl Fn(u16) -> i64>,
    alpha: i64,
    mut out: Csr,
    mut new_value: impl FnMut(usize, u16, i64) -> i64,
    old_value: impl Fn(u16, i64) -> i64,
) -> (Csr, Vec<i64>, Vec<i64>) {
    let one_minus_alpha = ONE.to_bits().saturating_sub(alpha);
    let mut acc = vec![0i64; n];
    let mut sums = vec![0i64; n];
    let mut maxima = vec![0i64; n];
    let entries = weights.cols.len();
    out.cols.reserve(entries);
    out.vals.reserve(entries);
    for i in 0..n {
        // A row with no cells on either side sums to nothing (all zeros, none kept).
        if old.rows[i].is_empty() && new.row_len(i, weights) == 0 {
            out.end_row();
            continue;
        }
        acc.iter_mut().for_each(|x| *x = 0);
        new.for_each(i, weights, consensus, |j, v| {
            let c = &mut acc[j as usize];
            *c = c.saturating_add(mul_bits(alpha, new_value(i, j, v)));
        });
        old.for_each(i, |j, v| {
            let c = &mut acc[j as usize];
            *c = c.saturating_add(mul_bits(one_minus_alpha, old_value(j, v)));
        });
        // Keep the positive cells in column order (written unconditionally, counted
        // only when positive; a non-positive cell adds 0 to the sum and cannot raise a
        // maximum that starts at 0).
        let base = out.cols.len();
        out.cols.resize(base + n, 0);
        out.vals.resize(base + n, 0);
        let (cols, vals) = (&mut out.cols[base..], &mut out.vals[base..]);
        let mut len = 0;
        for (j, ((&v, s), m)) in acc.iter().zip(sums.iter_mut()).zip(maxima.iter_mut()).enumerate() {
            cols[len] = j as u16;
            vals[len] = v;
            len += (v > 0) as usize;
            *s = s.saturating_add(v.max(0));
            *m = (*m).max(v);
        }
        out.cols.truncate(base + len);
        out.vals.truncate(base + len);
        out.end_row();
    }
    (out, sums, maxima)
}

/// One pass over the EMA bonds. Per row, `SUM_j normalised_ij * incentive_j`, with
/// `normalised` the cell over its column's sum (unchanged when that is 0); and the bonds
/// rows as stored: for neurons holding a permit after this epoch, each cell through
/// `stored(column, raw, normalised)` then `fixed_proportion_to_u16`; others cleared.
#[inline(never)]
fn finish_bonds(
    ema: &Csr,
    col_sums: &[i64],
    incentive: &[i64],
    permits: &[bool],
    stored: impl Fn(u16, i64, i64) -> i64,
) -> (Vec<i64>, Vec<Vec<(u16, u16)>>) {
    let divisors: Vec<Divisor> = col_sums.iter().map(|s| Divisor::new(I32F32::from_bits(*s))).collect();
    let n = ema.rows();
    let mut dots = Vec::with_capacity(n);
    let mut rows = Vec::with_capacity(n);
    for (i, &permit) in permits.iter().enumerate().take(n) {
        let (cols, vals) = ema.row(i);
        let mut dot = 0i64;
        let mut row = Vec::new();
        if permit {
            row.reserve_exact(cols.len());
            for (&j, &v) in cols.iter().zip(vals) {
                let normalised = divisors[j as usize].divide_bits_unless_zero(v);
                dot = dot.saturating_add(mul_bits(normalised, incentive[j as usize]));
                row.push((j, proportion_to_u16_fast(I32F32::from_bits(stored(j, v, normalised)))));
            }
        } else {
            for (&j, &v) in cols.iter().zip(vals) {
                let normalised = divisors[j as usize].divide_bits_unless_zero(v);
                dot = dot.saturating_add(mul_bits(normalised, incentive[j as usize]));
            }
        }
        dots.push(dot);
        rows.push(row);
    }
    (dots, rows)
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
pub fn alpha_sigmoid(consensus: I32F32, weight: I32F32, bond: I32F32, alpha_low: I32F32, alpha_high: I32F32, steepness: I32F32) -> I32F32 {
    let diff_buy = clamp_value(weight.saturating_sub(consensus), ZERO, ONE);
    let diff_sell = clamp_value(bond.saturating_sub(weight), ZERO, ONE);
    let combined = if weight >= bond { diff_buy } else { diff_sell };
    let half = I32F32::from_num(0.5);
    let sigmoid = ONE
        .saturating_div(ONE.saturating_add(exp_safe(steepness.saturating_div(I32F32::from_num(-100)).saturating_mul(combined.saturating_sub(half)))));
    let alpha = alpha_low.saturating_add(sigmoid.saturating_mul(alpha_high.saturating_sub(alpha_low)));
    clamp_value(alpha, alpha_low, alpha_high)
}
