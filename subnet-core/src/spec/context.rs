//! Who is on the other side of a call: the caller a miner sees ([`RequestContext`]),
//! the miner a judge scores ([`MinerContext`]), and a decoded answer with its miner
//! ([`Answered`]).

use std::time::{Duration, Instant};

use crate::chain::types::AccountId;

/// Who is asking, for a miner that wants to know (`&RequestContext` argument).
#[derive(Clone, Debug, PartialEq)]
pub struct RequestContext {
    /// The validator's hotkey (checked by the transport before the miner is called).
    pub caller: AccountId,
    /// The caller's stake on the subnet (rao).
    pub stake: u64,
    /// When the validator stops waiting.
    pub deadline: Option<Instant>,
}

/// Who answered, for scoring.
#[derive(Clone, Debug, PartialEq)]
pub struct MinerContext {
    /// The miner's UID on the subnet (its index in Subtensor's `Keys`).
    pub uid: u16,
    /// The miner's hotkey, as registered on the chain at that UID.
    pub hotkey: AccountId,
    /// From sending the task to the whole answer.
    pub latency: Duration,
    /// For a streamed answer received as a stream, when its first chunk arrived.
    pub first_chunk: Option<Duration>,
}

impl MinerContext {
    /// A context with no first-chunk time, for a unary answer.
    pub fn new(uid: u16, hotkey: AccountId, latency: Duration) -> Self {
        Self { uid, hotkey, latency, first_chunk: None }
    }
}

/// One miner's decoded answer in a round, for round-level scoring functions
/// (`fn rank(task: &MyTask, answers: &[Answered<MyAnswer>]) -> Vec<f64>`).
#[derive(Clone, Debug, PartialEq)]
pub struct Answered<A> {
    /// The answer, decoded from the miner's JSON.
    pub answer: A,
    /// Who answered, and how fast.
    pub miner: MinerContext,
}
