//! Guards the epoch's exact results while its implementation is optimised: random
//! subnets (classic, Yuma3, liquid alpha, bond penalties, owner, commit-reveal masks,
//! unsorted and zero weights) must give bit-identical outputs to those recorded from
//! the first, straightforward transcription of the chain's code (commit 597b150).

use subnet_core::testing::XorShift as Rng;
use subnet_core::yuma::{run_epoch, EpochOutput, EpochParams, SubnetState};

fn fnv(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

fn digest(o: &EpochOutput) -> u64 {
    fnv(format!("{o:?}").as_bytes(), 0xcbf2_9ce4_8422_2325)
}

fn random_case(seed: u64) -> EpochOutput {
    let mut r = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let n = 2 + r.below(40) as usize;
    let block = 5_000 + r.below(2_000);
    let params = EpochParams {
        kappa: [32_767, 40_000, 10_000][r.below(3) as usize],
        bonds_moving_average: [900_000, 975_000, 0, 500_000][r.below(4) as usize],
        max_allowed_validators: 1 + r.below(n as u64) as u16,
        activity_cutoff: 500 + r.below(3_000),
        liquid_alpha_enabled: r.chance(50),
        alpha_low: 20_000 + r.below(20_000) as u16,
        alpha_high: 45_000 + r.below(20_000) as u16,
        alpha_sigmoid_steepness: [1_000, 10, 300][r.below(3) as usize],
        yuma3_enabled: r.chance(50),
        bonds_penalty: [65_535, 0, 32_768, 1_000][r.below(4) as usize],
        stake_threshold: [0, 1_000][r.below(2) as usize],
        tempo: 360,
    };
    let stake: Vec<u64> = (0..n).map(|_| if r.chance(40) { r.below(1_000_000_000_000) } else { r.below(2_000) }).collect();
    let last_update: Vec<u64> = (0..n).map(|_| block.saturating_sub(r.below(4_000))).collect();
    let registered: Vec<u64> = (0..n).map(|_| if r.chance(20) { block.saturating_sub(r.below(800)) } else { r.below(100) }).collect();
    let permits: Vec<bool> = (0..n).map(|_| r.chance(60)).collect();
    let row = |r: &mut Rng, density: u64| -> Vec<(u16, u16)> {
        let mut row: Vec<(u16, u16)> = Vec::new();
        for j in 0..n as u16 {
            if r.chance(density) {
                let w = if r.chance(10) { 0 } else { r.below(65_536) as u16 };
                row.push((j, w));
            }
        }
        if r.chance(15) {
            row.reverse(); // unsorted rows exist in storage too
        }
        row
    };
    let weights: Vec<Vec<(u16, u16)>> = (0..n).map(|_| if r.chance(60) { row(&mut r, 70) } else { Vec::new() }).collect();
    let bonds: Vec<Vec<(u16, u16)>> = (0..n).map(|_| if r.chance(50) { row(&mut r, 50) } else { Vec::new() }).collect();
    let commit_blocks: Vec<u64> = (0..n).map(|_| if r.chance(30) { block.saturating_sub(r.below(900)) } else { u64::MAX }).collect();
    let use_commits = r.chance(30);
    let owner_uid = r.chance(30).then(|| r.below(n as u64) as u16);
    let state = SubnetState {
        block,
        last_epoch_block: if r.chance(50) { 0 } else { block - 360 },
        emission: r.below(10_000_000_000),
        stake: &stake,
        last_update: &last_update,
        block_at_registration: &registered,
        validator_permit: &permits,
        weights: &weights,
        bonds: &bonds,
        owner_uid,
        commit_blocks: use_commits.then_some(commit_blocks.as_slice()),
    };
    run_epoch(&params, &state).unwrap()
}

#[test]
fn random_subnets_match_the_reference_transcription() {
    let outputs: Vec<EpochOutput> = (0..40).map(random_case).collect();
    // The cases must exercise the interesting paths, not degenerate to zeros.
    let with_incentive = outputs.iter().filter(|o| o.incentive.iter().any(|&i| i > 0)).count();
    let with_bonds = outputs.iter().filter(|o| o.bonds.iter().any(|b| !b.is_empty())).count();
    assert!(with_incentive >= 15 && with_bonds >= 20, "{with_incentive} / {with_bonds}");
    let digests: Vec<u64> = outputs.iter().map(digest).collect();
    let combined = digests.iter().fold(0xcbf2_9ce4_8422_2325, |h, d| fnv(&d.to_le_bytes(), h));
    if std::env::var("PRINT_DIGEST").is_ok() {
        println!("DIGEST {combined:#x}");
    }
    assert_eq!(combined, EXPECTED, "epoch results changed");
}

const EXPECTED: u64 = 0x1de8_e674_bd32_026c;

/// A large subnet's stored state, run at block 1080 after an epoch at 720.
struct BigSubnet<'a> {
    stake: &'a [u64],
    last_update: &'a [u64],
    registered: &'a [u64],
    permits: &'a [bool],
    weights: &'a [Vec<(u16, u16)>],
    bonds: &'a [Vec<(u16, u16)>],
}

impl BigSubnet<'_> {
    fn epoch_digest(&self, params: &EpochParams, owner_uid: Option<u16>) -> u64 {
        let state = SubnetState {
            block: 1_080,
            last_epoch_block: 720,
            emission: 1_000_000_000,
            stake: self.stake,
            last_update: self.last_update,
            block_at_registration: self.registered,
            validator_permit: self.permits,
            weights: self.weights,
            bonds: self.bonds,
            owner_uid,
            commit_blocks: None,
        };
        digest(&run_epoch(params, &state).unwrap())
    }
}

/// A 300-UID subnet with 100 full weight rows (30000 column × validator cells).
/// (The parallel median, from 2^17 cells, is checked against the frozen reference in
/// `subnet_core::yuma::reference`.)
#[test]
fn large_subnet_matches_the_reference_transcription() {
    let mut r = Rng::new(0xDEAD_BEEF);
    let n = 300usize;
    let stake: Vec<u64> = (0..n).map(|i| if i < 100 { 1 + r.below(1_000_000_000_000) } else { 0 }).collect();
    let weights: Vec<Vec<(u16, u16)>> =
        (0..n).map(|i| if i < 100 { (0..n as u16).map(|j| (j, r.below(65_536) as u16)).collect() } else { Vec::new() }).collect();
    let bonds: Vec<Vec<(u16, u16)>> = (0..n)
        .map(|i| if i < 100 { (0..n as u16).filter(|j| j % 3 == 0).map(|j| (j, r.below(65_536) as u16)).collect() } else { Vec::new() })
        .collect();
    let (lu, reg) = (vec![1_000u64; n], vec![0u64; n]);
    let permits: Vec<bool> = (0..n).map(|i| i < 100).collect();
    let mut digests = Vec::new();
    for yuma3 in [false, true] {
        let params = EpochParams { max_allowed_validators: 128, yuma3_enabled: yuma3, liquid_alpha_enabled: yuma3, ..Default::default() };
        let subnet = BigSubnet { stake: &stake, last_update: &lu, registered: &reg, permits: &permits, weights: &weights, bonds: &bonds };
        digests.push(subnet.epoch_digest(&params, None));
    }
    if std::env::var("PRINT_DIGEST").is_ok() {
        println!("LARGE {:#x} {:#x}", digests[0], digests[1]);
    }
    assert_eq!(digests, LARGE_EXPECTED, "epoch results changed");
}

const LARGE_EXPECTED: [u64; 2] = [0x97a1_40da_8ecd_06a5, 0x16be_368e_508d_d37c];

/// A 700-UID subnet with 100 full weight rows (70000 weight entries), bonds penalty
/// interpolation, an owner and recently registered miners.
#[test]
fn very_large_subnet_matches_the_reference_transcription() {
    let mut r = Rng::new(0x00C0_FFEE);
    let (n, v) = (700usize, 100usize);
    let stake: Vec<u64> = (0..n).map(|i| if i < v { 1 + r.below(1_000_000_000_000) } else { r.below(3) }).collect();
    let weights: Vec<Vec<(u16, u16)>> =
        (0..n).map(|i| if i < v { (0..n as u16).map(|j| (j, r.below(65_536) as u16)).collect() } else { Vec::new() }).collect();
    let bonds: Vec<Vec<(u16, u16)>> = (0..n)
        .map(|i| if i < v { (0..n as u16).filter(|j| j % 3 != 1).map(|j| (j, r.below(65_536) as u16)).collect() } else { Vec::new() })
        .collect();
    let lu: Vec<u64> = (0..n).map(|_| 900 + r.below(200)).collect();
    let reg: Vec<u64> = (0..n).map(|_| if r.chance(5) { 1_000 } else { 0 }).collect();
    let permits: Vec<bool> = (0..n).map(|i| i < v).collect();
    let mut digests = Vec::new();
    for (yuma3, penalty) in [(false, 65_535), (false, 20_000), (true, 65_535)] {
        let params = EpochParams {
            max_allowed_validators: 128,
            yuma3_enabled: yuma3,
            liquid_alpha_enabled: yuma3,
            bonds_penalty: penalty,
            ..Default::default()
        };
        let subnet = BigSubnet { stake: &stake, last_update: &lu, registered: &reg, permits: &permits, weights: &weights, bonds: &bonds };
        digests.push(subnet.epoch_digest(&params, Some(3)));
    }
    if std::env::var("PRINT_DIGEST").is_ok() {
        println!("VERY {:#x} {:#x} {:#x}", digests[0], digests[1], digests[2]);
    }
    assert_eq!(digests, VERY_LARGE_EXPECTED, "epoch results changed");
}

const VERY_LARGE_EXPECTED: [u64; 3] = [0x1f2b_91f7_1fa9_f4a8, 0x8c2c_b72d_3c00_8e22, 0x7a79_9338_364c_140b];
