//! The rustls verifiers of both sides: instead of a certificate authority, each checks
//! the peer's hotkey binding ([`super::binding::check_certificate`]), and, for the
//! proof of possession, really verifies TLS 1.3's CertificateVerify signature with the
//! certificate's key (a verifier that skipped it would let anyone replaying a public
//! certificate through).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, OtherError, SignatureScheme};

use super::binding::{check_certificate, CertError, PeerIdentity};
use crate::chain::AccountId;

fn algorithms() -> WebPkiSupportedAlgorithms {
    rustls::crypto::ring::default_provider().signature_verification_algorithms
}

fn refuse(e: CertError) -> Error {
    Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(e))))
}

/// The message of a failed handshake, with the binding's reason in words where it was
/// one (rustls shows its inner error with `Debug`).
pub(crate) fn readable(e: std::io::Error) -> std::io::Error {
    let described = e.get_ref().and_then(|inner| inner.downcast_ref::<Error>()).map(|tls| match tls {
        Error::InvalidCertificate(CertificateError::Other(OtherError(other))) => match other.downcast_ref::<CertError>() {
            Some(reason) => format!("TLS handshake: {reason}"),
            None => format!("TLS handshake: {other}"),
        },
        other => format!("TLS handshake: {other}"),
    });
    match described {
        Some(message) => std::io::Error::new(e.kind(), message),
        None => e,
    }
}

/// The certificate's binding, checked at `now`; exactly one certificate is expected.
fn check(end_entity: &CertificateDer<'_>, intermediates: &[CertificateDer<'_>], now: UnixTime) -> Result<PeerIdentity, Error> {
    if !intermediates.is_empty() {
        return Err(refuse(CertError::Unreadable("a certificate chain where one self-signed certificate was expected".into())));
    }
    check_certificate(end_entity, now.as_secs()).map_err(refuse)
}

/// The validator's check of a miner: the certificate proves the hotkey it dialled,
/// and, when the chain publishes a TLS key for that hotkey, that key.
#[derive(Debug)]
pub struct MinerVerifier {
    expected: [u8; 32],
    pinned: Option<[u8; 32]>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl MinerVerifier {
    /// Accept only `expected`'s certificates, with TLS key `pinned` if given.
    pub fn new(expected: [u8; 32], pinned: Option<[u8; 32]>) -> Self {
        Self { expected, pinned, algorithms: algorithms() }
    }
}

impl ServerCertVerifier for MinerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let peer = check(end_entity, intermediates, now)?;
        if peer.hotkey != self.expected {
            return Err(refuse(CertError::WrongHotkey { expected: AccountId(self.expected).ss58(), found: AccountId(peer.hotkey).ss58() }));
        }
        if self.pinned.is_some_and(|key| key != peer.tls_key) {
            return Err(refuse(CertError::NotPinnedKey));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, Error> {
        Err(Error::PeerIncompatible(rustls::PeerIncompatible::Tls12NotOffered))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        vec![SignatureScheme::ED25519]
    }
}

/// The miner's check of a caller: any hotkey may connect (the blacklist decides per
/// request, so a deregistration applies at once), but only with a valid binding. A
/// caller without a certificate is let through the handshake and refused per request
/// with a typed reason, which says more than a TLS alert would.
#[derive(Debug)]
pub struct CallerVerifier {
    algorithms: WebPkiSupportedAlgorithms,
}

impl CallerVerifier {
    /// The verifier every miner uses.
    pub fn new() -> Self {
        Self { algorithms: algorithms() }
    }
}

impl Default for CallerVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientCertVerifier for CallerVerifier {
    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        check(end_entity, intermediates, now).map(|_| ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, Error> {
        Err(Error::PeerIncompatible(rustls::PeerIncompatible::Tls12NotOffered))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        vec![SignatureScheme::ED25519]
    }
}
