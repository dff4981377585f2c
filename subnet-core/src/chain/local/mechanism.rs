//! Subnet mechanisms ("sub-subnets", `pallets/subtensor/src/subnets/mechanism.rs`):
//! a subnet may run several incentive mechanisms over the same neurons, each with its
//! own weights, bonds, last updates, commits and incentive, and a share of the
//! subnet's emission. Mechanism 0's storage index is the netuid itself, so its rows
//! are the [`Subnet`]'s own fields; mechanisms 1.. live in [`Subnet::mechanisms`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use substrate_fixed::types::U64F64;

use super::subnet::{Subnet, WeightCommit};
use super::{LocalChain, NetUid};
use crate::chain::types::{AccountId, Balance};
use crate::chain::ChainError;
use crate::yuma::EpochOutput;

/// Chain: `DefaultMaxMechanismCount` (the global `MaxMechanismCount`).
pub const DEFAULT_MAX_MECHANISM_COUNT: u8 = 2;
/// Chain: `MAX_MECHANISM_COUNT_PER_SUBNET`: storage indexes are `mecid * 4096 + netuid`.
const MAX_MECHANISM_COUNT_PER_SUBNET: u8 = 16;
/// Chain: `DefaultMaxAllowedUids` (the runtime's `InitialMaxAllowedUids`): the bound on
/// `max_allowed_uids * mechanism count` (`ensure_max_uids_over_all_mechanisms`).
pub const MAX_UIDS_OVER_ALL_MECHANISMS: u16 = 256;

/// The storage of one mechanism beyond mechanism 0 (the chain's maps keyed by
/// `NetUidStorageIndex`): per UID, like the subnet's own rows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MechanismState {
    /// `Weights`, max-upscaled rows.
    pub weights: Vec<Vec<(u16, u16)>>,
    /// `Bonds`.
    pub bonds: Vec<Vec<(u16, u16)>>,
    /// `LastUpdate`. A mechanism added later starts at 0 for every UID, as the chain's
    /// `get_last_update` pads its empty vector.
    pub last_update: Vec<u64>,
    /// `WeightCommits` (hash commit-reveal), by hotkey.
    #[serde(with = "crate::chain::local::map_as_seq")]
    pub commits: BTreeMap<AccountId, Vec<WeightCommit>>,
    /// `Incentive` stored by the last epoch.
    pub incentive: Vec<u16>,
}

impl MechanismState {
    fn with_neurons(n: usize) -> Self {
        Self { weights: vec![Vec::new(); n], bonds: vec![Vec::new(); n], last_update: vec![0; n], commits: BTreeMap::new(), incentive: vec![0; n] }
    }
}

/// One mechanism's rows, borrowed (mechanism 0's from the subnet's own fields).
pub struct MechanismRows<'a> {
    /// `Weights`.
    pub weights: &'a [Vec<(u16, u16)>],
    /// `Bonds`.
    pub bonds: &'a [Vec<(u16, u16)>],
    /// `LastUpdate`.
    pub last_update: &'a [u64],
    /// `WeightCommits`.
    pub commits: &'a BTreeMap<AccountId, Vec<WeightCommit>>,
}

/// One mechanism's rows, mutably borrowed.
pub(super) struct MechanismRowsMut<'a> {
    pub(super) weights: &'a mut Vec<Vec<(u16, u16)>>,
    pub(super) bonds: &'a mut Vec<Vec<(u16, u16)>>,
    pub(super) last_update: &'a mut Vec<u64>,
    pub(super) commits: &'a mut BTreeMap<AccountId, Vec<WeightCommit>>,
}

impl MechanismRowsMut<'_> {
    /// Chain: `clear_neuron` and `replace_neuron` for one mechanism: the UID's rows go,
    /// weights towards it are zeroed (kept as entries), its last update restarts at the
    /// registration block.
    fn reset_uid(&mut self, uid: u16, old_hotkey: &AccountId, block: u64) {
        let i = uid as usize;
        self.commits.remove(old_hotkey);
        self.last_update[i] = block;
        self.weights[i].clear();
        self.bonds[i].clear();
        for row in self.weights.iter_mut() {
            for (j, w) in row.iter_mut() {
                if *j == uid {
                    *w = 0;
                }
            }
        }
    }
}

impl Subnet {
    /// `MechanismCountCurrent`.
    pub fn mechanism_count(&self) -> u8 {
        1 + self.mechanisms.len() as u8
    }

    /// The rows of mechanism `mecid`, if the subnet has it.
    pub fn mechanism(&self, mecid: u8) -> Option<MechanismRows<'_>> {
        if mecid == 0 {
            return Some(MechanismRows { weights: &self.weights, bonds: &self.bonds, last_update: &self.last_update, commits: &self.commits });
        }
        let m = self.mechanisms.get(mecid as usize - 1)?;
        Some(MechanismRows { weights: &m.weights, bonds: &m.bonds, last_update: &m.last_update, commits: &m.commits })
    }

    pub(super) fn mechanism_mut(&mut self, mecid: u8) -> Option<MechanismRowsMut<'_>> {
        if mecid == 0 {
            return Some(MechanismRowsMut {
                weights: &mut self.weights,
                bonds: &mut self.bonds,
                last_update: &mut self.last_update,
                commits: &mut self.commits,
            });
        }
        let m = self.mechanisms.get_mut(mecid as usize - 1)?;
        Some(MechanismRowsMut { weights: &mut m.weights, bonds: &mut m.bonds, last_update: &mut m.last_update, commits: &mut m.commits })
    }

    /// `Incentive` of mechanism `mecid`, one entry per UID (0 before the first epoch:
    /// the chain pushes a 0 for every registration, `append_neuron`).
    pub fn mechanism_incentive(&self, mecid: u8) -> Option<Vec<u16>> {
        if mecid == 0 {
            return Some(self.last_epoch.as_ref().map_or_else(|| vec![0; self.n()], |e| e.incentive.clone()));
        }
        self.mechanisms.get(mecid as usize - 1).map(|m| m.incentive.clone())
    }

    /// `append_neuron` for mechanisms 1..: every mechanism gets the new UID's rows.
    pub(super) fn append_to_mechanisms(&mut self, block: u64) {
        for m in &mut self.mechanisms {
            m.weights.push(Vec::new());
            m.bonds.push(Vec::new());
            m.last_update.push(block);
            m.incentive.push(0);
        }
    }

    /// `replace_neuron` + `clear_neuron` in every mechanism (0 included).
    pub(super) fn reset_uid_in_mechanisms(&mut self, uid: u16, old_hotkey: &AccountId, block: u64) {
        for mecid in 0..self.mechanism_count() {
            if let Some(mut rows) = self.mechanism_mut(mecid) {
                rows.reset_uid(uid, old_hotkey, block);
            }
        }
        for m in &mut self.mechanisms {
            if let Some(v) = m.incentive.get_mut(uid as usize) {
                *v = 0;
            }
        }
    }

    /// Chain: `split_emissions`: the subnet's emission by `MechanismEmissionSplit` (u16
    /// proportions summing to 65535), or evenly when unset; what rounding loses goes to
    /// mechanism 0.
    pub fn split_emission(&self, emission: Balance) -> Vec<Balance> {
        let count = self.mechanism_count() as usize;
        let mut parts: Vec<Balance> = match &self.emission_split {
            Some(split) => split.iter().map(|&s| (emission as u128 * s as u128 / u16::MAX as u128) as Balance).collect(),
            None => vec![emission / count as Balance; count],
        };
        parts.resize(count, 0);
        let lost = emission.saturating_sub(parts.iter().sum());
        parts[0] += lost;
        parts
    }
}

impl LocalChain {
    /// Chain: `ensure_mechanism_exists`: the subnet exists and `mecid` is below its
    /// `MechanismCountCurrent`.
    pub(super) fn ensure_mechanism_exists(&self, netuid: NetUid, mecid: u8) -> Result<(), ChainError> {
        if mecid >= self.subnet(netuid).map_err(|_| ChainError::MechanismDoesNotExist)?.mechanism_count() {
            return Err(ChainError::MechanismDoesNotExist);
        }
        Ok(())
    }

    /// `MechanismCountCurrent` of `netuid`.
    pub fn mechanism_count(&self, netuid: NetUid) -> Result<u8, ChainError> {
        Ok(self.subnet(netuid)?.mechanism_count())
    }

    /// Chain: `do_set_mechanism_count` (AdminUtils `sudo_set_mechanism_count`, call 76):
    /// 0 < count <= `MaxMechanismCount` (2) and `max_allowed_uids * count <= 256`.
    /// Fewer mechanisms drop the removed ones' storage (their timelocked commits
    /// too); any change resets the emission split to even.
    pub(super) fn set_mechanism_count(&mut self, netuid: NetUid, count: u8) -> Result<(), ChainError> {
        let s = self.subnet_mut(netuid).map_err(|_| ChainError::MechanismDoesNotExist)?;
        if count == 0 || count > DEFAULT_MAX_MECHANISM_COUNT || count > MAX_MECHANISM_COUNT_PER_SUBNET {
            return Err(ChainError::InvalidValue);
        }
        ensure_max_uids_over_all_mechanisms(s.hyper.max_allowed_uids, count)?;
        if count == s.mechanism_count() {
            return Ok(());
        }
        let n = s.n();
        s.mechanisms.resize_with(count as usize - 1, || MechanismState::with_neurons(n));
        s.timelocked.retain(|&(mecid, _), _| mecid < count);
        s.emission_split = None;
        Ok(())
    }

    /// Chain: `do_set_emission_split` (AdminUtils `sudo_set_mechanism_emission_split`,
    /// call 77): `None` means even; a split is non-empty, no longer than the mechanism
    /// count, and sums to exactly 65535.
    pub(super) fn set_emission_split(&mut self, netuid: NetUid, split: Option<Vec<u16>>) -> Result<(), ChainError> {
        let s = self.subnet_mut(netuid).map_err(|_| ChainError::MechanismDoesNotExist)?;
        if let Some(split) = &split {
            let total: u64 = split.iter().map(|&v| v as u64).sum();
            if split.is_empty() || split.len() > s.mechanism_count() as usize || total != u16::MAX as u64 {
                return Err(ChainError::InvalidValue);
            }
        }
        s.emission_split = split;
        Ok(())
    }
}

/// Chain: `ensure_max_uids_over_all_mechanisms`.
pub(super) fn ensure_max_uids_over_all_mechanisms(max_uids: u16, count: u8) -> Result<(), ChainError> {
    if max_uids.saturating_mul(count as u16) > MAX_UIDS_OVER_ALL_MECHANISMS {
        return Err(ChainError::TooManyUIDsPerMechanism);
    }
    Ok(())
}

/// One mechanism's epoch and the share of the subnet's emission it distributed.
pub(super) struct MechanismEpoch {
    pub(super) output: EpochOutput,
    pub(super) emission: Balance,
}

/// Chain: `epoch_with_mechanisms`' consolidation: per UID, server and validator
/// emission add up across mechanisms; the stored per-subnet terms (dividends,
/// consensus, validator trust, emission, rank, trust) are sums weighted by each
/// mechanism's share of the emission (`weighted_acc_u16`/`weighted_acc_alpha`,
/// truncating); `active` and the new validator permits are ORed. Incentive and bonds
/// stay per mechanism (`persist_mechanism_epoch_terms`), so the result carries
/// mechanism 0's, whose storage index is the netuid. With one mechanism this is its
/// output unchanged.
pub(super) fn consolidate(first: MechanismEpoch, rest: &[MechanismEpoch], total: Balance) -> EpochOutput {
    if rest.is_empty() {
        return first.output;
    }
    let mut out = first.output.clone();
    let n = out.active.len();
    let zero_u16 = vec![0u16; n];
    for v in [&mut out.rank, &mut out.trust, &mut out.consensus, &mut out.validator_trust, &mut out.dividends, &mut out.stake_weight] {
        v.clone_from(&zero_u16);
    }
    out.emission = vec![0; n];
    out.server_emission = vec![0; n];
    out.validator_emission = vec![0; n];
    out.active = vec![false; n];
    out.validator_permit = vec![false; n];
    for (mecid, e) in std::iter::once(&first).chain(rest).enumerate() {
        // For zero emission the first mechanism gets full weight.
        let weight = if total == 0 { U64F64::from_num(u8::from(mecid == 0)) } else { U64F64::from_num(e.emission) / U64F64::from_num(total) };
        let o = &e.output;
        let acc_u16 = |acc: &mut Vec<u16>, add: &[u16]| {
            for (a, &b) in acc.iter_mut().zip(add) {
                *a = U64F64::from_num(*a).saturating_add(U64F64::from_num(b).saturating_mul(weight)).saturating_to_num::<u16>();
            }
        };
        acc_u16(&mut out.rank, &o.rank);
        acc_u16(&mut out.trust, &o.trust);
        acc_u16(&mut out.consensus, &o.consensus);
        acc_u16(&mut out.validator_trust, &o.validator_trust);
        acc_u16(&mut out.dividends, &o.dividends);
        acc_u16(&mut out.stake_weight, &o.stake_weight);
        for uid in 0..n {
            out.emission[uid] = U64F64::from_num(out.emission[uid])
                .saturating_add(U64F64::from_num(o.emission[uid]).saturating_mul(weight))
                .saturating_to_num::<u64>();
            out.server_emission[uid] += o.server_emission[uid];
            out.validator_emission[uid] += o.validator_emission[uid];
            out.active[uid] |= o.active[uid];
            out.validator_permit[uid] |= o.validator_permit[uid];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::local::default_hyperparameters;

    fn subnet_with(count: u8, split: Option<Vec<u16>>) -> Subnet {
        let mut s = Subnet::new(AccountId([1; 32]), AccountId([2; 32]), default_hyperparameters(), 0, 0);
        s.mechanisms = (1..count).map(|_| MechanismState::default()).collect();
        s.emission_split = split;
        s
    }

    #[test]
    fn emission_splits_evenly_or_by_the_owners_split_with_rounding_to_mechanism_0() {
        // Subtensor's `test_split_emissions_*`: even split, remainder to mechanism 0.
        assert_eq!(subnet_with(2, None).split_emission(1_000_000_001), vec![500_000_001, 500_000_000]);
        assert_eq!(subnet_with(1, None).split_emission(7), vec![7]);
        // 65535 = 13107 + 52428: a 20/80 split; 1e9 * 13107 / 65535 = 200_000_000.
        assert_eq!(subnet_with(2, Some(vec![13_107, 52_428])).split_emission(1_000_000_000), vec![200_000_000, 800_000_000]);
        // A split shorter than the count is padded with zeros.
        assert_eq!(subnet_with(2, Some(vec![65_535])).split_emission(10), vec![10, 0]);
    }

    #[test]
    fn max_uids_times_mechanisms_is_bounded_by_256() {
        assert_eq!(ensure_max_uids_over_all_mechanisms(256, 1), Ok(()));
        assert_eq!(ensure_max_uids_over_all_mechanisms(256, 2), Err(ChainError::TooManyUIDsPerMechanism));
        assert_eq!(ensure_max_uids_over_all_mechanisms(128, 2), Ok(()));
    }
}
