//! `bench localnet`: the local chain served as a Substrate node, driven through the
//! subxt client (`SubtensorClient`) as a subnet's binaries drive it.
//!
//! The subnet is full: 256 UIDs, 64 staked validators with permits and full weight
//! rows (so bonds and weights are in every metagraph read). Side by side, the same
//! metagraph read from the in-process chain.
//!
//! One signer at a time runs on a node with instant blocks (each submission seals its
//! own block), so its figure is the node's and the client's cost, not a block time.
//! The 64 signers at once need a block time: with a block per extrinsic the chain
//! would run 64 blocks ahead of each signer's view between signing and inclusion, past
//! the 32-block mortality subxt gives transactions, and the node would rightly refuse
//! them as Substrate does. Their node seals every 10 ms, whatever is pending.

use std::sync::Arc;
use std::time::{Duration, Instant};

use subnet_core::chain::node::{LocalNode, RunningNode};
use subnet_core::chain::subtensor::{Network, SubtensorClient};
use subnet_core::chain::{AccountId, BlockMode, Chain, Hyperparameter, LocalChain, LocalChainHandle, Signer};
use subnet_core::keys::Keypair;

use crate::Row;

const VALIDATORS: u16 = 64;
const BLOCK_TIME: Duration = Duration::from_millis(10);

fn hotkey(uid: u16) -> Keypair {
    let mut seed = [0u8; 32];
    seed[..2].copy_from_slice(&uid.to_le_bytes());
    seed[2] = 0xbe;
    Keypair::from_seed(&seed).expect("any 32 bytes are a seed")
}

/// A full weight row, different per validator and per submission.
fn weights(v: u16, round: u16) -> (Vec<u16>, Vec<u16>) {
    let uids: Vec<u16> = (0..256).collect();
    let values = uids.iter().map(|u| u.wrapping_mul(97).wrapping_add(v).wrapping_add(round) % 1000 + 1).collect();
    (uids, values)
}

pub(crate) fn run(sequential: usize, per_validator: usize, metagraph_reads: usize) -> Vec<Row> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    runtime.block_on(measure(sequential, per_validator, metagraph_reads))
}

async fn measure(sequential: usize, per_validator: usize, metagraph_reads: usize) -> Vec<Row> {
    let keys: Vec<Keypair> = (0..VALIDATORS).map(hotkey).collect();
    let accounts: Vec<AccountId> = keys.iter().map(|k| k.account_id()).collect();
    let (mut chain, netuid) = crate::chain::full_subnet_with(|uid| match accounts.get(uid as usize) {
        Some(a) => *a,
        None => hotkey(uid).account_id(),
    });
    let owner_coldkey = chain.metagraph(netuid).expect("subnet").neurons[0].coldkey;
    chain.set_hyperparameter(&owner_coldkey, netuid, Hyperparameter::WeightsSetRateLimit(0)).expect("owner");
    for v in 0..VALIDATORS {
        let (uids, values) = weights(v, 0);
        chain.set_weights(&accounts[v as usize], netuid, &uids, &values, 0).expect("valid weights");
    }
    chain.produce_blocks(360); // an epoch: bonds, incentive and dividends everywhere

    // The in-process baseline reads the very same state.
    let in_process = LocalChainHandle::new(chain.clone(), BlockMode::Manual);
    let (running, client) = serve(chain.clone(), BlockMode::Instant).await;

    let mut rows = Vec::new();
    let subnet = || vec![("n", 256.into()), ("validators", (VALIDATORS as u64).into())];

    // Metagraph: one runtime API call for the neurons, plus the registration blocks.
    let local_mg = in_process.metagraph(netuid).await.expect("metagraph");
    let remote_mg = client.metagraph(netuid).await.expect("metagraph");
    assert_eq!(remote_mg.neurons.len(), 256);
    assert_eq!(remote_mg.neurons, local_mg.neurons, "the served node and the chain disagree");
    let remote = median_async(metagraph_reads, || async { client.metagraph(netuid).await.expect("metagraph") }).await;
    let local = median_async(metagraph_reads, || async { in_process.metagraph(netuid).await.expect("metagraph") }).await;
    rows.push(Row { name: "localnet_metagraph_read".into(), value: ms(remote), unit: "ms", params: with(subnet(), "client", "subxt") });
    rows.push(Row { name: "inprocess_metagraph_read".into(), value: ms(local), unit: "ms", params: with(subnet(), "client", "in-process") });

    // One signer, one extrinsic at a time: sign, submit, wait for its block.
    let mut latencies = Vec::with_capacity(sequential);
    let start = Instant::now();
    for round in 0..sequential {
        let (uids, values) = weights(0, round as u16 + 1);
        let t = Instant::now();
        client.set_weights(&keys[0], netuid, &uids, &values, 0).await.expect("weights accepted");
        latencies.push(t.elapsed());
    }
    let elapsed = start.elapsed();
    rows.extend(extrinsic_rows("localnet_set_weights_sequential", 1, sequential, elapsed, latencies));

    running.stop().await;

    // Every validator at once, each waiting for its own extrinsic before the next.
    let (running, client) = serve(chain, BlockMode::Timed(BLOCK_TIME)).await;
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (v, key) in keys.iter().enumerate() {
        let (client, key) = (client.clone(), key.clone());
        tasks.spawn(async move {
            let mut out = Vec::with_capacity(per_validator);
            for round in 0..per_validator {
                let (uids, values) = weights(v as u16, 1_000 + round as u16);
                let t = Instant::now();
                client.set_weights(&key, netuid, &uids, &values, 0).await.expect("weights accepted");
                out.push(t.elapsed());
            }
            out
        });
    }
    let mut latencies = Vec::new();
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done.expect("a bench task"));
    }
    let elapsed = start.elapsed();
    let total = per_validator * VALIDATORS as usize;
    let mut concurrent = extrinsic_rows("localnet_set_weights_concurrent", VALIDATORS as usize, total, elapsed, latencies);
    for row in &mut concurrent {
        row.params.push(("block_time_ms", (BLOCK_TIME.as_millis() as u64).into()));
    }
    rows.extend(concurrent);
    running.stop().await;
    rows
}

/// Serve `chain` on a loopback port and connect the subxt client to it.
async fn serve(chain: LocalChain, mode: BlockMode) -> (RunningNode, Arc<SubtensorClient>) {
    let running = LocalNode::new(chain, mode).serve("127.0.0.1:0".parse().expect("an address")).await.expect("serve loopback");
    let client = SubtensorClient::connect(&Network::Url(running.url())).await.expect("connect");
    (running, Arc::new(client))
}

async fn median_async<T, F: std::future::Future<Output = T>>(runs: usize, mut f: impl FnMut() -> F) -> Duration {
    f().await;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f().await);
        times.push(t.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn with(mut params: Vec<(&'static str, serde_json::Value)>, key: &'static str, value: &str) -> Vec<(&'static str, serde_json::Value)> {
    params.push((key, value.into()));
    params
}

fn extrinsic_rows(name: &str, signers: usize, count: usize, elapsed: Duration, mut latencies: Vec<Duration>) -> Vec<Row> {
    latencies.sort();
    let pick = |p: f64| ms(latencies[((p * (latencies.len() - 1) as f64).round() as usize).min(latencies.len() - 1)]);
    let params = || vec![("signers", signers.into()), ("extrinsics", count.into()), ("weights_per_extrinsic", 256.into())];
    vec![
        Row { name: name.into(), value: count as f64 / elapsed.as_secs_f64(), unit: "per_second", params: params() },
        Row { name: format!("{name}_p50"), value: pick(0.50), unit: "ms", params: params() },
        Row { name: format!("{name}_p99"), value: pick(0.99), unit: "ms", params: params() },
    ]
}
