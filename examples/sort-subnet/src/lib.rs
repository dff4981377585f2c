//! Sorting subnet: miners sort lists, partial credit for partly sorted answers.

use subnet_core::prelude::*;

/// Share of adjacent pairs in order in `answer`, or 0 when it is not a permutation
/// of `question`.
pub fn sortedness(question: &[i32], answer: &[i32]) -> f64 {
    let (mut q, mut a) = (question.to_vec(), answer.to_vec());
    q.sort_unstable();
    a.sort_unstable();
    if q != a {
        return 0.0;
    }
    if answer.len() < 2 {
        return 1.0;
    }
    let ordered = answer.windows(2).filter(|w| w[0] <= w[1]).count();
    ordered as f64 / (answer.len() - 1) as f64
}

/// The sort subnet: one task ([`Unsorted`](sort::Unsorted)), scored by [`sortedness`].
#[subnet(name = "sort", version = 1)]
pub mod sort {
    use super::*;

    /// The validator's dataset: list sizes it cycles through.
    pub struct Dataset {
        /// Length of the last list drawn; each challenge doubles it, from 64 back to 4.
        pub next_len: usize,
    }

    /// A list to sort.
    #[task]
    pub struct Unsorted {
        /// The numbers, in random order.
        pub items: Vec<i32>,
    }

    /// A miner's answer to [`Unsorted`].
    #[answer]
    pub struct Sorted {
        /// The same numbers, ascending.
        pub items: Vec<i32>,
    }

    #[validator_state]
    fn dataset() -> Dataset {
        Dataset { next_len: 4 }
    }

    #[challenge]
    fn draw(data: &mut Dataset, rng: &mut Rng) -> Unsorted {
        data.next_len = if data.next_len >= 64 { 4 } else { data.next_len * 2 };
        Unsorted { items: (0..data.next_len).map(|_| rng.gen_range(-1000..1000)).collect() }
    }

    #[miner]
    async fn sort_items(task: Unsorted) -> Result<Sorted> {
        let mut items = task.items;
        items.sort_unstable();
        Ok(Sorted { items })
    }

    #[score]
    fn score(task: &Unsorted, answer: &Sorted) -> f64 {
        sortedness(&task.items, &answer.items)
    }

    #[incentive]
    const MECHANISM: Incentive = Incentive::moving_average(0.3).rank().every_blocks(20);
}
