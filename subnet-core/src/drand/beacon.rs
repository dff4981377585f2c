//! A local drand beacon: one BLS key signing rounds exactly as quicknet does, so the
//! local chain can run its own drand network and every ciphertext, pulse and check
//! works unchanged against it.

use ark_bls12_381::{Fr, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{PrimeField, Zero};
use sha2::{Digest, Sha256, Sha512};

use super::curve;

/// Domain of the seed → secret key derivation (ours; drand's keys come from a DKG).
const SEED_DOMAIN: &[u8] = b"subnet-core local drand beacon v1";

/// A beacon holding its secret key in the clear: for local networks and tests only.
pub struct LocalBeacon {
    secret: Fr,
    public: G2Affine,
}

impl LocalBeacon {
    /// The beacon a 32-byte seed determines: the secret key is sha512(domain ‖ seed)
    /// reduced mod the group order (64 bytes, so the reduction's bias is negligible).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let wide = Sha512::new().chain_update(SEED_DOMAIN).chain_update(seed).finalize();
        let mut secret = Fr::from_le_bytes_mod_order(&wide);
        // Zero has probability 2^-255; a zero key would sign every round as infinity.
        if secret.is_zero() {
            secret = Fr::from(1u64);
        }
        LocalBeacon { secret, public: (G2Affine::generator() * secret).into_affine() }
    }

    /// The public key, a compressed G2 point encoded as quicknet's is in
    /// `pallet_drand`'s `BeaconConfig`.
    pub fn public_key(&self) -> [u8; 96] {
        curve::g2_bytes(&self.public)
    }

    /// The round's signature, a compressed G1 point: secret · H(sha256(round)).
    /// It is also the round's IBE decryption key.
    pub fn sign_round(&self, round: u64) -> [u8; 48] {
        curve::g1_bytes(&(curve::round_point(round) * self.secret).into_affine())
    }
}

impl std::fmt::Debug for LocalBeacon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret key.
        f.debug_struct("LocalBeacon").field("public_key", &hex::encode(self.public_key())).finish_non_exhaustive()
    }
}

/// A pulse's randomness: sha256 of its signature (drand's unchained schemes;
/// `pallet_drand` `Pulse.randomness`).
pub fn randomness(signature: &[u8]) -> [u8; 32] {
    Sha256::digest(signature).into()
}

/// Whether `signature` is `public_key`'s signature of `round`, checked as
/// `pallet_drand`'s `QuicknetVerifier` checks a pulse. Malformed inputs are `false`.
pub fn verify_pulse(public_key: &[u8], round: u64, signature: &[u8]) -> bool {
    match (curve::parse_public_key(public_key), curve::parse_signature(signature)) {
        (Ok(pk), Ok(sig)) => curve::verify(&pk, round, &sig),
        _ => false,
    }
}
