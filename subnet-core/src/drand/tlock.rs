//! Timelock encryption to a drand round: the message under AES-256-GCM with a fresh
//! key, the key under IBE to the round's identity (`tle` `tlock.rs` `tle`/`tld` with
//! `AESGCMStreamCipherProvider`, as bittensor-drand's `encrypt_and_compress` calls it
//! and Subtensor's `reveal_crv3_commits_for_subnet` opens it).

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rand::{CryptoRng, RngCore};

use super::ciphertext::{Ciphertext, CIPHER_SUITE, NONCE_LEN};
use super::{curve, ibe, TlockError};

/// Encrypt `message` so that it opens with the signature `public_key`'s beacon
/// publishes for `round`. The bytes are a compressed `TLECiphertext<TinyBLS381>`.
///
/// Randomness is drawn in bittensor-drand's order (AES key, IBE scalar, nonce).
pub fn encrypt(public_key: &[u8], round: u64, message: &[u8], rng: &mut (impl RngCore + CryptoRng)) -> Result<Vec<u8>, TlockError> {
    let p_pub = curve::parse_public_key(public_key)?;
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    let header = ibe::encrypt(&p_pub, &curve::round_point(round), &key, rng);

    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let sealed =
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)).encrypt(Nonce::from_slice(&nonce), message).map_err(|_| TlockError::MessageTooLong)?;
    Ok(Ciphertext { header, sealed, nonce, cipher_suite: CIPHER_SUITE.to_vec() }.to_bytes())
}

/// Open a ciphertext with its round's signature (48 bytes, compressed G1).
pub fn decrypt(ciphertext: &[u8], signature: &[u8]) -> Result<Vec<u8>, TlockError> {
    let signature = curve::parse_signature(signature)?;
    let ct = Ciphertext::parse(ciphertext)?;
    let key = ibe::decrypt(&ct.header, &signature)?;
    Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key))
        .decrypt(Nonce::from_slice(&ct.nonce), ct.sealed.as_slice())
        .map_err(|_| TlockError::BodyAuthentication)
}

/// The round-independent size of a ciphertext: everything but the message.
pub const OVERHEAD: usize = curve::PUBLIC_KEY_LEN + 2 * (8 + 32) + 8 + 8 + 16 + 8 + NONCE_LEN + 8 + CIPHER_SUITE.len();
