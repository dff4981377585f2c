//! The validator's loop, independent of how miners are reached: sync the metagraph,
//! challenge a sample of miners through a [`Querier`](crate::spec::Querier), score the
//! answers with the subnet's [`JudgeSpec`](crate::spec::JudgeSpec), keep moving-average scores, and submit weights on the chain's schedule
//! (rate limit, commit-reveal, retries) without ever losing scores.
//!
//! The gRPC client over TLS (`net`) implements `Querier` for real networks; tests use
//! the in-process one (`testing`).

mod runner;
mod state;

pub use runner::{
    CommitScheme, LoopEvent, RoundReport, Validator, ValidatorConfig, ValidatorError, WeightsOutcome, TIMELOCKED_COMMIT_REVEAL_VERSION,
};
pub use state::{PendingReveal, SavedState};
