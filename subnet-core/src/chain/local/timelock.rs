//! Commit-reveal version 4 on the local chain: weights committed encrypted to a drand
//! round (`commit_timelocked_weights`, `pallets/subtensor/src/subnets/weights.rs`)
//! and revealed by the chain itself at the start of a block of the reveal epoch once
//! the round's pulse is stored (`reveal_crv3_commits_for_subnet`,
//! `pallets/subtensor/src/coinbase/reveal_commits.rs`).

use super::subnet::TimelockedCommit;
use super::{BlockEvent, LocalChain, NetUid};
use crate::chain::types::Signer;
use crate::chain::ChainError;
use crate::drand;
use crate::drand::payload::{revealed_weights, RevealedWeights};

/// Chain: `MAX_CRV3_COMMIT_SIZE_BYTES`, the bound of the `commit` argument.
pub const MAX_TIMELOCKED_COMMIT_BYTES: usize = 5000;
/// Chain: at most this many unrevealed timelocked commits per hotkey and epoch.
const MAX_UNREVEALED_COMMITS: usize = 10;
/// Chain: `DefaultCommitRevealWeightsVersion`.
pub const DEFAULT_COMMIT_REVEAL_VERSION: u16 = 4;

impl LocalChain {
    /// `commit_timelocked_weights` (mechanism 0) and `commit_timelocked_mechanism_weights`
    /// (chain: `internal_commit_timelocked_weights`), checked in the chain's order:
    /// the mechanism exists, commit-reveal is on, the client's commit-reveal version is
    /// the chain's, the hotkey is registered, the rate limit, at most 10 unrevealed
    /// commits of this hotkey in this epoch. The commit block becomes the neuron's last
    /// update. Returns the event's commit hash (BlakeTwo256 of the commit).
    pub fn commit_timelocked_weights(
        &mut self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mecid: u8,
        commit: &[u8],
        reveal_round: u64,
        commit_reveal_version: u16,
    ) -> Result<[u8; 32], ChainError> {
        let hotkey = hotkey.account_id();
        if commit.len() > MAX_TIMELOCKED_COMMIT_BYTES {
            // On the chain the extrinsic does not decode (a BoundedVec over its bound).
            return Err(ChainError::InvalidTransaction(format!(
                "commit of {} bytes exceeds the chain's bound of {MAX_TIMELOCKED_COMMIT_BYTES} (MAX_CRV3_COMMIT_SIZE_BYTES)",
                commit.len()
            )));
        }
        self.ensure_mechanism_exists(netuid, mecid)?;
        let version = self.commit_reveal_version;
        let block = self.block;
        let epoch = self.current_epoch_with_lookahead(netuid)?;
        let s = self.subnet_mut(netuid)?;
        if !s.hyper.commit_reveal_enabled {
            return Err(ChainError::CommitRevealDisabled);
        }
        if commit_reveal_version != version {
            return Err(ChainError::IncorrectCommitRevealVersion);
        }
        let uid = s.uid_of(&hotkey).ok_or(ChainError::HotKeyNotRegisteredInSubNet)? as usize;
        let rate_limit = s.hyper.weights_set_rate_limit;
        // Chain: the rate limit and the last update are the mechanism's.
        let last = s.mechanism(mecid).ok_or(ChainError::MechanismDoesNotExist)?.last_update[uid];
        if last != 0 && block.saturating_sub(last) < rate_limit {
            return Err(ChainError::CommittingWeightsTooFast);
        }
        let queue = s.timelocked.entry((mecid, epoch)).or_default();
        if queue.iter().filter(|c| c.who == hotkey).count() >= MAX_UNREVEALED_COMMITS {
            return Err(ChainError::TooManyUnrevealedCommits);
        }
        queue.push(TimelockedCommit { who: hotkey, commit_block: block, commit: commit.to_vec(), reveal_round });
        if let Some(rows) = s.mechanism_mut(mecid) {
            rows.last_update[uid] = block;
        }
        Ok(sp_crypto_hashing::blake2_256(commit))
    }

    /// `CommitRevealWeightsVersion`: the commit-reveal version clients must send.
    pub fn commit_reveal_version(&self) -> u16 {
        self.commit_reveal_version
    }

    /// Root's `sudo_set_commit_reveal_version` (`AdminUtils`).
    pub fn set_commit_reveal_version(&mut self, version: u16) {
        self.commit_reveal_version = version;
    }

    /// Chain: `current_epoch_with_lookahead`: the `SubnetEpochIndex` counter, plus one
    /// when an epoch fires this block. Extrinsics run after the block's epoch on the
    /// local chain, so for them the counter already counts it.
    fn current_epoch_with_lookahead(&self, netuid: NetUid) -> Result<u64, ChainError> {
        Ok(self.subnet(netuid)?.epoch_index)
    }

    /// Chain: `reveal_crv3_commits_for_subnet`, at the start of every block before the
    /// coinbase: commits of the epoch `reveal_period` epochs ago are decrypted with
    /// their round's pulse and applied as the committer's weights; a commit whose pulse
    /// is not stored yet waits for a later block of the epoch; older commits are dropped,
    /// as are commits that do not decrypt, decode, match their committer or pass the
    /// weights checks.
    pub(super) fn reveal_timelocked_commits(&mut self, netuid: NetUid) {
        let Ok(s) = self.subnet(netuid) else { return };
        let reveal_period = s.hyper.reveal_period_epochs;
        let current_epoch = s.epoch_index + u64::from(self.epoch_due(netuid, self.block));
        let reveal_epoch = current_epoch.saturating_sub(reveal_period);
        let Ok(s) = self.subnet_mut(netuid) else { return };
        s.timelocked.retain(|&(_, epoch), _| epoch >= reveal_epoch);
        if current_epoch < reveal_period {
            return;
        }
        // Chain: every mechanism's commits, in mechanism order.
        for mecid in 0..s.mechanism_count() {
            self.reveal_mechanism_commits(netuid, mecid, reveal_epoch);
        }
    }

    fn reveal_mechanism_commits(&mut self, netuid: NetUid, mecid: u8, reveal_epoch: u64) {
        let Ok(s) = self.subnet_mut(netuid) else { return };
        let Some(entries) = s.timelocked.remove(&(mecid, reveal_epoch)) else { return };
        let mut unrevealed = Vec::new();
        for entry in entries {
            let Some(pulse) = self.drand.pulse(entry.reveal_round) else {
                unrevealed.push(entry);
                continue;
            };
            let Some((uids, values, version_key)) = open_commit(&entry, &pulse.signature) else { continue };
            if self.store_weights(&entry.who, netuid, mecid, &uids, &values, version_key).is_ok() {
                self.block_events.push(BlockEvent::TimelockedWeightsRevealed { netuid, mecid, who: entry.who });
            }
        }
        if !unrevealed.is_empty() {
            if let Ok(s) = self.subnet_mut(netuid) {
                s.timelocked.insert((mecid, reveal_epoch), unrevealed);
            }
        }
    }
}

/// Decrypt a commit with its round's signature and read the weights it carries, as
/// the chain reads them (`drand::payload::revealed_weights`).
fn open_commit(entry: &TimelockedCommit, signature: &[u8]) -> Option<RevealedWeights> {
    let plain = drand::decrypt(&entry.commit, signature).ok()?;
    revealed_weights(&plain, &entry.who.0).ok()
}
