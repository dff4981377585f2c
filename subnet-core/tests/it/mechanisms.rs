//! Subnet mechanisms on the embedded local chain (`pallets/subtensor/src/subnets/mechanism.rs`):
//! the owner's count and emission split with Subtensor's bounds, weights, commits and
//! bonds kept per mechanism, one epoch per mechanism with the emission split between
//! them, and the neuron bookkeeping across mechanisms.

use codec::Encode;
use rand::rngs::OsRng;

use crate::support::acct;
use subnet_core::chain::local::{commit_hash, mechanism_storage_index};
use subnet_core::chain::{AccountId, ChainError, Hyperparameter, LocalChain, LocalChainConfig, RAO_PER_TAO};
use subnet_core::drand::{self, WeightsTlockPayload};

const SUDO: u8 = 1;
const OWNER: u8 = 2;
const VALIDATOR: u8 = 10;
const MINER_A: u8 = 11;
const MINER_B: u8 = 12;

/// Subnet 1 (tempo 10, no rate limit, commit-reveal off, 128 UIDs at most so two
/// mechanisms fit), a staked validator (UID 1) with a permit and two miners (UIDs 2, 3).
fn chain() -> (LocalChain, u16) {
    let accounts: Vec<AccountId> = (1..100).map(acct).collect();
    let mut chain = LocalChain::new(LocalChainConfig::dev(acct(SUDO), &accounts, 1_000_000 * RAO_PER_TAO));
    let netuid = chain.register_network(&acct(OWNER), acct(3)).unwrap();
    chain.start_call(&acct(OWNER), netuid).unwrap();
    for h in [
        Hyperparameter::Tempo(10),
        Hyperparameter::WeightsSetRateLimit(0),
        Hyperparameter::ImmunityPeriod(0),
        Hyperparameter::CommitRevealWeightsEnabled(false),
        Hyperparameter::MaxAllowedUids(128),
    ] {
        chain.set_hyperparameter(&acct(SUDO), netuid, h).unwrap();
    }
    chain.burned_register(&acct(50), netuid, acct(VALIDATOR)).unwrap();
    chain.burned_register(&acct(51), netuid, acct(MINER_A)).unwrap();
    chain.burned_register(&acct(52), netuid, acct(MINER_B)).unwrap();
    chain.add_stake(&acct(50), acct(VALIDATOR), netuid, 1_000 * RAO_PER_TAO).unwrap();
    chain.produce_blocks(11); // an epoch: permits
    (chain, netuid)
}

fn set(chain: &mut LocalChain, netuid: u16, h: Hyperparameter) -> Result<(), ChainError> {
    chain.set_hyperparameter(&acct(OWNER), netuid, h)
}

#[test]
fn the_owner_sets_the_count_and_split_within_subtensors_bounds() {
    let (mut chain, netuid) = chain();
    assert_eq!(chain.mechanism_count(netuid), Ok(1), "one mechanism by default (DefaultMechanismCount)");
    // A subnet before its first epoch still has an incentive entry per UID (btcli's
    // `subnets show` indexes the mechagraph's incentives by UID).
    let mut fresh = LocalChain::new(LocalChainConfig::dev(acct(SUDO), &[acct(OWNER)], 1_000_000 * RAO_PER_TAO));
    let n = fresh.register_network(&acct(OWNER), acct(3)).unwrap();
    assert_eq!(fresh.subnet(n).unwrap().mechanism_incentive(0), Some(vec![0; fresh.subnet(n).unwrap().n()]));
    // Anyone but the owner (or root) is refused.
    assert_eq!(chain.set_hyperparameter(&acct(50), netuid, Hyperparameter::MechanismCount(2)), Err(ChainError::BadOrigin));
    // 0 and more than MaxMechanismCount (2) are invalid.
    assert_eq!(set(&mut chain, netuid, Hyperparameter::MechanismCount(0)), Err(ChainError::InvalidValue));
    assert_eq!(set(&mut chain, netuid, Hyperparameter::MechanismCount(3)), Err(ChainError::InvalidValue));
    // max_allowed_uids * count may not exceed 256 (ensure_max_uids_over_all_mechanisms).
    set(&mut chain, netuid, Hyperparameter::MaxAllowedUids(129)).unwrap();
    assert_eq!(set(&mut chain, netuid, Hyperparameter::MechanismCount(2)), Err(ChainError::TooManyUIDsPerMechanism));
    set(&mut chain, netuid, Hyperparameter::MaxAllowedUids(128)).unwrap();
    set(&mut chain, netuid, Hyperparameter::MechanismCount(2)).unwrap();
    assert_eq!(chain.mechanism_count(netuid), Ok(2));
    // And the other way round: with two mechanisms, 129 UIDs is too many.
    assert_eq!(set(&mut chain, netuid, Hyperparameter::MaxAllowedUids(129)), Err(ChainError::TooManyUIDsPerMechanism));

    // The split: non-empty, no longer than the count, summing to exactly 65535.
    for bad in [vec![], vec![1, 2, 65_532], vec![100, 100]] {
        assert_eq!(set(&mut chain, netuid, Hyperparameter::MechanismEmissionSplit(Some(bad))), Err(ChainError::InvalidValue));
    }
    set(&mut chain, netuid, Hyperparameter::MechanismEmissionSplit(Some(vec![16_384, 49_151]))).unwrap();
    assert_eq!(chain.subnet(netuid).unwrap().emission_split, Some(vec![16_384, 49_151]));
    // A new count resets the split to even (update_mechanism_counts_if_needed).
    set(&mut chain, netuid, Hyperparameter::MechanismCount(1)).unwrap();
    assert_eq!(chain.subnet(netuid).unwrap().emission_split, None);
    // A mechanism that does not exist takes no weights.
    assert_eq!(chain.set_mechanism_weights(&acct(VALIDATOR), netuid, 1, &[2], &[1], 0), Err(ChainError::MechanismDoesNotExist));
}

#[test]
fn each_mechanism_pays_its_share_of_emission_by_its_own_weights() {
    let (mut chain, netuid) = chain();
    set(&mut chain, netuid, Hyperparameter::MechanismCount(2)).unwrap();
    // A quarter of the emission to mechanism 0, three quarters to mechanism 1.
    set(&mut chain, netuid, Hyperparameter::MechanismEmissionSplit(Some(vec![16_384, 49_151]))).unwrap();
    let v = acct(VALIDATOR);
    // Mechanism 0 rewards miner A (UID 2), mechanism 1 miner B (UID 3).
    chain.set_mechanism_weights(&v, netuid, 0, &[2], &[u16::MAX], 0).unwrap();
    chain.set_mechanism_weights(&v, netuid, 1, &[3], &[u16::MAX], 0).unwrap();
    let s = chain.subnet(netuid).unwrap();
    assert_eq!(s.mechanism(0).unwrap().weights[1], vec![(2, u16::MAX)]);
    assert_eq!(s.mechanism(1).unwrap().weights[1], vec![(3, u16::MAX)]);

    // Two epochs: the first forms bonds, the second pays by them.
    chain.produce_blocks(20);
    let (a, b) = (chain.stake_of(&acct(MINER_A), &acct(51), netuid), chain.stake_of(&acct(MINER_B), &acct(52), netuid));
    let s = chain.subnet(netuid).unwrap();
    assert_eq!(s.mechanism_incentive(0).unwrap()[2..], [u16::MAX, 0], "mechanism 0's incentive: miner A");
    assert_eq!(s.mechanism_incentive(1).unwrap()[2..], [0, u16::MAX], "mechanism 1's incentive: miner B");
    assert!(!s.mechanism(1).unwrap().bonds[1].is_empty(), "bonds are kept per mechanism");
    // Each miner earned only from its mechanism: B three times A (the split's 1:3),
    // to rounding.
    assert!(a > 0 && b > 0);
    let ratio = b as f64 / a as f64;
    assert!((ratio - 49_151.0 / 16_384.0).abs() < 1e-3, "B/A = {ratio}");
    // Nothing created or lost: emission paid + withheld + unallocated + pending.
    let supply = chain.supply();
    assert_eq!(supply.emitted, supply.paid_out + supply.withheld + supply.unallocated + chain.pending_emission());
}

#[test]
fn two_mechanisms_with_the_same_weights_pay_as_one() {
    // The consolidation (`epoch_with_mechanisms`): an even split over two mechanisms
    // weighed alike pays each neuron what one mechanism pays, to a rao of rounding.
    let (mut one, netuid) = chain();
    let (mut two, _) = chain();
    set(&mut two, netuid, Hyperparameter::MechanismCount(2)).unwrap();
    let v = acct(VALIDATOR);
    one.set_weights(&v, netuid, &[2, 3], &[u16::MAX, 20_000], 0).unwrap();
    for mecid in 0..2 {
        two.set_mechanism_weights(&v, netuid, mecid, &[2, 3], &[u16::MAX, 20_000], 0).unwrap();
    }
    one.produce_blocks(30);
    two.produce_blocks(30);
    for (hot, cold) in [(VALIDATOR, 50), (MINER_A, 51), (MINER_B, 52)] {
        let (a, b) = (one.stake_of(&acct(hot), &acct(cold), netuid), two.stake_of(&acct(hot), &acct(cold), netuid));
        assert!(a.abs_diff(b) <= 3, "neuron {hot}: one mechanism {a}, two {b}");
    }
    let (m1, m2) = (one.metagraph(netuid).unwrap(), two.metagraph(netuid).unwrap());
    for (x, y) in m1.neurons.iter().zip(&m2.neurons) {
        assert_eq!(x.incentive, y.incentive);
        assert!(x.dividends.abs_diff(y.dividends) <= 1, "dividends {} vs {}", x.dividends, y.dividends);
    }
    assert_eq!(two.subnet(netuid).unwrap().mechanism_incentive(1), two.subnet(netuid).unwrap().mechanism_incentive(0));
}

#[test]
fn commits_and_reveals_are_per_mechanism() {
    let (mut chain, netuid) = chain();
    set(&mut chain, netuid, Hyperparameter::MechanismCount(2)).unwrap();
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::CommitRevealWeightsEnabled(true)).unwrap();
    let v = acct(VALIDATOR);
    let (uids, values, salt) = ([3u16], [u16::MAX], [7u16; 8]);
    // The hash is over the mechanism's storage index (mecid * 4096 + netuid).
    let index = mechanism_storage_index(netuid, 1);
    assert_eq!(index, 4096 + netuid);
    chain.commit_mechanism_weights(&v, netuid, 1, commit_hash(&v, index, &uids, &values, &salt, 0)).unwrap();
    assert!(chain.subnet(netuid).unwrap().mechanism(0).unwrap().commits.is_empty(), "mechanism 0 has no commit");
    chain.produce_blocks(10); // the next epoch: the reveal window
                              // Revealed on the wrong mechanism, nothing is found; on its own, it is set there.
    assert_eq!(chain.reveal_mechanism_weights(&v, netuid, 0, &uids, &values, &salt, 0), Err(ChainError::NoWeightsCommitFound));
    chain.reveal_mechanism_weights(&v, netuid, 1, &uids, &values, &salt, 0).unwrap();
    let s = chain.subnet(netuid).unwrap();
    assert_eq!(s.mechanism(1).unwrap().weights[1], vec![(3, u16::MAX)]);
    assert!(s.mechanism(0).unwrap().weights[1].is_empty());

    // A timelocked commit to mechanism 1 is revealed by the chain into mechanism 1.
    let payload = WeightsTlockPayload { hotkey: v.0.to_vec(), uids: vec![2], values: vec![500], version_key: 0 }.encode();
    let reveal_block = chain.first_reveal_block(netuid).unwrap();
    // The round stored at the reveal epoch's first block (4 rounds of 3 s per 12 s block).
    let round = chain.drand().last_stored_round + (reveal_block - chain.block()) * 4;
    let commit = drand::encrypt(chain.drand().public_key(), round, &payload, &mut OsRng).unwrap();
    chain.commit_timelocked_weights(&v, netuid, 1, &commit, round, 4).unwrap();
    chain.produce_blocks(reveal_block + 5 - chain.block());
    let s = chain.subnet(netuid).unwrap();
    assert_eq!(s.mechanism(1).unwrap().weights[1], vec![(2, u16::MAX)], "revealed into mechanism 1, max-upscaled");
    assert!(s.mechanism(0).unwrap().weights[1].is_empty());
}

#[test]
fn fewer_mechanisms_drop_the_removed_ones_and_registration_resets_every_mechanism() {
    let (mut chain, netuid) = chain();
    set(&mut chain, netuid, Hyperparameter::MechanismCount(2)).unwrap();
    let v = acct(VALIDATOR);
    chain.set_mechanism_weights(&v, netuid, 1, &[2, 3], &[u16::MAX, u16::MAX], 0).unwrap();
    // A new neuron gets rows in every mechanism, its last update at registration.
    let uid = chain.burned_register(&acct(53), netuid, acct(13)).unwrap();
    let block = chain.block();
    let s = chain.subnet(netuid).unwrap();
    assert_eq!(s.mechanism(1).unwrap().last_update[uid as usize], block);
    assert_eq!(s.mechanism(1).unwrap().weights.len(), s.n());

    // Full subnet: the next registration replaces a neuron, whose weights towards it
    // are zeroed in mechanism 1 too.
    set(&mut chain, netuid, Hyperparameter::MaxAllowedUids(5)).unwrap(); // full: owner, validator, 3 miners
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::MinNonImmuneUids(0)).unwrap();
    let replaced = chain.burned_register(&acct(54), netuid, acct(14)).unwrap();
    let s = chain.subnet(netuid).unwrap();
    let row = &s.mechanism(1).unwrap().weights[1];
    assert!(row.iter().any(|&(j, w)| j == replaced && w == 0), "weights towards UID {replaced} zeroed in mechanism 1: {row:?}");

    // Back to one mechanism: mechanism 1's storage is gone.
    set(&mut chain, netuid, Hyperparameter::MechanismCount(1)).unwrap();
    assert!(chain.subnet(netuid).unwrap().mechanism(1).is_none());
    assert_eq!(chain.set_mechanism_weights(&v, netuid, 1, &[2], &[1], 0), Err(ChainError::MechanismDoesNotExist));
}
