//! Round-level scoring: a `#[score]` function that sees every answer of a round and
//! scores them relative to each other (here: correct answers ranked by latency).

use std::time::Duration;

use subnet_core::chain::AccountId;
use subnet_core::prelude::*;
use subnet_core::spec::Envelope;
use subnet_core::testing::{run_local_net, LocalNetConfig, MinerBehaviour, Role};

#[subnet(name = "race", version = 1)]
pub mod race {
    use super::*;
    #[task]
    pub struct Square {
        pub x: u64,
    }
    #[answer]
    pub struct Squared {
        pub y: u64,
    }
    #[challenge]
    fn make(rng: &mut Rng) -> Square {
        Square { x: rng.gen_range(0..1000) }
    }
    #[miner]
    async fn solve(task: Square) -> Result<Squared> {
        Ok(Squared { y: task.x * task.x })
    }
    /// Wrong answers score 0; right ones 1.0 for the fastest down to 0.5 for the slowest.
    #[score]
    fn race(task: &Square, answers: &[Answered<Squared>]) -> Vec<f64> {
        let mut right: Vec<(usize, Duration)> =
            answers.iter().enumerate().filter(|(_, a)| a.answer.y == task.x * task.x).map(|(i, a)| (i, a.miner.latency)).collect();
        right.sort_by_key(|(_, latency)| *latency);
        let mut scores = vec![0.0; answers.len()];
        let n = right.len().max(2) - 1;
        for (rank, (i, _)) in right.into_iter().enumerate() {
            scores[i] = 1.0 - 0.5 * rank as f64 / n as f64;
        }
        scores
    }
    #[incentive]
    const MECHANISM: Incentive = Incentive::moving_average(0.5);
}

fn ctx(uid: u16, ms: u64) -> MinerContext {
    MinerContext::new(uid, AccountId([uid as u8; 32]), Duration::from_millis(ms))
}

#[test]
fn answers_are_scored_against_each_other() {
    let mut judge = race::Subnet::judge();
    let task = Envelope::encode("Square", &race::Square { x: 7 });
    let right = br#"{"y":49}"#.as_slice();
    let answers = [
        (right, ctx(1, 30)),
        (br#"{"y":50}"#.as_slice(), ctx(2, 1)), // fast but wrong
        (right, ctx(3, 10)),
        (b"{broken".as_slice(), ctx(4, 5)), // does not decode: 0, and not shown to the scorer
        (right, ctx(5, 20)),
    ];
    assert_eq!(judge.score_round(&task, &answers), vec![0.5, 0.0, 1.0, 0.0, 0.75]);
    // Scored alone, an answer is a round of one.
    assert_eq!(judge.score(&task, right, &ctx(1, 30)), 1.0);
    assert_eq!(judge.score(&task, b"{broken", &ctx(1, 30)), 0.0);
    // A task that does not decode scores everyone 0.
    assert_eq!(judge.score_round(b"not json", &answers), vec![0.0; 5]);
}

#[tokio::test]
async fn a_validator_uses_the_round_scorer_end_to_end() {
    let config = LocalNetConfig {
        epochs: 4,
        miners: vec![MinerBehaviour::Honest, MinerBehaviour::Flaky(60), MinerBehaviour::Dead],
        ..LocalNetConfig::default()
    };
    let reports = run_local_net::<race::Subnet>(&config, |_| {}).await.unwrap();
    let last = reports.last().unwrap();
    let score = |kind| last.neurons.iter().find(|n| n.role == Role::Miner(kind)).unwrap().score;
    assert!(score(MinerBehaviour::Honest) > 0.5, "right answers score at least 0.5");
    assert!(score(MinerBehaviour::Honest) > score(MinerBehaviour::Flaky(60)));
    assert_eq!(score(MinerBehaviour::Dead), 0.0);
}
