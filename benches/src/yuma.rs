//! One Yuma epoch on a subnet of `n` UIDs where `validators` validators set full
//! weight rows (every UID), starting from bonds a previous epoch produced; and, for
//! comparison, the same with sparse rows (each validator weights one UID in ten), which
//! take the epoch's sparse passes.

use subnet_core::testing::XorShift;
use subnet_core::yuma::{run_epoch, EpochParams, SubnetState};

use crate::{median_time, Row};

struct Subnet {
    stake: Vec<u64>,
    last_update: Vec<u64>,
    registered: Vec<u64>,
    permits: Vec<bool>,
    weights: Vec<Vec<(u16, u16)>>,
    bonds: Vec<Vec<(u16, u16)>>,
}

impl Subnet {
    /// Validators weight each UID with probability `density` percent.
    fn new(n: usize, validators: usize, density: u64) -> Self {
        let mut rng = XorShift::new(0x9E37_79B9_7F4A_7C15 ^ n as u64);
        let stake = (0..n).map(|i| if i < validators { 1_000_000_000 + rng.next_u64() % 1_000_000_000_000 } else { 0 }).collect();
        let weights = (0..n)
            .map(|i| {
                if i < validators {
                    (0..n as u16)
                        .filter_map(|j| {
                            let kept = density >= 100 || rng.next_u64() % 100 < density;
                            kept.then(|| (j, (rng.next_u64() % 65_536) as u16))
                        })
                        .collect()
                } else {
                    Vec::new()
                }
            })
            .collect();
        Self {
            stake,
            last_update: vec![1_000; n],
            registered: vec![0; n],
            permits: (0..n).map(|i| i < validators).collect(),
            weights,
            bonds: vec![Vec::new(); n],
        }
    }

    fn state(&self) -> SubnetState<'_> {
        SubnetState {
            block: 1_080,
            last_epoch_block: 720,
            emission: 1_000_000_000,
            stake: &self.stake,
            last_update: &self.last_update,
            block_at_registration: &self.registered,
            validator_permit: &self.permits,
            weights: &self.weights,
            bonds: &self.bonds,
            owner_uid: None,
            commit_blocks: None,
        }
    }
}

pub(crate) fn run() -> Vec<Row> {
    let only_n: Option<usize> = std::env::var("BENCH_N").ok().and_then(|v| v.parse().ok());
    // BENCH_RUNS overrides the run count (e.g. a long run to profile under `perf`).
    let runs_override: Option<usize> = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok());
    // (n, validators, runs, row density in percent). Enough runs that the median spans
    // a few hundred ms: a shared machine's short stalls then do not move it.
    let cases = [(256usize, 64usize, 2000usize, 100u64), (1024, 64, 300, 100), (4096, 256, 15, 100), (256, 64, 2000, 10), (4096, 256, 15, 10)];
    let cases = cases.into_iter().filter(|c| only_n.is_none_or(|n| n == c.0));
    let mut rows = Vec::new();
    for yuma3 in [false, true] {
        let params = EpochParams { max_allowed_validators: 256, yuma3_enabled: yuma3, ..EpochParams::default() };
        for (n, validators, runs, density) in cases.clone() {
            let mut subnet = Subnet::new(n, validators, density);
            // Start from the bonds one epoch leaves, as on a running subnet.
            subnet.bonds = run_epoch(&params, &subnet.state()).expect("consistent state").bonds;
            let t = median_time(runs_override.unwrap_or(runs), || {
                std::hint::black_box(run_epoch(&params, &subnet.state()).expect("consistent state"));
            });
            let mut params = vec![("n", n.into()), ("validators", validators.into()), ("runs", runs.into()), ("density", density.into())];
            if density == 100 {
                // Full rows take the dense passes, on this many cells per instruction.
                params.push(("lanes", subnet_core::yuma::lane_width().into()));
            }
            rows.push(Row {
                name: format!("{}{}", if yuma3 { "yuma3_epoch" } else { "yuma_epoch" }, if density < 100 { "_sparse" } else { "" }),
                value: t.as_secs_f64() * 1e6,
                unit: "us",
                params,
            });
        }
    }
    rows
}
