//! A client connected to the served node lives through a runtime upgrade: the node
//! starts on an older runtime shaped like finney 393 where the client notices it (no
//! `get_subnet_hyperparams_v3`, no `set_activity_cutoff_factor`), then enacts the
//! current one at a block (`LocalNode::upgrade_runtime`, as `System::set_code` would).
//! The same client, without reconnecting, reads and encodes with the new metadata.

use subnet_core::chain::local::dev_keypair;
use subnet_core::chain::node::metadata::SPEC_VERSION;
use subnet_core::chain::node::runtime_api::RuntimeInfo;
use subnet_core::chain::node::{upgrade, LocalNode};
use subnet_core::chain::subtensor::{Network, SubtensorClient};
use subnet_core::chain::*;

const OLDER_SPEC: u32 = 393;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_runtime_upgrade_the_connected_client_uses_the_new_metadata() {
    let older = upgrade::runtime_without(
        OLDER_SPEC,
        &[("SubtensorModule", "set_activity_cutoff_factor")],
        &[("SubnetInfoRuntimeApi", "get_subnet_hyperparams_v3")],
    )
    .unwrap();
    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Instant).with_runtime(older);
    let running = node.clone().serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = SubtensorClient::connect(&Network::Url(running.url())).await.unwrap();
    let alice = dev_keypair("Alice");
    let netuid = client.register_network(&alice, dev_keypair("Bob").account_id()).await.unwrap();
    client.set_hyperparameter(&alice, netuid, Hyperparameter::Tempo(100)).await.unwrap();
    let local = || node.lock().chain.hyperparameters(netuid).unwrap();

    // The older runtime: hyperparameters from v2, which has no burn half-life (a runtime
    // without the rule reads 0) and the activity cutoff in blocks.
    let before = client.hyperparameters(netuid).await.unwrap();
    assert_eq!(before.tempo, 100);
    assert_eq!(before.burn_half_life, 0, "v2 carries no burn half-life");
    assert_ne!(local().burn_half_life, 0);
    assert_eq!(before.activity_cutoff_blocks(), local().activity_cutoff_blocks());
    // A setter the runtime lacks is refused by the client, naming the runtime.
    let refused = client.set_hyperparameter(&alice, netuid, Hyperparameter::ActivityCutoffFactorMilli(2500)).await.unwrap_err();
    assert_eq!(refused, ChainError::NotInRuntime { what: "SubtensorModule::set_activity_cutoff_factor".into(), spec_version: OLDER_SPEC });
    let older_block = client.block_number().await.unwrap();

    // The upgrade: blocks from the next one run the current runtime.
    node.upgrade_runtime(RuntimeInfo::new());
    node.seal_blocks(1);

    // The same client encodes the new call and reads v3.
    client.set_hyperparameter(&alice, netuid, Hyperparameter::ActivityCutoffFactorMilli(2500)).await.unwrap();
    let after = client.hyperparameters(netuid).await.unwrap();
    assert_eq!(after.activity_cutoff_factor_milli, 2500);
    assert_eq!(local().activity_cutoff_factor_milli, 2500);
    assert_eq!(after.burn_half_life, local().burn_half_life, "v3 carries the burn half-life");
    // Each block keeps the runtime it ran.
    assert_eq!(client.api().at_current_block().await.unwrap().spec_version(), SPEC_VERSION);
    assert_eq!(client.api().at_block(older_block).await.unwrap().spec_version(), OLDER_SPEC);
    running.stop().await;
}
