//! The runtime side of `#[subnet]`: the traits the generated `Subnet` implements, the
//! wire envelope of tasks and answers, and adapters that plug a subnet into the
//! validator loop and an in-process miner set.
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

mod envelope;
mod in_process;
mod stream;

pub use async_trait::async_trait;
pub use serde;

pub use envelope::{decode_answer, encode_answer, Envelope, HandleError};
pub use in_process::{FlakyMiner, InProcessMiners, MinerBehaviour, SubnetJudge};
pub use stream::{collect_chunks, join_chunks, ChunkSink, Chunks};

use serde::Serialize;

/// The random generator challenges draw from (seeded per validator and round).
pub type Rng = rand::rngs::StdRng;

/// A miner's result type: any error that displays.
pub type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

/// What every subnet declares.
pub trait SubnetSpec {
    const NAME: &'static str;
    /// The protocol version, submitted as the weights version key.
    const VERSION: u64;
    type Miner: MinerSpec + 'static;
    type Judge: JudgeSpec + 'static;
    fn mechanism() -> crate::incentive::Incentive;
    /// Who the miners serve, and how much (blacklist, rate limit, concurrency).
    fn access() -> crate::net::AccessRules;
    fn protocol() -> Protocol;
    /// A miner, its `#[miner_state]` built (once, at start-up).
    fn miner() -> Self::Miner;
    /// A validator's judge, its `#[validator_state]` built.
    fn judge() -> Self::Judge;
}

/// Who is asking, for a miner that wants to know (`&RequestContext` argument).
#[derive(Clone, Debug, PartialEq)]
pub struct RequestContext {
    /// The validator's hotkey (checked by the transport before the miner is called).
    pub caller: crate::chain::AccountId,
    /// The caller's stake on the subnet (rao).
    pub stake: u64,
    /// When the validator stops waiting.
    pub deadline: Option<std::time::Instant>,
}

/// The miner side: answer one request.
#[async_trait]
pub trait MinerSpec: Send + Sync {
    async fn handle(&self, ctx: &RequestContext, payload: &[u8]) -> std::result::Result<Vec<u8>, HandleError>;

    /// Answer in chunks, for a streaming request. By default the whole answer is one
    /// chunk; subnets with streamed tasks send each chunk as it is made.
    async fn handle_stream(&self, ctx: &RequestContext, payload: &[u8], sink: ChunkSink) -> std::result::Result<(), HandleError> {
        let answer = self.handle(ctx, payload).await?;
        sink.send(answer).await
    }
}

/// The validator side: make a challenge, score an answer.
pub trait JudgeSpec: Send {
    fn challenge(&mut self, round: u64, rng: &mut Rng) -> Vec<u8>;
    fn score(&mut self, payload: &[u8], answer: &[u8], miner: &crate::validator::MinerContext) -> f64;
    /// Whether the task's answer is streamed.
    fn streamed(&self, _payload: &[u8]) -> bool {
        false
    }
    /// All of a round's answers at once (see [`crate::validator::Judge::score_round`]).
    fn score_round(&mut self, payload: &[u8], answers: &[(&[u8], crate::validator::MinerContext)]) -> Vec<f64> {
        answers.iter().map(|(answer, miner)| self.score(payload, answer, miner)).collect()
    }
}

/// One miner's decoded answer in a round, for round-level scoring functions
/// (`fn rank(task: &MyTask, answers: &[Answered<MyAnswer>]) -> Vec<f64>`).
#[derive(Clone, Debug, PartialEq)]
pub struct Answered<A> {
    pub answer: A,
    /// Who answered, and how fast.
    pub miner: crate::validator::MinerContext,
}

/// Run a round-level scorer over raw answers: answers that do not decode score 0 and
/// are not shown to `score`; its scores are mapped back to the answers' order (a
/// missing score is 0).
pub fn score_round_with<A>(
    answers: &[(&[u8], crate::validator::MinerContext)],
    decode: impl Fn(&[u8]) -> Option<A>,
    score: impl FnOnce(&[Answered<A>]) -> Vec<f64>,
) -> Vec<f64> {
    let mut positions = Vec::with_capacity(answers.len());
    let mut decoded = Vec::with_capacity(answers.len());
    for (i, (bytes, miner)) in answers.iter().enumerate() {
        if let Some(answer) = decode(bytes) {
            positions.push(i);
            decoded.push(Answered { answer, miner: miner.clone() });
        }
    }
    let scores = score(&decoded);
    let mut out = vec![0.0; answers.len()];
    for (k, i) in positions.into_iter().enumerate() {
        out[i] = scores.get(k).copied().unwrap_or(0.0);
    }
    out
}

/// A description of a subnet's protocol that clients in other languages can use.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Protocol {
    pub name: String,
    pub version: u64,
    /// Requests are `{"task": <name>, "body": <task as JSON>}`; answers are the answer
    /// type as JSON.
    pub encoding: &'static str,
    pub tasks: Vec<TaskProtocol>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TaskProtocol {
    pub task: String,
    /// The answer type, or for a streamed task the type of each chunk.
    pub answer: String,
    /// Answered by `QueryStream`, one chunk per message (a unary `Query` gets the
    /// chunks as one JSON array).
    pub streamed: bool,
}

/// The protocol description as JSON.
pub fn protocol_json(p: &Protocol) -> String {
    serde_json::to_string(p).expect("plain data serialises")
}

impl Protocol {
    /// `tasks`: (task, answer or chunk type, streamed).
    pub fn new(name: &str, version: u64, tasks: &[(&str, &str, bool)]) -> Self {
        Self {
            name: name.to_string(),
            version,
            encoding: "json",
            tasks: tasks.iter().map(|(t, a, s)| TaskProtocol { task: t.to_string(), answer: a.to_string(), streamed: *s }).collect(),
        }
    }
}
