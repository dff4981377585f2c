//! The BLS12-381 pieces quicknet uses (scheme `bls-unchained-g1-rfc9380`): signatures
//! in G1, public keys in G2, a round's message hashed to G1 with RFC 9380.
//!
//! Encodings are arkworks 0.4's compressed ones (the zcash flag bits), which is how
//! drand publishes its keys and signatures and how Subtensor's `pallet_drand` and
//! `tle` read them.

use ark_bls12_381::{g1, Bls12_381, G1Affine, G1Projective, G2Affine};
use ark_ec::hashing::curve_maps::wb::WBMap;
use ark_ec::hashing::map_to_curve_hasher::MapToCurveBasedHasher;
use ark_ec::hashing::HashToCurve;
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::field_hashers::DefaultFieldHasher;
use ark_ff::Zero;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use sha2::{Digest, Sha256};

use super::TlockError;

/// Quicknet's hash-to-curve domain separation tag (RFC 9380 suite
/// `BLS12381G1_XMD:SHA-256_SSWU_RO_`, drand's `bls-unchained-g1-rfc9380`; `tle`
/// `curves/drand.rs` `QUICKNET_CTX`).
pub const DST: &[u8] = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";

/// Length of a compressed G1 point: a signature.
pub const SIGNATURE_LEN: usize = 48;
/// Length of a compressed G2 point: a beacon public key.
pub const PUBLIC_KEY_LEN: usize = 96;

/// The message drand signs for `round` in an unchained scheme: sha256 of the round
/// as a big-endian u64 (`pallet_drand` `verifier.rs` `message(round, &[])`;
/// bittensor-drand `encrypt_and_compress`).
pub fn round_message(round: u64) -> [u8; 32] {
    Sha256::digest(round.to_be_bytes()).into()
}

/// A round's identity point: its message hashed to G1 under [`DST`]. This is both
/// what the beacon signs and the IBE identity a ciphertext for that round is made for
/// (`tle` `Identity::new(b"", [msg]).public()`, one message, empty context).
pub(crate) fn round_point(round: u64) -> G1Affine {
    hash_to_g1(&round_message(round))
}

fn hash_to_g1(message: &[u8]) -> G1Affine {
    // `new` fails only for a DST over 255 bytes and `hash` only on an expander
    // error for such a DST; ours is a fixed 43 bytes.
    MapToCurveBasedHasher::<G1Projective, DefaultFieldHasher<Sha256, 128>, WBMap<g1::Config>>::new(DST)
        .and_then(|h| h.hash(message))
        .expect("a fixed 43-byte DST is valid for RFC 9380 hashing")
}

/// A compressed G2 point (validated: on the curve, in the subgroup).
pub(crate) fn parse_public_key(bytes: &[u8]) -> Result<G2Affine, TlockError> {
    if bytes.len() != PUBLIC_KEY_LEN {
        return Err(TlockError::InvalidPublicKey);
    }
    let point = G2Affine::deserialize_compressed(bytes).map_err(|_| TlockError::InvalidPublicKey)?;
    // The point at infinity would make every identity's pairing trivial.
    if point.is_zero() {
        return Err(TlockError::InvalidPublicKey);
    }
    Ok(point)
}

/// A compressed G1 point (validated: on the curve, in the subgroup).
pub(crate) fn parse_signature(bytes: &[u8]) -> Result<G1Affine, TlockError> {
    if bytes.len() != SIGNATURE_LEN {
        return Err(TlockError::InvalidSignature);
    }
    G1Affine::deserialize_compressed(bytes).map_err(|_| TlockError::InvalidSignature)
}

/// The compressed encoding of a G1 point.
pub(crate) fn g1_bytes(point: &G1Affine) -> [u8; SIGNATURE_LEN] {
    let mut out = [0u8; SIGNATURE_LEN];
    point.serialize_compressed(&mut out[..]).expect("a compressed G1 point is 48 bytes");
    out
}

/// The compressed encoding of a G2 point.
pub(crate) fn g2_bytes(point: &G2Affine) -> [u8; PUBLIC_KEY_LEN] {
    let mut out = [0u8; PUBLIC_KEY_LEN];
    point.serialize_compressed(&mut out[..]).expect("a compressed G2 point is 96 bytes");
    out
}

/// BLS verification with signatures in G1: e(sig, g2) == e(H(m), pk), checked as one
/// product e(sig, g2) · e(−H(m), pk) == 1 (`pallet_drand` `QuicknetVerifier`).
pub(crate) fn verify(public_key: &G2Affine, round: u64, signature: &G1Affine) -> bool {
    let hashed = round_point(round);
    let lhs = [*signature, (-hashed.into_group()).into_affine()];
    let rhs = [G2Affine::generator(), *public_key];
    Bls12_381::multi_pairing(lhs, rhs).is_zero()
}
