//! `bench e2e`: the sum subnet end to end with 16 miners (honest, flaky, dead), 4
//! validators and 10 epochs of 20 blocks, the figure `cargo xtask test` promises
//! (under 30 s after the build): in-process on the embedded chain with miners over
//! gRPC on loopback, and with one OS process per neuron on the served localnet
//! (the release-built `sum-subnet` binary, 50 ms blocks), side by side.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use subnet_core::testing::{check_invariants, run_local_net, run_multi_process, RunArgs};
use sum_subnet::sum::Subnet;

use crate::Row;

/// The run `cargo xtask test --miners 16 --validators 4 --epochs 10` makes.
fn bench_run() -> RunArgs {
    RunArgs { miners: 16, validators: 4, epochs: 10, tempo: 20, ..RunArgs::default() }
}

pub(crate) fn run(runs: usize) -> anyhow::Result<Vec<Row>> {
    let binary = std::env::var_os("SUBNET_BENCH_SUM_BIN")
        .map(PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("SUBNET_BENCH_SUM_BIN must name the sum-subnet binary (cargo xtask bench e2e sets it)"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let run = bench_run();
    let params = |hosting: &str| {
        vec![
            ("miners", run.miners.into()),
            ("validators", run.validators.into()),
            ("epochs", run.epochs.into()),
            ("tempo", (run.tempo as u64).into()),
            ("hosting", hosting.into()),
        ]
    };

    let in_process = run.local_net_config();
    let local = median(runs, || {
        let reports = runtime.block_on(run_local_net::<Subnet>(&in_process, |_| {}))?;
        ensure_healthy(&reports)
    })?;
    // The same run with finney's default commit-reveal: every commit encrypted to a
    // drand round (tlock), revealed by the chain a tempo later.
    let with_commit_reveal = RunArgs { commit_reveal: true, ..run.clone() }.local_net_config();
    let local_commit_reveal = median(runs, || {
        let reports = runtime.block_on(run_local_net::<Subnet>(&with_commit_reveal, |_| {}))?;
        ensure_healthy(&reports)
    })?;

    let dir = std::env::temp_dir().join(format!("subnet-bench-e2e-{}", std::process::id()));
    // The served localnet with 50 ms blocks (the flags' default).
    let multi = RunArgs { multi_process: true, ..run.clone() }.multi_process_config(vec![binary.into()], dir.clone());
    let processes = median(runs, || {
        let reports = runtime.block_on(run_multi_process::<Subnet>(&multi, |_| {}))?;
        ensure_healthy(&reports)
    })?;
    std::fs::remove_dir_all(&dir).ok();

    Ok(vec![
        Row { name: "e2e_in_process".into(), value: local.as_secs_f64(), unit: "s", params: params("in-process chain, gRPC on loopback") },
        Row {
            name: "e2e_in_process_commit_reveal".into(),
            value: local_commit_reveal.as_secs_f64(),
            unit: "s",
            params: params("in-process chain, gRPC on loopback, commit-reveal v4 (timelocked to the local drand beacon)"),
        },
        Row {
            name: "e2e_multi_process".into(),
            value: processes.as_secs_f64(),
            unit: "s",
            params: params("one process per neuron, served localnet, 50 ms blocks"),
        },
    ])
}

/// A run that broke the invariants is not a figure.
fn ensure_healthy(reports: &[subnet_core::testing::EpochReport]) -> anyhow::Result<()> {
    let problems = check_invariants(reports);
    anyhow::ensure!(problems.is_empty(), "the run broke invariants: {}", problems.join("; "));
    Ok(())
}

fn median(runs: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}
