//! `pallet_drand` (index 26) as clients read it: `BeaconConfig` (the local beacon's
//! key in quicknet's configuration shape), `LastStoredRound`, `OldestStoredRound` and
//! `Pulses`. The pulses are written by the chain at each block (see
//! `chain::local::DrandState`); on finney an offchain worker writes them.

use scale_info::TypeInfo;

use super::commitments::BoundedVec;
use crate::chain::local::{DrandState, DRAND_GENESIS_TIME, DRAND_PERIOD_SECS};

/// `Drand`'s index in Subtensor's `construct_runtime!`.
pub const DRAND_PALLET_INDEX: u8 = 26;

/// How many of the newest pulses the node's storage shows (the chain can sign any
/// stored round; the view is kept small because each entry is a BLS signature).
pub const PULSES_SHOWN: u64 = 8;

// `pallet_drand::types::BeaconConfiguration`.
#[allow(missing_docs)]
#[derive(codec::Encode, TypeInfo)]
pub struct BeaconConfiguration {
    pub public_key: BoundedVec<u8>,
    pub period: u32,
    pub genesis_time: u32,
    pub hash: BoundedVec<u8>,
    pub group_hash: BoundedVec<u8>,
    pub scheme_id: BoundedVec<u8>,
    pub metadata: BeaconMetadata,
}

// `pallet_drand::types::Metadata`.
#[allow(missing_docs)]
#[derive(codec::Encode, TypeInfo)]
pub struct BeaconMetadata {
    pub beacon_id: BoundedVec<u8>,
}

// `pallet_drand::types::Pulse`.
#[allow(missing_docs)]
#[derive(codec::Encode, TypeInfo)]
pub struct Pulse {
    pub round: u64,
    pub randomness: BoundedVec<u8>,
    pub signature: BoundedVec<u8>,
}

/// The local beacon's configuration: its key, quicknet's period and genesis, its
/// scheme (`bls-unchained-g1-rfc9380`, as quicknet's) and a hash naming it.
pub fn beacon_config(drand: &DrandState) -> BeaconConfiguration {
    let hash = sp_crypto_hashing::sha2_256(drand.public_key()).to_vec();
    BeaconConfiguration {
        public_key: BoundedVec(drand.public_key().to_vec()),
        period: DRAND_PERIOD_SECS,
        genesis_time: DRAND_GENESIS_TIME,
        hash: BoundedVec(hash.clone()),
        group_hash: BoundedVec(hash),
        scheme_id: BoundedVec(b"bls-unchained-g1-rfc9380".to_vec()),
        metadata: BeaconMetadata { beacon_id: BoundedVec(b"local".to_vec()) },
    }
}

/// The newest [`PULSES_SHOWN`] pulses.
pub fn recent_pulses(drand: &DrandState) -> Vec<Pulse> {
    let last = drand.last_stored_round;
    let first = last.saturating_sub(PULSES_SHOWN - 1).max(drand.oldest_stored_round);
    (first..=last)
        .filter_map(|round| drand.pulse(round))
        .map(|p| Pulse { round: p.round, randomness: BoundedVec(p.randomness.to_vec()), signature: BoundedVec(p.signature) })
        .collect()
}
