//! The command line of a subnet binary: `miner`, `validator`, `register`, `status`,
//! `protocol`. A subnet's `main` is one line:
//!
//! ```no_run
//! # use subnet_core::prelude::*;
//! # #[subnet(name = "sum", version = 1)]
//! # pub mod sum {
//! #     use super::*;
//! #     #[task] pub struct Add { pub a: i64, pub b: i64 }
//! #     #[answer] pub struct Total { pub value: i64 }
//! #     #[challenge] fn make(rng: &mut Rng) -> Add { Add { a: rng.gen_range(0..99), b: 1 } }
//! #     #[miner] async fn solve(task: Add) -> Result<Total> { Ok(Total { value: task.a + task.b }) }
//! #     #[score] fn score(task: &Add, answer: &Total) -> f64 { (answer.value == task.a + task.b) as u8 as f64 }
//! #     #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1);
//! # }
//! fn main() -> std::process::ExitCode {
//!     subnet_core::cli::main::<sum::Subnet>()
//! }
//! ```
//!
//! The chain is reached through a [`Connector`]. The binary's is
//! [`SubtensorConnector`]: finney, test, a local Subtensor node or the served
//! localnet (`cargo xtask localnet`), through subxt. Tests and tools may pass a
//! connector to the in-process local chain ([`run`]).

mod args;
mod commands;

pub use args::{resolve_endpoint, Cli, Command, Common, MinerArgs, ValidatorArgs};
pub use commands::{run, CliError, Connector, SubtensorConnector};

use std::process::ExitCode;

use clap::Parser;

use crate::dsl::SubnetSpec;

/// Parse the process's arguments and run the command until it ends or Ctrl-C.
pub fn main<S: SubnetSpec>() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr; the commands' own output (tables, results) to stdout.
    let level = if cli.common.debug { tracing::Level::DEBUG } else { tracing::Level::INFO };
    tracing_subscriber::fmt().with_max_level(level).with_writer(std::io::stderr).with_target(false).init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let (stop_tx, stop) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = stop_tx.send(true);
            }
        });
        run::<S>(cli, &SubtensorConnector, stop, &mut std::io::stdout()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
