//! Our own side of the handshake: the Ed25519 TLS key a hotkey uses, and the
//! self-signed certificate carrying its binding ([`super::binding`]), renewed before it
//! expires.
//!
//! The TLS key is derived from the hotkey's secret (blake2b-256 under a domain tag),
//! so it is the same after a restart: a miner that published it on chain with
//! `serve_axon_tls` does not need to publish again, and there is no second secret file
//! to keep. Knowing the TLS key does not give the hotkey (a one-way hash of it).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, PublicKeyData, SanType, PKCS_ED25519};
use rustls::crypto::ring::sign::any_eddsa_type;
use rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;
use zeroize::Zeroizing;

use super::binding::{unix_now, HotkeyBinding};
use crate::keys::Keypair;

/// How long a fresh certificate's binding is valid; it is renewed when half is left.
pub const DEFAULT_VALIDITY: Duration = Duration::from_secs(7 * 24 * 3600);
/// The `NeuronCertificate` algorithm code of an Ed25519 key. Subtensor defines no
/// codes; 1 = Ed25519 (raw 32-byte key) follows bittensor-pylon's `CertificateAlgorithm`.
pub const ED25519_ALGORITHM: u8 = 1;
/// PKCS#8 v1 (RFC 8410) prefix of an Ed25519 private key; the 32-byte seed follows.
const ED25519_PKCS8_PREFIX: [u8; 16] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

/// Why a TLS identity could not be made (a broken crypto provider; not expected).
#[derive(Debug, thiserror::Error)]
#[error("cannot make the TLS certificate: {0}")]
pub struct IdentityError(String);

/// A hotkey's TLS identity: its key, and a current certificate binding it.
pub struct TlsIdentity {
    hotkey: Keypair,
    pkcs8: Zeroizing<Vec<u8>>,
    tls_key: [u8; 32],
    validity: Duration,
    current: Mutex<Current>,
}

struct Current {
    key: Arc<CertifiedKey>,
    not_after: u64,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity").field("hotkey", &self.hotkey.ss58_address()).field("tls_key", &hex::encode(self.tls_key)).finish()
    }
}

impl TlsIdentity {
    /// The identity of `hotkey`, with certificates valid [`DEFAULT_VALIDITY`].
    pub fn new(hotkey: &Keypair) -> Result<Arc<Self>, IdentityError> {
        Self::with_validity(hotkey, DEFAULT_VALIDITY)
    }

    /// The identity of `hotkey`, with certificates valid `validity` (renewed when half
    /// is left). A zero validity makes certificates that are already expired (tests of
    /// the refusal).
    pub fn with_validity(hotkey: &Keypair, validity: Duration) -> Result<Arc<Self>, IdentityError> {
        let seed = tls_seed(hotkey);
        let mut pkcs8 = Zeroizing::new(Vec::with_capacity(48));
        pkcs8.extend_from_slice(&ED25519_PKCS8_PREFIX);
        pkcs8.extend_from_slice(&*seed);
        let key_pair = key_pair(&pkcs8)?;
        let tls_key: [u8; 32] = key_pair.der_bytes().try_into().map_err(|_| IdentityError("not an Ed25519 public key".into()))?;
        let (key, not_after) = certify(hotkey, &pkcs8, validity)?;
        Ok(Arc::new(Self { hotkey: hotkey.clone(), pkcs8, tls_key, validity, current: Mutex::new(Current { key, not_after }) }))
    }

    /// The hotkey this identity proves.
    pub fn hotkey(&self) -> [u8; 32] {
        self.hotkey.public_key().0
    }

    /// The Ed25519 TLS public key.
    pub fn tls_public_key(&self) -> [u8; 32] {
        self.tls_key
    }

    /// The certificate to publish with `serve_axon_tls`: the algorithm byte (1, Ed25519)
    /// then the raw TLS public key, the bytes Subtensor's `NeuronCertificate` is made of.
    pub fn chain_certificate(&self) -> Vec<u8> {
        let mut bytes = vec![ED25519_ALGORITHM];
        bytes.extend_from_slice(&self.tls_key);
        bytes
    }

    /// The certificate and key to present now, renewed first if half its validity is
    /// gone (a long-running miner never presents an expired binding).
    pub fn certified_key(&self) -> Arc<CertifiedKey> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let renew_at = current.not_after.saturating_sub(self.validity.as_secs() / 2);
        if !self.validity.is_zero() && unix_now() >= renew_at {
            match certify(&self.hotkey, &self.pkcs8, self.validity) {
                Ok((key, not_after)) => *current = Current { key, not_after },
                Err(e) => tracing::error!("TLS certificate renewal failed, keeping the current one: {e}"),
            }
        }
        current.key.clone()
    }

    /// The certificate presented now (DER).
    pub fn certificate_der(&self) -> CertificateDer<'static> {
        self.certified_key().cert[0].clone()
    }
}

/// The TLS key's seed: blake2b-256 of a domain tag and the hotkey's secret key.
fn tls_seed(hotkey: &Keypair) -> Zeroizing<[u8; 32]> {
    let secret = hotkey.expose_secret_key_bytes();
    let mut hash = Blake2b::<U32>::new();
    hash.update(b"subnet-tls/v1 ed25519 key\n");
    hash.update(secret.as_slice());
    Zeroizing::new(hash.finalize().into())
}

fn key_pair(pkcs8: &[u8]) -> Result<KeyPair, IdentityError> {
    KeyPair::from_pkcs8_der_and_sign_algo(&PrivatePkcs8KeyDer::from(pkcs8), &PKCS_ED25519).map_err(|e| IdentityError(e.to_string()))
}

/// A certificate for the key `pkcs8`, bound to `hotkey` for `validity` from now.
fn certify(hotkey: &Keypair, pkcs8: &[u8], validity: Duration) -> Result<(Arc<CertifiedKey>, u64), IdentityError> {
    let now = unix_now();
    let not_after = now + validity.as_secs();
    let cert = certificate(hotkey, &key_pair(pkcs8)?, now, not_after)?;
    let signer = any_eddsa_type(&PrivatePkcs8KeyDer::from(pkcs8)).map_err(|e| IdentityError(e.to_string()))?;
    Ok((Arc::new(CertifiedKey::new(vec![cert], signer)), not_after))
}

/// A self-signed certificate for `key` carrying `signer`'s binding (tests make
/// bindings by another hotkey than the key's owner with it).
pub(crate) fn certificate(signer: &Keypair, key: &KeyPair, now: u64, not_after: u64) -> Result<CertificateDer<'static>, IdentityError> {
    let err = |e: rcgen::Error| IdentityError(e.to_string());
    let binding = HotkeyBinding::sign(signer, &key.subject_public_key_info(), not_after);
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, format!("subnet-tls {}", signer.ss58_address()));
    params.distinguished_name = name;
    params.subject_alt_names = vec![SanType::URI(binding.to_uri().try_into().map_err(err)?)];
    // The X.509 validity is informative (the binding's not_after is what is checked);
    // an hour back absorbs clock skew.
    params.not_before = time::OffsetDateTime::from_unix_timestamp(now.saturating_sub(3600) as i64).map_err(|e| IdentityError(e.to_string()))?;
    params.not_after = time::OffsetDateTime::from_unix_timestamp(not_after as i64).map_err(|e| IdentityError(e.to_string()))?;
    Ok(params.self_signed(key).map_err(err)?.der().clone())
}

/// An Ed25519 key pair from a 32-byte seed (tests: an attacker's own key).
#[cfg(test)]
pub(crate) fn key_pair_from_seed(seed: &[u8; 32]) -> Result<(KeyPair, Zeroizing<Vec<u8>>), IdentityError> {
    let mut pkcs8 = Zeroizing::new(ED25519_PKCS8_PREFIX.to_vec());
    pkcs8.extend_from_slice(seed);
    Ok((key_pair(&pkcs8)?, pkcs8))
}

/// A certified key from a certificate and a PKCS#8 key that need not match (tests: a
/// swapped certificate).
#[cfg(test)]
pub(crate) fn certified_key(cert: CertificateDer<'static>, pkcs8: &[u8]) -> Result<Arc<CertifiedKey>, IdentityError> {
    let signer = any_eddsa_type(&PrivatePkcs8KeyDer::from(pkcs8)).map_err(|e| IdentityError(e.to_string()))?;
    Ok(Arc::new(CertifiedKey::new(vec![cert], signer)))
}
