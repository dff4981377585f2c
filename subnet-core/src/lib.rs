//! `subnet-core`: the runtime library of the subnet framework.
//!
//! Today it holds [`yuma`], Subtensor's Yuma Consensus epoch re-implemented bit for
//! bit. The chain, networking, keys, miner and validator modules arrive with their
//! issues (see the README's roadmap).

pub mod yuma;
