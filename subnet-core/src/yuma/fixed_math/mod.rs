//! Fixed-point scalar, vector, sparse-row and median helpers used by the epoch.
//!
//! Every function here reproduces the arithmetic of Subtensor's
//! `pallets/subtensor/src/epoch/math.rs` (same `substrate-fixed` types, same
//! order of operations, same saturating / "divide by zero gives 0" rules), so
//! that the epoch matches the chain bit for bit. The code is our own; the
//! semantics are the chain's. Where the chain's behaviour is surprising it is
//! kept on purpose and said so in a comment.
//!
//! Only what the live epoch calls is here; the chain's other sparse helpers (the ones
//! the epoch replaced with its CSR passes) live on in the frozen `reference` copy.
//!
//! - `scalar`: constants, u16-proportion conversions, saturating ops, `exp_safe`.
//! - `divisor`: `safe_div` and [`Divisor`], its fast exact form for many dividends.
//! - `vector`: sums, normalisation, masks, top-k, max-upscaling.
//! - `sparse`: the chain's sparse rows and the bond EMAs run on them.
//! - `csr`: [`Csr`], the flat layout of the weight and bond passes.
//! - `median`: the stake-weighted median behind consensus.

mod csr;
mod divisor;
mod median;
mod scalar;
mod sparse;
mod vector;

pub(crate) use csr::Csr;
pub(crate) use divisor::{safe_div, Divisor};
pub(crate) use median::{weighted_median_positive, weighted_median_with, MedianScratch};
pub(crate) use scalar::{
    clamp_value, exp_safe, fixed_proportion_to_u16, mul, mul_bits, proportion_to_u16_fast, safe_div_64, u16_proportion_bits, u16_proportion_to_fixed,
    u16_to_fixed, SatOps,
};
pub(crate) use scalar::{ONE, ZERO};
pub(crate) use sparse::{cursor_lookup, mat_ema_alpha_sparse, mat_ema_sparse, scalar_vec_mask_sparse_matrix, SparseMatrix, SparseRow};
pub(crate) use vector::{
    inplace_mask_vector, inplace_normalize, inplace_normalize_64, inplace_normalize_using_sum, is_topk_nonzero, is_zero, sum, vec_max_upscale_to_u16,
    vec_mul, vecdiv,
};
