//! The generated command line against the in-process local chain: register, serve a
//! miner, run a validator that sets weights, and read the status, each as an operator
//! would type it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use subnet_core::chain::{BlockMode, Chain, Hyperparameter, LocalChain, LocalChainConfig, LocalChainHandle, Signer};
use subnet_core::cli::{run, Cli, CliError, Connector, SubtensorConnector};
use subnet_core::keys::{Keypair, Wallet};
use subnet_core::prelude::*;

#[subnet(name = "sum", version = 3)]
pub mod sum {
    use super::*;
    #[task]
    pub struct Add {
        pub a: i64,
        pub b: i64,
    }
    #[answer]
    pub struct Total {
        pub value: i64,
    }
    #[challenge]
    fn make(rng: &mut Rng) -> Add {
        Add { a: rng.gen_range(0..99), b: 1 }
    }
    #[miner]
    async fn solve(task: Add) -> Result<Total> {
        Ok(Total { value: task.a + task.b })
    }
    #[score]
    fn score(task: &Add, answer: &Total) -> f64 {
        (answer.value == task.a + task.b) as u8 as f64
    }
    #[incentive]
    const MECHANISM: Incentive = Incentive::moving_average(0.5);
    /// The validator below stakes 1,000 TAO; this rule must let it through.
    #[access]
    const ACCESS: AccessRules = AccessRules::validators_only().min_stake_tao(500);
}

use subnet_core::chain::RAO_PER_TAO as TAO;

struct Local(LocalChainHandle);

#[async_trait::async_trait]
impl Connector for Local {
    async fn connect(&self, endpoint: &str) -> std::result::Result<Arc<dyn Chain>, String> {
        assert_eq!(endpoint, "ws://127.0.0.1:9944", "--subtensor.network local");
        Ok(Arc::new(self.0.clone()))
    }
}

/// A writer the test can read while a command is still running.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Output {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn args(wallets: &std::path::Path, wallet: &str, rest: &[&str]) -> Cli {
    let mut v = vec!["sum", "--subtensor.network", "local", "--netuid", "1", "--wallet.path", wallets.to_str().unwrap(), "--wallet.name", wallet];
    v.extend_from_slice(rest);
    Cli::try_parse_from(v).unwrap()
}

fn make_wallet(dir: &std::path::Path, name: &str) -> Keypair {
    let w = Wallet::new(dir, name, "default").unwrap();
    let cold = w.create_new_coldkey(12, None, false).unwrap();
    w.create_new_hotkey(12, false).unwrap();
    cold
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_serve_validate_and_status_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (validator_cold, miner_cold) = (make_wallet(dir.path(), "val"), make_wallet(dir.path(), "mine"));
    let owner = Keypair::from_seed(&[1; 32]).unwrap();
    let funded = [owner.account_id(), validator_cold.account_id(), miner_cold.account_id()];
    let chain = LocalChainHandle::new(LocalChain::new(LocalChainConfig::dev(owner.account_id(), &funded, 10_000 * TAO)), BlockMode::Manual);
    let netuid = chain.register_network(&owner, Keypair::from_seed(&[2; 32]).unwrap().account_id()).await.unwrap();
    chain.start_call(&owner, netuid).await.unwrap();
    assert_eq!(netuid, 1);
    for p in [
        Hyperparameter::Tempo(10),
        Hyperparameter::WeightsSetRateLimit(0),
        Hyperparameter::CommitRevealWeightsEnabled(false),
        Hyperparameter::WeightsVersionKey(3),
    ] {
        chain.set_hyperparameter(&owner, netuid, p).await.unwrap();
    }
    let local = Local(chain.clone());
    let (_never, no_stop) = tokio::sync::watch::channel(false);

    for wallet in ["val", "mine"] {
        let out = Output::default();
        run::<sum::Subnet>(args(dir.path(), wallet, &["register"]), &local, no_stop.clone(), &mut out.clone()).await.unwrap();
        assert!(out.text().contains("is uid"), "{}", out.text());
    }
    let validator_hot = Wallet::new(dir.path(), "val", "default").unwrap().hotkey_public().unwrap();
    chain.add_stake(&validator_cold, subnet_core::chain::AccountId(validator_hot.0), netuid, 1_000 * TAO).await.unwrap();
    chain.produce_blocks(12); // an epoch gives the validator its permit

    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let miner_out = Output::default();
    let miner = tokio::spawn({
        let (local, stop, mut out, dir) = (Local(chain.clone()), stop.clone(), miner_out.clone(), dir.path().to_path_buf());
        let cli =
            args(&dir, "mine", &["miner", "--axon.ip", "127.0.0.1", "--axon.port", "0", "--axon.external_ip", "0.0.0.0", "--metrics.port", "0"]);
        async move { run::<sum::Subnet>(cli, &local, stop, &mut out).await }
    });
    while !miner_out.text().contains("serving on") {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let validator_out = Output::default();
    let validator = tokio::spawn({
        let (local, stop, mut out, dir) = (Local(chain.clone()), stop.clone(), validator_out.clone(), dir.path().to_path_buf());
        let cli = args(&dir, "val", &["--logging.debug", "--metrics.port", "0", "validator", "--neuron.blocks_per_round", "2"]);
        async move { run::<sum::Subnet>(cli, &local, stop, &mut out).await }
    });
    for _ in 0..40 {
        chain.produce_blocks(1);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // Both neurons expose Prometheus metrics while they run.
    let miner_metrics = scrape(&miner_out.text()).await;
    let served_line = miner_metrics.lines().find(|l| l.starts_with("subnet_miner_requests_total{outcome=\"served\"}")).expect("served counter");
    assert!(served_line.split(' ').nth(1).unwrap().parse::<f64>().unwrap() > 0.0, "{miner_metrics}");
    let validator_metrics = scrape(&validator_out.text()).await;
    assert!(validator_metrics.contains("subnet_validator_round_score{uid=\""), "{validator_metrics}");
    assert!(!validator_metrics.contains("subnet_validator_weights_submitted_total 0\n"), "{validator_metrics}");

    stop_tx.send(true).unwrap();
    miner.await.unwrap().unwrap();
    validator.await.unwrap().unwrap();

    let (m, v) = (miner_out.text(), validator_out.text());
    assert!(v.contains("weights set on"), "{v}");
    assert!(v.contains("0 failed, mean score 1.000"), "{v}");
    let served: u64 = m.split("stopped: ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).expect("a stop line");
    assert!(served > 0, "{m}");
    assert!(dir.path().join("val/validator/netuid1-default.json").exists(), "scores persisted");
    let mg = chain.metagraph(netuid).await.unwrap();
    let miner_hot = Wallet::new(dir.path(), "mine", "default").unwrap().hotkey_public().unwrap();
    let miner_row = mg.neurons.iter().find(|n| n.hotkey.0 == miner_hot.0).unwrap();
    assert!(miner_row.incentive > 0, "the miner earned through the command-line neurons");

    let status = Output::default();
    run::<sum::Subnet>(args(dir.path(), "mine", &["status"]), &local, no_stop.clone(), &mut status.clone()).await.unwrap();
    let s = status.text();
    assert!(s.contains("subnet 1 at block") && s.contains("(this wallet)"), "{s}");
    assert!(s.contains(&format!("127.0.0.1:{}", miner_row.axon.unwrap().port)), "{s}");
}

/// GET the metrics whose address a command printed.
async fn scrape(output: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = output.split("metrics at http://").nth(1).and_then(|r| r.split('/').next()).expect("a metrics address");
    let port = url.rsplit(':').next().unwrap();
    let mut s = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await.unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n").await.unwrap();
    let mut body = String::new();
    s.read_to_string(&mut body).await.unwrap();
    body
}

#[tokio::test]
async fn protocol_needs_no_chain_and_bad_endpoints_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let (_tx, stop) = tokio::sync::watch::channel(false);
    let out = Output::default();
    let cli = Cli::try_parse_from(["sum", "protocol"]).unwrap();
    run::<sum::Subnet>(cli, &SubtensorConnector, stop.clone(), &mut out.clone()).await.unwrap();
    assert!(out.text().contains(r#""tasks":[{"task":"Add","answer":"Total","streamed":false}]"#), "{}", out.text());

    let cli = Cli::try_parse_from(["sum", "--subtensor.network", "mainnet-please", "status"]).unwrap();
    let err = run::<sum::Subnet>(cli, &SubtensorConnector, stop.clone(), &mut Output::default()).await.unwrap_err();
    assert!(matches!(&err, CliError::Endpoint(m) if m.contains("finney, test, local")), "{err}");

    // Nothing listens there: the error names the endpoint.
    let cli = Cli::try_parse_from(["sum", "--subtensor.chain_endpoint", "ws://127.0.0.1:1", "status"]).unwrap();
    let err = run::<sum::Subnet>(cli, &SubtensorConnector, stop.clone(), &mut Output::default()).await.unwrap_err();
    assert!(err.to_string().contains("ws://127.0.0.1:1"), "{err}");

    // A missing wallet names the file it looked for.
    let cli = Cli::try_parse_from(["sum", "--subtensor.network", "local", "--wallet.path", dir.path().to_str().unwrap(), "register"]).unwrap();
    let chain =
        LocalChainHandle::new(LocalChain::new(LocalChainConfig::dev(Keypair::from_seed(&[1; 32]).unwrap().account_id(), &[], 0)), BlockMode::Manual);
    let err = run::<sum::Subnet>(cli, &Local(chain), stop, &mut Output::default()).await.unwrap_err();
    assert!(matches!(err, CliError::Wallet(_)), "{err}");
    assert!(err.to_string().contains("default"), "{err}");
}
