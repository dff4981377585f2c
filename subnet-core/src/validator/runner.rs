//! [`Validator`]: one round at a time, or a loop that follows the chain's blocks.

use std::path::PathBuf;
use std::sync::Arc;

use rand::SeedableRng;

use codec::Encode;

use super::state::{PendingReveal, SavedState};
use crate::chain::types::{AccountId, Metagraph, NetUid, Signer, TimelockContext};
use crate::chain::{Chain, ChainError};
use crate::drand::{self, WeightsTlockPayload};
use crate::incentive::{weights_for_chain, Incentive, Schedule, ScoreBook, ScoreBookError, WeightLimits};

use crate::spec::{JudgeSpec, MinerContext, Querier, Rng, Target};

/// How a validator runs: its subnet, mechanism, version key, state file and seed.
#[derive(Clone, Debug)]
pub struct ValidatorConfig {
    /// The subnet validated.
    pub netuid: NetUid,
    /// How scores become weights, and when they are submitted.
    pub mechanism: Incentive,
    /// The subnet's protocol version, submitted as the weights version key.
    pub version_key: u64,
    /// Where scores are saved after every round (and restored at start).
    pub state_path: Option<PathBuf>,
    /// Seeds challenges and miner sampling, so runs are reproducible.
    pub seed: u64,
    /// How weights are committed when the subnet has commit-reveal on.
    pub commit_scheme: CommitScheme,
}

/// How a validator commits weights on a subnet with commit-reveal on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CommitScheme {
    /// As the chain asks: timelocked to a drand round when its
    /// `CommitRevealWeightsVersion` is 4 (finney's default; the chain reveals them
    /// itself), else a hash committed now and revealed an epoch later.
    #[default]
    Auto,
    /// Always the hash scheme (`commit_weights` then `reveal_weights`), for a chain
    /// that asks for it.
    Hash,
}

/// The commit-reveal version whose commits are timelocked (`commit_timelocked_weights`).
pub const TIMELOCKED_COMMIT_REVEAL_VERSION: u16 = 4;

/// Why a validator stopped or could not start.
#[derive(Debug, thiserror::Error)]
pub enum ValidatorError {
    /// Reading the chain or submitting weights failed.
    #[error("chain: {0}")]
    Chain(#[from] ChainError),
    /// The score file could not be saved or loaded.
    #[error("scores: {0}")]
    Scores(#[from] ScoreBookError),
    /// The incentive mechanism is invalid (`Incentive::check`'s reason).
    #[error("incentive mechanism: {0}")]
    Mechanism(String),
    /// The validator's hotkey has no UID on this netuid.
    #[error("this validator's hotkey is not registered on subnet {0}")]
    NotRegistered(NetUid),
    /// The chain stopped sending new blocks.
    #[error("the chain's block stream ended")]
    BlockStreamClosed,
}

/// What one round did.
#[derive(Clone, Debug, PartialEq)]
pub struct RoundReport {
    /// The round's number, counted from 1 since start.
    pub round: u64,
    /// The block of the metagraph the round used.
    pub block: u64,
    /// `(uid, score this round)` for every miner queried.
    pub scores: Vec<(u16, f64)>,
    /// Miners that gave no usable answer.
    pub failures: usize,
}

/// What a weights attempt did.
#[derive(Clone, Debug, PartialEq)]
pub enum WeightsOutcome {
    /// Not time yet (schedule or rate limit).
    NotDue,
    /// Weights submitted in the clear (Subtensor's `set_weights`); u16 values.
    Set {
        /// The UIDs weighed.
        uids: Vec<u16>,
        /// Their weights, u16 scale, as the chain stores them.
        values: Vec<u16>,
    },
    /// Weights encrypted to a drand round committed (commit-reveal version 4;
    /// Subtensor's `commit_timelocked_weights`): the chain sets them itself once the
    /// round's pulse is on chain, in the reveal epoch.
    CommittedTimelocked {
        /// The UIDs committed.
        uids: Vec<u16>,
        /// Their weights, u16 scale.
        values: Vec<u16>,
        /// The drand round they are encrypted to.
        reveal_round: u64,
    },
    /// A hash of the weights committed (commit-reveal on; Subtensor's `commit_weights`).
    Committed {
        /// The UIDs committed, to be revealed later.
        uids: Vec<u16>,
        /// Their weights, u16 scale.
        values: Vec<u16>,
    },
    /// Weights committed earlier, now revealed (Subtensor's `reveal_weights`).
    Revealed {
        /// The UIDs revealed.
        uids: Vec<u16>,
        /// Their weights, u16 scale.
        values: Vec<u16>,
    },
    /// The chain refused; scores are kept and the attempt is retried later.
    Refused(ChainError),
}

/// A validator: queries miners, scores their answers with the judge, keeps the scores
/// and submits weights on the schedule.
pub struct Validator<J: JudgeSpec> {
    chain: Arc<dyn Chain>,
    querier: Arc<dyn Querier>,
    hotkey: Box<dyn Signer>,
    judge: J,
    config: ValidatorConfig,
    book: ScoreBook,
    round: u64,
    /// Challenges the judge has made: the `round` it is told. A round that fails after
    /// its challenge still counts, so this can run ahead of `round`.
    challenges: u64,
    last_weights_block: Option<u64>,
    /// Hash-scheme commits waiting for their reveal, one per mechanism committed to.
    pending_reveals: Vec<PendingReveal>,
}

impl<J: JudgeSpec> Validator<J> {
    /// A validator for `config.netuid`, with scores restored from `state_path` if saved.
    pub fn new(
        chain: Arc<dyn Chain>,
        querier: Arc<dyn Querier>,
        hotkey: Box<dyn Signer>,
        judge: J,
        config: ValidatorConfig,
    ) -> Result<Self, ValidatorError> {
        config.mechanism.check().map_err(ValidatorError::Mechanism)?;
        let state = match &config.state_path {
            Some(path) if path.exists() => SavedState::load(path, config.netuid)?,
            _ => SavedState::new(ScoreBook::new(config.netuid, config.mechanism.alpha), Vec::new()),
        };
        let (book, pending_reveals) = (state.book, state.pending_reveals);
        Ok(Self { chain, querier, hotkey, judge, config, book, round: 0, challenges: 0, last_weights_block: None, pending_reveals })
    }

    /// `(uid, moving-average score)` for every UID known, in [0, 1].
    pub fn scores(&self) -> Vec<(u16, f64)> {
        self.book.scores()
    }

    fn me(&self) -> AccountId {
        self.hotkey.account_id()
    }

    /// Save the scores and the pending reveals, if the validator has a state file.
    fn save(&self) -> Result<(), ValidatorError> {
        if let Some(path) = &self.config.state_path {
            SavedState::new(self.book.clone(), self.pending_reveals.clone()).save(path)?;
        }
        Ok(())
    }

    /// The hash-scheme commits waiting for their reveal, one per mechanism.
    pub fn pending_reveals(&self) -> &[PendingReveal] {
        &self.pending_reveals
    }

    /// Read the metagraph and follow UID changes in the score book.
    pub async fn sync(&mut self) -> Result<Metagraph, ValidatorError> {
        let mg = self.chain.metagraph(self.config.netuid).await?;
        let hotkeys: Vec<AccountId> = mg.neurons.iter().map(|n| n.hotkey).collect();
        self.book.sync(&hotkeys);
        Ok(mg)
    }

    /// One round: challenge the sampled miners, score, update and save the scores.
    pub async fn round(&mut self) -> Result<RoundReport, ValidatorError> {
        let mg = self.sync().await?;
        let me = self.me();
        if !mg.neurons.iter().any(|n| n.hotkey == me) {
            return Err(ValidatorError::NotRegistered(self.config.netuid));
        }
        // The TLS keys miners published (`serve_axon_tls`) pin their handshakes; a chain
        // that cannot say leaves miners checked by hotkey alone.
        let certificates = match self.chain.neuron_certificates(self.config.netuid).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("reading the miners' certificates failed, checking them by hotkey alone: {e}");
                Default::default()
            }
        };
        let mut targets: Vec<Target> = mg
            .neurons
            .iter()
            .filter(|n| n.hotkey != me)
            .filter_map(|n| {
                let tls_key = certificates.get(&n.hotkey).and_then(|c| c.ed25519_key());
                n.axon.map(|axon| Target { uid: n.uid, hotkey: n.hotkey, axon, tls_key })
            })
            .collect();
        let seed = self.config.seed ^ self.round.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let sample = self.config.mechanism.miners_per_round;
        if sample > 0 && targets.len() > sample {
            shuffle(&mut targets, seed);
            targets.truncate(sample);
            targets.sort_by_key(|t| t.uid);
        }
        // The judge draws its task from an Rng seeded with the round's seed, so a
        // validator's challenges are reproducible from its configured seed.
        let task = self.judge.challenge(self.challenges, &mut Rng::seed_from_u64(seed));
        self.challenges += 1;
        let timeout = self.config.mechanism.timeout;
        let responses = if self.judge.streamed(&task) {
            self.querier.query_stream(&targets, &task, timeout).await
        } else {
            self.querier.query(&targets, &task, timeout).await
        };
        // Answers are scored together (a round-level scorer may rank them); failures
        // get the mechanism's failure score.
        let answered: Vec<(usize, &[u8], MinerContext)> = targets
            .iter()
            .zip(&responses)
            .enumerate()
            .filter_map(|(i, (t, r))| {
                r.result.as_ref().ok().map(|answer| {
                    (i, answer.as_slice(), MinerContext { first_chunk: r.first_chunk, ..MinerContext::new(t.uid, t.hotkey, r.latency) })
                })
            })
            .collect();
        let batch: Vec<(&[u8], MinerContext)> = answered.iter().map(|(_, a, ctx)| (*a, ctx.clone())).collect();
        let judged = self.judge.score_round(&task, &batch);
        let mut round_scores = vec![self.config.mechanism.failure_score; targets.len()];
        for (k, (i, _, _)) in answered.iter().enumerate() {
            let s = judged.get(k).copied().unwrap_or(0.0);
            round_scores[*i] = if s.is_finite() { s.clamp(0.0, 1.0) } else { 0.0 };
        }
        let failures = targets.len() - answered.len();
        let mut scores = Vec::with_capacity(targets.len());
        for (target, score) in targets.iter().zip(round_scores) {
            self.book.update(target.uid, score);
            scores.push((target.uid, score));
        }
        self.save()?;
        self.round += 1;
        Ok(RoundReport { round: self.round, block: mg.block, scores, failures })
    }

    /// Submit weights if the schedule says so: `set_weights`, or with commit-reveal a
    /// commit now and its reveal once the chain opens the window. Refusals are
    /// reported and retried on a later call; scores are never reset by them.
    pub async fn maybe_set_weights(&mut self) -> Result<WeightsOutcome, ValidatorError> {
        let netuid = self.config.netuid;
        let block = self.chain.block_number().await?;
        let hyper = self.chain.hyperparameters(netuid).await?;

        if !self.pending_reveals.is_empty() {
            return self.reveal_pending().await;
        }

        let period = match self.config.mechanism.schedule {
            Schedule::EveryBlocks(n) => n,
            Schedule::EachTempo => hyper.tempo as u64,
        }
        .max(hyper.weights_set_rate_limit);
        if self.last_weights_block.is_some_and(|last| block.saturating_sub(last) < period) {
            return Ok(WeightsOutcome::NotDue);
        }

        let mg = self.sync().await?;
        let limits = WeightLimits {
            subnet_n: mg.neurons.len() as u16,
            min_allowed_weights: hyper.min_allowed_weights,
            max_weight_limit: hyper.max_weight_limit,
        };
        let shaped = self.config.mechanism.shape(&self.book.scores());
        let w = match weights_for_chain(&shaped, &limits) {
            Ok(w) => w,
            Err(e) => return Err(ValidatorError::Mechanism(e.to_string())),
        };
        let version_key = self.config.version_key.max(hyper.weights_version_key);
        // The framework's validator scores one competition; on a subnet with several
        // mechanisms it submits the same weights to each, so no mechanism's share of
        // emission goes to neurons nobody weighed.
        let mechanisms = self.chain.mechanism_count(netuid).await?;
        let outcome = if hyper.commit_reveal_enabled {
            match self.timelock().await {
                Some(timelock) => self.commit_timelocked(&timelock, mechanisms, w.uids, w.values, version_key).await,
                None => self.commit_hash(block, mechanisms, w.uids, w.values, version_key).await?,
            }
        } else {
            self.set_on_mechanisms(mechanisms, w.uids, w.values, version_key).await
        };
        if matches!(outcome, WeightsOutcome::Set { .. } | WeightsOutcome::Committed { .. } | WeightsOutcome::CommittedTimelocked { .. }) {
            self.last_weights_block = Some(block);
        }
        Ok(outcome)
    }

    /// The chain's drand state when commits should be timelocked: commit scheme
    /// `Auto` and the chain's commit-reveal version 4. A chain that cannot say (no
    /// drand pallet) gets the hash scheme.
    async fn timelock(&self) -> Option<TimelockContext> {
        if self.config.commit_scheme == CommitScheme::Hash {
            return None;
        }
        match self.chain.timelock_context(self.config.netuid).await {
            Ok(ctx) if ctx.commit_reveal_version == TIMELOCKED_COMMIT_REVEAL_VERSION => Some(ctx),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!("no drand state on this chain ({e}); committing weights by hash");
                None
            }
        }
    }

    /// `set_mechanism_weights` on every mechanism. Mechanism 0's result is the outcome;
    /// another mechanism's refusal is logged (the next submission retries it).
    async fn set_on_mechanisms(&self, mechanisms: u8, uids: Vec<u16>, values: Vec<u16>, version_key: u64) -> WeightsOutcome {
        let netuid = self.config.netuid;
        let mut outcome = WeightsOutcome::Set { uids: uids.clone(), values: values.clone() };
        for mecid in 0..mechanisms.max(1) {
            if let Err(e) = self.chain.set_mechanism_weights(&*self.hotkey, netuid, mecid, &uids, &values, version_key).await {
                if mecid == 0 {
                    outcome = WeightsOutcome::Refused(e);
                } else {
                    tracing::warn!("set_mechanism_weights on mechanism {mecid} of subnet {netuid} refused: {e}");
                }
            }
        }
        outcome
    }

    /// Reveal every pending hash commit whose window is open. Those the chain calls too
    /// early stay; expired or unknown ones are forgotten (the next submission commits
    /// afresh). The first (mechanism 0's) result is the outcome.
    async fn reveal_pending(&mut self) -> Result<WeightsOutcome, ValidatorError> {
        let netuid = self.config.netuid;
        let mut outcome = None;
        let mut waiting = Vec::new();
        for p in std::mem::take(&mut self.pending_reveals) {
            let result = self.chain.reveal_mechanism_weights(&*self.hotkey, netuid, p.mecid, &p.uids, &p.values, &p.salt, p.version_key).await;
            let this = match result {
                Ok(()) => WeightsOutcome::Revealed { uids: p.uids.clone(), values: p.values.clone() },
                Err(ChainError::RevealTooEarly) => {
                    waiting.push(p);
                    WeightsOutcome::NotDue
                }
                Err(e) => {
                    tracing::warn!("reveal on mechanism {} of subnet {netuid} refused: {e}", p.mecid);
                    WeightsOutcome::Refused(e)
                }
            };
            outcome.get_or_insert(this);
        }
        self.pending_reveals = waiting;
        self.save()?;
        Ok(outcome.unwrap_or(WeightsOutcome::NotDue))
    }

    /// Encrypt the weights to the round the chain has in the reveal epoch and commit
    /// them to every mechanism; the chain reveals them itself.
    async fn commit_timelocked(
        &self,
        timelock: &TimelockContext,
        mechanisms: u8,
        uids: Vec<u16>,
        values: Vec<u16>,
        version_key: u64,
    ) -> WeightsOutcome {
        let reveal_round = timelock.reveal_round();
        let payload = WeightsTlockPayload { hotkey: self.me().0.to_vec(), uids, values, version_key };
        let commit = match drand::encrypt(&timelock.beacon_public_key, reveal_round, &payload.encode(), &mut rand::rngs::OsRng) {
            Ok(commit) => commit,
            // A beacon key that is not a G2 point: the chain's drand state is unusable.
            Err(e) => return WeightsOutcome::Refused(ChainError::Rpc(format!("cannot encrypt to the chain's drand beacon: {e}"))),
        };
        let netuid = self.config.netuid;
        let mut outcome = WeightsOutcome::CommittedTimelocked { uids: payload.uids, values: payload.values, reveal_round };
        for mecid in 0..mechanisms.max(1) {
            let result =
                self.chain.commit_timelocked_weights(&*self.hotkey, netuid, mecid, &commit, reveal_round, timelock.commit_reveal_version).await;
            if let Err(e) = result {
                if mecid == 0 {
                    outcome = WeightsOutcome::Refused(e);
                } else {
                    tracing::warn!("timelocked commit on mechanism {mecid} of subnet {netuid} refused: {e}");
                }
            }
        }
        outcome
    }

    /// Commit the hash of the weights to every mechanism (each hash over the
    /// mechanism's storage index) and keep (and save) what the reveals need.
    async fn commit_hash(
        &mut self,
        block: u64,
        mechanisms: u8,
        uids: Vec<u16>,
        values: Vec<u16>,
        version_key: u64,
    ) -> Result<WeightsOutcome, ValidatorError> {
        let netuid = self.config.netuid;
        let salt = salt(self.config.seed ^ block);
        let mut outcome = WeightsOutcome::Committed { uids: uids.clone(), values: values.clone() };
        for mecid in 0..mechanisms.max(1) {
            let index = crate::chain::local::mechanism_storage_index(netuid, mecid);
            let hash = crate::chain::local::commit_hash(&self.me(), index, &uids, &values, &salt, version_key);
            match self.chain.commit_mechanism_weights(&*self.hotkey, netuid, mecid, hash).await {
                Ok(()) => {
                    self.pending_reveals.push(PendingReveal { mecid, uids: uids.clone(), values: values.clone(), salt: salt.clone(), version_key })
                }
                Err(e) if mecid == 0 => outcome = WeightsOutcome::Refused(e),
                Err(e) => tracing::warn!("commit on mechanism {mecid} of subnet {netuid} refused: {e}"),
            }
        }
        self.save()?;
        Ok(outcome)
    }
}

impl<J: JudgeSpec> Validator<J> {
    /// Follow the chain: a round every `blocks_per_round` new blocks, weights whenever
    /// due, until `stop` turns true (or its sender is dropped). Round and weight errors
    /// are reported through `on_event` and the loop goes on; only a lost block stream
    /// ends it with an error.
    pub async fn run(
        &mut self,
        blocks_per_round: u64,
        mut stop: tokio::sync::watch::Receiver<bool>,
        mut on_event: impl FnMut(LoopEvent),
    ) -> Result<(), ValidatorError> {
        let mut blocks = self.chain.subscribe_blocks();
        let mut last_round: Option<u64> = None;
        loop {
            let block = *blocks.borrow_and_update();
            if last_round.is_none_or(|b| block >= b + blocks_per_round.max(1)) {
                last_round = Some(block);
                match self.round().await {
                    Ok(report) => {
                        tracing::debug!(
                            round = report.round,
                            block = report.block,
                            miners = report.scores.len(),
                            failures = report.failures,
                            "round scored"
                        );
                        on_event(LoopEvent::Round(report))
                    }
                    Err(e) => {
                        tracing::warn!("round failed: {e}");
                        on_event(LoopEvent::Error(e.to_string()))
                    }
                }
                match self.maybe_set_weights().await {
                    Ok(WeightsOutcome::NotDue) => {}
                    Ok(outcome) => {
                        match &outcome {
                            WeightsOutcome::Refused(e) => tracing::warn!("weights refused (scores kept, retried): {e}"),
                            other => tracing::info!(outcome = ?other, "weights submitted"),
                        }
                        on_event(LoopEvent::Weights(outcome))
                    }
                    Err(e) => {
                        tracing::warn!("setting weights failed: {e}");
                        on_event(LoopEvent::Error(e.to_string()))
                    }
                }
            }
            tokio::select! {
                changed = blocks.changed() => {
                    if changed.is_err() {
                        return Err(ValidatorError::BlockStreamClosed);
                    }
                }
                _ = stop.changed() => {}
            }
            if *stop.borrow() || stop.has_changed().is_err() {
                return Ok(());
            }
        }
    }
}

/// What the loop did, for logs and progress output.
#[derive(Clone, Debug, PartialEq)]
pub enum LoopEvent {
    /// A round finished.
    Round(RoundReport),
    /// Weights were submitted or refused (an attempt not yet due sends no event).
    Weights(WeightsOutcome),
    /// A round or a weights attempt failed; the loop goes on (the error's message).
    Error(String),
}

/// Deterministic Fisher-Yates with xorshift.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut s = seed | 1;
    for i in (1..items.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        items.swap(i, (s % (i as u64 + 1)) as usize);
    }
}

/// A commit's salt: unpredictable to others, from the OS, mixed with the seed.
fn salt(seed: u64) -> Vec<u16> {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
    }
    bytes.chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect()
}
