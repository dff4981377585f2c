//! The sum subnet's own binary, one OS process per neuron, against the local chain
//! served as a Substrate node: the miners and the validator reach it through the subxt
//! client exactly as they would reach Subtensor.

use std::ffi::OsString;
use std::time::Duration;

use subnet_core::testing::{run_multi_process, ChainTarget, MinerBehaviour, MultiProcessConfig, MultiProcessError, Progress, Role};

fn config(command: Vec<OsString>, dir: &tempfile::TempDir) -> MultiProcessConfig {
    let mut config = MultiProcessConfig::new(command, dir.path().to_path_buf());
    config.chain = ChainTarget::Served { block_time: Duration::from_millis(50) };
    config.miners = vec![MinerBehaviour::Honest, MinerBehaviour::Flaky(70), MinerBehaviour::Dead];
    config.epochs = 3;
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn miner_and_validator_binaries_earn_by_quality_on_the_served_localnet() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(vec![env!("CARGO_BIN_EXE_sum-subnet").into()], &dir);
    let mut notes = Vec::new();
    let reports = run_multi_process::<sum_subnet::sum::Subnet>(&config, |p| {
        if let Progress::Note(n) = p {
            notes.push(n.to_string());
        }
    })
    .await
    .unwrap_or_else(|e| panic!("the run failed: {e}"));

    assert_eq!(reports.len(), 3);
    let last = reports.last().unwrap();
    let row = |role: Role| last.neurons.iter().find(|n| n.role == role).unwrap_or_else(|| panic!("no {role:?} in {last:?}"));
    let (honest, flaky, dead) =
        (row(Role::Miner(MinerBehaviour::Honest)), row(Role::Miner(MinerBehaviour::Flaky(70))), row(Role::Miner(MinerBehaviour::Dead)));
    let validator = row(Role::Validator);
    // The validator process set weights on chain, read back through the metagraph.
    assert!(honest.weight > 0, "no weights from the validator process: {}", last.table());
    // Its saved scores (the state file) and Yuma's incentive both follow quality.
    assert!(honest.score > flaky.score && flaky.score > dead.score, "{}", last.table());
    assert!(honest.incentive > flaky.incentive, "{}", last.table());
    assert_eq!(dead.incentive, 0, "{}", last.table());
    assert!(validator.dividends > 0, "{}", last.table());
    // Each live miner process wrote a log; the dead one has none.
    let logs = dir.path().join("logs");
    assert!(logs.join("miner-0.log").exists() && logs.join("miner-1.log").exists() && logs.join("validator-0.log").exists());
    assert!(!logs.join("miner-2.log").exists());
    let miner_log = std::fs::read_to_string(logs.join("miner-0.log")).unwrap();
    assert!(miner_log.contains("miner uid") && miner_log.contains("stopped:"), "the miner did not stop cleanly on SIGTERM:\n{miner_log}");
    assert!(notes.iter().any(|n| n.contains("subnet") && n.contains("created")), "{notes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_neuron_that_cannot_start_fails_the_run_with_its_log() {
    let dir = tempfile::tempdir().unwrap();
    // Every neuron gets an argument the command line refuses: the first miner exits at once.
    let command = vec![env!("CARGO_BIN_EXE_sum-subnet").into(), "--no-such-flag".into()];
    let error = run_multi_process::<sum_subnet::sum::Subnet>(&config(command, &dir), |_| {}).await.unwrap_err();
    match &error {
        MultiProcessError::Crashed { name, tail, .. } => {
            assert_eq!(name, "miner-0");
            assert!(tail.contains("--no-such-flag"), "the log tail should say why: {tail}");
        }
        other => panic!("expected a crash report, got {other}"),
    }
}
