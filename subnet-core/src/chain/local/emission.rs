//! Emission into a subnet and the epoch that distributes it
//! (`pallets/subtensor/src/coinbase/run_coinbase.rs`), in a stable 1:1 TAO/alpha model.

use crate::yuma::{run_epoch, EpochParams, SubnetState};

use super::mechanism::{consolidate, MechanismEpoch};
use super::subnet::StoredEpoch;
use super::{LocalChain, NetUid};
use crate::chain::types::{AccountId, Balance};

/// Chain: `decay_factor_q32`: the largest Q32 factor whose `half_life`-th power is
/// at most 0.5, found by bisection (`pallets/subtensor/src/utils/misc.rs`).
pub(super) fn decay_factor_q32(half_life: u16) -> u64 {
    if half_life == 0 {
        return 1 << 32;
    }
    let (mut lo, mut hi) = (0u64, 1u64 << 32);
    while lo + 1 < hi {
        let mid = lo + ((hi - lo) >> 1);
        if pow_q32(mid, half_life) > 1 << 31 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    lo
}

/// Chain: `pow_q32`, square-and-multiply in Q32.
fn pow_q32(base: u64, exp: u16) -> u64 {
    let (mut result, mut factor, mut power) = (1u64 << 32, base, exp as u32);
    while power > 0 {
        if power & 1 == 1 {
            result = mul_by_q32(result, factor);
        }
        power >>= 1;
        if power > 0 {
            factor = mul_by_q32(factor, factor);
        }
    }
    result
}

/// Chain: `mul_by_q32`: value * factor / 2^32, rounded down, saturating.
pub(super) fn mul_by_q32(value: u64, factor_q32: u64) -> u64 {
    ((value as u128 * factor_q32 as u128) >> 32).min(u64::MAX as u128) as u64
}

fn share(amount: Balance, proportion: u16) -> Balance {
    (amount as u128 * proportion as u128 / u16::MAX as u128) as Balance
}

impl LocalChain {
    /// Each block the subnet is credited its emission: the owner cut first, the rest
    /// half to miners (server) and half to validators, held until the next epoch.
    pub(super) fn accrue_emission(&mut self, netuid: NetUid) {
        // Chain: `get_subnets_to_emit_to` skips subnets without a first emission block
        // and subnets whose registration is switched off.
        let block = self.block;
        let emits = |s: &super::Subnet| s.first_emission_block.is_some_and(|first| block >= first) && s.hyper.registration_allowed;
        // Dynamic subnets are credited by the coinbase (`economy::chain`), by price.
        if !self.subnet(netuid).is_ok_and(emits) || self.is_dynamic(netuid) {
            return;
        }
        let emission = self.config.subnet_emission_per_block;
        let owner_cut = share(emission, self.config.owner_cut);
        let rest = emission - owner_cut;
        self.supply.emitted += emission;
        if let Ok(s) = self.subnet_mut(netuid) {
            s.pending_owner_cut += owner_cut;
            s.pending_server += rest / 2;
            s.pending_validator += rest - rest / 2;
        }
    }

    /// Chain: `should_run_epoch`: tempo > 0 and `tempo` blocks since the last epoch.
    pub(super) fn epoch_due(&self, netuid: NetUid, block: u64) -> bool {
        self.subnet(netuid).is_ok_and(|s| s.hyper.tempo > 0 && block.saturating_sub(s.last_epoch_block) >= s.hyper.tempo as u64)
    }

    /// Run Yuma on the subnet's state, store its results, and distribute the pending
    /// emission: miners' incentive and the owner cut become stake, validators'
    /// dividends are shared between the validator (its take) and its nominators.
    pub(super) fn run_epoch(&mut self, netuid: NetUid) {
        let block = self.block;
        let Ok(s) = self.subnet(netuid) else { return };
        let stake: Vec<u64> = s.keys.iter().map(|k| self.hotkey_stake(k, netuid)).collect();
        let h = &s.hyper;
        let params = EpochParams {
            kappa: h.kappa,
            bonds_moving_average: h.bonds_moving_average,
            max_allowed_validators: h.max_allowed_validators,
            activity_cutoff: h.activity_cutoff_blocks(),
            liquid_alpha_enabled: h.liquid_alpha_enabled,
            alpha_low: h.alpha_low,
            alpha_high: h.alpha_high,
            alpha_sigmoid_steepness: 1_000,
            yuma3_enabled: h.yuma3_enabled,
            bonds_penalty: h.bonds_penalty,
            stake_threshold: self.config.stake_threshold,
            tempo: h.tempo,
        };
        // Chain: `epoch_with_mechanisms`: the emission split between mechanisms, one
        // epoch per mechanism over its own weights, bonds and last updates, then the
        // per-UID results consolidated.
        let total = s.pending_server + s.pending_validator;
        let mut epochs: Vec<MechanismEpoch> = s
            .split_emission(total)
            .into_iter()
            .zip(0u8..)
            .map(|(emission, mecid)| {
                let rows = s.mechanism(mecid).expect("split_emission yields one part per mechanism");
                let commit_blocks = h.commit_reveal_enabled.then(|| self.active_commit_blocks(netuid, mecid));
                let state = SubnetState {
                    block,
                    last_epoch_block: s.last_step_block,
                    emission,
                    stake: &stake,
                    last_update: rows.last_update,
                    block_at_registration: &s.registered_at,
                    validator_permit: &s.validator_permit,
                    weights: rows.weights,
                    bonds: rows.bonds,
                    owner_uid: s.owner_uid(),
                    commit_blocks: commit_blocks.as_deref(),
                };
                let output = run_epoch(&params, &state).expect("the chain keeps per-UID vectors at the subnet size");
                MechanismEpoch { output, emission }
            })
            .collect();
        let others = epochs.split_off(1); // mechanisms 1..
        let out = consolidate(epochs.pop().expect("mechanism 0 always exists"), &others, total);

        let keys = s.keys.clone();
        let paid_before = self.paid_and_withheld(netuid);
        let (owner_coldkey, owner_hotkey) = (s.owner_coldkey, s.owner_hotkey);
        let (pending_server, pending_validator, owner_cut) = (s.pending_server, s.pending_validator, s.pending_owner_cut);

        let s = self.subnet_mut(netuid).expect("checked above");
        s.validator_permit = out.validator_permit.clone();
        s.bonds = out.bonds.clone();
        for (m, e) in s.mechanisms.iter_mut().zip(others) {
            m.bonds = e.output.bonds;
            m.incentive = e.output.incentive;
        }
        s.last_epoch = Some(StoredEpoch::from_output(&out));
        s.pending_server = 0;
        s.pending_validator = 0;
        s.pending_owner_cut = 0;
        s.last_epoch_block = block;
        s.last_step_block = block;
        s.epoch_index += 1;

        // Miners: their server emission, staked to their hotkey by its owner; what
        // goes to hotkeys of the subnet owner is burnt (chain:
        // `distribute_dividends_and_incentives` skips the owner's hotkeys).
        let incentive_sum: Balance = out.server_emission.iter().sum();
        for (uid, &amount) in out.server_emission.iter().enumerate() {
            let hotkey = keys[uid];
            let coldkey = self.hotkey_owner(&hotkey).unwrap_or(hotkey);
            if coldkey != owner_coldkey {
                self.pay(hotkey, coldkey, netuid, amount);
            } else {
                self.withhold(netuid, amount);
            }
        }
        // Validators: the validator pool (plus the miners' when nobody earned
        // incentive), split by each validator's share of validator emission.
        let pool = if incentive_sum > 0 { pending_validator } else { pending_validator + pending_server };
        let validator_sum: u128 = out.validator_emission.iter().map(|&v| v as u128).sum();
        for (uid, &v) in out.validator_emission.iter().enumerate() {
            if let Some(amount) = (pool as u128 * v as u128).checked_div(validator_sum) {
                self.pay_dividend(keys[uid], netuid, amount as Balance);
            }
        }
        // The subnet owner's cut, staked to the owner's hotkey.
        self.pay(owner_hotkey, owner_coldkey, netuid, owner_cut);
        let credited = self.paid_and_withheld(netuid) - paid_before;
        self.leave_unallocated(netuid, (pending_server + pending_validator + owner_cut).saturating_sub(credited));
        // Root stakers' alpha kept since the last epoch (dynamic subnets only).
        self.credit_root_dividends(netuid);
    }

    /// What epochs paid or withheld so far: TAO on stable subnets, alpha on dynamic
    /// ones (kept apart, in the economy's alpha ledger).
    fn paid_and_withheld(&self, netuid: NetUid) -> Balance {
        if self.is_dynamic(netuid) {
            let l = self.alpha_ledger();
            l.paid_out + l.withheld
        } else {
            self.supply.paid_out + self.supply.withheld
        }
    }

    /// Incentive aimed at the owner's hotkeys: burnt (TAO) or recycled (alpha).
    fn withhold(&mut self, netuid: NetUid, amount: Balance) {
        if self.is_dynamic(netuid) {
            self.alpha_ledger_mut().withheld += amount;
            self.recycle_alpha(netuid, amount);
        } else {
            self.supply.withheld += amount;
        }
    }

    /// Emission an epoch credited to no one.
    fn leave_unallocated(&mut self, netuid: NetUid, amount: Balance) {
        if self.is_dynamic(netuid) {
            self.alpha_ledger_mut().unallocated += amount;
            self.recycle_alpha(netuid, amount);
        } else {
            self.supply.unallocated += amount;
        }
    }

    /// Emission turned into stake.
    fn pay(&mut self, hotkey: AccountId, coldkey: AccountId, netuid: NetUid, amount: Balance) {
        if self.is_dynamic(netuid) {
            self.alpha_ledger_mut().paid_out += amount;
            self.credit_alpha(hotkey, coldkey, netuid, amount);
            return;
        }
        self.supply.paid_out += amount;
        self.add_stake_unchecked(hotkey, coldkey, netuid, amount);
    }

    /// A validator's dividend: its take goes to the hotkey's owner, the rest to every
    /// staker of the hotkey (owner included) in proportion to their stake.
    fn pay_dividend(&mut self, hotkey: AccountId, netuid: NetUid, amount: Balance) {
        if amount == 0 {
            return;
        }
        if self.is_dynamic(netuid) {
            // The hotkey's take, then its share pool (`economy::chain::credit_dividend`).
            self.alpha_ledger_mut().paid_out += amount;
            self.credit_dividend(hotkey, netuid, amount);
            return;
        }
        let owner = self.hotkey_owner(&hotkey).unwrap_or(hotkey);
        let take = share(amount, self.config.delegate_take);
        let rest = amount - take;
        let stakers: Vec<(AccountId, Balance)> =
            self.stake.iter().filter(|((h, _, n), s)| *h == hotkey && *n == netuid && **s > 0).map(|((_, c, _), s)| (*c, *s)).collect();
        let total: u128 = stakers.iter().map(|(_, s)| *s as u128).sum();
        let mut paid = 0;
        for (coldkey, s) in &stakers {
            let part = (rest as u128 * *s as u128).checked_div(total).unwrap_or(0) as Balance;
            paid += part;
            self.pay(hotkey, *coldkey, netuid, part);
        }
        // The take, plus what rounding (or an unstaked hotkey) left over.
        self.pay(hotkey, owner, netuid, take + rest - paid);
    }
}
