//! `state_call`: the runtime APIs the node answers, with Subtensor's names and
//! SCALE shapes (`pallets/subtensor/src/rpc_info/{neuron_info,subnet_info}.rs`).

use codec::{Compact, Decode, Encode};
use scale_info::TypeInfo;

use super::ledger::BlockState;
use super::pallets::{AccountId32, NetUid};
use super::system::{api_id, encode_bytes, RuntimeVersion};
use super::LocalNode;
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
    /// Subtensor's runtime version names, this node's spec version and metadata, encoded once.
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

/// `AxonInfo` as the runtime APIs return it.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AxonInfo {
    pub block: u64,
    pub version: u32,
    pub ip: u128,
    pub port: u16,
    pub ip_type: u8,
    pub protocol: u8,
    pub placeholder1: u8,
    pub placeholder2: u8,
}

// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct PrometheusInfo {
    pub block: u64,
    pub version: u32,
    pub ip: u128,
    pub port: u16,
    pub ip_type: u8,
}

/// `NeuronInfo<AccountId>` (`get_neurons`), field for field.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct NeuronInfo {
    pub hotkey: AccountId32,
    pub coldkey: AccountId32,
    pub uid: Compact<u16>,
    pub netuid: Compact<u16>,
    pub active: bool,
    pub axon_info: AxonInfo,
    pub prometheus_info: PrometheusInfo,
    pub stake: Vec<(AccountId32, Compact<u64>)>,
    pub rank: Compact<u16>,
    pub emission: Compact<u64>,
    pub incentive: Compact<u16>,
    pub consensus: Compact<u16>,
    pub trust: Compact<u16>,
    pub validator_trust: Compact<u16>,
    pub dividends: Compact<u16>,
    pub last_update: Compact<u64>,
    pub validator_permit: bool,
    pub weights: Vec<(Compact<u16>, Compact<u16>)>,
    pub bonds: Vec<(Compact<u16>, Compact<u16>)>,
    pub pruning_score: Compact<u16>,
}

/// `HyperparamValue` (`get_subnet_hyperparams_v3`).
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum HyperparamValue {
    Bool(bool),
    U16(Compact<u16>),
    U32(Compact<u32>),
    U64(Compact<u64>),
    U128(Compact<u128>),
    TaoBalance(Compact<u64>),
    /// Raw bits of the fixed-point value.
    I32F32(i64),
    U64F64(u128),
}

// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct HyperparamEntry {
    pub name: Vec<u8>,
    pub value: HyperparamValue,
}

/// `get_neurons(netuid)`: every UID of the subnet, empty if it does not exist.
pub fn neurons(chain: &LocalChain, netuid: u16) -> Vec<NeuronInfo> {
    let Ok(metagraph) = chain.metagraph(netuid) else { return vec![] };
    let pairs = |v: &[(u16, u16)]| v.iter().map(|(a, b)| (Compact(*a), Compact(*b))).collect::<Vec<_>>();
    metagraph
        .neurons
        .iter()
        .map(|n| {
            let axon = n.axon.unwrap_or_default();
            NeuronInfo {
                hotkey: AccountId32(n.hotkey.0),
                coldkey: AccountId32(n.coldkey.0),
                uid: Compact(n.uid),
                netuid: Compact(netuid),
                active: n.active,
                axon_info: AxonInfo {
                    block: axon.block,
                    version: axon.version,
                    ip: axon.ip,
                    port: axon.port,
                    ip_type: axon.ip_type,
                    protocol: axon.protocol,
                    placeholder1: 0,
                    placeholder2: 0,
                },
                prometheus_info: PrometheusInfo::default(),
                // The local chain tracks the hotkey's total; report it as the owner's.
                stake: vec![(AccountId32(n.coldkey.0), Compact(n.stake))],
                rank: Compact(n.rank),
                emission: Compact(n.emission),
                incentive: Compact(n.incentive),
                consensus: Compact(n.consensus),
                trust: Compact(n.trust),
                validator_trust: Compact(n.validator_trust),
                dividends: Compact(n.dividends),
                last_update: Compact(n.last_update),
                validator_permit: n.validator_permit,
                weights: pairs(&n.weights),
                bonds: pairs(&n.bonds),
                pruning_score: Compact(0),
            }
        })
        .collect()
}

/// `get_subnet_hyperparams_v3(netuid)`: named values, the chain's names.
pub fn hyperparams_v3(chain: &LocalChain, netuid: u16) -> Option<Vec<HyperparamEntry>> {
    use HyperparamValue as V;
    let h = chain.hyperparameters(netuid).ok()?;
    let entry = |name: &str, value| HyperparamEntry { name: name.as_bytes().to_vec(), value };
    let burn_mult_bits = substrate_fixed::types::U64F64::from_num(h.burn_increase_mult).to_bits();
    Some(vec![
        entry("kappa", V::U16(Compact(h.kappa))),
        entry("immunity_period", V::U16(Compact(h.immunity_period))),
        entry("min_allowed_weights", V::U16(Compact(h.min_allowed_weights))),
        entry("max_weights_limit", V::U16(Compact(h.max_weight_limit))),
        entry("tempo", V::U16(Compact(h.tempo))),
        entry("weights_version", V::U64(Compact(h.weights_version_key))),
        entry("weights_rate_limit", V::U64(Compact(h.weights_set_rate_limit))),
        entry("activity_cutoff", V::U64(Compact(h.activity_cutoff_blocks()))),
        entry("activity_cutoff_factor", V::U32(Compact(h.activity_cutoff_factor_milli))),
        entry("registration_allowed", V::Bool(h.registration_allowed)),
        entry("min_burn", V::TaoBalance(Compact(h.min_burn))),
        entry("max_burn", V::TaoBalance(Compact(h.max_burn))),
        entry("burn_half_life", V::U16(Compact(h.burn_half_life))),
        entry("burn_increase_mult", V::U64F64(burn_mult_bits)),
        entry("bonds_moving_avg", V::U64(Compact(h.bonds_moving_average))),
        entry("serving_rate_limit", V::U64(Compact(h.serving_rate_limit))),
        entry("max_validators", V::U16(Compact(h.max_allowed_validators))),
        entry("commit_reveal_period", V::U64(Compact(h.reveal_period_epochs))),
        entry("commit_reveal_weights_enabled", V::Bool(h.commit_reveal_enabled)),
        entry("alpha_high", V::U16(Compact(h.alpha_high))),
        entry("alpha_low", V::U16(Compact(h.alpha_low))),
        entry("liquid_alpha_enabled", V::Bool(h.liquid_alpha_enabled)),
        entry("yuma_version", V::U16(Compact(if h.yuma3_enabled { 3 } else { 2 }))),
        // Not (yet) in Subtensor's v3 list; a client falls back to its defaults
        // when the real chain leaves them out.
        entry("max_allowed_uids", V::U16(Compact(h.max_allowed_uids))),
        entry("bonds_penalty", V::U16(Compact(h.bonds_penalty))),
        entry("min_non_immune_uids", V::U16(Compact(h.min_non_immune_uids))),
    ])
}

/// Answer a `state_call` (`<Api>_<method>` with SCALE-encoded arguments) in the
/// state `at` the block it names.
pub fn call(node: &LocalNode, at: &BlockState, method: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    let input = &mut &data[..];
    let arg = |input: &mut &[u8]| -> Result<u16, String> { NetUid::decode(input).map(|n| n.0).map_err(|e| format!("bad netuid argument: {e}")) };
    let runtime = node.runtime();
    Ok(match method {
        "Core_version" => runtime.version.encode(),
        "Metadata_metadata" => runtime.opaque_metadata(),
        "Metadata_metadata_versions" => METADATA_VERSIONS.to_vec().encode(),
        "Metadata_metadata_at_version" => {
            let v = u32::decode(input).map_err(|e| format!("bad version argument: {e}"))?;
            let out: Option<Vec<u8>> = match v {
                14 => Some(runtime.metadata.clone()),
                15 => Some(runtime.metadata_v15.clone()),
                _ => None,
            };
            out.encode()
        }
        "AccountNonceApi_account_nonce" => {
            let who = <[u8; 32]>::decode(input).map_err(|e| format!("bad account argument: {e}"))?;
            at.nonce(&AccountId(who)).encode()
        }
        "NeuronInfoRuntimeApi_get_neurons" => {
            let netuid = arg(input)?;
            neurons(&at.chain, netuid).encode()
        }
        "SubnetInfoRuntimeApi_get_subnet_hyperparams_v3" => {
            let netuid = arg(input)?;
            hyperparams_v3(&at.chain, netuid).encode()
        }
        "Core_execute_block" => return Err("this node seals its own blocks and does not execute others'".into()),
        other => return Err(format!("Exported method {other} is not found")),
    })
}
