//! `cargo xtask test <subnet>`: build a small runner crate that links the subnet and
//! calls `subnet_core::testing::run_main`, then run it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use subnet_core::testing::RunArgs;

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

/// The cargo profile the runner is built with (see `[profile.runner]` in the root
/// `Cargo.toml`).
const PROFILE: &str = "runner";

/// The `[profile.*]` sections of the workspace manifest, for the runner, which is a
/// workspace of its own and so would not see them.
fn runner_profiles(workspace_manifest: &str) -> String {
    let mut out = String::new();
    let mut in_profile = false;
    for line in workspace_manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_profile = trimmed.starts_with("[profile.");
        }
        if in_profile && !trimmed.starts_with('#') && !trimmed.is_empty() {
            out.push_str(trimmed);
            out.push('\n');
        }
    }
    out
}

/// Rewriting an unchanged file would still bump its mtime, and cargo would
/// recompile and relink the runner (seconds in a debug build) on every run.
fn write_if_changed(path: &Path, contents: String) -> Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

/// The runner crate of a subnet (`target/xtask-runners/<package>`): a workspace of its
/// own linking the subnet, with two binaries: `run-<package>` (the end-to-end runner)
/// and `protocol` (prints the subnet's protocol description).
pub(crate) struct Runner {
    /// The workspace root.
    pub root: PathBuf,
    /// The subnet crate's package name.
    pub package: String,
    /// The runner's manifest.
    pub manifest: PathBuf,
}

impl Runner {
    /// Write (if changed) the runner of the subnet crate at `crate_dir`.
    pub(crate) fn prepare(crate_dir: &Path) -> Result<Runner> {
        let crate_dir = crate_dir.canonicalize().with_context(|| format!("{} does not exist", crate_dir.display()))?;
        let (package, module) = subnet_identity(&crate_dir)?;
        let root = workspace()?;
        let runner = root.join("target/xtask-runners").join(&package);
        std::fs::create_dir_all(runner.join("src/bin"))?;
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).context("reading the workspace's Cargo.toml")?;
        write_if_changed(
            &runner.join("Cargo.toml"),
            format!(
                "[package]\nname = \"run-{package}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
                 [dependencies]\nsubnet = {{ package = \"{package}\", path = \"{}\" }}\nsubnet-core = {{ path = \"{}\", features = [\"localnet\"] }}\n\n[workspace]\n\n\
                 {}",
                crate_dir.display(),
                root.join("subnet-core").display(),
                runner_profiles(&manifest)
            ),
        )?;
        write_if_changed(
            &runner.join("src/main.rs"),
            format!("fn main() -> std::process::ExitCode {{\n    subnet_core::testing::run_main::<subnet::{module}::Subnet>()\n}}\n"),
        )?;
        write_if_changed(
            &runner.join("src/bin/protocol.rs"),
            format!(
                "fn main() {{\n    use subnet_core::spec::SubnetSpec;\n    println!(\"{{}}\", subnet_core::spec::protocol_json(&subnet::{module}::Subnet::protocol()));\n}}\n"
            ),
        )?;
        // Reuse the workspace's lockfile and build so the runner builds in seconds.
        if !runner.join("Cargo.lock").exists() {
            std::fs::copy(root.join("Cargo.lock"), runner.join("Cargo.lock")).ok();
        }
        Ok(Runner { root, package, manifest: runner.join("Cargo.toml") })
    }

    /// `cargo run` of one of the runner's binaries, in the workspace's `target/`.
    pub(crate) fn cargo_run(&self, bin: &str) -> std::process::Command {
        let mut cargo = crate::cargo::command();
        cargo
            .args(["run", "--quiet", "--profile", PROFILE, "--bin", bin, "--manifest-path"])
            .arg(&self.manifest)
            .env("CARGO_TARGET_DIR", self.root.join("target"))
            .arg("--");
        cargo
    }

    /// The subnet's protocol description (JSON), from the runner's `protocol` binary.
    pub(crate) fn protocol_json(&self) -> Result<String> {
        let out = self.cargo_run("protocol").stderr(std::process::Stdio::inherit()).output().context("starting cargo")?;
        if !out.status.success() {
            bail!("building or running the protocol printer of {} failed ({})", self.package, out.status);
        }
        String::from_utf8(out.stdout).context("the protocol description is not UTF-8")
    }
}

/// A subnet crate's Python miner, if it has one.
pub(crate) const PYTHON_MINER: &str = "python/miner.py";

/// A multi-process run of a crate with a Python miner starts its miners with it: the
/// wheel built (or reused) and installed in a venv under `target/python`, the protocol
/// module generated if missing (a stale one stops the miners at start, naming the fix).
fn with_python_miners(crate_dir: &Path, runner: &Runner, args: &RunArgs) -> Result<RunArgs> {
    let miner = crate_dir.join(PYTHON_MINER);
    if !args.is_multi_process() || !args.miner_command.is_empty() || !miner.is_file() {
        return Ok(args.clone());
    }
    let module = crate_dir.join(crate::python::MODULE_PATH);
    if !module.is_file() {
        let json = runner.protocol_json()?;
        std::fs::write(&module, crate::python::python_module(&json)?).with_context(|| format!("writing {}", module.display()))?;
        println!("wrote {}", module.display());
    }
    let python = std::env::var("SUBNET_PYTHON").unwrap_or_else(|_| "python3".into());
    let interpreter = crate::python::ensure_runtime_venv("venv-miners", &python)?;
    let miner = miner.canonicalize().with_context(|| format!("locating {}", miner.display()))?;
    println!("miners: {} (Python, subnet_core from {})", miner.display(), interpreter.display());
    Ok(RunArgs { miner_command: vec![interpreter.display().to_string(), miner.display().to_string()], ..args.clone() })
}

/// Build the runner of the subnet crate at `crate_dir` and run it with `args`,
/// writing the HTML report to `report` (default: target/subnet-reports/<crate>.html).
pub(crate) fn run(crate_dir: &Path, args: &RunArgs, report: Option<PathBuf>) -> Result<()> {
    // Refuse a run that cannot work before building anything.
    args.check()?;
    let runner = Runner::prepare(crate_dir)?;
    let (root, package) = (&runner.root, &runner.package);
    let args = &with_python_miners(crate_dir, &runner, args)?;
    let report = match report {
        Some(p) => p,
        None => {
            let dir = root.join("target/subnet-reports");
            std::fs::create_dir_all(&dir)?;
            dir.join(format!("{package}.html"))
        }
    };
    println!("building {package} …");
    let status = runner
        .cargo_run(&format!("run-{package}"))
        .args(args.to_args())
        .arg("--work-dir")
        .arg(root.join("target/subnet-runs").join(package))
        .arg("--report")
        .arg(&report)
        .status()
        .context("starting cargo")?;
    if !status.success() {
        bail!("the end-to-end run of {package} failed ({status})");
    }
    Ok(())
}
