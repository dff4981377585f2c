//! Pin a subnet's scoring and incentive mechanism with a snapshot: fixture answers →
//! scores → the weights a validator would submit (u16) → the incentive Yuma gives
//! after some epochs, as one readable table for `insta::assert_snapshot!`.
//!
//! ```ignore
//! let table = ScoringTable::<sum::Subnet>::new()
//!     .case("right", "Add", &Add { a: 1, b: 2 }, &Total { value: 3 })
//!     .case("wrong", "Add", &Add { a: 1, b: 2 }, &Total { value: 4 })
//!     .render(3);
//! insta::assert_snapshot!(table);
//! ```

use std::fmt::Write as _;
use std::marker::PhantomData;
use std::time::Duration;

use serde::Serialize;

use crate::incentive::{weights_for_chain, WeightLimits};
use crate::spec::{encode_answer, Envelope, JudgeSpec, MinerContext, SubnetSpec};
use crate::yuma::{run_epoch, EpochParams, SubnetState};

pub struct ScoringTable<S: SubnetSpec> {
    /// (miner label, task payload, answer bytes)
    cases: Vec<(String, Vec<u8>, Vec<u8>)>,
    subnet: PhantomData<S>,
}

impl<S: SubnetSpec> Default for ScoringTable<S> {
    fn default() -> Self {
        Self { cases: Vec::new(), subnet: PhantomData }
    }
}

impl<S: SubnetSpec> ScoringTable<S> {
    pub fn new() -> Self {
        Self::default()
    }

    /// One answer by the miner `label` to a task of kind `task_name`.
    pub fn case(mut self, label: &str, task_name: &str, task: &impl Serialize, answer: &impl Serialize) -> Self {
        let answer = encode_answer(answer).expect("fixture answers serialise");
        self.cases.push((label.to_string(), Envelope::encode(task_name, task), answer));
        self
    }

    /// One raw answer (for malformed answers).
    pub fn raw_case(mut self, label: &str, task_name: &str, task: &impl Serialize, answer: &[u8]) -> Self {
        self.cases.push((label.to_string(), Envelope::encode(task_name, task), answer.to_vec()));
        self
    }

    /// The table: per case its score; per miner the mean score, the weight submitted
    /// for it, and its incentive after `epochs` epochs of one validator submitting
    /// those weights (default subnet hyperparameters, UID 0 the validator).
    pub fn render(&self, epochs: usize) -> String {
        let mut judge = S::judge();
        let mut miners: Vec<String> = Vec::new();
        let mut t = String::new();
        let _ = writeln!(t, "{} v{}: scores", S::NAME, S::VERSION);
        let mut per_miner: Vec<(f64, usize)> = Vec::new();
        for (label, task, answer) in &self.cases {
            let idx = match miners.iter().position(|m| m == label) {
                Some(i) => i,
                None => {
                    miners.push(label.clone());
                    per_miner.push((0.0, 0));
                    miners.len() - 1
                }
            };
            let uid = idx as u16 + 1;
            let ctx = MinerContext::new(uid, Default::default(), Duration::from_millis(10));
            let score = judge.score(task, answer, &ctx);
            per_miner[idx].0 += score;
            per_miner[idx].1 += 1;
            let _ = writeln!(t, "  {label:<16} {:<48} → {:.4}", truncate(&String::from_utf8_lossy(answer), 48), score);
        }
        let scores: Vec<(u16, f64)> = per_miner.iter().enumerate().map(|(i, (sum, n))| (i as u16 + 1, sum / *n as f64)).collect();
        let shaped = S::mechanism().shape(&scores);
        let n = miners.len() + 1;
        let limits = WeightLimits { subnet_n: n as u16, min_allowed_weights: 1, max_weight_limit: u16::MAX };
        let weights = match weights_for_chain(&shaped, &limits) {
            Ok(w) => w,
            Err(e) => return format!("{t}weights: {e}\n"),
        };
        let row: Vec<(u16, u16)> = weights.uids.iter().copied().zip(weights.values.iter().copied()).collect();
        let incentive = yuma_incentive(n, &row, epochs);
        let _ = writeln!(t, "\n{:<16} {:>10} {:>12} {:>22}", "miner", "mean score", "weight (u16)", format!("incentive after {epochs}"));
        for (i, label) in miners.iter().enumerate() {
            let uid = i as u16 + 1;
            let w = row.iter().find(|(u, _)| *u == uid).map_or(0, |(_, w)| *w);
            let _ = writeln!(t, "{label:<16} {:>10.4} {:>12} {:>22.4}", scores[i].1, w, incentive[uid as usize] as f64 / 65535.0);
        }
        t
    }
}

/// Incentive after `epochs` epochs where UID 0, the only staked validator, submits `row`.
fn yuma_incentive(n: usize, row: &[(u16, u16)], epochs: usize) -> Vec<u16> {
    let mut stake = vec![0u64; n];
    stake[0] = 1_000_000_000_000;
    let mut weights = vec![Vec::new(); n];
    weights[0] = row.to_vec();
    let (last_update, registered) = (vec![1u64; n], vec![0u64; n]);
    let mut permits = vec![false; n];
    permits[0] = true;
    let mut bonds = vec![Vec::new(); n];
    let params = EpochParams::default();
    let mut incentive = vec![0; n];
    for e in 1..=epochs.max(1) as u64 {
        let state = SubnetState {
            block: e * 360,
            last_epoch_block: (e - 1) * 360,
            emission: 1_000_000_000,
            stake: &stake,
            last_update: &last_update,
            block_at_registration: &registered,
            validator_permit: &permits,
            weights: &weights,
            bonds: &bonds,
            owner_uid: None,
            commit_blocks: None,
        };
        let out = run_epoch(&params, &state).expect("consistent state");
        bonds = out.bonds;
        permits = out.validator_permit;
        incentive = out.incentive;
    }
    incentive
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}
