//! A frozen copy of the epoch as it was before the CSR rewrite (commit 17c2b06), kept
//! only for tests: the differential test below runs both on many random subnets,
//! including inputs the chain never stores (duplicate and out-of-range columns,
//! unsorted rows, saturating stakes), and requires identical outputs.

pub(super) mod epoch;
#[allow(dead_code)]
pub(super) mod fixed_math;

#[cfg(test)]
mod tests {
    use crate::rng::XorShift as Rng;
    use crate::yuma::lanes::Simd;
    use crate::yuma::{run_epoch, EpochParams, SubnetState};

    fn random_row(r: &mut Rng, n: usize, density: u64, style: u64) -> Vec<(u16, u16)> {
        let mut row: Vec<(u16, u16)> = Vec::new();
        for j in 0..n as u16 {
            if r.chance(density) {
                let w = match r.below(12) {
                    0 => 0,
                    1 => u16::MAX,
                    2 => 1,
                    _ => r.below(65_536) as u16,
                };
                row.push((j, w));
            }
        }
        match style {
            // unsorted
            0 => row.reverse(),
            1 => {
                for k in (1..row.len()).rev() {
                    let o = r.below(k as u64 + 1) as usize;
                    row.swap(k, o);
                }
            }
            // duplicates and out-of-range columns
            2 => {
                for _ in 0..1 + r.below(4) {
                    if !row.is_empty() {
                        let k = r.below(row.len() as u64) as usize;
                        let e = (row[k].0, r.below(65_536) as u16);
                        row.insert(r.below(row.len() as u64 + 1) as usize, e);
                    }
                    if r.chance(50) {
                        row.push(((n as u64 + r.below(5)) as u16, r.below(65_536) as u16));
                    }
                }
            }
            _ => {}
        }
        row
    }

    fn check_case(seed: u64) {
        let mut r = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let n = match r.below(10) {
            0 => r.below(3) as usize,
            1..=6 => 1 + r.below(40) as usize,
            _ => 40 + r.below(260) as usize,
        };
        let block = 5_000 + r.below(2_000);
        let params = EpochParams {
            kappa: [32_767, 40_000, 10_000, 0, 65_535][r.below(5) as usize],
            bonds_moving_average: [900_000, 975_000, 0, 500_000, 1_000_000, 2_000_000][r.below(6) as usize],
            max_allowed_validators: r.below(n as u64 + 2) as u16,
            activity_cutoff: 500 + r.below(3_000),
            liquid_alpha_enabled: r.chance(40),
            alpha_low: 20_000 + r.below(20_000) as u16,
            alpha_high: 45_000 + r.below(20_000) as u16,
            alpha_sigmoid_steepness: [1_000, 10, 300, -50, 0][r.below(5) as usize],
            yuma3_enabled: r.chance(50),
            bonds_penalty: [65_535, 0, 32_768, 1_000, 65_534][r.below(5) as usize],
            stake_threshold: [0, 1_000][r.below(2) as usize],
            tempo: 360,
        };
        let big = r.chance(10);
        let stake: Vec<u64> = (0..n)
            .map(|_| match r.below(10) {
                0 if big => u64::MAX - r.below(3),
                0..=3 => r.below(1_000_000_000_000),
                4 => 0,
                _ => r.below(2_000),
            })
            .collect();
        let last_update: Vec<u64> = (0..n).map(|_| block.saturating_sub(r.below(4_000))).collect();
        let registered: Vec<u64> = (0..n).map(|_| if r.chance(20) { block.saturating_sub(r.below(800)) } else { r.below(100) }).collect();
        let permits: Vec<bool> = (0..n).map(|_| r.chance(60)).collect();
        let wdensity = [100, 70, 20, 3][r.below(4) as usize];
        let bdensity = [100, 50, 10][r.below(3) as usize];
        let unsorted = r.chance(30);
        let weights: Vec<Vec<(u16, u16)>> = (0..n)
            .map(|_| {
                let style = if unsorted { r.below(5) } else { 9 };
                if r.chance(70) {
                    random_row(&mut r, n, wdensity, style)
                } else {
                    Vec::new()
                }
            })
            .collect();
        let bonds: Vec<Vec<(u16, u16)>> = (0..n)
            .map(|_| {
                let style = if unsorted { r.below(5) } else { 9 };
                if r.chance(60) {
                    random_row(&mut r, n, bdensity, style)
                } else {
                    Vec::new()
                }
            })
            .collect();
        let commit_blocks: Vec<u64> = (0..n).map(|_| if r.chance(30) { block.saturating_sub(r.below(900)) } else { u64::MAX }).collect();
        let use_commits = r.chance(30);
        let owner_uid = r.chance(30).then(|| r.below(n as u64 + 1) as u16);
        let state = SubnetState {
            block,
            last_epoch_block: [0, block - 360, block, 1][r.below(4) as usize],
            emission: [r.below(10_000_000_000), u64::MAX, 0][r.below(3) as usize],
            stake: &stake,
            last_update: &last_update,
            block_at_registration: &registered,
            validator_permit: &permits,
            weights: &weights,
            bonds: &bonds,
            owner_uid,
            commit_blocks: use_commits.then_some(commit_blocks.as_slice()),
        };
        let fast = run_epoch(&params, &state);
        let reference = super::epoch::run_epoch(&params, &state);
        assert_eq!(fast, reference, "seed {seed}: {params:?}");
    }

    #[test]
    fn epoch_matches_the_frozen_reference_on_random_subnets() {
        let cases: u64 = std::env::var("YUMA_DIFF_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_500);
        for seed in 0..cases {
            check_case(seed);
        }
    }

    /// Big enough for the parallel median (over 2^17 column × validator cells), with
    /// full rows, a few unsorted or duplicated, and bonds from a previous epoch.
    #[test]
    fn large_subnet_matches_the_frozen_reference() {
        let mut r = Rng::new(0x0BAD_CAFE);
        let (n, v) = (700usize, 200usize);
        let stake: Vec<u64> = (0..n).map(|i| if i < v { 1 + r.below(1_000_000_000_000) } else { r.below(3) }).collect();
        let weights: Vec<Vec<(u16, u16)>> = (0..n)
            .map(|i| {
                if i >= v {
                    return Vec::new();
                }
                let mut row: Vec<(u16, u16)> = (0..n as u16).map(|j| (j, r.below(65_536) as u16)).collect();
                match i % 17 {
                    0 => row.reverse(),
                    1 => row.push((5, 40_000)),
                    _ => {}
                }
                row
            })
            .collect();
        let lu: Vec<u64> = (0..n).map(|_| 900 + r.below(200)).collect();
        let reg: Vec<u64> = (0..n).map(|_| if r.chance(5) { 1_000 } else { 0 }).collect();
        let permits: Vec<bool> = (0..n).map(|i| i < v).collect();
        for (yuma3, liquid, penalty) in
            [(false, false, 65_535), (false, false, 30_000), (true, false, 65_535), (true, true, 65_535), (true, false, 0)]
        {
            let params = EpochParams {
                max_allowed_validators: 256,
                yuma3_enabled: yuma3,
                liquid_alpha_enabled: liquid,
                bonds_penalty: penalty,
                ..Default::default()
            };
            let mut bonds: Vec<Vec<(u16, u16)>> = vec![Vec::new(); n];
            for block in [1_080u64, 1_440] {
                let state = SubnetState {
                    block,
                    last_epoch_block: block - 360,
                    emission: 1_000_000_000,
                    stake: &stake,
                    last_update: &lu,
                    block_at_registration: &reg,
                    validator_permit: &permits,
                    weights: &weights,
                    bonds: &bonds,
                    owner_uid: Some(3),
                    commit_blocks: None,
                };
                let fast = run_epoch(&params, &state).unwrap();
                let reference = super::epoch::run_epoch(&params, &state).unwrap();
                assert!(fast == reference, "{params:?} at block {block}");
                bonds = fast.bonds;
            }
        }
    }

    /// Subnets the dense epoch takes (no column named twice in a row, bonds following
    /// the clipped weights, no liquid alpha), over three epochs each so that bonds the
    /// epoch wrote are read back; fails if too few took the dense path.
    #[test]
    fn dense_epochs_match_the_frozen_reference() {
        // Each lane width this CPU has, through the whole epoch.
        for simd in [Simd::One, Simd::Avx2, Simd::Avx512] {
            Simd::force(simd, dense_epochs_match_the_frozen_reference_with);
        }
    }

    fn dense_epochs_match_the_frozen_reference_with() {
        let cases: u64 = std::env::var("YUMA_DIFF_CASES").ok().and_then(|v| v.parse().ok()).map_or(300, |c: u64| c / 5);
        let dense_before = crate::yuma::dense_epochs();
        let mut epochs = 0;
        for seed in 0..cases {
            let mut r = Rng::new(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
            let n = 1 + r.below(300) as usize;
            let validators = 1 + r.below(n.min(64) as u64) as usize;
            let params = EpochParams {
                kappa: [32_767, 40_000, 0, 65_535][r.below(4) as usize],
                bonds_moving_average: [900_000, 975_000, 0, 1_000_000, 2_000_000][r.below(5) as usize],
                max_allowed_validators: [64, 256, 3][r.below(3) as usize],
                liquid_alpha_enabled: r.chance(30),
                yuma3_enabled: r.chance(50),
                stake_threshold: [0, 1_000][r.below(2) as usize],
                ..EpochParams::default()
            };
            let stake: Vec<u64> = (0..n)
                .map(|i| match (i < validators, r.below(12)) {
                    (_, 0) => 0,
                    (true, 1) => u64::MAX - r.below(3),
                    (true, _) => 1_000 + r.below(1_000_000_000_000),
                    (false, _) => r.below(2_000),
                })
                .collect();
            let density = [100, 100, 90, 50, 15][r.below(5) as usize];
            let weights: Vec<Vec<(u16, u16)>> = (0..n)
                .map(|i| {
                    if i >= validators && !r.chance(5) {
                        return Vec::new();
                    }
                    let style = [0, 1, 9][r.below(3) as usize];
                    let mut row = random_row(&mut r, n, density, style);
                    if r.chance(10) {
                        // A UID past the end is ignored, not a second cell of a column.
                        row.push(((n as u64 + r.below(5)) as u16, r.below(65_536) as u16));
                    }
                    row
                })
                .collect();
            let mut block = 5_000 + r.below(1_000);
            let last_update: Vec<u64> = (0..n).map(|_| block.saturating_sub(r.below(6_000))).collect();
            // Some subnets with no recent registration: full rows then skip the masks.
            let recent = if r.chance(30) { 0 } else { 10 };
            let registered: Vec<u64> = (0..n).map(|_| if r.chance(recent) { block.saturating_sub(r.below(800)) } else { r.below(100) }).collect();
            let mut permits: Vec<bool> = (0..n).map(|i| i < validators || r.chance(5)).collect();
            let commit_blocks: Vec<u64> = (0..n).map(|_| if r.chance(20) { block.saturating_sub(r.below(900)) } else { u64::MAX }).collect();
            let use_commits = r.chance(20);
            let owner_uid = r.chance(30).then(|| r.below(n as u64) as u16);
            let mut bonds: Vec<Vec<(u16, u16)>> = vec![Vec::new(); n];
            let mut last_epoch_block = 0;
            for _ in 0..3 {
                let state = SubnetState {
                    block,
                    last_epoch_block,
                    emission: 1_000_000_000,
                    stake: &stake,
                    last_update: &last_update,
                    block_at_registration: &registered,
                    validator_permit: &permits,
                    weights: &weights,
                    bonds: &bonds,
                    owner_uid,
                    commit_blocks: use_commits.then_some(commit_blocks.as_slice()),
                };
                let fast = run_epoch(&params, &state).unwrap();
                let reference = super::epoch::run_epoch(&params, &state).unwrap();
                assert!(fast == reference, "seed {seed}, block {block}: {params:?}");
                epochs += 1;
                permits = fast.validator_permit;
                bonds = fast.bonds;
                last_epoch_block = block;
                block += 360;
            }
        }
        let dense = crate::yuma::dense_epochs() - dense_before;
        assert!(dense * 10 >= epochs * 6, "only {dense} of {epochs} epochs took the dense path");
    }
}
