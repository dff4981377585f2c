//! The validator loop on the local chain with in-process miners of differing quality.

use crate::support::acct;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use subnet_core::chain::{AccountId, AxonInfo, BlockMode, Chain, Hyperparameter, LocalChain, LocalChainConfig, LocalChainHandle};
use subnet_core::incentive::Incentive;
use subnet_core::spec::{JudgeSpec, MinerContext, Querier, QueryError, Response, Rng, Target};
use subnet_core::validator::{CommitScheme, Validator, ValidatorConfig, WeightsOutcome};

use subnet_core::chain::RAO_PER_TAO as TAO;

/// Miners answering `a + b`: right with the given probability, or not at all.
struct FakeMiners {
    quality: HashMap<AccountId, Option<f64>>,
}

#[async_trait]
impl Querier for FakeMiners {
    async fn query(&self, targets: &[Target], task: &[u8], _timeout: Duration) -> Vec<Response> {
        targets
            .iter()
            .map(|t| {
                let sum = task[0] as u16 + task[1] as u16;
                let result = match self.quality.get(&t.hotkey).copied().flatten() {
                    None => Err(QueryError::Timeout),
                    // Deterministic "coin": right when (task, uid) hashes under the quality.
                    Some(q) if ((task[0] as u32 * 31 + task[1] as u32 * 17 + t.uid as u32 * 7) % 100) < (q * 100.0) as u32 => {
                        Ok(sum.to_le_bytes().to_vec())
                    }
                    Some(_) => Ok((sum + 1).to_le_bytes().to_vec()),
                };
                Response::new(result, Duration::from_millis(5))
            })
            .collect()
    }
}

struct SumJudge;

impl JudgeSpec for SumJudge {
    fn challenge(&mut self, _round: u64, rng: &mut Rng) -> Vec<u8> {
        use rand::RngCore;
        let seed = rng.next_u64();
        vec![(seed % 200) as u8, ((seed >> 8) % 50) as u8]
    }
    fn score(&mut self, task: &[u8], answer: &[u8], _miner: &MinerContext) -> f64 {
        let expected = task[0] as u16 + task[1] as u16;
        (answer.len() == 2 && u16::from_le_bytes([answer[0], answer[1]]) == expected) as u8 as f64
    }
}

const OWNER: u8 = 1;
const VALIDATOR: u8 = 10;

/// Subnet with a validator (UID 1) and miners 20 (perfect), 21 (half right), 22 (dead).
async fn setup(commit_reveal: bool) -> (LocalChainHandle, u16) {
    let accounts: Vec<AccountId> = (1..=30).map(acct).collect();
    let h = LocalChainHandle::new(LocalChain::new(LocalChainConfig::dev(acct(OWNER), &accounts, 1_000_000 * TAO)), BlockMode::Manual);
    let netuid = h.register_network(&acct(OWNER), acct(2)).await.unwrap();
    h.start_call(&acct(OWNER), netuid).await.unwrap();
    for p in [Hyperparameter::Tempo(20), Hyperparameter::WeightsSetRateLimit(0), Hyperparameter::CommitRevealWeightsEnabled(commit_reveal)] {
        h.set_hyperparameter(&acct(OWNER), netuid, p).await.unwrap();
    }
    h.burned_register(&acct(VALIDATOR), netuid, acct(VALIDATOR)).await.unwrap();
    h.add_stake(&acct(VALIDATOR), acct(VALIDATOR), netuid, 1_000 * TAO).await.unwrap();
    for m in [20, 21, 22] {
        h.burned_register(&acct(m), netuid, acct(m)).await.unwrap();
        let axon = AxonInfo { ip: 0, port: 8000 + m as u16, ip_type: 4, ..Default::default() };
        h.serve_axon(&acct(m), netuid, axon).await.unwrap();
    }
    h.produce_blocks(20); // an epoch: the validator gets its permit
    (h, netuid)
}

fn validator(h: &LocalChainHandle, netuid: u16, state: Option<std::path::PathBuf>) -> Validator<SumJudge> {
    validator_with(h, netuid, state, CommitScheme::Auto)
}

fn validator_with(h: &LocalChainHandle, netuid: u16, state: Option<std::path::PathBuf>, commit_scheme: CommitScheme) -> Validator<SumJudge> {
    let miners = FakeMiners { quality: HashMap::from([(acct(20), Some(1.0)), (acct(21), Some(0.5)), (acct(22), None)]) };
    let config = ValidatorConfig {
        netuid,
        mechanism: Incentive::moving_average(0.3).power(2.0).every_blocks(20),
        version_key: 1,
        state_path: state,
        seed: 42,
        commit_scheme,
    };
    Validator::new(Arc::new(h.clone()), Arc::new(miners), Box::new(acct(VALIDATOR)), SumJudge, config).unwrap()
}

#[tokio::test]
async fn better_miners_earn_more() {
    let (h, netuid) = setup(false).await;
    let dir = std::env::temp_dir().join(format!("validator-loop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("scores.json");
    let mut v = validator(&h, netuid, Some(state.clone()));
    let mut set = 0;
    for _ in 0..8 {
        for _ in 0..4 {
            let report = v.round().await.unwrap();
            assert_eq!(report.scores.len(), 3);
            assert_eq!(report.failures, 1, "the dead miner fails every round");
            h.produce_blocks(5);
        }
        if let WeightsOutcome::Set { .. } = v.maybe_set_weights().await.unwrap() {
            set += 1;
        }
    }
    assert!(set >= 6, "weights set {set} times");
    let mg = h.metagraph(netuid).await.unwrap();
    let incentive = |uid: usize| mg.neurons[uid].incentive;
    // UIDs: 0 owner, 1 validator, 2 perfect, 3 half right, 4 dead.
    assert!(incentive(2) > incentive(3), "{} vs {}", incentive(2), incentive(3));
    assert!(incentive(3) > 0);
    assert_eq!(incentive(4), 0);
    assert!(mg.neurons[1].dividends > 0);

    // Scores survive a restart.
    let before = v.scores();
    let restored = validator(&h, netuid, Some(state));
    assert_eq!(restored.scores(), before);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn commit_reveal_subnets_get_weights_through_commit_then_reveal() {
    let (h, netuid) = setup(true).await;
    let mut v = validator_with(&h, netuid, None, CommitScheme::Hash);
    v.round().await.unwrap();
    assert!(matches!(v.maybe_set_weights().await.unwrap(), WeightsOutcome::Committed { .. }));
    // Same epoch: the reveal must wait.
    assert_eq!(v.maybe_set_weights().await.unwrap(), WeightsOutcome::NotDue);
    h.produce_blocks(20);
    let WeightsOutcome::Revealed { uids, .. } = v.maybe_set_weights().await.unwrap() else { panic!("expected a reveal") };
    assert!(uids.contains(&2));
    let mg = h.metagraph(netuid).await.unwrap();
    assert!(!mg.neurons[1].weights.is_empty(), "revealed weights are on chain");
}

/// Commit-reveal version 4 (the chain's default, as on finney): the validator encrypts
/// its weights to a drand round and the chain sets them itself in the reveal epoch, so
/// a validator that stops right after committing loses nothing.
#[tokio::test]
async fn timelocked_weights_are_revealed_by_the_chain_even_if_the_validator_stops() {
    let (h, netuid) = setup(true).await;
    let mut v = validator(&h, netuid, None);
    v.round().await.unwrap();
    let WeightsOutcome::CommittedTimelocked { uids, values, reveal_round } = v.maybe_set_weights().await.unwrap() else {
        panic!("expected a timelocked commit")
    };
    assert!(reveal_round > h.lock().drand().last_stored_round, "encrypted to a future round");
    drop(v); // the validator stops (or restarts) between commit and reveal
    let weights = |h: &LocalChainHandle| h.lock().metagraph(netuid).unwrap().neurons[1].weights.clone();
    assert!(weights(&h).is_empty(), "only ciphertext is on chain before the reveal epoch");
    h.produce_blocks(25); // into the next epoch, past the target round
    let nonzero = |row: Vec<(u16, u16)>| row.into_iter().filter(|(_, w)| *w > 0).map(|(u, _)| u).collect::<Vec<_>>();
    let on_chain = weights(&h);
    assert!(!on_chain.is_empty(), "the chain revealed the commit");
    assert_eq!(nonzero(on_chain), nonzero(uids.into_iter().zip(values).collect()));
}

/// The hash scheme needs the validator to reveal: a restart between commit and reveal
/// finds the pending reveal in the state file and still reveals.
#[tokio::test]
async fn a_hash_commit_is_revealed_after_a_restart() {
    let (h, netuid) = setup(true).await;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("validator.json");
    let mut v = validator_with(&h, netuid, Some(state.clone()), CommitScheme::Hash);
    v.round().await.unwrap();
    let WeightsOutcome::Committed { uids, .. } = v.maybe_set_weights().await.unwrap() else { panic!("expected a commit") };
    let scores = v.scores();
    drop(v);
    h.produce_blocks(20);
    let mut restarted = validator_with(&h, netuid, Some(state.clone()), CommitScheme::Hash);
    assert_eq!(restarted.scores(), scores);
    assert_eq!(restarted.pending_reveals().first().map(|p| p.uids.clone()), Some(uids.clone()));
    let WeightsOutcome::Revealed { uids: revealed, .. } = restarted.maybe_set_weights().await.unwrap() else { panic!("expected a reveal") };
    assert_eq!(revealed, uids);
    assert!(restarted.pending_reveals().is_empty());
    // The cleared reveal is saved too: another restart has nothing to reveal.
    assert!(validator_with(&h, netuid, Some(state), CommitScheme::Hash).pending_reveals().is_empty());
}

#[tokio::test]
async fn unregistered_validator_is_told_so() {
    let (h, netuid) = setup(false).await;
    let miners = FakeMiners { quality: HashMap::new() };
    let config = ValidatorConfig {
        netuid,
        mechanism: Incentive::moving_average(0.1),
        version_key: 0,
        state_path: None,
        seed: 1,
        commit_scheme: CommitScheme::Auto,
    };
    let mut v = Validator::new(Arc::new(h.clone()), Arc::new(miners), Box::new(acct(29)), SumJudge, config).unwrap();
    assert!(matches!(v.round().await, Err(subnet_core::validator::ValidatorError::NotRegistered(_))));
}

#[tokio::test]
async fn the_loop_follows_timed_blocks_until_stopped() {
    let (h, netuid) = setup(false).await;
    // Timed blocks every 5 ms on a copy of the prepared chain.
    let timed = LocalChainHandle::new(h.lock().clone(), BlockMode::Timed(Duration::from_millis(5)));
    let producer = timed.spawn_block_producer().unwrap();
    let miners = FakeMiners { quality: HashMap::from([(acct(20), Some(1.0)), (acct(21), Some(0.5)), (acct(22), None)]) };
    let config = ValidatorConfig {
        netuid,
        mechanism: Incentive::moving_average(0.3).every_blocks(10),
        version_key: 1,
        state_path: None,
        seed: 3,
        commit_scheme: CommitScheme::Auto,
    };
    let mut v = Validator::new(Arc::new(timed.clone()), Arc::new(miners), Box::new(acct(VALIDATOR)), SumJudge, config).unwrap();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut rounds = 0;
    let mut weights = 0;
    let run = v.run(5, stop_rx, |event| match event {
        subnet_core::validator::LoopEvent::Round(_) => rounds += 1,
        subnet_core::validator::LoopEvent::Weights(WeightsOutcome::Set { .. }) => weights += 1,
        _ => {}
    });
    let stopper = async {
        tokio::time::sleep(Duration::from_millis(600)).await;
        stop_tx.send(true).unwrap();
    };
    let (result, ()) = tokio::join!(run, stopper);
    producer.abort();
    result.unwrap();
    assert!(rounds >= 3, "{rounds} rounds");
    assert!(weights >= 1, "{weights} weight submissions");
    let mg = timed.metagraph(netuid).await.unwrap();
    assert!(!mg.neurons[1].weights.is_empty());
}

/// On a subnet with two mechanisms the validator submits its weights to each, by every
/// scheme: in the clear, timelocked (revealed by the chain into each mechanism), and
/// by hash (one saved reveal per mechanism, both revealed).
#[tokio::test]
async fn weights_go_to_every_mechanism_by_every_scheme() {
    let rows = |h: &LocalChainHandle, netuid: u16| {
        let chain = h.lock();
        let s = chain.subnet(netuid).unwrap();
        (0..2).map(|mecid| s.mechanism(mecid).unwrap().weights[1].clone()).collect::<Vec<_>>()
    };
    let two_mechanisms = |h: &LocalChainHandle, netuid: u16| {
        let mut chain = h.lock();
        chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::MaxAllowedUids(128)).unwrap();
        chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::MechanismCount(2)).unwrap();
    };

    // In the clear.
    let (h, netuid) = setup(false).await;
    two_mechanisms(&h, netuid);
    let mut v = validator(&h, netuid, None);
    v.round().await.unwrap();
    assert!(matches!(v.maybe_set_weights().await.unwrap(), WeightsOutcome::Set { .. }));
    let [m0, m1] = <[_; 2]>::try_from(rows(&h, netuid)).unwrap();
    assert!(!m0.is_empty() && m0 == m1, "the same weights on both mechanisms: {m0:?} / {m1:?}");

    // Timelocked: the chain reveals into both mechanisms.
    let (h, netuid) = setup(true).await;
    two_mechanisms(&h, netuid);
    let mut v = validator(&h, netuid, None);
    v.round().await.unwrap();
    assert!(matches!(v.maybe_set_weights().await.unwrap(), WeightsOutcome::CommittedTimelocked { .. }));
    assert!(rows(&h, netuid).iter().all(|r| r.is_empty()));
    h.produce_blocks(25);
    let [m0, m1] = <[_; 2]>::try_from(rows(&h, netuid)).unwrap();
    assert!(!m0.is_empty() && m0 == m1, "revealed into both mechanisms: {m0:?} / {m1:?}");

    // By hash: a pending reveal per mechanism, each revealed.
    let (h, netuid) = setup(true).await;
    two_mechanisms(&h, netuid);
    let mut v = validator_with(&h, netuid, None, CommitScheme::Hash);
    v.round().await.unwrap();
    assert!(matches!(v.maybe_set_weights().await.unwrap(), WeightsOutcome::Committed { .. }));
    assert_eq!(v.pending_reveals().iter().map(|p| p.mecid).collect::<Vec<_>>(), vec![0, 1]);
    h.produce_blocks(20);
    assert!(matches!(v.maybe_set_weights().await.unwrap(), WeightsOutcome::Revealed { .. }));
    assert!(v.pending_reveals().is_empty());
    let [m0, m1] = <[_; 2]>::try_from(rows(&h, netuid)).unwrap();
    assert!(!m0.is_empty() && m0 == m1, "revealed on both mechanisms: {m0:?} / {m1:?}");
}
