//! When a subnet's epochs fire, as far as a commit's reveal needs to know.

use super::types::NetUid;

/// How the chain schedules a subnet's epochs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EpochSchedule {
    /// Current Subtensor: an epoch fires `tempo` blocks after the last one
    /// (`should_run_epoch`, anchored on `LastEpochBlock`); the local chain does the same.
    FromLastEpoch {
        /// `LastEpochBlock`.
        last_epoch_block: u64,
    },
    /// Runtimes without `LastEpochBlock` (finney at spec 393): epoch `e` starts at block
    /// `e * (tempo + 1) - (netuid + 1)` (`get_epoch_index`, `get_first_block_of_epoch`).
    Legacy {
        /// The subnet.
        netuid: NetUid,
    },
}

impl EpochSchedule {
    /// Blocks from `block` to the first block of the epoch `reveal_period` epochs after
    /// the one a commit at `block` belongs to: where the chain reveals it.
    pub fn blocks_until_reveal(self, block: u64, tempo: u16, reveal_period: u64) -> u64 {
        let tempo = tempo as u64;
        match self {
            EpochSchedule::FromLastEpoch { last_epoch_block } => {
                let next_epoch = (last_epoch_block + tempo).saturating_sub(block).max(1);
                next_epoch + reveal_period.saturating_sub(1) * tempo
            }
            EpochSchedule::Legacy { netuid } => {
                let (period, offset) = (tempo + 1, netuid as u64 + 1);
                let epoch = (block + offset) / period;
                ((epoch + reveal_period) * period).saturating_sub(offset).saturating_sub(block)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_last_epoch_counts_to_the_next_fire_then_whole_tempos() {
        let s = EpochSchedule::FromLastEpoch { last_epoch_block: 100 };
        assert_eq!(s.blocks_until_reveal(100, 10, 1), 10);
        assert_eq!(s.blocks_until_reveal(107, 10, 1), 3);
        assert_eq!(s.blocks_until_reveal(107, 10, 3), 23);
        // An epoch already due fires with the next block.
        assert_eq!(s.blocks_until_reveal(115, 10, 1), 1);
    }

    #[test]
    fn legacy_follows_the_block_number_formula() {
        // tempo 360, netuid 1: epochs start at blocks 359, 720, 1081, ...
        let s = EpochSchedule::Legacy { netuid: 1 };
        assert_eq!(s.blocks_until_reveal(359, 360, 1), 361);
        assert_eq!(s.blocks_until_reveal(500, 360, 1), 220);
        assert_eq!(s.blocks_until_reveal(500, 360, 2), 581);
    }
}
