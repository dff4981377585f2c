//! Validator ↔ miner transport over gRPC (tonic, no protobuf):
//!
//! - [`auth`]: the signed request header and the checks a miner runs before any work;
//! - [`server`]: the miner's endpoint, with blacklist, priority, rate limit;
//! - [`client`]: the validator's concurrent, deadline-bound queries;
//! - [`access`], `gate` (private): who may call, and who is served first when saturated;
//! - [`reject`]: the typed statuses of refusals; [`codec`]: bytes on the wire.

pub mod access;
pub mod auth;
pub mod client;
pub mod codec;
mod gate;
pub mod reject;
pub mod server;

pub use access::{AccessPolicy, CallerDirectory, CallerInfo, MetagraphDirectory};
pub use client::{axon_address, axon_info, CallError, Client, Streamed};
pub use reject::{reason_of, Rejection};
pub use server::{MinerServer, RunningServer, ServerConfig, ServerStats};
