//! The gRPC transport over TLS changes nothing a subnet can see: the same run over
//! loopback sockets and in-process gives the same scores, weights and emissions.

use subnet_core::testing::{run_local_net, LocalNetConfig, Transport};

#[tokio::test]
async fn grpc_and_in_process_runs_agree_epoch_by_epoch() {
    let run = |transport| async move {
        let config = LocalNetConfig { epochs: 3, transport, ..LocalNetConfig::default() };
        run_local_net::<sum_subnet::sum::Subnet>(&config, |_| {}).await.unwrap()
    };
    let over_grpc = run(Transport::Grpc).await;
    let in_process = run(Transport::InProcess).await;
    assert_eq!(over_grpc.len(), 3);
    // The sum subnet scores correctness only (no latency term), so every figure must match.
    assert_eq!(over_grpc, in_process);
    assert!(over_grpc.last().unwrap().neurons.iter().any(|n| n.incentive > 0));
}

#[tokio::test]
async fn long_runs_over_grpc_keep_scoring_honest_miners_high() {
    // Rounds come much faster than real time here: no server limit may kick in.
    let config = LocalNetConfig { epochs: 40, ..LocalNetConfig::default() };
    let reports = run_local_net::<sum_subnet::sum::Subnet>(&config, |_| {}).await.unwrap();
    let honest = reports
        .last()
        .unwrap()
        .neurons
        .iter()
        .find(|n| n.role == subnet_core::testing::Role::Miner(subnet_core::testing::MinerBehaviour::Honest))
        .unwrap()
        .score;
    assert!(honest > 0.99, "honest miner's score {honest}");
}
