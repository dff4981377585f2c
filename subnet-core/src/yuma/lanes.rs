//! The epoch's per-cell fixed-point operations on several cells at once.
//!
//! The dense epoch (`dense.rs`) writes each pass once, generic over [`Lanes`]: one
//! I32F32 cell (`i64`, exact for every input, the same functions as the sparse path) or,
//! on x86-64, four cells with AVX2 (`Avx2`) or eight with AVX-512 F + DQ (`Avx512`);
//! [`Simd::detect`] picks the widest the CPU has. The wide operations give the same bits
//! as the one-cell ones only for the values the dense epoch proves it passes them, so
//! the callers check those bounds before choosing wide lanes:
//! - `unit_mul` operands lie in [0, 1] (raw bits in [0, 2^32]): normalised weights and
//!   stakes, clipped weights, bonds, alpha and 1 - alpha;
//! - `sat_add`, `minimum`, `maximum` operands are non-negative;
//! - a `divide` dividend is non-negative, below 2^52 bits and at most its divisor, and
//!   every divisor of the pass is 0 or below 2^62 bits ([`LaneDivisors::fast`]).

use substrate_fixed::types::I32F32;

use super::fixed_math::{mul_bits, Divisor};

/// Per-column divisors in the form the lanes read: raw bits and [`Divisor`]'s
/// reciprocal (NaN where its fast path does not apply).
pub(crate) struct LaneDivisors {
    pub bits: Vec<i64>,
    pub recip: Vec<f64>,
}

impl LaneDivisors {
    pub(super) fn new(sums: &[i64]) -> Self {
        let mut bits = Vec::with_capacity(sums.len());
        let mut recip = Vec::with_capacity(sums.len());
        for &s in sums {
            let d = Divisor::new(I32F32::from_bits(s));
            bits.push(s);
            recip.push(d.reciprocal());
        }
        Self { bits, recip }
    }

    /// True when wide-lane division is exact for every column: each divisor is 0 (the
    /// dividend is kept) or takes [`Divisor`]'s fast path.
    pub(super) fn fast(&self) -> bool {
        self.bits.iter().all(|&d| (0..1 << 62).contains(&d))
    }
}

/// Several I32F32 cells (raw bits) operated on together.
pub(crate) trait Lanes: Copy {
    /// Cells per value.
    const WIDTH: usize;
    type Recip: Copy;
    /// The first `WIDTH` cells of `s`.
    fn load(s: &[i64]) -> Self;
    fn store(self, s: &mut [i64]);
    fn splat(x: i64) -> Self;
    fn load_recip(s: &[f64]) -> Self::Recip;
    fn splat_recip(r: f64) -> Self::Recip;
    fn zero() -> Self {
        Self::splat(0)
    }
    /// I32F32 `saturating_mul` (`mul_bits`).
    fn unit_mul(self, other: Self) -> Self;
    fn sat_add(self, other: Self) -> Self;
    fn minimum(self, other: Self) -> Self;
    fn maximum(self, other: Self) -> Self;
    /// `safe_div(self, d)`, or `self` unchanged where `d` is 0
    /// ([`Divisor::divide_bits_unless_zero`]).
    fn divide_unless_zero(self, d: Self, recip: Self::Recip) -> Self;
    /// Chain: `fixed_proportion_to_u16` (as `proportion_to_u16_fast`), widened to i64.
    fn proportion_to_u16(self) -> Self;
    /// The saturating sum of the cells.
    fn sum(self) -> i64;
}

/// One cell: the exact scalar operations the sparse epoch uses.
impl Lanes for i64 {
    const WIDTH: usize = 1;
    type Recip = f64;

    #[inline(always)]
    fn load(s: &[i64]) -> Self {
        s[0]
    }
    #[inline(always)]
    fn store(self, s: &mut [i64]) {
        s[0] = self;
    }
    #[inline(always)]
    fn splat(x: i64) -> Self {
        x
    }
    #[inline(always)]
    fn load_recip(s: &[f64]) -> f64 {
        s[0]
    }
    #[inline(always)]
    fn splat_recip(r: f64) -> f64 {
        r
    }
    #[inline(always)]
    fn unit_mul(self, other: Self) -> Self {
        mul_bits(self, other)
    }
    #[inline(always)]
    fn sat_add(self, other: Self) -> Self {
        self.saturating_add(other)
    }
    #[inline(always)]
    fn minimum(self, other: Self) -> Self {
        Ord::min(self, other)
    }
    #[inline(always)]
    fn maximum(self, other: Self) -> Self {
        Ord::max(self, other)
    }
    #[inline(always)]
    fn divide_unless_zero(self, d: Self, recip: f64) -> Self {
        Divisor::from_parts(I32F32::from_bits(d), recip).divide_bits_unless_zero(self)
    }
    #[inline(always)]
    fn proportion_to_u16(self) -> Self {
        super::fixed_math::proportion_to_u16_fast(I32F32::from_bits(self)) as i64
    }
    #[inline(always)]
    fn sum(self) -> i64 {
        self
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) use avx2::Avx2;
#[cfg(target_arch = "x86_64")]
pub(crate) use avx512::Avx512;

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::Lanes;

    /// Four cells in an AVX2 register. Its methods are only called from functions
    /// compiled with AVX2 enabled, after `is_x86_feature_detected!("avx2")`.
    #[derive(Clone, Copy)]
    pub(crate) struct Avx2(__m256i);

    /// 2^52 as f64 and its bits: adding it to a value in [0, 2^52) puts the value,
    /// rounded to an integer, in the mantissa.
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    const TWO_52_BITS: i64 = 0x4330_0000_0000_0000;

    impl Avx2 {
        /// The low 64 bits of the lane-wise product (AVX2 has no 64-bit multiply).
        #[inline(always)]
        fn wrapping_mul(self, other: Self) -> Self {
            unsafe {
                let (a, b) = (self.0, other.0);
                let low = _mm256_mul_epu32(a, b);
                let cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), b), _mm256_mul_epu32(a, _mm256_srli_epi64(b, 32)));
                Avx2(_mm256_add_epi64(low, _mm256_slli_epi64(cross, 32)))
            }
        }
    }

    impl Lanes for Avx2 {
        const WIDTH: usize = 4;
        type Recip = __m256d;

        #[inline(always)]
        fn load(s: &[i64]) -> Self {
            let s = &s[..4];
            unsafe { Avx2(_mm256_loadu_si256(s.as_ptr().cast())) }
        }
        #[inline(always)]
        fn store(self, s: &mut [i64]) {
            let s = &mut s[..4];
            unsafe { _mm256_storeu_si256(s.as_mut_ptr().cast(), self.0) }
        }
        #[inline(always)]
        fn splat(x: i64) -> Self {
            unsafe { Avx2(_mm256_set1_epi64x(x)) }
        }
        #[inline(always)]
        fn load_recip(s: &[f64]) -> __m256d {
            let s = &s[..4];
            unsafe { _mm256_loadu_pd(s.as_ptr()) }
        }
        #[inline(always)]
        fn splat_recip(r: f64) -> __m256d {
            unsafe { _mm256_set1_pd(r) }
        }
        /// For a, b in [0, 2^32] (bits): with a = ah 2^32 + al (ah 0 or 1), and b alike,
        /// (a b) >> 32 = ah bh 2^32 + ah bl + bh al + (al bl >> 32), every term exact.
        #[inline(always)]
        fn unit_mul(self, other: Self) -> Self {
            unsafe {
                let (a, b) = (self.0, other.0);
                let (ah, bh) = (_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32));
                let low = _mm256_srli_epi64(_mm256_mul_epu32(a, b), 32);
                let cross = _mm256_add_epi64(_mm256_mul_epu32(ah, b), _mm256_mul_epu32(bh, a));
                let high = _mm256_slli_epi64(_mm256_mul_epu32(ah, bh), 32);
                Avx2(_mm256_add_epi64(_mm256_add_epi64(low, cross), high))
            }
        }
        /// Non-negative operands: the sum wraps below zero exactly when it passes i64::MAX.
        #[inline(always)]
        fn sat_add(self, other: Self) -> Self {
            unsafe {
                let s = _mm256_add_epi64(self.0, other.0);
                let over = _mm256_cmpgt_epi64(_mm256_setzero_si256(), s);
                Avx2(_mm256_blendv_epi8(s, _mm256_set1_epi64x(i64::MAX), over))
            }
        }
        #[inline(always)]
        fn minimum(self, other: Self) -> Self {
            unsafe { Avx2(_mm256_blendv_epi8(self.0, other.0, _mm256_cmpgt_epi64(self.0, other.0))) }
        }
        #[inline(always)]
        fn maximum(self, other: Self) -> Self {
            unsafe { Avx2(_mm256_blendv_epi8(other.0, self.0, _mm256_cmpgt_epi64(self.0, other.0))) }
        }
        /// [`super::Divisor`]'s fast path, lane by lane with the same f64 operations (so
        /// the same quotient estimate), for dividends in [0, 2^52) at most the divisor;
        /// lanes with a zero divisor keep the dividend.
        #[inline(always)]
        fn divide_unless_zero(self, d: Self, recip: __m256d) -> Self {
            unsafe {
                let x = self.0;
                let magic = _mm256_set1_epi64x(TWO_52_BITS);
                let xf = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(x, magic)), _mm256_set1_pd(TWO_52));
                let est = _mm256_mul_pd(xf, recip);
                let q = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(est, _mm256_set1_pd(TWO_52))), magic);
                // The remainder x 2^32 - q d lies in [-d, d): exact modulo 2^64.
                let r = _mm256_sub_epi64(_mm256_slli_epi64(x, 32), Avx2(q).wrapping_mul(d).0);
                let q = _mm256_add_epi64(q, _mm256_cmpgt_epi64(_mm256_setzero_si256(), r));
                let zero_divisor = _mm256_cmpeq_epi64(d.0, _mm256_setzero_si256());
                Avx2(_mm256_blendv_epi8(q, x, zero_divisor))
            }
        }
        /// For x in [0, 2^32]: (x * 65535) >> 32, which is at most 65535.
        #[inline(always)]
        fn proportion_to_u16(self) -> Self {
            unsafe { Avx2(_mm256_srli_epi64(_mm256_sub_epi64(_mm256_slli_epi64(self.0, 16), self.0), 32)) }
        }
        #[inline(always)]
        fn sum(self) -> i64 {
            let mut cells = [0i64; 4];
            self.store(&mut cells);
            cells.iter().fold(0i64, |a, &c| a.saturating_add(c))
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::Lanes;

    /// Eight cells in an AVX-512 register. Its methods are only called from functions
    /// compiled with AVX-512F and DQ enabled, after both were detected.
    #[derive(Clone, Copy)]
    pub(crate) struct Avx512(__m512i);

    const TWO_52: f64 = 4_503_599_627_370_496.0;
    const TWO_52_BITS: i64 = 0x4330_0000_0000_0000;

    impl Lanes for Avx512 {
        const WIDTH: usize = 8;
        type Recip = __m512d;

        #[inline(always)]
        fn load(s: &[i64]) -> Self {
            let s = &s[..8];
            unsafe { Avx512(_mm512_loadu_si512(s.as_ptr().cast())) }
        }
        #[inline(always)]
        fn store(self, s: &mut [i64]) {
            let s = &mut s[..8];
            unsafe { _mm512_storeu_si512(s.as_mut_ptr().cast(), self.0) }
        }
        #[inline(always)]
        fn splat(x: i64) -> Self {
            unsafe { Avx512(_mm512_set1_epi64(x)) }
        }
        #[inline(always)]
        fn load_recip(s: &[f64]) -> __m512d {
            let s = &s[..8];
            unsafe { _mm512_loadu_pd(s.as_ptr()) }
        }
        #[inline(always)]
        fn splat_recip(r: f64) -> __m512d {
            unsafe { _mm512_set1_pd(r) }
        }
        /// As [`super::Avx2`]'s: for a, b in [0, 2^32] (bits),
        /// (a b) >> 32 = ah bh 2^32 + ah bl + bh al + (al bl >> 32).
        #[inline(always)]
        fn unit_mul(self, other: Self) -> Self {
            unsafe {
                let (a, b) = (self.0, other.0);
                let (ah, bh) = (_mm512_srli_epi64::<32>(a), _mm512_srli_epi64::<32>(b));
                let low = _mm512_srli_epi64::<32>(_mm512_mul_epu32(a, b));
                let cross = _mm512_add_epi64(_mm512_mul_epu32(ah, b), _mm512_mul_epu32(bh, a));
                let high = _mm512_slli_epi64::<32>(_mm512_mul_epu32(ah, bh));
                Avx512(_mm512_add_epi64(_mm512_add_epi64(low, cross), high))
            }
        }
        /// Non-negative operands: their sum, read unsigned, never wraps; capped at i64::MAX.
        #[inline(always)]
        fn sat_add(self, other: Self) -> Self {
            unsafe { Avx512(_mm512_min_epu64(_mm512_add_epi64(self.0, other.0), _mm512_set1_epi64(i64::MAX))) }
        }
        #[inline(always)]
        fn minimum(self, other: Self) -> Self {
            unsafe { Avx512(_mm512_min_epi64(self.0, other.0)) }
        }
        #[inline(always)]
        fn maximum(self, other: Self) -> Self {
            unsafe { Avx512(_mm512_max_epi64(self.0, other.0)) }
        }
        /// [`super::Divisor`]'s fast path lane by lane, as [`super::Avx2`]'s, with AVX-512's
        /// conversion to f64 and 64-bit multiply.
        #[inline(always)]
        fn divide_unless_zero(self, d: Self, recip: __m512d) -> Self {
            unsafe {
                let x = self.0;
                let zero = _mm512_setzero_si512();
                let est = _mm512_mul_pd(_mm512_cvtepi64_pd(x), recip);
                let q = _mm512_sub_epi64(_mm512_castpd_si512(_mm512_add_pd(est, _mm512_set1_pd(TWO_52))), _mm512_set1_epi64(TWO_52_BITS));
                // The remainder x 2^32 - q d lies in [-d, d): exact modulo 2^64.
                let r = _mm512_sub_epi64(_mm512_slli_epi64::<32>(x), _mm512_mullo_epi64(q, d.0));
                let q = _mm512_mask_sub_epi64(q, _mm512_cmplt_epi64_mask(r, zero), q, _mm512_set1_epi64(1));
                Avx512(_mm512_mask_mov_epi64(q, _mm512_cmpeq_epi64_mask(d.0, zero), x))
            }
        }
        #[inline(always)]
        fn proportion_to_u16(self) -> Self {
            unsafe { Avx512(_mm512_srli_epi64::<32>(_mm512_sub_epi64(_mm512_slli_epi64::<16>(self.0), self.0))) }
        }
        #[inline(always)]
        fn sum(self) -> i64 {
            let mut cells = [0i64; 8];
            self.store(&mut cells);
            cells.iter().fold(0i64, |a, &c| a.saturating_add(c))
        }
    }
}

/// The widest lanes this machine runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
// Only x86-64 has wide lanes so far.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) enum Simd {
    /// One cell at a time (`i64`).
    One,
    /// [`Avx2`], four cells.
    Avx2,
    /// [`Avx512`], eight cells.
    Avx512,
}

#[cfg(test)]
thread_local! {
    static FORCED: std::cell::Cell<Option<Simd>> = const { std::cell::Cell::new(None) };
}

impl Simd {
    /// The widest lanes of this CPU (asked of it once; `is_x86_feature_detected!` caches).
    pub(super) fn detect() -> Self {
        #[cfg(test)]
        if let Some(forced) = FORCED.get() {
            return forced.min(Self::detect_cpu());
        }
        Self::detect_cpu()
    }

    fn detect_cpu() -> Self {
        static DETECTED: std::sync::OnceLock<Simd> = std::sync::OnceLock::new();
        *DETECTED.get_or_init(|| {
            let widest = Self::widest_on_cpu();
            // SUBNET_YUMA_LANES=1|4|8 caps the width (to compare widths, or to rule the
            // vector code out when chasing a problem).
            match std::env::var("SUBNET_YUMA_LANES").ok().as_deref() {
                Some("1") => Self::One,
                Some("4") => widest.min(Self::Avx2),
                _ => widest,
            }
        })
    }

    /// Cells per lane value.
    pub(super) fn width(self) -> usize {
        match self {
            Self::One => 1,
            Self::Avx2 => 4,
            Self::Avx512 => 8,
        }
    }

    fn widest_on_cpu() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512dq") {
                return Self::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Self::Avx2;
            }
        }
        Self::One
    }

    /// Runs `f` with [`Simd::detect`] answering at most `simd` on this thread (tests
    /// take each width through the whole epoch).
    #[cfg(test)]
    pub(super) fn force<R>(simd: Self, f: impl FnOnce() -> R) -> R {
        FORCED.set(Some(simd));
        let out = f();
        FORCED.set(None);
        out
    }

    /// These lanes when `proven` (the pass's operands are in the lanes' range), one
    /// otherwise.
    pub(super) fn when(self, proven: bool) -> Self {
        if proven {
            self
        } else {
            Self::One
        }
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::rng::XorShift;

    /// Runs `f` with AVX2 enabled (the lanes' intrinsics need it).
    #[target_feature(enable = "avx2")]
    fn with_avx2(f: impl FnOnce()) {
        f()
    }

    /// Runs `f` with AVX-512F and DQ enabled.
    #[target_feature(enable = "avx512f,avx512dq")]
    fn with_avx512(f: impl FnOnce()) {
        f()
    }

    /// Checks `L`'s operations against one cell's on the values the dense epoch passes.
    fn lanes_match_one_cell<L: Lanes>() {
        let w = L::WIDTH;
        let cells = |v: L| {
            let mut out = vec![0i64; w];
            v.store(&mut out);
            out
        };
        let mut r = XorShift::new(0xA11C_E5ED + w as u64);
        let unit = |r: &mut XorShift| match r.below(8) {
            0 => 0,
            1 => 1 << 32,
            2 => (1 << 32) - 1,
            3 => 1,
            _ => r.below((1 << 32) + 1) as i64,
        };
        for _ in 0..50_000 {
            let a: Vec<i64> = (0..w).map(|_| unit(&mut r)).collect();
            let b: Vec<i64> = (0..w).map(|_| unit(&mut r)).collect();
            let big: Vec<i64> = (0..w).map(|_| r.below(1 << 62) as i64 * (1 + r.below(2) as i64)).collect();
            let (va, vb) = (L::load(&a), L::load(&b));
            let got = [
                cells(va.unit_mul(vb)),
                cells(va.sat_add(vb)),
                cells(va.minimum(vb)),
                cells(va.maximum(vb)),
                cells(va.proportion_to_u16()),
                cells(L::load(&big).sat_add(L::load(&big))),
            ];
            for k in 0..w {
                assert_eq!(got[0][k], a[k].unit_mul(b[k]), "{} * {}", a[k], b[k]);
                assert_eq!(got[1][k], a[k].sat_add(b[k]));
                assert_eq!(got[2][k], a[k].minimum(b[k]));
                assert_eq!(got[3][k], a[k].maximum(b[k]));
                assert_eq!(got[4][k], a[k].proportion_to_u16());
                assert_eq!(got[5][k], big[k].sat_add(big[k]));
            }
            assert_eq!(va.sum(), a.iter().fold(0i64, |s, &x| s.sat_add(x)));

            // Divisors: zero, tiny, proportion-sized, u16-sums-sized, near 2^62; dividends
            // in [0, min(d, 2^52)), or at that bound.
            let d: Vec<i64> = (0..w)
                .map(|_| match r.below(6) {
                    0 => 0,
                    1 => 1 + r.below(4) as i64,
                    2 => (1i64 << 62) - 1 - r.below(3) as i64,
                    _ => 1 + (r.next_u64() >> (2 + r.below(60))) as i64,
                })
                .collect();
            let x: Vec<i64> = (0..w)
                .map(|k| {
                    let cap = d[k].min((1 << 52) - 1);
                    if r.below(5) == 0 {
                        cap
                    } else {
                        r.below(cap as u64 + 1) as i64
                    }
                })
                .collect();
            let divisors = LaneDivisors::new(&d);
            assert!(divisors.fast());
            let got = cells(L::load(&x).divide_unless_zero(L::load(&d), L::load_recip(&divisors.recip)));
            for k in 0..w {
                let (a, b) = (I32F32::from_bits(x[k]), I32F32::from_bits(d[k]));
                let expected = if d[k] == 0 { x[k] } else { a.checked_div(b).unwrap_or(I32F32::from_bits(0)).to_bits() };
                assert_eq!(got[k], expected, "{} / {}", x[k], d[k]);
            }
        }
    }

    #[test]
    fn four_lanes_match_one_cell() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        unsafe { with_avx2(lanes_match_one_cell::<Avx2>) }
    }

    #[test]
    fn eight_lanes_match_one_cell() {
        if Simd::detect() != Simd::Avx512 {
            return;
        }
        unsafe { with_avx512(lanes_match_one_cell::<Avx512>) }
    }
}
