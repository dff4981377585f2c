//! The command line every subnet binary gets, with Bittensor's flag names and `BT_*`
//! environment variables, so operators' scripts and habits carry over.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A subnet binary's command line: the global flags, then one subcommand.
#[derive(Parser, Debug, Clone)]
#[command(about = "A Bittensor subnet: miner, validator, registration and status")]
pub struct Cli {
    /// Flags every subcommand takes (netuid, wallet, network, logging, metrics).
    #[command(flatten)]
    pub common: Common,
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The global flags, with Bittensor's names (`--wallet.name`, `--subtensor.network`, ...).
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// The subnet's UID on the chain.
    #[arg(long, env = "BT_NETUID", global = true, default_value_t = 1)]
    pub netuid: u16,
    /// The wallet (coldkey) name, a directory under the wallet path.
    #[arg(long = "wallet.name", env = "BT_WALLET_NAME", global = true, default_value = "default")]
    pub wallet_name: String,
    /// The hotkey's name within the wallet.
    #[arg(long = "wallet.hotkey", env = "BT_WALLET_HOTKEY", global = true, default_value = "default")]
    pub wallet_hotkey: String,
    /// Where wallets live (default `~/.bittensor/wallets`).
    #[arg(long = "wallet.path", env = "BT_WALLET_PATH", global = true)]
    pub wallet_path: Option<PathBuf>,
    /// `finney`, `test`, `local`, or a `ws://`/`wss://` URL.
    #[arg(long = "subtensor.network", env = "BT_SUBTENSOR_NETWORK", global = true, default_value = "finney")]
    pub network: String,
    /// An explicit node endpoint; overrides `--subtensor.network`.
    #[arg(long = "subtensor.chain_endpoint", env = "BT_SUBTENSOR_CHAIN_ENDPOINT", global = true)]
    pub chain_endpoint: Option<String>,
    /// Log every round and request outcome.
    #[arg(long = "logging.debug", global = true)]
    pub debug: bool,
    /// Serve Prometheus metrics at http://<axon.ip or 0.0.0.0>:<port>/metrics (miner, validator).
    #[arg(long = "metrics.port", env = "BT_METRICS_PORT", global = true)]
    pub metrics_port: Option<u16>,
}

/// The subcommands.
#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Serve the miner: announce the axon on chain and answer validators.
    Miner(MinerArgs),
    /// Run the validator: challenge miners, score them, set weights.
    Validator(ValidatorArgs),
    /// Register the wallet's hotkey on the subnet (burned registration, paid by the coldkey).
    Register,
    /// Show the subnet's neurons and this wallet's place among them.
    Status,
    /// Print the subnet's protocol (tasks and answers) as JSON, for clients in other languages.
    Protocol,
}

/// Flags of `miner`: the axon's address and how to treat callers.
#[derive(Args, Debug, Clone)]
pub struct MinerArgs {
    /// The port to listen on, also announced on chain with the axon.
    #[arg(long = "axon.port", env = "BT_AXON_PORT", default_value_t = 8091)]
    pub port: u16,
    /// The address to listen on.
    #[arg(long = "axon.ip", env = "BT_AXON_IP", default_value = "0.0.0.0")]
    pub ip: IpAddr,
    /// The IP announced on chain (default: the listening address).
    #[arg(long = "axon.external_ip", env = "BT_AXON_EXTERNAL_IP")]
    pub external_ip: Option<IpAddr>,
    /// Register the hotkey first if it is not (pays the burn from the coldkey).
    #[arg(long)]
    pub register: bool,
    /// Refuse callers with less stake (TAO); default: the subnet's rule.
    #[arg(long = "blacklist.min_stake")]
    pub min_stake: Option<f64>,
    /// Admit registered callers without a validator permit.
    #[arg(long = "blacklist.allow_non_validators")]
    pub allow_non_validators: bool,
    /// Admit callers that are not registered at all (testing only).
    #[arg(long = "blacklist.allow_non_registered")]
    pub allow_non_registered: bool,
    /// Per-caller requests per second (0: no limit); default: the subnet's rule.
    #[arg(long = "axon.rate_limit")]
    pub rate_limit: Option<f64>,
    /// Test runs only: answer wrongly this percentage of the time, so that an
    /// end-to-end run has miners of differing quality (`cargo xtask test`).
    #[arg(long = "test.wrong_answer_percent", hide = true, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub wrong_answer_percent: Option<u8>,
    /// Test runs only: answer this many milliseconds late (a slow miner).
    #[arg(long = "test.answer_delay_ms", hide = true)]
    pub answer_delay_ms: Option<u64>,
}

/// Flags of `validator`: where scores are kept and how often rounds run.
#[derive(Args, Debug, Clone)]
pub struct ValidatorArgs {
    /// Where scores are kept across restarts (default
    /// `<wallet.path>/<wallet.name>/validator/netuid<N>-<hotkey>.json`).
    #[arg(long = "neuron.state_path")]
    pub state_path: Option<PathBuf>,
    /// Blocks between validation rounds.
    #[arg(long = "neuron.blocks_per_round", default_value_t = 10)]
    pub blocks_per_round: u64,
    /// Seed of challenges and miner sampling (default: from the hotkey).
    #[arg(long = "neuron.seed")]
    pub seed: Option<u64>,
    /// How weights are committed when the subnet has commit-reveal on: `auto`
    /// (timelocked to drand when the chain's commit-reveal version is 4, as on
    /// finney, else by hash) or `hash` (commit then reveal, always).
    #[arg(long = "neuron.commit_scheme", default_value = "auto", value_parser = ["auto", "hash"])]
    pub commit_scheme: String,
}

/// Where the chain is: Bittensor's network presets, or an explicit URL.
pub fn resolve_endpoint(common: &Common) -> Result<String, String> {
    if let Some(url) = &common.chain_endpoint {
        return check_url(url);
    }
    // The same presets as Bittensor's SDK (bittensor.core.settings).
    match common.network.as_str() {
        "finney" => Ok("wss://entrypoint-finney.opentensor.ai:443".into()),
        "test" => Ok("wss://test.finney.opentensor.ai:443".into()),
        "local" => Ok("ws://127.0.0.1:9944".into()),
        other => check_url(other).map_err(|_| format!("unknown network {other:?}: use finney, test, local or a ws:// URL")),
    }
}

fn check_url(url: &str) -> Result<String, String> {
    if url.starts_with("ws://") || url.starts_with("wss://") {
        Ok(url.to_string())
    } else {
        Err(format!("{url:?} is not a ws:// or wss:// URL"))
    }
}
