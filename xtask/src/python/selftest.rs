//! The `subnet_core` package's own tests (`subnet-core/python/tests`, plain
//! `unittest`): the wheel installed in a scratch venv, the sum subnet's generated
//! module, and a served localnet on which this side created the subnet, registered a
//! miner and a caller, and wrote their wallets as `btcli` would.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use subnet_core::chain::local::dev_keypair;
use subnet_core::chain::node::LocalNode;
use subnet_core::chain::subtensor::{Network, SubtensorClient};
use subnet_core::chain::{BlockMode, Chain, Hyperparameter, LocalChain, LocalChainConfig, Signer};
use subnet_core::keys::{Keypair, Wallet};
use subnet_core::spec::{protocol_json, AccessRules, Protocol, SubnetSpec};

use super::{ensure_runtime_venv, python_module, wheel::workspace};

/// Build and install the wheel, set up the chain, run the tests.
pub(crate) fn run(python: &str) -> Result<()> {
    let root = workspace()?;
    let interpreter = ensure_runtime_venv("venv-selftest", python)?;
    let work = root.join("target/python/selftest");
    if work.exists() {
        std::fs::remove_dir_all(&work).with_context(|| format!("clearing {}", work.display()))?;
    }
    std::fs::create_dir_all(&work)?;
    let protocol = sum_subnet::sum::Subnet::protocol();
    std::fs::write(work.join("sum_protocol.py"), python_module(&protocol_json(&protocol))?)?;
    std::fs::write(work.join("count_protocol.py"), python_module(&protocol_json(&streamed_protocol()))?)?;
    std::fs::write(work.join("limited_protocol.py"), python_module(&protocol_json(&limited_protocol(&protocol)))?)?;

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Instant);
    let running = runtime.block_on(node.serve("127.0.0.1:0".parse::<SocketAddr>()?)).context("serving the localnet")?;
    let url = running.url();
    let netuid = runtime.block_on(prepare_chain(&url, &work.join("wallets")));
    let result = netuid.and_then(|netuid| {
        let status = Command::new(&interpreter)
            .args(["-m", "unittest", "discover", "-v", "-s"])
            .arg(root.join("subnet-core/python/tests"))
            .env("SUBNET_TEST_CHAIN", &url)
            .env("SUBNET_TEST_NETUID", netuid.to_string())
            .env("SUBNET_TEST_WALLETS", work.join("wallets"))
            .env("SUBNET_TEST_PROTOCOL_DIR", &work)
            .env("SUBNET_TEST_FINGERPRINT", protocol.fingerprint())
            .env("SUBNET_TEST_ACCESS", serde_json::to_string(&protocol.access)?)
            .env_remove("BT_HOTKEY_PASSWORD")
            .env_remove("BT_COLDKEY_PASSWORD")
            .status()
            .context("starting the Python tests")?;
        if !status.success() {
            bail!("the subnet_core package's tests failed ({status})");
        }
        Ok(())
    });
    runtime.block_on(running.stop());
    result
}

/// A subnet with one streamed task, for the streaming tests: `Count { n, pause_ms }`
/// answered by `n` chunks `Number { value }`.
fn streamed_protocol() -> Protocol {
    Protocol::new("count", 1, &[("Count", "Number", true)])
        .with_types(&[("Count", Some(&[("n", "u32"), ("pause_ms", "u64")])), ("Number", Some(&[("value", "u32")]))])
}

/// The sum subnet declared with a tight rate limit (3 requests at once, then 1 a
/// second per caller) and open to every registered neuron: the access tests see the
/// Python miner apply these rules, not the default.
fn limited_protocol(sum: &Protocol) -> Protocol {
    Protocol { name: "limited".into(), ..sum.clone() }.with_access(AccessRules::validators_only().allow_non_validators().rate_limit(1.0, 3))
}

/// The password of the `locked` wallet's coldkey, which the tests get wrong on purpose.
const LOCKED_PASSWORD: &str = "correct horse";

/// A subnet with a registered `miner` and `caller`, an unregistered `newcomer` (its
/// coldkey in the clear, funded) and `locked` (its coldkey encrypted); the netuid.
async fn prepare_chain(url: &str, wallets: &Path) -> Result<u16> {
    let chain = SubtensorClient::connect(&Network::parse(url).map_err(anyhow::Error::msg)?).await?;
    let owner = dev_keypair("Alice");
    let netuid = chain.register_network(&owner, dev_keypair("Alice//owner-hotkey").account_id()).await?;
    chain.start_call(&owner, netuid).await?;
    // Tests serve more than once from one hotkey.
    chain.set_hyperparameter(&owner, netuid, Hyperparameter::ServingRateLimit(0)).await?;
    let wallet = |name: &str, hotkey: &Keypair, coldkey: &Keypair, password: Option<&str>| -> Result<()> {
        let w = Wallet::new(wallets.to_path_buf(), name, "default")?;
        w.set_hotkey(hotkey, true)?;
        w.set_coldkey(coldkey, password, true)?;
        Ok(())
    };
    for (name, coldkey, registered) in [("miner", "Bob", true), ("caller", "Charlie", true), ("newcomer", "Dave", false)] {
        let hotkey = dev_keypair(&format!("{coldkey}//{name}"));
        let coldkey = dev_keypair(coldkey);
        if registered {
            chain.burned_register(&coldkey, netuid, hotkey.account_id()).await?;
        }
        wallet(name, &hotkey, &coldkey, None)?;
    }
    wallet("locked", &dev_keypair("Eve//locked"), &dev_keypair("Eve"), Some(LOCKED_PASSWORD))?;
    Ok(netuid)
}
