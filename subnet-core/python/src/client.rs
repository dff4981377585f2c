//! `Client`: query miners from Python (a Python validator, a script) with the Rust
//! validator's transport: TLS, the hotkey proven once per connection.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use subnet_core::keys::PublicKey;
use subnet_core::net;

use crate::errors::{call_error, CallError, WalletError};
use crate::runtime;
use crate::wallet::Wallet;

/// A client of one subnet's miners, proving the wallet's hotkey.
#[pyclass(module = "subnet_core", frozen)]
pub(crate) struct Client {
    inner: net::Client,
}

fn target(hotkey: &str, address: &str) -> PyResult<([u8; 32], SocketAddr)> {
    let key = PublicKey::from_ss58(hotkey).map_err(|e| CallError::new_err(format!("{hotkey:?} is not an SS58 hotkey: {e}")))?;
    let addr = address.parse().map_err(|e| CallError::new_err(format!("{address:?} is not an ip:port address: {e}")))?;
    Ok((key.0, addr))
}

#[pymethods]
impl Client {
    /// A client on `netuid` at protocol `version`, as the wallet's hotkey; with the
    /// protocol's `fingerprint`, miners built from another refuse (`protocol_mismatch`).
    #[new]
    #[pyo3(signature = (wallet, netuid, version, hotkey_password = None, fingerprint = None))]
    fn new(
        py: Python<'_>,
        wallet: &Wallet,
        netuid: u16,
        version: u64,
        hotkey_password: Option<String>,
        fingerprint: Option<String>,
    ) -> PyResult<Self> {
        let key = wallet.hotkey(py, hotkey_password)?;
        // The client's TLS certificate is made from the key; the runtime must exist
        // before its first connection.
        let _ = runtime::get();
        let options = net::ClientOptions { protocol: fingerprint, ..net::ClientOptions::default() };
        let inner = std::panic::catch_unwind(|| net::Client::with_options(key, netuid, version, options))
            .map_err(|_| WalletError::new_err("cannot make a TLS certificate for the hotkey"))?;
        Ok(Self { inner })
    }

    /// Send a request envelope (JSON bytes `{"task", "body"}`) for task `task` to the
    /// miner with SS58 `hotkey` at `address`; the answer's JSON bytes. Raises
    /// `Timeout`, `Refused` (with the miner's reason, e.g. `miner_failed`),
    /// `Unreachable` or `BadAnswer`.
    #[pyo3(signature = (hotkey, address, task, envelope, timeout = 12.0))]
    fn call<'py>(&self, py: Python<'py>, hotkey: &str, address: &str, task: &str, envelope: &[u8], timeout: f64) -> PyResult<Bound<'py, PyBytes>> {
        let (key, addr) = target(hotkey, address)?;
        let timeout = Duration::try_from_secs_f64(timeout).map_err(|e| CallError::new_err(format!("timeout: {e}")))?;
        let body = Bytes::copy_from_slice(envelope);
        let answer = runtime::block_on(py, self.inner.call(key, addr, task, body, timeout)).map_err(call_error)?;
        Ok(PyBytes::new(py, &answer))
    }

    /// As `call`, for a streamed task: the chunks' JSON bytes in order, and the seconds
    /// from sending the request to the first chunk (`None` when none came).
    #[pyo3(signature = (hotkey, address, task, envelope, timeout = 12.0))]
    fn call_stream<'py>(
        &self,
        py: Python<'py>,
        hotkey: &str,
        address: &str,
        task: &str,
        envelope: &[u8],
        timeout: f64,
    ) -> PyResult<(Vec<Bound<'py, PyBytes>>, Option<f64>)> {
        let (key, addr) = target(hotkey, address)?;
        let timeout = Duration::try_from_secs_f64(timeout).map_err(|e| CallError::new_err(format!("timeout: {e}")))?;
        let body = Bytes::copy_from_slice(envelope);
        let streamed = runtime::block_on(py, self.inner.call_stream(key, addr, task, body, timeout)).map_err(call_error)?;
        let chunks = streamed.chunks.iter().map(|c| PyBytes::new(py, c)).collect();
        Ok((chunks, streamed.first_chunk.map(|d| d.as_secs_f64())))
    }
}
