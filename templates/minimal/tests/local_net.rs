//! {{subnet_name}} end to end on an in-process local chain.

use subnet_core::testing::{run_local_net, LocalNetConfig, MinerKind, Role};

#[tokio::test]
async fn better_miners_earn_more() {
    let config = LocalNetConfig { epochs: 4, ..LocalNetConfig::default() };
    let reports = run_local_net::<{{crate_name}}::{{crate_name}}::Subnet>(&config, |_| {}).await.unwrap();
    let last = reports.last().unwrap();
    let incentive = |kind| last.neurons.iter().find(|n| n.role == Role::Miner(kind)).unwrap().incentive;
    assert!(incentive(MinerKind::Honest) > incentive(MinerKind::Flaky(70)));
    assert_eq!(incentive(MinerKind::Dead), 0);
}
