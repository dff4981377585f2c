//! Commit-reveal version 4 on the embedded local chain: `commit_timelocked_weights`'
//! checks and errors in Subtensor's order, and the chain's own reveal in the block
//! step of the reveal epoch (`reveal_crv3_commits_for_subnet`), including the commits
//! it drops.

use codec::Encode;
use rand::rngs::OsRng;

use crate::support::acct;
use subnet_core::chain::local::{BlockEvent, MAX_TIMELOCKED_COMMIT_BYTES};
use subnet_core::chain::{AccountId, ChainError, Hyperparameter, LocalChain, LocalChainConfig, RAO_PER_TAO};
use subnet_core::drand::payload::LegacyWeightsTlockPayload;
use subnet_core::drand::{self, WeightsTlockPayload};

const SUDO: u8 = 1;
const OWNER: u8 = 2;
const VALIDATOR: u8 = 10;
const MINER: u8 = 11;

/// Subnet 1 with commit-reveal on (tempo 10, reveal period 1, no rate limit), a staked
/// validator (UID 1) with a permit and a miner (UID 2).
fn chain() -> (LocalChain, u16) {
    let accounts: Vec<AccountId> = (1..100).map(acct).collect();
    let mut chain = LocalChain::new(LocalChainConfig::dev(acct(SUDO), &accounts, 1_000_000 * RAO_PER_TAO));
    let netuid = chain.register_network(&acct(OWNER), acct(3)).unwrap();
    chain.start_call(&acct(OWNER), netuid).unwrap();
    for h in [Hyperparameter::Tempo(10), Hyperparameter::WeightsSetRateLimit(0), Hyperparameter::ImmunityPeriod(0)] {
        chain.set_hyperparameter(&acct(SUDO), netuid, h).unwrap();
    }
    assert!(chain.hyperparameters(netuid).unwrap().commit_reveal_enabled, "on by default, as on finney");
    chain.burned_register(&acct(50), netuid, acct(VALIDATOR)).unwrap();
    chain.burned_register(&acct(51), netuid, acct(MINER)).unwrap();
    chain.add_stake(&acct(50), acct(VALIDATOR), netuid, 1_000 * RAO_PER_TAO).unwrap();
    chain.produce_blocks(11); // an epoch: permits
    (chain, netuid)
}

fn payload(hotkey: AccountId, uids: &[u16], values: &[u16]) -> Vec<u8> {
    WeightsTlockPayload { hotkey: hotkey.0.to_vec(), uids: uids.to_vec(), values: values.to_vec(), version_key: 0 }.encode()
}

/// Blocks from now to the reveal epoch's first block.
fn blocks_to_reveal(chain: &LocalChain, netuid: u16) -> u64 {
    chain.first_reveal_block(netuid).unwrap() - chain.block()
}

/// The round stored at the reveal epoch's first block, and a commit of `plain` to it.
fn seal(chain: &LocalChain, netuid: u16, plain: &[u8]) -> (u64, Vec<u8>) {
    let round = chain.drand().last_stored_round + blocks_to_reveal(chain, netuid) * 12 / 3;
    (round, drand::encrypt(chain.drand().public_key(), round, plain, &mut OsRng).unwrap())
}

fn weights_of(chain: &LocalChain, netuid: u16, uid: usize) -> Vec<(u16, u16)> {
    chain.metagraph(netuid).unwrap().neurons[uid].weights.clone()
}

#[test]
fn commits_are_checked_in_the_chains_order() {
    let (mut chain, netuid) = chain();
    let v = acct(VALIDATOR);
    // Chain: `ensure_mechanism_exists` answers a missing subnet with `MechanismDoesNotExist`.
    assert_eq!(chain.commit_timelocked_weights(&v, 99, 0, &[1], 1, 4), Err(ChainError::MechanismDoesNotExist));
    assert_eq!(chain.commit_timelocked_weights(&v, netuid, 1, &[1], 1, 4), Err(ChainError::MechanismDoesNotExist));
    assert_eq!(chain.commit_timelocked_weights(&v, netuid, 0, &[1], 1, 3), Err(ChainError::IncorrectCommitRevealVersion));
    assert_eq!(chain.commit_timelocked_weights(&acct(77), netuid, 0, &[1], 1, 4), Err(ChainError::HotKeyNotRegisteredInSubNet));
    let oversized = vec![0u8; MAX_TIMELOCKED_COMMIT_BYTES + 1];
    assert!(matches!(chain.commit_timelocked_weights(&v, netuid, 0, &oversized, 1, 4), Err(ChainError::InvalidTransaction(m)) if m.contains("5000")));
    // Ten unrevealed commits per hotkey and epoch, then `TooManyUnrevealedCommits`.
    for _ in 0..10 {
        chain.commit_timelocked_weights(&v, netuid, 0, &[1], 1, 4).unwrap();
    }
    assert_eq!(chain.commit_timelocked_weights(&v, netuid, 0, &[1], 1, 4), Err(ChainError::TooManyUnrevealedCommits));
    // The rate limit counts from the last commit.
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::WeightsSetRateLimit(5)).unwrap();
    chain.produce_blocks(10);
    chain.commit_timelocked_weights(&v, netuid, 0, &[1], 1, 4).unwrap();
    assert_eq!(chain.commit_timelocked_weights(&v, netuid, 0, &[1], 1, 4), Err(ChainError::CommittingWeightsTooFast));
    // Commit-reveal off: the timelocked path is closed too.
    chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::CommitRevealWeightsEnabled(false)).unwrap();
    assert_eq!(chain.commit_timelocked_weights(&v, netuid, 0, &[1], 1, 4), Err(ChainError::CommitRevealDisabled));
}

#[test]
fn the_chain_reveals_a_commit_at_the_start_of_the_reveal_epoch() {
    let (mut chain, netuid) = chain();
    let blocks = blocks_to_reveal(&chain, netuid);
    let (round, commit) = seal(&chain, netuid, &payload(acct(VALIDATOR), &[2], &[100]));
    chain.commit_timelocked_weights(&acct(VALIDATOR), netuid, 0, &commit, round, 4).unwrap();
    // Invisible (only ciphertext on chain) until the reveal epoch's first block.
    chain.produce_blocks(blocks - 1);
    assert!(weights_of(&chain, netuid, 1).is_empty());
    assert!(chain.drand().pulse(round).is_none(), "the round is still in the future");
    chain.produce_blocks(1);
    assert_eq!(weights_of(&chain, netuid, 1), vec![(2, u16::MAX)]);
    assert_eq!(chain.block_events(), &[BlockEvent::TimelockedWeightsRevealed { netuid, mecid: 0, who: acct(VALIDATOR) }]);
    assert!(chain.subnet(netuid).unwrap().timelocked.is_empty());
}

#[test]
fn a_round_not_yet_on_chain_waits_within_the_epoch_and_expires_after_it() {
    let (mut chain, netuid) = chain();
    let blocks = blocks_to_reveal(&chain, netuid);
    // Encrypted to a round 3 blocks into the reveal epoch: revealed there, not before.
    let round = chain.drand().last_stored_round + (blocks + 3) * 4;
    let commit = drand::encrypt(chain.drand().public_key(), round, &payload(acct(VALIDATOR), &[2], &[100]), &mut OsRng).unwrap();
    chain.commit_timelocked_weights(&acct(VALIDATOR), netuid, 0, &commit, round, 4).unwrap();
    chain.produce_blocks(blocks + 2);
    assert!(weights_of(&chain, netuid, 1).is_empty());
    chain.produce_blocks(1);
    assert_eq!(weights_of(&chain, netuid, 1), vec![(2, u16::MAX)]);

    // A round beyond the reveal epoch never reveals; the commit is dropped after it.
    let (mut chain, netuid) = self::chain();
    let far = chain.drand().last_stored_round + 1_000_000;
    let commit = drand::encrypt(chain.drand().public_key(), far, &payload(acct(VALIDATOR), &[2], &[100]), &mut OsRng).unwrap();
    chain.commit_timelocked_weights(&acct(VALIDATOR), netuid, 0, &commit, far, 4).unwrap();
    chain.produce_blocks(30);
    assert!(weights_of(&chain, netuid, 1).is_empty());
    assert!(chain.subnet(netuid).unwrap().timelocked.is_empty(), "expired commits are cleaned");
}

#[test]
fn commits_that_cannot_be_opened_or_do_not_match_are_dropped() {
    let (mut chain, netuid) = chain();
    let blocks = blocks_to_reveal(&chain, netuid);
    let v = acct(VALIDATOR);
    let (round, _) = seal(&chain, netuid, &[]);
    // Garbage, a truncated ciphertext, another hotkey's payload, weights the chain
    // refuses (a UID that does not exist): all dropped without effect.
    let (_, good) = seal(&chain, netuid, &payload(v, &[2], &[100]));
    let (_, other) = seal(&chain, netuid, &payload(acct(MINER), &[2], &[100]));
    let (_, invalid) = seal(&chain, netuid, &payload(v, &[200], &[100]));
    for commit in [vec![0xde, 0xad], good[..good.len() / 2].to_vec(), other, invalid] {
        chain.commit_timelocked_weights(&v, netuid, 0, &commit, round, 4).unwrap();
    }
    chain.produce_blocks(blocks);
    assert!(weights_of(&chain, netuid, 1).is_empty());
    assert!(chain.block_events().is_empty());
    assert!(chain.subnet(netuid).unwrap().timelocked.is_empty());
}

#[test]
fn the_legacy_payload_without_a_hotkey_still_reveals() {
    let (mut chain, netuid) = chain();
    let blocks = blocks_to_reveal(&chain, netuid);
    let legacy = LegacyWeightsTlockPayload { uids: vec![2], values: vec![7], version_key: 0 }.encode();
    let (round, commit) = seal(&chain, netuid, &legacy);
    chain.commit_timelocked_weights(&acct(VALIDATOR), netuid, 0, &commit, round, 4).unwrap();
    chain.produce_blocks(blocks);
    assert_eq!(weights_of(&chain, netuid, 1), vec![(2, u16::MAX)]);
}

#[test]
fn pulses_follow_block_time_and_verify_under_the_beacon_key() {
    let (mut chain, _) = chain();
    let before = chain.drand().last_stored_round;
    chain.produce_blocks(5);
    // 12 s blocks, 3 s rounds.
    assert_eq!(chain.drand().last_stored_round, before + 20);
    let pulse = chain.drand().pulse(before + 20).unwrap();
    assert!(drand::verify_pulse(chain.drand().public_key(), pulse.round, &pulse.signature));
    assert!(!drand::verify_pulse(chain.drand().public_key(), pulse.round + 1, &pulse.signature));
    assert!(chain.drand().pulse(before + 21).is_none());
    // Snapshots keep the beacon and its rounds.
    let restored = LocalChain::restore(&chain.snapshot()).unwrap();
    assert_eq!(restored.drand(), chain.drand());
}
