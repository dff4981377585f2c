//! [`InProcessMiners`]: the test double of the transport, a [`Querier`] that calls a
//! subnet's miner in this process, each hotkey with its [`MinerBehaviour`] (for tests,
//! examples and the in-process end-to-end mode).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::chain::types::AccountId;
use crate::miner::MinerBehaviour;
use crate::spec::{gather_in_order, MinerSpec, Querier, QueryError, RequestContext, Response, Target};

/// A [`Querier`] that calls one subnet's miner in this process, keyed by hotkey.
#[derive(Clone)]
pub struct InProcessMiners {
    miner: Arc<dyn MinerSpec>,
    behaviours: HashMap<AccountId, MinerBehaviour>,
    /// Who the miners are told is asking.
    caller: (AccountId, u64),
}

impl InProcessMiners {
    /// No miners yet; each hotkey added with [`with`](Self::with) answers with `miner`.
    pub fn new(miner: Arc<dyn MinerSpec>) -> Self {
        Self { miner, behaviours: HashMap::new(), caller: (AccountId::default(), 0) }
    }

    /// The validator hotkey and stake the miners see in their `RequestContext`.
    pub fn caller(mut self, hotkey: AccountId, stake: u64) -> Self {
        self.caller = (hotkey, stake);
        self
    }

    pub fn with(mut self, hotkey: AccountId, behaviour: MinerBehaviour) -> Self {
        self.behaviours.insert(hotkey, behaviour);
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
            // A flaky miner's wrong answers vary with its UID, as over the network.
            let miner = self.behaviours.get(&t.hotkey).map(|b| b.apply(self.miner.clone(), t.uid as u64));
            let (ctx, task) = (ctx.clone(), task.to_vec());
            running.spawn(async move {
                let start = Instant::now();
                let result = match miner {
                    None => Err(QueryError::Unreachable("no such miner".into())),
                    // Dead: nothing answers.
                    Some(None) => Err(QueryError::Timeout),
                    Some(Some(m)) => call(&*m, &ctx, &task, timeout).await,
                };
                (i, Response::new(result, start.elapsed()))
            });
        }
        gather_in_order(running, targets.len(), timeout).await
    }
}

async fn call(miner: &dyn MinerSpec, ctx: &RequestContext, task: &[u8], timeout: Duration) -> Result<Vec<u8>, QueryError> {
    match tokio::time::timeout(timeout, miner.handle(ctx, task)).await {
        Err(_) => Err(QueryError::Timeout),
        Ok(Err(e)) => Err(QueryError::Refused(e.to_string())),
        Ok(Ok(answer)) => Ok(answer),
    }
}
