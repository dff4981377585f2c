//! TLS sessions end to end on loopback: who may open one, what a request on one must
//! still say, and sessions that end. The handshake's cryptographic refusals (stolen
//! certificates, forged or expired bindings, replayed handshakes) are tested on
//! in-memory pipes in `subnet_core::net::tls`.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use subnet_core::keys::Keypair;
use subnet_core::net::{
    CallError, CallerInfo, CallerProof, Client, ClientOptions, MetagraphDirectory, MinerServer, RunningServer, ServerConfig, TlsIdentity, Transport,
};
use subnet_core::spec::{Envelope, HandleError, MinerSpec, RequestContext};
use tonic::Code;

const NETUID: u16 = 5;
const VERSION: u64 = 2;
const T: Duration = Duration::from_secs(5);

struct Echo;

#[async_trait::async_trait]
impl MinerSpec for Echo {
    async fn handle(&self, ctx: &RequestContext, payload: &[u8]) -> Result<Vec<u8>, HandleError> {
        let mut answer = ctx.caller.ss58().into_bytes();
        answer.extend_from_slice(payload);
        Ok(answer)
    }
}

fn key(uri: &str) -> Keypair {
    Keypair::from_uri(uri).unwrap()
}

async fn miner(tune: impl FnOnce(&mut ServerConfig)) -> (RunningServer, [u8; 32]) {
    let directory =
        MetagraphDirectory::from_callers([(key("//Validator").public_key().0, CallerInfo { uid: 0, stake: 1_000, validator_permit: true })]);
    let mut config = ServerConfig::new(NETUID, VERSION);
    tune(&mut config);
    let identity = TlsIdentity::new(&key("//Miner")).unwrap();
    let server = MinerServer::new(identity, Arc::new(Echo), Arc::new(directory), config).bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    (server, key("//Miner").public_key().0)
}

fn client(transport: Transport, proof: CallerProof) -> Client {
    Client::with_options(key("//Validator"), NETUID, VERSION, ClientOptions { transport, proof, ..ClientOptions::default() })
}

fn body() -> Bytes {
    Bytes::from(Envelope::encode("echo", &1))
}

fn refused(result: Result<Bytes, CallError>) -> (Code, String) {
    match result {
        Err(CallError::Refused { code, reason, .. }) => (code, reason),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn unreachable(result: Result<Bytes, CallError>) -> String {
    match result {
        Err(CallError::Unreachable(message)) => message,
        other => panic!("expected a failed connection, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_proves_the_caller_and_the_answer_comes_from_the_miner_dialled() {
    let (server, miner_key) = miner(|_| {}).await;
    let answer = Client::new(key("//Validator"), NETUID, VERSION).call(miner_key, server.addr, "echo", body(), T).await.unwrap();
    assert!(answer.starts_with(key("//Validator").ss58_address().as_bytes()), "the handler saw the session's hotkey");
    // Dialling the same address for another hotkey fails at the handshake, naming both.
    let other = key("//NotTheMiner").public_key().0;
    let message = unreachable(Client::new(key("//Validator"), NETUID, VERSION).call(other, server.addr, "echo", body(), T).await);
    assert!(message.contains("not the dialled") && message.contains(&key("//Miner").ss58_address()), "{message}");
    assert_eq!(server.stats.served.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_without_a_session_are_refused_with_a_clear_reason() {
    let (server, miner_key) = miner(|_| {}).await;
    // Plaintext HTTP/2 to a TLS miner (an old client, or a stock one without TLS).
    let plain = client(Transport::Plaintext, CallerProof::Session);
    assert_eq!(refused(plain.call(miner_key, server.addr, "echo", body(), T).await), (Code::Unauthenticated, "tls_required".into()));
    // Signed plaintext, to a miner that does not accept signed requests.
    let signed_plain = client(Transport::Plaintext, CallerProof::SignedRequests);
    assert_eq!(refused(signed_plain.call(miner_key, server.addr, "echo", body(), T).await).1, "tls_required");
    // TLS without a client certificate.
    let no_cert = client(Transport::Tls, CallerProof::SignedRequests);
    assert_eq!(refused(no_cert.call(miner_key, server.addr, "echo", body(), T).await), (Code::Unauthenticated, "client_certificate_required".into()));
    // A session request that does not say which subnet and version it is for.
    let session = Client::new(key("//Validator"), NETUID, VERSION);
    let bare = tonic::Request::new(body());
    assert_eq!(refused(session.send_request(miner_key, server.addr, bare, T).await), (Code::InvalidArgument, "missing_metadata".into()));
    assert_eq!(server.stats.served.load(Ordering::SeqCst), 0);

    // A miner that accepts signed requests serves the same callers (TLS or not).
    let (open, miner_key) = miner(|c| c.signed_requests = true).await;
    no_cert.call(miner_key, open.addr, "echo", body(), T).await.unwrap();
    signed_plain.call(miner_key, open.addr, "echo", body(), T).await.unwrap();
    assert_eq!(refused(plain.call(miner_key, open.addr, "echo", body(), T).await).1, "missing_header", "plaintext still needs a proof");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_key_from_the_chain_is_required() {
    let (server, miner_key) = miner(|_| {}).await;
    let session = Client::new(key("//Validator"), NETUID, VERSION);
    session.set_pinned_keys(HashMap::from([(miner_key, [7; 32])]));
    let message = unreachable(session.call(miner_key, server.addr, "echo", body(), T).await);
    assert!(message.contains("published on chain"), "{message}");
    // With the key the miner really published, the same client connects.
    let published = TlsIdentity::new(&key("//Miner")).unwrap().tls_public_key();
    session.set_pinned_keys(HashMap::from([(miner_key, published)]));
    session.call(miner_key, server.addr, "echo", body(), T).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_replaced_without_failing_a_request() {
    let (server, miner_key) = miner(|c| {
        c.session_lifetime = Duration::from_millis(300);
        c.rate_limit = None;
    })
    .await;
    let session = Client::new(key("//Validator"), NETUID, VERSION);
    let started = std::time::Instant::now();
    let mut failures = Vec::new();
    while started.elapsed() < Duration::from_millis(1_500) {
        if let Err(e) = session.call(miner_key, server.addr, "echo", body(), T).await {
            failures.push(e);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(failures, vec![], "requests across session ends all succeed");
    let connections = server.stats.connections.load(Ordering::SeqCst);
    assert!(connections >= 3, "the miner closed each session after its lifetime and the client reconnected ({connections} connections)");
}
