//! Miner state, validator state and the request context reach the author's functions.

use subnet_core::prelude::*;
use subnet_core::spec::{JudgeSpec, MinerContext, MinerSpec, RequestContext, Rng, SubnetSpec};

#[subnet(name = "lookup", version = 3)]
pub mod lookup {
    use super::*;

    pub struct Model {
        pub table: Vec<u64>,
    }
    pub struct Dataset {
        pub asked: u64,
    }

    #[task]
    pub struct Query {
        pub key: u64,
    }
    #[answer]
    pub struct Value {
        pub value: u64,
        pub caller_stake: u64,
    }

    #[miner_state]
    fn load_model() -> Model {
        Model { table: vec![10, 20, 30] }
    }
    #[validator_state]
    fn load_dataset() -> Dataset {
        Dataset { asked: 0 }
    }
    #[challenge]
    fn make(data: &mut Dataset, _rng: &mut Rng) -> Query {
        data.asked += 1;
        Query { key: data.asked % 3 }
    }
    #[miner]
    async fn look_up(ctx: &RequestContext, model: &Model, task: Query) -> Result<Value> {
        let value = *model.table.get(task.key as usize).ok_or("no such key")?;
        Ok(Value { value, caller_stake: ctx.stake })
    }
    #[score]
    fn score(task: &Query, answer: &Value, miner: &MinerContext) -> f64 {
        let right = answer.value == (task.key + 1) * 10;
        if right && miner.uid != 0 {
            1.0
        } else {
            0.0
        }
    }
    #[incentive]
    const MECHANISM: Incentive = Incentive::moving_average(0.5).top_k(8);
}

#[tokio::test]
async fn state_and_context_are_lent_to_the_author() {
    use rand::SeedableRng;
    let miner = lookup::Subnet::miner();
    let mut judge = lookup::Subnet::judge();
    let mut rng = Rng::seed_from_u64(1);
    let ctx = RequestContext { caller: Default::default(), stake: 77, deadline: None };
    let miner_ctx = MinerContext::new(3, Default::default(), std::time::Duration::ZERO);
    for round in 0..3 {
        let task = judge.challenge(round, &mut rng);
        let answer = miner.handle(&ctx, &task).await.unwrap();
        assert!(String::from_utf8_lossy(&answer).contains("\"caller_stake\":77"));
        assert_eq!(judge.score(&task, &answer, &miner_ctx), 1.0, "round {round}");
        // UID 0 scores nothing, by the author's rule.
        assert_eq!(judge.score(&task, &answer, &MinerContext { uid: 0, ..miner_ctx.clone() }), 0.0);
    }
    // The validator state advanced: the fourth challenge asks key 4 % 3 = 1.
    let fourth = judge.challenge(3, &mut rng);
    assert_eq!(String::from_utf8_lossy(&fourth), r#"{"task":"Query","body":{"key":1}}"#);
    // A miner error reaches the validator as a refusal, not a panic.
    let bad = miner.handle(&ctx, br#"{"task":"Query","body":{"key":9}}"#).await;
    assert!(matches!(bad, Err(subnet_core::spec::HandleError::Miner(m)) if m.contains("no such key")));
    assert_eq!(<lookup::Subnet as SubnetSpec>::VERSION, 3);
}

#[subnet(name = "arith", version = 2)]
pub mod arith {
    use super::*;

    #[task]
    pub struct Add {
        pub a: i32,
        pub b: i32,
    }
    #[task]
    pub enum Op {
        Neg(i32),
        Double(i32),
    }
    #[answer]
    pub struct Number {
        pub n: i64,
    }

    #[challenge]
    fn add(rng: &mut Rng) -> Add {
        Add { a: rng.gen_range(0..10), b: 5 }
    }
    #[challenge]
    fn op(_rng: &mut Rng) -> Op {
        Op::Double(21)
    }
    #[miner]
    async fn do_add(task: Add) -> Result<Number> {
        Ok(Number { n: (task.a + task.b) as i64 })
    }
    #[miner]
    async fn do_op(task: Op) -> Result<Number> {
        Ok(Number {
            n: match task {
                Op::Neg(x) => -(x as i64),
                Op::Double(x) => 2 * x as i64,
            },
        })
    }
    #[score]
    fn score_add(task: &Add, answer: &Number) -> f64 {
        (answer.n == (task.a + task.b) as i64) as u8 as f64
    }
    #[score]
    fn score_op(_task: &Op, answer: &Number) -> f64 {
        (answer.n == 42) as u8 as f64
    }
    #[incentive]
    const MECHANISM: Incentive = Incentive::moving_average(0.1).winner_takes_all().burn(0, 0.1);
}

#[tokio::test]
async fn several_tasks_take_turns_and_are_routed_to_their_miner() {
    use rand::SeedableRng;
    let miner = arith::Subnet::miner();
    let mut judge = arith::Subnet::judge();
    let mut rng = Rng::seed_from_u64(9);
    let ctx = RequestContext { caller: Default::default(), stake: 0, deadline: None };
    let who = MinerContext::new(1, Default::default(), std::time::Duration::ZERO);
    let mut kinds = Vec::new();
    for round in 0..4 {
        let task = judge.challenge(round, &mut rng);
        kinds.push(String::from_utf8_lossy(&task).split('"').nth(3).unwrap_or_default().to_string());
        let answer = miner.handle(&ctx, &task).await.unwrap();
        assert_eq!(judge.score(&task, &answer, &who), 1.0);
    }
    assert_eq!(kinds, ["Add", "Op", "Add", "Op"]);
    // An answer to the wrong question scores 0; garbage too.
    let add = judge.challenge(0, &mut rng);
    assert_eq!(judge.score(&add, br#"{"n":42}"#, &who), 0.0);
    assert_eq!(judge.score(&add, b"garbage", &who), 0.0);
    assert_eq!(judge.score(b"garbage", br#"{"n":1}"#, &who), 0.0);
    let p = arith::Subnet::protocol();
    assert_eq!(p.tasks.len(), 2);
}
