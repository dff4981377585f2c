//! Hello-world subnet: validators ask for `a + b`, miners answer, right answers score 1.

use subnet_core::prelude::*;

/// The sum subnet: one task ([`Add`](sum::Add)), exact answers score 1, anything else 0.
#[subnet(name = "sum", version = 1)]
pub mod sum {
    use super::*;

    /// Add two numbers.
    #[task]
    pub struct Add {
        /// The first addend.
        pub a: i64,
        /// The second addend.
        pub b: i64,
    }

    /// A miner's answer to [`Add`].
    #[answer]
    pub struct Total {
        /// The sum `a + b`.
        pub value: i64,
    }

    #[challenge]
    fn make(rng: &mut Rng) -> Add {
        Add { a: rng.gen_range(-1000..1000), b: rng.gen_range(-1000..1000) }
    }

    #[miner]
    async fn solve(task: Add) -> Result<Total> {
        Ok(Total { value: task.a + task.b })
    }

    #[score]
    fn score(task: &Add, answer: &Total) -> f64 {
        (answer.value == task.a + task.b) as u8 as f64
    }

    #[incentive]
    const MECHANISM: Incentive = Incentive::moving_average(0.2).power(2.0).every_blocks(20);
}
