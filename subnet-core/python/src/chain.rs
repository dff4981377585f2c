//! `connect` and `Chain`: a Subtensor chain (finney, test, local, or a `ws://` URL)
//! through the framework's subxt client, the same one the Rust miners use.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use subnet_core::chain::subtensor::{Network, SubtensorClient};
use subnet_core::chain::{AccountId, Chain as RustChain};
use subnet_core::net::{axon_address, axon_info, TlsIdentity};

use crate::errors::ChainError;
use crate::runtime;
use crate::wallet::Wallet;

fn chain_error(e: impl std::fmt::Display) -> PyErr {
    ChainError::new_err(e.to_string())
}

/// Connect to a chain: `"finney"`, `"test"`, `"local"` (`ws://127.0.0.1:9944`) or a
/// `ws://` / `wss://` URL. Raises `ChainError` when it cannot be reached.
#[pyfunction]
#[pyo3(signature = (network = "finney"))]
pub(crate) fn connect(py: Python<'_>, network: &str) -> PyResult<Chain> {
    let parsed = Network::parse(network).map_err(chain_error)?;
    let client = runtime::block_on(py, SubtensorClient::connect(&parsed))
        .map_err(|e| ChainError::new_err(format!("cannot reach the chain at {network:?}: {e}")))?;
    Ok(Chain { inner: Arc::new(client), network: network.to_string() })
}

/// A connected chain.
#[pyclass(module = "subnet_core", frozen)]
pub(crate) struct Chain {
    pub(crate) inner: Arc<dyn RustChain>,
    pub(crate) network: String,
}

#[pymethods]
impl Chain {
    /// The chain's latest block number.
    fn block_number(&self, py: Python<'_>) -> PyResult<u64> {
        runtime::block_on(py, self.inner.block_number()).map_err(chain_error)
    }

    /// Register the wallet's hotkey on `netuid` (a burned registration paid by the
    /// coldkey) unless it already is; returns its UID.
    #[pyo3(signature = (wallet, netuid, coldkey_password = None))]
    fn register(&self, py: Python<'_>, wallet: &Wallet, netuid: u16, coldkey_password: Option<String>) -> PyResult<u16> {
        let hotkey = AccountId(wallet.inner.hotkey_public().map_err(|e| crate::errors::WalletError::new_err(e.to_string()))?.0);
        let coldkey = wallet.coldkey(py, coldkey_password)?;
        runtime::block_on(py, subnet_core::miner::ensure_registered(&*self.inner, &coldkey, hotkey, netuid)).map_err(chain_error)
    }

    /// Announce where the wallet's hotkey serves on `netuid` (`serve_axon_tls`: the
    /// address, and the TLS key validators pin). `serve` does this itself.
    #[pyo3(signature = (wallet, netuid, ip, port, version, hotkey_password = None))]
    #[allow(clippy::too_many_arguments)]
    fn serve_axon(
        &self,
        py: Python<'_>,
        wallet: &Wallet,
        netuid: u16,
        ip: &str,
        port: u16,
        version: u32,
        hotkey_password: Option<String>,
    ) -> PyResult<()> {
        let ip: IpAddr = ip.parse().map_err(|e| chain_error(format!("{ip:?} is not an IP address: {e}")))?;
        let key = wallet.hotkey(py, hotkey_password)?;
        let identity = TlsIdentity::new(&key).map_err(chain_error)?;
        let axon = axon_info(SocketAddr::new(ip, port), version);
        runtime::block_on(py, self.inner.serve_axon_tls(&key, netuid, axon, &identity.chain_certificate())).map_err(chain_error)
    }

    /// The subnet's neurons: one dict per UID with `uid`, `hotkey`, `coldkey` (SS58),
    /// `stake` (rao), `validator_permit`, `incentive`, `dividends` (0–1) and `axon`
    /// (`"ip:port"` to query, or `None`).
    fn neurons<'py>(&self, py: Python<'py>, netuid: u16) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let mg = runtime::block_on(py, self.inner.metagraph(netuid)).map_err(chain_error)?;
        mg.neurons
            .iter()
            .map(|n| {
                let d = PyDict::new(py);
                d.set_item("uid", n.uid)?;
                d.set_item("hotkey", n.hotkey.ss58())?;
                d.set_item("coldkey", n.coldkey.ss58())?;
                d.set_item("stake", n.stake)?;
                d.set_item("validator_permit", n.validator_permit)?;
                d.set_item("incentive", n.incentive as f64 / u16::MAX as f64)?;
                d.set_item("dividends", n.dividends as f64 / u16::MAX as f64)?;
                d.set_item("axon", n.axon.as_ref().and_then(axon_address).map(|a| a.to_string()))?;
                Ok(d)
            })
            .collect()
    }

    fn __repr__(&self) -> String {
        format!("Chain({:?})", self.network)
    }
}
