//! `state_getStorage` / `state_queryStorageAt` / `state_getKeysPaged`: the storage items the metadata
//! declares, with FRAME's key layout: `twox128(pallet) ++ twox128(item) ++ hashed keys`.
//!
//! Values are those of the state after the block asked for ([`BlockState`]).

use codec::Encode;

use super::ledger::{BlockState, SealedBlock};
use super::system::{AccountData, AccountInfo, NEW_LOGIC_FLAG};
use crate::chain::AccountId;

pub(crate) fn prefix(pallet: &str, item: &str) -> Vec<u8> {
    let mut key = sp_crypto_hashing::twox_128(pallet.as_bytes()).to_vec();
    key.extend_from_slice(&sp_crypto_hashing::twox_128(item.as_bytes()));
    key
}

fn blake2_128_concat(key: &mut Vec<u8>, data: &[u8]) {
    key.extend_from_slice(&sp_crypto_hashing::blake2_128(data));
    key.extend_from_slice(data);
}

pub(crate) fn account_key(account: &AccountId) -> Vec<u8> {
    let mut key = prefix("System", "Account");
    blake2_128_concat(&mut key, &account.0);
    key
}

fn block_at_registration_key(netuid: u16, uid: u16) -> Vec<u8> {
    let mut key = prefix("SubtensorModule", "BlockAtRegistration");
    key.extend_from_slice(&netuid.encode());
    key.extend_from_slice(&uid.encode());
    key
}

fn networks_added_key(netuid: u16) -> Vec<u8> {
    let mut key = prefix("SubtensorModule", "NetworksAdded");
    key.extend_from_slice(&netuid.encode());
    key
}

fn account_info(state: &BlockState, account: &AccountId) -> Option<AccountInfo> {
    let free = state.chain.balance(account);
    let nonce = state.nonce(account);
    if free == 0 && nonce == 0 {
        return None; // no such account: storage holds nothing
    }
    Some(AccountInfo { nonce, consumers: 0, providers: 1, sufficients: 0, data: AccountData { free, reserved: 0, frozen: 0, flags: NEW_LOGIC_FLAG } })
}

/// Every (key, value) this node stores, in key order; what iteration walks.
fn entries(state: &BlockState, block: &SealedBlock) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut all = Vec::new();
    let mut accounts: Vec<AccountId> = state.chain.accounts().map(|(a, _)| *a).collect();
    accounts.extend(state.nonces.keys().copied());
    accounts.sort();
    accounts.dedup();
    for account in accounts {
        if let Some(info) = account_info(state, &account) {
            all.push((account_key(&account), info.encode()));
        }
    }
    all.push((prefix("System", "Number"), block.header.number.encode()));
    all.push((prefix("Sudo", "Key"), state.chain.sudo_key().0.encode()));
    all.push((prefix("System", "Events"), block.events.clone()));
    for netuid in state.chain.netuids() {
        all.push((networks_added_key(netuid), true.encode()));
        if let Ok(subnet) = state.chain.subnet(netuid) {
            for (uid, at) in subnet.registered_at.iter().enumerate() {
                all.push((block_at_registration_key(netuid, uid as u16), at.encode()));
            }
        }
    }
    all.sort();
    all
}

pub(crate) fn get(state: &BlockState, block: &SealedBlock, key: &[u8]) -> Option<Vec<u8>> {
    let account_prefix = prefix("System", "Account");
    if key.starts_with(&account_prefix) && key.len() == account_prefix.len() + 16 + 32 {
        let who: [u8; 32] = key[account_prefix.len() + 16..].try_into().ok()?;
        return account_info(state, &AccountId(who)).map(|i| i.encode());
    }
    if key == prefix("System", "Events").as_slice() {
        return Some(block.events.clone());
    }
    if key == prefix("System", "Number").as_slice() {
        return Some(block.header.number.encode());
    }
    // The metagraph reads one of these per UID: answered without listing everything.
    let registration_prefix = prefix("SubtensorModule", "BlockAtRegistration");
    if key.starts_with(&registration_prefix) && key.len() == registration_prefix.len() + 4 {
        let netuid = u16::from_le_bytes([key[32], key[33]]);
        let uid = u16::from_le_bytes([key[34], key[35]]) as usize;
        return state.chain.subnet(netuid).ok()?.registered_at.get(uid).map(|at| at.encode());
    }
    entries(state, block).into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Many keys at once (`state_queryStorageAt`): each key with its value, `None` where
/// nothing is stored.
pub fn get_many(state: &BlockState, block: &SealedBlock, keys: &[Vec<u8>]) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    keys.iter().map(|k| (k.clone(), get(state, block, k))).collect()
}

/// Keys under `prefix`, after `start` (exclusive), at most `count`.
pub fn keys_paged(state: &BlockState, block: &SealedBlock, prefix: &[u8], count: usize, start: Option<&[u8]>) -> Vec<Vec<u8>> {
    entries(state, block)
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with(prefix) && start.is_none_or(|s| k.as_slice() > s))
        .take(count)
        .collect()
}
