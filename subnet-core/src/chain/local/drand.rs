//! The local chain's drand pallet (`pallets/drand`): a beacon of its own whose public
//! key sits in `BeaconConfig` where a client reads it (on finney that storage holds
//! quicknet's key, so a validator encrypts the same way on both chains), and its
//! pulses, one per round, available once the chain's time has reached the round.
//!
//! Time is virtual: block `b` is `genesis + b * BLOCK_TIME_SECS`, and the beacon's
//! genesis is the chain's, so every block stores `BLOCK_TIME_SECS / period` new
//! rounds (4 with quicknet's 3 s period), as finney's offchain worker does in real
//! time. A pulse's signature is a pure function of the beacon key and the round, so
//! the chain computes it when asked instead of storing every round.

use serde::{Deserialize, Serialize};

use crate::drand::LocalBeacon;

/// Seconds per block, as on finney (`prod_or_fast!(12000, 250)` ms in Subtensor's runtime).
pub const BLOCK_TIME_SECS: u64 = 12;
/// The beacon's period, seconds: quicknet's.
pub const DRAND_PERIOD_SECS: u32 = 3;
/// The local chain's genesis (and its beacon's), unix seconds: quicknet's genesis,
/// so rounds here are of the same magnitude as finney's.
pub const DRAND_GENESIS_TIME: u32 = 1_692_803_367;

/// The drand state the local chain keeps: the beacon's secret seed (a dev chain's,
/// known to anyone who reads this file, like the dev accounts' keys) and how far its
/// pulses have been stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrandState {
    seed: [u8; 32],
    public_key: Vec<u8>,
    /// `LastStoredRound`.
    pub last_stored_round: u64,
    /// `OldestStoredRound`: the first round stored (the chain keeps them all).
    pub oldest_stored_round: u64,
}

/// A pulse as `pallet_drand::Pulses` stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pulse {
    /// The round.
    pub round: u64,
    /// sha256 of the signature (drand's randomness).
    pub randomness: [u8; 32],
    /// The BLS signature on the round, compressed G1 (48 bytes).
    pub signature: Vec<u8>,
}

impl Default for DrandState {
    fn default() -> Self {
        Self::from_seed(dev_seed())
    }
}

/// The dev beacon's seed: blake2 of a fixed name, like the dev accounts' keys.
fn dev_seed() -> [u8; 32] {
    sp_crypto_hashing::blake2_256(b"subnet-local-chain/drand-beacon")
}

impl DrandState {
    /// A beacon keyed by `seed`, no pulse stored yet.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let public_key = LocalBeacon::from_seed(seed).public_key().to_vec();
        Self { seed, public_key, last_stored_round: 0, oldest_stored_round: 0 }
    }

    /// The beacon's public key (compressed G2, 96 bytes), as `BeaconConfig` holds it.
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The round whose pulse the beacon has published by unix time `secs` (0 before
    /// genesis): drand's `round = (t - genesis) / period + 1`.
    pub fn round_at(secs: u64) -> u64 {
        let genesis = DRAND_GENESIS_TIME as u64;
        if secs < genesis {
            return 0;
        }
        (secs - genesis) / DRAND_PERIOD_SECS as u64 + 1
    }

    /// Block `block`'s time, unix seconds.
    pub fn block_time(block: u64) -> u64 {
        DRAND_GENESIS_TIME as u64 + block * BLOCK_TIME_SECS
    }

    /// Store the pulses published by `block`'s time (pallet_drand's `write_pulse`, run
    /// at every block on finney by its offchain worker).
    pub fn on_block(&mut self, block: u64) {
        let round = Self::round_at(Self::block_time(block));
        if self.oldest_stored_round == 0 && round > 0 {
            self.oldest_stored_round = round.max(1);
        }
        self.last_stored_round = self.last_stored_round.max(round);
    }

    /// `Pulses(round)`: the pulse, once stored.
    pub fn pulse(&self, round: u64) -> Option<Pulse> {
        if round == 0 || round < self.oldest_stored_round || round > self.last_stored_round {
            return None;
        }
        let signature = LocalBeacon::from_seed(self.seed).sign_round(round).to_vec();
        let randomness = sp_crypto_hashing::sha2_256(&signature);
        Some(Pulse { round, randomness, signature })
    }
}
