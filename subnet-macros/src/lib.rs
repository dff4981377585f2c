//! Proc macros for declaring a subnet.
//!
//! Not implemented yet: the `#[subnet]` DSL (task, answer, miner, challenge,
//! score, incentive) is the subject of issue #5. This crate exists so the
//! workspace layout is fixed from the start; it exports nothing today.
