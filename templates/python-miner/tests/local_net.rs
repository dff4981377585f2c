//! {{subnet_name}} end to end on an in-process local chain, with the reference miner.
//! The Python miners run end to end with `cargo xtask test <this crate> --multi-process`.

use subnet_core::prelude::*;
use subnet_core::testing::{run_local_net, LocalNetConfig, MinerBehaviour, Role};
use {{crate_name}}::{{crate_name}}::{count, Count, Counts, Subnet};

#[tokio::test]
async fn better_miners_earn_more() {
    let config = LocalNetConfig { epochs: 4, ..LocalNetConfig::default() };
    let reports = run_local_net::<Subnet>(&config, |_| {}).await.unwrap();
    let last = reports.last().unwrap();
    let incentive = |kind| last.neurons.iter().find(|n| n.role == Role::Miner(kind)).unwrap().incentive;
    assert!(incentive(MinerBehaviour::Honest) > incentive(MinerBehaviour::Flaky(70)));
    assert_eq!(incentive(MinerBehaviour::Dead), 0);
}

#[test]
fn the_score_is_the_share_of_words_counted_right() {
    let mut judge = Subnet::judge();
    let task = Count { text: "tao stake tao".into() };
    let who = MinerContext::new(1, subnet_core::chain::AccountId([1; 32]), std::time::Duration::from_millis(5));
    let encode = |c: &Counts| subnet_core::spec::encode_answer(c).unwrap();
    let task_bytes = subnet_core::spec::Envelope::encode("Count", &task);
    assert_eq!(judge.score(&task_bytes, &encode(&count("tao stake tao")), &who), 1.0);
    assert_eq!(judge.score(&task_bytes, &encode(&count("tao stake")), &who), 0.5);
    assert_eq!(judge.score(&task_bytes, br#"{"counts":{"tao":2,"stake":1,"epoch":1}}"#, &who), 0.5);
    assert_eq!(judge.score(&task_bytes, b"garbage", &who), 0.0);
}
