//! The sum subnet on the local chain, in-process: one validator, an honest miner, a
//! flaky one (half its answers wrong) and a dead one, over several epochs.

use std::sync::Arc;

use subnet_core::chain::RAO_PER_TAO as TAO;
use subnet_core::chain::{AccountId, AxonInfo, BlockMode, Chain, Hyperparameter, LocalChain, LocalChainConfig, LocalChainHandle};
use subnet_core::spec::{MinerSpec, SubnetSpec};
use subnet_core::testing::{InProcessMiners, MinerBehaviour};
use subnet_core::validator::{CommitScheme, Validator, ValidatorConfig};
use sum_subnet::sum::Subnet;

fn acct(i: u8) -> AccountId {
    AccountId([i; 32])
}

#[tokio::test]
async fn honest_miner_earns_most_and_the_dead_one_nothing() {
    let accounts: Vec<AccountId> = (1..=20).map(acct).collect();
    let chain = LocalChainHandle::new(LocalChain::new(LocalChainConfig::dev(acct(1), &accounts, 1_000_000 * TAO)), BlockMode::Manual);
    let netuid = chain.register_network(&acct(1), acct(2)).await.unwrap();
    chain.start_call(&acct(1), netuid).await.unwrap();
    for p in [Hyperparameter::Tempo(20), Hyperparameter::WeightsSetRateLimit(0), Hyperparameter::CommitRevealWeightsEnabled(false)] {
        chain.set_hyperparameter(&acct(1), netuid, p).await.unwrap();
    }
    chain.burned_register(&acct(10), netuid, acct(10)).await.unwrap();
    chain.add_stake(&acct(10), acct(10), netuid, 1_000 * TAO).await.unwrap();
    for m in [11, 12, 13] {
        chain.burned_register(&acct(m), netuid, acct(m)).await.unwrap();
        let axon = AxonInfo { ip: 0, port: 9000 + m as u16, ip_type: 4, ..Default::default() };
        chain.serve_axon(&acct(m), netuid, axon).await.unwrap();
    }
    chain.produce_blocks(20);

    let miner: Arc<dyn MinerSpec> = Arc::new(Subnet::miner());
    let miners = InProcessMiners::new(miner)
        .with(acct(11), MinerBehaviour::Honest)
        .with(acct(12), MinerBehaviour::Flaky(50))
        .with(acct(13), MinerBehaviour::Dead);
    let config = ValidatorConfig {
        netuid,
        mechanism: Subnet::mechanism(),
        version_key: Subnet::VERSION,
        state_path: None,
        seed: 7,
        commit_scheme: CommitScheme::Auto,
    };
    let mut validator = Validator::new(Arc::new(chain.clone()), Arc::new(miners), Box::new(acct(10)), Subnet::judge(), config).unwrap();

    for _ in 0..40 {
        validator.round().await.unwrap();
        validator.maybe_set_weights().await.unwrap();
        chain.produce_blocks(5);
    }
    let mg = chain.metagraph(netuid).await.unwrap();
    let incentive: Vec<u16> = mg.neurons.iter().map(|n| n.incentive).collect();
    // UIDs: 0 owner, 1 validator, 2 honest, 3 flaky, 4 dead.
    assert!(incentive[2] > incentive[3] && incentive[3] > 0, "{incentive:?}");
    assert_eq!(incentive[4], 0, "{incentive:?}");
    assert!(mg.neurons[2].stake > mg.neurons[3].stake, "the honest miner earned more stake");
}

#[test]
fn protocol_description_lists_the_tasks() {
    let p = Subnet::protocol();
    assert_eq!((p.name.as_str(), p.version), ("sum", 1));
    // The fields and their Rust types, for other languages' generated types; the
    // fingerprint moves with any change of the protocol.
    let json = serde_json_string(&p);
    let fields = r#""types":[{"name":"Add","fields":[{"name":"a","type":"i64"},{"name":"b","type":"i64"}]},{"name":"Total","fields":[{"name":"value","type":"i64"}]}]"#;
    // The subnet's access rules (the default here), for miners in other languages.
    let access = r#""access":{"require_registered":true,"require_validator_permit":true,"min_stake":0,"rate_limit":[50.0,100],"max_concurrent":64}"#;
    assert_eq!(
        json,
        format!(
            r#"{{"name":"sum","version":1,"encoding":"json","tasks":[{{"task":"Add","answer":"Total","streamed":false}}],{fields},{access},"fingerprint":"{}"}}"#,
            p.fingerprint()
        )
    );
}

fn serde_json_string(p: &subnet_core::spec::Protocol) -> String {
    subnet_core::spec::protocol_json(p)
}

#[tokio::test]
async fn bad_requests_get_errors_not_panics() {
    use subnet_core::spec::{HandleError, RequestContext};
    let m = Subnet::miner();
    let ctx = RequestContext { caller: acct(10), stake: 0, deadline: None };
    assert!(matches!(m.handle(&ctx, b"not json").await, Err(HandleError::BadRequest(_))));
    assert!(matches!(m.handle(&ctx, br#"{"task":"Mul","body":{}}"#).await, Err(HandleError::UnknownTask(_))));
    assert!(matches!(m.handle(&ctx, br#"{"task":"Add","body":{"a":"x"}}"#).await, Err(HandleError::BadRequest(_))));
    assert_eq!(m.handle(&ctx, br#"{"task":"Add","body":{"a":2,"b":3}}"#).await.unwrap(), br#"{"value":5}"#);
}

#[tokio::test]
async fn a_slow_or_dead_miner_does_not_stall_the_round() {
    use std::time::{Duration, Instant};
    use subnet_core::spec::Envelope;
    use subnet_core::spec::{Querier, QueryError, Target};
    let miner: Arc<dyn MinerSpec> = Arc::new(Subnet::miner());
    let miners = InProcessMiners::new(miner)
        .with(acct(1), MinerBehaviour::Honest)
        .with(acct(2), MinerBehaviour::Slow(Duration::from_secs(5)))
        .with(acct(3), MinerBehaviour::Dead)
        .with(acct(4), MinerBehaviour::Honest);
    let targets: Vec<Target> = (1..=5).map(|i| Target { uid: i as u16, hotkey: acct(i), axon: AxonInfo::default(), tls_key: None }).collect();
    let task = Envelope::encode("Add", &sum_subnet::sum::Add { a: 2, b: 2 });
    let start = Instant::now();
    let answers = miners.query(&targets, &task, Duration::from_millis(200)).await;
    assert!(start.elapsed() < Duration::from_secs(2), "the round waited for the slow miner");
    assert_eq!(answers[0].result.as_deref().unwrap(), br#"{"value":4}"#);
    assert_eq!(answers[1].result, Err(QueryError::Timeout));
    assert_eq!(answers[2].result, Err(QueryError::Timeout));
    assert!(answers[3].result.is_ok());
    assert!(matches!(answers[4].result, Err(QueryError::Unreachable(_))));
}
