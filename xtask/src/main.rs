//! `cargo xtask …`: the project's command line for humans and CI.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use subnet_core::testing::RunArgs;
use subnet_core::yuma::scenario::{self, Scenario};

mod bench;
mod cargo;
mod e2e;
mod interop;
mod interop_drand;
mod localnet;
mod metadata_diff;
mod new;
mod python;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Subnet framework tooling")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum TemplateCmd {
    /// Render the template into a temporary crate, build it, run its tests and a short
    /// end-to-end run.
    Check { dir: PathBuf },
    /// Pack a template into a versioned archive (with a manifest) that
    /// `new --template <archive>` accepts.
    Pack {
        dir: PathBuf,
        /// The template's version, written in the archive name and manifest.
        #[arg(long, default_value = "0.1.0")]
        version: String,
        /// Where to write the archive (default: target/templates/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum InteropCmd {
    /// Bittensor's Python tools (bittensor 11.3.0, bittensor 10.5.0, bittensor-cli
    /// 9.23.2), each installed in a scratch venv under target/interop/venvs, run their
    /// workflow against a fresh served localnet (250 ms blocks), and bittensor-drand
    /// 2.0.0 cross-checks our timelock commits: one PASS/FAIL line per step, then
    /// `N passed, M failed`.
    Python {
        /// Run one tool only.
        #[arg(long, value_enum)]
        only: Option<interop::Tool>,
        /// Where the venvs live (one per tool; reused while its requirements file is unchanged).
        #[arg(long)]
        venvs: Option<PathBuf>,
        /// The Python (3.10 or later) that creates the venvs.
        #[arg(long, env = "INTEROP_PYTHON", default_value = "python3")]
        python: String,
        /// How long one tool's workflow may take, in seconds.
        #[arg(long, default_value_t = 900)]
        timeout: u64,
    },
}

#[derive(Subcommand)]
enum Cmd {
    /// Check the served localnet against other clients.
    #[command(subcommand)]
    Interop(InteropCmd),
    /// Work on templates.
    #[command(subcommand)]
    Template(TemplateCmd),
    /// Build a subnet crate and run it end to end on an in-process local chain, its
    /// miners served over the gRPC transport (TLS) on loopback: a table per epoch,
    /// invariant checks, an HTML report.
    Test {
        /// The subnet crate (e.g. examples/sum-subnet).
        path: PathBuf,
        #[command(flatten)]
        run: RunArgs,
        /// Where to write the HTML report (default: target/subnet-reports/<crate>.html).
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Write the subnet's protocol as a typed Python module (a dataclass per task and
    /// answer, the protocol's fingerprint) for miners written with the `subnet_core`
    /// Python package.
    Python {
        /// The subnet crate (e.g. examples/sum-subnet).
        path: PathBuf,
        /// Where to write it (default: <crate>/python/subnet_protocol.py).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Build the `subnet_core` Python wheel (maturin, pinned, in a scratch venv; the
    /// workspace's target/ and dev profile), or reuse it if its sources are unchanged.
    PythonWheel {
        /// The Python that creates the build venv.
        #[arg(long, env = "SUBNET_PYTHON", default_value = "python3")]
        python: String,
    },
    /// Run the `subnet_core` Python package's tests (the wheel in a scratch venv, a
    /// served localnet).
    PythonTest {
        /// The Python (3.9 or later) that creates the venvs.
        #[arg(long, env = "SUBNET_PYTHON", default_value = "python3")]
        python: String,
    },
    /// Create a new subnet crate from a template in `templates/`.
    New {
        /// Where to create it (must not exist yet).
        path: Option<PathBuf>,
        /// Template name (see --list).
        #[arg(long, default_value = "minimal")]
        template: String,
        /// The subnet's on-chain name (default: the directory name).
        #[arg(long)]
        name: Option<String>,
        /// List the templates and exit.
        #[arg(long)]
        list: bool,
    },
    /// Run the sum example subnet end to end on an in-process local chain: one
    /// validator and an honest, two flaky and a dead miner, served over the TLS
    /// gRPC transport on loopback, epoch by epoch.
    Demo {
        #[arg(long, default_value_t = 6)]
        epochs: usize,
        #[arg(long, default_value_t = 20)]
        tempo: u16,
    },
    /// Serve the local chain as a Substrate node (JSON-RPC over WebSocket/HTTP) that
    /// subxt-based clients, including the subnet binaries, talk to.
    Localnet {
        #[arg(long, default_value = "127.0.0.1:9944")]
        addr: std::net::SocketAddr,
        /// `instant` (a block per extrinsic), `manual` (dev_newBlock), or a block time
        /// in milliseconds (250 like Subtensor's fast-blocks localnet, 12000 like mainnet).
        #[arg(long, default_value = "instant")]
        blocks: String,
        /// A state directory: each block is saved as it is sealed; a restart (after
        /// Ctrl-C or a crash) continues the chain it holds.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Register dynamic subnets (dTAO pools, emission by moving price, lock cost,
        /// pruning at the subnet limit); stake calls then move alpha.
        #[arg(long)]
        dynamic: bool,
    },
    /// Compare the served node's runtime metadata (V15 and V14) with real finney
    /// metadata (spec 393, vendored in subnet-core/tests/data) and print the differences.
    MetadataDiff {
        /// Another SCALE-encoded metadata file to compare with (`subxt metadata -f bytes`).
        #[arg(long)]
        reference: Option<PathBuf>,
    },
    /// Run a network of dynamic subnets competing on the local chain
    /// (examples/scenarios/economy.json): per tempo each subnet's price, moving price,
    /// TAO emission share, alpha to miners/validators/owner and TAO value, nominators'
    /// moves, and the subnet pruned when a newcomer registers at the limit.
    Economy {
        /// The scenario file.
        scenario: PathBuf,
        /// Also write the HTML report (charts of price, moving price and emission share).
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Run a Yuma scenario (docs/yuma-scenario.md) and print each epoch as JSON.
    Yuma {
        /// The scenario file.
        scenario: PathBuf,
        /// Print a human table instead of JSON.
        #[arg(long)]
        pretty: bool,
    },
    /// Run a benchmark area in release mode: yuma, chain, economy, net, localnet, e2e,
    /// python (an echo miner with a Python handler beside the same miner in Rust and
    /// the same handler behind btlightning 0.2.15's Python server, each server its own
    /// process; the release `subnet_core` wheel's build times).
    Bench {
        area: String,
        /// Print JSON rows ({"name","value","unit",...}) instead of a table.
        #[arg(long)]
        json: bool,
        /// With `net`: also run Bittensor's Python Axon/Dendrite on this machine and
        /// print both side by side (needs a Python with `bittensor<11`, see
        /// benches/python/README.md).
        #[arg(long)]
        compare_python: bool,
        /// The Python interpreter for --compare-python; with `python`, the one that
        /// creates the bench's venvs (3.9 or later).
        #[arg(long, env = "SUBNET_BENCH_PYTHON", default_value = "python3")]
        python: String,
        /// With `python`: also time a release build of the wheel from an empty target
        /// directory (a whole release build of its dependencies: minutes).
        #[arg(long)]
        cold_wheel: bool,
        /// With `net`: build a peer transport's own bench with the same workload
        /// (`btlightning`: btlightning 0.2.15, benches/btlightning-peer, outside the
        /// workspace; the first build takes minutes), run ours and it alternately,
        /// 3 rounds each, and print medians, ratios and CPU per request.
        #[arg(long, value_name = "PEER")]
        compare: Option<String>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn economy(path: &std::path::Path, report: Option<PathBuf>) -> Result<()> {
    use subnet_core::testing::economy::{html, to_table, EconomyScenario};
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let scenario = EconomyScenario::from_json(&text).map_err(anyhow::Error::msg).with_context(|| format!("invalid scenario {}", path.display()))?;
    let run = scenario.run().map_err(anyhow::Error::msg)?;
    print!("{}", to_table(&run));
    if let Some(out) = report {
        std::fs::write(&out, html(&run)).with_context(|| format!("writing {}", out.display()))?;
        println!("report: {}", out.display());
    }
    Ok(())
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Cmd::New { path, template, name, list } => new::run(path, &template, name, list),
        Cmd::Template(TemplateCmd::Check { dir }) => new::check(&dir),
        Cmd::Template(TemplateCmd::Pack { dir, version, out }) => new::pack(&dir, &version, out),
        Cmd::Test { path, run, report } => e2e::run(&path, &run, report),
        Cmd::Python { path, out } => {
            let written = python::generate(&path, out)?;
            println!("wrote {}", written.display());
            Ok(())
        }
        Cmd::PythonWheel { python } => {
            let started = std::time::Instant::now();
            let wheel = python::ensure_wheel(&python)?;
            println!("{} ({:.1} s)", wheel.display(), started.elapsed().as_secs_f64());
            Ok(())
        }
        Cmd::PythonTest { python } => python::selftest(&python),
        Cmd::Demo { epochs, tempo } => demo(epochs, tempo),
        Cmd::Interop(InteropCmd::Python { only, venvs, python, timeout }) => {
            interop::python(interop::Options { only, venvs, python, timeout: std::time::Duration::from_secs(timeout) })
        }
        Cmd::Localnet { addr, blocks, state, dynamic } => localnet::run(localnet::Options { addr, blocks, state, dynamic }),
        Cmd::MetadataDiff { reference } => metadata_diff::run(reference),
        Cmd::Economy { scenario: path, report } => economy(&path, report),
        Cmd::Yuma { scenario: path, pretty } => {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let s = Scenario::from_json(&text).with_context(|| format!("invalid scenario {}", path.display()))?;
            let outputs = s.run();
            if pretty {
                if !s.name.is_empty() {
                    println!("{}\n", s.name);
                }
                print!("{}", scenario::to_table(&outputs));
            } else {
                println!("{}", scenario::to_json(&outputs));
            }
            Ok(())
        }
        Cmd::Bench { area, json, compare_python, python, compare, cold_wheel } => {
            if cold_wheel && area != "python" {
                bail!("--cold-wheel applies to `bench python` only");
            }
            if let Some(peer) = compare {
                if area != "net" {
                    bail!("--compare applies to `bench net` only");
                }
                if compare_python {
                    bail!("--compare and --compare-python are separate runs: give one");
                }
                if peer != "btlightning" {
                    bail!("unknown --compare peer {peer:?}; available: btlightning");
                }
                return bench::compare_btlightning(json);
            }
            if compare_python {
                if area != "net" {
                    bail!("--compare-python applies to `bench net` only");
                }
                return bench::compare_python(&python, json);
            }
            if area == "python" {
                return python::bench::run(&python, json, cold_wheel);
            }
            bench::run(&area, json)
        }
    }
}

/// The main job of the README: a subnet, a chain, neurons, epochs, a table each.
fn demo(epochs: usize, tempo: u16) -> Result<()> {
    use subnet_core::testing::{run_local_net, LocalNetConfig, MinerBehaviour, Role};
    anyhow::ensure!(epochs > 0 && tempo > 0, "--epochs and --tempo must be positive");
    let config = LocalNetConfig { epochs, tempo, ..LocalNetConfig::default() };
    println!(
        "sum subnet on an in-process local chain, miners served over gRPC with TLS on loopback: \
         {} validator, {} miners, {} epochs of {} blocks\n",
        config.validators,
        config.miners.len(),
        epochs,
        tempo
    );
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let reports = runtime.block_on(run_local_net::<sum_subnet::sum::Subnet>(&config, |r| println!("{}", r.table())))?;
    // The run must show the mechanism working, or the demo fails loudly.
    let last = reports.last().context("no epoch ran")?;
    let incentive = |kind: MinerBehaviour| last.neurons.iter().find(|n| n.role == Role::Miner(kind)).map_or(0, |n| n.incentive);
    anyhow::ensure!(last.neurons.iter().any(|n| n.weight > 0), "the validator never set weights");
    anyhow::ensure!(incentive(MinerBehaviour::Honest) > 0, "the honest miner earned nothing");
    anyhow::ensure!(
        incentive(MinerBehaviour::Honest) > incentive(MinerBehaviour::Flaky(70)) && incentive(MinerBehaviour::Dead) == 0,
        "incentive does not follow quality"
    );
    println!("ok: the honest miner earns the most, the dead one nothing.");
    Ok(())
}
