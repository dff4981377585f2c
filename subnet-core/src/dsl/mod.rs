//! The old home of the subnet contract, now in [`crate::spec`]: re-exports the paths
//! the current `#[subnet]` expansion names (`::subnet_core::dsl::X`), until the macro
//! names only `__private`. Nothing else should use it.

pub use async_trait::async_trait;
pub use serde;

pub use crate::spec::{
    collect_chunks, decode_answer, encode_answer, score_round_with, ChunkSink, Chunks, Envelope, HandleError, JudgeSpec, MinerSpec, Protocol,
    RequestContext, Rng, SubnetSpec,
};
