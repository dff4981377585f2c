//! Alpha stake as shares of a hotkey's pool (`TotalHotkeyAlpha`, `TotalHotkeyShares`,
//! `Alpha`; `pallets/subtensor/src/staking/stake_utils.rs` over `share_pool`), and the
//! delegate take (`staking/increase_take.rs`, `decrease_take.rs`).
//!
//! A hotkey holds alpha on a subnet; its stakers hold shares of it. Emission credited
//! to the hotkey grows the alpha behind the same shares, so every staker gains pro
//! rata without being touched. Shares here are integers (the chain keeps `U64F64`);
//! a staker's value is `shares · hotkey_alpha / total_shares`, rounded down.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::chain::local::map_as_seq;
use crate::chain::types::{AccountId, Balance, NetUid};

/// One hotkey's alpha on one subnet and the shares it is divided into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotkeyAlpha {
    /// `TotalHotkeyAlpha`.
    pub alpha: Balance,
    /// `TotalHotkeyShares`.
    pub shares: u128,
}

/// Every hotkey's share pool and every staker's shares.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SharePools {
    #[serde(with = "map_as_seq")]
    hotkeys: BTreeMap<(AccountId, NetUid), HotkeyAlpha>,
    /// `(hotkey, coldkey, netuid)` -> shares (`Alpha`).
    #[serde(with = "map_as_seq")]
    shares: BTreeMap<(AccountId, AccountId, NetUid), u128>,
}

impl SharePools {
    /// `TotalHotkeyAlpha` of `hotkey` on `netuid`.
    pub fn hotkey_alpha(&self, hotkey: &AccountId, netuid: NetUid) -> Balance {
        self.hotkeys.get(&(*hotkey, netuid)).map_or(0, |h| h.alpha)
    }

    /// The alpha `coldkey`'s shares in `hotkey`'s pool are worth.
    pub fn value(&self, hotkey: &AccountId, coldkey: &AccountId, netuid: NetUid) -> Balance {
        let shares = self.shares.get(&(*hotkey, *coldkey, netuid)).copied().unwrap_or(0);
        match self.hotkeys.get(&(*hotkey, netuid)) {
            Some(h) if h.shares > 0 => (shares * h.alpha as u128 / h.shares) as Balance,
            _ => 0,
        }
    }

    /// Stake `alpha` for `coldkey` on `hotkey` (`increase_stake_for_hotkey_and_coldkey_on_subnet`):
    /// new shares at the pool's current value per share.
    pub fn stake(&mut self, hotkey: AccountId, coldkey: AccountId, netuid: NetUid, alpha: Balance) {
        if alpha == 0 {
            return;
        }
        let pool = self.hotkeys.entry((hotkey, netuid)).or_default();
        let new_shares = if pool.shares == 0 || pool.alpha == 0 {
            // An empty pool (or one whose alpha was all taken) restarts at 1 share per rao.
            pool.shares = 0;
            alpha as u128
        } else {
            alpha as u128 * pool.shares / pool.alpha as u128
        };
        pool.alpha += alpha;
        pool.shares += new_shares;
        *self.shares.entry((hotkey, coldkey, netuid)).or_default() += new_shares;
    }

    /// Unstake `alpha` of `coldkey`'s value (`decrease_stake_for_hotkey_and_coldkey_on_subnet`);
    /// the whole position when `alpha` is its value. Returns the alpha removed.
    pub fn unstake(&mut self, hotkey: AccountId, coldkey: AccountId, netuid: NetUid, alpha: Balance) -> Balance {
        let key = (hotkey, coldkey, netuid);
        let value = self.value(&hotkey, &coldkey, netuid);
        let alpha = alpha.min(value);
        let Some(pool) = self.hotkeys.get_mut(&(hotkey, netuid)) else { return 0 };
        let held = self.shares.get(&key).copied().unwrap_or(0);
        let burnt = if alpha == value { held } else { (alpha as u128 * pool.shares).div_ceil(pool.alpha as u128).min(held) };
        pool.alpha -= alpha;
        pool.shares -= burnt;
        if held == burnt {
            self.shares.remove(&key);
        } else {
            self.shares.insert(key, held - burnt);
        }
        if pool.shares == 0 {
            // The last staker left: what rounding kept in the pool leaves with them.
            let rest = pool.alpha;
            self.hotkeys.remove(&(hotkey, netuid));
            return alpha + rest;
        }
        alpha
    }

    /// Credit `alpha` to the hotkey's pool (`increase_stake_for_hotkey_on_subnet`): every
    /// share is worth more. With no shares yet, the alpha is staked to `owner`.
    pub fn credit_hotkey(&mut self, hotkey: AccountId, owner: AccountId, netuid: NetUid, alpha: Balance) {
        match self.hotkeys.get_mut(&(hotkey, netuid)) {
            Some(pool) if pool.shares > 0 => pool.alpha += alpha,
            _ => self.stake(hotkey, owner, netuid, alpha),
        }
    }

    /// Every staker of `hotkey` on `netuid` with the alpha their shares are worth.
    pub fn stakers(&self, hotkey: &AccountId, netuid: NetUid) -> Vec<(AccountId, Balance)> {
        self.shares
            .range((*hotkey, AccountId([0; 32]), 0)..=(*hotkey, AccountId([0xff; 32]), NetUid::MAX))
            .filter(|((_, _, n), _)| *n == netuid)
            .map(|((_, c, _), _)| (*c, self.value(hotkey, c, netuid)))
            .collect()
    }

    /// Every position `(hotkey, coldkey, netuid, alpha value)`, in key order.
    pub fn positions(&self) -> impl Iterator<Item = (AccountId, AccountId, NetUid, Balance)> + '_ {
        self.shares.keys().map(|(h, c, n)| (*h, *c, *n, self.value(h, c, *n)))
    }

    /// Drop every pool and position on `netuid` (`destroy_alpha_in_out_stakes` 7.a, 7.b).
    pub fn clear_subnet(&mut self, netuid: NetUid) {
        self.hotkeys.retain(|(_, n), _| *n != netuid);
        self.shares.retain(|(_, _, n), _| *n != netuid);
    }
}

/// A delegate's take and when it last rose (`Delegates`, `LastTxBlockDelegateTake`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Take {
    /// u16 proportion of dividends the hotkey keeps before its stakers share.
    pub take: u16,
    /// Block of the last change (0: never changed).
    pub last_change: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emission_credited_to_a_hotkey_is_shared_pro_rata() {
        let (h, a, b) = (AccountId([1; 32]), AccountId([2; 32]), AccountId([3; 32]));
        let mut p = SharePools::default();
        p.stake(h, a, 1, 300);
        p.stake(h, b, 1, 100);
        p.credit_hotkey(h, a, 1, 400);
        assert_eq!((p.value(&h, &a, 1), p.value(&h, &b, 1)), (600, 200));
        // A late staker buys in at the new value per share and gains nothing old.
        p.stake(h, b, 1, 200);
        assert_eq!(p.value(&h, &b, 1), 400);
        assert_eq!(p.unstake(h, a, 1, 600), 600);
        assert_eq!(p.hotkey_alpha(&h, 1), 400);
        assert_eq!(p.unstake(h, b, 1, 400), 400);
        assert_eq!(p.hotkey_alpha(&h, 1), 0);
    }
}
