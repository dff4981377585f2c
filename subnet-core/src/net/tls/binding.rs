//! The hotkey binding: how a self-signed TLS certificate proves which Bittensor hotkey
//! holds its key.
//!
//! TLS cannot sign with sr25519, so each side's TLS key is an Ed25519 key and its
//! certificate carries, as a URI in the Subject Alternative Name (a standard field
//! every X.509 library reads, as SPIFFE identities do),
//!
//! ```text
//! subnet-tls:1:<hotkey, 64 hex>:<not_after, decimal Unix seconds>:<signature, 128 hex>
//! ```
//!
//! where the signature is the hotkey's sr25519 signature (Substrate signing context)
//! over
//!
//! ```text
//! b"subnet-tls/v1\n" ‖ the certificate's SubjectPublicKeyInfo (DER) ‖ not_after (u64 LE)
//! ```
//!
//! A verifier checks the signature, that `not_after` has not passed and is not too far
//! ahead ([`MAX_VALIDITY`]), and lets TLS 1.3's CertificateVerify prove that the peer
//! holds the certificate's key. Together: the peer holds a key its hotkey vouched for,
//! in this very handshake.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use der::{Decode, Encode};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

use crate::keys::{verify, Keypair};

const DOMAIN: &[u8] = b"subnet-tls/v1\n";
const URI_PREFIX: &str = "subnet-tls:1:";
/// The longest a binding may be valid for: a certificate (and its key, if stolen) is
/// worth nothing after this long. Holders renew well before (see `identity`).
pub const MAX_VALIDITY: Duration = Duration::from_secs(8 * 24 * 3600);
/// `id-Ed25519` (RFC 8410), the only TLS key algorithm bindings are made for.
const ED25519_OID: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("1.3.101.112");

/// A hotkey's signed statement that a TLS key is its own until `not_after`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HotkeyBinding {
    /// The sr25519 hotkey vouching for the key.
    pub hotkey: [u8; 32],
    /// Unix seconds after which the binding is void.
    pub not_after: u64,
    /// The hotkey's signature over [`binding_message`].
    pub signature: [u8; 64],
}

/// The bytes a hotkey signs to bind the TLS key `spki_der` until `not_after`.
pub fn binding_message(spki_der: &[u8], not_after: u64) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + spki_der.len() + 8);
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(spki_der);
    m.extend_from_slice(&not_after.to_le_bytes());
    m
}

impl HotkeyBinding {
    /// Bind the TLS key `spki_der` to `hotkey` until `not_after`.
    pub fn sign(hotkey: &Keypair, spki_der: &[u8], not_after: u64) -> Self {
        Self { hotkey: hotkey.public_key().0, not_after, signature: hotkey.sign(&binding_message(spki_der, not_after)) }
    }

    /// The SAN URI form (module documentation).
    pub fn to_uri(&self) -> String {
        format!("{URI_PREFIX}{}:{}:{}", hex::encode(self.hotkey), self.not_after, hex::encode(self.signature))
    }

    /// Parse the SAN URI form; `None` for anything else.
    pub fn from_uri(uri: &str) -> Option<Self> {
        let mut parts = uri.strip_prefix(URI_PREFIX)?.split(':');
        let (hotkey, not_after, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || !not_after.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut binding = Self { hotkey: [0; 32], not_after: not_after.parse().ok()?, signature: [0; 64] };
        hex::decode_to_slice(hotkey, &mut binding.hotkey).ok()?;
        hex::decode_to_slice(signature, &mut binding.signature).ok()?;
        Some(binding)
    }
}

/// Why a peer's certificate does not prove a hotkey.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// Not exactly one certificate, or not a parsable X.509 certificate.
    #[error("the certificate cannot be read: {0}")]
    Unreadable(String),
    /// The certificate's key is not Ed25519.
    #[error("the certificate's key is not Ed25519")]
    NotEd25519,
    /// No `subnet-tls:1:` URI in the Subject Alternative Name.
    #[error("the certificate carries no hotkey binding")]
    NoBinding,
    /// The binding's signature is not the hotkey's over this certificate's key.
    #[error("the hotkey binding's signature does not hold for this certificate's key")]
    BadBindingSignature,
    /// The binding's `not_after` has passed.
    #[error("the certificate's hotkey binding expired at {not_after} (now {now})")]
    Expired {
        /// When it expired, Unix seconds.
        not_after: u64,
        /// The verifier's clock, Unix seconds.
        now: u64,
    },
    /// The binding is valid for longer than [`MAX_VALIDITY`].
    #[error("the certificate's hotkey binding is valid for longer than allowed")]
    ValidityTooLong,
    /// The certificate proves another hotkey than the one dialled.
    #[error("the peer proved hotkey {found}, not the dialled {expected}")]
    WrongHotkey {
        /// The hotkey dialled (SS58).
        expected: String,
        /// The hotkey the certificate proves (SS58).
        found: String,
    },
    /// The chain publishes another TLS key for this hotkey (`NeuronCertificates`).
    #[error("the peer's TLS key is not the one its hotkey published on chain")]
    NotPinnedKey,
}

/// What a verified certificate proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerIdentity {
    /// The peer's hotkey.
    pub hotkey: [u8; 32],
    /// The peer's Ed25519 TLS public key.
    pub tls_key: [u8; 32],
    /// When the binding expires, Unix seconds.
    pub not_after: u64,
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Check that `cert_der` binds its key to a hotkey at time `now` (Unix seconds): the
/// key is Ed25519, the binding parses, its signature holds, it is current. Possession
/// of the key is TLS's CertificateVerify, checked by the caller's TLS stack.
pub fn check_certificate(cert_der: &[u8], now: u64) -> Result<PeerIdentity, CertError> {
    let cert = Certificate::from_der(cert_der).map_err(|e| CertError::Unreadable(e.to_string()))?;
    let spki = &cert.tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid != ED25519_OID {
        return Err(CertError::NotEd25519);
    }
    let tls_key: [u8; 32] = spki.subject_public_key.raw_bytes().try_into().map_err(|_| CertError::NotEd25519)?;
    let binding = find_binding(&cert).ok_or(CertError::NoBinding)?;
    let spki_der = spki.to_der().map_err(|e| CertError::Unreadable(e.to_string()))?;
    if !verify(&binding.hotkey, &binding_message(&spki_der, binding.not_after), &binding.signature) {
        return Err(CertError::BadBindingSignature);
    }
    if binding.not_after <= now {
        return Err(CertError::Expired { not_after: binding.not_after, now });
    }
    if binding.not_after - now > MAX_VALIDITY.as_secs() {
        return Err(CertError::ValidityTooLong);
    }
    Ok(PeerIdentity { hotkey: binding.hotkey, tls_key, not_after: binding.not_after })
}

/// The hotkey a certificate names, read without checking it again: for a certificate
/// this handshake's verifier has already checked ([`check_certificate`]).
pub(crate) fn checked_hotkey(cert_der: &[u8]) -> Option<[u8; 32]> {
    find_binding(&Certificate::from_der(cert_der).ok()?).map(|b| b.hotkey)
}

fn find_binding(cert: &Certificate) -> Option<HotkeyBinding> {
    let extensions = cert.tbs_certificate.extensions.as_ref()?;
    let san = extensions.iter().find(|e| e.extn_id == <SubjectAltName as der::oid::AssociatedOid>::OID)?;
    let names = SubjectAltName::from_der(san.extn_value.as_bytes()).ok()?;
    names.0.iter().find_map(|name| match name {
        GeneralName::UniformResourceIdentifier(uri) => HotkeyBinding::from_uri(uri.as_str()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uri_form_round_trips_and_refuses_garbage() {
        let alice = Keypair::from_uri("//Alice").unwrap();
        let b = HotkeyBinding::sign(&alice, b"spki", 1_900_000_000);
        assert_eq!(HotkeyBinding::from_uri(&b.to_uri()), Some(b.clone()));
        let uri = b.to_uri();
        for bad in [
            "",
            "subnet-tls:1:",
            "subnet-tls:2:00",
            &uri[..uri.len() - 2],
            &format!("{uri}:extra"),
            &uri.replace(":1900000000:", ":+1900000000:"),
            &uri.replace(":1900000000:", ":99999999999999999999999:"),
        ] {
            assert_eq!(HotkeyBinding::from_uri(bad), None, "{bad}");
        }
    }
}
