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
pub use commands::{run, run_miner, CliError, Connector, MinerService, SubtensorConnector};

use std::process::ExitCode;

use clap::Parser;

use crate::spec::SubnetSpec;

/// Parse the process's arguments and run the command until it ends, Ctrl-C or
/// SIGTERM (what systemd, Docker and `kill` send).
pub fn main<S: SubnetSpec>() -> ExitCode {
    main_with_args::<S>(std::env::args_os())
}

/// [`main`] with the arguments given (the first is the program name), for tools that
/// embed a subnet's command line in a binary of their own.
pub fn main_with_args<S: SubnetSpec>(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    ExitCode::from(run_process(args, |cli, stop| async move { run::<S>(cli, &SubtensorConnector, stop, &mut std::io::stdout()).await }))
}

/// The `miner` command alone, serving `service` (a handler from another language, say
/// Python's): the same flags, chain, wallet, access rules and stop signals as a subnet
/// binary's `miner`. Blocks until Ctrl-C or SIGTERM; returns the exit status (0 after a
/// clean stop, 1 on an error, 2 on bad flags), for the embedding program to exit with.
pub fn miner_main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>, service: MinerService) -> u8 {
    run_process(args, move |cli, stop| async move { run_miner(cli, service, &SubtensorConnector, stop, &mut std::io::stdout()).await })
}

/// Parse, set up logging and the runtime, run `command` until it ends or a stop signal;
/// the exit status.
fn run_process<F: std::future::Future<Output = Result<(), CliError>>>(
    args: impl IntoIterator<Item = std::ffi::OsString>,
    command: impl FnOnce(Cli, tokio::sync::watch::Receiver<bool>) -> F,
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    // Logs go to stderr; the commands' own output (tables, results) to stdout.
    init_logging(cli.common.debug);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return 1;
        }
    };
    let result = runtime.block_on(async {
        let (stop_tx, stop) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = stop_tx.send(true);
        });
        command(cli, stop).await
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Logs to stderr, coloured on a terminal only (log files stay plain). Debug level is
/// for the subnet's own events; the network stacks' frame-by-frame debug lines would
/// drown them, so those stay at info.
fn init_logging(debug: bool) {
    use std::io::IsTerminal;
    use tracing::Level;
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let level = if debug { Level::DEBUG } else { Level::INFO };
    // Levels order by verbosity (DEBUG > INFO): `min` keeps these at info at most.
    let quiet = [
        "h2",
        "hyper",
        "hyper_util",
        "tonic",
        "tower",
        "jsonrpsee",
        "jsonrpsee_core",
        "jsonrpsee_client_transport",
        "soketto",
        "subxt",
        "reconnecting_jsonrpsee_ws_client",
    ];
    let targets = quiet.iter().fold(Targets::new().with_default(level), |t, name| t.with_target(*name, level.min(Level::INFO)));
    let fmt = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .finish();
    let _ = fmt.with(targets).try_init();
}
