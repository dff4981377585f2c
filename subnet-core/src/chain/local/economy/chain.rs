//! The economy's calls and block step on [`LocalChain`]: staking through the pool
//! (`staking/{add_stake,remove_stake}.rs`, `stake_utils.rs`), root stake, the coinbase
//! (`run_coinbase.rs`, `block_step.rs`), and crediting an epoch's emission as alpha.

use std::collections::BTreeMap;

use super::coinbase::{block_emission_for_issuance, root_proportion, shares_by_moving_price, split_alpha, subnet_terms};
use super::{BlockEmission, LocalChain, Pool};
use crate::chain::types::{AccountId, Balance, NetUid};
use crate::chain::ChainError;

/// A limit price in rao per alpha as the pool's TAO-per-alpha price.
fn limit_as_price(limit_price: Balance) -> f64 {
    limit_price as f64 / 1e9
}

impl LocalChain {
    /// `stake_into_subnet`: `tao` leaves the coldkey, buys alpha in the pool, and the
    /// alpha is staked to `hotkey` for `coldkey`. The fee is burnt (no block author).
    pub(in crate::chain::local) fn stake_dynamic(
        &mut self,
        hotkey: AccountId,
        coldkey: AccountId,
        netuid: NetUid,
        tao: Balance,
    ) -> Result<Balance, ChainError> {
        let pool = self.economy.pools.get(&netuid).ok_or(ChainError::SubnetNotExists)?;
        let quote = pool.quote_buy(tao, false)?;
        if quote.paid_out == 0 {
            return Err(ChainError::AmountTooLow);
        }
        self.withdraw(&coldkey, tao)?;
        let pool = self.economy.pools.get_mut(&netuid).expect("checked above");
        let done = pool.buy(tao, false)?;
        self.economy.fees_burned += done.fee;
        self.supply.burned += done.fee;
        self.economy.stake.stake(hotkey, coldkey, netuid, done.paid_out);
        Ok(done.paid_out)
    }

    /// `unstake_from_subnet`: `alpha` of the coldkey's stake is sold in the pool and the
    /// TAO credited to it. The alpha fee is burnt (no block author). Returns the TAO.
    pub(in crate::chain::local) fn unstake_dynamic(
        &mut self,
        hotkey: AccountId,
        coldkey: AccountId,
        netuid: NetUid,
        alpha: Balance,
    ) -> Result<Balance, ChainError> {
        let held = self.economy.stake.value(&hotkey, &coldkey, netuid);
        if held < alpha {
            return Err(ChainError::NotEnoughStakeToWithdraw);
        }
        let pool = self.economy.pools.get(&netuid).ok_or(ChainError::SubnetNotExists)?;
        pool.quote_sell(alpha, false)?;
        let removed = self.economy.stake.unstake(hotkey, coldkey, netuid, alpha);
        let pool = self.economy.pools.get_mut(&netuid).expect("checked above");
        // What rounding left behind when the last staker leaves is sold with it.
        let done = match pool.sell(removed, false) {
            Ok(done) => done,
            Err(e) => {
                // The dust made the sale too large for the pool: the stake stays.
                self.economy.stake.stake(hotkey, coldkey, netuid, removed);
                return Err(e);
            }
        };
        // The chain swaps the alpha fee for the block author; with none, it burns it
        // (`burn_subnet_alpha`), which `Pool::sell` did.
        *self.balances.entry(coldkey).or_default() += done.paid_out;
        Ok(done.paid_out)
    }

    /// `remove_stake`'s alpha amount checks on a dynamic subnet
    /// (`validate_remove_stake`): the TAO it would fetch must reach the minimum stake.
    pub(in crate::chain::local) fn check_unstake_amount(&self, netuid: NetUid, alpha: Balance) -> Result<(), ChainError> {
        if let Some(pool) = self.economy.pools.get(&netuid) {
            let tao = pool.quote_sell(alpha, false)?.paid_out;
            if tao < self.config.min_stake {
                return Err(ChainError::AmountTooLow);
            }
        }
        Ok(())
    }

    /// `get_max_amount_add` on a dynamic subnet: TAO an add at `limit_price` may spend.
    pub(in crate::chain::local) fn max_amount_add(&self, netuid: NetUid, limit_price: Balance) -> Option<Balance> {
        self.economy.pools.get(&netuid).map(|p| p.max_tao_in(limit_as_price(limit_price)))
    }

    /// `get_max_amount_remove` on a dynamic subnet: alpha a remove at `limit_price` may sell.
    pub(in crate::chain::local) fn max_amount_remove(&self, netuid: NetUid, limit_price: Balance) -> Option<Balance> {
        self.economy.pools.get(&netuid).map(|p| p.max_alpha_in(limit_as_price(limit_price)))
    }

    /// Alpha stake of `hotkey` on a dynamic subnet (`TotalHotkeyAlpha`).
    pub(in crate::chain::local) fn dynamic_hotkey_stake(&self, hotkey: &AccountId, netuid: NetUid) -> Balance {
        self.economy.stake.hotkey_alpha(hotkey, netuid)
    }

    /// Alpha `coldkey` holds on `hotkey` on a dynamic subnet.
    pub(in crate::chain::local) fn dynamic_stake_of(&self, hotkey: &AccountId, coldkey: &AccountId, netuid: NetUid) -> Balance {
        self.economy.stake.value(hotkey, coldkey, netuid)
    }

    /// Every alpha position on dynamic subnets.
    pub(in crate::chain::local) fn dynamic_positions(&self) -> Vec<(AccountId, AccountId, NetUid, Balance)> {
        self.economy.stake.positions().collect()
    }

    /// Every staker of `hotkey` on dynamic `netuid` with their alpha.
    pub fn stakers_of(&self, hotkey: &AccountId, netuid: NetUid) -> Vec<(AccountId, Balance)> {
        self.economy.stake.stakers(hotkey, netuid)
    }

    // ------------------------------------------------------------ root

    /// `add_stake` on root (netuid 0): TAO staked 1:1 on a hotkey; it weighs in every
    /// subnet's root proportion. (Root stake earns root alpha dividends, see
    /// `credit_root_dividends`.)
    pub fn add_root_stake(&mut self, coldkey: &dyn crate::chain::types::Signer, hotkey: AccountId, tao: Balance) -> Result<(), ChainError> {
        let coldkey = coldkey.account_id();
        if tao < self.config.min_stake {
            return Err(ChainError::AmountTooLow);
        }
        if !self.hotkey_owner.contains_key(&hotkey) {
            return Err(ChainError::HotKeyAccountNotExists);
        }
        self.withdraw(&coldkey, tao)?;
        *self.economy.root_stake.entry((hotkey, coldkey)).or_default() += tao;
        Ok(())
    }

    /// `remove_stake` on root: TAO back to the coldkey 1:1.
    pub fn remove_root_stake(&mut self, coldkey: &dyn crate::chain::types::Signer, hotkey: AccountId, tao: Balance) -> Result<(), ChainError> {
        let coldkey = coldkey.account_id();
        let held = self.economy.root_stake.get(&(hotkey, coldkey)).copied().unwrap_or(0);
        if tao == 0 {
            return Err(ChainError::AmountTooLow);
        }
        if held < tao {
            return Err(ChainError::NotEnoughStakeToWithdraw);
        }
        if held == tao {
            self.economy.root_stake.remove(&(hotkey, coldkey));
        } else {
            self.economy.root_stake.insert((hotkey, coldkey), held - tao);
        }
        *self.balances.entry(coldkey).or_default() += tao;
        Ok(())
    }

    /// Root stake `coldkey` holds on `hotkey`.
    pub fn root_stake_of(&self, hotkey: &AccountId, coldkey: &AccountId) -> Balance {
        self.economy.root_stake.get(&(*hotkey, *coldkey)).copied().unwrap_or(0)
    }

    // ------------------------------------------------------------ coinbase

    /// Subnets the coinbase emits to (`get_subnets_to_emit_to`): dynamic, started, with
    /// registration allowed.
    fn dynamic_subnets_to_emit_to(&self) -> Vec<NetUid> {
        let block = self.block;
        self.subnets
            .iter()
            .filter(|(n, s)| self.is_dynamic(**n) && s.first_emission_block.is_some_and(|f| block >= f) && s.hyper.registration_allowed)
            .map(|(n, _)| *n)
            .collect()
    }

    /// The coinbase of one block for dynamic subnets (`block_step` steps 2, 4, 5):
    /// mint the block emission, share it by moving price, inject TAO and alpha into
    /// each pool (excess TAO buys alpha for the protocol), emit alpha to the subnet's
    /// pending owner cut / miners / validators / root, then update moving prices.
    pub(in crate::chain::local) fn run_dynamic_coinbase(&mut self) {
        if self.economy.pools.is_empty() {
            return;
        }
        let block_emission = block_emission_for_issuance(self.total_issuance(), self.config.economy.block_emission);
        self.run_coinbase(block_emission);
        self.update_moving_prices();
    }

    /// `run_coinbase(block_emission)` alone, as Subtensor's tests call it: `emission`
    /// rao minted and shared among the dynamic subnets that emit, by moving price.
    #[doc(hidden)]
    pub fn run_coinbase(&mut self, block_emission: Balance) {
        let emit_to = self.dynamic_subnets_to_emit_to();
        for pool in self.economy.pools.values_mut() {
            pool.last_emission = BlockEmission::default();
        }
        if emit_to.is_empty() {
            return;
        }
        let prices: Vec<f64> = emit_to.iter().map(|n| self.moving_price(*n)).collect();
        let shares = shares_by_moving_price(&prices);
        let root_tao = self.root_tao();
        let (tao_weight, owner_cut) = (self.config.economy.tao_weight, self.config.owner_cut);
        // `get_network_root_sell_flag`: root alpha is kept for root stakers only while
        // the moving prices sum above 1; otherwise it is recycled.
        let root_sell = prices.iter().sum::<f64>() > 1.0;
        let mut minted = 0;
        for (netuid, share) in emit_to.iter().zip(shares) {
            let pool = self.economy.pools.get_mut(netuid).expect("emit_to lists pools");
            let tao_emission = block_emission as f64 * share;
            let alpha_emission = block_emission_for_issuance(pool.alpha_issuance(), self.config.economy.block_emission);
            let root_prop = root_proportion(root_tao, tao_weight, pool.alpha_issuance());
            let terms = subnet_terms(tao_emission, alpha_emission, pool.price(), root_prop);
            // `inject_and_maybe_swap`: the excess buys alpha (no fee) held by the protocol.
            let mut excess = 0;
            if terms.excess_tao > 0 {
                if let Ok(bought) = pool.buy(terms.excess_tao, true) {
                    pool.alpha_out -= bought.paid_out; // protocol alpha is not staked
                    pool.protocol_alpha += bought.paid_out;
                    excess = bought.paid_in;
                }
            }
            let (tao_in, alpha_in) = pool.inject(terms.tao_in, terms.alpha_in);
            // Alpha out is minted outstanding, then split.
            pool.alpha_out += terms.alpha_out;
            let split = split_alpha(terms.alpha_out, owner_cut, root_prop);
            if root_sell {
                pool.pending_root_alpha += split.root;
            } else {
                // `recycle_subnet_alpha`: the root part leaves the outstanding alpha.
                pool.alpha_out -= split.root;
            }
            pool.last_emission = BlockEmission { share, tao_in, alpha_in, alpha_out: terms.alpha_out, excess_tao: excess };
            minted += tao_in + excess;
            if let Some(s) = self.subnets.get_mut(netuid) {
                s.pending_owner_cut += split.owner_cut;
                s.pending_server += split.server;
                s.pending_validator += split.validator;
            }
        }
        self.economy.minted += minted;
    }

    /// `update_moving_prices`, after the emission used them: every emitting dynamic
    /// subnet's moving price steps toward its spot price.
    #[doc(hidden)]
    pub fn update_moving_prices(&mut self) {
        let emit_to = self.dynamic_subnets_to_emit_to();
        let (moving_alpha, halving) = (self.config.economy.moving_alpha, self.config.economy.ema_halving_blocks);
        for netuid in &emit_to {
            let start = self.subnets[netuid].first_emission_block.unwrap_or(0).saturating_sub(1);
            let since = self.block.saturating_sub(start);
            if let Some(pool) = self.economy.pools.get_mut(netuid) {
                pool.update_moving_price(moving_alpha, halving, since);
            }
        }
    }

    // ------------------------------------------------------------ epoch payouts

    fn earnings_at(&mut self, netuid: NetUid) -> &mut BTreeMap<(AccountId, AccountId), Balance> {
        let epoch = self.subnets.get(&netuid).map_or(0, |s| s.epoch_index);
        let entry = self.economy.earnings.entry(netuid).or_insert_with(|| super::EpochEarnings { epoch, ..Default::default() });
        if entry.epoch != epoch {
            *entry = super::EpochEarnings { epoch, ..Default::default() };
        }
        &mut entry.by_staker
    }

    /// Alpha earned by `hotkey` for `coldkey` staked as theirs (incentive, owner cut).
    pub(in crate::chain::local) fn credit_alpha(&mut self, hotkey: AccountId, coldkey: AccountId, netuid: NetUid, alpha: Balance) {
        if alpha == 0 {
            return;
        }
        self.economy.stake.stake(hotkey, coldkey, netuid, alpha);
        *self.earnings_at(netuid).entry((hotkey, coldkey)).or_default() += alpha;
    }

    /// A validator's dividend in alpha (`distribute_dividends_and_incentives`): the take
    /// is staked to the hotkey's owner, the rest credited to the hotkey's pool, shared
    /// by its stakers pro rata. Each staker's gain is recorded for [`LocalChain::epoch_earnings`].
    pub(in crate::chain::local) fn credit_dividend(&mut self, hotkey: AccountId, netuid: NetUid, alpha: Balance) {
        if alpha == 0 {
            return;
        }
        let owner = self.hotkey_owner(&hotkey).unwrap_or(hotkey);
        let take = (alpha as u128 * self.delegate_take(&hotkey) as u128 / u16::MAX as u128) as Balance;
        let before = self.economy.stake.stakers(&hotkey, netuid);
        self.economy.stake.credit_hotkey(hotkey, owner, netuid, alpha - take);
        let after = self.economy.stake.stakers(&hotkey, netuid);
        let before: BTreeMap<AccountId, Balance> = before.into_iter().collect();
        let gains: Vec<(AccountId, Balance)> = after.into_iter().map(|(c, v)| (c, v.saturating_sub(before.get(&c).copied().unwrap_or(0)))).collect();
        let earnings = self.earnings_at(netuid);
        for (coldkey, gain) in gains {
            *earnings.entry((hotkey, coldkey)).or_default() += gain;
        }
        self.credit_alpha(hotkey, owner, netuid, take);
    }

    /// The root stakers' alpha kept since the last epoch (`PendingRootAlphaDivs`),
    /// credited at the subnet's epoch. Simplified: the chain distributes it by each
    /// root validator's dividends and lets stakers claim it (`claim_root`); here it is
    /// staked on the subnet to each root (hotkey, coldkey) pro rata by root stake.
    pub(in crate::chain::local) fn credit_root_dividends(&mut self, netuid: NetUid) -> Balance {
        let Some(pool) = self.economy.pools.get_mut(&netuid) else { return 0 };
        let pot = std::mem::take(&mut pool.pending_root_alpha);
        let stakers: Vec<((AccountId, AccountId), Balance)> = self.economy.root_stake.iter().map(|(k, v)| (*k, *v)).collect();
        let parts = super::largest_remainder(pot, &stakers.iter().map(|(_, v)| *v as u128).collect::<Vec<_>>());
        let mut paid = 0;
        for (((hotkey, coldkey), _), part) in stakers.into_iter().zip(parts) {
            self.credit_alpha(hotkey, coldkey, netuid, part);
            paid += part;
        }
        if paid < pot {
            // No root stake: the alpha is recycled.
            if let Some(pool) = self.economy.pools.get_mut(&netuid) {
                pool.alpha_out = pool.alpha_out.saturating_sub(pot - paid);
            }
        }
        paid
    }

    /// Alpha an epoch left unallocated (rounding, burnt owner incentive) leaves the
    /// outstanding alpha, as the chain never mints it to anyone.
    pub(in crate::chain::local) fn recycle_alpha(&mut self, netuid: NetUid, alpha: Balance) {
        if let Some(pool) = self.economy.pools.get_mut(&netuid) {
            pool.alpha_out = pool.alpha_out.saturating_sub(alpha);
        }
    }

    /// A dynamic subnet's pool seeded at registration (`do_register_network`): the
    /// lock stays in the pool (at least `NetworkMinLockCost`), alpha in at the median
    /// price of the other dynamic subnets (1 when there are none).
    pub(in crate::chain::local) fn seed_pool(&mut self, netuid: NetUid, locked: Balance) {
        let pool_tao = locked.max(self.config.economy.network_min_lock);
        let median = self.median_alpha_price();
        let mut pool = Pool::new(pool_tao, (pool_tao as f64 / median).floor() as Balance);
        pool.locked = locked;
        self.economy.pools.insert(netuid, pool);
    }

    /// `get_median_subnet_alpha_price`: over subnets with a price above 0; the mean of
    /// the middle two for an even count; 1 when there are none.
    fn median_alpha_price(&self) -> f64 {
        let mut prices: Vec<f64> = self.economy.pools.values().map(Pool::price).filter(|p| *p > 0.0).collect();
        if prices.is_empty() {
            return 1.0;
        }
        prices.sort_by(f64::total_cmp);
        let n = prices.len();
        if n % 2 == 1 {
            prices[n / 2]
        } else {
            (prices[n / 2 - 1] + prices[n / 2]) / 2.0
        }
    }
}
