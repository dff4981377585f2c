//! The chain's sparse rows (`Vec<(column, value)>` per UID) and the row operations the
//! epoch still runs on them: the registration mask and the bond EMAs of the Yuma3 /
//! liquid-alpha path, in Subtensor's order (`pallets/subtensor/src/epoch/math.rs`).

use substrate_fixed::types::I32F32;

use super::{mul, SatOps, ONE, ZERO};

/// A sparse matrix row: `(column, value)` pairs, in whatever order the chain keeps them.
pub(crate) type SparseRow = Vec<(u16, I32F32)>;
/// A sparse matrix: one row per UID.
pub(crate) type SparseMatrix = Vec<SparseRow>;

/// Drop cell (i, j) where `mask_fn(scalar, vector[j])`.
pub(crate) fn scalar_vec_mask_sparse_matrix(m: &mut [SparseRow], scalar: u64, vector: &[u64], mask_fn: impl Fn(u64, u64) -> bool) {
    for row in m.iter_mut() {
        row.retain(|(j, _)| !mask_fn(scalar, vector.get(*j as usize).copied().unwrap_or(0)));
    }
}

/// Chain: `mat_ema_sparse`: `alpha * new + (1 - alpha) * old`, positives kept, column order.
pub(crate) fn mat_ema_sparse(new: &[SparseRow], old: &[SparseRow], alpha: I32F32) -> SparseMatrix {
    let n = new.len(); // the chain assumes a square matrix
    let one_minus_alpha = ONE.sat_sub(alpha);
    let mut acc = vec![ZERO; n];
    let mut out = Vec::with_capacity(n);
    for (i, new_row) in new.iter().enumerate() {
        let old_row: &[(u16, I32F32)] = old.get(i).map(|r| r.as_slice()).unwrap_or(&[]);
        if new_row.is_empty() && old_row.is_empty() {
            out.push(Vec::new()); // all zeros: nothing kept
            continue;
        }
        acc.iter_mut().for_each(|x| *x = ZERO);
        for &(j, v) in new_row {
            if let Some(c) = acc.get_mut(j as usize) {
                *c = c.sat_add(mul(alpha, v));
            }
        }
        for &(j, v) in old_row {
            if let Some(c) = acc.get_mut(j as usize) {
                *c = c.sat_add(mul(one_minus_alpha, v));
            }
        }
        let mut row = Vec::with_capacity(acc.iter().filter(|v| **v > ZERO).count());
        row.extend(acc.iter().enumerate().filter(|(_, v)| **v > ZERO).map(|(j, v)| (j as u16, *v)));
        out.push(row);
    }
    out
}

/// Chain: `mat_ema_alpha_sparse`, the EMA with one alpha per cell, clamped to [0, 1].
///
/// `alpha_of(i, j)` gives the alpha of cell (i, j); it is only asked for cells the
/// result depends on. Kept from the chain on purpose: old bonds in a column the
/// new row does not mention are dropped, not decayed.
pub(crate) fn mat_ema_alpha_sparse(
    new: &[SparseRow],
    old: &[SparseRow],
    columns: usize,
    mut alpha_of: impl FnMut(usize, u16) -> I32F32,
) -> SparseMatrix {
    if new.len() != old.len() {
        return new.to_vec();
    }
    let mut decayed = vec![ZERO; columns];
    let mut out = Vec::with_capacity(new.len());
    for (i, (new_row, old_row)) in new.iter().zip(old).enumerate() {
        if new_row.is_empty() {
            out.push(Vec::new());
            continue;
        }
        decayed.iter_mut().for_each(|x| *x = ZERO);
        for &(j, old_val) in old_row {
            if (j as usize) < columns {
                let a = alpha_of(i, j);
                decayed[j as usize] = mul(ONE.sat_sub(a), old_val);
            }
        }
        let mut row = Vec::new();
        for &(j, new_val) in new_row {
            if (j as usize) < columns {
                let a = alpha_of(i, j);
                let inc = mul(a, new_val).max(ZERO);
                let v = decayed[j as usize].sat_add(inc).min(ONE);
                if v > ZERO {
                    row.push((j, v));
                }
            }
        }
        out.push(row);
    }
    out
}

/// The value the chain's liquid-alpha code reads for column `j` of a sparse row.
///
/// The chain walks the row with a cursor while `j` counts up from 0 and only finds
/// entries in ascending column order; this reproduces that walk for every column at
/// once, so unsorted rows give the chain's answer too.
pub(crate) fn cursor_lookup(row: &[(u16, I32F32)], columns: usize) -> Vec<I32F32> {
    let mut dense = vec![ZERO; columns];
    let mut p = 0usize;
    for (j, cell) in dense.iter_mut().enumerate() {
        while p < row.len() && (row[p].0 as usize) < j {
            p += 1;
        }
        if p < row.len() && row[p].0 as usize == j {
            *cell = row[p].1;
        }
    }
    dense
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> I32F32 {
        I32F32::from_num(x)
    }

    #[test]
    fn cursor_lookup_misses_out_of_order_entries_like_the_chain() {
        let row = vec![(2u16, f(0.5)), (1u16, f(0.25)), (3u16, f(0.75))];
        let d = cursor_lookup(&row, 4);
        // Column 1 comes after column 2 in the row, so the cursor has passed it.
        assert_eq!(d, vec![ZERO, ZERO, f(0.5), f(0.75)]);
    }
}
