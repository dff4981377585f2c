//! `state_call`: the runtime APIs the node answers, declared in the V15 metadata and
//! answered with Subtensor's names and SCALE layouts (`pallets/subtensor/runtime-api`,
//! `pallets/swap/runtime-api`, `runtime/src/lib.rs` `impl_runtime_apis!`). One table
//! (`runtime_apis!`) both declares each method and dispatches it, so what the
//! metadata promises and what the node answers cannot drift apart.
//!
//! One module per family: [`neuron`], [`subnet`] (info, hyperparameters, registration
//! cost), [`dynamic`] (pools, dynamic info, subnet state), [`metagraph`] (full and
//! selective), [`stake`], [`delegate`], [`swap`], [`payment`]; [`types`] holds what
//! they share. Each method reads the chain state it is given ([`LocalChain`]) and
//! nothing else. What is modelled and what is a constant is said in each module.

pub mod delegate;
pub mod dynamic;
pub mod metagraph;
pub mod neuron;
pub mod payment;
pub mod stake;
pub mod subnet;
pub mod swap;
pub mod types;

use codec::{Decode, DecodeAll, Encode};
use frame_metadata::v15::{RuntimeApiMetadata, RuntimeApiMethodMetadata, RuntimeApiMethodParamMetadata};
use scale_info::{meta_type, TypeInfo};

use super::ledger::BlockState;
use super::pallets::AccountId32;
use super::system::{api_id, encode_bytes, RuntimeVersion, Weight};
use crate::chain::local::LocalChain;
use crate::chain::AccountId;

/// Which metadata versions `Metadata_metadata_versions` offers.
pub const METADATA_VERSIONS: &[u32] = &[14, 15];

/// The runtime's version and its metadata, computed once.
pub struct RuntimeInfo {
    /// What `state_getRuntimeVersion` and `Core_version` answer.
    pub version: RuntimeVersion,
    /// V14, the default (`state_getMetadata`, `Metadata_metadata`).
    metadata: Vec<u8>,
    metadata_v15: Vec<u8>,
}

impl RuntimeInfo {
    /// A runtime with this version and metadata (V14, V15), encoded once.
    pub fn from_parts(version: RuntimeVersion, v14: &frame_metadata::RuntimeMetadataPrefixed, v15: &frame_metadata::RuntimeMetadataPrefixed) -> Self {
        Self { version, metadata: v14.encode(), metadata_v15: v15.encode() }
    }

    /// Subtensor's runtime version (spec 425) and this node's metadata, encoded once.
    pub fn new() -> Self {
        let apis = super::metadata::RUNTIME_APIS.iter().map(|(name, version)| (api_id(name), *version)).collect();
        Self {
            // Subtensor's `VERSION` names; the spec version moves with the metadata.
            version: RuntimeVersion {
                spec_name: "node-subtensor".into(),
                impl_name: "node-subtensor".into(),
                authoring_version: 1,
                spec_version: super::metadata::SPEC_VERSION,
                impl_version: 1,
                apis,
                transaction_version: 1,
                system_version: 1,
            },
            metadata: super::metadata::build_v14().encode(),
            metadata_v15: super::metadata::build().encode(),
        }
    }

    /// The prefixed V14 metadata itself (`state_getMetadata` answers these bytes).
    pub fn metadata_bytes(&self) -> &[u8] {
        &self.metadata
    }

    /// `OpaqueMetadata`: the prefixed metadata as a SCALE `Vec<u8>`.
    pub fn opaque_metadata(&self) -> Vec<u8> {
        encode_bytes(&self.metadata)
    }
}

impl Default for RuntimeInfo {
    fn default() -> Self {
        Self::new()
    }
}

/// A method's arguments, decoded as the runtime does (`decode_all`: every byte used),
/// with the runtime's error wording.
fn args<T: Decode>(method: &str, input: &[u8]) -> Result<T, String> {
    T::decode_all(&mut &input[..]).map_err(|e| format!("Bad input data provided to {method}: {e}"))
}

fn param<T: TypeInfo + 'static>(name: &'static str) -> RuntimeApiMethodParamMetadata {
    RuntimeApiMethodParamMetadata { name, ty: meta_type::<T>() }
}

fn method<O: TypeInfo + 'static>(name: &'static str, inputs: Vec<RuntimeApiMethodParamMetadata>) -> RuntimeApiMethodMetadata {
    RuntimeApiMethodMetadata { name, inputs, output: meta_type::<O>(), docs: vec![] }
}

/// The APIs answered from the chain state. Each line is one method: its name, its
/// parameters with the types the metadata declares (and the node decodes), its
/// output type, and the expression that computes it.
macro_rules! runtime_apis {
    ($chain:ident; $($api:ident { $(fn $method:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty => $body:expr;)* })*) => {
        /// Declarations of the chain-state APIs, in the order of the table.
        fn chain_declarations() -> Vec<RuntimeApiMetadata> {
            vec![$(RuntimeApiMetadata {
                name: stringify!($api),
                methods: vec![$(method::<$out>(stringify!($method), vec![$(param::<$ty>(stringify!($arg))),*])),*],
                docs: vec![],
            }),*]
        }

        /// Answer `name` (`<Api>_<method>`) from `$chain`, or `None` if no such method.
        fn dispatch($chain: &LocalChain, name: &str, input: &[u8]) -> Option<Result<Vec<u8>, String>> {
            $($(
                if name == concat!(stringify!($api), "_", stringify!($method)) {
                    let answer = args::<($($ty,)*)>(stringify!($method), input).map(|($($arg,)*)| {
                        let out: $out = $body;
                        out.encode()
                    });
                    return Some(answer);
                }
            )*)*
            None
        }
    };
}

runtime_apis! { chain;
    NeuronInfoRuntimeApi {
        fn get_neurons(netuid: u16) -> Vec<neuron::NeuronInfo> => neuron::neurons(chain, netuid);
        fn get_neuron(netuid: u16, uid: u16) -> Option<neuron::NeuronInfo> => neuron::neuron(chain, netuid, uid);
        fn get_neurons_lite(netuid: u16) -> Vec<neuron::NeuronInfoLite> => neuron::neurons_lite(chain, netuid);
        fn get_neuron_lite(netuid: u16, uid: u16) -> Option<neuron::NeuronInfoLite> => neuron::neuron_lite(chain, netuid, uid);
    }
    SubnetInfoRuntimeApi {
        fn get_subnet_info(netuid: u16) -> Option<subnet::SubnetInfo> => subnet::subnet_info(chain, netuid);
        fn get_subnets_info() -> Vec<Option<subnet::SubnetInfo>> => subnet::subnets_info(chain);
        fn get_subnet_info_v2(netuid: u16) -> Option<subnet::SubnetInfov2> => subnet::subnet_info_v2(chain, netuid);
        fn get_subnets_info_v2() -> Vec<Option<subnet::SubnetInfov2>> => subnet::subnets_info_v2(chain);
        fn get_subnet_hyperparams(netuid: u16) -> Option<subnet::SubnetHyperparams> => subnet::hyperparams(chain, netuid);
        fn get_subnet_hyperparams_v2(netuid: u16) -> Option<subnet::SubnetHyperparamsV2> => subnet::hyperparams_v2(chain, netuid);
        fn get_subnet_hyperparams_v3(netuid: u16) -> Option<Vec<subnet::HyperparamEntry>> => subnet::hyperparams_v3(chain, netuid);
        fn get_all_dynamic_info() -> Vec<Option<dynamic::DynamicInfo>> => dynamic::all_dynamic_info(chain);
        fn get_all_metagraphs() -> Vec<Option<metagraph::Metagraph>> => metagraph::all_metagraphs(chain);
        fn get_metagraph(netuid: u16) -> Option<metagraph::Metagraph> => metagraph::metagraph(chain, netuid);
        fn get_all_mechagraphs() -> Vec<Option<metagraph::Metagraph>> => metagraph::all_mechagraphs(chain);
        fn get_mechagraph(netuid: u16, mecid: u8) -> Option<metagraph::Metagraph> => metagraph::mechagraph(chain, netuid, mecid);
        fn get_dynamic_info(netuid: u16) -> Option<dynamic::DynamicInfo> => dynamic::dynamic_info(chain, netuid);
        fn get_subnet_state(netuid: u16) -> Option<dynamic::SubnetState> => dynamic::subnet_state(chain, netuid);
        fn get_selective_metagraph(netuid: u16, metagraph_indexes: Vec<u16>) -> Option<metagraph::SelectiveMetagraph>
            => metagraph::selective_metagraph(chain, netuid, &metagraph_indexes);
        fn get_coldkey_auto_stake_hotkey(coldkey: AccountId32, netuid: u16) -> Option<AccountId32>
            => subnet::coldkey_auto_stake_hotkey(chain, coldkey, netuid);
        fn get_selective_mechagraph(netuid: u16, subid: u8, metagraph_indexes: Vec<u16>) -> Option<metagraph::SelectiveMetagraph>
            => metagraph::selective_mechagraph(chain, netuid, subid, &metagraph_indexes);
        fn get_subnet_to_prune() -> Option<u16> => subnet::subnet_to_prune(chain);
        fn get_subnet_account_id(netuid: u16) -> Option<AccountId32> => subnet::subnet_account_id(chain, netuid);
        fn get_next_epoch_start_block(netuid: u16) -> Option<u64> => subnet::next_epoch_start_block(chain, netuid);
    }
    StakeInfoRuntimeApi {
        fn get_stake_info_for_coldkey(coldkey_account: AccountId32) -> Vec<stake::StakeInfo> => stake::for_coldkey(chain, coldkey_account);
        fn get_stake_info_for_coldkeys(coldkey_accounts: Vec<AccountId32>) -> Vec<(AccountId32, Vec<stake::StakeInfo>)>
            => stake::for_coldkeys(chain, &coldkey_accounts);
        fn get_stake_info_for_hotkey_coldkey_netuid(hotkey_account: AccountId32, coldkey_account: AccountId32, netuid: u16)
            -> Option<stake::StakeInfo> => stake::for_hotkey_coldkey_netuid(chain, hotkey_account, coldkey_account, netuid);
        fn get_stake_availability_for_coldkeys(coldkey_accounts: Vec<AccountId32>, netuids: Option<Vec<u16>>)
            -> stake::Availability => stake::availability_for_coldkeys(chain, &coldkey_accounts, netuids);
        fn get_stake_fee(
            origin: Option<(AccountId32, u16)>,
            origin_coldkey_account: AccountId32,
            destination: Option<(AccountId32, u16)>,
            destination_coldkey_account: AccountId32,
            amount: u64,
        ) -> u64 => stake::stake_fee(origin, origin_coldkey_account, destination, destination_coldkey_account, amount);
        fn get_coldkey_lock(coldkey: AccountId32, netuid: u16) -> Option<stake::LockState> => stake::coldkey_lock(chain, coldkey, netuid);
        fn get_hotkey_conviction(hotkey: AccountId32, netuid: u16) -> types::U64F64 => stake::hotkey_conviction(chain, hotkey, netuid);
        fn get_most_convicted_hotkey_on_subnet(netuid: u16) -> Option<AccountId32> => stake::most_convicted_hotkey(chain, netuid);
    }
    DelegateInfoRuntimeApi {
        fn get_delegates() -> Vec<delegate::DelegateInfo> => delegate::delegates(chain);
        fn get_delegate(delegate_account: AccountId32) -> Option<delegate::DelegateInfo> => delegate::delegate(chain, delegate_account);
        fn get_delegated(delegatee_account: AccountId32) -> Vec<(delegate::DelegateInfo, delegate::SubnetStake)>
            => delegate::delegated(chain, delegatee_account);
    }
    SubnetRegistrationRuntimeApi {
        fn get_network_registration_cost() -> u64 => subnet::network_registration_cost(chain);
    }
    SwapRuntimeApi {
        fn current_alpha_price(netuid: u16) -> u64 => swap::current_alpha_price(chain, netuid);
        fn current_alpha_price_all() -> Vec<swap::SubnetPrice> => swap::current_alpha_price_all(chain);
        fn sim_swap_tao_for_alpha(netuid: u16, tao: u64) -> swap::SimSwapResult => swap::sim_swap_tao_for_alpha(chain, netuid, tao);
        fn sim_swap_alpha_for_tao(netuid: u16, alpha: u64) -> swap::SimSwapResult => swap::sim_swap_alpha_for_tao(chain, netuid, alpha);
    }
    // Root dividends as "beta basket" positions (a Subtensor after finney 393; bittensor
    // 11's `btcli wallet balance` reads both). The local chain has no root network, so
    // nothing is owed and no coldkey holds a position. Output types unsure: owed TAO as
    // u64 (TaoCurrency), a position as (validator hotkey, beta raw, payout rao), the
    // tuple bittensor 11 (`cli/helpers.py`) unpacks.
    BetaBasketRuntimeApi {
        fn get_root_basket_owed(coldkey: AccountId32) -> u64 => { let _ = (chain, coldkey); 0 };
        fn get_root_basket_positions(coldkey: AccountId32) -> Vec<(AccountId32, u64, u64)> => { let _ = (chain, coldkey); Vec::new() };
    }
    TransactionPaymentApi {
        fn query_info(uxt: payment::OpaqueExtrinsic, len: u32) -> payment::RuntimeDispatchInfo => payment::query_info(chain, &uxt, len);
        fn query_fee_details(uxt: payment::OpaqueExtrinsic, len: u32) -> payment::FeeDetails => payment::query_fee_details(chain, &uxt, len);
        fn query_weight_to_fee(weight: Weight) -> u64 => payment::weight_to_fee(weight);
        fn query_length_to_fee(length: u32) -> u64 => payment::length_to_fee(length);
    }
}

/// Every runtime API the node declares in its V15 metadata: `Core`, `Metadata` and
/// `AccountNonceApi` (answered from the node), then the chain-state APIs.
pub(crate) fn declarations() -> Vec<RuntimeApiMetadata> {
    let api = |name, methods| RuntimeApiMetadata { name, methods, docs: vec![] };
    let mut apis = vec![
        // `execute_block` is declared as on every runtime (it puts the extrinsic type,
        // with its Address/Signature parameters, in the registry where Python's
        // scalecodec looks for it); this node does not answer it.
        api("Core", vec![method::<RuntimeVersion>("version", vec![]), method::<()>("execute_block", vec![param::<super::metadata::Block>("block")])]),
        api(
            "Metadata",
            vec![
                method::<super::system::OpaqueMetadata>("metadata", vec![]),
                method::<Option<super::system::OpaqueMetadata>>("metadata_at_version", vec![param::<u32>("version")]),
                method::<Vec<u32>>("metadata_versions", vec![]),
            ],
        ),
        api("AccountNonceApi", vec![method::<u32>("account_nonce", vec![param::<AccountId32>("account")])]),
    ];
    apis.extend(chain_declarations());
    apis
}

/// Where the types of this module live in Subtensor's metadata, for the registry's
/// path rewrite: (our path after `subnet_core::chain::node::`, Subtensor's path).
// Read by the metadata's path rewrite (`type_paths.rs`); the test below keeps it complete.
pub(crate) const TYPE_PATHS: &[(&str, &str)] = &[
    ("runtime_api::types::AxonInfo", "pallet_subtensor::pallet::AxonInfo"),
    ("runtime_api::types::PrometheusInfo", "pallet_subtensor::pallet::PrometheusInfo"),
    ("runtime_api::types::SubnetIdentityV3", "pallet_subtensor::pallet::SubnetIdentityV3"),
    ("runtime_api::types::ChainIdentityV2", "pallet_subtensor::pallet::ChainIdentityV2"),
    ("runtime_api::neuron::NeuronInfo", "pallet_subtensor::rpc_info::neuron_info::NeuronInfo"),
    ("runtime_api::neuron::NeuronInfoLite", "pallet_subtensor::rpc_info::neuron_info::NeuronInfoLite"),
    ("runtime_api::subnet::SubnetInfo", "pallet_subtensor::rpc_info::subnet_info::SubnetInfo"),
    ("runtime_api::subnet::SubnetInfov2", "pallet_subtensor::rpc_info::subnet_info::SubnetInfov2"),
    ("runtime_api::subnet::SubnetHyperparams", "pallet_subtensor::rpc_info::subnet_info::SubnetHyperparams"),
    ("runtime_api::subnet::SubnetHyperparamsV2", "pallet_subtensor::rpc_info::subnet_info::SubnetHyperparamsV2"),
    ("runtime_api::subnet::HyperparamEntry", "pallet_subtensor::rpc_info::subnet_info::HyperparamEntry"),
    ("runtime_api::subnet::HyperparamValue", "pallet_subtensor::rpc_info::subnet_info::HyperparamValue"),
    ("runtime_api::dynamic::DynamicInfo", "pallet_subtensor::rpc_info::dynamic_info::DynamicInfo"),
    ("runtime_api::dynamic::SubnetState", "pallet_subtensor::rpc_info::show_subnet::SubnetState"),
    ("runtime_api::metagraph::Metagraph", "pallet_subtensor::rpc_info::metagraph::Metagraph"),
    ("runtime_api::metagraph::SelectiveMetagraph", "pallet_subtensor::rpc_info::metagraph::SelectiveMetagraph"),
    ("runtime_api::stake::StakeInfo", "pallet_subtensor::rpc_info::stake_info::StakeInfo"),
    ("runtime_api::stake::StakeAvailability", "pallet_subtensor::rpc_info::stake_info::StakeAvailability"),
    ("runtime_api::stake::LockState", "pallet_subtensor::staking::lock::LockState"),
    ("runtime_api::delegate::DelegateInfo", "pallet_subtensor::rpc_info::delegate_info::DelegateInfo"),
    ("runtime_api::swap::SubnetPrice", "pallet_subtensor_swap_runtime_api::SubnetPrice"),
    ("runtime_api::swap::SimSwapResult", "pallet_subtensor_swap_runtime_api::SimSwapResult"),
    ("runtime_api::payment::RuntimeDispatchInfo", "pallet_transaction_payment::types::RuntimeDispatchInfo"),
    ("runtime_api::payment::FeeDetails", "pallet_transaction_payment::types::FeeDetails"),
    ("runtime_api::payment::InclusionFee", "pallet_transaction_payment::types::InclusionFee"),
];

/// Answer a `state_call` (`<Api>_<method>` with SCALE-encoded arguments) in the
/// state `at` the block it names.
/// The block's runtime answers `Core` and `Metadata`.
pub fn call(runtime: &RuntimeInfo, at: &BlockState, method: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    Ok(match method {
        "Core_version" => runtime.version.encode(),
        "Metadata_metadata" => runtime.opaque_metadata(),
        "Metadata_metadata_versions" => METADATA_VERSIONS.to_vec().encode(),
        "Metadata_metadata_at_version" => {
            let version: u32 = args("metadata_at_version", data)?;
            let out: Option<Vec<u8>> = match version {
                14 => Some(runtime.metadata.clone()),
                15 => Some(runtime.metadata_v15.clone()),
                _ => None,
            };
            out.encode()
        }
        "AccountNonceApi_account_nonce" => {
            let who: AccountId32 = args("account_nonce", data)?;
            at.nonce(&AccountId(who.0)).encode()
        }
        "Core_execute_block" => return Err("this node seals its own blocks and does not execute others'".into()),
        other => return dispatch(&at.chain, other, data).unwrap_or_else(|| Err(format!("Exported method {other} is not found"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `TYPE_PATHS` has no stale rows: each Subtensor path it gives is in the served
    /// registry (that every type of ours got one is `type_paths`' test).
    #[test]
    fn every_type_path_row_is_used() {
        let frame_metadata::RuntimeMetadata::V15(m) = super::super::metadata::build().1 else { unreachable!("we build V15") };
        let served: Vec<String> = m.types.types.iter().map(|t| t.ty.path.segments.join("::")).collect();
        for (ours, real) in TYPE_PATHS {
            assert!(served.iter().any(|p| p == real), "{ours} -> {real}: not in the registry");
        }
    }

    #[test]
    fn each_method_is_declared_once() {
        let mut names: Vec<String> = declarations().iter().flat_map(|a| a.methods.iter().map(move |m| format!("{}_{}", a.name, m.name))).collect();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count);
    }
}
