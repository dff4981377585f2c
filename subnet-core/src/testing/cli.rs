//! `main` of the runner that `cargo xtask test <subnet>` builds for a subnet crate:
//! run it on a local chain (in-process, or one OS process per neuron), print a table
//! per epoch, check invariants, write the HTML report. Exit status 1 when an
//! invariant breaks. `runner neuron <command line>` is the subnet's own command line
//! (`miner`, `validator`, …), which the multi-process mode starts once per neuron.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;

use super::run_args::RunArgs;
use super::{check_invariants, html, run_local_net, EpochReport, LocalNetConfig, Transport};
use crate::spec::SubnetSpec;

/// How the neurons of a run are hosted.
#[derive(Clone, Debug, PartialEq)]
enum Hosting {
    /// All in this process, on the embedded chain.
    InProcess,
    /// One OS process per neuron, on the served localnet (`chain: None`) or the node
    /// at a `ws://` URL.
    MultiProcess { chain: Option<String>, block_time: Duration, work_dir: PathBuf },
}

/// A parsed command line.
#[derive(Clone, Debug)]
struct Plan {
    run: RunArgs,
    config: LocalNetConfig,
    hosting: Hosting,
    report: Option<String>,
}

/// The runner's command line: the run's flags, and where its outputs go.
#[derive(Parser, Debug)]
#[command(about = "Run a subnet end to end on a local chain")]
struct RunnerArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Write the HTML report here.
    #[arg(long)]
    report: Option<String>,
    /// Wallets, validator state and logs of a multi-process run (default: a
    /// temporary directory).
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

/// Arguments: [`RunArgs`]' flags, `--report FILE`, `--work-dir DIR`; or
/// `neuron <subnet command line>`.
pub fn run_main<S: SubnetSpec>() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "neuron") {
        let program = args[0].clone();
        return crate::cli::main_with_args::<S>(std::iter::once(program).chain(args.into_iter().skip(2)));
    }
    let args = match RunnerArgs::try_parse_from(args) {
        Ok(args) => args,
        Err(e) => {
            // --help and --version are not failures.
            let _ = e.print();
            return if e.use_stderr() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
        }
    };
    let outcome = parse(args).and_then(|plan| {
        execute(&plan, S::NAME, |plan, sink| match &plan.hosting {
            Hosting::InProcess => {
                // Miners verify and answer on one core while validators sign and
                // score on the other (a full-size run is thousands of signed
                // requests per epoch).
                let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
                runtime.block_on(run_local_net::<S>(&plan.config, |r| (sink.epoch)(r))).map_err(|e| e.to_string())
            }
            Hosting::MultiProcess { work_dir, .. } => multi_process::<S>(&plan.run, work_dir, sink),
        })
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One OS process per neuron; needs the served localnet (feature `localnet`), which
/// the runners `cargo xtask test` builds always enable. Without it `S` goes unused.
#[cfg_attr(not(feature = "localnet"), allow(clippy::extra_unused_type_parameters))]
fn multi_process<S: SubnetSpec>(run: &RunArgs, work_dir: &std::path::Path, sink: Sink<'_>) -> Result<Vec<EpochReport>, String> {
    #[cfg(not(feature = "localnet"))]
    {
        let _ = (run, work_dir, sink);
        Err("multi-process runs need subnet-core's `localnet` feature".into())
    }
    #[cfg(feature = "localnet")]
    {
        use super::{run_multi_process, Progress};
        let exe = std::env::current_exe().map_err(|e| format!("locating this runner: {e}"))?;
        let mp = run.multi_process_config(vec![exe.into(), "neuron".into()], work_dir.to_path_buf());
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
        let run = runtime.block_on(run_multi_process::<S>(&mp, |p| match p {
            Progress::Note(note) => (sink.note)(note),
            Progress::Epoch(r) => (sink.epoch)(r),
        }));
        (sink.note)(&format!("neuron logs: {}", work_dir.join("logs").display()));
        run.map_err(|e| e.to_string())
    }
}

fn parse(args: RunnerArgs) -> Result<Plan, String> {
    let RunnerArgs { run, report, work_dir } = args;
    run.check().map_err(|e| e.to_string())?;
    let hosting = if run.is_multi_process() {
        let work_dir = work_dir.unwrap_or_else(|| std::env::temp_dir().join(format!("subnet-run-{}", std::process::id())));
        Hosting::MultiProcess { chain: run.remote_chain(), block_time: Duration::from_millis(run.block_time_ms), work_dir }
    } else {
        Hosting::InProcess
    };
    Ok(Plan { config: run.local_net_config(), run, hosting, report })
}

/// What a run reports as it goes: each epoch, and notes (set-up steps).
struct Sink<'a> {
    epoch: &'a mut dyn FnMut(&EpochReport),
    #[cfg_attr(not(feature = "localnet"), allow(dead_code))]
    note: &'a mut dyn FnMut(&str),
}

fn execute(plan: &Plan, name: &str, runner: impl FnOnce(&Plan, Sink<'_>) -> Result<Vec<EpochReport>, String>) -> Result<(), String> {
    let (config, report) = (&plan.config, &plan.report);
    let miners = config.miners.len();
    let hosting = match (&plan.hosting, config.transport) {
        (Hosting::InProcess, Transport::Grpc) => "on an in-process local chain, miners served over gRPC with TLS on loopback".to_string(),
        (Hosting::InProcess, Transport::InProcess) => "on an in-process local chain, miners called in-process".to_string(),
        (Hosting::MultiProcess { chain: None, block_time, .. }, _) => {
            format!("one process per neuron, on the served localnet ({} ms blocks) through subxt", block_time.as_millis())
        }
        (Hosting::MultiProcess { chain: Some(url), .. }, _) => format!("one process per neuron, on the chain at {url}"),
    };
    println!("{name}: {} validators, {miners} miners, {} epochs of {} blocks {hosting}\n", config.validators, config.epochs, config.tempo);
    let start = Instant::now();
    let total = config.epochs;
    // On a terminal: a bar under the tables, ticking while an epoch runs.
    let bar = indicatif::ProgressBar::new(total as u64).with_style(
        indicatif::ProgressStyle::with_template("{spinner} epoch {pos}/{len} [{bar:30}] {elapsed} (eta {eta})")
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    let run = runner(
        plan,
        Sink {
            epoch: &mut |r| {
                bar.suspend(|| println!("[{}/{}] {}", r.epoch, total, r.table()));
                bar.inc(1);
            },
            note: &mut |n| bar.suspend(|| println!("{n}")),
        },
    );
    bar.finish_and_clear();
    let reports = run?;
    let elapsed = start.elapsed();
    if let Some(path) = &report {
        std::fs::write(path, html(&format!("{name}: end-to-end run"), &reports)).map_err(|e| format!("writing {path}: {e}"))?;
        println!("report: {path}");
    }
    let problems = check_invariants(&reports);
    if !problems.is_empty() {
        return Err(format!("the run broke invariants: {}", problems.join("; ")));
    }
    println!("ok: {} epochs in {:.2} s, invariants hold", reports.len(), elapsed.as_secs_f64());
    Ok(())
}
