//! `cargo xtask test <subnet>`: build a small runner crate that links the subnet and
//! calls `subnet_core::testing::run_main`, then run it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

pub struct Options {
    pub miners: usize,
    pub validators: usize,
    pub epochs: usize,
    pub tempo: u16,
    pub report: Option<PathBuf>,
    /// `grpc` or `in-process`.
    pub transport: String,
    /// One OS process per neuron on the served localnet.
    pub multi_process: bool,
    /// `local`, or a node's `ws://` URL (implies one process per neuron).
    pub chain: String,
    /// Block time of the served localnet in multi-process runs.
    pub block_time_ms: u64,
}

fn workspace() -> Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().context("locating the workspace")
}

/// The package name from `Cargo.toml` and the module under `#[subnet(...)]` in `src/lib.rs`.
fn subnet_identity(crate_dir: &Path) -> Result<(String, String)> {
    let manifest =
        std::fs::read_to_string(crate_dir.join("Cargo.toml")).with_context(|| format!("{} is not a crate (no Cargo.toml)", crate_dir.display()))?;
    let package = manifest
        .lines()
        .skip_while(|l| l.trim() != "[package]")
        .find_map(|l| l.trim().strip_prefix("name").and_then(|r| r.trim().strip_prefix('=')))
        .map(|n| n.trim().trim_matches('"').to_string())
        .context("Cargo.toml has no [package] name")?;
    let lib = std::fs::read_to_string(crate_dir.join("src/lib.rs")).context("the subnet crate has no src/lib.rs")?;
    let after = lib.split("#[subnet(").nth(1).context("src/lib.rs declares no #[subnet(...)] module")?;
    let module = after
        .split_whitespace()
        .skip_while(|w| *w != "mod")
        .nth(1)
        .map(|m| m.trim_end_matches('{').to_string())
        .context("no `mod <name>` after #[subnet(...)]")?;
    Ok((package, module))
}

/// Every request is signed and verified (sr25519); unoptimised, that costs
/// milliseconds per request. The same profile as the workspace's keeps the runner's
/// debug build quick and shares the workspace's compiled dependencies.
const OPTIMISED_DEPENDENCIES: &str = "\
[profile.dev.package.curve25519-dalek]\nopt-level = 3\n\
[profile.dev.package.schnorrkel]\nopt-level = 3\n\
[profile.dev.package.substrate-fixed]\nopt-level = 3\n\
[profile.dev.package.argon2]\nopt-level = 3\n\
[profile.dev.package.blake2]\nopt-level = 3\n";

/// Rewriting an unchanged file would still bump its mtime, and cargo would
/// recompile and relink the runner (seconds in a debug build) on every run.
fn write_if_changed(path: &Path, contents: String) -> Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

pub fn run(crate_dir: &Path, o: &Options) -> Result<()> {
    let crate_dir = crate_dir.canonicalize().with_context(|| format!("{} does not exist", crate_dir.display()))?;
    let (package, module) = subnet_identity(&crate_dir)?;
    let root = workspace()?;
    let runner = root.join("target/xtask-runners").join(&package);
    std::fs::create_dir_all(runner.join("src"))?;
    write_if_changed(
        &runner.join("Cargo.toml"),
        format!(
            "[package]\nname = \"run-{package}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nsubnet = {{ package = \"{package}\", path = \"{}\" }}\nsubnet-core = {{ path = \"{}\", features = [\"localnet\"] }}\n\n[workspace]\n\n\
             {OPTIMISED_DEPENDENCIES}",
            crate_dir.display(),
            root.join("subnet-core").display()
        ),
    )?;
    write_if_changed(
        &runner.join("src/main.rs"),
        format!("fn main() -> std::process::ExitCode {{\n    subnet_core::testing::run_main::<subnet::{module}::Subnet>()\n}}\n"),
    )?;
    // Reuse the workspace's lockfile and build so the runner builds in seconds.
    if !runner.join("Cargo.lock").exists() {
        std::fs::copy(root.join("Cargo.lock"), runner.join("Cargo.lock")).ok();
    }
    let report = match &o.report {
        Some(p) => p.clone(),
        None => {
            let dir = root.join("target/subnet-reports");
            std::fs::create_dir_all(&dir)?;
            dir.join(format!("{package}.html"))
        }
    };
    println!("building {package} …");
    let status = crate::cargo::command()
        .args(["run", "--quiet", "--manifest-path"])
        .arg(runner.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target"))
        .arg("--")
        .args(["--miners", &o.miners.to_string(), "--validators", &o.validators.to_string()])
        .args(["--epochs", &o.epochs.to_string(), "--tempo", &o.tempo.to_string()])
        .args(["--transport", &o.transport])
        .args(["--chain", &o.chain, "--block-time-ms", &o.block_time_ms.to_string()])
        .args(o.multi_process.then_some("--multi-process"))
        .arg("--work-dir")
        .arg(root.join("target/subnet-runs").join(&package))
        .arg("--report")
        .arg(&report)
        .status()
        .context("starting cargo")?;
    if !status.success() {
        bail!("the end-to-end run of {package} failed ({status})");
    }
    Ok(())
}
