//! The example scenarios shipped in `examples/scenarios/` show what they claim.

use std::path::Path;

use subnet_core::yuma::{scenario::Scenario, EpochOutput};

fn run(name: &str) -> Vec<EpochOutput> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/scenarios").join(name);
    Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap().run()
}

#[test]
fn honest_majority_outlier_loses_trust_and_dividends() {
    let out = run("honest_majority.json");
    let last = out.last().unwrap();
    // The outlier (uid 3) agrees least with consensus.
    assert!(last.validator_trust[3] < last.validator_trust[0] / 2);
    // The best miner earns the most.
    assert!(last.incentive[4] > last.incentive[5] && last.incentive[5] > last.incentive[6]);
    // Dividends per unit of stake: the outlier earns less than its peers.
    let per_stake = |uid: usize, stake: f64| last.dividends[uid] as f64 / stake;
    assert!(per_stake(3, 1.0) < per_stake(2, 2.0));
    // Emission adds up to the epoch's emission (rounding down per UID).
    let total: u64 = last.emission.iter().sum();
    assert!((1_000_000_000 - total) < 10, "total emission {total}");
}

#[test]
fn colluding_minority_is_clipped() {
    let out = run("colluding_minority.json");
    let first = &out[0];
    // 30% of stake wants uid 5 at full weight; consensus keeps it near the majority's view.
    assert!(first.incentive[4] > 10 * first.incentive[5]);
    // The colluders' validator trust is the share of their weight that survived clipping.
    assert!(first.validator_trust[2] < 65535 / 10);
}

#[test]
fn new_miner_registration_drops_stale_weights() {
    let out = run("new_miner_registers.json");
    assert_eq!(out[0].incentive[3], out[0].incentive[2]);
    // Epoch 2: UID 3 re-registered at block 500; weights set at 359 no longer count.
    assert_eq!(out[1].incentive[3], 0);
    assert_eq!(out[1].incentive[2], 65535);
    // Epoch 3: validators weight it again after its registration.
    assert_eq!(out[2].incentive[3], out[2].incentive[2]);
}

#[test]
fn inactive_validator_stops_counting() {
    let out = run("validator_stops_updating.json");
    // Last update at 359 with a cutoff of 500: active at 720, inactive at 1080.
    assert!(out[1].active[1]);
    assert!(!out[2].active[1]);
    // Its share of dividends falls epoch after epoch as its bonds decay.
    assert!(out[2].dividends[1] < out[1].dividends[1]);
    assert!(out[2].dividends[0] > out[0].dividends[0]);
}
