//! The served local chain: the embedded [`LocalChain`] behind a Substrate-style node,
//! so the very client that talks to Subtensor (subxt) talks to it too.
//!
//! - [`system`]: FRAME types (headers, accounts, events, dispatch errors) in SCALE.
//! - [`pallets`]: `SubtensorModule`, `AdminUtils`, `Balances` calls, events and errors
//!   with Subtensor's names and indices, and their dispatch to the local chain.
//! - [`metadata`]: runtime metadata V15 describing them (`scale-info`, `frame-metadata`),
//!   with Subtensor's type paths ([`type_paths`]) and transaction extensions ([`extensions`]).
//! - [`extrinsic`]: signed extrinsics: decoding and the pool's checks.
//! - [`ledger`]: sealed blocks, the state after each recent one, pool, nonces.
//! - [`persist`]: the state directory that survives a crash (`kill -9`).
//! - [`storage`] and [`runtime_api`]: what `state_getStorage` and `state_call` answer.
//! - [`rpc`]: the JSON-RPC server (`jsonrpsee`).
//!
//! Differences from a real node, on purpose: one author and instant finality (every
//! block is final when sealed); no fees; state and extrinsics roots are digests, not
//! trie roots; extrinsics with a future nonce are refused instead of waiting in the
//! pool. Reads at a block see that block's state for the last
//! [`ledger::STATES_KEPT`] blocks, as a pruning node does.

pub mod commitments;
pub mod drand;
pub mod extensions;
pub mod extrinsic;
pub mod ledger;
pub mod metadata;
pub mod pallets;
pub mod persist;
pub mod rpc;
pub mod runtime_api;
pub mod shield;
pub mod storage;
pub mod system;
pub mod type_paths;
pub mod upgrade;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use codec::{Decode, Encode};
use tokio::sync::{broadcast, oneshot};

use self::extrinsic::{Implicit, InvalidTransaction, SignedExtrinsic, TxError};
use self::ledger::{extrinsics_root, BlockState, Ledger, Pending, SealedBlock, StateError};
use self::pallets::{RuntimeCall, RuntimeEvent};
use self::persist::BlockStore;
use self::system::{EventRecord, Hash, Header, Phase};
use super::local::{BlockMode, LocalChain};
use super::AccountId;

pub use rpc::RunningNode;

/// The chain state and the node's own records, changed together under one lock.
pub struct NodeState {
    /// The chain's storage and extrinsic logic.
    pub chain: LocalChain,
    /// Sealed blocks, the pool and account nonces: what a node adds to the chain state.
    pub ledger: Ledger,
    /// Where each sealed block is saved, if the node has a state directory.
    store: Option<BlockStore>,
}

impl NodeState {
    /// The state as it is now, kept with the block just sealed.
    fn block_state(&self) -> Arc<BlockState> {
        Arc::new(BlockState::new(self.chain.clone(), self.ledger.nonces.clone()))
    }

    /// Keep a sealed block with the state after it, and save both if persistent.
    fn push_block(&mut self, mut block: SealedBlock) {
        block.state = Some(self.block_state());
        self.ledger.push(block.clone());
        if let Some(mut store) = self.store.take() {
            if let Err(e) = store.record(&block, self) {
                // The node goes on serving; the directory holds the chain up to the
                // last block it could save.
                tracing::error!("saving block {} to the state directory: {e}", block.header.number);
            }
            self.store = Some(store);
        }
    }
}

/// Each runtime the node has run, with the first block it runs, oldest first.
type Runtimes = Vec<(u64, Arc<runtime_api::RuntimeInfo>)>;

/// A local Subtensor-like node; cheap to clone (shared state).
#[derive(Clone)]
pub struct LocalNode {
    state: Arc<Mutex<NodeState>>,
    heads: broadcast::Sender<Header>,
    mode: BlockMode,
    /// The runtime upgrades (see [`upgrade`]).
    runtimes: Arc<RwLock<Runtimes>>,
}

impl LocalNode {
    /// A node over `chain`, sealing its genesis block at the chain's current block.
    pub fn new(chain: LocalChain, mode: BlockMode) -> Self {
        Self::with_nonces(chain, mode, Default::default(), None)
    }

    fn with_nonces(chain: LocalChain, mode: BlockMode, nonces: std::collections::BTreeMap<AccountId, u32>, genesis: Option<(u32, Hash)>) -> Self {
        // A restored node rebuilds its original genesis header (number and state
        // root are saved), so its genesis hash, which signers sign, is unchanged.
        let (genesis_number, genesis_state_root) =
            genesis.unwrap_or_else(|| (chain.block() as u32, sp_crypto_hashing::blake2_256(chain.snapshot().as_bytes())));
        let header = Header {
            parent_hash: [0; 32],
            number: genesis_number,
            state_root: genesis_state_root,
            extrinsics_root: extrinsics_root(&[]),
            digest: vec![],
        };
        let genesis =
            SealedBlock { hash: header.hash(), header, extrinsics: Arc::default(), events: Arc::new(Vec::<u8>::new().encode()), state: None };
        Self::from_blocks(chain, mode, nonces, vec![genesis], None)
    }

    /// A node whose ledger holds `blocks` (genesis first) and whose state is the one
    /// after the last of them.
    fn from_blocks(
        chain: LocalChain,
        mode: BlockMode,
        nonces: std::collections::BTreeMap<AccountId, u32>,
        blocks: Vec<SealedBlock>,
        store: Option<BlockStore>,
    ) -> Self {
        let mut state = NodeState { chain, ledger: Ledger { nonces, ..Default::default() }, store: None };
        let last = blocks.len() - 1;
        for (i, mut block) in blocks.into_iter().enumerate() {
            if i == last {
                block.state = Some(state.block_state());
            }
            state.ledger.push(block);
        }
        state.store = store;
        let (heads, _) = broadcast::channel(1024);
        let runtimes = Arc::new(RwLock::new(vec![(0, Arc::new(runtime_api::RuntimeInfo::new()))]));
        Self { state: Arc::new(Mutex::new(state)), heads, mode, runtimes }
    }

    /// A node saving every block to `dir` and restarting from it: the chain it held
    /// if `dir` has one (after a crash too), otherwise a new chain from `genesis`.
    pub fn open(dir: &Path, mode: BlockMode, genesis: impl FnOnce() -> LocalChain) -> std::io::Result<Self> {
        let (store, restored) = BlockStore::open(dir)?;
        Ok(match restored {
            Some(r) => Self::from_blocks(r.chain, mode, r.nonces, r.blocks, Some(store)),
            None => {
                let node = Self::new(genesis(), mode);
                {
                    let mut state = node.lock();
                    let genesis = state.ledger.genesis.clone().expect("a new node has its genesis");
                    let mut store = store;
                    store.record(&genesis, &state)?;
                    state.store = Some(store);
                }
                node
            }
        })
    }

    /// The block a read names (the best block when `None`) and the state after it.
    pub fn state_at(&self, hash: Option<&Hash>) -> Result<(SealedBlock, Arc<BlockState>), StateError> {
        let state = self.lock();
        state.ledger.state_at(hash).map(|(block, at)| (block.clone(), at))
    }

    /// How blocks are sealed (instantly after each extrinsic, or on a timer).
    pub fn mode(&self) -> BlockMode {
        self.mode
    }

    /// The runtime of the best block: its version and metadata (V14 and V15).
    pub fn runtime(&self) -> Arc<runtime_api::RuntimeInfo> {
        let best = self.lock().ledger.best().number();
        self.runtime_at(best)
    }

    /// The runtime block `number` runs (the last one enacted at or before it).
    pub fn runtime_at(&self, number: u64) -> Arc<runtime_api::RuntimeInfo> {
        let runtimes = self.runtimes.read().unwrap_or_else(|p| p.into_inner());
        let at = runtimes.iter().rev().find(|(first, _)| *first <= number).unwrap_or(&runtimes[0]);
        at.1.clone()
    }

    /// A runtime upgrade, as `System::set_code` makes one: blocks from the next one
    /// sealed run `runtime` (its spec version and metadata). A dev hook for tests; a
    /// node restarted from its state directory serves its built-in runtime again.
    pub fn upgrade_runtime(&self, runtime: runtime_api::RuntimeInfo) {
        let next = self.lock().ledger.best().number() + 1;
        let mut runtimes = self.runtimes.write().unwrap_or_else(|p| p.into_inner());
        runtimes.retain(|(first, _)| *first < next);
        runtimes.push((next, Arc::new(runtime)));
    }

    /// This node with `runtime` from genesis on instead of its built-in one (a dev hook
    /// for tests of an older or newer runtime).
    pub fn with_runtime(self, runtime: runtime_api::RuntimeInfo) -> Self {
        *self.runtimes.write().unwrap_or_else(|p| p.into_inner()) = vec![(0, Arc::new(runtime))];
        self
    }

    /// The state, for reads by tools and tests. Do not hold across awaits.
    pub fn lock(&self) -> MutexGuard<'_, NodeState> {
        // Every extrinsic validates before it mutates, so a poisoned lock still
        // guards consistent state.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// New block headers as they are sealed (`chain_subscribeNewHeads`).
    pub fn subscribe_heads(&self) -> broadcast::Receiver<Header> {
        self.heads.subscribe()
    }

    /// The hash of the node's genesis block (the first it sealed), which signed
    /// extrinsics commit to.
    pub fn genesis_hash(&self) -> Hash {
        self.lock().ledger.genesis_hash()
    }

    /// The pool's checks; a valid extrinsic waits for the next block (sealed at
    /// once in instant mode). The receiver learns the hash of the including block.
    pub fn submit(&self, bytes: &[u8]) -> Result<(Hash, oneshot::Receiver<Hash>), TxError> {
        let hash = sp_crypto_hashing::blake2_256(bytes);
        let receiver = {
            let mut state = self.lock();
            if state.ledger.pool.iter().any(|p| p.hash == hash) {
                return Err(TxError::AlreadyImported);
            }
            // Checked as the block being built (best + 1) will apply it.
            let runtime = self.runtime_at(state.ledger.best().number() + 1);
            let (xt, call) = check_signed(&state, &runtime, bytes)?;
            let account = AccountId(xt.signer);
            let nonce = xt.explicit.nonce;
            if nonce < state.ledger.state_nonce(&account) {
                return Err(TxError::Invalid(InvalidTransaction::Stale));
            }
            if nonce < state.ledger.next_nonce(&account) {
                return Err(TxError::TooLowPriority);
            }
            if nonce > state.ledger.next_nonce(&account) {
                return Err(TxError::Invalid(InvalidTransaction::Future));
            }
            let (tx, rx) = oneshot::channel();
            state.ledger.pool.push(Pending { hash, bytes: bytes.to_vec(), xt, call, included: Some(tx) });
            rx
        };
        if self.mode == BlockMode::Instant {
            self.seal_blocks(1);
        }
        Ok((hash, receiver))
    }

    /// Seal `n` blocks, the first including the whole pool; returns the last hash.
    pub fn seal_blocks(&self, n: u64) -> Hash {
        let mut last = [0; 32];
        for _ in 0..n.max(1) {
            let (header, included) = {
                let mut state = self.lock();
                let runtime = self.runtime_at(state.ledger.best().number() + 1);
                seal_one(&mut state, &runtime)
            };
            last = header.hash();
            for (notify, _) in included {
                let _ = notify.send(last);
            }
            let _ = self.heads.send(header);
        }
        last
    }

    /// With [`BlockMode::Timed`], seal a block every interval until the task is
    /// aborted. `None` in other modes.
    pub fn spawn_block_producer(&self) -> Option<tokio::task::JoinHandle<()>> {
        let BlockMode::Timed(interval) = self.mode else { return None };
        let this = self.clone();
        Some(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval.max(Duration::from_millis(1)));
            ticker.tick().await;
            loop {
                ticker.tick().await;
                this.seal_blocks(1);
            }
        }))
    }

    /// The chain state, nonces and genesis hash, as JSON (see [`LocalNode::restore`]).
    pub fn snapshot(&self) -> String {
        let state = self.lock();
        let genesis = &state.ledger.genesis.as_ref().expect("genesis").header;
        let saved = SavedNode {
            genesis_number: genesis.number,
            genesis_state_root: genesis.state_root,
            nonces: state.ledger.nonces.iter().map(|(k, v)| (*k, *v)).collect(),
            chain: state.chain.snapshot(),
        };
        serde_json::to_string(&saved).expect("a node snapshot serialises")
    }

    /// A node from a [`LocalNode::snapshot`], with its original genesis hash.
    pub fn restore(json: &str, mode: BlockMode) -> Result<Self, String> {
        let saved: SavedNode = serde_json::from_str(json).map_err(|e| format!("node snapshot: {e}"))?;
        let chain = LocalChain::restore(&saved.chain).map_err(|e| format!("chain snapshot: {e}"))?;
        Ok(Self::with_nonces(chain, mode, saved.nonces.into_iter().collect(), Some((saved.genesis_number, saved.genesis_state_root))))
    }

    /// Save a snapshot to `path`.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.snapshot())
    }

    /// Load a snapshot from `path`, sealing blocks in `mode`.
    pub fn load(path: &Path, mode: BlockMode) -> std::io::Result<Self> {
        let json = std::fs::read_to_string(path)?;
        Self::restore(&json, mode).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SavedNode {
    genesis_number: u32,
    genesis_state_root: Hash,
    nonces: Vec<(AccountId, u32)>,
    chain: String,
}

/// Decode a signed extrinsic and check its signature, as if in the block being built
/// (best + 1, as `Executive` validates).
fn check_signed(state: &NodeState, runtime: &runtime_api::RuntimeInfo, bytes: &[u8]) -> Result<(SignedExtrinsic, RuntimeCall), TxError> {
    let xt = extrinsic::decode(bytes)?;
    let call = decode_call(&xt.call)?;
    let best = state.ledger.best().number();
    let birth = xt.explicit.era.birth(best + 1);
    let birth_hash = state.ledger.by_number(birth).map(|b| b.hash).unwrap_or([0; 32]);
    let implicit = Implicit {
        spec_version: runtime.version.spec_version,
        transaction_version: runtime.version.transaction_version,
        genesis_hash: state.ledger.genesis_hash(),
        birth_hash,
    };
    xt.verify(&implicit)?;
    Ok((xt, call))
}

/// The extrinsic inside a `MevShield::submit_encrypted` carrier, decrypted and
/// checked as the pool checks one (`pallet_shield::try_unshield_tx`); `None` when it
/// is not for this node's key, does not decrypt, or is not a valid signed extrinsic.
/// Its nonce is checked when it is applied, after the carrier's.
fn unshielded(state: &NodeState, runtime: &runtime_api::RuntimeInfo, ciphertext: &[u8]) -> Option<Pending> {
    let bytes = shield::unshield(ciphertext)?;
    let (xt, call) = check_signed(state, runtime, &bytes).ok()?;
    Some(Pending { hash: sp_crypto_hashing::blake2_256(&bytes), bytes, xt, call, included: None })
}

fn decode_call(bytes: &[u8]) -> Result<RuntimeCall, TxError> {
    let input = &mut &bytes[..];
    let call = RuntimeCall::decode(input).map_err(|e| TxError::BadFormat(format!("Could not decode `RuntimeCall`: {e}")))?;
    if !input.is_empty() {
        return Err(TxError::BadFormat("trailing bytes after the call".into()));
    }
    Ok(call)
}

type Included = Vec<(oneshot::Sender<Hash>, Hash)>;

/// One block as Substrate's `Executive` builds it: the block's initialisation
/// (Subtensor's `on_initialize` runs epochs) then each extrinsic, nonce first.
fn seal_one(state: &mut NodeState, runtime: &runtime_api::RuntimeInfo) -> (Header, Included) {
    let parent = state.ledger.best().hash;
    let number = state.chain.produce_blocks(1);
    let mut records: Vec<EventRecord<RuntimeEvent>> = state
        .chain
        .block_events()
        .iter()
        .map(|e| EventRecord { phase: Phase::Initialization, event: pallets::block_event(e), topics: vec![] })
        .collect();
    let mut queue: std::collections::VecDeque<Pending> = std::mem::take(&mut state.ledger.pool).into();
    let mut extrinsics = Vec::new();
    let mut included = Vec::new();
    while let Some(mut pending) = queue.pop_front() {
        let account = AccountId(pending.xt.signer);
        if pending.xt.explicit.nonce != state.ledger.state_nonce(&account) {
            continue; // stale by now: dropped, its watcher sees the channel close
        }
        *state.ledger.nonces.entry(account).or_insert(0) += 1;
        let index = extrinsics.len() as u32;
        let phase = Phase::ApplyExtrinsic(index);
        let shielded = match &pending.call {
            RuntimeCall::MevShield(pallets::ShieldCall::submit_encrypted { ciphertext }) => Some(ciphertext.0.clone()),
            _ => None,
        };
        for event in pallets::dispatch(&mut state.chain, account, pending.call) {
            records.push(EventRecord { phase, event, topics: vec![] });
        }
        // The author includes the decrypted extrinsic right after its carrier.
        if let Some(inner) = shielded.and_then(|c| unshielded(state, runtime, &c)) {
            queue.push_front(inner);
        }
        extrinsics.push(pending.bytes);
        if let Some(notify) = pending.included.take() {
            included.push((notify, pending.hash));
        }
    }
    let events = records.encode();
    let mut root_input = parent.to_vec();
    root_input.extend_from_slice(&number.to_le_bytes());
    root_input.extend_from_slice(&events);
    let header = Header {
        parent_hash: parent,
        number: number as u32,
        // Not a trie root (see module docs): a digest of what changed the state.
        state_root: sp_crypto_hashing::blake2_256(&root_input),
        extrinsics_root: extrinsics_root(&extrinsics),
        digest: vec![],
    };
    state.push_block(SealedBlock {
        hash: header.hash(),
        header: header.clone(),
        extrinsics: Arc::new(extrinsics),
        events: Arc::new(events),
        state: None,
    });
    (header, included)
}
