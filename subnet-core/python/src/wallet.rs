//! `Wallet`: a Bittensor wallet as `btcli` writes it (`~/.bittensor/wallets/<name>/`),
//! read by `subnet_core::keys`.

use std::path::PathBuf;

use pyo3::prelude::*;
use subnet_core::keys::{self, Keypair};

use crate::errors::WalletError;

/// A Bittensor wallet: a coldkey and one of its hotkeys, as `btcli` lays them out.
///
/// Passwords of encrypted keys are given to the calls that need them, or read from
/// `BT_HOTKEY_PASSWORD` / `BT_COLDKEY_PASSWORD` (as the Rust binaries do).
#[pyclass(module = "subnet_core", frozen)]
pub(crate) struct Wallet {
    pub(crate) inner: keys::Wallet,
}

fn wallet_error(e: impl std::fmt::Display) -> PyErr {
    WalletError::new_err(e.to_string())
}

#[pymethods]
impl Wallet {
    /// The wallet `name` with hotkey `hotkey` under `path` (default `~/.bittensor/wallets`).
    #[new]
    #[pyo3(signature = (name = "default", hotkey = "default", path = None))]
    fn new(name: &str, hotkey: &str, path: Option<PathBuf>) -> PyResult<Self> {
        let path = match path {
            Some(p) => p,
            None => keys::default_wallets_path().map_err(wallet_error)?,
        };
        Ok(Self { inner: keys::Wallet::new(path, name, hotkey).map_err(wallet_error)? })
    }

    /// The hotkey's SS58 address (read from the hotkey file; no password needed when it
    /// is stored in the clear, as `btcli` does by default).
    #[getter]
    fn hotkey_ss58(&self) -> PyResult<String> {
        Ok(self.inner.hotkey_public().map_err(wallet_error)?.ss58())
    }

    /// The coldkey's SS58 address (from `coldkeypub.txt`).
    #[getter]
    fn coldkey_ss58(&self) -> PyResult<String> {
        Ok(self.inner.coldkeypub().map_err(wallet_error)?.ss58())
    }

    /// The wallet's folder.
    #[getter]
    fn path(&self) -> PathBuf {
        self.inner.dir()
    }

    /// Check the hotkey can be unlocked (a wrong password raises `WalletError`).
    #[pyo3(signature = (password = None))]
    fn unlock_hotkey(&self, py: Python<'_>, password: Option<String>) -> PyResult<()> {
        self.hotkey(py, password).map(drop)
    }

    fn __repr__(&self) -> String {
        format!("Wallet(path={:?})", self.inner.dir())
    }
}

impl Wallet {
    /// The hotkey pair; its password from the argument or `BT_HOTKEY_PASSWORD`.
    pub(crate) fn hotkey(&self, py: Python<'_>, password: Option<String>) -> PyResult<Keypair> {
        let password = password.or_else(|| std::env::var("BT_HOTKEY_PASSWORD").ok());
        // Decrypting runs Argon2 over hundreds of MiB: not with the GIL held.
        py.detach(|| match password {
            Some(pw) => self.inner.hotkey_keypair_with_password(&pw),
            None => self.inner.hotkey_keypair(),
        })
        .map_err(wallet_error)
    }

    /// The coldkey pair; its password from the argument or `BT_COLDKEY_PASSWORD`.
    pub(crate) fn coldkey(&self, py: Python<'_>, password: Option<String>) -> PyResult<Keypair> {
        let password = password.or_else(|| std::env::var("BT_COLDKEY_PASSWORD").ok());
        py.detach(|| self.inner.coldkey_keypair(password.as_deref())).map_err(wallet_error)
    }
}
