//! The epoch's passes over weights and bonds on dense rows.
//!
//! When validators weight most UIDs (the usual subnet, and the benchmark's), each
//! non-empty weight, bond and EMA row is held as `n` cells, so every pass walks a row
//! and the column vectors (consensus, divisors, sums) in step and runs on [`Lanes`]:
//! eight cells at a time where the CPU has AVX-512 (F and DQ), four where it has AVX2,
//! one otherwise.
//!
//! The results are the sparse passes' (`epoch.rs`), bit for bit. A cell absent from a
//! sparse row is a zero cell here, and each step maps a zero cell to what an absent one
//! gives: it adds nothing to a row or column sum (all terms are non-negative, where
//! saturating sums do not depend on order), a zero weight clips to zero, and only
//! positive EMA cells are stored. Where that argument does not hold the caller keeps the
//! sparse passes: a row naming a column twice (the sparse rows add both cells, a dense
//! row holds one), bond weights other than the clipped weights, and liquid alpha.
//!
//! Wide lanes need their operands in range (see `lanes.rs`); the epoch's quantities are
//! proportions by construction (normalised weights and stakes, clipped weights at most
//! the weights, bonds, EMAs of proportions), and each dividend is a cell of the row or
//! column whose sum divides it. What is not proven that way is checked per pass (alpha
//! in [0, 1], every divisor below 2^62 bits), and a pass that fails the check runs on
//! one lane.

use substrate_fixed::types::I32F32;

use crate::yuma::lanes::{LaneDivisors, Lanes, Simd};

use super::{dropped_self_weight, kept_weights, registration_mask_may_apply, Buffers, MedianInput, SubnetState};
use crate::yuma::fixed_math::Divisor;

/// Runs `$pass::<L>(args)` on the lanes `$simd` names (detected by the caller).
macro_rules! on_lanes {
    ($simd:expr, $pass:ident($($arg:expr),* $(,)?)) => {{
        match $simd {
            // SAFETY: `Simd::detect` found the instructions these lanes use.
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => unsafe { avx512_passes::$pass($($arg),*) },
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => unsafe { avx2_passes::$pass($($arg),*) },
            _ => $pass::<i64>($($arg),*),
        }
    }};
}

/// The passes on wide lanes, compiled with the CPU features the lanes use, so that the
/// lane operations (inlined into them, with the intrinsics they call) become those
/// instructions.
macro_rules! passes_on {
    ($module:ident, $lanes:ident, $features:literal) => {
        #[cfg(target_arch = "x86_64")]
        mod $module {
            use super::{EmaCells, LaneDivisors};
            use crate::yuma::lanes::$lanes;

            #[target_feature(enable = $features)]
            pub(super) fn normalise_row(row: &mut [i64], row_sum: i64, recip: f64, s: i64, preranks: &mut [i64]) {
                super::normalise_row::<$lanes>(row, row_sum, recip, s, preranks)
            }

            #[target_feature(enable = $features)]
            pub(super) fn clip_row(row: &mut [i64], consensus: &[i64], s: i64, ranks: &mut [i64]) -> i64 {
                super::clip_row::<$lanes>(row, consensus, s, ranks)
            }

            #[target_feature(enable = $features)]
            pub(super) fn add_row(row: &[i64], sums: &mut [i64]) {
                super::add_row::<$lanes>(row, sums)
            }

            #[target_feature(enable = $features)]
            pub(super) fn ema_row(row: &EmaCells<'_>, out: &mut [i64], sums: &mut [i64], maxima: &mut [i64]) {
                super::ema_row::<$lanes>(row, out, sums, maxima)
            }

            #[target_feature(enable = $features)]
            pub(super) fn finish_row(row: &[i64], divisors: &LaneDivisors, incentive: &[i64], max: Option<&LaneDivisors>, stored: &mut [i64]) -> i64 {
                super::finish_row::<$lanes>(row, divisors, incentive, max, stored)
            }
        }
    };
}

passes_on!(avx2_passes, Avx2, "avx2");
passes_on!(avx512_passes, Avx512, "avx512f,avx512dq");

const NO_ROW: u32 = u32::MAX;

/// Rows of `n` cells for some UIDs, in one buffer.
struct DenseRows {
    n: usize,
    /// Cells from one row's start to the next's (`n` and padding).
    stride: usize,
    /// Per UID, the index of its row, or `NO_ROW`.
    slot: Vec<u32>,
    /// The UID of each row.
    uids: Vec<usize>,
    cells: Vec<i64>,
}

impl DenseRows {
    fn new(n: usize, mut cells: Vec<i64>) -> Self {
        cells.clear();
        Self {
            n,
            // Rows a power-of-two number of bytes apart would share a few cache sets, and
            // reading a column across them (the median) would evict its own lines; a
            // stride of an odd number of cache lines spreads them over every set.
            stride: (n.div_ceil(8) | 1) * 8,
            slot: vec![NO_ROW; n],
            uids: Vec::new(),
            cells,
        }
    }

    /// A new row of zeros for `uid`.
    fn add(&mut self, uid: usize) -> &mut [i64] {
        self.slot[uid] = self.uids.len() as u32;
        self.uids.push(uid);
        let start = self.cells.len();
        self.cells.resize(start + self.stride, 0);
        &mut self.cells[start..start + self.n]
    }

    /// Where row `uid` starts in `cells`.
    fn start_of(&self, uid: usize) -> Option<usize> {
        let s = self.slot[uid];
        (s != NO_ROW).then_some(s as usize * self.stride)
    }

    fn row(&self, uid: usize) -> Option<&[i64]> {
        self.start_of(uid).map(|s| &self.cells[s..s + self.n])
    }

    fn rows_mut(&mut self) -> impl Iterator<Item = (usize, &mut [i64])> {
        let n = self.n;
        let rows = self.cells.chunks_exact_mut(self.stride).map(move |r| &mut r[..n]);
        self.uids.iter().copied().zip(rows)
    }

    fn rows(&self) -> impl Iterator<Item = (usize, &[i64])> {
        let rows = self.cells.chunks_exact(self.stride).map(|r| &r[..self.n]);
        self.uids.iter().copied().zip(rows)
    }

    fn into_cells(self) -> Vec<i64> {
        self.cells
    }
}

/// The dense epoch's state between its passes.
pub(super) struct DenseEpoch {
    n: usize,
    /// The widest lanes of this CPU.
    simd: Simd,
    /// Normalised weights, clipped in place by [`DenseEpoch::clip`].
    weights: DenseRows,
    /// Stored bonds, masked and converted to fixed point.
    bonds: DenseRows,
    ema: DenseRows,
    /// Every EMA cell lies in [0, 1]: true when alpha does.
    ema_in_unit_range: bool,
}

impl DenseEpoch {
    /// Reads the weights as the chain masks and normalises them, and the stored bonds
    /// (cells of columns >= n or of `forgotten` columns dropped, each through
    /// `bond_value`), or `None` when the rows are too sparse to hold densely or a row
    /// names a column twice. Returns the pre-clip ranks with it.
    pub(super) fn read(
        state: &SubnetState<'_>,
        permits: &[bool],
        active: &[i64],
        forgotten: &[bool],
        bond_value: impl Fn(u16) -> i64,
        buffers: &mut Buffers,
    ) -> Option<(Self, Vec<i64>)> {
        let n = state.stake.len();
        let weight_rows = (0..n).filter(|&i| permits[i] && !state.weights[i].is_empty());
        let (rows, cells) = weight_rows.fold((0usize, 0usize), |(r, c), i| (r + 1, c + state.weights[i].len()));
        // Below one cell in eight, dense rows cost more than the sparse passes save.
        if n == 0 || rows == 0 || cells.saturating_mul(8) < rows * n {
            return None;
        }
        let [w_cells, b_cells, e_cells] = std::mem::take(&mut buffers.dense);
        let mut epoch = Self {
            n,
            simd: Simd::detect(),
            weights: DenseRows::new(n, w_cells),
            bonds: DenseRows::new(n, b_cells),
            ema: DenseRows::new(n, e_cells),
            ema_in_unit_range: false,
        };
        let read = epoch.read_weights(state, permits, active);
        if read.is_none() || !epoch.read_bonds(state, forgotten, bond_value) {
            epoch.give_back(buffers);
            return None;
        }
        read.map(|r| (epoch, r))
    }

    fn read_weights(&mut self, state: &SubnetState<'_>, permits: &[bool], active: &[i64]) -> Option<Vec<i64>> {
        let n = self.n;
        let mut preranks = vec![0i64; n];
        let mut seen = vec![u32::MAX; n];
        let latest_registration = state.block_at_registration.iter().copied().max().unwrap_or(0);
        for i in (0..n).filter(|&i| permits[i] && !state.weights[i].is_empty()) {
            let row = self.weights.add(i);
            let cells = &state.weights[i];
            let row_sum = if cells.len() == n && names_each_column_in_order(cells) && !registration_mask_may_apply(state, i, latest_registration) {
                full_weight_row(cells, dropped_self_weight(state, i), row)
            } else {
                let mut row_sum = 0i64;
                let mut increasing = Increasing::default();
                for (j, v) in kept_weights(state, i, latest_registration) {
                    let j = j as usize;
                    increasing.next(j);
                    row[j] = v;
                    row_sum = row_sum.saturating_add(v);
                }
                if !increasing.holds() {
                    let cols = kept_weights(state, i, latest_registration).map(|(j, _)| j as usize);
                    if repeats_a_column(cols, &mut seen, i as u32) {
                        return None;
                    }
                }
                row_sum
            };
            // Chain: `inplace_row_normalize_sparse` (a row summing to 0 is left as it is),
            // with the pre-clip rank terms while the row is hot.
            let d = Divisor::new(I32F32::from_bits(row_sum));
            let lanes = self.simd.when(row_sum < 1 << 62);
            on_lanes!(lanes, normalise_row(row, row_sum, d.reciprocal(), active[i], &mut preranks));
        }
        Some(preranks)
    }

    fn read_bonds(&mut self, state: &SubnetState<'_>, forgotten: &[bool], bond_value: impl Fn(u16) -> i64) -> bool {
        let n = self.n;
        let mut seen = vec![u32::MAX; n];
        for (i, cells) in state.bonds.iter().enumerate().take(n).filter(|(_, r)| !r.is_empty()) {
            let row = self.bonds.add(i);
            let mut increasing = Increasing::default();
            for &(j, b) in cells {
                let j = j as usize;
                if j >= n {
                    continue;
                }
                increasing.next(j);
                if !forgotten[j] {
                    row[j] = bond_value(b);
                }
            }
            if !increasing.holds() {
                let cols = cells.iter().map(|&(j, _)| j as usize).filter(|&j| j < n);
                if repeats_a_column(cols, &mut seen, i as u32) {
                    return false;
                }
            }
        }
        true
    }

    /// The consensus of the (normalised) weights: see [`MedianInput::consensus`]. Each
    /// column is read across the rows, which stay in cache over the columns that share
    /// their cache lines.
    pub(super) fn consensus(&mut self, median: &MedianInput, majority: I32F32) -> Vec<i64> {
        let n = self.n;
        // Validators the median counts but who set no weights read a row of zeros, kept
        // after the last row (no UID's).
        let zeros = self.weights.cells.len();
        self.weights.cells.resize(zeros + n, 0);
        let mut row_starts = vec![zeros; median.rows()];
        for uid in 0..n {
            if let (Some(k), Some(start)) = (median.row_of(uid), self.weights.start_of(uid)) {
                row_starts[k] = start;
            }
        }
        let cells = &self.weights.cells;
        median.consensus(n, majority, |c, scores| {
            scores.clear();
            scores.extend(row_starts.iter().map(|&start| cells[start + c]));
        })
    }

    /// Chain: `col_clip_sparse` (for non-negative cells and consensus, clipping is the
    /// minimum: a cell clipped to a consensus of 0 becomes 0, as if dropped),
    /// `row_sum_sparse` (validator trust) and `matmul_sparse` by active stake (ranks).
    /// The weights become the clipped weights.
    pub(super) fn clip(&mut self, consensus: &[i64], active: &[i64]) -> (Vec<i64>, Vec<i64>) {
        let mut validator_trust = vec![0i64; self.n];
        let mut ranks = vec![0i64; self.n];
        for (i, row) in self.weights.rows_mut() {
            validator_trust[i] = on_lanes!(self.simd, clip_row(row, consensus, active[i], &mut ranks));
        }
        (validator_trust, ranks)
    }

    /// Saturating column sums of the stored bonds.
    pub(super) fn bond_col_sums(&self) -> Vec<i64> {
        let mut sums = vec![0i64; self.n];
        for (_, row) in self.bonds.rows() {
            on_lanes!(self.simd, add_row(row, &mut sums));
        }
        sums
    }

    /// Chain: `mat_ema_sparse(new, old, alpha)` with new = the clipped weights and old = the
    /// stored bonds, per cell `alpha * new + (1 - alpha) * old`. Classic Yuma passes
    /// `delta`, the column sums of ΔB = W∘S (new cells become `mul(w, S_i) / delta_j`),
    /// and `old_sums`, the bonds' (old cells become `b / old_sums_j`); Yuma3 passes
    /// neither. Returns the EMA's column sums and maxima.
    pub(super) fn ema(&mut self, alpha: i64, active: &[i64], delta: Option<&LaneDivisors>, old_sums: Option<&LaneDivisors>) -> (Vec<i64>, Vec<i64>) {
        let n = self.n;
        let one_minus_alpha = (1i64 << 32).saturating_sub(alpha);
        // alpha * new + (1 - alpha) * old for new, old in [0, 1] is in [0, 1] too.
        self.ema_in_unit_range = (0..=1 << 32).contains(&alpha);
        let lanes = self.simd.when(self.ema_in_unit_range && delta.is_none_or(LaneDivisors::fast) && old_sums.is_none_or(LaneDivisors::fast));
        let mut sums = vec![0i64; n];
        let mut maxima = vec![0i64; n];
        let ema = &mut self.ema;
        for (i, &s) in active.iter().enumerate().take(n) {
            let (new, old) = (self.weights.row(i), self.bonds.row(i));
            if new.is_none() && old.is_none() {
                continue;
            }
            let cells = EmaCells { new, s, alpha, delta, old, one_minus_alpha, old_sums };
            let out = ema.add(i);
            on_lanes!(lanes, ema_row(&cells, out, &mut sums, &mut maxima));
        }
        (sums, maxima)
    }

    /// One pass over the EMA bonds: per row, `SUM_j normalised_ij * incentive_j` with
    /// `normalised` the cell over its column's sum (`col_sums`, unchanged where 0); and
    /// the rows as stored, for neurons holding a permit after this epoch (others
    /// cleared): the positive cells, each normalised then divided by `max` when given
    /// (classic: column max-upscaled) or raw (Yuma3), as a u16 proportion.
    pub(super) fn finish(
        &self,
        col_sums: &[i64],
        incentive: &[i64],
        permits: &[bool],
        max: Option<&LaneDivisors>,
    ) -> (Vec<i64>, Vec<Vec<(u16, u16)>>) {
        let n = self.n;
        let divisors = LaneDivisors::new(col_sums);
        let lanes = self.simd.when(self.ema_in_unit_range && divisors.fast() && max.is_none_or(LaneDivisors::fast));
        let mut dots = vec![0i64; n];
        let mut stored: Vec<Vec<(u16, u16)>> = vec![Vec::new(); n];
        let mut out = vec![0i64; n];
        for (i, row) in self.ema.rows() {
            dots[i] = on_lanes!(lanes, finish_row(row, &divisors, incentive, max, &mut out));
            if permits[i] {
                stored[i] = positive_cells(row, &out);
            }
        }
        (dots, stored)
    }

    /// Returns the row buffers for the next epoch.
    pub(super) fn give_back(self, buffers: &mut Buffers) {
        buffers.dense = [self.weights.into_cells(), self.bonds.into_cells(), self.ema.into_cells()];
    }
}

/// True when the row's cells are columns 0, 1, 2, ... in order.
fn names_each_column_in_order(cells: &[(u16, u16)]) -> bool {
    // One fold without an early exit, which the compiler turns into vector compares.
    cells.iter().enumerate().fold(true, |ok, (k, &(j, _))| ok & (j as usize == k))
}

/// A weight row naming every column once, in order, with no registration mask to
/// apply: the cells as fixed-point bits, the self-weight (`dropped`) cleared, and the
/// row's saturating sum, as [`kept_weights`] would give them.
fn full_weight_row(cells: &[(u16, u16)], dropped: Option<usize>, row: &mut [i64]) -> i64 {
    let mut total: u64 = 0;
    for (x, &(_, w)) in row.iter_mut().zip(cells) {
        *x = (w as i64) << 32;
        total += w as u64;
    }
    if let Some(d) = dropped {
        total -= cells[d].1 as u64;
        row[d] = 0;
    }
    // Non-negative terms: the saturating sum is the exact sum capped at i64::MAX.
    if total >= 1 << 31 {
        i64::MAX
    } else {
        (total as i64) << 32
    }
}

/// Whether a row's columns, as read, are strictly increasing: then none repeats,
/// without the per-cell bookkeeping [`repeats_a_column`] needs.
struct Increasing {
    last: Option<usize>,
    holds: bool,
}

impl Default for Increasing {
    fn default() -> Self {
        Self { last: None, holds: true }
    }
}

impl Increasing {
    #[inline(always)]
    fn next(&mut self, j: usize) {
        self.holds &= self.last.is_none_or(|l| j > l);
        self.last = Some(j);
    }

    fn holds(&self) -> bool {
        self.holds
    }
}

/// True when `cols` names a column twice. `seen` holds, per column, the last `stamp`
/// that named it; each row passes its own stamp.
fn repeats_a_column(cols: impl Iterator<Item = usize>, seen: &mut [u32], stamp: u32) -> bool {
    for j in cols {
        if seen[j] == stamp {
            return true;
        }
        seen[j] = stamp;
    }
    false
}

/// The cells where `row` is positive, with their `values` as u16, in column order.
fn positive_cells(row: &[i64], values: &[i64]) -> Vec<(u16, u16)> {
    // Rows are mostly positive: take every cell (a loop the compiler vectorises), then
    // drop the others.
    let mut cells: Vec<(u16, u16)> = values.iter().enumerate().map(|(j, &u)| (j as u16, u as u16)).collect();
    let mut positive = row.iter().map(|e| *e > 0);
    cells.retain(|_| positive.next() == Some(true));
    cells
}

/// Where a row's vector part ends: the cells past it take one lane.
#[inline(always)]
fn lanes_end<L: Lanes>(len: usize) -> usize {
    len / L::WIDTH * L::WIDTH
}

/// Row normalisation (`row / row_sum`, unchanged when the sum is 0) and the pre-clip
/// rank terms `preranks_j += s * w_j`.
#[inline(always)]
fn normalise_row<L: Lanes>(row: &mut [i64], row_sum: i64, recip: f64, s: i64, preranks: &mut [i64]) {
    #[inline(always)]
    fn cells<L: Lanes>(row: &mut [i64], row_sum: i64, recip: f64, s: i64, preranks: &mut [i64], from: usize, to: usize) {
        let (d, r, s) = (L::splat(row_sum), L::splat_recip(recip), L::splat(s));
        for j in (from..to).step_by(L::WIDTH) {
            let x = L::load(&row[j..]).divide_unless_zero(d, r);
            x.store(&mut row[j..]);
            L::load(&preranks[j..]).sat_add(s.unit_mul(x)).store(&mut preranks[j..]);
        }
    }
    let end = lanes_end::<L>(row.len());
    cells::<L>(row, row_sum, recip, s, preranks, 0, end);
    cells::<i64>(row, row_sum, recip, s, preranks, end, row.len());
}

/// Clips a row at consensus in place; adds `s * clipped` to the ranks; returns the
/// row's clipped sum.
#[inline(always)]
fn clip_row<L: Lanes>(row: &mut [i64], consensus: &[i64], s: i64, ranks: &mut [i64]) -> i64 {
    #[inline(always)]
    fn cells<L: Lanes>(row: &mut [i64], consensus: &[i64], s: i64, ranks: &mut [i64], from: usize, to: usize) -> i64 {
        let s = L::splat(s);
        let mut total = L::zero();
        for j in (from..to).step_by(L::WIDTH) {
            let c = L::load(&row[j..]).minimum(L::load(&consensus[j..]));
            c.store(&mut row[j..]);
            total = total.sat_add(c);
            L::load(&ranks[j..]).sat_add(s.unit_mul(c)).store(&mut ranks[j..]);
        }
        total.sum()
    }
    let end = lanes_end::<L>(row.len());
    let wide = cells::<L>(row, consensus, s, ranks, 0, end);
    wide.saturating_add(cells::<i64>(row, consensus, s, ranks, end, row.len()))
}

/// `sums_j += row_j`, saturating.
#[inline(always)]
fn add_row<L: Lanes>(row: &[i64], sums: &mut [i64]) {
    #[inline(always)]
    fn cells<L: Lanes>(row: &[i64], sums: &mut [i64], from: usize, to: usize) {
        for j in (from..to).step_by(L::WIDTH) {
            L::load(&sums[j..]).sat_add(L::load(&row[j..])).store(&mut sums[j..]);
        }
    }
    let end = lanes_end::<L>(row.len());
    cells::<L>(row, sums, 0, end);
    cells::<i64>(row, sums, end, row.len());
}

/// Cells `j..` of a row over their columns' divisors (unchanged where a divisor is 0),
/// or unchanged without divisors.
#[inline(always)]
fn divide_by_column<L: Lanes>(x: L, divisors: Option<&LaneDivisors>, j: usize) -> L {
    match divisors {
        Some(d) => x.divide_unless_zero(L::load(&d.bits[j..]), L::load_recip(&d.recip[j..])),
        None => x,
    }
}

/// One EMA row's inputs (see [`DenseEpoch::ema`]); a missing row is all zeros.
struct EmaCells<'a> {
    new: Option<&'a [i64]>,
    s: i64,
    alpha: i64,
    delta: Option<&'a LaneDivisors>,
    old: Option<&'a [i64]>,
    one_minus_alpha: i64,
    old_sums: Option<&'a LaneDivisors>,
}

#[inline(always)]
fn ema_row<L: Lanes>(row: &EmaCells<'_>, out: &mut [i64], sums: &mut [i64], maxima: &mut [i64]) {
    #[inline(always)]
    fn cells<L: Lanes>(row: &EmaCells<'_>, out: &mut [i64], sums: &mut [i64], maxima: &mut [i64], from: usize, to: usize) {
        let (s, alpha, one_minus_alpha) = (L::splat(row.s), L::splat(row.alpha), L::splat(row.one_minus_alpha));
        for j in (from..to).step_by(L::WIDTH) {
            let mut e = L::zero();
            if let Some(new) = row.new {
                let mut w = L::load(&new[j..]);
                if row.delta.is_some() {
                    w = w.unit_mul(s);
                }
                e = alpha.unit_mul(divide_by_column::<L>(w, row.delta, j));
            }
            if let Some(old) = row.old {
                e = e.sat_add(one_minus_alpha.unit_mul(divide_by_column::<L>(L::load(&old[j..]), row.old_sums, j)));
            }
            // A negative cell (alpha outside [0, 1]) is one the sparse EMA does not keep.
            let e = e.maximum(L::zero());
            e.store(&mut out[j..]);
            L::load(&sums[j..]).sat_add(e).store(&mut sums[j..]);
            L::load(&maxima[j..]).maximum(e).store(&mut maxima[j..]);
        }
    }
    let end = lanes_end::<L>(out.len());
    cells::<L>(row, out, sums, maxima, 0, end);
    cells::<i64>(row, out, sums, maxima, end, out.len());
}

/// One EMA row's dividend term and its cells as stored (u16 proportions, in `stored`).
#[inline(always)]
fn finish_row<L: Lanes>(row: &[i64], divisors: &LaneDivisors, incentive: &[i64], max: Option<&LaneDivisors>, stored: &mut [i64]) -> i64 {
    #[inline(always)]
    fn cells<L: Lanes>(
        row: &[i64],
        divisors: &LaneDivisors,
        incentive: &[i64],
        max: Option<&LaneDivisors>,
        stored: &mut [i64],
        from: usize,
        to: usize,
    ) -> i64 {
        let mut dot = L::zero();
        for j in (from..to).step_by(L::WIDTH) {
            let e = L::load(&row[j..]);
            let normalised = divide_by_column::<L>(e, Some(divisors), j);
            dot = dot.sat_add(normalised.unit_mul(L::load(&incentive[j..])));
            let kept = if max.is_some() { divide_by_column::<L>(normalised, max, j) } else { e };
            kept.proportion_to_u16().store(&mut stored[j..]);
        }
        dot.sum()
    }
    let end = lanes_end::<L>(row.len());
    let wide = cells::<L>(row, divisors, incentive, max, stored, 0, end);
    wide.saturating_add(cells::<i64>(row, divisors, incentive, max, stored, end, row.len()))
}
