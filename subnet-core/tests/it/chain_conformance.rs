//! One `Chain` conformance suite, run against the in-process local chain and
//! against the served localnet through the subxt client (`SubtensorClient`).
//!
//! The same script of extrinsics goes to both backends; every result (UIDs, netuids,
//! errors by name) must be equal, and after the backends are brought to the same
//! block their metagraphs, hyperparameters and balances must be equal too.

use crate::support::seeded_key;
use std::sync::Arc;

use subnet_core::chain::local::dev_keypair;
use subnet_core::chain::node::LocalNode;
use subnet_core::chain::subtensor::{Network, SubtensorClient};
use subnet_core::chain::*;

struct Backend {
    chain: Arc<dyn Chain>,
    seal: Box<dyn Fn(u64) + Send + Sync>,
    _node: Option<subnet_core::chain::node::RunningNode>,
}

fn in_process() -> Backend {
    let handle = LocalChainHandle::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Instant);
    // The served node initialises a block before each extrinsic, the in-process one
    // after; one block up front lines the two sequences up (see the module docs).
    handle.produce_blocks(1);
    let h = handle.clone();
    Backend {
        chain: Arc::new(handle),
        seal: Box::new(move |n| {
            h.produce_blocks(n);
        }),
        _node: None,
    }
}

async fn served() -> Backend {
    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Instant);
    let running = node.clone().serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = SubtensorClient::connect(&Network::Url(running.url())).await.unwrap();
    let n = node.clone();
    Backend {
        chain: Arc::new(client),
        seal: Box::new(move |k| {
            n.seal_blocks(k);
        }),
        _node: Some(running),
    }
}

/// Bring both to the same block.
async fn align(a: &Backend, b: &Backend) {
    let (x, y) = (a.chain.block_number().await.unwrap(), b.chain.block_number().await.unwrap());
    if x < y {
        (a.seal)(y - x);
    } else if y < x {
        (b.seal)(x - y);
    }
    // The client follows finalized heads; give its view a moment to catch up.
    for _ in 0..100 {
        if a.chain.block_number().await.unwrap() == b.chain.block_number().await.unwrap() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("backends did not reach the same block");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_agree_on_a_subnet_lifecycle() {
    let local = in_process();
    let remote = served().await;
    let both = [&local, &remote];

    let alice = dev_keypair("Alice");
    let owner_hot = seeded_key(1);
    let mut netuids = vec![];
    for b in both {
        netuids.push(b.chain.register_network(&alice, owner_hot.account_id()).await);
    }
    assert_eq!(netuids[0], netuids[1]);
    let netuid = netuids[0].clone().unwrap();
    for b in both {
        b.chain.start_call(&alice, netuid).await.unwrap();
    }

    // Owner settings, each through the AdminUtils call of the same name on Subtensor.
    for value in [
        Hyperparameter::CommitRevealWeightsEnabled(false),
        Hyperparameter::Tempo(10),
        Hyperparameter::WeightsSetRateLimit(0),
        Hyperparameter::MaxAllowedValidators(2),
        Hyperparameter::ActivityCutoffFactorMilli(5000),
    ] {
        for b in both {
            b.chain.set_hyperparameter(&alice, netuid, value.clone()).await.unwrap();
        }
    }

    // Registrations: the same UIDs; a second registration fails the same way.
    let coldkeys = ["Bob", "Charlie", "Dave", "Eve"].map(dev_keypair);
    for (i, cold) in coldkeys.iter().enumerate() {
        let hot = seeded_key(10 + i as u8);
        let a = local.chain.burned_register(cold, netuid, hot.account_id()).await;
        let b = remote.chain.burned_register(cold, netuid, hot.account_id()).await;
        assert_eq!(a, b);
        assert!(a.is_ok());
    }
    let again = [
        local.chain.burned_register(&coldkeys[0], netuid, seeded_key(10).account_id()).await,
        remote.chain.burned_register(&coldkeys[0], netuid, seeded_key(10).account_id()).await,
    ];
    assert_eq!(again[0], Err(ChainError::HotKeyAlreadyRegisteredInSubNet));
    assert_eq!(again[0], again[1]);
    // A failed extrinsic is still included in a block on the node (as on Subtensor);
    // the in-process chain's instant mode seals only after successes.
    (local.seal)(1);

    // Stake the validator, serve an axon, set weights.
    let validator = seeded_key(10);
    for b in both {
        b.chain.add_stake(&coldkeys[0], validator.account_id(), netuid, 1_000 * 1_000_000_000).await.unwrap();
        let axon =
            AxonInfo { block: 0, version: 1, ip: u32::from(std::net::Ipv4Addr::new(10, 0, 0, 7)) as u128, port: 8091, ip_type: 4, protocol: 4 };
        b.chain.serve_axon(&seeded_key(11), netuid, axon).await.unwrap();
    }
    // Validator permits are given at the epoch.
    (local.seal)(12);
    (remote.seal)(12);
    for b in both {
        b.chain.set_weights(&validator, netuid, &[2, 3, 4], &[65535, 30000, 10000], 0).await.unwrap();
    }
    (local.seal)(35);
    (remote.seal)(35);
    align(&local, &remote).await;

    let ma = local.chain.metagraph(netuid).await.unwrap();
    let mb = remote.chain.metagraph(netuid).await.unwrap();
    assert_eq!(ma.neurons.len(), 5);
    assert!(ma.neurons.iter().any(|n| n.incentive > 0), "epochs ran and paid incentive");
    assert!(ma.neurons[2].axon.is_some(), "uid 2 served its axon");
    assert_eq!(ma.neurons, mb.neurons, "metagraph through subxt equals the in-process one");
    assert_eq!(local.chain.hyperparameters(netuid).await.unwrap(), remote.chain.hyperparameters(netuid).await.unwrap());
    for who in ["Alice", "Bob", "Eve"] {
        let id = dev_keypair(who).account_id();
        assert_eq!(local.chain.balance(id).await.unwrap(), remote.chain.balance(id).await.unwrap(), "{who}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_refuse_the_same_way() {
    let local = in_process();
    let remote = served().await;
    let both = [&local, &remote];
    let alice = dev_keypair("Alice");
    let bob = dev_keypair("Bob");
    for b in both {
        b.chain.register_network(&alice, seeded_key(1).account_id()).await.unwrap();
    }
    let netuid = 1;
    for b in both {
        b.chain.burned_register(&bob, netuid, seeded_key(2).account_id()).await.unwrap();
    }
    let loopback = u32::from(std::net::Ipv4Addr::LOCALHOST) as u128;
    let mut outcomes: Vec<Vec<Result<(), ChainError>>> = vec![];
    for b in both {
        let c = &b.chain;
        outcomes.push(vec![
            // commit-reveal is on by default, as on a new Subtensor subnet
            c.set_weights(&seeded_key(2), netuid, &[0], &[1], 0).await,
            c.set_hyperparameter(&bob, netuid, Hyperparameter::Tempo(5)).await,
            c.remove_stake(&bob, seeded_key(2).account_id(), netuid, u64::MAX / 2).await,
            c.serve_axon(&seeded_key(2), netuid, AxonInfo { ip: loopback, port: 1, ip_type: 4, ..Default::default() }).await,
            c.serve_axon(&seeded_key(2), netuid, AxonInfo { ip: 1, port: 1, ip_type: 5, ..Default::default() }).await,
            c.add_stake(&bob, seeded_key(9).account_id(), 77, 1).await,
            c.hyperparameters(99).await.map(|_| ()),
            c.metagraph(99).await.map(|_| ()),
        ]);
    }
    assert_eq!(outcomes[0], outcomes[1]);
    assert_eq!(outcomes[0][0], Err(ChainError::CommitRevealEnabled));
    assert_eq!(outcomes[0][1], Err(ChainError::BadOrigin));
    assert!(outcomes[0].iter().all(|r| r.is_err()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_reveal_round_trip_on_both() {
    let local = in_process();
    let remote = served().await;
    let alice = dev_keypair("Alice");
    let validator = seeded_key(3);
    for b in [&local, &remote] {
        let netuid = b.chain.register_network(&alice, seeded_key(1).account_id()).await.unwrap();
        b.chain.start_call(&alice, netuid).await.unwrap();
        b.chain.set_hyperparameter(&alice, netuid, Hyperparameter::Tempo(5)).await.unwrap();
        b.chain.set_hyperparameter(&alice, netuid, Hyperparameter::WeightsSetRateLimit(0)).await.unwrap();
        b.chain.burned_register(&alice, netuid, validator.account_id()).await.unwrap();
        b.chain.add_stake(&alice, validator.account_id(), netuid, 100_000_000_000).await.unwrap();
        (b.seal)(6); // an epoch gives the permit
        let hash = local::commit_hash(&validator.account_id(), netuid, &[0], &[100], &[7, 8], 0);
        b.chain.commit_weights(&validator, netuid, hash).await.unwrap();
        assert_eq!(b.chain.reveal_weights(&validator, netuid, &[0], &[100], &[7, 8], 0).await, Err(ChainError::RevealTooEarly));
        // The reveal opens in the next epoch.
        let mut revealed = Err(ChainError::RevealTooEarly);
        for _ in 0..12 {
            (b.seal)(1);
            revealed = b.chain.reveal_weights(&validator, netuid, &[0], &[100], &[7, 8], 0).await;
            if revealed != Err(ChainError::RevealTooEarly) {
                break;
            }
        }
        assert_eq!(revealed, Ok(()));
        assert_eq!(b.chain.reveal_weights(&validator, netuid, &[0], &[100], &[7, 8], 0).await, Err(ChainError::NoWeightsCommitFound));
    }
}

/// `serve_axon_tls` then `neuron_certificates`: the subxt client encodes call 40 from
/// the node's metadata and reads `NeuronCertificates` back by iterating the netuid's
/// prefix; both backends agree on what is stored, ignored and refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_certificates_round_trip_on_both() {
    let local = in_process();
    let remote = served().await;
    let alice = dev_keypair("Alice");
    let axon = AxonInfo { block: 0, version: 1, ip: u32::from(std::net::Ipv4Addr::new(10, 0, 0, 7)) as u128, port: 8091, ip_type: 4, protocol: 4 };
    let (miner, other, stranger) = (seeded_key(21), seeded_key(22), seeded_key(23));
    let mut seen = vec![];
    for b in [&local, &remote] {
        let netuid = b.chain.register_network(&alice, seeded_key(1).account_id()).await.unwrap();
        b.chain.start_call(&alice, netuid).await.unwrap();
        b.chain.set_hyperparameter(&alice, netuid, Hyperparameter::ServingRateLimit(0)).await.unwrap();
        assert_eq!(b.chain.neuron_certificates(netuid).await, Ok(Default::default()));
        assert_eq!(b.chain.neuron_certificates(netuid + 7).await, Err(ChainError::SubnetNotExists));
        for hot in [&miner, &other] {
            b.chain.burned_register(&alice, netuid, hot.account_id()).await.unwrap();
        }
        let cert = NeuronCertificate::ed25519([0x5a; 32]);
        assert_eq!(b.chain.serve_axon_tls(&stranger, netuid, axon, &cert.to_bytes()).await, Err(ChainError::HotKeyNotRegisteredInNetwork));
        b.chain.serve_axon_tls(&miner, netuid, axon, &cert.to_bytes()).await.unwrap();
        // Invalid (66 bytes): served without a certificate.
        b.chain.serve_axon_tls(&other, netuid, AxonInfo { port: 9000, ..axon }, &[3; 66]).await.unwrap();
        let certs = b.chain.neuron_certificates(netuid).await.unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(certs.get(&miner.account_id()).and_then(NeuronCertificate::ed25519_key), Some([0x5a; 32]));
        let ports: Vec<Option<u16>> = b.chain.metagraph(netuid).await.unwrap().neurons.iter().map(|n| n.axon.map(|a| a.port)).collect();
        assert_eq!(ports[1..], [Some(8091), Some(9000)]);
        // A longer key under another algorithm round-trips byte for byte.
        let long = NeuronCertificate { algorithm: 7, public_key: (0..64).collect() };
        b.chain.serve_axon_tls(&other, netuid, axon, &long.to_bytes()).await.unwrap();
        seen.push(b.chain.neuron_certificates(netuid).await.unwrap());
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0][&seeded_key(22).account_id()].public_key, (0..64).collect::<Vec<u8>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_chain_needs_a_signing_key() {
    let remote = served().await;
    let bare = dev_keypair("Alice").account_id();
    let r = remote.chain.register_network(&bare, seeded_key(1).account_id()).await;
    assert!(matches!(r, Err(ChainError::CannotSign(_))), "{r:?}");
}

/// Raw, hand-built extrinsics straight to `author_submitExtrinsic`: each bad one gets
/// the JSON-RPC error a Substrate node gives, and the node keeps serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_extrinsics_get_substrate_errors() {
    use codec::Encode;
    use subnet_core::chain::node::extrinsic::{build_signed, Implicit};
    use subnet_core::chain::node::pallets::{RuntimeCall, SystemCall};
    use subxt::rpcs::{rpc_params, RpcClient};

    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Instant);
    let running = node.clone().serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let rpc = RpcClient::from_insecure_url(running.url()).await.unwrap();
    let submit = |bytes: Vec<u8>| {
        let rpc = rpc.clone();
        async move { rpc.request::<String>("author_submitExtrinsic", rpc_params![format!("0x{}", hex::encode(bytes))]).await }
    };
    let code = |r: Result<String, subxt::rpcs::Error>| -> String {
        match r {
            Ok(_) => "accepted".into(),
            Err(subxt::rpcs::Error::User(e)) => {
                format!("{} {}: {}", e.code, e.message, e.data.map(|d| d.get().to_string()).unwrap_or_default())
            }
            Err(e) => e.to_string(),
        }
    };
    let alice = dev_keypair("Alice");
    let implicit = Implicit {
        spec_version: node.runtime().version.spec_version,
        transaction_version: node.runtime().version.transaction_version,
        genesis_hash: node.genesis_hash(),
        birth_hash: node.genesis_hash(),
    };
    let remark = RuntimeCall::System(SystemCall::remark { remark: b"hi".to_vec() }).encode();

    assert!(code(submit(vec![0xde, 0xad, 0xbe, 0xef]).await).contains("1001"));
    assert!(code(submit(vec![]).await).contains("1001"));
    let good = build_signed(&alice, &remark, 0, &implicit);
    let mut forged = good.clone();
    let last = forged.len() - 1;
    forged[last] ^= 0xff; // the remark's last byte changes after signing
    let forged = code(submit(forged).await);
    assert!(forged.contains("1010") && forged.contains("bad signature"), "{forged}");
    let wrong_genesis = Implicit { genesis_hash: [1; 32], birth_hash: [1; 32], ..implicit };
    assert!(code(submit(build_signed(&alice, &remark, 0, &wrong_genesis)).await).contains("bad signature"));
    assert!(code(submit(build_signed(&alice, &remark, 5, &implicit)).await).contains("future"));
    let unknown_call = build_signed(&alice, &[42, 0], 0, &implicit);
    assert!(code(submit(unknown_call).await).contains("1001"));
    // The good one goes in; the same nonce again is outdated.
    assert_eq!(code(submit(good.clone()).await), "accepted");
    assert!(code(submit(good).await).contains("outdated"));
    let huge = build_signed(&alice, &RuntimeCall::System(SystemCall::remark { remark: vec![0; 1 << 20] }).encode(), 1, &implicit);
    assert_eq!(code(submit(huge).await), "accepted", "a 1 MiB remark is a valid extrinsic");
    let next: u32 = rpc.request("system_accountNextIndex", rpc_params![alice.ss58_address()]).await.unwrap();
    assert_eq!(next, 2);
    // A batched read: the stored key with its value, an absent key with null.
    let number_key = format!("0x{}{}", hex::encode(sp_crypto_hashing::twox_128(b"System")), hex::encode(sp_crypto_hashing::twox_128(b"Number")));
    let absent = format!("0x{}", hex::encode([0xab; 40]));
    let sets: serde_json::Value = rpc.request("state_queryStorageAt", rpc_params![vec![number_key.clone(), absent.clone()]]).await.unwrap();
    let changes = &sets[0]["changes"];
    assert_eq!(changes[0][0], number_key.as_str());
    assert_eq!(changes[0][1], format!("0x{}", hex::encode(2u32.to_le_bytes())), "two blocks sealed: {sets}");
    assert_eq!(changes[1], serde_json::json!([absent, null]));
    // Substrate's other names for the same methods (Python's substrate-interface uses them).
    let at: String = rpc.request("state_getStorageAt", rpc_params![number_key.clone()]).await.unwrap();
    assert_eq!(changes[0][1], at.as_str());
    let again: u32 = rpc.request("account_nextIndex", rpc_params![alice.ss58_address()]).await.unwrap();
    assert_eq!(again, 2);
    let bad = rpc.request::<serde_json::Value>("state_queryStorageAt", rpc_params!["not a list"]).await;
    assert!(code(bad.map(|v| v.to_string())).contains("-32602"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_only_setters_need_sudo_on_both() {
    let local = in_process();
    let remote = served().await;
    let (alice, bob) = (dev_keypair("Alice"), dev_keypair("Bob"));
    let mut outcomes = vec![];
    for b in [&local, &remote] {
        let c = &b.chain;
        // Bob owns this subnet; Alice is the sudo key.
        let netuid = c.register_network(&bob, seeded_key(4).account_id()).await.unwrap();
        outcomes.push(vec![
            // AdminUtils::sudo_set_tempo is `ensure_root`: the owner is refused …
            c.set_hyperparameter(&bob, netuid, Hyperparameter::Tempo(7)).await,
            // … an owner-or-root setter takes him …
            c.set_hyperparameter(&bob, netuid, Hyperparameter::ImmunityPeriod(9)).await,
            // … and the sudo key's call goes through Sudo::sudo as root, on his subnet too.
            c.set_hyperparameter(&alice, netuid, Hyperparameter::Tempo(7)).await,
            c.set_hyperparameter(&alice, netuid, Hyperparameter::Kappa(100)).await,
            // A refusal inside Sudo::sudo (reported in `Sudid`) comes back by name.
            c.set_hyperparameter(&alice, netuid, Hyperparameter::MaxAllowedUids(0)).await,
            c.set_hyperparameter(&dev_keypair("Charlie"), netuid, Hyperparameter::ImmunityPeriod(1)).await,
        ]);
        let h = c.hyperparameters(netuid).await.unwrap();
        assert_eq!((h.tempo, h.kappa, h.immunity_period), (7, 100, 9));
    }
    assert_eq!(outcomes[0], outcomes[1]);
    assert_eq!(outcomes[0], vec![Err(ChainError::BadOrigin), Ok(()), Ok(()), Ok(()), Err(ChainError::InvalidValue), Err(ChainError::BadOrigin)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_admin_call_is_not_root_even_from_the_sudo_key() {
    use codec::{Decode, Encode};
    use subnet_core::chain::node::extrinsic::{build_signed, Implicit};
    use subnet_core::chain::node::pallets::*;
    use subnet_core::chain::node::system::{DispatchError, EventRecord, SystemEvent};

    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Instant);
    let (alice, bob) = (dev_keypair("Alice"), dev_keypair("Bob"));
    let netuid = node.lock().chain.register_network(&alice, seeded_key(1).account_id()).unwrap();
    let implicit = Implicit {
        spec_version: node.runtime().version.spec_version,
        transaction_version: node.runtime().version.transaction_version,
        genesis_hash: node.genesis_hash(),
        birth_hash: node.genesis_hash(),
    };
    let set_tempo = |tempo| RuntimeCall::AdminUtils(AdminCall::sudo_set_tempo { netuid: NetUid(netuid), tempo });
    let sudo = |call: RuntimeCall| RuntimeCall::Sudo(SudoCall::sudo { call: Box::new(call) });
    // The events of the block that included `call` signed by `who`.
    let run = |who: &subnet_core::keys::Keypair, nonce, call: RuntimeCall| {
        node.submit(&build_signed(who, &call.encode(), nonce, &implicit)).unwrap();
        let events = node.lock().ledger.best().events.clone();
        Vec::<EventRecord<RuntimeEvent>>::decode(&mut &events[..]).unwrap().into_iter().map(|r| r.event).collect::<Vec<_>>()
    };
    let tempo = || node.lock().chain.hyperparameters(netuid).unwrap().tempo;
    let before = tempo();

    // Alice owns the subnet and holds the sudo key, yet her plain signed call is refused.
    let events = run(&alice, 0, set_tempo(11));
    assert!(
        matches!(events[..], [RuntimeEvent::System(SystemEvent::ExtrinsicFailed { dispatch_error: DispatchError::BadOrigin, .. })]),
        "{events:?}"
    );
    assert_eq!(tempo(), before);
    // Bob may not use Sudo::sudo (pallet_sudo's RequireSudo, module 12 error 0).
    let events = run(&bob, 0, sudo(set_tempo(11)));
    let require_sudo = DispatchError::Module(system_module_error(SUDO_PALLET_INDEX, 0));
    assert!(
        matches!(&events[..], [RuntimeEvent::System(SystemEvent::ExtrinsicFailed { dispatch_error, .. })] if *dispatch_error == require_sudo),
        "{events:?}"
    );
    // Through Sudo::sudo, Alice's call runs as root: Sudid(Ok) and a successful extrinsic.
    let events = run(&alice, 1, sudo(set_tempo(11)));
    assert!(matches!(events[0], RuntimeEvent::Sudo(SudoEvent::Sudid { sudo_result: Ok(()) })), "{events:?}");
    assert!(matches!(events[1], RuntimeEvent::System(SystemEvent::ExtrinsicSuccess { .. })), "{events:?}");
    assert_eq!(tempo(), 11);
    // A wrapped call that fails still makes a successful extrinsic; Sudid carries the error.
    let events =
        run(&alice, 2, sudo(RuntimeCall::SubtensorModule(SubtensorCall::burned_register { netuid: NetUid(netuid), hotkey: AccountId32([5; 32]) })));
    assert!(matches!(events[0], RuntimeEvent::Sudo(SudoEvent::Sudid { sudo_result: Err(DispatchError::BadOrigin) })), "{events:?}");
    assert!(matches!(events[1], RuntimeEvent::System(SystemEvent::ExtrinsicSuccess { .. })), "{events:?}");
}

fn system_module_error(index: u8, error: u8) -> subnet_core::chain::node::system::ModuleError {
    subnet_core::chain::node::system::ModuleError { index, error: [error, 0, 0, 0] }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_v14_and_v15_describe_the_same_runtime() {
    use codec::{Decode, Encode};
    use subxt::rpcs::{rpc_params, RpcClient};

    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Instant);
    let running = node.clone().serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let rpc = RpcClient::from_insecure_url(running.url()).await.unwrap();
    let unhex = |s: String| hex::decode(s.trim_start_matches("0x")).unwrap();
    // state_getMetadata: the bytes themselves, V14 as on a Substrate node.
    let v14 = unhex(rpc.request("state_getMetadata", rpc_params![]).await.unwrap());
    assert_eq!(&v14[..5], b"meta\x0e", "magic then version 14");
    let versions: Vec<u32> =
        Decode::decode(&mut &unhex(rpc.request("state_call", rpc_params!["Metadata_metadata_versions", "0x"]).await.unwrap())[..]).unwrap();
    assert_eq!(versions, vec![14, 15]);
    let at = |v: u32| {
        let rpc = rpc.clone();
        async move {
            let answer: String =
                rpc.request("state_call", rpc_params!["Metadata_metadata_at_version", format!("0x{}", hex::encode(v.encode()))]).await.unwrap();
            Option::<Vec<u8>>::decode(&mut &unhex(answer)[..]).unwrap()
        }
    };
    assert_eq!(at(14).await.as_deref(), Some(&v14[..]));
    let v15 = at(15).await.expect("V15 is offered");
    assert_eq!(v15[4], 15);
    assert_eq!(at(16).await, None);
    // subxt reads both (V14 only through the extrinsic type's parameters) to the same calls.
    for bytes in [&v14, &v15] {
        let metadata = subxt::Metadata::decode(&mut &bytes[..]).expect("subxt decodes the metadata");
        let subtensor = metadata.pallet_by_name("SubtensorModule").unwrap();
        assert_eq!(subtensor.call_index(), 7);
        let set_weights = subtensor.call_variant_by_name("set_weights").unwrap();
        let args: Vec<_> = set_weights.fields.iter().map(|f| f.name.clone().unwrap()).collect();
        assert_eq!(args, ["netuid", "dests", "weights", "version_key"]);
        assert!(metadata.pallet_by_name("Sudo").unwrap().call_variant_by_name("sudo").is_some());
        assert_eq!(metadata.pallet_by_name("AdminUtils").unwrap().call_index(), 19);
        let extensions: Vec<_> = metadata.extrinsic().transaction_extensions_by_version(0).unwrap().map(|e| e.identifier().to_string()).collect();
        assert_eq!(extensions.first().map(String::as_str), Some("CheckNonZeroSender"));
        assert_eq!(extensions.last().map(String::as_str), Some("CheckMetadataHash"));
    }
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subnet_takes_stake_once_its_owner_starts_it_on_both() {
    let local = in_process();
    let remote = served().await;
    let alice = dev_keypair("Alice");
    let mut outcomes = vec![];
    for b in [&local, &remote] {
        let c = &b.chain;
        let netuid = c.register_network(&alice, seeded_key(1).account_id()).await.unwrap();
        outcomes.push(vec![
            // Subtensor's `SubtokenEnabled` is false until `start_call`.
            c.add_stake(&alice, seeded_key(1).account_id(), netuid, 1_000_000_000).await,
            c.start_call(&dev_keypair("Bob"), netuid).await,
            c.start_call(&alice, netuid).await,
            c.start_call(&alice, netuid).await,
            c.add_stake(&alice, seeded_key(1).account_id(), netuid, 1_000_000_000).await,
        ]);
    }
    assert_eq!(outcomes[0], outcomes[1]);
    assert_eq!(
        outcomes[0],
        vec![Err(ChainError::SubtokenDisabled), Err(ChainError::BadOrigin), Ok(()), Err(ChainError::FirstEmissionBlockNumberAlreadySet), Ok(())]
    );
}

/// Commit-reveal version 4 on both backends: the validator reads the drand state
/// (`BeaconConfig`, `LastStoredRound`, `CommitRevealWeightsVersion`, `LastEpochBlock`),
/// encrypts its weights to the round the reveal epoch starts at and commits them; the
/// weights stay invisible until that epoch, when the chain decrypts and sets them
/// itself, by the block the round was aimed at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timelocked_commits_reveal_themselves_on_both() {
    use codec::Encode;
    use subnet_core::drand::{self, WeightsTlockPayload};
    let local = in_process();
    let remote = served().await;
    let alice = dev_keypair("Alice");
    let validator = seeded_key(3);
    for b in [&local, &remote] {
        let netuid = b.chain.register_network(&alice, seeded_key(1).account_id()).await.unwrap();
        b.chain.start_call(&alice, netuid).await.unwrap();
        b.chain.set_hyperparameter(&alice, netuid, Hyperparameter::Tempo(5)).await.unwrap();
        b.chain.set_hyperparameter(&alice, netuid, Hyperparameter::WeightsSetRateLimit(0)).await.unwrap();
        b.chain.burned_register(&alice, netuid, validator.account_id()).await.unwrap();
        b.chain.add_stake(&alice, validator.account_id(), netuid, 100_000_000_000).await.unwrap();
        (b.seal)(6); // an epoch gives the permit

        let ctx = b.chain.timelock_context(netuid).await.unwrap();
        assert_eq!(ctx.commit_reveal_version, 4);
        assert_eq!(ctx.beacon_public_key.len(), 96);
        assert!(ctx.last_stored_round > 0, "pulses are stored every block");
        assert_eq!(b.chain.commit_timelocked_weights(&validator, netuid, 0, &[1, 2, 3], 1, 3).await, Err(ChainError::IncorrectCommitRevealVersion));
        assert_eq!(b.chain.commit_timelocked_weights(&validator, netuid, 1, &[1, 2, 3], 1, 4).await, Err(ChainError::MechanismDoesNotExist));

        let round = ctx.reveal_round();
        let payload = WeightsTlockPayload { hotkey: validator.account_id().0.to_vec(), uids: vec![0], values: vec![100], version_key: 0 };
        let commit = drand::encrypt(&ctx.beacon_public_key, round, &payload.encode(), &mut rand::rngs::OsRng).unwrap();
        b.chain.commit_timelocked_weights(&validator, netuid, 0, &commit, round, 4).await.unwrap();
        let committed_at = b.chain.block_number().await.unwrap();
        let weights = |mg: &Metagraph| mg.neurons[1].weights.clone(); // the validator, UID 1
        assert!(weights(&b.chain.metagraph(netuid).await.unwrap()).is_empty());
        let (mut seen, mut block) = (None, committed_at);
        for _ in 0..20 {
            (b.seal)(1);
            block += 1;
            wait_for_block(b, block).await;
            if !weights(&b.chain.metagraph(netuid).await.unwrap()).is_empty() {
                seen = Some(block - committed_at);
                break;
            }
        }
        let seen = seen.unwrap_or_else(|| panic!("the chain revealed the commit: {ctx:?} committed at {committed_at}, round {round}"));
        assert_eq!(weights(&b.chain.metagraph(netuid).await.unwrap()), vec![(0, u16::MAX)]);
        // bittensor-drand's target: SECURITY_BLOCK_OFFSET blocks into the reveal epoch.
        let target = ctx.first_reveal_block + subnet_core::drand::reveal_round::SECURITY_BLOCK_OFFSET - ctx.block;
        assert!(seen <= target + 1, "revealed {seen} blocks after the commit, the target {target} blocks away");
    }
}

/// Wait until the backend's block number is at least `block` (the subxt client follows
/// finalized heads a moment after the node seals them).
async fn wait_for_block(b: &Backend, block: u64) {
    for _ in 0..200 {
        if b.chain.block_number().await.unwrap() >= block {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mechanisms_split_emission_the_same_way_on_both() {
    let local = in_process();
    let remote = served().await;
    let alice = dev_keypair("Alice");
    let (validator, miner_a, miner_b) = (seeded_key(3), seeded_key(4), seeded_key(5));
    let mut results = vec![];
    for b in [&local, &remote] {
        let netuid = b.chain.register_network(&alice, seeded_key(1).account_id()).await.unwrap();
        b.chain.start_call(&alice, netuid).await.unwrap();
        for h in [
            Hyperparameter::Tempo(5),
            Hyperparameter::WeightsSetRateLimit(0),
            Hyperparameter::CommitRevealWeightsEnabled(false),
            Hyperparameter::ImmunityPeriod(0),
        ] {
            b.chain.set_hyperparameter(&alice, netuid, h).await.unwrap();
        }
        assert_eq!(b.chain.mechanism_count(netuid).await, Ok(1));
        // 256 UIDs times 2 mechanisms is over the bound; 128 fits.
        assert_eq!(b.chain.set_hyperparameter(&alice, netuid, Hyperparameter::MechanismCount(2)).await, Err(ChainError::TooManyUIDsPerMechanism));
        b.chain.set_hyperparameter(&alice, netuid, Hyperparameter::MaxAllowedUids(128)).await.unwrap();
        b.chain.set_hyperparameter(&alice, netuid, Hyperparameter::MechanismCount(2)).await.unwrap();
        b.chain.set_hyperparameter(&alice, netuid, Hyperparameter::MechanismEmissionSplit(Some(vec![16_384, 49_151]))).await.unwrap();
        assert_eq!(b.chain.mechanism_count(netuid).await, Ok(2));
        // Bob's miners: the subnet owner's (Alice's) would have their incentive burnt.
        let bob = dev_keypair("Bob");
        b.chain.burned_register(&alice, netuid, validator.account_id()).await.unwrap();
        for k in [&miner_a, &miner_b] {
            b.chain.burned_register(&bob, netuid, k.account_id()).await.unwrap();
        }
        b.chain.add_stake(&alice, validator.account_id(), netuid, 100_000_000_000).await.unwrap();
        (b.seal)(6); // an epoch gives the permit
                     // Mechanism 0 weighs miner A (UID 2), mechanism 1 miner B (UID 3).
        b.chain.set_mechanism_weights(&validator, netuid, 0, &[2], &[1], 0).await.unwrap();
        b.chain.set_mechanism_weights(&validator, netuid, 1, &[3], &[1], 0).await.unwrap();
        assert_eq!(b.chain.set_mechanism_weights(&validator, netuid, 2, &[3], &[1], 0).await, Err(ChainError::MechanismDoesNotExist));
        (b.seal)(12);
        results.push(netuid);
    }
    assert_eq!(results[0], results[1]);
    let netuid = results[0];
    align(&local, &remote).await;
    let (a, b) = (local.chain.metagraph(netuid).await.unwrap(), remote.chain.metagraph(netuid).await.unwrap());
    // The refused extrinsic sealed a block on the node only, so blocks (last updates,
    // registrations) are one apart; what the epochs computed and paid must be equal.
    let paid = |m: &Metagraph| {
        m.neurons.iter().map(|n| (n.stake, n.incentive, n.dividends, n.emission, n.weights.clone(), n.bonds.clone())).collect::<Vec<_>>()
    };
    assert_eq!(paid(&a), paid(&b));
    // Miner B's stake is three times miner A's: the split, paid by each mechanism's weights.
    let stake = |uid: usize| a.neurons[uid].stake as f64;
    let ratio = stake(3) / stake(2);
    assert!((ratio - 3.0).abs() < 0.01, "B/A = {ratio}");
}
