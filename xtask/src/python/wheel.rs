//! The `subnet_core` wheel: built once by maturin (pinned, in a scratch venv under
//! `target/python/`) with the workspace's `target/`, dev profile and (through the
//! crate's `workspace-features`) the features `cargo test --workspace` unifies, so it
//! reuses the crates the test build compiled; rebuilt only when its sources change; and
//! installed into scratch venvs that run Python miners and the package's tests.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::interop::{ensure_venv, fnv1a, quiet};

/// The workspace root.
pub(crate) fn workspace() -> Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().context("locating the workspace")
}

/// Where the wheel, its build venv and the runtime venvs live.
fn python_dir(root: &Path) -> PathBuf {
    root.join("target/python")
}

/// A stable hash of the wheel's inputs: the package, `subnet-core`'s sources and the
/// lockfile (what cargo would rebuild for).
fn sources_key(root: &Path) -> Result<u64> {
    let mut files = Vec::new();
    for dir in ["subnet-core/src", "subnet-core/python/src", "subnet-core/python/python", "subnet-macros/src"] {
        collect(&root.join(dir), &mut files)?;
    }
    for file in ["Cargo.lock", "subnet-core/Cargo.toml", "subnet-core/python/Cargo.toml", "subnet-core/python/pyproject.toml"] {
        files.push(root.join(file));
    }
    files.sort();
    let mut all = Vec::new();
    for f in files {
        all.extend(f.strip_prefix(root).unwrap_or(&f).to_string_lossy().as_bytes());
        all.extend(fs::read(&f).with_context(|| format!("reading {}", f.display()))?);
    }
    Ok(fnv1a(&all))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "__pycache__" || n == "snapshots") {
                continue;
            }
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Held while the wheel or a venv is being made: tests and runs build them from
/// several processes at once (flock, released when the file closes).
fn exclusive(root: &Path) -> Result<fs::File> {
    let dir = python_dir(root);
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let lock = fs::File::create(dir.join("lock")).context("creating target/python/lock")?;
    lock.lock().context("locking target/python/lock")?;
    Ok(lock)
}

/// The wheel, built if its sources changed since the last build. `python` creates
/// the build venv (maturin from PyPI, pinned in `requirements-build.txt`).
pub(crate) fn ensure_wheel(python: &str) -> Result<PathBuf> {
    let _lock = exclusive(&workspace()?)?;
    wheel_unlocked(python)
}

fn wheel_unlocked(python: &str) -> Result<PathBuf> {
    let root = workspace()?;
    let dir = python_dir(&root);
    let wheels = dir.join("wheels");
    let key = format!("{:016x}\n", sources_key(&root)?);
    let stamp = dir.join("wheel.key");
    let existing = || -> Option<PathBuf> {
        fs::read_dir(&wheels).ok()?.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "whl"))
    };
    if let (Some(wheel), Ok(old)) = (existing(), fs::read_to_string(&stamp)) {
        if old == key {
            return Ok(wheel);
        }
    }
    let (build_python, _) = ensure_venv(&dir.join("venv-build"), &root.join("subnet-core/python/requirements-build.txt"), python)?;
    if wheels.exists() {
        fs::remove_dir_all(&wheels).with_context(|| format!("clearing {}", wheels.display()))?;
    }
    let started = Instant::now();
    eprintln!("building the subnet_core wheel (maturin, dev profile, target/) …");
    let mut maturin = Command::new(build_python.parent().context("venv bin")?.join("maturin"));
    // maturin runs cargo itself: it must see what a plain `cargo build` sees.
    crate::cargo::scrub(&mut maturin);
    let status = maturin
        .args(["build", "--profile", "dev", "--features", "workspace-features", "--manifest-path"])
        .arg(root.join("subnet-core/python/Cargo.toml"))
        .arg("--out")
        .arg(&wheels)
        .args(["--interpreter"])
        .arg(&build_python)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .status()
        .context("starting maturin")?;
    if !status.success() {
        bail!("maturin could not build the wheel ({status})");
    }
    let wheel = existing().context("maturin reported success but wrote no wheel")?;
    fs::write(&stamp, key).with_context(|| format!("writing {}", stamp.display()))?;
    eprintln!("wheel built in {:.1} s: {}", started.elapsed().as_secs_f64(), wheel.display());
    Ok(wheel)
}

/// A venv at `target/python/<name>` with the current wheel installed (reinstalled when
/// the wheel changed); its Python interpreter.
pub(crate) fn ensure_runtime_venv(name: &str, python: &str) -> Result<PathBuf> {
    let root = workspace()?;
    let _lock = exclusive(&root)?;
    let wheel = wheel_unlocked(python)?;
    let venv = python_dir(&root).join(name);
    let interpreter = venv.join("bin/python");
    if !interpreter.exists() {
        quiet(Command::new(python).arg("-m").arg("venv").arg(&venv), &format!("{python} -m venv {}", venv.display()))?;
    }
    let stamp = venv.join(".subnet-core-wheel");
    let wanted = format!("{}\n", fs::metadata(&wheel).and_then(|m| m.modified()).map(|t| format!("{t:?}")).unwrap_or_default());
    if fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(interpreter);
    }
    let mut pip = Command::new(&interpreter);
    pip.args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "--force-reinstall", "--no-deps"]).arg(&wheel);
    quiet(&mut pip, &format!("pip install {}", wheel.display()))?;
    fs::write(&stamp, wanted).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(interpreter)
}
