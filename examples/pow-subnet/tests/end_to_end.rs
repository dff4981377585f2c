//! The pow subnet end to end on an in-process local chain.

use subnet_core::testing::{check_invariants, run_local_net, LocalNetConfig, MinerBehaviour, Role};

#[tokio::test]
async fn solvers_earn_and_the_dead_do_not() {
    let config = LocalNetConfig { epochs: 4, ..LocalNetConfig::default() };
    let reports = run_local_net::<pow_subnet::pow_subnet::Subnet>(&config, |_| {}).await.unwrap();
    assert!(check_invariants(&reports).is_empty(), "{:?}", check_invariants(&reports));
    let last = reports.last().unwrap();
    let incentive = |kind| last.neurons.iter().find(|n| n.role == Role::Miner(kind)).unwrap().incentive;
    assert!(incentive(MinerBehaviour::Honest) > incentive(MinerBehaviour::Flaky(70)));
    assert_eq!(incentive(MinerBehaviour::Dead), 0);
}

#[test]
fn work_counts_leading_zero_bits() {
    let challenge = [7u8; 32];
    let nonce = (0..).find(|n| pow_subnet::work(&challenge, *n) >= 8).unwrap();
    assert!(pow_subnet::work(&challenge, nonce) >= 8);
}
