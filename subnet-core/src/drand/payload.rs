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

/// The payload format before commits carried the hotkey (`LegacyWeightsTlockPayload`),
/// which the chain still accepts.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct LegacyWeightsTlockPayload {
    /// UIDs weighted.
    pub uids: Vec<u16>,
    /// Their weights.
    pub values: Vec<u16>,
    /// The subnet's weights version key.
    pub version_key: u64,
}

/// Weights a decrypted commit sets: `(uids, values, version_key)`.
pub type RevealedWeights = (Vec<u16>, Vec<u16>, u64);

/// Why a decrypted commit sets no weights.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// The payload names another hotkey than the committer's.
    #[error("the payload's hotkey is not the committer's")]
    HotkeyMismatch,
    /// Neither payload format decodes.
    #[error("the plaintext is neither payload format")]
    Undecodable,
}

/// The weights a decrypted commit by `committer` sets, decoded as the chain decodes
/// them (`reveal_crv3_commits_for_subnet`): the current format, whose hotkey must
/// decode to the committer's `AccountId` (32 bytes, any further bytes ignored);
/// when it does not decode, or its hotkey is too short to be an `AccountId`, the
/// legacy format.
pub fn revealed_weights(plaintext: &[u8], committer: &[u8; 32]) -> Result<RevealedWeights, PayloadError> {
    if let Ok(p) = WeightsTlockPayload::from_plaintext(plaintext) {
        match p.hotkey.get(..32) {
            Some(hotkey) if hotkey == committer => return Ok((p.uids, p.values, p.version_key)),
            Some(_) => return Err(PayloadError::HotkeyMismatch),
            None => {}
        }
    }
    let legacy = LegacyWeightsTlockPayload::decode(&mut &plaintext[..]).map_err(|_| PayloadError::Undecodable)?;
    Ok((legacy.uids, legacy.values, legacy.version_key))
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
