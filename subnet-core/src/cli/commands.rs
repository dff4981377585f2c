//! What each command does, against whatever chain the [`Connector`] gives.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;

use super::args::{resolve_endpoint, Cli, Command, Common, MinerArgs, ValidatorArgs};
use crate::chain::{AccountId, Chain, ChainError, RAO_PER_TAO};
use crate::keys::{default_wallets_path, Keypair, Wallet, WalletError};
use crate::metrics::{self, Exposition, Render};
use crate::miner::{ensure_registered, serve, MinerBehaviour, MinerError, ServeOptions};
use crate::net::{Client, ClientOptions, ServerStats};
use crate::spec::{protocol_json, AccessRules, MinerSpec, SubnetSpec};
use crate::validator::{CommitScheme, LoopEvent, Validator, ValidatorConfig, ValidatorError, WeightsOutcome};

/// Rao per TAO, for showing and reading amounts in TAO.
const TAO: f64 = RAO_PER_TAO as f64;

/// Why a subcommand failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The network name or endpoint URL is not one we can use.
    #[error("{0}")]
    Endpoint(String),
    /// The chain could not be reached at the endpoint.
    #[error("{0}")]
    Connect(String),
    /// The wallet or its hotkey could not be read or decrypted.
    #[error("wallet: {0}")]
    Wallet(#[from] WalletError),
    /// A chain call failed.
    #[error("chain: {0}")]
    Chain(#[from] ChainError),
    /// The miner could not start or stopped with an error.
    #[error("miner: {0}")]
    Miner(#[from] MinerError),
    /// The validator could not start or stopped with an error.
    #[error("validator: {0}")]
    Validator(#[from] ValidatorError),
    /// The command line asked for something this program does not do.
    #[error("{0}")]
    Usage(String),
    /// Printing the result failed.
    #[error("writing output: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the chain at an endpoint URL.
#[async_trait]
pub trait Connector: Send + Sync {
    /// A chain client for `endpoint` (a `ws://` or `wss://` URL), or why not.
    async fn connect(&self, endpoint: &str) -> Result<Arc<dyn Chain>, String>;
}

/// The binary's connector: a Subtensor node (or the served localnet) through subxt.
pub struct SubtensorConnector;

#[async_trait]
impl Connector for SubtensorConnector {
    async fn connect(&self, endpoint: &str) -> Result<Arc<dyn Chain>, String> {
        let network = crate::chain::subtensor::Network::parse(endpoint)?;
        let client = crate::chain::subtensor::SubtensorClient::connect(&network).await.map_err(|e| e.to_string())?;
        Ok(Arc::new(client))
    }
}

/// Run one command; `stop` ends the long-running ones (miner, validator).
pub async fn run<S: SubnetSpec>(
    cli: Cli,
    connector: &dyn Connector,
    stop: tokio::sync::watch::Receiver<bool>,
    out: &mut (dyn Write + Send),
) -> Result<(), CliError> {
    if let Command::Protocol = cli.command {
        writeln!(out, "{}", protocol_json(&S::protocol()))?;
        return Ok(());
    }
    let endpoint = resolve_endpoint(&cli.common).map_err(CliError::Endpoint)?;
    let chain = connector.connect(&endpoint).await.map_err(CliError::Connect)?;
    let wallet = wallet(&cli.common)?;
    let netuid = cli.common.netuid;
    match cli.command {
        Command::Protocol => unreachable!("handled above"),
        Command::Status => status(&*chain, &wallet, netuid, out).await,
        Command::Register => {
            let hotkey = AccountId(wallet.hotkey_public()?.0);
            let uid = ensure_registered(&*chain, &coldkey(&wallet)?, hotkey, netuid).await?;
            writeln!(out, "{} is uid {uid} on subnet {netuid}", hotkey.ss58())?;
            Ok(())
        }
        Command::Miner(args) => miner(chain, &wallet, &cli.common, &args, MinerService::of::<S>(), stop, out).await,
        Command::Validator(args) => validator::<S>(chain, &wallet, &cli.common, &args, stop, out).await,
    }
}

fn wallet(c: &Common) -> Result<Wallet, WalletError> {
    let path = match &c.wallet_path {
        Some(p) => p.clone(),
        None => default_wallets_path()?,
    };
    Wallet::new(path, &c.wallet_name, &c.wallet_hotkey)
}

/// Passwords come from the environment, never from flags (which `ps` shows).
fn hotkey(wallet: &Wallet) -> Result<Keypair, WalletError> {
    match std::env::var("BT_HOTKEY_PASSWORD") {
        Ok(pw) => wallet.hotkey_keypair_with_password(&pw),
        Err(_) => wallet.hotkey_keypair(),
    }
}

fn coldkey(wallet: &Wallet) -> Result<Keypair, WalletError> {
    wallet.coldkey_keypair(std::env::var("BT_COLDKEY_PASSWORD").ok().as_deref())
}

async fn status(chain: &dyn Chain, wallet: &Wallet, netuid: u16, out: &mut (dyn Write + Send)) -> Result<(), CliError> {
    let mine = wallet.hotkey_public().ok().map(|k| AccountId(k.0));
    let mg = chain.metagraph(netuid).await?;
    writeln!(out, "subnet {netuid} at block {}: {} neurons", mg.block, mg.neurons.len())?;
    writeln!(
        out,
        "{:>4}  {:<48} {:>12} {:>6} {:>9} {:>9} {:>12}  axon",
        "uid", "hotkey", "stake (TAO)", "permit", "incentive", "dividends", "emission"
    )?;
    for n in &mg.neurons {
        let axon = n.axon.and_then(|a| crate::net::axon_address(&a)).map_or("-".to_string(), |a: SocketAddr| a.to_string());
        let me = if Some(n.hotkey) == mine { " (this wallet)" } else { "" };
        writeln!(
            out,
            "{:>4}  {:<48} {:>12.3} {:>6} {:>9.4} {:>9.4} {:>12.4}  {axon}{me}",
            n.uid,
            n.hotkey.ss58(),
            n.stake as f64 / TAO,
            if n.validator_permit { "yes" } else { "no" },
            n.incentive as f64 / 65535.0,
            n.dividends as f64 / 65535.0,
            n.emission as f64 / TAO,
        )?;
    }
    if let Some(me) = mine.filter(|m| !mg.neurons.iter().any(|n| n.hotkey == *m)) {
        writeln!(out, "this wallet's hotkey {} is not registered on subnet {netuid}", me.ss58())?;
    }
    Ok(())
}

/// What a miner process serves: the subnet's name and protocol version, who may call
/// (the subnet's rules, before the operator's flags), and the handler. A Rust subnet's
/// comes from its `SubnetSpec`; a miner in another language brings its own handler.
pub struct MinerService {
    /// The subnet's name, for the start-up line.
    pub name: String,
    /// The protocol version (the weights version key), announced with the axon.
    pub version: u64,
    /// The subnet's access rules; `--blacklist.*` and `--axon.rate_limit` override them.
    pub access: AccessRules,
    /// The fingerprint of the protocol description the miner was built from: callers
    /// naming another are refused (`protocol_mismatch`); `None` checks nothing.
    pub protocol: Option<String>,
    /// Answers the requests.
    pub handler: Arc<dyn MinerSpec>,
}

impl MinerService {
    /// The service of the Rust subnet `S`.
    pub fn of<S: SubnetSpec>() -> Self {
        Self {
            name: S::NAME.to_string(),
            version: S::VERSION,
            access: S::access(),
            protocol: Some(S::protocol().fingerprint()),
            handler: Arc::new(S::miner()),
        }
    }
}

/// Run the `miner` command of `cli` serving `service` until `stop`; any other command
/// is refused (a miner-only program, such as a Python miner, has no validator).
pub async fn run_miner(
    cli: Cli,
    service: MinerService,
    connector: &dyn Connector,
    stop: tokio::sync::watch::Receiver<bool>,
    out: &mut (dyn Write + Send),
) -> Result<(), CliError> {
    let Command::Miner(args) = &cli.command else {
        return Err(CliError::Usage("this program runs only the `miner` command".into()));
    };
    let endpoint = resolve_endpoint(&cli.common).map_err(CliError::Endpoint)?;
    let chain = connector.connect(&endpoint).await.map_err(CliError::Connect)?;
    let wallet = wallet(&cli.common)?;
    miner(chain, &wallet, &cli.common, args, service, stop, out).await
}

async fn miner(
    chain: Arc<dyn Chain>,
    wallet: &Wallet,
    common: &Common,
    args: &MinerArgs,
    service: MinerService,
    stop: tokio::sync::watch::Receiver<bool>,
    out: &mut (dyn Write + Send),
) -> Result<(), CliError> {
    let key = hotkey(wallet)?;
    let netuid = common.netuid;
    if args.register {
        let uid = ensure_registered(&*chain, &coldkey(wallet)?, AccountId(key.public_key().0), netuid).await?;
        writeln!(out, "registered as uid {uid}")?;
    }
    let mut options = ServeOptions::new(netuid, service.version, SocketAddr::new(args.ip, args.port));
    options.external_ip = args.external_ip;
    options.server.protocol = service.protocol.clone();
    // The subnet's rules first; the operator's flags override them.
    service.access.apply(&mut options.server);
    let policy = &mut options.server.policy;
    if args.allow_non_registered {
        policy.require_registered = false;
        policy.require_validator_permit = false;
    }
    if args.allow_non_validators {
        policy.require_validator_permit = false;
    }
    if let Some(tao) = args.min_stake {
        policy.min_stake = (tao.max(0.0) * TAO) as u64;
    }
    if let Some(rate) = args.rate_limit {
        options.server.rate_limit = (rate > 0.0).then_some((rate, (rate * 2.0).ceil() as u32));
    }
    let mut handler = service.handler;
    // Test runs' miners of differing quality, the same behaviour a local run applies.
    let behaviour = match (args.wrong_answer_percent.filter(|p| *p > 0), args.answer_delay_ms.filter(|ms| *ms > 0)) {
        (Some(percent), _) => MinerBehaviour::Flaky(percent),
        (None, Some(ms)) => MinerBehaviour::Slow(std::time::Duration::from_millis(ms)),
        (None, None) => MinerBehaviour::Honest,
    };
    if behaviour != MinerBehaviour::Honest {
        tracing::warn!(?behaviour, "test mode: answering badly on purpose");
        let salt = u64::from_le_bytes(key.public_key().0[..8].try_into().expect("8 bytes"));
        // Neither flag makes a dead miner, so the behaviour always serves.
        handler = behaviour.apply(handler.clone(), salt).unwrap_or(handler);
    }
    let served = serve(chain, &key, handler, options).await?;
    writeln!(out, "{} miner uid {} serving on {} (hotkey {})", service.name, served.uid, served.addr, key.ss58_address())?;
    let stats = served.stats.clone();
    let render: Render = Arc::new(move || miner_metrics(&stats));
    let _metrics = start_metrics(common.metrics_port.map(|p| SocketAddr::new(args.ip, p)), render, out).await?;
    out.flush()?;
    wait_for(stop).await;
    let stats = served.stats.clone();
    served.shutdown().await;
    use std::sync::atomic::Ordering::Relaxed;
    writeln!(out, "stopped: {} served, {} refused, {} failed", stats.served.load(Relaxed), stats.refused.load(Relaxed), stats.failed.load(Relaxed))?;
    Ok(())
}

async fn validator<S: SubnetSpec>(
    chain: Arc<dyn Chain>,
    wallet: &Wallet,
    common: &Common,
    args: &ValidatorArgs,
    stop: tokio::sync::watch::Receiver<bool>,
    out: &mut (dyn Write + Send),
) -> Result<(), CliError> {
    let key = hotkey(wallet)?;
    let netuid = common.netuid;
    let state_path =
        args.state_path.clone().unwrap_or_else(|| wallet.dir().join("validator").join(format!("netuid{netuid}-{}.json", common.wallet_hotkey)));
    if let Some(dir) = state_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let seed = args.seed.unwrap_or_else(|| u64::from_le_bytes(key.public_key().0[..8].try_into().expect("8 bytes")));
    let commit_scheme = if args.commit_scheme == "hash" { CommitScheme::Hash } else { CommitScheme::Auto };
    let config =
        ValidatorConfig { netuid, mechanism: S::mechanism(), version_key: S::VERSION, state_path: Some(state_path.clone()), seed, commit_scheme };
    let speaking = ClientOptions { protocol: Some(S::protocol().fingerprint()), ..ClientOptions::default() };
    let querier = Arc::new(Client::with_options(key.clone(), netuid, S::VERSION, speaking));
    let mut validator = Validator::new(chain, querier, Box::new(key.clone()), S::judge(), config)?;
    writeln!(out, "{} validator {} on subnet {netuid}; scores kept in {}", S::NAME, key.ss58_address(), state_path.display())?;
    let debug = common.debug;
    let mut write_error = None;
    let counters = Arc::new(std::sync::Mutex::new(ValidatorCounters::default()));
    let render: Render = {
        let counters = counters.clone();
        Arc::new(move || counters.lock().unwrap_or_else(|e| e.into_inner()).render())
    };
    let _metrics = start_metrics(common.metrics_port.map(|p| SocketAddr::from(([0, 0, 0, 0], p))), render, out).await?;
    validator
        .run(args.blocks_per_round, stop, |event| {
            counters.lock().unwrap_or_else(|e| e.into_inner()).record(&event);
            let line = match event {
                LoopEvent::Round(r) if debug || r.failures == r.scores.len() => {
                    let mean = r.scores.iter().map(|(_, s)| s).sum::<f64>() / r.scores.len().max(1) as f64;
                    format!("round {} at block {}: {} miners, {} failed, mean score {mean:.3}", r.round, r.block, r.scores.len(), r.failures)
                }
                LoopEvent::Round(_) => return,
                LoopEvent::Weights(WeightsOutcome::Set { uids, .. }) => format!("weights set on {} uids", uids.len()),
                LoopEvent::Weights(WeightsOutcome::Committed { uids, .. }) => format!("weights committed for {} uids", uids.len()),
                LoopEvent::Weights(WeightsOutcome::CommittedTimelocked { uids, reveal_round, .. }) => {
                    format!("weights for {} uids committed, timelocked to drand round {reveal_round}", uids.len())
                }
                LoopEvent::Weights(WeightsOutcome::Revealed { uids, .. }) => format!("weights revealed for {} uids", uids.len()),
                LoopEvent::Weights(WeightsOutcome::Refused(e)) => format!("the chain refused the weights (kept, retried): {e}"),
                LoopEvent::Weights(WeightsOutcome::NotDue) => return,
                LoopEvent::Error(e) => format!("error: {e}"),
            };
            if let Err(e) = writeln!(out, "{line}") {
                write_error.get_or_insert(e);
            }
        })
        .await?;
    match write_error {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// Serve metrics at `addr` if asked, saying where; stopped when the result drops.
async fn start_metrics(addr: Option<SocketAddr>, render: Render, out: &mut (dyn Write + Send)) -> Result<Option<AbortOnDrop>, CliError> {
    let Some(addr) = addr else { return Ok(None) };
    let (bound, task) = metrics::serve(addr, render).await?;
    writeln!(out, "metrics at http://{bound}/metrics")?;
    Ok(Some(AbortOnDrop(task)))
}

/// A background task stopped with its owner.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn miner_metrics(stats: &ServerStats) -> String {
    use std::sync::atomic::Ordering::Relaxed;
    let outcome = |name: &str| [("outcome", name.to_string())];
    let (served, refused, failed) = (outcome("served"), outcome("refused"), outcome("failed"));
    Exposition::new()
        .metric(
            "subnet_miner_requests_total",
            "counter",
            "Requests by outcome: served, refused before the handler, failed in it.",
            &[
                (&served, stats.served.load(Relaxed) as f64),
                (&refused, stats.refused.load(Relaxed) as f64),
                (&failed, stats.failed.load(Relaxed) as f64),
            ],
        )
        .metric(
            "subnet_miner_handler_seconds_total",
            "counter",
            "Time spent in the handler.",
            &[(&[], stats.handler_micros.load(Relaxed) as f64 / 1e6)],
        )
        .finish()
}

/// What the validator loop did, for its metrics.
#[derive(Default)]
struct ValidatorCounters {
    rounds: u64,
    queries: u64,
    failures: u64,
    weights_submitted: u64,
    weights_refused: u64,
    errors: u64,
    last_scores: Vec<(u16, f64)>,
}

impl ValidatorCounters {
    fn record(&mut self, event: &LoopEvent) {
        match event {
            LoopEvent::Round(r) => {
                self.rounds += 1;
                self.queries += r.scores.len() as u64;
                self.failures += r.failures as u64;
                self.last_scores = r.scores.clone();
            }
            LoopEvent::Weights(WeightsOutcome::Refused(_)) => self.weights_refused += 1,
            LoopEvent::Weights(WeightsOutcome::NotDue) => {}
            LoopEvent::Weights(_) => self.weights_submitted += 1,
            LoopEvent::Error(_) => self.errors += 1,
        }
    }

    fn render(&self) -> String {
        let uid_labels: Vec<[(&str, String); 1]> = self.last_scores.iter().map(|(uid, _)| [("uid", uid.to_string())]).collect();
        let scores: Vec<(&[(&str, String)], f64)> = uid_labels.iter().zip(&self.last_scores).map(|(l, (_, s))| (&l[..], *s)).collect();
        let count = |name: &str, help: &str, v: u64| (name.to_string(), help.to_string(), v);
        let mut e = Exposition::new();
        for (name, help, v) in [
            count("subnet_validator_rounds_total", "Validation rounds run.", self.rounds),
            count("subnet_validator_queries_total", "Miners queried.", self.queries),
            count("subnet_validator_query_failures_total", "Queries without a usable answer.", self.failures),
            count("subnet_validator_weights_submitted_total", "Weights set, committed or revealed.", self.weights_submitted),
            count("subnet_validator_weights_refused_total", "Weight submissions the chain refused.", self.weights_refused),
            count("subnet_validator_errors_total", "Rounds or submissions that failed.", self.errors),
        ] {
            e.metric(&name, "counter", &help, &[(&[], v as f64)]);
        }
        e.metric("subnet_validator_round_score", "gauge", "Each miner's score in the last round.", &scores);
        e.finish()
    }
}

async fn wait_for(mut stop: tokio::sync::watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}
