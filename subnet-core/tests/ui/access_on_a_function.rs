use subnet_core::prelude::*;

#[subnet(name = "s", version = 1)]
mod s {
    use super::*;
    #[task] pub struct Add { pub a: i64 }
    #[answer] pub struct Total { pub value: i64 }
    #[challenge] fn make(_rng: &mut Rng) -> Add { Add { a: 1 } }
    #[miner] async fn solve(task: Add) -> Result<Total> { Ok(Total { value: task.a }) }
    #[score] fn score(_t: &Add, _a: &Total) -> f64 { 1.0 }
    #[incentive] const M: Incentive = Incentive::moving_average(0.1);
    #[access] fn rules() -> AccessRules { AccessRules::validators_only() }
}

fn main() {}
