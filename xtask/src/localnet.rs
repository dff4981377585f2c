//! `cargo xtask localnet`: the embedded local chain served as a Substrate node
//! (JSON-RPC on 127.0.0.1:9944), for subxt, Polkadot tools and the subnet binaries.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use subnet_core::chain::node::LocalNode;
use subnet_core::chain::{BlockMode, LocalChain, LocalChainConfig};

pub(crate) struct Options {
    pub addr: SocketAddr,
    /// `instant`, `manual`, or a block time in milliseconds.
    pub blocks: String,
    /// A state directory: every block is saved to it as it is sealed, and a start
    /// (after Ctrl-C or a crash) continues the chain it holds.
    pub state: Option<PathBuf>,
    /// New subnets are dynamic (pools, emission by price, lock cost and pruning).
    pub dynamic: bool,
}

fn block_mode(s: &str) -> Result<BlockMode> {
    Ok(match s {
        "instant" => BlockMode::Instant,
        "manual" => BlockMode::Manual,
        ms => {
            let ms: u64 = ms.parse().with_context(|| format!("--blocks {ms:?}: use instant, manual or milliseconds"))?;
            if ms == 0 {
                bail!("--blocks 0: use instant for a block per extrinsic");
            }
            BlockMode::Timed(Duration::from_millis(ms))
        }
    })
}

pub(crate) fn run(options: Options) -> Result<()> {
    let mode = block_mode(&options.blocks)?;
    let dynamic = options.dynamic;
    let genesis = move || {
        let mut config = LocalChainConfig::dev_accounts();
        config.economy.dynamic_subnets = dynamic;
        LocalChain::new(config)
    };
    let node = match &options.state {
        Some(dir) if dir.is_file() => bail!("--state {}: a file; the state is now a directory (blocks.log, node.json)", dir.display()),
        Some(dir) => LocalNode::open(dir, mode, genesis).with_context(|| format!("opening the state directory {}", dir.display()))?,
        None => LocalNode::new(genesis(), mode),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let running = node.clone().serve(options.addr).await.with_context(|| format!("binding {}", options.addr))?;
        eprintln!("local Subtensor-like node on {} ({mode:?} blocks)", running.url());
        eprintln!("  dev accounts //Alice (sudo) .. //Ferdie hold 1,000,000 TAO each");
        eprintln!("  dev_newBlock {{\"count\": n}} seals blocks by hand; Ctrl-C stops");
        if let Some(dir) = &options.state {
            let best = node.lock().ledger.best().number();
            eprintln!("  every block is saved to {} (at block {best} now); a restart continues from it", dir.display());
        }
        tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
        running.stop().await;
        Ok(())
    })
}
