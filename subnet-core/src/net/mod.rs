//! Validator ↔ miner transport over gRPC (tonic, no protobuf) on TLS 1.3:
//!
//! - [`tls`]: the handshake that proves both hotkeys once per connection;
//! - [`auth`]: the per-request signed header, for callers that cannot hold a session;
//! - [`server`]: the miner's endpoint, with blacklist, priority, rate limit;
//! - [`client`]: the validator's concurrent, deadline-bound queries;
//! - [`access`], `gate` (private): who may call, and who is served first when saturated;
//! - [`reject`]: the typed statuses of refusals; [`codec`]: bytes on the wire.

pub mod access;
pub mod auth;
pub mod client;
pub mod codec;
mod connection;
mod framing;
mod gate;
mod link;
mod listener;
pub mod reject;
pub mod server;
pub mod tls;

pub use access::{AccessPolicy, CallerDirectory, CallerInfo, MetagraphDirectory};
pub use client::{axon_address, axon_info, CallError, CallerProof, Client, ClientOptions, Streamed, Transport};
pub use reject::{reason_of, Rejection};
pub use server::{MinerServer, RunningServer, ServerConfig, ServerStats};
pub use tls::TlsIdentity;
