//! A node's state directory: the chain survives a crash (`kill -9`), not only Ctrl-C.
//!
//! Two files, written after every sealed block while the state lock is held, so
//! they always describe the same chain:
//! - `blocks.log`: each sealed block (header, extrinsics, events) appended as a
//!   record `u32 length ++ SCALE`; a torn last record (killed mid-write) is cut off
//!   at the next start.
//! - `node.json`: the chain state, nonces and best block number after the last
//!   block, replaced atomically (write a temporary file, then rename).
//!
//! The block is appended before the state is replaced; a start keeps the blocks up
//! to the state's best block, so a kill between the two loses that one block only.
//! Nothing is `fsync`ed: a killed process loses nothing the kernel has, a power cut
//! may lose more.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codec::{Decode, Encode};

use super::ledger::{SealedBlock, BLOCKS_KEPT};
use super::system::Header;
use super::NodeState;
use crate::chain::local::LocalChain;
use crate::chain::AccountId;

const BLOCKS_FILE: &str = "blocks.log";
const STATE_FILE: &str = "node.json";

/// The saved state after the best block.
#[derive(serde::Serialize, serde::Deserialize)]
struct SavedState {
    best: u32,
    nonces: Vec<(AccountId, u32)>,
    chain: LocalChain,
}

/// What a state directory held at start.
pub struct Restored {
    /// The chain state after the best block.
    pub chain: LocalChain,
    /// Account nonces after the best block.
    pub nonces: BTreeMap<AccountId, u32>,
    /// Genesis first, then the blocks after it, oldest first, up to the best block.
    pub blocks: Vec<SealedBlock>,
}

/// An open state directory; [`BlockStore::record`] after each sealed block.
pub struct BlockStore {
    dir: PathBuf,
    log: File,
    /// Records in the log (compacted past twice [`BLOCKS_KEPT`]).
    records: usize,
}

fn invalid(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why)
}

fn encode_record(block: &SealedBlock) -> Vec<u8> {
    let body = (&block.header, &block.extrinsics, &block.events).encode();
    let mut record = (body.len() as u32).to_le_bytes().to_vec();
    record.extend_from_slice(&body);
    record
}

/// The whole records of a log and the length they span; a torn or undecodable
/// tail is left out.
fn read_records(bytes: &[u8]) -> (Vec<SealedBlock>, usize) {
    let mut blocks = Vec::new();
    let mut at = 0;
    while let Some(len) = bytes.get(at..at + 4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize) {
        let Some(mut body) = bytes.get(at + 4..at + 4 + len) else { break };
        let Ok((header, extrinsics, events)) = <(Header, Vec<Vec<u8>>, Vec<u8>)>::decode(&mut body) else { break };
        blocks.push(SealedBlock { hash: header.hash(), header, extrinsics: Arc::new(extrinsics), events: Arc::new(events), state: None });
        at += 4 + len;
    }
    (blocks, at)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

impl BlockStore {
    /// Open `dir` (created if missing). `None` when it holds no chain yet: the caller
    /// starts a new one and records its genesis.
    pub fn open(dir: &Path) -> io::Result<(Self, Option<Restored>)> {
        std::fs::create_dir_all(dir)?;
        let state_path = dir.join(STATE_FILE);
        let log_path = dir.join(BLOCKS_FILE);
        let restored = if state_path.exists() {
            let saved: SavedState =
                serde_json::from_str(&std::fs::read_to_string(&state_path)?).map_err(|e| invalid(format!("{}: {e}", state_path.display())))?;
            let mut bytes = Vec::new();
            File::open(&log_path)?.read_to_end(&mut bytes)?;
            let (mut blocks, _) = read_records(&bytes);
            // Blocks past the saved state were sealed but their state was not saved.
            blocks.retain(|b| b.header.number <= saved.best);
            match blocks.last() {
                Some(last) if last.header.number == saved.best => {}
                _ => return Err(invalid(format!("{}: no block {} to match the saved state", log_path.display(), saved.best))),
            }
            // Rewrite the log to exactly these blocks (drops a torn tail or a block
            // whose state was lost), so appends continue from a clean end.
            let kept: Vec<u8> = blocks.iter().flat_map(encode_record).collect();
            write_atomically(&log_path, &kept)?;
            Some(Restored { chain: saved.chain, nonces: saved.nonces.into_iter().collect(), blocks })
        } else {
            // No state yet: any log is from a start that died before its first save.
            std::fs::write(&log_path, [])?;
            None
        };
        let records = restored.as_ref().map_or(0, |r| r.blocks.len());
        let log = OpenOptions::new().append(true).open(&log_path)?;
        Ok((Self { dir: dir.to_path_buf(), log, records }, restored))
    }

    /// Save a newly sealed block and the state after it.
    pub fn record(&mut self, block: &SealedBlock, state: &NodeState) -> io::Result<()> {
        self.log.write_all(&encode_record(block))?;
        self.records += 1;
        let saved =
            SavedState { best: block.header.number, nonces: state.ledger.nonces.iter().map(|(k, v)| (*k, *v)).collect(), chain: state.chain.clone() };
        let json = serde_json::to_vec(&saved).map_err(|e| invalid(e.to_string()))?;
        write_atomically(&self.dir.join(STATE_FILE), &json)?;
        if self.records > 2 * BLOCKS_KEPT + 1 {
            self.compact(state)?;
        }
        Ok(())
    }

    /// Keep genesis and the blocks the ledger keeps; the log stops growing.
    fn compact(&mut self, state: &NodeState) -> io::Result<()> {
        let ledger = &state.ledger;
        let kept: Vec<u8> = ledger.genesis.iter().chain(ledger.recent.iter()).flat_map(encode_record).collect();
        let path = self.dir.join(BLOCKS_FILE);
        write_atomically(&path, &kept)?;
        self.log = OpenOptions::new().append(true).open(&path)?;
        self.records = 1 + ledger.recent.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(number: u32) -> SealedBlock {
        let header = Header { parent_hash: [number as u8; 32], number, state_root: [0; 32], extrinsics_root: [0; 32], digest: vec![] };
        SealedBlock { hash: header.hash(), header, extrinsics: Arc::new(vec![vec![1, 2, 3]]), events: Arc::new(vec![0]), state: None }
    }

    #[test]
    fn a_torn_record_is_left_out() {
        let mut bytes: Vec<u8> = [block(0), block(1)].iter().flat_map(encode_record).collect();
        let whole = bytes.len();
        bytes.extend_from_slice(&encode_record(&block(2))[..7]);
        let (blocks, len) = read_records(&bytes);
        assert_eq!(blocks.iter().map(|b| b.header.number).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(len, whole);
        assert_eq!(blocks[1].hash, block(1).hash);
    }

    #[test]
    fn a_bad_length_stops_reading_without_panicking() {
        let mut bytes = encode_record(&block(0));
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        bytes.extend_from_slice(&[0; 16]);
        assert_eq!(read_records(&bytes).0.len(), 1);
    }
}
