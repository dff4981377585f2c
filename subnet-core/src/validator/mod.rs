//! The validator's loop, independent of how miners are reached: sync the metagraph,
//! challenge a sample of miners through a [`Querier`], score the answers with a
//! [`Judge`], keep moving-average scores, and submit weights on the chain's schedule
//! (rate limit, commit-reveal, retries) without ever losing scores.
//!
//! The signed gRPC client implements [`Querier`] for real networks; tests use an
//! in-process one.

mod query;
mod runner;

pub use query::{gather_in_order, Judge, MinerContext, Querier, QueryError, Response, Target};
pub use runner::{LoopEvent, RoundReport, Validator, ValidatorConfig, ValidatorError, WeightsOutcome};
