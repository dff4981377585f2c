//! `set_weights`, `commit_weights` and `reveal_weights` on the local chain
//! (`pallets/subtensor/src/subnets/weights.rs`).

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};

use super::subnet::WeightCommit;
use super::{LocalChain, NetUid};
use crate::chain::set_weights::{self, WeightsContext};
use crate::chain::types::{AccountId, Signer};
use crate::chain::ChainError;

/// Chain: at most this many unrevealed commits per hotkey (`internal_commit_weights`).
const MAX_UNREVEALED_COMMITS: usize = 10;

/// Chain: `get_commit_hash`: BlakeTwo256 of the SCALE encoding of
/// `(who, netuid_index, uids, values, salt, version_key)`; `netuid_index` is the
/// mechanism's storage index ([`mechanism_storage_index`]: the netuid for mechanism 0).
pub fn commit_hash(who: &AccountId, netuid_index: u16, uids: &[u16], values: &[u16], salt: &[u16], version_key: u64) -> [u8; 32] {
    let mut enc = Vec::with_capacity(32 + 2 + 2 * (uids.len() + values.len() + salt.len()) + 20);
    enc.extend_from_slice(&who.0);
    enc.extend_from_slice(&netuid_index.to_le_bytes());
    for v in [uids, values, salt] {
        scale_compact(v.len() as u32, &mut enc);
        for x in v {
            enc.extend_from_slice(&x.to_le_bytes());
        }
    }
    enc.extend_from_slice(&version_key.to_le_bytes());
    Blake2b::<U32>::digest(&enc).into()
}

/// SCALE compact encoding of a length.
fn scale_compact(n: u32, out: &mut Vec<u8>) {
    match n {
        0..=0x3f => out.push((n as u8) << 2),
        0x40..=0x3fff => out.extend_from_slice(&(((n as u16) << 2) | 1).to_le_bytes()),
        0x4000..=0x3fff_ffff => out.extend_from_slice(&((n << 2) | 2).to_le_bytes()),
        _ => {
            out.push(0b11); // 4 bytes follow
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
}

/// Chain: `get_mechanism_storage_index`: `mecid * 4096 + netuid`, the key of a
/// mechanism's maps and the `netuid_index` in its commit hashes.
pub fn mechanism_storage_index(netuid: NetUid, mecid: u8) -> u16 {
    (mecid as u16).saturating_mul(4096).saturating_add(netuid)
}

impl LocalChain {
    fn weights_context(&self, netuid: NetUid, mecid: u8, hotkey: &AccountId) -> Result<WeightsContext, ChainError> {
        let s = self.subnet(netuid)?;
        let uid = s.uid_of(hotkey);
        let h = &s.hyper;
        let rows = s.mechanism(mecid).ok_or(ChainError::MechanismDoesNotExist)?;
        Ok(WeightsContext {
            subnet_n: s.n() as u16,
            caller_uid: uid,
            caller_is_owner: uid.is_some() && *hotkey == s.owner_hotkey,
            caller_stake: self.hotkey_stake(hotkey, netuid),
            stake_threshold: self.config.stake_threshold,
            caller_has_permit: uid.is_some_and(|u| s.validator_permit[u as usize]),
            network_version_key: h.weights_version_key,
            weights_set_rate_limit: h.weights_set_rate_limit,
            // Chain: the rate limit is per mechanism (`check_rate_limit(netuid_index, ..)`).
            caller_last_update: uid.map_or(0, |u| rows.last_update[u as usize]),
            current_block: self.block,
            commit_reveal_enabled: h.commit_reveal_enabled,
            min_allowed_weights: h.min_allowed_weights,
            max_weight_limit: h.max_weight_limit,
        })
    }

    /// `set_weights`: mechanism 0's [`set_mechanism_weights`](Self::set_mechanism_weights).
    pub fn set_weights(&mut self, hotkey: &dyn Signer, netuid: NetUid, uids: &[u16], values: &[u16], version_key: u64) -> Result<(), ChainError> {
        self.set_mechanism_weights(hotkey, netuid, 0, uids, values, version_key)
    }

    /// `set_mechanism_weights` (call 119; chain: `do_set_mechanism_weights`, then
    /// `internal_set_weights`): rejected while commit-reveal is on
    /// (`CommitRevealEnabled`), then `WeightVecNotEqualSize`, then the mechanism must
    /// exist, then the chain's weight rules; stored max-upscaled in the mechanism's rows
    /// with this block as its last update.
    pub fn set_mechanism_weights(
        &mut self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        uids: &[u16],
        values: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError> {
        let hotkey = hotkey.account_id();
        if self.subnet(netuid)?.hyper.commit_reveal_enabled {
            return Err(ChainError::CommitRevealEnabled);
        }
        if uids.len() != values.len() {
            return Err(ChainError::WeightVecNotEqualSize);
        }
        self.ensure_mechanism_exists(netuid, mecid)?;
        self.store_weights(&hotkey, netuid, mecid, uids, values, version_key)
    }

    /// Chain: `internal_set_weights`: the rules, then the row; the last update moves
    /// only without commit-reveal (with it, the commit moved it).
    pub(super) fn store_weights(
        &mut self,
        hotkey: &AccountId,
        netuid: NetUid,
        mecid: u8,
        uids: &[u16],
        values: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError> {
        let ctx = self.weights_context(netuid, mecid, hotkey)?;
        let row = set_weights::validate(&ctx, uids, values, version_key)?;
        let uid = ctx.caller_uid.expect("validated: registered") as usize;
        let block = self.block;
        let rows = self.subnet_mut(netuid)?.mechanism_mut(mecid).ok_or(ChainError::MechanismDoesNotExist)?;
        rows.weights[uid] = row;
        if !ctx.commit_reveal_enabled {
            rows.last_update[uid] = block;
        }
        Ok(())
    }

    /// The epoch counter a commit or reveal at this block belongs to (chain:
    /// `current_epoch_with_lookahead`; the local chain runs epochs at the start of a
    /// block, before extrinsics, so the stored counter is already the right one).
    fn current_epoch(&self, netuid: NetUid) -> Result<u64, ChainError> {
        Ok(self.subnet(netuid)?.epoch_index)
    }

    /// `commit_weights`: mechanism 0's [`commit_mechanism_weights`](Self::commit_mechanism_weights).
    pub fn commit_weights(&mut self, hotkey: &dyn Signer, netuid: NetUid, hash: [u8; 32]) -> Result<(), ChainError> {
        self.commit_mechanism_weights(hotkey, netuid, 0, hash)
    }

    /// `commit_mechanism_weights` (call 115; chain: `internal_commit_weights`): the
    /// mechanism exists, commit-reveal is on, rate-limited per mechanism like
    /// `set_weights`, expired commits dropped from the front of the queue, at most 10
    /// waiting; the commit block becomes the neuron's last update in the mechanism.
    pub fn commit_mechanism_weights(&mut self, hotkey: &dyn Signer, netuid: NetUid, mecid: u8, hash: [u8; 32]) -> Result<(), ChainError> {
        self.ensure_mechanism_exists(netuid, mecid)?;
        let hotkey = hotkey.account_id();
        let epoch = self.current_epoch(netuid)?;
        let block = self.block;
        let s = self.subnet_mut(netuid)?;
        if !s.hyper.commit_reveal_enabled {
            return Err(ChainError::CommitRevealDisabled);
        }
        let uid = s.uid_of(&hotkey).ok_or(ChainError::HotKeyNotRegisteredInSubNet)? as usize;
        let (rate_limit, period) = (s.hyper.weights_set_rate_limit, s.hyper.reveal_period_epochs);
        let rows = s.mechanism_mut(mecid).ok_or(ChainError::MechanismDoesNotExist)?;
        let last = rows.last_update[uid];
        if last != 0 && block.saturating_sub(last) < rate_limit {
            return Err(ChainError::CommittingWeightsTooFast);
        }
        let queue = rows.commits.entry(hotkey).or_default();
        let expired = queue.iter().take_while(|c| epoch > c.commit_epoch + period).count();
        queue.drain(..expired);
        if queue.len() >= MAX_UNREVEALED_COMMITS {
            return Err(ChainError::TooManyUnrevealedCommits);
        }
        queue.push(WeightCommit { hash, commit_epoch: epoch, commit_block: block });
        rows.last_update[uid] = block;
        Ok(())
    }

    /// `reveal_weights`: mechanism 0's [`reveal_mechanism_weights`](Self::reveal_mechanism_weights).
    pub fn reveal_weights(
        &mut self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        uids: &[u16],
        values: &[u16],
        salt: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError> {
        self.reveal_mechanism_weights(hotkey, netuid, 0, uids, values, salt, version_key)
    }

    /// `reveal_mechanism_weights` (call 116; chain: `internal_reveal_weights`): the
    /// weights whose hash (over the mechanism's storage index) was committed, in the
    /// epoch exactly `reveal_period_epochs` after the commit; the commit and those
    /// before it leave the queue and the weights are set. The chain does not check the
    /// mechanism here: a mechanism that does not exist has no commits. Nothing changes
    /// when the reveal fails.
    #[allow(clippy::too_many_arguments)]
    pub fn reveal_mechanism_weights(
        &mut self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        uids: &[u16],
        values: &[u16],
        salt: &[u16],
        version_key: u64,
    ) -> Result<(), ChainError> {
        let hotkey = hotkey.account_id();
        let epoch = self.current_epoch(netuid)?;
        let s = self.subnet(netuid)?;
        if !s.hyper.commit_reveal_enabled {
            return Err(ChainError::CommitRevealDisabled);
        }
        let period = s.hyper.reveal_period_epochs;
        let queue = s.mechanism(mecid).and_then(|rows| rows.commits.get(&hotkey)).ok_or(ChainError::NoWeightsCommitFound)?;
        let hash = commit_hash(&hotkey, mechanism_storage_index(netuid, mecid), uids, values, salt, version_key);
        let expired = queue.iter().take_while(|c| epoch > c.commit_epoch + period).count();
        let (stale, live) = queue.split_at(expired);
        let was_expired = stale.iter().any(|c| c.hash == hash);
        if live.is_empty() {
            return Err(if was_expired { ChainError::ExpiredWeightCommit } else { ChainError::NoWeightsCommitFound });
        }
        let Some(pos) = live.iter().position(|c| c.hash == hash) else {
            return Err(if was_expired { ChainError::ExpiredWeightCommit } else { ChainError::InvalidRevealCommitHashNotMatch });
        };
        if epoch != live[pos].commit_epoch + period {
            return Err(ChainError::RevealTooEarly);
        }
        self.store_weights(&hotkey, netuid, mecid, uids, values, version_key)?;
        if let Some(rows) = self.subnet_mut(netuid)?.mechanism_mut(mecid) {
            if let Some(q) = rows.commits.get_mut(&hotkey) {
                q.drain(..expired + pos + 1);
                if q.is_empty() {
                    rows.commits.remove(&hotkey);
                }
            }
        }
        Ok(())
    }

    /// Per UID, the block of its earliest unexpired commit in mechanism `mecid`
    /// (`u64::MAX` for none): the epoch masks weights towards neurons registered after
    /// it. Called while an epoch fires, so "now" is the epoch about to be counted (the
    /// chain's look-ahead).
    pub(super) fn active_commit_blocks(&self, netuid: NetUid, mecid: u8) -> Vec<u64> {
        let Ok(s) = self.subnet(netuid) else { return Vec::new() };
        let Some(rows) = s.mechanism(mecid) else { return Vec::new() };
        let epoch = s.epoch_index + 1;
        let period = s.hyper.reveal_period_epochs;
        (0..s.n())
            .map(|uid| {
                rows.commits
                    .get(&s.keys[uid])
                    .and_then(|q| q.iter().filter(|c| epoch <= c.commit_epoch + period).map(|c| c.commit_block).min())
                    .unwrap_or(u64::MAX)
            })
            .collect()
    }
}
