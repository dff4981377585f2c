//! [`Csr`], the flat compressed-sparse-row layout the epoch's weight and bond passes use
//! (one allocation per matrix instead of one per row), filled from the chain's
//! [`SparseRow`]s where the Yuma3 bonds come back in that form.

use super::SparseRow;

/// Compressed sparse rows: row `i` is `cols[start[i]..start[i + 1]]` with its values in
/// the same range of `vals`, entries in the order they were pushed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Csr {
    pub start: Vec<usize>,
    pub cols: Vec<u16>,
    /// I32F32 values as raw bits.
    pub vals: Vec<i64>,
}

impl Csr {
    pub(crate) fn with_capacity(rows: usize, entries: usize) -> Self {
        let mut start = Vec::with_capacity(rows + 1);
        start.push(0);
        Self { start, cols: Vec::with_capacity(entries), vals: Vec::with_capacity(entries) }
    }

    /// An empty matrix in the given buffers (cleared; their capacity is kept).
    pub(crate) fn in_buffers(rows: usize, mut cols: Vec<u16>, mut vals: Vec<i64>) -> Self {
        cols.clear();
        vals.clear();
        let mut start = Vec::with_capacity(rows + 1);
        start.push(0);
        Self { start, cols, vals }
    }

    pub(crate) fn into_buffers(self) -> (Vec<u16>, Vec<i64>) {
        (self.cols, self.vals)
    }

    #[inline]
    pub(crate) fn push(&mut self, j: u16, v: i64) {
        self.cols.push(j);
        self.vals.push(v);
    }

    /// Close the current row.
    #[inline]
    pub(crate) fn end_row(&mut self) {
        self.start.push(self.cols.len());
    }

    pub(crate) fn rows(&self) -> usize {
        self.start.len() - 1
    }

    #[inline]
    pub(crate) fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.start[i]..self.start[i + 1]
    }

    #[inline]
    pub(crate) fn row(&self, i: usize) -> (&[u16], &[i64]) {
        let r = self.range(i);
        (&self.cols[r.clone()], &self.vals[r])
    }

    pub(crate) fn from_rows(m: &[SparseRow]) -> Self {
        let mut out = Self::with_capacity(m.len(), m.iter().map(Vec::len).sum());
        for row in m {
            for &(j, v) in row {
                out.push(j, v.to_bits());
            }
            out.end_row();
        }
        out
    }
}
