//! MevShield, Subtensor's encrypted transactions (`pallets/shield`): a client
//! encrypts a signed extrinsic to the block author's ML-KEM-768 key (`NextKey`) and
//! submits it inside `MevShield::submit_encrypted`; the author decrypts it and
//! includes the inner extrinsic in the same block, right after the carrier.
//! bittensor 11 submits `burned_register` only this way (`mev_shield_required`).
//!
//! This node is the only author: one key pair serves as `CurrentKey`, `PendingKey`
//! and `NextKey`, made deterministically from a fixed seed, so it is the same after a
//! restart (and offers no secrecy: a local chain has no one to hide from).
//!
//! Ciphertext (`stp-shield` `ShieldedTransaction`, and `pallets/shield/src/lib.rs`
//! `unshield`): `key_hash(16) ++ kem_len(u16 LE) ++ kem_ct ++ nonce(24) ++ aead_ct`,
//! `key_hash = twox_128(NextKey)`; the ML-KEM shared secret is the XChaCha20-Poly1305
//! key, with no associated data.

use std::sync::OnceLock;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ml_kem::kem::{Decapsulate, DecapsulationKey, EncapsulationKey};
use ml_kem::{Ciphertext, EncapsulateDeterministic, EncodedSizeUser, KemCore, MlKem768, MlKem768Params, B32};

/// Length of an ML-KEM-768 encapsulation key (`stp-shield` `MLKEM768_ENC_KEY_LEN`).
pub const ENC_KEY_LEN: usize = 1184;

/// Largest ciphertext `submit_encrypted` takes (`BoundedVec<u8, ConstU32<8192>>`).
pub const MAX_CIPHERTEXT: usize = 8192;

struct NodeKey {
    decapsulation: DecapsulationKey<MlKem768Params>,
    encapsulation: Vec<u8>,
}

fn node_key() -> &'static NodeKey {
    static KEY: OnceLock<NodeKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let seed = |label: &[u8]| B32::from(sp_crypto_hashing::blake2_256(label));
        let (decapsulation, encapsulation) =
            MlKem768::generate_deterministic(&seed(b"subnet-core localnet MevShield d"), &seed(b"subnet-core localnet MevShield z"));
        NodeKey { decapsulation, encapsulation: encapsulation.as_bytes().to_vec() }
    })
}

/// The node's ML-KEM-768 encapsulation key: what `MevShield::NextKey` (and
/// `CurrentKey`, `PendingKey`) hold.
pub fn encryption_key() -> &'static [u8] {
    &node_key().encapsulation
}

/// A ciphertext's parts (`ShieldedTransaction::parse`); `None` when malformed.
struct Shielded<'a> {
    key_hash: &'a [u8],
    kem_ct: &'a [u8],
    nonce: &'a [u8],
    aead_ct: &'a [u8],
}

fn parse(ciphertext: &[u8]) -> Option<Shielded<'_>> {
    let (key_hash, rest) = ciphertext.split_at_checked(16)?;
    let (len, rest) = rest.split_at_checked(2)?;
    let (kem_ct, rest) = rest.split_at_checked(u16::from_le_bytes([len[0], len[1]]) as usize)?;
    let (nonce, aead_ct) = rest.split_at_checked(24)?;
    Some(Shielded { key_hash, kem_ct, nonce, aead_ct })
}

/// The plaintext (a signed extrinsic) of a ciphertext made for this node's key;
/// `None` when it is malformed, made for another key, or does not decrypt.
pub fn unshield(ciphertext: &[u8]) -> Option<Vec<u8>> {
    let key = node_key();
    let parts = parse(ciphertext)?;
    if parts.key_hash != sp_crypto_hashing::twox_128(&key.encapsulation) {
        return None;
    }
    let kem_ct = Ciphertext::<MlKem768>::try_from(parts.kem_ct).ok()?;
    let shared = key.decapsulation.decapsulate(&kem_ct).ok()?;
    let aead = XChaCha20Poly1305::new(shared.as_slice().into());
    aead.decrypt(XNonce::from_slice(parts.nonce), Payload { msg: parts.aead_ct, aad: &[] }).ok()
}

/// Encrypt `plaintext` to `encryption_key` as a client does (bittensor's
/// `encrypt_mlkem768(key, plaintext, include_key_hash=True)`), with the given
/// randomness: for tests and tools that shield their own extrinsics.
pub fn shield(encryption_key: &[u8], plaintext: &[u8], entropy: [u8; 32], nonce: [u8; 24]) -> Option<Vec<u8>> {
    let encoded = ml_kem::Encoded::<EncapsulationKey<MlKem768Params>>::try_from(encryption_key).ok()?;
    let key = EncapsulationKey::<MlKem768Params>::from_bytes(&encoded);
    let (kem_ct, shared) = key.encapsulate_deterministic(&B32::from(entropy)).ok()?;
    let aead_ct = XChaCha20Poly1305::new(shared.as_slice().into()).encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: &[] }).ok()?;
    let mut out = sp_crypto_hashing::twox_128(encryption_key).to_vec();
    out.extend_from_slice(&(kem_ct.len() as u16).to_le_bytes());
    out.extend_from_slice(&kem_ct);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&aead_ct);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_an_ml_kem_768_key_and_stable() {
        assert_eq!(encryption_key().len(), ENC_KEY_LEN);
        assert_eq!(encryption_key(), node_key().encapsulation.as_slice());
    }

    #[test]
    fn what_a_client_shields_the_node_unshields() {
        let plaintext = b"a signed extrinsic".to_vec();
        let ciphertext = shield(encryption_key(), &plaintext, [7; 32], [9; 24]).unwrap();
        assert_eq!(&ciphertext[..16], &sp_crypto_hashing::twox_128(encryption_key()));
        assert_eq!(u16::from_le_bytes([ciphertext[16], ciphertext[17]]), 1088, "ML-KEM-768 ciphertext length");
        assert!(ciphertext.len() <= MAX_CIPHERTEXT);
        assert_eq!(unshield(&ciphertext), Some(plaintext));
    }

    #[test]
    fn tampered_or_foreign_ciphertexts_do_not_unshield() {
        let ciphertext = shield(encryption_key(), b"x", [7; 32], [9; 24]).unwrap();
        let mut tampered = ciphertext.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(unshield(&tampered), None);
        let mut other_key = ciphertext.clone();
        other_key[0] ^= 1;
        assert_eq!(unshield(&other_key), None);
        assert_eq!(unshield(&ciphertext[..40]), None);
        assert_eq!(unshield(&[]), None);
    }
}
