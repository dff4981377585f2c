//! [`run_local_net`]: a subnet on the embedded chain with miners (served over the
//! gRPC transport over TLS on loopback, or called in-process) and validators, epoch
//! after epoch, reported as tables.

use std::fmt::Write as _;
use std::sync::Arc;

use std::time::Duration;

use crate::chain::{
    AccountId, AxonInfo, BlockMode, Chain, ChainError, Hyperparameter, LocalChain, LocalChainConfig, LocalChainHandle, Metagraph, Signer,
    RAO_PER_TAO as TAO,
};
use crate::keys::Keypair;
use crate::miner::{MinerBehaviour, MinerError, ServeOptions, ServedMiner};
use crate::net::{Client, ClientOptions};
use crate::spec::{MinerSpec, Querier, SubnetSpec};
use crate::validator::{CommitScheme, Validator, ValidatorConfig, ValidatorError};

use super::InProcessMiners;

/// Validators whose rounds run concurrently in a run.
const VALIDATORS_AT_ONCE: usize = 8;

#[derive(Clone, Debug)]
pub struct LocalNetConfig {
    pub validators: usize,
    pub miners: Vec<MinerBehaviour>,
    pub epochs: usize,
    pub tempo: u16,
    /// Validator rounds per epoch.
    pub rounds_per_epoch: usize,
    pub seed: u64,
    pub transport: Transport,
    /// Commit-reveal on (version 4: timelocked commits the chain reveals itself).
    pub commit_reveal: bool,
}

/// How validators reach miners in a local run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// Each miner serves the gRPC transport over TLS on loopback and announces it with
    /// `serve_axon`; validators sign and send real requests.
    Grpc,
    /// Miners are called in this process, without sockets or signatures.
    InProcess,
}

impl Default for LocalNetConfig {
    /// The defaults of the run flags ([`RunArgs`](super::RunArgs)).
    fn default() -> Self {
        super::RunArgs::default().local_net_config()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LocalNetError {
    #[error("setting up the subnet: {0}")]
    Chain(#[from] ChainError),
    #[error("validator: {0}")]
    Validator(#[from] ValidatorError),
    #[error("miner: {0}")]
    Miner(#[from] MinerError),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Owner,
    Validator,
    Miner(MinerBehaviour),
}

/// One UID after an epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronRow {
    pub uid: u16,
    pub role: Role,
    pub stake: u64,
    /// The first validator's moving-average score for this UID.
    pub score: f64,
    /// The first validator's weight on this UID, as stored on chain (u16).
    pub weight: u16,
    pub incentive: u16,
    pub dividends: u16,
    pub emission: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EpochReport {
    pub epoch: usize,
    pub block: u64,
    pub neurons: Vec<NeuronRow>,
}

impl EpochReport {
    /// A human table.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(t, "epoch {} (block {})", self.epoch, self.block);
        let _ = writeln!(
            t,
            "{:>4} {:<12} {:>14} {:>6} {:>7} {:>10} {:>10} {:>14}",
            "uid", "role", "stake (TAO)", "score", "weight", "incentive", "dividends", "emission (TAO)"
        );
        for n in &self.neurons {
            let role = match n.role {
                Role::Owner => "owner".to_string(),
                Role::Validator => "validator".to_string(),
                Role::Miner(MinerBehaviour::Honest) => "miner".to_string(),
                Role::Miner(MinerBehaviour::Flaky(p)) => format!("miner {p}%bad"),
                Role::Miner(MinerBehaviour::Slow(d)) => format!("miner +{}ms", d.as_millis()),
                Role::Miner(MinerBehaviour::Dead) => "miner dead".to_string(),
            };
            let _ = writeln!(
                t,
                "{:>4} {:<12} {:>14.3} {:>6.3} {:>7} {:>10.4} {:>10.4} {:>14.4}",
                n.uid,
                role,
                n.stake as f64 / TAO as f64,
                n.score,
                n.weight,
                n.incentive as f64 / 65535.0,
                n.dividends as f64 / 65535.0,
                n.emission as f64 / TAO as f64,
            );
        }
        t
    }
}

/// How often each served miner re-reads the metagraph: every 200 ms up to 16
/// miners, then less often per miner so that all of them together read it as often
/// as 16 do. Each read copies every neuron's weights and bonds (64 validators ×
/// 191 miners in a full subnet) under the chain's lock; at a fixed 200 ms, 191
/// miners spent most of a full-size run re-reading a metagraph nobody had changed.
fn metagraph_refresh(miners: usize) -> Duration {
    const SMALL_RUN: usize = 16;
    Duration::from_millis(200) * (miners.div_ceil(SMALL_RUN).max(1) as u32)
}

/// A neuron's key, derived from its role and index (fast, unlike dev URIs' PBKDF2).
pub(crate) fn neuron_key(role: &str, i: usize) -> Keypair {
    let mut seed = [0u8; 32];
    let tag = format!("{role}/{i}");
    seed[..tag.len().min(32)].copy_from_slice(&tag.as_bytes()[..tag.len().min(32)]);
    Keypair::from_seed(&seed).expect("any 32 bytes are a seed")
}

fn account(k: &Keypair) -> AccountId {
    k.account_id()
}

/// Run `subnet` on a fresh local chain: register the neurons, run `epochs` epochs of
/// validator rounds and weights, and report each epoch. `on_epoch` sees each report
/// as it is made (for progress output).
pub async fn run_local_net<S: SubnetSpec>(
    config: &LocalNetConfig,
    mut on_epoch: impl FnMut(&EpochReport),
) -> Result<Vec<EpochReport>, LocalNetError> {
    let owner = neuron_key("owner", 0);
    let validator_keys: Vec<Keypair> = (0..config.validators).map(|i| neuron_key("validator", i)).collect();
    let miner_keys: Vec<Keypair> = (0..config.miners.len()).map(|i| neuron_key("miner", i)).collect();
    let validators: Vec<AccountId> = validator_keys.iter().map(account).collect();
    let miners: Vec<AccountId> = miner_keys.iter().map(account).collect();
    let mut funded = vec![account(&owner)];
    funded.extend(&validators);
    funded.extend(&miners);
    let chain = LocalChainHandle::new(LocalChain::new(LocalChainConfig::dev(account(&owner), &funded, 1_000_000 * TAO)), BlockMode::Manual);

    let netuid = chain.register_network(&owner, neuron_key("owner-hotkey", 0).account_id()).await?;
    chain.start_call(&owner, netuid).await?;
    for p in [
        Hyperparameter::Tempo(config.tempo),
        Hyperparameter::WeightsSetRateLimit(0),
        Hyperparameter::CommitRevealWeightsEnabled(config.commit_reveal),
        Hyperparameter::WeightsVersionKey(S::VERSION),
    ] {
        chain.set_hyperparameter(&owner, netuid, p).await?;
    }
    for (i, v) in validator_keys.iter().enumerate() {
        chain.burned_register(v, netuid, v.account_id()).await?;
        chain.add_stake(v, v.account_id(), netuid, (1_000 + 100 * i as u64) * TAO).await?;
    }
    let mut miner_uids = Vec::new();
    for m in &miner_keys {
        miner_uids.push(chain.burned_register(m, netuid, m.account_id()).await?);
    }
    chain.produce_blocks(config.tempo as u64); // a first epoch hands out permits

    let chain_dyn: Arc<dyn Chain> = Arc::new(chain.clone());
    let miner_impl: Arc<dyn MinerSpec> = Arc::new(S::miner());
    // Kept alive for the run: dropping a served miner stops it.
    let mut served: Vec<ServedMiner> = Vec::new();
    let mut queriers: Vec<Arc<dyn Querier>> = Vec::new();
    match config.transport {
        Transport::Grpc => {
            for ((m, behaviour), uid) in miner_keys.iter().zip(&config.miners).zip(&miner_uids) {
                let Some(handler) = behaviour.apply(miner_impl.clone(), *uid as u64) else {
                    // Dead: announced, but nothing listens there.
                    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_or(9, |a| a.port());
                    chain.serve_axon(m, netuid, AxonInfo { ip: 0, port, ip_type: 4, ..Default::default() }).await?;
                    continue;
                };
                let mut options = ServeOptions::local(netuid, S::VERSION);
                S::access().apply(&mut options.server);
                options.server.protocol = Some(S::protocol().fingerprint());
                // Blocks (and so rounds) come far faster than on a real chain here; a
                // per-second rate limit would refuse honest validators.
                options.server.rate_limit = None;
                // Blocks are produced in bursts here; re-read who may call often.
                options.metagraph_refresh = metagraph_refresh(config.miners.len());
                served.push(crate::miner::serve(chain_dyn.clone(), m, handler, options).await?);
            }
            for v in &validator_keys {
                let speaking = ClientOptions { protocol: Some(S::protocol().fingerprint()), ..ClientOptions::default() };
                queriers.push(Arc::new(Client::with_options(v.clone(), netuid, S::VERSION, speaking)));
            }
        }
        Transport::InProcess => {
            let mut querier = InProcessMiners::new(miner_impl.clone());
            if let Some(v) = validators.first() {
                querier = querier.caller(*v, 1_000 * TAO);
            }
            for (i, (m, behaviour)) in miner_keys.iter().zip(&config.miners).enumerate() {
                // IP 0: the chain allows it for testing, and in-process miners need no address.
                let axon = AxonInfo { ip: 0, port: 10_000 + i as u16, ip_type: 4, ..Default::default() };
                chain.serve_axon(m, netuid, axon).await?;
                querier = querier.with(m.account_id(), *behaviour);
            }
            let querier: Arc<dyn Querier> = Arc::new(querier);
            queriers = vec![querier; validator_keys.len()];
        }
    }

    let mut runners = Vec::new();
    for (i, (v, querier)) in validator_keys.iter().zip(queriers).enumerate() {
        let cfg = ValidatorConfig {
            netuid,
            mechanism: S::mechanism(),
            version_key: S::VERSION,
            state_path: None,
            seed: config.seed ^ i as u64,
            commit_scheme: CommitScheme::Auto,
        };
        runners.push(Validator::new(chain_dyn.clone(), querier, Box::new(v.clone()), S::judge(), cfg)?);
    }

    let blocks_per_round = (config.tempo as u64 / config.rounds_per_epoch.max(1) as u64).max(1);
    let mut reports = Vec::new();
    for epoch in 1..=config.epochs {
        let target = chain.block_number().await? + config.tempo as u64;
        while chain.block_number().await? < target {
            // Validators query at the same time, as on a subnet (a round reads only
            // the neurons and axons, which no round changes), a few at once so
            // requests stay well inside their timeout on a busy machine, each on a
            // task of its own so a multi-thread runtime signs and scores on all its
            // workers (`block_on`'s own future runs on one thread). Weights are
            // then set one validator after the other, as before.
            let mut waiting = std::mem::take(&mut runners).into_iter().peekable();
            while waiting.peek().is_some() {
                let tasks: Vec<_> = waiting
                    .by_ref()
                    .take(VALIDATORS_AT_ONCE)
                    .map(|mut v| {
                        tokio::spawn(async move {
                            let round = v.round().await;
                            (v, round)
                        })
                    })
                    .collect();
                for task in tasks {
                    // A panic in a round is a bug; pass it on as it was.
                    let (v, round) = task.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
                    round?;
                    runners.push(v);
                }
            }
            for v in runners.iter_mut() {
                v.maybe_set_weights().await?;
            }
            chain.produce_blocks(blocks_per_round.min(target - chain.block_number().await?));
        }
        let mg = chain.metagraph(netuid).await?;
        let scores = runners.first().map(|v| v.scores()).unwrap_or_default();
        let report = epoch_report(epoch, &mg, &miners, &config.miners, &validators, &scores);
        on_epoch(&report);
        reports.push(report);
    }
    // All at once: each waits for its connections to drain, and a full subnet has 191.
    futures::future::join_all(served.into_iter().map(|m| m.shutdown())).await;
    Ok(reports)
}

/// The table row of every UID after an epoch: chain values, each hotkey's role, and
/// the first validator's `scores` and on-chain weights.
pub(crate) fn epoch_report(
    epoch: usize,
    mg: &Metagraph,
    miners: &[AccountId],
    behaviours: &[MinerBehaviour],
    validators: &[AccountId],
    scores: &[(u16, f64)],
) -> EpochReport {
    let role_of = |hotkey: &AccountId| match miners.iter().position(|m| m == hotkey) {
        Some(i) => Role::Miner(behaviours[i]),
        None if validators.contains(hotkey) => Role::Validator,
        None => Role::Owner,
    };
    let scorer = validators.first();
    let weights = mg.neurons.iter().find(|n| Some(&n.hotkey) == scorer).map(|n| n.weights.clone()).unwrap_or_default();
    let neurons = mg
        .neurons
        .iter()
        .map(|n| NeuronRow {
            uid: n.uid,
            role: role_of(&n.hotkey),
            stake: n.stake,
            score: scores.iter().find(|(u, _)| *u == n.uid).map_or(0.0, |(_, s)| *s),
            weight: weights.iter().find(|(u, _)| *u == n.uid).map_or(0, |(_, w)| *w),
            incentive: n.incentive,
            dividends: n.dividends,
            emission: n.emission,
        })
        .collect();
    EpochReport { epoch, block: mg.block, neurons }
}
