//! The subnet contract: what a subnet is ([`SubnetSpec`], [`MinerSpec`], [`JudgeSpec`]),
//! what its sides see ([`RequestContext`], [`MinerContext`], [`Answered`]), the
//! declared [`AccessRules`], the wire [`Envelope`], streamed answers ([`Chunks`]), the
//! [`Protocol`] description, and how a validator reaches miners ([`Querier`]).
//!
//! The bottom of the crate: `spec` names only the chain's value types
//! (`AccountId`, `AxonInfo`, `RAO_PER_TAO`) and the [`Incentive`](crate::incentive::Incentive) a
//! subnet declares; `net`, `validator`, `miner`, `testing` and `cli` build on it.
//!
//! A subnet in full (the `sum` example, tested end to end in `examples/sum-subnet`):
//!
//! ```
//! use subnet_core::prelude::*;
//!
//! #[subnet(name = "sum", version = 1)]
//! pub mod sum {
//!     use super::*;
//!     #[task] pub struct Add { pub a: i64, pub b: i64 }
//!     #[answer] pub struct Total { pub value: i64 }
//!     #[challenge] fn make(rng: &mut Rng) -> Add { Add { a: rng.gen_range(0..99), b: 1 } }
//!     #[miner] async fn solve(task: Add) -> Result<Total> { Ok(Total { value: task.a + task.b }) }
//!     #[score] fn score(task: &Add, answer: &Total) -> f64 { (answer.value == task.a + task.b) as u8 as f64 }
//!     #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1).power(2.0);
//! }
//!
//! fn main() {
//!     assert_eq!(<sum::Subnet as SubnetSpec>::NAME, "sum");
//! }
//! ```

//!
//! A streamed answer and a round-level score (tokens streamed as they are made; the
//! round's answers ranked against each other):
//!
//! ```
//! use subnet_core::prelude::*;
//!
//! #[subnet(name = "words", version = 1)]
//! pub mod words {
//!     use super::*;
//!     #[task] pub struct Prompt { pub n: u32 }
//!     #[answer] pub struct Word { pub text: String }
//!     #[challenge] fn make(rng: &mut Rng) -> Prompt { Prompt { n: rng.gen_range(1..5) } }
//!     #[miner] async fn speak(task: Prompt, out: Chunks<Word>) -> Result<()> {
//!         for i in 0..task.n {
//!             out.send(Word { text: format!("w{i}") }).await?;
//!         }
//!         Ok(())
//!     }
//!     #[score] fn score(task: &Prompt, words: &[Word]) -> f64 { (words.len() == task.n as usize) as u8 as f64 }
//!     #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1);
//! }
//!
//! #[subnet(name = "race", version = 1)]
//! pub mod race {
//!     use super::*;
//!     #[task] pub struct Square { pub x: u64 }
//!     #[answer] pub struct Squared { pub y: u64 }
//!     #[challenge] fn make(rng: &mut Rng) -> Square { Square { x: rng.gen_range(0..100) } }
//!     #[miner] async fn solve(task: Square) -> Result<Squared> { Ok(Squared { y: task.x * task.x }) }
//!     /// Right answers share the round's credit equally.
//!     #[score] fn share(task: &Square, answers: &[Answered<Squared>]) -> Vec<f64> {
//!         let right = answers.iter().filter(|a| a.answer.y == task.x * task.x).count().max(1);
//!         answers.iter().map(|a| if a.answer.y == task.x * task.x { 1.0 / right as f64 } else { 0.0 }).collect()
//!     }
//!     #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1);
//! }
//!
//! fn main() {
//!     assert!(<words::Subnet as SubnetSpec>::protocol().tasks[0].streamed);
//! }
//! ```

mod access;
mod context;
mod envelope;
mod error;
mod judge;
mod miner;
mod protocol;
mod query;
mod stream;
mod subnet;

pub use access::AccessRules;
pub use context::{Answered, MinerContext, RequestContext};
pub use envelope::{decode_answer, encode_answer, Envelope};
pub use error::HandleError;
pub use judge::{score_round_with, JudgeSpec, Rng};
pub use miner::{MinerSpec, Result};
pub use protocol::{fingerprint_of_json, protocol_json, DeclaredFields, FieldProtocol, Protocol, TaskProtocol, TypeProtocol};
pub use query::{gather_in_order, Querier, QueryError, Response, Target};
pub use stream::{collect_chunks, join_chunks, ChunkSink, Chunks};
pub use subnet::SubnetSpec;
