//! What the served node keeps beside the chain state: sealed blocks (headers,
//! extrinsics, events), the transaction pool and account nonces.

use std::collections::{BTreeMap, VecDeque};

use codec::Encode;
use tokio::sync::oneshot;

use super::extrinsic::SignedExtrinsic;
use super::pallets::RuntimeCall;
use super::system::{Hash, Header};
use crate::chain::AccountId;

/// Blocks kept for lookups by hash or number; older ones are pruned like Substrate's
/// `BlockHashCount` window (Subtensor: 4096), except genesis.
pub const BLOCKS_KEPT: usize = 4096;

#[derive(Clone, Debug)]
pub struct SealedBlock {
    pub header: Header,
    pub hash: Hash,
    /// Each extrinsic as submitted (with its length prefix).
    pub extrinsics: Vec<Vec<u8>>,
    /// SCALE `Vec<EventRecord<RuntimeEvent, H256>>`: `System::Events` at this block.
    pub events: Vec<u8>,
}

impl SealedBlock {
    pub fn number(&self) -> u64 {
        self.header.number as u64
    }
}

/// An extrinsic checked by the pool and waiting for the next block.
pub struct Pending {
    pub hash: Hash,
    pub bytes: Vec<u8>,
    pub xt: SignedExtrinsic,
    pub call: RuntimeCall,
    /// Told the hash of the block that includes it (dropped if it never is).
    pub included: Option<oneshot::Sender<Hash>>,
}

#[derive(Default)]
pub struct Ledger {
    pub genesis: Option<SealedBlock>,
    pub recent: VecDeque<SealedBlock>,
    pub nonces: BTreeMap<AccountId, u32>,
    pub pool: Vec<Pending>,
}

impl Ledger {
    pub fn best(&self) -> &SealedBlock {
        self.recent.back().or(self.genesis.as_ref()).expect("the ledger always has a genesis block")
    }

    pub fn genesis_hash(&self) -> Hash {
        self.genesis.as_ref().expect("genesis").hash
    }

    pub fn push(&mut self, block: SealedBlock) {
        if self.genesis.is_none() {
            self.genesis = Some(block);
            return;
        }
        self.recent.push_back(block);
        while self.recent.len() > BLOCKS_KEPT {
            self.recent.pop_front();
        }
    }

    pub fn by_number(&self, number: u64) -> Option<&SealedBlock> {
        if let Some(g) = &self.genesis {
            if g.number() == number {
                return Some(g);
            }
        }
        let first = self.recent.front()?.number();
        let index = number.checked_sub(first)? as usize;
        self.recent.get(index)
    }

    pub fn by_hash(&self, hash: &Hash) -> Option<&SealedBlock> {
        if let Some(g) = &self.genesis {
            if &g.hash == hash {
                return Some(g);
            }
        }
        self.recent.iter().rev().find(|b| &b.hash == hash)
    }

    /// The block a query names: the given hash, or the best block.
    pub fn at(&self, hash: Option<&Hash>) -> Option<&SealedBlock> {
        match hash {
            Some(h) => self.by_hash(h),
            None => Some(self.best()),
        }
    }

    pub fn state_nonce(&self, account: &AccountId) -> u32 {
        self.nonces.get(account).copied().unwrap_or(0)
    }

    /// The nonce the account's next extrinsic must carry, counting those in the pool
    /// (what `system_accountNextIndex` answers).
    pub fn next_nonce(&self, account: &AccountId) -> u32 {
        let pending = self.pool.iter().filter(|p| p.xt.signer == account.0).count() as u32;
        self.state_nonce(account) + pending
    }
}

/// `extrinsics_root` of a sealed block. Not a trie root: BlakeTwo256 over the
/// extrinsic hashes, which is deterministic and changes with any extrinsic.
pub fn extrinsics_root(extrinsics: &[Vec<u8>]) -> Hash {
    let hashes: Vec<Hash> = extrinsics.iter().map(|x| sp_crypto_hashing::blake2_256(x)).collect();
    sp_crypto_hashing::blake2_256(&hashes.encode())
}
