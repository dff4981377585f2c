//! `NeuronInfoRuntimeApi` (`pallets/subtensor/src/rpc_info/neuron_info.rs`): one
//! subnet's neurons, with or without their weights and bonds.
//!
//! Modelled: keys, axon, stake (the hotkey's total, reported as its owner's, as
//! Subtensor does), the last epoch's rank, trust, consensus, validator trust,
//! incentive, dividends and emission, last update, permit, weights and bonds.
//! Constant: the prometheus record (none served). Subtensor now reports rank and
//! trust as 0 and pruning score as `u16::MAX` ("deprecated: no longer computed"); the
//! local chain still computes rank and trust in its epoch and reports them, and
//! reports the pruning score as Subtensor does.

use codec::{Compact, Decode, Encode};
use scale_info::TypeInfo;

use super::types::{AxonInfo, PrometheusInfo};
use crate::chain::local::LocalChain;
use crate::chain::node::pallets::AccountId32;

/// `NeuronInfo<AccountId>` (`get_neurons`, `get_neuron`).
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

/// `NeuronInfoLite<AccountId>` (`get_neurons_lite`, `get_neuron_lite`): no weights or
/// bonds.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct NeuronInfoLite {
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
    pub pruning_score: Compact<u16>,
}

impl From<NeuronInfo> for NeuronInfoLite {
    fn from(n: NeuronInfo) -> Self {
        Self {
            hotkey: n.hotkey,
            coldkey: n.coldkey,
            uid: n.uid,
            netuid: n.netuid,
            active: n.active,
            axon_info: n.axon_info,
            prometheus_info: n.prometheus_info,
            stake: n.stake,
            rank: n.rank,
            emission: n.emission,
            incentive: n.incentive,
            consensus: n.consensus,
            trust: n.trust,
            validator_trust: n.validator_trust,
            dividends: n.dividends,
            last_update: n.last_update,
            validator_permit: n.validator_permit,
            pruning_score: n.pruning_score,
        }
    }
}

/// Chain: the rows keep only non-zero entries (`get_neuron_subnet_exists`).
fn nonzero(row: &[(u16, u16)]) -> Vec<(Compact<u16>, Compact<u16>)> {
    row.iter().filter(|(_, v)| *v > 0).map(|(i, v)| (Compact(*i), Compact(*v))).collect()
}

/// `get_neurons(netuid)`: every UID of the subnet, empty if it does not exist.
pub fn neurons(chain: &LocalChain, netuid: u16) -> Vec<NeuronInfo> {
    let Ok(metagraph) = chain.metagraph(netuid) else { return vec![] };
    metagraph
        .neurons
        .iter()
        .map(|n| NeuronInfo {
            hotkey: AccountId32(n.hotkey.0),
            coldkey: AccountId32(n.coldkey.0),
            uid: Compact(n.uid),
            netuid: Compact(netuid),
            active: n.active,
            axon_info: AxonInfo::of(chain, netuid, &n.hotkey),
            prometheus_info: PrometheusInfo::default(),
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
            weights: nonzero(&n.weights),
            bonds: nonzero(&n.bonds),
            pruning_score: Compact(u16::MAX),
        })
        .collect()
}

/// `get_neuron(netuid, uid)`: `None` if the subnet or the UID does not exist.
pub fn neuron(chain: &LocalChain, netuid: u16, uid: u16) -> Option<NeuronInfo> {
    neurons(chain, netuid).into_iter().nth(uid as usize)
}

/// `get_neurons_lite(netuid)`.
pub fn neurons_lite(chain: &LocalChain, netuid: u16) -> Vec<NeuronInfoLite> {
    neurons(chain, netuid).into_iter().map(Into::into).collect()
}

/// `get_neuron_lite(netuid, uid)`.
pub fn neuron_lite(chain: &LocalChain, netuid: u16, uid: u16) -> Option<NeuronInfoLite> {
    neuron(chain, netuid, uid).map(Into::into)
}
