//! [`RunArgs`]: the flags of an end-to-end run and their defaults, declared once.
//! `cargo xtask test` flattens them into its `test` command and forwards them, the
//! runner it builds parses them, and benches and tests build their configurations
//! from them.

use super::local_net::{LocalNetConfig, Transport};
use crate::miner::MinerBehaviour;

/// Validator rounds per epoch in a run (not a flag).
pub(crate) const ROUNDS_PER_EPOCH: usize = 4;
/// Seed of the validators' challenges in a run (not a flag).
pub(crate) const SEED: u64 = 7;

/// The flags of an end-to-end run (clap `Args`, to be flattened into a command).
#[derive(clap::Args, Clone, Debug, PartialEq, Eq)]
pub struct RunArgs {
    /// Miners to register (a mix of honest, flaky and dead ones).
    #[arg(long, default_value_t = 4)]
    pub miners: usize,
    /// Validators to register and stake.
    #[arg(long, default_value_t = 1)]
    pub validators: usize,
    /// Epochs to run.
    #[arg(long, default_value_t = 6)]
    pub epochs: usize,
    /// Blocks per epoch (the subnet's `tempo` hyperparameter).
    #[arg(long, default_value_t = 20)]
    pub tempo: u16,
    /// How validators reach miners: `grpc` (loopback sockets, signed requests) or
    /// `in-process` (direct calls).
    #[arg(long, value_enum, default_value_t = Transport::Grpc)]
    pub transport: Transport,
    /// One OS process per neuron (the subnet's own `miner` and `validator`
    /// commands), on the local chain served as a Substrate node and reached
    /// through subxt, as on Bittensor.
    #[arg(long)]
    pub multi_process: bool,
    /// `local`, or the `ws://` URL of a node where //Alice may create a subnet and
    /// //Bob..//Ferdie hold funds (implies --multi-process).
    #[arg(long, default_value = "local")]
    pub chain: String,
    /// Block time of the served local chain in multi-process runs.
    #[arg(long, default_value_t = 50)]
    pub block_time_ms: u64,
    /// Commit-reveal on, as on a new finney subnet: validators commit weights
    /// timelocked to the chain's drand beacon (version 4) and the chain reveals them
    /// an epoch later.
    #[arg(long)]
    pub commit_reveal: bool,
    /// Multi-process runs: start each miner with this program and its leading
    /// arguments instead of the subnet's own binary (a Python miner: `<venv>/bin/python
    /// miner.py`); it gets the `miner` command's flags and the subnet's protocol
    /// fingerprint in `SUBNET_PROTOCOL_FINGERPRINT`. One flag per word:
    /// `--miner-command python3 --miner-command miner.py`.
    #[arg(long, value_name = "ARG", allow_hyphen_values = true)]
    pub miner_command: Vec<String>,
}

impl Default for RunArgs {
    fn default() -> Self {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            run: RunArgs,
        }
        // The defaults are the ones declared on the flags above.
        <Only as clap::Parser>::try_parse_from(["run"]).map(|o| o.run).expect("every flag has a default")
    }
}

/// A run that cannot work, refused before anything starts.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RunArgsError {
    #[error("--miners, --validators, --epochs and --tempo must be positive")]
    NotPositive,
    #[error(
        "{miners} miners + {validators} validators + the subnet owner are {total} neurons, more than the subnet's {max_uids} UIDs \
         (max_allowed_uids); at most {fit} miners fit with {validators} validators"
    )]
    TooManyNeurons { miners: usize, validators: usize, total: usize, max_uids: u16, fit: usize },
    #[error("--chain is local or a ws:// URL, got {0:?}")]
    Chain(String),
    #[error("--block-time-ms must be positive")]
    BlockTime,
    #[error("--transport in-process cannot cross processes; drop it or --multi-process")]
    InProcessAcrossProcesses,
    #[error("--miner-command starts miner processes: add --multi-process")]
    MinerCommandInProcess,
}

impl RunArgs {
    /// Refuse what cannot run, naming the numbers. A new subnet has
    /// `max_allowed_uids` UIDs (256 on Subtensor) and the owner's hotkey takes one
    /// when the subnet is registered (`do_register_network` registers it).
    pub fn check(&self) -> Result<(), RunArgsError> {
        if self.miners == 0 || self.validators == 0 || self.epochs == 0 || self.tempo == 0 {
            return Err(RunArgsError::NotPositive);
        }
        let max_uids = crate::chain::local::default_hyperparameters().max_allowed_uids;
        let total = self.miners.saturating_add(self.validators).saturating_add(1);
        if total > max_uids as usize {
            let fit = (max_uids as usize).saturating_sub(self.validators + 1);
            return Err(RunArgsError::TooManyNeurons { miners: self.miners, validators: self.validators, total, max_uids, fit });
        }
        if self.chain != "local" && !self.chain.starts_with("ws://") && !self.chain.starts_with("wss://") {
            return Err(RunArgsError::Chain(self.chain.clone()));
        }
        if !self.miner_command.is_empty() && !self.is_multi_process() {
            return Err(RunArgsError::MinerCommandInProcess);
        }
        if self.is_multi_process() {
            if self.block_time_ms == 0 {
                return Err(RunArgsError::BlockTime);
            }
            if self.transport == Transport::InProcess {
                return Err(RunArgsError::InProcessAcrossProcesses);
            }
        }
        Ok(())
    }

    /// One OS process per neuron: asked for, or implied by a node elsewhere, which
    /// only neurons of their own can reach.
    pub fn is_multi_process(&self) -> bool {
        self.multi_process || self.remote_chain().is_some()
    }

    /// The node's URL when `--chain` names one.
    pub fn remote_chain(&self) -> Option<String> {
        (self.chain != "local").then(|| self.chain.clone())
    }

    /// The in-process run these flags describe (hosting flags aside).
    pub fn local_net_config(&self) -> LocalNetConfig {
        LocalNetConfig {
            validators: self.validators,
            miners: MinerBehaviour::mix(self.miners),
            epochs: self.epochs,
            tempo: self.tempo,
            rounds_per_epoch: ROUNDS_PER_EPOCH,
            seed: SEED,
            transport: self.transport,
            commit_reveal: self.commit_reveal,
        }
    }

    /// The multi-process run these flags describe: `command` is the subnet's command
    /// line, `work_dir` gets wallets, state and logs.
    #[cfg(feature = "localnet")]
    pub fn multi_process_config(&self, command: Vec<std::ffi::OsString>, work_dir: std::path::PathBuf) -> super::MultiProcessConfig {
        let chain = match self.remote_chain() {
            Some(url) => super::ChainTarget::Remote(url),
            None => super::ChainTarget::Served { block_time: std::time::Duration::from_millis(self.block_time_ms) },
        };
        super::MultiProcessConfig {
            command,
            chain,
            validators: self.validators,
            miners: MinerBehaviour::mix(self.miners),
            epochs: self.epochs,
            tempo: self.tempo,
            rounds_per_epoch: ROUNDS_PER_EPOCH,
            work_dir,
            seed: SEED,
            commit_reveal: self.commit_reveal,
            miner_command: (!self.miner_command.is_empty()).then(|| self.miner_command.iter().map(Into::into).collect()),
        }
    }

    /// The same flags as a command line, to hand on to a runner.
    pub fn to_args(&self) -> Vec<String> {
        let transport = match self.transport {
            Transport::Grpc => "grpc",
            Transport::InProcess => "in-process",
        };
        let mut args = vec![
            "--miners".to_string(),
            self.miners.to_string(),
            "--validators".into(),
            self.validators.to_string(),
            "--epochs".into(),
            self.epochs.to_string(),
            "--tempo".into(),
            self.tempo.to_string(),
            "--transport".into(),
            transport.into(),
            "--chain".into(),
            self.chain.clone(),
            "--block-time-ms".into(),
            self.block_time_ms.to_string(),
        ];
        if self.multi_process {
            args.push("--multi-process".into());
        }
        if self.commit_reveal {
            args.push("--commit-reveal".into());
        }
        for word in &self.miner_command {
            args.push("--miner-command".into());
            args.push(word.clone());
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cmd {
        #[command(flatten)]
        run: RunArgs,
    }

    #[test]
    fn the_defaults_are_a_small_grpc_run() {
        let d = RunArgs::default();
        assert_eq!((d.miners, d.validators, d.epochs, d.tempo, d.transport), (4, 1, 6, 20, Transport::Grpc));
        assert_eq!((d.multi_process, d.chain.as_str(), d.block_time_ms), (false, "local", 50));
        assert_eq!(d.check(), Ok(()));
    }

    #[test]
    fn to_args_parses_back_to_the_same_flags() {
        let run = RunArgs {
            miners: 9,
            validators: 3,
            epochs: 2,
            tempo: 7,
            transport: Transport::InProcess,
            multi_process: true,
            chain: "ws://127.0.0.1:9944".into(),
            block_time_ms: 250,
            commit_reveal: true,
            miner_command: vec!["/venv/bin/python".into(), "miner.py".into(), "-u".into()],
        };
        let args = std::iter::once("run".to_string()).chain(run.to_args());
        assert_eq!(Cmd::try_parse_from(args).unwrap().run, run);
    }

    #[test]
    fn a_miner_command_needs_miner_processes() {
        let run = RunArgs { miner_command: vec!["python3".into(), "miner.py".into()], ..RunArgs::default() };
        assert_eq!(run.check(), Err(RunArgsError::MinerCommandInProcess));
        assert_eq!(RunArgs { multi_process: true, ..run }.check(), Ok(()));
    }

    #[test]
    fn a_full_subnet_fits_and_one_more_neuron_is_refused_up_front() {
        let full = RunArgs { miners: 191, validators: 64, ..RunArgs::default() };
        assert_eq!(full.check(), Ok(()));
        let over = RunArgs { miners: 192, ..full };
        let err = over.check().unwrap_err();
        assert_eq!(err, RunArgsError::TooManyNeurons { miners: 192, validators: 64, total: 257, max_uids: 256, fit: 191 });
        assert!(err.to_string().contains("257 neurons, more than the subnet's 256 UIDs"), "{err}");
    }

    #[test]
    fn hosting_flags_are_checked_together() {
        let remote = RunArgs { chain: "ws://node:9944".into(), ..RunArgs::default() };
        assert!(remote.is_multi_process());
        assert_eq!(RunArgs { transport: Transport::InProcess, ..remote }.check(), Err(RunArgsError::InProcessAcrossProcesses));
        assert_eq!(RunArgs { chain: "http://x".into(), ..RunArgs::default() }.check(), Err(RunArgsError::Chain("http://x".into())));
        assert_eq!(RunArgs { epochs: 0, ..RunArgs::default() }.check(), Err(RunArgsError::NotPositive));
    }
}
