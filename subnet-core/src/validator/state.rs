//! What a validator saves after every round and every commit, so a restart loses
//! neither its scores nor a hash-scheme commit waiting for its reveal (the chain only
//! accepts the reveal of weights it saw the hash of, within one epoch).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::incentive::{ScoreBook, ScoreBookError};

/// A hash-scheme commit waiting for its reveal window: what `reveal_weights` resends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingReveal {
    /// The UIDs committed.
    pub uids: Vec<u16>,
    /// Their weights, u16 scale.
    pub values: Vec<u16>,
    /// The salt hashed with them.
    pub salt: Vec<u16>,
    /// The version key hashed with them.
    pub version_key: u64,
}

/// The state file: the score book's own fields, plus the pending reveal if any (a file
/// written before reveals were saved reads as having none).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedState {
    /// Moving-average scores.
    #[serde(flatten)]
    pub book: ScoreBook,
    /// A commit not revealed yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_reveal: Option<PendingReveal>,
}

impl SavedState {
    /// Write atomically (a temporary file renamed over the old one).
    pub fn save(&self, path: &Path) -> Result<(), ScoreBookError> {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(self)?)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// Read a saved state for `netuid`.
    pub fn load(path: &Path, netuid: u16) -> Result<Self, ScoreBookError> {
        let state: Self = serde_json::from_slice(&std::fs::read(path)?)?;
        if state.book.netuid() != netuid {
            return Err(ScoreBookError::WrongSubnet { expected: netuid, found: state.book.netuid() });
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::AccountId;

    #[test]
    fn a_pending_reveal_survives_save_and_load_and_old_files_still_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut book = ScoreBook::new(2, 0.1);
        book.sync(&[AccountId([1; 32]), AccountId([2; 32])]);
        book.update(1, 0.5);
        let reveal = PendingReveal { uids: vec![0, 1], values: vec![100, 65535], salt: vec![7; 8], version_key: 3 };
        let state = SavedState { book: book.clone(), pending_reveal: Some(reveal) };
        state.save(&path).unwrap();
        assert_eq!(SavedState::load(&path, 2).unwrap(), state);
        assert!(matches!(SavedState::load(&path, 3), Err(ScoreBookError::WrongSubnet { expected: 3, found: 2 })));
        // A score book saved on its own (before this file kept reveals) still loads.
        book.save(&path).unwrap();
        assert_eq!(SavedState::load(&path, 2).unwrap(), SavedState { book, pending_reveal: None });
    }
}
