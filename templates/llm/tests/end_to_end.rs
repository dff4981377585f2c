//! {{subnet_name}} end to end on an in-process local chain, tokens streamed over gRPC.

use subnet_core::testing::{check_invariants, run_local_net, LocalNetConfig, MinerBehaviour, Role};

#[tokio::test]
async fn streaming_the_reference_text_earns_the_most() {
    let config = LocalNetConfig { epochs: 4, ..LocalNetConfig::default() };
    let reports = run_local_net::<{{crate_name}}::{{crate_name}}::Subnet>(&config, |_| {}).await.unwrap();
    assert!(check_invariants(&reports).is_empty(), "{:?}", check_invariants(&reports));
    let last = reports.last().unwrap();
    let miner = |kind| last.neurons.iter().find(|n| n.role == Role::Miner(kind)).unwrap().clone();
    assert!(miner(MinerBehaviour::Honest).score > 0.8, "the honest miner streams the reference text quickly");
    assert!(miner(MinerBehaviour::Honest).incentive > miner(MinerBehaviour::Flaky(70)).incentive);
    assert_eq!(miner(MinerBehaviour::Dead).incentive, 0);
}

#[test]
fn the_model_continues_greedily_and_deterministically() {
    let model = {{crate_name}}::reference();
    let text = model.continue_text("the", 3);
    assert_eq!(text.len(), 3);
    assert_eq!(text, model.continue_text("the", 3));
    assert!(model.continue_text("unknown-word", 3).is_empty());
}
