//! A miner whose handler is Python: [`PythonHandler`] is one more `MinerSpec`, so the
//! Rust server (TLS, the hotkey handshake, blacklist, rate limits, stake priority) runs
//! unchanged in front of it. `serve` serves it from a Python program; `run_miner` is
//! the whole `miner` command of a subnet binary, flags and all.
//!
//! The handler is the package's dispatcher (`subnet_core._dispatch`): it gets the
//! request envelope's bytes and the caller, and returns `(outcome, bytes)`, where
//! `outcome` names the [`HandleError`] kind or is `"ok"`. It runs on a tokio blocking
//! thread holding the GIL; an `async def` handler is awaited on the package's event
//! loop thread, so the GIL is free while it waits.

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
        tokio::task::spawn_blocking(move || Python::attach(|py| dispatch_once(py, &dispatch, &payload, caller, stake)))
            .await
            .map_err(|e| HandleError::Miner(format!("the Python handler's thread failed: {e}")))?
    }

    /// A streamed task's dispatcher answers with the JSON array of its chunks (what a
    /// unary query gets); here each element goes out as its own message. The chunks
    /// leave once the handler has made them all (see the package's README).
    async fn handle_stream(&self, ctx: &RequestContext, payload: &[u8], sink: ChunkSink) -> Result<(), HandleError> {
        let answer = self.handle(ctx, payload).await?;
        match serde_json::from_slice::<serde_json::Value>(&answer) {
            Ok(serde_json::Value::Array(chunks)) => {
                for chunk in chunks {
                    sink.send(chunk.to_string().into_bytes()).await?;
                }
                Ok(())
            }
            _ => sink.send(answer).await,
        }
    }
}

/// Call the dispatcher once and read its `(outcome, bytes)`.
fn dispatch_once(py: Python<'_>, dispatch: &Py<PyAny>, payload: &[u8], caller: String, stake: u64) -> Result<Vec<u8>, HandleError> {
    let result = dispatch.call1(py, (PyBytes::new(py, payload), caller, stake)).map_err(|e| HandleError::Miner(e.to_string()))?;
    let (outcome, data): (String, Bound<'_, PyBytes>) =
        result.extract(py).map_err(|e| HandleError::Miner(format!("the dispatcher returned no (outcome, bytes): {e}")))?;
    let data = data.as_bytes();
    let text = || String::from_utf8_lossy(data).into_owned();
    match outcome.as_str() {
        "ok" => Ok(data.to_vec()),
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
/// metagraph for who may call. Callers must be registered validators unless the
/// `allow_*` flags say otherwise (as `--blacklist.*` do for the Rust miner).
#[pyfunction]
#[pyo3(signature = (chain, wallet, netuid, dispatch, version, ip = "0.0.0.0", port = 8091, external_ip = None,
                    allow_non_registered = false, allow_non_validators = false, hotkey_password = None))]
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
) -> PyResult<Miner> {
    let parse = |s: &str| s.parse::<IpAddr>().map_err(|e| MinerError::new_err(format!("{s:?} is not an IP address: {e}")));
    let mut options = ServeOptions::new(netuid, version, SocketAddr::new(parse(ip)?, port));
    options.external_ip = external_ip.map(parse).transpose()?;
    AccessRules::validators_only().apply(&mut options.server);
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
pub(crate) fn run_miner(py: Python<'_>, argv: Vec<String>, dispatch: Py<PyAny>, name: String, version: u64) -> u8 {
    let service = MinerService {
        name,
        version,
        // The macro's default; a subnet's own `#[access]` rules are not in its protocol
        // description yet, so the operator's `--blacklist.*` flags are how to change it.
        access: AccessRules::validators_only(),
        handler: Arc::new(PythonHandler { dispatch: Arc::new(dispatch) }),
    };
    py.detach(|| subnet_core::cli::miner_main_with_args(argv.into_iter().map(Into::into), service))
}
