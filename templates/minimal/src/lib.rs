//! {{subnet_name}}: validators send a number, miners answer its square.

use subnet_core::prelude::*;

#[subnet(name = "{{subnet_name}}", version = 1)]
pub mod {{crate_name}} {
    use super::*;

    #[task]
    pub struct Square {
        pub x: i64,
    }

    #[answer]
    pub struct Answer {
        pub y: i64,
    }

    #[challenge]
    fn make(rng: &mut Rng) -> Square {
        Square { x: rng.gen_range(-10_000..10_000) }
    }

    #[miner]
    async fn solve(task: Square) -> Result<Answer> {
        Ok(Answer { y: task.x * task.x })
    }

    #[score]
    fn score(task: &Square, answer: &Answer) -> f64 {
        (answer.y == task.x * task.x) as u8 as f64
    }

    #[incentive]
    const MECHANISM: Incentive = Incentive::moving_average(0.2).power(2.0).every_blocks(20);
}
