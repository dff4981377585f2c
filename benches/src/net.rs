//! `bench net`: the gRPC transport on loopback with a trivial echo task.
//!
//! Server and client share one process and this machine's cores (as Bittensor's
//! Python axon and dendrite do in `benches/python/axon_bench.py`). Requests travel
//! over a TLS 1.3 session in which the validator's hotkey was proven once (the
//! default), and the caller is looked up in the metagraph directory for every
//! request. The per-caller rate limit is off: one client sends everything. For the
//! cost of TLS and of per-request signatures, the closed loop also runs with signed
//! requests over TLS (no client certificate) and over plaintext (the transport before
//! sessions); `_cpu_us` rows are the process's CPU time per request, both ends
//! together. `rust_grpc_connection_setup` is a new connection's first request: TCP,
//! TLS handshake with both hotkeys proven, and the request.
//!
//! Three load patterns: one request at a time; a closed loop keeping `concurrency`
//! requests in flight (saturation: latency is then queueing, by Little's law
//! in-flight / throughput); and batches of `concurrency` requests sent together and
//! awaited together (a validator's round, and the Python bench's concurrent phase).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use subnet_core::keys::Keypair;
use subnet_core::net::{CallerInfo, CallerProof, Client, ClientOptions, MetagraphDirectory, MinerServer, ServerConfig, TlsIdentity, Transport};
use subnet_core::spec::{Envelope, HandleError, MinerSpec, RequestContext};

use crate::cpu::process_cpu_time;
use crate::Row;

const NETUID: u16 = 1;
/// The echo protocol's version (the weights version key a miner announces).
pub(crate) const VERSION: u64 = 1;

struct Echo;

#[async_trait::async_trait]
impl MinerSpec for Echo {
    async fn handle(&self, _ctx: &RequestContext, payload: &[u8]) -> Result<Vec<u8>, HandleError> {
        Ok(payload.to_vec())
    }
}

pub(crate) fn run(sequential: usize, concurrent_total: usize, concurrency: usize) -> anyhow::Result<Vec<Row>> {
    let mut rows = crypto_floor();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let counts = Counts { sequential, concurrent_total, concurrency };
    rows.extend(runtime.block_on(measure(counts))?);
    Ok(rows)
}

/// What one request costs in cryptography alone, the floor under any latency figure:
/// the client signs a header, the server verifies it.
fn crypto_floor() -> Vec<Row> {
    use subnet_core::net::auth::SignedHeader;
    let key = Keypair::from_uri("//Validator").expect("dev key");
    let body = Envelope::encode("Echo", &1);
    let signed = SignedHeader::new(&key, [7; 32], NETUID, VERSION, "Echo", &body);
    let message = signed.header.message();
    let n = 2_000u32;
    let per = |f: &mut dyn FnMut()| crate::median_time(5, || (0..n).for_each(|_| f())).as_secs_f64() * 1e6 / n as f64;
    let sign = per(&mut || {
        std::hint::black_box(SignedHeader::new(&key, [7; 32], NETUID, VERSION, "Echo", &body));
    });
    let verify = per(&mut || {
        assert!(subnet_core::keys::verify(&signed.header.caller, &message, &signed.signature));
    });
    vec![
        Row { name: "sr25519_sign_header".into(), value: sign, unit: "us", params: vec![] },
        Row { name: "sr25519_verify_header".into(), value: verify, unit: "us", params: vec![] },
    ]
}

async fn measure(counts: Counts) -> anyhow::Result<Vec<Row>> {
    let validator = Keypair::from_uri("//Validator")?;
    let miner = Keypair::from_uri("//Miner")?;
    let directory = MetagraphDirectory::from_callers([(validator.public_key().0, CallerInfo { uid: 0, stake: 1_000_000, validator_permit: true })]);
    let mut config = ServerConfig::new(NETUID, VERSION);
    config.rate_limit = None;
    config.signed_requests = true; // for the signed rows; sessions are served as always
    let server = MinerServer::new(TlsIdentity::new(&miner)?, Arc::new(Echo), Arc::new(directory), config)
        .bind("127.0.0.1:0".parse()?)
        .await
        .context("binding loopback")?;
    let miner = Miner { addr: server.addr, hotkey: miner.public_key().0 };
    let rows = measure_served(&miner, &validator, counts).await;
    server.shutdown().await;
    rows
}

/// Every client configuration against the served echo miner.
async fn measure_served(miner: &Miner, validator: &Keypair, counts: Counts) -> anyhow::Result<Vec<Row>> {
    let session = Client::new(validator.clone(), NETUID, VERSION);
    let mut rows = run_patterns(miner, &session, "rust_grpc", counts, true).await?;
    let signed_counts = Counts { sequential: 0, ..counts };
    for (name, transport) in [("rust_grpc_signed_tls", Transport::Tls), ("rust_grpc_signed_plaintext", Transport::Plaintext)] {
        let options = ClientOptions { transport, proof: CallerProof::SignedRequests, ..ClientOptions::default() };
        let signed = Client::with_options(validator.clone(), NETUID, VERSION, options);
        rows.extend(run_patterns(miner, &signed, name, signed_counts, false).await?);
    }
    rows.extend(connection_setup(miner, validator, 300).await);
    Ok(rows)
}

/// A miner to query: where it listens and its hotkey.
#[derive(Clone, Copy)]
pub(crate) struct Miner {
    pub(crate) addr: std::net::SocketAddr,
    pub(crate) hotkey: [u8; 32],
}

/// How many requests each load pattern sends.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Counts {
    /// One at a time (the pattern is skipped if 0).
    pub(crate) sequential: usize,
    /// In all, for the closed loop and for the batches.
    pub(crate) concurrent_total: usize,
    /// Kept in flight by the closed loop; the size of a batch.
    pub(crate) concurrency: usize,
}

/// Requests sent before a client's first pattern, checked to be answered.
const WARM_UP: usize = 200;

/// Request `i`: the envelope `{"task":"Echo","body":i}`.
pub(crate) async fn call(client: Client, miner: Miner, i: usize) -> Result<Bytes, subnet_core::net::CallError> {
    let body = Bytes::from(Envelope::encode("Echo", &i));
    client.call(miner.hotkey, miner.addr, "Echo", body, Duration::from_secs(5)).await
}

/// The three load patterns (sequential only if `counts.sequential > 0`, batches only
/// if `batched`) with `client`, rows named `name_*`, after [`WARM_UP`] requests that
/// must all be answered (a miner that does not answer is an error, not a row of
/// failures).
pub(crate) async fn run_patterns(miner: &Miner, client: &Client, name: &str, counts: Counts, batched: bool) -> anyhow::Result<Vec<Row>> {
    let Counts { sequential, concurrent_total, concurrency } = counts;
    anyhow::ensure!(concurrency > 0 && concurrent_total >= concurrency, "{name}: {concurrent_total} requests cannot keep {concurrency} in flight");
    let miner = *miner;
    for i in 0..WARM_UP {
        call(client.clone(), miner, i).await.with_context(|| format!("{name}: warm-up request {i} to {}", miner.addr))?;
    }
    let mut rows = Vec::new();
    if sequential > 0 {
        let mut latencies = Vec::with_capacity(sequential);
        let mut failures = 0;
        let (start, cpu) = (Instant::now(), process_cpu_time());
        for i in 0..sequential {
            let t = Instant::now();
            failures += call(client.clone(), miner, i).await.is_err() as usize;
            latencies.push(t.elapsed());
        }
        let cpu = process_cpu_time().saturating_sub(cpu);
        rows.extend(self::rows(&format!("{name}_sequential"), 1, sequential, failures, start.elapsed(), cpu, latencies));
    }

    // Closed loop: `concurrency` tasks, each sending its next request when the last
    // is answered.
    let (start, cpu) = (Instant::now(), process_cpu_time());
    let per_task = concurrent_total / concurrency;
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let client = client.clone();
        tasks.spawn(async move {
            let mut out = Vec::with_capacity(per_task);
            let mut failed = 0;
            for i in 0..per_task {
                let t = Instant::now();
                failed += call(client.clone(), miner, w * per_task + i).await.is_err() as usize;
                out.push(t.elapsed());
            }
            (out, failed)
        });
    }
    let (mut latencies, mut failures) = (Vec::new(), 0);
    while let Some(done) = tasks.join_next().await {
        let (l, f) = done.context("a bench task")?;
        latencies.extend(l);
        failures += f;
    }
    let (elapsed, cpu) = (start.elapsed(), process_cpu_time().saturating_sub(cpu));
    rows.extend(self::rows(&format!("{name}_concurrent"), concurrency, per_task * concurrency, failures, elapsed, cpu, latencies));
    if !batched {
        return Ok(rows);
    }

    // Batches: `concurrency` requests at once, all awaited, then the next batch — a
    // validator's round over its miners, and what the Python bench's
    // `asyncio.gather` phase does.
    let batches = concurrent_total / concurrency;
    let (mut latencies, mut failures) = (Vec::with_capacity(batches * concurrency), 0);
    let (start, cpu) = (Instant::now(), process_cpu_time());
    for b in 0..batches {
        let mut batch = tokio::task::JoinSet::new();
        for k in 0..concurrency {
            let client = client.clone();
            batch.spawn(async move {
                let t = Instant::now();
                let failed = call(client, miner, b * concurrency + k).await.is_err();
                (t.elapsed(), failed)
            });
        }
        while let Some(done) = batch.join_next().await {
            let (latency, failed) = done.context("a bench task")?;
            latencies.push(latency);
            failures += failed as usize;
        }
    }
    let (elapsed, cpu) = (start.elapsed(), process_cpu_time().saturating_sub(cpu));
    rows.extend(self::rows(&format!("{name}_batched"), concurrency, batches * concurrency, failures, elapsed, cpu, latencies));
    Ok(rows)
}

/// A new connection's first request, `n` times, one at a time: TCP connect, the TLS
/// handshake proving both hotkeys, and the request. Each client is made beforehand
/// (its certificate signed once, as a validator does at start).
async fn connection_setup(miner: &Miner, validator: &Keypair, n: usize) -> Vec<Row> {
    let clients: Vec<Client> = (0..n).map(|_| Client::new(validator.clone(), NETUID, VERSION)).collect();
    let mut latencies = Vec::with_capacity(n);
    let mut failures = 0;
    let (start, cpu) = (Instant::now(), process_cpu_time());
    for (i, client) in clients.into_iter().enumerate() {
        let t = Instant::now();
        failures += call(client, *miner, i).await.is_err() as usize;
        latencies.push(t.elapsed());
    }
    let (elapsed, cpu) = (start.elapsed(), process_cpu_time().saturating_sub(cpu));
    let mut rows = self::rows("rust_grpc_connection_setup", 1, n, failures, elapsed, cpu, latencies);
    rows.remove(0); // a rate of new connections is not a figure anyone asked for
    rows
}

/// A pattern's rows: requests per second, p50 and p99 latency, CPU per request.
pub(crate) fn rows(
    name: &str,
    concurrency: usize,
    requests: usize,
    failures: usize,
    elapsed: Duration,
    cpu: Duration,
    mut latencies: Vec<Duration>,
) -> Vec<Row> {
    latencies.sort();
    let pick = |p: f64| latencies[((p * (latencies.len() - 1) as f64).round() as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
    let params =
        || vec![("client", "rust-grpc".into()), ("concurrency", concurrency.into()), ("requests", requests.into()), ("failures", failures.into())];
    vec![
        Row { name: name.into(), value: requests as f64 / elapsed.as_secs_f64(), unit: "per_second", params: params() },
        Row { name: format!("{name}_p50"), value: pick(0.50), unit: "ms", params: params() },
        Row { name: format!("{name}_p99"), value: pick(0.99), unit: "ms", params: params() },
        Row { name: format!("{name}_cpu_us"), value: cpu.as_secs_f64() * 1e6 / requests as f64, unit: "us", params: params() },
    ]
}
