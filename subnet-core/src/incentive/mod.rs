//! The incentive mechanism: how a validator's scores become the weights it submits.
//!
//! - [`Incentive`]: the declarative mechanism a subnet author writes as a `const`
//!   (moving average, score shaping, burn, timeout, penalty, sampling, schedule).
//! - [`ScoreBook`]: per-UID moving-average scores, reset when a UID changes hands,
//!   saved to disk and restored on restart.
//! - [`weights_for_chain`]: scores → the `(uids, values)` the chain accepts, honouring
//!   `min_allowed_weights` and `max_weight_limit` and checked with the chain's own
//!   rules before they are returned.

mod mechanism;
mod scores;
mod weights;

pub use mechanism::{Incentive, Schedule, Shaping, MAX_SHAPING_STEPS};
pub use scores::{ScoreBook, ScoreBookError};
pub use weights::{weights_for_chain, ChainWeights, WeightLimits, WeightsError};
