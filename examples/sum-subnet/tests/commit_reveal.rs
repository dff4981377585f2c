//! The sum subnet with a new finney subnet's default: commit-reveal on, version 4.
//! Validators commit weights encrypted to the local chain's drand beacon, the chain
//! decrypts and sets them a tempo later; incentive still follows miner quality.

use subnet_core::testing::{check_invariants, run_local_net, LocalNetConfig, MinerBehaviour, Role, Transport};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_validators_with_timelocked_commit_reveal_reward_miners_by_quality() {
    let base = LocalNetConfig { validators: 4, epochs: 10, transport: Transport::InProcess, ..LocalNetConfig::default() };
    let open = run_local_net::<sum_subnet::sum::Subnet>(&base, |_| {}).await.unwrap();
    let sealed = run_local_net::<sum_subnet::sum::Subnet>(&LocalNetConfig { commit_reveal: true, ..base.clone() }, |_| {}).await.unwrap();
    assert_eq!(sealed.len(), 10);
    assert!(check_invariants(&sealed).is_empty(), "{:?}", check_invariants(&sealed));

    // Without commit-reveal the first epoch already pays miners; with it, the first
    // weights are still ciphertext when that epoch runs.
    let paid = |r: &subnet_core::testing::EpochReport| {
        r.neurons.iter().filter(|n| matches!(n.role, Role::Miner(_))).map(|n| n.incentive as u64).sum::<u64>()
    };
    assert!(paid(&open[0]) > 0);
    assert_eq!(paid(&sealed[0]), 0, "weights are invisible until their reveal epoch");
    assert!(paid(&sealed[1]) > 0, "then the chain reveals and applies them");

    // In the end incentive ranks the miners as without commit-reveal.
    let ranking = |reports: &[subnet_core::testing::EpochReport]| {
        let mut miners: Vec<_> =
            reports.last().unwrap().neurons.iter().filter(|n| matches!(n.role, Role::Miner(_))).map(|n| (n.incentive, n.uid)).collect();
        miners.sort_by(|a, b| b.cmp(a));
        miners.into_iter().map(|(_, uid)| uid).collect::<Vec<_>>()
    };
    assert_eq!(ranking(&sealed), ranking(&open));
    let last = sealed.last().unwrap();
    let incentive = |b: MinerBehaviour| last.neurons.iter().find(|n| n.role == Role::Miner(b)).map(|n| n.incentive);
    assert!(incentive(MinerBehaviour::Honest) > incentive(MinerBehaviour::Dead));
    assert_eq!(incentive(MinerBehaviour::Dead), Some(0));
}
