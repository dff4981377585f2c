//! What the served node keeps beside the chain state: sealed blocks (headers,
//! extrinsics, events), the transaction pool and account nonces.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use codec::Encode;
use tokio::sync::oneshot;

use super::extrinsic::SignedExtrinsic;
use super::pallets::RuntimeCall;
use super::storage::StorageView;
use super::system::{Hash, Header};
use crate::chain::local::LocalChain;
use crate::chain::AccountId;

/// Blocks kept for lookups by hash or number; older ones are pruned like Substrate's
/// `BlockHashCount` window (Subtensor: 4096), except genesis.
pub const BLOCKS_KEPT: usize = 4096;

/// Blocks whose state is kept for reads at that block: a pruning node's window
/// (Substrate's default `--state-pruning 256`). Older blocks answer "state discarded".
pub const STATES_KEPT: usize = 256;

/// The state after a block: what storage and runtime-API reads at that block see.
#[derive(Debug)]
pub struct BlockState {
    /// The chain's storage after the block.
    pub chain: LocalChain,
    /// Each account's nonce after the block (`System::Account`'s `nonce`).
    pub nonces: BTreeMap<AccountId, u32>,
    /// Storage keys and values, built on first read: one item at a time for reads
    /// of single keys, all of them for prefix iteration.
    items: std::sync::Mutex<BTreeMap<usize, Arc<StorageView>>>,
    all: std::sync::OnceLock<StorageView>,
}

impl BlockState {
    /// The state after a block: `chain` and `nonces` as they are.
    pub fn new(chain: LocalChain, nonces: BTreeMap<AccountId, u32>) -> Self {
        Self { chain, nonces, items: Default::default(), all: Default::default() }
    }

    /// The account's nonce in this state.
    pub fn nonce(&self, account: &AccountId) -> u32 {
        self.nonces.get(account).copied().unwrap_or(0)
    }

    /// Every storage key and value of this state (`block` is the block it follows).
    pub(crate) fn view(&self, block: &SealedBlock) -> &StorageView {
        self.all.get_or_init(|| super::storage::view(self, block))
    }

    /// The whole view, if a read has built it.
    pub(crate) fn built_view(&self) -> Option<&StorageView> {
        self.all.get()
    }

    /// The keys and values of storage item `index` (of [`super::storage::items`]).
    pub(crate) fn item_view(&self, index: usize, block: &SealedBlock) -> Arc<StorageView> {
        let mut items = self.items.lock().unwrap_or_else(|p| p.into_inner());
        items.entry(index).or_insert_with(|| Arc::new(super::storage::item_view(index, self, block))).clone()
    }
}

/// Why a read at a block cannot be answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateError {
    /// No block with that hash (never sealed, or pruned past [`BLOCKS_KEPT`]).
    UnknownBlock,
    /// The block is known but its state was pruned (older than [`STATES_KEPT`]).
    Discarded,
}

/// A block as sealed: header, hash, extrinsics and the events they raised.
#[derive(Clone, Debug)]
pub struct SealedBlock {
    /// The block's header (SCALE-encoded, it is what the hash covers).
    pub header: Header,
    /// blake2-256 of the encoded header, as Substrate's `BlakeTwo256`.
    pub hash: Hash,
    /// Each extrinsic as submitted (with its length prefix); shared, so handing a
    /// block to a read (`LocalNode::state_at`) copies no bodies.
    pub extrinsics: Arc<Vec<Vec<u8>>>,
    /// SCALE `Vec<EventRecord<RuntimeEvent, H256>>`: `System::Events` at this block.
    pub events: Arc<Vec<u8>>,
    /// The state after this block, while within [`STATES_KEPT`] of the best block.
    pub state: Option<Arc<BlockState>>,
}

impl SealedBlock {
    /// The block's number.
    pub fn number(&self) -> u64 {
        self.header.number as u64
    }
}

/// An extrinsic checked by the pool and waiting for the next block.
pub struct Pending {
    /// blake2-256 of the extrinsic's bytes (what `author_submitExtrinsic` returns).
    pub hash: Hash,
    /// The extrinsic as submitted.
    pub bytes: Vec<u8>,
    /// The decoded signed extrinsic (signer, nonce, era, tip).
    pub xt: SignedExtrinsic,
    /// The call it carries, decoded.
    pub call: RuntimeCall,
    /// Told the hash of the block that includes it (dropped if it never is).
    pub included: Option<oneshot::Sender<Hash>>,
}

/// The node's records beside the chain state: blocks, nonces, pool.
#[derive(Default)]
pub struct Ledger {
    /// The first block sealed; never pruned.
    pub genesis: Option<SealedBlock>,
    /// The last [`BLOCKS_KEPT`] blocks after genesis, oldest first.
    pub recent: VecDeque<SealedBlock>,
    /// Each account's nonce in state: extrinsics of it included so far (`System::Account`).
    pub nonces: BTreeMap<AccountId, u32>,
    /// Extrinsics checked and waiting for the next block, in arrival order.
    pub pool: Vec<Pending>,
}

impl Ledger {
    /// The newest sealed block (genesis before any other).
    pub fn best(&self) -> &SealedBlock {
        self.recent.back().or(self.genesis.as_ref()).expect("the ledger always has a genesis block")
    }

    /// The genesis block's hash.
    pub fn genesis_hash(&self) -> Hash {
        self.genesis.as_ref().expect("genesis").hash
    }

    /// Keep a newly sealed block (the first one pushed is genesis); prunes past
    /// [`BLOCKS_KEPT`].
    pub fn push(&mut self, block: SealedBlock) {
        if self.genesis.is_none() {
            self.genesis = Some(block);
            return;
        }
        self.recent.push_back(block);
        while self.recent.len() > BLOCKS_KEPT {
            self.recent.pop_front();
        }
        // Prune the state that just left the window of the last STATES_KEPT blocks
        // (genesis is the block before `recent[0]`).
        if let Some(old) = self.recent.len().checked_sub(STATES_KEPT + 1).and_then(|i| self.recent.get_mut(i)) {
            old.state = None;
        }
        if self.recent.len() >= STATES_KEPT {
            if let Some(genesis) = self.genesis.as_mut() {
                genesis.state = None;
            }
        }
    }

    /// The block a read names (the best block when `None`) and the state after it.
    pub fn state_at(&self, hash: Option<&Hash>) -> Result<(&SealedBlock, Arc<BlockState>), StateError> {
        let block = self.at(hash).ok_or(StateError::UnknownBlock)?;
        let state = block.state.clone().ok_or(StateError::Discarded)?;
        Ok((block, state))
    }

    /// The block numbered `number`, if still kept.
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

    /// The block hashed `hash`, if still kept.
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

    /// The account's nonce in state, not counting the pool.
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
