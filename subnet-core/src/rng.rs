//! A tiny deterministic generator for tests and benchmarks, at the bottom of the crate
//! so that any module's tests can use it (re-exported as `testing::XorShift`).

/// A tiny deterministic generator (xorshift64) for tests and benchmarks that want
/// reproducible data without a `rand` dependency of their own.
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    /// Any seed works (0 is replaced, as xorshift would stay at 0).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform-ish in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent`%.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
