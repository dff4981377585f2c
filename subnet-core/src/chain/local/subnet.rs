//! One subnet's stored state on the local chain, and the neuron bookkeeping the chain
//! does on registration (`append_neuron`, `replace_neuron`, `clear_neuron`,
//! `get_neuron_to_prune` in `pallets/subtensor/src/subnets/`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::mechanism::MechanismState;
use crate::chain::types::{AccountId, AxonInfo, Balance, NeuronCertificate, SubnetHyperparameters};
use crate::yuma::EpochOutput;

/// A weights commit waiting for its reveal (the chain's `WeightCommits` entry).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightCommit {
    /// The hash committed (see [`commit_hash`](super::commit_hash)).
    pub hash: [u8; 32],
    /// `SubnetEpochIndex` when committed.
    pub commit_epoch: u64,
    /// Block of the commit.
    pub commit_block: u64,
}

/// One subnet's storage on the local chain; per-neuron vectors are indexed by UID.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    /// The coldkey that registered the subnet (`SubnetOwner`).
    pub owner_coldkey: AccountId,
    /// The owner's hotkey (`SubnetOwnerHotkey`); it keeps a permit and is never pruned.
    pub owner_hotkey: AccountId,
    /// The subnet's hyperparameters, as `AdminUtils` sets them.
    pub hyper: SubnetHyperparameters,
    /// Current registration price (rao).
    pub burn: Balance,
    /// Block at which the subnet was registered (`NetworkRegisteredAt`).
    pub registered_at_block: u64,
    /// UID -> hotkey.
    pub keys: Vec<AccountId>,
    /// Block at which each UID's hotkey registered (`BlockAtRegistration`).
    pub registered_at: Vec<u64>,
    /// Block of each UID's last weights (`LastUpdate`).
    pub last_update: Vec<u64>,
    /// Permits stored by the last epoch (`ValidatorPermit`).
    pub validator_permit: Vec<bool>,
    /// Each UID's weights row, `(uid, u16 weight)` max-upscaled (`Weights`).
    pub weights: Vec<Vec<(u16, u16)>>,
    /// Each UID's bonds row, `(uid, u16 bond)` (`Bonds`).
    pub bonds: Vec<Vec<(u16, u16)>>,
    /// Served axons by hotkey (`Axons`).
    #[serde(with = "crate::chain::local::map_as_seq")]
    pub axons: BTreeMap<AccountId, AxonInfo>,
    /// TLS keys published with `serve_axon_tls`, by hotkey (`NeuronCertificates`).
    #[serde(default, with = "crate::chain::local::map_as_seq")]
    pub certificates: BTreeMap<AccountId, NeuronCertificate>,
    /// Values stored by the last epoch, per UID.
    pub last_epoch: Option<StoredEpoch>,
    /// Emission accrued since the last epoch (rao).
    pub pending_server: Balance,
    /// Validators' share of the emission accrued since the last epoch (rao).
    pub pending_validator: Balance,
    /// The owner's cut accrued since the last epoch (rao; `SubnetOwnerCut`).
    pub pending_owner_cut: Balance,
    /// Block of the last epoch (`LastEpochBlock`) and of the last successful one
    /// (`LastMechansimStepBlock`, 0 before the first).
    pub last_epoch_block: u64,
    /// Block of the last successful epoch (`LastMechansimStepBlock`, 0 before the first).
    pub last_step_block: u64,
    /// `SubnetEpochIndex`: epochs run so far.
    pub epoch_index: u64,
    /// Weight commits waiting for their reveal, by hotkey (`WeightCommits`).
    #[serde(with = "crate::chain::local::map_as_seq")]
    pub commits: BTreeMap<AccountId, Vec<WeightCommit>>,
    /// `FirstEmissionBlockNumber`, set by the owner's `start_call`; until then the
    /// subnet takes no stake and earns no emission (`SubtokenEnabled` is false).
    #[serde(default)]
    pub first_emission_block: Option<u64>,
    /// Timelocked weight commits by (mechanism, epoch committed in), in commit order
    /// (`TimelockedWeightCommits`, keyed by the mechanism's storage index and epoch).
    #[serde(default, with = "crate::chain::local::map_as_seq")]
    pub timelocked: BTreeMap<(u8, u64), Vec<TimelockedCommit>>,
    /// Mechanisms 1.. (`MechanismCountCurrent` - 1 of them); mechanism 0's rows are the
    /// fields above (see [`Subnet::mechanism`]).
    #[serde(default)]
    pub mechanisms: Vec<MechanismState>,
    /// `MechanismEmissionSplit`: each mechanism's share of emission, u16 proportions
    /// summing to 65535; `None` splits evenly.
    #[serde(default)]
    pub emission_split: Option<Vec<u16>>,
}

/// A commit encrypted to a drand round (`TimelockedWeightCommits`' entry:
/// `(who, commit_block, commit, reveal_round)`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelockedCommit {
    /// The hotkey that committed.
    pub who: AccountId,
    /// Block of the commit.
    pub commit_block: u64,
    /// The tlock ciphertext (`TLECiphertext`, compressed).
    pub commit: Vec<u8>,
    /// The drand round it is encrypted to.
    pub reveal_round: u64,
}

/// What an epoch leaves in storage for each UID.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredEpoch {
    /// Whether each UID set weights within the activity cutoff (`Active`).
    pub active: Vec<bool>,
    /// `Rank`, u16 proportion.
    pub rank: Vec<u16>,
    /// `Trust`, u16 proportion.
    pub trust: Vec<u16>,
    /// `Consensus`, u16 proportion.
    pub consensus: Vec<u16>,
    /// `ValidatorTrust`, u16 proportion.
    pub validator_trust: Vec<u16>,
    /// `Incentive`: a miner's share of the miners' emission, u16 proportion.
    pub incentive: Vec<u16>,
    /// `Dividends`: a validator's share of the validators' emission, u16 proportion.
    pub dividends: Vec<u16>,
    /// `Emission`: what each UID earned at the epoch, rao.
    pub emission: Vec<Balance>,
}

impl StoredEpoch {
    /// The values an epoch output leaves in storage.
    pub fn from_output(o: &EpochOutput) -> Self {
        Self {
            active: o.active.clone(),
            rank: o.rank.clone(),
            trust: o.trust.clone(),
            consensus: o.consensus.clone(),
            validator_trust: o.validator_trust.clone(),
            incentive: o.incentive.clone(),
            dividends: o.dividends.clone(),
            emission: o.emission.clone(),
        }
    }

    fn push_empty(&mut self) {
        self.active.push(true);
        self.rank.push(0);
        self.trust.push(0);
        self.consensus.push(0);
        self.validator_trust.push(0);
        self.incentive.push(0);
        self.dividends.push(0);
        self.emission.push(0);
    }

    fn clear(&mut self, uid: usize) {
        if uid < self.active.len() {
            self.active[uid] = true;
            self.rank[uid] = 0;
            self.trust[uid] = 0;
            self.consensus[uid] = 0;
            self.validator_trust[uid] = 0;
            self.incentive[uid] = 0;
            self.dividends[uid] = 0;
            self.emission[uid] = 0;
        }
    }
}

impl Subnet {
    /// An empty subnet registered at `block` by its owner, with its hyperparameters and
    /// starting burn (rao).
    pub fn new(owner_coldkey: AccountId, owner_hotkey: AccountId, hyper: SubnetHyperparameters, block: u64, burn: Balance) -> Self {
        Self {
            owner_coldkey,
            owner_hotkey,
            hyper,
            burn,
            registered_at_block: block,
            keys: Vec::new(),
            registered_at: Vec::new(),
            last_update: Vec::new(),
            validator_permit: Vec::new(),
            weights: Vec::new(),
            bonds: Vec::new(),
            axons: BTreeMap::new(),
            certificates: BTreeMap::new(),
            last_epoch: None,
            pending_server: 0,
            pending_validator: 0,
            pending_owner_cut: 0,
            last_epoch_block: block,
            last_step_block: 0,
            epoch_index: 0,
            commits: BTreeMap::new(),
            first_emission_block: None,
            timelocked: BTreeMap::new(),
            mechanisms: Vec::new(),
            emission_split: None,
        }
    }

    /// Neurons registered (`SubnetworkN`).
    pub fn n(&self) -> usize {
        self.keys.len()
    }

    /// The UID of `hotkey` on this subnet (`Uids`).
    pub fn uid_of(&self, hotkey: &AccountId) -> Option<u16> {
        self.keys.iter().position(|k| k == hotkey).map(|u| u as u16)
    }

    /// The owner hotkey's UID, if it is registered.
    pub fn owner_uid(&self) -> Option<u16> {
        self.uid_of(&self.owner_hotkey)
    }

    /// Chain: a neuron is immune while `block - registered_at < immunity_period`.
    pub fn is_immune(&self, uid: usize, block: u64) -> bool {
        block.saturating_sub(self.registered_at[uid]) < self.hyper.immunity_period as u64
    }

    /// Chain: `append_neuron`: a new UID at the end; last update = registration block.
    pub fn append(&mut self, hotkey: AccountId, block: u64) -> u16 {
        let uid = self.keys.len() as u16;
        self.keys.push(hotkey);
        self.registered_at.push(block);
        self.last_update.push(block);
        self.validator_permit.push(false);
        self.weights.push(Vec::new());
        self.bonds.push(Vec::new());
        self.append_to_mechanisms(block);
        if let Some(e) = &mut self.last_epoch {
            e.push_empty();
        }
        uid
    }

    /// Chain: `replace_neuron` + `clear_neuron`: the UID's rows go in every mechanism,
    /// weights towards it are zeroed (kept as entries), its permit and epoch values
    /// reset, and its last update starts at the registration block.
    pub fn replace(&mut self, uid: u16, hotkey: AccountId, block: u64) {
        let i = uid as usize;
        let old = std::mem::replace(&mut self.keys[i], hotkey);
        self.axons.remove(&old);
        // Chain: `replace_neuron` removes the old hotkey's `NeuronCertificates` entry
        // (`subnets/uids.rs`).
        self.certificates.remove(&old);
        self.registered_at[i] = block;
        self.validator_permit[i] = false;
        self.reset_uid_in_mechanisms(uid, &old, block);
        if let Some(e) = &mut self.last_epoch {
            e.clear(i);
        }
    }

    /// Chain: `get_neuron_to_prune`: lowest emission, then earliest registration, then
    /// lowest UID; among non-immune neurons while more than `min_non_immune_uids` of
    /// them exist, else among immune ones. The owner's hotkey is never pruned.
    pub fn neuron_to_prune(&self, block: u64) -> Option<u16> {
        let emission = |uid: usize| self.last_epoch.as_ref().map_or(0, |e| e.emission[uid]);
        let key = |uid: usize| (emission(uid), self.registered_at[uid], uid);
        let mut best_free: Option<(Balance, u64, usize)> = None;
        let mut best_immune: Option<(Balance, u64, usize)> = None;
        let mut free_count = 0u16;
        for uid in 0..self.n() {
            if self.keys[uid] == self.owner_hotkey {
                continue;
            }
            let slot = if self.is_immune(uid, block) {
                &mut best_immune
            } else {
                free_count += 1;
                &mut best_free
            };
            if slot.is_none_or(|b| key(uid) < b) {
                *slot = Some(key(uid));
            }
        }
        if free_count > self.hyper.min_non_immune_uids {
            if let Some((_, _, uid)) = best_free {
                return Some(uid as u16);
            }
        }
        best_immune.map(|(_, _, uid)| uid as u16)
    }
}
