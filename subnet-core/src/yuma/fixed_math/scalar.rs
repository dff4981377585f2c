//! Scalar fixed-point rules: Subtensor's I32F32 / I64F64 constants, conversions to and
//! from u16 proportions, saturating arithmetic and `exp_safe`, bit for bit.

use substrate_fixed::transcendental::exp;
use substrate_fixed::types::{I32F32, I64F64};

use super::safe_div;

pub(crate) const ZERO: I32F32 = I32F32::from_bits(0);
pub(crate) const ONE: I32F32 = I32F32::from_bits(1 << 32);

/// `a.saturating_mul(b)` for I32F32 with the same bits: the exact product shifted
/// right by 32 (rounding towards minus infinity), saturated to the type's range.
/// `substrate-fixed` gets there through a general 128×128-bit multiply with overflow
/// detection, several times slower; a property test holds the two equal.
#[inline]
pub(crate) fn mul(a: I32F32, b: I32F32) -> I32F32 {
    I32F32::from_bits(mul_bits(a.to_bits(), b.to_bits()))
}

/// [`mul`] on raw I32F32 bits.
#[inline]
pub(crate) fn mul_bits(a: i64, b: i64) -> i64 {
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

/// [`safe_div`](super::safe_div)'s rule for I64F64 (stake): `checked_div`, 0 when it fails.
#[inline]
pub(crate) fn safe_div_64(a: I64F64, b: I64F64) -> I64F64 {
    a.checked_div(b).unwrap_or(I64F64::from_bits(0))
}

pub(crate) fn u16_to_fixed(x: u16) -> I32F32 {
    I32F32::saturating_from_num(x)
}

/// Chain: `u16_proportion_to_fixed` = x / 65535.
pub(crate) fn u16_proportion_to_fixed(x: u16) -> I32F32 {
    safe_div(I32F32::saturating_from_num(x), I32F32::saturating_from_num(u16::MAX))
}

/// Chain: `fixed_proportion_to_u16` = saturate(x * 65535) truncated.
pub(crate) fn fixed_proportion_to_u16(x: I32F32) -> u16 {
    x.saturating_mul(I32F32::saturating_from_num(u16::MAX)).saturating_to_num::<u16>()
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

/// `fixed_proportion_to_u16` on the raw bits: `x * 65535` (the exact product shifted
/// right by 32, rounding towards minus infinity, saturated) then the integer part
/// (towards minus infinity), saturated to 0..=65535. A property test holds it equal.
#[inline]
pub(crate) fn proportion_to_u16_fast(x: I32F32) -> u16 {
    let p = mul(x, I32F32::from_bits((u16::MAX as i64) << 32)).to_bits();
    (p >> 32).clamp(0, u16::MAX as i64) as u16
}

/// Chain: `fixed_to_fixed_u16_proportion(u16_to_fixed(b))` = b / 65535 in I32F32, in
/// closed form: the bits are floor(b * 2^32 / 65535), and 2^32 = 65535 * 65537 + 1, so
/// they are b * 65537 + floor(b / 65535). An exhaustive test holds it equal.
#[inline]
pub(crate) fn u16_proportion_bits(b: u16) -> i64 {
    b as i64 * 65_537 + (b == u16::MAX) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yuma::reference::fixed_math as chain;

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
    fn fixed_proportion_round_trip() {
        assert_eq!(fixed_proportion_to_u16(ONE), 65535);
        assert_eq!(fixed_proportion_to_u16(u16_proportion_to_fixed(32767)), 32766);
        assert_eq!(fixed_proportion_to_u16(ZERO), 0);
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

    /// Against the chain's own formula, kept in the frozen reference.
    #[test]
    fn u16_proportion_closed_form_is_exact() {
        for b in 0..=u16::MAX {
            assert_eq!(u16_proportion_bits(b), chain::fixed_to_fixed_u16_proportion(chain::u16_to_fixed(b)).to_bits(), "{b}");
        }
    }
}
