//! What a commit-reveal v4 commit encrypts: Subtensor's `WeightsTlockPayload`
//! (`pallets/subtensor/src/coinbase/reveal_commits.rs`), SCALE-encoded.

use codec::{Decode, Encode};
use rand::{CryptoRng, RngCore};

use super::{tlock, TlockError};

/// The weights a validator commits, as the chain decodes them on reveal.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct WeightsTlockPayload {
    /// The committer's hotkey as its SCALE-encoded `AccountId` (the 32 public-key
    /// bytes); the chain drops the commit unless it decodes to the committer.
    pub hotkey: Vec<u8>,
    /// UIDs weighted.
    pub uids: Vec<u16>,
    /// Their weights, as `set_weights` takes them (u16, normalised by the chain).
    pub values: Vec<u16>,
    /// The subnet's weights version key.
    pub version_key: u64,
}

impl WeightsTlockPayload {
    /// The payload of `hotkey`'s weights.
    pub fn new(hotkey: [u8; 32], uids: Vec<u16>, values: Vec<u16>, version_key: u64) -> Self {
        WeightsTlockPayload { hotkey: hotkey.to_vec(), uids, values, version_key }
    }

    /// The SCALE bytes that are encrypted.
    pub fn to_plaintext(&self) -> Vec<u8> {
        self.encode()
    }

    /// Decode a decrypted payload (trailing bytes ignored, as the chain's `decode`).
    pub fn from_plaintext(mut bytes: &[u8]) -> Result<Self, codec::Error> {
        Self::decode(&mut bytes)
    }
}

/// The payload before the hotkey was added (Subtensor's `LegacyWeightsTlockPayload`):
/// the chain still reveals it when a commit does not decode as the current one.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct LegacyWeightsTlockPayload {
    /// UIDs weighted.
    pub uids: Vec<u16>,
    /// Their weights.
    pub values: Vec<u16>,
    /// The subnet's weights version key.
    pub version_key: u64,
}

/// One commit's `commit` argument for `commit_timelocked_weights`: the payload encoded
/// and encrypted to `reveal_round` of the beacon `public_key`.
pub fn encrypt_weights(
    public_key: &[u8],
    reveal_round: u64,
    payload: &WeightsTlockPayload,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<u8>, TlockError> {
    tlock::encrypt(public_key, reveal_round, &payload.to_plaintext(), rng)
}
