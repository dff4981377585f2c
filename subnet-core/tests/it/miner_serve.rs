//! A networked miner on the local chain: it refuses to serve unregistered, announces
//! its axon with `serve_axon`, and follows the metagraph, so a validator is admitted
//! once the chain gives it a permit.

use crate::support::seeded_key;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use subnet_core::chain::{BlockMode, Chain, Hyperparameter, LocalChain, LocalChainConfig, LocalChainHandle, Signer};
use subnet_core::keys::Keypair;
use subnet_core::miner::{ensure_registered, serve, MinerError, ServeOptions};
use subnet_core::net::{axon_address, CallError, Client};
use subnet_core::spec::{Envelope, HandleError, MinerSpec, RequestContext};

use subnet_core::chain::RAO_PER_TAO as TAO;

struct Echo;

#[async_trait::async_trait]
impl MinerSpec for Echo {
    async fn handle(&self, _ctx: &RequestContext, payload: &[u8]) -> Result<Vec<u8>, HandleError> {
        Ok(payload.to_vec())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_miner_is_announced_and_admits_validators_as_the_chain_permits() {
    let (owner, validator, miner, stranger) = (seeded_key(1), seeded_key(2), seeded_key(3), seeded_key(4));
    let funded: Vec<_> = [&owner, &validator, &miner, &stranger].iter().map(|k| k.account_id()).collect();
    let chain = LocalChainHandle::new(LocalChain::new(LocalChainConfig::dev(owner.account_id(), &funded, 1_000 * TAO)), BlockMode::Manual);
    let netuid = chain.register_network(&owner, seeded_key(9).account_id()).await.unwrap();
    chain.start_call(&owner, netuid).await.unwrap();
    chain.set_hyperparameter(&owner, netuid, Hyperparameter::Tempo(10)).await.unwrap();
    let chain_dyn: Arc<dyn Chain> = Arc::new(chain.clone());
    let mut options = ServeOptions::local(netuid, 1);
    options.metagraph_refresh = Duration::from_millis(50);

    // Unregistered: refused, with the reason.
    let unregistered = serve(chain_dyn.clone(), &miner, Arc::new(Echo), options.clone()).await;
    assert!(matches!(unregistered, Err(MinerError::NotRegistered(_, n)) if n == netuid));

    let uid = ensure_registered(&chain, &miner, miner.account_id(), netuid).await.unwrap();
    assert_eq!(ensure_registered(&chain, &miner, miner.account_id(), netuid).await.unwrap(), uid, "registering twice is a no-op");
    ensure_registered(&chain, &validator, validator.account_id(), netuid).await.unwrap();
    chain.add_stake(&validator, validator.account_id(), netuid, 100 * TAO).await.unwrap();
    let served = serve(chain_dyn.clone(), &miner, Arc::new(Echo), options).await.unwrap();
    assert_eq!(served.uid, uid);

    // The axon on chain points at the listening port (IP 0: this machine).
    let mg = chain.metagraph(netuid).await.unwrap();
    let axon = mg.neurons.iter().find(|n| n.uid == uid).and_then(|n| n.axon).expect("announced");
    assert_eq!((axon.ip, axon.port), (0, served.addr.port()));
    let addr = axon_address(&axon).unwrap();

    let ask = |k: &Keypair| {
        let client = Client::new(k.clone(), netuid, 1);
        let body = Bytes::from(Envelope::encode("echo", &1));
        let target = miner.public_key().0;
        async move { client.call(target, addr, "echo", body, Duration::from_secs(2)).await }
    };
    let reason = |r: Result<Bytes, CallError>| match r {
        Err(CallError::Refused { reason, .. }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(reason(ask(&stranger).await), "not_registered");
    // Registered, staked, but no epoch yet: no validator permit.
    assert_eq!(reason(ask(&validator).await), "no_validator_permit");
    chain.produce_blocks(12); // an epoch hands out permits
    tokio::time::sleep(Duration::from_millis(200)).await; // the miner re-reads the metagraph
    ask(&validator).await.expect("admitted once permitted");
    assert_eq!(served.stats.served.load(std::sync::atomic::Ordering::SeqCst), 1);
    served.shutdown().await;
    assert!(matches!(ask(&validator).await, Err(CallError::Unreachable(_))), "a stopped miner is unreachable");
}
