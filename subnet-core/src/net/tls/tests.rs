//! The handshake's refusals, on in-memory pipes: each attack on the binding or on the
//! TLS layer fails, and an honest handshake proves both hotkeys.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::ResolvesClientCert;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, ServerConfig, SignatureScheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::binding::{check_certificate, unix_now, CertError, MAX_VALIDITY};
use super::config::{client_config, server_config, IdentityResolver};
use super::identity::{certificate, certified_key, key_pair_from_seed, TlsIdentity};
use super::verifier::{readable, MinerVerifier};
use crate::keys::Keypair;

fn key(uri: &str) -> Keypair {
    Keypair::from_uri(uri).unwrap()
}

fn identity(uri: &str) -> Arc<TlsIdentity> {
    TlsIdentity::new(&key(uri)).unwrap()
}

fn hotkey(uri: &str) -> [u8; 32] {
    key(uri).public_key().0
}

/// Presents a fixed certificate and key (an attacker's choice).
#[derive(Debug)]
struct Fixed(Arc<CertifiedKey>);

impl ResolvesClientCert for Fixed {
    fn resolve(&self, _: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
    fn has_certs(&self) -> bool {
        true
    }
}

impl rustls::server::ResolvesServerCert for Fixed {
    fn resolve(&self, _: rustls::server::ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// A certificate stolen from `victim`, presented with an attacker's own key.
fn stolen_certificate(victim: &str) -> Arc<CertifiedKey> {
    let (_, attacker_key) = key_pair_from_seed(&[0xa7; 32]).unwrap();
    certified_key(identity(victim).certificate_der(), &attacker_key).unwrap()
}

fn client(expected: &str, pin: Option<[u8; 32]>, cert: Option<Arc<dyn ResolvesClientCert>>) -> Arc<ClientConfig> {
    client_config(MinerVerifier::new(hotkey(expected), pin), cert).unwrap()
}

fn validator_cert() -> Option<Arc<dyn ResolvesClientCert>> {
    Some(Arc::new(IdentityResolver(identity("//Validator"))))
}

fn miner_server() -> Arc<ServerConfig> {
    server_config(identity("//Miner")).unwrap()
}

/// Both ends of one handshake over an in-memory pipe; errors as text.
async fn handshake(
    server: Arc<ServerConfig>,
    client: Arc<ClientConfig>,
) -> (Result<tokio_rustls::server::TlsStream<DuplexStream>, String>, Result<tokio_rustls::client::TlsStream<DuplexStream>, String>) {
    let (a, b) = tokio::io::duplex(64 << 10);
    let name = ServerName::IpAddress(std::net::Ipv4Addr::LOCALHOST.into());
    let (s, c) = tokio::join!(TlsAcceptor::from(server).accept(a), TlsConnector::from(client).connect(name, b));
    let (mut s, mut c) = (s.map_err(|e| readable(e).to_string()), c.map_err(|e| readable(e).to_string()));
    // TLS 1.3 clients finish before the server has judged their certificate: exchange
    // a byte so a refusal on either side surfaces on both.
    if let (Ok(server), Ok(client)) = (&mut s, &mut c) {
        let (w, r) = tokio::join!(client.write_all(b"x"), read_one(server));
        if let Err(e) = w.map_err(|e| e.to_string()).and(r) {
            c = Err(e.clone());
            s = Err(e);
        }
    }
    (s, c)
}

async fn read_one(s: &mut (impl AsyncRead + Unpin)) -> Result<(), String> {
    let mut b = [0u8; 1];
    tokio::time::timeout(Duration::from_secs(5), s.read_exact(&mut b))
        .await
        .map_err(|_| "timeout".to_string())?
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn peer_hotkey(certs: Option<&[CertificateDer<'_>]>) -> [u8; 32] {
    check_certificate(&certs.expect("a peer certificate")[0], unix_now()).unwrap().hotkey
}

#[tokio::test]
async fn an_honest_handshake_proves_both_hotkeys() {
    let (server, client) = handshake(miner_server(), client("//Miner", None, validator_cert())).await;
    let (server, client) = (server.unwrap(), client.unwrap());
    assert_eq!(peer_hotkey(server.get_ref().1.peer_certificates()), hotkey("//Validator"));
    assert_eq!(peer_hotkey(client.get_ref().1.peer_certificates()), hotkey("//Miner"));
    assert_eq!(client.get_ref().1.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_3));
    assert_eq!(client.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
}

#[tokio::test]
async fn a_miner_proving_another_hotkey_than_the_one_dialled_is_refused() {
    let (_, client) = handshake(miner_server(), client("//SomeoneElse", None, validator_cert())).await;
    let e = client.unwrap_err();
    assert!(e.contains("not the dialled"), "{e}");
    assert!(e.contains(&key("//Miner").ss58_address()), "names the hotkey found: {e}");
}

#[tokio::test]
async fn a_miner_key_other_than_the_one_published_on_chain_is_refused() {
    let published = identity("//Miner").tls_public_key();
    let (_, ok) = handshake(miner_server(), client("//Miner", Some(published), validator_cert())).await;
    ok.unwrap();
    let (_, refused) = handshake(miner_server(), client("//Miner", Some([9; 32]), validator_cert())).await;
    assert!(refused.unwrap_err().contains("published on chain"));
}

#[tokio::test]
async fn a_certificate_presented_without_its_key_fails_certificate_verify() {
    // A validator's certificate replayed by someone else: the miner refuses it.
    let (server, _) = handshake(miner_server(), client("//Miner", None, Some(Arc::new(Fixed(stolen_certificate("//Validator")))))).await;
    let e = server.unwrap_err();
    assert!(e.to_lowercase().contains("signature"), "{e}");
    // A miner's certificate replayed by an impostor: the validator refuses it.
    let impostor = {
        let mut config = (*miner_server()).clone();
        config.cert_resolver = Arc::new(Fixed(stolen_certificate("//Miner")));
        Arc::new(config)
    };
    let (_, client) = handshake(impostor, client("//Miner", None, validator_cert())).await;
    assert!(client.unwrap_err().to_lowercase().contains("signature"));
}

#[tokio::test]
async fn forged_expired_and_overlong_bindings_are_refused() {
    // A binding whose signature was altered.
    let honest = identity("//Validator").certificate_der().to_vec();
    let uri_at = honest.windows(13).position(|w| w == b"subnet-tls:1:").unwrap();
    let mut forged = honest.clone();
    let last_hex = uri_at + 13 + 64 + 1 + 10 + 1 + 127;
    forged[last_hex] = if forged[last_hex] == b'0' { b'1' } else { b'0' };
    assert_eq!(check_certificate(&forged, unix_now()), Err(CertError::BadBindingSignature));
    // The same binding moved onto another key.
    let (other, _) = key_pair_from_seed(&[3; 32]).unwrap();
    let now = unix_now();
    let mine = certificate(&key("//Validator"), &other, now, now + 3600).unwrap();
    assert!(check_certificate(&mine, now).is_ok(), "a binding made for the key holds");
    // Expired, and valid for too long.
    let expired = TlsIdentity::with_validity(&key("//Validator"), Duration::ZERO).unwrap();
    assert!(matches!(check_certificate(&expired.certificate_der(), unix_now()), Err(CertError::Expired { .. })));
    let overlong = certificate(&key("//Validator"), &other, now, now + MAX_VALIDITY.as_secs() + 60).unwrap();
    assert_eq!(check_certificate(&overlong, now), Err(CertError::ValidityTooLong));
    // Not Ed25519, and not a certificate.
    let ecdsa = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let p256 = certificate(&key("//Validator"), &ecdsa, now, now + 3600).unwrap();
    assert_eq!(check_certificate(&p256, now), Err(CertError::NotEd25519));
    assert!(matches!(check_certificate(b"not DER", now), Err(CertError::Unreadable(_))));

    // In a handshake, an expired caller certificate is refused by the miner.
    let resolver = Arc::new(IdentityResolver(expired));
    let (server, _) = handshake(miner_server(), client("//Miner", None, Some(resolver))).await;
    assert!(server.unwrap_err().contains("expired"));
}

/// A pipe end that copies everything written through it.
struct Recording<S> {
    inner: S,
    written: Arc<std::sync::Mutex<Vec<u8>>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Recording<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recording<S> {
    fn poll_write(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>, buf: &[u8]) -> std::task::Poll<std::io::Result<usize>> {
        let n = std::task::ready!(std::pin::Pin::new(&mut self.inner).poll_write(cx, buf))?;
        self.written.lock().unwrap().extend_from_slice(&buf[..n]);
        std::task::Poll::Ready(Ok(n))
    }
    fn poll_flush(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[tokio::test]
async fn a_recorded_handshake_and_request_replayed_get_nothing() {
    // Record everything an honest validator sends: its handshake and one request.
    let (a, b) = tokio::io::duplex(64 << 10);
    let written = Arc::new(std::sync::Mutex::new(Vec::new()));
    let recording = Recording { inner: b, written: written.clone() };
    let name = ServerName::IpAddress(std::net::Ipv4Addr::LOCALHOST.into());
    let (server, client) = tokio::join!(
        TlsAcceptor::from(miner_server()).accept(a),
        TlsConnector::from(client("//Miner", None, validator_cert())).connect(name, recording)
    );
    let (mut server, mut client) = (server.unwrap(), client.unwrap());
    client.write_all(b"request").await.unwrap();
    let mut got = [0u8; 7];
    server.read_exact(&mut got).await.unwrap();
    assert_eq!(&got, b"request");

    // Replayed to the miner on a new connection: the server's fresh randomness makes
    // the recorded Finished (and every record after it) fail; nothing is delivered.
    let recorded = written.lock().unwrap().clone();
    let (a, mut b) = tokio::io::duplex(64 << 10);
    let replay = tokio::spawn(async move {
        let _ = b.write_all(&recorded).await;
        let mut sink = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), b.read_to_end(&mut sink)).await;
    });
    let accepted = tokio::time::timeout(Duration::from_secs(5), TlsAcceptor::from(miner_server()).accept(a)).await.expect("no hang");
    match accepted {
        Err(_) => {}
        Ok(mut stream) => {
            let mut buf = [0u8; 7];
            assert!(stream.read_exact(&mut buf).await.is_err(), "a replayed request must not be delivered");
        }
    }
    replay.await.unwrap();
}

#[test]
fn the_tls_key_is_stable_per_hotkey_and_published_as_algorithm_1() {
    let (a, b) = (identity("//Miner"), identity("//Miner"));
    assert_eq!(a.tls_public_key(), b.tls_public_key(), "a restart keeps the key published on chain");
    assert_ne!(a.tls_public_key(), identity("//Validator").tls_public_key());
    let published = a.chain_certificate();
    assert_eq!(published.len(), 33);
    assert_eq!(published[0], 1);
    assert_eq!(&published[1..], &a.tls_public_key());
    let checked = check_certificate(&a.certificate_der(), unix_now()).unwrap();
    assert_eq!((checked.hotkey, checked.tls_key), (hotkey("//Miner"), a.tls_public_key()));
}

#[test]
fn a_certificate_is_renewed_when_half_its_validity_is_gone() {
    let id = TlsIdentity::with_validity(&key("//Miner"), Duration::from_secs(2)).unwrap();
    let first = id.certificate_der();
    assert_eq!(id.certificate_der(), first, "not renewed while fresh");
    std::thread::sleep(Duration::from_millis(1_100));
    let renewed = id.certificate_der();
    assert_ne!(renewed, first);
    let checked = check_certificate(&renewed, unix_now()).unwrap();
    assert!(checked.not_after > unix_now());
}
