//! The served node as a pruning Substrate node behaves: reads at a block see that
//! block's state, pruned states answer "state discarded", and a node with a state
//! directory restarts with its chain after being killed.

use subnet_core::chain::local::dev_keypair;
use subnet_core::chain::node::ledger::STATES_KEPT;
use subnet_core::chain::node::LocalNode;
use subnet_core::chain::*;
use subxt::rpcs::{rpc_params, RpcClient};

fn account_key(who: &AccountId) -> String {
    let mut key = sp_crypto_hashing::twox_128(b"System").to_vec();
    key.extend_from_slice(&sp_crypto_hashing::twox_128(b"Account"));
    key.extend_from_slice(&sp_crypto_hashing::blake2_128(&who.0));
    key.extend_from_slice(&who.0);
    format!("0x{}", hex::encode(key))
}

fn hex_hash(hash: [u8; 32]) -> String {
    format!("0x{}", hex::encode(hash))
}

/// `AccountInfo`'s free balance: nonce, consumers, providers, sufficients (4 × u32), then free (u64).
fn free_balance(value: &serde_json::Value) -> u64 {
    let bytes = hex::decode(value.as_str().expect("a stored account").trim_start_matches("0x")).unwrap();
    u64::from_le_bytes(bytes[16..24].try_into().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_and_runtime_calls_read_the_state_of_the_block_named() {
    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Manual);
    let running = node.clone().serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let rpc = RpcClient::from_insecure_url(running.url()).await.unwrap();
    let alice = dev_keypair("Alice");

    let before = node.seal_blocks(1);
    node.lock().chain.register_network(&alice, dev_keypair("Bob").account_id()).unwrap();
    let after = node.seal_blocks(1);

    let key = account_key(&alice.account_id());
    let at = |hash| {
        let rpc = rpc.clone();
        let key = key.clone();
        async move { rpc.request::<serde_json::Value>("state_getStorage", rpc_params![key, hex_hash(hash)]).await.unwrap() }
    };
    let (old, new) = (free_balance(&at(before).await), free_balance(&at(after).await));
    assert_eq!(old - new, node.lock().chain.config.network_lock_cost, "the lock cost is paid between the two blocks");

    // A runtime call at the earlier block sees no subnet yet.
    let netuid = codec::Encode::encode(&1u16);
    let call = |hash| {
        let rpc = rpc.clone();
        let data = format!("0x{}", hex::encode(&netuid));
        async move {
            let out: String =
                rpc.request("state_call", rpc_params!["SubnetInfoRuntimeApi_get_subnet_hyperparams_v3", data, hex_hash(hash)]).await.unwrap();
            hex::decode(out.trim_start_matches("0x")).unwrap()
        }
    };
    assert_eq!(call(before).await, vec![0], "None: no subnet 1 at the earlier block");
    assert_eq!(call(after).await[0], 1, "Some: subnet 1 exists at the later block");
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn states_older_than_the_window_are_discarded_not_replaced_by_the_latest() {
    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Manual);
    let running = node.clone().serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let rpc = RpcClient::from_insecure_url(running.url()).await.unwrap();
    let first = node.seal_blocks(1);
    node.seal_blocks(STATES_KEPT as u64 - 1);
    let key = account_key(&dev_keypair("Alice").account_id());
    let read = |hash| rpc.request::<serde_json::Value>("state_getStorage", rpc_params![key.clone(), hex_hash(hash)]);
    assert!(read(first).await.is_ok(), "the oldest block of the window is still readable");
    node.seal_blocks(1);
    let err = read(first).await.expect_err("pruned");
    assert!(err.to_string().contains("State already discarded"), "{err}");
    // The block itself is still known.
    let header: serde_json::Value = rpc.request("chain_getHeader", rpc_params![hex_hash(first)]).await.unwrap();
    assert!(header.is_object());
    let err = read([7; 32]).await.expect_err("unknown");
    assert!(err.to_string().contains("UnknownBlock"), "{err}");
    running.stop().await;
}

#[test]
fn a_killed_node_restarts_with_every_block_it_saved() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = || LocalChain::new(LocalChainConfig::dev_accounts());
    let node = LocalNode::open(dir.path(), BlockMode::Manual, genesis).unwrap();
    let genesis_hash = node.genesis_hash();
    node.lock().chain.register_network(&dev_keypair("Alice"), dev_keypair("Bob").account_id()).unwrap();
    node.seal_blocks(5);
    let (best, chain) = {
        let state = node.lock();
        (state.ledger.best().clone(), state.chain.clone())
    };
    // No shutdown, no save: what a `kill -9` leaves behind is what the node wrote as it went.
    drop(node);
    let again = LocalNode::open(dir.path(), BlockMode::Manual, || panic!("the directory holds a chain")).unwrap();
    assert_eq!(again.genesis_hash(), genesis_hash);
    {
        let state = again.lock();
        assert_eq!(state.ledger.best().hash, best.hash);
        assert_eq!(state.chain, chain);
        assert_eq!(state.ledger.recent.len(), 5, "every block after genesis");
    }
    // It goes on from there, and a torn record at the end (killed mid-write) costs
    // only that record.
    let next = again.seal_blocks(1);
    drop(again);
    let log = dir.path().join("blocks.log");
    let mut bytes = std::fs::read(&log).unwrap();
    bytes.extend_from_slice(&[200, 0, 0, 0, 1, 2]);
    std::fs::write(&log, bytes).unwrap();
    let third = LocalNode::open(dir.path(), BlockMode::Manual, || panic!("the directory holds a chain")).unwrap();
    assert_eq!(third.lock().ledger.best().hash, next);
}

#[test]
fn a_state_directory_that_is_not_one_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("node.json"), b"{ not json").unwrap();
    std::fs::write(dir.path().join("blocks.log"), b"").unwrap();
    let err = LocalNode::open(dir.path(), BlockMode::Manual, || LocalChain::new(LocalChainConfig::dev_accounts())).err().expect("refused");
    assert!(err.to_string().contains("node.json"), "{err}");
}

/// Run by [`a_node_killed_with_sigkill_restarts_with_its_chain`] in a child process:
/// a node on 10 ms blocks saving to `SERVED_NODE_STATE_DIR`, until killed.
#[test]
fn node_process_for_the_kill_test() {
    let Some(dir) = std::env::var_os("SERVED_NODE_STATE_DIR") else { return };
    let node = LocalNode::open(std::path::Path::new(&dir), BlockMode::Manual, || LocalChain::new(LocalChainConfig::dev_accounts())).unwrap();
    node.lock().chain.register_network(&dev_keypair("Alice"), dev_keypair("Bob").account_id()).unwrap();
    loop {
        node.seal_blocks(1);
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn a_node_killed_with_sigkill_restarts_with_its_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "served_node::node_process_for_the_kill_test", "--nocapture"])
        .env("SERVED_NODE_STATE_DIR", dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Let it seal some blocks, then kill it without warning (SIGKILL on Unix). Each
    // sealed block appends to the log, so 8 growths seen mean at least 8 blocks
    // written, however slowly a loaded machine runs the child (a fixed sleep did not).
    let log = dir.path().join("blocks.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let (mut growths, mut last_len) = (0, 0);
    while growths < 8 && std::time::Instant::now() < deadline {
        let len = std::fs::metadata(&log).map_or(0, |m| m.len());
        if len > last_len {
            (growths, last_len) = (growths + 1, len);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let node = LocalNode::open(dir.path(), BlockMode::Manual, || panic!("the directory holds a chain")).unwrap();
    let state = node.lock();
    let best = state.ledger.best().number();
    assert!(best >= 5, "only {best} blocks survived");
    assert_eq!(state.chain.block(), best, "the chain state is the best block's");
    assert_eq!(state.chain.netuids().len(), 1, "the subnet registered before the blocks survived");
    // The ledger is a chain: each kept block's parent is the block before it.
    let blocks: Vec<_> = state.ledger.recent.iter().collect();
    for pair in blocks.windows(2) {
        assert_eq!(pair[1].header.parent_hash, pair[0].hash);
    }
}

fn storage_key(pallet: &str, item: &str, parts: &[Vec<u8>]) -> Vec<u8> {
    let mut key = sp_crypto_hashing::twox_128(pallet.as_bytes()).to_vec();
    key.extend_from_slice(&sp_crypto_hashing::twox_128(item.as_bytes()));
    for part in parts {
        key.extend_from_slice(part);
    }
    key
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subtensor_storage_items_answer_with_frame_keys() {
    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Manual);
    let running = node.clone().serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let rpc = RpcClient::from_insecure_url(running.url()).await.unwrap();
    let (alice, bob) = (dev_keypair("Alice"), dev_keypair("Bob"));
    let hotkey = crate::support::seeded_key(7).account_id();
    let netuid = {
        let mut state = node.lock();
        let netuid = state.chain.register_network(&alice, bob.account_id()).unwrap();
        state.chain.burned_register(&alice, netuid, hotkey).unwrap();
        netuid
    };
    node.seal_blocks(1);
    let get = |key: Vec<u8>| {
        let rpc = rpc.clone();
        async move {
            let v: Option<String> = rpc.request("state_getStorage", rpc_params![format!("0x{}", hex::encode(key))]).await.unwrap();
            v.map(|v| hex::decode(v.trim_start_matches("0x")).unwrap())
        }
    };
    let blake = |data: &[u8]| [sp_crypto_hashing::blake2_128(data).as_slice(), data].concat();
    use codec::Encode;
    // Uids: (Identity netuid, Blake2_128Concat hotkey) -> u16; the owner's hotkey is UID 0.
    assert_eq!(get(storage_key("SubtensorModule", "Uids", &[netuid.encode(), blake(&hotkey.0)])).await, Some(1u16.encode()));
    assert_eq!(get(storage_key("SubtensorModule", "Uids", &[netuid.encode(), blake(&[9; 32])])).await, None);
    assert_eq!(get(storage_key("SubtensorModule", "SubnetworkN", &[netuid.encode()])).await, Some(2u16.encode()));
    assert_eq!(get(storage_key("SubtensorModule", "NetworksAdded", &[netuid.encode()])).await, Some(true.encode()));
    let symbol = get(storage_key("SubtensorModule", "TokenSymbol", &[netuid.encode()])).await.expect("a symbol");
    assert!(symbol.len() > 1, "a SCALE Vec<u8> with the symbol's UTF-8");
    // Iterating Keys under the subnet's prefix finds both UIDs, in key order.
    let prefix = storage_key("SubtensorModule", "Keys", &[netuid.encode()]);
    let keys: Vec<String> = rpc.request("state_getKeysPaged", rpc_params![format!("0x{}", hex::encode(&prefix)), 10]).await.unwrap();
    assert_eq!(keys.len(), 2);
    let uid1 = get(hex::decode(keys[1].trim_start_matches("0x")).unwrap()).await.unwrap();
    assert_eq!(uid1, hotkey.0.to_vec(), "Keys(netuid, 1) is the registered hotkey");
    running.stop().await;
}
