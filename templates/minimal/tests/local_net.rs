//! {{subnet_name}} end to end on an in-process local chain.

use subnet_core::testing::{run_local_net, LocalNetConfig, MinerBehaviour, Role};

#[tokio::test]
async fn better_miners_earn_more() {
    let config = LocalNetConfig { epochs: 4, ..LocalNetConfig::default() };
    let reports = run_local_net::<{{crate_name}}::{{crate_name}}::Subnet>(&config, |_| {}).await.unwrap();
    let last = reports.last().unwrap();
    let incentive = |kind| last.neurons.iter().find(|n| n.role == Role::Miner(kind)).unwrap().incentive;
    assert!(incentive(MinerBehaviour::Honest) > incentive(MinerBehaviour::Flaky(70)));
    assert_eq!(incentive(MinerBehaviour::Dead), 0);
}
