//! The rustls configurations of both sides: TLS 1.3 only, on ring, ALPN `h2` (what
//! stock gRPC stacks require), no session resumption or early data (every connection
//! runs the full handshake, so every connection proves both hotkeys afresh).

use std::sync::Arc;

use rustls::client::ResolvesClientCert;
use rustls::server::{ClientHello, NoServerSessionStorage, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, ServerConfig, SignatureScheme};

use super::identity::TlsIdentity;
use super::verifier::{CallerVerifier, MinerVerifier};

const ALPN_H2: &[u8] = b"h2";

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Presents the identity's current certificate (renewed as it ages), on both sides.
#[derive(Debug)]
pub(crate) struct IdentityResolver(pub(crate) Arc<TlsIdentity>);

impl ResolvesServerCert for IdentityResolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.certified_key())
    }
}

impl ResolvesClientCert for IdentityResolver {
    fn resolve(&self, _hints: &[&[u8]], schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        schemes.contains(&SignatureScheme::ED25519).then(|| self.0.certified_key())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// A miner's server configuration: its identity's certificate, callers' certificates
/// checked by [`CallerVerifier`] (optional at the handshake, required per request).
pub(crate) fn server_config(identity: Arc<TlsIdentity>) -> Result<Arc<ServerConfig>, rustls::Error> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .with_client_cert_verifier(Arc::new(CallerVerifier::new()))
        .with_cert_resolver(Arc::new(IdentityResolver(identity)));
    config.alpn_protocols = vec![ALPN_H2.to_vec()];
    config.session_storage = Arc::new(NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(Arc::new(config))
}

/// A validator's configuration for dialling one miner: `verifier` names the hotkey
/// (and pinned key) expected; `client_cert` presents the validator's certificate, or
/// none for a caller that signs each request instead.
pub(crate) fn client_config(verifier: MinerVerifier, client_cert: Option<Arc<dyn ResolvesClientCert>>) -> Result<Arc<ClientConfig>, rustls::Error> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let mut config = match client_cert {
        Some(resolver) => builder.with_client_cert_resolver(resolver),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![ALPN_H2.to_vec()];
    config.resumption = rustls::client::Resumption::disabled();
    config.enable_sni = false;
    Ok(Arc::new(config))
}
