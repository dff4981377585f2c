//! Validator ↔ miner transport. Today: [`auth`], the signed request header and the
//! checks a miner runs before any work. The gRPC server and client that carry it are
//! still to be built (issue #4).

pub mod auth;
