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
pub type SparseRow = Vec<(u16, I32F32)>;
/// A sparse matrix: one row per UID.
pub type SparseMatrix = Vec<SparseRow>;

pub(crate) const ZERO: I32F32 = I32F32::from_bits(0);
pub(crate) const ONE: I32F32 = I32F32::from_bits(1 << 32);

/// Chain rule (`safe_math::SafeDiv` for fixed types): `checked_div`, 0 when it fails
/// (division by zero or overflow).
#[inline]
pub fn safe_div(a: I32F32, b: I32F32) -> I32F32 {
    Divisor::new(b).divide(a)
}

/// A divisor prepared for dividing many numbers, with `safe_div`'s exact result.
///
/// Normalisation divides hundreds of thousands of times per epoch by a handful of
/// row or column sums, and the generic 128-bit division dominated the epoch's cost.
/// For a non-negative dividend, a divisor below 2^62 bits and a quotient below 2^49
/// (in fixed bits) the quotient is estimated with a precomputed f64 reciprocal and then
/// settled with exact integer arithmetic, so the bits equal `checked_div`'s (truncating
/// `(a_bits << 32) / d_bits`); anything else takes `checked_div` itself. A property
/// test holds the two equal.
#[derive(Clone, Copy)]
pub struct Divisor {
    d: I32F32,
    /// 2^32 / d_bits, or NaN when the fast path does not apply (d <= 0 or d >= 2^62 bits).
    reciprocal: f64,
}

impl Divisor {
    #[inline]
    pub fn new(d: I32F32) -> Self {
        let bits = d.to_bits();
        let reciprocal = if bits > 0 && bits < 1 << 62 { 4_294_967_296.0 / bits as f64 } else { f64::NAN };
        Self { d, reciprocal }
    }

    /// A divisor from its parts as [`Divisor::new`] made them (see [`Divisor::reciprocal`]).
    #[inline]
    pub(crate) fn from_parts(d: I32F32, reciprocal: f64) -> Self {
        Self { d, reciprocal }
    }

    /// The precomputed 2^32 / d_bits (NaN where the fast path does not apply).
    #[inline]
    pub(crate) fn reciprocal(&self) -> f64 {
        self.reciprocal
    }

    #[inline]
    pub fn divide(&self, a: I32F32) -> I32F32 {
        const TWO_52: f64 = 4_503_599_627_370_496.0;
        let x = a.to_bits();
        if x >= 0 {
            let est = x as f64 * self.reciprocal;
            // Adding 2^52 rounds the estimate to the nearest integer, which then sits in
            // the low bits (for estimates in [0, 2^52); anything else, NaN included, gives
            // a difference of 2^52 or more). Below 2^49 the estimate's error (three
            // roundings of 2^-53 each) is under 0.4, so the rounded q is the quotient or
            // one above it. The remainder x * 2^32 - q * d then lies in [-d, d), which for
            // d < 2^62 an i64 holds, so computing it modulo 2^64 is exact.
            let q = (est + TWO_52).to_bits().wrapping_sub(TWO_52.to_bits());
            if q < 1 << 49 {
                let d = self.d.to_bits() as u64;
                let r = ((x as u64) << 32).wrapping_sub(q.wrapping_mul(d)) as i64;
                return I32F32::from_bits((q - (r < 0) as u64) as i64);
            }
        }
        a.checked_div(self.d).unwrap_or(ZERO)
    }

    /// `a / d`, or `a` unchanged when d is 0: how the chain's column normalisations
    /// treat a column summing to 0.
    #[inline]
    pub fn divide_unless_zero(&self, a: I32F32) -> I32F32 {
        if self.d.to_bits() != 0 {
            self.divide(a)
        } else {
            a
        }
    }

    /// [`Divisor::divide_unless_zero`] on raw I32F32 bits.
    #[inline]
    pub fn divide_bits_unless_zero(&self, a: i64) -> i64 {
        self.divide_unless_zero(I32F32::from_bits(a)).to_bits()
    }

    /// [`Divisor::divide`] on raw I32F32 bits.
    #[inline]
    pub fn divide_bits(&self, a: i64) -> i64 {
        self.divide(I32F32::from_bits(a)).to_bits()
    }
}

/// `a.saturating_mul(b)` for I32F32 with the same bits: the exact product shifted
/// right by 32 (rounding towards minus infinity), saturated to the type's range.
/// `substrate-fixed` gets there through a general 128×128-bit multiply with overflow
/// detection, several times slower; a property test holds the two equal.
#[inline]
pub fn mul(a: I32F32, b: I32F32) -> I32F32 {
    I32F32::from_bits(mul_bits(a.to_bits(), b.to_bits()))
}

/// [`mul`] on raw I32F32 bits.
#[inline]
pub fn mul_bits(a: i64, b: i64) -> i64 {
    let p = (a as i128 * b as i128) >> 32;
    let t = p as i64;
    if t as i128 == p {
        t
    } else if p < 0 {
        i64::MIN
    } else {
        i64::MAX
    }
}

/// Saturating add and subtract on the raw bits: the same results as `substrate-fixed`'s
/// `saturating_add` / `saturating_sub`, without their generic select code.
pub trait SatOps: Sized {
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
pub fn safe_div_64(a: I64F64, b: I64F64) -> I64F64 {
    a.checked_div(b).unwrap_or(I64F64::from_bits(0))
}

/// Sum with saturation. The chain uses `Iterator::sum`, which only differs on
/// overflow, which cannot happen for the normalised quantities summed here;
/// saturating keeps hostile inputs from panicking.
#[inline]
pub fn sum(x: &[I32F32]) -> I32F32 {
    x.iter().fold(ZERO, |acc, v| acc.sat_add(*v))
}

pub fn u16_to_fixed(x: u16) -> I32F32 {
    I32F32::saturating_from_num(x)
}

/// Chain: `u16_proportion_to_fixed` = x / 65535.
pub fn u16_proportion_to_fixed(x: u16) -> I32F32 {
    safe_div(I32F32::saturating_from_num(x), I32F32::saturating_from_num(u16::MAX))
}

/// Chain: `fixed_to_fixed_u16_proportion` = x / 65535 (x already a fixed number).
pub fn fixed_to_fixed_u16_proportion(x: I32F32) -> I32F32 {
    safe_div(x, I32F32::saturating_from_num(u16::MAX))
}

/// Chain: `fixed_proportion_to_u16` = saturate(x * 65535) truncated.
pub fn fixed_proportion_to_u16(x: I32F32) -> u16 {
    x.saturating_mul(I32F32::saturating_from_num(u16::MAX)).saturating_to_num::<u16>()
}

/// Chain: `vec_max_upscale_to_u16`, used for pruning scores.
pub fn vec_max_upscale_to_u16(vec: &[I32F32]) -> Vec<u16> {
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
pub fn is_zero(v: &[I32F32]) -> bool {
    sum(v) == ZERO
}

/// Chain: `exp_safe`, exp with the input clamped to [-20, 20].
pub fn exp_safe(input: I32F32) -> I32F32 {
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
pub fn clamp_value(value: I32F32, low: I32F32, high: I32F32) -> I32F32 {
    value.min(high).max(low)
}

/// Chain: `is_topk_nonzero`: true for the k largest non-zero entries (ties broken by a
/// stable ascending sort, so the lower UID loses a tie at the boundary).
pub fn is_topk_nonzero(vector: &[I32F32], k: usize) -> Vec<bool> {
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
pub fn inplace_normalize(x: &mut [I32F32]) {
    let s = sum(x);
    if s == ZERO {
        return;
    }
    let d = Divisor::new(s);
    x.iter_mut().for_each(|v| *v = d.divide(*v));
}

/// Divide by a given sum (unchanged when the sum is 0).
pub fn inplace_normalize_using_sum(x: &mut [I32F32], s: I32F32) {
    if s == ZERO {
        return;
    }
    let d = Divisor::new(s);
    x.iter_mut().for_each(|v| *v = d.divide(*v));
}

/// I64F64 normalisation, used for stake.
pub fn inplace_normalize_64(x: &mut [I64F64]) {
    let s = x.iter().fold(I64F64::from_bits(0), |acc, v| acc.sat_add(*v));
    if s == I64F64::from_bits(0) {
        return;
    }
    x.iter_mut().for_each(|v| *v = safe_div_64(*v, s));
}

/// Set entries where `mask` is true to zero (a missing mask entry masks).
pub fn inplace_mask_vector(mask: &[bool], vector: &mut [I32F32]) {
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
pub fn vec_mul(a: &[I32F32], b: &[I32F32]) -> Vec<I32F32> {
    a.iter().zip(b).map(|(x, y)| x.checked_mul(*y).unwrap_or(ZERO)).collect()
}

/// x / y element-wise, 0 where y is 0.
pub fn vecdiv(x: &[I32F32], y: &[I32F32]) -> Vec<I32F32> {
    x.iter().enumerate().map(|(i, xi)| safe_div(*xi, y.get(i).copied().unwrap_or(ZERO))).collect()
}

// ---------------------------------------------------------------- sparse

/// Empty the rows whose mask is true (a missing mask entry masks).
pub fn mask_rows_sparse(mask: &[bool], m: &mut [SparseRow]) {
    for (i, row) in m.iter_mut().enumerate() {
        if mask.get(i).copied().unwrap_or(true) {
            row.clear();
        }
    }
}

/// Drop the diagonal, except at `keep` (the subnet owner may weight itself).
pub fn mask_diag_sparse(m: &mut [SparseRow], keep: Option<u16>) {
    for (i, row) in m.iter_mut().enumerate() {
        row.retain(|(j, _)| i != *j as usize || keep == Some(*j));
    }
}

/// Drop cell (i, j) where `mask_fn(first[i], second[j])`.
pub fn vec_mask_sparse_matrix(m: &mut [SparseRow], first: &[u64], second: &[u64], mask_fn: impl Fn(u64, u64) -> bool) {
    for (i, row) in m.iter_mut().enumerate() {
        let fv = first.get(i).copied().unwrap_or(0);
        row.retain(|(j, _)| !mask_fn(fv, second.get(*j as usize).copied().unwrap_or(0)));
    }
}

/// Drop cell (i, j) where `mask_fn(scalar, vector[j])`.
pub fn scalar_vec_mask_sparse_matrix(m: &mut [SparseRow], scalar: u64, vector: &[u64], mask_fn: impl Fn(u64, u64) -> bool) {
    for row in m.iter_mut() {
        row.retain(|(j, _)| !mask_fn(scalar, vector.get(*j as usize).copied().unwrap_or(0)));
    }
}

/// Each row sums to 1 (rows summing to 0 are left as they are).
pub fn inplace_row_normalize_sparse(m: &mut [SparseRow]) {
    for row in m.iter_mut() {
        let s = row.iter().fold(ZERO, |a, (_, v)| a.sat_add(*v));
        if s > ZERO {
            let d = Divisor::new(s);
            row.iter_mut().for_each(|(_, v)| *v = d.divide(*v));
        }
    }
}

pub fn row_sum_sparse(m: &[SparseRow]) -> Vec<I32F32> {
    m.iter().map(|row| row.iter().fold(ZERO, |a, (_, v)| a.sat_add(*v))).collect()
}

/// Each column sums to 1 (columns summing to 0 are left as they are).
pub fn inplace_col_normalize_sparse(m: &mut [SparseRow], columns: usize) {
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
pub fn inplace_col_max_upscale_sparse(m: &mut [SparseRow], columns: usize) {
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
pub fn inplace_row_hadamard_sparse(m: &mut SparseMatrix, vector: &[I32F32]) {
    m.truncate(vector.len());
    for (row, &s) in m.iter_mut().zip(vector) {
        row.iter_mut().for_each(|(_, v)| *v = mul(*v, s));
    }
}

/// `row_sum(mat_vec_mul(col_normalize(m), vector))` in one pass, without the two
/// intermediate matrices (dropping zero products, as the chain does, does not change
/// a sum).
pub fn col_normalized_row_dot(m: &[SparseRow], vector: &[I32F32], columns: usize) -> Vec<I32F32> {
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
pub fn matmul_sparse(m: &[SparseRow], vector: &[I32F32], columns: usize) -> Vec<I32F32> {
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
pub fn matmul_transpose_sparse(m: &[SparseRow], vector: &[I32F32]) -> Vec<I32F32> {
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
pub fn mat_vec_mul_sparse(m: &[SparseRow], vector: &[I32F32]) -> SparseMatrix {
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
pub fn col_clip_sparse(m: &[SparseRow], threshold: &[I32F32]) -> SparseMatrix {
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
pub fn interpolate_sparse<'m>(a: &'m [SparseRow], b: &'m [SparseRow], columns: usize, ratio: I32F32) -> Cow<'m, [SparseRow]> {
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
pub struct MedianScratch {
    current: Vec<usize>,
    lower: Vec<usize>,
    upper: Vec<usize>,
}

/// Chain: `weighted_median`, the stake-weighted median by mid-pivot partitioning
/// (the chain picks the middle element as pivot, for determinism).
pub fn weighted_median(
    stake: &[I32F32],
    score: &[I32F32],
    partition_idx: &[usize],
    minority: I32F32,
    partition_lo: I32F32,
    partition_hi: I32F32,
) -> I32F32 {
    weighted_median_with(&mut MedianScratch::default(), stake, score, partition_idx, minority, partition_lo, partition_hi)
}

pub fn weighted_median_with(
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

/// Chain: `mat_ema_sparse`: `alpha * new + (1 - alpha) * old`, positives kept, column order.
pub fn mat_ema_sparse(new: &[SparseRow], old: &[SparseRow], alpha: I32F32) -> SparseMatrix {
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
pub fn mat_ema_alpha_sparse(new: &[SparseRow], old: &[SparseRow], columns: usize, mut alpha_of: impl FnMut(usize, u16) -> I32F32) -> SparseMatrix {
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
pub fn cursor_lookup(row: &[(u16, I32F32)], columns: usize) -> Vec<I32F32> {
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

/// `fixed_proportion_to_u16` on the raw bits: `x * 65535` (the exact product shifted
/// right by 32, rounding towards minus infinity, saturated) then the integer part
/// (towards minus infinity), saturated to 0..=65535. A property test holds it equal.
#[inline]
pub fn proportion_to_u16_fast(x: I32F32) -> u16 {
    let p = mul(x, I32F32::from_bits((u16::MAX as i64) << 32)).to_bits();
    (p >> 32).clamp(0, u16::MAX as i64) as u16
}

/// Compressed sparse rows: row `i` is `cols[start[i]..start[i + 1]]` with its values in
/// the same range of `vals`, entries in the order they were pushed.
#[derive(Clone, Debug, Default)]
pub struct Csr {
    pub start: Vec<usize>,
    pub cols: Vec<u16>,
    /// I32F32 values as raw bits.
    pub vals: Vec<i64>,
}

impl Csr {
    pub fn with_capacity(rows: usize, entries: usize) -> Self {
        let mut start = Vec::with_capacity(rows + 1);
        start.push(0);
        Self { start, cols: Vec::with_capacity(entries), vals: Vec::with_capacity(entries) }
    }

    /// An empty matrix in the given buffers (cleared; their capacity is kept).
    pub fn in_buffers(rows: usize, mut cols: Vec<u16>, mut vals: Vec<i64>) -> Self {
        cols.clear();
        vals.clear();
        let mut start = Vec::with_capacity(rows + 1);
        start.push(0);
        Self { start, cols, vals }
    }

    pub fn into_buffers(self) -> (Vec<u16>, Vec<i64>) {
        (self.cols, self.vals)
    }

    #[inline]
    pub fn push(&mut self, j: u16, v: i64) {
        self.cols.push(j);
        self.vals.push(v);
    }

    /// Close the current row.
    #[inline]
    pub fn end_row(&mut self) {
        self.start.push(self.cols.len());
    }

    pub fn rows(&self) -> usize {
        self.start.len() - 1
    }

    #[inline]
    pub fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.start[i]..self.start[i + 1]
    }

    #[inline]
    pub fn row(&self, i: usize) -> (&[u16], &[i64]) {
        let r = self.range(i);
        (&self.cols[r.clone()], &self.vals[r])
    }

    pub fn from_rows(m: &[SparseRow]) -> Self {
        let mut out = Self::with_capacity(m.len(), m.iter().map(Vec::len).sum());
        for row in m {
            for &(j, v) in row {
                out.push(j, v.to_bits());
            }
            out.end_row();
        }
        out
    }

    pub fn to_rows(&self) -> SparseMatrix {
        (0..self.rows())
            .map(|i| {
                let (c, v) = self.row(i);
                c.iter().zip(v).map(|(&j, &v)| (j, I32F32::from_bits(v))).collect()
            })
            .collect()
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
/// [`weighted_median`]. Scores and stakes are raw I32F32 bits; `scratch` is working space.
pub fn weighted_median_positive(scores: &[i64], stakes: &[i64], minority: I32F32, scratch: &mut Vec<(i64, i64)>) -> I32F32 {
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

/// Chain: `fixed_to_fixed_u16_proportion(u16_to_fixed(b))` = b / 65535 in I32F32, in
/// closed form: the bits are floor(b * 2^32 / 65535), and 2^32 = 65535 * 65537 + 1, so
/// they are b * 65537 + floor(b / 65535). An exhaustive test holds it equal.
#[inline]
pub fn u16_proportion_bits(b: u16) -> i64 {
    b as i64 * 65_537 + (b == u16::MAX) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> I32F32 {
        I32F32::from_num(x)
    }

    #[test]
    fn fast_safe_div_matches_checked_div() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for i in 0..200_000u32 {
            // Mix magnitudes: tiny fractions, proportions, u16-sized and huge values.
            let shift_a = next() % 63;
            let shift_b = next() % 63;
            let a = I32F32::from_bits((next() >> shift_a) as i64 & i64::MAX);
            let mut b = I32F32::from_bits((next() >> shift_b) as i64 & i64::MAX);
            if i % 97 == 0 {
                b = ZERO;
            }
            let a = if i % 89 == 0 { -a } else { a };
            let expected = a.checked_div(b).unwrap_or(ZERO);
            assert_eq!(safe_div(a, b), expected, "{a:?} / {b:?}");
        }
    }

    #[test]
    fn fast_mul_matches_saturating_mul() {
        let mut seed = 0x0fed_cba9_8765_4321u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let edges = [0i64, 1, -1, i64::MAX, i64::MIN, 1 << 32, -(1 << 32), (1 << 31) - 1];
        for i in 0..300_000u32 {
            let (a, b) = if i < 64 {
                (edges[(i % 8) as usize], edges[(i / 8) as usize])
            } else {
                let a = (next() >> (next() % 64)) as i64;
                let b = (next() >> (next() % 64)) as i64;
                (if i % 3 == 0 { a.wrapping_neg() } else { a }, if i % 5 == 0 { b.wrapping_neg() } else { b })
            };
            let (a, b) = (I32F32::from_bits(a), I32F32::from_bits(b));
            assert_eq!(mul(a, b), a.saturating_mul(b), "{a:?} * {b:?}");
        }
    }

    #[test]
    fn sat_ops_match_the_library() {
        let vals = [i64::MIN, i64::MIN + 1, -5, -1, 0, 1, 7, 1 << 40, i64::MAX - 1, i64::MAX];
        for a in vals {
            for b in vals {
                let (x, y) = (I32F32::from_bits(a), I32F32::from_bits(b));
                assert_eq!(x.sat_add(y), x.saturating_add(y));
                assert_eq!(x.sat_sub(y), x.saturating_sub(y));
            }
        }
    }

    #[test]
    fn weighted_median_picks_majority_value() {
        // Three equal stakes voting 0.1, 0.2, 0.9: the median is 0.2.
        let stake = vec![f(1.0 / 3.0); 3];
        let score = vec![f(0.1), f(0.2), f(0.9)];
        let sum_stake = sum(&stake);
        let m = weighted_median(&stake, &score, &[0, 1, 2], sum_stake - f(0.5), ZERO, sum_stake);
        assert_eq!(m, f(0.2));
    }

    #[test]
    fn topk_nonzero_excludes_zero_and_small() {
        let v = vec![f(0.5), ZERO, f(0.2), f(0.3)];
        assert_eq!(is_topk_nonzero(&v, 2), vec![true, false, false, true]);
        // Fewer entries than k: every non-zero entry keeps its permit.
        assert_eq!(is_topk_nonzero(&v, 10), vec![true, false, true, true]);
    }

    #[test]
    fn fixed_proportion_round_trip() {
        assert_eq!(fixed_proportion_to_u16(ONE), 65535);
        assert_eq!(fixed_proportion_to_u16(u16_proportion_to_fixed(32767)), 32766);
        assert_eq!(fixed_proportion_to_u16(ZERO), 0);
    }

    #[test]
    fn cursor_lookup_misses_out_of_order_entries_like_the_chain() {
        let row = vec![(2u16, f(0.5)), (1u16, f(0.25)), (3u16, f(0.75))];
        let d = cursor_lookup(&row, 4);
        // Column 1 comes after column 2 in the row, so the cursor has passed it.
        assert_eq!(d, vec![ZERO, ZERO, f(0.5), f(0.75)]);
    }

    #[test]
    fn col_clip_drops_cells_clipped_to_zero() {
        let m = vec![vec![(0u16, f(0.5)), (1, f(0.5))]];
        let out = col_clip_sparse(&m, &[f(0.2), ZERO]);
        assert_eq!(out, vec![vec![(0u16, f(0.2))]]);
    }

    #[test]
    fn fast_proportion_to_u16_matches_the_library() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let edges = [0i64, 1, -1, i64::MAX, i64::MIN, 1 << 32, (1 << 32) - 1, (1 << 32) + 1, 65_536, 65_535];
        for i in 0..200_000u32 {
            let x = if (i as usize) < edges.len() {
                edges[i as usize]
            } else {
                let v = (next() >> (next() % 64)) as i64;
                if i % 7 == 0 {
                    v.wrapping_neg()
                } else {
                    v
                }
            };
            let x = I32F32::from_bits(x);
            assert_eq!(proportion_to_u16_fast(x), fixed_proportion_to_u16(x), "{x:?}");
        }
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

    #[test]
    fn u16_proportion_closed_form_is_exact() {
        for b in 0..=u16::MAX {
            assert_eq!(u16_proportion_bits(b), fixed_to_fixed_u16_proportion(u16_to_fixed(b)).to_bits(), "{b}");
        }
    }

    #[test]
    fn divisor_matches_checked_div_near_its_limits() {
        let ds = [1i64, 2, 3, 65_535 << 32, (1 << 62) - 1, 1 << 62, (1 << 62) + 1, i64::MAX, 1 << 32, (1 << 32) + 1];
        let xs = [0i64, 1, -1, i64::MAX, i64::MIN, 1 << 32, (1 << 50) - 1, 1 << 50, 1 << 60, (1 << 62) - 1, 12_345_678_901];
        for &d in &ds {
            for &x in &xs {
                for dx in [-1i64, 0, 1] {
                    let (a, b) = (I32F32::from_bits(x.saturating_add(dx)), I32F32::from_bits(d));
                    assert_eq!(Divisor::new(b).divide(a), a.checked_div(b).unwrap_or(ZERO), "{a:?} / {b:?}");
                }
            }
        }
    }

    #[test]
    fn divisor_matches_checked_div_on_normalisation_ranges() {
        let mut seed = 0x5eed_1234_abcd_9876u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300_000 {
            let d = 1 + (next() >> (next() % 62 + 2)) as i64;
            // Mostly proportions of d (quotients up to a few times 1), some far above.
            let x = match next() % 4 {
                0 => (next() % (d as u64 + 1)) as i64,
                1 => d,
                2 => (next() % (d as u64).saturating_mul(4).saturating_add(1)) as i64,
                _ => (next() >> (next() % 63 + 1)) as i64,
            };
            let (a, b) = (I32F32::from_bits(x), I32F32::from_bits(d));
            assert_eq!(Divisor::new(b).divide(a), a.checked_div(b).unwrap_or(ZERO), "{a:?} / {b:?}");
        }
    }
}
