//! Per-UID moving-average scores, kept by a validator across rounds and restarts.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::chain::types::AccountId;

/// Why a score book could not be saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScoreBookError {
    /// The file could not be read or written.
    #[error("reading or writing the score file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not a score book's JSON.
    #[error("the score file is not a valid score book: {0}")]
    Format(#[from] serde_json::Error),
    /// The file belongs to another subnet.
    #[error("the score file is for subnet {found}, not {expected}")]
    WrongSubnet {
        /// The netuid asked for.
        expected: u16,
        /// The netuid the file holds.
        found: u16,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Entry {
    hotkey: AccountId,
    score: f64,
}

/// Moving-average score per UID. A UID taken over by a new hotkey starts from 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreBook {
    netuid: u16,
    alpha: f64,
    entries: Vec<Entry>,
}

impl ScoreBook {
    /// An empty book for `netuid`, averaging with factor `alpha` (0 < alpha <= 1).
    pub fn new(netuid: u16, alpha: f64) -> Self {
        Self { netuid, alpha, entries: Vec::new() }
    }

    /// The subnet the scores are for.
    pub fn netuid(&self) -> u16 {
        self.netuid
    }

    /// Follow the metagraph: `hotkeys[uid]` is the hotkey at each UID now.
    pub fn sync(&mut self, hotkeys: &[AccountId]) {
        self.entries.truncate(hotkeys.len());
        for (uid, hotkey) in hotkeys.iter().enumerate() {
            match self.entries.get_mut(uid) {
                Some(e) if e.hotkey == *hotkey => {}
                Some(e) => *e = Entry { hotkey: *hotkey, score: 0.0 },
                None => self.entries.push(Entry { hotkey: *hotkey, score: 0.0 }),
            }
        }
    }

    /// `score = alpha * new + (1 - alpha) * score`. A non-finite score counts as 0 and
    /// scores are kept in [0, 1]. Returns false for a UID the book does not know.
    pub fn update(&mut self, uid: u16, new: f64) -> bool {
        let Some(e) = self.entries.get_mut(uid as usize) else { return false };
        let new = if new.is_finite() { new.clamp(0.0, 1.0) } else { 0.0 };
        e.score = self.alpha * new + (1.0 - self.alpha) * e.score;
        true
    }

    /// The score of `uid`, in [0, 1], or `None` for a UID the book does not know.
    pub fn score(&self, uid: u16) -> Option<f64> {
        self.entries.get(uid as usize).map(|e| e.score)
    }

    /// `(uid, score)` for every UID.
    pub fn scores(&self) -> Vec<(u16, f64)> {
        self.entries.iter().enumerate().map(|(uid, e)| (uid as u16, e.score)).collect()
    }

    /// Write atomically (a temporary file renamed over the old one), so a crash
    /// mid-write never loses the previous scores.
    pub fn save(&self, path: &Path) -> Result<(), ScoreBookError> {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(self)?)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// Read a saved book for `netuid`.
    pub fn load(path: &Path, netuid: u16) -> Result<Self, ScoreBookError> {
        let book: Self = serde_json::from_slice(&std::fs::read(path)?)?;
        if book.netuid != netuid {
            return Err(ScoreBookError::WrongSubnet { expected: netuid, found: book.netuid });
        }
        Ok(book)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hk(i: u8) -> AccountId {
        AccountId([i; 32])
    }

    #[test]
    fn moving_average_and_takeover_reset() {
        let mut b = ScoreBook::new(1, 0.5);
        b.sync(&[hk(1), hk(2)]);
        assert!(b.update(0, 1.0) && b.update(0, 1.0));
        assert_eq!(b.score(0), Some(0.75));
        assert!(b.update(1, f64::NAN));
        assert_eq!(b.score(1), Some(0.0));
        assert!(!b.update(7, 1.0));
        // UID 0 changes hands, UID 2 appears.
        b.sync(&[hk(9), hk(2), hk(3)]);
        assert_eq!(b.scores(), vec![(0, 0.0), (1, 0.0), (2, 0.0)]);
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = std::env::temp_dir().join(format!("scorebook-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("scores.json");
        let mut b = ScoreBook::new(3, 0.1);
        b.sync(&[hk(1), hk(2)]);
        b.update(1, 0.8);
        b.save(&path).unwrap();
        assert_eq!(ScoreBook::load(&path, 3).unwrap(), b);
        assert!(matches!(ScoreBook::load(&path, 4), Err(ScoreBookError::WrongSubnet { .. })));
        std::fs::write(&path, "{broken").unwrap();
        assert!(matches!(ScoreBook::load(&path, 3), Err(ScoreBookError::Format(_))));
        std::fs::remove_dir_all(dir).ok();
    }
}
