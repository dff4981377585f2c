//! How a validator reaches miners, whatever the transport: the [`Querier`] the gRPC
//! client and the in-process test double both implement, and what a query returns.

use std::time::Duration;

use async_trait::async_trait;

use crate::chain::types::{AccountId, AxonInfo};

/// A miner to query.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The miner's UID on the subnet.
    pub uid: u16,
    /// The miner's hotkey: requests are signed for it, and a miner refuses any addressed
    /// to another hotkey.
    pub hotkey: AccountId,
    /// Where the miner serves, as published with Subtensor's `serve_axon`.
    pub axon: AxonInfo,
    /// The miner's TLS public key as it published it with `serve_axon_tls`
    /// (`NeuronCertificates`, Ed25519); when known, the miner must present exactly it.
    pub tls_key: Option<[u8; 32]>,
}

/// Why a miner gave no usable answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// No answer came before the round's timeout.
    #[error("no answer within the timeout")]
    Timeout,
    /// The miner rejected the call (access rules, rate limit, unknown task).
    #[error("the miner refused: {0}")]
    Refused(String),
    /// The miner's address could not be connected to.
    #[error("the miner could not be reached: {0}")]
    Unreachable(String),
    /// The answer arrived but is not the expected type's JSON.
    #[error("the answer could not be read: {0}")]
    BadAnswer(String),
}

/// One miner's answer (or failure) and how long it took.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The answer's bytes, or why there is none.
    pub result: Result<Vec<u8>, QueryError>,
    /// From sending the task to the whole answer (or to the failure).
    pub latency: Duration,
    /// For a streamed answer, when its first chunk arrived.
    pub first_chunk: Option<Duration>,
}

impl Response {
    /// A response with no first-chunk time, for a unary answer.
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
