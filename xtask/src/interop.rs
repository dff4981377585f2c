//! `cargo xtask interop python`: Bittensor's own Python tools (bittensor 11 and the
//! `btcli` it ships, bittensor 10, btcli 9), each in a scratch virtualenv, run the workflow of issue #13 against
//! a freshly served localnet and report one `PASS`/`FAIL` line per step; bittensor-drand
//! cross-checks our timelock encryption (`interop_drand`, no chain).
//!
//! The scripts and their pinned requirements live in `interop/python/`; the venvs in
//! `target/interop/venvs/<tool>` (rebuilt only when the requirements file changes),
//! each tool's full stderr in `target/interop/logs/<tool>.log`.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use subnet_core::chain::node::LocalNode;
use subnet_core::chain::{BlockMode, LocalChain, LocalChainConfig};

/// Subtensor's fast-blocks localnet seals a block every 250 ms.
const BLOCK_TIME: Duration = Duration::from_millis(250);

/// One of Bittensor's Python tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Tool {
    /// bittensor 11 (`bt.Subtensor`, intents, reads).
    Sdk11,
    /// bittensor 10 (`Subtensor`, `Metagraph`).
    Sdk10,
    /// bittensor-cli 9 (`btcli`).
    Btcli,
    /// The `btcli` bittensor 11 ships (`bittensor.cli.main`), run from the sdk11 venv.
    Btcli11,
    /// bittensor-drand 2.0.0 against `subnet_core::drand` (timelock commits; no chain).
    Drand,
}

impl Tool {
    const ALL: [Tool; 5] = [Tool::Sdk11, Tool::Sdk10, Tool::Btcli, Tool::Btcli11, Tool::Drand];

    fn name(self) -> &'static str {
        match self {
            Tool::Sdk11 => "sdk11",
            Tool::Sdk10 => "sdk10",
            Tool::Btcli => "btcli",
            Tool::Btcli11 => "btcli11",
            Tool::Drand => "drand",
        }
    }

    /// The venv (and requirements file) the tool runs from: bittensor 11's `btcli`
    /// is installed with bittensor 11.
    fn venv(self) -> &'static str {
        match self {
            Tool::Btcli11 => Tool::Sdk11.name(),
            tool => tool.name(),
        }
    }
}

pub(crate) struct Options {
    /// Run one tool only.
    pub only: Option<Tool>,
    /// Where the venvs live (default `target/interop/venvs`).
    pub venvs: Option<PathBuf>,
    /// The Python that creates the venvs.
    pub python: String,
    /// How long one tool's script may run.
    pub timeout: Duration,
}

/// Step lines a tool printed, and whether its run ended as a script should.
#[derive(Default)]
pub(crate) struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    pub(crate) fn line(&mut self, line: &str) {
        if line.starts_with("PASS ") {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        println!("{line}");
    }
}

pub(crate) fn python(options: Options) -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("xtask's parent directory")?.to_path_buf();
    let scripts = root.join("interop/python");
    let work = root.join("target/interop");
    let venvs = options.venvs.clone().unwrap_or_else(|| work.join("venvs"));
    let tools: Vec<Tool> = options.only.map_or_else(|| Tool::ALL.to_vec(), |t| vec![t]);
    fs::create_dir_all(work.join("logs")).context("creating target/interop/logs")?;

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let mut total = Tally::default();
    for tool in tools {
        let name = tool.name();
        let started = Instant::now();
        let venv = venvs.join(tool.venv());
        let requirements = scripts.join(format!("requirements-{}.txt", tool.venv()));
        let interpreter = match ensure_venv(&venv, &requirements, &options.python) {
            Ok((python, reused)) => {
                let how = if reused { "reused" } else { "created" };
                eprintln!("{name}: venv {how} in {:.1}s ({})", started.elapsed().as_secs_f64(), venv.display());
                python
            }
            Err(e) => {
                total.line(&format!("FAIL {name} install: {}", one_line(&format!("{e:#}"))));
                continue;
            }
        };

        if tool == Tool::Drand {
            let started = Instant::now();
            let log = work.join("logs").join(format!("{name}.log"));
            let tally = run_drand(&interpreter, &scripts, &work, &log, options.timeout).unwrap_or_else(|e| {
                let mut t = Tally::default();
                t.line(&format!("FAIL {name} script: {}", one_line(&format!("{e:#}"))));
                t
            });
            eprintln!("{name}: {} passed, {} failed in {:.1}s (log: {})", tally.passed, tally.failed, started.elapsed().as_secs_f64(), log.display());
            total.passed += tally.passed;
            total.failed += tally.failed;
            continue;
        }

        // A fresh chain per tool: the same dev accounts, no state left by another tool.
        let started = Instant::now();
        let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Timed(BLOCK_TIME));
        let addr: SocketAddr = "127.0.0.1:0".parse().expect("a valid socket address");
        let running = runtime.block_on(node.serve(addr)).context("serving the localnet on a free port")?;
        let url = running.url();
        let log = work.join("logs").join(format!("{name}.log"));
        let home = work.join("home").join(name);
        let tally = run_script(tool, &interpreter, &scripts.join(format!("{name}.py")), &url, &home, &log, options.timeout);
        runtime.block_on(running.stop());
        let tally = tally.unwrap_or_else(|e| {
            let mut t = Tally::default();
            t.line(&format!("FAIL {name} script: {}", one_line(&format!("{e:#}"))));
            t
        });
        eprintln!("{name}: {} passed, {} failed in {:.1}s (log: {})", tally.passed, tally.failed, started.elapsed().as_secs_f64(), log.display());
        total.passed += tally.passed;
        total.failed += tally.failed;
    }
    println!("{} passed, {} failed", total.passed, total.failed);
    if total.failed > 0 {
        bail!("{} interop step(s) failed", total.failed);
    }
    Ok(())
}

/// The drand cross-check: our ciphertexts out, the script's back in (no chain).
fn run_drand(python: &Path, scripts: &Path, work: &Path, log: &Path, timeout: Duration) -> Result<Tally> {
    let dir = work.join("drand");
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    crate::interop_drand::write_ours(&dir)?;
    let home = work.join("home").join(Tool::Drand.name());
    let mut tally = run_script(Tool::Drand, python, &scripts.join("drand.py"), &dir.to_string_lossy(), &home, log, timeout)?;
    crate::interop_drand::check_theirs(&dir, &mut tally)?;
    Ok(tally)
}

/// The venv's Python, creating the venv (or recreating it when its requirements
/// file changed since it was made); `true` when an existing venv was reused.
pub(crate) fn ensure_venv(venv: &Path, requirements: &Path, python: &str) -> Result<(PathBuf, bool)> {
    let wanted = fs::read(requirements).with_context(|| format!("reading {}", requirements.display()))?;
    let stamp_path = venv.join(".interop-requirements-hash");
    let stamp = format!("{:016x} {python}\n", fnv1a(&wanted));
    let interpreter = venv.join("bin/python");
    if interpreter.exists() && fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp) {
        return Ok((interpreter, true));
    }
    if venv.exists() {
        fs::remove_dir_all(venv).with_context(|| format!("removing the stale venv {}", venv.display()))?;
    }
    quiet(Command::new(python).arg("-m").arg("venv").arg(venv), &format!("{python} -m venv"))?;
    let mut pip = Command::new(&interpreter);
    // pip may build an sdist with cargo (a maturin package such as btlightning): that
    // build must see what a plain `cargo build` sees, not what `cargo run` gave xtask.
    crate::cargo::scrub(&mut pip);
    pip.args(["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r"]).arg(requirements);
    quiet(&mut pip, &format!("pip install -r {}", requirements.display()))?;
    fs::write(&stamp_path, stamp).with_context(|| format!("writing {}", stamp_path.display()))?;
    Ok((interpreter, false))
}

/// Run a command with its output captured, shown only if it fails.
pub(crate) fn quiet(command: &mut Command, what: &str) -> Result<()> {
    let out = command.stdin(Stdio::null()).output().with_context(|| format!("starting {what}"))?;
    if !out.status.success() {
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let tail: Vec<&str> = text.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
        eprintln!("{what} failed ({}):\n{}", out.status, tail.join("\n"));
        bail!("{what} failed ({})", out.status);
    }
    Ok(())
}

/// Run one tool's script with `url` (the drand script: its work directory) as its
/// argument, relaying its step lines as they come.
fn run_script(tool: Tool, python: &Path, script: &Path, url: &str, home: &Path, log: &Path, timeout: Duration) -> Result<Tally> {
    let name = tool.name();
    // A fresh home: no metadata cached by an earlier run (both Python stacks cache it
    // on disk by genesis hash and spec version), no btcli config.
    if home.exists() {
        fs::remove_dir_all(home).with_context(|| format!("clearing {}", home.display()))?;
    }
    fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
    let log_file = fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let mut child = Command::new(python)
        .arg(script)
        .arg(url)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("PYTHONUNBUFFERED", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("COLUMNS", "200")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file.try_clone()?)
        .spawn()
        .with_context(|| format!("starting {} {}", python.display(), script.display()))?;
    let stdout = child.stdout.take().context("the script's stdout")?;
    let (lines, incoming) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });

    let mut tally = Tally::default();
    let mut other = log_file;
    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match incoming.recv_timeout(left.min(Duration::from_millis(200))) {
            Ok(line) => {
                if line.starts_with(&format!("PASS {name} ")) || line.starts_with(&format!("FAIL {name} ")) {
                    tally.line(&line);
                } else {
                    // Anything else a library printed on stdout goes to the log.
                    writeln!(other, "[stdout] {line}")?;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) if left.is_zero() => {
                timed_out = true;
                let _ = child.kill();
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
    let status = wait_with_timeout(&mut child, Duration::from_secs(10))?;
    let _ = reader.join();
    if timed_out {
        tally.line(&format!("FAIL {name} script: killed after {}s without finishing (see {})", timeout.as_secs(), log.display()));
    } else if !status.is_some_and(|s| s.success()) && tally.failed == 0 {
        let how = status.map_or_else(|| "did not exit after closing its output".to_string(), |s| format!("ended with {s}"));
        tally.line(&format!("FAIL {name} script: {how} (see {})", log.display()));
    } else if tally.passed + tally.failed == 0 {
        tally.line(&format!("FAIL {name} script: printed no step (see {})", log.display()));
    }
    Ok(tally)
}

/// The child's exit status, killing it if it does not exit in `grace`.
fn wait_with_timeout(child: &mut std::process::Child, grace: Duration) -> Result<Option<ExitStatus>> {
    let until = Instant::now() + grace;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= until {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// FNV-1a, 64 bits: a stable fingerprint of a requirements file.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}
