//! Run a subnet without a network: miners called in-process (for tests, examples and
//! the in-process end-to-end mode), and the generated judge as the validator's
//! [`Judge`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use rand::SeedableRng;

use super::{JudgeSpec, MinerSpec, RequestContext, Rng};
use crate::chain::types::AccountId;
use crate::validator::{Judge, MinerContext, Querier, QueryError, Response, Target};

/// How an in-process miner behaves.
#[derive(Clone)]
pub enum MinerBehaviour {
    /// Answers with the subnet's miner.
    Honest(Arc<dyn MinerSpec>),
    /// Answers with the subnet's miner, then corrupts `percent`% of the answers.
    Flaky(Arc<dyn MinerSpec>, u8),
    /// Answers with the subnet's miner after a delay.
    Slow(Arc<dyn MinerSpec>, Duration),
    /// Never answers.
    Dead,
}

/// A [`Querier`] that calls miners in this process, keyed by hotkey.
#[derive(Clone, Default)]
pub struct InProcessMiners {
    miners: HashMap<AccountId, MinerBehaviour>,
    /// Who the miners are told is asking.
    caller: (AccountId, u64),
}

impl InProcessMiners {
    pub fn new() -> Self {
        Self::default()
    }

    /// The validator hotkey and stake the miners see in their `RequestContext`.
    pub fn caller(mut self, hotkey: AccountId, stake: u64) -> Self {
        self.caller = (hotkey, stake);
        self
    }

    pub fn with(mut self, hotkey: AccountId, behaviour: MinerBehaviour) -> Self {
        self.miners.insert(hotkey, behaviour);
        self
    }
}

#[async_trait]
impl Querier for InProcessMiners {
    /// All miners are asked at once; each answer or failure arrives within `timeout`.
    async fn query(&self, targets: &[Target], task: &[u8], timeout: Duration) -> Vec<Response> {
        let ctx = RequestContext { caller: self.caller.0, stake: self.caller.1, deadline: Some(Instant::now() + timeout) };
        let mut running = tokio::task::JoinSet::new();
        for (i, t) in targets.iter().enumerate() {
            let behaviour = self.miners.get(&t.hotkey).cloned();
            let (ctx, task, uid) = (ctx.clone(), task.to_vec(), t.uid);
            running.spawn(async move {
                let start = Instant::now();
                let result = match behaviour {
                    None => Err(QueryError::Unreachable("no such miner".into())),
                    Some(MinerBehaviour::Dead) => Err(QueryError::Timeout),
                    Some(MinerBehaviour::Honest(m)) => call(&*m, &ctx, &task, timeout, Duration::ZERO).await,
                    Some(MinerBehaviour::Slow(m, delay)) => call(&*m, &ctx, &task, timeout, delay).await,
                    Some(MinerBehaviour::Flaky(m, percent)) => {
                        call(&*m, &ctx, &task, timeout, Duration::ZERO).await.map(|answer| corrupt(answer, &task, uid as u64, percent))
                    }
                };
                (i, Response::new(result, start.elapsed()))
            });
        }
        crate::validator::gather_in_order(running, targets.len(), timeout).await
    }
}

async fn call(miner: &dyn MinerSpec, ctx: &RequestContext, task: &[u8], timeout: Duration, delay: Duration) -> Result<Vec<u8>, QueryError> {
    let answer = async {
        tokio::time::sleep(delay).await;
        miner.handle(ctx, task).await
    };
    match tokio::time::timeout(timeout, answer).await {
        Err(_) => Err(QueryError::Timeout),
        Ok(Err(e)) => Err(QueryError::Refused(e.to_string())),
        Ok(Ok(answer)) => Ok(answer),
    }
}

/// Corrupt `percent`% of answers, deterministically per (task, salt): the answer's
/// last byte is flipped (a wrong answer, or JSON that no longer parses).
fn corrupt(mut answer: Vec<u8>, task: &[u8], salt: u64, percent: u8) -> Vec<u8> {
    let h = task.iter().fold(salt, |h, b| h.wrapping_mul(31).wrapping_add(*b as u64));
    if h % 100 < percent as u64 {
        if let Some(last) = answer.last_mut() {
            *last ^= 0x55;
        }
    }
    answer
}

/// A miner that answers with `inner` and corrupts `percent`% of its answers: a
/// low-quality miner for networked test runs.
pub struct FlakyMiner {
    pub inner: Arc<dyn MinerSpec>,
    pub percent: u8,
    /// Varies which tasks are corrupted (the UID, say).
    pub salt: u64,
}

#[async_trait]
impl MinerSpec for FlakyMiner {
    async fn handle(&self, ctx: &RequestContext, payload: &[u8]) -> Result<Vec<u8>, super::HandleError> {
        let answer = self.inner.handle(ctx, payload).await?;
        Ok(corrupt(answer, payload, self.salt, self.percent))
    }
}

/// The generated judge of a subnet as the validator loop's [`Judge`].
pub struct SubnetJudge<S: JudgeSpec> {
    spec: S,
    round: u64,
}

impl<S: JudgeSpec> SubnetJudge<S> {
    pub fn new(spec: S) -> Self {
        Self { spec, round: 0 }
    }
}

impl<S: JudgeSpec> Judge for SubnetJudge<S> {
    fn challenge(&mut self, seed: u64) -> Vec<u8> {
        let mut rng = Rng::seed_from_u64(seed);
        let task = self.spec.challenge(self.round, &mut rng);
        self.round += 1;
        task
    }
    fn score(&mut self, task: &[u8], answer: &[u8], miner: &MinerContext) -> f64 {
        self.spec.score(task, answer, miner)
    }
    fn score_round(&mut self, task: &[u8], answers: &[(&[u8], MinerContext)]) -> Vec<f64> {
        self.spec.score_round(task, answers)
    }
    fn streamed(&self, task: &[u8]) -> bool {
        self.spec.streamed(task)
    }
}
