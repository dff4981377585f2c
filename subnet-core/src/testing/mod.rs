//! Test kit: run a subnet end to end in-process on the local chain (validators,
//! miners of chosen behaviour, epochs) and get a report per epoch; pin a subnet's
//! scoring and mechanism with a snapshot ([`ScoringTable`]).

mod cli;
mod local_net;
#[cfg(feature = "localnet")]
mod multi_process;
mod report;
mod rng;
mod run_args;
mod scoring;

pub use cli::run_main;
pub use local_net::{run_local_net, EpochReport, LocalNetConfig, LocalNetError, MinerKind, NeuronRow, Role, Transport};
#[cfg(feature = "localnet")]
pub use multi_process::{run_multi_process, ChainTarget, MultiProcessConfig, MultiProcessError, Progress};
pub use report::{check_invariants, html};
pub use rng::XorShift;
pub use run_args::{RunArgs, RunArgsError};
pub use scoring::ScoringTable;
