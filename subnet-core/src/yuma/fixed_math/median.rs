//! The stake-weighted median that gives each column's consensus: the chain's own search
//! (`weighted_median`) and a faster one with the same answer when every stake is positive.

use substrate_fixed::types::I32F32;

use super::{SatOps, ZERO};

/// Reusable buffers for [`weighted_median_with`], so a median per column allocates nothing.
#[derive(Default)]
pub(crate) struct MedianScratch {
    current: Vec<usize>,
    lower: Vec<usize>,
    upper: Vec<usize>,
}

/// Chain: `weighted_median`, the stake-weighted median by mid-pivot partitioning
/// (the chain picks the middle element as pivot, for determinism), in `scratch`.
pub(crate) fn weighted_median_with(
    scratch: &mut MedianScratch,
    stake: &[I32F32],
    score: &[I32F32],
    partition_idx: &[usize],
    minority: I32F32,
    mut partition_lo: I32F32,
    mut partition_hi: I32F32,
) -> I32F32 {
    if stake.len() != score.len() {
        return ZERO;
    }
    let MedianScratch { current, lower, upper } = scratch;
    current.clear();
    current.extend_from_slice(partition_idx);
    let iteration_limit = partition_idx.len();
    let mut iterations = 0usize;
    loop {
        lower.clear();
        upper.clear();
        let n = current.len();
        if n == 0 {
            return ZERO;
        }
        if n == 1 {
            return score.get(current[0]).copied().unwrap_or(ZERO);
        }
        let pivot = score.get(current[n / 2]).copied().unwrap_or(ZERO);
        let mut lo_stake = ZERO;
        let mut hi_stake = ZERO;
        for &idx in current.iter() {
            let s = score.get(idx).copied().unwrap_or(ZERO);
            if s == pivot {
                continue;
            }
            let st = stake.get(idx).copied().unwrap_or(ZERO);
            if s < pivot {
                lo_stake = lo_stake.sat_add(st);
                lower.push(idx);
            } else {
                hi_stake = hi_stake.sat_add(st);
                upper.push(idx);
            }
        }
        if minority < partition_lo.sat_add(lo_stake) && !lower.is_empty() {
            partition_hi = partition_lo.sat_add(lo_stake);
            std::mem::swap(current, lower);
        } else if partition_hi.sat_sub(hi_stake) <= minority && !upper.is_empty() {
            partition_lo = partition_hi.sat_sub(hi_stake);
            std::mem::swap(current, upper);
        } else {
            return pivot;
        }
        iterations += 1;
        if iterations > iteration_limit {
            return ZERO;
        }
    }
}

/// The chain's `weighted_median` result, found by a different search, for use when
/// every stake is positive (the caller checks; otherwise it runs the chain's own).
///
/// Why it is the same: the chain's partition sums are exact (non-negative fixed-point
/// additions far from saturation), so with distinct scores v_1 < ... < v_m of positive
/// masses, pivot v_i is returned exactly when `P_i <= minority < Q_i` (P_i the stake
/// below v_i, Q_i the stake up to and including it), the search goes lower when
/// `minority < P_i` and higher when `Q_i <= minority`; the set it searches always keeps
/// that v_i, or the smallest score when `minority < 0`, or the largest when no Q_i
/// exceeds the minority. So the answer is the smallest score whose cumulative stake
/// exceeds the minority (the largest score when none does), whatever the pivots; this
/// finds it by three-way quickselect. A property test holds it equal to
/// [`weighted_median_with`]. Scores and stakes are raw I32F32 bits; `scratch` is working space.
pub(crate) fn weighted_median_positive(scores: &[i64], stakes: &[i64], minority: I32F32, scratch: &mut Vec<(i64, i64)>) -> I32F32 {
    let minority = minority.to_bits();
    scratch.clear();
    if scores.len() <= 32 {
        scratch.extend(scores.iter().copied().zip(stakes.iter().copied()));
        return select_positive(scratch, minority, 0);
    }
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for &v in scores {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo == hi {
        // One value (all zero when no validator weights this column): the chain's first
        // pivot, with nothing above or below it.
        return I32F32::from_bits(lo);
    }
    // Narrow to one of 64 value buckets first: any map of scores to buckets that never
    // decreases keeps smaller scores in earlier buckets, so the answer lies in the first
    // bucket whose cumulative stake exceeds the minority (bucket 0 when the minority is
    // negative), with the stake of the buckets before it below.
    const BUCKETS: usize = 64;
    // bucket(v) = (v - lo) >> shift, the shift leaving at most 6 bits of the range:
    // below 64 for v <= hi, and never decreasing in v.
    let range = hi.wrapping_sub(lo) as u64;
    let shift = (64 - range.leading_zeros()).saturating_sub(BUCKETS.trailing_zeros());
    // (The mask keeps the index provably in range, so no bounds check is compiled.)
    let bucket = |v: i64| -> usize { (v.wrapping_sub(lo) as u64 >> shift) as usize & (BUCKETS - 1) };
    let mut mass = [0i64; BUCKETS];
    for (&v, &s) in scores.iter().zip(stakes) {
        mass[bucket(v)] += s;
    }
    let mut below = 0i64;
    let mut target = None;
    for (b, &m) in mass.iter().enumerate() {
        if below + m > minority {
            target = Some(b);
            break;
        }
        below += m;
    }
    let Some(target) = target else {
        // No cumulative stake exceeds the minority: the largest score.
        return I32F32::from_bits(hi);
    };
    scratch.extend(scores.iter().copied().zip(stakes.iter().copied()).filter(|&(v, _)| bucket(v) == target));
    select_positive(scratch, minority, below)
}

/// The smallest score whose cumulative stake, counted from `below`, exceeds the
/// minority (the largest score when none does): three-way quickselect.
fn select_positive(pairs: &mut [(i64, i64)], minority: i64, mut below: i64) -> I32F32 {
    let (mut lo, mut hi) = (0usize, pairs.len());
    if hi == 0 {
        return ZERO;
    }
    loop {
        let s = &mut pairs[lo..hi];
        let len = s.len();
        if len <= 16 {
            s.sort_unstable_by_key(|p| p.0);
            let mut acc = below;
            for p in s.iter() {
                acc += p.1;
                if acc > minority {
                    return I32F32::from_bits(p.0);
                }
            }
            return I32F32::from_bits(s[len - 1].0);
        }
        let (a, b, c) = (s[0].0, s[len / 2].0, s[len - 1].0);
        let pivot = a.max(b).min(a.min(b).max(c));
        let (mut lt, mut i, mut gt) = (0usize, 0usize, len);
        let (mut mass_lt, mut mass_eq) = (0i64, 0i64);
        while i < gt {
            let (score, stake) = s[i];
            if score < pivot {
                s.swap(lt, i);
                lt += 1;
                i += 1;
                mass_lt += stake;
            } else if score > pivot {
                gt -= 1;
                s.swap(i, gt);
            } else {
                mass_eq += stake;
                i += 1;
            }
        }
        if minority < below + mass_lt {
            if lt == 0 {
                return I32F32::from_bits(pivot);
            }
            hi = lo + lt;
        } else if below + mass_lt + mass_eq > minority || gt == len {
            return I32F32::from_bits(pivot);
        } else {
            below += mass_lt + mass_eq;
            lo += gt;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yuma::fixed_math::{inplace_normalize, sum, ONE};

    fn f(x: f64) -> I32F32 {
        I32F32::from_num(x)
    }

    #[test]
    fn weighted_median_picks_majority_value() {
        // Three equal stakes voting 0.1, 0.2, 0.9: the median is 0.2.
        let stake = vec![f(1.0 / 3.0); 3];
        let score = vec![f(0.1), f(0.2), f(0.9)];
        let sum_stake = sum(&stake);
        let m = weighted_median_with(&mut MedianScratch::default(), &stake, &score, &[0, 1, 2], sum_stake - f(0.5), ZERO, sum_stake);
        assert_eq!(m, f(0.2));
    }

    #[test]
    fn positive_weighted_median_matches_the_chains_search() {
        let mut seed = 0x1357_9bdf_2468_ace0u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut scratch = MedianScratch::default();
        let mut pairs = Vec::new();
        for case in 0..20_000u64 {
            let k = 1 + (next() % [3, 10, 40, 300][(case % 4) as usize]) as usize;
            let distinct = 1 + next() % [2, 5, 1000, 1 << 33][(next() % 4) as usize];
            let mut stake: Vec<I32F32> = (0..k)
                .map(|_| match next() % 4 {
                    0 => I32F32::from_bits(1 + (next() % 3) as i64),
                    _ => I32F32::from_bits(1 + (next() % (1 << 34)) as i64),
                })
                .collect();
            if case % 2 == 0 {
                inplace_normalize(&mut stake);
            }
            let score: Vec<I32F32> = (0..k).map(|_| I32F32::from_bits((next() % distinct) as i64 * (1 + (case % 3) as i64))).collect();
            let total = sum(&stake);
            let majority = match next() % 6 {
                0 => ZERO,
                1 => ONE,
                2 => total,
                3 => I32F32::from_bits(total.to_bits() - 1),
                4 => I32F32::from_bits((next() % (2 * total.to_bits() as u64 + 2)) as i64),
                _ => I32F32::from_bits(32_767i64 * (1 << 32) / 65_535),
            };
            let minority = total.sat_sub(majority);
            let idx: Vec<usize> = (0..k).collect();
            let expected = weighted_median_with(&mut scratch, &stake, &score, &idx, minority, ZERO, total);
            let scores: Vec<i64> = score.iter().map(|a| a.to_bits()).collect();
            let stakes: Vec<i64> = stake.iter().map(|a| a.to_bits()).collect();
            assert_eq!(weighted_median_positive(&scores, &stakes, minority, &mut pairs), expected, "case {case}");
        }
    }
}
