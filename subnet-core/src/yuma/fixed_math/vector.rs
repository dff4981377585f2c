//! Vector rules of the epoch: saturating sums, normalisation, masks, element-wise
//! products and quotients, top-k and max-upscaling, as Subtensor's `math.rs` does them.

use substrate_fixed::types::{I32F32, I64F64};

use super::{safe_div, safe_div_64, Divisor, SatOps, ZERO};

/// Sum with saturation. The chain uses `Iterator::sum`, which only differs on
/// overflow, which cannot happen for the normalised quantities summed here;
/// saturating keeps hostile inputs from panicking.
#[inline]
pub(crate) fn sum(x: &[I32F32]) -> I32F32 {
    x.iter().fold(ZERO, |acc, v| acc.sat_add(*v))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> I32F32 {
        I32F32::from_num(x)
    }

    #[test]
    fn topk_nonzero_excludes_zero_and_small() {
        let v = vec![f(0.5), ZERO, f(0.2), f(0.3)];
        assert_eq!(is_topk_nonzero(&v, 2), vec![true, false, false, true]);
        // Fewer entries than k: every non-zero entry keeps its permit.
        assert_eq!(is_topk_nonzero(&v, 10), vec![true, false, true, true]);
    }
}
