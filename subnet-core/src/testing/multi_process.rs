//! [`run_multi_process`]: a subnet end to end with one OS process per neuron, every
//! neuron reaching the chain through the subxt client as it would on Bittensor.
//!
//! The chain is the embedded local chain served as a Substrate node on an ephemeral
//! loopback port (timed blocks), or any node at a `ws://` URL. This process is the
//! operator: it creates the subnet with `//Alice`, registers and stakes the neurons
//! (coldkeys `//Bob` … `//Ferdie`, so a Subtensor dev chain works too), writes each
//! neuron a Bittensor wallet, starts the subnet's `miner` and `validator` commands,
//! and reads the chain after each epoch. A neuron that exits early fails the run with
//! the tail of its log.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::local_net::{epoch_report, neuron_key, EpochReport};
use crate::chain::local::dev_keypair;
use crate::chain::node::LocalNode;
use crate::chain::subtensor::{Network, SubtensorClient};
use crate::chain::{
    AccountId, AxonInfo, BlockMode, Chain, ChainError, Hyperparameter, LocalChain, LocalChainConfig, NetUid, Signer, RAO_PER_TAO as TAO,
};
use crate::incentive::ScoreBook;
use crate::keys::{Keypair, Wallet, WalletError};
use crate::miner::MinerBehaviour;
use crate::spec::SubnetSpec;

/// Neurons' coldkeys: funded on the served localnet and on Subtensor's dev chains.
const COLDKEYS: [&str; 5] = ["Bob", "Charlie", "Dave", "Eve", "Ferdie"];

/// Where the neurons' chain is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainTarget {
    /// The embedded local chain served on loopback, sealing a block every interval.
    Served { block_time: Duration },
    /// A node at this `ws://` URL where `//Alice` may create a subnet and `//Bob` …
    /// `//Ferdie` hold funds (the served localnet, a Subtensor dev node).
    Remote(String),
}

#[derive(Clone, Debug)]
pub struct MultiProcessConfig {
    /// The program and leading arguments that give a subnet's command line: the
    /// subnet's own binary, or a tool's `[exe, "neuron"]`.
    pub command: Vec<OsString>,
    pub chain: ChainTarget,
    pub validators: usize,
    pub miners: Vec<MinerBehaviour>,
    pub epochs: usize,
    pub tempo: u16,
    /// Validator rounds per epoch.
    pub rounds_per_epoch: usize,
    /// Wallets, validator state and one log per neuron go here.
    pub work_dir: PathBuf,
    pub seed: u64,
    /// Commit-reveal on (version 4: timelocked commits the chain reveals itself).
    pub commit_reveal: bool,
    /// The program and leading arguments that start a miner, when miners are not the
    /// subnet's own binary (a Python miner on the `subnet_core` package).
    pub miner_command: Option<Vec<OsString>>,
}

impl MultiProcessConfig {
    /// The defaults of the run flags ([`RunArgs`](super::RunArgs)).
    pub fn new(command: Vec<OsString>, work_dir: PathBuf) -> Self {
        super::RunArgs::default().multi_process_config(command, work_dir)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MultiProcessError {
    #[error("chain: {0}")]
    Chain(#[from] ChainError),
    #[error("serving the local chain: {0}")]
    Serve(std::io::Error),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("wallet: {0}")]
    Wallet(#[from] WalletError),
    #[error("{name} exited ({status}); the end of its log ({log}):\n{tail}")]
    Crashed { name: String, status: String, log: String, tail: String },
    #[error("{0}")]
    Timeout(String),
}

/// What the run says as it goes.
pub enum Progress<'a> {
    /// A step of the set-up, or something worth knowing (a setting a remote chain
    /// refused).
    Note(&'a str),
    Epoch(&'a EpochReport),
}

/// One neuron's OS process and its log.
struct NeuronProcess {
    name: String,
    log: PathBuf,
    child: tokio::process::Child,
}

impl NeuronProcess {
    fn crashed(&self, status: ExitStatus) -> MultiProcessError {
        MultiProcessError::Crashed {
            name: self.name.clone(),
            status: status.to_string(),
            log: self.log.display().to_string(),
            tail: log_tail(&self.log, 12),
        }
    }

    /// An error if the process has exited.
    fn check_alive(&mut self) -> Result<(), MultiProcessError> {
        match self.child.try_wait() {
            Ok(Some(status)) => Err(self.crashed(status)),
            Ok(None) => Ok(()),
            Err(e) => Err(MultiProcessError::Io(format!("waiting for {}", self.name), e)),
        }
    }

    /// SIGTERM (the commands stop cleanly on it), then SIGKILL after `grace`.
    async fn stop(mut self, grace: Duration) -> Result<(), MultiProcessError> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Err(self.crashed(status));
        }
        terminate(&self.child);
        match tokio::time::timeout(grace, self.child.wait()).await {
            Ok(Ok(status)) if status.success() => Ok(()),
            Ok(Ok(status)) => Err(self.crashed(status)),
            Ok(Err(e)) => Err(MultiProcessError::Io(format!("waiting for {}", self.name), e)),
            Err(_) => {
                let _ = self.child.kill().await;
                Err(MultiProcessError::Timeout(format!("{} did not stop within {grace:?} of SIGTERM (killed)", self.name)))
            }
        }
    }
}

#[cfg(unix)]
fn terminate(child: &tokio::process::Child) {
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) on a child we spawned and have not reaped.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
}

#[cfg(not(unix))]
fn terminate(child: &tokio::process::Child) {
    let _ = child;
}

fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].iter().map(|l| format!("  | {l}")).collect::<Vec<_>>().join("\n")
}

/// A neuron of the run: its wallet name, hotkey and the coldkey that owns it.
struct Neuron {
    name: String,
    hotkey: Keypair,
    coldkey: usize,
}

/// Run `S` with one process per neuron; returns a report per epoch.
pub async fn run_multi_process<S: SubnetSpec>(
    config: &MultiProcessConfig,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Vec<EpochReport>, MultiProcessError> {
    let io = |what: &str| {
        let what = what.to_string();
        move |e| MultiProcessError::Io(what, e)
    };
    let wallets = config.work_dir.join("wallets");
    let logs = config.work_dir.join("logs");
    for dir in [&wallets, &logs] {
        // A previous run's keys and scores would mix with this one's.
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(io(&format!("clearing {}", dir.display())))?;
        }
        std::fs::create_dir_all(dir).map_err(io(&format!("creating {}", dir.display())))?;
    }

    let (url, served, block_time) = match &config.chain {
        ChainTarget::Served { block_time } => {
            let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Timed(*block_time));
            let running = node.serve(SocketAddr::from(([127, 0, 0, 1], 0))).await.map_err(MultiProcessError::Serve)?;
            (running.url(), Some(running), *block_time)
        }
        // Subtensor's own block time; only used to size waits.
        ChainTarget::Remote(url) => (url.clone(), None, Duration::from_secs(12)),
    };
    let result = run_on_chain::<S>(config, &url, block_time, &wallets, &logs, &mut progress).await;
    if let Some(node) = served {
        node.stop().await;
    }
    result
}

async fn run_on_chain<S: SubnetSpec>(
    config: &MultiProcessConfig,
    url: &str,
    block_time: Duration,
    wallets: &Path,
    logs: &Path,
    progress: &mut impl FnMut(Progress<'_>),
) -> Result<Vec<EpochReport>, MultiProcessError> {
    let remote = matches!(config.chain, ChainTarget::Remote(_));
    let network = Network::parse(url).map_err(ChainError::Rpc)?;
    let chain = Arc::new(SubtensorClient::connect(&network).await?);
    progress(Progress::Note(&format!("chain at {url}, block {}", chain.block_number().await?)));

    let owner = dev_keypair("Alice");
    let coldkeys: Vec<Keypair> = COLDKEYS.iter().map(|n| dev_keypair(n)).collect();
    let netuid = chain.register_network(&owner, neuron_key("owner-hotkey", 0).account_id()).await?;
    // Staking and emission wait for the owner's start (Subtensor's `start_call`).
    chain.start_call(&owner, netuid).await?;
    let tempo = configure_subnet::<S>(&*chain, &owner, netuid, config, remote, progress).await?;

    let validators: Vec<Neuron> = (0..config.validators)
        .map(|i| Neuron { name: format!("validator-{i}"), hotkey: neuron_key("validator", i), coldkey: i % COLDKEYS.len() })
        .collect();
    let miners: Vec<Neuron> = (0..config.miners.len())
        .map(|i| Neuron { name: format!("miner-{i}"), hotkey: neuron_key("miner", i), coldkey: (config.validators + i) % COLDKEYS.len() })
        .collect();
    register_all(&*chain, &coldkeys, netuid, &validators, &miners).await?;
    progress(Progress::Note(&format!(
        "subnet {netuid} created (tempo {tempo}); {} validators and {} miners registered",
        validators.len(),
        miners.len()
    )));
    for n in validators.iter().chain(&miners) {
        let wallet = Wallet::new(wallets.to_path_buf(), &n.name, "default")?;
        wallet.set_hotkey(&n.hotkey, true)?;
        wallet.set_coldkeypub(&coldkeys[n.coldkey].public_key(), true)?;
    }

    // Validators need a permit, which the subnet's next epoch hands out.
    let validator_ids: Vec<AccountId> = validators.iter().map(|v| v.hotkey.account_id()).collect();
    let epoch_wait = wait_budget(tempo as u64 + 2, block_time);
    wait_until(&*chain, netuid, epoch_wait, "the validators to get permits", &mut [], |mg| {
        validator_ids.iter().all(|v| mg.neurons.iter().any(|n| n.hotkey == *v && n.validator_permit))
    })
    .await?;

    let base = |n: &Neuron, command: &str| -> Vec<OsString> {
        let program = match (command, &config.miner_command) {
            ("miner", Some(miner)) => miner,
            _ => &config.command,
        };
        let mut args: Vec<OsString> = program[1..].to_vec();
        args.extend([command, "--netuid", &netuid.to_string(), "--subtensor.chain_endpoint", url].map(OsString::from));
        args.extend(["--wallet.name", &n.name, "--wallet.hotkey", "default"].map(OsString::from));
        args.push("--wallet.path".into());
        args.push(wallets.into());
        args
    };
    let mut processes: Vec<NeuronProcess> = Vec::new();
    let mut live_miners = Vec::new();
    for (n, behaviour) in miners.iter().zip(&config.miners) {
        let mut args = base(n, "miner");
        // Listen on loopback, announce IP 0: Subtensor refuses loopback axons, and
        // validators read IP 0 as this machine.
        args.extend(["--axon.ip", "127.0.0.1", "--axon.port", "0", "--axon.external_ip", "0.0.0.0"].map(OsString::from));
        // The miner binary applies the same behaviour from its hidden test flags.
        match behaviour {
            MinerBehaviour::Honest => {}
            MinerBehaviour::Flaky(p) => args.extend(["--test.wrong_answer_percent".into(), p.to_string().into()]),
            MinerBehaviour::Slow(d) => args.extend(["--test.answer_delay_ms".into(), d.as_millis().to_string().into()]),
            MinerBehaviour::Dead => {
                // Announced, but nothing listens there.
                let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_or(9, |a| a.port());
                chain.serve_axon(&n.hotkey, netuid, AxonInfo { ip: 0, port, ip_type: 4, ..Default::default() }).await?;
                continue;
            }
        }
        let program = config.miner_command.as_ref().unwrap_or(&config.command);
        processes.push(spawn::<S>(&program[0], &n.name, args, logs)?);
        live_miners.push(n.hotkey.account_id());
    }
    progress(Progress::Note(&format!("{} miner processes started; waiting for their axons", live_miners.len())));
    wait_until(&*chain, netuid, Duration::from_secs(60).max(wait_budget(20, block_time)), "the miners to serve their axons", &mut processes, |mg| {
        live_miners.iter().all(|m| mg.neurons.iter().any(|n| n.hotkey == *m && n.axon.is_some_and(|a| a.port != 0)))
    })
    .await?;

    let blocks_per_round = (tempo as u64 / config.rounds_per_epoch.max(1) as u64).max(1);
    let state_path = |n: &Neuron| wallets.join(&n.name).join("scores.json");
    for (i, n) in validators.iter().enumerate() {
        let mut args = base(n, "validator");
        args.extend(["--neuron.blocks_per_round".into(), blocks_per_round.to_string().into(), "--logging.debug".into()]);
        args.extend(["--neuron.seed".into(), (config.seed ^ i as u64).to_string().into(), "--neuron.state_path".into()]);
        args.push(state_path(n).into());
        processes.push(spawn::<S>(&config.command[0], &n.name, args, logs)?);
    }
    progress(Progress::Note(&format!("{} validator processes started", validators.len())));

    let result = epochs(config, &*chain, netuid, tempo, block_time, &mut processes, &validators, &miners, &state_path, progress).await;
    let mut stopped = Ok(());
    // Validators (started last) first, so no round meets a stopped miner.
    for p in processes.into_iter().rev() {
        let outcome = p.stop(Duration::from_secs(10)).await;
        if stopped.is_ok() {
            stopped = outcome;
        }
    }
    let reports = result?;
    stopped?;
    Ok(reports)
}

/// Tempo, no weights rate limit, commit-reveal off, the subnet's version key. On a
/// remote chain a refused setting is reported and the chain's value kept (Subtensor
/// keeps `tempo` for root); returns the tempo in force.
async fn configure_subnet<S: SubnetSpec>(
    chain: &dyn Chain,
    owner: &Keypair,
    netuid: NetUid,
    config: &MultiProcessConfig,
    remote: bool,
    progress: &mut impl FnMut(Progress<'_>),
) -> Result<u16, MultiProcessError> {
    for p in [
        Hyperparameter::Tempo(config.tempo),
        Hyperparameter::WeightsSetRateLimit(0),
        Hyperparameter::CommitRevealWeightsEnabled(config.commit_reveal),
        Hyperparameter::WeightsVersionKey(S::VERSION),
    ] {
        match chain.set_hyperparameter(owner, netuid, p.clone()).await {
            Ok(()) => {}
            Err(e) if remote => progress(Progress::Note(&format!("the chain refused {p:?} ({e}); keeping its value"))),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(chain.hyperparameters(netuid).await?.tempo)
}

/// Register every neuron (and stake the validators) from its coldkey: one coldkey's
/// extrinsics in order (nonces), different coldkeys at once.
async fn register_all(chain: &dyn Chain, coldkeys: &[Keypair], netuid: NetUid, validators: &[Neuron], miners: &[Neuron]) -> Result<(), ChainError> {
    let per_coldkey = (0..coldkeys.len()).map(|c| async move {
        for (i, v) in validators.iter().enumerate().filter(|(_, v)| v.coldkey == c) {
            chain.burned_register(&coldkeys[c], netuid, v.hotkey.account_id()).await?;
            chain.add_stake(&coldkeys[c], v.hotkey.account_id(), netuid, (1_000 + 100 * i as u64) * TAO).await?;
        }
        for m in miners.iter().filter(|m| m.coldkey == c) {
            chain.burned_register(&coldkeys[c], netuid, m.hotkey.account_id()).await?;
        }
        Ok::<_, ChainError>(())
    });
    futures::future::try_join_all(per_coldkey).await?;
    Ok(())
}

/// Start `program` with `args` as the neuron `name`, its output in its log. It gets the
/// subnet's protocol fingerprint, which a miner in another language checks its
/// generated protocol module against before it serves.
fn spawn<S: SubnetSpec>(program: &OsString, name: &str, args: Vec<OsString>, logs: &Path) -> Result<NeuronProcess, MultiProcessError> {
    let log = logs.join(format!("{name}.log"));
    let file = std::fs::File::create(&log).map_err(|e| MultiProcessError::Io(format!("creating {}", log.display()), e))?;
    let err = file.try_clone().map_err(|e| MultiProcessError::Io(format!("opening {}", log.display()), e))?;
    let child = tokio::process::Command::new(program)
        .args(args)
        .env("SUBNET_PROTOCOL_FINGERPRINT", S::protocol().fingerprint())
        // Key passwords are for an operator's encrypted wallets, not these.
        .env_remove("BT_HOTKEY_PASSWORD")
        .env_remove("BT_COLDKEY_PASSWORD")
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| MultiProcessError::Io(format!("starting {name} ({})", Path::new(program).display()), e))?;
    Ok(NeuronProcess { name: name.to_string(), log, child })
}

/// Wall-clock time for `blocks` blocks, with room for a loaded machine.
fn wait_budget(blocks: u64, block_time: Duration) -> Duration {
    block_time * (blocks as u32).saturating_mul(3) + Duration::from_secs(10)
}

/// Poll the metagraph until `done`, failing if a process dies or `budget` passes.
async fn wait_until(
    chain: &dyn Chain,
    netuid: NetUid,
    budget: Duration,
    what: &str,
    processes: &mut [NeuronProcess],
    done: impl Fn(&crate::chain::Metagraph) -> bool,
) -> Result<(), MultiProcessError> {
    let start = Instant::now();
    loop {
        for p in processes.iter_mut() {
            p.check_alive()?;
        }
        if done(&chain.metagraph(netuid).await?) {
            return Ok(());
        }
        if start.elapsed() > budget {
            return Err(MultiProcessError::Timeout(format!("waited {budget:?} for {what}")));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[allow(clippy::too_many_arguments)]
async fn epochs(
    config: &MultiProcessConfig,
    chain: &dyn Chain,
    netuid: NetUid,
    tempo: u16,
    block_time: Duration,
    processes: &mut [NeuronProcess],
    validators: &[Neuron],
    miners: &[Neuron],
    state_path: &dyn Fn(&Neuron) -> PathBuf,
    progress: &mut impl FnMut(Progress<'_>),
) -> Result<Vec<EpochReport>, MultiProcessError> {
    let validator_ids: Vec<AccountId> = validators.iter().map(|v| v.hotkey.account_id()).collect();
    let miner_ids: Vec<AccountId> = miners.iter().map(|m| m.hotkey.account_id()).collect();
    let start = chain.block_number().await?;
    let mut reports = Vec::new();
    for epoch in 1..=config.epochs {
        let target = start + epoch as u64 * tempo as u64;
        let deadline = Instant::now() + wait_budget(tempo as u64, block_time);
        while chain.block_number().await? < target {
            for p in processes.iter_mut() {
                p.check_alive()?;
            }
            if Instant::now() > deadline {
                return Err(MultiProcessError::Timeout(format!("the chain did not reach block {target} (epoch {epoch}) in time")));
            }
            tokio::time::sleep((block_time / 2).clamp(Duration::from_millis(10), Duration::from_secs(1))).await;
        }
        let mg = chain.metagraph(netuid).await?;
        // The first validator's moving-average scores, as it last saved them.
        let scores = validators.first().and_then(|v| ScoreBook::load(&state_path(v), netuid).ok()).map(|book| book.scores()).unwrap_or_default();
        let report = epoch_report(epoch, &mg, &miner_ids, &config.miners, &validator_ids, &scores);
        progress(Progress::Epoch(&report));
        reports.push(report);
    }
    Ok(reports)
}
