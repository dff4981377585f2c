//! What a validator saves after every round and every commit, so a restart loses
//! neither its scores nor a hash-scheme commit waiting for its reveal (the chain only
//! accepts the reveal of weights it saw the hash of, within one epoch).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::incentive::{ScoreBook, ScoreBookError};

/// A hash-scheme commit waiting for its reveal window: what `reveal_weights` (or
/// `reveal_mechanism_weights`) resends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingReveal {
    /// The mechanism committed to (0 in files written before mechanisms).
    #[serde(default)]
    pub mecid: u8,
    /// The UIDs committed.
    pub uids: Vec<u16>,
    /// Their weights, u16 scale.
    pub values: Vec<u16>,
    /// The salt hashed with them.
    pub salt: Vec<u16>,
    /// The version key hashed with them.
    pub version_key: u64,
}

/// The state file: the score book's own fields, plus the pending reveals, one per
/// mechanism committed to (a file written before reveals were saved reads as having
/// none; one written before mechanisms, with a single `pending_reveal`, as that one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedState {
    /// Moving-average scores.
    #[serde(flatten)]
    pub book: ScoreBook,
    /// Commits not revealed yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_reveals: Vec<PendingReveal>,
    /// The single pending reveal of files written before mechanisms; moved into
    /// `pending_reveals` on load.
    #[serde(default, rename = "pending_reveal", skip_serializing)]
    legacy_pending_reveal: Option<PendingReveal>,
}

impl SavedState {
    /// A state of `book` and `pending_reveals`.
    pub fn new(book: ScoreBook, pending_reveals: Vec<PendingReveal>) -> Self {
        Self { book, pending_reveals, legacy_pending_reveal: None }
    }

    /// Write atomically (a temporary file renamed over the old one).
    pub fn save(&self, path: &Path) -> Result<(), ScoreBookError> {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(self)?)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// Read a saved state for `netuid`.
    pub fn load(path: &Path, netuid: u16) -> Result<Self, ScoreBookError> {
        let mut state: Self = serde_json::from_slice(&std::fs::read(path)?)?;
        if let Some(legacy) = state.legacy_pending_reveal.take() {
            state.pending_reveals.insert(0, legacy);
        }
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
        let reveal = PendingReveal { mecid: 0, uids: vec![0, 1], values: vec![100, 65535], salt: vec![7; 8], version_key: 3 };
        let second = PendingReveal { mecid: 1, ..reveal.clone() };
        let state = SavedState::new(book.clone(), vec![reveal.clone(), second]);
        state.save(&path).unwrap();
        assert_eq!(SavedState::load(&path, 2).unwrap(), state);
        assert!(matches!(SavedState::load(&path, 3), Err(ScoreBookError::WrongSubnet { expected: 3, found: 2 })));
        // A score book saved on its own (before this file kept reveals) still loads.
        book.save(&path).unwrap();
        assert_eq!(SavedState::load(&path, 2).unwrap(), SavedState::new(book.clone(), vec![]));
        // A file from before mechanisms: one `pending_reveal`, no `mecid`.
        let mut old = serde_json::to_value(SavedState::new(book.clone(), vec![])).unwrap();
        old["pending_reveal"] = serde_json::json!({ "uids": [0, 1], "values": [100, 65535], "salt": [7, 7, 7, 7, 7, 7, 7, 7], "version_key": 3 });
        std::fs::write(&path, old.to_string()).unwrap();
        assert_eq!(SavedState::load(&path, 2).unwrap(), SavedState::new(book, vec![reveal]));
    }
}
