//! Which drand round a weights commit is encrypted to.
//!
//! The chain reveals a commit in the first block whose epoch index (as
//! `reveal_crv3_commits_for_subnet` sees it, before that block's epochs run) is the
//! commit's epoch plus the subnet's reveal period, if the commit's round is stored in
//! `pallet_drand::Pulses` by then; otherwise it retries every block of that epoch.
//! bittensor-drand (2.0.0, `drand.rs` `generate_commit_v2`) therefore aims at the
//! pulse ingested [`SECURITY_BLOCK_OFFSET`] blocks after that first reveal block:
//!
//! ```text
//! first_reveal = first block b ≥ head+1 with epoch_seen_by_reveal(b) = commit_epoch + reveal_period
//! target_secs  = now + (first_reveal + 3 − head) · block_time
//! reveal_round = max(1, floor((target_secs − genesis) / period))
//! ```
//!
//! `floor` without drand's `+ 1` picks the round before the one current at the target
//! time, so the pulse is out (and ingested) by then. [`round_by_chain`] makes the
//! same step from the chain's latest stored round instead of the wall clock: what our
//! validator uses, so the same code works on the local chain, whose beacon follows
//! block time rather than real time.

use std::time::Duration;

use super::quicknet;

/// Blocks after the first reveal block whose pulse a commit targets (bittensor-drand
/// `constants.rs` `SECURITY_BLOCK_OFFSET`).
pub const SECURITY_BLOCK_OFFSET: u64 = 3;

/// A commit sent at head block `h` lands in block `h + 1` (bittensor-drand
/// `COMMIT_INCLUSION_BLOCK_OFFSET`).
pub const COMMIT_INCLUSION_BLOCK_OFFSET: u64 = 1;

/// Subtensor's `MAX_TEMPO`: past this many blocks without a step, an epoch is forced.
pub const MAX_TEMPO: u64 = 50_400;

/// Why no reveal block could be predicted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevealError {
    /// Tempo 0: the subnet runs no epochs, so nothing is ever revealed.
    #[error("tempo is 0: the subnet runs no epochs")]
    TempoZero,
    /// No block within `(reveal_period + 1) · MAX_TEMPO` reaches the reveal epoch.
    #[error("no reveal block within the simulated horizon")]
    NoRevealBlock,
}

/// A subnet's epoch schedule at the head block, read from the storage items of the
/// same names (`LastEpochBlock`, `PendingEpochAt`, `SubnetEpochIndex`, `Tempo`,
/// `BlocksSinceLastStep`), as bittensor's `get_epoch_schedule_state` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochSchedule {
    /// The block the last epoch ran in.
    pub last_epoch_block: u64,
    /// A block an owner-triggered (or deferred) epoch is due at; 0 for none.
    pub pending_epoch_at: u64,
    /// Epochs run so far.
    pub subnet_epoch_index: u64,
    /// Blocks between automatic epochs.
    pub tempo: u16,
    /// Blocks since the last successful epoch.
    pub blocks_since_last_step: u64,
    /// The head block the other fields were read at.
    pub current_block: u64,
}

impl EpochSchedule {
    /// Subtensor `should_run_epoch` (`coinbase/run_coinbase.rs`).
    fn epoch_due(&self, block: u64) -> bool {
        if self.tempo == 0 {
            return false;
        }
        if self.pending_epoch_at > 0 && block >= self.pending_epoch_at {
            return true;
        }
        if self.blocks_since_last_step > MAX_TEMPO {
            return true;
        }
        block.saturating_sub(self.last_epoch_block) >= u64::from(self.tempo)
    }

    /// The epoch index the reveal (and a commit) sees in `block`: reveal runs before
    /// that block's epochs, so a due epoch is counted ahead (`subnets/weights.rs`
    /// `current_epoch_with_lookahead`).
    fn epoch_seen_in(&self, block: u64) -> u64 {
        self.subnet_epoch_index.saturating_add(u64::from(self.epoch_due(block)))
    }

    /// The schedule after `block`'s coinbase (`drain_pending`: the step counter grows,
    /// a due epoch runs). Per-block epoch caps (deferrals) are not modelled, as in
    /// bittensor-drand.
    fn after_block(&mut self, block: u64) {
        self.blocks_since_last_step = self.blocks_since_last_step.saturating_add(1);
        if self.epoch_due(block) {
            self.last_epoch_block = block;
            self.pending_epoch_at = 0;
            self.subnet_epoch_index = self.subnet_epoch_index.saturating_add(1);
            self.blocks_since_last_step = 0;
        }
        self.current_block = block;
    }
}

/// The first block that reveals a commit sent at `schedule.current_block`
/// (bittensor-drand 2.0.0 `epoch_schedule.rs` `predict_first_reveal_block`).
pub fn first_reveal_block(schedule: &EpochSchedule, reveal_period_epochs: u64) -> Result<u64, RevealError> {
    if schedule.tempo == 0 {
        return Err(RevealError::TempoZero);
    }
    let mut state = schedule.clone();
    let commit_block = schedule.current_block.saturating_add(COMMIT_INCLUSION_BLOCK_OFFSET);
    for block in schedule.current_block.saturating_add(1)..commit_block {
        state.after_block(block);
    }
    let target_epoch = state.epoch_seen_in(commit_block).saturating_add(reveal_period_epochs);
    let horizon = reveal_period_epochs.saturating_add(1).saturating_mul(MAX_TEMPO);
    for block in commit_block..=commit_block.saturating_add(horizon) {
        if state.epoch_seen_in(block) == target_epoch {
            return Ok(block);
        }
        state.after_block(block);
    }
    Err(RevealError::NoRevealBlock)
}

/// The first reveal block under the fixed-tempo model Subtensor had before stateful
/// epochs (bittensor-drand 1.x `drand.rs` `generate_commit`, step 1): epoch
/// `(block + netuid + 1) / (tempo + 1)`, whose first block is
/// `epoch · (tempo + 1) − (netuid + 1)`.
pub fn legacy_first_reveal_block(tempo: u16, netuid: u16, current_block: u64, reveal_period_epochs: u64) -> u64 {
    let tempo_plus_one = u64::from(tempo) + 1;
    let netuid_plus_one = u64::from(netuid) + 1;
    let commit_epoch = current_block.saturating_add(netuid_plus_one) / tempo_plus_one;
    commit_epoch.saturating_add(reveal_period_epochs).saturating_mul(tempo_plus_one).saturating_sub(netuid_plus_one)
}

/// Blocks from the head to the block whose ingested pulse the commit targets.
pub fn blocks_until_target(first_reveal_block: u64, current_block: u64) -> u64 {
    first_reveal_block.saturating_add(SECURITY_BLOCK_OFFSET).saturating_sub(current_block)
}

/// The reveal round from the wall clock, bittensor-drand's f64 arithmetic step for
/// step (`generate_commit_v2`): `now_unix_secs` is the time the commit is made.
pub fn round_by_clock(first_reveal_block: u64, current_block: u64, block_time_secs: f64, now_unix_secs: f64) -> u64 {
    let secs_until = blocks_until_target(first_reveal_block, current_block) as f64 * block_time_secs;
    let target = now_unix_secs + secs_until;
    // `as u64` saturates (and maps NaN and negatives to 0), so the clamp to 1 covers them.
    let round = ((target - quicknet::GENESIS_TIME as f64) / quicknet::PERIOD_SECS as f64).floor() as u64;
    round.max(1)
}

/// The reveal round from the chain's latest stored round (`pallet_drand`
/// `LastStoredRound`): that round plus the whole drand periods the blocks until the
/// target take. Ingestion keeps the stored round a little behind the beacon, and the
/// lag is the same at the target block, so that round is stored by then.
pub fn round_by_chain(first_reveal_block: u64, current_block: u64, block_time: Duration, latest_stored_round: u64, period: Duration) -> u64 {
    let period_ms = period.as_millis().max(1);
    let until_ms = u128::from(blocks_until_target(first_reveal_block, current_block)).saturating_mul(block_time.as_millis());
    let rounds = u64::try_from(until_ms / period_ms).unwrap_or(u64::MAX);
    latest_stored_round.saturating_add(rounds).max(1)
}
