//! The {{subnet_name}} subnet, proof of work: find a nonce whose hash with the challenge has enough leading
//! zero bits. Answers are checked in one hash; faster valid answers score higher.

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use subnet_core::prelude::*;

/// Leading zero bits of `blake2b-256(challenge ‖ nonce)`.
pub fn work(challenge: &[u8; 32], nonce: u64) -> u32 {
    let hash = Blake2b::<U32>::new().chain_update(challenge).chain_update(nonce.to_le_bytes()).finalize();
    let mut zeros = 0;
    for byte in hash {
        zeros += byte.leading_zeros();
        if byte != 0 {
            break;
        }
    }
    zeros
}

/// The {{subnet_name}} subnet: one task ([`Puzzle`]({{crate_name}}::Puzzle)) answered with a nonce.
#[subnet(name = "{{subnet_name}}", version = 1)]
pub mod {{crate_name}} {
    use super::*;

    /// A proof-of-work puzzle.
    #[task]
    pub struct Puzzle {
        /// Random bytes the nonce is hashed with.
        pub challenge: [u8; 32],
        /// Leading zero bits the hash must have (see [`work`]).
        pub difficulty: u32,
    }

    /// A miner's answer to a [`Puzzle`].
    #[answer]
    pub struct Solution {
        /// A nonce whose hash with the challenge has at least `difficulty` leading zero bits.
        pub nonce: u64,
    }

    #[challenge]
    fn make(rng: &mut Rng) -> Puzzle {
        Puzzle { challenge: rng.gen(), difficulty: 10 }
    }

    #[miner]
    async fn solve(task: Puzzle) -> Result<Solution> {
        let nonce = (0..u64::MAX).find(|n| work(&task.challenge, *n) >= task.difficulty).ok_or("no nonce found")?;
        Ok(Solution { nonce })
    }

    #[score]
    fn score(task: &Puzzle, answer: &Solution, miner: &MinerContext) -> f64 {
        if task.difficulty > 64 || work(&task.challenge, answer.nonce) < task.difficulty {
            return 0.0;
        }
        // Valid: 1.0 when instant, down to 0.5 at twelve seconds.
        1.0 - 0.5 * (miner.latency.as_secs_f64() / 12.0).min(1.0)
    }

    #[incentive]
    const MECHANISM: Incentive = Incentive::moving_average(0.3).power(1.5).every_blocks(20);
}
