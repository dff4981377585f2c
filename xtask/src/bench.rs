//! `cargo xtask bench <area>`: the release-built `subnet-bench` binary, and for `net`
//! a side-by-side run of Bittensor's Python Axon/Dendrite.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

fn bench_command(area: &str) -> Command {
    let mut cmd = crate::cargo::command();
    cmd.args(["run", "--quiet", "--release", "-p", "subnet-benches", "--bin", "subnet-bench", "--", area]);
    cmd
}

pub(crate) fn run(area: &str, json: bool) -> Result<()> {
    let mut cmd = bench_command(area);
    if area == "e2e" {
        // One process per neuron needs the subnet's own binary, built like the bench.
        let status = crate::cargo::command()
            .args(["build", "--quiet", "--release", "-p", "sum-subnet", "--bin", "sum-subnet"])
            .status()
            .context("building sum-subnet")?;
        if !status.success() {
            bail!("building sum-subnet failed ({status})");
        }
        let target_dir = std::env::var_os("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
        let target = target_dir.join("release/sum-subnet");
        cmd.env("SUBNET_BENCH_SUM_BIN", target);
    }
    if json {
        cmd.arg("--json");
    }
    let status = cmd.status().context("starting the benchmark build")?;
    if !status.success() {
        bail!("benchmark {area} failed ({status})");
    }
    Ok(())
}

fn rows_of(out: std::process::Output, what: &str) -> Result<Vec<Value>> {
    if !out.status.success() {
        bail!("{what} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // The Python script may print warnings before its JSON.
    let start = text.find('[').with_context(|| format!("{what} printed no JSON rows"))?;
    serde_json::from_str(&text[start..]).with_context(|| format!("{what} printed malformed rows"))
}

/// Both stacks on this machine, one after the other, with the ratios.
pub(crate) fn compare_python(python: &str, json: bool) -> Result<()> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/python/axon_bench.py");
    eprintln!("running the Rust transport bench…");
    let rust = rows_of(bench_command("net").arg("--json").output().context("running subnet-bench")?, "the Rust bench")?;
    eprintln!("running Bittensor's Python Axon/Dendrite with {python}…");
    let py = Command::new(python)
        .arg(&script)
        .args(["--requests", "300", "--concurrency", "64"])
        .output()
        .with_context(|| format!("starting {python} (set --python or SUBNET_BENCH_PYTHON to a Python with bittensor<11)"))?;
    let py = rows_of(py, "the Python bench (is `bittensor<11` installed? see benches/python/README.md)")?;
    let value = |rows: &[Value], name: &str| rows.iter().find(|r| r["name"] == name).and_then(|r| r["value"].as_f64());
    let mut table = Vec::new();
    for (label, metric, unit, better_high) in [
        ("sequential", "sequential", "req/s", true),
        ("sequential p50", "sequential_p50", "ms", false),
        ("sequential p99", "sequential_p99", "ms", false),
        ("batches of 64", "concurrent", "req/s", true),
        ("batches of 64 p50", "concurrent_p50", "ms", false),
        ("batches of 64 p99", "concurrent_p99", "ms", false),
    ] {
        // Python's concurrent phase sends batches of 64 (asyncio.gather): compare it
        // with the Rust batches, the same load pattern.
        let rust_metric = metric.replace("concurrent", "batched");
        let (Some(r), Some(p)) = (value(&rust, &format!("rust_grpc_{rust_metric}")), value(&py, &format!("python_axon_{metric}"))) else {
            bail!("a bench did not report {metric}");
        };
        let ratio = if better_high { r / p } else { p / r };
        table.push((label, unit, r, p, ratio));
    }
    if json {
        let mut all = rust;
        all.extend(py);
        for (label, _, _, _, ratio) in &table {
            all.push(serde_json::json!({"name": format!("rust_vs_python_{}", label.replace(' ', "_")), "value": ratio, "unit": "x"}));
        }
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    println!("{:<20} {:>6} {:>12} {:>12} {:>10}", "loopback echo", "unit", "rust gRPC", "python", "rust is");
    for (label, unit, r, p, ratio) in table {
        println!("{label:<20} {unit:>6} {r:>12.2} {p:>12.2} {ratio:>9.1}×");
    }
    let failures: u64 = py.iter().filter_map(|r| r["failures"].as_u64()).sum::<u64>() / 3;
    println!("(python requests that failed: {failures}; both sign and verify every request)");
    if let (Some(rps), Some(p50), Some(p99)) =
        (value(&rust, "rust_grpc_concurrent"), value(&rust, "rust_grpc_concurrent_p50"), value(&rust, "rust_grpc_concurrent_p99"))
    {
        println!("rust, 64 kept in flight (saturation): {rps:.0} req/s, p50 {p50:.2} ms, p99 {p99:.2} ms");
    }
    Ok(())
}
