//! [`MinerBehaviour`]: how a test miner behaves (honest, wrong on purpose, slow, dead),
//! applied by one wrapper wherever the miner runs: called in-process, served over
//! gRPC by a local run, or as the miner binary's hidden `--test.*` flags.
//!
//! It lives with the miner rather than in `testing` because the miner command (`cli`)
//! applies it too, and `testing` sits above `cli`; `testing` re-exports it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::spec::{HandleError, MinerSpec, RequestContext};

/// How a miner in a test run behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MinerBehaviour {
    /// Answers with the subnet's miner.
    Honest,
    /// Answers with the subnet's miner, then corrupts this percentage of the answers.
    Flaky(u8),
    /// Answers with the subnet's miner after this delay.
    Slow(Duration),
    /// Never answers (announced on chain, nothing serves).
    Dead,
}

impl MinerBehaviour {
    /// `n` miners of mixed quality: honest, mostly right, mostly wrong, dead, repeated.
    pub fn mix(n: usize) -> Vec<MinerBehaviour> {
        let pattern = [MinerBehaviour::Honest, MinerBehaviour::Flaky(30), MinerBehaviour::Flaky(70), MinerBehaviour::Dead];
        (0..n).map(|i| pattern[i % pattern.len()]).collect()
    }

    /// `miner` behaving so; `None` for a dead miner, which nothing should serve.
    /// `salt` varies which tasks a flaky miner gets wrong (its UID, say).
    pub fn apply(self, miner: Arc<dyn MinerSpec>, salt: u64) -> Option<Arc<dyn MinerSpec>> {
        match self {
            MinerBehaviour::Honest => Some(miner),
            MinerBehaviour::Dead => None,
            behaviour => Some(Arc::new(Behaving { miner, behaviour, salt })),
        }
    }
}

/// A miner with a non-honest behaviour applied to its answers.
struct Behaving {
    miner: Arc<dyn MinerSpec>,
    behaviour: MinerBehaviour,
    salt: u64,
}

#[async_trait]
impl MinerSpec for Behaving {
    async fn handle(&self, ctx: &RequestContext, payload: &[u8]) -> Result<Vec<u8>, HandleError> {
        if let MinerBehaviour::Slow(delay) = self.behaviour {
            tokio::time::sleep(delay).await;
        }
        let answer = self.miner.handle(ctx, payload).await?;
        Ok(match self.behaviour {
            MinerBehaviour::Flaky(percent) => corrupt(answer, payload, self.salt, percent),
            _ => answer,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::types::AccountId;

    struct Echo;

    #[async_trait]
    impl MinerSpec for Echo {
        async fn handle(&self, _ctx: &RequestContext, payload: &[u8]) -> Result<Vec<u8>, HandleError> {
            Ok(payload.to_vec())
        }
    }

    fn ctx() -> RequestContext {
        RequestContext { caller: AccountId([1; 32]), stake: 0, deadline: None }
    }

    #[tokio::test]
    async fn a_flaky_miner_corrupts_its_share_of_tasks_the_same_way_every_time() {
        let flaky = MinerBehaviour::Flaky(50).apply(Arc::new(Echo), 3).unwrap();
        let mut wrong = 0;
        for i in 0..200u8 {
            let task = [i, i.wrapping_mul(7)];
            let answer = flaky.handle(&ctx(), &task).await.unwrap();
            assert_eq!(answer, flaky.handle(&ctx(), &task).await.unwrap());
            wrong += (answer != task) as usize;
        }
        assert!((60..140).contains(&wrong), "{wrong} of 200 wrong");
        assert!(MinerBehaviour::Dead.apply(Arc::new(Echo), 0).is_none());
        let all_wrong = MinerBehaviour::Flaky(100).apply(Arc::new(Echo), 0).unwrap();
        assert_eq!(all_wrong.handle(&ctx(), b"ab").await.unwrap(), [b'a', b'b' ^ 0x55]);
    }
}
