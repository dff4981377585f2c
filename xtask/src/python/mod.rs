//! Python on the framework's protocol: `cargo xtask python <subnet>` writes the
//! subnet's typed Python module; `wheel` builds the `subnet_core` package; `selftest`
//! runs the package's own tests against a served localnet; `bench` is `cargo xtask
//! bench python`.

pub(crate) mod bench;
mod codegen;
mod selftest;
mod wheel;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub(crate) use codegen::python_module;
pub(crate) use selftest::run as selftest;
pub(crate) use wheel::{ensure_runtime_venv, ensure_wheel};

/// The generated module's place in a subnet crate, next to its Python miner.
pub(crate) const MODULE_PATH: &str = "python/subnet_protocol.py";

/// Write the Python module of the subnet crate at `crate_dir` (default
/// `<crate>/python/subnet_protocol.py`); returns where.
pub(crate) fn generate(crate_dir: &Path, out: Option<PathBuf>) -> Result<PathBuf> {
    let runner = crate::e2e::Runner::prepare(crate_dir)?;
    let json = runner.protocol_json()?;
    let module = python_module(&json)?;
    let out = out.unwrap_or_else(|| crate_dir.join(MODULE_PATH));
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&out, module).with_context(|| format!("writing {}", out.display()))?;
    Ok(out)
}

/// The unit tests next to a crate's Python miner (`python -m unittest` in its folder),
/// in the miners' venv.
pub(crate) fn test_python_miner(crate_dir: &Path) -> Result<()> {
    let python = std::env::var("SUBNET_PYTHON").unwrap_or_else(|_| "python3".into());
    let interpreter = ensure_runtime_venv("venv-miners", &python)?;
    let status = std::process::Command::new(interpreter)
        .args(["-m", "unittest", "discover", "-s", "."])
        .current_dir(crate_dir.join("python"))
        .status()
        .context("starting the Python miner's tests")?;
    anyhow::ensure!(status.success(), "the Python miner's tests failed ({status})");
    Ok(())
}
