//! {{subnet_name}}: validators send a short text, miners answer how many times each
//! word occurs in it. The subnet (tasks, answers, challenge, score, incentive) is Rust;
//! the miners that operators run are Python (`python/miner.py`), where models live.
//! The `#[miner]` here is the reference answer: the validator's tests and in-process
//! runs use it, and it documents what a Python miner must return.

use std::collections::BTreeMap;

use subnet_core::prelude::*;

/// The words challenges are made of.
const WORDS: [&str; 8] = ["tao", "alpha", "stake", "miner", "validator", "weight", "epoch", "subnet"];

#[subnet(name = "{{subnet_name}}", version = 1)]
pub mod {{crate_name}} {
    use super::*;

    /// A text to count the words of.
    #[task]
    pub struct Count {
        pub text: String,
    }

    /// Each word of the text and how often it occurs.
    #[answer]
    pub struct Counts {
        pub counts: BTreeMap<String, u32>,
    }

    #[challenge]
    fn make(rng: &mut Rng) -> Count {
        let n = rng.gen_range(3..12);
        let words: Vec<&str> = (0..n).map(|_| WORDS[rng.gen_range(0..WORDS.len())]).collect();
        Count { text: words.join(" ") }
    }

    #[miner]
    async fn solve(task: Count) -> Result<Counts> {
        Ok(count(&task.text))
    }

    /// The share of words counted right: a miner that gets some wrong earns less.
    #[score]
    fn score(task: &Count, answer: &Counts) -> f64 {
        let truth = count(&task.text).counts;
        let right = truth.iter().filter(|(w, n)| answer.counts.get(*w) == Some(n)).count();
        let extra = answer.counts.keys().filter(|w| !truth.contains_key(*w)).count();
        right.saturating_sub(extra) as f64 / truth.len().max(1) as f64
    }

    #[incentive]
    const MECHANISM: Incentive = Incentive::moving_average(0.2).power(2.0).every_blocks(20);

    /// The reference count.
    pub fn count(text: &str) -> Counts {
        let mut counts = BTreeMap::new();
        for word in text.split_whitespace() {
            *counts.entry(word.to_string()).or_insert(0) += 1;
        }
        Counts { counts }
    }
}
