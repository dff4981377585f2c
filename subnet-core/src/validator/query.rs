//! What the validator needs from the transport and from the subnet's author.

use std::time::Duration;

use async_trait::async_trait;

use crate::chain::types::{AccountId, AxonInfo};

/// A miner to query.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub uid: u16,
    pub hotkey: AccountId,
    pub axon: AxonInfo,
}

/// Why a miner gave no usable answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum QueryError {
    #[error("no answer within the timeout")]
    Timeout,
    #[error("the miner refused: {0}")]
    Refused(String),
    #[error("the miner could not be reached: {0}")]
    Unreachable(String),
    #[error("the answer could not be read: {0}")]
    BadAnswer(String),
}

/// One miner's answer (or failure) and how long it took.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub result: Result<Vec<u8>, QueryError>,
    pub latency: Duration,
    /// For a streamed answer, when its first chunk arrived.
    pub first_chunk: Option<Duration>,
}

impl Response {
    pub fn new(result: Result<Vec<u8>, QueryError>, latency: Duration) -> Self {
        Self { result, latency, first_chunk: None }
    }
}

/// Sends one task to many miners at once.
#[async_trait]
pub trait Querier: Send + Sync {
    /// One response per target, in the targets' order; a dead or slow miner must not
    /// hold the others past `timeout`.
    async fn query(&self, targets: &[Target], task: &[u8], timeout: Duration) -> Vec<Response>;

    /// The same for a task whose answer is streamed: each answer is the JSON array of
    /// its chunks. By default the answers are asked for whole.
    async fn query_stream(&self, targets: &[Target], task: &[u8], timeout: Duration) -> Vec<Response> {
        self.query(targets, task, timeout).await
    }
}

/// Who answered, for scoring.
#[derive(Clone, Debug, PartialEq)]
pub struct MinerContext {
    pub uid: u16,
    pub hotkey: AccountId,
    /// From sending the task to the whole answer.
    pub latency: Duration,
    /// For a streamed answer received as a stream, when its first chunk arrived.
    pub first_chunk: Option<Duration>,
}

impl MinerContext {
    pub fn new(uid: u16, hotkey: AccountId, latency: Duration) -> Self {
        Self { uid, hotkey, latency, first_chunk: None }
    }
}

/// The subnet author's side of validation: make challenges, score answers.
pub trait Judge: Send {
    /// A task for this round; `seed` is deterministic per validator and round.
    fn challenge(&mut self, seed: u64) -> Vec<u8>;
    /// Whether this task's answer is streamed (asked for with [`Querier::query_stream`]).
    fn streamed(&self, _task: &[u8]) -> bool {
        false
    }
    /// A score in [0, 1] for one answer (out-of-range values are clamped, NaN is 0).
    fn score(&mut self, task: &[u8], answer: &[u8], miner: &MinerContext) -> f64;
    /// Scores for all of a round's answers at once, one per answer in order (for
    /// relative scoring: ranks, best-of-round). By default each answer on its own.
    fn score_round(&mut self, task: &[u8], answers: &[(&[u8], MinerContext)]) -> Vec<f64> {
        answers.iter().map(|(answer, miner)| self.score(task, answer, miner)).collect()
    }
}

/// The responses of a round's concurrent queries, put back in the targets' order; a
/// query task that died (panicked) counts as a bad answer that took the whole timeout.
pub async fn gather_in_order(mut running: tokio::task::JoinSet<(usize, Response)>, n: usize, timeout: Duration) -> Vec<Response> {
    let mut out: Vec<Option<Response>> = vec![None; n];
    while let Some(joined) = running.join_next().await {
        if let Ok((i, response)) = joined {
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(response);
            }
        }
    }
    out.into_iter().map(|r| r.unwrap_or(Response::new(Err(QueryError::BadAnswer("the query task failed".into())), timeout))).collect()
}
