//! Boneh–Franklin FullIdent IBE over BLS12-381 with identities in G1, as `tle`
//! (`ibe/fullident.rs`, `ibe/utils.rs`) runs it for quicknet: the message is always
//! the 32-byte AES key of the body.
//!
//! ```text
//! sigma = sha256(t) for a random scalar t (32 bytes, little-endian)
//! r     = Fr::from_be_bytes_mod_order(sha256(sigma ‖ key))         H3
//! U     = r·G2
//! V     = sigma xor sha256(e(Q_id, r·P_pub) as 576 bytes of Fq12)   H2
//! W     = key xor sha256(sigma)                                      H4
//! ```
//!
//! The round's signature is s·Q_id, so e(sig, U) = e(Q_id, P_pub)^r recovers sigma,
//! then the key, and U == H3(sigma, key)·G2 proves both were the ones encrypted.

use ark_bls12_381::{Bls12_381, Fq12, Fr, G1Affine, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{PrimeField, UniformRand};
use ark_serialize::CanonicalSerialize;
use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

use super::ciphertext::Header;
use super::TlockError;

/// Encrypt `key` to the identity `q_id` under the beacon key `p_pub`.
pub(crate) fn encrypt(p_pub: &G2Affine, q_id: &G1Affine, key: &[u8; 32], rng: &mut (impl RngCore + CryptoRng)) -> Header {
    let t = Fr::rand(rng);
    let mut t_bytes = Vec::with_capacity(32);
    t.serialize_compressed(&mut t_bytes).expect("writing a scalar to a Vec cannot fail");
    let sigma: [u8; 32] = Sha256::digest(&t_bytes).into();

    let r = h3(&sigma, key);
    let u = (G2Affine::generator() * r).into_affine();
    // e(r·Q_id, P_pub) = e(Q_id, r·P_pub): the multiplication is cheaper in G1.
    let g_id = Bls12_381::pairing((*q_id * r).into_affine(), *p_pub).0;
    Header { u, v: xor(&sigma, &h2(&g_id)), w: xor(key, &Sha256::digest(sigma).into()) }
}

/// Recover the key with the round's signature; [`TlockError::WrongSignature`] when the
/// signature is not the one of the identity the header was made for.
pub(crate) fn decrypt(header: &Header, signature: &G1Affine) -> Result<[u8; 32], TlockError> {
    let sigma = xor(&header.v, &h2(&Bls12_381::pairing(*signature, header.u).0));
    let key = xor(&header.w, &Sha256::digest(sigma).into());
    if (G2Affine::generator() * h3(&sigma, &key)).into_affine() != header.u {
        return Err(TlockError::WrongSignature);
    }
    Ok(key)
}

/// `tle` `h2`: sha256 of the pairing value's arkworks encoding (c0 then c1, each
/// coefficient 48 bytes little-endian).
fn h2(g: &Fq12) -> [u8; 32] {
    let mut bytes = Vec::with_capacity(576);
    g.serialize_compressed(&mut bytes).expect("writing a field element to a Vec cannot fail");
    Sha256::digest(&bytes).into()
}

/// `tle` `h3`: sha256(a ‖ b) read as a big-endian integer mod the group order.
fn h3(sigma: &[u8; 32], key: &[u8; 32]) -> Fr {
    let mut hasher = Sha256::new();
    hasher.update(sigma);
    hasher.update(key);
    Fr::from_be_bytes_mod_order(&hasher.finalize())
}

fn xor(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    std::array::from_fn(|i| a[i] ^ b[i])
}
