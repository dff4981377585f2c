//! `state_getStorage` / `state_queryStorageAt` / `state_getKeysPaged`: the storage
//! items this node declares and answers, each declared once in [`items`] with
//! Subtensor's hashers, key and value types and default (finney's metadata,
//! `subnet-core/tests/data/finney-393`), and a function reading its entries from
//! the state after a block. FRAME's key layout: `twox128(pallet) ++ twox128(item)
//! ++ each key hashed by its hasher`.
//!
//! Values are those of the state after the block asked for ([`BlockState`]); the
//! whole key space of a state is built on its first read and kept with it.

use std::collections::BTreeMap;

use codec::Encode;
use frame_metadata::v14::{StorageEntryModifier, StorageEntryType, StorageHasher};
use frame_metadata::v15::{PalletStorageMetadata, StorageEntryMetadata};
use scale_info::{meta_type, TypeInfo};

use super::ledger::{BlockState, SealedBlock};
use super::pallets::{AccountId32, BoundedBytes, NetUid as MetaNetUid, H256};
use super::runtime_api::stake::LockState;
use super::runtime_api::types::{AxonInfo, ChainIdentityV2, FixedI128, SubnetIdentityV3, U64, U64F64};
use super::system::{AccountData, AccountInfo, EventRecord};
use crate::chain::local::{mechanism_storage_index, LocalChain, DEFAULT_MAX_MECHANISM_COUNT};
use crate::chain::{AccountId, NetUid};

/// Every (full key, value) of a state, in key order.
pub type StorageView = BTreeMap<Vec<u8>, Vec<u8>>;

type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// Reads an item's entries from the state after a block.
type ReadEntries = Box<dyn Fn(&BlockState, &SealedBlock) -> Entries + Send + Sync>;

/// One storage item: how the metadata declares it and how its entries are read.
pub(crate) struct Item {
    pallet: &'static str,
    meta: StorageEntryMetadata,
    /// Each entry's hashed key suffix (after the item's prefix) and value.
    entries: ReadEntries,
}

impl Item {
    fn prefix(&self) -> Vec<u8> {
        prefix(self.pallet, self.meta.name)
    }

    /// The item's full keys and values in `state`.
    fn view(&self, state: &BlockState, block: &SealedBlock) -> StorageView {
        let prefix = self.prefix();
        (self.entries)(state, block)
            .into_iter()
            .map(|(suffix, value)| {
                let mut key = prefix.clone();
                key.extend_from_slice(&suffix);
                (key, value)
            })
            .collect()
    }
}

pub(crate) fn prefix(pallet: &str, item: &str) -> Vec<u8> {
    let mut key = sp_crypto_hashing::twox_128(pallet.as_bytes()).to_vec();
    key.extend_from_slice(&sp_crypto_hashing::twox_128(item.as_bytes()));
    key
}

/// One key part as FRAME hashes it into the storage key.
fn hash_part(hasher: &StorageHasher, data: &[u8], key: &mut Vec<u8>) {
    use sp_crypto_hashing as h;
    match hasher {
        StorageHasher::Blake2_128 => key.extend_from_slice(&h::blake2_128(data)),
        StorageHasher::Blake2_256 => key.extend_from_slice(&h::blake2_256(data)),
        StorageHasher::Blake2_128Concat => {
            key.extend_from_slice(&h::blake2_128(data));
            key.extend_from_slice(data);
        }
        StorageHasher::Twox128 => key.extend_from_slice(&h::twox_128(data)),
        StorageHasher::Twox256 => key.extend_from_slice(&h::twox_256(data)),
        StorageHasher::Twox64Concat => {
            key.extend_from_slice(&h::twox_64(data));
            key.extend_from_slice(data);
        }
        StorageHasher::Identity => key.extend_from_slice(data),
    }
}

fn entry_meta(name: &'static str, modifier: StorageEntryModifier, ty: StorageEntryType, default: Vec<u8>) -> StorageEntryMetadata {
    StorageEntryMetadata { name, modifier, ty, default, docs: vec![] }
}

/// A plain value (`StorageValue`, `ValueQuery`).
fn value<V: Encode + TypeInfo + 'static>(
    pallet: &'static str,
    name: &'static str,
    default: V,
    read: impl Fn(&BlockState, &SealedBlock) -> V + Send + Sync + 'static,
) -> Item {
    let meta = entry_meta(name, StorageEntryModifier::Default, StorageEntryType::Plain(meta_type::<V>()), default.encode());
    Item { pallet, meta, entries: Box::new(move |s, b| vec![(vec![], read(s, b).encode())]) }
}

/// A map with one key per hasher; `K` is the key tuple as the metadata names it and
/// `parts` splits a key into its encoded parts. `default` is `None` for an
/// `OptionQuery` map (absent entries read as `None`).
struct MapSpec<K, V> {
    pallet: &'static str,
    name: &'static str,
    hashers: Vec<StorageHasher>,
    default: Option<V>,
    _key: std::marker::PhantomData<K>,
}

fn map<K: TypeInfo + 'static, V: Encode + TypeInfo + 'static>(
    pallet: &'static str,
    name: &'static str,
    hashers: &[StorageHasher],
    default: Option<V>,
) -> MapSpec<K, V> {
    MapSpec { pallet, name, hashers: hashers.to_vec(), default, _key: std::marker::PhantomData }
}

impl<K: TypeInfo + 'static, V: Encode + TypeInfo + 'static> MapSpec<K, V> {
    /// The item, its entries read by `read` as (encoded key parts, value).
    fn read(self, read: impl Fn(&BlockState) -> Vec<(Vec<Vec<u8>>, V)> + Send + Sync + 'static) -> Item {
        let (modifier, default) = match &self.default {
            Some(v) => (StorageEntryModifier::Default, v.encode()),
            None => (StorageEntryModifier::Optional, vec![0]),
        };
        let ty = StorageEntryType::Map { hashers: self.hashers.clone(), key: meta_type::<K>(), value: meta_type::<V>() };
        let hashers = self.hashers;
        let entries = move |s: &BlockState, _: &SealedBlock| {
            read(s)
                .into_iter()
                .map(|(parts, v)| {
                    let mut key = Vec::new();
                    for (hasher, part) in hashers.iter().zip(&parts) {
                        hash_part(hasher, part, &mut key);
                    }
                    (key, v.encode())
                })
                .collect()
        };
        Item { pallet: self.pallet, meta: entry_meta(self.name, modifier, ty, default), entries: Box::new(entries) }
    }
}

/// A `MevShield` key (`Option<ShieldEncKey>`): the node's ML-KEM-768 encapsulation key.
fn shield_key(name: &'static str) -> Item {
    Item {
        pallet: "MevShield",
        meta: entry_meta(name, StorageEntryModifier::Optional, StorageEntryType::Plain(meta_type::<super::pallets::BoundedBytes>()), vec![0]),
        entries: Box::new(|_, _| vec![(vec![], super::shield::encryption_key().to_vec().encode())]),
    }
}

/// Key parts, each SCALE-encoded.
macro_rules! parts {
    ($($k:expr),+) => { vec![$(Encode::encode(&$k)),+] };
}

fn acct(a: &AccountId) -> AccountId32 {
    AccountId32(a.0)
}

/// An integer amount as U64F64 (Subtensor's share and alpha type).
fn u64f64(n: u64) -> U64F64 {
    U64F64::from_bits((n as u128) << 64)
}

impl From<&crate::chain::AxonInfo> for AxonInfo {
    fn from(a: &crate::chain::AxonInfo) -> Self {
        Self {
            block: a.block,
            version: a.version,
            ip: a.ip,
            port: a.port,
            ip_type: a.ip_type,
            protocol: a.protocol,
            placeholder1: 0,
            placeholder2: 0,
        }
    }
}

fn account_info(state: &BlockState, account: &AccountId) -> Option<AccountInfo> {
    let free = state.chain.balance(account);
    let nonce = state.nonce(account);
    if free == 0 && nonce == 0 {
        return None; // no such account: storage holds nothing
    }
    Some(AccountInfo { nonce, consumers: 0, providers: 1, sufficients: 0, data: AccountData { free, ..AccountData::default() } })
}

/// Each subnet with `f` of it: a `netuid -> value` map.
fn per_subnet<V>(chain: &LocalChain, f: impl Fn(NetUid, &crate::chain::local::Subnet) -> Option<V>) -> Vec<(Vec<Vec<u8>>, V)> {
    chain.netuids().into_iter().filter_map(|n| chain.subnet(n).ok().and_then(|s| f(n, s)).map(|v| (parts!(n), v))).collect()
}

/// Entries of every subnet, `f` giving each subnet's (keyed by netuid first).
fn across_subnets<V, I: IntoIterator<Item = (Vec<Vec<u8>>, V)>>(
    chain: &LocalChain,
    f: impl Fn(NetUid, &crate::chain::local::Subnet) -> I,
) -> Vec<(Vec<Vec<u8>>, V)> {
    chain.netuids().into_iter().filter_map(|n| chain.subnet(n).ok().map(|sn| (n, sn))).flat_map(|(n, sn)| f(n, sn)).collect()
}

/// A `Weights`/`Bonds` entry: its encoded key parts and its row.
type KeyedRow = (Vec<Vec<u8>>, Vec<(u16, u16)>);

/// A per-UID row map (`Weights`, `Bonds`) of one subnet: its non-empty rows.
fn uid_rows(netuid: NetUid, rows: &[Vec<(u16, u16)>]) -> Vec<KeyedRow> {
    rows.iter().enumerate().filter(|(_, r)| !r.is_empty()).map(|(uid, r)| (parts!(netuid, uid as u16), r.clone())).collect()
}

/// Entries of every mechanism of every subnet, `f` given the mechanism's storage index
/// (`NetUidStorageIndex`) and rows.
fn per_mechanism<V, I: IntoIterator<Item = (Vec<Vec<u8>>, V)>>(
    chain: &LocalChain,
    f: impl Fn(u16, crate::chain::local::MechanismRows<'_>) -> I,
) -> Vec<(Vec<Vec<u8>>, V)> {
    across_subnets(chain, |n, sn| {
        (0..sn.mechanism_count())
            .filter_map(|mecid| sn.mechanism(mecid).map(|rows| f(mechanism_storage_index(n, mecid), rows)))
            .flatten()
            .collect::<Vec<_>>()
    })
}

/// Root's entry (netuid 0) before the subnets' (see `TotalNetworks`).
fn with_root<V>(root: V, mut subnets: Vec<(Vec<Vec<u8>>, V)>) -> Vec<(Vec<Vec<u8>>, V)> {
    subnets.insert(0, (parts!(0u16), root));
    subnets
}

/// Per-UID vectors of the last epoch (`Rank`, `Trust`, …), from the metagraph.
fn per_uid<V>(chain: &LocalChain, f: impl Fn(&crate::chain::NeuronInfo) -> V) -> Vec<(Vec<Vec<u8>>, Vec<V>)> {
    chain.netuids().into_iter().filter_map(|n| chain.metagraph(n).ok().map(|m| (parts!(n), m.neurons.iter().map(&f).collect()))).collect()
}

const SUBTENSOR: &str = "SubtensorModule";

/// Every storage item the node declares, by pallet; the metadata and the answers
/// both come from here.
fn build_items() -> Vec<Item> {
    use StorageHasher::{Blake2_128Concat as Blake, Identity, Twox64Concat as Twox};
    let mut items = vec![
        // frame_system
        map::<AccountId32, AccountInfo>("System", "Account", &[Blake], Some(AccountInfo::default())).read(|s| {
            let mut accounts: Vec<AccountId> = s.chain.accounts().map(|(a, _)| *a).collect();
            accounts.extend(s.nonces.keys().copied());
            accounts.sort();
            accounts.dedup();
            accounts.into_iter().filter_map(|a| account_info(s, &a).map(|i| (parts!(acct(&a)), i))).collect()
        }),
        value::<u32>("System", "Number", 0, |_, b| b.header.number),
        value::<H256>("System", "ParentHash", H256([0; 32]), |_, b| H256(b.header.parent_hash)),
        Item {
            pallet: "System",
            meta: entry_meta(
                "Events",
                StorageEntryModifier::Default,
                StorageEntryType::Plain(meta_type::<Vec<EventRecord<super::pallets::RuntimeEvent>>>()),
                vec![0],
            ),
            entries: Box::new(|_, b| vec![(vec![], b.events.to_vec())]),
        },
        // pallet_sudo
        Item {
            pallet: "Sudo",
            meta: entry_meta("Key", StorageEntryModifier::Optional, StorageEntryType::Plain(meta_type::<AccountId32>()), vec![0]),
            entries: Box::new(|s, _| vec![(vec![], acct(&s.chain.sudo_key()).encode())]),
        },
        // pallet_shield: this node's one key serves as every key of the rotation.
        shield_key("CurrentKey"),
        shield_key("PendingKey"),
        shield_key("NextKey"),
        // pallet_balances: Subtensor's Balance is u64.
        value::<u64>("Balances", "TotalIssuance", 0, |s, _| s.chain.circulating()),
        // pallet_subtensor: networks.
        // Root (netuid 0) exists on Subtensor from genesis and clients list it; the local
        // chain models no root network, so it is listed, empty (no neurons, stable
        // mechanism, symbol `Τ`), and has no other state.
        value::<u16>(SUBTENSOR, "TotalNetworks", 0, |s, _| s.chain.netuids().len() as u16 + 1),
        map::<MetaNetUid, bool>(SUBTENSOR, "NetworksAdded", &[Identity], Some(false))
            .read(|s| with_root(true, per_subnet(&s.chain, |_, _| Some(true)))),
        map::<MetaNetUid, u16>(SUBTENSOR, "SubnetworkN", &[Identity], Some(0))
            .read(|s| with_root(0, per_subnet(&s.chain, |_, sn| Some(sn.n() as u16)))),
        map::<MetaNetUid, AccountId32>(SUBTENSOR, "SubnetOwner", &[Identity], Some(AccountId32([0; 32])))
            .read(|s| per_subnet(&s.chain, |_, sn| Some(acct(&sn.owner_coldkey)))),
        map::<MetaNetUid, AccountId32>(SUBTENSOR, "SubnetOwnerHotkey", &[Identity], Some(AccountId32([0; 32])))
            .read(|s| per_subnet(&s.chain, |_, sn| Some(acct(&sn.owner_hotkey)))),
        map::<MetaNetUid, u64>(SUBTENSOR, "NetworkRegisteredAt", &[Identity], Some(0))
            .read(|s| per_subnet(&s.chain, |_, sn| Some(sn.registered_at_block))),
        // What registering a subnet locked: the local chain's lock cost (it has no
        // lock-cost decay).
        map::<MetaNetUid, u64>(SUBTENSOR, "SubnetLocked", &[Identity], Some(0))
            .read(|s| per_subnet(&s.chain, |_, _| Some(s.chain.config.network_lock_cost))),
        map::<MetaNetUid, u64>(SUBTENSOR, "FirstEmissionBlockNumber", &[Identity], None)
            .read(|s| per_subnet(&s.chain, |_, sn| sn.first_emission_block)),
        // `SubnetMechanism`: 1 (dynamic) for every subnet but root, which the local chain lacks.
        map::<MetaNetUid, u16>(SUBTENSOR, "SubnetMechanism", &[Identity], Some(0)).read(|s| with_root(0, per_subnet(&s.chain, |_, _| Some(1)))),
        value::<u16>(SUBTENSOR, "CommitRevealWeightsVersion", crate::chain::local::DEFAULT_COMMIT_REVEAL_VERSION, |s, _| {
            s.chain.commit_reveal_version()
        }),
        // The stateful epoch scheduler (d30a76f38): the last epoch's block, the epochs
        // run, and no owner-triggered epoch (the local chain has no trigger).
        map::<MetaNetUid, u64>(SUBTENSOR, "LastEpochBlock", &[Identity], Some(0)).read(|s| per_subnet(&s.chain, |_, sn| Some(sn.last_epoch_block))),
        map::<MetaNetUid, u64>(SUBTENSOR, "SubnetEpochIndex", &[Identity], Some(0)).read(|s| per_subnet(&s.chain, |_, sn| Some(sn.epoch_index))),
        map::<MetaNetUid, u64>(SUBTENSOR, "PendingEpochAt", &[Identity], Some(0)).read(|s| per_subnet(&s.chain, |_, _| Some(0))),
        map::<(super::pallets::NetUidStorageIndex, u64), Vec<StoredTimelockedCommit>>(
            SUBTENSOR,
            "TimelockedWeightCommits",
            &[Twox, Twox],
            Some(vec![]),
        )
        .read(|s| {
            across_subnets(&s.chain, |n, sn| {
                sn.timelocked
                    .iter()
                    .map(move |((mecid, epoch), commits)| {
                        let index = super::pallets::NetUidStorageIndex::of(MetaNetUid(n), super::pallets::MechId(*mecid));
                        let rows = commits
                            .iter()
                            .map(|c| (acct(&c.who), c.commit_block, super::commitments::BoundedVec(c.commit.clone()), c.reveal_round))
                            .collect();
                        (parts!(index, *epoch), rows)
                    })
                    .collect::<Vec<_>>()
            })
        }),
        // Subnet mechanisms (`subnets/mechanism.rs`).
        map::<MetaNetUid, u8>(SUBTENSOR, "MechanismCountCurrent", &[Twox], Some(1))
            .read(|s| per_subnet(&s.chain, |_, sn| Some(sn.mechanism_count()))),
        map::<MetaNetUid, Vec<u16>>(SUBTENSOR, "MechanismEmissionSplit", &[Twox], None)
            .read(|s| per_subnet(&s.chain, |_, sn| sn.emission_split.clone())),
        value::<u8>(SUBTENSOR, "MaxMechanismCount", DEFAULT_MAX_MECHANISM_COUNT, |_, _| DEFAULT_MAX_MECHANISM_COUNT),
        map::<MetaNetUid, Vec<u8>>(SUBTENSOR, "TokenSymbol", &[Identity], Some("\u{1d70f}".as_bytes().to_vec()))
            .read(|s| with_root("\u{3a4}".as_bytes().to_vec(), per_subnet(&s.chain, |n, _| s.chain.token_symbol(n).map(|t| t.as_bytes().to_vec())))),
        map::<MetaNetUid, SubnetIdentityV3>(SUBTENSOR, "SubnetIdentitiesV3", &[Blake], None).read(|_| vec![]),
        // pallet_subtensor: neurons.
        map::<(MetaNetUid, AccountId32), u16>(SUBTENSOR, "Uids", &[Identity, Blake], None).read(|s| {
            across_subnets(&s.chain, |n, sn| sn.keys.iter().enumerate().map(move |(uid, k)| (parts!(n, acct(k)), uid as u16)).collect::<Vec<_>>())
        }),
        map::<(MetaNetUid, u16), AccountId32>(SUBTENSOR, "Keys", &[Identity, Identity], Some(AccountId32([0; 32]))).read(|s| {
            across_subnets(&s.chain, |n, sn| sn.keys.iter().enumerate().map(move |(uid, k)| (parts!(n, uid as u16), acct(k))).collect::<Vec<_>>())
        }),
        map::<(MetaNetUid, u16), u64>(SUBTENSOR, "BlockAtRegistration", &[Identity, Identity], Some(0)).read(|s| {
            across_subnets(&s.chain, |n, sn| {
                sn.registered_at.iter().enumerate().map(move |(uid, at)| (parts!(n, uid as u16), *at)).collect::<Vec<_>>()
            })
        }),
        map::<AccountId32, AccountId32>(SUBTENSOR, "Owner", &[Blake], Some(AccountId32([0; 32])))
            .read(|s| s.chain.hotkeys().map(|(hot, cold)| (parts!(acct(&hot)), acct(&cold))).collect()),
        map::<(AccountId32, MetaNetUid), bool>(SUBTENSOR, "IsNetworkMember", &[Blake, Identity], Some(false))
            .read(|s| across_subnets(&s.chain, |n, sn| sn.keys.iter().map(move |k| (parts!(acct(k), n), true)).collect::<Vec<_>>())),
        map::<(MetaNetUid, AccountId32), AxonInfo>(SUBTENSOR, "Axons", &[Identity, Blake], None).read(|s| {
            across_subnets(&s.chain, |n, sn| sn.axons.iter().map(move |(hot, a)| (parts!(n, acct(hot)), AxonInfo::from(a))).collect::<Vec<_>>())
        }),
        map::<(MetaNetUid, AccountId32), NeuronCertificate>(SUBTENSOR, "NeuronCertificates", &[Identity, Blake], None).read(|s| {
            across_subnets(&s.chain, |n, sn| {
                sn.certificates.iter().map(move |(hot, c)| (parts!(n, acct(hot)), NeuronCertificate::from(c))).collect::<Vec<_>>()
            })
        }),
        // Per-mechanism maps, keyed by `NetUidStorageIndex` (mecid * 4096 + netuid; the
        // netuid itself for mechanism 0).
        map::<(MetaNetUid, u16), Vec<(u16, u16)>>(SUBTENSOR, "Weights", &[Identity, Identity], Some(vec![]))
            .read(|s| per_mechanism(&s.chain, |index, rows| uid_rows(index, rows.weights))),
        map::<(MetaNetUid, u16), Vec<(u16, u16)>>(SUBTENSOR, "Bonds", &[Identity, Identity], Some(vec![]))
            .read(|s| per_mechanism(&s.chain, |index, rows| uid_rows(index, rows.bonds))),
        map::<MetaNetUid, Vec<u64>>(SUBTENSOR, "LastUpdate", &[Identity], Some(vec![]))
            .read(|s| per_mechanism(&s.chain, |index, rows| [(parts!(index), rows.last_update.to_vec())])),
        map::<MetaNetUid, Vec<bool>>(SUBTENSOR, "ValidatorPermit", &[Identity], Some(vec![]))
            .read(|s| per_subnet(&s.chain, |_, sn| Some(sn.validator_permit.clone()))),
        map::<MetaNetUid, Vec<bool>>(SUBTENSOR, "Active", &[Identity], Some(vec![])).read(|s| per_uid(&s.chain, |n| n.active)),
        map::<MetaNetUid, Vec<u16>>(SUBTENSOR, "Rank", &[Identity], Some(vec![])).read(|s| per_uid(&s.chain, |n| n.rank)),
        map::<MetaNetUid, Vec<u16>>(SUBTENSOR, "Trust", &[Identity], Some(vec![])).read(|s| per_uid(&s.chain, |n| n.trust)),
        map::<MetaNetUid, Vec<u16>>(SUBTENSOR, "Consensus", &[Identity], Some(vec![])).read(|s| per_uid(&s.chain, |n| n.consensus)),
        map::<MetaNetUid, Vec<u16>>(SUBTENSOR, "Incentive", &[Identity], Some(vec![])).read(|s| {
            let mut entries = per_uid(&s.chain, |n| n.incentive);
            entries.extend(across_subnets(&s.chain, |n, sn| {
                (1..sn.mechanism_count())
                    .filter_map(move |mecid| sn.mechanism_incentive(mecid).map(|v| (parts!(mechanism_storage_index(n, mecid)), v)))
                    .collect::<Vec<_>>()
            }));
            entries
        }),
        map::<MetaNetUid, Vec<u16>>(SUBTENSOR, "Dividends", &[Identity], Some(vec![])).read(|s| per_uid(&s.chain, |n| n.dividends)),
        map::<MetaNetUid, Vec<u16>>(SUBTENSOR, "ValidatorTrust", &[Identity], Some(vec![])).read(|s| per_uid(&s.chain, |n| n.validator_trust)),
        map::<MetaNetUid, Vec<u64>>(SUBTENSOR, "Emission", &[Identity], Some(vec![])).read(|s| per_uid(&s.chain, |n| n.emission)),
    ];
    items.extend(newer_items());
    items.extend(commitment_items());
    items.extend(drand_items());
    items.extend(hyperparameter_items());
    items.extend(stake_items());
    items
}

/// `pallet_subtensor::NeuronCertificate` (`NeuronCertificates`, `pallets/subtensor/src/lib.rs`):
/// the TLS key `serve_axon_tls` stored, key before algorithm as the chain encodes it.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, Encode, TypeInfo)]
pub struct NeuronCertificate {
    pub public_key: BoundedBytes,
    pub algorithm: u8,
}

impl From<&crate::chain::NeuronCertificate> for NeuronCertificate {
    fn from(c: &crate::chain::NeuronCertificate) -> Self {
        Self { public_key: BoundedBytes(c.public_key.clone()), algorithm: c.algorithm }
    }
}

/// `EpochConsensus`: how a subnet's epoch runs (Subtensor after spec 393; bittensor
/// 11's `SetWeights` preflight reads it). The local chain always runs Yuma.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, Encode, TypeInfo)]
pub enum EpochConsensus {
    Yuma,
    Null,
}

/// `pallet_subtensor::RootClaimTypeEnum` (`RootClaimType`, by coldkey): the local
/// chain has no root network, so every coldkey has the default, `Swap`.
// No doc comments: scale-info's `docs` feature would copy them into the runtime metadata.
#[allow(missing_docs)]
#[derive(Clone, Debug, Encode, TypeInfo)]
pub enum RootClaimTypeEnum {
    Swap,
    Keep,
    KeepSubnets { subnets: std::collections::BTreeSet<u16> },
}

/// `pallet_drand`'s storage (see [`super::drand`]).
fn drand_items() -> Vec<Item> {
    use super::drand::{beacon_config, recent_pulses, BeaconConfiguration, Pulse};
    vec![
        Item {
            pallet: "Drand",
            meta: entry_meta("BeaconConfig", StorageEntryModifier::Default, StorageEntryType::Plain(meta_type::<BeaconConfiguration>()), vec![0]),
            entries: Box::new(|s, _| vec![(vec![], beacon_config(s.chain.drand()).encode())]),
        },
        map::<u64, Pulse>("Drand", "Pulses", &[StorageHasher::Blake2_128Concat], None)
            .read(|s| recent_pulses(s.chain.drand()).into_iter().map(|p| (parts!(p.round), p)).collect()),
        value::<u64>("Drand", "LastStoredRound", 0, |s, _| s.chain.drand().last_stored_round),
        value::<u64>("Drand", "OldestStoredRound", 0, |s, _| s.chain.drand().oldest_stored_round),
    ]
}

/// A timelocked commit as `TimelockedWeightCommits` stores it: (who, commit block,
/// commit, reveal round).
type StoredTimelockedCommit = (AccountId32, u64, super::commitments::BoundedVec<u8>, u64);

/// Items the tools read that the local chain has no data for, or that a later
/// Subtensor than finney 393 added.
fn newer_items() -> Vec<Item> {
    use StorageHasher::{Blake2_128Concat as Blake, Identity};
    vec![
        // Hasher unsure (not in finney 393's metadata); reads use the declared one.
        map::<MetaNetUid, EpochConsensus>(SUBTENSOR, "SubnetEpochConsensus", &[Identity], Some(EpochConsensus::Yuma))
            .read(|s| per_subnet(&s.chain, |_, _| Some(EpochConsensus::Yuma))),
        // Blocks since the subnet's last epoch (Subtensor resets it when an epoch runs).
        map::<MetaNetUid, u64>(SUBTENSOR, "BlocksSinceLastStep", &[Identity], Some(0))
            .read(|s| per_subnet(&s.chain, |_, sn| Some(s.chain.block().saturating_sub(sn.last_epoch_block)))),
        // TAO injected into each subnet per block: the local chain's emission goes to
        // the epoch directly and injects nothing into a pool, so 0 (`btcli subnets list`
        // of bittensor 11 reads it for every subnet).
        map::<MetaNetUid, u64>(SUBTENSOR, "SubnetTaoInEmission", &[Identity], Some(0)).read(|s| with_root(0, per_subnet(&s.chain, |_, _| Some(0)))),
        // No AMM, so no TAO flows into pools: empty.
        map::<MetaNetUid, (u64, FixedI128<U64>)>(SUBTENSOR, "SubnetEmaTaoFlow", &[Identity], None).read(|_| vec![]),
        // The local chain keeps no on-chain identities: empty.
        map::<AccountId32, ChainIdentityV2>(SUBTENSOR, "IdentitiesV2", &[Blake], None).read(|_| vec![]),
        map::<AccountId32, RootClaimTypeEnum>(SUBTENSOR, "RootClaimType", &[Blake], Some(RootClaimTypeEnum::Swap)).read(|_| vec![]),
        // Stake locks (a Subtensor after finney 393; btcli 9.23 reads them for `subnets
        // show`). The local chain has no locks: empty. Hashers unsure.
        map::<(MetaNetUid, AccountId32), LockState>(SUBTENSOR, "HotkeyLock", &[Identity, Blake], None).read(|_| vec![]),
        map::<(MetaNetUid, AccountId32), LockState>(SUBTENSOR, "DecayingHotkeyLock", &[Identity, Blake], None).read(|_| vec![]),
        map::<MetaNetUid, LockState>(SUBTENSOR, "OwnerLock", &[Identity], None).read(|_| vec![]),
        map::<MetaNetUid, LockState>(SUBTENSOR, "DecayingOwnerLock", &[Identity], None).read(|_| vec![]),
        map::<(AccountId32, MetaNetUid, AccountId32), LockState>(SUBTENSOR, "Lock", &[Blake, Identity, Blake], None).read(|_| vec![]),
        map::<(AccountId32, MetaNetUid), bool>(SUBTENSOR, "DecayingLock", &[Blake, Identity], None).read(|_| vec![]),
        // Share of the registration price locked as miner collateral (u16, 65535 =
        // 100%; after finney 393, hasher unsure): the local chain burns the whole
        // price, so 0.
        map::<MetaNetUid, u16>(SUBTENSOR, "CollateralLockShare", &[Identity], Some(0)).read(|s| per_subnet(&s.chain, |_, _| Some(0))),
        // Share of a miner's collateral drained per epoch (U64F64; after finney 393,
        // hasher unsure): the local chain keeps no collateral, so 0.
        map::<MetaNetUid, U64F64>(SUBTENSOR, "CollateralDrainRatio", &[Identity], Some(U64F64::from_bits(0)))
            .read(|s| per_subnet(&s.chain, |_, _| Some(U64F64::from_bits(0)))),
        // Decay rates of locks; 0 (no decay) as there are no locks.
        value::<u64>(SUBTENSOR, "UnlockRate", 0, |_, _| 0),
        value::<u64>(SUBTENSOR, "MaturityRate", 0, |_, _| 0),
    ]
}

/// `pallet_commitments`' items: declared for readers, always empty here.
fn commitment_items() -> Vec<Item> {
    use super::commitments::Registration;
    use StorageHasher::{Identity, Twox64Concat as Twox};
    const COMMITMENTS: &str = "Commitments";
    vec![
        map::<(MetaNetUid, AccountId32), Registration>(COMMITMENTS, "CommitmentOf", &[Identity, Twox], None).read(|_| vec![]),
        map::<(MetaNetUid, AccountId32), u32>(COMMITMENTS, "LastCommitment", &[Identity, Twox], None).read(|_| vec![]),
        map::<(MetaNetUid, AccountId32), Vec<(Vec<u8>, u64)>>(COMMITMENTS, "RevealedCommitments", &[Identity, Twox], None).read(|_| vec![]),
    ]
}

/// Hyperparameters stored one map per parameter, as Subtensor keeps them.
fn hyperparameter_items() -> Vec<Item> {
    use StorageHasher::{Identity, Twox64Concat as Twox};
    macro_rules! hyper {
        ($name:literal, $ty:ty, $default:expr, $hasher:expr, |$h:ident, $sn:ident| $get:expr) => {
            map::<MetaNetUid, $ty>(SUBTENSOR, $name, &[$hasher], Some($default)).read(|s| {
                per_subnet(&s.chain, |_, $sn| {
                    let $h = &$sn.hyper;
                    Some($get)
                })
            })
        };
    }
    vec![
        hyper!("Tempo", u16, 360, Identity, |h, _sn| h.tempo),
        hyper!("Kappa", u16, 32_767, Identity, |h, _sn| h.kappa),
        hyper!("Burn", u64, 100_000_000, Identity, |_h, sn| sn.burn),
        hyper!("MinBurn", u64, 500_000, Identity, |h, _sn| h.min_burn),
        hyper!("MaxBurn", u64, 100_000_000_000, Identity, |h, _sn| h.max_burn),
        hyper!("ImmunityPeriod", u16, 4096, Identity, |h, _sn| h.immunity_period),
        hyper!("MinAllowedWeights", u16, 1024, Identity, |h, _sn| h.min_allowed_weights),
        hyper!("MaxWeightsLimit", u16, u16::MAX, Identity, |h, _sn| h.max_weight_limit),
        hyper!("MaxAllowedUids", u16, 256, Identity, |h, _sn| h.max_allowed_uids),
        hyper!("MaxAllowedValidators", u16, 128, Identity, |h, _sn| h.max_allowed_validators),
        hyper!("WeightsVersionKey", u64, 0, Identity, |h, _sn| h.weights_version_key),
        hyper!("WeightsSetRateLimit", u64, 100, Identity, |h, _sn| h.weights_set_rate_limit),
        hyper!("CommitRevealWeightsEnabled", bool, true, Identity, |h, _sn| h.commit_reveal_enabled),
        hyper!("RevealPeriodEpochs", u64, 1, Twox, |h, _sn| h.reveal_period_epochs),
        hyper!("NetworkRegistrationAllowed", bool, true, Identity, |h, _sn| h.registration_allowed),
        hyper!("BondsMovingAverage", u64, 900_000, Identity, |h, _sn| h.bonds_moving_average),
        hyper!("ServingRateLimit", u64, 50, Identity, |h, _sn| h.serving_rate_limit),
        hyper!("ActivityCutoff", u16, 5000, Identity, |h, _sn| h.activity_cutoff_blocks().min(u16::MAX as u64) as u16),
        // Owner-settable parameters the local chain does not model, each at Subtensor's
        // localnet value (`runtime/src/lib.rs` `SubtensorInitial*`, `pallets/subtensor/src/lib.rs`
        // defaults); bittensor 11's `btcli subnets hyperparameters` reads them.
        hyper!("AdjustmentAlpha", u64, 0, Identity, |_h, _sn| 0),
        hyper!("MaxDifficulty", u64, u64::MAX / 4, Identity, |_h, _sn| u64::MAX / 4),
        // Subtensor's default is `true`; this node has no proof-of-work `register` call,
        // so every subnet answers `false`.
        hyper!("NetworkPowRegistrationAllowed", bool, true, Identity, |_h, _sn| false),
        hyper!("ImmuneOwnerUidsLimit", u16, 1, Identity, |_h, _sn| 1),
        hyper!("Rho", u16, 10, Identity, |_h, _sn| 10),
        hyper!("Yuma3On", bool, false, StorageHasher::Blake2_128Concat, |_h, _sn| false),
    ]
}

/// Stake maps. The local chain has no AMM: alpha is 1:1 with TAO, so a hotkey's
/// shares equal its alpha; the pools are `runtime_api::dynamic::pool`'s (price 1).
fn stake_items() -> Vec<Item> {
    use StorageHasher::{Blake2_128Concat as Blake, Identity};
    vec![
        map::<(AccountId32, AccountId32, MetaNetUid), U64F64>(SUBTENSOR, "Alpha", &[Blake, Blake, Identity], Some(U64F64::from_bits(0)))
            .read(|s| s.chain.stakes().map(|(hot, cold, n, amount)| (parts!(acct(&hot), acct(&cold), n), u64f64(amount))).collect()),
        map::<(AccountId32, MetaNetUid), u64>(SUBTENSOR, "TotalHotkeyAlpha", &[Blake, Identity], Some(0))
            .read(|s| hotkey_totals(&s.chain).into_iter().map(|((hot, n), total)| (parts!(acct(&hot), n), total)).collect()),
        map::<(AccountId32, MetaNetUid), U64F64>(SUBTENSOR, "TotalHotkeyShares", &[Blake, Identity], Some(U64F64::from_bits(0)))
            .read(|s| hotkey_totals(&s.chain).into_iter().map(|((hot, n), total)| (parts!(acct(&hot), n), u64f64(total))).collect()),
        map::<AccountId32, Vec<AccountId32>>(SUBTENSOR, "StakingHotkeys", &[Blake], Some(vec![])).read(|s| {
            let mut by_cold: BTreeMap<AccountId, Vec<AccountId>> = BTreeMap::new();
            for (hot, cold, _, _) in s.chain.stakes() {
                let hotkeys = by_cold.entry(cold).or_default();
                if !hotkeys.contains(&hot) {
                    hotkeys.push(hot);
                }
            }
            by_cold.into_iter().map(|(cold, hots)| (parts!(acct(&cold)), hots.iter().map(acct).collect())).collect()
        }),
        map::<AccountId32, Vec<AccountId32>>(SUBTENSOR, "OwnedHotkeys", &[Blake], Some(vec![])).read(|s| {
            let mut by_cold: BTreeMap<AccountId, Vec<AccountId32>> = BTreeMap::new();
            for (hot, cold) in s.chain.hotkeys() {
                by_cold.entry(cold).or_default().push(acct(&hot));
            }
            by_cold.into_iter().map(|(cold, hots)| (parts!(acct(&cold)), hots)).collect()
        }),
        // The pools as the runtime APIs report them (`runtime_api::dynamic::pool`).
        map::<MetaNetUid, u64>(SUBTENSOR, "SubnetTAO", &[Identity], Some(0)).read(|s| per_pool(&s.chain, |p| p.tao_in)),
        map::<MetaNetUid, u64>(SUBTENSOR, "SubnetAlphaIn", &[Identity], Some(0)).read(|s| per_pool(&s.chain, |p| p.alpha_in)),
        map::<MetaNetUid, u64>(SUBTENSOR, "SubnetAlphaOut", &[Identity], Some(0)).read(|s| per_pool(&s.chain, |p| p.alpha_out)),
        value::<u64>(SUBTENSOR, "TotalStake", 0, |s, _| s.chain.stakes().map(|(_, _, _, a)| a).sum()),
        value::<u64>(SUBTENSOR, "TotalIssuance", 0, |s, _| s.chain.circulating()),
    ]
}

fn hotkey_totals(chain: &LocalChain) -> BTreeMap<(AccountId, NetUid), u64> {
    let mut totals = BTreeMap::new();
    for (hot, _, n, amount) in chain.stakes() {
        *totals.entry((hot, n)).or_insert(0) += amount;
    }
    totals
}

/// One value per subnet from its pool.
fn per_pool(chain: &LocalChain, f: impl Fn(&super::runtime_api::dynamic::Pool) -> u64) -> Vec<(Vec<Vec<u8>>, u64)> {
    per_subnet(chain, |n, _| super::runtime_api::dynamic::pool(chain, n).map(|p| f(&p)))
}

/// Every storage item the node declares, built once.
pub(crate) fn items() -> &'static [Item] {
    static ITEMS: std::sync::OnceLock<Vec<Item>> = std::sync::OnceLock::new();
    ITEMS.get_or_init(build_items)
}

/// The storage of `pallet` as the metadata declares it, if it has any.
pub(crate) fn pallet_metadata(pallet: &'static str) -> Option<PalletStorageMetadata> {
    let entries: Vec<StorageEntryMetadata> = items().iter().filter(|i| i.pallet == pallet).map(|i| i.meta.clone()).collect();
    (!entries.is_empty()).then_some(PalletStorageMetadata { prefix: pallet, entries })
}

/// Every key and value of the state after `block`.
pub fn view(state: &BlockState, block: &SealedBlock) -> StorageView {
    items().iter().flat_map(|item| item.view(state, block)).collect()
}

/// The keys and values of item `index` in the state after `block`.
pub(crate) fn item_view(index: usize, state: &BlockState, block: &SealedBlock) -> StorageView {
    items()[index].view(state, block)
}

/// The item a key (or a prefix of at least 32 bytes) belongs to.
fn item_of(key: &[u8]) -> Option<usize> {
    let head = key.get(..32)?;
    // Each item's prefix hashed once (two twox128 per item), not per read.
    static BY_PREFIX: std::sync::OnceLock<std::collections::HashMap<Vec<u8>, usize>> = std::sync::OnceLock::new();
    BY_PREFIX.get_or_init(|| items().iter().enumerate().map(|(i, item)| (item.prefix(), i)).collect()).get(head).copied()
}

pub(crate) fn get(state: &BlockState, block: &SealedBlock, key: &[u8]) -> Option<Vec<u8>> {
    if let Some(all) = state.built_view() {
        return all.get(key).cloned();
    }
    state.item_view(item_of(key)?, block).get(key).cloned()
}

/// Many keys at once (`state_queryStorageAt`): each key with its value, `None` where
/// nothing is stored.
pub fn get_many(state: &BlockState, block: &SealedBlock, keys: &[Vec<u8>]) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    keys.iter().map(|k| (k.clone(), get(state, block, k))).collect()
}

/// Keys under `prefix`, after `start` (exclusive), at most `count`.
pub fn keys_paged(state: &BlockState, block: &SealedBlock, prefix: &[u8], count: usize, start: Option<&[u8]>) -> Vec<Vec<u8>> {
    let from = match start {
        Some(s) if s >= prefix => std::ops::Bound::Excluded(s.to_vec()),
        _ => std::ops::Bound::Included(prefix.to_vec()),
    };
    let page = |view: &StorageView| -> Vec<Vec<u8>> {
        view.range((from.clone(), std::ops::Bound::Unbounded)).map(|(k, _)| k).take_while(|k| k.starts_with(prefix)).take(count).cloned().collect()
    };
    // Iterating one item (a map's entries: the usual query) builds that item only.
    match (state.built_view(), item_of(prefix)) {
        (None, Some(index)) => page(&state.item_view(index, block)),
        _ => page(state.view(block)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_declared_once() {
        let mut names: Vec<(&str, &str)> = items().iter().map(|i| (i.pallet, i.meta.name)).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "an item declared twice");
    }

    #[test]
    fn hashers_build_frame_keys() {
        let mut key = vec![];
        hash_part(&StorageHasher::Twox64Concat, &7u16.encode(), &mut key);
        assert_eq!(&key[..8], &sp_crypto_hashing::twox_64(&[7, 0]));
        assert_eq!(&key[8..], &[7, 0]);
    }
}
