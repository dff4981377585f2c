//! The sort subnet end to end on an in-process local chain.

use subnet_core::testing::{check_invariants, run_local_net, LocalNetConfig, MinerBehaviour, Role};

#[tokio::test]
async fn better_sorters_earn_more() {
    let config = LocalNetConfig { epochs: 4, ..LocalNetConfig::default() };
    let reports = run_local_net::<sort_subnet::sort::Subnet>(&config, |_| {}).await.unwrap();
    assert!(check_invariants(&reports).is_empty(), "{:?}", check_invariants(&reports));
    let last = reports.last().unwrap();
    let incentive = |kind| last.neurons.iter().find(|n| n.role == Role::Miner(kind)).unwrap().incentive;
    assert!(incentive(MinerBehaviour::Honest) >= incentive(MinerBehaviour::Flaky(70)));
    assert_eq!(incentive(MinerBehaviour::Dead), 0);
}

#[test]
fn sortedness_gives_partial_credit() {
    use sort_subnet::sortedness;
    assert_eq!(sortedness(&[3, 1, 2], &[1, 2, 3]), 1.0);
    assert_eq!(sortedness(&[3, 1, 2], &[1, 3, 2]), 0.5);
    assert_eq!(sortedness(&[3, 1, 2], &[1, 2, 4]), 0.0, "not a permutation");
    assert_eq!(sortedness(&[], &[]), 1.0);
}
