//! The local chain's dTAO economy at scale: 32 dynamic subnets × 256 UIDs, every one
//! emitting every block (the coinbase shares the block emission by moving price and
//! injects into each pool), 64 validators per subnet setting weights once per tempo,
//! epochs staggered by netuid as on the chain.

use std::time::Instant;

use subnet_core::chain::{AccountId, Hyperparameter, LocalChain, LocalChainConfig};

use crate::Row;

use subnet_core::chain::RAO_PER_TAO as TAO;

const SUBNETS: u16 = 32;
const UIDS: u16 = 256;
const VALIDATORS: u16 = 64;
const TEMPO: u64 = 360;

fn acct(tag: u8, subnet: u16, i: u16) -> AccountId {
    let mut a = [0u8; 32];
    a[0] = tag;
    a[1..3].copy_from_slice(&subnet.to_le_bytes());
    a[3..5].copy_from_slice(&i.to_le_bytes());
    AccountId(a)
}

/// 32 started dynamic subnets, each with 256 neurons, the first 64 staked validators.
fn network() -> LocalChain {
    let owners: Vec<AccountId> = (0..SUBNETS).map(|s| acct(1, s, 0)).collect();
    // 32 × 200,000 TAO: issuance stays under the first halving (10.5M TAO).
    let mut config = LocalChainConfig::dev(owners[0], &owners, 200_000 * TAO);
    config.economy.dynamic_subnets = true;
    // The lock falls back to the minimum one block after each registration, so 32
    // subnets can register back to back (the chain's doubling would need 2^31 × 1000 TAO).
    config.economy.lock_reduction_interval = 1;
    let mut chain = LocalChain::new(config);
    for s in 0..SUBNETS {
        let owner = owners[s as usize];
        let netuid = chain.register_network(&owner, acct(2, s, 0)).expect("funded, below the limit");
        chain.start_call(&owner, netuid).expect("the owner starts it");
        for h in [Hyperparameter::MaxBurn(TAO), Hyperparameter::CommitRevealWeightsEnabled(false)] {
            chain.set_hyperparameter(&owner, netuid, h).expect("owner");
        }
        for i in 1..UIDS {
            chain.burned_register(&owner, netuid, acct(2, s, i)).expect("room and funds");
        }
        chain.produce_blocks(1);
    }
    for s in 0..SUBNETS {
        for i in 0..VALIDATORS {
            chain.add_stake(&acct(1, s, 0), acct(2, s, i), s + 1, (100 + i as u64) * TAO).expect("funded");
        }
    }
    chain.produce_blocks(TEMPO); // a first epoch per subnet hands out permits
    chain
}

pub(crate) fn run() -> Vec<Row> {
    let runs = 3;
    let blocks = 2 * TEMPO;
    let uids: Vec<u16> = (0..UIDS).collect();
    let mut elapsed = Vec::new();
    for _ in 0..runs {
        let mut chain = network();
        let minted = chain.tao_minted();
        let t = Instant::now();
        let start = chain.block();
        while chain.block() < start + blocks {
            chain.produce_blocks(1);
            // Validator v of every subnet sets weights at block offset 5·v in each tempo.
            let offset = chain.block() % TEMPO;
            if offset.is_multiple_of(5) && offset / 5 < VALIDATORS as u64 {
                let v = (offset / 5) as u16;
                for s in 0..SUBNETS {
                    let values: Vec<u16> = uids.iter().map(|u| u.wrapping_mul(97).wrapping_add(v + s) % 1000 + 1).collect();
                    // A validator that lost its permit is refused; the run goes on.
                    let _ = chain.set_weights(&acct(2, s, v), s + 1, &uids, &values, 0);
                }
            }
        }
        elapsed.push(t.elapsed().as_secs_f64());
        // Sanity: TAO was emitted into the pools and every subnet's miners were paid.
        assert!(chain.tao_minted() > minted);
        for s in 0..SUBNETS {
            let mg = chain.metagraph(s + 1).expect("subnet");
            assert!(mg.neurons.iter().skip(VALIDATORS as usize).any(|n| n.incentive > 0), "subnet {}", s + 1);
        }
    }
    elapsed.sort_by(f64::total_cmp);
    let median = elapsed[elapsed.len() / 2];
    let params = || {
        vec![("subnets", SUBNETS.into()), ("n", UIDS.into()), ("validators", VALIDATORS.into()), ("tempo", TEMPO.into()), ("blocks", blocks.into())]
    };
    vec![Row { name: "economy_blocks".into(), value: blocks as f64 / median, unit: "per_second", params: params() }]
}
