//! The calls Bittensor's tools submit, as signed extrinsics to the served node over
//! JSON-RPC (`author_submitExtrinsic`), with the block's `System::Events` read back
//! the same way: `Balances` transfers, `set_mechanism_weights` and its commit-reveal
//! siblings, the price-limited stake and registration calls. And the metadata: a
//! client that encodes these calls from it (as Python's tools and subxt do) gets the
//! bytes the node decodes.

use codec::{Decode, Encode};
use subxt::rpcs::{rpc_params, RpcClient};

use crate::support::seeded_key;
use subnet_core::chain::local::{dev_keypair, EXISTENTIAL_DEPOSIT};
use subnet_core::chain::node::extrinsic::{build_signed, Implicit};
use subnet_core::chain::node::metadata::MultiAddress;
use subnet_core::chain::node::pallets::*;
use subnet_core::chain::node::system::{DispatchError, EventRecord, ModuleError, Pays, SystemEvent, TokenError};
use subnet_core::chain::node::{LocalNode, RunningNode};
use subnet_core::chain::{BlockMode, Hyperparameter, LocalChain, LocalChainConfig, Signer};
use subnet_core::keys::Keypair;

const TAO: u64 = 1_000_000_000;

/// A served node in instant mode (each extrinsic is sealed in a block of its own) and
/// a raw JSON-RPC client to it.
struct Served {
    node: LocalNode,
    rpc: RpcClient,
    implicit: Implicit,
    _running: RunningNode,
}

impl Served {
    async fn start() -> Self {
        let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Instant);
        let running = node.clone().serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let rpc = RpcClient::from_insecure_url(running.url()).await.unwrap();
        let implicit = Implicit {
            spec_version: node.runtime().version.spec_version,
            transaction_version: node.runtime().version.transaction_version,
            genesis_hash: node.genesis_hash(),
            birth_hash: node.genesis_hash(),
        };
        Self { node, rpc, implicit, _running: running }
    }

    /// Sign `call` as `who` at its next nonce, submit it, and return the events of the
    /// block that included it (read from `System::Events` over RPC).
    async fn submit(&self, who: &Keypair, call: RuntimeCall) -> Vec<RuntimeEvent> {
        let nonce: u32 = self.rpc.request("system_accountNextIndex", rpc_params![who.ss58_address()]).await.unwrap();
        let xt = build_signed(who, &call.encode(), nonce, &self.implicit);
        let _: String = self.rpc.request("author_submitExtrinsic", rpc_params![format!("0x{}", hex::encode(xt))]).await.unwrap();
        let key = [sp_crypto_hashing::twox_128(b"System"), sp_crypto_hashing::twox_128(b"Events")].concat();
        let events: String = self.rpc.request("state_getStorage", rpc_params![format!("0x{}", hex::encode(key))]).await.unwrap();
        let bytes = hex::decode(events.trim_start_matches("0x")).unwrap();
        Vec::<EventRecord<RuntimeEvent>>::decode(&mut &bytes[..]).unwrap().into_iter().map(|r| r.event).collect()
    }

    fn balance(&self, who: &Keypair) -> u64 {
        self.node.lock().chain.balance(&who.account_id())
    }
}

fn id(who: &Keypair) -> AccountId32 {
    AccountId32(who.account_id().0)
}

fn success(events: &[RuntimeEvent]) -> bool {
    matches!(events.last(), Some(RuntimeEvent::System(SystemEvent::ExtrinsicSuccess { .. })))
}

/// The dispatch error of a failed extrinsic's events.
fn failure(events: &[RuntimeEvent]) -> DispatchError {
    match events {
        [RuntimeEvent::System(SystemEvent::ExtrinsicFailed { dispatch_error, .. })] => *dispatch_error,
        other => panic!("expected a failed extrinsic, got {other:?}"),
    }
}

fn subtensor_error(name: &str) -> DispatchError {
    let index = SUBTENSOR_ERRORS.iter().position(|n| *n == name).unwrap() as u8;
    DispatchError::Module(ModuleError { index: SUBTENSOR_PALLET_INDEX, error: [index, 0, 0, 0] })
}

fn transfer_keep_alive(to: &Keypair, value: u64) -> RuntimeCall {
    RuntimeCall::Balances(BalancesCall::transfer_keep_alive { dest: MultiAddress::Id(id(to)), value })
}

fn transfer_allow_death(to: &Keypair, value: u64) -> RuntimeCall {
    RuntimeCall::Balances(BalancesCall::transfer_allow_death { dest: MultiAddress::Id(id(to)), value })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balances_transfers_follow_pallet_balances() {
    let s = Served::start().await;
    let (alice, bob, charlie) = (dev_keypair("Alice"), dev_keypair("Bob"), dev_keypair("Charlie"));
    let (x, y) = (seeded_key(71), seeded_key(72));

    // A new account is endowed by the transfer that creates it.
    let events = s.submit(&alice, transfer_keep_alive(&x, 5 * TAO)).await;
    assert_eq!(
        events[..2],
        [
            RuntimeEvent::Balances(BalancesEvent::Endowed { account: id(&x), free_balance: 5 * TAO }),
            RuntimeEvent::Balances(BalancesEvent::Transfer { from: id(&alice), to: id(&x), amount: 5 * TAO }),
        ]
    );
    assert!(success(&events), "{events:?}");
    assert_eq!(s.balance(&x), 5 * TAO);

    // Keep-alive may not take it below the existential deposit …
    let events = s.submit(&x, transfer_keep_alive(&bob, 5 * TAO - 100)).await;
    assert_eq!(failure(&events), DispatchError::Token(TokenError::NotExpendable));
    // … allow-death may: the account is reaped and its dust is lost.
    let bob_before = s.balance(&bob);
    let events = s.submit(&x, transfer_allow_death(&bob, 5 * TAO - 100)).await;
    assert_eq!(
        events[..2],
        [
            RuntimeEvent::Balances(BalancesEvent::DustLost { account: id(&x), amount: 100 }),
            RuntimeEvent::Balances(BalancesEvent::Transfer { from: id(&x), to: id(&bob), amount: 5 * TAO - 100 }),
        ]
    );
    assert_eq!((s.balance(&x), s.balance(&bob)), (0, bob_before + 5 * TAO - 100));

    // The receiver must reach the deposit; the sender must hold the amount.
    let events = s.submit(&bob, transfer_allow_death(&y, EXISTENTIAL_DEPOSIT - 1)).await;
    assert_eq!(failure(&events), DispatchError::Token(TokenError::BelowMinimum));
    let events = s.submit(&bob, transfer_allow_death(&y, s.balance(&bob) + 1)).await;
    assert_eq!(failure(&events), DispatchError::Token(TokenError::FundsUnavailable));
    // Only an account id names an account (`AccountIdLookup`).
    let raw = RuntimeCall::Balances(BalancesCall::transfer_allow_death { dest: MultiAddress::Address32(id(&y).0), value: TAO });
    assert_eq!(failure(&s.submit(&bob, raw).await), DispatchError::CannotLookup);

    // transfer_all with keep_alive leaves the deposit behind.
    let all = RuntimeCall::Balances(BalancesCall::transfer_all { dest: MultiAddress::Id(id(&y)), keep_alive: true });
    let charlie_had = s.balance(&charlie);
    let events = s.submit(&charlie, all).await;
    assert!(success(&events), "{events:?}");
    assert_eq!((s.balance(&charlie), s.balance(&y)), (EXISTENTIAL_DEPOSIT, charlie_had - EXISTENTIAL_DEPOSIT));
    assert!(events.contains(&RuntimeEvent::Balances(BalancesEvent::Transfer {
        from: id(&charlie),
        to: id(&y),
        amount: charlie_had - EXISTENTIAL_DEPOSIT
    })));
    // A failed transfer moved nothing: what circulates is what was endowed, less the dust.
    let state = s.node.lock();
    let chain = &state.chain;
    let supply = chain.supply();
    assert_eq!(chain.circulating(), supply.endowed - supply.burned);
    assert_eq!(supply.burned, 100);
}

/// A subnet owned by Alice with `owner` as its owner hotkey (UID 0), started, with
/// commit-reveal as given, no weights rate limit and a tempo of 10 blocks.
fn subnet(s: &Served, owner: &Keypair, commit_reveal: bool) -> u16 {
    let alice = dev_keypair("Alice");
    let mut state = s.node.lock();
    let c = &mut state.chain;
    let netuid = c.register_network(&alice, owner.account_id()).unwrap();
    c.start_call(&alice, netuid).unwrap();
    c.set_hyperparameter(&alice, netuid, Hyperparameter::CommitRevealWeightsEnabled(commit_reveal)).unwrap();
    c.set_hyperparameter(&alice, netuid, Hyperparameter::WeightsSetRateLimit(0)).unwrap();
    c.set_hyperparameter(&alice, netuid, Hyperparameter::Tempo(10)).unwrap();
    netuid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mechanism_zero_is_set_weights_and_others_do_not_exist() {
    let s = Served::start().await;
    let owner = seeded_key(81);
    let netuid = subnet(&s, &owner, false);
    let set = |mecid, dests: Vec<u16>, weights: Vec<u16>| {
        RuntimeCall::SubtensorModule(SubtensorCall::set_mechanism_weights {
            netuid: NetUid(netuid),
            mecid: MechId(mecid),
            dests,
            weights,
            version_key: 0,
        })
    };

    let events = s.submit(&owner, set(0, vec![0], vec![7])).await;
    assert_eq!(events[0], RuntimeEvent::SubtensorModule(SubtensorEvent::WeightsSet(NetUidStorageIndex(netuid), 0)));
    assert!(success(&events), "{events:?}");
    let row = s.node.lock().chain.metagraph(netuid).unwrap().neurons[0].weights.clone();
    assert_eq!(row, vec![(0, u16::MAX)], "stored max-upscaled, as set_weights does");

    // Another mechanism: refused after the checks the chain makes first.
    assert_eq!(failure(&s.submit(&owner, set(1, vec![0], vec![7])).await), subtensor_error("MechanismDoesNotExist"));
    assert_eq!(failure(&s.submit(&owner, set(1, vec![0, 1], vec![7])).await), subtensor_error("WeightVecNotEqualSize"));
    // Mechanism 0 fails as set_weights fails.
    let stranger = seeded_key(82);
    assert_eq!(failure(&s.submit(&stranger, set(0, vec![0], vec![7])).await), subtensor_error("HotKeyNotRegisteredInSubNet"));
    // With commit-reveal on, plain weights are refused whatever the mechanism.
    s.node.lock().chain.set_hyperparameter(&dev_keypair("Alice"), netuid, Hyperparameter::CommitRevealWeightsEnabled(true)).unwrap();
    assert_eq!(failure(&s.submit(&owner, set(0, vec![0], vec![7])).await), subtensor_error("CommitRevealEnabled"));
    assert_eq!(failure(&s.submit(&owner, set(3, vec![0], vec![7])).await), subtensor_error("CommitRevealEnabled"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mechanism_commit_and_reveal_follow_the_plain_calls() {
    let s = Served::start().await;
    let owner = seeded_key(83);
    let netuid = subnet(&s, &owner, true);
    let (uids, values, salt) = (vec![0u16], vec![9u16], vec![1u16, 2]);
    let hash = subnet_core::chain::local::commit_hash(&owner.account_id(), netuid, &uids, &values, &salt, 0);
    let commit = |mecid| {
        RuntimeCall::SubtensorModule(SubtensorCall::commit_mechanism_weights {
            netuid: NetUid(netuid),
            mecid: MechId(mecid),
            commit_hash: H256(hash),
        })
    };
    let reveal = |mecid| {
        RuntimeCall::SubtensorModule(SubtensorCall::reveal_mechanism_weights {
            netuid: NetUid(netuid),
            mecid: MechId(mecid),
            uids: uids.clone(),
            values: values.clone(),
            salt: salt.clone(),
            version_key: 0,
        })
    };

    assert_eq!(failure(&s.submit(&owner, commit(1)).await), subtensor_error("MechanismDoesNotExist"));
    let events = s.submit(&owner, commit(0)).await;
    assert_eq!(events[0], RuntimeEvent::SubtensorModule(SubtensorEvent::WeightsCommitted(id(&owner), NetUidStorageIndex(netuid), H256(hash))));
    // No commit can exist for another mechanism; mechanism 0's reveal opens next epoch.
    assert_eq!(failure(&s.submit(&owner, reveal(1)).await), subtensor_error("NoWeightsCommitFound"));
    assert_eq!(failure(&s.submit(&owner, reveal(0)).await), subtensor_error("RevealTooEarly"));
    let tempo = s.node.lock().chain.hyperparameters(netuid).unwrap().tempo as u64;
    let mut events = vec![];
    for _ in 0..=tempo + 1 {
        s.node.seal_blocks(1);
        events = s.submit(&owner, reveal(0)).await;
        if success(&events) {
            break;
        }
    }
    assert_eq!(events[0], RuntimeEvent::SubtensorModule(SubtensorEvent::WeightsRevealed(id(&owner), NetUidStorageIndex(netuid), H256(hash))));
    assert_eq!(s.node.lock().chain.metagraph(netuid).unwrap().neurons[0].weights, vec![(0, u16::MAX)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn price_limits_on_a_stable_subnet() {
    let s = Served::start().await;
    let (alice, bob) = (dev_keypair("Alice"), dev_keypair("Bob"));
    let owner = seeded_key(91);
    let netuid = subnet(&s, &owner, false);
    let add = |amount, limit_price, allow_partial| {
        RuntimeCall::SubtensorModule(SubtensorCall::add_stake_limit {
            hotkey: id(&owner),
            netuid: NetUid(netuid),
            amount_staked: TaoBalance(amount),
            limit_price: TaoBalance(limit_price),
            allow_partial,
        })
    };

    // The price is 1 TAO per alpha: a limit 5% above it stakes the whole amount …
    let before = s.balance(&bob);
    let events = s.submit(&bob, add(10 * TAO, TAO * 105 / 100, false)).await;
    assert_eq!(
        events[0],
        RuntimeEvent::SubtensorModule(SubtensorEvent::StakeAdded(
            id(&bob),
            id(&owner),
            TaoBalance(10 * TAO),
            AlphaBalance(10 * TAO),
            NetUid(netuid),
            0
        ))
    );
    assert_eq!(s.balance(&bob), before - 10 * TAO);
    assert_eq!(s.node.lock().chain.stake_of(&owner.account_id(), &bob.account_id(), netuid), 10 * TAO);
    // … one below it stakes nothing: refused, or nothing to stake when partial.
    assert_eq!(failure(&s.submit(&bob, add(10 * TAO, TAO - 1, false)).await), subtensor_error("SlippageTooHigh"));
    assert_eq!(failure(&s.submit(&bob, add(10 * TAO, TAO - 1, true)).await), subtensor_error("AmountTooLow"));

    // Unstaking: a limit at or below the price takes any amount.
    let remove = |amount, limit_price| {
        RuntimeCall::SubtensorModule(SubtensorCall::remove_stake_limit {
            hotkey: id(&owner),
            netuid: NetUid(netuid),
            amount_unstaked: AlphaBalance(amount),
            limit_price: TaoBalance(limit_price),
            allow_partial: false,
        })
    };
    assert_eq!(failure(&s.submit(&bob, remove(4 * TAO, TAO + 1)).await), subtensor_error("SlippageTooHigh"));
    let events = s.submit(&bob, remove(4 * TAO, TAO * 95 / 100)).await;
    assert!(success(&events), "{events:?}");
    assert_eq!(s.node.lock().chain.stake_of(&owner.account_id(), &bob.account_id(), netuid), 6 * TAO);

    // register_limit: refused above the limit, a registration at the burn (which
    // decays a little in the block that includes the call).
    let burn = s.node.lock().chain.burn(netuid).unwrap();
    let hotkey = seeded_key(92);
    let register =
        |limit_price| RuntimeCall::SubtensorModule(SubtensorCall::register_limit { netuid: NetUid(netuid), hotkey: id(&hotkey), limit_price });
    assert_eq!(failure(&s.submit(&alice, register(burn / 2)).await), subtensor_error("RegistrationPriceLimitExceeded"));
    let events = s.submit(&alice, register(burn)).await;
    assert_eq!(events[0], RuntimeEvent::SubtensorModule(SubtensorEvent::NeuronRegistered(NetUid(netuid), 1, id(&hotkey))));
}

/// What a metadata-driven client sends: the calls encoded from the served V15 metadata
/// by name and argument names (subxt's encoder, as Python's scalecodec does) are the
/// bytes the node's own types encode, and the metadata carries the deposit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_encode_the_new_calls_from_the_metadata() {
    use subxt::ext::frame_decode::extrinsics::encode_call_data;
    use subxt::ext::scale_value::{Composite, Value};

    let s = Served::start().await;
    let answer: String =
        s.rpc.request("state_call", rpc_params!["Metadata_metadata_at_version", format!("0x{}", hex::encode(15u32.encode()))]).await.unwrap();
    let bytes = Option::<Vec<u8>>::decode(&mut &hex::decode(answer.trim_start_matches("0x")).unwrap()[..]).unwrap().unwrap();
    let metadata = subxt::Metadata::decode(&mut &bytes[..]).unwrap();

    let account = |b: u8| Value::from_bytes([b; 32]);
    let u = |n: u64| Value::u128(n as u128);
    let u16s = |v: &[u16]| Value::unnamed_composite(v.iter().map(|x| u(*x as u64)));
    /// Pallet, call, arguments by name, and the node's own value of that call.
    type Case = (&'static str, &'static str, Vec<(&'static str, Value)>, RuntimeCall);
    let mut cases: Vec<Case> = vec![
        (
            "Balances",
            "transfer_allow_death",
            vec![("dest", Value::unnamed_variant("Id", [account(3)])), ("value", u(7 * TAO))],
            RuntimeCall::Balances(BalancesCall::transfer_allow_death { dest: MultiAddress::Id(AccountId32([3; 32])), value: 7 * TAO }),
        ),
        (
            "Balances",
            "transfer_keep_alive",
            vec![("dest", Value::unnamed_variant("Id", [account(4)])), ("value", u(1))],
            RuntimeCall::Balances(BalancesCall::transfer_keep_alive { dest: MultiAddress::Id(AccountId32([4; 32])), value: 1 }),
        ),
        (
            "Balances",
            "transfer_all",
            vec![("dest", Value::unnamed_variant("Id", [account(5)])), ("keep_alive", Value::bool(true))],
            RuntimeCall::Balances(BalancesCall::transfer_all { dest: MultiAddress::Id(AccountId32([5; 32])), keep_alive: true }),
        ),
        (
            "SubtensorModule",
            "set_mechanism_weights",
            vec![("netuid", u(3)), ("mecid", u(0)), ("dests", u16s(&[0, 1])), ("weights", u16s(&[5, 6])), ("version_key", u(9))],
            RuntimeCall::SubtensorModule(SubtensorCall::set_mechanism_weights {
                netuid: NetUid(3),
                mecid: MechId(0),
                dests: vec![0, 1],
                weights: vec![5, 6],
                version_key: 9,
            }),
        ),
        (
            "SubtensorModule",
            "commit_mechanism_weights",
            vec![("netuid", u(3)), ("mecid", u(1)), ("commit_hash", account(8))],
            RuntimeCall::SubtensorModule(SubtensorCall::commit_mechanism_weights { netuid: NetUid(3), mecid: MechId(1), commit_hash: H256([8; 32]) }),
        ),
        (
            "SubtensorModule",
            "reveal_mechanism_weights",
            vec![("netuid", u(3)), ("mecid", u(0)), ("uids", u16s(&[1])), ("values", u16s(&[2])), ("salt", u16s(&[3, 4])), ("version_key", u(0))],
            RuntimeCall::SubtensorModule(SubtensorCall::reveal_mechanism_weights {
                netuid: NetUid(3),
                mecid: MechId(0),
                uids: vec![1],
                values: vec![2],
                salt: vec![3, 4],
                version_key: 0,
            }),
        ),
        (
            "SubtensorModule",
            "add_stake_limit",
            vec![("hotkey", account(6)), ("netuid", u(2)), ("amount_staked", u(TAO)), ("limit_price", u(TAO)), ("allow_partial", Value::bool(false))],
            RuntimeCall::SubtensorModule(SubtensorCall::add_stake_limit {
                hotkey: AccountId32([6; 32]),
                netuid: NetUid(2),
                amount_staked: TaoBalance(TAO),
                limit_price: TaoBalance(TAO),
                allow_partial: false,
            }),
        ),
        (
            "SubtensorModule",
            "remove_stake_limit",
            vec![("hotkey", account(6)), ("netuid", u(2)), ("amount_unstaked", u(TAO)), ("limit_price", u(1)), ("allow_partial", Value::bool(true))],
            RuntimeCall::SubtensorModule(SubtensorCall::remove_stake_limit {
                hotkey: AccountId32([6; 32]),
                netuid: NetUid(2),
                amount_unstaked: AlphaBalance(TAO),
                limit_price: TaoBalance(1),
                allow_partial: true,
            }),
        ),
        (
            "SubtensorModule",
            "register_limit",
            vec![("netuid", u(2)), ("hotkey", account(7)), ("limit_price", u(TAO))],
            RuntimeCall::SubtensorModule(SubtensorCall::register_limit { netuid: NetUid(2), hotkey: AccountId32([7; 32]), limit_price: TAO }),
        ),
    ];
    cases.push((
        "SubtensorModule",
        "serve_axon_tls",
        vec![
            ("netuid", u(2)),
            ("version", u(1)),
            ("ip", u(0x0a00_0007)),
            ("port", u(8091)),
            ("ip_type", u(4)),
            ("protocol", u(0)),
            ("placeholder1", u(0)),
            ("placeholder2", u(0)),
            ("certificate", Value::from_bytes([1; 33])),
        ],
        serve_axon_tls(2, 0x0a00_0007, vec![1; 33]),
    ));
    cases.push((
        "AdminUtils",
        "sudo_set_burn_increase_mult",
        vec![("netuid", u(2)), ("burn_increase_mult", Value::named_composite([("bits", Value::u128(3 << 63))]))],
        RuntimeCall::AdminUtils(AdminCall::sudo_set_burn_increase_mult {
            netuid: NetUid(2),
            burn_increase_mult: subnet_core::chain::node::runtime_api::types::U64F64::from_bits(3 << 63),
        }),
    ));
    for (pallet, call, args, ours) in cases {
        let fields = Composite::named(args.into_iter().map(|(n, v)| (n.to_string(), v)));
        let encoded = encode_call_data(pallet, call, &fields, &metadata, metadata.types()).unwrap_or_else(|e| panic!("{pallet}.{call}: {e}"));
        assert_eq!(encoded, ours.encode(), "{pallet}.{call}");
    }
    let deposit = metadata.pallet_by_name("Balances").unwrap().constant_by_name("ExistentialDeposit").unwrap();
    assert_eq!(deposit.value(), &EXISTENTIAL_DEPOSIT.encode()[..]);
}

fn serve_axon_tls(netuid: u16, ip: u128, certificate: Vec<u8>) -> RuntimeCall {
    RuntimeCall::SubtensorModule(SubtensorCall::serve_axon_tls {
        netuid: NetUid(netuid),
        version: 1,
        ip,
        port: 8091,
        ip_type: 4,
        protocol: 0,
        placeholder1: 0,
        placeholder2: 0,
        certificate,
    })
}

impl Served {
    /// `NeuronCertificates(netuid, hotkey)` over `state_getStorage`, decoded as the
    /// chain's `NeuronCertificate { public_key, algorithm }`; `None` if absent.
    async fn certificate(&self, netuid: u16, hotkey: &Keypair) -> Option<(Vec<u8>, u8)> {
        let account = hotkey.account_id().0;
        let key = [
            &sp_crypto_hashing::twox_128(b"SubtensorModule")[..],
            &sp_crypto_hashing::twox_128(b"NeuronCertificates"),
            &netuid.encode(),                         // Identity
            &sp_crypto_hashing::blake2_128(&account), // Blake2_128Concat
            &account,
        ]
        .concat();
        let value: Option<String> = self.rpc.request("state_getStorage", rpc_params![format!("0x{}", hex::encode(key))]).await.unwrap();
        value.map(|v| <(Vec<u8>, u8)>::decode(&mut &hex::decode(v.trim_start_matches("0x")).unwrap()[..]).unwrap())
    }
}

/// `serve_axon_tls` (call 40) as a signed extrinsic: `serve_axon`'s checks and event,
/// the key stored in `NeuronCertificates`; an invalid certificate still serves the axon.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_axon_tls_stores_the_key_in_neuron_certificates() {
    let s = Served::start().await;
    let owner = seeded_key(91);
    let netuid = subnet(&s, &owner, false);
    s.node.lock().chain.set_hyperparameter(&dev_keypair("Alice"), netuid, Hyperparameter::ServingRateLimit(0)).unwrap();
    let ip = u32::from_be_bytes([10, 0, 0, 7]) as u128;
    let mut cert = vec![1u8];
    cert.extend([0xab; 32]);

    let stranger = seeded_key(92);
    assert_eq!(failure(&s.submit(&stranger, serve_axon_tls(netuid, ip, cert.clone())).await), subtensor_error("HotKeyNotRegisteredInNetwork"));
    assert_eq!(failure(&s.submit(&owner, serve_axon_tls(netuid, 0x7f00_0001, cert.clone())).await), subtensor_error("InvalidIpAddress"));
    assert_eq!(s.certificate(netuid, &owner).await, None);

    let events = s.submit(&owner, serve_axon_tls(netuid, ip, cert.clone())).await;
    assert_eq!(events[0], RuntimeEvent::SubtensorModule(SubtensorEvent::AxonServed(NetUid(netuid), id(&owner))));
    assert!(
        matches!(events.last(), Some(RuntimeEvent::System(SystemEvent::ExtrinsicSuccess { dispatch_info })) if dispatch_info.pays_fee == Pays::No),
        "serve_axon_tls is Pays::No: {events:?}"
    );
    assert_eq!(s.certificate(netuid, &owner).await, Some((vec![0xab; 32], 1)));
    assert_eq!(s.node.lock().chain.metagraph(netuid).unwrap().neurons[0].axon.map(|a| a.ip), Some(ip));

    // Too long (66 bytes): the call succeeds and serves the new axon; the key stays.
    let events = s.submit(&owner, serve_axon_tls(netuid, ip + 1, vec![2; 66])).await;
    assert!(success(&events), "{events:?}");
    assert_eq!(s.node.lock().chain.metagraph(netuid).unwrap().neurons[0].axon.map(|a| a.ip), Some(ip + 1));
    assert_eq!(s.certificate(netuid, &owner).await, Some((vec![0xab; 32], 1)));
}

/// MevShield as bittensor 11 uses it for `burned_register`: the inner extrinsic, signed
/// at the next nonce but one, encrypted to `NextKey` and carried by
/// `submit_encrypted`, is decrypted by the node and applied in the carrier's block,
/// right after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shielded_extrinsic_runs_right_after_its_carrier() {
    use subnet_core::chain::node::shield;

    let s = Served::start().await;
    let bob = dev_keypair("Bob");
    let hotkey = seeded_key(95);
    let netuid = subnet(&s, &seeded_key(94), false);
    // The key clients encrypt to, as they read it.
    let key = [sp_crypto_hashing::twox_128(b"MevShield"), sp_crypto_hashing::twox_128(b"NextKey")].concat();
    let next_key: String = s.rpc.request("state_getStorage", rpc_params![format!("0x{}", hex::encode(key))]).await.unwrap();
    let next_key = Vec::<u8>::decode(&mut &hex::decode(next_key.trim_start_matches("0x")).unwrap()[..]).unwrap();
    assert_eq!(next_key.len(), shield::ENC_KEY_LEN);

    let nonce: u32 = s.rpc.request("system_accountNextIndex", rpc_params![bob.ss58_address()]).await.unwrap();
    let register = RuntimeCall::SubtensorModule(SubtensorCall::burned_register { netuid: NetUid(netuid), hotkey: id(&hotkey) });
    let inner = build_signed(&bob, &register.encode(), nonce + 1, &s.implicit);
    let ciphertext = shield::shield(&next_key, &inner, [3; 32], [4; 24]).unwrap();
    let carrier = RuntimeCall::MevShield(ShieldCall::submit_encrypted { ciphertext: BoundedBytes(ciphertext.clone()) });

    let events = s.submit(&bob, carrier).await;
    let carrier_id = sp_crypto_hashing::blake2_256(&(id(&bob), BoundedBytes(ciphertext)).encode());
    assert_eq!(events[0], RuntimeEvent::MevShield(ShieldEvent::EncryptedSubmitted { id: H256(carrier_id), who: id(&bob) }));
    assert!(matches!(events[1], RuntimeEvent::System(SystemEvent::ExtrinsicSuccess { .. })), "{events:?}");
    assert!(matches!(events[2], RuntimeEvent::SubtensorModule(SubtensorEvent::NeuronRegistered(_, 1, _))), "{events:?}");
    assert!(success(&events), "{events:?}");
    assert_eq!(s.node.lock().chain.subnet(netuid).unwrap().keys[1], hotkey.account_id());
    // The block carries the inner extrinsic after its carrier (clients find it by hash).
    let block: serde_json::Value = s.rpc.request("chain_getBlock", rpc_params![]).await.unwrap();
    let extrinsics = block["block"]["extrinsics"].as_array().unwrap();
    assert_eq!(extrinsics.len(), 2);
    assert_eq!(extrinsics[1], format!("0x{}", hex::encode(&inner)));
    let next: u32 = s.rpc.request("system_accountNextIndex", rpc_params![bob.ss58_address()]).await.unwrap();
    assert_eq!(next, nonce + 2);

    // A ciphertext the node cannot open leaves the carrier alone in its block.
    let mut foreign = shield::shield(&next_key, &inner, [5; 32], [6; 24]).unwrap();
    foreign[0] ^= 1;
    let events = s.submit(&bob, RuntimeCall::MevShield(ShieldCall::submit_encrypted { ciphertext: BoundedBytes(foreign) })).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(success(&events));
}

/// The burn setters SDK 11's `SetHyperparameter` offers a subnet owner
/// (`burn_half_life`, `burn_increase_mult`): owner-signed, checked as AdminUtils does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_sets_the_burn_decay_and_bump() {
    use subnet_core::chain::node::runtime_api::types::U64F64;

    let s = Served::start().await;
    let alice = dev_keypair("Alice");
    let netuid = subnet(&s, &seeded_key(97), false);
    let half_life = |v| RuntimeCall::AdminUtils(AdminCall::sudo_set_burn_half_life { netuid: NetUid(netuid), burn_half_life: v });
    let mult = |bits| {
        RuntimeCall::AdminUtils(AdminCall::sudo_set_burn_increase_mult { netuid: NetUid(netuid), burn_increase_mult: U64F64::from_bits(bits) })
    };

    assert!(success(&s.submit(&alice, half_life(720)).await));
    assert!(success(&s.submit(&alice, mult(3 << 63)).await)); // 1.5
    let h = s.node.lock().chain.hyperparameters(netuid).unwrap();
    assert_eq!((h.burn_half_life, h.burn_increase_mult), (720, 1.5));
    assert_eq!(failure(&s.submit(&alice, half_life(0)).await), subtensor_error("InvalidValue"));
    assert_eq!(failure(&s.submit(&alice, mult(1 << 63)).await), subtensor_error("InvalidValue")); // 0.5
                                                                                                  // Anyone else's signed call is refused.
    assert_eq!(failure(&s.submit(&dev_keypair("Bob"), half_life(100)).await), DispatchError::BadOrigin);
}
