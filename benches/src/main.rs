//! Benchmark binary behind `cargo xtask bench <area>` (always built in release).
//!
//! Prints a human table, or with `--json` the DESIGN.md bench rows:
//! `{"name", "value", "unit", ...parameters}` where `value` is the median of the runs.

mod chain;
mod cpu;
mod drand;
mod e2e;
mod economy;
mod localnet;
mod net;
mod python;
mod yuma;

use std::time::{Duration, Instant};

/// One measured figure.
pub struct Row {
    /// The figure's name, as in DESIGN.md's bench table.
    pub name: String,
    /// The median of the runs, in `unit`.
    pub value: f64,
    /// The unit of `value` (`"ms"`, `"us"`, `"s"`, `"per_sec"`).
    pub unit: &'static str,
    /// Parameters of the run (sizes, counts), emitted with the row in `--json`.
    pub params: Vec<(&'static str, serde_json::Value)>,
}

/// Time `f` `runs` times (after one warm-up call) and return the median.
pub fn median_time(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// The areas, for the usage line (`python` is one round of `cargo xtask bench python`,
/// which prepares its Python side; `echo-miner` and `echo-protocol` are its helpers).
const AREAS: &str = "yuma, chain, economy, net, localnet, e2e, drand, python";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        // A server process of `bench python`: runs until killed, its own exit status.
        Some("echo-miner") => std::process::exit(python::serve_echo_miner(&args[1..]).into()),
        Some("echo-protocol") => {
            println!("{}", subnet_core::spec::protocol_json(&python::echo_protocol()));
            return Ok(());
        }
        _ => {}
    }
    let json = args.iter().any(|a| a == "--json");
    let area = args.iter().find(|a| !a.starts_with("--")).map(String::as_str);
    let rows = match area {
        Some("yuma") => yuma::run(),
        Some("chain") => chain::run(),
        Some("net") => net::run(2_000, 64 * 500, 64)?,
        Some("python") => python::run(&args[1..])?,
        Some("localnet") => localnet::run(300, 10, 20),
        Some("e2e") => e2e::run(3)?,
        Some("drand") => drand::run(),
        Some("economy") => economy::run(),
        Some(other) => anyhow::bail!("unknown bench area {other:?}; available: {AREAS}"),
        None => anyhow::bail!("usage: subnet-bench <area> [--json]; areas: {AREAS}"),
    };
    if json {
        let out: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let mut m = serde_json::Map::new();
                m.insert("name".into(), r.name.clone().into());
                m.insert("value".into(), r.value.into());
                m.insert("unit".into(), r.unit.into());
                for (k, v) in &r.params {
                    m.insert((*k).into(), v.clone());
                }
                serde_json::Value::Object(m)
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("{:<28} {:>14} {:<10} parameters", "benchmark", "median", "unit");
        for r in &rows {
            let params: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let value = if r.value < 10.0 { format!("{:.3}", r.value) } else { format!("{:.1}", r.value) };
            println!("{:<28} {:>14} {:<10} {}", r.name, value, r.unit, params.join(" "));
        }
    }
    Ok(())
}
