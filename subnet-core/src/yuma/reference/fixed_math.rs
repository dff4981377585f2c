//! Fixed-point vector and sparse-matrix helpers used by the epoch.
//!
//! Every function here reproduces the arithmetic of Subtensor's
//! `pallets/subtensor/src/epoch/math.rs` (same `substrate-fixed` types, same
//! order of operations, same saturating / "divide by zero gives 0" rules), so
//! that the epoch matches the chain bit for bit. The code is our own; the
//! semantics are the chain's. Where the chain's behaviour is surprising it is
//! kept on purpose and said so in a comment.

use std::borrow::Cow;

use substrate_fixed::transcendental::exp;
use substrate_fixed::types::{I32F32, I64F64};

/// A sparse matrix row: `(column, value)` pairs, in whatever order the chain keeps them.
pub(crate) type SparseRow = Vec<(u16, I32F32)>;
/// A sparse matrix: one row per UID.
pub(crate) type SparseMatrix = Vec<SparseRow>;

pub(crate) const ZERO: I32F32 = I32F32::from_bits(0);
pub(crate) const ONE: I32F32 = I32F32::from_bits(1 << 32);

/// Chain rule (`safe_math::SafeDiv` for fixed types): `checked_div`, 0 when it fails
/// (division by zero or overflow).
#[inline]
pub(crate) fn safe_div(a: I32F32, b: I32F32) -> I32F32 {
    Divisor::new(b).divide(a)
}

/// A divisor prepared for dividing many numbers, with `safe_div`'s exact result.
///
/// Normalisation divides hundreds of thousands of times per epoch by a handful of
/// row or column sums, and the generic 128-bit division dominated the epoch's cost.
/// For non-negative operands with a quotient below 2^52 (in fixed bits) the quotient
/// is estimated with a precomputed f64 reciprocal and then settled with exact integer
/// arithmetic, so the bits equal `checked_div`'s (truncating `(a_bits << 32) / b_bits`);
/// anything else takes `checked_div` itself. A property test holds the two equal.
#[derive(Clone, Copy)]
pub(crate) struct Divisor {
    d: I32F32,
    /// 2^32 / d_bits, or 0 when the fast path does not apply (d <= 0).
    reciprocal: f64,
}

impl Divisor {
    #[inline]
    pub(crate) fn new(d: I32F32) -> Self {
        let bits = d.to_bits();
        let reciprocal = if bits > 0 { 4_294_967_296.0 / bits as f64 } else { 0.0 };
        Self { d, reciprocal }
    }

    #[inline]
    pub(crate) fn divide(&self, a: I32F32) -> I32F32 {
        let x = a.to_bits();
        if x >= 0 && self.reciprocal > 0.0 {
            let est = x as f64 * self.reciprocal;
            // Below 2^50 the estimate's error (three roundings of 2^-53 each) is under
            // 0.4, so its integer part is the quotient or one off it either way.
            if est < 1.0e15 {
                let num = (x as u128) << 32;
                let d = self.d.to_bits() as u128;
                let mut q = est as i64 as u128;
                let prod = q * d;
                if prod > num {
                    q -= 1;
                } else if num - prod >= d {
                    q += 1;
                }
                return I32F32::from_bits(q as i64);
            }
        }
        a.checked_div(self.d).unwrap_or(ZERO)
    }
}

/// `a.saturating_mul(b)` for I32F32 with the same bits: the exact product shifted
/// right by 32 (rounding towards minus infinity), saturated to the type's range.
/// `substrate-fixed` gets there through a general 128×128-bit multiply with overflow
/// detection, several times slower; a property test holds the two equal.
#[inline]
pub(crate) fn mul(a: I32F32, b: I32F32) -> I32F32 {
    let p = (a.to_bits() as i128 * b.to_bits() as i128) >> 32;
    I32F32::from_bits(p.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}

/// Saturating add and subtract on the raw bits: the same results as `substrate-fixed`'s
/// `saturating_add` / `saturating_sub`, without their generic select code.
pub(crate) trait SatOps: Sized {
    fn sat_add(self, rhs: Self) -> Self;
    fn sat_sub(self, rhs: Self) -> Self;
}

impl SatOps for I32F32 {
    #[inline]
    fn sat_add(self, rhs: Self) -> Self {
        I32F32::from_bits(self.to_bits().saturating_add(rhs.to_bits()))
    }
    #[inline]
    fn sat_sub(self, rhs: Self) -> Self {
        I32F32::from_bits(self.to_bits().saturating_sub(rhs.to_bits()))
    }
}

impl SatOps for I64F64 {
    #[inline]
    fn sat_add(self, rhs: Self) -> Self {
        I64F64::from_bits(self.to_bits().saturating_add(rhs.to_bits()))
    }
    #[inline]
    fn sat_sub(self, rhs: Self) -> Self {
        I64F64::from_bits(self.to_bits().saturating_sub(rhs.to_bits()))
    }
}

#[inline]
pub(crate) fn safe_div_64(a: I64F64, b: I64F64) -> I64F64 {
    a.checked_div(b).unwrap_or(I64F64::from_bits(0))
}

/// Sum with saturation. The chain uses `Iterator::sum`, which only differs on
/// overflow, which cannot happen for the normalised quantities summed here;
/// saturating keeps hostile inputs from panicking.
#[inline]
pub(crate) fn sum(x: &[I32F32]) -> I32F32 {
    x.iter().fold(ZERO, |acc, v| acc.sat_add(*v))
}

pub(crate) fn u16_to_fixed(x: u16) -> I32F32 {
    I32F32::saturating_from_num(x)
}

/// Chain: `u16_proportion_to_fixed` = x / 65535.
pub(crate) fn u16_proportion_to_fixed(x: u16) -> I32F32 {
    safe_div(I32F32::saturating_from_num(x), I32F32::saturating_from_num(u16::MAX))
}

/// Chain: `fixed_to_fixed_u16_proportion` = x / 65535 (x already a fixed number).
pub(crate) fn fixed_to_fixed_u16_proportion(x: I32F32) -> I32F32 {
    safe_div(x, I32F32::saturating_from_num(u16::MAX))
}

/// Chain: `fixed_proportion_to_u16` = saturate(x * 65535) truncated.
pub(crate) fn fixed_proportion_to_u16(x: I32F32) -> u16 {
    x.saturating_mul(I32F32::saturating_from_num(u16::MAX)).saturating_to_num::<u16>()
}

/// Chain: `vec_max_upscale_to_u16`, used for pruning scores.
pub(crate) fn vec_max_upscale_to_u16(vec: &[I32F32]) -> Vec<u16> {
    let u16_max = I32F32::saturating_from_num(u16::MAX);
    let threshold = I32F32::saturating_from_num(32768);
    let Some(max_value) = vec.iter().max().copied() else {
        return Vec::new();
    };
    if max_value == ZERO {
        return vec.iter().map(|e| e.saturating_mul(u16_max).saturating_to_num::<u16>()).collect();
    }
    if max_value > threshold {
        return vec.iter().map(|e| e.saturating_mul(safe_div(u16_max, max_value)).round().saturating_to_num::<u16>()).collect();
    }
    vec.iter().map(|e| safe_div(e.saturating_mul(u16_max), max_value).round().saturating_to_num::<u16>()).collect()
}

/// True when the vector sums to zero.
pub(crate) fn is_zero(v: &[I32F32]) -> bool {
    sum(v) == ZERO
}

/// Chain: `exp_safe`, exp with the input clamped to [-20, 20].
pub(crate) fn exp_safe(input: I32F32) -> I32F32 {
    let min_input = I32F32::saturating_from_num(-20);
    let max_input = I32F32::saturating_from_num(20);
    let safe_input = input.clamp(min_input, max_input);
    match exp::<I32F32, I32F32>(safe_input) {
        Ok(v) => v,
        Err(_) if safe_input <= ZERO => ZERO,
        Err(_) => I32F32::max_value(),
    }
}

/// Chain: `clamp_value` (min with high first, then max with low).
pub(crate) fn clamp_value(value: I32F32, low: I32F32, high: I32F32) -> I32F32 {
    value.min(high).max(low)
}

/// Chain: `is_topk_nonzero`: true for the k largest non-zero entries (ties broken by a
/// stable ascending sort, so the lower UID loses a tie at the boundary).
pub(crate) fn is_topk_nonzero(vector: &[I32F32], k: usize) -> Vec<bool> {
    let n = vector.len();
    let mut result: Vec<bool> = vector.iter().map(|&e| e != ZERO).collect();
    if n < k {
        return result;
    }
    let mut idxs: Vec<usize> = (0..n).collect();
    idxs.sort_by_key(|&i| vector[i]); // stable
    for &i in idxs.iter().take(n - k) {
        result[i] = false;
    }
    result
}

/// Normalise so the vector sums to 1 (left unchanged when it sums to 0).
pub(crate) fn inplace_normalize(x: &mut [I32F32]) {
    let s = sum(x);
    if s == ZERO {
        return;
    }
    let d = Divisor::new(s);
    x.iter_mut().for_each(|v| *v = d.divide(*v));
}

/// Divide by a given sum (unchanged when the sum is 0).
pub(crate) fn inplace_normalize_using_sum(x: &mut [I32F32], s: I32F32) {
    if s == ZERO {
        return;
    }
    let d = Divisor::new(s);
    x.iter_mut().for_each(|v| *v = d.divide(*v));
}

/// I64F64 normalisation, used for stake.
pub(crate) fn inplace_normalize_64(x: &mut [I64F64]) {
    let s = x.iter().fold(I64F64::from_bits(0), |acc, v| acc.sat_add(*v));
    if s == I64F64::from_bits(0) {
        return;
    }
    x.iter_mut().for_each(|v| *v = safe_div_64(*v, s));
}

/// Set entries where `mask` is true to zero (a missing mask entry masks).
pub(crate) fn inplace_mask_vector(mask: &[bool], vector: &mut [I32F32]) {
    if mask.is_empty() {
        return;
    }
    for (i, v) in vector.iter_mut().enumerate() {
        if *mask.get(i).unwrap_or(&true) {
            *v = ZERO;
        }
    }
}

/// Element-wise product (0 on overflow, as the chain's `checked_mul().unwrap_or_default()`).
pub(crate) fn vec_mul(a: &[I32F32], b: &[I32F32]) -> Vec<I32F32> {
    a.iter().zip(b).map(|(x, y)| x.checked_mul(*y).unwrap_or(ZERO)).collect()
}

/// x / y element-wise, 0 where y is 0.
pub(crate) fn vecdiv(x: &[I32F32], y: &[I32F32]) -> Vec<I32F32> {
    x.iter().enumerate().map(|(i, xi)| safe_div(*xi, y.get(i).copied().unwrap_or(ZERO))).collect()
}

// ---------------------------------------------------------------- sparse

/// Empty the rows whose mask is true (a missing mask entry masks).
pub(crate) fn mask_rows_sparse(mask: &[bool], m: &mut [SparseRow]) {
    for (i, row) in m.iter_mut().enumerate() {
        if mask.get(i).copied().unwrap_or(true) {
            row.clear();
        }
    }
}

/// Drop the diagonal, except at `keep` (the subnet owner may weight itself).
pub(crate) fn mask_diag_sparse(m: &mut [SparseRow], keep: Option<u16>) {
    for (i, row) in m.iter_mut().enumerate() {
        row.retain(|(j, _)| i != *j as usize || keep == Some(*j));
    }
}

/// Drop cell (i, j) where `mask_fn(first[i], second[j])`.
pub(crate) fn vec_mask_sparse_matrix(m: &mut [SparseRow], first: &[u64], second: &[u64], mask_fn: impl Fn(u64, u64) -> bool) {
    for (i, row) in m.iter_mut().enumerate() {
        let fv = first.get(i).copied().unwrap_or(0);
        row.retain(|(j, _)| !mask_fn(fv, second.get(*j as usize).copied().unwrap_or(0)));
    }
}

/// Drop cell (i, j) where `mask_fn(scalar, vector[j])`.
pub(crate) fn scalar_vec_mask_sparse_matrix(m: &mut [SparseRow], scalar: u64, vector: &[u64], mask_fn: impl Fn(u64, u64) -> bool) {
    for row in m.iter_mut() {
        row.retain(|(j, _)| !mask_fn(scalar, vector.get(*j as usize).copied().unwrap_or(0)));
    }
}

/// Each row sums to 1 (rows summing to 0 are left as they are).
pub(crate) fn inplace_row_normalize_sparse(m: &mut [SparseRow]) {
    for row in m.iter_mut() {
        let s = row.iter().fold(ZERO, |a, (_, v)| a.sat_add(*v));
        if s > ZERO {
            let d = Divisor::new(s);
            row.iter_mut().for_each(|(_, v)| *v = d.divide(*v));
        }
    }
}

pub(crate) fn row_sum_sparse(m: &[SparseRow]) -> Vec<I32F32> {
    m.iter().map(|row| row.iter().fold(ZERO, |a, (_, v)| a.sat_add(*v))).collect()
}

/// Each column sums to 1 (columns summing to 0 are left as they are).
pub(crate) fn inplace_col_normalize_sparse(m: &mut [SparseRow], columns: usize) {
    let mut col_sum = vec![ZERO; columns];
    for row in m.iter() {
        for &(j, v) in row {
            if let Some(s) = col_sum.get_mut(j as usize) {
                *s = s.sat_add(v);
            }
        }
    }
    let divisors: Vec<Divisor> = col_sum.iter().map(|s| Divisor::new(*s)).collect();
    for row in m.iter_mut() {
        for (j, v) in row.iter_mut() {
            if let Some(d) = divisors.get(*j as usize).filter(|d| d.d != ZERO) {
                *v = d.divide(*v);
            }
        }
    }
}

/// Each column scaled so its largest entry is 1.
pub(crate) fn inplace_col_max_upscale_sparse(m: &mut [SparseRow], columns: usize) {
    let mut col_max = vec![ZERO; columns];
    for row in m.iter() {
        for &(j, v) in row {
            if let Some(c) = col_max.get_mut(j as usize) {
                if *c < v {
                    *c = v;
                }
            }
        }
    }
    let divisors: Vec<Divisor> = col_max.iter().map(|s| Divisor::new(*s)).collect();
    for row in m.iter_mut() {
        for (j, v) in row.iter_mut() {
            if let Some(d) = divisors.get(*j as usize).filter(|d| d.d != ZERO) {
                *v = d.divide(*v);
            }
        }
    }
}

/// Row i scaled by `vector[i]`, in place (chain: `row_hadamard_sparse`; rows past the
/// vector's end are dropped, as the chain's zip does).
pub(crate) fn inplace_row_hadamard_sparse(m: &mut SparseMatrix, vector: &[I32F32]) {
    m.truncate(vector.len());
    for (row, &s) in m.iter_mut().zip(vector) {
        row.iter_mut().for_each(|(_, v)| *v = mul(*v, s));
    }
}

/// `row_sum(mat_vec_mul(col_normalize(m), vector))` in one pass, without the two
/// intermediate matrices (dropping zero products, as the chain does, does not change
/// a sum).
pub(crate) fn col_normalized_row_dot(m: &[SparseRow], vector: &[I32F32], columns: usize) -> Vec<I32F32> {
    let mut col_sum = vec![ZERO; columns];
    for row in m {
        for &(j, v) in row {
            if let Some(s) = col_sum.get_mut(j as usize) {
                *s = s.sat_add(v);
            }
        }
    }
    let divisors: Vec<Divisor> = col_sum.iter().map(|s| Divisor::new(*s)).collect();
    m.iter()
        .map(|row| {
            row.iter().fold(ZERO, |acc, &(j, v)| {
                let (Some(d), Some(&x)) = (divisors.get(j as usize), vector.get(j as usize)) else {
                    return acc;
                };
                let normalized = if d.d != ZERO { d.divide(v) } else { v };
                acc.sat_add(mul(normalized, x))
            })
        })
        .collect()
}

/// result_j = SUM_i vector_i * m_ij.
pub(crate) fn matmul_sparse(m: &[SparseRow], vector: &[I32F32], columns: usize) -> Vec<I32F32> {
    let mut result = vec![ZERO; columns];
    for (i, row) in m.iter().enumerate() {
        let scale = vector.get(i).copied().unwrap_or(ZERO);
        for &(j, v) in row {
            if let Some(r) = result.get_mut(j as usize) {
                *r = r.sat_add(mul(scale, v));
            }
        }
    }
    result
}

/// result_i = SUM_j vector_j * m_ij.
pub(crate) fn matmul_transpose_sparse(m: &[SparseRow], vector: &[I32F32]) -> Vec<I32F32> {
    m.iter()
        .map(|row| {
            row.iter().fold(ZERO, |acc, &(j, v)| {
                let x = vector.get(j as usize).copied().unwrap_or(ZERO);
                acc.sat_add(mul(x, v))
            })
        })
        .collect()
}

/// m_ij * vector_j, dropping cells that become 0.
pub(crate) fn mat_vec_mul_sparse(m: &[SparseRow], vector: &[I32F32]) -> SparseMatrix {
    m.iter()
        .map(|row| {
            row.iter()
                .filter_map(|&(j, v)| {
                    let x = vector.get(j as usize)?;
                    let p = mul(v, *x);
                    (p != ZERO).then_some((j, p))
                })
                .collect()
        })
        .collect()
}

/// Clip each cell at its column threshold; a clipped cell whose threshold is 0 is dropped.
pub(crate) fn col_clip_sparse(m: &[SparseRow], threshold: &[I32F32]) -> SparseMatrix {
    m.iter()
        .map(|row| {
            row.iter()
                .filter_map(|&(j, v)| {
                    let th = threshold.get(j as usize).copied().unwrap_or(ZERO);
                    if th < v {
                        (th > ZERO).then_some((j, th))
                    } else {
                        Some((j, v))
                    }
                })
                .collect()
        })
        .collect()
}

/// `A + ratio * (B - A)`, cell-wise; output rows in column order, zeros dropped.
pub(crate) fn interpolate_sparse<'m>(a: &'m [SparseRow], b: &'m [SparseRow], columns: usize, ratio: I32F32) -> Cow<'m, [SparseRow]> {
    if ratio == ZERO {
        return Cow::Borrowed(a);
    }
    if ratio == ONE {
        return Cow::Borrowed(b);
    }
    if a.len() != b.len() {
        // Chain: on a size mismatch it returns the clipped weights.
        return Cow::Borrowed(b);
    }
    let mut out = Vec::with_capacity(a.len());
    let mut dense_a = vec![ZERO; columns];
    let mut dense_b = vec![ZERO; columns];
    for (ra, rb) in a.iter().zip(b) {
        if ra.is_empty() && rb.is_empty() {
            out.push(Vec::new()); // 0 + r * (0 - 0) = 0: nothing to keep
            continue;
        }
        dense_a.iter_mut().for_each(|x| *x = ZERO);
        dense_b.iter_mut().for_each(|x| *x = ZERO);
        for &(j, v) in ra {
            if let Some(c) = dense_a.get_mut(j as usize) {
                *c = v;
            }
        }
        for &(j, v) in rb {
            if let Some(c) = dense_b.get_mut(j as usize) {
                *c = v;
            }
        }
        let row = (0..columns)
            .filter_map(|j| {
                let v1 = dense_a[j];
                let v = v1.sat_add(mul(ratio, dense_b[j].sat_sub(v1)));
                (v > ZERO).then_some((j as u16, v))
            })
            .collect();
        out.push(row);
    }
    Cow::Owned(out)
}

/// Reusable buffers for [`weighted_median`], so a median per column allocates nothing.
#[derive(Default)]
pub(crate) struct MedianScratch {
    current: Vec<usize>,
    lower: Vec<usize>,
    upper: Vec<usize>,
}

/// Chain: `weighted_median`, the stake-weighted median by mid-pivot partitioning
/// (the chain picks the middle element as pivot, for determinism).
pub(crate) fn weighted_median(
    stake: &[I32F32],
    score: &[I32F32],
    partition_idx: &[usize],
    minority: I32F32,
    partition_lo: I32F32,
    partition_hi: I32F32,
) -> I32F32 {
    weighted_median_with(&mut MedianScratch::default(), stake, score, partition_idx, minority, partition_lo, partition_hi)
}

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

/// Chain: `weighted_median_col_sparse`: per column, the stake-weighted median of the
/// weights of rows with positive stake, at majority `kappa`.
pub(crate) fn weighted_median_col_sparse(stake: &[I32F32], score: &[SparseRow], columns: usize, majority: I32F32) -> Vec<I32F32> {
    let mut use_stake: Vec<I32F32> = stake.iter().copied().filter(|&s| s > ZERO).collect();
    inplace_normalize(&mut use_stake);
    let stake_sum = sum(&use_stake);
    let minority = stake_sum.sat_sub(majority);
    let stake_idx: Vec<usize> = (0..use_stake.len()).collect();

    // Column-major copy of the rows that count, zero-filled.
    let k_rows = use_stake.len();
    let mut use_score = vec![ZERO; columns * k_rows];
    let mut nonzero = vec![false; columns];
    let mut k = 0usize;
    for (&s, row) in stake.iter().zip(score) {
        if s > ZERO {
            for &(c, v) in row {
                if (c as usize) < columns {
                    use_score[c as usize * k_rows + k] = v;
                    nonzero[c as usize] |= v != ZERO;
                }
            }
            k += 1;
        }
    }
    let median_of = |range: std::ops::Range<usize>| -> Vec<I32F32> {
        let mut scratch = MedianScratch::default();
        range
            .map(|c| {
                if !nonzero[c] {
                    // Every score equals the pivot 0, so the chain's search returns 0 at once.
                    return ZERO;
                }
                let col = &use_score[c * k_rows..(c + 1) * k_rows];
                weighted_median_with(&mut scratch, &use_stake, col, &stake_idx, minority, ZERO, stake_sum)
            })
            .collect()
    };
    // Columns are independent: split big subnets across the machine's cores.
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(8);
    if threads < 2 || columns * k_rows < PARALLEL_MEDIAN_MIN_CELLS {
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

/// Below this many (column, validator) cells a thread costs more than it saves.
const PARALLEL_MEDIAN_MIN_CELLS: usize = 1 << 13;

/// Chain: `mat_ema_sparse`: `alpha * new + (1 - alpha) * old`, positives kept, column order.
pub(crate) fn mat_ema_sparse(new: &[SparseRow], old: &[SparseRow], alpha: I32F32) -> SparseMatrix {
    let n = new.len(); // the chain assumes a square matrix
    let one_minus_alpha = ONE.sat_sub(alpha);
    let mut acc = vec![ZERO; n];
    let mut out = Vec::with_capacity(n);
    for (i, new_row) in new.iter().enumerate() {
        let old_row: &[(u16, I32F32)] = old.get(i).map(|r| r.as_slice()).unwrap_or(&[]);
        if new_row.is_empty() && old_row.is_empty() {
            out.push(Vec::new()); // all zeros: nothing kept
            continue;
        }
        acc.iter_mut().for_each(|x| *x = ZERO);
        for &(j, v) in new_row {
            if let Some(c) = acc.get_mut(j as usize) {
                *c = c.sat_add(mul(alpha, v));
            }
        }
        for &(j, v) in old_row {
            if let Some(c) = acc.get_mut(j as usize) {
                *c = c.sat_add(mul(one_minus_alpha, v));
            }
        }
        let mut row = Vec::with_capacity(acc.iter().filter(|v| **v > ZERO).count());
        row.extend(acc.iter().enumerate().filter(|(_, v)| **v > ZERO).map(|(j, v)| (j as u16, *v)));
        out.push(row);
    }
    out
}

/// Chain: `mat_ema_alpha_sparse`, the EMA with one alpha per cell, clamped to [0, 1].
///
/// `alpha_of(i, j)` gives the alpha of cell (i, j); it is only asked for cells the
/// result depends on. Kept from the chain on purpose: old bonds in a column the
/// new row does not mention are dropped, not decayed.
pub(crate) fn mat_ema_alpha_sparse(
    new: &[SparseRow],
    old: &[SparseRow],
    columns: usize,
    mut alpha_of: impl FnMut(usize, u16) -> I32F32,
) -> SparseMatrix {
    if new.len() != old.len() {
        return new.to_vec();
    }
    let mut decayed = vec![ZERO; columns];
    let mut out = Vec::with_capacity(new.len());
    for (i, (new_row, old_row)) in new.iter().zip(old).enumerate() {
        if new_row.is_empty() {
            out.push(Vec::new());
            continue;
        }
        decayed.iter_mut().for_each(|x| *x = ZERO);
        for &(j, old_val) in old_row {
            if (j as usize) < columns {
                let a = alpha_of(i, j);
                decayed[j as usize] = mul(ONE.sat_sub(a), old_val);
            }
        }
        let mut row = Vec::new();
        for &(j, new_val) in new_row {
            if (j as usize) < columns {
                let a = alpha_of(i, j);
                let inc = mul(a, new_val).max(ZERO);
                let v = decayed[j as usize].sat_add(inc).min(ONE);
                if v > ZERO {
                    row.push((j, v));
                }
            }
        }
        out.push(row);
    }
    out
}

/// The value the chain's liquid-alpha code reads for column `j` of a sparse row.
///
/// The chain walks the row with a cursor while `j` counts up from 0 and only finds
/// entries in ascending column order; this reproduces that walk for every column at
/// once, so unsorted rows give the chain's answer too.
pub(crate) fn cursor_lookup(row: &[(u16, I32F32)], columns: usize) -> Vec<I32F32> {
    let mut dense = vec![ZERO; columns];
    let mut p = 0usize;
    for (j, cell) in dense.iter_mut().enumerate() {
        while p < row.len() && (row[p].0 as usize) < j {
            p += 1;
        }
        if p < row.len() && row[p].0 as usize == j {
            *cell = row[p].1;
        }
    }
    dense
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> I32F32 {
        I32F32::from_num(x)
    }

    #[test]
    fn col_clip_drops_cells_clipped_to_zero() {
        let m = vec![vec![(0u16, f(0.5)), (1, f(0.5))]];
        let out = col_clip_sparse(&m, &[f(0.2), ZERO]);
        assert_eq!(out, vec![vec![(0u16, f(0.2))]]);
    }
}
