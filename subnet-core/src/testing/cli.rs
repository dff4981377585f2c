//! `main` of the runner that `cargo xtask test <subnet>` builds for a subnet crate:
//! run it in-process on the local chain, print a table per epoch, check invariants,
//! write the HTML report. Exit status 1 when an invariant breaks.

use std::time::Instant;

use super::{check_invariants, html, run_local_net, LocalNetConfig, MinerKind, Transport};
use crate::dsl::SubnetSpec;

/// Arguments: `--miners N --validators M --epochs K --tempo T --report FILE
/// --transport grpc|in-process`.
pub fn run_main<S: SubnetSpec>() -> i32 {
    match run(std::env::args().skip(1).collect::<Vec<_>>(), S::NAME, |c, on_epoch| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        runtime.block_on(run_local_net::<S>(c, on_epoch)).map_err(|e| e.to_string())
    }) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

fn run(
    args: Vec<String>,
    name: &str,
    runner: impl FnOnce(&LocalNetConfig, &mut dyn FnMut(&super::EpochReport)) -> Result<Vec<super::EpochReport>, String>,
) -> Result<(), String> {
    let mut config = LocalNetConfig::default();
    let mut miners = config.miners.len();
    let mut report = None;
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|_| format!("{flag} takes a number, got {v:?}"));
        match flag.as_str() {
            "--miners" => miners = number(value()?)?,
            "--validators" => config.validators = number(value()?)?,
            "--epochs" => config.epochs = number(value()?)?,
            "--tempo" => config.tempo = number(value()?)?.try_into().map_err(|_| "--tempo is at most 65535".to_string())?,
            "--report" => report = Some(value()?),
            "--transport" => {
                config.transport = match value()?.as_str() {
                    "grpc" => Transport::Grpc,
                    "in-process" => Transport::InProcess,
                    other => return Err(format!("--transport is grpc or in-process, got {other:?}")),
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if miners == 0 || config.validators == 0 || config.epochs == 0 || config.tempo == 0 {
        return Err("--miners, --validators, --epochs and --tempo must be positive".into());
    }
    // A mix of behaviours: honest, mostly right, mostly wrong, dead, repeated.
    let pattern = [MinerKind::Honest, MinerKind::Flaky(30), MinerKind::Flaky(70), MinerKind::Dead];
    config.miners = (0..miners).map(|i| pattern[i % pattern.len()]).collect();
    let transport = match config.transport {
        Transport::Grpc => "miners served over signed gRPC on loopback",
        Transport::InProcess => "miners called in-process",
    };
    println!(
        "{name}: {} validators, {miners} miners, {} epochs of {} blocks on an in-process local chain, {transport}\n",
        config.validators, config.epochs, config.tempo
    );
    let start = Instant::now();
    let total = config.epochs;
    // On a terminal: a bar under the tables, ticking while an epoch runs.
    let bar = indicatif::ProgressBar::new(total as u64).with_style(
        indicatif::ProgressStyle::with_template("{spinner} epoch {pos}/{len} [{bar:30}] {elapsed} (eta {eta})")
            .map_err(|e| e.to_string())?
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    let run = runner(&config, &mut |r| {
        bar.suspend(|| println!("[{}/{}] {}", r.epoch, total, r.table()));
        bar.inc(1);
    });
    bar.finish_and_clear();
    let reports = run?;
    let elapsed = start.elapsed();
    if let Some(path) = &report {
        std::fs::write(path, html(&format!("{name}: end-to-end run"), &reports)).map_err(|e| format!("writing {path}: {e}"))?;
        println!("report: {path}");
    }
    let problems = check_invariants(&reports);
    if !problems.is_empty() {
        return Err(format!("the run broke invariants: {}", problems.join("; ")));
    }
    println!("ok: {} epochs in {:.2} s, invariants hold", reports.len(), elapsed.as_secs_f64());
    Ok(())
}
