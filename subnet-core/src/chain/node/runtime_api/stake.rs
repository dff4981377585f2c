//! `StakeInfoRuntimeApi` (`pallets/subtensor/src/rpc_info/stake_info.rs`, locks in
//! `staking/lock.rs`): who holds what stake where.
//!
//! Modelled: every stake entry (hotkey, coldkey, netuid, amount; alpha = TAO 1:1) and
//! whether the hotkey holds a UID on that subnet. Constants: stake `emission` 0 (the
//! chain's `AlphaDividendsPerSubnet`, which the local chain does not keep), TAO
//! emission 0 (removed on Subtensor too), `locked` and `drain` 0 (as Subtensor
//! reports them); no locks or conviction (no lock calls locally): nothing locked,
//! everything available, `get_coldkey_lock` and the most convicted hotkey `None`,
//! conviction 0; the stake fee is 0 (no swap, no fee).

use codec::{Compact, Decode, Encode};
use std::collections::BTreeMap;

use scale_info::{Type, TypeInfo};

use super::types::U64F64;
use crate::chain::local::LocalChain;
use crate::chain::node::pallets::AccountId32;
use crate::chain::AccountId;

/// `StakeInfo<AccountId>`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct StakeInfo {
    pub hotkey: AccountId32,
    pub coldkey: AccountId32,
    pub netuid: Compact<u16>,
    pub stake: Compact<u64>,
    pub locked: Compact<u64>,
    pub emission: Compact<u64>,
    pub tao_emission: Compact<u64>,
    pub drain: Compact<u64>,
    pub is_registered: bool,
}

/// `StakeAvailability`: a coldkey's stake on one subnet, locked and free.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct StakeAvailability {
    pub total: Compact<u64>,
    pub locked: Compact<u64>,
    pub available: Compact<u64>,
}

/// `LockState`: a coldkey's exponential lock on a subnet.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct LockState {
    pub locked_mass: u64,
    pub conviction: U64F64,
    pub last_update: u64,
}

/// `BTreeMap<K, V>` as SCALE and scale-info see it: entries sorted by key, encoded as
/// a sequence of pairs, described as the prelude's `BTreeMap` (a composite over
/// `[(K, V)]`). Built from pairs already in key order.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct SortedMap<K, V>(pub Vec<(K, V)>);

impl<K: TypeInfo + 'static, V: TypeInfo + 'static> TypeInfo for SortedMap<K, V> {
    type Identity = BTreeMap<K, V>;
    fn type_info() -> Type {
        BTreeMap::<K, V>::type_info()
    }
}

/// `get_stake_availability_for_coldkeys`' answer: coldkey → netuid → availability.
pub type Availability = SortedMap<AccountId32, SortedMap<u16, StakeAvailability>>;

fn info(chain: &LocalChain, hotkey: AccountId, coldkey: AccountId, netuid: u16, stake: u64) -> StakeInfo {
    StakeInfo {
        hotkey: AccountId32(hotkey.0),
        coldkey: AccountId32(coldkey.0),
        netuid: Compact(netuid),
        stake: Compact(stake),
        locked: Compact(0),
        emission: Compact(0),
        tao_emission: Compact(0),
        drain: Compact(0),
        is_registered: chain.subnet(netuid).is_ok_and(|s| s.uid_of(&hotkey).is_some()),
    }
}

/// `get_stake_info_for_coldkey`: the coldkey's non-zero stakes, subnet by subnet.
pub fn for_coldkey(chain: &LocalChain, coldkey: AccountId32) -> Vec<StakeInfo> {
    let coldkey = AccountId(coldkey.0);
    let mut rows: Vec<(u16, AccountId, u64)> =
        chain.stakes().filter(|(_, c, _, amount)| *c == coldkey && *amount > 0).map(|(h, _, n, amount)| (n, h, amount)).collect();
    rows.sort_by_key(|(netuid, hotkey, _)| (*netuid, hotkey.0));
    rows.into_iter().map(|(netuid, hotkey, amount)| info(chain, hotkey, coldkey, netuid, amount)).collect()
}

/// `get_stake_info_for_coldkeys`: each coldkey with its stakes (empty input, empty answer).
pub fn for_coldkeys(chain: &LocalChain, coldkeys: &[AccountId32]) -> Vec<(AccountId32, Vec<StakeInfo>)> {
    coldkeys.iter().map(|c| (*c, for_coldkey(chain, *c))).collect()
}

/// `get_stake_info_for_hotkey_coldkey_netuid`: always a record, zero when nothing is staked.
pub fn for_hotkey_coldkey_netuid(chain: &LocalChain, hotkey: AccountId32, coldkey: AccountId32, netuid: u16) -> Option<StakeInfo> {
    let (hotkey, coldkey) = (AccountId(hotkey.0), AccountId(coldkey.0));
    Some(info(chain, hotkey, coldkey, netuid, chain.stake_of(&hotkey, &coldkey, netuid)))
}

/// `get_stake_availability_for_coldkeys`: per coldkey, per subnet with stake, the
/// total, locked (0) and available (all). `netuids: None` scans every subnet; an empty
/// list or one longer than the number of subnets gives every coldkey an empty map;
/// unknown netuids are left out.
pub fn availability_for_coldkeys(chain: &LocalChain, coldkeys: &[AccountId32], netuids: Option<Vec<u16>>) -> Availability {
    let existing = chain.netuids();
    let netuids = match netuids {
        None => Some(existing),
        Some(mut asked) => {
            asked.sort_unstable();
            asked.dedup();
            if asked.is_empty() || asked.len() > existing.len() {
                None
            } else {
                asked.retain(|n| existing.contains(n));
                Some(asked)
            }
        }
    };
    let mut keys: Vec<AccountId32> = coldkeys.to_vec();
    keys.sort_by_key(|k| k.0);
    keys.dedup();
    SortedMap(
        keys.into_iter()
            .map(|coldkey| {
                let per_subnet = netuids.iter().flatten().filter_map(|&netuid| {
                    let total: u64 = chain.stakes().filter(|(_, c, n, _)| c.0 == coldkey.0 && *n == netuid).map(|(_, _, _, a)| a).sum();
                    (total > 0).then_some((netuid, StakeAvailability { total: Compact(total), locked: Compact(0), available: Compact(total) }))
                });
                (coldkey, SortedMap(per_subnet.collect()))
            })
            .collect(),
    )
}

/// `get_stake_fee`: 0 when origin and destination are the same; otherwise the swap's
/// fee, which is 0 here (no AMM).
pub fn stake_fee(
    _origin: Option<(AccountId32, u16)>,
    _origin_coldkey: AccountId32,
    _destination: Option<(AccountId32, u16)>,
    _destination_coldkey: AccountId32,
    _amount: u64,
) -> u64 {
    0
}

/// `get_coldkey_lock`: no locks locally.
pub fn coldkey_lock(_chain: &LocalChain, _coldkey: AccountId32, _netuid: u16) -> Option<LockState> {
    None
}

/// `get_hotkey_conviction`: no locks, no conviction.
pub fn hotkey_conviction(_chain: &LocalChain, _hotkey: AccountId32, _netuid: u16) -> U64F64 {
    U64F64::from_bits(0)
}

/// `get_most_convicted_hotkey_on_subnet` (chain: `subnet_king`): `None` without locks.
pub fn most_convicted_hotkey(_chain: &LocalChain, _netuid: u16) -> Option<AccountId32> {
    None
}
