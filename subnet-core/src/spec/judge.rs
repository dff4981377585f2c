//! [`JudgeSpec`]: the validator side of a subnet (make a challenge, score answers),
//! the one trait the validator loop drives.

use super::{Answered, MinerContext};

/// The random generator challenges draw from (seeded per validator and round).
pub type Rng = rand::rngs::StdRng;

/// The validator side: make a challenge, score an answer.
pub trait JudgeSpec: Send {
    /// A task for `round` (how many challenges this judge has made before); `rng` is
    /// seeded deterministically per validator and round.
    fn challenge(&mut self, round: u64, rng: &mut Rng) -> Vec<u8>;
    /// A score in [0, 1] for one answer (out-of-range values are clamped, NaN is 0).
    fn score(&mut self, payload: &[u8], answer: &[u8], miner: &MinerContext) -> f64;
    /// Whether the task's answer is streamed (asked for with
    /// [`Querier::query_stream`](super::Querier::query_stream)).
    fn streamed(&self, _payload: &[u8]) -> bool {
        false
    }
    /// Scores for all of a round's answers at once, one per answer in order (for
    /// relative scoring: ranks, best-of-round). By default each answer on its own.
    fn score_round(&mut self, payload: &[u8], answers: &[(&[u8], MinerContext)]) -> Vec<f64> {
        answers.iter().map(|(answer, miner)| self.score(payload, answer, miner)).collect()
    }
}

/// Run a round-level scorer over raw answers: answers that do not decode score 0 and
/// are not shown to `score`; its scores are mapped back to the answers' order (a
/// missing score is 0).
pub fn score_round_with<A>(
    answers: &[(&[u8], MinerContext)],
    decode: impl Fn(&[u8]) -> Option<A>,
    score: impl FnOnce(&[Answered<A>]) -> Vec<f64>,
) -> Vec<f64> {
    let mut positions = Vec::with_capacity(answers.len());
    let mut decoded = Vec::with_capacity(answers.len());
    for (i, (bytes, miner)) in answers.iter().enumerate() {
        if let Some(answer) = decode(bytes) {
            positions.push(i);
            decoded.push(Answered { answer, miner: miner.clone() });
        }
    }
    let scores = score(&decoded);
    let mut out = vec![0.0; answers.len()];
    for (k, i) in positions.into_iter().enumerate() {
        out[i] = scores.get(k).copied().unwrap_or(0.0);
    }
    out
}
