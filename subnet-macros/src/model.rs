//! The one definition of a subnet, as `#[subnet]` read it: plain data, no parsing.
//!
//! `parse` fills it, `check` guarantees its cross-item rules, `expand` generates code
//! from it. Illegal states are unrepresentable where it costs little: a miner's
//! arguments and a challenge's arguments are different enums, a score has one shape.

use syn::{Ident, ItemMod};

pub(crate) struct SubnetDef {
    pub name: String,
    pub version: u64,
    /// The module, marker attributes removed.
    pub module: ItemMod,
    pub tasks: Vec<Ident>,
    pub answers: Vec<Ident>,
    /// One per task (`check` guarantees it).
    pub miners: Vec<MinerDef>,
    pub challenges: Vec<ChallengeDef>,
    /// One per task (`check` guarantees it).
    pub scores: Vec<ScoreDef>,
    /// The `#[incentive] const`: exactly one per subnet.
    pub incentive: Ident,
    /// Who the subnet's miners serve (`#[access] const ACCESS: AccessRules = …`).
    pub access: Option<Ident>,
    /// Built once when a miner starts, lent to every miner call.
    pub miner_state: Option<StateDef>,
    /// Built once when a validator starts, lent mutably to every challenge.
    pub validator_state: Option<StateDef>,
}

/// What the author wrote, markers removed: emitted as is, its task and answer types
/// still serde-able, when the subnet has errors (so rustc and the IDE keep seeing it
/// without follow-on errors).
pub(crate) struct Authored {
    pub module: ItemMod,
    /// The `#[task]` and `#[answer]` types.
    pub serde_types: Vec<Ident>,
}

/// `#[miner_state] fn load() -> Model` / `#[validator_state] fn load() -> Dataset`.
#[derive(Clone)]
pub(crate) struct StateDef {
    pub func: Ident,
    pub ty: Ident,
}

/// What a `#[miner]` function takes, in the author's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MinerArg {
    /// The task, by value.
    Task,
    /// `&` the `#[miner_state]` type.
    State,
    /// `&RequestContext`.
    Context,
    /// `Chunks<Answer>`: where a streaming miner sends its answer's chunks.
    Chunks,
}

/// What a `#[challenge]` function takes, in the author's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChallengeArg {
    /// `&mut Rng`.
    Rng,
    /// `&mut` the `#[validator_state]` type.
    State,
}

pub(crate) struct MinerDef {
    pub func: Ident,
    pub task: Ident,
    /// The answer type, or for a streaming miner the type of each chunk.
    pub answer: Ident,
    pub args: Vec<MinerArg>,
    /// Sends its answer in chunks (takes `Chunks<Answer>`, returns `Result<()>`).
    pub streamed: bool,
}

pub(crate) struct ChallengeDef {
    pub func: Ident,
    pub task: Ident,
    pub args: Vec<ChallengeArg>,
}

pub(crate) struct ScoreDef {
    pub func: Ident,
    pub task: Ident,
    pub answer: Ident,
    pub shape: ScoreShape,
}

/// The three ways to score, one per `#[score]` signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScoreShape {
    /// `fn(&Task, &Answer [, &MinerContext]) -> f64`.
    Answer { with_context: bool },
    /// A streamed answer: `fn(&Task, &[Chunk] [, &MinerContext]) -> f64`.
    Chunks { with_context: bool },
    /// A whole round at once: `fn(&Task, &[Answered<Answer>]) -> Vec<f64>`.
    Round,
}

impl ScoreShape {
    pub(crate) fn streamed(self) -> bool {
        matches!(self, ScoreShape::Chunks { .. })
    }
}
