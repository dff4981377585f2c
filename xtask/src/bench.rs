//! `cargo xtask bench <area>`: the release-built `subnet-bench` binary, and for `net`
//! side-by-side runs of Bittensor's Python Axon/Dendrite and of btlightning 0.2.15.

use std::path::{Path, PathBuf};
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
        let target = target_dir().join("release/sum-subnet");
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

/// The workspace's target directory (`CARGO_TARGET_DIR`, a relative one taken from the
/// workspace root, else `target/`).
pub(crate) fn target_dir() -> PathBuf {
    workspace_root().join(std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into()))
}

fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

/// The JSON rows a bench printed, or an error with its stderr if it failed.
pub(crate) fn rows_of(out: std::process::Output, what: &str) -> Result<Vec<Value>> {
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
    println!("(python requests that failed: {failures}; Python signs and verifies every request; ours proves both hotkeys once per TLS connection)");
    if let (Some(rps), Some(p50), Some(p99)) =
        (value(&rust, "rust_grpc_concurrent"), value(&rust, "rust_grpc_concurrent_p50"), value(&rust, "rust_grpc_concurrent_p99"))
    {
        println!("rust, 64 kept in flight (saturation): {rps:.0} req/s, p50 {p50:.2} ms, p99 {p99:.2} ms");
    }
    Ok(())
}

/// Rounds of each side in `--compare btlightning`, run alternately (ours, peer, ours, …)
/// so that a slow spell of a shared machine lands on both.
pub(crate) const ROUNDS: usize = 3;

/// The load patterns both benches run, by row-name suffix.
pub(crate) const PATTERNS: [&str; 3] = ["sequential", "concurrent", "batched"];

/// A pattern's label in the table.
pub(crate) fn pattern_label(pattern: &str, concurrency: u64) -> String {
    match pattern {
        "concurrent" => format!("{concurrency} in flight (closed loop)"),
        "batched" => format!("batches of {concurrency}"),
        other => other.to_string(),
    }
}

/// `subnet-bench`, built in release; its path.
pub(crate) fn build_subnet_bench() -> Result<PathBuf> {
    eprintln!("building subnet-bench (release)…");
    let status = crate::cargo::command()
        .current_dir(workspace_root())
        .args(["build", "--release", "-p", "subnet-benches", "--bin", "subnet-bench"])
        .status()
        .context("building subnet-bench")?;
    if !status.success() {
        bail!("building subnet-bench failed ({status})");
    }
    Ok(target_dir().join(format!("release/subnet-bench{}", std::env::consts::EXE_SUFFIX)))
}

/// btlightning 0.2.15's side (benches/btlightning-peer, outside the workspace, pinned
/// by its own Cargo.lock), built in release into `target/btlightning-peer`; its path.
pub(crate) fn build_btlightning_peer() -> Result<PathBuf> {
    let peer_target = target_dir().join("btlightning-peer");
    eprintln!(
        "building the btlightning 0.2.15 peer bench (benches/btlightning-peer, outside the workspace, into {}); \
         the first build compiles about 330 crates (sp-core, quinn, secp256k1) and takes several minutes, later runs reuse it…",
        peer_target.display()
    );
    let status = crate::cargo::command()
        .current_dir(workspace_root())
        .args(["build", "--release", "--locked", "--manifest-path", "benches/btlightning-peer/Cargo.toml", "--target-dir"])
        .arg(&peer_target)
        .status()
        .context("building benches/btlightning-peer")?;
    if !status.success() {
        bail!("building the btlightning peer bench failed ({status})");
    }
    Ok(peer_target.join(format!("release/btlightning-peer{}", std::env::consts::EXE_SUFFIX)))
}

/// Ours and btlightning 0.2.15's own server and client (benches/btlightning-peer, the
/// same workload and counts), [`ROUNDS`] rounds each, alternating; medians and ratios.
pub(crate) fn compare_btlightning(json: bool) -> Result<()> {
    let ours = build_subnet_bench()?;
    let peer = build_btlightning_peer()?;

    let (mut ours_runs, mut peer_runs) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        eprintln!("round {round}/{ROUNDS}: ours (subnet-bench net)…");
        let out = Command::new(&ours).args(["net", "--json"]).output().with_context(|| format!("starting {}", ours.display()))?;
        ours_runs.push(rows_of(out, "our net bench")?);
        eprintln!("round {round}/{ROUNDS}: btlightning 0.2.15 (async handler, then sync handler)…");
        let out = Command::new(&peer).arg("--json").output().with_context(|| format!("starting {}", peer.display()))?;
        peer_runs.push(rows_of(out, "the btlightning peer bench")?);
    }
    let ours = medians(&ours_runs);
    let peer = medians(&peer_runs);
    let blocks = compare_blocks(&ours, &peer)?;

    if json {
        let mut all = ours;
        all.extend(peer);
        for b in &blocks {
            for line in &b.lines {
                all.push(serde_json::json!({
                    "name": format!("{}_vs_{}_{}", b.ours, b.peer, line.pattern),
                    "value": line.ours_rps / line.peer_rps,
                    "unit": "x",
                    "rounds": ROUNDS,
                }));
            }
        }
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    println!("loopback echo, ours vs btlightning 0.2.15, median of {ROUNDS} alternating rounds each (CPU: process user+sys per request, client and server together)");
    for b in &blocks {
        println!("\nours = {}, peer = {} (handler: {})", b.ours, b.peer, b.peer_handler);
        println!(
            "{:<28} {:>11} {:>11} {:>9} {:>16} {:>16} {:>12} {:>12}",
            "pattern", "ours req/s", "peer req/s", "ours/peer", "ours p50/p99 ms", "peer p50/p99 ms", "ours CPU µs", "peer CPU µs"
        );
        for l in &b.lines {
            let cpu = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.1}"));
            println!(
                "{:<28} {:>11.0} {:>11.0} {:>8.2}× {:>16} {:>16} {:>12} {:>12}",
                l.label,
                l.ours_rps,
                l.peer_rps,
                l.ours_rps / l.peer_rps,
                format!("{:.3}/{:.3}", l.ours_p50, l.ours_p99),
                format!("{:.3}/{:.3}", l.peer_p50, l.peer_p99),
                cpu(l.ours_cpu),
                cpu(l.peer_cpu)
            );
        }
        let failures: Vec<String> = b.lines.iter().map(|l| format!("{} {}/{}", l.pattern, l.ours_failures, l.peer_failures)).collect();
        println!("failed requests over all rounds, ours/peer: {}", failures.join(", "));
    }
    if blocks.iter().any(|b| b.lines.iter().any(|l| l.ours_cpu.is_none())) {
        println!("(n/a: that bench reports no `_cpu_us` rows yet)");
    }
    Ok(())
}

/// Each row name's median over the runs, with `failures` summed over them and the
/// run count and values added.
pub(crate) fn medians(runs: &[Vec<Value>]) -> Vec<Value> {
    let Some(first) = runs.first() else { return Vec::new() };
    let mut out = Vec::new();
    for row in first {
        let Some(name) = row["name"].as_str() else { continue };
        let same: Vec<&Value> = runs.iter().filter_map(|r| r.iter().find(|x| x["name"] == name)).collect();
        let mut values: Vec<f64> = same.iter().filter_map(|r| r["value"].as_f64()).collect();
        if values.len() != runs.len() {
            continue;
        }
        let runs_values = values.clone();
        values.sort_by(f64::total_cmp);
        let mut row = row.clone();
        row["value"] = values[values.len() / 2].into();
        row["rounds"] = runs.len().into();
        row["round_values"] = runs_values.into();
        if row.get("failures").is_some() {
            row["failures"] = same.iter().filter_map(|r| r["failures"].as_u64()).sum::<u64>().into();
        }
        out.push(row);
    }
    out
}

/// One pattern of one comparison table.
struct Line {
    pattern: &'static str,
    label: String,
    ours_rps: f64,
    peer_rps: f64,
    ours_p50: f64,
    ours_p99: f64,
    peer_p50: f64,
    peer_p99: f64,
    ours_cpu: Option<f64>,
    peer_cpu: Option<f64>,
    ours_failures: u64,
    peer_failures: u64,
}

/// One of our transports against one peer configuration.
struct Block {
    ours: String,
    peer: String,
    peer_handler: String,
    lines: Vec<Line>,
}

/// The prefixes `P` for which a bench reported `P_sequential`, `P_concurrent` and
/// `P_batched` (ours: `rust_grpc`; the peer: `btlightning`, `btlightning_sync`).
fn prefixes(rows: &[Value]) -> Vec<String> {
    let has = |name: &str| rows.iter().any(|r| r["name"] == name && r["unit"] == "per_second");
    rows.iter()
        .filter_map(|r| r["name"].as_str()?.strip_suffix("_sequential").map(str::to_string))
        .filter(|p| PATTERNS.iter().all(|suffix| has(&format!("{p}_{suffix}"))))
        .collect()
}

fn compare_blocks(ours: &[Value], peer: &[Value]) -> Result<Vec<Block>> {
    let (ours_prefixes, peer_prefixes) = (prefixes(ours), prefixes(peer));
    if ours_prefixes.is_empty() {
        bail!("our net bench reported no <name>_sequential/_concurrent/_batched rows");
    }
    if peer_prefixes.is_empty() {
        bail!("the btlightning peer bench reported no <name>_sequential/_concurrent/_batched rows");
    }
    let row = |rows: &[Value], name: String| -> Result<Value> {
        rows.iter().find(|r| r["name"] == name.as_str()).cloned().with_context(|| format!("no row {name}"))
    };
    let value = |rows: &[Value], name: String| -> Result<f64> {
        row(rows, name.clone())?["value"].as_f64().with_context(|| format!("row {name} has no value"))
    };
    let cpu = |rows: &[Value], name: String| rows.iter().find(|r| r["name"] == name.as_str()).and_then(|r| r["value"].as_f64());
    let mut blocks = Vec::new();
    for p in &peer_prefixes {
        for o in &ours_prefixes {
            let mut lines = Vec::new();
            for pattern in PATTERNS {
                let (ours_row, peer_row) = (row(ours, format!("{o}_{pattern}"))?, row(peer, format!("{p}_{pattern}"))?);
                let concurrency = ours_row["concurrency"].as_u64().unwrap_or(0);
                if peer_row["concurrency"].as_u64() != Some(concurrency) || peer_row["requests"] != ours_row["requests"] {
                    bail!("{pattern}: the benches ran different counts (ours {ours_row}, peer {peer_row})");
                }
                lines.push(Line {
                    pattern,
                    label: pattern_label(pattern, concurrency),
                    ours_rps: value(ours, format!("{o}_{pattern}"))?,
                    peer_rps: value(peer, format!("{p}_{pattern}"))?,
                    ours_p50: value(ours, format!("{o}_{pattern}_p50"))?,
                    ours_p99: value(ours, format!("{o}_{pattern}_p99"))?,
                    peer_p50: value(peer, format!("{p}_{pattern}_p50"))?,
                    peer_p99: value(peer, format!("{p}_{pattern}_p99"))?,
                    ours_cpu: cpu(ours, format!("{o}_{pattern}_cpu_us")),
                    peer_cpu: cpu(peer, format!("{p}_{pattern}_cpu_us")),
                    ours_failures: ours_row["failures"].as_u64().unwrap_or(0),
                    peer_failures: peer_row["failures"].as_u64().unwrap_or(0),
                });
            }
            let peer_handler =
                peer.iter().find(|r| r["name"] == format!("{p}_sequential").as_str()).and_then(|r| r["handler"].as_str()).unwrap_or("?");
            blocks.push(Block { ours: o.clone(), peer: p.clone(), peer_handler: peer_handler.to_string(), lines });
        }
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{compare_blocks, medians};

    fn side(prefix: &str, rps: [f64; 3], failures: u64, cpu: bool) -> Vec<serde_json::Value> {
        let mut rows = Vec::new();
        for (pattern, rps) in super::PATTERNS.iter().zip(rps) {
            let c = if *pattern == "sequential" { 1 } else { 64 };
            let r = if *pattern == "sequential" { 2000 } else { 32000 };
            rows.push(json!({"name": format!("{prefix}_{pattern}"), "value": rps, "unit": "per_second", "concurrency": c, "requests": r, "failures": failures}));
            rows.push(
                json!({"name": format!("{prefix}_{pattern}_p50"), "value": 1.0, "unit": "ms", "concurrency": c, "requests": r, "failures": failures}),
            );
            rows.push(
                json!({"name": format!("{prefix}_{pattern}_p99"), "value": 2.0, "unit": "ms", "concurrency": c, "requests": r, "failures": failures}),
            );
            if cpu {
                rows.push(json!({"name": format!("{prefix}_{pattern}_cpu_us"), "value": 30.0, "unit": "us", "concurrency": c, "requests": r, "failures": failures}));
            }
        }
        rows
    }

    #[test]
    fn medians_take_the_middle_value_and_sum_failures() {
        let runs = [side("a", [3.0, 1.0, 1.0], 1, false), side("a", [1.0, 1.0, 1.0], 0, false), side("a", [2.0, 1.0, 1.0], 2, false)];
        let m = medians(&runs);
        let seq = m.iter().find(|r| r["name"] == "a_sequential").unwrap();
        assert_eq!(seq["value"], 2.0);
        assert_eq!(seq["failures"], 3);
        assert_eq!(seq["round_values"], json!([3.0, 1.0, 2.0]));
    }

    #[test]
    fn one_block_per_peer_configuration_with_ratios_and_missing_cpu() {
        let ours = side("rust_grpc", [10.0, 40.0, 20.0], 0, false);
        let mut peer = side("btlightning", [5.0, 20.0, 40.0], 0, true);
        peer.extend(side("btlightning_sync", [4.0, 10.0, 10.0], 7, true));
        let blocks = compare_blocks(&ours, &peer).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].peer, "btlightning");
        assert_eq!(blocks[1].peer, "btlightning_sync");
        let l = &blocks[0].lines;
        assert_eq!(l[0].ours_rps / l[0].peer_rps, 2.0);
        assert_eq!(l[2].ours_rps / l[2].peer_rps, 0.5);
        assert_eq!(l[1].label, "64 in flight (closed loop)");
        assert_eq!(l[2].label, "batches of 64");
        assert_eq!((l[0].ours_cpu, l[0].peer_cpu), (None, Some(30.0)));
        assert_eq!(blocks[1].lines[1].peer_failures, 7);
    }

    #[test]
    fn different_counts_are_refused() {
        let ours = side("rust_grpc", [1.0; 3], 0, false);
        let mut peer = side("btlightning", [1.0; 3], 0, false);
        peer[0]["requests"] = 10.into();
        assert!(compare_blocks(&ours, &peer).is_err());
    }
}
