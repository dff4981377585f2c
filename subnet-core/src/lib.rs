//! `subnet-core`: the runtime library of the subnet framework.
//!
//! - [`yuma`]: Subtensor's Yuma Consensus epoch, re-implemented bit for bit.
//! - [`chain`]: the chain's error names and `set_weights` rules (the `Chain` trait and
//!   the local chain come next).
//!
//! Networking, keys, miner and validator modules arrive with their issues (see the
//! README's roadmap).

pub mod chain;
pub mod cli;
pub mod dsl;
pub mod incentive;
pub mod keys;
pub mod metrics;
pub mod miner;
pub mod net;
pub mod testing;
pub mod validator;
pub mod yuma;

pub use subnet_macros::subnet;

/// What the code `#[subnet]` generates names, and nothing else: one path the macro
/// depends on, so modules can move without touching the generated code.
#[doc(hidden)]
pub mod __private {
    pub use crate::dsl::{
        collect_chunks, decode_answer, encode_answer, score_round_with, ChunkSink, Chunks, Envelope, HandleError, JudgeSpec, MinerSpec, Protocol,
        RequestContext, Rng, SubnetSpec,
    };
    pub use crate::incentive::Incentive;
    pub use crate::net::AccessRules;
    pub use crate::validator::MinerContext;
    pub use async_trait::async_trait;
    pub use serde;
}

/// What a subnet author's crate imports: `use subnet_core::prelude::*;`.
pub mod prelude {
    pub use crate::dsl::{Answered, Chunks, JudgeSpec, MinerSpec, RequestContext, Result, Rng, SubnetSpec};
    pub use crate::incentive::Incentive;
    pub use crate::net::AccessRules;
    pub use crate::subnet;
    pub use crate::validator::MinerContext;
    pub use rand::Rng as _;
}
