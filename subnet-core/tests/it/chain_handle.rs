//! The local chain behind the async `Chain` trait, in its three block modes.

use crate::support::acct;
use std::sync::Arc;
use std::time::Duration;

use subnet_core::chain::{AccountId, BlockMode, Chain, ChainError, LocalChain, LocalChainConfig, LocalChainHandle};

fn handle(mode: BlockMode) -> LocalChainHandle {
    let accounts: Vec<AccountId> = (1..20).map(acct).collect();
    LocalChainHandle::new(LocalChain::new(LocalChainConfig::dev(acct(1), &accounts, 1_000_000_000_000_000)), mode)
}

#[tokio::test]
async fn instant_mode_seals_a_block_per_successful_extrinsic() {
    let h = handle(BlockMode::Instant);
    let chain: Arc<dyn Chain> = Arc::new(h.clone());
    let mut blocks = chain.subscribe_blocks();
    let netuid = chain.register_network(&acct(2), acct(3)).await.unwrap();
    assert_eq!(chain.block_number().await.unwrap(), 1);
    assert!(blocks.has_changed().unwrap());
    assert_eq!(*blocks.borrow_and_update(), 1);
    // A failed extrinsic seals nothing.
    assert_eq!(chain.burned_register(&acct(4), 99, acct(5)).await, Err(ChainError::SubnetNotExists));
    assert_eq!(chain.block_number().await.unwrap(), 1);
    let uid = chain.burned_register(&acct(4), netuid, acct(5)).await.unwrap();
    assert_eq!(uid, 1);
    assert_eq!(chain.metagraph(netuid).await.unwrap().neurons.len(), 2);
    assert_eq!(chain.block_number().await.unwrap(), 2);
}

#[tokio::test]
async fn manual_mode_only_moves_when_asked() {
    let h = handle(BlockMode::Manual);
    h.register_network(&acct(2), acct(3)).await.unwrap();
    assert_eq!(h.block_number().await.unwrap(), 0);
    assert_eq!(h.produce_blocks(360), 360);
    assert_eq!(h.block_number().await.unwrap(), 360);
    assert!(h.spawn_block_producer().is_none());
}

#[tokio::test]
async fn timed_mode_produces_blocks_on_its_own() {
    let h = handle(BlockMode::Timed(Duration::from_millis(5)));
    let mut blocks = h.subscribe_blocks();
    let producer = h.spawn_block_producer().unwrap();
    tokio::time::timeout(Duration::from_secs(5), async {
        while *blocks.borrow_and_update() < 3 {
            blocks.changed().await.unwrap();
        }
    })
    .await
    .expect("three blocks within five seconds");
    producer.abort();
    assert!(h.block_number().await.unwrap() >= 3);
}
