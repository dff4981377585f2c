//! Random sequences of extrinsics, most of them invalid, never panic the local chain,
//! never create or lose TAO, and keep every subnet's per-UID state consistent.

use subnet_core::chain::local::commit_hash;
use subnet_core::chain::{AccountId, AxonInfo, Hyperparameter, LocalChain, LocalChainConfig};
use subnet_core::testing::XorShift as Rng;

fn acct(i: u64) -> AccountId {
    AccountId([i as u8; 32])
}

fn random_hyperparameter(r: &mut Rng) -> Hyperparameter {
    match r.below(12) {
        0 => Hyperparameter::Tempo(r.below(30) as u16),
        1 => Hyperparameter::MaxAllowedUids(r.below(20) as u16),
        2 => Hyperparameter::ImmunityPeriod(r.below(50) as u16),
        3 => Hyperparameter::WeightsSetRateLimit(r.below(5)),
        4 => Hyperparameter::CommitRevealWeightsEnabled(r.below(2) == 0),
        5 => Hyperparameter::MaxWeightLimit(r.below(65_536) as u16),
        6 => Hyperparameter::MinAllowedWeights(r.below(6) as u16),
        7 => Hyperparameter::MaxAllowedValidators(r.below(8) as u16),
        8 => Hyperparameter::Yuma3Enabled(r.below(2) == 0),
        9 => Hyperparameter::LiquidAlphaEnabled(r.below(2) == 0),
        10 => Hyperparameter::WeightsVersionKey(r.below(3)),
        _ => Hyperparameter::MinNonImmuneUids(r.below(4) as u16),
    }
}

fn check_invariants(chain: &LocalChain) {
    let s = chain.supply();
    assert_eq!(chain.circulating(), s.endowed - s.burned + s.paid_out, "TAO created or lost: {s:?}");
    // Every emitted rao is paid, withheld, unallocated (and said so) or still pending.
    assert_eq!(s.emitted, s.paid_out + s.withheld + s.unallocated + chain.pending_emission(), "emission lost: {s:?}");
    for netuid in chain.netuids() {
        let mg = chain.metagraph(netuid).unwrap();
        let h = chain.hyperparameters(netuid).unwrap();
        assert!(mg.neurons.len() <= h.max_allowed_uids.max(1) as usize);
        let mut hotkeys: Vec<_> = mg.neurons.iter().map(|n| n.hotkey).collect();
        hotkeys.sort();
        hotkeys.dedup();
        assert_eq!(hotkeys.len(), mg.neurons.len(), "a hotkey holds two UIDs");
        for n in &mg.neurons {
            assert!(n.weights.iter().all(|(j, _)| (*j as usize) < mg.neurons.len()));
        }
    }
}

#[test]
fn random_extrinsics_keep_the_chain_consistent() {
    for seed in 1..=4u64 {
        let mut r = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let accounts: Vec<AccountId> = (1..=30).map(acct).collect();
        let mut chain = LocalChain::new(LocalChainConfig::dev(acct(1), &accounts, 10_000_000_000_000));
        let mut succeeded = [0usize; 11];
        let mut owners = std::collections::BTreeMap::new();
        for _ in 0..1_500 {
            let who = acct(1 + r.below(40)); // some unfunded, unknown accounts too
            let hotkey = acct(1 + r.below(40));
            let netuid = r.below(4) as u16;
            let op = r.below(11) as usize;
            let result = match op {
                0 => chain.register_network(&who, hotkey).map(|n| {
                    owners.insert(n, (who, hotkey));
                    // Most subnets get started (stake, emission); some stay unstarted.
                    if r.below(4) != 0 {
                        chain.start_call(&who, n).expect("the owner starts a new subnet");
                    }
                    if r.below(2) == 0 {
                        let _ = chain.set_hyperparameter(&who, n, Hyperparameter::CommitRevealWeightsEnabled(false));
                    }
                }),
                1 => chain.set_hyperparameter(&who, netuid, random_hyperparameter(&mut r)),
                2 | 3 => chain.burned_register(&who, netuid, hotkey).map(|_| ()),
                4 => chain.serve_axon(
                    &who,
                    netuid,
                    AxonInfo {
                        ip: r.below(1 << 33) as u128,
                        port: r.below(3) as u16 * 8091,
                        ip_type: [4, 6, 0][r.below(3) as usize],
                        ..Default::default()
                    },
                ),
                5 => chain.add_stake(&who, hotkey, netuid, r.below(3_000_000_000_000)),
                6 => chain.remove_stake(&who, hotkey, netuid, r.below(3_000_000_000_000)),
                7 | 8 => {
                    // Half the time from the owner's hotkey, which may always weight.
                    let who = match owners.get(&netuid) {
                        Some((_, hot)) if r.below(2) == 0 => *hot,
                        _ => who,
                    };
                    let len = r.below(6) as usize;
                    let uids: Vec<u16> = (0..len).map(|_| r.below(12) as u16).collect();
                    let values: Vec<u16> = (0..len + r.below(2) as usize).map(|_| r.below(65_536) as u16).collect();
                    chain.set_weights(&who, netuid, &uids, &values, r.below(3))
                }
                9 => {
                    let (uids, values, salt) = ([r.below(8) as u16], [r.below(100) as u16], [r.below(3) as u16]);
                    if r.below(2) == 0 {
                        chain.commit_weights(&who, netuid, commit_hash(&who, netuid, &uids, &values, &salt, 0))
                    } else {
                        chain.reveal_weights(&who, netuid, &uids, &values, &salt, 0)
                    }
                }
                _ => {
                    chain.produce_blocks(1 + r.below(40));
                    Ok(())
                }
            };
            succeeded[op] += result.is_ok() as usize;
            check_invariants(&chain);
        }
        // The run exercised the chain: registrations, stake, weights and epochs happened.
        assert!(succeeded[2] + succeeded[3] > 5 && succeeded[5] > 5 && succeeded[7] + succeeded[8] > 0, "seed {seed}: {succeeded:?}");
        assert!(!chain.netuids().is_empty(), "seed {seed}: no subnet was created");
        assert!(chain.supply().paid_out > 0, "seed {seed}: no epoch paid anything");
    }
}
