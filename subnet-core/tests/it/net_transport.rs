//! The gRPC transport end to end on loopback: every refusal the server makes before
//! the handler, hand-built bad requests, handler failures, priority, and the client's
//! behaviour with dead and slow miners. Requests travel over TLS sessions
//! (`net_tls.rs` tests the handshake's own refusals); the per-request signed mode is
//! tested here against miners that accept it, over plaintext HTTP/2, which also lets
//! hand-built HTTP/2 frames reach the server.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use subnet_core::chain::{AccountId, AxonInfo};
use subnet_core::keys::Keypair;
use subnet_core::net::auth::{body_hash, now_nanos, Header, SignedHeader};
use subnet_core::net::{
    axon_info, AccessPolicy, CallError, CallerInfo, CallerProof, Client, ClientOptions, MetagraphDirectory, MinerServer, RunningServer, ServerConfig,
    TlsIdentity, Transport,
};
use subnet_core::spec::{ChunkSink, Envelope, HandleError, MinerSpec, Querier, QueryError, RequestContext, Target};
use tonic::Code;

const NETUID: u16 = 3;
const VERSION: u64 = 7;
const T: Duration = Duration::from_secs(5);

/// A miner with one task per behaviour under test.
struct TestMiner {
    calls: AtomicUsize,
    /// Stakes of `whoami` callers, in the order the handler ran.
    served_stakes: std::sync::Mutex<Vec<u64>>,
    /// Ends the `hold` task's wait.
    release: tokio::sync::Notify,
}

#[async_trait::async_trait]
impl MinerSpec for TestMiner {
    async fn handle(&self, ctx: &RequestContext, payload: &[u8]) -> Result<Vec<u8>, HandleError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let envelope = Envelope::decode(payload)?;
        match envelope.task.as_str() {
            "echo" => Ok(payload.to_vec()),
            "whoami" => {
                self.served_stakes.lock().unwrap().push(ctx.stake);
                Ok(format!("{} {}", ctx.caller.ss58(), ctx.stake).into_bytes())
            }
            "sleep" => {
                let ms: u64 = envelope.body()?;
                tokio::time::sleep(Duration::from_millis(ms)).await;
                Ok(b"awake".to_vec())
            }
            "hold" => {
                self.release.notified().await;
                Ok(b"released".to_vec())
            }
            "panic" => panic!("the handler panics (expected by the test)"),
            "fail" => Err(HandleError::miner("no answer today")),
            "count" => subnet_core::spec::collect_chunks(|sink| self.count(envelope, sink)).await,
            other => Err(HandleError::UnknownTask(other.to_string())),
        }
    }

    async fn handle_stream(&self, ctx: &RequestContext, payload: &[u8], sink: ChunkSink) -> Result<(), HandleError> {
        let envelope = Envelope::decode(payload)?;
        match envelope.task.as_str() {
            "count" => {
                self.calls.fetch_add(1, Ordering::SeqCst);
                self.count(envelope, sink).await
            }
            _ => sink.send(self.handle(ctx, payload).await?).await,
        }
    }
}

impl TestMiner {
    /// `{"n": N, "every_ms": D, "fail_after": K}`: chunks 0..N, one every D ms, failing
    /// after K chunks if given.
    async fn count(&self, envelope: Envelope, sink: ChunkSink) -> Result<(), HandleError> {
        let spec: serde_json::Value = envelope.body()?;
        let n = spec["n"].as_u64().unwrap_or(0);
        for i in 0..n {
            if spec["fail_after"].as_u64() == Some(i) {
                return Err(HandleError::miner("the model ran out of memory"));
            }
            tokio::time::sleep(Duration::from_millis(spec["every_ms"].as_u64().unwrap_or(0))).await;
            sink.send(i.to_string().into_bytes()).await?;
        }
        Ok(())
    }
}

fn key(uri: &str) -> Keypair {
    Keypair::from_uri(uri).unwrap()
}

struct Net {
    server: RunningServer,
    miner: Arc<TestMiner>,
    miner_key: [u8; 32],
}

impl Net {
    async fn start(tune: impl FnOnce(&mut ServerConfig)) -> Net {
        let miner_key = key("//Miner").public_key().0;
        let directory = MetagraphDirectory::from_callers([
            (key("//Validator").public_key().0, CallerInfo { uid: 0, stake: 1_000_000, validator_permit: true }),
            (key("//Whale").public_key().0, CallerInfo { uid: 1, stake: 9_000_000, validator_permit: true }),
            (key("//Minnow").public_key().0, CallerInfo { uid: 2, stake: 10, validator_permit: true }),
            (key("//OtherMiner").public_key().0, CallerInfo { uid: 3, stake: 0, validator_permit: false }),
        ]);
        let mut config = ServerConfig::new(NETUID, VERSION);
        config.policy.min_stake = 100;
        tune(&mut config);
        let miner = Arc::new(TestMiner { calls: AtomicUsize::new(0), served_stakes: Default::default(), release: Default::default() });
        let identity = TlsIdentity::new(&key("//Miner")).unwrap();
        let server = MinerServer::new(identity, miner.clone(), Arc::new(directory), config);
        let server = server.bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        Net { server, miner, miner_key }
    }

    fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    fn calls(&self) -> usize {
        self.miner.calls.load(Ordering::SeqCst)
    }

    async fn ask(&self, client: &Client, task: &str, body: serde_json::Value) -> Result<Bytes, CallError> {
        let payload = Bytes::from(Envelope::encode(task, &body));
        client.call(self.miner_key, self.addr(), task, payload, T).await
    }

    /// A request whose header is built by `tweak` after a valid one is made.
    async fn ask_with(&self, signer: &Keypair, body: &[u8], tweak: impl FnOnce(&mut Header)) -> Result<Bytes, CallError> {
        let mut h = Header {
            caller: signer.public_key().0,
            target: self.miner_key,
            netuid: NETUID,
            version: VERSION,
            nonce: now_nanos(),
            body_hash: body_hash(body),
            task: "echo".into(),
        };
        tweak(&mut h);
        let wire = h.sign(signer).encode();
        signed_client().send_raw(self.miner_key, self.addr(), Some(&wire), Bytes::copy_from_slice(body), T).await
    }
}

/// A miner that also accepts per-request signed headers (off by default).
fn accepting_signed(c: &mut ServerConfig) {
    c.signed_requests = true;
}

fn validator_client() -> Client {
    Client::new(key("//Validator"), NETUID, VERSION)
}

/// A validator client in the per-request signed mode, over plaintext HTTP/2.
fn signed_client() -> Client {
    let options = ClientOptions { transport: Transport::Plaintext, proof: CallerProof::SignedRequests, ..ClientOptions::default() };
    Client::with_options(key("//Validator"), NETUID, VERSION, options)
}

fn refused(result: Result<Bytes, CallError>) -> (Code, String) {
    match result {
        Err(CallError::Refused { code, reason, .. }) => (code, reason),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn echo_body() -> Vec<u8> {
    Envelope::encode("echo", &serde_json::json!({"x": 1}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_validator_gets_its_answer_with_its_identity() {
    let net = Net::start(|_| {}).await;
    let client = validator_client();
    let answer = net.ask(&client, "whoami", serde_json::json!(null)).await.unwrap();
    assert_eq!(std::str::from_utf8(&answer).unwrap(), format!("{} 1000000", key("//Validator").ss58_address()));
    let echo = net.ask(&client, "echo", serde_json::json!({"n": [1, 2, 3]})).await.unwrap();
    assert_eq!(&echo[..], &Envelope::encode("echo", &serde_json::json!({"n": [1, 2, 3]}))[..]);
    assert_eq!(net.server.stats.served.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_proofs_are_refused_before_the_handler() {
    let net = Net::start(accepting_signed).await;
    let v = key("//Validator");
    let body = echo_body();

    // No header, garbage header, truncated header.
    let client = signed_client();
    assert_eq!(
        refused(client.send_raw(net.miner_key, net.addr(), None, Bytes::from(body.clone()), T).await),
        (Code::Unauthenticated, "missing_header".into())
    );
    assert_eq!(
        refused(client.send_raw(net.miner_key, net.addr(), Some(b"garbage"), Bytes::from(body.clone()), T).await),
        (Code::Unauthenticated, "malformed_header".into())
    );
    let full = SignedHeader::new(&v, net.miner_key, NETUID, VERSION, "echo", &body).encode();
    let cut = &full[..full.len() - 10];
    assert_eq!(refused(client.send_raw(net.miner_key, net.addr(), Some(cut), Bytes::from(body.clone()), T).await).1, "malformed_header");

    // A body other than the one signed.
    let tampered = Envelope::encode("echo", &serde_json::json!({"x": 2}));
    let header = SignedHeader::new(&v, net.miner_key, NETUID, VERSION, "echo", &body).encode();
    assert_eq!(
        refused(client.send_raw(net.miner_key, net.addr(), Some(&header), Bytes::from(tampered), T).await),
        (Code::Unauthenticated, "body_hash_mismatch".into())
    );

    // Signed by another key than the caller it names.
    let mut forged = SignedHeader::new(&key("//Mallory"), net.miner_key, NETUID, VERSION, "echo", &body);
    forged.header.caller = v.public_key().0;
    assert_eq!(
        refused(client.send_raw(net.miner_key, net.addr(), Some(&forged.encode()), Bytes::from(body.clone()), T).await),
        (Code::Unauthenticated, "bad_signature".into())
    );

    // Stale and future nonces.
    let stale = net.ask_with(&v, &body, |h| h.nonce -= 60_000_000_000).await;
    assert_eq!(refused(stale), (Code::Unauthenticated, "stale_nonce".into()));
    let future = net.ask_with(&v, &body, |h| h.nonce += 60_000_000_000).await;
    assert_eq!(refused(future).1, "stale_nonce");
    assert_eq!(net.calls(), 0, "no refused request reached the handler");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_request_is_refused() {
    let net = Net::start(accepting_signed).await;
    let body = echo_body();
    let wire = SignedHeader::new(&key("//Validator"), net.miner_key, NETUID, VERSION, "echo", &body).encode();
    let client = signed_client();
    client.send_raw(net.miner_key, net.addr(), Some(&wire), Bytes::from(body.clone()), T).await.unwrap();
    assert_eq!(
        refused(client.send_raw(net.miner_key, net.addr(), Some(&wire), Bytes::from(body.clone()), T).await),
        (Code::Unauthenticated, "replay".into())
    );
    assert_eq!(net.calls(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misaddressed_and_incompatible_requests_are_refused() {
    let net = Net::start(accepting_signed).await;
    let (v, body) = (key("//Validator"), echo_body());
    assert_eq!(refused(net.ask_with(&v, &body, |h| h.target = [7; 32]).await), (Code::FailedPrecondition, "wrong_target".into()));
    assert_eq!(refused(net.ask_with(&v, &body, |h| h.version = VERSION + 1).await), (Code::FailedPrecondition, "incompatible_version".into()));
    assert_eq!(refused(net.ask_with(&v, &body, |h| h.netuid = NETUID + 1).await), (Code::FailedPrecondition, "wrong_subnet".into()));
    // A session client built for another version or subnet is refused the same way.
    let old = Client::new(v.clone(), NETUID, VERSION - 1);
    assert_eq!(
        refused(old.call(net.miner_key, net.addr(), "echo", Bytes::from(body.clone()), T).await),
        (Code::FailedPrecondition, "incompatible_version".into())
    );
    let elsewhere = Client::new(v, NETUID + 1, VERSION);
    assert_eq!(refused(elsewhere.call(net.miner_key, net.addr(), "echo", Bytes::from(body), T).await).1, "wrong_subnet");
    assert_eq!(net.calls(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_built_from_another_protocol_is_refused_by_fingerprint() {
    let net = Net::start(|c| c.protocol = Some("1111222233334444".into())).await;
    let speaking = |protocol: Option<&str>| {
        let options = ClientOptions { protocol: protocol.map(str::to_string), ..ClientOptions::default() };
        Client::with_options(key("//Validator"), NETUID, VERSION, options)
    };
    let (same, other, unstated) = (speaking(Some("1111222233334444")), speaking(Some("9999888877776666")), speaking(None));
    let refusal = net.ask(&other, "echo", serde_json::json!({"x": 1})).await.unwrap_err();
    let CallError::Refused { code, reason, message } = &refusal else { panic!("expected a refusal, got {refusal:?}") };
    assert_eq!((*code, reason.as_str()), (Code::FailedPrecondition, "protocol_mismatch"));
    assert!(message.contains("1111222233334444") && message.contains("9999888877776666") && message.contains("regenerate"), "{message}");
    assert_eq!(net.calls(), 0, "refused before the handler");
    // The same fingerprint, or none stated (an older client), is served.
    net.ask(&same, "echo", serde_json::json!({"x": 1})).await.unwrap();
    net.ask(&unstated, "echo", serde_json::json!({"x": 1})).await.unwrap();
    assert_eq!(net.calls(), 2);
    // A miner that states none serves every caller, whatever it states.
    let open = Net::start(|_| {}).await;
    open.ask(&other, "echo", serde_json::json!({"x": 1})).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blacklist_refuses_strangers_non_validators_and_low_stake() {
    let net = Net::start(|c| {
        c.policy.deny.insert(key("//Whale").public_key().0);
    })
    .await;
    let body = echo_body();
    let cases =
        [("//Stranger", "not_registered"), ("//OtherMiner", "no_validator_permit"), ("//Minnow", "stake_too_low"), ("//Whale", "blacklisted")];
    for (who, reason) in cases {
        // The hotkey proven in the TLS handshake is what the blacklist judges.
        let client = Client::new(key(who), NETUID, VERSION);
        let got = refused(client.call(net.miner_key, net.addr(), "echo", Bytes::from(body.clone()), T).await);
        assert_eq!(got, (Code::PermissionDenied, reason.to_string()), "{who}");
    }
    assert_eq!(net.calls(), 0);

    // An open policy admits anyone who proves a hotkey.
    let open = Net::start(|c| c.policy = AccessPolicy::open()).await;
    Client::new(key("//Stranger"), NETUID, VERSION).call(open.miner_key, open.addr(), "echo", Bytes::from(body), T).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_caller_has_its_own_rate_limit() {
    let net = Net::start(|c| c.rate_limit = Some((0.5, 3))).await;
    let client = validator_client();
    for _ in 0..3 {
        net.ask(&client, "echo", serde_json::json!(1)).await.unwrap();
    }
    assert_eq!(refused(net.ask(&client, "echo", serde_json::json!(1)).await), (Code::ResourceExhausted, "rate_limited".into()));
    // Another validator is unaffected.
    net.ask(&Client::new(key("//Whale"), NETUID, VERSION), "echo", serde_json::json!(1)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_messages_are_refused_unread() {
    let net = Net::start(|c| c.max_message_bytes = 64 << 10).await;
    let huge = Envelope::encode("echo", &"x".repeat(1 << 20));
    let client = validator_client();
    let got = client.call(net.miner_key, net.addr(), "echo", Bytes::from(huge), T).await;
    let (code, _) = refused(got);
    assert_eq!(code, Code::OutOfRange, "tonic refuses a message over the limit");
    assert_eq!(net.calls(), 0);
    // The server still serves.
    net.ask(&client, "echo", serde_json::json!(1)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_panics_failures_and_overruns_become_errors_and_serving_goes_on() {
    // The expected panic must not print a backtrace: symbolising one in a debug build
    // on a loaded machine (CI sets RUST_BACKTRACE) took longer than the 5 s timeout.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !info.to_string().contains("expected by the test") {
            default_hook(info)
        }
    }));
    let net = Net::start(|c| c.handler_timeout = Duration::from_millis(200)).await;
    let client = validator_client();
    assert_eq!(refused(net.ask(&client, "panic", serde_json::json!(null)).await), (Code::Internal, "handler_panicked".into()));
    assert_eq!(refused(net.ask(&client, "fail", serde_json::json!(null)).await), (Code::Internal, "miner_failed".into()));
    assert_eq!(refused(net.ask(&client, "nope", serde_json::json!(null)).await), (Code::Unimplemented, "unknown_task".into()));
    assert_eq!(
        refused(client.call(net.miner_key, net.addr(), "echo", Bytes::from_static(b"{broken"), T).await),
        (Code::InvalidArgument, "bad_request".into())
    );
    let started = std::time::Instant::now();
    assert_eq!(net.ask(&client, "sleep", serde_json::json!(5_000)).await, Err(CallError::Timeout(T)));
    assert!(started.elapsed() < Duration::from_secs(2), "the server's handler timeout cut the sleep short");
    assert_eq!(net.server.stats.failed.load(Ordering::SeqCst), 5);
    // The caller's own deadline is shorter still. (The server may see the caller hang
    // up before its own timer fires; such a request is dropped, not counted.)
    let short = client.call(net.miner_key, net.addr(), "sleep", Bytes::from(Envelope::encode("sleep", &1_000)), Duration::from_millis(50)).await;
    assert_eq!(short, Err(CallError::Timeout(Duration::from_millis(50))));
    assert!(net.ask(&client, "whoami", serde_json::json!(null)).await.is_ok());
}

/// Poll `done` until it holds (at most 10 s).
async fn wait_for(done: impl Fn() -> bool) {
    for _ in 0..1_000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the condition never held");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_saturated_higher_stake_is_served_first() {
    let net = Arc::new(Net::start(|c| c.max_concurrent = 1).await);
    // Occupy the only slot until both callers wait (no timing: the server is asked).
    let blocker = tokio::spawn({
        let net = net.clone();
        async move { net.ask(&validator_client(), "hold", serde_json::json!(null)).await }
    });
    wait_for(|| net.calls() == 1).await;
    let mut waiting = Vec::new();
    for (n, who) in ["//Validator", "//Whale"].into_iter().enumerate() {
        let client = Client::new(key(who), NETUID, VERSION);
        let net2 = net.clone();
        waiting.push(tokio::spawn(async move {
            net2.ask(&client, "whoami", serde_json::json!(null)).await.unwrap();
        }));
        wait_for(|| net.server.waiting() == n + 1).await; // the lower stake queues first
    }
    net.miner.release.notify_one();
    blocker.await.unwrap().unwrap();
    for w in waiting {
        w.await.unwrap();
    }
    assert_eq!(*net.miner.served_stakes.lock().unwrap(), vec![9_000_000, 1_000_000]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_is_not_held_by_dead_or_slow_miners() {
    let net = Net::start(|_| {}).await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap(); // closed at once
    let target = |addr: SocketAddr, hotkey: [u8; 32]| Target { uid: 0, hotkey: AccountId(hotkey), axon: axon_info(addr, 1), tls_key: None };
    let targets = vec![
        target(net.addr(), net.miner_key),
        target(dead, [1; 32]),
        Target { uid: 2, hotkey: AccountId([2; 32]), axon: AxonInfo { port: 0, ..axon_info(dead, 1) }, tls_key: None },
    ];
    let client = validator_client();
    let started = std::time::Instant::now();
    let responses = client.query(&targets, &echo_body(), Duration::from_millis(500)).await;
    assert!(started.elapsed() < Duration::from_millis(600));
    assert_eq!(responses[0].result.as_deref(), Ok(&echo_body()[..]));
    assert!(matches!(responses[1].result, Err(QueryError::Unreachable(_)) | Err(QueryError::Timeout)), "{:?}", responses[1]);
    assert!(matches!(responses[2].result, Err(QueryError::Unreachable(_))));

    // A slow miner times out on its own; the fast one still answers.
    let slow = Envelope::encode("sleep", &2_000);
    let started = std::time::Instant::now();
    let responses = client.query(&targets[..1], &slow, Duration::from_millis(150)).await;
    assert_eq!(responses[0].result, Err(QueryError::Timeout));
    assert!(started.elapsed() < Duration::from_millis(400));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_requests_from_one_validator_all_pass() {
    // On a session, and signed at nearly the same time (arriving in any order): none is
    // refused, none taken for a replay.
    let net = Arc::new(
        Net::start(|c| {
            c.rate_limit = None;
            c.signed_requests = true;
        })
        .await,
    );
    for client in [validator_client(), signed_client()] {
        let mut tasks = Vec::new();
        for i in 0..200 {
            let (net, client) = (net.clone(), client.clone());
            tasks.push(tokio::spawn(async move { net.ask(&client, "echo", serde_json::json!(i)).await }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    }
    assert_eq!(net.calls(), 400);
}

/// Send one hand-built HTTP/2 request; returns the `grpc-status` the server answered.
async fn raw_http2(addr: SocketAddr, path: &str, auth: Option<&[u8]>, frame: Bytes) -> u32 {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(connection);
    let mut client = client.ready().await.unwrap();
    let mut request = http::Request::builder()
        .method("POST")
        .uri(format!("http://{addr}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers");
    if let Some(a) = auth {
        use base64_engine::encode;
        request = request.header("subnet-auth-bin", encode(a));
    }
    let (response, mut stream) = client.send_request(request.body(()).unwrap(), false).unwrap();
    // The server may answer (and close the stream) before reading the body.
    let _ = stream.send_data(frame, true);
    let response = tokio::time::timeout(T, response).await.expect("the server answers").unwrap();
    let (parts, mut body) = response.into_parts();
    let status = |v: &http::HeaderValue| v.to_str().unwrap().parse::<u32>().unwrap();
    if let Some(s) = parts.headers.get("grpc-status") {
        return status(s); // trailers-only response
    }
    while let Some(chunk) = body.data().await {
        chunk.unwrap();
    }
    status(body.trailers().await.unwrap().expect("trailers").get("grpc-status").expect("a grpc-status"))
}

/// Base64 as gRPC's binary metadata wants it (standard alphabet, no padding).
mod base64_engine {
    pub fn encode(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }
}

/// A gRPC length-prefixed message: flag, length (big endian), bytes.
fn grpc_frame(compressed: u8, declared_len: u32, payload: &[u8]) -> Bytes {
    let mut f = vec![compressed];
    f.extend_from_slice(&declared_len.to_be_bytes());
    f.extend_from_slice(payload);
    Bytes::from(f)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_built_bad_frames_get_statuses_and_the_server_survives() {
    let net = Net::start(|c| {
        c.max_message_bytes = 64 << 10;
        c.signed_requests = true;
    })
    .await;
    let body = echo_body();
    let auth = SignedHeader::new(&key("//Validator"), net.miner_key, NETUID, VERSION, "echo", &body).encode();
    let ok = Code::Ok as u32;
    // A well-formed request by hand passes, so the others fail for their flaw alone.
    assert_eq!(raw_http2(net.addr(), "/subnet.v1.Miner/Query", Some(&auth), grpc_frame(0, body.len() as u32, &body)).await, ok);
    let auth = |b: &[u8]| SignedHeader::new(&key("//Validator"), net.miner_key, NETUID, VERSION, "echo", b).encode();

    let truncated = raw_http2(net.addr(), "/subnet.v1.Miner/Query", Some(&auth(&body)), grpc_frame(0, 100, &body[..10])).await;
    assert_ne!(truncated, ok, "a frame shorter than its length prefix");
    let huge = raw_http2(net.addr(), "/subnet.v1.Miner/Query", Some(&auth(&body)), grpc_frame(0, u32::MAX, b"x")).await;
    assert_eq!(huge, Code::OutOfRange as u32, "a length prefix over the limit is refused unread");
    let compressed = raw_http2(net.addr(), "/subnet.v1.Miner/Query", Some(&auth(&body)), grpc_frame(1, body.len() as u32, &body)).await;
    assert_ne!(compressed, ok, "a compressed flag with no agreed compression");
    let garbage = raw_http2(net.addr(), "/subnet.v1.Miner/Query", Some(&auth(&body)), Bytes::from_static(b"\xff\xfe")).await;
    assert_ne!(garbage, ok);
    let unknown = raw_http2(net.addr(), "/subnet.v1.Miner/Other", Some(&auth(&body)), grpc_frame(0, body.len() as u32, &body)).await;
    assert_eq!(unknown, Code::Unimplemented as u32);

    // Bytes that are not HTTP/2 at all: the connection is dropped, nothing else.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(net.addr()).await.unwrap();
    tcp.write_all(b"GET / HTTP/1.1\r\n\r\n\x00\x01garbage").await.unwrap();
    let mut sink = Vec::new();
    let _ = tokio::time::timeout(T, tcp.read_to_end(&mut sink)).await.expect("the server closes the connection");

    assert_eq!(net.calls(), 1, "only the well-formed request reached the handler");
    net.ask(&validator_client(), "echo", serde_json::json!("still serving")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutated_requests_never_reach_the_handler_nor_break_the_server() {
    // A property over the server's decoding path: any change to a signed request's
    // header or body bytes is refused with a status, and the server keeps serving.
    let net = Net::start(|c| {
        c.rate_limit = None;
        c.signed_requests = true;
    })
    .await;
    let v = key("//Validator");
    let client = signed_client();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..150 {
        let body = echo_body();
        let mut header = SignedHeader::new(&v, net.miner_key, NETUID, VERSION, "echo", &body).encode();
        let mut payload = body.clone();
        let r = next();
        match r % 4 {
            0 => {
                let i = (next() as usize) % header.len();
                header[i] ^= 1 << (next() % 8);
            }
            1 => header.truncate((next() as usize) % header.len()),
            2 => {
                let i = (next() as usize) % payload.len();
                payload[i] ^= 1 << (next() % 8);
            }
            _ => header.extend((0..(next() % 40 + 1)).map(|_| next() as u8)),
        }
        let result = client.send_raw(net.miner_key, net.addr(), Some(&header), Bytes::from(payload), T).await;
        assert!(matches!(result, Err(CallError::Refused { .. })), "{result:?}");
    }
    assert_eq!(net.calls(), 0);
    net.ask(&client, "echo", serde_json::json!(1)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_answers_arrive_chunk_by_chunk_and_fail_typed() {
    let net = Net::start(|c| c.handler_timeout = Duration::from_millis(500)).await;
    let client = validator_client();
    let ask = |spec: serde_json::Value, timeout: Duration| {
        let body = Bytes::from(Envelope::encode("count", &spec));
        let (client, target, addr) = (client.clone(), net.miner_key, net.addr());
        async move { client.call_stream(target, addr, "count", body, timeout).await }
    };
    let streamed = ask(serde_json::json!({"n": 5, "every_ms": 20}), T).await.unwrap();
    let chunks: Vec<&[u8]> = streamed.chunks.iter().map(|c| &c[..]).collect();
    assert_eq!(chunks, [b"0", b"1", b"2", b"3", b"4"]);
    let first = streamed.first_chunk.unwrap();
    assert!(first >= Duration::from_millis(20) && first < Duration::from_millis(80), "first chunk after one interval: {first:?}");

    // A failure after some chunks ends the stream with the handler's status.
    let failed = ask(serde_json::json!({"n": 5, "fail_after": 2}), T).await;
    assert!(matches!(&failed, Err(CallError::Refused { reason, .. }) if reason == "miner_failed"), "{failed:?}");
    // A stream that overruns the server's handler timeout, or the caller's, is a timeout.
    assert_eq!(ask(serde_json::json!({"n": 100, "every_ms": 20}), T).await, Err(CallError::Timeout(T)));
    let short = Duration::from_millis(100);
    assert_eq!(ask(serde_json::json!({"n": 100, "every_ms": 20}), short).await, Err(CallError::Timeout(short)));

    // The stream path runs the same checks: plaintext without a signed header (here,
    // to a miner that accepts none), no stream.
    let frame = grpc_frame(0, echo_body().len() as u32, &echo_body());
    assert_eq!(raw_http2(net.addr(), "/subnet.v1.Miner/QueryStream", None, frame).await, Code::Unauthenticated as u32);

    // A unary request for a streamed task gets the chunks as one JSON array; a stream
    // request for a unary task gets the answer as its only chunk.
    let whole = net.ask(&client, "count", serde_json::json!({"n": 3})).await.unwrap();
    assert_eq!(&whole[..], b"[0,1,2]");
    let one = client.call_stream(net.miner_key, net.addr(), "whoami", Bytes::from(Envelope::encode("whoami", &())), T).await.unwrap();
    assert_eq!(one.chunks.len(), 1);
    net.ask(&client, "echo", serde_json::json!("still serving")).await.unwrap();
}
