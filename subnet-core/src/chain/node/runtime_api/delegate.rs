//! `DelegateInfoRuntimeApi` (`pallets/subtensor/src/rpc_info/delegate_info.rs`).
//!
//! Subtensor makes a hotkey a delegate (`Delegates`, with the default take) the first
//! time a coldkey other than its owner stakes to it (`do_add_stake` →
//! `maybe_become_delegate`). The local chain keeps no `Delegates` map, so a delegate
//! here is a hotkey holding stake from a coldkey that does not own it, with the
//! chain's configured delegate take (Subtensor's default, 11_796). Modelled:
//! nominators (every staker, owner included, per subnet), registrations, permits,
//! daily return from the last epoch's emission (`emission × 7200 / tempo`, summed over
//! subnets). Constant: return per 1000 TAO is 0, as on Subtensor with no root stake
//! (it divides by the hotkey's root stake, and the local chain has no root network).

use std::collections::BTreeMap;

use codec::{Compact, Decode, Encode};
use scale_info::TypeInfo;
use substrate_fixed::types::U64F64;

use crate::chain::local::LocalChain;
use crate::chain::node::pallets::AccountId32;
use crate::chain::AccountId;

/// `(Compact<NetUid>, Compact<u64>)`: a stake on one subnet.
pub type SubnetStake = (Compact<u16>, Compact<u64>);

/// `DelegateInfo<AccountId>`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct DelegateInfo {
    pub delegate_ss58: AccountId32,
    pub take: Compact<u16>,
    pub nominators: Vec<(AccountId32, Vec<SubnetStake>)>,
    pub owner_ss58: AccountId32,
    pub registrations: Vec<Compact<u16>>,
    pub validator_permits: Vec<Compact<u16>>,
    pub return_per_1000: Compact<u64>,
    pub total_daily_return: Compact<u64>,
}

/// Blocks per day on Subtensor (12 s blocks), as `get_delegate_by_existing_account` uses.
const BLOCKS_PER_DAY: u64 = 7_200;

/// Hotkeys that are delegates under the local model, in key order.
fn delegate_hotkeys(chain: &LocalChain) -> Vec<AccountId> {
    let mut hotkeys: Vec<AccountId> = chain
        .stakes()
        .filter(|(hotkey, coldkey, _, amount)| *amount > 0 && chain.hotkey_owner(hotkey).is_some_and(|owner| owner != *coldkey))
        .map(|(hotkey, _, _, _)| hotkey)
        .collect();
    hotkeys.dedup();
    hotkeys
}

fn info(chain: &LocalChain, delegate: AccountId, skip_nominators: bool) -> DelegateInfo {
    let mut nominators: BTreeMap<[u8; 32], Vec<SubnetStake>> = BTreeMap::new();
    if !skip_nominators {
        let mut stakes: Vec<(AccountId, u16, u64)> =
            chain.stakes().filter(|(h, _, _, amount)| *h == delegate && *amount > 0).map(|(_, c, n, amount)| (c, n, amount)).collect();
        stakes.sort_by_key(|(coldkey, netuid, _)| (coldkey.0, *netuid));
        for (coldkey, netuid, amount) in stakes {
            nominators.entry(coldkey.0).or_default().push((Compact(netuid), Compact(amount)));
        }
    }
    let mut registrations = Vec::new();
    let mut validator_permits = Vec::new();
    // Chain: `emissions_per_day += emission * (7200 / tempo)` in U64F64.
    let mut daily = U64F64::from_num(0);
    for netuid in chain.netuids() {
        let Ok(s) = chain.subnet(netuid) else { continue };
        let Some(uid) = s.uid_of(&delegate) else { continue };
        registrations.push(Compact(netuid));
        if s.validator_permit.get(uid as usize).copied().unwrap_or(false) {
            validator_permits.push(Compact(netuid));
        }
        let emission = s.last_epoch.as_ref().and_then(|e| e.emission.get(uid as usize).copied()).unwrap_or(0);
        if s.hyper.tempo > 0 {
            let epochs_per_day = U64F64::from_num(BLOCKS_PER_DAY) / U64F64::from_num(s.hyper.tempo);
            daily = daily.saturating_add(U64F64::from_num(emission).saturating_mul(epochs_per_day));
        }
    }
    DelegateInfo {
        delegate_ss58: AccountId32(delegate.0),
        take: Compact(chain.config.delegate_take),
        nominators: nominators.into_iter().map(|(k, v)| (AccountId32(k), v)).collect(),
        owner_ss58: AccountId32(chain.hotkey_owner(&delegate).unwrap_or(delegate).0),
        registrations,
        validator_permits,
        return_per_1000: Compact(0),
        total_daily_return: Compact(daily.saturating_to_num::<u64>()),
    }
}

/// `get_delegates()`.
pub fn delegates(chain: &LocalChain) -> Vec<DelegateInfo> {
    delegate_hotkeys(chain).into_iter().map(|d| info(chain, d, false)).collect()
}

/// `get_delegate(hotkey)`: `None` unless it is a delegate.
pub fn delegate(chain: &LocalChain, hotkey: AccountId32) -> Option<DelegateInfo> {
    let hotkey = AccountId(hotkey.0);
    delegate_hotkeys(chain).contains(&hotkey).then(|| info(chain, hotkey, false))
}

/// `get_delegated(coldkey)`: each delegate the coldkey stakes to, once per subnet,
/// with that stake (nominators left out, as on the chain).
pub fn delegated(chain: &LocalChain, coldkey: AccountId32) -> Vec<(DelegateInfo, SubnetStake)> {
    let coldkey = AccountId(coldkey.0);
    let mut out = Vec::new();
    for delegate in delegate_hotkeys(chain) {
        let mut stakes: Vec<(u16, u64)> =
            chain.stakes().filter(|(h, c, _, amount)| *h == delegate && *c == coldkey && *amount > 0).map(|(_, _, n, a)| (n, a)).collect();
        stakes.sort_unstable();
        for (netuid, amount) in stakes {
            out.push((info(chain, delegate, true), (Compact(netuid), Compact(amount))));
        }
    }
    out
}
