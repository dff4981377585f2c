//! A miner whose handler is Python: [`PythonHandler`] is one more `MinerSpec`, so the
//! Rust server (TLS, the hotkey handshake, blacklist, rate limits, stake priority) runs
//! unchanged in front of it. `serve` serves it from a Python program; `run_miner` is
//! the whole `miner` command of a subnet binary, flags and all.
//!
//! The handler is the package's `Dispatcher` (`subnet_core.miner`): called with the
//! request envelope's bytes and the caller, it returns `(outcome, bytes)`, where
//! `outcome` names the [`HandleError`] kind or is `"ok"`; its `stream` method returns
//! a `ChunkStream` for a streamed task, pulled chunk by chunk. Python runs on tokio's
//! blocking threads holding the GIL; an `async def` handler is awaited on the
//! package's event loop thread, so the GIL is free while it waits.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use subnet_core::cli::MinerService;
use subnet_core::miner::{ServeOptions, ServedMiner};
use subnet_core::spec::{AccessRules, ChunkSink, HandleError, MinerSpec, RequestContext};

use crate::chain::Chain;
use crate::errors::MinerError;
use crate::runtime;
use crate::wallet::Wallet;

/// A `MinerSpec` answering with a Python dispatcher.
struct PythonHandler {
    dispatch: Arc<Py<PyAny>>,
}

#[async_trait]
impl MinerSpec for PythonHandler {
    async fn handle(&self, ctx: &RequestContext, payload: &[u8]) -> Result<Vec<u8>, HandleError> {
        let dispatch = self.dispatch.clone();
        let (payload, caller, stake) = (payload.to_vec(), ctx.caller.ss58(), ctx.stake);
        // Python blocks its thread (and holds the GIL while it runs): not on a
        // runtime worker, which would stall every other connection.
        on_python_thread(move |py| {
            let result = dispatch.call1(py, (PyBytes::new(py, &payload), caller, stake)).map_err(|e| HandleError::Miner(e.to_string()))?;
            outcome(result.bind(py))?.ok_or_else(|| HandleError::Miner("the dispatcher answered a unary query with a stream".into()))
        })
        .await
    }

    /// The dispatcher's `stream` starts the handler; a streamed task's chunks are then
    /// pulled one at a time (`ChunkStream.next_chunk`) and each is sent as soon as the
    /// handler has made it. A task that does not stream is sent as one chunk.
    async fn handle_stream(&self, ctx: &RequestContext, payload: &[u8], sink: ChunkSink) -> Result<(), HandleError> {
        let dispatch = self.dispatch.clone();
        let (payload, caller, stake) = (payload.to_vec(), ctx.caller.ss58(), ctx.stake);
        let started = on_python_thread(move |py| {
            let result =
                dispatch.call_method1(py, "stream", (PyBytes::new(py, &payload), caller, stake)).map_err(|e| HandleError::Miner(e.to_string()))?;
            match outcome(result.bind(py))? {
                Some(whole) => Ok(Started::Whole(whole)),
                None => Ok(Started::Chunks(Arc::new(result.bind(py).get_item(1).map_err(|e| HandleError::Miner(e.to_string()))?.unbind()))),
            }
        })
        .await?;
        let chunks = match started {
            Started::Whole(answer) => return sink.send(answer).await,
            Started::Chunks(chunks) => chunks,
        };
        loop {
            let stream = chunks.clone();
            let next = on_python_thread(move |py| {
                let chunk = stream.call_method0(py, "next_chunk").map_err(|e| HandleError::Miner(e.to_string()))?;
                if chunk.is_none(py) {
                    return Ok(None);
                }
                outcome(chunk.bind(py))?.map(Some).ok_or_else(|| HandleError::Miner("a chunk was not (outcome, bytes)".into()))
            })
            .await;
            let sent = match next {
                Ok(Some(chunk)) => sink.send(chunk).await,
                Ok(None) => return Ok(()),
                Err(e) => Err(e),
            };
            if let Err(e) = sent {
                // The caller went away or the handler failed: end its generator.
                on_python_thread(move |py| chunks.call_method0(py, "close").map(drop).map_err(|e| HandleError::Miner(e.to_string()))).await?;
                return Err(e);
            }
        }
    }
}

/// What the dispatcher's `stream` started: a whole answer, or a `ChunkStream`.
enum Started {
    Whole(Vec<u8>),
    Chunks(Arc<Py<PyAny>>),
}

/// Run Python on one of tokio's blocking threads, holding the GIL only there.
async fn on_python_thread<T: Send + 'static>(work: impl FnOnce(Python<'_>) -> Result<T, HandleError> + Send + 'static) -> Result<T, HandleError> {
    tokio::task::spawn_blocking(move || Python::attach(work))
        .await
        .map_err(|e| HandleError::Miner(format!("the Python handler's thread failed: {e}")))?
}

/// Read the dispatcher's `(outcome, data)`: `Ok(Some(bytes))` for `"ok"` with bytes,
/// `Ok(None)` for `"ok"` with a stream, the typed error for any other outcome.
fn outcome(result: &Bound<'_, PyAny>) -> Result<Option<Vec<u8>>, HandleError> {
    let (outcome, data): (String, Bound<'_, PyAny>) =
        result.extract().map_err(|e| HandleError::Miner(format!("the dispatcher returned no (outcome, data): {e}")))?;
    let bytes = data.cast::<PyBytes>().ok().map(|b| b.as_bytes().to_vec());
    let text = || bytes.as_deref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    match outcome.as_str() {
        "ok" => Ok(bytes),
        "bad_request" => Err(HandleError::BadRequest(text())),
        "unknown_task" => Err(HandleError::UnknownTask(text())),
        "encode" => Err(HandleError::Encode(text())),
        _ => Err(HandleError::Miner(text())),
    }
}

/// A miner serving in the background.
#[pyclass(module = "subnet_core", frozen)]
pub(crate) struct Miner {
    /// The miner's UID on the subnet.
    #[pyo3(get)]
    uid: u16,
    /// Where it listens, `"ip:port"`.
    #[pyo3(get)]
    address: String,
    served: Mutex<Option<ServedMiner>>,
}

#[pymethods]
impl Miner {
    /// Requests served, refused before the handler, and failed in it: a dict.
    fn stats(&self) -> PyResult<std::collections::HashMap<&'static str, u64>> {
        use std::sync::atomic::Ordering::Relaxed;
        let guard = self.served.lock().unwrap_or_else(|e| e.into_inner());
        let served = guard.as_ref().ok_or_else(|| MinerError::new_err("the miner is stopped"))?;
        let s = &served.stats;
        Ok([("served", s.served.load(Relaxed)), ("refused", s.refused.load(Relaxed)), ("failed", s.failed.load(Relaxed))].into())
    }

    /// Stop accepting, finish the running requests (idempotent).
    fn stop(&self, py: Python<'_>) {
        let served = self.served.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(served) = served {
            runtime::block_on(py, served.shutdown());
        }
    }

    fn __repr__(&self) -> String {
        format!("Miner(uid={}, address={:?})", self.uid, self.address)
    }
}

/// Serve `dispatch` as the wallet's (registered) hotkey on `netuid`: listen on
/// `ip:port` (port 0 picks one), announce the axon and TLS key on chain, follow the
/// metagraph for who may call. The subnet's access rules (`access`, the protocol
/// description's JSON; the default without) decide who may call and how much; the
/// `allow_*` flags loosen them as `--blacklist.*` do for the Rust miner.
#[pyfunction]
#[pyo3(signature = (chain, wallet, netuid, dispatch, version, ip = "0.0.0.0", port = 8091, external_ip = None,
                    allow_non_registered = false, allow_non_validators = false, hotkey_password = None, access = None,
                    fingerprint = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn serve(
    py: Python<'_>,
    chain: &Chain,
    wallet: &Wallet,
    netuid: u16,
    dispatch: Py<PyAny>,
    version: u64,
    ip: &str,
    port: u16,
    external_ip: Option<&str>,
    allow_non_registered: bool,
    allow_non_validators: bool,
    hotkey_password: Option<String>,
    access: Option<&str>,
    fingerprint: Option<String>,
) -> PyResult<Miner> {
    let parse = |s: &str| s.parse::<IpAddr>().map_err(|e| MinerError::new_err(format!("{s:?} is not an IP address: {e}")));
    let mut options = ServeOptions::new(netuid, version, SocketAddr::new(parse(ip)?, port));
    options.external_ip = external_ip.map(parse).transpose()?;
    access_rules(access)?.apply(&mut options.server);
    options.server.protocol = fingerprint;
    let policy = &mut options.server.policy;
    if allow_non_registered {
        policy.require_registered = false;
        policy.require_validator_permit = false;
    }
    if allow_non_validators {
        policy.require_validator_permit = false;
    }
    let key = wallet.hotkey(py, hotkey_password)?;
    let handler: Arc<dyn MinerSpec> = Arc::new(PythonHandler { dispatch: Arc::new(dispatch) });
    let chain = chain.inner.clone();
    // The server's tasks are spawned on the extension's runtime and outlive this call.
    let served = runtime::block_on(py, subnet_core::miner::serve(chain, &key, handler, options)).map_err(|e| MinerError::new_err(e.to_string()))?;
    Ok(Miner { uid: served.uid, address: served.addr.to_string(), served: Mutex::new(Some(served)) })
}

/// The `miner` command of a subnet binary with `dispatch` as the handler: parse `argv`
/// (Bittensor's flags: `--netuid`, `--wallet.name`, `--subtensor.network`,
/// `--axon.port`, `--blacklist.*`, …), connect, serve until Ctrl-C or SIGTERM.
/// Returns the exit status.
#[pyfunction]
#[pyo3(signature = (argv, dispatch, name, version, access = None, fingerprint = None))]
pub(crate) fn run_miner(
    py: Python<'_>,
    argv: Vec<String>,
    dispatch: Py<PyAny>,
    name: String,
    version: u64,
    access: Option<&str>,
    fingerprint: Option<String>,
) -> PyResult<u8> {
    let handler = Arc::new(PythonHandler { dispatch: Arc::new(dispatch) });
    let service = MinerService { name, version, access: access_rules(access)?, protocol: fingerprint, handler };
    Ok(py.detach(|| subnet_core::cli::miner_main_with_args(argv.into_iter().map(Into::into), service)))
}

/// The subnet's access rules from the protocol description's `access` JSON (the
/// framework's default, registered validators only, for a description without them).
/// Rules no server could apply are refused, not served loosely.
fn access_rules(json: Option<&str>) -> PyResult<AccessRules> {
    let Some(json) = json else { return Ok(AccessRules::validators_only()) };
    let rules: AccessRules =
        serde_json::from_str(json).map_err(|e| MinerError::new_err(format!("the protocol's access rules are not valid: {e}")))?;
    if let Some((per_second, burst)) = rules.rate_limit {
        if !(per_second.is_finite() && per_second > 0.0 && burst > 0) {
            return Err(MinerError::new_err(format!("the protocol's rate limit ({per_second}/s, burst {burst}) must be positive")));
        }
    }
    if rules.max_concurrent == 0 {
        return Err(MinerError::new_err("the protocol's access rules allow no request at once (max_concurrent 0)"));
    }
    Ok(rules)
}
