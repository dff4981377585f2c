//! The `subnet_core` wheel: built once by maturin (pinned, in a scratch venv under
//! `target/python/`) with the workspace's `target/`, dev profile and (through the
//! crate's `workspace-features`) the features `cargo test --workspace` unifies, so it
//! reuses the crates the test build compiled; rebuilt only when its sources change; and
//! installed into scratch venvs that run Python miners and the package's tests. A
//! release build (`cargo xtask bench python`, the wheel as a user gets it: no
//! `workspace-features`) is cached beside it, separately.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

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

/// Which cargo profile a wheel is built with; each is cached on its own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Profile {
    /// The dev profile with the workspace's features: reuses what the tests compiled.
    Dev,
    /// `maturin build --release`, for `cargo xtask bench python`.
    Release,
}

impl Profile {
    /// Where its wheel and its cache key live, under `target/python/`.
    fn paths(self, dir: &Path) -> (PathBuf, PathBuf) {
        match self {
            Profile::Dev => (dir.join("wheels"), dir.join("wheel.key")),
            Profile::Release => (dir.join("wheels-release"), dir.join("wheel-release.key")),
        }
    }

    fn maturin_args(self) -> &'static [&'static str] {
        match self {
            Profile::Dev => &["--profile", "dev", "--features", "workspace-features"],
            Profile::Release => &["--release"],
        }
    }
}

/// The wheel, built if its sources changed since the last build. `python` creates
/// the build venv (maturin from PyPI, pinned in `requirements-build.txt`).
pub(crate) fn ensure_wheel(python: &str) -> Result<PathBuf> {
    let _lock = exclusive(&workspace()?)?;
    Ok(wheel_unlocked(python, Profile::Dev)?.0)
}

/// The wheel of `profile` and, if it was built now, how long that took.
fn wheel_unlocked(python: &str, profile: Profile) -> Result<(PathBuf, Option<Duration>)> {
    let root = workspace()?;
    let dir = python_dir(&root);
    let (wheels, stamp) = profile.paths(&dir);
    let key = format!("{:016x}\n", sources_key(&root)?);
    if let (Some(wheel), Ok(old)) = (wheel_in(&wheels), fs::read_to_string(&stamp)) {
        if old == key {
            return Ok((wheel, None));
        }
    }
    if wheels.exists() {
        fs::remove_dir_all(&wheels).with_context(|| format!("clearing {}", wheels.display()))?;
    }
    let started = Instant::now();
    eprintln!("building the subnet_core wheel (maturin, {profile:?} profile, target/) …");
    run_maturin(python, profile, &wheels, &root.join("target"))?;
    let took = started.elapsed();
    let wheel = wheel_in(&wheels).context("maturin reported success but wrote no wheel")?;
    fs::write(&stamp, key).with_context(|| format!("writing {}", stamp.display()))?;
    eprintln!("wheel built in {:.1} s: {}", took.as_secs_f64(), wheel.display());
    Ok((wheel, Some(took)))
}

/// The wheel maturin wrote into `dir`, if any.
fn wheel_in(dir: &Path) -> Option<PathBuf> {
    fs::read_dir(dir).ok()?.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "whl"))
}

/// `maturin build` of the package with `profile`, compiling into `target`, the wheel
/// written to `out`.
fn run_maturin(python: &str, profile: Profile, out: &Path, target: &Path) -> Result<()> {
    let root = workspace()?;
    let (build_python, _) = ensure_venv(&python_dir(&root).join("venv-build"), &root.join("subnet-core/python/requirements-build.txt"), python)?;
    let mut maturin = Command::new(build_python.parent().context("venv bin")?.join("maturin"));
    // maturin runs cargo itself: it must see what a plain `cargo build` sees.
    crate::cargo::scrub(&mut maturin);
    let status = maturin
        .arg("build")
        .args(profile.maturin_args())
        .arg("--manifest-path")
        .arg(root.join("subnet-core/python/Cargo.toml"))
        .arg("--out")
        .arg(out)
        .args(["--interpreter"])
        .arg(&build_python)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .context("starting maturin")?;
    if !status.success() {
        bail!("maturin could not build the wheel ({status})");
    }
    Ok(())
}

/// The release wheel as `cargo xtask bench python` uses it, with its build times.
pub(crate) struct ReleaseWheel {
    /// A venv with it installed: its interpreter.
    pub(crate) interpreter: PathBuf,
    /// The build this run, if its sources had changed (else the cached wheel).
    pub(crate) built: Option<Duration>,
    /// maturin run again with nothing changed (into a scratch folder; the cached wheel
    /// is left alone): what a rebuild costs when cargo has nothing to compile.
    pub(crate) warm: Duration,
}

/// The release wheel (built if its sources changed), installed in the venv
/// `target/python/<venv>`, and a timed warm rebuild.
pub(crate) fn release_wheel(venv: &str, python: &str) -> Result<ReleaseWheel> {
    let root = workspace()?;
    let _lock = exclusive(&root)?;
    let (wheel, built) = wheel_unlocked(python, Profile::Release)?;
    let interpreter = install_in_venv(&root, venv, python, &wheel)?;
    let scratch = python_dir(&root).join("wheels-release-warm");
    let started = Instant::now();
    run_maturin(python, Profile::Release, &scratch, &root.join("target"))?;
    let warm = started.elapsed();
    fs::remove_dir_all(&scratch).with_context(|| format!("clearing {}", scratch.display()))?;
    Ok(ReleaseWheel { interpreter, built, warm })
}

/// A release build of the wheel from an empty target directory (removed afterwards):
/// the cold build time on this machine.
pub(crate) fn cold_release_build(python: &str) -> Result<Duration> {
    let root = workspace()?;
    let _lock = exclusive(&root)?;
    let scratch = python_dir(&root).join("cold-build");
    if scratch.exists() {
        fs::remove_dir_all(&scratch).with_context(|| format!("clearing {}", scratch.display()))?;
    }
    eprintln!("timing a cold release build of the wheel in {} (minutes) …", scratch.display());
    let started = Instant::now();
    let built = run_maturin(python, Profile::Release, &scratch.join("wheels"), &scratch.join("target"));
    let took = started.elapsed();
    // The scratch target holds a whole release build: not worth keeping.
    let removed = fs::remove_dir_all(&scratch).with_context(|| format!("removing {}", scratch.display()));
    built?;
    removed?;
    Ok(took)
}

/// A venv at `target/python/<name>` with the current wheel installed (reinstalled when
/// the wheel changed); its Python interpreter.
pub(crate) fn ensure_runtime_venv(name: &str, python: &str) -> Result<PathBuf> {
    let root = workspace()?;
    let _lock = exclusive(&root)?;
    let (wheel, _) = wheel_unlocked(python, Profile::Dev)?;
    install_in_venv(&root, name, python, &wheel)
}

/// `wheel` installed in the venv `target/python/<name>` (created if missing; the
/// install skipped if that wheel file is the one already installed).
fn install_in_venv(root: &Path, name: &str, python: &str, wheel: &Path) -> Result<PathBuf> {
    let venv = python_dir(root).join(name);
    let interpreter = venv.join("bin/python");
    if !interpreter.exists() {
        quiet(Command::new(python).arg("-m").arg("venv").arg(&venv), &format!("{python} -m venv {}", venv.display()))?;
    }
    let stamp = venv.join(".subnet-core-wheel");
    let wanted = format!("{}\n", fs::metadata(wheel).and_then(|m| m.modified()).map(|t| format!("{t:?}")).unwrap_or_default());
    if fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(interpreter);
    }
    let mut pip = Command::new(&interpreter);
    pip.args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "--force-reinstall", "--no-deps"]).arg(wheel);
    quiet(&mut pip, &format!("pip install {}", wheel.display()))?;
    fs::write(&stamp, wanted).with_context(|| format!("writing {}", stamp.display()))?;
    Ok(interpreter)
}
