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
    /// Restore from this file at start (if it exists) and save to it on Ctrl-C.
    pub state: Option<PathBuf>,
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
    let node = match &options.state {
        Some(path) if path.exists() => LocalNode::load(path, mode).with_context(|| format!("restoring {}", path.display()))?,
        _ => LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), mode),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let running = node.clone().serve(options.addr).await.with_context(|| format!("binding {}", options.addr))?;
        eprintln!("local Subtensor-like node on {} ({mode:?} blocks)", running.url());
        eprintln!("  dev accounts //Alice (sudo) .. //Ferdie hold 1,000,000 TAO each");
        eprintln!(
            "  dev_newBlock {{\"count\": n}} seals blocks by hand; Ctrl-C stops{}",
            if options.state.is_some() { " and saves the state" } else { "" }
        );
        tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
        if let Some(path) = &options.state {
            node.save(path).with_context(|| format!("saving {}", path.display()))?;
            eprintln!("state saved to {}", path.display());
        }
        running.stop().await;
        Ok(())
    })
}
