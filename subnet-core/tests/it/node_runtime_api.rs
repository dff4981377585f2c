//! The served node's runtime APIs through `state_call`: each answer decoded with the
//! node's own types and checked against the chain state, and every declared method
//! called and its answer decoded with the type registry of the node's V15 metadata,
//! so the declarations and the encodings cannot drift apart.

use codec::{Compact, Decode, DecodeAll, Encode};
use subxt::ext::frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use subxt::ext::scale_value;
use subxt::rpcs::{rpc_params, RpcClient};

use crate::support::seeded_key;
use subnet_core::chain::local::{dev_keypair, LocalChain, LocalChainConfig};
use subnet_core::chain::node::pallets::AccountId32;
use subnet_core::chain::node::runtime_api::{delegate, dynamic, metagraph, neuron, payment, stake, subnet, swap, types};
use subnet_core::chain::node::{LocalNode, RunningNode};
use subnet_core::chain::{AccountId, AxonInfo, BlockMode, Hyperparameter, Signer};

const TAO: u64 = 1_000_000_000;

/// A served node with one started subnet (netuid 1): the owner (UID 0), a validator
/// (UID 1) and a miner (UID 2); the validator staked by its owner and by a nominator,
/// an axon served, commit-reveal off, weights set and one epoch run.
struct Fixture {
    node: LocalNode,
    running: RunningNode,
    rpc: RpcClient,
    owner_cold: AccountId,
    owner_hot: AccountId,
    validator: AccountId,
    miner: AccountId,
    nominator: AccountId,
}

async fn fixture() -> Fixture {
    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Instant);
    let owner_cold = dev_keypair("Alice").account_id();
    let nominator = dev_keypair("Bob").account_id();
    let (owner_hot, validator, miner) = (seeded_key(1).account_id(), seeded_key(2).account_id(), seeded_key(3).account_id());
    {
        let mut state = node.lock();
        let chain = &mut state.chain;
        chain.produce_blocks(1);
        let netuid = chain.register_network(&owner_cold, owner_hot).unwrap();
        assert_eq!(netuid, 1);
        chain.start_call(&owner_cold, 1).unwrap();
        chain.produce_blocks(1);
        chain.set_hyperparameter(&owner_cold, 1, Hyperparameter::CommitRevealWeightsEnabled(false)).unwrap();
        chain.set_hyperparameter(&owner_cold, 1, Hyperparameter::Tempo(10)).unwrap();
        chain.set_hyperparameter(&owner_cold, 1, Hyperparameter::WeightsSetRateLimit(0)).unwrap();
        chain.burned_register(&owner_cold, 1, validator).unwrap();
        chain.burned_register(&owner_cold, 1, miner).unwrap();
        chain.add_stake(&owner_cold, validator, 1, 100 * TAO).unwrap();
        chain.add_stake(&nominator, validator, 1, 50 * TAO).unwrap();
        let axon = AxonInfo { block: 0, version: 7, ip: 0x0a00_0001, port: 8091, ip_type: 4, protocol: 4 };
        chain.serve_axon(&miner, 1, axon).unwrap();
        chain.produce_blocks(11);
        chain.set_weights(&validator, 1, &[2], &[u16::MAX], 0).unwrap();
        chain.produce_blocks(11);
    }
    node.seal_blocks(1);
    let running = node.clone().serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let rpc = RpcClient::from_insecure_url(running.url()).await.unwrap();
    Fixture { node, running, rpc, owner_cold, owner_hot, validator, miner, nominator }
}

impl Fixture {
    async fn raw(&self, method: &str, args: impl Encode) -> Result<Vec<u8>, String> {
        let answer: Result<String, _> = self.rpc.request("state_call", rpc_params![method, format!("0x{}", hex::encode(args.encode()))]).await;
        answer.map(|s| hex::decode(s.trim_start_matches("0x")).unwrap()).map_err(|e| e.to_string())
    }

    /// `state_call` and decode the answer as `T`, every byte used.
    async fn call<T: Decode>(&self, method: &str, args: impl Encode) -> T {
        let bytes = self.raw(method, args).await.unwrap_or_else(|e| panic!("{method}: {e}"));
        T::decode_all(&mut &bytes[..]).unwrap_or_else(|e| panic!("{method}: the answer does not decode: {e}"))
    }
}

fn id(a: AccountId) -> AccountId32 {
    AccountId32(a.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neuron_info_answers_the_subnets_neurons() {
    let f = fixture().await;
    let full: Vec<neuron::NeuronInfo> = f.call("NeuronInfoRuntimeApi_get_neurons", 1u16).await;
    let lite: Vec<neuron::NeuronInfoLite> = f.call("NeuronInfoRuntimeApi_get_neurons_lite", 1u16).await;
    assert_eq!(full.len(), 3);
    assert_eq!(lite, full.iter().cloned().map(neuron::NeuronInfoLite::from).collect::<Vec<_>>());
    assert_eq!(full.iter().map(|n| n.hotkey).collect::<Vec<_>>(), [id(f.owner_hot), id(f.validator), id(f.miner)]);
    let v = &full[1];
    assert_eq!((v.uid, v.netuid, v.coldkey), (Compact(1), Compact(1), id(f.owner_cold)));
    // The hotkey's whole stake (its owner's, the nominator's, dividends), reported as
    // its owner's (as Subtensor does).
    let total = f.node.lock().chain.hotkey_stake(&f.validator, 1);
    assert!(total > 150 * TAO);
    assert_eq!(v.stake, vec![(id(f.owner_cold), Compact(total))]);
    assert_eq!(v.weights, vec![(Compact(2), Compact(u16::MAX))]);
    assert!(v.validator_permit);
    assert!(v.dividends.0 > 0, "the epoch paid the validator");
    assert_eq!(v.pruning_score, Compact(u16::MAX));
    assert_eq!((full[2].axon_info.port, full[2].axon_info.ip, full[2].axon_info.version), (8091, 0x0a00_0001, 7));
    assert!(full[2].incentive.0 > 0, "the epoch paid the miner");

    let one: Option<neuron::NeuronInfo> = f.call("NeuronInfoRuntimeApi_get_neuron", (1u16, 2u16)).await;
    assert_eq!(one.as_ref(), full.get(2));
    let lite_one: Option<neuron::NeuronInfoLite> = f.call("NeuronInfoRuntimeApi_get_neuron_lite", (1u16, 2u16)).await;
    assert_eq!(lite_one, one.map(Into::into));
    let missing: Option<neuron::NeuronInfo> = f.call("NeuronInfoRuntimeApi_get_neuron", (1u16, 9u16)).await;
    assert_eq!(missing, None);
    let none: Vec<neuron::NeuronInfoLite> = f.call("NeuronInfoRuntimeApi_get_neurons_lite", 7u16).await;
    assert!(none.is_empty());
    f.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subnet_info_and_hyperparameters() {
    let f = fixture().await;
    let info: Option<subnet::SubnetInfov2> = f.call("SubnetInfoRuntimeApi_get_subnet_info_v2", 1u16).await;
    let info = info.expect("subnet 1 exists");
    assert_eq!((info.netuid, info.subnetwork_n, info.tempo, info.owner), (Compact(1), Compact(3), Compact(10), id(f.owner_cold)));
    assert_eq!((info.rho, info.difficulty, info.identity.clone()), (Compact(10), Compact(10_000_000), None));
    let all: Vec<Option<subnet::SubnetInfov2>> = f.call("SubnetInfoRuntimeApi_get_subnets_info_v2", ()).await;
    assert_eq!(all, vec![Some(info.clone())]);
    let v1: Option<subnet::SubnetInfo> = f.call("SubnetInfoRuntimeApi_get_subnet_info", 1u16).await;
    assert_eq!(v1.map(|s| (s.burn, s.owner)), Some((info.burn, info.owner)));
    assert_eq!(f.call::<Option<subnet::SubnetInfov2>>("SubnetInfoRuntimeApi_get_subnet_info_v2", 5u16).await, None);

    let v2: subnet::SubnetHyperparamsV2 = f.call::<Option<_>>("SubnetInfoRuntimeApi_get_subnet_hyperparams_v2", 1u16).await.unwrap();
    assert_eq!((v2.tempo, v2.commit_reveal_weights_enabled, v2.weights_rate_limit), (Compact(10), false, Compact(0)));
    assert_eq!((v2.yuma_version, v2.subnet_is_active, v2.alpha_sigmoid_steepness.bits), (Compact(3), true, 1000 << 32));
    // activity cutoff = factor * tempo / 1000 (13_889 * 10 / 1000).
    assert_eq!(v2.activity_cutoff, Compact(138));
    let v1: subnet::SubnetHyperparams = f.call::<Option<_>>("SubnetInfoRuntimeApi_get_subnet_hyperparams", 1u16).await.unwrap();
    assert_eq!((v1.tempo, v1.max_burn), (v2.tempo, v2.max_burn));

    let v3: Vec<subnet::HyperparamEntry> = f.call::<Option<_>>("SubnetInfoRuntimeApi_get_subnet_hyperparams_v3", 1u16).await.unwrap();
    let names: Vec<String> = v3.iter().map(|e| String::from_utf8(e.name.clone()).unwrap()).collect();
    // Subtensor's list, in its order (`get_subnet_hyperparams_v3`), then the local extras.
    let subtensor = "kappa immunity_period min_allowed_weights max_weights_limit tempo weights_version weights_rate_limit \
        activity_cutoff activity_cutoff_factor registration_allowed target_regs_per_interval min_burn max_burn burn_half_life \
        burn_increase_mult bonds_moving_avg max_regs_per_block serving_rate_limit max_validators commit_reveal_period \
        commit_reveal_weights_enabled alpha_high alpha_low liquid_alpha_enabled alpha_sigmoid_steepness yuma_version \
        subnet_is_active transfers_enabled bonds_reset_enabled user_liquidity_enabled owner_cut_enabled \
        owner_cut_auto_lock_enabled min_childkey_take";
    assert_eq!(names[..33], subtensor.split_whitespace().collect::<Vec<_>>()[..]);
    let tempo = v3.iter().find(|e| e.name == b"tempo").unwrap();
    assert_eq!(tempo.value, subnet::HyperparamValue::U16(Compact(10)));
    assert_eq!(f.call::<Option<Vec<subnet::HyperparamEntry>>>("SubnetInfoRuntimeApi_get_subnet_hyperparams_v3", 4u16).await, None);

    let next: Option<u64> = f.call("SubnetInfoRuntimeApi_get_next_epoch_start_block", 1u16).await;
    let last_epoch = f.node.lock().chain.subnet(1).unwrap().last_epoch_block;
    assert_eq!(next, Some(last_epoch + 10));
    let account: Option<AccountId32> = f.call("SubnetInfoRuntimeApi_get_subnet_account_id", 1u16).await;
    let account = account.unwrap().0;
    assert_eq!((&account[..4], &account[4..12], &account[12..14]), (&b"modl"[..], &b"subtensr"[..], &[1u8, 0][..]));
    assert_eq!(f.call::<Option<u16>>("SubnetInfoRuntimeApi_get_subnet_to_prune", ()).await, None, "every subnet is immune");
    let cost: u64 = f.call("SubnetRegistrationRuntimeApi_get_network_registration_cost", ()).await;
    assert_eq!(cost, LocalChainConfig::dev_accounts().network_lock_cost);
    f.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_info_metagraph_and_state_mirror_stake_at_price_one() {
    let f = fixture().await;
    let lock = LocalChainConfig::dev_accounts().network_lock_cost;
    let staked: u64 = f.node.lock().chain.stakes().filter(|s| s.2 == 1).map(|s| s.3).sum();
    assert!(staked >= 150 * TAO);

    let d: dynamic::DynamicInfo = f.call::<Option<_>>("SubnetInfoRuntimeApi_get_dynamic_info", 1u16).await.unwrap();
    assert_eq!(String::from_utf8(d.token_symbol.iter().map(|c| c.0).collect()).unwrap(), "α");
    assert_eq!(String::from_utf8(d.subnet_name.iter().map(|c| c.0).collect()).unwrap(), "apex");
    assert_eq!((d.tao_in, d.alpha_in, d.alpha_out), (Compact(lock + staked), Compact(lock + staked), Compact(staked)));
    assert_eq!(d.moving_price, types::I96F32_ONE);
    assert_eq!(d.alpha_out_emission, Compact(LocalChainConfig::dev_accounts().subnet_emission_per_block));
    let all: Vec<Option<dynamic::DynamicInfo>> = f.call("SubnetInfoRuntimeApi_get_all_dynamic_info", ()).await;
    // Root (netuid 0, empty: the local chain models no root network) comes first, as
    // on Subtensor, then the subnet.
    assert_eq!(all.len(), 2);
    let root = all[0].clone().expect("root");
    assert_eq!((root.netuid, root.tao_in, root.alpha_out), (Compact(0), Compact(0), Compact(0)));
    assert_eq!(all[1], Some(d.clone()));

    let m: metagraph::Metagraph = f.call::<Option<_>>("SubnetInfoRuntimeApi_get_metagraph", 1u16).await.unwrap();
    assert_eq!(m.hotkeys, [id(f.owner_hot), id(f.validator), id(f.miner)]);
    assert_eq!((m.num_uids, m.tao_in, m.alpha_in, m.symbol.clone()), (Compact(3), d.tao_in, d.alpha_in, d.token_symbol.clone()));
    assert_eq!(m.block, Compact(f.node.lock().chain.block()));
    assert_eq!(m.axons[2].port, 8091);
    assert!(m.total_stake[1].0 >= 150 * TAO);
    assert_eq!(m.alpha_stake, m.total_stake);
    assert_eq!(m.identities, vec![None, None, None]);
    assert!(m.pruning_score.is_empty());
    assert_eq!(f.call::<Option<metagraph::Metagraph>>("SubnetInfoRuntimeApi_get_mechagraph", (1u16, 0u8)).await, Some(m.clone()));
    assert_eq!(f.call::<Option<metagraph::Metagraph>>("SubnetInfoRuntimeApi_get_mechagraph", (1u16, 1u8)).await, None);
    assert_eq!(f.call::<Vec<Option<metagraph::Metagraph>>>("SubnetInfoRuntimeApi_get_all_metagraphs", ()).await, vec![Some(m.clone())]);

    // Only the fields asked for; the netuid only when index 0 is asked for.
    let s: metagraph::SelectiveMetagraph =
        f.call::<Option<_>>("SubnetInfoRuntimeApi_get_selective_metagraph", (1u16, vec![52u16, 72, 500])).await.unwrap();
    assert_eq!(s.netuid, 0);
    assert_eq!(s.hotkeys.as_ref(), Some(&m.hotkeys));
    // Permit holders with stake, by ascending stake: the owner (its cut) then the validator.
    assert_eq!(s.validators, Some(vec![Compact(0), Compact(1)]));
    assert!(m.total_stake[0].0 < m.total_stake[1].0);
    assert_eq!((s.coldkeys.is_none(), s.name.is_none(), s.commitments.is_none()), (true, true, true));
    let s: metagraph::SelectiveMetagraph =
        f.call::<Option<_>>("SubnetInfoRuntimeApi_get_selective_mechagraph", (1u16, 0u8, vec![2u16, 73])).await.unwrap();
    assert_eq!((s.netuid, s.symbol, s.commitments), (1, Some(m.symbol.clone()), Some(vec![])));

    let st: dynamic::SubnetState = f.call::<Option<_>>("SubnetInfoRuntimeApi_get_subnet_state", 1u16).await.unwrap();
    assert_eq!((st.hotkeys, st.total_stake, st.emission), (m.hotkeys.clone(), m.total_stake.clone(), m.emission.clone()));
    assert_eq!(st.emission_history, vec![m.emission.clone()]);
    f.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stake_delegate_swap_and_payment() {
    let f = fixture().await;
    let (validator_stake_of_owner, nominated) = {
        let state = f.node.lock();
        (state.chain.stake_of(&f.validator, &f.owner_cold, 1), state.chain.stake_of(&f.validator, &f.nominator, 1))
    };
    let rows: Vec<stake::StakeInfo> = f.call("StakeInfoRuntimeApi_get_stake_info_for_coldkey", id(f.nominator)).await;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].hotkey, rows[0].netuid, rows[0].stake, rows[0].is_registered), (id(f.validator), Compact(1), Compact(nominated), true));
    let many: Vec<(AccountId32, Vec<stake::StakeInfo>)> =
        f.call("StakeInfoRuntimeApi_get_stake_info_for_coldkeys", vec![id(f.nominator), id(f.miner)]).await;
    assert_eq!(many, vec![(id(f.nominator), rows.clone()), (id(f.miner), vec![])]);
    let one: Option<stake::StakeInfo> =
        f.call("StakeInfoRuntimeApi_get_stake_info_for_hotkey_coldkey_netuid", (id(f.validator), id(f.owner_cold), 1u16)).await;
    assert_eq!(one.map(|s| s.stake), Some(Compact(validator_stake_of_owner)));
    let availability: stake::Availability =
        f.call("StakeInfoRuntimeApi_get_stake_availability_for_coldkeys", (vec![id(f.nominator)], Option::<Vec<u16>>::None)).await;
    assert_eq!(availability.0.len(), 1);
    let (who, per_subnet) = &availability.0[0];
    assert_eq!(*who, id(f.nominator));
    assert_eq!(per_subnet.0[0].0, 1);
    assert_eq!(
        (per_subnet.0[0].1.total, per_subnet.0[0].1.locked, per_subnet.0[0].1.available),
        (Compact(nominated), Compact(0), Compact(nominated))
    );
    let fee: u64 = f
        .call(
            "StakeInfoRuntimeApi_get_stake_fee",
            (Some((id(f.validator), 1u16)), id(f.owner_cold), None::<(AccountId32, u16)>, id(f.owner_cold), TAO),
        )
        .await;
    assert_eq!(fee, 0);
    assert_eq!(f.call::<Option<stake::LockState>>("StakeInfoRuntimeApi_get_coldkey_lock", (id(f.owner_cold), 1u16)).await, None);
    assert_eq!(f.call::<types::U64F64>("StakeInfoRuntimeApi_get_hotkey_conviction", (id(f.validator), 1u16)).await.bits, 0);

    // The nominator made the validator a delegate (Subtensor: `maybe_become_delegate`).
    let delegates: Vec<delegate::DelegateInfo> = f.call("DelegateInfoRuntimeApi_get_delegates", ()).await;
    assert_eq!(delegates.iter().map(|d| d.delegate_ss58).collect::<Vec<_>>(), [id(f.validator)]);
    let d = &delegates[0];
    assert_eq!(
        (d.owner_ss58, d.take, d.registrations.clone(), d.validator_permits.clone()),
        (id(f.owner_cold), Compact(11_796), vec![Compact(1)], vec![Compact(1)])
    );
    assert_eq!(d.nominators.len(), 2, "the owner and the nominator");
    assert_eq!(f.call::<Option<delegate::DelegateInfo>>("DelegateInfoRuntimeApi_get_delegate", id(f.validator)).await.as_ref(), Some(d));
    assert_eq!(f.call::<Option<delegate::DelegateInfo>>("DelegateInfoRuntimeApi_get_delegate", id(f.miner)).await, None);
    let delegated: Vec<(delegate::DelegateInfo, delegate::SubnetStake)> = f.call("DelegateInfoRuntimeApi_get_delegated", id(f.nominator)).await;
    assert_eq!(delegated.len(), 1);
    assert_eq!((delegated[0].0.delegate_ss58, delegated[0].1), (id(f.validator), (Compact(1), Compact(nominated))));
    assert!(delegated[0].0.nominators.is_empty(), "get_delegated leaves the nominators out");

    // Price 1 TAO per alpha, in rao; swaps 1:1 without fee.
    assert_eq!(f.call::<u64>("SwapRuntimeApi_current_alpha_price", 1u16).await, TAO);
    assert_eq!(
        f.call::<Vec<swap::SubnetPrice>>("SwapRuntimeApi_current_alpha_price_all", ()).await,
        vec![swap::SubnetPrice { netuid: 1, price: TAO }]
    );
    let sim: swap::SimSwapResult = f.call("SwapRuntimeApi_sim_swap_tao_for_alpha", (1u16, 5 * TAO)).await;
    assert_eq!((sim.tao_amount, sim.alpha_amount, sim.tao_fee, sim.alpha_slippage), (5 * TAO, 5 * TAO, 0, 0));
    let sim: swap::SimSwapResult = f.call("SwapRuntimeApi_sim_swap_alpha_for_tao", (9u16, 5 * TAO)).await;
    assert_eq!(sim, swap::SimSwapResult::default(), "no such subnet");

    // Fees: none. The extrinsic travels as `UncheckedExtrinsic` (length-prefixed bytes).
    let uxt = vec![0x84u8, 0, 1, 2, 3];
    let info: payment::RuntimeDispatchInfo = f.call("TransactionPaymentApi_query_info", (uxt.clone(), uxt.len() as u32)).await;
    assert_eq!(info.partial_fee, 0);
    let details: payment::FeeDetails = f.call("TransactionPaymentApi_query_fee_details", (uxt.clone(), uxt.len() as u32)).await;
    assert_eq!((details.inclusion_fee.map(|i| i.base_fee + i.len_fee + i.adjusted_weight_fee), details.tip), (Some(0), 0));
    f.running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_get_the_runtimes_error() {
    let f = fixture().await;
    let short = f.raw("NeuronInfoRuntimeApi_get_neuron", 1u16).await.unwrap_err();
    assert!(short.contains("Bad input data provided to get_neuron"), "{short}");
    let long = f.raw("SubnetInfoRuntimeApi_get_metagraph", (1u16, 3u8)).await.unwrap_err();
    assert!(long.contains("Bad input data provided to get_metagraph"), "{long}");
    let unknown = f.raw("SubnetInfoRuntimeApi_get_nothing", ()).await.unwrap_err();
    assert!(unknown.contains("get_nothing is not found"), "{unknown}");
    f.running.stop().await;
}

// ------------------------------------------------------------ against the metadata

/// A value of type `id` as SCALE bytes: the smallest of its kind (numbers 1, empty
/// sequences, the first variant), enough to call any method.
fn sample(types: &scale_info::PortableRegistry, id: u32) -> Vec<u8> {
    use scale_info::{TypeDef, TypeDefPrimitive as P};
    let ty = &types.resolve(id).expect("a type of the registry").type_def;
    match ty {
        TypeDef::Composite(c) => c.fields.iter().flat_map(|f| sample(types, f.ty.id)).collect(),
        TypeDef::Variant(v) => {
            let first = v.variants.iter().min_by_key(|v| v.index).expect("a variant");
            std::iter::once(first.index).chain(first.fields.iter().flat_map(|f| sample(types, f.ty.id))).collect()
        }
        TypeDef::Sequence(_) => Compact(0u32).encode(),
        TypeDef::Array(a) => (0..a.len).flat_map(|_| sample(types, a.type_param.id)).collect(),
        TypeDef::Tuple(t) => t.fields.iter().flat_map(|f| sample(types, f.id)).collect(),
        TypeDef::Compact(_) => Compact(1u64).encode(),
        TypeDef::Primitive(p) => match p {
            P::Bool => vec![0],
            P::U8 | P::I8 => vec![1],
            P::U16 | P::I16 => 1u16.encode(),
            P::U32 | P::I32 | P::Char => 1u32.encode(),
            P::U64 | P::I64 => 1u64.encode(),
            P::U128 | P::I128 => 1u128.encode(),
            P::U256 | P::I256 => [1u8; 32].to_vec(),
            P::Str => Compact(0u32).encode(),
        },
        TypeDef::BitSequence(_) => Compact(0u32).encode(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_declared_method_answers_what_the_metadata_declares() {
    let f = fixture().await;
    let bytes = f.raw("Metadata_metadata_at_version", 15u32).await.unwrap();
    let v15 = Option::<Vec<u8>>::decode_all(&mut &bytes[..]).unwrap().expect("V15 is offered");
    let RuntimeMetadataPrefixed(_, RuntimeMetadata::V15(metadata)) = RuntimeMetadataPrefixed::decode(&mut &v15[..]).unwrap() else {
        panic!("not V15")
    };
    let types = &metadata.types;
    let mut called = 0;
    for api in &metadata.apis {
        for m in &api.methods {
            let name = format!("{}_{}", api.name, m.name);
            if name == "Core_execute_block" {
                continue; // declared, not answered: this node seals its own blocks
            }
            let args: Vec<u8> = m.inputs.iter().flat_map(|p| sample(types, p.ty.id)).collect();
            let answer: String = f
                .rpc
                .request("state_call", rpc_params![&name, format!("0x{}", hex::encode(&args))])
                .await
                .unwrap_or_else(|e| panic!("{name} is declared but not answered: {e}"));
            let answer = hex::decode(answer.trim_start_matches("0x")).unwrap();
            let input = &mut &answer[..];
            let value = scale_value::scale::decode_as_type(input, m.output.id, types)
                .unwrap_or_else(|e| panic!("{name}: the answer does not decode as the declared output: {e}"));
            assert!(input.is_empty(), "{name}: {} bytes left after the declared output {value}", input.len());
            called += 1;
        }
    }
    assert!(called >= 40, "only {called} methods declared");
    f.running.stop().await;
}

/// A second mechanism: its mechagraph carries its storage index as netuid and its own
/// incentive and last updates (`get_mechagraph`); `get_all_mechagraphs` lists every
/// mechanism; a mechanism that does not exist has none.
#[tokio::test]
async fn mechagraphs_carry_each_mechanisms_incentive_and_last_updates() {
    let f = fixture().await;
    let expected = {
        let mut state = f.node.lock();
        let chain = &mut state.chain;
        chain.set_hyperparameter(&f.owner_cold, 1, Hyperparameter::MaxAllowedUids(128)).unwrap();
        chain.set_hyperparameter(&f.owner_cold, 1, Hyperparameter::MechanismCount(2)).unwrap();
        chain.set_mechanism_weights(&f.validator, 1, 1, &[2], &[u16::MAX], 0).unwrap();
        chain.produce_blocks(11);
        let s = chain.subnet(1).unwrap();
        (s.mechanism(1).unwrap().last_update.to_vec(), s.mechanism_incentive(1).unwrap())
    };
    f.node.seal_blocks(1);
    let m1: metagraph::Metagraph = f.call::<Option<_>>("SubnetInfoRuntimeApi_get_mechagraph", (1u16, 1u8)).await.unwrap();
    assert_eq!(m1.netuid, Compact(4096 + 1), "the mechanism's storage index");
    assert_eq!(m1.last_update, expected.0.iter().map(|&b| Compact(b)).collect::<Vec<_>>());
    assert_eq!(m1.incentives, expected.1.iter().map(|&i| Compact(i)).collect::<Vec<_>>());
    assert_eq!(m1.incentives[2], Compact(u16::MAX), "the miner is mechanism 1's only weighed neuron");
    assert_eq!(f.call::<Option<metagraph::Metagraph>>("SubnetInfoRuntimeApi_get_mechagraph", (1u16, 2u8)).await, None);
    let all: Vec<Option<metagraph::Metagraph>> = f.call("SubnetInfoRuntimeApi_get_all_mechagraphs", ()).await;
    assert_eq!(all.iter().map(|m| m.as_ref().map(|m| m.netuid)).collect::<Vec<_>>(), vec![Some(Compact(1)), Some(Compact(4097))]);
    let s: metagraph::SelectiveMetagraph =
        f.call::<Option<_>>("SubnetInfoRuntimeApi_get_selective_mechagraph", (1u16, 1u8, vec![59u16, 62])).await.unwrap();
    assert_eq!((s.netuid, s.incentives, s.last_update), (1, Some(m1.incentives.clone()), Some(m1.last_update.clone())));
    f.running.stop().await;
}
