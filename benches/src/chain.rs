//! The local chain running a full subnet: 256 UIDs, 64 validators setting full weight
//! rows once per tempo (360 blocks), for 100 epochs (36,000 blocks).

use std::time::Instant;

use subnet_core::chain::{AccountId, Hyperparameter, LocalChain, LocalChainConfig};

use crate::Row;

use subnet_core::chain::RAO_PER_TAO as TAO;

fn acct(tag: u8, i: u16) -> AccountId {
    let mut a = [0u8; 32];
    a[0] = tag;
    a[1..3].copy_from_slice(&i.to_le_bytes());
    AccountId(a)
}

/// A subnet with 256 neurons, the first 64 of them staked validators.
fn full_subnet() -> (LocalChain, u16) {
    full_subnet_with(|i| acct(2, i))
}

/// A subnet with 256 neurons whose hotkeys are `hotkey(uid)`, the first 64 of them
/// staked validators with permits.
pub(crate) fn full_subnet_with(hotkey: impl Fn(u16) -> AccountId) -> (LocalChain, u16) {
    let coldkeys: Vec<AccountId> = (0..256).map(|i| acct(1, i)).collect();
    let mut chain = LocalChain::new(LocalChainConfig::dev(coldkeys[0], &coldkeys, 1_000_000 * TAO));
    let netuid = chain.register_network(&coldkeys[0], hotkey(0)).expect("funded");
    chain.start_call(&coldkeys[0], netuid).expect("the owner starts it");
    chain.set_hyperparameter(&coldkeys[0], netuid, Hyperparameter::MaxBurn(TAO)).expect("owner");
    chain.set_hyperparameter(&coldkeys[0], netuid, Hyperparameter::CommitRevealWeightsEnabled(false)).expect("owner");
    for i in 1..256u16 {
        chain.burned_register(&coldkeys[i as usize], netuid, hotkey(i)).expect("room and funds");
    }
    for i in 0..64u16 {
        chain.add_stake(&coldkeys[i as usize], hotkey(i), netuid, (1_000 + i as u64 * 10) * TAO).expect("funded");
    }
    chain.produce_blocks(360); // a first epoch hands out the validator permits
    (chain, netuid)
}

pub(crate) fn run() -> Vec<Row> {
    let runs = 3;
    let blocks = 36_000u64;
    let mut elapsed = Vec::new();
    for _ in 0..runs {
        let (mut chain, netuid) = full_subnet();
        let uids: Vec<u16> = (0..256).collect();
        let t = Instant::now();
        let start = chain.block();
        while chain.block() < start + blocks {
            chain.produce_blocks(1);
            // Validator v sets weights at block offset 5·v within each tempo.
            let offset = chain.block() % 360;
            if offset % 5 == 0 && offset / 5 < 64 {
                let v = (offset / 5) as u16;
                let values: Vec<u16> = uids.iter().map(|u| u.wrapping_mul(97).wrapping_add(v) % 1000 + 1).collect();
                chain.set_weights(&acct(2, v), netuid, &uids, &values, 0).expect("valid weights");
            }
        }
        elapsed.push(t.elapsed().as_secs_f64());
        // Sanity: the epochs ran and paid the miners.
        let mg = chain.metagraph(netuid).expect("subnet");
        assert!(mg.neurons.iter().skip(64).any(|n| n.incentive > 0));
    }
    elapsed.sort_by(f64::total_cmp);
    let median = elapsed[elapsed.len() / 2];
    let params = || vec![("n", 256.into()), ("validators", 64.into()), ("tempo", 360.into()), ("blocks", blocks.into())];
    vec![
        Row { name: "chain_100_epochs".into(), value: median, unit: "s", params: params() },
        Row { name: "chain_blocks".into(), value: blocks as f64 / median, unit: "per_second", params: params() },
    ]
}
