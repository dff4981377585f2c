//! btlightning 0.2.15 on loopback with the workload of `benches/src/net.rs`, the peer
//! side of `cargo xtask bench net --compare btlightning` (issue #15).
//!
//! Same shape as our bench, so the two columns compare transports and nothing else:
//! server and client in one process on a tokio multi-thread runtime with 2 workers;
//! the miner's and the validator's keys are the dev keys `//Miner` and `//Validator`
//! (ours too); one QUIC connection set up by `initialize_connections` (btlightning's
//! handshake: both hotkeys sign once per connection, nothing per request afterwards);
//! 200 warm-up requests (checked to echo), then the three patterns with our counts:
//! `sequential` one at a time, a closed loop of `concurrency` tasks each sending its
//! next request when the last is answered, and batches of `concurrency` spawned and
//! awaited together. The payload is our envelope's bytes, `{"task":"Echo","body":i}`
//! (`Envelope::encode("Echo", &i)`), carried as `{"payload": Binary(..)}` and echoed
//! back; every request has a 5 s timeout as ours. A request that errs or answers
//! `success: false` counts as a failure and is reported, not hidden.
//!
//! Two handlers, each on its own server and connection: `register_async_synapse_handler`
//! (btlightning's best case, rows `btlightning_*`) and the sync `SynapseHandler` its
//! own README benchmark uses, which runs in `spawn_blocking` per request (rows
//! `btlightning_sync_*`). Each pattern also reports the process's CPU time (user +
//! system, all threads: client and server together, as in ours) per request, `_cpu_us`.
//!
//! With `--connect HOST:PORT --server-hotkey SS58` it is a client only: the same
//! warm-up and patterns against a btlightning server in another process (the Python
//! one of `cargo xtask bench python`), rows named `--name` (default
//! `btlightning_python`), without `_cpu_us` rows (this process is only the client).
//!
//! `btlightning-peer [--json] [--handler async|sync|both] [--sequential N] [--requests N] [--concurrency N]
//! [--connect HOST:PORT --server-hotkey SS58 [--name PREFIX] [--handler-label TEXT]]`

use std::collections::HashMap;
use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use btlightning::{AsyncSynapseHandler, LightningClient, LightningServer, QuicAxonInfo, QuicRequest, Sr25519Signer, SynapseHandler};
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_core::{sr25519, Pair};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The task name, as ours (`Envelope::encode("Echo", ..)`, `client.call(.., "Echo", ..)`).
const SYNAPSE: &str = "Echo";
/// Per-request timeout, as ours.
const TIMEOUT: Duration = Duration::from_secs(5);
const WARM_UP: usize = 200;

struct AsyncEcho;

#[async_trait::async_trait]
impl AsyncSynapseHandler for AsyncEcho {
    async fn handle(&self, _synapse: &str, data: HashMap<String, rmpv::Value>) -> btlightning::Result<HashMap<String, rmpv::Value>> {
        Ok(data)
    }
}

struct SyncEcho;

impl SynapseHandler for SyncEcho {
    fn handle(&self, _synapse: &str, data: HashMap<String, rmpv::Value>) -> btlightning::Result<HashMap<String, rmpv::Value>> {
        Ok(data)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Handler {
    Async,
    Sync,
}

impl Handler {
    fn prefix(self) -> &'static str {
        match self {
            Handler::Async => "btlightning",
            Handler::Sync => "btlightning_sync",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Handler::Async => "async",
            Handler::Sync => "sync (spawn_blocking per request)",
        }
    }
}

struct Options {
    json: bool,
    handlers: Vec<Handler>,
    sequential: usize,
    requests: usize,
    concurrency: usize,
    /// Client only: the external server to query.
    connect: Option<External>,
}

/// A btlightning server in another process.
struct External {
    host: String,
    port: u16,
    hotkey: String,
    /// Row-name prefix and the handler's description in the rows.
    name: String,
    handler_label: String,
}

const USAGE: &str = "usage: btlightning-peer [--json] [--handler async|sync|both] [--sequential N] [--requests N] [--concurrency N] \
                     [--connect HOST:PORT --server-hotkey SS58 [--name PREFIX] [--handler-label TEXT]]";

fn parse_args() -> Result<Options> {
    // The counts of `net::run(2_000, 64 * 500, 64)` in benches/src/main.rs.
    let mut o =
        Options { json: false, handlers: vec![Handler::Async, Handler::Sync], sequential: 2_000, requests: 64 * 500, concurrency: 64, connect: None };
    let (mut connect, mut hotkey, mut name, mut handler_label) = (None, None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize> {
            let v = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            let n: usize = v.parse().map_err(|_| format!("{name}: {v:?} is not a count"))?;
            if n == 0 {
                return Err(format!("{name} must be positive").into());
            }
            Ok(n)
        };
        match arg.as_str() {
            "--json" => o.json = true,
            "--sequential" => o.sequential = number("--sequential")?,
            "--requests" => o.requests = number("--requests")?,
            "--concurrency" => o.concurrency = number("--concurrency")?,
            "--handler" => {
                o.handlers = match args.next().as_deref() {
                    Some("async") => vec![Handler::Async],
                    Some("sync") => vec![Handler::Sync],
                    Some("both") => vec![Handler::Async, Handler::Sync],
                    Some(other) => return Err(format!("--handler takes async, sync or both, not {other:?}").into()),
                    None => return Err("--handler needs a value: async, sync or both".into()),
                }
            }
            "--connect" | "--server-hotkey" | "--name" | "--handler-label" => {
                let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
                let slot = match arg.as_str() {
                    "--connect" => &mut connect,
                    "--server-hotkey" => &mut hotkey,
                    "--name" => &mut name,
                    _ => &mut handler_label,
                };
                *slot = Some(value);
            }
            other => return Err(format!("unknown argument {other:?}; {USAGE}").into()),
        }
    }
    if o.requests < o.concurrency {
        return Err("--requests must be at least --concurrency".into());
    }
    o.connect = match (connect, hotkey) {
        (Some(address), Some(hotkey)) => Some(external(&address, hotkey, name, handler_label)?),
        (None, None) if name.is_none() && handler_label.is_none() => None,
        _ => return Err(format!("--connect and --server-hotkey go together (--name, --handler-label need them); {USAGE}").into()),
    };
    Ok(o)
}

fn external(address: &str, hotkey: String, name: Option<String>, handler_label: Option<String>) -> Result<External> {
    let (host, port) = address.rsplit_once(':').ok_or_else(|| format!("--connect {address:?} is not HOST:PORT"))?;
    let port = port.parse().map_err(|_| format!("--connect {address:?}: {port:?} is not a port"))?;
    sr25519::Public::from_ss58check(&hotkey).map_err(|e| format!("--server-hotkey {hotkey:?} is not an SS58 address: {e:?}"))?;
    Ok(External {
        host: host.to_string(),
        port,
        hotkey,
        name: name.unwrap_or_else(|| "btlightning_python".into()),
        handler_label: handler_label.unwrap_or_else(|| "python (external server)".into()),
    })
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let o = parse_args()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let counts = Counts { sequential: o.sequential, concurrent_total: o.requests, concurrency: o.concurrency };
    let rows = match &o.connect {
        Some(external) => {
            let mut rows = runtime.block_on(measure_external(external, counts))?;
            // This process is the client alone: its CPU is not the both-ends figure.
            rows.retain(|r| !r["name"].as_str().is_some_and(|n| n.ends_with("_cpu_us")));
            rows
        }
        None => {
            let mut rows = Vec::new();
            for &handler in &o.handlers {
                rows.extend(runtime.block_on(measure(handler, counts))?);
            }
            rows
        }
    };
    if o.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!("{:<36} {:>14} {:<10} parameters", "benchmark", "median", "unit");
        for r in &rows {
            let value = r["value"].as_f64().unwrap_or(f64::NAN);
            let params: Vec<String> = r
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| !["name", "value", "unit"].contains(&k.as_str()))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let shown = if value < 10.0 { format!("{value:.3}") } else { format!("{value:.1}") };
            println!("{:<36} {:>14} {:<10} {}", r["name"].as_str().unwrap_or(""), shown, r["unit"].as_str().unwrap_or(""), params.join(" "));
        }
    }
    Ok(())
}

/// The 32-byte mini-secret seed of a dev key URI such as `//Miner` (what
/// `set_miner_keypair` and `Sr25519Signer::from_seed` take) and its SS58 address.
fn dev_key(uri: &str) -> Result<([u8; 32], String)> {
    let (pair, seed) = sr25519::Pair::from_string_with_seed(uri, None).map_err(|e| format!("dev key {uri}: {e:?}"))?;
    let seed = seed.ok_or_else(|| format!("dev key {uri} has no seed (soft derivation?)"))?;
    // The seed must give back the same key, or the handshake would sign with another one.
    if sr25519::Pair::from_seed(&seed).public() != pair.public() {
        return Err(format!("dev key {uri}: its seed derives another key").into());
    }
    Ok((seed, pair.public().to_ss58check()))
}

/// Our envelope's bytes: `Envelope::encode("Echo", &i)` = `{"task":"Echo","body":i}`.
fn envelope(i: usize) -> Vec<u8> {
    format!(r#"{{"task":"{SYNAPSE}","body":{i}}}"#).into_bytes()
}

/// One request; `Ok` with the echoed payload, `Err` with why it failed.
async fn call(client: &LightningClient, axon: &QuicAxonInfo, i: usize) -> std::result::Result<Option<Vec<u8>>, String> {
    let data = HashMap::from([("payload".to_string(), rmpv::Value::Binary(envelope(i)))]);
    let response = client.query_axon_with_timeout(axon.clone(), QuicRequest::new(SYNAPSE.into(), data), TIMEOUT).await.map_err(|e| e.to_string())?;
    if !response.success {
        return Err(response.error.unwrap_or_else(|| "success: false".into()));
    }
    Ok(match response.data.get("payload") {
        Some(rmpv::Value::Binary(b)) => Some(b.clone()),
        _ => None,
    })
}

/// How many requests each pattern sends (`sequential` one at a time; the closed loop
/// and the batches `concurrent_total` each, `concurrency` at once).
#[derive(Clone, Copy)]
struct Counts {
    sequential: usize,
    concurrent_total: usize,
    concurrency: usize,
}

/// Our own server with `handler`, queried by our client.
async fn measure(handler: Handler, counts: Counts) -> Result<Vec<Value>> {
    let (miner_seed, miner) = dev_key("//Miner")?;
    let mut server = LightningServer::new(miner.clone(), "127.0.0.1".into(), 0)?;
    server.set_miner_keypair(miner_seed);
    match handler {
        Handler::Async => server.register_async_synapse_handler(SYNAPSE.into(), Arc::new(AsyncEcho)).await?,
        Handler::Sync => server.register_synapse_handler(SYNAPSE.into(), Arc::new(SyncEcho)).await?,
    }
    server.start().await?;
    let port = server.local_addr()?.port();
    let server = Arc::new(server);
    let serving = tokio::spawn({
        let server = server.clone();
        async move { server.serve_forever().await }
    });
    let axon = QuicAxonInfo::new(miner, "127.0.0.1".into(), port, 4);
    let client_label = format!("btlightning-{}", if handler == Handler::Async { "async" } else { "sync" });
    let out = query(axon, handler.prefix(), &client_label, handler.label(), counts).await;
    server.stop().await?;
    serving.await??;
    out
}

/// A server in another process (`--connect`), queried by our client.
async fn measure_external(external: &External, counts: Counts) -> Result<Vec<Value>> {
    let axon = QuicAxonInfo::new(external.hotkey.clone(), external.host.clone(), external.port, 4);
    query(axon, &external.name, "btlightning-client", &external.handler_label, counts)
        .await
        .map_err(|e| format!("the btlightning server at {}:{} ({}): {e}", external.host, external.port, external.handler_label).into())
}

/// `//Validator`'s client connected to `axon`: the warm-up (checked to echo), then the
/// three patterns; rows named `prefix_*`.
async fn query(axon: QuicAxonInfo, prefix: &str, client_label: &str, handler_label: &str, counts: Counts) -> Result<Vec<Value>> {
    let Counts { sequential, concurrent_total, concurrency } = counts;
    let (validator_seed, validator) = dev_key("//Validator")?;
    let mut client = LightningClient::new(validator);
    client.set_signer(Box::new(Sr25519Signer::from_seed(validator_seed)));
    client.initialize_connections(vec![axon.clone()]).await?;
    let client = Arc::new(client);

    for i in 0..WARM_UP {
        match call(&client, &axon, i).await {
            Ok(Some(echo)) if echo == envelope(i) => {}
            Ok(other) => return Err(format!("warm-up request {i}: the echo is {other:?}, not the payload").into()),
            Err(e) => return Err(format!("warm-up request {i} failed: {e}").into()),
        }
    }
    let rows = |name: &str, concurrency: usize, requests: usize, failures: usize, elapsed: Duration, cpu: Duration, latencies: Vec<Duration>| {
        rows(&format!("{prefix}_{name}"), client_label, handler_label, concurrency, requests, failures, elapsed, cpu, latencies)
    };

    let mut latencies = Vec::with_capacity(sequential);
    let mut failures = 0;
    let cpu = process_cpu_time();
    let start = Instant::now();
    for i in 0..sequential {
        let t = Instant::now();
        failures += call(&client, &axon, i).await.is_err() as usize;
        latencies.push(t.elapsed());
    }
    let (elapsed, cpu) = (start.elapsed(), process_cpu_time().saturating_sub(cpu));
    let mut out = rows("sequential", 1, sequential, failures, elapsed, cpu, latencies);

    // Closed loop: `concurrency` tasks, each sending its next request when the last
    // is answered.
    let per_task = concurrent_total / concurrency;
    let cpu = process_cpu_time();
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let (client, axon) = (client.clone(), axon.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(per_task);
            let mut failed = 0;
            for i in 0..per_task {
                let t = Instant::now();
                failed += call(&client, &axon, w * per_task + i).await.is_err() as usize;
                latencies.push(t.elapsed());
            }
            (latencies, failed)
        });
    }
    let (mut latencies, mut failures) = (Vec::with_capacity(per_task * concurrency), 0);
    while let Some(done) = tasks.join_next().await {
        let (l, f) = done?;
        latencies.extend(l);
        failures += f;
    }
    let (elapsed, cpu) = (start.elapsed(), process_cpu_time().saturating_sub(cpu));
    out.extend(rows("concurrent", concurrency, per_task * concurrency, failures, elapsed, cpu, latencies));

    // Batches: `concurrency` requests spawned at once, all awaited, then the next batch.
    let batches = concurrent_total / concurrency;
    let (mut latencies, mut failures) = (Vec::with_capacity(batches * concurrency), 0);
    let cpu = process_cpu_time();
    let start = Instant::now();
    for b in 0..batches {
        let mut batch = tokio::task::JoinSet::new();
        for k in 0..concurrency {
            let (client, axon) = (client.clone(), axon.clone());
            batch.spawn(async move {
                let t = Instant::now();
                let failed = call(&client, &axon, b * concurrency + k).await.is_err();
                (t.elapsed(), failed)
            });
        }
        while let Some(done) = batch.join_next().await {
            let (latency, failed) = done?;
            latencies.push(latency);
            failures += failed as usize;
        }
    }
    let (elapsed, cpu) = (start.elapsed(), process_cpu_time().saturating_sub(cpu));
    out.extend(rows("batched", concurrency, batches * concurrency, failures, elapsed, cpu, latencies));

    client.close_all_connections().await?;
    Ok(out)
}

/// Throughput, p50 and p99 as `benches/src/net.rs` computes them, and CPU per request.
#[allow(clippy::too_many_arguments)]
fn rows(
    name: &str,
    client: &str,
    handler: &str,
    concurrency: usize,
    requests: usize,
    failures: usize,
    elapsed: Duration,
    cpu: Duration,
    mut latencies: Vec<Duration>,
) -> Vec<Value> {
    latencies.sort();
    let pick = |p: f64| latencies[((p * (latencies.len() - 1) as f64).round() as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
    let row = |name: String, value: f64, unit: &str| {
        json!({"name": name, "value": value, "unit": unit, "client": client, "handler": handler,
               "concurrency": concurrency, "requests": requests, "failures": failures})
    };
    vec![
        row(name.into(), requests as f64 / elapsed.as_secs_f64(), "per_second"),
        row(format!("{name}_p50"), pick(0.50), "ms"),
        row(format!("{name}_p99"), pick(0.99), "ms"),
        row(format!("{name}_cpu_us"), cpu.as_secs_f64() * 1e6 / requests as f64, "us"),
    ]
}

/// CPU time (user + system, all threads) this process has used so far; a copy of
/// `benches/src/cpu.rs`.
fn process_cpu_time() -> Duration {
    // SAFETY: `getrusage` only writes the `rusage` it is given, which is plain data
    // (all zeroes is a valid value).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let time = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    time(usage.ru_utime) + time(usage.ru_stime)
}
