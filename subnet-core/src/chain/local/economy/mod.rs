//! The dTAO economy of the local chain: dynamic subnets (`SubnetMechanism` 1) with a
//! pool each, stake held as alpha shares, TAO emission shared by moving price, the
//! delegate take, the root network's stake, and subnet registration at a lock cost
//! with pruning at the subnet limit.
//!
//! It is off unless [`EconomyConfig::dynamic_subnets`] is set: then every subnet
//! registered is dynamic. Otherwise subnets keep the stable 1:1 mechanism.

mod coinbase;
mod network;
mod pool;
mod stake;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use coinbase::{
    block_emission_for_issuance, root_proportion, shares_by_moving_price, split_alpha, subnet_terms, AlphaSplit, SubnetTerms, DEFAULT_BLOCK_EMISSION,
    TOTAL_SUPPLY,
};
pub use network::{largest_remainder, lock_cost, network_to_prune, PruneCandidate};
pub use pool::{BlockEmission, Pool, Swapped, DEFAULT_FEE_RATE, WEIGHT_ACCURACY};
pub use stake::{HotkeyAlpha, SharePools, Take};

use super::{map_as_seq, LocalChain};
use crate::chain::types::{AccountId, Balance, NetUid, Signer};
use crate::chain::ChainError;

mod chain;
mod lifecycle;

pub use lifecycle::Dissolved;

/// The economy's parameters, Subtensor's runtime defaults unless said otherwise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EconomyConfig {
    /// New subnets are dynamic (`SubnetMechanism` 1) with pools; off keeps the stable
    /// 1:1 model the rest of the suite expects.
    pub dynamic_subnets: bool,
    /// `DefaultBlockEmission`, rao per block before halvings.
    pub block_emission: Balance,
    /// `NetworkMinLockCost` (runtime: 1000 TAO); also the least TAO a new pool starts with.
    pub network_min_lock: Balance,
    /// `NetworkLockReductionInterval` (14 days of blocks).
    pub lock_reduction_interval: u64,
    /// `SubnetLimit` (128): registered subnets, root excluded.
    pub subnet_limit: u16,
    /// `NetworkImmunityPeriod` (1,296,000 blocks): a new subnet cannot be pruned.
    pub network_immunity_period: u64,
    /// `SubnetMovingAlpha` (0.000003).
    pub moving_alpha: f64,
    /// `EMAPriceHalvingBlocks` (201,600).
    pub ema_halving_blocks: u64,
    /// `TaoWeight` as a fraction (runtime: 971,718,665,099,567,868 / u64::MAX ≈ 0.0527).
    pub tao_weight: f64,
    /// `MinDelegateTake` (0).
    pub min_delegate_take: u16,
    /// `MaxDelegateTake` (= `DefaultDelegateTake`, 11,796: 18%).
    pub max_delegate_take: u16,
    /// `TxDelegateTakeRateLimit` (216,000 blocks) between a take increase and the next change.
    pub delegate_take_rate_limit: u64,
}

impl Default for EconomyConfig {
    fn default() -> Self {
        Self {
            dynamic_subnets: false,
            block_emission: DEFAULT_BLOCK_EMISSION,
            network_min_lock: 1_000_000_000_000,
            lock_reduction_interval: 14 * 7_200,
            subnet_limit: 128,
            network_immunity_period: 1_296_000,
            moving_alpha: 0.000_003,
            ema_halving_blocks: 201_600,
            tao_weight: 971_718_665_099_567_868f64 / u64::MAX as f64,
            min_delegate_take: 0,
            max_delegate_take: 11_796,
            delegate_take_rate_limit: 216_000,
        }
    }
}

/// The economy's state, kept inside [`LocalChain`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Economy {
    /// Dynamic subnets' pools by netuid.
    #[serde(with = "map_as_seq")]
    pools: BTreeMap<NetUid, Pool>,
    /// Alpha stake on dynamic subnets.
    stake: SharePools,
    /// Root (netuid 0) stake, TAO 1:1, by (hotkey, coldkey).
    #[serde(with = "map_as_seq")]
    root_stake: BTreeMap<(AccountId, AccountId), Balance>,
    /// Delegate takes set with `increase_take`/`decrease_take`, by hotkey.
    #[serde(with = "map_as_seq")]
    takes: BTreeMap<AccountId, Take>,
    /// `NetworkLastLockCost` and `NetworkLastRegistered`.
    last_lock: Balance,
    last_lock_block: u64,
    /// TAO minted by the coinbase so far.
    minted: Balance,
    /// Swap fees burnt (the local chain has no block author to pay them to).
    fees_burned: Balance,
    /// Alpha each (hotkey, coldkey) gained on a subnet at its last epoch.
    #[serde(with = "map_as_seq")]
    earnings: BTreeMap<NetUid, EpochEarnings>,
    /// Subnets pruned so far, in order: (netuid, block).
    pruned: Vec<(NetUid, u64)>,
    /// Where dynamic subnets' epoch alpha went.
    alpha_ledger: AlphaLedger,
}

/// What each (hotkey, coldkey) gained on a subnet at one epoch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct EpochEarnings {
    /// `SubnetEpochIndex` of the epoch.
    epoch: u64,
    #[serde(with = "map_as_seq")]
    by_staker: BTreeMap<(AccountId, AccountId), Balance>,
}

/// Where the alpha of dynamic subnets' epochs went (the alpha side of
/// [`Supply`](super::Supply)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlphaLedger {
    /// Credited as stake.
    pub paid_out: Balance,
    /// Incentive aimed at the owner's hotkeys, recycled.
    pub withheld: Balance,
    /// Credited to no one, recycled.
    pub unallocated: Balance,
}

impl LocalChain {
    /// Whether `netuid` is a dynamic subnet with a pool (`SubnetMechanism` 1).
    pub fn is_dynamic(&self, netuid: NetUid) -> bool {
        self.economy.pools.contains_key(&netuid)
    }

    /// The subnet's pool, if it is dynamic.
    pub fn pool(&self, netuid: NetUid) -> Option<&Pool> {
        self.economy.pools.get(&netuid)
    }

    /// Test and scenario set-up: overwrite a dynamic subnet's pool (the chain's tests
    /// write `SubnetTAO`, `SubnetAlphaIn`, `SubnetMovingPrice` directly the same way).
    #[doc(hidden)]
    pub fn set_pool(&mut self, netuid: NetUid, pool: Pool) -> Result<(), ChainError> {
        self.subnet(netuid)?;
        self.economy.pools.insert(netuid, pool);
        Ok(())
    }

    /// The spot price of alpha on `netuid`, TAO per alpha: 1 on a stable subnet.
    pub fn alpha_price(&self, netuid: NetUid) -> f64 {
        self.pool(netuid).map_or(1.0, Pool::price)
    }

    /// The moving price (`get_moving_alpha_price`): 1 on a stable subnet.
    pub fn moving_price(&self, netuid: NetUid) -> f64 {
        self.pool(netuid).map_or(1.0, |p| p.moving_price)
    }

    /// TAO minted by the coinbase so far (dynamic subnets).
    pub fn tao_minted(&self) -> Balance {
        self.economy.minted
    }

    /// Swap fees burnt so far (the chain pays them to the block author).
    pub fn swap_fees_burned(&self) -> Balance {
        self.economy.fees_burned
    }

    /// Total issuance as the block emission sees it: endowed and minted, less burned.
    pub fn total_issuance(&self) -> Balance {
        (self.supply.endowed + self.economy.minted).saturating_sub(self.supply.burned)
    }

    /// TAO held in pools and root stake: with free balances and stable stake, the
    /// whole issuance (see [`LocalChain::circulating`]).
    pub fn tao_in_pools(&self) -> Balance {
        self.economy.pools.values().map(|p| p.tao).sum::<Balance>() + self.root_tao()
    }

    /// `SubnetTAO` of root: all TAO staked on netuid 0.
    pub fn root_tao(&self) -> Balance {
        self.economy.root_stake.values().sum()
    }

    /// Where dynamic subnets' epoch alpha went.
    pub fn alpha_ledger(&self) -> AlphaLedger {
        self.economy.alpha_ledger
    }

    pub(in crate::chain::local) fn alpha_ledger_mut(&mut self) -> &mut AlphaLedger {
        &mut self.economy.alpha_ledger
    }

    /// Subnets pruned so far, `(netuid, block)` in order.
    pub fn pruned_subnets(&self) -> &[(NetUid, u64)] {
        &self.economy.pruned
    }

    /// The alpha `coldkey` gained through `hotkey` on `netuid` at the subnet's last
    /// epoch: incentive, dividends after the take, the take itself, owner cut and
    /// root dividends, whichever it earned.
    pub fn epoch_earnings(&self, hotkey: &AccountId, coldkey: &AccountId, netuid: NetUid) -> Balance {
        self.economy.earnings.get(&netuid).and_then(|e| e.by_staker.get(&(*hotkey, *coldkey))).copied().unwrap_or(0)
    }

    /// The hotkey's delegate take (`Delegates`; `DefaultDelegateTake` until set).
    pub fn delegate_take(&self, hotkey: &AccountId) -> u16 {
        self.economy.takes.get(hotkey).map_or(self.config.delegate_take, |t| t.take)
    }

    /// `increase_take` (`do_increase_take`): the hotkey's owner raises its take, at most
    /// to `MaxDelegateTake`, once per `TxDelegateTakeRateLimit` blocks.
    pub fn increase_take(&mut self, coldkey: &dyn Signer, hotkey: AccountId, take: u16) -> Result<(), ChainError> {
        self.ensure_hotkey_owner(coldkey, &hotkey)?;
        let current = self.delegate_take(&hotkey);
        if take <= current {
            return Err(ChainError::DelegateTakeTooLow);
        }
        if take > self.config.economy.max_delegate_take {
            return Err(ChainError::DelegateTakeTooHigh);
        }
        let last = self.economy.takes.get(&hotkey).map_or(0, |t| t.last_change);
        let limit = self.config.economy.delegate_take_rate_limit;
        if last != 0 && self.block.saturating_sub(last) <= limit {
            return Err(ChainError::DelegateTxRateLimitExceeded);
        }
        self.economy.takes.insert(hotkey, Take { take, last_change: self.block });
        Ok(())
    }

    /// `decrease_take` (`do_decrease_take`): the hotkey's owner lowers its take, not below
    /// `MinDelegateTake`; not rate-limited itself, it starts the increase's rate limit.
    pub fn decrease_take(&mut self, coldkey: &dyn Signer, hotkey: AccountId, take: u16) -> Result<(), ChainError> {
        self.ensure_hotkey_owner(coldkey, &hotkey)?;
        // The chain answers `DelegateTakeTooLow` both for "not a decrease" and "below min".
        if take >= self.delegate_take(&hotkey) || take < self.config.economy.min_delegate_take {
            return Err(ChainError::DelegateTakeTooLow);
        }
        self.economy.takes.insert(hotkey, Take { take, last_change: self.block });
        Ok(())
    }

    fn ensure_hotkey_owner(&self, coldkey: &dyn Signer, hotkey: &AccountId) -> Result<(), ChainError> {
        match self.hotkey_owner(hotkey) {
            None => Err(ChainError::HotKeyAccountNotExists),
            Some(owner) if owner != coldkey.account_id() => Err(ChainError::NonAssociatedColdKey),
            Some(_) => Ok(()),
        }
    }
}
