//! Registering and dissolving dynamic subnets (`subnets/subnet.rs:
//! do_register_network`, `coinbase/root.rs: do_dissolve_network`,
//! `staking/remove_stake.rs: destroy_alpha_in_out_stakes`).

use super::network::{largest_remainder, lock_cost, network_to_prune, PruneCandidate};
use super::LocalChain;
use crate::chain::types::{AccountId, Balance, NetUid};
use crate::chain::ChainError;

/// What dissolving a subnet paid out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dissolved {
    /// The subnet.
    pub netuid: NetUid,
    /// TAO in the pool, distributed.
    pub pot: Balance,
    /// TAO each coldkey received, by (hotkey, coldkey).
    pub paid: Vec<(AccountId, AccountId, Balance)>,
    /// The protocol's part of the pot (alpha in the pool and bought by the protocol),
    /// recycled.
    pub recycled: Balance,
}

impl LocalChain {
    /// The TAO `register_network` locks now (`get_network_lock_cost`).
    pub fn network_lock_cost(&self) -> Balance {
        if !self.config.economy.dynamic_subnets {
            return self.config.network_lock_cost;
        }
        let e = &self.config.economy;
        lock_cost(self.economy.last_lock, self.economy.last_lock_block, self.block, e.network_min_lock, e.lock_reduction_interval)
    }

    /// The subnet a registration at the limit would prune now (`get_network_to_prune`).
    pub fn network_to_prune(&self) -> Option<NetUid> {
        let candidates: Vec<PruneCandidate> = self
            .subnets
            .iter()
            .map(|(n, s)| PruneCandidate { netuid: *n, registered_at: s.registered_at_block, moving_price: self.moving_price(*n) })
            .collect();
        network_to_prune(&candidates, self.block, self.config.economy.network_immunity_period)
    }

    /// `do_register_network`'s checks and payment on a dynamic chain: at the subnet
    /// limit the subnet to prune is chosen first (`SubnetLimitReached` if none), the
    /// lock cost checked (`CannotAffordLockCost`), then the pruned subnet dissolved.
    /// Returns the locked amount and the netuid to reuse, if one was pruned.
    pub(in crate::chain::local) fn prepare_dynamic_registration(&mut self, coldkey: AccountId) -> Result<(Balance, Option<NetUid>), ChainError> {
        let limit = self.config.economy.subnet_limit as usize;
        let prune = if self.subnets.len() >= limit { Some(self.network_to_prune().ok_or(ChainError::SubnetLimitReached)?) } else { None };
        let lock = self.network_lock_cost();
        if self.balance(&coldkey) < lock {
            return Err(ChainError::CannotAffordLockCost);
        }
        if let Some(netuid) = prune {
            self.dissolve_network(netuid)?;
        }
        self.withdraw(&coldkey, lock)?;
        self.economy.last_lock = lock;
        self.economy.last_lock_block = self.block;
        Ok((lock, prune))
    }

    /// `do_dissolve_network` for a dynamic subnet (`destroy_alpha_in_out_stakes`): the
    /// pool's TAO is paid to every staker's coldkey pro rata by the alpha value of its
    /// stake, the protocol's alpha (in the pool and bought) counting as one more
    /// holder whose part is recycled; then stakes, pool and subnet are removed. The
    /// lock is not refunded (registered after `NetworkRegistrationStartBlock`).
    pub fn dissolve_network(&mut self, netuid: NetUid) -> Result<Dissolved, ChainError> {
        self.subnet(netuid)?;
        let pool = self.economy.pools.remove(&netuid).ok_or(ChainError::SubnetNotExists)?;
        let stakers: Vec<(AccountId, AccountId, Balance)> =
            self.economy.stake.positions().filter(|(_, _, n, v)| *n == netuid && *v > 0).map(|(h, c, _, v)| (h, c, v)).collect();
        let protocol = pool.alpha_in + pool.protocol_alpha;
        let mut weights: Vec<u128> = stakers.iter().map(|(_, _, v)| *v as u128).collect();
        weights.push(protocol as u128);
        let parts = largest_remainder(pool.tao, &weights);
        let mut paid = Vec::new();
        for ((hotkey, coldkey, _), part) in stakers.iter().zip(&parts) {
            if *part > 0 {
                *self.balances.entry(*coldkey).or_default() += part;
                paid.push((*hotkey, *coldkey, *part));
            }
        }
        let recycled = parts.last().copied().unwrap_or(0);
        self.supply.burned += recycled;
        self.economy.stake.clear_subnet(netuid);
        self.economy.earnings.remove(&netuid);
        self.subnets.remove(&netuid);
        self.economy.pruned.push((netuid, self.block));
        Ok(Dissolved { netuid, pot: pool.tao, paid, recycled })
    }
}
