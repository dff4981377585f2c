//! `cargo xtask bench python`: an echo miner whose handler is Python beside the same
//! miner in Rust, and the same Python handler behind btlightning 0.2.15's Python
//! server; every server its own OS process on loopback, all built in release.
//!
//! Our three servers (Rust handler, Python `def`, Python `async def`, the last two
//! through the `subnet_core` wheel built with `maturin build --release`) are started
//! and queried by `subnet-bench python` (one round: a served localnet, each server a
//! registered miner found through its axon, the release Rust client with `bench net`'s
//! patterns and echo envelope). btlightning's Python server (`btlightning==0.2.15` from
//! PyPI, compiled by pip here, in its own venv) runs `benches/python/btlightning_echo.py`
//! and is queried by btlightning's own Rust client (`btlightning-peer --connect`) with
//! the same counts. The two sides alternate for [`ROUNDS`] rounds (a slow spell of a
//! shared machine lands on both); the table shows medians.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use subnet_core::keys::Keypair;

use super::python_module;
use super::wheel::{self, workspace};
use crate::bench::{medians, pattern_label, rows_of, PATTERNS, ROUNDS};

/// Requests per pattern, the same on both sides: one at a time, then a closed loop
/// keeping [`CONCURRENCY`] in flight and batches of [`CONCURRENCY`], each
/// [`CONCURRENT_TOTAL`] requests (the patterns of `bench net`, fewer requests: a Python
/// handler serves a few thousand a second).
const SEQUENTIAL: usize = 2_000;
const CONCURRENCY: usize = 64;
const CONCURRENT_TOTAL: usize = CONCURRENCY * 250;

/// The servers in table order: row-name prefix and what it is.
const SERVERS: [(&str, &str); 4] = [
    ("rust_echo", "Rust handler, our server"),
    ("python_def", "Python def, our server"),
    ("python_async", "Python async def, our server"),
    (BTLIGHTNING, "Python def, btlightning 0.2.15"),
];
const BTLIGHTNING: &str = "btlightning_python";

/// The ratios printed: (numerator, denominator, label).
const RATIOS: [(&str, &str, &str); 3] = [
    ("python_def", "rust_echo", "Python def / Rust"),
    ("python_async", "rust_echo", "Python async / Rust"),
    ("python_def", BTLIGHTNING, "ours-Python / btlightning-Python"),
];

/// The btlightning server's key: the miner dev key of the peer bench.
const BTLIGHTNING_MINER: &str = "//Miner";

/// How long btlightning's Python server may take to bind.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) fn run(python: &str, json: bool, cold_wheel: bool) -> Result<()> {
    let root = workspace()?;
    let work = root.join("target/python/bench");
    let scripts = root.join("benches/python");
    let bench = crate::bench::build_subnet_bench()?;
    let wheel = wheel::release_wheel("venv-bench", python)?;
    let cold = cold_wheel.then(|| wheel::cold_release_build(python)).transpose()?;
    write_protocol_module(&bench, &work)?;
    let btlightning = Btlightning::prepare(&root, python);
    if let Err(e) = &btlightning {
        eprintln!("btlightning's Python server is left out: {e:#}");
    }

    let ours = Ours { bench, interpreter: wheel.interpreter.clone(), scripts, work };
    let (mut ours_runs, mut btl_runs) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        eprintln!("round {round}/{ROUNDS}: our server (Rust, Python def, Python async def)…");
        ours_runs.push(ours.round()?);
        if let Ok(btl) = &btlightning {
            eprintln!("round {round}/{ROUNDS}: btlightning 0.2.15's Python server…");
            btl_runs.push(btl.round(&ours.scripts, &ours.work)?);
        }
    }
    let mut rows = medians(&ours_runs);
    rows.extend(medians(&btl_runs));
    let lines = lines(&rows)?;
    let ratios = ratios(&lines);
    let notes = Notes { wheel_built: wheel.built, wheel_warm: wheel.warm, wheel_cold: cold, btlightning: btlightning.map(|b| b.installed) };
    if json {
        rows.extend(ratio_rows(&ratios));
        rows.extend(notes.rows());
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print!("{}", render(&lines, &ratios));
        print!("{}", notes.render());
    }
    Ok(())
}

/// The echo protocol's Python module, written by the generator a Python miner's
/// author uses (`cargo xtask python`), from the description `subnet-bench` prints.
fn write_protocol_module(bench: &Path, work: &Path) -> Result<()> {
    let out = Command::new(bench).arg("echo-protocol").output().with_context(|| format!("starting {}", bench.display()))?;
    if !out.status.success() {
        bail!("subnet-bench echo-protocol failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    let module = python_module(String::from_utf8_lossy(&out.stdout).trim())?;
    std::fs::create_dir_all(work).with_context(|| format!("creating {}", work.display()))?;
    let path = work.join("echo_protocol.py");
    std::fs::write(&path, module).with_context(|| format!("writing {}", path.display()))
}

/// Our side of a round: `subnet-bench python`.
struct Ours {
    bench: PathBuf,
    interpreter: PathBuf,
    scripts: PathBuf,
    work: PathBuf,
}

impl Ours {
    fn round(&self) -> Result<Vec<Value>> {
        let pythonpath = std::env::join_paths([&self.work, &self.scripts]).context("PYTHONPATH")?;
        let out = Command::new(&self.bench)
            .args(["python", "--json", "--interpreter"])
            .arg(&self.interpreter)
            .arg("--script")
            .arg(self.scripts.join("echo_miner.py"))
            .arg("--pythonpath")
            .arg(pythonpath)
            .arg("--work")
            .arg(self.work.join("ours"))
            .args(counts_args())
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("starting {}", self.bench.display()))?;
        rows_of(out, "subnet-bench python (our servers)")
    }
}

/// `--sequential N --requests N --concurrency N`, as both benches take them.
fn counts_args() -> Vec<String> {
    [("--sequential", SEQUENTIAL), ("--requests", CONCURRENT_TOTAL), ("--concurrency", CONCURRENCY)]
        .iter()
        .flat_map(|(flag, n)| [flag.to_string(), n.to_string()])
        .collect()
}

/// btlightning's side: its Python package in a venv, its Rust client built.
struct Btlightning {
    interpreter: PathBuf,
    peer: PathBuf,
    /// How long pip took, if it installed btlightning this run.
    installed: Option<Duration>,
}

impl Btlightning {
    /// The venv `target/python/venv-btlightning` with `btlightning==0.2.15`
    /// (`benches/python/requirements-btlightning.txt`), and the peer bench.
    fn prepare(root: &Path, python: &str) -> Result<Self> {
        let venv = root.join("target/python/venv-btlightning");
        let requirements = root.join("benches/python/requirements-btlightning.txt");
        eprintln!(
            "btlightning 0.2.15's Python server: installing into {} if not yet there (PyPI has only its sdist here: \
             pip compiles it with maturin, several minutes the first time)…",
            venv.display()
        );
        let started = Instant::now();
        let (interpreter, reused) = crate::interop::ensure_venv(&venv, &requirements, python).context("installing btlightning 0.2.15")?;
        let installed = (!reused).then(|| started.elapsed());
        let peer = crate::bench::build_btlightning_peer()?;
        Ok(Self { interpreter, peer, installed })
    }

    /// Its Python server started on a free port, queried by its own client, stopped.
    fn round(&self, scripts: &Path, work: &Path) -> Result<Vec<Value>> {
        let key = Keypair::from_uri(BTLIGHTNING_MINER)?;
        let port = free_udp_port()?;
        let log = work.join("logs/btlightning_python.log");
        let mut server = self.start_server(scripts, &key, port, &log)?;
        server.wait_ready(&log)?;
        let out = Command::new(&self.peer)
            .args(["--json", "--connect", &format!("127.0.0.1:{port}"), "--server-hotkey", &key.ss58_address(), "--name", BTLIGHTNING])
            .args(["--handler-label", "python def (btlightning's Python server)"])
            .args(counts_args())
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("starting {}", self.peer.display()))?;
        let rows = rows_of(out, "btlightning's client against its Python server");
        server.stop();
        rows.with_context(|| format!("the btlightning Python server's output is in {}", log.display()))
    }

    fn start_server(&self, scripts: &Path, key: &Keypair, port: u16, log: &Path) -> Result<Server> {
        let seed = key.expose_seed().context("the btlightning miner key has no seed")?;
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let err = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = Command::new(&self.interpreter)
            .arg(scripts.join("btlightning_echo.py"))
            .args(["--port", &port.to_string(), "--hotkey", &key.ss58_address()])
            .env("PYTHONPATH", scripts)
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(err)
            .spawn()
            .with_context(|| format!("starting btlightning's Python server ({})", self.interpreter.display()))?;
        // The seed goes through a pipe, never a command line or the environment.
        let written = child
            .stdin
            .take()
            .context("the server's stdin")
            .and_then(|mut stdin| writeln!(stdin, "{}", hex::encode(seed)).context("handing the server its key"));
        let server = Server { child };
        written?;
        Ok(server)
    }
}

/// A server process, killed and reaped however the round ends.
struct Server {
    child: Child,
}

impl Server {
    /// Until it prints `ready`; an error naming it if it exits or stays silent.
    fn wait_ready(&mut self, log: &Path) -> Result<()> {
        let stdout = self.child.stdout.take().context("the server's stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(line) if line.trim() == "ready" => return Ok(()),
                Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait()?;
                    bail!("btlightning's Python server exited before it was ready ({status}); its output: {}", tail(log));
                }
            }
            if Instant::now() > deadline {
                bail!("btlightning's Python server was not ready within {} s; its output: {}", READY_TIMEOUT.as_secs(), tail(log));
            }
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The last lines of a log, for an error.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    format!("{}\n{}", log.display(), lines[lines.len().saturating_sub(15)..].join("\n"))
}

/// A UDP port free on loopback now (btlightning's server is QUIC and its Python API
/// does not report the port it bound, so it is given one).
fn free_udp_port() -> Result<u16> {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").context("finding a free UDP port")?;
    Ok(socket.local_addr()?.port())
}

/// One server's figures for one pattern (medians over the rounds; failures summed).
#[derive(Debug)]
struct Line {
    server: &'static str,
    label: &'static str,
    pattern: &'static str,
    pattern_label: String,
    rps: f64,
    p50: f64,
    p99: f64,
    failures: u64,
}

/// The table's lines: every server that reported rows, every pattern; an error if a
/// server lacks one, or if the servers ran different counts.
fn lines(rows: &[Value]) -> Result<Vec<Line>> {
    let find = |name: &str| rows.iter().find(|r| r["name"] == name);
    let value = |name: String| find(&name).and_then(|r| r["value"].as_f64()).with_context(|| format!("no row {name}"));
    let mut out = Vec::new();
    let mut counts: Vec<Option<(Value, Value)>> = vec![None; PATTERNS.len()];
    for (server, label) in SERVERS {
        if find(&format!("{server}_sequential")).is_none() {
            continue;
        }
        for (i, pattern) in PATTERNS.iter().enumerate() {
            let name = format!("{server}_{pattern}");
            let row = find(&name).with_context(|| format!("no row {name}"))?;
            let these = (row["requests"].clone(), row["concurrency"].clone());
            match &counts[i] {
                Some(first) if *first != these => bail!("{pattern}: the servers ran different counts ({first:?} and {these:?} for {server})"),
                _ => counts[i] = Some(these),
            }
            out.push(Line {
                server,
                label,
                pattern,
                pattern_label: pattern_label(pattern, row["concurrency"].as_u64().unwrap_or(0)),
                rps: value(name.clone())?,
                p50: value(format!("{name}_p50"))?,
                p99: value(format!("{name}_p99"))?,
                failures: row["failures"].as_u64().unwrap_or(0),
            });
        }
    }
    if out.is_empty() {
        bail!("no server reported rows");
    }
    Ok(out)
}

/// One ratio of two servers for one pattern: requests per second and p99 latency.
#[derive(Debug)]
struct Ratio {
    over: &'static str,
    under: &'static str,
    label: &'static str,
    pattern: &'static str,
    rps: f64,
    p99: f64,
}

/// [`RATIOS`] for every pattern both servers have.
fn ratios(lines: &[Line]) -> Vec<Ratio> {
    let get = |server: &str, pattern: &str| lines.iter().find(|l| l.server == server && l.pattern == pattern);
    let mut out = Vec::new();
    for (over, under, label) in RATIOS {
        for pattern in PATTERNS {
            if let (Some(a), Some(b)) = (get(over, pattern), get(under, pattern)) {
                out.push(Ratio { over, under, label, pattern, rps: a.rps / b.rps, p99: a.p99 / b.p99 });
            }
        }
    }
    out
}

fn ratio_rows(ratios: &[Ratio]) -> Vec<Value> {
    let mut rows = Vec::new();
    for r in ratios {
        let name = format!("{}_vs_{}_{}", r.over, r.under, r.pattern);
        rows.push(json!({"name": name, "value": r.rps, "unit": "x", "of": "requests per second", "rounds": ROUNDS}));
        rows.push(json!({"name": format!("{name}_p99"), "value": r.p99, "unit": "x", "of": "p99 latency", "rounds": ROUNDS}));
    }
    rows
}

/// The figures table and the ratios table.
fn render(lines: &[Line], ratios: &[Ratio]) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "loopback echo, each server its own process, median of {ROUNDS} alternating rounds (failures: all rounds); \
         our servers queried by our Rust client, btlightning's by its own"
    );
    let _ = writeln!(s, "{:<34} {:<26} {:>9} {:>9} {:>9} {:>8}", "server", "pattern", "req/s", "p50 ms", "p99 ms", "failed");
    for l in lines {
        let _ = writeln!(s, "{:<34} {:<26} {:>9.0} {:>9.3} {:>9.3} {:>8}", l.label, l.pattern_label, l.rps, l.p50, l.p99, l.failures);
    }
    if ratios.is_empty() {
        return s;
    }
    let _ = writeln!(s, "\nratios, req/s (p99)");
    let patterns: Vec<&Line> = lines.iter().filter(|l| l.server == lines[0].server).collect();
    let _ = write!(s, "{:<34}", "");
    for p in &patterns {
        let _ = write!(s, " {:>26}", p.pattern_label);
    }
    let _ = writeln!(s);
    for (_, _, label) in RATIOS {
        let cells: Vec<String> = patterns
            .iter()
            .map(|p| {
                ratios.iter().find(|r| r.label == label && r.pattern == p.pattern).map_or("n/a".into(), |r| format!("{:.2}× ({:.2}×)", r.rps, r.p99))
            })
            .collect();
        if cells.iter().all(|c| c == "n/a") {
            continue;
        }
        let _ = write!(s, "{label:<34}");
        for c in cells {
            let _ = write!(s, " {c:>26}");
        }
        let _ = writeln!(s);
    }
    s
}

/// What the table's footer says: the wheel's build times, btlightning's install.
struct Notes {
    wheel_built: Option<Duration>,
    wheel_warm: Duration,
    wheel_cold: Option<Duration>,
    /// `Ok(Some(t))`: installed this run in `t`; `Ok(None)`: installed earlier; `Err`: not installed.
    btlightning: Result<Option<Duration>>,
}

impl Notes {
    fn render(&self) -> String {
        let secs = |d: Duration| format!("{:.1} s", d.as_secs_f64());
        let built =
            self.wheel_built.map_or("cached (its sources are unchanged since it was built)".into(), |d| format!("built this run in {}", secs(d)));
        let cold = self.wheel_cold.map_or("not timed this run (--cold-wheel)".into(), secs);
        let btl = match &self.btlightning {
            // pip compiles the sdist (minutes) unless its cache holds a wheel it built before.
            Ok(Some(d)) => format!("installed this run, pip took {} (a compile of the sdist, or a wheel pip cached from one)", secs(*d)),
            Ok(None) => "installed by an earlier run (target/python/venv-btlightning)".into(),
            Err(e) => format!("NOT installed, its row is missing: {e:#}"),
        };
        format!(
            "\nsubnet_core wheel (maturin --release): {built}; rebuilt with nothing changed (warm): {}; from an empty target dir (cold): {cold}\n\
             btlightning 0.2.15 Python server: {btl}\n",
            secs(self.wheel_warm)
        )
    }

    fn rows(&self) -> Vec<Value> {
        let mut rows = vec![json!({"name": "wheel_release_build_warm", "value": self.wheel_warm.as_secs_f64(), "unit": "s"})];
        if let Some(d) = self.wheel_built {
            rows.push(json!({"name": "wheel_release_build", "value": d.as_secs_f64(), "unit": "s"}));
        }
        if let Some(d) = self.wheel_cold {
            rows.push(json!({"name": "wheel_release_build_cold", "value": d.as_secs_f64(), "unit": "s"}));
        }
        if let Ok(Some(d)) = &self.btlightning {
            rows.push(json!({"name": "btlightning_pip_install", "value": d.as_secs_f64(), "unit": "s"}));
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A server's median rows as `medians` gives them.
    fn server(prefix: &str, rps: [f64; 3], p99: f64, failures: u64) -> Vec<Value> {
        let mut rows = Vec::new();
        for (pattern, rps) in PATTERNS.iter().zip(rps) {
            let (c, n) = if *pattern == "sequential" { (1, 2000) } else { (64, 16000) };
            let row = |name: String, value: f64, unit: &str| json!({"name": name, "value": value, "unit": unit, "concurrency": c, "requests": n, "failures": failures});
            rows.push(row(format!("{prefix}_{pattern}"), rps, "per_second"));
            rows.push(row(format!("{prefix}_{pattern}_p50"), p99 / 2.0, "ms"));
            rows.push(row(format!("{prefix}_{pattern}_p99"), p99, "ms"));
        }
        rows
    }

    fn all(btlightning: bool) -> Vec<Value> {
        let mut rows = server("rust_echo", [4000.0, 16000.0, 12000.0], 1.0, 0);
        rows.extend(server("python_def", [1000.0, 4000.0, 3000.0], 4.0, 2));
        rows.extend(server("python_async", [800.0, 2000.0, 1500.0], 8.0, 0));
        if btlightning {
            rows.extend(server(BTLIGHTNING, [2000.0, 2000.0, 2000.0], 2.0, 0));
        }
        rows
    }

    #[test]
    fn lines_follow_the_servers_and_patterns_in_order() {
        let l = lines(&all(true)).unwrap();
        assert_eq!(l.len(), 12);
        assert_eq!((l[0].server, l[0].pattern), ("rust_echo", "sequential"));
        assert_eq!(l[4].pattern_label, "64 in flight (closed loop)");
        assert_eq!((l[3].server, l[3].failures, l[3].p50), ("python_def", 2, 2.0));
        assert_eq!(l[11].server, BTLIGHTNING);
    }

    #[test]
    fn a_missing_server_is_left_out_but_a_missing_pattern_is_an_error() {
        assert_eq!(lines(&all(false)).unwrap().len(), 9);
        let mut rows = all(false);
        rows.retain(|r| r["name"] != "python_async_batched");
        assert!(lines(&rows).unwrap_err().to_string().contains("python_async_batched"));
        assert!(lines(&[]).is_err());
    }

    #[test]
    fn different_counts_are_refused() {
        let mut rows = all(true);
        let row = rows.iter_mut().find(|r| r["name"] == "btlightning_python_concurrent").unwrap();
        row["requests"] = 10.into();
        assert!(lines(&rows).unwrap_err().to_string().contains("different counts"));
    }

    #[test]
    fn ratios_divide_requests_per_second_and_p99() {
        let r = ratios(&lines(&all(true)).unwrap());
        assert_eq!(r.len(), 9);
        let def_rust_loop = r.iter().find(|r| r.over == "python_def" && r.under == "rust_echo" && r.pattern == "concurrent").unwrap();
        assert_eq!((def_rust_loop.rps, def_rust_loop.p99), (0.25, 4.0));
        let ours_btl_seq = r.iter().find(|r| r.under == BTLIGHTNING && r.pattern == "sequential").unwrap();
        assert_eq!((ours_btl_seq.rps, ours_btl_seq.p99), (0.5, 2.0));
        // Without btlightning, its ratios are not made up.
        assert_eq!(ratios(&lines(&all(false)).unwrap()).len(), 6);
    }

    #[test]
    fn the_table_shows_every_line_and_ratio() {
        let l = lines(&all(true)).unwrap();
        let text = render(&l, &ratios(&l));
        assert!(text.contains("Python def, btlightning 0.2.15"), "{text}");
        assert!(text.contains("ours-Python / btlightning-Python"), "{text}");
        assert!(text.contains("0.25× (4.00×)"), "{text}");
        let without = lines(&all(false)).unwrap();
        assert!(!render(&without, &ratios(&without)).contains("btlightning-Python"));
        let rows = ratio_rows(&ratios(&l));
        assert!(rows.iter().any(|r| r["name"] == "python_def_vs_rust_echo_concurrent_p99" && r["value"] == 4.0));
    }

    #[test]
    fn the_notes_say_what_was_measured() {
        let notes = Notes {
            wheel_built: None,
            wheel_warm: Duration::from_millis(3200),
            wheel_cold: Some(Duration::from_secs(300)),
            btlightning: Err(anyhow::anyhow!("pip failed")),
        };
        let text = notes.render();
        assert!(text.contains("cached") && text.contains("3.2 s") && text.contains("300.0 s"), "{text}");
        assert!(text.contains("NOT installed") && text.contains("pip failed"), "{text}");
        assert_eq!(notes.rows().len(), 2);
    }
}
