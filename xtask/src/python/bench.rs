//! `cargo xtask python-bench`: the sum subnet's miner answered by Rust and by a Python
//! handler behind the same Rust server (the `subnet_core` package), on loopback, hit by
//! the same Rust client: requests per second and latency, one at a time and 32 in
//! flight. Both miners are registered on a served localnet and found through their
//! axons, as a validator finds them. xtask is a debug build (the crypto crates
//! optimised, as in the workspace's dev profile): the figures compare the two
//! handlers, not the transport's best (`cargo xtask bench net` is the release build).

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use subnet_core::chain::local::dev_keypair;
use subnet_core::chain::node::LocalNode;
use subnet_core::chain::subtensor::{Network, SubtensorClient};
use subnet_core::chain::{BlockMode, Chain, Hyperparameter, LocalChain, LocalChainConfig, Signer};
use subnet_core::keys::Wallet;
use subnet_core::miner::ServeOptions;
use subnet_core::net::{axon_address, Client};
use subnet_core::spec::{protocol_json, Envelope, SubnetSpec};

use super::{ensure_runtime_venv, python_module, wheel::workspace};

type Sum = sum_subnet::sum::Subnet;

/// The Python miner: the sum subnet's task answered in Python.
const PY_MINER: &str = r#"
import sys
import subnet_core
import sum_protocol as p

def add(task):
    return p.Total(value=task.a + task.b)

raise SystemExit(subnet_core.run_miner(p.PROTOCOL, {"Add": add}, argv=sys.argv))
"#;

/// Kills the Python miner however the bench ends.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn run(python: &str, requests: usize) -> Result<()> {
    let root = workspace()?;
    let interpreter = ensure_runtime_venv("venv-selftest", python)?;
    let work = root.join("target/python/bench");
    std::fs::create_dir_all(&work)?;
    std::fs::write(work.join("sum_protocol.py"), python_module(&protocol_json(&Sum::protocol()))?)?;
    std::fs::write(work.join("py_miner.py"), PY_MINER)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Instant);
    let running = runtime.block_on(node.serve("127.0.0.1:0".parse::<SocketAddr>()?)).context("serving the localnet")?;
    let result = runtime.block_on(bench(&running.url(), &interpreter, &work, requests));
    runtime.block_on(running.stop());
    let rows = result?;
    println!("{:<34} {:>10} {:>10} {:>10}", "miner (sum task, loopback)", "req/s", "p50 µs", "p99 µs");
    for (name, rate, p50, p99) in rows {
        println!("{name:<34} {rate:>10.0} {p50:>10.0} {p99:>10.0}");
    }
    Ok(())
}

async fn bench(url: &str, python: &Path, work: &Path, requests: usize) -> Result<Vec<(String, f64, f64, f64)>> {
    let chain: Arc<dyn Chain> = Arc::new(SubtensorClient::connect(&Network::parse(url).map_err(anyhow::Error::msg)?).await?);
    let owner = dev_keypair("Alice");
    let netuid = chain.register_network(&owner, dev_keypair("Alice//owner").account_id()).await?;
    chain.start_call(&owner, netuid).await?;
    chain.set_hyperparameter(&owner, netuid, Hyperparameter::ServingRateLimit(0)).await?;
    let (rust_key, py_key, caller) = (dev_keypair("Bob//rust"), dev_keypair("Charlie//python"), dev_keypair("Dave//caller"));
    for (coldkey, hotkey) in [("Bob", &rust_key), ("Charlie", &py_key), ("Dave", &caller)] {
        chain.burned_register(&dev_keypair(coldkey), netuid, hotkey.account_id()).await?;
    }
    let wallets = work.join("wallets");
    let wallet = Wallet::new(wallets.clone(), "python", "default")?;
    wallet.set_hotkey(&py_key, true)?;

    let mut options = ServeOptions::local(netuid, Sum::VERSION);
    Sum::access().apply(&mut options.server);
    options.server.policy.require_validator_permit = false;
    options.server.rate_limit = None;
    let rust = subnet_core::miner::serve(chain.clone(), &rust_key, Arc::new(Sum::miner()), options).await?;

    let netuid_arg = netuid.to_string();
    let args = ["miner", "--netuid", &netuid_arg, "--subtensor.chain_endpoint", url, "--wallet.name", "python", "--wallet.path"];
    let child = Command::new(python)
        .arg(work.join("py_miner.py"))
        .args(args)
        .arg(&wallets)
        .args(["--axon.ip", "127.0.0.1", "--axon.port", "0", "--axon.external_ip", "0.0.0.0", "--blacklist.allow_non_validators"])
        .args(["--axon.rate_limit", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the Python miner")?;
    let _python = Reaped(child);
    let started = Instant::now();
    let py_addr = loop {
        let mg = chain.metagraph(netuid).await?;
        if let Some(addr) = mg.neurons.iter().find(|n| n.hotkey == py_key.account_id()).and_then(|n| n.axon.as_ref()).and_then(axon_address) {
            break addr;
        }
        anyhow::ensure!(started.elapsed() < Duration::from_secs(60), "the Python miner did not serve within 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    let client = Client::new(caller, netuid, Sum::VERSION);
    let mut rows = Vec::new();
    for (name, key, addr) in [("rust", rust_key.account_id().0, rust.addr), ("python", py_key.account_id().0, py_addr)] {
        rows.push(measure(&client, &format!("{name}_sequential"), key, addr, requests, 1).await?);
        rows.push(measure(&client, &format!("{name}_concurrent_32"), key, addr, requests, 32).await?);
    }
    rust.shutdown().await;
    Ok(rows)
}

/// `requests` calls, `in_flight` at a time (batches sent together, awaited together).
async fn measure(client: &Client, name: &str, key: [u8; 32], addr: SocketAddr, requests: usize, in_flight: usize) -> Result<(String, f64, f64, f64)> {
    let body = Bytes::from(Envelope::encode("Add", &sum_subnet::sum::Add { a: 2, b: 3 }));
    let timeout = Duration::from_secs(10);
    for _ in 0..20 {
        client.call(key, addr, "Add", body.clone(), timeout).await.with_context(|| format!("{name}: warm-up"))?;
    }
    let mut latencies = Vec::with_capacity(requests);
    let start = Instant::now();
    for _ in 0..requests.div_ceil(in_flight) {
        let calls = (0..in_flight).map(|_| async {
            let t = Instant::now();
            client.call(key, addr, "Add", body.clone(), timeout).await.map(|_| t.elapsed())
        });
        for latency in futures::future::join_all(calls).await {
            latencies.push(latency.with_context(|| name.to_string())?);
        }
    }
    let rate = latencies.len() as f64 / start.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
    Ok((name.to_string(), rate, at(0.5), at(0.99)))
}
