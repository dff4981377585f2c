//! Division as the chain does it (`safe_div`: 0 when the division fails) and [`Divisor`],
//! the same quotient bit for bit, prepared once for dividing many numbers by one sum.

use substrate_fixed::types::I32F32;

use super::ZERO;

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
/// For a non-negative dividend, a divisor below 2^62 bits and a quotient below 2^49
/// (in fixed bits) the quotient is estimated with a precomputed f64 reciprocal and then
/// settled with exact integer arithmetic, so the bits equal `checked_div`'s (truncating
/// `(a_bits << 32) / d_bits`); anything else takes `checked_div` itself. A property
/// test holds the two equal.
#[derive(Clone, Copy)]
pub(crate) struct Divisor {
    d: I32F32,
    /// 2^32 / d_bits, or NaN when the fast path does not apply (d <= 0 or d >= 2^62 bits).
    reciprocal: f64,
}

impl Divisor {
    #[inline]
    pub(crate) fn new(d: I32F32) -> Self {
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
    pub(crate) fn divide(&self, a: I32F32) -> I32F32 {
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
    pub(crate) fn divide_unless_zero(&self, a: I32F32) -> I32F32 {
        if self.d.to_bits() != 0 {
            self.divide(a)
        } else {
            a
        }
    }

    /// [`Divisor::divide_unless_zero`] on raw I32F32 bits.
    #[inline]
    pub(crate) fn divide_bits_unless_zero(&self, a: i64) -> i64 {
        self.divide_unless_zero(I32F32::from_bits(a)).to_bits()
    }

    /// [`Divisor::divide`] on raw I32F32 bits.
    #[inline]
    pub(crate) fn divide_bits(&self, a: i64) -> i64 {
        self.divide(I32F32::from_bits(a)).to_bits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
