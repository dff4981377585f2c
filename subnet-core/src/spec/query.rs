//! How a validator reaches miners, whatever the transport: the [`Querier`] the gRPC
//! client and the in-process test double both implement, and what a query returns.

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
