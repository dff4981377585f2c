//! The embedded local chain follows Subtensor's rules and errors.

use crate::support::acct;
use subnet_core::chain::local::commit_hash;
use subnet_core::chain::{AccountId, AxonInfo, ChainError, Hyperparameter, LocalChain, LocalChainConfig, NeuronCertificate};

use subnet_core::chain::RAO_PER_TAO as TAO;

const SUDO: u8 = 1;
const OWNER: u8 = 2;
const OWNER_HOT: u8 = 3;

/// A chain with a subnet (netuid 1) owned by account 2 (hotkey 3); accounts 1..=99 funded.
fn chain_with_subnet() -> (LocalChain, u16) {
    let accounts: Vec<AccountId> = (1..100).map(acct).collect();
    let mut chain = LocalChain::new(LocalChainConfig::dev(acct(SUDO), &accounts, 1_000_000 * TAO));
    let netuid = chain.register_network(&acct(OWNER), acct(OWNER_HOT)).unwrap();
    chain.start_call(&acct(OWNER), netuid).unwrap();
    // Fast subnet for tests: short tempo, no rate limit, no immunity, plain set_weights.
    // Tempo, the rate limit and the validator count are root's on Subtensor.
    for h in [
        Hyperparameter::CommitRevealWeightsEnabled(false),
        Hyperparameter::Tempo(10),
        Hyperparameter::WeightsSetRateLimit(0),
        Hyperparameter::ImmunityPeriod(0),
        Hyperparameter::MaxAllowedValidators(8),
    ] {
        let setter = if h.root_only() { SUDO } else { OWNER };
        chain.set_hyperparameter(&acct(setter), netuid, h).unwrap();
    }
    (chain, netuid)
}

/// Register hotkey `10 + i` for coldkey `50 + i`.
fn register(chain: &mut LocalChain, netuid: u16, i: u8) -> u16 {
    chain.burned_register(&acct(50 + i), netuid, acct(10 + i)).unwrap()
}

#[test]
fn network_owner_hotkey_is_uid_zero() {
    let (chain, netuid) = chain_with_subnet();
    assert_eq!(netuid, 1);
    let mg = chain.metagraph(netuid).unwrap();
    assert_eq!(mg.neurons.len(), 1);
    assert_eq!(mg.neurons[0].hotkey, acct(OWNER_HOT));
    assert_eq!(mg.neurons[0].coldkey, acct(OWNER));
    assert_eq!(chain.balance(&acct(OWNER)), 1_000_000 * TAO - chain.config.network_lock_cost);
}

#[test]
fn registration_pays_the_burn_and_raises_it() {
    let (mut chain, netuid) = chain_with_subnet();
    let burn = chain.burn(netuid).unwrap();
    let before = chain.balance(&acct(51));
    assert_eq!(register(&mut chain, netuid, 1), 1);
    assert_eq!(chain.balance(&acct(51)), before - burn);
    // Chain: the burn is multiplied by BurnIncreaseMult (1.26) after a registration…
    assert_eq!(chain.burn(netuid).unwrap(), 1_260_000_000);
    // …and halves over BurnHalfLife (360) blocks, never below min_burn.
    chain.produce_blocks(360);
    let decayed = chain.burn(netuid).unwrap();
    // (A hair above half: the chain's Q32 powers truncate, so its factor sits just
    // above 2^(-1/360).)
    assert!((630_000_000..=632_000_000).contains(&decayed), "{decayed}");
    chain.produce_blocks(360 * 20);
    assert_eq!(chain.burn(netuid).unwrap(), chain.hyperparameters(netuid).unwrap().min_burn);
}

#[test]
fn registration_errors_carry_chain_names() {
    let (mut chain, netuid) = chain_with_subnet();
    register(&mut chain, netuid, 1);
    assert_eq!(chain.burned_register(&acct(51), netuid, acct(11)), Err(ChainError::HotKeyAlreadyRegisteredInSubNet));
    assert_eq!(chain.burned_register(&acct(52), netuid, acct(11)), Err(ChainError::HotKeyAlreadyRegisteredInSubNet));
    assert_eq!(chain.burned_register(&acct(52), 9, acct(12)), Err(ChainError::SubnetNotExists));
    // Hotkey 11 belongs to coldkey 51 everywhere.
    let other = chain.register_network(&acct(60), acct(61)).unwrap();
    assert_eq!(chain.burned_register(&acct(52), other, acct(11)), Err(ChainError::NonAssociatedColdKey));
    assert_eq!(chain.burned_register(&acct(200), netuid, acct(12)), Err(ChainError::NotEnoughBalanceToStake));
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::RegistrationAllowed(false)).unwrap();
    assert_eq!(chain.burned_register(&acct(53), netuid, acct(13)), Err(ChainError::SubNetRegistrationDisabled));
}

#[test]
fn full_subnet_replaces_lowest_emission_out_of_immunity() {
    let (mut chain, netuid) = chain_with_subnet();
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::MaxAllowedUids(4)).unwrap();
    // The chain keeps at least `min_non_immune_uids` prunable neurons (default 10).
    assert_eq!(chain.hyperparameters(netuid).unwrap().min_non_immune_uids, 10);
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::MinNonImmuneUids(1)).unwrap();
    for i in 1..=3 {
        register(&mut chain, netuid, i);
    }
    // Validator 0 (the owner, with stake) weights UID 1 and 3; UID 2 earns nothing.
    chain.add_stake(&acct(OWNER), acct(OWNER_HOT), netuid, 100 * TAO).unwrap();
    chain.produce_blocks(10);
    chain.set_weights(&acct(OWNER_HOT), netuid, &[1, 3], &[65535, 65535], 0).unwrap();
    chain.produce_blocks(10);
    let mg = chain.metagraph(netuid).unwrap();
    assert!(mg.neurons[2].emission == 0 && mg.neurons[1].emission > 0);
    // The subnet is full: a newcomer takes UID 2, whose weights row and incoming weights reset.
    let uid = chain.burned_register(&acct(54), netuid, acct(14)).unwrap();
    assert_eq!(uid, 2);
    let mg = chain.metagraph(netuid).unwrap();
    assert_eq!(mg.neurons[2].hotkey, acct(14));
    assert_eq!(mg.neurons[2].registered_at, chain.block());
}

#[test]
fn immune_neurons_are_pruned_only_when_nothing_else_can_be() {
    let (mut chain, netuid) = chain_with_subnet();
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::MaxAllowedUids(3)).unwrap();
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::ImmunityPeriod(1000)).unwrap();
    register(&mut chain, netuid, 1);
    register(&mut chain, netuid, 2);
    // Everyone is immune and non-immune neurons are below min_non_immune_uids: the
    // chain prunes the immune one with the lowest emission, then earliest registration.
    assert_eq!(chain.burned_register(&acct(53), netuid, acct(13)), Ok(1));
    // With only the (never pruned) owner in the subnet, nothing can go.
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::MaxAllowedUids(3)).unwrap();
    let accounts: Vec<AccountId> = (1..100).map(acct).collect();
    let mut solo = LocalChain::new(LocalChainConfig::dev(acct(SUDO), &accounts, 1_000_000 * TAO));
    let n = solo.register_network(&acct(OWNER), acct(OWNER_HOT)).unwrap();
    solo.set_hyperparameter(&acct(SUDO), n, Hyperparameter::MaxAllowedUids(1)).unwrap();
    assert_eq!(solo.burned_register(&acct(51), n, acct(11)), Err(ChainError::NoNeuronIdAvailable));
}

#[test]
fn serve_axon_checks_and_stores_the_endpoint() {
    let (mut chain, netuid) = chain_with_subnet();
    register(&mut chain, netuid, 1);
    let axon = AxonInfo { ip: u32::from_be_bytes([10, 0, 0, 7]) as u128, port: 8091, ip_type: 4, version: 1, ..Default::default() };
    assert_eq!(chain.serve_axon(&acct(99), netuid, axon), Err(ChainError::HotKeyNotRegisteredInNetwork));
    assert_eq!(chain.serve_axon(&acct(11), netuid, AxonInfo { ip_type: 5, ..axon }), Err(ChainError::InvalidIpType));
    assert_eq!(chain.serve_axon(&acct(11), netuid, AxonInfo { port: 0, ..axon }), Err(ChainError::InvalidPort));
    // The chain refuses localhost and out-of-range addresses, and allows 0 for testing.
    let localhost = AxonInfo { ip: 0x7f00_0001, ..axon };
    assert_eq!(chain.serve_axon(&acct(11), netuid, localhost), Err(ChainError::InvalidIpAddress));
    assert_eq!(chain.serve_axon(&acct(11), netuid, AxonInfo { ip: u32::MAX as u128, ..axon }), Err(ChainError::InvalidIpAddress));
    assert_eq!(chain.serve_axon(&acct(11), netuid, AxonInfo { ip: 1, ip_type: 6, ..axon }), Err(ChainError::InvalidIpAddress));
    chain.produce_blocks(3);
    chain.serve_axon(&acct(11), netuid, axon).unwrap();
    let stored = chain.metagraph(netuid).unwrap().neurons[1].axon.unwrap();
    assert_eq!((stored.port, stored.block), (8091, 3));
    // Serving again is rate limited (50 blocks by default).
    assert_eq!(chain.serve_axon(&acct(11), netuid, AxonInfo { ip: 0, ..axon }), Err(ChainError::ServingRateLimitExceeded));
    chain.produce_blocks(50);
    chain.serve_axon(&acct(11), netuid, AxonInfo { ip: 0, ..axon }).unwrap();
}

#[test]
fn serve_axon_tls_stores_the_certificate_with_serve_axons_checks() {
    let (mut chain, netuid) = chain_with_subnet();
    chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::ServingRateLimit(0)).unwrap();
    register(&mut chain, netuid, 1);
    let axon = AxonInfo { ip: u32::from_be_bytes([10, 0, 0, 7]) as u128, port: 8091, ip_type: 4, version: 1, ..Default::default() };
    let cert = NeuronCertificate::ed25519([7; 32]);
    // Same checks as serve_axon: a refused call stores neither axon nor certificate.
    assert_eq!(chain.serve_axon_tls(&acct(99), netuid, axon, &cert.to_bytes()), Err(ChainError::HotKeyNotRegisteredInNetwork));
    assert_eq!(chain.serve_axon_tls(&acct(11), netuid, AxonInfo { port: 0, ..axon }, &cert.to_bytes()), Err(ChainError::InvalidPort));
    assert_eq!(chain.serve_axon_tls(&acct(11), 9, axon, &cert.to_bytes()), Err(ChainError::SubnetNotExists));
    assert!(chain.neuron_certificates(netuid).unwrap().is_empty());
    chain.produce_blocks(1); // the rate limit counts from the last serve's block, 0 meaning never
    chain.serve_axon_tls(&acct(11), netuid, axon, &cert.to_bytes()).unwrap();
    assert_eq!(chain.metagraph(netuid).unwrap().neurons[1].axon.map(|a| a.port), Some(8091));
    let stored = chain.neuron_certificates(netuid).unwrap().get(&acct(11)).cloned();
    assert_eq!(stored.as_ref().and_then(NeuronCertificate::ed25519_key), Some([7; 32]));
    // A plain serve_axon keeps the published key.
    chain.serve_axon(&acct(11), netuid, AxonInfo { port: 8092, ..axon }).unwrap();
    assert_eq!(chain.neuron_certificates(netuid).unwrap().get(&acct(11)), Some(&cert));
    // A new valid certificate replaces it; any algorithm and key up to 64 bytes is taken.
    let other = NeuronCertificate { algorithm: 9, public_key: vec![3; 64] };
    chain.serve_axon_tls(&acct(11), netuid, axon, &other.to_bytes()).unwrap();
    assert_eq!(chain.neuron_certificates(netuid).unwrap().get(&acct(11)), Some(&other));
    // The rate limit applies to serve_axon_tls as to serve_axon.
    chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::ServingRateLimit(50)).unwrap();
    chain.produce_blocks(1);
    assert_eq!(chain.serve_axon_tls(&acct(11), netuid, axon, &cert.to_bytes()), Err(ChainError::ServingRateLimitExceeded));
    assert_eq!(chain.neuron_certificates(netuid).unwrap().get(&acct(11)), Some(&other));
}

#[test]
fn an_invalid_certificate_is_ignored_but_the_axon_is_served() {
    let (mut chain, netuid) = chain_with_subnet();
    chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::ServingRateLimit(0)).unwrap();
    register(&mut chain, netuid, 1);
    register(&mut chain, netuid, 2);
    let axon = AxonInfo { ip: u32::from_be_bytes([10, 0, 0, 7]) as u128, port: 8091, ip_type: 4, version: 1, ..Default::default() };
    // Empty, or longer than 65 bytes: the chain's `TryFrom` fails, the call succeeds.
    for bad in [vec![], vec![1; 66]] {
        chain.serve_axon_tls(&acct(11), netuid, AxonInfo { port: 9000 + bad.len() as u16, ..axon }, &bad).unwrap();
        assert_eq!(chain.metagraph(netuid).unwrap().neurons[1].axon.map(|a| a.port), Some(9000 + bad.len() as u16));
        assert!(chain.neuron_certificates(netuid).unwrap().is_empty());
    }
    // An invalid certificate leaves a stored one in place.
    let cert = NeuronCertificate::ed25519([5; 32]);
    chain.serve_axon_tls(&acct(11), netuid, axon, &cert.to_bytes()).unwrap();
    chain.serve_axon_tls(&acct(11), netuid, axon, &[2; 80]).unwrap();
    assert_eq!(chain.neuron_certificates(netuid).unwrap().get(&acct(11)), Some(&cert));
    // 65 bytes is the longest accepted; a lone algorithm byte is a certificate with no key.
    chain.serve_axon_tls(&acct(12), netuid, axon, &[4; 65]).unwrap();
    assert_eq!(chain.neuron_certificates(netuid).unwrap()[&acct(12)], NeuronCertificate { algorithm: 4, public_key: vec![4; 64] });
    chain.serve_axon_tls(&acct(12), netuid, axon, &[1]).unwrap();
    let lone = &chain.neuron_certificates(netuid).unwrap()[&acct(12)];
    assert_eq!((lone.algorithm, lone.public_key.len(), lone.ed25519_key()), (1, 0, None));
}

#[test]
fn a_replaced_uid_loses_its_certificate() {
    let (mut chain, netuid) = chain_with_subnet();
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::MaxAllowedUids(3)).unwrap();
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::MinNonImmuneUids(1)).unwrap();
    register(&mut chain, netuid, 1);
    register(&mut chain, netuid, 2);
    let axon = AxonInfo { ip: u32::from_be_bytes([10, 0, 0, 7]) as u128, port: 8091, ip_type: 4, version: 1, ..Default::default() };
    for hot in [11, 12] {
        chain.serve_axon_tls(&acct(hot), netuid, axon, &NeuronCertificate::ed25519([hot; 32]).to_bytes()).unwrap();
    }
    // The subnet is full: hotkey 13 replaces UID 1 (hotkey 11, earliest registered).
    assert_eq!(register(&mut chain, netuid, 3), 1);
    let certs = chain.neuron_certificates(netuid).unwrap();
    assert_eq!(certs.keys().copied().collect::<Vec<_>>(), vec![acct(12)]);
    // The state round-trips through a snapshot with the certificates.
    let restored = LocalChain::restore(&chain.snapshot()).unwrap();
    assert_eq!(restored.neuron_certificates(netuid).unwrap()[&acct(12)].ed25519_key(), Some([12; 32]));
}

#[test]
fn staking_moves_balance_and_fails_with_chain_errors() {
    let (mut chain, netuid) = chain_with_subnet();
    register(&mut chain, netuid, 1);
    let before = chain.balance(&acct(70));
    chain.add_stake(&acct(70), acct(11), netuid, 5 * TAO).unwrap();
    assert_eq!(chain.balance(&acct(70)), before - 5 * TAO);
    assert_eq!(chain.hotkey_stake(&acct(11), netuid), 5 * TAO);
    assert_eq!(chain.add_stake(&acct(70), acct(11), netuid, 1), Err(ChainError::AmountTooLow));
    assert_eq!(chain.add_stake(&acct(70), acct(98), netuid, TAO), Err(ChainError::HotKeyAccountNotExists));
    assert_eq!(chain.add_stake(&acct(200), acct(11), netuid, TAO), Err(ChainError::NotEnoughBalanceToStake));
    assert_eq!(chain.remove_stake(&acct(70), acct(11), netuid, 6 * TAO), Err(ChainError::NotEnoughStakeToWithdraw));
    chain.remove_stake(&acct(70), acct(11), netuid, 5 * TAO).unwrap();
    assert_eq!(chain.balance(&acct(70)), before);
    assert_eq!(chain.hotkey_stake(&acct(11), netuid), 0);
}

#[test]
fn hyperparameters_need_owner_or_sudo_and_valid_values() {
    let (mut chain, netuid) = chain_with_subnet();
    assert_eq!(chain.set_hyperparameter(&acct(77), netuid, Hyperparameter::Tempo(5)), Err(ChainError::BadOrigin));
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::Tempo(5)).unwrap();
    assert_eq!(chain.hyperparameters(netuid).unwrap().tempo, 5);
    // Subtensor's root-only setters (`ensure_root`) refuse the owner; the others take it.
    for root_only in [
        Hyperparameter::Tempo(7),
        Hyperparameter::Kappa(1),
        Hyperparameter::WeightsSetRateLimit(1),
        Hyperparameter::MaxAllowedValidators(4),
        Hyperparameter::RegistrationAllowed(false),
        Hyperparameter::MinNonImmuneUids(1),
    ] {
        assert_eq!(chain.set_hyperparameter(&acct(OWNER), netuid, root_only.clone()), Err(ChainError::BadOrigin), "{root_only:?}");
    }
    assert_eq!(chain.hyperparameters(netuid).unwrap().tempo, 5);
    chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::ImmunityPeriod(7)).unwrap();
    assert_eq!(chain.hyperparameters(netuid).unwrap().immunity_period, 7);
    assert_eq!(chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::BondsMovingAverage(2_000_000)), Err(ChainError::InvalidValue));
    assert_eq!(chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::AlphaValues { low: 100, high: 50_000 }), Err(ChainError::InvalidValue));
}

#[test]
fn set_weights_follows_rate_limit_and_commit_reveal_switch() {
    let (mut chain, netuid) = chain_with_subnet();
    register(&mut chain, netuid, 1);
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::WeightsSetRateLimit(5)).unwrap();
    chain.produce_blocks(20);
    chain.set_weights(&acct(OWNER_HOT), netuid, &[1], &[10], 0).unwrap();
    let mg = chain.metagraph(netuid).unwrap();
    assert_eq!(mg.neurons[0].weights, vec![(1, 65535)]);
    assert_eq!(mg.neurons[0].last_update, 20);
    assert_eq!(chain.set_weights(&acct(OWNER_HOT), netuid, &[1], &[10], 0), Err(ChainError::SettingWeightsTooFast));
    chain.produce_blocks(5);
    chain.set_weights(&acct(OWNER_HOT), netuid, &[1], &[10], 0).unwrap();
    // A miner without a permit may only weight itself.
    assert_eq!(chain.set_weights(&acct(11), netuid, &[0], &[10], 0), Err(ChainError::NeuronNoValidatorPermit));
    chain.set_weights(&acct(11), netuid, &[1], &[10], 0).unwrap();
    chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::CommitRevealWeightsEnabled(true)).unwrap();
    chain.produce_blocks(5);
    assert_eq!(chain.set_weights(&acct(OWNER_HOT), netuid, &[1], &[10], 0), Err(ChainError::CommitRevealEnabled));
}

#[test]
fn commit_reveal_round_trip() {
    let (mut chain, netuid) = chain_with_subnet();
    register(&mut chain, netuid, 1);
    let hot = acct(OWNER_HOT);
    assert_eq!(chain.commit_weights(&hot, netuid, [0; 32]), Err(ChainError::CommitRevealDisabled));
    chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::CommitRevealWeightsEnabled(true)).unwrap();
    let (uids, values, salt) = ([1u16], [100u16], [7u16, 8]);
    let hash = commit_hash(&hot, netuid, &uids, &values, &salt, 0);
    assert_eq!(chain.reveal_weights(&hot, netuid, &uids, &values, &salt, 0), Err(ChainError::NoWeightsCommitFound));
    chain.commit_weights(&hot, netuid, hash).unwrap();
    assert_eq!(chain.commit_weights(&acct(98), netuid, hash), Err(ChainError::HotKeyNotRegisteredInSubNet));
    // Same epoch: too early.
    assert_eq!(chain.reveal_weights(&hot, netuid, &uids, &values, &salt, 0), Err(ChainError::RevealTooEarly));
    // Wrong salt: no commit has that hash.
    assert_eq!(chain.reveal_weights(&hot, netuid, &uids, &values, &[1], 0), Err(ChainError::InvalidRevealCommitHashNotMatch));
    chain.produce_blocks(10); // one epoch later (tempo 10, reveal period 1)
    chain.reveal_weights(&hot, netuid, &uids, &values, &salt, 0).unwrap();
    assert_eq!(chain.metagraph(netuid).unwrap().neurons[0].weights, vec![(1, 65535)]);
    // A commit not revealed within its epoch expires.
    let hash2 = commit_hash(&hot, netuid, &uids, &[50], &salt, 0);
    chain.commit_weights(&hot, netuid, hash2).unwrap();
    chain.produce_blocks(20);
    assert_eq!(chain.reveal_weights(&hot, netuid, &uids, &[50], &salt, 0), Err(ChainError::ExpiredWeightCommit));
    // Commits are rate-limited like weights: the commit block is the last update.
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::WeightsSetRateLimit(3)).unwrap();
    chain.commit_weights(&hot, netuid, [42; 32]).unwrap();
    assert_eq!(chain.metagraph(netuid).unwrap().neurons[0].last_update, chain.block());
    assert_eq!(chain.commit_weights(&hot, netuid, [43; 32]), Err(ChainError::CommittingWeightsTooFast));
    chain.produce_blocks(3);
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::WeightsSetRateLimit(0)).unwrap();
    // At most 10 commits wait for reveal.
    for i in 0..9u8 {
        chain.commit_weights(&hot, netuid, [i; 32]).unwrap();
    }
    assert_eq!(chain.commit_weights(&hot, netuid, [10; 32]), Err(ChainError::TooManyUnrevealedCommits));
}

#[test]
fn honest_miners_earn_and_a_silent_miner_loses_its_incentive() {
    let (mut chain, netuid) = chain_with_subnet();
    for i in 1..=4 {
        register(&mut chain, netuid, i); // UIDs 1..=4: 1, 2 validators; 3, 4 miners
    }
    chain.add_stake(&acct(51), acct(11), netuid, 1_000 * TAO).unwrap();
    chain.add_stake(&acct(52), acct(12), netuid, 500 * TAO).unwrap();
    chain.produce_blocks(10); // an epoch hands out validator permits
    let miner_stake = |c: &LocalChain, uid: u8| c.hotkey_stake(&acct(10 + uid), netuid);
    for epoch in 0..6 {
        // Both validators score the miners; from epoch 3, miner 4 stops answering.
        let w4 = if epoch < 3 { 65535 } else { 0 };
        for v in [11, 12] {
            chain.set_weights(&acct(v), netuid, &[3, 4], &[65535, w4], 0).unwrap();
        }
        chain.produce_blocks(10);
        let mg = chain.metagraph(netuid).unwrap();
        if epoch == 2 {
            assert_eq!(mg.neurons[3].incentive, mg.neurons[4].incentive);
            assert!(miner_stake(&chain, 4) > 0);
        }
    }
    let mg = chain.metagraph(netuid).unwrap();
    assert_eq!(mg.neurons[4].incentive, 0, "the silent miner earns nothing");
    assert_eq!(mg.neurons[3].incentive, 65535);
    assert!(miner_stake(&chain, 3) > miner_stake(&chain, 4));
    // Validators earned dividends in proportion to their stake.
    assert!(mg.neurons[1].dividends > mg.neurons[2].dividends && mg.neurons[2].dividends > 0);
    assert!(chain.hotkey_stake(&acct(11), netuid) > 1_000 * TAO);
}

#[test]
fn epoch_distributes_the_accrued_emission() {
    let (mut chain, netuid) = chain_with_subnet();
    register(&mut chain, netuid, 1);
    register(&mut chain, netuid, 2);
    chain.add_stake(&acct(51), acct(11), netuid, 100 * TAO).unwrap();
    chain.produce_blocks(10);
    chain.set_weights(&acct(11), netuid, &[2], &[1], 0).unwrap();
    let total_stake = |c: &LocalChain| -> u64 { (0..3).map(|u| c.metagraph(netuid).unwrap().neurons[u].stake).sum() };
    let before = total_stake(&chain);
    chain.produce_blocks(10);
    let minted = total_stake(&chain) - before;
    // Ten blocks of emission, all of it staked (owner cut included), less rounding.
    let expected = 10 * chain.config.subnet_emission_per_block;
    assert!(expected - minted < 10, "minted {minted} of {expected}");

    // Incentive aimed at the subnet owner's own hotkey is burnt, not paid.
    chain.produce_blocks(1);
    chain.set_weights(&acct(11), netuid, &[0], &[1], 0).unwrap();
    let owner_before = chain.hotkey_stake(&acct(OWNER_HOT), netuid);
    let before = total_stake(&chain);
    chain.produce_blocks(10);
    let mg = chain.metagraph(netuid).unwrap();
    assert_eq!(mg.neurons[0].incentive, 65535);
    let owner_gain = chain.hotkey_stake(&acct(OWNER_HOT), netuid) - owner_before;
    let cut = 10 * (chain.config.subnet_emission_per_block * 11_796 / 65_535);
    assert!(owner_gain.abs_diff(cut) < 10, "the owner only gets its cut: {owner_gain} vs {cut}");
    assert!(total_stake(&chain) - before < expected * 6 / 10, "the miners' half was burnt");
}

#[test]
fn snapshot_restore_is_exact_and_replays_identically() {
    let (mut chain, netuid) = chain_with_subnet();
    register(&mut chain, netuid, 1);
    chain.add_stake(&acct(51), acct(11), netuid, 10 * TAO).unwrap();
    chain.produce_blocks(15);
    chain.set_weights(&acct(11), netuid, &[0], &[1], 0).unwrap();
    let json = chain.snapshot();
    let mut copy = LocalChain::restore(&json).unwrap();
    assert_eq!(copy, chain);
    for c in [&mut chain, &mut copy] {
        c.produce_blocks(25);
        c.burned_register(&acct(52), netuid, acct(12)).unwrap();
    }
    assert_eq!(copy, chain);
    let dir = std::env::temp_dir().join(format!("local-chain-{}.json", std::process::id()));
    chain.save(&dir).unwrap();
    assert_eq!(LocalChain::load(&dir).unwrap(), chain);
    std::fs::remove_file(dir).ok();
    assert!(LocalChain::restore("{not json").is_err());
}

#[test]
fn dev_accounts_match_substrate_addresses_and_are_funded() {
    use subnet_core::chain::local::dev_keypair;
    use subnet_core::chain::Signer;
    let chain = LocalChain::new(LocalChainConfig::dev_accounts());
    let alice = dev_keypair("Alice").account_id();
    assert_eq!(alice.ss58(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    assert_eq!(dev_keypair("Bob").account_id().ss58(), "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty");
    assert_eq!(chain.config.sudo, alice);
    assert_eq!(chain.balance(&alice), 1_000_000 * TAO);
    assert_eq!(chain.balance(&dev_keypair("Ferdie").account_id()), 1_000_000 * TAO);
}

#[test]
fn new_subnets_start_as_on_subtensor() {
    let accounts: Vec<AccountId> = (1..10).map(acct).collect();
    let mut chain = LocalChain::new(LocalChainConfig::dev(acct(SUDO), &accounts, 1_000_000 * TAO));
    let netuid = chain.register_network(&acct(OWNER), acct(OWNER_HOT)).unwrap();
    let h = chain.hyperparameters(netuid).unwrap();
    // `init_new_network`: max validators 64, min weights 1, immunity 5000, Yuma3 on.
    assert_eq!((h.max_allowed_validators, h.min_allowed_weights, h.immunity_period, h.yuma3_enabled), (64, 1, 5000, true));
    // Commit-reveal is on by default, so plain set_weights is refused.
    assert!(h.commit_reveal_enabled);
    assert_eq!(chain.set_weights(&acct(OWNER_HOT), netuid, &[0], &[1], 0), Err(ChainError::CommitRevealEnabled));
    // Activity cutoff follows tempo: 13889 ‰ of 360 blocks = 5000.
    assert_eq!(h.activity_cutoff_blocks(), 5000);
    assert_eq!(chain.burn(netuid).unwrap(), TAO);
    assert_eq!(chain.set_hyperparameter(&acct(OWNER), netuid, Hyperparameter::ActivityCutoffFactorMilli(999)), Err(ChainError::InvalidValue));
    // Until the owner's `start_call`, no stake and no emission (`SubtokenEnabled` false,
    // no `FirstEmissionBlockNumber`); registration is open.
    assert_eq!(chain.add_stake(&acct(OWNER), acct(OWNER_HOT), netuid, TAO), Err(ChainError::SubtokenDisabled));
    assert_eq!(chain.remove_stake(&acct(OWNER), acct(OWNER_HOT), netuid, TAO), Err(ChainError::SubtokenDisabled));
    chain.burned_register(&acct(5), netuid, acct(6)).unwrap();
    chain.produce_blocks(10);
    assert_eq!(chain.pending_emission(), 0);
    assert_eq!(chain.start_call(&acct(5), netuid), Err(ChainError::BadOrigin));
    chain.start_call(&acct(OWNER), netuid).unwrap();
    assert_eq!(chain.start_call(&acct(OWNER), netuid), Err(ChainError::FirstEmissionBlockNumberAlreadySet));
    chain.add_stake(&acct(OWNER), acct(OWNER_HOT), netuid, TAO).unwrap();
    // Emission starts with the next block.
    chain.produce_blocks(1);
    assert!(chain.pending_emission() > 0);
    // A subnet with registration switched off earns nothing (`get_subnets_to_emit_to`).
    chain.set_hyperparameter(&acct(SUDO), netuid, Hyperparameter::RegistrationAllowed(false)).unwrap();
    let pending = chain.pending_emission();
    chain.produce_blocks(3);
    assert_eq!(chain.pending_emission(), pending);
}

#[test]
fn the_metagraph_leaves_zero_weights_out_as_the_chain_reports() {
    let (mut chain, netuid) = chain_with_subnet();
    for i in 1..=2 {
        register(&mut chain, netuid, i);
    }
    chain.add_stake(&acct(OWNER), acct(OWNER_HOT), netuid, 100 * TAO).unwrap();
    // Subtensor's `get_neurons` (`rpc_info/neuron_info.rs`) reports only non-zero
    // weights and bonds; the served node answers from it, so both backends agree.
    chain.set_weights(&acct(OWNER_HOT), netuid, &[1, 2], &[0, 65535], 0).unwrap();
    let owner = &chain.metagraph(netuid).unwrap().neurons[0];
    assert_eq!(owner.weights, vec![(2, 65535)]);
    assert!(owner.bonds.iter().all(|(_, b)| *b > 0));
}
