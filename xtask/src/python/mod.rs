//! Python on the framework's protocol: `cargo xtask python <subnet>` writes the
//! subnet's typed Python module; `wheel` builds the `subnet_core` package; `selftest`
//! runs the package's own tests against a served localnet.

mod codegen;
mod selftest;
mod wheel;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub(crate) use codegen::python_module;
pub(crate) use selftest::run as selftest;
pub(crate) use wheel::{ensure_runtime_venv, ensure_wheel};

/// Write the Python module of the subnet crate at `crate_dir` (default
/// `<crate>/python/<name>_protocol.py`); returns where.
pub(crate) fn generate(crate_dir: &Path, out: Option<PathBuf>) -> Result<PathBuf> {
    let runner = crate::e2e::Runner::prepare(crate_dir)?;
    let json = runner.protocol_json()?;
    let name: String = serde_json::from_str::<serde_json::Value>(&json)
        .ok()
        .and_then(|v| v["name"].as_str().map(str::to_string))
        .context("the protocol description has no name")?;
    let module = python_module(&json)?;
    let out = out.unwrap_or_else(|| crate_dir.join("python").join(format!("{}_protocol.py", name.replace('-', "_"))));
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&out, module).with_context(|| format!("writing {}", out.display()))?;
    Ok(out)
}
