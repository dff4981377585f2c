//! The chain a subnet lives on.
//!
//! Today: the chain's error names ([`ChainError`]) and the `set_weights` rules
//! ([`set_weights`]), exactly as Subtensor checks and stores weights. The `Chain`
//! trait, the embedded local chain and the Subtensor client are issue #3 / #6.

mod error;
pub mod set_weights;

pub use error::ChainError;
