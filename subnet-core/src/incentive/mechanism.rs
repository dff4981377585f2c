//! The declarative mechanism, built in a `const`:
//!
//! ```
//! use subnet_core::incentive::Incentive;
//! const MECHANISM: Incentive = Incentive::moving_average(0.1).power(2.0).top_k(16).burn(0, 0.2);
//! let weights = MECHANISM.shape(&[(1, 0.9), (2, 0.3), (3, 0.0)]);
//! assert!(weights.iter().any(|(uid, w)| *uid == 0 && (*w - 0.2).abs() < 1e-12));
//! ```

use std::time::Duration;

/// At most this many shaping steps in one mechanism.
pub const MAX_SHAPING_STEPS: usize = 6;

/// One step from scores to relative weights.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shaping {
    /// Scale so the weights sum to 1 (always applied last too).
    Normalize,
    /// Raise each score to a power: > 1 favours the best miners.
    Power(f64),
    /// Replace scores by their rank: the best gets n, the next n - 1, … (ties share).
    Rank,
    /// Everything to the best score (ties split).
    WinnerTakesAll,
    /// Keep the k best scores, zero the rest.
    TopK(usize),
    /// exp(score / temperature), normalised.
    Softmax {
        /// Lower sharpens towards the best score, higher flattens towards uniform.
        temperature: f64,
    },
}

/// When weights are submitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// Every `n` blocks (the chain's rate limit still applies).
    EveryBlocks(u64),
    /// Once per tempo, shortly before the epoch.
    EachTempo,
}

/// A subnet's incentive mechanism.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Incentive {
    /// Weight of a new score in the moving average (0 < alpha <= 1).
    pub alpha: f64,
    /// Shaping steps applied in order to the scores (`None` after the last).
    pub shaping: [Option<Shaping>; MAX_SHAPING_STEPS],
    /// A share of the weight sent to one UID (e.g. the owner's, to burn emission).
    pub burn: Option<(u16, f64)>,
    /// How long a miner has to answer.
    pub timeout: Duration,
    /// Score given for a failed answer (timeout, refusal, bad answer).
    pub failure_score: f64,
    /// Miners queried per round (0: all).
    pub miners_per_round: usize,
    /// When the validator submits weights.
    pub schedule: Schedule,
}

impl Incentive {
    /// A mechanism with a moving average of factor `alpha` and no shaping.
    pub const fn moving_average(alpha: f64) -> Self {
        Self {
            alpha,
            shaping: [None; MAX_SHAPING_STEPS],
            burn: None,
            timeout: Duration::from_secs(12),
            failure_score: 0.0,
            miners_per_round: 0,
            schedule: Schedule::EachTempo,
        }
    }

    const fn then(mut self, step: Shaping) -> Self {
        let mut i = 0;
        while i < MAX_SHAPING_STEPS {
            if self.shaping[i].is_none() {
                self.shaping[i] = Some(step);
                return self;
            }
            i += 1;
        }
        panic!("too many shaping steps in one incentive mechanism");
    }

    /// Then scale the scores to sum to 1.
    pub const fn normalize(self) -> Self {
        self.then(Shaping::Normalize)
    }
    /// Then raise each score to `exponent` (> 1 favours the best miners).
    pub const fn power(self, exponent: f64) -> Self {
        self.then(Shaping::Power(exponent))
    }
    /// Then replace scores by their rank (ties share).
    pub const fn rank(self) -> Self {
        self.then(Shaping::Rank)
    }
    /// Then give everything to the best score (ties split).
    pub const fn winner_takes_all(self) -> Self {
        self.then(Shaping::WinnerTakesAll)
    }
    /// Then keep the `k` best scores and zero the rest.
    pub const fn top_k(self, k: usize) -> Self {
        self.then(Shaping::TopK(k))
    }
    /// Then take `exp(score / temperature)`, normalised.
    pub const fn softmax(self, temperature: f64) -> Self {
        self.then(Shaping::Softmax { temperature })
    }
    /// Send `share` (0..=1) of the weight to `uid`.
    pub const fn burn(mut self, uid: u16, share: f64) -> Self {
        self.burn = Some((uid, share));
        self
    }
    /// Give miners `timeout` to answer (12 s by default, one Bittensor block).
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// Score a failed answer (timeout, refusal, bad answer) as `score` (0 by default).
    pub const fn failure_score(mut self, score: f64) -> Self {
        self.failure_score = score;
        self
    }
    /// Query `n` miners per round (0, the default: all).
    pub const fn miners_per_round(mut self, n: usize) -> Self {
        self.miners_per_round = n;
        self
    }
    /// Submit weights every `n` blocks (the chain's `WeightsSetRateLimit` still applies).
    pub const fn every_blocks(mut self, n: u64) -> Self {
        self.schedule = Schedule::EveryBlocks(n);
        self
    }
    /// Submit weights once per tempo, shortly before the epoch (the default).
    pub const fn each_tempo(mut self) -> Self {
        self.schedule = Schedule::EachTempo;
        self
    }

    /// Why the mechanism cannot work, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        if !(self.alpha > 0.0 && self.alpha <= 1.0) {
            return Err(format!("moving average factor must be in (0, 1], got {}", self.alpha));
        }
        for step in self.shaping.iter().flatten() {
            match *step {
                Shaping::Power(p) if !(p.is_finite() && p > 0.0) => return Err(format!("power must be positive, got {p}")),
                Shaping::TopK(0) => return Err("top_k needs k >= 1".into()),
                Shaping::Softmax { temperature } if !(temperature.is_finite() && temperature > 0.0) => {
                    return Err(format!("softmax temperature must be positive, got {temperature}"))
                }
                _ => {}
            }
        }
        if let Some((_, share)) = self.burn {
            if !(0.0..=1.0).contains(&share) {
                return Err(format!("burn share must be in [0, 1], got {share}"));
            }
        }
        if !(0.0..=1.0).contains(&self.failure_score) {
            return Err(format!("failure score must be in [0, 1], got {}", self.failure_score));
        }
        Ok(())
    }

    /// Scores (per UID, each in [0, 1]) → relative weights summing to 1 (or all 0 when
    /// there is nothing to reward and no burn). Non-finite or negative scores count
    /// as 0.
    pub fn shape(&self, scores: &[(u16, f64)]) -> Vec<(u16, f64)> {
        let mut w: Vec<(u16, f64)> = scores.iter().map(|&(u, s)| (u, if s.is_finite() && s > 0.0 { s.min(1.0) } else { 0.0 })).collect();
        for step in self.shaping.iter().flatten() {
            apply(*step, &mut w);
        }
        normalize(&mut w);
        if let Some((uid, share)) = self.burn {
            let rest = 1.0 - share;
            let any = w.iter().any(|(_, x)| *x > 0.0);
            w.iter_mut().for_each(|(_, x)| *x *= rest);
            // With nothing else to reward, all of the weight goes to the burn UID.
            let burn = if any { share } else { 1.0 };
            match w.iter_mut().find(|(u, _)| *u == uid) {
                Some((_, x)) => *x += burn,
                None => w.push((uid, burn)),
            }
        }
        w
    }
}

fn normalize(w: &mut [(u16, f64)]) {
    let total: f64 = w.iter().map(|(_, x)| x).sum();
    if total > 0.0 && total.is_finite() {
        w.iter_mut().for_each(|(_, x)| *x /= total);
    }
}

fn apply(step: Shaping, w: &mut [(u16, f64)]) {
    match step {
        Shaping::Normalize => normalize(w),
        Shaping::Power(p) => w.iter_mut().for_each(|(_, x)| *x = x.powf(p)),
        Shaping::Rank => {
            let values: Vec<f64> = w.iter().map(|(_, x)| *x).collect();
            for (i, (_, x)) in w.iter_mut().enumerate() {
                if values[i] > 0.0 {
                    // 1 + the number of scores strictly below: ties share a rank.
                    *x = 1.0 + values.iter().filter(|v| **v < values[i]).count() as f64;
                }
            }
        }
        Shaping::WinnerTakesAll => {
            let best = w.iter().map(|(_, x)| *x).fold(0.0, f64::max);
            w.iter_mut().for_each(|(_, x)| *x = if best > 0.0 && *x == best { 1.0 } else { 0.0 });
        }
        Shaping::TopK(k) => {
            let mut order: Vec<usize> = (0..w.len()).collect();
            // Best first; the lower UID wins a tie, so the choice is deterministic.
            order.sort_by(|&a, &b| w[b].1.total_cmp(&w[a].1).then(w[a].0.cmp(&w[b].0)));
            for &i in order.iter().skip(k) {
                w[i].1 = 0.0;
            }
        }
        Shaping::Softmax { temperature } => {
            let max = w.iter().map(|(_, x)| *x).fold(f64::MIN, f64::max);
            w.iter_mut().for_each(|(_, x)| *x = ((*x - max) / temperature).exp());
            normalize(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(m: Incentive, scores: &[(u16, f64)]) -> Vec<f64> {
        m.shape(scores).iter().map(|(_, w)| (w * 1e6).round() / 1e6).collect()
    }

    #[test]
    fn shaping_steps() {
        let s = [(1, 0.5), (2, 0.25), (3, 0.25), (4, 0.0)];
        assert_eq!(weights(Incentive::moving_average(0.1), &s), vec![0.5, 0.25, 0.25, 0.0]);
        assert_eq!(weights(Incentive::moving_average(0.1).power(2.0), &s), vec![0.666667, 0.166667, 0.166667, 0.0]);
        assert_eq!(weights(Incentive::moving_average(0.1).rank(), &s), vec![0.5, 0.25, 0.25, 0.0]);
        assert_eq!(weights(Incentive::moving_average(0.1).winner_takes_all(), &s), vec![1.0, 0.0, 0.0, 0.0]);
        assert_eq!(weights(Incentive::moving_average(0.1).top_k(2), &s), vec![0.666667, 0.333333, 0.0, 0.0]);
        let soft = weights(Incentive::moving_average(0.1).softmax(0.1), &s);
        assert!(soft[0] > soft[1] && soft[1] == soft[2] && soft[3] > 0.0);
    }

    #[test]
    fn burn_takes_its_share_or_everything_when_nobody_earned() {
        let m = Incentive::moving_average(0.1).burn(0, 0.25);
        assert_eq!(weights(m, &[(1, 1.0), (2, 1.0)]), vec![0.375, 0.375, 0.25]);
        assert_eq!(m.shape(&[(1, 0.0)]), vec![(1, 0.0), (0, 1.0)]);
    }

    #[test]
    fn bad_scores_count_as_zero_and_bad_mechanisms_are_reported() {
        let m = Incentive::moving_average(0.5);
        assert_eq!(weights(m, &[(1, f64::NAN), (2, -1.0), (3, 7.0)]), vec![0.0, 0.0, 1.0]);
        assert!(Incentive::moving_average(0.0).check().is_err());
        assert!(Incentive::moving_average(0.1).power(-1.0).check().is_err());
        assert!(Incentive::moving_average(0.1).top_k(0).check().is_err());
        assert!(Incentive::moving_average(0.1).burn(0, 1.5).check().is_err());
        assert!(Incentive::moving_average(0.1).softmax(0.0).check().is_err());
        assert!(Incentive::moving_average(0.1).power(2.0).top_k(3).check().is_ok());
    }
}
