//! Test kit: run a subnet end to end in-process on the local chain (validators,
//! miners of chosen [`MinerBehaviour`], epochs; [`InProcessMiners`] as the transport) and get a report per epoch; pin a subnet's
//! scoring and mechanism with a snapshot ([`ScoringTable`]).

mod cli;
pub mod economy;
mod in_process;
mod local_net;
#[cfg(feature = "localnet")]
pub mod metadata_diff;
#[cfg(feature = "localnet")]
mod multi_process;
mod report;
mod run_args;
mod scoring;

pub use crate::miner::MinerBehaviour;
pub use crate::rng::XorShift;
pub use cli::run_main;
pub use in_process::InProcessMiners;
pub use local_net::{run_local_net, EpochReport, LocalNetConfig, LocalNetError, NeuronRow, Role, Transport};
#[cfg(feature = "localnet")]
pub use multi_process::{run_multi_process, ChainTarget, MultiProcessConfig, MultiProcessError, Progress};
pub use report::{check_invariants, html};
pub use run_args::{RunArgs, RunArgsError};
pub use scoring::ScoringTable;
