//! The chain a subnet lives on.
//!
//! - [`Chain`]: the async trait neurons and tools use, whatever the backend.
//! - [`local`]: the embedded local chain (Subtensor's subnet logic, deterministic),
//!   and [`LocalChainHandle`], its `Chain` implementation with block modes.
//! - [`set_weights`]: the chain's weight rules, usable by validators before submitting.
//! - [`ChainError`]: errors with the chain's names.
//! - [`subtensor`]: the `Chain` trait over a Subtensor node (finney, test, a local
//!   node, or the served local chain) through subxt's dynamic API.
//! - `node` (feature `localnet`): the local chain served as a Substrate JSON-RPC node,
//!   so the same subxt client runs against it and against the real network.

mod api;
mod error;
pub mod local;
#[cfg(feature = "localnet")]
pub mod node;
pub mod set_weights;
pub mod subtensor;
pub mod types;

pub use api::Chain;
pub use error::ChainError;
pub use local::{BlockMode, LocalChain, LocalChainConfig, LocalChainHandle};
pub use types::*;
